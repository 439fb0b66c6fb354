"""The editor's login on the pages: who the client is, the login form, the session, writes.

The credential is our own login token (:mod:`geo.store.auth`), kept in the session state and
checked in the store, bound to the client it was issued to: the Streamlit session id (which
shows in upload URLs) is not enough to act as the editor. Every write goes through
:func:`editor`, which checks the token in the store right before it.

The client: the connection's address (``st.context.ip_address``), or, when
``PES_TRUSTED_PROXIES`` says N proxies stand in front of the app, the address the outermost of
them saw (the N-th entry of ``X-Forwarded-For`` from the right). Its traits (the browser's user
agent and Streamlit's XSRF cookie) bind the token to this browser as well.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from geo.config import Settings
from geo.store import Store, auth
from pages import _common as c

#: The session state key of the logged-in editor (an auth.Session with its token).
SESSION_KEY = "pes_sesja"
_XSRF_COOKIE = "_streamlit_xsrf"


def client_address(peer: str | None, forwarded_for: str | None, trusted_proxies: int) -> str:
    """The client's address: the peer's, or the one the outermost trusted proxy saw."""
    peer = peer if isinstance(peer, str) else None  # Streamlit's test harness gives a mock
    if trusted_proxies > 0 and isinstance(forwarded_for, str) and forwarded_for:
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies][:100]
        # Fewer entries than proxies: the header did not come through them all; use the peer.
    return (peer or "")[:100]


def client(settings: Settings) -> auth.Client:
    """The client of this session's connection."""
    headers: Mapping[str, str] = st.context.headers or {}
    cookies: Mapping[str, str] = st.context.cookies or {}
    address = client_address(
        st.context.ip_address, headers.get("X-Forwarded-For"), settings.trusted_proxies
    )
    traits = f"{headers.get('User-Agent', '')}\0{cookies.get(_XSRF_COOKIE, '')}"
    return auth.Client(address=address, traits=traits)


def current_session(store: Store, settings: Settings) -> auth.Session | None:
    """The editor of this session if the token is still valid for this client, else ``None``."""
    previous = st.session_state.get(SESSION_KEY)
    session = c.guarded(lambda: auth.verify_session(store, previous, client(settings)))
    st.session_state[SESSION_KEY] = session
    if previous is not None and session is None:
        st.warning(
            "Sesja wygasła lub została zakończona. Zaloguj się ponownie.",
            icon=":material/timer_off:",
        )
    return session


def login_form(store: Store, settings: Settings) -> None:
    """The login form; a successful login replaces any token this session had."""
    st.info(
        "Przeglądanie mapy i rejestru jest publiczne. Import plików, poprawki i przywracanie "
        "wersji wymagają zalogowania. Konto redaktora zakłada administrator serwera.",
        icon=":material/lock:",
    )
    # clear_on_submit: the password does not stay in the session state after the attempt.
    with st.form("logowanie", clear_on_submit=True, width=420):
        login = st.text_input("Login", autocomplete="username")
        password = st.text_input("Hasło", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Zaloguj", type="primary")
    if submitted:
        try:
            session = auth.authenticate(
                store,
                login,
                password,
                client=client(settings),
                replaces=st.session_state.get(SESSION_KEY),
            )
        except auth.AuthError as exc:
            # AuthError is a UserError too: shown here, beside the form, not as a page error
            st.error(c.md(exc), icon=":material/error:")
            return
        st.session_state[SESSION_KEY] = session
        st.rerun()


def logout(store: Store) -> None:
    """End the token in the store and forget the session."""
    c.guarded(lambda: auth.logout(store, st.session_state.get(SESSION_KEY)))
    st.session_state[SESSION_KEY] = None


def editor(store: Store, session: auth.Session, settings: Settings | None = None) -> str:
    """The editor's login, its token checked in the store right before a write (else the
    page stops with a Polish message and nothing is written)."""
    s = settings or c.settings()
    return c.guarded(lambda: auth.require(store, session, client(s)))


def editor_with_password(
    store: Store, session: auth.Session, password: str, settings: Settings | None = None
) -> str | None:
    """:func:`editor` with the password typed again; ``None`` (and a message) when wrong."""
    s = settings or c.settings()
    try:
        return auth.reauthenticate(store, session, client(s), password)
    except auth.AuthError as exc:
        st.error(c.md(exc), icon=":material/error:")
        return None
