"""Web geometry: simplified shared borders, the disk cache, TopoJSON in the map document."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from geo.analysis.coverage import gmina_coverage
from geo.analysis.locate import locate_entities
from geo.core.schema import REGISTRY_COLUMNS
from geo.web import webgeom as W
from geo.web.webmap import build_map, map_elements, map_html

DAY = dt.date(2026, 1, 1)


def vertices(frame: gpd.GeoDataFrame) -> int:
    return int(shapely.get_num_coordinates(np.asarray(frame.geometry.array)).sum())


@pytest.fixture(scope="module")
def light(gminy_06: gpd.GeoDataFrame, tmp_path_factory: pytest.TempPathFactory):
    return W.web_gminy(gminy_06, cache_dir=tmp_path_factory.mktemp("webgeom"))


# --------------------------------------------------------------------------- web_gminy


def test_same_rows_and_columns_lighter_geometry(gminy_06, light) -> None:
    assert list(light.columns) == list(gminy_06.columns)
    assert light.index.equals(gminy_06.index)
    assert light["teryt"].tolist() == gminy_06["teryt"].tolist()
    assert light.crs.to_epsg() == 4326
    assert vertices(light) < vertices(gminy_06)
    assert light.geometry.is_valid.all()
    # every coordinate rounded to 5 decimals
    coords = shapely.get_coordinates(np.asarray(light.geometry.array))
    assert np.allclose(coords, np.round(coords, 5), atol=1e-12)


def test_simplification_keeps_shape_and_topology(gminy_06, light) -> None:
    metric_full = gminy_06.to_crs(2180)
    metric_light = light.to_crs(2180)
    # each gmina keeps its area (within 1.5 %) and stays within ~1 km of its outline
    ratio = metric_light.area.to_numpy() / metric_full.area.to_numpy()
    assert np.all(np.abs(ratio - 1) < 0.015)
    hausdorff = metric_light.geometry.hausdorff_distance(metric_full.geometry, align=False)
    assert hausdorff.max() < 1000
    # shared borders stay shared: no gaps, no overlaps between neighbours
    union = metric_light.union_all().area
    assert metric_light.area.sum() == pytest.approx(union, rel=1e-6)
    assert union == pytest.approx(metric_full.union_all().area, rel=2e-3)


def test_display_tolerance_follows_the_region_size(gminy_06, shared_data) -> None:
    region = W.display_tolerance_m(gminy_06)
    poland = W.display_tolerance_m(
        gpd.read_file(shared_data / "boundaries" / "poland_gminy.geojson")
    )
    assert W.MIN_TOLERANCE_M <= region < poland <= W.MAX_TOLERANCE_M


def test_cache_is_reused_and_keyed_by_the_boundaries(gminy_06, tmp_path, monkeypatch) -> None:
    calls = []
    real = W._simplified
    monkeypatch.setattr(W, "_simplified", lambda *a: calls.append(1) or real(*a))
    first = W.web_gminy(gminy_06, cache_dir=tmp_path)
    again = W.web_gminy(gminy_06, cache_dir=tmp_path)
    assert len(calls) == 1  # the second call read the disk cache
    assert again.geometry.geom_equals_exact(first.geometry, tolerance=0).all()
    assert len(list(tmp_path.glob("gminy-*.parquet"))) == 1

    # new boundaries (one gmina changed) -> another key, computed again
    moved = gminy_06.copy()
    moved.loc[0, "geometry"] = shapely.affinity.translate(moved.geometry.iloc[0], 0.001, 0)
    W.web_gminy(moved, cache_dir=tmp_path)
    assert len(calls) == 2
    # other parameters -> another key
    W.web_gminy(gminy_06, cache_dir=tmp_path, decimals=4)
    W.web_gminy(gminy_06, cache_dir=tmp_path, tolerance_m=500)
    assert len(calls) == 4
    assert len(list(tmp_path.glob("gminy-*.parquet"))) == 4


def test_broken_or_unwritable_cache_is_never_fatal(gminy_06, tmp_path) -> None:
    W.web_gminy(gminy_06, cache_dir=tmp_path)
    (cached,) = tmp_path.glob("gminy-*.parquet")
    cached.write_bytes(b"not parquet")
    repaired = W.web_gminy(gminy_06, cache_dir=tmp_path)
    assert len(repaired) == len(gminy_06)
    assert gpd.read_parquet(cached).shape[0] == len(gminy_06)  # rewritten

    blocked = tmp_path / "file"
    blocked.write_text("x")  # a file where the cache folder should be
    assert len(W.web_gminy(gminy_06, cache_dir=blocked / "sub")) == len(gminy_06)


def test_no_cache_dir_computes(gminy_06) -> None:
    out = W.web_gminy(gminy_06.head(5), cache_dir=None, tolerance_m=0)
    assert vertices(out) == vertices(gminy_06.head(5))  # only rounded


def test_bad_boundaries_raise_polish_errors(gminy_06) -> None:
    with pytest.raises(W.WebGeometryError, match="układu współrzędnych"):
        W.web_gminy(gminy_06.set_crs(None, allow_override=True), cache_dir=None)
    points = gminy_06.head(3).set_geometry(gminy_06.head(3).representative_point())
    with pytest.raises(W.WebGeometryError, match="wielokątami"):
        W.web_gminy(points, cache_dir=None)
    empty = gminy_06.head(3).copy()
    empty.loc[empty.index[0], "geometry"] = None
    with pytest.raises(W.WebGeometryError, match="geometrii"):
        W.web_gminy(empty, cache_dir=None)
    with pytest.raises(W.WebGeometryError, match="tolerancja"):
        W.web_gminy(gminy_06.head(3), cache_dir=None, tolerance_m=-1)


def test_powiaty_nest_exactly_in_the_web_gminas(light, tmp_path) -> None:
    powiaty = W.web_powiaty(light, cache_dir=tmp_path)
    assert powiaty["powiat"].tolist() == sorted(light["teryt"].str[:4].unique())
    assert (powiaty["powiat_nazwa"] != "").all()
    metric = light.to_crs(2180)
    for _, row in powiaty.to_crs(2180).iterrows():
        members = metric[metric["teryt"].str[:4] == row["powiat"]].union_all()
        assert row.geometry.symmetric_difference(members).area < 1.0  # m², rounding only


# --------------------------------------------------------------------------- TopoJSON


def test_pack_numbers_round_trip() -> None:
    values = np.array([0, 1, -1, 15, 16, -16, 31, 32, 1023, -1024, 10**6, -(10**9), 2**40])
    text = W.pack_numbers(values)
    assert W.unpack_numbers(text) == values.tolist()
    assert set(text) <= set(W._ALPHABET)
    assert len(W.pack_numbers(np.array([5, -7, 12]))) == 3  # small deltas: one letter each


def test_topology_shares_borders_and_decodes_back(light) -> None:
    outlines = W.web_powiaty(light).boundary
    topo = W.to_topojson({"gminy": light.geometry, "powiaty": outlines})
    assert all(isinstance(a, str) for a in topo["arcs"])
    decoded = W.topojson_features(topo, "gminy")["features"]
    assert len(decoded) == len(light)
    step = topo["transform"]["scale"][0]
    for feature, original in zip(decoded, light.geometry, strict=True):
        assert shape(feature["geometry"]).hausdorff_distance(original) <= step
    # each interior border once: far fewer arc points than ring points
    arc_points = sum(len(W.unpack_numbers(a)) // 2 for a in topo["arcs"])
    assert arc_points < 0.65 * vertices(light)
    lines = W.topojson_features(topo, "powiaty")["features"]
    assert len(lines) == len(outlines)
    assert shape(lines[0]["geometry"]).hausdorff_distance(outlines.iloc[0]) <= step


@pytest.fixture(scope="module")
def scene(light, gminy_06, terc_pl):
    rows = [
        {"nazwa": "CIS Lublin", "typ": "CIS", "teryt": "0663011"},
        {"nazwa": "</script><b>x</b> & 'y'", "typ": "KIS", "teryt": "0604042"},
    ]
    frame = pd.DataFrame([{c: r.get(c) for c in REGISTRY_COLUMNS} for r in rows])
    located = locate_entities(frame, gminy_06, terc_pl, "06")
    coverage = gmina_coverage(light, located, DAY)
    return coverage, located


def test_use_topojson_keeps_what_leaflet_gets(scene) -> None:
    coverage, located = scene
    plain = build_map(coverage, located)
    m = W.use_topojson(build_map(coverage, located))
    layers = [e for e in map_elements(m) if getattr(e, "pes_topo_object", None)]
    assert len(layers) >= 2  # gminas and powiat outlines (and the points)
    topology = json.loads(layers[0].pes_topology_json)
    assert all(getattr(layer, "pes_topology_json", None) is None for layer in layers[1:])
    originals = [e for e in map_elements(plain) if isinstance(e, folium.GeoJson)]
    for layer, original in zip(layers, originals, strict=False):
        decoded = W.topojson_features(topology, layer.pes_topo_object)["features"]
        expected = original.data["features"]
        assert [f.get("id") for f in decoded] == [f.get("id") for f in expected]
        assert [f["properties"] for f in decoded] == [f["properties"] for f in expected]
        for got, want in zip(decoded, expected, strict=True):
            assert shape(got["geometry"]).hausdorff_distance(shape(want["geometry"])) < 2e-4
    # the bounds folium reports are unchanged (and no longer walk every coordinate)
    assert np.allclose(m.get_bounds(), plain.get_bounds(), atol=1e-9)


def test_document_is_smaller_and_text_stays_escaped(scene) -> None:
    coverage, located = scene
    plain = map_html(build_map(coverage, located))
    light_doc = map_html(W.use_topojson(build_map(coverage, located)))
    assert len(light_doc) < 0.6 * len(plain)
    assert "pesTopoFeatures" in light_doc
    assert "</script><b>" not in light_doc and "<b>x</b>" not in light_doc
    assert '"coordinates": [[[' not in light_doc  # no GeoJSON polygons left


def test_unknown_folium_template_keeps_geojson(scene, monkeypatch) -> None:
    coverage, located = scene
    monkeypatch.setattr(W, "_topo_template", None)
    monkeypatch.setattr(W, "_topo_template_failed", False)
    monkeypatch.setattr(W, "_folium_geojson_template_source", lambda: "{{ this.data }}")
    m = W.use_topojson(build_map(coverage, located))
    assert "pesTopoFeatures" not in map_html(m)
    assert not any(hasattr(e, "pes_topo_object") for e in map_elements(m))


def test_installed_folium_supports_topojson() -> None:
    """Guards an upgrade of folium: the one template line we replace must still exist."""
    source = W._folium_geojson_template_source()
    assert source is not None and source.count(W._EMBED_GEOJSON) == 1


@pytest.mark.browser
def test_browser_decoder_matches_python(light) -> None:
    chromium = Path("/usr/bin/chromium")
    playwright = pytest.importorskip("playwright.sync_api")
    if not chromium.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is required in CI")
        pytest.skip("/usr/bin/chromium missing")
    subset = light.head(20)
    topo = W.to_topojson({"a": subset.geometry, "b": subset.representative_point()})
    topo["objects"]["a"]["ids"] = subset["teryt"].tolist()
    topo["objects"]["a"]["columns"] = {
        "nazwa": {"values": subset["nazwa"].tolist()},
        "rodzaj": {"levels": ["1", "2", "3"], "codes": [0] * len(subset)},
    }
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.abort())
            page.set_content(f"<script>{W.TOPOJSON_DECODER_JS}</script>")
            for name in ("a", "b"):
                got = page.evaluate(
                    "([t, n]) => pesTopoFeatures(JSON.parse(t), n)", [json.dumps(topo), name]
                )
                want = W.topojson_features(topo, name)
                assert [f.get("id") for f in got["features"]] == [
                    f.get("id") for f in want["features"]
                ]
                assert [f["properties"] for f in got["features"]] == [
                    f["properties"] for f in want["features"]
                ]
                for g, w in zip(got["features"], want["features"], strict=True):
                    assert np.allclose(
                        shapely.get_coordinates(shape(g["geometry"])),
                        shapely.get_coordinates(shape(w["geometry"])),
                        atol=1e-9,
                    )
        finally:
            browser.close()


def test_template_syntax_in_properties_stays_inert(light) -> None:
    """folium runs rendered scripts through Jinja again: data must not become template code."""
    hostile = "{{ lipsum.__name__ }} {% if 1 %}x{% endif %} {# c #}"
    frame = light.head(3)[["teryt", "geometry"]].assign(nazwa=hostile)
    m = folium.Map(tiles=None)
    folium.GeoJson(json.loads(frame.to_json()), tooltip=folium.GeoJsonTooltip(["nazwa"])).add_to(m)
    W.use_topojson(m)
    document = map_html(m)
    assert "generate_lorem_ipsum" not in document
    layer = next(e for e in map_elements(m) if getattr(e, "pes_topology_json", None))
    decoded = W.topojson_features(json.loads(layer.pes_topology_json), "l0")["features"]
    assert {f["properties"]["nazwa"] for f in decoded} == {hostile}
    for start in ("{{", "{%", "{#"):
        assert start not in W.TOPOJSON_DECODER_JS
