"""Editor accounts, as the store keeps them.

Accounts hold only argon2 hashes (made and checked by :mod:`geo.store.auth`; a plain
password is refused at this boundary). A new password or a removed account ends every login
token of the account in the same transaction. Failed logins and tokens: :mod:`geo.store.logins`.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.store.audit import log_change
from geo.store.engine import Database
from geo.store.models import (
    StoreError,
    UserRecord,
    _ConcurrentWrite,
    as_utc,
    clean_user,
    now,
)
from geo.store.tables import login_tokens_table, users_table

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


def _end_sessions(conn: Connection, login: str) -> None:
    conn.execute(sa.delete(login_tokens_table).where(login_tokens_table.c.login == login))


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
            if log:  # a silent re-hash at login keeps the sessions; a new password ends them
                _end_sessions(conn, name)
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
            _end_sessions(conn, name)
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
