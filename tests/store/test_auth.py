"""Tests of geo/store/auth.py and geo/cli/users.py: accounts, delays, sessions, the login page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from db_backends import db_snapshot, db_url  # noqa: F401 - fixture

from geo.config import PROJECT_ROOT, get_settings
from geo.store import Store, auth
from geo.store import logins as auth_limits

PASSWORD = "Zielona-Łąka-2026"
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture()
def store(db_url: str):  # noqa: F811
    with Store(db_url) as opened:
        yield opened


def test_accounts_store_only_an_argon2id_hash(store: Store, db_url: str) -> None:  # noqa: F811
    assert auth.add_user(store, " Jan.Kowalski ", PASSWORD, by="admin") == "jan.kowalski"
    record = store.get_user("jan.kowalski")
    assert record.password_hash.startswith("$argon2id$")
    assert auth.verify_password(record.password_hash, PASSWORD)
    assert not auth.verify_password(record.password_hash, PASSWORD + "x")
    assert not auth.verify_password("to nie jest skrót", PASSWORD)
    dump = repr(db_snapshot(db_url))
    assert PASSWORD not in dump  # not in any table, the audit log included
    assert "jan.kowalski" in store.audit()["details"].iloc[0]
    with pytest.raises(auth.AuthError, match="już istnieje"):
        auth.add_user(store, "jan.kowalski", PASSWORD)


@pytest.mark.parametrize(
    ("login", "password", "fragment"),
    [
        ("ewa", "krótkie", "co najmniej 10"),
        ("ewa", "aaaaaaaaaa", "różne znaki"),
        ("ewa", "password12", "popularne"),
        ("ewa", " " * 12, "samych spacji"),
        ("ewa", "x" * 2000, "najwyżej"),
        ("Ewa Nowak", PASSWORD, "Nieprawidłowy login"),
        ("<script>", PASSWORD, "Nieprawidłowy login"),
        ("", PASSWORD, "Nieprawidłowy login"),
    ],
)
def test_weak_passwords_and_bad_logins_are_refused(
    store: Store, login: str, password: str, fragment: str
) -> None:
    with pytest.raises(auth.AuthError, match=fragment):
        auth.add_user(store, login, password)
    assert store.users() == []


def test_login_succeeds_and_resets_the_counter(store: Store) -> None:
    auth.add_user(store, "ewa", PASSWORD)
    with pytest.raises(auth.AuthError) as wrong:
        auth.authenticate(store, "ewa", "złe hasło", now=T0)
    assert str(wrong.value) == auth.FAILED_LOGIN
    session = auth.authenticate(store, "EWA", PASSWORD, now=T0 + dt.timedelta(seconds=5))
    assert session.login == "ewa" and session.started_at == session.last_seen
    assert store.login_state("ewa").failures == 0 == store.client_state("").failures


def test_unknown_login_gets_the_same_answer_and_is_throttled_too(store: Store) -> None:
    auth.add_user(store, "ewa", PASSWORD)
    answers: dict[str, list[str]] = {"ewa": [], "nikt": []}
    # From a new client each time: only the per-login limit applies.
    for n in range(auth_limits.LOGIN_MAX_FAILURES + 1):
        for login in answers:
            with pytest.raises(auth.AuthError) as info:
                client = auth.Client(f"10.0.{len(login)}.{n}")
                auth.authenticate(store, login, "złe hasło", client=client, now=T0)
            answers[login].append(str(info.value))
    assert answers["ewa"] == answers["nikt"]  # nothing tells which account exists
    assert answers["nikt"][:-1] == [auth.FAILED_LOGIN] * auth_limits.LOGIN_MAX_FAILURES
    assert answers["nikt"][-1].startswith("Zbyt wiele nieudanych prób logowania")


def test_delay_grows_with_each_failure_and_is_persisted(
    store: Store,
    db_url: str,  # noqa: F811
) -> None:
    auth.add_user(store, "ewa", PASSWORD)
    now = T0
    waits = []
    for _ in range(6):
        with pytest.raises(auth.AuthError, match="Nieprawidłowy"):
            auth.authenticate(store, "ewa", "złe", now=now)
        delay = auth.login_delay(store.client_state("").failures)
        waits.append(delay.total_seconds())
        # Just before the delay ends even the right password is refused, and not counted.
        with pytest.raises(auth.AuthError, match="Spróbuj ponownie za"):
            auth.authenticate(store, "ewa", PASSWORD, now=now + delay * 0.9)
        now += delay + dt.timedelta(milliseconds=1)
    assert waits == [1, 2, 4, 8, 16, 32]
    assert store.login_state("ewa").failures == store.client_state("").failures == 6
    # A restarted app (a new Store) still makes the user wait.
    with Store(db_url) as restarted:
        with pytest.raises(auth.AuthError, match="Spróbuj ponownie za 32 s"):
            auth.authenticate(restarted, "ewa", PASSWORD, now=now - dt.timedelta(seconds=32))
        assert auth.authenticate(restarted, "ewa", PASSWORD, now=now).login == "ewa"


def test_delay_is_capped() -> None:
    assert auth.login_delay(0) == dt.timedelta(0)
    assert auth.login_delay(10) == dt.timedelta(seconds=512)
    assert auth.login_delay(11) == auth.MAX_DELAY == auth.login_delay(10_000)


def test_outdated_hash_is_upgraded_on_login(store: Store) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    store.add_user("ewa", weak)
    auth.authenticate(store, "ewa", PASSWORD, now=T0)
    upgraded = store.get_user("ewa").password_hash
    assert upgraded != weak and auth.verify_password(upgraded, PASSWORD)
    assert store.audit()["action"].tolist() == ["konto"]  # the silent re-hash is not logged


def test_session_ends_after_inactivity_or_maximum_age() -> None:
    session = auth.Session("ewa", T0, T0)
    active = auth.touch(session, now=T0 + dt.timedelta(minutes=29))
    assert active is not None and active.last_seen == T0 + dt.timedelta(minutes=29)
    assert auth.touch(session, now=T0 + auth.SESSION_IDLE) is None
    # Active all day: still ends after the maximum age.
    later = session
    for minutes in range(20, 8 * 60, 20):
        later = auth.touch(later, now=T0 + dt.timedelta(minutes=minutes))
        assert later is not None
    assert auth.touch(later, now=T0 + auth.SESSION_MAX) is None
    assert auth.touch(None) is None


# -- the users command -------------------------------------------------------------------------


def _users(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geo", "users", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        timeout=60,
    )


def test_users_cli_reads_the_password_from_stdin_only(tmp_path: Path) -> None:
    env = {"PES_HOME": str(tmp_path / "home"), "PES_DATABASE_URL": ""}
    added = _users(env, "add", "Ewa", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert "Utworzono konto „ewa”" in added.stdout
    assert PASSWORD not in added.stdout + added.stderr
    # The password is never an argument.
    refused = _users(env, "add", "piotr", "--password", PASSWORD)
    assert refused.returncode == 2 and "błąd użycia" in refused.stderr
    weak = _users(env, "add", "piotr", stdin="krótkie\n")
    assert weak.returncode == 1 and "co najmniej 10" in weak.stderr
    taken = _users(env, "add", "ewa", stdin=PASSWORD + "\n")
    assert taken.returncode == 1 and "już istnieje" in taken.stderr
    assert _users(env, "list").stdout.startswith("ewa\t")
    changed = _users(env, "password", "ewa", stdin="Nowe-Hasło-2027\n")
    assert changed.returncode == 0, changed.stderr

    settings = get_settings({"PES_HOME": str(tmp_path / "home")})
    with Store.from_settings(settings) as store:
        assert auth.authenticate(store, "ewa", "Nowe-Hasło-2027").login == "ewa"
        details = " ".join(store.audit()["details"])
        assert "konsola" in " ".join(store.audit()["user"].astype(str))
        assert PASSWORD not in details and "Nowe-Hasło-2027" not in details
    assert _users(env, "remove", "ewa").returncode == 0
    assert _users(env, "list").stdout == ""
    assert _users(env, "remove", "ewa").returncode == 1


# -- the login on the import page ------------------------------------------------------------


def _page(pes_env: dict[str, str]):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/import_danych.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_import_page_needs_a_login_and_forgets_the_password(pes_env: dict[str, str]) -> None:
    with Store(get_settings().database_url) as store:
        auth.add_user(store, "ewa", PASSWORD)
    at = _page(pes_env)
    assert not at.file_uploader and not at.segmented_control  # nothing for anonymous users
    assert "administrator serwera" in at.info[0].value
    assert "python -m" not in at.info[0].value  # commands are for the operator (README)

    at.text_input[0].input("ewa")
    at.text_input[1].input("złe hasło")
    at.button[0].click().run()
    assert [e.value for e in at.error] == [auth.FAILED_LOGIN.replace(".", "\\.")]
    assert not at.file_uploader

    with Store(get_settings().database_url) as store:
        store.reset_client_failures("")  # no waiting in the test (AppTest has no address)
    at.text_input[0].input("ewa")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert at.file_uploader and at.segmented_control
    assert "Zalogowano: **ewa**" in at.caption[0].value
    # The password is not kept anywhere in the session.
    state = {k: repr(at.session_state[k]) for k in at.session_state}
    assert not any(PASSWORD in v for v in state.values())

    # An expired session asks for the login again.
    old = at.session_state["pes_sesja"]
    at.session_state["pes_sesja"] = dataclasses.replace(
        old,
        started_at=old.started_at - dt.timedelta(hours=1),
        last_seen=old.last_seen - dt.timedelta(hours=1),
    )
    at.run()
    assert "Sesja wygasła" in at.warning[0].value
    assert not at.file_uploader

    # Logging out.
    at.text_input[0].input("ewa")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert at.file_uploader
    [logout] = [b for b in at.button if b.label == "Wyloguj"]
    token = at.session_state["pes_sesja"].token
    logout.click().run()
    assert not at.file_uploader and at.session_state["pes_sesja"] is None
    # The token ends in the store too: presenting it again is refused.
    with Store(get_settings().database_url) as store:
        stale = auth.Session("ewa", auth._now(), auth._now(), token)
        with pytest.raises(auth.AuthError, match="Sesja wygasła"):
            auth.require(store, stale, auth.Client())
