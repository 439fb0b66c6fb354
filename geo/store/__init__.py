"""The registry store: named sources, each replaced by whole versions (SQLAlchemy Core).

The registry is made of named sources ("rejestr CIS wojewody", "lista ROPS"...). Importing a
file writes all its rows as a **new version** of that source in one transaction and makes it
current; earlier versions stay retrievable and can be restored; a rejected file changes nothing.
Beside the versions the store keeps what managing the registry needs: the column mapping and
default type remembered per source, manual fixes of entities (applied to every later version
by :func:`geo.registry.fixes.apply_fixes`), editor accounts (password hashes made by
:mod:`geo.store.auth`), login throttling and login tokens, and the audit log of every change.
It depends on nothing of the domain above it (only ``geo.core``, ``geo.config``, ``geo.errors``).

One concept per module: ``tables`` (the schema), ``models`` (records, ``StoreError``),
``columns`` (frames to and from columns), ``engine`` (connection, transactions, failures),
``sources``, ``versions``, ``entities`` (reading versions back), ``fixes``, ``accounts``,
``logins`` (throttling, tokens) and ``audit``. :class:`Store` composes their classes by
inheritance (mixins over one :class:`~geo.store.engine.Database`) rather than delegation:
they all share one engine and its ``_read``/``_write`` transactions, the flat API callers use
stays exactly as it was with no forwarding methods to keep in step, and each concept's
operations still live and are read in their own module.
"""

from __future__ import annotations

from geo.store.accounts import Accounts, normalize_login
from geo.store.audit import AuditLog
from geo.store.columns import ENTITY_COLUMNS
from geo.store.entities import Entities
from geo.store.fixes import FIX_KINDS, Fixes
from geo.store.indicators import Indicators
from geo.store.logins import LoginClaim, Logins
from geo.store.models import (
    FixInfo,
    LoginState,
    SourceSettings,
    StoreError,
    UserRecord,
    VersionInfo,
)
from geo.store.scenarios import Scenarios
from geo.store.sources import Sources
from geo.store.tables import FLOAT_COLUMNS, MAX_SOURCE_NAME

# _CHUNK_ROWS: the performance contracts size their test data by it.
from geo.store.versions import _CHUNK_ROWS as _CHUNK_ROWS
from geo.store.versions import Versions

__all__ = [
    "ENTITY_COLUMNS",
    "FIX_KINDS",
    "FLOAT_COLUMNS",
    "MAX_SOURCE_NAME",
    "FixInfo",
    "LoginClaim",
    "LoginState",
    "SourceSettings",
    "Store",
    "StoreError",
    "UserRecord",
    "VersionInfo",
    "normalize_login",
]


class Store(Versions, Entities, Sources, Fixes, Accounts, Logins, AuditLog, Indicators, Scenarios):
    """The registry store behind one SQLAlchemy URL.

    Parameters
    ----------
    url : str
        SQLAlchemy database URL (``sqlite:///path/file.sqlite`` or ``postgresql+psycopg://...``).
        Tables are created when missing; for a SQLite file its parent folder is created.
    """
