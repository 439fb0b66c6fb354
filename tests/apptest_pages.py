"""Opening a page of the app in AppTest as a new visitor (a new session on the same process)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT

APP = str(PROJECT_ROOT / "app.py")
TIMEOUT = 60


def open_page(page: str, **params: str) -> AppTest:
    """Run app.py with ``params`` in the URL, switch to ``page`` and check it raised nothing."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
