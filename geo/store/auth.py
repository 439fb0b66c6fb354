"""Editor accounts: argon2 password hashes in the store, throttled logins, session timeout.

Viewing the dashboard is public; importing, fixing and restoring need an editor account.
The operator creates accounts on the server (``python -m geo users add LOGIN``, see
:mod:`geo.cli.users`; the password is typed at a prompt or piped on standard input, never given
on the command line). Only the
argon2id hash is stored. Every failed login of a name (whether or not the account exists)
makes the next attempt wait longer (1 s, 2 s, 4 s… up to 15 minutes), counted in the
database so that restarting the app or using another instance does not reset it. A session
ends after 30 minutes without activity or 8 hours after the login. Passwords never appear in
messages, logs, the audit log or URLs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo.errors import UserError
from geo.store.accounts import normalize_login
from geo.store.models import StoreError

if TYPE_CHECKING:
    from geo.store import Store

__all__ = [
    "FAILED_LOGIN",
    "MAX_DELAY",
    "MIN_PASSWORD_LENGTH",
    "SESSION_IDLE",
    "SESSION_MAX",
    "AuthError",
    "Session",
    "add_user",
    "authenticate",
    "change_password",
    "hash_password",
    "login_delay",
    "touch",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
#: Inactivity after which a session ends.
SESSION_IDLE = dt.timedelta(minutes=30)
#: Longest session, however active.
SESSION_MAX = dt.timedelta(hours=8)
#: Longest wait imposed after failed logins.
MAX_DELAY = dt.timedelta(minutes=15)
FAILED_LOGIN = "Nieprawidłowy login lub hasło."

# argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()
# Verified against when the login does not exist, so that both cases take the same time.
_DUMMY_HASH = _hasher.hash("konto-nie-istnieje")


class AuthError(UserError, RuntimeError):
    """Login or account operation refused; the message is in Polish for the user."""


@dataclass(frozen=True)
class Session:
    """A logged-in editor (kept server-side in the Streamlit session state)."""

    login: str
    started_at: dt.datetime
    last_seen: dt.datetime

    def expires_at(self) -> dt.datetime:
        """When the session ends if nothing happens."""
        return min(self.last_seen + SESSION_IDLE, self.started_at + SESSION_MAX)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _check_password(password: object) -> str:
    if not isinstance(password, str):
        raise AuthError("Hasło musi być tekstem.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"Hasło musi mieć co najmniej {MIN_PASSWORD_LENGTH} znaków.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AuthError(f"Hasło może mieć najwyżej {MAX_PASSWORD_LENGTH} znaki.")
    if not password.strip():
        raise AuthError("Hasło nie może składać się z samych spacji.")
    return password


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (``AuthError`` when it is too weak)."""
    return _hasher.hash(_check_password(password))


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (never raises on a mismatch)."""
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError, ValueError, TypeError):
        # ValueError includes UnicodeError: a damaged hash must not crash the login.
        return False


def add_user(store: Store, login: str, password: str, *, by: str | None = None) -> str:
    """Create an editor account; returns the canonical login.

    Raises
    ------
    AuthError
        Invalid login, weak password or the login is taken (Polish message).
    """
    try:
        name = normalize_login(login)
        store.add_user(name, hash_password(password), user=by)
    except StoreError as exc:
        raise AuthError(str(exc)) from None
    return name


def change_password(store: Store, login: str, password: str, *, by: str | None = None) -> None:
    """Set a new password for an existing account."""
    try:
        store.set_password_hash(login, hash_password(password), user=by)
        store.reset_login_failures(login)
    except StoreError as exc:
        raise AuthError(str(exc)) from None


def login_delay(failures: int) -> dt.timedelta:
    """How long to wait after ``failures`` consecutive failed logins: 1 s, 2 s, 4 s… ≤ 15 min."""
    if failures <= 0:
        return dt.timedelta(0)
    seconds = 2.0 ** min(failures - 1, 30)
    return min(dt.timedelta(seconds=seconds), MAX_DELAY)


def _wait_text(delta: dt.timedelta) -> str:
    seconds = max(1, int(delta.total_seconds() + 0.999))
    if seconds < 120:
        return f"{seconds} s"
    return f"{(seconds + 59) // 60} min"


def authenticate(
    store: Store, login: str, password: str, *, now: dt.datetime | None = None
) -> Session:
    """Check a login and password; return a new session.

    Raises
    ------
    AuthError
        ``FAILED_LOGIN`` for a wrong login or password (the same text for both), or a
        request to wait when the previous attempts of this login failed recently.
    """
    now = now or _now()
    typed = login if isinstance(login, str) else ""
    state = store.login_state(typed)
    if state.last_failure_at is not None:
        ready = state.last_failure_at + login_delay(state.failures)
        if now < ready:
            # Refused without checking the password and without counting an attempt.
            raise AuthError(
                "Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za "
                f"{_wait_text(ready - now)}."
            )
    account = store.get_user(typed)
    ok = verify_password(account.password_hash if account else _DUMMY_HASH, str(password))
    if account is None or not ok:
        store.record_login_failure(typed, at=now)
        raise AuthError(FAILED_LOGIN)
    store.reset_login_failures(typed)
    if _hasher.check_needs_rehash(account.password_hash):
        store.set_password_hash(account.login, _hasher.hash(str(password)), log=False)
    return Session(login=account.login, started_at=now, last_seen=now)


def touch(session: Session | None, *, now: dt.datetime | None = None) -> Session | None:
    """The session with its activity time updated, or ``None`` when it has expired."""
    if session is None:
        return None
    now = now or _now()
    if now >= session.expires_at():
        return None
    return replace(session, last_seen=now)
