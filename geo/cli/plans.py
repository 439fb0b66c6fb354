"""``python -m geo lpres import PLIK``: the operator replaces the list of LPRES plans.

Reading and validating the file is :mod:`geo.io.plans` and storing it :mod:`geo.analysis.lpres`;
this module only reads arguments and prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from geo.analysis.lpres import STATUS_LABELS, LpresError, import_plans
from geo.cli._echo import fail, say
from geo.config import Settings
from geo.io.region import load_terc_for

__all__ = ["add_cli", "run_cli"]


def add_cli(sub: Any) -> None:
    """Add ``lpres import PLIK`` to the ``python -m geo`` parser (``sub``: its subparsers)."""
    lpres = sub.add_parser("lpres", help="lokalne plany rozwoju ekonomii społecznej")
    actions = lpres.add_subparsers(dest="action", required=True, parser_class=type(lpres))
    imp = actions.add_parser("import", help="importuj listę planów (CSV/XLSX); zastępuje obecną")
    imp.add_argument("file", type=Path)


def run_cli(args: Any, settings: Settings) -> int:
    """Run ``python -m geo lpres import PLIK``; returns the exit code (1: file rejected)."""
    terc, _ = load_terc_for(settings)
    codes = terc.for_region(settings.region).codes
    try:
        plans = import_plans(args.file, settings, known_codes=codes)
    except LpresError as exc:
        return fail(exc)
    counts = plans["status"].map(STATUS_LABELS).value_counts()
    say(f"Zaimportowano plany LPRES z pliku {args.file.name}: {len(plans)}.")
    for label, n in counts.items():
        say(f"  {label}: {n}")
    say("Gminy, których nie obejmuje żaden wiersz, mają status „nieznany”.")
    return 0
