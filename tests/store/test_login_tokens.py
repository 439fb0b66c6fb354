"""Login tokens (geo/store/auth.py, geo/store/logins.py): every write needs a valid token."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from db_backends import db_snapshot, db_url  # noqa: F401 - fixture

from geo.store import Store, auth

PASSWORD = "Zielona-Łąka-2026"
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
HOME = auth.Client("10.0.0.5", "Firefox\0xsrf-cookie")


@pytest.fixture()
def store(db_url: str):  # noqa: F811
    with Store(db_url) as opened:
        auth.add_user(opened, "ewa", PASSWORD)
        yield opened


def _login(store: Store, client: auth.Client = HOME, **kw: object) -> auth.Session:
    return auth.authenticate(store, "ewa", PASSWORD, client=client, now=T0, **kw)


def test_login_issues_a_token_stored_only_as_a_digest(store: Store, db_url: str) -> None:  # noqa: F811
    session = _login(store)
    assert len(session.token) >= 40 and session.token not in repr(session)
    assert auth.require(store, session, HOME, now=T0 + dt.timedelta(minutes=1)) == "ewa"
    dump = repr(db_snapshot(db_url))
    assert session.token not in dump and auth._digest(session.token) in dump


def test_each_login_rotates_the_token(store: Store) -> None:
    first = _login(store)
    second = _login(store, replaces=first)
    assert second.token != first.token
    assert auth.require(store, second, HOME, now=T0) == "ewa"
    with pytest.raises(auth.AuthError, match="Sesja wygasła"):
        auth.require(store, first, HOME, now=T0)


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda s: None, id="no session"),
        pytest.param(lambda s: dataclasses.replace(s, token=""), id="no token"),
        pytest.param(lambda s: dataclasses.replace(s, token=s.token[:-1] + "x"), id="forged"),
        pytest.param(lambda s: dataclasses.replace(s, token=auth._digest(s.token)), id="digest"),
        pytest.param(lambda s: dataclasses.replace(s, login="admin"), id="other login"),
    ],
)
def test_a_write_without_a_valid_token_is_refused(store: Store, spoil) -> None:
    session = _login(store)
    with pytest.raises(auth.AuthError, match="Sesja wygasła"):
        auth.require(store, spoil(session), HOME, now=T0)


def test_a_token_works_only_for_the_client_it_was_issued_to(store: Store) -> None:
    session = _login(store)
    # The same Streamlit session taken over from elsewhere (another address or browser).
    for thief in (auth.Client("192.0.2.1", HOME.traits), auth.Client(HOME.address, "curl")):
        with pytest.raises(auth.AuthError, match="Sesja wygasła"):
            auth.require(store, session, thief, now=T0)
    # Presented by another client, the token is ended for everyone.
    with pytest.raises(auth.AuthError):
        auth.require(store, session, HOME, now=T0)


def test_stale_tokens_are_refused(store: Store) -> None:
    session = _login(store)
    idle = T0 + auth.SESSION_IDLE
    with pytest.raises(auth.AuthError, match="Sesja wygasła"):
        # Even with the in-memory activity time forged, the store knows the token is idle.
        auth.require(store, dataclasses.replace(session, last_seen=idle), HOME, now=idle)
    active = _login(store)
    now = T0
    while now < T0 + auth.SESSION_MAX - dt.timedelta(minutes=20):
        now += dt.timedelta(minutes=20)
        active = dataclasses.replace(active, last_seen=now - dt.timedelta(minutes=1))
        assert auth.require(store, active, HOME, now=now) == "ewa"
    late = T0 + auth.SESSION_MAX
    forged = dataclasses.replace(active, started_at=late, last_seen=late)
    with pytest.raises(auth.AuthError, match="Sesja wygasła"):
        auth.require(store, forged, HOME, now=late)


def test_logout_new_password_and_removal_end_the_token(store: Store) -> None:
    session = _login(store)
    auth.logout(store, session)
    with pytest.raises(auth.AuthError):
        auth.require(store, session, HOME, now=T0)
    session = _login(store)
    auth.change_password(store, "ewa", "Nowe-Hasło-Wiosna-27")
    with pytest.raises(auth.AuthError):
        auth.require(store, session, HOME, now=T0)
    session = auth.authenticate(store, "ewa", "Nowe-Hasło-Wiosna-27", client=HOME, now=T0)
    store.remove_user("ewa")
    with pytest.raises(auth.AuthError):
        auth.require(store, session, HOME, now=T0)


def test_restore_asks_for_the_password_again(store: Store) -> None:
    session = _login(store)
    later = T0 + dt.timedelta(minutes=2)
    with pytest.raises(auth.AuthError, match="Nieprawidłowe hasło"):
        auth.reauthenticate(store, session, HOME, "złe hasło", now=later)
    # The wrong password counted like a failed login: the client waits before the next try.
    with pytest.raises(auth.AuthError, match="Spróbuj ponownie"):
        auth.reauthenticate(store, session, HOME, PASSWORD, now=later)
    assert (
        auth.reauthenticate(store, session, HOME, PASSWORD, now=later + dt.timedelta(seconds=2))
        == "ewa"
    )
    with pytest.raises(auth.AuthError, match="Sesja wygasła"):
        auth.reauthenticate(
            store, dataclasses.replace(session, token="x"), HOME, PASSWORD, now=later
        )
