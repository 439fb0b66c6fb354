"""End to end: the Monitoring page in headless Chromium, with requests off this machine blocked.

Opens ``/monitoring`` on a fresh server (sample registry, sample indicator file) and checks
that the status figures, the chart and the downloads are drawn, that the sample is labelled
and that no request left the machine. Screenshots are written to
``test-artifacts/monitoring.png`` (top) and ``monitoring-chart.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.config import PROJECT_ROOT

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - reported by require_browser
    expect = sync_playwright = None

from browser_tools import region_app, require_browser

from benchmarks.browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    guard_requests,
)

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def monitoring_url(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[str]:
    require_browser()
    with region_app(tmp_path_factory, shared_data, "monitoring") as url:
        yield url


def test_monitoring_page(monitoring_url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = chromium.new_page(viewport={"width": 1280, "height": 720}, locale="pl-PL")
        guard_requests(page, outside)
        try:
            page.goto(monitoring_url + "/monitoring")
            expect(page.get_by_role("heading", name="Monitoring programu")).to_be_visible(
                timeout=90_000
            )
            # the status figures (one per status, symbol and word) and the sample label
            metrics = page.locator('[data-testid="stMetric"]')
            expect(metrics).to_have_count(4, timeout=90_000)
            expect(metrics.first).to_contain_text("cel osiągnięty")
            expect(page.get_by_text("PRZYKŁAD: wskaźniki ilustracyjne").first).to_be_visible()
            expect(
                page.get_by_text("Historia jest tak pełna, jak daty w rejestrze")
            ).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "monitoring.png"))
            # the chart of the chosen indicator and the committee downloads
            chart = page.locator('[data-testid="stVegaLiteChart"]').first
            chart.scroll_into_view_if_needed()
            expect(chart.locator("canvas, svg").first).to_be_visible(timeout=60_000)
            expect(page.get_by_text("Slajd dla komitetu (PNG)")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "monitoring-chart.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "failure-monitoring.png"), full_page=True)
            raise
        finally:
            chromium.close()
    assert not outside, outside
