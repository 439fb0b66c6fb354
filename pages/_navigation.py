"""The app's pages and the one adapter for Streamlit's legacy multipage mode.

Why this exists: a folder named ``pages/`` next to app.py makes Streamlit (1.67) run the app in
its legacy multipage mode until the first ``st.navigation`` call of the server process: a deep
link (``/o_danych``) to a freshly started server runs ``pages/o_danych.py`` alone, without
app.py (no page setup, a sidebar listing every file). Moving the page scripts out of the top
of ``pages/`` does not help: the legacy run then finds no page of that name and shows "Page not
found" before falling back to app.py. No configuration option turns the mode off.

The fix uses public API only: a page run in a session that has not been through app.py yet
(no :data:`APP_RAN_KEY` in its state) calls the same ``st.navigation`` as app.py, which ends
the legacy mode for the process and resolves the linked page, then reruns; the rerun goes
through app.py. (Streamlit's AppTest starts every run in legacy mode: there, later runs of a
session run the page without app.py, as they did before this adapter.)
``tests/app/test_navigation.py`` opens a deep link on a fresh runtime.
"""

from __future__ import annotations

import streamlit as st

#: Set in the session state by every run of app.py's navigation.
APP_RAN_KEY = "_app_py_ran"


def _page(path: str, title: str, icon: str, url_path: str | None = None, **kw: bool) -> st.Page:
    return st.Page(f"pages/{path}", title=title, icon=f":material/{icon}:", url_path=url_path, **kw)


def configure_page() -> None:
    """Title, favicon and width of every page.

    The favicon is an emoji: without one, Streamlit shows the page's material icon, which the
    browser fetches from Google (an outside request, blank offline).
    """
    st.set_page_config(page_title="Mapa ekonomii społecznej", page_icon="🗺️", layout="wide")


def navigation() -> st.Page:
    """The pages, sections in the top bar (drop-down menus leave the width to the map)."""
    st.session_state[APP_RAN_KEY] = True
    return st.navigation(
        {
            "Mapa i planowanie": [
                _page("mapa.py", "Mapa pokrycia", "map", default=True),
                _page("luki.py", "Luki", "report_problem", "luki"),
                _page("lpres.py", "LPRES", "assignment", "lpres"),
                _page("owes.py", "OWES", "hub", "owes"),
                _page("trendy.py", "Trendy", "timeline", "trendy"),
                _page("scenariusze.py", "Scenariusze", "add_location_alt", "scenariusze"),
            ],
            "Gmina i komitet": [
                _page("profil.py", "Moja gmina", "location_city", "profil"),
                _page("prezentacja.py", "Prezentacja", "slideshow", "prezentacja"),
                _page("raport.py", "Raport", "description", "raport"),
                _page("monitoring.py", "Monitoring", "monitoring", "monitoring"),
            ],
            "Rejestr PES": [
                _page("rejestr.py", "Rejestr", "list_alt", "rejestr"),
                _page("import_danych.py", "Import danych", "upload_file", "import_danych"),
                _page("o_danych.py", "O danych", "info", "o_danych"),
            ],
        },
        position="top",
    )


def through_app() -> None:
    """Rerun a page that Streamlit's legacy mode ran without app.py, through app.py."""
    if not st.session_state.get(APP_RAN_KEY):
        configure_page()
        navigation()
        st.rerun()
