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

navigation = st.navigation(
    [
        st.Page("pages/mapa.py", title="Mapa pokrycia", icon=":material/map:", default=True),
        st.Page("pages/o_danych.py", title="O danych", icon=":material/info:"),
    ],
    position="top",  # two pages: a top bar leaves the whole width to the map
)
# Less empty space above the title: the map should fit a projector screen.
st.html("<style>[data-testid='stMainBlockContainer'] { padding-top: 2.5rem; }</style>")
common.prepare_static_assets()
navigation.run()
