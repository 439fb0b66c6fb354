"""Editor accounts and login throttling, as the store keeps them.

Accounts hold only argon2 hashes (made and checked by :mod:`geo.store.auth`; a plain
password is refused at this boundary). Failed logins are counted per typed login name, also
for names without an account, so that the growing delay does not reveal which accounts exist;
the counters live in the database, so restarting the app or using another instance does not
reset them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.store.audit import log_change
from geo.store.engine import Database
from geo.store.models import (
    LoginState,
    StoreError,
    UserRecord,
    _ConcurrentWrite,
    as_utc,
    clean_user,
    now,
)
from geo.store.tables import login_attempts_table, users_table

__all__ = ["Accounts", "normalize_login"]

_LOGIN_RE = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")


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


class Accounts(Database):
    """Store operations on editor accounts and on failed-login counters."""

    @staticmethod
    def _user_record(row: Any) -> UserRecord:
        return UserRecord(
            login=row.login,
            password_hash=row.password_hash,
            created_at=as_utc(row.created_at),
            created_by=row.created_by,
            updated_at=as_utc(row.updated_at),
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
        by = clean_user(user)
        u = users_table

        def work(conn: Connection) -> UserRecord:
            if conn.execute(sa.select(u.c.login).where(u.c.login == name)).first() is not None:
                raise StoreError(f"Konto „{name}” już istnieje.")
            stamp = now()
            conn.execute(
                sa.insert(u).values(
                    login=name,
                    password_hash=digest,
                    created_at=stamp,
                    created_by=by,
                    updated_at=stamp,
                )
            )
            log_change(conn, "konto", f"Utworzono konto redaktora „{name}”.", by)
            return UserRecord(name, digest, stamp, by, stamp)

        try:
            return self._write(work)
        except _ConcurrentWrite as exc:  # lost every insert race against the same login
            raise StoreError(f"Konto „{name}” już istnieje.") from exc

    def set_password_hash(
        self, login: str, password_hash: str, *, user: str | None = None, log: bool = True
    ) -> None:
        """Replace an account's password hash (``log=False`` for a silent re-hash)."""
        name = normalize_login(login)
        digest = self._check_hash(password_hash)
        by = clean_user(user)
        u = users_table

        def work(conn: Connection) -> None:
            done = conn.execute(
                sa.update(u).where(u.c.login == name).values(password_hash=digest, updated_at=now())
            ).rowcount
            if not done:
                raise StoreError(f"Nie ma konta „{name}”.")
            if log:
                log_change(conn, "konto", f"Zmieniono hasło konta „{name}”.", by)

        self._write(work)

    def remove_user(self, login: str, *, user: str | None = None) -> None:
        """Delete an editor account."""
        name = normalize_login(login)
        by = clean_user(user)
        u = users_table

        def work(conn: Connection) -> None:
            if not conn.execute(sa.delete(u).where(u.c.login == name)).rowcount:
                raise StoreError(f"Nie ma konta „{name}”.")
            log_change(conn, "konto", f"Usunięto konto redaktora „{name}”.", by)

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
        return LoginState(int(row.failures), as_utc(row.last_failure_at))

    def record_login_failure(self, login: str, at: dt.datetime | None = None) -> LoginState:
        """Count one more failed login for ``login`` (atomic across app instances)."""
        key = _throttle_key(login)
        when = at or now()
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
