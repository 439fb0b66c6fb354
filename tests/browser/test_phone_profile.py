"""The gmina profile on a phone (390×844) in headless Chromium, offline.

The gmina's name and CIS/KIS status in the top two thirds of the first screen, the PDF button
on the first screen, a legible legend, a table that scrolls sideways with its distance column,
the link (with ``stan=``) copied by the button. Screenshots: ``test-artifacts/phone-*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.config import PROJECT_ROOT

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - reported by require_browser
    expect = sync_playwright = None

from browser_tools import region_app, require_browser

from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS, guard_requests

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DAY = "2026-06-30"


@pytest.fixture(scope="module")
def phone_url(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[str]:
    require_browser()
    with region_app(tmp_path_factory, shared_data, "phone") as url:
        yield url


@pytest.fixture()
def phone(phone_url: str, request: pytest.FixtureRequest) -> Iterator[tuple[Any, list[str]]]:
    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = chromium.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="pl-PL"
        )
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=phone_url)
        page = context.new_page()
        guard_requests(page, outside)
        failures_before = request.session.testsfailed
        try:
            yield page, outside
        finally:
            if request.session.testsfailed > failures_before:
                page.screenshot(path=str(ARTIFACTS / f"failure-{request.node.name}.png"))
            chromium.close()


def _to_top(page) -> None:
    """Scroll back to the first screen (Streamlit scrolls its main block, not the window)."""
    page.evaluate(
        "() => { window.scrollTo(0, 0);"
        " document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; }); }"
    )
    page.wait_for_timeout(300)


def _bottom(locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["y"] + box["height"]


def test_profile_on_a_phone(phone, phone_url: str) -> None:
    page, outside = phone
    page.goto(f"{phone_url}/profil?gmina=0618011&stan={DAY}")
    name = page.get_by_role("heading", name="Tomaszów Lubelski").first
    name.wait_for(timeout=60_000)
    status = page.get_by_text("CIS/KIS: brak CIS/KIS").first
    expect(status).to_be_visible()
    pdf = page.get_by_role("button", name="Pobierz kartę gminy (PDF)")
    expect(pdf).to_be_visible(timeout=60_000)
    _to_top(page)
    page.screenshot(path=str(ARTIFACTS / "phone-profile.png"))

    first_screen = PHONE["height"]
    assert _bottom(name) <= first_screen * 2 / 3
    assert _bottom(status) <= first_screen * 2 / 3
    assert _bottom(pdf) <= first_screen
    assert f"stan={DAY}" in page.url and "gmina=0618011" in page.url
    assert "stan na 30.06.2026" in page.locator("body").inner_text()

    # The legend of the map is page text, legible at phone width.
    legend = page.locator(".profil-legenda").first
    legend.scroll_into_view_if_needed()
    expect(legend).to_contain_text("brak CIS/KIS")
    assert legend.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 12

    # The nearest CIS/KIS: the table scrolls sideways, its distance column is on screen.
    table = page.locator(".pes-przewijana").first
    table.scroll_into_view_if_needed()
    assert table.evaluate("e => e.scrollWidth > e.clientWidth")  # wider than the phone
    assert table.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    distance = table.locator("th", has_text="Odległość")
    expect(distance).to_be_visible()
    box = distance.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    expect(table.locator("td", has_text="km").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "phone-profile-table.png"))

    # The unlocated KIS of the sample registry is on the profile.
    expect(
        page.get_by_text("Klub Integracji Społecznej w Tomaszowie Lubelskim").first
    ).to_be_visible()

    # The copy button puts the full link, with the date, on the clipboard.
    _to_top(page)
    frame = page.frame_locator("iframe").first  # the only one on the profile
    frame.get_by_role("button").click()
    expect(frame.get_by_role("button")).to_contain_text("Skopiowano", timeout=10_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.url and f"stan={DAY}" in copied

    with page.expect_download(timeout=60_000) as download:
        pdf.click()
    assert download.value.suggested_filename == f"karta_gminy_0618011_{DAY}.pdf"
    assert outside == [], f"requests left the machine: {outside}"
