"""Reading versions back: the entity frame of the current versions or of one version.

The dashboard reads the whole current registry on every change, so this is the store's hot
read path. The rows of each version come in row order with no join and no sort; on SQLite
each text column is fetched as one JSON array (SQLite builds it and ``json`` parses it faster
than the driver hands over cells one by one), with a plain query as the fallback.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo._gc import paused_gc
from geo.core.schema import REGISTRY_COLUMNS
from geo.store.columns import entities_frame, rows_columns
from geo.store.engine import Database
from geo.store.models import StoreError
from geo.store.tables import (
    FLOAT_COLUMNS,
    TEXT_COLUMNS,
    entities_table,
    sources_table,
    versions_table,
)
from geo.store.versions import read_version, version_key

__all__ = ["Entities"]


class Entities(Database):
    """Store operations reading the entities of versions as one frame."""

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
        return entities_frame(parts, [(row.name, int(row.number)) for row in versions])

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
        return rows_columns(rows)

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
        key = version_key(version_id)
        with self._read() as conn:
            info = read_version(conn, key)
        return self._entities(versions_table.c.id == info.id)
