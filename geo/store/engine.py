"""The store's database connection: one engine, read and write transactions, failures in Polish.

:class:`Database` opens the engine behind a SQLAlchemy URL, creates the tables and tunes
SQLite (WAL, a busy timeout, ``BEGIN IMMEDIATE`` for writers and deferred readers, so that an
import never blocks the dashboard). Every store operation runs in :meth:`Database._read` or
:meth:`Database._write`; the latter retries a write that lost a race for a unique key and
turns driver failures into :class:`StoreError`, classified by the driver's error *code*
(SQLite's result code, PostgreSQL's SQLSTATE), never by the text of its message. Driver details
(SQL, paths) go to the log, not into messages that visitors may see.

A SQLite store cannot vanish silently: the file's identity (``st_dev``, ``st_ino``) is taken
at open and compared before every read and before and after every write, so a deleted or
replaced file (or ``PES_HOME``) is refused with a Polish message instead of being written
into while unlinked or silently re-created empty by a new connection. A path this process
has opened before is never re-created empty either; a restart does that, and logs it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, SQLAlchemyError

from geo.config import Settings
from geo.store.models import StoreError, _ConcurrentWrite
from geo.store.tables import metadata

__all__ = ["Database", "inserted_id"]

T = TypeVar("T")
_LOG = logging.getLogger(__name__)

# SQLite files opened by this process (resolved path -> (st_dev, st_ino) at the last open):
# a known path that disappeared is not re-created empty.
_OPENED: dict[str, tuple[int, int]] = {}
_OPENED_LOCK = threading.Lock()

VANISHED = (
    "Plik bazy danych rejestru zniknął lub został podmieniony, gdy aplikacja działała "
    "(np. usunięto katalog PES_HOME). Nic nie zapisano i aplikacja nie założy w jego miejsce "
    "nowej, pustej bazy. Administrator: przywróć plik z kopii zapasowej albo, jeśli usunięcie "
    "było zamierzone, uruchom aplikację ponownie."
)
VANISHED_DURING_WRITE = (
    "Plik bazy danych rejestru zniknął lub został podmieniony w trakcie zapisu: zmiana mogła "
    "nie zostać zachowana. Administrator: sprawdź katalog PES_HOME i uruchom aplikację ponownie."
)

# Attempts of one write when a concurrent writer took the same version number or source name.
_MAX_ATTEMPTS = 5
# Seconds a SQLite writer waits for another writer's lock before giving up.
_SQLITE_BUSY_MS = 60_000
# SQLite primary result codes (the low byte of extended codes) of a lock held by another
# connection: https://www.sqlite.org/rescode.html
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
# PostgreSQL SQLSTATE of a lock that could not be taken (lock_timeout, NOWAIT).
_PG_LOCK_NOT_AVAILABLE = "55P03"


def _is_lock_conflict(error: BaseException) -> bool:
    """Whether the driver refused because another writer holds the database (or a row)."""
    sqlite_code = getattr(error, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        return sqlite_code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    # psycopg 3 names it sqlstate, psycopg2 pgcode.
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return state == _PG_LOCK_NOT_AVAILABLE


def inserted_id(result: sa.CursorResult[Any]) -> int:
    """The integer primary key of the row ``result`` inserted."""
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every table here has an integer key
        raise StoreError("Baza danych nie zwróciła identyfikatora nowego wiersza.")
    return int(key[0])


def _enable_wal(cursor: Any) -> None:
    """Switch a SQLite file to WAL; retried because the switch skips the busy handler."""
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    for attempt in range(200):
        try:
            cursor.execute("PRAGMA journal_mode=WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            # Two connections opening a brand-new file at once: one waits for the other.
            if not _is_lock_conflict(exc) or attempt == 199:
                raise
            time.sleep(0.05)


def _configure_sqlite(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself, so writers can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The timeout first, so that switching a new file to WAL also waits for the lock.
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_MS}")
        _enable_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A deferred writer that read first cannot upgrade its lock under WAL when another
        # writer committed meanwhile (SQLITE_BUSY at once); IMMEDIATE queues writers instead.
        # Readers stay deferred so that an import never blocks the dashboard.
        immediate = connection.get_execution_options().get("pes_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """The store's database behind one SQLAlchemy URL.

    Parameters
    ----------
    url : str
        SQLAlchemy database URL (``sqlite:///path/file.sqlite`` or ``postgresql+psycopg://...``).
        Tables are created when missing; for a SQLite file its parent folder is created.
    """

    def __init__(self, url: str):
        self._file: Path | None = None
        self._identity: tuple[int, int] | None = None
        self._engine = self._make_engine(url)
        try:
            # In a write transaction: two processes opening a new SQLite file at once would
            # otherwise both check for the tables and then clash when creating them.
            with self._engine.connect() as conn:
                conn.execution_options(pes_write=True)
                with conn.begin():
                    metadata.create_all(conn)
        except SQLAlchemyError as exc:
            self._engine.dispose()
            _LOG.error("cannot open the store %s: %s", self._safe_url, exc)
            raise StoreError(
                "Nie można otworzyć bazy danych rejestru (PES_DATABASE_URL). Administrator: "
                "szczegóły są w dzienniku serwera."
            ) from exc
        self._remember_file()

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """Open the store configured by ``settings.database_url`` (``PES_DATABASE_URL``)."""
        return cls(settings.database_url)

    def _make_engine(self, url: str) -> Engine:
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError, TypeError) as exc:
            raise StoreError(
                "Nieprawidłowy adres bazy danych (PES_DATABASE_URL). Przykłady: "
                "sqlite:///C:/dane/mapa-es.sqlite, postgresql+psycopg://użytkownik@host/baza."
            ) from exc
        self._safe_url = parsed.render_as_string(hide_password=True)
        self._is_sqlite = parsed.get_backend_name() == "sqlite"
        if self._is_sqlite:
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                self._file = Path(database).expanduser().resolve()
                self._refuse_recreating()
                self._file.parent.mkdir(parents=True, exist_ok=True)
        try:
            engine = sa.create_engine(parsed)
        except (NoSuchModuleError, ModuleNotFoundError, ImportError) as exc:
            raise StoreError(
                f"Brak sterownika bazy danych dla adresu {self._safe_url}: {exc}. "
                "Zainstaluj odpowiedni pakiet (np. psycopg dla PostgreSQL)."
            ) from exc
        if self._is_sqlite:
            _configure_sqlite(engine)
        return engine

    # -- the file behind a SQLite store ---------------------------------------------------------

    def _refuse_recreating(self) -> None:
        assert self._file is not None
        with _OPENED_LOCK:
            known = str(self._file) in _OPENED
        if self._file.exists():
            return
        if known:
            _LOG.error("the store %s this process had opened is gone", self._file)
            raise StoreError(VANISHED)
        _LOG.warning("creating a new, empty registry store at %s", self._file)

    def _remember_file(self) -> None:
        if self._file is None:
            return
        info = os.stat(self._file)
        self._identity = (info.st_dev, info.st_ino)
        with _OPENED_LOCK:
            _OPENED[str(self._file)] = self._identity

    def _check_file(self, message: str = VANISHED) -> None:
        """Refuse when the SQLite file opened is gone or another file took its place."""
        if self._file is None:
            return
        try:
            info = os.stat(self._file)
        except OSError:
            info = None
        if info is None or (info.st_dev, info.st_ino) != self._identity:
            _LOG.error("the store file %s is gone or was replaced", self._file)
            raise StoreError(message)

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        """The underlying SQLAlchemy engine (read-only use by tools and tests)."""
        return self._engine

    # -- transactions -------------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        self._check_file()  # else a new connection would create an empty file
        try:
            with self._engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            _LOG.error("reading the store failed: %s", exc)
            raise StoreError(
                "Nie udało się odczytać rejestru z bazy danych. Administrator: szczegóły są "
                "w dzienniku serwera."
            ) from exc

    def _write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work(conn)`` in one write transaction, retrying on a concurrent-writer clash.

        Raises
        ------
        StoreError
            When the database refuses the write (nothing is written then); the private
            ``_ConcurrentWrite`` subclass when every attempt lost a race for a unique key.
        """
        last: Exception | None = None
        self._check_file()
        for attempt in range(_MAX_ATTEMPTS):
            try:
                with self._engine.connect() as conn:
                    conn.execution_options(pes_write=True)
                    with conn.begin():
                        result = work(conn)
                self._check_file(VANISHED_DURING_WRITE)
                return result
            except IntegrityError as exc:
                # Another writer took the same version number or created the same source.
                last = exc
                time.sleep(0.05 * (attempt + 1))
            except SQLAlchemyError as exc:
                detail = getattr(exc, "orig", None) or exc
                if _is_lock_conflict(detail):
                    raise StoreError(
                        "Baza danych jest zajęta innym zapisem (np. równoczesnym importem). "
                        "Spróbuj ponownie za chwilę; rejestr nie został zmieniony."
                    ) from exc
                raise StoreError(
                    "Nie udało się zapisać zmian w bazie danych; rejestr nie został zmieniony. "
                    f"Szczegóły: {detail}"
                ) from exc
            except UnicodeError as exc:
                # The driver cannot encode a text (e.g. a broken surrogate from a bad decoding).
                raise StoreError(
                    "Plik zawiera znaki, których nie da się zapisać (uszkodzone kodowanie tekstu); "
                    "rejestr nie został zmieniony. Zapisz plik ponownie jako UTF-8."
                ) from exc
        raise _ConcurrentWrite(
            "Nie udało się nadać numeru nowej wersji z powodu równoczesnych zapisów; "
            "rejestr nie został zmieniony. Spróbuj ponownie."
        ) from last
