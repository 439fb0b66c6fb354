"""Versions of a source: writing a file's rows as a new current version, listing versions.

Importing a file writes all its rows as a **new version** of its source in one transaction
and makes it current; earlier versions stay retrievable and can be restored (copied as a new
version); a rejected file changes nothing. Original uploads are kept content-addressed (by
SHA-256), so restoring a version or importing the same file twice does not duplicate the
bytes. The rows go in by whole batches (:func:`geo.store.columns.records`); on SQLite many
rows per statement, which is what keeps a 100k-row import fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo._gc import paused_gc
from geo.core.schema import REGISTRY_COLUMNS
from geo.store.audit import log_change
from geo.store.columns import Rows, prepare_columns, records
from geo.store.engine import Database, inserted_id
from geo.store.models import StoreError, VersionInfo, as_utc, clean_user, now
from geo.store.sources import (
    save_source_settings,
    source_id,
    validate_column_map,
    validate_source,
)
from geo.store.tables import entities_table, sources_table, uploads_table, versions_table

__all__ = ["Versions", "read_version", "version_key"]

# Rows per INSERT batch: large enough to be fast, small enough to bound memory on 100k rows.
_CHUNK_ROWS = 10_000
# Rows per INSERT statement on SQLite: 40 x 20 values stay under the 999 parameters that older
# SQLite versions allow; a divisor of _CHUNK_ROWS, so that a full batch is one executemany.
_SQLITE_ROWS_PER_INSERT = 40


def version_key(version_id: object) -> int:
    """``version_id`` as an integer key, or :class:`StoreError` (Polish)."""
    try:
        return int(version_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise StoreError(f"Nieprawidłowy numer wersji: {version_id!r}.") from None


def _versions_query() -> sa.Select[Any]:
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


def _info(row: Any) -> VersionInfo:
    return VersionInfo(
        id=int(row.id),
        source=row.name,
        number=int(row.number),
        created_at=as_utc(row.created_at),
        created_by=row.created_by,
        file_name=row.file_name,
        file_sha256=row.file_sha256,
        row_count=int(row.row_count),
        is_current=bool(row.is_current),
        note=row.note,
    )


def read_version(conn: Connection, key: int) -> VersionInfo:
    """Metadata of version ``key`` (``StoreError`` when it does not exist)."""
    row = conn.execute(_versions_query().where(versions_table.c.id == key)).first()
    if row is None:
        raise StoreError(f"Nie ma w bazie wersji rejestru o identyfikatorze {key}.")
    return _info(row)


def _new_version(
    conn: Connection,
    source_key: int,
    *,
    row_count: int,
    user: str | None,
    file_name: str | None,
    file_sha256: str | None,
    note: str | None,
) -> tuple[int, int, dt.datetime]:
    """Add the next version of a source as its current one: ``(id, number, created_at)``."""
    v = versions_table
    number = (
        conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(v.c.number), 0)).where(
                v.c.source_id == source_key
            )
        ).scalar_one()
        + 1
    )
    created = now()
    conn.execute(
        sa.update(v).where(v.c.source_id == source_key, v.c.is_current).values(is_current=False)
    )
    version_id = inserted_id(
        conn.execute(
            sa.insert(v).values(
                source_id=source_key,
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


def _save_upload(conn: Connection, content: bytes) -> str:
    """Keep an uploaded file once per content; returns its SHA-256."""
    digest = hashlib.sha256(content).hexdigest()
    exists = conn.execute(
        sa.select(uploads_table.c.sha256).where(uploads_table.c.sha256 == digest)
    ).scalar()
    if exists is None:
        conn.execute(
            sa.insert(uploads_table).values(sha256=digest, size=len(content), content=content)
        )
    return digest


def _check_current(conn: Connection, source_key: int, name: str, expected: int) -> None:
    """Refuse an import reviewed against another version than the current one."""
    v = versions_table
    current = conn.execute(
        sa.select(v.c.id, v.c.number, v.c.created_by).where(
            v.c.source_id == source_key, v.c.is_current
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


def _import_details(name: str, number: int, rows: int, file_name: str | None) -> str:
    """The audit log's description of an import."""
    details = f"Źródło „{name}”: wersja {number}, wierszy: {rows}"
    if file_name:
        details += f", plik {file_name}"
    return details + "."


@functools.cache
def _sqlite_insert(rows: int, keys: tuple[str, ...]) -> str:
    """SQL inserting ``rows`` entities: their values of ``keys`` in order, row by row."""
    # Only our own table and column names go into the text; the values are bound.
    row = "(" + ", ".join("?" * len(keys)) + ")"
    return f"INSERT INTO {entities_table.name} ({', '.join(keys)}) VALUES " + ", ".join(
        [row] * rows
    )


class Versions(Database):
    """Store operations writing, restoring and listing the versions of sources."""

    def _insert_chunk(self, conn: Connection, batch: Rows) -> None:
        """Insert a batch of rows (on SQLite, many rows per statement)."""
        if not len(batch):
            return
        values = batch.values
        if self._is_sqlite:
            # SQLAlchemy's per-row parameter handling, and then the driver's (binding, stepping
            # and resetting the statement for each row), cost more than SQLite's own insert.
            # The columns are plain INTEGER/TEXT/REAL (no type conversion): the driver gets
            # the values of many rows for each statement, in one tuple.
            per = min(_SQLITE_ROWS_PER_INSERT, len(values))
            full = len(values) // per * per
            params = list(map(tuple, values[:full].reshape(-1, per * values.shape[1]).tolist()))
            conn.exec_driver_sql(_sqlite_insert(per, batch.keys), params)
            if full < len(values):
                rest = values[full:]
                conn.exec_driver_sql(
                    _sqlite_insert(len(rest), batch.keys), [tuple(rest.ravel().tolist())]
                )
            return
        rows = [dict(zip(batch.keys, r, strict=True)) for r in values.tolist()]
        conn.execute(sa.insert(entities_table), rows)

    def _insert_rows(
        self, conn: Connection, prepared: dict[str, np.ndarray], version_id: int, n: int
    ) -> None:
        """Insert all ``n`` prepared rows of a new version, batch by batch."""
        for start in range(0, n, _CHUNK_ROWS):
            stop = min(start + _CHUNK_ROWS, n)
            self._insert_chunk(conn, records(prepared, version_id, start, stop))

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
        name = validate_source(source)
        # SQLite stores a bound NaN as NULL, and Python's sqlite3 binds a float directly while
        # every None goes through its adapter lookup (which made NULLs most of the insert time).
        prepared = prepare_columns(frame, missing=math.nan if self._is_sqlite else None)
        if content is not None and not isinstance(content, bytes | bytearray | memoryview):
            raise StoreError("Zawartość pliku musi być ciągiem bajtów.")
        user = clean_user(user)
        note = (note.strip() or None) if isinstance(note, str) else None
        file_name = str(file_name) if file_name is not None else None
        n = len(frame)
        mapping = validate_column_map(column_map) if column_map is not None else None
        default_code = (str(default_type).strip()[:10] or None) if default_type else None

        def work(conn: Connection) -> VersionInfo:
            source_key = source_id(conn, name, create=True)
            if expected_current is not None:
                _check_current(conn, source_key, name, int(expected_current))
            if mapping is not None or default_code is not None:
                save_source_settings(conn, name, mapping or {}, default_code, user)
            digest = _save_upload(conn, bytes(content)) if content is not None else None
            version_id, number, created = _new_version(
                conn,
                source_key,
                row_count=n,
                user=user,
                file_name=file_name,
                file_sha256=digest,
                note=note,
            )
            self._insert_rows(conn, prepared, version_id, n)
            log_change(conn, "import", _import_details(name, number, n, file_name), user)
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
        user = clean_user(user)
        old = self._version(version_id)
        if old.is_current:
            raise StoreError(
                f"Wersja {old.number} źródła „{old.source}” jest już bieżąca; nie ma czego "
                "przywracać."
            )

        def work(conn: Connection) -> VersionInfo:
            source_key = source_id(conn, old.source, create=False)
            note = f"Przywrócona wersja {old.number}"
            new_id, number, created = _new_version(
                conn,
                source_key,
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
            log_change(
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

    def versions(self, source: str | None = None) -> list[VersionInfo]:
        """Versions of one source (or of all), newest first; empty for an unknown source."""
        query = _versions_query().order_by(versions_table.c.id.desc())
        if source is not None:
            query = query.where(sources_table.c.name == validate_source(source))
        with self._read() as conn:
            return [_info(r) for r in conn.execute(query)]

    def _version(self, version_id: int) -> VersionInfo:
        key = version_key(version_id)
        with self._read() as conn:
            return read_version(conn, key)

    def version(self, version_id: int) -> VersionInfo:
        """Metadata of one version (``StoreError`` when it does not exist)."""
        return self._version(version_id)

    def current_version(self, source: str) -> VersionInfo | None:
        """The current version of ``source``, or ``None`` when it has none."""
        query = _versions_query().where(
            sources_table.c.name == validate_source(source), versions_table.c.is_current
        )
        with self._read() as conn:
            row = conn.execute(query).first()
        return _info(row) if row is not None else None

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
