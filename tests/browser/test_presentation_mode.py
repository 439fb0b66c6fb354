"""The presentation mode ``/prezentacja?pokaz=1`` in headless Chromium at 1280x720.

Every slide is opened by its deep link (``slajd=N``) and must fit the projector's screen with
nothing to scroll and no visible text under 18 px (1/40 of 720; measured with
getComputedStyle over the visible text nodes); the app's navigation is hidden. A clicker's
keys (ArrowRight, PageDown, Space, ArrowLeft, PageUp) move the slides and the URL follows;
Escape leaves the mode. Screenshots: ``test-artifacts/pokaz-slajd-N.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.config import PROJECT_ROOT

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - the browser tests skip or fail in require_browser
    expect = sync_playwright = None

from browser_tools import region_app, require_browser

from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS, guard_requests

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SCREEN = {"width": 1280, "height": 720}
MIN_PX = 18.0

# Visible text nodes (inside the viewport, not hidden) whose computed font size is too small.
_SMALL_TEXT_JS = """(minPx) => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (!text || !node.parentElement) continue;
    const style = getComputedStyle(node.parentElement);
    if (style.visibility === "hidden" || style.display === "none") continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const seen = [...range.getClientRects()].some(
      (r) => r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0
        && r.top < innerHeight && r.left < innerWidth);
    if (!seen) continue;
    const size = parseFloat(style.fontSize);
    if (size < minPx) small.push(`${text.slice(0, 40)} (${size}px)`);
  }
  return small;
}"""

# Everything that scrolls: the document, or any element with content beyond its box.
_SCROLLING_JS = """() => {
  const out = [];
  const root = document.scrollingElement;
  if (root.scrollHeight > innerHeight + 1 || root.scrollWidth > innerWidth + 1) out.push("document");
  for (const el of document.querySelectorAll("*")) {
    const s = getComputedStyle(el);
    const scrollsY = ["auto", "scroll"].includes(s.overflowY) && el.scrollHeight > el.clientHeight + 1;
    const scrollsX = ["auto", "scroll"].includes(s.overflowX) && el.scrollWidth > el.clientWidth + 1;
    if (scrollsY || scrollsX) {
      out.push(`${el.tagName}.${el.getAttribute("data-testid") || el.className}: `
        + `${el.scrollHeight}/${el.clientHeight}`);
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[str]:
    require_browser()
    with region_app(tmp_path_factory, shared_data, "pokaz") as url:
        yield url


@pytest.fixture()
def page(app_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A 1280x720 page (a projector) whose requests to other machines fail the test."""
    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = chromium.new_page(viewport=SCREEN, locale="pl-PL")
        guard_requests(tab, outside)
        failures_before = request.session.testsfailed
        try:
            yield tab
            assert outside == [], f"requests left the machine: {outside}"
        finally:
            if request.session.testsfailed > failures_before:
                tab.screenshot(path=str(ARTIFACTS / f"failure-{request.node.name}.png"))
            chromium.close()


def _on_slide(tab: Any, number: int, timeout: float = 60_000) -> int:
    """Wait until slide ``number`` is drawn (images loaded); the number of slides."""
    counter = tab.get_by_text(re.compile(rf"^Slajd {number} / \d+$"))
    counter.wait_for(timeout=timeout)
    tab.wait_for_function(
        "document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'",
        timeout=timeout,
    )
    tab.wait_for_function(
        "[...document.images].every((i) => i.complete && i.naturalWidth > 0)"
        " && !document.querySelector('[data-testid^=stSkeleton]')",
        timeout=timeout,
    )
    tab.wait_for_timeout(400)  # let the layout settle after the images
    return int(counter.inner_text().split("/")[1])


def test_every_slide_fits_the_screen_with_large_text(page: Any, app_url: str) -> None:
    tab = page
    tab.goto(f"{app_url}/prezentacja?pokaz=1&slajd=1")
    count = _on_slide(tab, 1, timeout=120_000)
    assert count >= 7
    problems: dict[int, list[str]] = {}
    for number in range(1, count + 1):
        tab.goto(f"{app_url}/prezentacja?pokaz=1&slajd={number}")  # the deep link
        _on_slide(tab, number)
        assert f"slajd={number}" in tab.url
        tab.screenshot(path=str(ARTIFACTS / f"pokaz-slajd-{number}.png"))
        found = [f"small text: {t}" for t in tab.evaluate(_SMALL_TEXT_JS, MIN_PX)]
        found += [f"scrolls: {s}" for s in tab.evaluate(_SCROLLING_JS)]
        # no app navigation or menu in this mode
        if tab.get_by_text("Mapa i planowanie").first.is_visible():
            found.append("the app's navigation is visible")
        if found:
            problems[number] = found
    assert not problems, "\n".join(f"slide {n}: {p}" for n, p in problems.items())


def test_full_screen_button_uses_the_top_document(page: Any, app_url: str) -> None:
    tab = page
    tab.goto(f"{app_url}/prezentacja?pokaz=1&slajd=2")
    _on_slide(tab, 2, timeout=120_000)
    tab.locator("#pokaz-pelny-ekran").click()
    tab.wait_for_function("document.fullscreenElement === document.documentElement")
    tab.evaluate("document.exitFullscreen()")
    tab.wait_for_function("document.fullscreenElement === null")


def test_clicker_keys_move_slides_and_escape_leaves(page: Any, app_url: str) -> None:
    tab = page
    tab.goto(f"{app_url}/prezentacja?pokaz=1&slajd=1")
    _on_slide(tab, 1, timeout=120_000)
    # Focus on the page itself (not a button), as after a click on the slide.
    tab.mouse.click(640, 400)
    for key, number in (
        ("ArrowRight", 2),
        ("PageDown", 3),
        ("Space", 4),
        ("ArrowLeft", 3),
        ("PageUp", 2),
    ):
        tab.keyboard.press(key)
        _on_slide(tab, number)
        expect(tab).to_have_url(re.compile(rf"[?&]slajd={number}\b"))
    tab.keyboard.press("ArrowLeft")
    _on_slide(tab, 1)
    tab.keyboard.press("ArrowLeft")  # stays on the first slide
    _on_slide(tab, 1)
    tab.keyboard.press("Escape")
    expect(tab.get_by_role("button", name="Tryb pokazu")).to_be_visible(timeout=30_000)
    assert "pokaz=1" not in tab.url
    assert "slajd=1" in tab.url
    expect(tab.get_by_text("Mapa i planowanie").first).to_be_visible()
