"""The Scenariusze page in headless Chromium, offline: the map draws, the optimiser runs, its
sites become the scenario and appear on the map as stars; no exception, no outside request.
A screenshot is written to ``test-artifacts/scenariusze.png``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.config import PROJECT_ROOT

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - reported by require_browser
    expect = sync_playwright = None

from browser_tools import map_frame, region_app, require_browser

from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS, guard_requests

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[str]:
    require_browser()
    with region_app(tmp_path_factory, shared_data, "scenariusze") as url:
        yield url


def _stars(page: Any) -> int:
    """Planned sites drawn on the map (the star markers)."""
    found = 0
    for frame in page.frames:
        try:
            found += frame.locator(".leaflet-marker-icon", has_text="★").count()
        except Exception:  # noqa: BLE001 - the old map's frame is removed while it is counted
            continue
    return found


def test_scenario_page_offline_with_optimiser(app_url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = chromium.new_page(viewport={"width": 1600, "height": 1250}, locale="pl-PL")
        guard_requests(page, outside)
        try:
            page.goto(app_url + "/scenariusze")
            page.get_by_role("heading", name="Scenariusze").wait_for(timeout=60_000)
            map_frame(page)
            assert _stars(page) == 0
            page.get_by_role("tab", name="Optymalizacja").click()
            page.get_by_text("K miejsc, najwięcej ludzi").click()
            page.get_by_role("button", name="Oblicz").click()
            page.get_by_text("Rozwiązanie optymalne").wait_for(timeout=120_000)
            page.get_by_role("button", name="Użyj jako scenariusza").click()
            expect(page.get_by_text("+5 / −0")).to_be_visible(timeout=60_000)
            deadline = time.monotonic() + 60
            while _stars(page) < 5 and time.monotonic() < deadline:
                page.wait_for_timeout(300)
            assert _stars(page) == 5
            expect(page.get_by_role("button", name="Pobierz scenariusz (XLSX)")).to_be_visible()
            assert page.locator('[data-testid="stException"]').count() == 0
            page.get_by_role("heading", name="Wynik scenariusza").scroll_into_view_if_needed()
            page.wait_for_timeout(800)
            page.screenshot(path=str(ARTIFACTS / "scenariusze.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "failure-scenariusze.png"))
            raise
        finally:
            chromium.close()
    assert outside == []
