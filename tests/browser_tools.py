"""The one check of the browser tests' tools: skipped on a developer's machine without them,
a failure in CI (where .ci/run installs Chromium and the dev extras install Playwright)."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.browser import CHROMIUM, streamlit_server
from geo.web.assets import ensure_static_assets


def require_browser(*extra: tuple[Path, str]) -> None:
    """Skip or fail unless Chromium, Playwright and every ``(path, how to get it)`` exist."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e .[dev])")
    missing += [how for path, how in extra if not path.exists()]
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI; missing: {', '.join(missing)}")
    pytest.skip(f"outside CI and missing: {', '.join(missing)}")


@contextlib.contextmanager
def region_app(tmp: pytest.TempPathFactory, shared_data: Path, name: str) -> Iterator[str]:
    """The app (Lubelskie, the shared data, a new PES_HOME) on a free port: its URL.

    The browser tests' one server: call :func:`require_browser` first."""
    ensure_static_assets()
    home = tmp.mktemp(name) / "home"
    env = {"PES_HOME": str(home), "PES_DATA_DIR": str(shared_data), "PES_REGION": "06"}
    log = tmp.mktemp(f"streamlit-{name}") / "streamlit.log"
    with streamlit_server("app.py", env, log, timeout=60) as server:
        yield server.url


#: A map frame is ready when every gmina of Lubelskie is drawn.
ALL_GMINAS_DRAWN = "document.querySelectorAll('path.gmina').length >= 213"


def map_frame(page: Any, ready: str = ALL_GMINAS_DRAWN, timeout: float = 120) -> Any:
    """The streamlit-folium frame that draws gminas, once the JavaScript ``ready`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.locator("path.gmina").count() > 0:
                    frame.wait_for_function(ready, timeout=10_000)
                    return frame
            except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
                continue
        page.wait_for_timeout(300)
    raise AssertionError("the map (path.gmina) did not appear")
