"""WCAG 2.1 AA in a real browser: axe-core on every page, the map's frame included.

axe-core comes from the npm registry (``package.json``/``package-lock.json``, installed by
``make test``) and is injected from this machine: nothing is fetched from outside, and every
request to another host is aborted as in the other browser tests. Each page of the
navigation is opened as an anonymous visitor at 1280×720 (a projector) and checked in every
frame; the test fails on any *serious* or *critical* violation, naming rule and element.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.config import PROJECT_ROOT

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - reported by _require_tools
    sync_playwright = None

from browser_tools import region_app, require_browser

from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS, guard_requests

pytestmark = pytest.mark.browser

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
#: A gmina for the profile page (Tomaszów Lubelski, the README's example).
PROFILE_QUERY = "?gmina=0618011"


def _require_tools() -> None:
    require_browser((AXE, f"{AXE.relative_to(PROJECT_ROOT)} (npm ci, run by make test)"))


def page_paths() -> list[str]:
    """URL path of every page in the navigation ("" for the default page).

    Read from ``pages/_navigation.py`` so a page added there is checked without editing
    this test.
    """
    source = (PROJECT_ROOT / "pages" / "_navigation.py").read_text(encoding="utf-8")
    paths = []
    for call in re.finditer(r"_page\(\s*\"(\w+)\.py\"(?P<rest>[^)]*)\)", source):
        stem, rest = call.group(1), call.group("rest")
        paths.append("" if "default=True" in rest else stem)
    return paths


def test_every_page_is_found() -> None:
    """The page list the check walks is the navigation's (guards the parsing above)."""
    paths = page_paths()
    assert "" in paths and "o_danych" in paths and "profil" in paths
    on_disk = {p.stem for p in (PROJECT_ROOT / "pages").glob("*.py") if not p.stem.startswith("_")}
    assert on_disk <= {p or "mapa" for p in paths}


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[str]:
    _require_tools()
    with region_app(tmp_path_factory, shared_data, "a11y") as url:
        yield url


@pytest.fixture(scope="module")
def page(app_url: str) -> Iterator[tuple[Any, list[str]]]:
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 720}, locale="pl-PL")
        guard_requests(tab, outside)
        try:
            yield tab, outside
        finally:
            browser.close()


def _settle(tab: Any, timeout: float = 90) -> None:
    """Wait until the page's script has finished (no running indicator, a title drawn)."""
    # a page's title (h1), or a gmina's name (h2) on a profile opened by its link
    tab.wait_for_selector(
        "[data-testid='stMain'] h1, [data-testid='stMain'] h2", timeout=timeout * 1000
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = tab.locator("[data-testid='stStatusWidget']").count()
        if not running:
            break
        tab.wait_for_timeout(250)
    # Components (the map's frame) are laid out after the script run ends.
    tab.wait_for_timeout(1500)
    for handle in tab.query_selector_all("iframe"):
        frame = handle.content_frame()
        if frame is not None and "st_folium" in (frame.url or ""):
            frame.wait_for_selector(
                ".leaflet-overlay-pane path", state="attached", timeout=timeout * 1000
            )


def _violations(frame: Any) -> list[dict[str, Any]]:
    frame.add_script_tag(path=str(AXE))
    return frame.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                resultTypes: ['violations'],
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.html.slice(0, 120)),
            }));
        }"""
    )


@pytest.mark.parametrize("path", page_paths())
def test_no_serious_violations(page: tuple[Any, list[str]], app_url: str, path: str) -> None:
    tab, outside = page
    query = PROFILE_QUERY if path == "profil" else ""
    tab.goto(f"{app_url}/{path}{query}")
    _settle(tab)
    found: list[str] = []
    frames = [tab.main_frame] + [
        h.content_frame() for h in tab.query_selector_all("iframe") if h.content_frame()
    ]
    for frame in frames:
        # The document and every frame are Polish (screen readers' pronunciation) ...
        assert frame.evaluate("document.documentElement.lang") == "pl", frame.url
        # ... and none stops the user from zooming (WCAG 1.4.4).
        viewports = frame.evaluate(
            "Array.from(document.querySelectorAll('meta[name=viewport]')).map(m => m.content)"
        )
        assert not any("user-scalable=no" in v or "maximum-scale=1" in v for v in viewports)
        for violation in _violations(frame):
            if violation["impact"] in BLOCKING:
                found.append(
                    f"{frame.url}: {violation['id']} ({violation['impact']}) {violation['nodes']}"
                )
    assert not found, "\n".join(found)
    assert not outside, outside
