"""Editor accounts: argon2 password hashes, throttled logins, login tokens, session timeout.

Viewing the dashboard is public; importing, fixing and restoring need an editor account.
The operator creates accounts on the server (``python -m geo users add LOGIN``, see
:mod:`geo.cli.users`; the password is typed at a prompt or piped on standard input, never given
on the command line) and passwords follow :mod:`geo.store.passwords`. Only the argon2id hash
is stored.

A login attempt first claims its place in the store (:meth:`Store.claim_login_attempt`: per
client and per typed login, one transaction, before the password is checked), so parallel
attempts and other app instances cannot get around the delays. At most
``PES_MAX_PASSWORD_CHECKS`` password checks run at once in a process (argon2 takes 64 MiB
each); more are asked to retry in a moment without being counted.

A successful login issues a **login token** of our own (``secrets.token_urlsafe``), stored in
the store only as its SHA-256, bound to the client it came from (a hash of its address, browser
and Streamlit's XSRF cookie) and kept in the page's session state. Every write needs it
(:func:`require`), a new login replaces it, logging out or a new password ends it; a restore
also asks for the password again (:func:`reauthenticate`). A session ends after 30 minutes
without activity or 8 hours after the login. Passwords never appear in messages, logs, the
audit log or URLs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo.config import get_settings
from geo.errors import UserError
from geo.store.accounts import normalize_login
from geo.store.logins import MAX_DELAY, login_delay
from geo.store.models import StoreError
from geo.store.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, password_problem

if TYPE_CHECKING:
    from geo.store import Store

__all__ = [
    "BUSY",
    "FAILED_LOGIN",
    "MAX_DELAY",
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "SESSION_ENDED",
    "SESSION_IDLE",
    "SESSION_MAX",
    "AuthError",
    "Client",
    "Session",
    "add_user",
    "authenticate",
    "change_password",
    "hash_password",
    "login_delay",
    "logout",
    "reauthenticate",
    "require",
    "touch",
    "verify_password",
    "verify_session",
]

#: Inactivity after which a session ends.
SESSION_IDLE = dt.timedelta(minutes=30)
#: Longest session, however active.
SESSION_MAX = dt.timedelta(hours=8)
FAILED_LOGIN = "Nieprawidłowy login lub hasło."
BUSY = "Serwer sprawdza teraz wiele logowań naraz. Spróbuj ponownie za chwilę."
SESSION_ENDED = "Sesja wygasła lub została zakończona. Zaloguj się ponownie; nic nie zapisano."
WRONG_PASSWORD = "Nieprawidłowe hasło."

# argon2id with the library's defaults (RFC 9106 low-memory profile: 64 MiB per check).
_hasher = PasswordHasher()
# Verified against when the login does not exist, so that both cases take the same time.
_DUMMY_HASH = _hasher.hash("konto-nie-istnieje")

# The process-wide cap on concurrent password checks, sized from the settings at first use.
_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None


class AuthError(UserError, RuntimeError):
    """Login or account operation refused; the message is in Polish for the user."""


@dataclass(frozen=True)
class Client:
    """Who is logging in, as the web page sees the connection.

    ``address`` is the client's IP address (throttling key); ``traits`` is anything else that
    tells this browser apart (user agent, Streamlit's XSRF cookie). A login token only works
    for the same address and traits it was issued to.
    """

    address: str = ""
    traits: str = field(default="", repr=False)

    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.address}\0{self.traits}".encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    """A logged-in editor (kept server-side in the Streamlit session state)."""

    login: str
    started_at: dt.datetime
    last_seen: dt.datetime
    #: The login token; only its SHA-256 is in the store.
    token: str = field(default="", repr=False)

    def expires_at(self) -> dt.datetime:
        """When the session ends if nothing happens."""
        return min(self.last_seen + SESSION_IDLE, self.started_at + SESSION_MAX)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _password_slots() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(get_settings().password_checks)
        return _slots


def hash_password(password: str, login: str | None = None) -> str:
    """The argon2id hash of ``password`` (``AuthError`` when the policy refuses it)."""
    problem = password_problem(password, login)
    if problem:
        raise AuthError(problem)
    return _hasher.hash(password)


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
        store.add_user(name, hash_password(password, name), user=by)
    except StoreError as exc:
        raise AuthError(str(exc)) from None
    return name


def change_password(store: Store, login: str, password: str, *, by: str | None = None) -> None:
    """Set a new password for an existing account (its open sessions end)."""
    try:
        name = normalize_login(login)
        store.set_password_hash(name, hash_password(password, name), user=by)
        store.reset_login_failures(name)
    except StoreError as exc:
        raise AuthError(str(exc)) from None


def _wait_text(delta: dt.timedelta) -> str:
    seconds = max(1, int(delta.total_seconds() + 0.999))
    if seconds < 120:
        return f"{seconds} s"
    return f"{(seconds + 59) // 60} min"


def _checked_password(
    store: Store, client: Client, typed: str, password: object, now: dt.datetime
) -> bool | None:
    """Claim the attempt, then check the password (within the cap); ``None``: no account."""
    slots = _password_slots()
    if not slots.acquire(blocking=False):
        raise AuthError(BUSY)  # not counted: nothing was tried
    try:
        claim = store.claim_login_attempt(client.address, typed, at=now)
        if not claim.allowed:
            # Refused without checking the password and without counting an attempt.
            raise AuthError(
                "Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za "
                f"{_wait_text(claim.wait)}."
            )
        account = store.get_user(typed)
        ok = verify_password(account.password_hash if account else _DUMMY_HASH, str(password))
    finally:
        slots.release()
    if account is None:
        return None
    if ok:
        store.login_succeeded(client.address, typed, at=now)
        if _hasher.check_needs_rehash(account.password_hash):
            store.set_password_hash(account.login, _hasher.hash(str(password)), log=False)
    return ok


def authenticate(
    store: Store,
    login: str,
    password: str,
    *,
    client: Client | None = None,
    replaces: Session | None = None,
    now: dt.datetime | None = None,
) -> Session:
    """Check a login and password; return a new session with a new login token.

    ``replaces``: the session this browser had before (its token ends).

    Raises
    ------
    AuthError
        ``FAILED_LOGIN`` for a wrong login or password (the same text for both), ``BUSY``
        when too many checks run at once, or a request to wait after failed attempts.
    """
    now = now or _now()
    client = client or Client()
    typed = login if isinstance(login, str) else ""
    if not _checked_password(store, client, typed, password, now):
        raise AuthError(FAILED_LOGIN)
    name = normalize_login(typed)
    if replaces is not None and replaces.token:
        store.remove_login_token(_digest(replaces.token))
    token = secrets.token_urlsafe(32)
    store.add_login_token(
        _digest(token), name, client.fingerprint(), at=now, expires_at=now + SESSION_MAX
    )
    return Session(login=name, started_at=now, last_seen=now, token=token)


def touch(session: Session | None, *, now: dt.datetime | None = None) -> Session | None:
    """The session with its activity time updated, or ``None`` when it has expired."""
    if session is None:
        return None
    now = now or _now()
    if now >= session.expires_at():
        return None
    return replace(session, last_seen=now)


def verify_session(
    store: Store, session: Session | None, client: Client, *, now: dt.datetime | None = None
) -> Session | None:
    """The session if its token is valid in the store for this client, else ``None``."""
    now = now or _now()
    active = touch(session, now=now)
    if active is None or not active.token:
        return None
    login = store.use_login_token(
        _digest(active.token), client.fingerprint(), at=now, idle=SESSION_IDLE
    )
    return active if login == active.login else None


def require(
    store: Store, session: Session | None, client: Client, *, now: dt.datetime | None = None
) -> str:
    """The editor's login, checked against the store right before a write.

    Raises
    ------
    AuthError
        ``SESSION_ENDED`` without a valid token (none, expired, logged out, another client).
    """
    active = verify_session(store, session, client, now=now)
    if active is None:
        raise AuthError(SESSION_ENDED)
    return active.login


def reauthenticate(
    store: Store,
    session: Session | None,
    client: Client,
    password: str,
    *,
    now: dt.datetime | None = None,
) -> str:
    """:func:`require` plus the password typed again (throttled like a login)."""
    now = now or _now()
    login = require(store, session, client, now=now)
    if not _checked_password(store, client, login, password, now):
        raise AuthError(WRONG_PASSWORD)
    return login


def logout(store: Store, session: Session | None) -> None:
    """End the session's login token in the store."""
    if session is not None and session.token:
        store.remove_login_token(_digest(session.token))
