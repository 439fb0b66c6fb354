"""``python -m geo backup`` and ``python -m geo restore``: the operator's copies of the store.

The work is in :mod:`geo.store.backup` (SQLite's online backup API); this module reads the
arguments, keeps a copy of the current database before a restore (so a restore can itself be
undone), writes the restore to the audit log and prints what was done.
"""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path
from typing import Any

from geo.cli._echo import fail, say
from geo.config import Settings
from geo.core.numbers import decimal
from geo.store import Store, StoreError
from geo.store.backup import backup, restore, sqlite_path, stamp

__all__ = ["add_cli", "run_backup", "run_restore"]


def add_cli(subparsers: Any) -> None:
    """Add ``backup`` and ``restore`` to the ``python -m geo`` parser."""
    make = subparsers.add_parser("backup", help="kopia zapasowa bazy rejestru (SQLite)")
    make.add_argument(
        "--out",
        type=Path,
        help="plik kopii (domyślnie PES_HOME/kopie/mapa-es-RRRRMMDD-GGMMSS.sqlite)",
    )
    back = subparsers.add_parser("restore", help="przywróć bazę rejestru z kopii zapasowej")
    back.add_argument("file", type=Path, help="plik kopii zrobionej poleceniem backup")


def _backups_dir(settings: Settings) -> Path:
    return settings.home / "kopie"


def _operator() -> str:
    try:
        return f"{getpass.getuser()} (konsola)"
    except (OSError, KeyError):  # no user name in the environment
        return "konsola"


def run_backup(args: argparse.Namespace, settings: Settings) -> int:
    """``python -m geo backup [--out FILE]``; returns the exit code."""
    try:
        database = sqlite_path(settings.database_url)
        out = args.out or _backups_dir(settings) / f"mapa-es-{stamp()}.sqlite"
        info = backup(database, out)
    except StoreError as exc:
        return fail(exc)
    say(
        f"Zapisano kopię {info.path} ({decimal(info.size / 1e6)} MB; wersje rejestru: "
        f"{info.versions}, konta: {info.users})."
    )
    return 0


def run_restore(args: argparse.Namespace, settings: Settings) -> int:
    """``python -m geo restore FILE``; the current database is kept in PES_HOME/kopie first."""
    try:
        database = sqlite_path(settings.database_url)
        kept = None
        if database.is_file():
            kept = backup(
                database, _backups_dir(settings) / f"przed-przywroceniem-{stamp()}.sqlite"
            )
        info = restore(args.file, database)
        with Store(settings.database_url) as store:
            store.record_audit(
                "przywrócenie kopii",
                f"baza przywrócona z pliku {args.file.name} (wersje: {info.versions})",
                _operator(),
            )
    except StoreError as exc:
        return fail(exc)
    say(f"Przywrócono bazę z kopii {args.file} (wersje rejestru: {info.versions}).")
    if kept is not None:
        say(f"Poprzedni stan bazy zachowano w {kept.path}.")
    return 0
