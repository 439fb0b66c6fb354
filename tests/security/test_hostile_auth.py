"""Hostile cases against the login, the client address, the session token and the production
settings (issue 16): what an anonymous client can send must not log it in, lock others out
for long, empty the caches or show the server's internals."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import tomllib

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from geo.config import PROJECT_ROOT, get_settings
from geo.store import Store, auth
from pages import _production
from pages._auth import client_address

PASSWORD = "Zielona-Łąka-2026"
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture()
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'auth.sqlite'}") as opened:
        auth.add_user(opened, "ewa", PASSWORD)
        yield opened


# -- logins -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "login",
    [
        "' OR '1'='1",
        "ewa' --",
        "ewa%",
        "ew_",
        "ewa\x00",
        "ewa\nadmin",
        "еwa",  # Cyrillic "е"
        "ｅｗａ",  # full-width letters
        "ewa" + " " * 500 + "x",
        "x" * 100_000,
        None,
        12345,
    ],
    ids=repr,
)
def test_hostile_logins_never_log_in(store: Store, login: object) -> None:
    with pytest.raises(auth.AuthError) as refused:
        auth.authenticate(store, login, PASSWORD, client=auth.Client("198.51.100.9"), now=T0)  # type: ignore[arg-type]
    assert str(refused.value) == auth.FAILED_LOGIN
    assert store.get_user("ewa") is not None and len(store.users()) == 1


@pytest.mark.parametrize(
    "password",
    ["", PASSWORD + "\x00", PASSWORD.upper(), PASSWORD[:-1], " " + PASSWORD, "x" * 1_000_000, None],
    ids=lambda p: repr(p)[:30],
)
def test_near_miss_and_absurd_passwords_fail(store: Store, password: object) -> None:
    with pytest.raises(auth.AuthError, match="Nieprawidłowy login lub hasło"):
        auth.authenticate(store, "ewa", password, client=auth.Client("198.51.100.10"), now=T0)  # type: ignore[arg-type]


# -- the client address -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("peer", "forwarded", "proxies", "expected"),
    [
        # Without a trusted proxy the header is the client's own words: ignored.
        ("203.0.113.5", "1.2.3.4", 0, "203.0.113.5"),
        ("203.0.113.5", "1.2.3.4, 5.6.7.8", 0, "203.0.113.5"),
        # One proxy: the address it appended (the last entry); what came before is forgeable.
        ("10.0.0.1", "1.2.3.4, 198.51.100.7", 1, "198.51.100.7"),
        ("10.0.0.1", "198.51.100.7", 1, "198.51.100.7"),
        ("10.0.0.1", "a, b, 198.51.100.7, 10.0.0.2", 2, "198.51.100.7"),
        # Fewer entries than proxies, an empty or blank header: the peer.
        ("10.0.0.1", "198.51.100.7", 2, "10.0.0.1"),
        ("10.0.0.1", "", 1, "10.0.0.1"),
        ("10.0.0.1", " , ,", 1, "10.0.0.1"),
        (None, None, 0, ""),
        (object(), 12, 1, ""),  # not text (the test harness gives a mock)
        ("10.0.0.1", "x" * 10_000, 1, "x" * 100),
    ],
)
def test_client_address_trusts_forwarded_for_only_behind_proxies(
    peer: str | None, forwarded: str | None, proxies: int, expected: str
) -> None:
    assert client_address(peer, forwarded, proxies) == expected


def test_rotating_a_forged_forwarded_for_does_not_escape_throttling(store: Store) -> None:
    answers = []
    for i in range(5):  # no trusted proxy: every attempt is the same client
        address = client_address("203.0.113.5", f"10.9.9.{i}", 0)
        try:
            auth.authenticate(store, f"nikt{i}", "złe", client=auth.Client(address), now=T0)
        except auth.AuthError as exc:
            answers.append(str(exc))
    assert answers[0] == auth.FAILED_LOGIN
    assert all(a.startswith("Zbyt wiele") for a in answers[1:])


# -- the production settings ------------------------------------------------------------------


def test_config_hides_error_details_with_a_value_streamlit_accepts() -> None:
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    value = config["client"]["showErrorDetails"]
    from streamlit.config import ShowErrorDetailsConfigOptions as Options

    assert value == Options.NONE.value
    with patch_config_options({"client.showErrorDetails": value, "global.appTest": False}):
        from pages._common import internals_visible

        assert internals_visible() is False
    with patch_config_options({"client.showErrorDetails": "full", "global.appTest": False}):
        assert internals_visible() is True


def _failing_page() -> None:
    from pages._common import user_errors

    with user_errors():
        raise RuntimeError("(sqlite3.OperationalError) SELECT * FROM users /srv/pes/mapa-es.sqlite")


def test_visitors_get_a_polish_message_not_the_internals(monkeypatch: pytest.MonkeyPatch) -> None:
    import pages._common as common

    # As with the production config (Streamlit's test harness otherwise shows details).
    monkeypatch.setattr(common, "internals_visible", lambda: False)
    at = AppTest.from_function(_failing_page, default_timeout=30).run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "nieoczekiwany błąd" in shown
    assert "SELECT" not in shown and "sqlite" not in shown and "/srv" not in shown


def _app_session():
    from streamlit.runtime.app_session import AppSession
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.script_data import ScriptData
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    return AppSession(
        ScriptData(str(PROJECT_ROOT / "app.py"), is_hello=False),
        MemoryUploadedFileManager("/_stcore/upload_file"),
        ScriptCache(),
        None,
        {},
    )


def test_an_anonymous_clear_cache_message_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit as st
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.runtime.app_session import AppSession

    # Start from Streamlit's own handlers (app.py may have installed the shim already).
    for name in _production.REFUSED_HANDLERS:
        handler = getattr(AppSession, name)
        monkeypatch.setattr(AppSession, name, getattr(handler, "__wrapped__", handler))
    computed: list[int] = []

    @st.cache_data
    def expensive(x: int) -> int:
        computed.append(x)
        return x

    message = BackMsg()
    message.clear_cache = True

    async def send() -> None:
        session = _app_session()
        try:
            expensive(1)
            session.handle_backmsg(message)  # Streamlit alone: everyone's cache is emptied
            expensive(1)
            assert computed == [1, 1]
            _production.refuse_development_messages()
            _production.refuse_development_messages()  # idempotent
            session.handle_backmsg(message)
            expensive(1)
            assert computed == [1, 1]  # still cached
        finally:
            session.shutdown()

    asyncio.run(send())


def test_the_shim_fails_loudly_if_streamlit_renames_the_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from streamlit.runtime.app_session import AppSession

    monkeypatch.delattr(AppSession, "_handle_clear_cache_request")
    with pytest.raises(RuntimeError, match="pages/_production.py"):
        _production.refuse_development_messages()


# -- a session taken over ---------------------------------------------------------------------


def test_a_session_taken_over_from_another_client_cannot_write(
    pes_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pages._auth as page_auth

    with Store(get_settings().database_url) as s:
        auth.add_user(s, "ewa", PASSWORD)
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/import_danych.py").run()
    at.text_input[0].input("ewa")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert at.file_uploader and not at.exception
    # The same Streamlit session, now driven from another address (e.g. its id from a log).
    monkeypatch.setattr(page_auth, "client", lambda _s: auth.Client("192.0.2.99", "curl"))
    at.run()
    assert not at.file_uploader and "Sesja wygasła" in at.warning[0].value
    assert at.session_state["pes_sesja"] is None


def test_concurrent_checks_stay_within_the_cap(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "_slots", threading.BoundedSemaphore(1))
    assert auth._slots.acquire(blocking=False)  # a check in progress elsewhere
    try:
        with pytest.raises(auth.AuthError, match="Spróbuj ponownie za chwilę"):
            auth.authenticate(store, "ewa", PASSWORD, client=auth.Client("10.7.0.1"), now=T0)
    finally:
        auth._slots.release()
    assert store.client_state("10.7.0.1").failures == 0  # nothing was tried, nothing counted
    assert auth.authenticate(store, "ewa", PASSWORD, client=auth.Client("10.7.0.1"), now=T0)


def test_under_the_test_harness_unexpected_errors_still_surface() -> None:
    # Other AppTest tests rely on at.exception to catch bugs: the wrapper must not hide them.
    at = AppTest.from_function(_failing_page, default_timeout=30).run()
    assert at.exception
    # ... and Streamlit itself, with the project's config.toml, redacts the details.
    assert "redacted" in at.exception[0].message and "SELECT" not in at.exception[0].message
