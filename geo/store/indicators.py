"""Versions of the programme indicator file: each upload is version n+1, with author and date.

The indicators (a small checked table, :mod:`geo.io.indicator_file`) are kept whole per
version as JSON, like the registry's versions they are never changed in place: the newest is
current and earlier ones stay readable. Every upload is written to the audit log in the same
transaction. The table is declared on :data:`geo.store.tables.metadata`, so the store creates
it with the others.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.store.audit import log_change
from geo.store.engine import Database
from geo.store.models import StoreError, as_utc, clean_user, now
from geo.store.tables import metadata

__all__ = ["IndicatorVersion", "Indicators", "indicator_versions_table"]

indicator_versions_table = sa.Table(
    "indicator_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # unique: two concurrent uploads cannot both become the same version
    sa.Column("number", sa.Integer, nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200)),
    sa.Column("file_name", sa.Text),
    sa.Column("row_count", sa.Integer, nullable=False),
    sa.Column("content", sa.Text, nullable=False),
)


@dataclass(frozen=True)
class IndicatorVersion:
    """One stored version of the indicator file."""

    number: int
    created_at: dt.datetime
    created_by: str | None
    file_name: str | None
    row_count: int


def _version(row: Any) -> IndicatorVersion:
    return IndicatorVersion(
        number=int(row.number),
        created_at=as_utc(row.created_at),
        created_by=row.created_by,
        file_name=row.file_name,
        row_count=int(row.row_count),
    )


def _frame(content: str) -> pd.DataFrame:
    payload = json.loads(content)
    return pd.DataFrame(payload["rows"], columns=payload["columns"])


class Indicators(Database):
    """Store operations on the versions of the indicator file."""

    def import_indicators(
        self, frame: pd.DataFrame, *, file_name: str | None = None, user: str | None = None
    ) -> IndicatorVersion:
        """Write ``frame`` (a checked indicator table) as the next, current version."""
        if frame.empty:
            raise StoreError("Plik wskaźników nie zawiera żadnego wskaźnika; nic nie zapisano.")
        content = json.dumps(
            {"columns": [str(c) for c in frame.columns], "rows": frame.to_dict("records")},
            ensure_ascii=False,
            default=str,
        )
        table = indicator_versions_table

        def write(conn: Connection) -> IndicatorVersion:
            last = conn.execute(sa.select(sa.func.max(table.c.number))).scalar()
            version = IndicatorVersion(
                number=int(last or 0) + 1,
                created_at=now(),
                created_by=clean_user(user),
                file_name=file_name,
                row_count=len(frame),
            )
            conn.execute(sa.insert(table).values(**asdict(version), content=content))
            log_change(
                conn,
                "wskazniki",
                f"plik wskaźników {file_name or ''}: wersja {version.number}, "
                f"{len(frame)} wskaźników",
                version.created_by,
            )
            return version

        return self._write(write)

    def indicator_versions(self) -> list[IndicatorVersion]:
        """Every version of the indicator file, newest first."""
        t = indicator_versions_table
        with self._read() as conn:
            rows = conn.execute(
                sa.select(
                    t.c.number, t.c.created_at, t.c.created_by, t.c.file_name, t.c.row_count
                ).order_by(t.c.number.desc())
            ).all()
        return [_version(r) for r in rows]

    def indicators(self, number: int | None = None) -> tuple[IndicatorVersion, pd.DataFrame] | None:
        """Version ``number`` (default: the newest) and its indicators; ``None`` when none."""
        t = indicator_versions_table
        query = sa.select(t).order_by(t.c.number.desc()).limit(1)
        if number is not None:
            query = sa.select(t).where(t.c.number == int(number))
        with self._read() as conn:
            row = conn.execute(query).first()
        if row is None:
            if number is not None:
                raise StoreError(f"Nie ma wersji {number} pliku wskaźników.")
            return None
        return _version(row), _frame(row.content)
