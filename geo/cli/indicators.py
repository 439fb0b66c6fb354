"""``python -m geo indicators import|show``: the programme's indicators from the command line.

``import FILE [--author KTO]`` checks an indicator file (CSV/XLSX) and stores it as the next
version; ``show [--as-of RRRR-MM-DD] [--format json|csv]`` prints every indicator against its
target on the date (the stored version in effect, else the sample file, which is said on
stderr). Exit codes: 0 done, 1 unusable file or data (``błąd: ...``), 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from pathlib import Path
from typing import Any

from geo.cli._echo import fail, say
from geo.config import Settings
from geo.core.plural import count
from geo.errors import UserError
from geo.io.export import to_bytes

__all__ = ["SHOW_HEADERS", "add_cli", "run_cli"]

#: Columns of ``show --format csv`` (Polish headers).
SHOW_HEADERS = {
    "id": "id",
    "nazwa": "nazwa",
    "miara": "miara",
    "jednostka": "jednostka",
    "wartosc_bazowa": "wartosc_bazowa",
    "rok_bazowy": "rok_bazowy",
    "wartosc_docelowa": "wartosc_docelowa",
    "rok_docelowy": "rok_docelowy",
    "rok": "rok",
    "wartosc": "wartosc",
    "sciezka": "wartosc_na_sciezce",
    "status": "status",
    "status_nazwa": "ocena",
    "zrodlo": "zrodlo",
}


def add_cli(sub: Any, date: Any) -> None:
    """Add ``indicators import|show`` (``sub``: the subparsers; ``date``: ``--as-of`` parser)."""
    cmd = sub.add_parser("indicators", help="wskaźniki programu: cele i postęp")
    actions = cmd.add_subparsers(dest="action", required=True, parser_class=type(cmd))
    imp = actions.add_parser("import", help="wczytaj plik wskaźników jako nową wersję")
    imp.add_argument("file", type=Path)
    imp.add_argument("--author", default=None, help="kto wczytuje (do historii)")
    show = actions.add_parser("show", help="wskaźniki na dzień wobec celów")
    show.add_argument("--as-of", type=date, default=None, help="stan na dzień RRRR-MM-DD")
    show.add_argument("--format", choices=["json", "csv"], default="json")


def _fail(message: str) -> int:
    return fail(message)


def _plain(value: Any) -> Any:
    """A JSON-ready cell: dates as ISO text, NaN as null."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from geo.analysis.indicators import MEASURES
    from geo.io.indicator_file import read_indicators
    from geo.store import Store

    frame = read_indicators(args.file, MEASURES)
    with Store.from_settings(settings) as store:
        version = store.import_indicators(frame, file_name=args.file.name, user=args.author)
    say(
        f"Zapisano plik wskaźników jako wersję {version.number} "
        f"({count(len(frame), 'wskaźnik', 'wskaźniki', 'wskaźników')})."
    )
    return 0


def _show(args: argparse.Namespace, settings: Settings) -> int:
    from geo.analysis.indicators import load_indicators, monitor
    from geo.pipeline import run, source_notes
    from geo.store import Store

    with Store.from_settings(settings) as store:
        chosen = load_indicators(settings, store)
        result = run(settings, args.as_of, store)
    watch = monitor(
        result.region.gminy, result.entities, result.plans, result.as_of, chosen.indicators
    )
    table = watch.table.reindex(columns=list(SHOW_HEADERS)).rename(columns=SHOW_HEADERS)
    notes = source_notes(result) | {"wskazniki": chosen.label}
    if args.format == "json":
        payload = {
            "as_of": result.as_of.isoformat(),
            "indicators": [
                {k: _plain(v) for k, v in row.items()} for row in table.to_dict("records")
            ],
            "sample_indicators": chosen.is_sample,
            "sources": notes,
        }
        data = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    else:
        # formula-safe CSV for Excel: names and sources come from an uploaded file
        data = to_bytes(table, "csv")
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
    missing = watch.completeness
    say(
        f"Stan na {result.as_of.isoformat()}; {result.registry.label}; {chosen.label}. "
        f"Historia tak pełna jak daty w rejestrze: {missing['bez_daty_rozpoczecia']} z "
        f"{missing['podmioty']} podmiotów bez daty rozpoczęcia.",
        err=True,
    )
    return 0


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``python -m geo indicators ...``; returns the exit code."""
    try:
        return _import(args, settings) if args.action == "import" else _show(args, settings)
    except UserError as exc:
        return _fail(str(exc))
