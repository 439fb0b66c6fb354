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

from geo.analysis.coverage import active_mask, gmina_coverage, pes_count, pes_per_10k
from geo.analysis.locate import locate_entities
from geo.core.schema import ENTITY_TYPES, REGISTRY_COLUMNS, TYPE_COLORS
from geo.errors import MapError
from geo.web import entities as web_entities
from geo.web import geojson, indicators
from geo.web.assets import (
    AssetError,
    asset_urls,
    ensure_static_assets,
    is_external,
    use_local_assets,
)
from geo.web.document import external_urls, map_html
from geo.web.legend import HATCH_ID, legend_html
from geo.web.maps import OSM_TILES, MapOptions, build_map, subregion_map

DAY = dt.date(2026, 1, 1)
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(1)</script>"


def build(gminy, points=None, powiaty=None, **options):
    """:func:`build_map` with its options as keywords."""
    return build_map(gminy, points, powiaty, MapOptions(**options))


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
    m = build(coverage, located, note="Stan na 01.01.2026", offer_basemap=False)
    return m, map_html(m)


def _layers(m) -> list:
    import folium

    return [c for c in m._children.values() if isinstance(c, folium.GeoJson)]


def test_every_gmina_is_one_feature_with_its_status(scene, gminy_06) -> None:
    coverage, _ = scene
    data = geojson.gminy_geojson(coverage)
    assert len(data["features"]) == len(gminy_06) == 213
    by_id = {f["id"]: f["properties"] for f in data["features"]}
    assert set(by_id) == set(gminy_06["teryt"])
    assert by_id["0604042"]["pokrycie"] == "w_gminie"
    assert by_id["0604011"]["pokrycie"] == "porozumienie"
    assert by_id["0662011"]["pokrycie"] == "brak"  # its only CIS had ended
    assert by_id["0604042"]["pes"] == 3


def test_coordinates_are_rounded(scene) -> None:
    coverage, _ = scene
    data = geojson.gminy_geojson(coverage)
    coords = shapely.get_coordinates(shapely.from_geojson(json.dumps(data["features"][0])))
    assert (coords.round(5) == coords).all()


def test_markers_only_for_active_located_entities(scene, built) -> None:
    _, located = scene
    points = web_entities.entities_geojson(located)
    names = {f["properties"]["etykieta"] for f in points["features"]}
    assert len(points["features"]) == 4
    assert not any("Stary CIS" in n or "Bez gminy" in n for n in names)
    m, html = built
    geojsons = _layers(m)
    assert [len(g.data["features"]) for g in geojsons] == [213, 24, 4]
    assert html.count('"kind": "podmiot"') == 4


def test_approximate_positions_are_distinguished_and_spread(scene, gminy_06) -> None:
    _, located = scene
    points = web_entities.entities_geojson(located, gminy_06)
    features = points["features"]
    approx = [f for f in features if f["properties"]["przyblizona"]]
    exact = [f for f in features if not f["properties"]["przyblizona"]]
    assert len(approx) == 3 and len(exact) == 1
    style_a = web_entities.entity_style(approx[0])
    style_e = web_entities.entity_style(exact[0])
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
    props = [f["properties"] for f in web_entities.entities_geojson(located)["features"]]
    hostile = next(p for p in props if "onerror" in p["etykieta"])
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile["etykieta"]
    assert "&lt;/script&gt;" in hostile["opis"]
    assert "a &amp; b" in hostile["opis"]
    _, html = built
    for payload in (IMG, SCRIPT, "<script>alert(1)"):
        assert payload not in html

    coverage = scene[0].copy()
    coverage.loc[coverage["teryt"] == "0604042", "nazwa"] = SCRIPT
    gmina = next(f for f in geojson.gminy_geojson(coverage)["features"] if f["id"] == "0604042")
    assert gmina["properties"]["nazwa"] == "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    assert SCRIPT not in map_html(build(coverage, located, offer_basemap=False))


def test_legend_lists_statuses_with_counts_and_types(scene, built) -> None:
    coverage, _ = scene
    counts = coverage["pokrycie"].value_counts()
    legend = legend_html(counts.to_dict(), {"CIS": 1}, note="Stan na <b>")
    for status in indicators.COVERAGE_ORDER:
        assert f"({counts.get(status, 0)})" in legend
    for code in ENTITY_TYPES:
        assert f"<b>{code}</b>" in legend
    assert "Stan na &lt;b&gt;" in legend
    _, html = built
    assert "mapa-legenda" in html and "Pokrycie gmin CIS/KIS" in html


def test_no_external_files_in_map_or_streamlit_component(built, monkeypatch) -> None:
    m, html = built
    assert external_urls(html) == []
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
        assert external_urls(captured[part]) == [], part


def test_optional_basemap_is_the_only_url_and_off(scene) -> None:
    coverage, located = scene
    html = map_html(build(coverage, located, offer_basemap=True))
    assert set(external_urls(html)) == {OSM_TILES}
    (layer,) = re.findall(r"var (tile_layer_\w+) = L\.tileLayer", html)
    assert f"{layer}.addTo(" not in html  # offered in the layer switcher, not shown
    assert f": {layer}," in html


def test_unknown_cdn_element_is_refused(scene) -> None:
    import folium.plugins

    coverage, _ = scene
    m = build(coverage, None, offer_basemap=False)
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(MapError, match="internetu"):
        use_local_assets(m)


def test_bad_coverage_status_is_a_clear_error(scene) -> None:
    coverage = scene[0].copy()
    coverage.loc[coverage.index[0], "pokrycie"] = "???"
    with pytest.raises(MapError, match="pokrycia"):
        geojson.gminy_geojson(coverage)
    with pytest.raises(MapError, match="pokrycie"):
        geojson.gminy_geojson(coverage.drop(columns=["pokrycie"]))


def test_map_without_entities(scene) -> None:
    coverage, located = scene
    empty = located.iloc[0:0]
    m = build(coverage, empty, offer_basemap=False)
    assert [len(g.data["features"]) for g in _layers(m)] == [213, 24]
    assert "mapa-legenda" in map_html(m)


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
    data = geojson.gminy_geojson(projected)
    x, y = shapely.get_coordinates(shapely.from_geojson(json.dumps(data["features"][0])))[0]
    assert 14 < x < 25 and 49 < y < 55


# --------------------------------------------------------------------------- indicators (issue 4)


def _class_of(coverage, indicator, **kw) -> dict[str, str]:
    keys, classes, _ = indicators.indicator_classes(coverage, indicator, **kw)
    assert set(keys) <= {c.key for c in classes} | {k for k in set(keys) if k.endswith("na")}
    return dict(zip(coverage["teryt"], keys, strict=True))


def test_every_indicator_classifies_every_gmina(scene) -> None:
    coverage, _ = scene
    coverage = coverage.assign(lpres_status="nieznany")
    for indicator in indicators.INDICATORS:
        keys, classes, values = indicators.indicator_classes(coverage, indicator)
        assert len(keys) == len(values) == len(coverage)
        assert set(keys) <= {c.key for c in classes}, indicator
        assert len({c.color for c in classes}) == len(classes), indicator
    with pytest.raises(MapError, match="wskaźnik"):
        indicators.indicator_classes(coverage, "nie_ma")


def test_pes_count_bins_and_type_filter(scene) -> None:
    coverage, _ = scene
    counts = pes_count(coverage)
    assert (counts == coverage["pes_razem"]).all()
    only_kis = pes_count(coverage, ["KIS"])
    assert only_kis.sum() == 1 and (only_kis == coverage["kis"]).all()
    frame = coverage.iloc[:6].copy()
    frame[["cis", "kis", "zaz", "wtz", "sps", "ps", "ngo", "inny"]] = 0
    frame["ngo"] = [0, 1, 2, 4, 5, 12]
    keys = _class_of(frame, "pes_razem")
    labels = {c.key: c.label for c in indicators.indicator_classes(frame, "pes_razem")[1]}
    assert [labels[keys[t]] for t in frame["teryt"]] == [
        "0",
        "1",
        "2–4",
        "2–4",
        "5–9",
        "10 i więcej",
    ]
    per_10k = pes_per_10k(frame)
    assert per_10k.iloc[5] == pytest.approx(round(12 / float(frame["ludnosc"].iloc[5]) * 10_000, 2))
    # without population the class is "no data", not zero
    frame["ludnosc"] = frame["ludnosc"].astype("Float64")
    frame.loc[frame.index[1], "ludnosc"] = None
    assert _class_of(frame, "pes_na_10k")[frame["teryt"].iloc[1]] == "wna"


def test_distance_classes(scene) -> None:
    coverage, _ = scene
    frame = coverage.iloc[:5].assign(odleglosc_cis_kis_km=[0.0, 4.2, 10.0, 31.0, float("nan")])
    keys = _class_of(frame, "odleglosc_cis_kis_km")
    assert [keys[t] for t in frame["teryt"]] == ["d0", "d1", "d1", "d4", "dna"]


def test_lpres_unknown_is_not_none(scene) -> None:
    coverage, located = scene
    statuses = ["brak", "nieznany", "przyjety", "w_przygotowaniu", "wygasly"]
    frame = coverage.assign(lpres_status=[statuses[i % 5] for i in range(len(coverage))])
    keys, classes, values = indicators.indicator_classes(frame, "lpres_status")
    by_key = {c.key: c for c in classes}
    assert by_key["nieznany"].color != by_key["brak"].color
    assert "nieznany" in by_key["nieznany"].label and by_key["brak"].label == "brak planu"
    html = map_html(build(frame, located, indicator="lpres_status", offer_basemap=False))
    assert f"url(#{HATCH_ID})" in html and "gmina-k-nieznany" in html
    assert "lg-hatch" in html  # the legend swatch of "unknown" is hatched too
    assert "brak planu" in html and "nieznany (brak informacji)" in html


def test_style_is_one_function_not_a_list_of_gminas(scene) -> None:
    coverage, located = scene
    html = map_html(build(coverage, located, offer_basemap=False))
    # folium's Python style functions write a "case <id>:" per feature; ours writes none
    assert len(re.findall(r'case "0\d{6}"', html)) == 0
    assert len(re.findall(r'case "p\d+"', html)) == 0
    features = geojson.gminy_geojson(coverage, "pes_razem")["features"]
    assert {f["properties"]["k"] for f in features} <= {"p0", "p1", "p2", "p3", "p4"}
    assert "wartosc" not in features[0]["properties"]
    with_value = geojson.gminy_geojson(coverage, "odleglosc_cis_kis_km")["features"]
    assert all("wartosc" in f["properties"] for f in with_value)


def test_subregion_outline_and_inactive_markers(scene, gminy_06) -> None:
    coverage, located = scene
    region = coverage[coverage["powiat"].isin(["0604", "0662"])]
    outline = region.dissolve("powiat").reset_index()[["powiat", "geometry"]]
    m = build(
        coverage, located, subregions=outline, subregion_label="granica podregionu (OWES)",
        include_inactive=True, offer_basemap=False,
    )  # fmt: skip
    layers = _layers(m)
    assert [len(g.data["features"]) for g in layers] == [213, 24, 2, 5]
    html = map_html(m)
    assert "granica podregionu (OWES)" in html and "lg-dashed" in html
    points = layers[-1].data["features"]
    inactive = [f for f in points if not f["properties"]["aktywny"]]
    assert len(inactive) == 1 and "Stary CIS" in inactive[0]["properties"]["etykieta"]
    assert "pes-nieaktywny" in web_entities.entity_style(inactive[0])["className"]
    assert "nieaktywny w dniu" in html


def test_clustered_markers_use_local_files(scene, monkeypatch) -> None:
    from folium.plugins import MarkerCluster

    coverage, located = scene
    m = build(coverage, located, cluster=True, offer_basemap=False)
    clusters = [c for c in m._children.values() if isinstance(c, MarkerCluster)]
    assert len(clusters) == 1
    html = map_html(m)
    local = asset_urls()
    for key in ("markercluster_js", "markercluster_css", "markercluster_default_css"):
        assert local[key] in html
    assert external_urls(html) == []
    captured: dict = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: captured.update(kw))
    streamlit_folium.st_folium(m, key="c", returned_objects=[])
    assert local["markercluster_js"] in captured["js_links"]
    assert all(not is_external(u) for u in captured["js_links"] + captured["css_links"])
    # few markers: not grouped unless asked
    plain = build(coverage, located, offer_basemap=False)
    assert not [c for c in plain._children.values() if isinstance(c, MarkerCluster)]


def test_markercluster_assets_are_copied(tmp_path: Path) -> None:
    urls = ensure_static_assets(tmp_path / "static")
    js = tmp_path / "static" / urls["markercluster_js"].removeprefix("/app/static/")
    assert "MarkerClusterGroup" in js.read_text(encoding="utf-8")
    css = tmp_path / "static" / urls["markercluster_default_css"].removeprefix("/app/static/")
    assert "marker-cluster" in css.read_text(encoding="utf-8")


def test_subregion_map_escapes_and_hatches_unknown(gminy_06) -> None:
    from geo.analysis.subregions import dissolve_subregions

    powiaty = gminy_06[["powiat", "powiat_nazwa", "geometry"]].dissolve(
        "powiat", as_index=False, aggfunc="first"
    )
    table = pd.DataFrame(
        {
            "powiat": ["0603", "0604"],
            "podregion": ["cz", "cz"],
            "podregion_nazwa": [IMG, IMG],
            "operator": [SCRIPT, SCRIPT],
            "okres": ["2017-10-01..2020-09-30"] * 2,
            "zrodlo": ["x", "x"],
        }
    )
    shapes = dissolve_subregions(powiaty, table)
    m = subregion_map(shapes, powiaty, title="Obszary OWES", offer_basemap=False)
    html = map_html(m)
    for payload in (IMG, SCRIPT):
        assert payload not in html
    data = _layers(m)[0].data
    props = {f["properties"]["ref"]: f["properties"] for f in data["features"]}
    assert set(props) == {"cz", "nieznany"}
    assert props["nieznany"]["kolor"] == "#ffffff" and props["cz"]["kolor"] != "#ffffff"
    assert props["cz"]["okres"] == "01.10.2017–30.09.2020"
    assert "podregion-nieznany" in html and "(22)" in html  # 22 unknown powiats in the legend
    assert external_urls(html) == []
    with pytest.raises(MapError):
        subregion_map(shapes.iloc[0:0])


def test_template_syntax_in_data_stays_text(scene, gminy_06) -> None:
    """folium renders scripts twice through Jinja: data must never be evaluated there."""
    coverage, located = scene
    payloads = [
        "{{ 7*191 }} {% if true %}szablon{% endif %}",
        "{{ cycler.__init__.__globals__ }}",
        "{# x",
    ]
    entities = located.copy()
    entities.loc[entities.index[0], "nazwa"] = payloads[0]
    entities.loc[entities.index[0], "uwagi"] = payloads[1]
    entities.loc[entities.index[0], "podmiot_prowadzacy"] = payloads[2]
    gminy = coverage.copy()
    gminy.loc[gminy.index[0], "nazwa"] = payloads[0]
    m = build(
        gminy, entities, note=payloads[1], attribution=payloads[0], subregions=gminy.iloc[:3],
        subregion_label=payloads[0], offer_basemap=False,
    )  # fmt: skip
    html = map_html(m)
    # shown as text (braces as character references), never evaluated
    assert "1337" not in html and "7*191" in html and "{{ 7*191" not in html
    assert "cycler.__init__.__globals__" in html and "<function" not in html
    assert "{{ cycler" not in html and "{# x" not in html
    # the subregion map too (names come from an editable CSV)
    shapes = gminy.iloc[:3].assign(podregion=payloads[0], podregion_nazwa=payloads[1])
    sub = map_html(subregion_map(shapes, title=payloads[0], offer_basemap=False))
    assert "1337" not in sub and "cycler" in sub and "{{ cycler" not in sub
