"""The Mapa page on a 1280x720 screen in headless Chromium: the map fills the first screen,
tables are not clipped, the problems section fills itself when opened, the legend folds from
the keyboard, the search zooms to a gmina and a
typed "stan na" date applies at once (Enter or Tab).

Screenshots: ``test-artifacts/mapa-1280x720*.png``.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest

from geo.config import PROJECT_ROOT

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - the test is skipped below
    expect = sync_playwright = None

from browser_tools import map_frame, region_app, require_browser

from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SCREEN = {"width": 1280, "height": 720}
MIN_MAP_PX = 400
DAY = dt.date(2015, 1, 1)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[str]:
    require_browser()
    with region_app(tmp_path_factory, shared_data, "mapa_layout") as url:
        yield url


@pytest.fixture()
def page(app_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        # an English browser: the page's formats must not depend on the browser's locale
        tab = chromium.new_page(viewport=SCREEN, locale="en-US")
        failures_before = request.session.testsfailed
        try:
            tab.goto(app_url)
            yield tab
        finally:
            if request.session.testsfailed > failures_before:
                tab.screenshot(path=str(ARTIFACTS / f"failure-{request.node.name}.png"))
            chromium.close()


def _map_frame(page: Any) -> Any:
    """The map's frame once Leaflet has set its view (the tests read the zoom)."""
    return map_frame(page, "window.map && window.map.getZoom() > 0")


def _stan_na(page: Any) -> set[str]:
    """The "stan na" dates that the figures' captions name."""
    captions = page.locator("[data-testid='stCaptionContainer']").all_inner_texts()
    # (not the population's own date: "ludność: GUS BDL, stan na 31.12.2024")
    found = (re.findall(r"(?<!BDL, )stan na (\d\d\.\d\d\.\d{4})", text) for text in captions)
    return {day for days in found for day in days}


def test_map_fills_the_first_screen_and_tables_are_not_clipped(page: Any) -> None:
    frame = _map_frame(page)
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "mapa-1280x720.png"))
    box = frame.frame_element().bounding_box()
    visible = min(SCREEN["height"], box["y"] + box["height"]) - max(0, box["y"])
    assert visible >= MIN_MAP_PX, f"only {visible:.0f} px of the map in the first screen"
    # the side table of gminas without CIS/KIS: every distance whole and readable
    cells = page.locator("table.pes-tabela tbody tr td:last-child")
    expect(cells.first).to_be_visible()
    texts = cells.all_inner_texts()
    assert texts and all(re.fullmatch(r"\d+,\d\s?km|—", t.strip()) for t in texts), texts[:5]
    clipped = cells.evaluate_all(
        "cells => cells.filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.innerText)"
    )
    assert clipped == []


def test_the_problems_section_builds_its_table_when_opened(page: Any) -> None:
    _map_frame(page)
    section = page.locator("[data-testid='stExpander']").filter(has_text="niezlokalizowane")
    expect(section).to_have_count(1)
    expect(section.locator("[data-testid='stDataFrame']")).to_have_count(0)
    section.locator("summary").click()
    expect(section.locator("[data-testid='stDataFrame']")).to_be_visible(timeout=30_000)


def test_legend_folds_from_the_keyboard(page: Any) -> None:
    frame = _map_frame(page)
    legend = frame.locator(".mapa-legenda")
    toggle = legend.locator("button.lg-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(legend.locator(".lg-body")).to_be_visible()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(legend.locator(".lg-body")).to_be_hidden()
    folded = legend.bounding_box()
    assert folded["width"] < 150 and folded["height"] < 60  # only the button is left
    page.screenshot(path=str(ARTIFACTS / "mapa-1280x720-legenda-zwinieta.png"))
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(legend.locator(".lg-body")).to_be_visible()


def test_on_a_phone_the_legend_starts_folded(page: Any) -> None:
    """At 390 px the open legend would cover most of the map (geo/web/legend.FOLD_BELOW_PX)."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    frame = _map_frame(page)
    legend = frame.locator(".mapa-legenda")
    toggle = legend.locator("button.lg-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(legend.locator(".lg-body")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "mapa-390x844.png"))
    toggle.click()
    expect(legend.locator(".lg-body")).to_be_visible()


def test_gmina_search_zooms_to_the_gmina(page: Any, shared_data: Path) -> None:
    frame = _map_frame(page)
    page.wait_for_timeout(800)
    before = frame.evaluate("window.map.getZoom()")
    search = page.get_by_role("combobox", name=re.compile("Znajdź gminę"))
    search.click()
    page.keyboard.type("Zwierzyniec", delay=30)
    page.get_by_role("option", name=re.compile("^Zwierzyniec")).first.click()
    expect(page.get_by_role("heading", name="Zwierzyniec").first).to_be_visible(timeout=30_000)
    deadline = time.monotonic() + 30
    zoom = before
    while time.monotonic() < deadline and zoom <= before + 1:
        page.wait_for_timeout(500)
        try:
            zoom = _map_frame(page).evaluate("window.map.getZoom()")
        except Exception:  # noqa: BLE001 - the frame is replaced while the map is redrawn
            continue
    assert zoom > before + 1, (before, zoom)
    # the view is the gmina: its centre inside, the whole region no longer
    gminy = gpd.read_file(shared_data / "boundaries" / "lubelskie_gminy.geojson")
    here = gminy[gminy["teryt"] == "0620153"].to_crs(4326).geometry.iloc[0].representative_point()
    view = _map_frame(page).evaluate(
        """([lat, lng]) => {
            const b = window.map.getBounds();
            return [b.contains([lat, lng]), b.getEast() - b.getWest()];
        }""",
        [here.y, here.x],
    )
    assert view[0] and view[1] < 1.0, view
    # zoomed in, gminas everywhere: a tooltip reaching under the legend shows through it
    frame = _map_frame(page)
    legend = frame.locator(".mapa-legenda")
    box, spot = frame.frame_element().bounding_box(), legend.bounding_box()
    # just left of the map's centre Leaflet puts the tooltip to the right: towards the legend
    centre = box["x"] + box["width"] / 2
    page.mouse.move(centre - 30, spot["y"] + 120)
    page.mouse.move(centre - 20, spot["y"] + 125)
    expect(frame.locator(".leaflet-tooltip")).to_be_visible()
    expect(legend).to_have_class(re.compile("lg-behind"))
    page.screenshot(path=str(ARTIFACTS / "mapa-1280x720-szukaj.png"))
    page.mouse.move(box["x"] + box["width"] + 100, box["y"] + 10)  # off the map
    expect(legend).not_to_have_class(re.compile("lg-behind"))


@pytest.mark.parametrize("key", ["Enter", "Tab"])
def test_typed_date_applies_at_once(page: Any, key: str) -> None:
    _map_frame(page)
    today = f"{dt.date.today():%d.%m.%Y}"
    assert _stan_na(page) == {today}
    page.locator("[data-testid='stDateInput'] [data-type='day']").first.click()
    page.keyboard.type(f"{DAY:%d%m%Y}", delay=40)
    page.keyboard.press(key)
    wanted = f"{DAY:%d.%m.%Y}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _stan_na(page) != {wanted}:
        page.wait_for_timeout(300)
    field = page.locator("[data-testid='stDateInput'] input").first.input_value()
    assert field == DAY.isoformat()
    assert _stan_na(page) == {wanted}, "the figures and the field disagree"
    page.screenshot(path=str(ARTIFACTS / f"mapa-1280x720-data-{key}.png"))
