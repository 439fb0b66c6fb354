"""The audit log and the registry's change marks: who changed what, and whether anything did.

Every write of the store (import, restore, fix, account) calls :func:`log_change` inside its
own transaction, so an entry exists exactly when the change does. :class:`AuditLog` reads the
log back and gives views the time of the last change and a token that changes with every
change of the located registry (their cache key).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.store.engine import Database
from geo.store.models import StoreError, as_utc, clean_user, now
from geo.store.tables import audit_table, fixes_table, versions_table

__all__ = ["AuditLog", "log_change"]


def log_change(conn: Connection, action: str, details: str, user: str | None) -> None:
    """Append an entry to the audit log in the caller's transaction."""
    conn.execute(
        sa.insert(audit_table).values(at=now(), user_name=user, action=action, details=details)
    )


class AuditLog(Database):
    """Store operations on the audit log and on the registry's change marks."""

    def record_audit(self, action: str, details: str, user: str | None = None) -> None:
        """Append an entry to the audit log (for changes made by other modules)."""
        action = str(action).strip()[:50]
        if not action:
            raise StoreError("Wpis dziennika zmian musi mieć nazwę czynności.")
        self._write(lambda conn: log_change(conn, action, str(details), clean_user(user)))

    def audit(self, limit: int = 200) -> pd.DataFrame:
        """The latest audit log entries, newest first: columns ``at, user, action, details``."""
        limit = max(0, int(limit))
        log = audit_table
        with self._read() as conn:
            rows = conn.execute(
                sa.select(log.c.at, log.c.user_name, log.c.action, log.c.details)
                .order_by(log.c.id.desc())
                .limit(limit)
            ).all()
        frame = pd.DataFrame(
            [(as_utc(r.at), r.user_name, r.action, r.details) for r in rows],
            columns=["at", "user", "action", "details"],
        )
        frame["at"] = pd.to_datetime(frame["at"], utc=True)
        return frame.astype({"user": object, "action": object, "details": object})

    def last_change(self) -> dt.datetime | None:
        """When the registry last changed (newest version), or ``None`` before any import."""
        with self._read() as conn:
            value = conn.execute(sa.select(sa.func.max(versions_table.c.created_at))).scalar()
        return as_utc(value) if value is not None else None

    def state_token(self) -> str:
        """A text that changes whenever the located registry would change.

        It changes with every import, restore, fix and revoked fix, also those made by other
        app instances; views use it as a cache key.
        """
        versions, fixes = versions_table, fixes_table
        with self._read() as conn:
            current = conn.execute(
                sa.select(versions.c.id).where(versions.c.is_current).order_by(versions.c.id)
            ).scalars()
            ids = ",".join(str(i) for i in current)
            last_fix, active = conn.execute(
                sa.select(
                    sa.func.coalesce(sa.func.max(fixes.c.id), 0),
                    sa.func.count().filter(fixes.c.active),
                )
            ).one()
        return f"v{ids or '-'};f{int(last_fix)}/{int(active)}"
