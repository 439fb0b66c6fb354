"""The one check of the browser tests' tools: skipped on a developer's machine without them,
a failure in CI (where .ci/run installs Chromium and the dev extras install Playwright)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.browser import CHROMIUM


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
