"""The offline coverage map: content, escaping, no external files, local assets."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import streamlit_folium

from geo import webmap
from geo.assets import AssetError, asset_urls, ensure_static_assets
from geo.coverage import active_mask, gmina_coverage
from geo.locate import locate_entities
from geo.schema import ENTITY_TYPES, REGISTRY_COLUMNS, TYPE_COLORS

DAY = dt.date(2026, 1, 1)
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(1)</script>"


def registry(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame([{col: row.get(col) for col in REGISTRY_COLUMNS} for row in rows])
    frame["id"] = [f"E{i}" for i in range(len(rows))]
    return frame


@pytest.fixture(scope="module")
def scene(gminy_06, terc_pl):
    """Coverage and located entities of a small registry with hostile text."""
    reg = registry(
        # exact coordinates in Lublin
        {
            "nazwa": "CIS Lublin",
            "typ": "CIS",
            "teryt": "0663011",
            "szerokosc": "51.2465",
            "dlugosc": "22.5684",
            "adres": "ul. Narutowicza 1",
            "miejscowosc": "Lublin",
        },
        # three entities without coordinates in the same gmina: approximate, stacked
        {
            "nazwa": IMG,
            "typ": "KIS",
            "teryt": "0604042",
            "podmiot_prowadzacy": SCRIPT,
            "uwagi": "a & b",
            "gminy_obslugiwane": "0604011;0604042",
        },
        {"nazwa": "Spółdzielnia A", "typ": "SPS", "teryt": "0604042"},
        {"nazwa": "ZAZ B", "typ": "ZAZ", "teryt": "0604042", "data_rozpoczecia": "2015-03-01"},
        # ended before DAY: not on the map
        {"nazwa": "Stary CIS", "typ": "CIS", "teryt": "0662011", "data_zakonczenia": "2020-12-31"},
        # cannot be located
        {"nazwa": "Bez gminy", "typ": "NGO"},
    )
    located = locate_entities(reg, gminy_06, terc_pl, "06")
    coverage = gmina_coverage(gminy_06, located, DAY)
    located = located.assign(aktywny=active_mask(located, DAY))
    return coverage, located


@pytest.fixture(scope="module")
def built(scene):
    coverage, located = scene
    m = webmap.build_map(coverage, located, note="Stan na 01.01.2026", offer_basemap=False)
    return m, webmap.map_html(m)


def _layers(m) -> list:
    import folium

    return [c for c in m._children.values() if isinstance(c, folium.GeoJson)]


def test_every_gmina_is_one_feature_with_its_status(scene, gminy_06) -> None:
    coverage, _ = scene
    data = webmap.gminy_geojson(coverage)
    assert len(data["features"]) == len(gminy_06) == 213
    by_id = {f["id"]: f["properties"] for f in data["features"]}
    assert set(by_id) == set(gminy_06["teryt"])
    assert by_id["0604042"]["pokrycie"] == "w_gminie"
    assert by_id["0604011"]["pokrycie"] == "porozumienie"
    assert by_id["0662011"]["pokrycie"] == "brak"  # its only CIS had ended
    assert by_id["0604042"]["pes"] == 3


def test_coordinates_are_rounded(scene) -> None:
    coverage, _ = scene
    data = webmap.gminy_geojson(coverage)
    coords = shapely.get_coordinates(shapely.from_geojson(json.dumps(data["features"][0])))
    assert (coords.round(5) == coords).all()


def test_markers_only_for_active_located_entities(scene, built) -> None:
    _, located = scene
    points = webmap.entities_geojson(located)
    names = {f["properties"]["etykieta"] for f in points["features"]}
    assert len(points["features"]) == 4
    assert not any("Stary CIS" in n or "Bez gminy" in n for n in names)
    m, html = built
    geojsons = _layers(m)
    assert [len(g.data["features"]) for g in geojsons] == [213, 24, 4]
    assert html.count('"kind": "podmiot"') == 4


def test_approximate_positions_are_distinguished_and_spread(scene, gminy_06) -> None:
    _, located = scene
    points = webmap.entities_geojson(located, gminy_06)
    features = points["features"]
    approx = [f for f in features if f["properties"]["przyblizona"]]
    exact = [f for f in features if not f["properties"]["przyblizona"]]
    assert len(approx) == 3 and len(exact) == 1
    style_a = webmap._entity_style(approx[0])
    style_e = webmap._entity_style(exact[0])
    assert style_a["fillColor"] != style_e["fillColor"]
    assert style_a["fill"] and style_e["fill"]  # folium's CircleMarker default is no fill
    assert "pes-przyblizona" in style_a["className"]
    assert "pes-przyblizona" not in style_e["className"]
    assert style_e["fillColor"] == TYPE_COLORS["CIS"]
    # the three entities of one gmina get three different points, all inside that gmina
    spots = {tuple(f["geometry"]["coordinates"]) for f in approx}
    assert len(spots) == 3
    gmina = gminy_06.set_index("teryt").geometry["0604042"]
    assert all(gmina.contains(shapely.Point(xy)) for xy in spots)
    assert "lokalizacja przybliżona" in approx[0]["properties"]["opis"].lower()
    # exact coordinates are not moved
    assert exact[0]["geometry"]["coordinates"] == pytest.approx([22.5684, 51.2465])


def test_hostile_text_is_escaped(scene, gminy_06, built) -> None:
    _, located = scene
    props = [f["properties"] for f in webmap.entities_geojson(located)["features"]]
    hostile = next(p for p in props if "onerror" in p["etykieta"])
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile["etykieta"]
    assert "&lt;/script&gt;" in hostile["opis"]
    assert "a &amp; b" in hostile["opis"]
    _, html = built
    for payload in (IMG, SCRIPT, "<script>alert(1)"):
        assert payload not in html

    coverage = scene[0].copy()
    coverage.loc[coverage["teryt"] == "0604042", "nazwa"] = SCRIPT
    gmina = next(f for f in webmap.gminy_geojson(coverage)["features"] if f["id"] == "0604042")
    assert gmina["properties"]["nazwa"] == "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    assert SCRIPT not in webmap.map_html(webmap.build_map(coverage, located, offer_basemap=False))


def test_legend_lists_statuses_with_counts_and_types(scene, built) -> None:
    coverage, _ = scene
    counts = coverage["pokrycie"].value_counts()
    legend = webmap.legend_html(counts.to_dict(), {"CIS": 1}, note="Stan na <b>")
    for status in webmap.COVERAGE_ORDER:
        assert f"({counts.get(status, 0)})" in legend
    for code in ENTITY_TYPES:
        assert f"<b>{code}</b>" in legend
    assert "Stan na &lt;b&gt;" in legend
    _, html = built
    assert "mapa-legenda" in html and "Pokrycie gmin CIS/KIS" in html


def test_no_external_files_in_map_or_streamlit_component(built, monkeypatch) -> None:
    m, html = built
    assert webmap.external_urls(html) == []
    local = asset_urls()
    assert local["leaflet_js"] in html and local["leaflet_css"] in html
    for cdn in ("jquery", "bootstrap", "font-awesome", "fontawesome", "awesome-markers"):
        assert cdn not in html.lower()

    captured: dict = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: captured.update(kw))
    streamlit_folium.st_folium(m, key="t", returned_objects=["last_active_drawing"])
    assert captured["js_links"] == [local["leaflet_js"]]
    assert captured["css_links"] == [local["leaflet_css"]]
    for part in ("script", "header", "html"):
        assert webmap.external_urls(captured[part]) == [], part


def test_optional_basemap_is_the_only_url_and_off(scene) -> None:
    coverage, located = scene
    html = webmap.map_html(webmap.build_map(coverage, located, offer_basemap=True))
    assert set(webmap.external_urls(html)) == {webmap.OSM_TILES}
    (layer,) = re.findall(r"var (tile_layer_\w+) = L\.tileLayer", html)
    assert f"{layer}.addTo(" not in html  # offered in the layer switcher, not shown
    assert f": {layer}," in html


def test_unknown_cdn_element_is_refused(scene) -> None:
    import folium.plugins

    coverage, _ = scene
    m = webmap.build_map(coverage, None, offer_basemap=False)
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(webmap.MapError, match="internetu"):
        webmap.use_local_assets(m)


def test_bad_coverage_status_is_a_clear_error(scene) -> None:
    coverage = scene[0].copy()
    coverage.loc[coverage.index[0], "pokrycie"] = "???"
    with pytest.raises(webmap.MapError, match="pokrycia"):
        webmap.gminy_geojson(coverage)
    with pytest.raises(webmap.MapError, match="pokrycie"):
        webmap.gminy_geojson(coverage.drop(columns=["pokrycie"]))


def test_map_without_entities(scene) -> None:
    coverage, located = scene
    empty = located.iloc[0:0]
    m = webmap.build_map(coverage, empty, offer_basemap=False)
    assert [len(g.data["features"]) for g in _layers(m)] == [213, 24]
    assert "mapa-legenda" in webmap.map_html(m)


def test_static_assets_copied_once(tmp_path: Path) -> None:
    urls = ensure_static_assets(tmp_path / "static")
    js = tmp_path / "static" / urls["leaflet_js"].removeprefix("/app/static/")
    css = tmp_path / "static" / urls["leaflet_css"].removeprefix("/app/static/")
    assert js.read_text(encoding="utf-8").count("Leaflet") > 0
    assert "leaflet-container" in css.read_text(encoding="utf-8")
    assert (css.parent / "images" / "layers.png").is_file()
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "static").rglob("*") if p.is_file()}
    js.write_text("broken", encoding="utf-8")  # a damaged or stale copy is replaced
    assert ensure_static_assets(tmp_path / "static") == urls
    assert "broken" not in js.read_text(encoding="utf-8")
    after = {p: p.stat().st_mtime_ns for p in before}
    assert {p for p in before if before[p] != after[p]} <= {js}


def test_static_assets_refuse_installed_packages() -> None:
    import xstatic.pkg.leaflet as xs

    with pytest.raises(AssetError, match="zainstalowanych"):
        ensure_static_assets(Path(xs.BASE_DIR) / "static")


def test_geometry_input_can_be_projected(scene) -> None:
    coverage, located = scene
    projected = gpd.GeoDataFrame(coverage, geometry=coverage.geometry.to_crs(2180))
    data = webmap.gminy_geojson(projected)
    x, y = shapely.get_coordinates(shapely.from_geojson(json.dumps(data["features"][0])))[0]
    assert 14 < x < 25 and 49 < y < 55
