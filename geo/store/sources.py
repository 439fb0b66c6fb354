"""Named sources of the registry and what the import page remembers about each of them.

A source ("rejestr CIS wojewody", "lista ROPS"...) is created by its first import; versions
and fixes are addressed by its name. Besides the name checks and the row lock that serialises
writers of one source, this module keeps the column mapping and default type used at the
source's last import, offered again at the next one.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.core.schema import REGISTRY_COLUMNS
from geo.core.text import fold
from geo.store.engine import Database, inserted_id
from geo.store.models import SourceSettings, StoreError, as_utc, now
from geo.store.tables import (
    MAX_SOURCE_NAME,
    source_settings_table,
    sources_table,
    versions_table,
)

__all__ = [
    "Sources",
    "save_source_settings",
    "source_id",
    "validate_column_map",
    "validate_source",
]


def validate_source(source: object) -> str:
    """The source name with its spaces normalised, or :class:`StoreError` (Polish)."""
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


def validate_column_map(column_map: object) -> dict[str, str | None]:
    """The column mapping (file header -> native column or ``None``), or :class:`StoreError`."""
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


def source_id(conn: Connection, name: str, *, create: bool) -> int:
    """The id of source ``name``, locked for this transaction (created when ``create``)."""
    # FOR UPDATE serialises imports into one source on PostgreSQL (SQLite ignores it and is
    # serialised by BEGIN IMMEDIATE instead).
    query = sa.select(sources_table.c.id).where(sources_table.c.name == name).with_for_update()
    found = conn.execute(query).scalar()
    if found is not None:
        return int(found)
    if not create:
        raise StoreError(f"Źródło rejestru „{name}” nie istnieje.")
    return inserted_id(conn.execute(sa.insert(sources_table).values(name=name, created_at=now())))


def save_source_settings(
    conn: Connection,
    name: str,
    mapping: dict[str, str | None],
    default_type: str | None,
    user: str | None,
) -> None:
    """Remember the column mapping and default type of ``name``'s import being written."""
    table = source_settings_table
    values = {
        "column_map": json.dumps(mapping, ensure_ascii=False),
        "default_type": default_type,
        "updated_at": now(),
        "updated_by": user,
    }
    # Serialised with the version write by the source row lock: update, else insert.
    done = conn.execute(sa.update(table).where(table.c.source == name).values(**values)).rowcount
    if not done:
        conn.execute(sa.insert(table).values(source=name, **values))


class Sources(Database):
    """Store operations listing sources and reading their remembered import settings."""

    def sources(self) -> list[str]:
        """Names of the sources that have at least one version, in Polish alphabetical order."""
        with self._read() as conn:
            names = conn.execute(
                sa.select(sources_table.c.name).where(
                    sa.exists().where(versions_table.c.source_id == sources_table.c.id)
                )
            ).scalars()
            return sorted(names, key=lambda s: (fold(s), s))

    def source_settings(self, source: str) -> SourceSettings | None:
        """Column mapping and default type used at the last import of ``source``."""
        name = validate_source(source)
        table = source_settings_table
        with self._read() as conn:
            row = conn.execute(sa.select(table).where(table.c.source == name)).first()
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
            updated_at=as_utc(row.updated_at),
            updated_by=row.updated_by,
        )
