"""End to end: the app in headless Chromium, with every request off this machine blocked.

Starts ``streamlit run app.py`` on a free port (isolated PES_HOME, shared reference data),
opens it with Debian's Chromium through Playwright and checks that the map draws all gminas,
the markers and the legend, that clicking a gmina shows its details, and that no request
left the machine. A screenshot is always written to ``test-artifacts/map.png`` (and
``test-artifacts/failure-*.png`` when a test fails).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from geo.assets import ensure_static_assets
from geo.config import PROJECT_ROOT, get_settings

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - reported by _require_browser
    expect = sync_playwright = None

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _require_browser() -> None:
    missing = []
    if not CHROMIUM.exists():
        missing.append("/usr/bin/chromium (apt-get install chromium)")
    if sync_playwright is None:
        missing.append("the playwright package (pip install -e .[dev])")
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI; missing: {', '.join(missing)}")
    pytest.skip(f"outside CI and missing: {', '.join(missing)}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    pytest.fail(f"streamlit did not become healthy in {timeout} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def app_env(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> dict[str, str]:
    home = tmp_path_factory.mktemp("browser") / "home"
    return {"PES_HOME": str(home), "PES_DATA_DIR": str(shared_data), "PES_REGION": "06"}


@pytest.fixture(scope="module")
def app_url(app_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _require_browser()
    ensure_static_assets()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PES_DATABASE_URL"} | app_env
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.headless", "true",
                "--server.port", str(port),
                # A fixed address also stops Streamlit's lookup of the external IP.
                "--server.address", "127.0.0.1",
                "--server.fileWatcherType", "none",
                "--browser.gatherUsageStats", "false",
            ],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture()
def browser(app_url: str, request: pytest.FixtureRequest) -> Iterator[tuple[Any, list[str]]]:
    """A page whose requests to other machines are blocked and recorded.

    A failing test leaves ``test-artifacts/failure-<test>.png``.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []

    def guard(route: Any) -> None:
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def watch_socket(ws: Any) -> None:
        if urlparse(ws.url).hostname not in LOCAL_HOSTS:
            outside.append(ws.url)

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = chromium.new_page(viewport={"width": 1600, "height": 1250}, locale="pl-PL")
        page.route("**/*", guard)
        page.on("websocket", watch_socket)
        # The call phase's failure is counted before fixtures are torn down.
        failures_before = request.session.testsfailed
        try:
            yield page, outside
        finally:
            if request.session.testsfailed > failures_before:
                page.screenshot(path=str(ARTIFACTS / f"failure-{request.node.name}.png"))
            chromium.close()


def _map_frame(page, timeout: float = 60):
    """The streamlit-folium iframe once all gminas are drawn."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.locator("path.gmina").count() > 0:
                    frame.wait_for_function(
                        "document.querySelectorAll('path.gmina').length >= 213", timeout=10_000
                    )
                    return frame
            except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
                continue
        page.wait_for_timeout(300)
    raise AssertionError("the map (path.gmina) did not appear")


def test_about_page(browser, app_url: str, app_env: dict[str, str]) -> None:
    """Runs first: a deep link into a freshly started server must get the app's navigation."""
    page, outside = browser
    page.goto(app_url + "/o_danych")
    page.get_by_role("heading", name="Źródła danych").wait_for(timeout=30_000)
    expect(page.get_by_text("PES_DATA_DIR").first).to_be_visible()
    expect(page.get_by_text("Leaflet").first).to_be_visible()
    expect(page.get_by_role("link", name="Mapa pokrycia").first).to_be_visible()
    assert not page.get_by_text("common", exact=True).count()  # no legacy page list
    assert outside == []


def test_map_page_offline(browser, app_url: str, app_env: dict[str, str]) -> None:
    page, outside = browser
    from geo import pipeline
    from geo.webmap import entities_on_map

    result = pipeline.run(get_settings(app_env), dt.date.today())
    expected_markers = len(entities_on_map(result.entities))
    approximate = int(entities_on_map(result.entities)["pozycja_przyblizona"].sum())

    page.goto(app_url)
    frame = _map_frame(page)
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
    from geo.webmap import entities_on_map

    result = pipeline.run(get_settings(app_env), dt.date.today())
    # A gmina with no marker, so the click lands on the gmina itself.
    occupied = set(entities_on_map(result.entities)["teryt_gminy"])
    gmina = result.gminy[~result.gminy["teryt"].isin(occupied)].iloc[0]
    point = gmina.geometry.representative_point()

    page.goto(app_url)
    frame = _map_frame(page)
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
