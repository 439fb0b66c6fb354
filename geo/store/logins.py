"""Login throttling and login tokens, as the store keeps them (shared by every app instance).

Throttling counts failed logins under two kinds of key: the client (``klient:<address>``,
every name typed from it) and the typed login (``login:<text>``, also names without an
account). :meth:`Logins.claim_login_attempt` decides and counts in **one write transaction
before the password is checked**: the attempt is recorded as failed up front and forgotten
only when the password turns out right, so parallel attempts (threads, workers, app
instances on one database) cannot all slip past a check made before any of them failed.

* A client waits 1 s, 2 s, 4 s… (at most 15 minutes) after each failed attempt; its count is
  forgotten a day after its last failure or at a successful login from it.
* A login is locked after :data:`LOGIN_MAX_FAILURES` failures within :data:`LOGIN_WINDOW` of
  the first one, until that window ends. Refused attempts count nowhere, so an outsider can
  neither extend a lockout nor keep a login locked with one attempt every quarter of an hour.

Login tokens (:mod:`geo.store.auth` makes them) are stored as SHA-256 digests with the login,
a hash of the client, an absolute expiry and the last activity.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.store.engine import Database
from geo.store.models import LoginState, as_utc, now
from geo.store.tables import login_throttle_table, login_tokens_table

__all__ = [
    "CLIENT_FORGET",
    "LOGIN_MAX_FAILURES",
    "LOGIN_WINDOW",
    "MAX_DELAY",
    "LoginClaim",
    "Logins",
    "client_key",
    "login_delay",
    "login_key",
]

#: Longest wait imposed on a client after failed logins.
MAX_DELAY = dt.timedelta(minutes=15)
#: A client's failures are forgotten this long after its last one.
CLIENT_FORGET = dt.timedelta(days=1)
#: Failed attempts of one login within LOGIN_WINDOW that lock it until the window ends.
LOGIN_MAX_FAILURES = 10
LOGIN_WINDOW = dt.timedelta(minutes=15)
# A token's activity time is stored at this granularity (idle expiry is ±1 minute).
_SEEN_STEP = dt.timedelta(minutes=1)


def login_delay(failures: int) -> dt.timedelta:
    """How long a client waits after ``failures`` failed logins: 1 s, 2 s, 4 s… ≤ 15 min."""
    if failures <= 0:
        return dt.timedelta(0)
    seconds = 2.0 ** min(failures - 1, 30)
    return min(dt.timedelta(seconds=seconds), MAX_DELAY)


def login_key(login: object) -> str:
    """The throttling key of any text typed into the login field (bounded, case-insensitive)."""
    text = str(login).strip().lower()[:200] if isinstance(login, str) else ""
    return f"login:{text}"


def client_key(client: object) -> str:
    """The throttling key of a client address (``""``: a client the app cannot tell apart)."""
    text = str(client).strip().lower()[:200] if isinstance(client, str) else ""
    return f"klient:{text}"


@dataclass(frozen=True)
class LoginClaim:
    """The answer to one login attempt: go on and check the password, or wait ``wait``."""

    allowed: bool
    wait: dt.timedelta = dt.timedelta(0)
    #: What refused the attempt: "klient" or "login" (``None`` when allowed).
    refused_by: str | None = None


@dataclass
class _Row:
    failures: int
    window_start: dt.datetime | None
    last_failure_at: dt.datetime | None

    @classmethod
    def of(cls, row: Any) -> _Row:
        return cls(
            int(row.failures),
            as_utc(row.window_start) if row.window_start is not None else None,
            as_utc(row.last_failure_at) if row.last_failure_at is not None else None,
        )


def _lock_rows(conn: Connection, keys: list[str]) -> dict[str, _Row]:
    """Lock (creating when missing) the throttle rows of ``keys``, in a fixed order."""
    t = login_throttle_table
    for key in sorted(keys):  # one order for every transaction: no deadlock between two
        # A no-op UPDATE takes the row lock in PostgreSQL; SQLite's writer already holds
        # the whole database (BEGIN IMMEDIATE).
        touched = conn.execute(
            sa.update(t).where(t.c.key == key).values(failures=t.c.failures)
        ).rowcount
        if not touched:
            # A concurrent insert of the same key fails here; Database._write retries.
            conn.execute(sa.insert(t).values(key=key, failures=0))
    rows = conn.execute(sa.select(t).where(t.c.key.in_(keys))).all()
    return {row.key: _Row.of(row) for row in rows}


def _client_wait(row: _Row, at: dt.datetime) -> tuple[_Row, dt.timedelta]:
    if row.last_failure_at is None or at >= row.last_failure_at + CLIENT_FORGET:
        return _Row(0, None, None), dt.timedelta(0)
    ready = row.last_failure_at + login_delay(row.failures)
    return row, max(ready - at, dt.timedelta(0))


def _login_wait(row: _Row, at: dt.datetime) -> tuple[_Row, dt.timedelta]:
    if row.window_start is None or at >= row.window_start + LOGIN_WINDOW:
        return _Row(0, None, None), dt.timedelta(0)
    if row.failures >= LOGIN_MAX_FAILURES:
        return row, row.window_start + LOGIN_WINDOW - at
    return row, dt.timedelta(0)


class Logins(Database):
    """Store operations on login throttling and login tokens."""

    # -- throttling ---------------------------------------------------------------------------

    def claim_login_attempt(
        self, client: str, login: str, *, at: dt.datetime | None = None
    ) -> LoginClaim:
        """Decide whether an attempt may check its password and, if so, count it as failed.

        Call :meth:`login_succeeded` when the password is right. Refused attempts are not
        counted anywhere.
        """
        when = at or now()
        ckey, lkey = client_key(client), login_key(login)
        t = login_throttle_table

        def work(conn: Connection) -> LoginClaim:
            rows = _lock_rows(conn, [ckey, lkey])
            crow, cwait = _client_wait(rows[ckey], when)
            if cwait > dt.timedelta(0):
                return LoginClaim(False, cwait, "klient")
            lrow, lwait = _login_wait(rows[lkey], when)
            if lwait > dt.timedelta(0):
                return LoginClaim(False, lwait, "login")
            conn.execute(
                sa.update(t)
                .where(t.c.key == ckey)
                .values(failures=crow.failures + 1, window_start=None, last_failure_at=when)
            )
            conn.execute(
                sa.update(t)
                .where(t.c.key == lkey)
                .values(
                    failures=lrow.failures + 1,
                    window_start=lrow.window_start or when,
                    last_failure_at=when,
                )
            )
            return LoginClaim(True)

        return self._write(work)

    def login_succeeded(self, client: str, login: str, *, at: dt.datetime | None = None) -> None:
        """Forget the failures of this client and login, and rows idle for a day."""
        t = login_throttle_table
        stale = (at or now()) - CLIENT_FORGET

        def work(conn: Connection) -> None:
            conn.execute(sa.delete(t).where(t.c.key.in_([client_key(client), login_key(login)])))
            conn.execute(sa.delete(t).where(t.c.last_failure_at < stale))

        self._write(work)

    def login_state(self, login: str) -> LoginState:
        """Failed attempts recorded for the text typed as login."""
        return self._throttle_state(login_key(login))

    def client_state(self, client: str) -> LoginState:
        """Failed attempts recorded for a client address."""
        return self._throttle_state(client_key(client))

    def _throttle_state(self, key: str) -> LoginState:
        t = login_throttle_table
        with self._read() as conn:
            row = conn.execute(sa.select(t).where(t.c.key == key)).first()
        if row is None:
            return LoginState(0, None)
        state = _Row.of(row)
        return LoginState(state.failures, state.last_failure_at)

    def record_login_failure(self, login: str, at: dt.datetime | None = None) -> LoginState:
        """Count one more failed login for ``login`` (atomic across app instances)."""
        when = at or now()
        key = login_key(login)
        t = login_throttle_table

        def work(conn: Connection) -> LoginState:
            row, _ = _login_wait(_lock_rows(conn, [key])[key], when)
            conn.execute(
                sa.update(t)
                .where(t.c.key == key)
                .values(
                    failures=row.failures + 1,
                    window_start=row.window_start or when,
                    last_failure_at=when,
                )
            )
            return LoginState(row.failures + 1, when)

        return self._write(work)

    def reset_login_failures(self, login: str) -> None:
        """Forget the failed attempts of ``login`` (e.g. after a new password)."""
        t = login_throttle_table
        self._write(lambda conn: conn.execute(sa.delete(t).where(t.c.key == login_key(login))))

    def reset_client_failures(self, client: str) -> None:
        """Forget the failed attempts of a client address."""
        t = login_throttle_table
        self._write(lambda conn: conn.execute(sa.delete(t).where(t.c.key == client_key(client))))

    # -- tokens -------------------------------------------------------------------------------

    def add_login_token(
        self, digest: str, login: str, client: str, *, at: dt.datetime, expires_at: dt.datetime
    ) -> None:
        """Store a new token's digest (expired tokens of every login are dropped meanwhile)."""
        k = login_tokens_table

        def work(conn: Connection) -> None:
            conn.execute(sa.delete(k).where(k.c.expires_at <= at))
            conn.execute(
                sa.insert(k).values(
                    token_sha256=digest,
                    login=login,
                    client=client,
                    created_at=at,
                    expires_at=expires_at,
                    last_seen_at=at,
                )
            )

        self._write(work)

    def use_login_token(
        self, digest: str, client: str, *, at: dt.datetime, idle: dt.timedelta
    ) -> str | None:
        """The login of a valid token (its activity time updated), else ``None``.

        A token is invalid when unknown, expired, idle for ``idle`` or presented by another
        client; an expired token or one presented by another client is deleted.
        """
        k = login_tokens_table
        with self._read() as conn:
            row = conn.execute(sa.select(k).where(k.c.token_sha256 == digest)).first()
        if row is None:
            return None
        seen = as_utc(row.last_seen_at)
        if at >= min(as_utc(row.expires_at), seen + idle) or row.client != client:
            self.remove_login_token(digest)
            return None
        if at - seen >= _SEEN_STEP:  # a write per minute of activity, not per page rerun
            self._write(
                lambda conn: conn.execute(
                    sa.update(k)
                    .where(k.c.token_sha256 == digest, k.c.last_seen_at < at)
                    .values(last_seen_at=at)
                )
            )
        return str(row.login)

    def remove_login_token(self, digest: str) -> None:
        """Invalidate one token (logout, or a new login in the same session)."""
        k = login_tokens_table
        self._write(lambda conn: conn.execute(sa.delete(k).where(k.c.token_sha256 == digest)))

    def remove_login_tokens(self, login: str) -> None:
        """Invalidate every token of ``login`` (new password, account removed)."""
        k = login_tokens_table
        self._write(lambda conn: conn.execute(sa.delete(k).where(k.c.login == login)))
