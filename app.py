"""Mapa ekonomii społecznej: the Streamlit entry point (``streamlit run app.py``).

Only page setup lives here; the pages are listed in ``pages/_navigation.py`` (with the
adapter for deep links to a fresh server), each page is a thin view in ``pages/`` and the
shared, cached data loading is in ``pages/_common.py``.
"""

from __future__ import annotations

import streamlit as st

from geo.config import PROJECT_ROOT
from pages import _common as common
from pages import _navigation as page_navigation
from pages import _production as production

# No browser may empty everyone's caches (Streamlit's clear_cache message): see the module.
production.refuse_development_messages()
page_navigation.configure_page()

navigation = page_navigation.navigation()
# Less empty space above the title: the map should fit a projector screen.
st.html("<style>[data-testid='stMainBlockContainer'] { padding-top: 2.5rem; }</style>")
# Streamlit's page says lang="en" and cannot be configured (the text is Polish: screen readers
# pick their pronunciation from it, WCAG 3.1.1), and its fixed-height containers scroll
# without being reachable by keyboard (WCAG 2.1.1): pages/_document.js mends both.
st.html(
    "<script>"
    + (PROJECT_ROOT / "pages" / "_document.js").read_text(encoding="utf-8")
    + "</script>",
    unsafe_allow_javascript=True,
)
# The one handler of errors written for users (geo.errors.UserError), for every page.
with common.user_errors():
    common.prepare_static_assets()
    navigation.run()
