"""What the store hands back and how it refuses: the record dataclasses and ``StoreError``.

The records are frozen snapshots of rows (times always in UTC), so callers never hold a
database row or a connection. ``StoreError`` carries a Polish message for the user; its
private subclass ``_ConcurrentWrite`` marks the one failure the store itself tells apart by
type (a write lost the race for a unique key on every attempt). The small helpers at the end
give every record its UTC times and the name of who acted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from geo.errors import UserError

__all__ = [
    "FixInfo",
    "LoginState",
    "SourceSettings",
    "StoreError",
    "UserRecord",
    "VersionInfo",
    "as_utc",
    "clean_user",
    "now",
]


class StoreError(UserError, RuntimeError):
    """The store refused an operation; the message is in Polish for the user."""


class _ConcurrentWrite(StoreError):
    """Concurrent writers kept taking the same key (version number, source, login)."""


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


def now() -> dt.datetime:
    """The current time in UTC, as every record stores it."""
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """``value`` as an aware UTC time (SQLite hands back naive datetimes)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def clean_user(user: str | None) -> str | None:
    """Who made a change, as written to the records and the audit log (≤ 200 characters)."""
    if user is None:
        return None
    text = str(user).strip()
    return text[:200] or None
