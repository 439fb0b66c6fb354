"""Command line: ``python -m geo`` — the automation contract of mapa-es.

Exit codes: 0 done (row problems are reported, not fatal), 1 the input was rejected or the
data is unusable, 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import pandas as pd

from geo._fs import atomic_write_bytes
from geo.cli._echo import fail, say
from geo.cli._errors import explain
from geo.config import Settings, get_settings
from geo.core.plural import count
from geo.core.schema import ENTITY_TYPES
from geo.core.text import printable
from geo.io.export import FORMATS, to_bytes

COVERAGE_COLUMNS = [
    "teryt",
    "nazwa",
    "rodzaj_nazwa",
    "powiat",
    "powiat_nazwa",
    "has_social_employment",
    "pokrycie",
    "obslugujace",
    "cis",
    "kis",
    "zaz",
    "wtz",
    "sps",
    "ps",
    "ngo",
    "inny",
    "pes_razem",
    "ludnosc",
    "pes_na_10k",
    "odleglosc_cis_kis_km",
]


class _Parser(argparse.ArgumentParser):
    """argparse with Polish error messages (exit code 2 as argparse does)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, printable(f"błąd użycia: {message}") + "\n")  # it may quote an argument


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"nieprawidłowa data {value!r}: podaj RRRR-MM-DD, np. 2026-01-01"
        ) from exc


def _type(value: str) -> str:
    from geo.io.registry import normalize_type

    code = normalize_type(value)
    if code is None:
        raise argparse.ArgumentTypeError(
            f"nieznany typ {value!r}: dostępne {', '.join(ENTITY_TYPES)}"
        )
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m geo", description="Mapa ekonomii społecznej: narzędzia.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    reg = sub.add_parser("registry", help="rejestr PES").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    imp = reg.add_parser("import", help="importuj plik jako nową wersję źródła")
    imp.add_argument("file", type=Path)
    imp.add_argument("--source", required=True, help="nazwa źródła, np. 'rejestr KIS'")
    imp.add_argument("--default-type", type=_type, help="typ dla rejestru bez kolumny typu")
    imp.add_argument("--user", default=None, help="kto importuje (do historii)")
    val = reg.add_parser("validate", help="sprawdź plik bez zapisywania")
    val.add_argument("file", type=Path)
    val.add_argument("--default-type", type=_type)

    bnd = sub.add_parser("boundaries", help="granice gmin").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    bimp = bnd.add_parser("import", help="importuj granice z pliku")
    bimp.add_argument("file", type=Path)
    bimp.add_argument("--level", choices=["gminy"], default="gminy")
    bimp.add_argument(
        "--dopusc-brak",
        default="",
        metavar="KODY",
        help="kody TERC gmin, których brak w pliku jest znany i dopuszczony (po przecinku)",
    )
    fetch = bnd.add_parser("fetch", help="pobierz granice z usługi WFS PRG (GUGiK)")
    fetch.add_argument("--url", default=None, help="adres usługi WFS (domyślnie GUGiK)")
    fetch.add_argument("--timeout", type=float, default=60, help="limit czasu żądania (s)")

    for name, text in (("coverage", "pokrycie gmin"), ("gaps", "gminy bez CIS/KIS")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--as-of", type=_date, default=None, help="stan na dzień RRRR-MM-DD")
        cmd.add_argument("--format", choices=FORMATS, default="csv")
        cmd.add_argument("--out", type=Path, default=None, help="plik wynikowy (domyślnie stdout)")

    from geo.cli.users import add_cli as add_users_cli

    add_users_cli(sub)

    from geo.cli.plans import add_cli as add_lpres_cli

    add_lpres_cli(sub)
    from geo.cli.backup import add_cli as add_backup_cli
    from geo.cli.scenario import add_cli as add_scenario_cli

    add_scenario_cli(sub, _date)
    from geo.cli.indicators import add_cli as add_indicators_cli

    add_indicators_cli(sub, _date)
    add_backup_cli(sub)
    from geo.cli.report import add_cli as add_report_cli

    add_report_cli(sub, _date)
    return parser


def _check_registry(args: argparse.Namespace, settings: Settings, store: bool) -> int:
    from geo.analysis.locate import locate_entities
    from geo.analysis.locate.problems import CATEGORIES_COLUMN, each_category
    from geo.io._limits import file_too_large
    from geo.io.region import load_region
    from geo.io.registry import MAX_FILE_BYTES, RegistryFileError, read_registry

    try:
        # checked before reading: a file over the limit is refused without loading it
        if args.file.is_file() and args.file.stat().st_size > MAX_FILE_BYTES:
            error = file_too_large(args.file.stat().st_size, MAX_FILE_BYTES)
            return fail(f"plik {args.file.name} odrzucony: {error}")
        content = args.file.read_bytes()
    except OSError as exc:
        return fail(f"nie można odczytać pliku {args.file}: {exc.strerror}")
    try:
        parsed = read_registry(content, filename=args.file.name, default_type=args.default_type)
    except RegistryFileError as exc:
        return fail(f"plik {args.file.name} odrzucony: {exc}")
    region = load_region(settings)
    frame = parsed.frame.assign(zrodlo_rejestru=getattr(args, "source", None))
    located = locate_entities(frame, region.gminy, region.terc, settings.region)
    counted = int(located["uwzgledniony"].sum())
    say(f"Plik: {args.file.name}")
    say(f"Wiersze: {len(frame)}")
    say(f"Zlokalizowane w gminach regionu: {int(located['teryt_gminy'].notna().sum())}")
    say(f"Uwzględniane w pokryciu: {counted}")
    row_problems = Counter(p.severity for p in parsed.problems if p.row)
    if parsed.problems:
        say("Uwagi do pliku i wierszy:")
        for problem in parsed.problems[:50]:
            where = f"wiersz {problem.row}" if problem.row else "plik"
            col = f", kolumna {problem.column}" if problem.column else ""
            say(f"  [{problem.severity}] {where}{col}: {problem.message}")
        if len(parsed.problems) > 50:
            rest = len(parsed.problems) - 50
            say(f"  ... i {count(rest, 'inny', 'inne', 'innych')}")
    categories = Counter(each_category(located[CATEGORIES_COLUMN]))
    if categories or row_problems:
        say("Problemy według przyczyny:")
        for cat, n in sorted(categories.items(), key=lambda kv: (-kv[1], kv[0])):
            say(f"  {cat}: {n}")
        for severity, n in sorted(row_problems.items()):
            say(f"  {severity} w wierszach: {n}")
    else:
        say("Problemy: brak")
    if store:
        from geo.store import Store, StoreError

        try:
            version = Store.from_settings(settings).import_version(
                args.source,
                parsed.frame,
                file_name=args.file.name,
                content=content,
                user=args.user,
            )
        except StoreError as exc:
            return fail(str(exc))
        say(f"Zapisano: źródło „{version.source}”, wersja {version.number}.")
    else:
        say("Sprawdzono; nic nie zapisano.")
    return 0


def _boundaries(args: argparse.Namespace, settings: Settings) -> int:
    import tempfile

    from geo.io.boundaries import BoundaryError, import_boundaries
    from geo.io.region import load_terc_for

    terc, _ = load_terc_for(settings)
    try:
        if args.action == "fetch":
            from geo.io.prg import PrgError, fetch_gminy

            with tempfile.TemporaryDirectory() as tmp:
                try:
                    path = fetch_gminy(
                        Path(tmp) / "prg_gminy.gml",
                        settings.region,
                        url=args.url or settings.prg_wfs_url,
                        timeout=args.timeout,
                    )
                except PrgError as exc:
                    return fail(str(exc))
                result = import_boundaries(path, settings, terc, level="gminy")
        else:
            allowed = [code.strip() for code in args.dopusc_brak.split(",") if code.strip()]
            result = import_boundaries(
                args.file, settings, terc, level=args.level, allow_missing=allowed
            )
    except BoundaryError as exc:
        return fail(f"granice odrzucone: {exc}")
    for warning in result.warnings:
        say(f"uwaga: {warning}")
    say(f"Zaimportowano granice: {count(result.count, 'gmina', 'gminy', 'gmin')}: {result.path}")
    return 0


def _write_out(path: Path, payload: bytes) -> None:
    """Write an output file atomically (a full disk leaves no half-written file); a device or
    a pipe (``/dev/stdout``) is written directly, never replaced."""
    if path.exists() and not path.is_file():
        path.write_bytes(payload)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, payload)


def _coverage(args: argparse.Namespace, settings: Settings) -> int:
    from geo.analysis.coverage import gminas_without_social_employment
    from geo.pipeline import run, source_notes

    result = run(settings, args.as_of)
    table = result.gminy
    if args.command == "gaps":
        table = gminas_without_social_employment(table)
    table = pd.DataFrame(table[COVERAGE_COLUMNS])
    meta = source_notes(result)
    payload = to_bytes(
        table, args.format, meta=meta, sheet="Luki" if args.command == "gaps" else "Pokrycie"
    )
    if args.out:
        _write_out(args.out, payload)
        say(f"Zapisano {count(len(table), 'gminę', 'gminy', 'gmin')} do {args.out}", err=True)
    elif args.format == "xlsx":
        return fail("format xlsx wymaga --out PLIK")
    else:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
    note = " (DANE PRZYKŁADOWE, NIEKOMPLETNE)" if result.registry.is_sample else ""
    say(f"Stan na {result.as_of.isoformat()}; {result.registry.label}{note}", err=True)
    return 0


def _run(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.command == "registry":
        return _check_registry(args, settings, store=args.action == "import")
    if args.command == "boundaries":
        return _boundaries(args, settings)
    if args.command == "users":
        from geo.cli.users import run_cli as users_cli

        return users_cli(args, settings)
    if args.command == "lpres":
        from geo.cli.plans import run_cli as lpres_cli

        return lpres_cli(args, settings)
    if args.command in ("backup", "restore"):
        from geo.cli import backup as backup_cli

        run = backup_cli.run_backup if args.command == "backup" else backup_cli.run_restore
        return run(args, settings)
    if args.command == "scenario":
        from geo.cli.scenario import run_cli as scenario_cli

        return scenario_cli(args, settings)
    if args.command == "indicators":
        from geo.cli.indicators import run_cli as indicators_cli

        return indicators_cli(args, settings)
    if args.command == "report":
        from geo.cli.report import run_cli as report_cli

        return report_cli(args, settings)
    return _coverage(args, settings)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m geo``; returns the exit code.

    Every failure is one line ``błąd: ...`` on stderr and exit code 1, never a traceback
    (:func:`geo.cli._errors.explain`); an unexpected one is logged with its traceback.
    """
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        return fail("przerwano (Ctrl+C).")
    except Exception as exc:  # noqa: BLE001 - the CLI's one last-resort handler
        return fail(explain(exc))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
