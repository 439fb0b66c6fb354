"""Registry management for editors: import with review, manual fixes, history, audit log.

Viewing the dashboard is public; this page needs an editor login (accounts are made by the
operator: ``python -m geo users add LOGIN``). An upload is only read and compared until the
editor confirms it; the store then writes it as a new version in one transaction. All the
logic lives in geo.registry, geo.store and geo.store.auth; the login is drawn by pages/_auth.py,
this page picks a section, and each section is drawn by its module in pages/_import/.
"""

from __future__ import annotations

import streamlit as st

from geo.store import auth
from pages import _auth
from pages import _common as c
from pages._import import local_time
from pages._import.audit import audit_section
from pages._import.fixes import fixes_section
from pages._import.history import history_section
from pages._import.upload import REVIEW_KEY, import_section

SECTIONS = ("Import pliku", "Poprawki ręczne", "Historia wersji", "Dziennik zmian")

settings = c.settings()
store = c.guarded(lambda: c.store(settings))
st.title("Import danych")
session = _auth.current_session(store, settings)
if session is None:
    _auth.login_form(store, settings)
    st.stop()
assert session is not None

top1, top2 = st.columns([4, 1], vertical_alignment="center")
top1.caption(
    f"Zalogowano: **{c.md(session.login)}** · sesja wygasa po "
    f"{int(auth.SESSION_IDLE.total_seconds() // 60)} min bezczynności "
    f"(najpóźniej {local_time(session.started_at + auth.SESSION_MAX)})."
)
if top2.button("Wyloguj", icon=":material/logout:"):
    _auth.logout(store)
    st.session_state.pop(REVIEW_KEY, None)
    st.rerun()

# Only the chosen section runs (tabs would compute all four on every interaction).
section = (
    st.segmented_control(
        "Sekcja",
        SECTIONS,
        default=SECTIONS[0],
        key="import_sekcja",
        label_visibility="collapsed",
    )  # fmt: skip
    or SECTIONS[0]
)
if section == SECTIONS[0]:
    import_section(store, session)
elif section == SECTIONS[1]:
    fixes_section(store, session)
elif section == SECTIONS[2]:
    history_section(store, session)
else:
    audit_section(store)
