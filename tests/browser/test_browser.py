"""End to end: the app in headless Chromium, with every request off this machine blocked.

Starts ``streamlit run app.py`` on a free port (isolated PES_HOME, shared reference data),
opens it with Debian's Chromium through Playwright and checks that the map draws all gminas,
the markers and the legend, that clicking a gmina shows its details, and that no request
left the machine. A screenshot is always written to ``test-artifacts/map.png`` (and
``test-artifacts/failure-*.png`` when a test fails).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from geo.config import PROJECT_ROOT, get_settings
from geo.web.assets import ensure_static_assets

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - reported by require_browser
    expect = sync_playwright = None

from browser_tools import map_frame, require_browser

from benchmarks.browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCAL_HOSTS,
    guard_requests,
    streamlit_server,
)

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def app_env(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> dict[str, str]:
    home = tmp_path_factory.mktemp("browser") / "home"
    return {"PES_HOME": str(home), "PES_DATA_DIR": str(shared_data), "PES_REGION": "06"}


@pytest.fixture(scope="module")
def app_url(app_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_browser()
    ensure_static_assets()
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    # the same loopback server as the benchmark and the load test
    with streamlit_server("app.py", app_env, log, timeout=60) as server:
        yield server.url


@pytest.fixture()
def browser(app_url: str, request: pytest.FixtureRequest) -> Iterator[tuple[Any, list[str]]]:
    """A page whose requests to other machines are blocked and recorded.

    A failing test leaves ``test-artifacts/failure-<test>.png``.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []

    def watch_socket(ws: Any) -> None:
        if urlparse(ws.url).hostname not in LOCAL_HOSTS:
            outside.append(ws.url)

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = chromium.new_page(viewport={"width": 1600, "height": 1250}, locale="pl-PL")
        guard_requests(page, outside)
        page.on("websocket", watch_socket)
        # The call phase's failure is counted before fixtures are torn down.
        failures_before = request.session.testsfailed
        try:
            yield page, outside
        finally:
            if request.session.testsfailed > failures_before:
                page.screenshot(path=str(ARTIFACTS / f"failure-{request.node.name}.png"))
            chromium.close()


def test_about_page(browser, app_url: str, app_env: dict[str, str]) -> None:
    """Runs first: a deep link into a freshly started server must get the app's navigation."""
    page, outside = browser
    page.goto(app_url + "/o_danych")
    page.get_by_role("heading", name="Źródła danych").wait_for(timeout=30_000)
    # sources for everyone; the configuration only for logged-in editors
    assert page.get_by_text("PES_DATA_DIR").count() == 0
    expect(page.get_by_text("Leaflet").first).to_be_visible()
    # the app's navigation (sections of st.navigation), not Streamlit's legacy page list
    expect(page.get_by_text("Mapa i planowanie").first).to_be_visible()
    assert not page.get_by_text("common", exact=True).count()  # no legacy page list
    assert outside == []


def test_map_page_offline(browser, app_url: str, app_env: dict[str, str]) -> None:
    page, outside = browser
    from geo import pipeline
    from geo.present.points import entities_on_map

    result = pipeline.run(get_settings(app_env), dt.date.today())
    expected_markers = len(entities_on_map(result.entities))
    approximate = int(entities_on_map(result.entities)["pozycja_przyblizona"].sum())

    page.goto(app_url)
    frame = map_frame(page)
    page.wait_for_timeout(800)  # let the fit-to-frame settle for the screenshot
    page.screenshot(path=str(ARTIFACTS / "map.png"))

    assert frame.locator("path.gmina").count() == len(result.gminy) == 213
    for status, n in result.gminy["pokrycie"].value_counts().items():
        assert frame.locator(f"path.gmina-{status}").count() == n
    assert frame.locator("path.pes").count() == expected_markers > 0
    assert frame.locator("path.pes-przyblizona").count() == approximate
    legend = frame.locator(".mapa-legenda")
    assert legend.is_visible()
    assert "Pokrycie gmin CIS/KIS" in legend.inner_text()
    expect(page.get_by_text("Gminy z CIS/KIS").first).to_be_visible()
    expect(page.get_by_text("Dane przykładowe, niekompletne").first).to_be_visible()
    assert outside == [], f"requests left the machine: {outside}"


def test_click_gmina_and_marker_show_details(
    browser, app_url: str, app_env: dict[str, str]
) -> None:
    page, outside = browser
    from geo import pipeline
    from geo.present.points import entities_on_map

    result = pipeline.run(get_settings(app_env), dt.date.today())
    # A gmina with no marker, so the click lands on the gmina itself.
    occupied = set(entities_on_map(result.entities)["teryt_gminy"])
    gmina = result.gminy[~result.gminy["teryt"].isin(occupied)].iloc[0]
    point = gmina.geometry.representative_point()

    page.goto(app_url)
    frame = map_frame(page)
    page.wait_for_timeout(800)
    x, y = frame.evaluate(
        """([lat, lng]) => {
            const p = window.map.latLngToContainerPoint([lat, lng]);
            return [p.x, p.y];
        }""",
        [point.y, point.x],
    )
    box = frame.frame_element().bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    assert frame.locator(f"path.gmina-{gmina['teryt']}").count() == 1
    page.get_by_text(f"TERYT {gmina['teryt']}").wait_for(timeout=20_000)
    expect(page.get_by_role("heading", name=gmina["nazwa"]).first).to_be_visible()

    # A marker opens its popup (plain Leaflet, no jQuery/Bootstrap) and the entity's panel.
    shown = entities_on_map(result.entities)
    marker = frame.locator("path.pes").first
    marker.click(force=True)
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    name = popup.locator(".pes-nazwa").inner_text()
    assert name in set(shown["nazwa"])
    expect(page.get_by_role("heading", name=name).first).to_be_visible(timeout=20_000)
    page.screenshot(path=str(ARTIFACTS / "map-click.png"))
    assert outside == []


def test_gmina_profile_deep_link(browser, app_url: str, app_env: dict[str, str]) -> None:
    """``/profil?gmina=...`` opens the profile directly; the map image and PDF button show."""
    page, outside = browser
    page.goto(app_url + "/profil?gmina=0618011")
    page.get_by_role("heading", name="Tomaszów Lubelski").first.wait_for(timeout=30_000)
    expect(page.get_by_text("TERYT 0618011").first).to_be_visible()
    expect(page.get_by_text("Model Lokalnej Współpracy: brak CIS/KIS").first).to_be_visible()
    image = page.locator("[data-testid='stImage'] img").first
    expect(image).to_be_visible(timeout=20_000)
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert "gmina=0618011" in page.url
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "profil.png"))
    # The card is made when the button is pressed (deferred download) and is a real PDF.
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Pobierz kartę gminy (PDF)").click()
    assert download.value.suggested_filename.startswith("karta_gminy_0618011_")
    saved = ARTIFACTS / "karta_gminy.pdf"
    download.value.save_as(str(saved))
    assert saved.read_bytes().startswith(b"%PDF")
    assert outside == [], f"requests left the machine: {outside}"


# -- registry management (issue 6): script payloads in the registry run nowhere --------------

_EDITOR_PASSWORD = "Zielony-Most-Nad-Wisłą-1"  # not containing the login (policy)


@pytest.fixture(scope="module")
def hostile_app_url(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[str]:
    """The app over a registry whose every text field holds a script payload."""
    require_browser()
    import pandas as pd
    from hostile.make_corpus import PAYLOADS

    from geo.core.schema import REGISTRY_COLUMNS
    from geo.store import Store, auth

    home = tmp_path_factory.mktemp("wrogi-rejestr") / "home"
    env = {"PES_HOME": str(home), "PES_DATA_DIR": str(shared_data), "PES_REGION": "06"}
    codes = ["0663011", "0662011", "0614011", "0664011", "0661011", "0601011", "0618011"]
    rows = []
    for i, payload in enumerate(PAYLOADS):
        row = {c: payload for c in REGISTRY_COLUMNS}
        row.update(
            id=f"X{i}", typ=["CIS", "KIS", "SPS", "NGO"][i % 4], teryt=codes[i % len(codes)],
            szerokosc=None, dlugosc=None, gminy_obslugiwane=codes[(i + 1) % len(codes)],
            data_rozpoczecia="2015-01-01", data_zakonczenia=None, data_weryfikacji="2025-01-01",
        )  # fmt: skip
        rows.append(row)
    with Store(get_settings(env).database_url) as store:
        auth.add_user(store, "redaktor", _EDITOR_PASSWORD)
        store.import_version(PAYLOADS[1][:100], pd.DataFrame(rows[:3]), user="redaktor")
        store.import_version(PAYLOADS[1][:100], pd.DataFrame(rows), user=PAYLOADS[0][:200])
    ensure_static_assets()
    log = tmp_path_factory.mktemp("streamlit-wrogi") / "streamlit.log"
    with streamlit_server("app.py", env, log, timeout=60) as server:
        yield server.url


def _payload_hits(page) -> list[str]:
    """Frames where a payload ran (it sets window.__xss)."""
    hits = []
    for frame in page.frames:
        try:
            value = frame.evaluate("() => window.__xss")
        except Exception:  # noqa: BLE001 - a frame detached meanwhile
            continue
        if value is not None:
            hits.append(f"{frame.url}: {value}")
    return hits


def test_registry_full_of_script_payloads_runs_none(hostile_app_url: str) -> None:
    from hostile.make_corpus import PAYLOADS

    url = hostile_app_url
    outside: list[str] = []
    dialogs: list[str] = []
    fetched_x: list[str] = []

    def guard(route: Any) -> None:
        parsed = urlparse(route.request.url)
        if parsed.path.rstrip("/").endswith("/x"):
            fetched_x.append(route.request.url)  # <img src=x> became an element
        if parsed.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = chromium.new_page(viewport={"width": 1600, "height": 1250}, locale="pl-PL")
        page.route("**/*", guard)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            # The map: open every popup and tooltip, where folium puts text into HTML.
            page.goto(url)
            frame = map_frame(page)
            # Every popup and tooltip is opened at once, built by the map's own functions
            # from each feature (as a click would), so all texts are in the page together.
            opened = frame.evaluate(
                """() => {
                    let popups = 0, tips = 0;
                    const html = (bound, target) => {
                        const c = bound._content;
                        return typeof c === 'function' ? c(target) : c;
                    };
                    const open = (holder, target) => {
                        const where = target.getLatLng ? target.getLatLng()
                            : target.getBounds().getCenter();
                        const p = holder.getPopup && holder.getPopup();
                        if (p) {
                            L.popup({autoClose: false, closeOnClick: false})
                                .setLatLng(where).setContent(html(p, target)).openOn(window.map);
                            popups++;
                        }
                        const t = holder.getTooltip && holder.getTooltip();
                        if (t) {
                            L.tooltip({permanent: true}).setLatLng(where)
                                .setContent(html(t, target)).addTo(window.map);
                            tips++;
                        }
                    };
                    const layers = [];
                    window.map.eachLayer(layer => layers.push(layer));
                    for (const layer of layers) {
                        const bound = (layer.getPopup && layer.getPopup())
                            || (layer.getTooltip && layer.getTooltip());
                        if (!bound) continue;
                        if (layer.eachLayer) layer.eachLayer(child => open(layer, child));
                        else open(layer, layer);
                    }
                    return popups;
                }"""
            )
            assert opened >= len(PAYLOADS)
            page.wait_for_timeout(500)
            shown = frame.locator(".leaflet-popup-content, .leaflet-tooltip").all_inner_texts()
            assert any("<script>window.__xss=1</script>" in t for t in shown)
            assert frame.locator(".leaflet-popup-content img, .leaflet-tooltip img").count() == 0
            page.screenshot(path=str(ARTIFACTS / "xss-mapa.png"))
            assert _payload_hits(page) == []

            # The public registry page and the data page.
            for path, heading in (("/rejestr", "Rejestr podmiotów"), ("/o_danych", "O danych")):
                page.goto(url + path)
                page.get_by_role("heading", name=heading).wait_for(timeout=30_000)
                page.wait_for_timeout(1500)
                page.screenshot(path=str(ARTIFACTS / f"xss{path.replace('/', '-')}.png"))
                assert _payload_hits(page) == []
                # The source name (a payload) is shown as text in the caption.
                expect(
                    page.get_by_text('<img src=x onerror="window.__xss=2">').first
                ).to_be_visible()

            # The editor's page: log in, then fixes (entity names in lists), history, log.
            page.goto(url + "/import_danych")
            page.get_by_label("Login").fill("redaktor")
            page.get_by_label("Hasło", exact=True).fill(_EDITOR_PASSWORD)
            page.get_by_role("button", name="Zaloguj").click()
            page.get_by_text("Zalogowano:").wait_for(timeout=30_000)
            assert _EDITOR_PASSWORD not in page.url
            for section in ("Poprawki ręczne", "Historia wersji", "Dziennik zmian"):
                page.get_by_text(section, exact=True).click()
                page.wait_for_timeout(1500)
                if section == "Poprawki ręczne":
                    page.get_by_text("Tylko wymagające uwagi").click()  # every entity
                    page.wait_for_timeout(800)
                    page.get_by_label("Podmiot", exact=True).click()  # open the option list
                    page.wait_for_timeout(500)
                page.screenshot(path=str(ARTIFACTS / f"xss-import-{section.split()[0]}.png"))
                assert _payload_hits(page) == []
        finally:
            chromium.close()
    assert dialogs == [] and fetched_x == []
    assert outside == [], f"requests left the machine: {outside}"


# -- planner views (issue 4): indicators, filters, facts beside the map, clustering -----------


def _frame_with(page, selector: str, count: int, timeout: float = 60):
    """The map frame once exactly ``count`` elements match ``selector`` (after a redraw)."""
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                seen = frame.locator(selector).count()
                if seen == count and frame.locator("path.gmina").count() > 0:
                    return frame
            except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
                continue
        page.wait_for_timeout(300)
    raise AssertionError(f"{selector}: expected {count}, last seen {seen}")


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit select box or multiselect labelled ``label``."""
    widget = page.locator("[data-testid='stSelectbox'], [data-testid='stMultiSelect']").filter(
        has=page.get_by_text(label, exact=True)
    )
    widget.first.click()
    page.get_by_role("option", name=option).first.click()


def test_map_filters_redraw_the_map(browser, app_url: str, app_env: dict[str, str]) -> None:
    page, outside = browser
    from geo import pipeline

    result = pipeline.run(get_settings(app_env), dt.date.today())
    gminy = result.gminy
    page.goto(app_url)
    map_frame(page)

    # indicator: the LPRES status colours the gminas; "unknown" has its own hatched class
    _choose(page, "Wskaźnik na mapie", "Status LPRES")
    unknown = int((gminy["lpres_status"] == "nieznany").sum())
    frame = _frame_with(page, "path.gmina-k-nieznany", unknown)
    assert frame.locator("path.gmina").count() == len(gminy)
    fill = frame.locator("path.gmina-k-nieznany").first.evaluate("p => getComputedStyle(p).fill")
    assert "pes-kreski" in fill  # the hatch pattern, not a plain colour
    legend = frame.locator(".mapa-legenda").inner_text()
    assert "nieznany (brak informacji)" in legend and "brak planu" in legend

    # area: one powiat only (the area filters fold away in the "Filtry" popover)
    page.get_by_role("button", name="Filtry").click()
    _choose(page, "Powiat", "krasnostawski (0606)")
    page.keyboard.press("Escape")
    part = gminy[gminy["powiat"] == "0606"]
    frame = _frame_with(page, "path.gmina", len(part))
    assert frame.locator(f"path.gmina-{part['teryt'].iloc[0]}").count() == 1
    expect(
        page.get_by_text(f"{int(part['has_social_employment'].sum())} / {len(part)}").first
    ).to_be_visible()
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "map-filters.png"))
    assert outside == [], f"requests left the machine: {outside}"


def test_click_gmina_shows_planning_facts_and_profile_link(
    browser, app_url: str, app_env: dict[str, str]
) -> None:
    page, outside = browser
    from geo import pipeline
    from geo.present.points import entities_on_map

    result = pipeline.run(get_settings(app_env), dt.date.today())
    occupied = set(entities_on_map(result.entities)["teryt_gminy"])
    gminy = result.gminy
    # an uncovered gmina of the verified OWES area with no marker on it
    chosen = gminy[
        (gminy["owes_podregion_nazwa"] == "chełmsko-zamojski")
        & (gminy["pokrycie"] == "brak")
        & ~gminy["teryt"].isin(occupied)
    ].iloc[0]
    page.goto(app_url)
    frame = map_frame(page)
    page.wait_for_timeout(800)
    path = frame.locator(f"path.gmina-{chosen['teryt']}")
    point = chosen.geometry.representative_point()
    x, y = frame.evaluate(
        """([lat, lng]) => {
            const p = window.map.latLngToContainerPoint([lat, lng]);
            return [p.x, p.y];
        }""",
        [point.y, point.x],
    )
    assert path.count() == 1
    box = frame.frame_element().bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.get_by_text(f"TERYT {chosen['teryt']}").wait_for(timeout=20_000)
    expect(page.get_by_text("Podregion OWES 2017–2020:").first).to_be_visible()
    expect(page.get_by_text("chełmsko-zamojski").first).to_be_visible()
    expect(page.get_by_text("LPRES:").first).to_be_visible()
    link = page.get_by_role("link", name=f"Profil gminy {chosen['nazwa']}")
    expect(link).to_be_visible()
    assert f"gmina={chosen['teryt']}" in (link.get_attribute("href") or "")
    page.screenshot(path=str(ARTIFACTS / "map-click-facts.png"))
    # the selection survives a change of indicator (the map is redrawn, the panel stays)
    _choose(page, "Wskaźnik na mapie", "Liczba PES")
    _frame_with(page, "path.gmina-k-p0", int((gminy["pes_razem"] == 0).sum()))
    expect(page.get_by_text(f"TERYT {chosen['teryt']}").first).to_be_visible()
    assert outside == []


def test_clustered_markers_work_offline(browser, app_url: str, app_env: dict[str, str]) -> None:
    """Leaflet.markercluster from the app's static folder groups dense markers."""
    page, outside = browser
    from geo import pipeline
    from geo.web.document import map_html
    from geo.web.maps import MapOptions, build_map

    result = pipeline.run(get_settings(app_env), dt.date.today())
    document = map_html(
        build_map(
            result.gminy, result.entities, None, MapOptions(cluster=True, offer_basemap=False)
        )
    )
    test_url = f"{app_url}/__test_cluster.html"
    page.route(test_url, lambda route: route.fulfill(body=document, content_type="text/html"))
    page.goto(test_url)
    page.locator("path.gmina").first.wait_for(timeout=30_000)
    clusters = page.locator(".marker-cluster")
    clusters.first.wait_for(timeout=15_000)
    counts = [int(t) for t in page.locator(".marker-cluster span").all_inner_texts()]
    single = page.locator("path.pes").count()
    assert sum(counts) + single >= len(result.entities[result.entities["aktywny"]]) - 5
    assert sum(counts) >= 2
    page.screenshot(path=str(ARTIFACTS / "map-cluster.png"))
    assert outside == [], f"requests left the machine: {outside}"
