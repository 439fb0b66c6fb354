"""Interactive maps are rendered once per view and replayed (pages/_mapview.py).

The contract test with streamlit-folium runs on the repository's own data (embedded Lubelskie
boundaries and TERC in data/), never skipped: it must fail where a dependency bump lands.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import streamlit_folium
from map_scripts import map_script
from streamlit.testing.v1 import AppTest

from geo.analysis.coverage import active_mask, gmina_coverage
from geo.analysis.locate import locate_entities
from geo.config import PROJECT_ROOT, get_settings
from geo.core.schema import REGISTRY_COLUMNS
from geo.io.region import load_region
from geo.store import Store
from geo.web.maps import MapOptions, build_map
from pages import _common, _mapview

DAY = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def small_map(tmp_path_factory):
    """A function making the same map anew (rendering changes a folium map in place).

    Built from the embedded data (data/granice_gminy_06.geojson, data/terc_06.csv): no
    ../shared needed.
    """
    home = tmp_path_factory.mktemp("mapview")
    region = load_region(get_settings({"PES_HOME": str(home), "PES_REGION": "06"}))
    row = {col: None for col in REGISTRY_COLUMNS}
    row.update(id="A", nazwa="CIS <b>x</b>", typ="CIS", teryt="0601011")
    located = locate_entities(pd.DataFrame([row]), region.gminy, region.terc, "06")
    coverage = gmina_coverage(region.gminy, located, DAY)
    located = located.assign(aktywny=active_mask(located, DAY))
    return lambda: build_map(coverage, located, options=MapOptions(offer_basemap=False))


def test_arguments_are_what_st_folium_sends(small_map, monkeypatch) -> None:
    """The replay sends exactly st_folium's arguments: fails if streamlit-folium changes them."""
    sent: dict = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: sent.update(kw))
    returned = ["last_active_drawing"]
    streamlit_folium.st_folium(
        small_map(), key="k", height=300, use_container_width=True, returned_objects=returned
    )
    ours = _mapview.map_arguments(small_map(), key="k", returned_objects=returned)
    sent.pop("on_change")
    assert sent.pop("height") == 300 and sent.pop("width") is None
    assert ours == sent
    # a different map gives a different component key (the browser draws a new map)
    other = _mapview.map_arguments(small_map(), key="other", returned_objects=returned)
    assert other["key"] != ours["key"]


def test_view_state_is_never_returned(small_map) -> None:
    with pytest.raises(ValueError, match="zoom"):
        _mapview.map_arguments(small_map(), key="k", returned_objects=["zoom"])
    args = _mapview.map_arguments(small_map(), key="k", returned_objects=[])
    assert args["default"] == {} and args["returned_objects"] == []


def test_map_page_renders_each_view_once_and_never_reruns_on_pan(pes_env, monkeypatch) -> None:
    sent: list[dict] = []
    monkeypatch.setattr(
        streamlit_folium, "_component_func", lambda **kw: sent.append(kw) or kw["default"]
    )
    built: list[str] = []
    real_build = _common.build_map

    def build(gminy, entities, powiaty, options):
        built.append(options.indicator)
        return real_build(gminy, entities, powiaty, options)

    monkeypatch.setattr(_common, "build_map", build)
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert built == ["pokrycie"] and len(sent) == 1
    # Only clicks come back: the view (zoom, bounds, center) would rerun on every pan/zoom.
    assert sent[0]["returned_objects"] == ["last_active_drawing"]
    assert set(sent[0]["default"]) == {"last_active_drawing"}

    at.run()  # a rerun (e.g. a click): the same arguments, nothing built again
    assert built == ["pokrycie"] and len(sent) == 2
    assert sent[1] == sent[0]

    at.selectbox(key="mapa_wskaznik").set_value("pes_razem").run()
    assert not at.exception, [e.value for e in at.exception]
    assert built == ["pokrycie", "pes_razem"]
    assert sent[-1]["key"] != sent[0]["key"]  # another view: a new map in the browser

    at.selectbox(key="mapa_wskaznik").set_value("pokrycie").run()
    assert built == ["pokrycie", "pes_razem"]  # rendered before: replayed
    assert sent[-1] == sent[0]

    # A new registry version is new data: the view is built again, and what is sent changes.
    row = {col: None for col in REGISTRY_COLUMNS}
    row.update(id="N", nazwa="Nowy CIS", typ="CIS", teryt="0601011")
    with Store(get_settings().database_url) as store:
        store.import_version("rejestr testowy", pd.DataFrame([row]))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert built == ["pokrycie", "pes_razem", "pokrycie"]
    assert "Nowy CIS" in map_script(sent[-1]) and "Nowy CIS" not in map_script(sent[0])
