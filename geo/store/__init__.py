"""The registry store: named sources, each replaced by whole versions (SQLAlchemy Core).

The registry is made of named sources ("rejestr CIS wojewody", "lista ROPS"...). Importing a
file writes all its rows as a **new version** of that source in one transaction and makes it
current; earlier versions stay retrievable and can be restored; a rejected file changes nothing.

Portable by design: only SQLAlchemy Core constructs and portable types, tables made with
``metadata.create_all``, so ``PES_DATABASE_URL`` may point to PostgreSQL instead of the
default SQLite file. Original uploads are kept content-addressed (by SHA-256), so restoring a
version or importing the same file twice does not duplicate the bytes.

Beside the versions the store keeps what managing the registry needs: the column mapping and
default type remembered per source, manual fixes of entities (applied to every later version
by :func:`geo.registry.fixes.apply_fixes`), editor accounts (password hashes made by
:mod:`geo.store.auth`) with their failed-login counters, and the audit log of every change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import numbers
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, SQLAlchemyError

from geo._gc import paused_gc
from geo.core.schema import REGISTRY_COLUMNS
from geo.core.text import fold
from geo.errors import UserError

__all__ = [
    "ENTITY_COLUMNS",
    "FIX_KINDS",
    "FLOAT_COLUMNS",
    "MAX_SOURCE_NAME",
    "FixInfo",
    "LoginState",
    "SourceSettings",
    "Store",
    "StoreError",
    "UserRecord",
    "VersionInfo",
]

#: Registry columns stored as floating point numbers; all the others are stored as text.
FLOAT_COLUMNS: tuple[str, ...] = ("szerokosc", "dlugosc")
TEXT_COLUMNS: tuple[str, ...] = tuple(c for c in REGISTRY_COLUMNS if c not in FLOAT_COLUMNS)
#: Columns of the frames returned by :meth:`Store.current_entities` and
#: :meth:`Store.version_entities`.
ENTITY_COLUMNS: tuple[str, ...] = (*REGISTRY_COLUMNS, "zrodlo_rejestru", "wersja", "entity_key")
MAX_SOURCE_NAME = 100

# Rows per INSERT batch: large enough to be fast, small enough to bound memory on 100k rows.
_CHUNK_ROWS = 10_000
# Rows per INSERT statement on SQLite: 40 x 20 values stay under the 999 parameters that older
# SQLite versions allow; a divisor of _CHUNK_ROWS, so that a full batch is one executemany.
_SQLITE_ROWS_PER_INSERT = 40
# Attempts of one import when a concurrent writer took the same version number or source name.
_MAX_ATTEMPTS = 5
# Seconds a SQLite writer waits for another writer's lock before giving up.
_SQLITE_BUSY_MS = 60_000

metadata = sa.MetaData()

sources_table = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(MAX_SOURCE_NAME), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

uploads_table = sa.Table(
    "uploads",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
)

versions_table = sa.Table(
    "versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200)),
    sa.Column("file_name", sa.Text),
    sa.Column("file_sha256", sa.String(64), sa.ForeignKey("uploads.sha256")),
    sa.Column("row_count", sa.Integer, nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("is_current", sa.Boolean, nullable=False, default=False),
    # The safety net for concurrent numbering: a duplicate number aborts the transaction.
    sa.UniqueConstraint("source_id", "number", name="uq_versions_source_number"),
)

entities_table = sa.Table(
    "entities",
    metadata,
    # "id" is a registry column (the source's own identifier), so the key is "pk".
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
    sa.Column("row_no", sa.Integer, nullable=False),
    *(sa.Column(c, sa.Float if c in FLOAT_COLUMNS else sa.Text) for c in REGISTRY_COLUMNS),
    sa.Index("ix_entities_version_row", "version_id", "row_no"),
)

audit_table = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_name", sa.String(200)),  # "user" is reserved in PostgreSQL
    sa.Column("action", sa.String(50), nullable=False),
    sa.Column("details", sa.Text),
)

# What the import page remembers per source: the file's column mapping and default type.
source_settings_table = sa.Table(
    "source_settings",
    metadata,
    sa.Column("source", sa.String(MAX_SOURCE_NAME), primary_key=True),
    sa.Column("column_map", sa.Text),  # JSON object: file header -> native column or null
    sa.Column("default_type", sa.String(10)),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(200)),
)

# Manual fixes, addressed by source name and the entity's stable key
# (geo.registry.keys.stable_keys) so that they survive re-imports of the source.
fixes_table = sa.Table(
    "fixes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(MAX_SOURCE_NAME), nullable=False),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("entity_name", sa.Text),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("value", sa.Text, nullable=False),  # JSON object
    sa.Column("note", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200)),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_by", sa.String(200)),
    sa.Index("ix_fixes_active", "active", "source"),
)

users_table = sa.Table(
    "users",
    metadata,
    sa.Column("login", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.String(500), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200)),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# Failed logins per login name, also for names without an account (so that the delay does
# not reveal which accounts exist).
login_attempts_table = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("login", sa.String(200), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
)

#: Kinds of manual fixes and their Polish names.
FIX_KINDS: dict[str, str] = {
    "gmina": "przypisanie gminy",
    "wspolrzedne": "współrzędne",
    "duplikat": "oznaczenie duplikatu",
    "gminy_obslugiwane": "gminy obsługiwane",
}
_CODE_RE = re.compile(r"\d{7}")
_LOGIN_RE = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")


class StoreError(UserError, RuntimeError):
    """The store refused an operation; the message is in Polish for the user."""


@dataclass(frozen=True)
class VersionInfo:
    """One imported (or restored) version of a source."""

    id: int
    source: str
    number: int
    created_at: dt.datetime
    created_by: str | None
    file_name: str | None
    file_sha256: str | None
    row_count: int
    is_current: bool
    note: str | None


@dataclass(frozen=True)
class SourceSettings:
    """What was used at the last import of a source, offered again at the next one."""

    source: str
    column_map: dict[str, str | None]
    default_type: str | None
    updated_at: dt.datetime
    updated_by: str | None


@dataclass(frozen=True)
class FixInfo:
    """One manual fix of an entity.

    Attributes
    ----------
    source, entity : str
        The source name and the entity's stable key within it
        (:func:`geo.registry.keys.stable_keys`).
    kind : str
        A key of :data:`FIX_KINDS`.
    value : dict
        ``{"teryt": "0663011"}``, ``{"szerokosc": 51.2, "dlugosc": 22.5}``,
        ``{"duplikat_z": "<stable key>"}`` or ``{"gminy": ["0663011", ...]}``.
    active : bool
        False once revoked or replaced by a later fix of the same kind.
    """

    id: int
    source: str
    entity: str
    entity_name: str | None
    kind: str
    value: dict[str, Any]
    note: str | None
    created_at: dt.datetime
    created_by: str | None
    active: bool
    revoked_at: dt.datetime | None
    revoked_by: str | None

    def describe(self) -> str:
        """Polish one-line description of what the fix does."""
        v = self.value
        if self.kind == "gmina":
            return f"gmina przypisana ręcznie: {v.get('teryt')}"
        if self.kind == "wspolrzedne":
            return f"współrzędne podane ręcznie: {v.get('szerokosc')}, {v.get('dlugosc')}"
        if self.kind == "duplikat":
            return f"oznaczony jako duplikat wpisu {v.get('duplikat_z')}"
        return "gminy obsługiwane ustalone ręcznie: " + ";".join(v.get("gminy", []))


@dataclass(frozen=True)
class UserRecord:
    """An editor account (the hash is made and checked by :mod:`geo.store.auth`)."""

    login: str
    password_hash: str
    created_at: dt.datetime
    created_by: str | None
    updated_at: dt.datetime


@dataclass(frozen=True)
class LoginState:
    """Consecutive failed logins for a login name and when the last one happened."""

    failures: int
    last_failure_at: dt.datetime | None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything is written in UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _clean_user(user: str | None) -> str | None:
    if user is None:
        return None
    text = str(user).strip()
    return text[:200] or None


def _validate_source(source: object) -> str:
    if not isinstance(source, str):
        raise StoreError("Nazwa źródła rejestru musi być tekstem.")
    name = " ".join(source.split())
    if not name:
        raise StoreError("Podaj nazwę źródła rejestru (np. „rejestr KIS”); nie może być pusta.")
    if len(name) > MAX_SOURCE_NAME:
        raise StoreError(
            f"Nazwa źródła rejestru jest za długa ({len(name)} znaków); "
            f"dopuszczalne jest najwyżej {MAX_SOURCE_NAME}."
        )
    return name


def normalize_login(login: object) -> str:
    """Return the canonical (lower-case) login or raise :class:`StoreError`."""
    text = str(login).strip().lower() if isinstance(login, str) else ""
    if not _LOGIN_RE.fullmatch(text):
        raise StoreError(
            "Nieprawidłowy login: 1–64 znaki, małe litery bez polskich znaków, cyfry oraz "
            "kropka, podkreślenie, małpa lub minus (np. jan.kowalski)."
        )
    return text


def _throttle_key(login: object) -> str:
    # Any text typed into the login field, bounded, case-insensitive.
    return str(login).strip().lower()[:200] if isinstance(login, str) else ""


def _validate_column_map(column_map: object) -> dict[str, str | None]:
    if not isinstance(column_map, dict):
        raise StoreError("Mapowanie kolumn musi być słownikiem: nagłówek pliku -> pole rejestru.")
    out: dict[str, str | None] = {}
    for header, native in column_map.items():
        if not isinstance(header, str) or not header.strip():
            raise StoreError("Mapowanie kolumn zawiera pusty nagłówek.")
        if native in (None, ""):
            out[header] = None
        elif native in REGISTRY_COLUMNS:
            out[header] = str(native)
        else:
            raise StoreError(f"Mapowanie kolumn wskazuje nieznane pole rejestru: {native!r}.")
    return out


def _finite(value: object, low: float, high: float, label: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise StoreError(f"{label} musi być liczbą.") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise StoreError(f"{label} musi mieścić się w zakresie {low:g}…{high:g}.")
    return number


def _validate_fix(kind: object, value: object) -> dict[str, Any]:
    """The fix's value in canonical form, or StoreError (Polish)."""
    if kind not in FIX_KINDS:
        raise StoreError(f"Nieznany rodzaj poprawki {kind!r}; dostępne: {', '.join(FIX_KINDS)}.")
    if not isinstance(value, dict):
        raise StoreError("Wartość poprawki musi być słownikiem.")
    if kind == "gmina":
        code = str(value.get("teryt") or "").strip()
        if not _CODE_RE.fullmatch(code):
            raise StoreError("Poprawka gminy wymaga 7-cyfrowego kodu TERYT gminy.")
        return {"teryt": code}
    if kind == "wspolrzedne":
        return {
            "szerokosc": _finite(value.get("szerokosc"), -90, 90, "Szerokość geograficzna"),
            "dlugosc": _finite(value.get("dlugosc"), -180, 180, "Długość geograficzna"),
        }
    if kind == "duplikat":
        original = str(value.get("duplikat_z") or "").strip()
        if not original:
            raise StoreError("Wskaż wpis, którego duplikatem jest ten podmiot.")
        return {"duplikat_z": original}
    raw = value.get("gminy")
    codes = [str(c).strip() for c in raw] if isinstance(raw, list | tuple) else []
    if not codes or not all(_CODE_RE.fullmatch(c) for c in codes):
        raise StoreError("Gminy obsługiwane podaj jako listę 7-cyfrowych kodów TERYT gmin.")
    return {"gminy": list(dict.fromkeys(codes))}


def _text_value(value: Any) -> Any:
    """Text form of a non-string cell (numbers and dates from Excel readers)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp == stamp.normalize() and stamp.tzinfo is None:
            return stamp.date().isoformat()
        return stamp.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real) and float(value).is_integer():
        # Excel gives 612011.0 for a number cell holding a code or an id.
        return str(int(float(value)))
    return str(value)


def _prepare_columns(frame: object, missing: Any = None) -> dict[str, np.ndarray]:
    """Return the native columns that hold any value, as object arrays of str/float.

    Gaps are ``missing``; a column that is absent or has no value at all is left out (its
    cells are stored as NULL without being sent). Raises :class:`StoreError` when the frame
    cannot be stored.
    """
    if not isinstance(frame, pd.DataFrame):
        raise StoreError("Do zapisania rejestru potrzebna jest tabela (DataFrame).")
    if len(frame) == 0:
        raise StoreError("Plik nie zawiera żadnych wierszy z danymi; rejestr nie został zmieniony.")
    if not any(c in REGISTRY_COLUMNS for c in frame.columns):
        raise StoreError(
            "Tabela nie zawiera żadnej kolumny rejestru (np. „nazwa”, „typ”, „teryt”); "
            "rejestr nie został zmieniony."
        )
    duplicated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    duplicated = [c for c in duplicated if c in REGISTRY_COLUMNS]
    if duplicated:
        raise StoreError(
            "Kolumny występują w tabeli więcej niż raz: " + ", ".join(duplicated) + "."
        )
    out: dict[str, np.ndarray] = {}
    for col in REGISTRY_COLUMNS:
        if col not in frame.columns:
            continue
        raw = frame[col]
        if col in FLOAT_COLUMNS:
            numeric = pd.to_numeric(raw, errors="coerce").astype("float64").to_numpy()
            gaps = np.isnan(numeric)
            bad = (gaps & raw.notna().to_numpy()) | np.isinf(numeric)
            if bad.any():
                pos = int(bad.nonzero()[0][0])
                raise StoreError(
                    f"Kolumna „{col}” musi zawierać liczby; w {pos + 1}. wierszu danych jest "
                    f"{str(raw.iloc[pos])!r}. Rejestr nie został zmieniony."
                )
            if not gaps.all():
                cells = numeric.astype(object)
                cells[gaps] = missing
                out[col] = cells
            continue
        values = raw.to_numpy(dtype=object)
        # The registry reader's full columns (only str) are taken as they are: no gaps.
        if pd.api.types.infer_dtype(values, skipna=False) == "string":
            out[col] = values
            continue
        gaps = pd.isna(values)
        if gaps.all():
            continue
        given = values[~gaps]
        if pd.api.types.infer_dtype(given, skipna=False) != "string":
            given = pd.Series(given, dtype=object).map(_text_value).to_numpy(dtype=object)
        cells = np.full(len(values), missing, dtype=object)
        cells[~gaps] = given
        out[col] = cells
    return out


@dataclass(frozen=True, eq=False)
class _Rows:
    """A batch of entity rows: ``values[i, j]`` is row ``i``'s value of column ``keys[j]``."""

    keys: tuple[str, ...]
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.values)


def _records(columns: dict[str, np.ndarray], version_id: int, start: int, stop: int) -> _Rows:
    """Rows ``start:stop`` of prepared columns, with the version id and the row numbers."""
    keys = ("version_id", "row_no", *columns)
    values = np.empty((stop - start, len(keys)), dtype=object)
    values[:, 0] = version_id
    values[:, 1] = np.arange(start + 1, stop + 1)  # stored as Python ints
    for position, cells in enumerate(columns.values(), start=2):
        values[:, position] = cells[start:stop]
    return _Rows(keys, values)


def _entity_keys(prefixes: np.ndarray, ids: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``"<source>:<id>"`` (prefixes ``"<source>:"``) with the stripped id, else the row number."""
    parts = np.array([i.strip() if isinstance(i, str) else "" for i in ids.tolist()], dtype=object)
    blank = (parts == "").nonzero()[0]
    parts[blank] = [str(row) for row in rows[blank].tolist()]
    return prefixes + parts


def _rows_columns(rows: Sequence[tuple[Any, ...]]) -> dict[str, np.ndarray]:
    """Columns of entity rows (the registry columns, then the row number)."""
    # dtype=object keeps None as None (pandas 3 would infer str columns with NaN otherwise).
    table = pd.DataFrame(rows, columns=[*REGISTRY_COLUMNS, "_row"], dtype=object)
    # Copies: the frame's own arrays are read-only views, and the entity frame keeps these.
    return {c: table[c].to_numpy(copy=True) for c in table.columns}


def _entities_frame(
    parts: Sequence[dict[str, np.ndarray]], versions: Sequence[tuple[str, int]]
) -> pd.DataFrame:
    """Build the entity frame with stable dtypes: text as object (str/None), floats, ints.

    ``parts`` are the columns (registry columns and ``_row``, the row number) of the
    ``versions`` (source name, version number), whose rows follow one another in the frame.
    """
    counts = [len(part["_row"]) for part in parts]
    columns: dict[str, np.ndarray] = {}
    for col in (*REGISTRY_COLUMNS, "_row"):
        arrays = [part[col] for part in parts]
        if len(arrays) == 1:
            columns[col] = arrays[0]
        else:
            columns[col] = np.concatenate(arrays) if arrays else np.empty(0, dtype=object)
    sources = np.array([name for name, _ in versions], dtype=object)
    names = np.repeat(sources, counts)
    data: dict[str, pd.Series] = {}
    for col in REGISTRY_COLUMNS:
        if col in FLOAT_COLUMNS:
            data[col] = pd.Series(pd.to_numeric(columns[col], errors="coerce"), dtype="float64")
        else:
            data[col] = pd.Series(columns[col], dtype=object, copy=False)
    data["zrodlo_rejestru"] = pd.Series(names, dtype=object, copy=False)
    data["wersja"] = pd.Series(np.repeat([n for _, n in versions], counts), dtype="int64")
    prefixes = np.repeat(sources + ":", counts)
    keys = _entity_keys(prefixes, columns["id"], columns["_row"].astype(np.int64))
    data["entity_key"] = pd.Series(keys, dtype=object, copy=False)
    # The columns as they are: a DataFrame of arrays would copy them into one block.
    return pd.DataFrame(data, copy=False)


def _inserted_id(result: sa.CursorResult[Any]) -> int:
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
            if "locked" not in str(exc).lower() or attempt == 199:
                raise
            time.sleep(0.05)


class Store:
    """The registry store behind one SQLAlchemy URL.

    Parameters
    ----------
    url : str
        SQLAlchemy database URL (``sqlite:///path/file.sqlite`` or ``postgresql+psycopg://...``).
        Tables are created when missing; for a SQLite file its parent folder is created.
    """

    def __init__(self, url: str):
        self._engine = self._make_engine(url)
        # SQLite INSERT statements by number of rows and columns sent
        self._insert_sql: dict[tuple[int, tuple[str, ...]], str] = {}
        try:
            # In a write transaction: two processes opening a new SQLite file at once would
            # otherwise both check for the tables and then clash when creating them.
            with self._engine.connect() as conn:
                conn.execution_options(pes_write=True)
                with conn.begin():
                    metadata.create_all(conn)
        except SQLAlchemyError as exc:
            self._engine.dispose()
            raise StoreError(
                f"Nie można otworzyć bazy danych rejestru ({self._safe_url}): {exc.orig or exc}"
                if isinstance(exc, sa.exc.DBAPIError)
                else f"Nie można otworzyć bazy danych rejestru ({self._safe_url}): {exc}"
            ) from exc

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_settings(cls, settings: Any) -> Store:
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
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            engine = sa.create_engine(parsed)
        except (NoSuchModuleError, ModuleNotFoundError, ImportError) as exc:
            raise StoreError(
                f"Brak sterownika bazy danych dla adresu {self._safe_url}: {exc}. "
                "Zainstaluj odpowiedni pakiet (np. psycopg dla PostgreSQL)."
            ) from exc
        if self._is_sqlite:
            self._configure_sqlite(engine)
        return engine

    @staticmethod
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

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def __enter__(self) -> Store:
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
        try:
            with self._engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"Nie udało się odczytać rejestru z bazy danych: {exc}") from exc

    def _write(self, work: Any) -> Any:
        """Run ``work(conn)`` in one write transaction, retrying on a concurrent-writer clash."""
        last: Exception | None = None
        for attempt in range(_MAX_ATTEMPTS):
            try:
                with self._engine.connect() as conn:
                    conn.execution_options(pes_write=True)
                    with conn.begin():
                        return work(conn)
            except IntegrityError as exc:
                # Another writer took the same version number or created the same source.
                last = exc
                time.sleep(0.05 * (attempt + 1))
            except SQLAlchemyError as exc:
                detail = getattr(exc, "orig", None) or exc
                if "locked" in str(detail).lower() or "busy" in str(detail).lower():
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
        raise StoreError(
            "Nie udało się nadać numeru nowej wersji z powodu równoczesnych zapisów; "
            "rejestr nie został zmieniony. Spróbuj ponownie."
        ) from last

    @staticmethod
    def _source_id(conn: Connection, name: str, *, create: bool) -> int:
        # FOR UPDATE serialises imports into one source on PostgreSQL (SQLite ignores it and is
        # serialised by BEGIN IMMEDIATE instead).
        query = sa.select(sources_table.c.id).where(sources_table.c.name == name).with_for_update()
        found = conn.execute(query).scalar()
        if found is not None:
            return int(found)
        if not create:
            raise StoreError(f"Źródło rejestru „{name}” nie istnieje.")
        return _inserted_id(
            conn.execute(sa.insert(sources_table).values(name=name, created_at=_now()))
        )

    @staticmethod
    def _new_version(
        conn: Connection,
        source_id: int,
        *,
        row_count: int,
        user: str | None,
        file_name: str | None,
        file_sha256: str | None,
        note: str | None,
    ) -> tuple[int, int, dt.datetime]:
        v = versions_table
        number = (
            conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(v.c.number), 0)).where(
                    v.c.source_id == source_id
                )
            ).scalar_one()
            + 1
        )
        created = _now()
        conn.execute(
            sa.update(v).where(v.c.source_id == source_id, v.c.is_current).values(is_current=False)
        )
        version_id = _inserted_id(
            conn.execute(
                sa.insert(v).values(
                    source_id=source_id,
                    number=number,
                    created_at=created,
                    created_by=user,
                    file_name=file_name,
                    file_sha256=file_sha256,
                    row_count=row_count,
                    note=note,
                    is_current=True,
                )
            )
        )
        return version_id, int(number), created

    @staticmethod
    def _save_upload(conn: Connection, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        exists = conn.execute(
            sa.select(uploads_table.c.sha256).where(uploads_table.c.sha256 == digest)
        ).scalar()
        if exists is None:
            conn.execute(
                sa.insert(uploads_table).values(sha256=digest, size=len(content), content=content)
            )
        return digest

    @staticmethod
    def _log(conn: Connection, action: str, details: str, user: str | None) -> None:
        conn.execute(
            sa.insert(audit_table).values(at=_now(), user_name=user, action=action, details=details)
        )

    @staticmethod
    def _check_current(conn: Connection, source_id: int, name: str, expected: int) -> None:
        v = versions_table
        current = conn.execute(
            sa.select(v.c.id, v.c.number, v.c.created_by).where(
                v.c.source_id == source_id, v.c.is_current
            )
        ).first()
        current_id = int(current.id) if current is not None else 0
        if current_id == expected:
            return
        if current is None:  # pragma: no cover - versions are never deleted
            raise StoreError(f"Źródło „{name}” nie ma bieżącej wersji; sprawdź plik ponownie.")
        who = f" (zaimportował(a): {current.created_by})" if current.created_by else ""
        raise StoreError(
            f"W międzyczasie powstała nowa wersja źródła „{name}”: wersja {current.number}"
            f"{who}. Twój plik nie został zapisany: sprawdź różnice ponownie i zatwierdź "
            "import jeszcze raz."
        )

    @staticmethod
    def _save_source_settings(
        conn: Connection,
        name: str,
        mapping: dict[str, str | None],
        default_type: str | None,
        user: str | None,
    ) -> None:
        t = source_settings_table
        values = {
            "column_map": json.dumps(mapping, ensure_ascii=False),
            "default_type": default_type,
            "updated_at": _now(),
            "updated_by": user,
        }
        # Serialised with the version write by the source row lock: update, else insert.
        done = conn.execute(sa.update(t).where(t.c.source == name).values(**values)).rowcount
        if not done:
            conn.execute(sa.insert(t).values(source=name, **values))

    def _insert_chunk(self, conn: Connection, records: _Rows) -> None:
        """Insert rows made by :func:`_records` in bulk (on SQLite, many rows per statement)."""
        if not len(records):
            return
        values = records.values
        if self._is_sqlite:
            # SQLAlchemy's per-row parameter handling, and then the driver's (binding, stepping
            # and resetting the statement for each row), cost more than SQLite's own insert.
            # The columns are plain INTEGER/TEXT/REAL (no type conversion): the driver gets
            # the values of many rows for each statement, in one tuple.
            per = min(_SQLITE_ROWS_PER_INSERT, len(values))
            full = len(values) // per * per
            params = list(map(tuple, values[:full].reshape(-1, per * values.shape[1]).tolist()))
            conn.exec_driver_sql(self._sqlite_insert(per, records.keys), params)
            if full < len(values):
                rest = values[full:]
                conn.exec_driver_sql(
                    self._sqlite_insert(len(rest), records.keys), [tuple(rest.ravel().tolist())]
                )
            return
        rows = [dict(zip(records.keys, r, strict=True)) for r in values.tolist()]
        conn.execute(sa.insert(entities_table), rows)

    def _sqlite_insert(self, rows: int, keys: tuple[str, ...]) -> str:
        """SQL inserting ``rows`` entities: their values of ``keys`` in order, row by row."""
        if (rows, keys) not in self._insert_sql:
            # Only our own table and column names go into the text; the values are bound.
            row = "(" + ", ".join("?" * len(keys)) + ")"
            self._insert_sql[rows, keys] = (
                f"INSERT INTO {entities_table.name} ({', '.join(keys)}) VALUES "
                + ", ".join([row] * rows)
            )
        return self._insert_sql[rows, keys]

    # -- public API ---------------------------------------------------------------------------

    @paused_gc()
    def import_version(
        self,
        source: str,
        frame: pd.DataFrame,
        *,
        file_name: str | None = None,
        content: bytes | None = None,
        user: str | None = None,
        note: str | None = None,
        column_map: dict[str, str | None] | None = None,
        default_type: str | None = None,
        expected_current: int | None = None,
    ) -> VersionInfo:
        """Store ``frame`` as the new current version of ``source``, all or nothing.

        Parameters
        ----------
        source : str
            Source name (non-empty, at most 100 characters); created on first import.
        frame : pandas.DataFrame
            Rows in the native format: the columns of ``geo.core.schema.REGISTRY_COLUMNS`` (extra
            columns are ignored, missing ones are stored as NULL). Text is stored verbatim;
            numbers and dates given as such in text columns are stored as their text
            (``612011.0`` -> ``"612011"``, dates as ISO ``YYYY-MM-DD``).
        file_name, content : optional
            The original uploaded file, kept for download.
        user, note : optional
            Who imported and a free comment, kept in the version and the audit log.
        column_map, default_type : optional
            The column mapping (file header -> native column or ``None``) and default entity
            type used for this file, remembered for the source's next import.
        expected_current : int, optional
            Id of the version the user reviewed the file against (``0``: the source had no
            version yet). When another import made a different version current meanwhile,
            nothing is written and :class:`StoreError` asks to review again.

        Returns
        -------
        VersionInfo
            The new version.

        Raises
        ------
        StoreError
            On an invalid source name or frame, or when the database refuses the write; the
            previous version then stays current and nothing is written.
        """
        name = _validate_source(source)
        # SQLite stores a bound NaN as NULL, and Python's sqlite3 binds a float directly while
        # every None goes through its adapter lookup (which made NULLs most of the insert time).
        prepared = _prepare_columns(frame, missing=math.nan if self._is_sqlite else None)
        if content is not None and not isinstance(content, bytes | bytearray | memoryview):
            raise StoreError("Zawartość pliku musi być ciągiem bajtów.")
        user = _clean_user(user)
        note = (note.strip() or None) if isinstance(note, str) else None
        file_name = str(file_name) if file_name is not None else None
        n = len(frame)
        mapping = _validate_column_map(column_map) if column_map is not None else None
        default_code = (str(default_type).strip()[:10] or None) if default_type else None

        def work(conn: Connection) -> VersionInfo:
            source_id = self._source_id(conn, name, create=True)
            if expected_current is not None:
                self._check_current(conn, source_id, name, int(expected_current))
            if mapping is not None or default_code is not None:
                self._save_source_settings(conn, name, mapping or {}, default_code, user)
            digest = self._save_upload(conn, bytes(content)) if content is not None else None
            version_id, number, created = self._new_version(
                conn,
                source_id,
                row_count=n,
                user=user,
                file_name=file_name,
                file_sha256=digest,
                note=note,
            )
            for start in range(0, n, _CHUNK_ROWS):
                stop = min(start + _CHUNK_ROWS, n)
                self._insert_chunk(conn, _records(prepared, version_id, start, stop))
            described = f"Źródło „{name}”: wersja {number}, wierszy: {n}"
            if file_name:
                described += f", plik {file_name}"
            self._log(conn, "import", described + ".", user)
            return VersionInfo(
                id=version_id,
                source=name,
                number=number,
                created_at=created,
                created_by=user,
                file_name=file_name,
                file_sha256=digest,
                row_count=n,
                is_current=True,
                note=note,
            )

        return self._write(work)

    def restore_version(self, version_id: int, user: str | None = None) -> VersionInfo:
        """Copy an earlier version as the new current version of its source.

        Raises
        ------
        StoreError
            When the version does not exist or is already the current one.
        """
        user = _clean_user(user)
        old = self._version(version_id)
        if old.is_current:
            raise StoreError(
                f"Wersja {old.number} źródła „{old.source}” jest już bieżąca; nie ma czego "
                "przywracać."
            )

        def work(conn: Connection) -> VersionInfo:
            source_id = self._source_id(conn, old.source, create=False)
            note = f"Przywrócona wersja {old.number}"
            new_id, number, created = self._new_version(
                conn,
                source_id,
                row_count=old.row_count,
                user=user,
                file_name=old.file_name,
                file_sha256=old.file_sha256,
                note=note,
            )
            e = entities_table
            columns = ["version_id", "row_no", *REGISTRY_COLUMNS]
            copied = sa.select(
                sa.literal(new_id, sa.Integer).label("version_id"),
                e.c.row_no,
                *(e.c[c] for c in REGISTRY_COLUMNS),
            ).where(e.c.version_id == old.id)
            conn.execute(sa.insert(e).from_select(columns, copied))
            self._log(
                conn,
                "restore",
                f"Źródło „{old.source}”: przywrócono wersję {old.number} jako wersję {number}.",
                user,
            )
            return VersionInfo(
                id=new_id,
                source=old.source,
                number=number,
                created_at=created,
                created_by=user,
                file_name=old.file_name,
                file_sha256=old.file_sha256,
                row_count=old.row_count,
                is_current=True,
                note=note,
            )

        return self._write(work)

    def record_audit(self, action: str, details: str, user: str | None = None) -> None:
        """Append an entry to the audit log (for changes made by other modules)."""
        action = str(action).strip()[:50]
        if not action:
            raise StoreError("Wpis dziennika zmian musi mieć nazwę czynności.")
        self._write(lambda conn: self._log(conn, action, str(details), _clean_user(user)))

    def sources(self) -> list[str]:
        """Names of the sources that have at least one version, in Polish alphabetical order."""
        with self._read() as conn:
            names = conn.execute(
                sa.select(sources_table.c.name).where(
                    sa.exists().where(versions_table.c.source_id == sources_table.c.id)
                )
            ).scalars()
            return sorted(names, key=lambda s: (fold(s), s))

    def _versions_query(self) -> sa.Select:
        v, s = versions_table, sources_table
        return sa.select(
            v.c.id,
            s.c.name,
            v.c.number,
            v.c.created_at,
            v.c.created_by,
            v.c.file_name,
            v.c.file_sha256,
            v.c.row_count,
            v.c.is_current,
            v.c.note,
        ).join(s, s.c.id == v.c.source_id)

    @staticmethod
    def _info(row: Any) -> VersionInfo:
        return VersionInfo(
            id=int(row.id),
            source=row.name,
            number=int(row.number),
            created_at=_as_utc(row.created_at),
            created_by=row.created_by,
            file_name=row.file_name,
            file_sha256=row.file_sha256,
            row_count=int(row.row_count),
            is_current=bool(row.is_current),
            note=row.note,
        )

    def versions(self, source: str | None = None) -> list[VersionInfo]:
        """Versions of one source (or of all), newest first; empty for an unknown source."""
        query = self._versions_query().order_by(versions_table.c.id.desc())
        if source is not None:
            query = query.where(sources_table.c.name == _validate_source(source))
        with self._read() as conn:
            return [self._info(r) for r in conn.execute(query)]

    def _version(self, version_id: int) -> VersionInfo:
        try:
            key = int(version_id)
        except (TypeError, ValueError):
            raise StoreError(f"Nieprawidłowy numer wersji: {version_id!r}.") from None
        with self._read() as conn:
            row = conn.execute(self._versions_query().where(versions_table.c.id == key)).first()
        if row is None:
            raise StoreError(f"Nie ma w bazie wersji rejestru o identyfikatorze {key}.")
        return self._info(row)

    def version(self, version_id: int) -> VersionInfo:
        """Metadata of one version (``StoreError`` when it does not exist)."""
        return self._version(version_id)

    @paused_gc()
    def _entities(self, condition: sa.ColumnElement[bool]) -> pd.DataFrame:
        v, s = versions_table, sources_table
        # The versions in the order of their source names (the database's collation), then
        # each version's rows in row order: no join and no sort of the entities; the source
        # name and version number are spread over the rows afterwards.
        versions_query = (
            sa.select(v.c.id, s.c.name, v.c.number)
            .join(s, s.c.id == v.c.source_id)
            .where(condition)
            .order_by(s.c.name, v.c.id)
        )
        with self._read() as conn:
            versions = conn.execute(versions_query).all()
            parts = [self._version_columns(conn, int(row.id)) for row in versions]
        return _entities_frame(parts, [(row.name, int(row.number)) for row in versions])

    def _version_columns(self, conn: Connection, version_id: int) -> dict[str, np.ndarray]:
        """The columns of one version's entities (registry columns, ``_row``), in row order."""
        e = entities_table
        if self._is_sqlite:
            try:
                return self._sqlite_version_columns(conn, version_id)
            except sa.exc.OperationalError:
                pass  # a SQLite without JSON functions (or a value JSON cannot hold)
        query = (
            sa.select(*(e.c[c] for c in REGISTRY_COLUMNS), e.c.row_no)
            .where(e.c.version_id == version_id)
            .order_by(e.c.row_no, e.c.pk)
        )
        result = conn.execute(query)
        if self._is_sqlite:
            # SQLite's driver gives plain tuples of str/float/int/None (no type processing
            # for these columns): taking them from its cursor skips a Row per entity.
            rows = result.cursor.fetchall()
            result.close()
        else:
            rows = [tuple(r) for r in result]
        return _rows_columns(rows)

    @staticmethod
    def _sqlite_version_columns(conn: Connection, version_id: int) -> dict[str, np.ndarray]:
        """:meth:`_version_columns` on SQLite, reading each text column as one JSON array.

        Python's driver spends more per cell than SQLite takes to build and ``json`` to parse
        the arrays. The order within an aggregate is unspecified, so the row numbers and
        primary keys come along to put the rows in order. REALs are read as rows: SQLite's
        JSON prints them with 15 digits, not exactly.
        """
        e = entities_table
        in_version = e.c.version_id == version_id
        aggregated = (*TEXT_COLUMNS, "row_no", "pk")
        arrays = conn.execute(
            sa.select(*(sa.func.json_group_array(e.c[c]) for c in aggregated)).where(in_version)
        ).one()
        lists = dict(zip(aggregated, map(json.loads, arrays), strict=True))
        rows = np.array(lists["row_no"], dtype=np.int64)
        pks = np.array(lists["pk"], dtype=np.int64)
        order: np.ndarray | None = None
        later = (rows[1:] > rows[:-1]) | ((rows[1:] == rows[:-1]) & (pks[1:] > pks[:-1]))
        if not later.all():
            order = np.lexsort((pks, rows))
            rows = rows[order]
        result = conn.execute(
            sa.select(e.c.szerokosc, e.c.dlugosc).where(in_version).order_by(e.c.row_no, e.c.pk)
        )
        floats = pd.DataFrame(result.cursor.fetchall(), columns=list(FLOAT_COLUMNS), dtype=object)
        result.close()
        if len(floats) != len(rows):  # pragma: no cover - a version's rows never change
            raise StoreError("Wiersze wersji rejestru zmieniły się w trakcie odczytu.")
        columns: dict[str, np.ndarray] = {}
        for col in REGISTRY_COLUMNS:
            if col in FLOAT_COLUMNS:
                columns[col] = floats[col].to_numpy()
                continue
            cells = np.fromiter(lists[col], dtype=object, count=len(rows))
            columns[col] = cells if order is None else cells[order]
        columns["_row"] = rows
        return columns

    def current_entities(self) -> pd.DataFrame:
        """Rows of the current version of every source.

        Returns
        -------
        pandas.DataFrame
            Columns ``ENTITY_COLUMNS``: the native registry columns (text as ``str``/``None``,
            ``szerokosc``/``dlugosc`` as float), ``zrodlo_rejestru`` (source name), ``wersja``
            (version number) and ``entity_key`` (``"<source>:<id or row number>"``).
        """
        return self._entities(versions_table.c.is_current.is_(True))

    def version_entities(self, version_id: int) -> pd.DataFrame:
        """Rows of one version, with the same columns as :meth:`current_entities`."""
        info = self._version(version_id)
        return self._entities(versions_table.c.id == info.id)

    def has_imports(self) -> bool:
        """Whether any source has been imported."""
        with self._read() as conn:
            return conn.execute(sa.select(sa.exists().select_from(versions_table))).scalar_one()

    def original_file(self, version_id: int) -> tuple[str | None, bytes | None]:
        """The original uploaded file of a version as ``(file name, bytes)``.

        Either part is ``None`` when the import did not provide it.
        """
        info = self._version(version_id)
        if info.file_sha256 is None:
            return info.file_name, None
        with self._read() as conn:
            content = conn.execute(
                sa.select(uploads_table.c.content).where(uploads_table.c.sha256 == info.file_sha256)
            ).scalar()
        return info.file_name, bytes(content) if content is not None else None

    def audit(self, limit: int = 200) -> pd.DataFrame:
        """The latest audit log entries, newest first: columns ``at, user, action, details``."""
        limit = max(0, int(limit))
        a = audit_table
        with self._read() as conn:
            rows = conn.execute(
                sa.select(a.c.at, a.c.user_name, a.c.action, a.c.details)
                .order_by(a.c.id.desc())
                .limit(limit)
            ).all()
        frame = pd.DataFrame(
            [(_as_utc(r.at), r.user_name, r.action, r.details) for r in rows],
            columns=["at", "user", "action", "details"],
        )
        frame["at"] = pd.to_datetime(frame["at"], utc=True)
        return frame.astype({"user": object, "action": object, "details": object})

    def last_change(self) -> dt.datetime | None:
        """When the registry last changed (newest version), or ``None`` before any import."""
        with self._read() as conn:
            value = conn.execute(sa.select(sa.func.max(versions_table.c.created_at))).scalar()
        return _as_utc(value) if value is not None else None

    def state_token(self) -> str:
        """A text that changes whenever the located registry would change.

        It changes with every import, restore, fix and revoked fix, also those made by other
        app instances; views use it as a cache key.
        """
        v, f = versions_table, fixes_table
        with self._read() as conn:
            current = conn.execute(
                sa.select(v.c.id).where(v.c.is_current).order_by(v.c.id)
            ).scalars()
            ids = ",".join(str(i) for i in current)
            last_fix, active = conn.execute(
                sa.select(
                    sa.func.coalesce(sa.func.max(f.c.id), 0),
                    sa.func.count().filter(f.c.active),
                )
            ).one()
        return f"v{ids or '-'};f{int(last_fix)}/{int(active)}"

    def current_version(self, source: str) -> VersionInfo | None:
        """The current version of ``source``, or ``None`` when it has none."""
        query = self._versions_query().where(
            sources_table.c.name == _validate_source(source), versions_table.c.is_current
        )
        with self._read() as conn:
            row = conn.execute(query).first()
        return self._info(row) if row is not None else None

    def source_settings(self, source: str) -> SourceSettings | None:
        """Column mapping and default type used at the last import of ``source``."""
        name = _validate_source(source)
        t = source_settings_table
        with self._read() as conn:
            row = conn.execute(sa.select(t).where(t.c.source == name)).first()
        if row is None:
            return None
        try:
            mapping = json.loads(row.column_map or "{}")
        except ValueError:  # pragma: no cover - only this module writes it
            mapping = {}
        return SourceSettings(
            source=name,
            column_map={str(k): (str(v) if v else None) for k, v in dict(mapping).items()},
            default_type=row.default_type,
            updated_at=_as_utc(row.updated_at),
            updated_by=row.updated_by,
        )

    # -- manual fixes -------------------------------------------------------------------------

    @staticmethod
    def _fix_info(row: Any) -> FixInfo:
        return FixInfo(
            id=int(row.id),
            source=row.source,
            entity=row.entity,
            entity_name=row.entity_name,
            kind=row.kind,
            value=json.loads(row.value),
            note=row.note,
            created_at=_as_utc(row.created_at),
            created_by=row.created_by,
            active=bool(row.active),
            revoked_at=_as_utc(row.revoked_at) if row.revoked_at is not None else None,
            revoked_by=row.revoked_by,
        )

    def add_fix(
        self,
        source: str,
        entity: str,
        kind: str,
        value: dict[str, Any],
        *,
        entity_name: str | None = None,
        note: str | None = None,
        user: str | None = None,
    ) -> FixInfo:
        """Record a manual fix of one entity; it replaces an earlier fix of the same kind.

        Parameters
        ----------
        source : str
            Name of an imported source.
        entity : str
            The entity's stable key within the source (:func:`geo.registry.keys.stable_keys`).
        kind, value :
            See :class:`FixInfo`; checked here (codes of 7 digits, coordinates in range).
        entity_name, note, user : optional
            Shown in the list of fixes and written to the audit log.

        Raises
        ------
        StoreError
            On an unknown source, kind or an invalid value; nothing is written then.
        """
        name = _validate_source(source)
        canonical = _validate_fix(kind, value)
        key = str(entity).strip() if isinstance(entity, str) else ""
        if not key or len(key) > 2000:
            raise StoreError("Nie wskazano podmiotu, którego dotyczy poprawka.")
        if kind == "duplikat" and canonical["duplikat_z"] in (key, f"{name}:{key}"):
            raise StoreError("Podmiot nie może być duplikatem samego siebie.")
        user = _clean_user(user)
        shown = str(entity_name)[:500] if entity_name else None
        note = (note.strip() or None) if isinstance(note, str) else None
        f = fixes_table

        def work(conn: Connection) -> FixInfo:
            self._source_id(conn, name, create=False)
            if kind == "duplikat":
                self._check_original(conn, canonical["duplikat_z"], name, key)
            now = _now()
            conn.execute(
                sa.update(f)
                .where(f.c.source == name, f.c.entity == key, f.c.kind == kind, f.c.active)
                .values(active=False, revoked_at=now, revoked_by=user)
            )
            fix_id = _inserted_id(
                conn.execute(
                    sa.insert(f).values(
                        source=name,
                        entity=key,
                        entity_name=shown,
                        kind=kind,
                        value=json.dumps(canonical, ensure_ascii=False),
                        note=note,
                        created_at=now,
                        created_by=user,
                        active=True,
                    )
                )
            )
            info = FixInfo(
                fix_id, name, key, shown, kind, canonical, note, now, user, True, None, None
            )
            details = f"Źródło „{name}”, podmiot „{shown or key}”: {info.describe()}."
            self._log(conn, "poprawka", details + (f" Uwaga: {note}" if note else ""), user)
            return info

        return self._write(work)

    @staticmethod
    def _check_original(conn: Connection, original: str, source: str, key: str) -> None:
        """A duplicate must point at an entity that is not itself marked as a duplicate."""
        f = fixes_table
        marked = conn.execute(
            sa.select(f.c.source, f.c.entity, f.c.value).where(f.c.kind == "duplikat", f.c.active)
        ).all()
        for row in marked:
            if f"{row.source}:{row.entity}" == original:
                raise StoreError(
                    "Wskazany wpis sam jest oznaczony jako duplikat; wskaż wpis, który ma "
                    "pozostać liczony."
                )
            if json.loads(row.value).get("duplikat_z") == f"{source}:{key}":
                raise StoreError(
                    "Inne wpisy wskazują ten podmiot jako oryginał; nie można go oznaczyć "
                    "jako duplikatu."
                )

    def revoke_fix(self, fix_id: int, user: str | None = None) -> FixInfo:
        """Withdraw an active fix (it stays listed as revoked)."""
        try:
            key = int(fix_id)
        except (TypeError, ValueError):
            raise StoreError(f"Nieprawidłowy numer poprawki: {fix_id!r}.") from None
        user = _clean_user(user)
        f = fixes_table

        def work(conn: Connection) -> FixInfo:
            row = conn.execute(sa.select(f).where(f.c.id == key).with_for_update()).first()
            if row is None:
                raise StoreError(f"Nie ma poprawki o numerze {key}.")
            if not row.active:
                raise StoreError(f"Poprawka nr {key} została już wycofana lub zastąpiona.")
            now = _now()
            conn.execute(
                sa.update(f)
                .where(f.c.id == key)
                .values(active=False, revoked_at=now, revoked_by=user)
            )
            info = self._fix_info(row)
            self._log(
                conn,
                "wycofanie poprawki",
                f"Źródło „{info.source}”, podmiot „{info.entity_name or info.entity}”: wycofano "
                f"poprawkę nr {key} ({info.describe()}).",
                user,
            )
            return replace(info, active=False, revoked_at=now, revoked_by=user)

        return self._write(work)

    def fixes(self, *, active_only: bool = True, source: str | None = None) -> list[FixInfo]:
        """Manual fixes, oldest first (only the active ones unless ``active_only=False``)."""
        f = fixes_table
        query = sa.select(f).order_by(f.c.id)
        if active_only:
            query = query.where(f.c.active)
        if source is not None:
            query = query.where(f.c.source == _validate_source(source))
        with self._read() as conn:
            return [self._fix_info(r) for r in conn.execute(query)]

    # -- editor accounts ----------------------------------------------------------------------

    @staticmethod
    def _user_record(row: Any) -> UserRecord:
        return UserRecord(
            login=row.login,
            password_hash=row.password_hash,
            created_at=_as_utc(row.created_at),
            created_by=row.created_by,
            updated_at=_as_utc(row.updated_at),
        )

    @staticmethod
    def _check_hash(password_hash: object) -> str:
        # Only hashes go in here; a plain password must never reach the database.
        if not isinstance(password_hash, str) or not password_hash.startswith("$argon2"):
            raise StoreError("Do bazy zapisuje się tylko skrót hasła (argon2), nigdy hasło.")
        return password_hash

    def add_user(self, login: str, password_hash: str, *, user: str | None = None) -> UserRecord:
        """Create an editor account (``StoreError`` when the login is taken or invalid)."""
        name = normalize_login(login)
        digest = self._check_hash(password_hash)
        by = _clean_user(user)
        u = users_table

        def work(conn: Connection) -> UserRecord:
            if conn.execute(sa.select(u.c.login).where(u.c.login == name)).first() is not None:
                raise StoreError(f"Konto „{name}” już istnieje.")
            now = _now()
            conn.execute(
                sa.insert(u).values(
                    login=name, password_hash=digest, created_at=now, created_by=by, updated_at=now
                )
            )
            self._log(conn, "konto", f"Utworzono konto redaktora „{name}”.", by)
            return UserRecord(name, digest, now, by, now)

        try:
            return self._write(work)
        except StoreError as exc:
            if "równoczesnych" in str(exc):  # lost an insert race against the same login
                raise StoreError(f"Konto „{name}” już istnieje.") from exc
            raise

    def set_password_hash(
        self, login: str, password_hash: str, *, user: str | None = None, log: bool = True
    ) -> None:
        """Replace an account's password hash (``log=False`` for a silent re-hash)."""
        name = normalize_login(login)
        digest = self._check_hash(password_hash)
        by = _clean_user(user)
        u = users_table

        def work(conn: Connection) -> None:
            done = conn.execute(
                sa.update(u)
                .where(u.c.login == name)
                .values(password_hash=digest, updated_at=_now())
            ).rowcount
            if not done:
                raise StoreError(f"Nie ma konta „{name}”.")
            if log:
                self._log(conn, "konto", f"Zmieniono hasło konta „{name}”.", by)

        self._write(work)

    def remove_user(self, login: str, *, user: str | None = None) -> None:
        """Delete an editor account."""
        name = normalize_login(login)
        by = _clean_user(user)
        u = users_table

        def work(conn: Connection) -> None:
            if not conn.execute(sa.delete(u).where(u.c.login == name)).rowcount:
                raise StoreError(f"Nie ma konta „{name}”.")
            self._log(conn, "konto", f"Usunięto konto redaktora „{name}”.", by)

        self._write(work)

    def get_user(self, login: str) -> UserRecord | None:
        """The account of ``login`` (``None`` when there is none or the login is invalid)."""
        try:
            name = normalize_login(login)
        except StoreError:
            return None
        with self._read() as conn:
            row = conn.execute(sa.select(users_table).where(users_table.c.login == name)).first()
        return self._user_record(row) if row is not None else None

    def users(self) -> list[UserRecord]:
        """All editor accounts, by login."""
        with self._read() as conn:
            rows = conn.execute(sa.select(users_table).order_by(users_table.c.login)).all()
        return [self._user_record(r) for r in rows]

    def login_state(self, login: str) -> LoginState:
        """Failed attempts recorded for the text typed as login."""
        t = login_attempts_table
        with self._read() as conn:
            row = conn.execute(sa.select(t).where(t.c.login == _throttle_key(login))).first()
        if row is None:
            return LoginState(0, None)
        return LoginState(int(row.failures), _as_utc(row.last_failure_at))

    def record_login_failure(self, login: str, at: dt.datetime | None = None) -> LoginState:
        """Count one more failed login for ``login`` (atomic across app instances)."""
        key = _throttle_key(login)
        when = at or _now()
        t = login_attempts_table

        def work(conn: Connection) -> LoginState:
            done = conn.execute(
                sa.update(t)
                .where(t.c.login == key)
                .values(failures=t.c.failures + 1, last_failure_at=when)
            ).rowcount
            if not done:
                conn.execute(sa.insert(t).values(login=key, failures=1, last_failure_at=when))
            failures = conn.execute(sa.select(t.c.failures).where(t.c.login == key)).scalar_one()
            return LoginState(int(failures), when)

        return self._write(work)

    def reset_login_failures(self, login: str) -> None:
        """Forget the failed attempts of ``login`` (after a successful login)."""
        t = login_attempts_table
        self._write(
            lambda conn: conn.execute(sa.delete(t).where(t.c.login == _throttle_key(login)))
        )
