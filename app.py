"""Mapa ekonomii społecznej: the Streamlit entry point (``streamlit run app.py``).

Only navigation and page setup live here; each page is a thin view in ``pages/`` and the
shared, cached data loading is in ``pages/_common.py``.
"""

from __future__ import annotations

import streamlit as st

from pages import _common as common

st.set_page_config(
    page_title="Mapa ekonomii społecznej",
    page_icon="🗺️",  # an emoji: a material icon favicon would be fetched from Google
    layout="wide",
)


def _page(path: str, title: str, icon: str, url_path: str | None = None, **kw: bool) -> st.Page:
    return st.Page(f"pages/{path}", title=title, icon=f":material/{icon}:", url_path=url_path, **kw)


# This session runs through the navigation below (see common.leave_legacy_multipage_mode).
st.session_state[common.APP_RAN_KEY] = True

# Sections become drop-down menus in the top bar, leaving the whole width to the map.
navigation = st.navigation(
    {
        "Mapa i planowanie": [
            _page("mapa.py", "Mapa pokrycia", "map", default=True),
            _page("luki.py", "Luki", "report_problem", "luki"),
            _page("lpres.py", "LPRES", "assignment", "lpres"),
            _page("owes.py", "OWES", "hub", "owes"),
            _page("trendy.py", "Trendy", "timeline", "trendy"),
        ],
        "Gmina i komitet": [
            _page("profil.py", "Moja gmina", "location_city", "profil"),
            _page("prezentacja.py", "Prezentacja", "slideshow", "prezentacja"),
            _page("raport.py", "Raport", "description", "raport"),
        ],
        "Rejestr PES": [
            _page("rejestr.py", "Rejestr", "list_alt", "rejestr"),
            _page("import_danych.py", "Import danych", "upload_file", "import_danych"),
            _page("o_danych.py", "O danych", "info", "o_danych"),
        ],
    },
    position="top",
)
# Less empty space above the title: the map should fit a projector screen.
st.html("<style>[data-testid='stMainBlockContainer'] { padding-top: 2.5rem; }</style>")
common.prepare_static_assets()
navigation.run()
