"""Saved planning scenarios: named, versioned like registry sources, stored as JSON text.

Saving under a name that exists adds version n+1 of it (earlier versions stay readable); each
version records who saved it and when. The definition is an opaque JSON object for the store
(what it holds is :mod:`geo.analysis.scenarios.saved`): the store depends on nothing of the
domain. Every save writes an audit log entry in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.core.plural import count
from geo.store.audit import log_change
from geo.store.engine import Database, inserted_id
from geo.store.models import StoreError, as_utc, clean_user, now
from geo.store.tables import metadata

__all__ = [
    "MAX_SCENARIO_NAME",
    "MAX_SCENARIO_BYTES",
    "ScenarioRecord",
    "Scenarios",
    "scenarios_table",
]

MAX_SCENARIO_NAME = 120
#: A definition holds a few hundred sites at most; anything far larger is not a scenario.
MAX_SCENARIO_BYTES = 2_000_000

scenarios_table = sa.Table(
    "scenarios",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(MAX_SCENARIO_NAME), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(200)),
    sa.Column("note", sa.Text),
    sa.Column("definition", sa.Text, nullable=False),  # JSON object
    # Two editors saving the same name at once: the second write retries with the next number.
    sa.UniqueConstraint("name", "number", name="uq_scenarios_name_number"),
)


@dataclass(frozen=True)
class ScenarioRecord:
    """One saved version of a scenario (``definition``: the JSON object as saved)."""

    id: int
    name: str
    number: int
    created_at: dt.datetime
    created_by: str | None
    note: str | None
    definition: dict[str, Any]


def _clean_name(name: str) -> str:
    text = " ".join(str(name).split())
    if not text:
        raise StoreError("Podaj nazwę scenariusza.")
    if len(text) > MAX_SCENARIO_NAME:
        raise StoreError(f"Nazwa scenariusza może mieć najwyżej {MAX_SCENARIO_NAME} znaków.")
    return text


def _record(row: Any) -> ScenarioRecord:
    try:
        definition = json.loads(row.definition)
    except ValueError as exc:
        raise StoreError(f"Zapis scenariusza „{row.name}” jest uszkodzony.") from exc
    return ScenarioRecord(
        id=int(row.id),
        name=str(row.name),
        number=int(row.number),
        created_at=as_utc(row.created_at),
        created_by=row.created_by,
        note=row.note,
        definition=definition if isinstance(definition, dict) else {},
    )


class Scenarios(Database):
    """Store operations on saved scenarios."""

    def save_scenario(
        self, name: str, definition: dict[str, Any], *, by: str | None, note: str | None = None
    ) -> ScenarioRecord:
        """Save ``definition`` as the next version of scenario ``name`` (version 1 if new)."""
        clean = _clean_name(name)
        if not isinstance(definition, dict):
            raise StoreError("Scenariusz musi być obiektem JSON.")
        text = json.dumps(definition, ensure_ascii=False, sort_keys=True, allow_nan=False)
        if len(text.encode("utf-8")) > MAX_SCENARIO_BYTES:
            raise StoreError("Scenariusz jest za duży, by go zapisać.")
        user = clean_user(by)
        t = scenarios_table

        def work(conn: Connection) -> ScenarioRecord:
            number = (
                1
                + conn.execute(
                    sa.select(sa.func.coalesce(sa.func.max(t.c.number), 0)).where(t.c.name == clean)
                ).scalar_one()
            )
            created = now()
            new_id = inserted_id(
                conn.execute(
                    sa.insert(t).values(
                        name=clean,
                        number=number,
                        created_at=created,
                        created_by=user,
                        note=(note or "").strip()[:500] or None,
                        definition=text,
                    )
                )
            )
            log_change(conn, "scenariusz", f"Scenariusz „{clean}”: wersja {number}", user)
            return ScenarioRecord(new_id, clean, int(number), created, user, note, json.loads(text))

        return self._write(work)

    def delete_scenario(self, name: str, *, by: str | None) -> int:
        """Delete every saved version of scenario ``name``; returns how many. The audit log
        keeps who deleted it and when (the versions themselves are gone: a backup keeps them)."""
        clean = _clean_name(name)
        user = clean_user(by)
        t = scenarios_table

        def work(conn: Connection) -> int:
            removed = int(conn.execute(sa.delete(t).where(t.c.name == clean)).rowcount or 0)
            if not removed:
                raise StoreError(f"Nie ma zapisanego scenariusza „{clean}”.")
            versions = count(removed, "wersja", "wersje", "wersji")
            log_change(conn, "scenariusz", f"Scenariusz „{clean}”: usunięty ({versions})", user)
            return removed

        return self._write(work)

    def scenario_names(self) -> list[str]:
        """Names of the saved scenarios, alphabetically."""
        with self._read() as conn:
            names = conn.execute(
                sa.select(scenarios_table.c.name).distinct().order_by(scenarios_table.c.name)
            ).scalars()
            return [str(n) for n in names]

    def scenario_versions(self, name: str) -> list[ScenarioRecord]:
        """Every saved version of scenario ``name``, newest first (empty if none)."""
        t = scenarios_table
        with self._read() as conn:
            rows = conn.execute(
                sa.select(t).where(t.c.name == _clean_name(name)).order_by(t.c.number.desc())
            ).all()
        return [_record(row) for row in rows]

    def load_scenario(self, name: str, number: int | None = None) -> ScenarioRecord:
        """Version ``number`` of scenario ``name`` (default: its latest)."""
        versions = self.scenario_versions(name)
        for record in versions:
            if number is None or record.number == number:
                return record
        which = f" w wersji {number}" if number is not None else ""
        raise StoreError(f"Nie ma zapisanego scenariusza „{_clean_name(name)}”{which}.")
