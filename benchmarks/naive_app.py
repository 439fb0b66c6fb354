"""The naive page as its own Streamlit app: the baseline of the protocol load test.

``streamlit run benchmarks/naive_app.py`` draws the naive folium map of
:mod:`benchmarks.naive` (every boundary at full precision, one marker with a popup per entity)
through ``st_folium`` with its defaults, as a first version of the dashboard would. The
coverage itself is computed once per process (a naive app would cache it too): what the
comparison measures is the map and how it reaches a new session. Leaflet is served locally
(no internet here) when a ``static/`` folder with the vendored files sits next to the script
the server was started with (the load test runs it through a link in a work folder).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from benchmarks.naive import naive_map, offline  # noqa: E402
from geo import pipeline  # noqa: E402
from geo.config import get_settings  # noqa: E402


@st.cache_resource(show_spinner="Obliczanie pokrycia gmin…")
def _coverage(as_of: dt.date) -> pipeline.CoverageResult:
    return pipeline.run(get_settings(), as_of)


st.set_page_config(page_title="Mapa ekonomii społecznej (naiwna)", layout="wide")
st.title("Mapa pokrycia (wersja naiwna)")
result = _coverage(dt.date.today())
st.caption(f"Stan na {result.as_of:%d.%m.%Y}")
st_folium(offline(naive_map(result)), height=720, use_container_width=True)
