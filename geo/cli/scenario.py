"""``python -m geo scenario cover|maximize``: planning scenarios from the command line.

JSON is one object (figures before and after, the new sites with the gminas each newly
serves); CSV and XLSX are one row per new site with Polish headers, XLSX with the sources,
date and scenario parameters on a second sheet, as the coverage exports. Exit codes: 0 solved
(``status`` says ``optimal`` or ``time_limit`` with the proven gap), 1 no feasible answer or
unusable data (``błąd: ...``), 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from geo.analysis.scenarios import (
    DEFAULT_TIME_LIMIT_S,
    ScenarioOptions,
    ScenarioResult,
    plan_cover,
    plan_maximize,
)
from geo.cli._echo import fail, say
from geo.config import Settings
from geo.core.plural import count
from geo.errors import UserError
from geo.io.export import FORMATS, to_bytes

__all__ = ["add_cli", "result_payload", "run_cli", "sites_table"]

SITE_HEADERS = {
    "teryt": "teryt",
    "nazwa": "gmina",
    "lat": "szerokosc",
    "lon": "dlugosc",
    "liczba": "liczba_nowo_pokrytych_gmin",
    "serves": "nowo_pokryte_gminy",
}


def _positive(kind: type) -> Any:
    def parse(value: str) -> Any:
        try:
            number = kind(value)
        except ValueError:
            number = None
        if number is None or not math.isfinite(number) or number <= 0:
            raise argparse.ArgumentTypeError(f"oczekiwano liczby dodatniej, podano {value!r}")
        return number

    return parse


def _non_negative_int(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"oczekiwano liczby całkowitej ≥ 0, podano {value!r}")
    return int(value)


def add_cli(sub: Any, date: Any) -> None:
    """Add ``scenario cover|maximize`` to the parser (``sub``: its subparsers; ``date``: the
    parser of ``--as-of`` values)."""
    scenario = sub.add_parser("scenario", help="scenariusze: gdzie otworzyć nowe CIS/KIS")
    modes = scenario.add_subparsers(dest="action", required=True, parser_class=type(scenario))
    cover = modes.add_parser("cover", help="najmniej nowych CIS/KIS, by pokryć każdą gminę")
    maximize = modes.add_parser("maximize", help="K nowych CIS/KIS pokrywających najwięcej ludzi")
    maximize.add_argument("--sites", type=_positive(int), required=True, help="liczba K")
    for cmd in (cover, maximize):
        cmd.add_argument("--within-km", type=_positive(float), required=True, help="promień D km")
        cmd.add_argument("--as-of", type=date, default=None, help="stan na dzień RRRR-MM-DD")
        cmd.add_argument("--format", choices=FORMATS, default="json")
        cmd.add_argument("--out", type=Path, default=None, help="plik wynikowy (domyślnie stdout)")
        cmd.add_argument("--exclude", default="", metavar="KODY", help="kody TERC gmin pominiętych")
        cmd.add_argument(
            "--min-population",
            type=_non_negative_int,
            default=0,
            help="nowe miejsca tylko w gminach o co najmniej tylu mieszkańcach",
        )
        cmd.add_argument(
            "--ignore-agreements", action="store_true", help="nie licz porozumień międzygminnych"
        )
        cmd.add_argument(
            "--time-limit",
            type=_positive(float),
            default=DEFAULT_TIME_LIMIT_S,
            help="limit czasu obliczeń (s)",
        )


def result_payload(result: ScenarioResult, as_of: dt.date, notes: dict[str, str]) -> dict:
    """The JSON object of a scenario (the contract of ``--format json``)."""
    return {
        "mode": result.mode,
        "within_km": result.within_km,
        "sites": result.sites_budget,
        "as_of": as_of.isoformat(),
        "status": result.status,
        "gap": result.gap,
        "new_sites": [asdict(site) | {"serves": list(site.serves)} for site in result.new_sites],
        "covered_before": result.covered_before,
        "covered_after": result.covered_after,
        "population_covered_before": result.population_covered_before,
        "population_covered_after": result.population_covered_after,
        "gminas": result.gminas,
        "sources": notes,
    }


def sites_table(result: ScenarioResult) -> pd.DataFrame:
    """One row per new site, Polish headers (CSV and XLSX)."""
    rows = [
        {
            "teryt": site.teryt,
            "nazwa": site.nazwa,
            "lat": site.lat,
            "lon": site.lon,
            "liczba": len(site.serves),
            "serves": "; ".join(site.serves),
        }
        for site in result.new_sites
    ]
    return pd.DataFrame(rows, columns=list(SITE_HEADERS)).rename(columns=SITE_HEADERS)


def _parameters(result: ScenarioResult, args: argparse.Namespace) -> dict[str, str]:
    """The scenario's settings and figures, written beside the sources in XLSX."""
    mode = "pokrycie wszystkich gmin" if result.mode == "cover" else f"{result.sites_budget} miejsc"
    return {
        "scenariusz": mode,
        "odległość (km)": f"{result.within_km:g}",
        "wykluczone gminy": args.exclude or "brak",
        "minimalna ludność gminy z nowym miejscem": str(args.min_population),
        "porozumienia międzygminne": "pominięte" if args.ignore_agreements else "uwzględnione",
        "status": result.status if not result.gap else f"{result.status} (luka {result.gap:.2%})",
        "gminy pokryte przed / po": f"{result.covered_before} / {result.covered_after} "
        f"z {result.gminas}",
        "ludność pokryta przed / po": f"{result.population_covered_before} / "
        f"{result.population_covered_after}",
    }


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``python -m geo scenario ...``; returns the exit code."""
    from geo.pipeline import run, source_notes

    if args.format == "xlsx" and not args.out:
        return fail("format xlsx wymaga --out PLIK")
    options = ScenarioOptions(
        exclude=frozenset(code.strip() for code in args.exclude.split(",") if code.strip()),
        min_population=args.min_population,
        use_agreements=not args.ignore_agreements,
        time_limit_s=args.time_limit,
    )
    coverage = run(settings, args.as_of)
    try:
        if args.action == "cover":
            result = plan_cover(coverage.gminy, args.within_km, options)
        else:
            result = plan_maximize(coverage.gminy, args.sites, args.within_km, options)
    except UserError as exc:
        return fail(str(exc))
    notes = source_notes(coverage)
    if args.format == "json":
        payload = json.dumps(
            result_payload(result, coverage.as_of, notes), ensure_ascii=False, indent=1
        ).encode("utf-8")
    else:
        meta = notes | _parameters(result, args)
        payload = to_bytes(sites_table(result), args.format, meta=meta, sheet="Scenariusz")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(payload)
        sites = count(len(result.new_sites), "nowe miejsce", "nowe miejsca", "nowych miejsc")
        say(f"Zapisano {sites} do {args.out}", err=True)
    else:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
    gap = f", luka {result.gap:.2%}" if result.gap else ""
    note = " (DANE PRZYKŁADOWE, NIEKOMPLETNE)" if coverage.registry.is_sample else ""
    say(f"Status: {result.status}{gap}; {result.seconds:g} s", err=True)
    say(f"Stan na {coverage.as_of.isoformat()}; {coverage.registry.label}{note}", err=True)
    return 0
