"""Deep links to a fresh server: the adapter for Streamlit's legacy multipage mode.

AppTest starts every run like a fresh server process (it resets Streamlit's legacy-mode flag),
so switching to a page *before* the first run is the deep link ``/o_danych`` to a server that
has never run app.py's navigation (see ``pages/_navigation.py``).
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT

APP = str(PROJECT_ROOT / "app.py")


def test_deep_link_to_a_fresh_server_runs_through_app_py(pes_env) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/o_danych.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["O danych"]
    # app.py ran the page: its page style and language (st.html) are drawn, o_danych draws none
    assert len(at.get("html")) == 2
