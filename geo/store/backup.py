"""Backups of the SQLite store with SQLite's online backup API, and restoring them.

Why it exists: the store is the one copy of the registry's versions, accounts and audit log.
Copying the database file while the app writes can catch half a transaction; SQLite's
backup API (``sqlite3.Connection.backup``) copies a consistent snapshot even while imports run,
in one step, holding only a read lock. Restoring writes the backup's pages into the live
database through the same API, so the file (and its inode, which running workers watch) stays
the one they have open, and every running app sees the restored state on its next read.

A PostgreSQL store is backed up with PostgreSQL's own tools (``pg_dump``/``pg_restore``,
see README); these functions refuse it with a message that says so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from geo._fs import atomic_path
from geo.store.models import StoreError
from geo.store.tables import metadata

__all__ = ["BackupInfo", "backup", "check_backup", "restore", "sqlite_path", "stamp"]

#: Tables a backup must contain to be a backup of this store (all of the store's tables).
REQUIRED_TABLES = frozenset(metadata.tables)


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds (for the messages of the CLI)."""

    path: Path
    size: int
    versions: int
    users: int


def sqlite_path(url: str) -> Path:
    """The database file of a ``sqlite:///`` store URL; a Polish StoreError for anything else."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"Nieprawidłowy adres bazy danych: {exc}") from exc
    if parsed.get_backend_name() != "sqlite":
        raise StoreError(
            "Kopie zapasowe tym poleceniem obejmują tylko bazę SQLite. Bazę PostgreSQL "
            "archiwizuj narzędziem pg_dump, a przywracaj pg_restore (zob. README, "
            "„Kopie zapasowe”)."
        )
    if not parsed.database or parsed.database == ":memory:":
        raise StoreError("Baza w pamięci nie ma pliku, z którego można zrobić kopię.")
    return Path(parsed.database)


@contextlib.contextmanager
def _connect(path: Path, *, read_only: bool) -> Iterator[sqlite3.Connection]:
    uri = f"{path.resolve().as_uri()}?mode={'ro' if read_only else 'rw'}"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise StoreError(f"Nie można otworzyć bazy {path.name}: {exc}") from exc
    try:
        yield conn
    finally:
        conn.close()


def check_backup(path: Path) -> BackupInfo:
    """Verify that ``path`` is an intact SQLite backup of this store (read only).

    Raises StoreError (Polish) for a missing, foreign, damaged or incomplete file.
    """
    if not path.is_file():
        raise StoreError(f"Nie ma pliku kopii zapasowej: {path}")
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise StoreError(f"Plik {path.name} nie jest kopią zapasową bazy SQLite.")
    try:
        with _connect(path, read_only=True) as conn:
            status = conn.execute("PRAGMA integrity_check").fetchone()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            missing = REQUIRED_TABLES - tables
            if status is None or status[0] != "ok":
                raise StoreError(f"Kopia {path.name} jest uszkodzona (integrity_check: {status}).")
            if missing:
                raise StoreError(
                    f"Plik {path.name} nie jest kopią bazy rejestru: brak tabel "
                    f"{', '.join(sorted(missing))}."
                )
            versions = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
            users = conn.execute("SELECT count(*) FROM users").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"Kopia {path.name} jest uszkodzona: {exc}") from exc
    return BackupInfo(path=path, size=path.stat().st_size, versions=versions, users=users)


def backup(database: Path, out: Path) -> BackupInfo:
    """Write a consistent copy of ``database`` to ``out`` (atomically; ``out`` is replaced).

    Safe while the app writes: the copy is one snapshot taken in a single backup step.
    """
    if not database.is_file():
        raise StoreError(f"Nie ma bazy danych rejestru: {database}")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _connect(database, read_only=True) as source, atomic_path(out) as tmp:
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)  # pages=-1: the whole database in one step
                # A self-contained file: no -wal beside it to lose on the way to the archive.
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
    except sqlite3.Error as exc:
        raise StoreError(f"Nie udało się zrobić kopii bazy {database.name}: {exc}") from exc
    except OSError as exc:
        raise StoreError(f"Nie udało się zapisać kopii {out}: {exc.strerror or exc}") from exc
    return check_backup(out)


def restore(backup_file: Path, database: Path) -> BackupInfo:
    """Replace the content of ``database`` by ``backup_file`` (checked first; all or nothing).

    The live file is written in place through the backup API under SQLite's write lock, so a
    running app never sees a half-restored database and keeps its open file.
    """
    info = check_backup(backup_file)
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _connect(backup_file, read_only=True) as source:
            target = sqlite3.connect(database, timeout=30)
            try:
                source.backup(target)
            finally:
                target.close()
    except sqlite3.Error as exc:
        raise StoreError(
            f"Nie udało się przywrócić kopii {backup_file.name}: {exc}. Baza jest bez zmian."
        ) from exc
    return info


def stamp(now: dt.datetime | None = None) -> str:
    """A file-name timestamp for default backup names (``mapa-es-20261203-1405.sqlite``)."""
    return (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
