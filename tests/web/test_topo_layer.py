"""TopoJSON in the map document: the codec, its decoders and the folium layer."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import json
import os
import re
import textwrap
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
from geo.web import topo_layer as TL
from geo.web import topojson as T
from geo.web.document import map_elements, map_html
from geo.web.maps import build_map
from geo.web.simplify import web_gminy, web_powiaty

DAY = dt.date(2026, 1, 1)


def vertices(frame: gpd.GeoDataFrame) -> int:
    return int(shapely.get_num_coordinates(np.asarray(frame.geometry.array)).sum())


@pytest.fixture(scope="module")
def light(gminy_06: gpd.GeoDataFrame, tmp_path_factory: pytest.TempPathFactory):
    return web_gminy(gminy_06, cache_dir=tmp_path_factory.mktemp("webgeom"))


# --------------------------------------------------------------------------- TopoJSON


def test_pack_numbers_round_trip() -> None:
    values = np.array([0, 1, -1, 15, 16, -16, 31, 32, 1023, -1024, 10**6, -(10**9), 2**40])
    text = T.pack_numbers(values)
    assert T.unpack_numbers(text) == values.tolist()
    assert set(text) <= set(T._ALPHABET)
    assert len(T.pack_numbers(np.array([5, -7, 12]))) == 3  # small deltas: one letter each


def test_topology_shares_borders_and_decodes_back(light) -> None:
    outlines = web_powiaty(light).boundary
    topo = T.to_topojson({"gminy": light.geometry, "powiaty": outlines})
    assert all(isinstance(a, str) for a in topo["arcs"])
    decoded = T.topojson_features(topo, "gminy")["features"]
    assert len(decoded) == len(light)
    step = topo["transform"]["scale"][0]
    for feature, original in zip(decoded, light.geometry, strict=True):
        assert shape(feature["geometry"]).hausdorff_distance(original) <= step
    # each interior border once: far fewer arc points than ring points
    arc_points = sum(len(T.unpack_numbers(a)) // 2 for a in topo["arcs"])
    assert arc_points < 0.65 * vertices(light)
    lines = T.topojson_features(topo, "powiaty")["features"]
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
    m = TL.use_topojson(build_map(coverage, located))
    layers = [e for e in map_elements(m) if getattr(e, "pes_topo_object", None)]
    assert len(layers) >= 2  # gminas and powiat outlines (and the points)
    topology = json.loads(layers[0].pes_topology_json)
    assert all(getattr(layer, "pes_topology_json", None) is None for layer in layers[1:])
    originals = [e for e in map_elements(plain) if isinstance(e, folium.GeoJson)]
    for layer, original in zip(layers, originals, strict=False):
        decoded = T.topojson_features(topology, layer.pes_topo_object)["features"]
        expected = original.data["features"]
        assert [f.get("id") for f in decoded] == [f.get("id") for f in expected]
        assert [f["properties"] for f in decoded] == [f["properties"] for f in expected]
        for got, want in zip(decoded, expected, strict=True):
            assert shape(got["geometry"]).hausdorff_distance(shape(want["geometry"])) < 2e-4
    # the bounds folium reports are unchanged
    assert np.allclose(m.get_bounds(), plain.get_bounds(), atol=1e-9)


def test_document_is_smaller_and_text_stays_escaped(scene) -> None:
    coverage, located = scene
    plain = map_html(build_map(coverage, located))
    light_doc = map_html(TL.use_topojson(build_map(coverage, located)))
    assert len(light_doc) < 0.6 * len(plain)
    assert "pesTopoFeatures" in light_doc
    assert "</script><b>" not in light_doc and "<b>x</b>" not in light_doc
    assert '"coordinates": [[[' not in light_doc  # no GeoJSON polygons left


def _folium_geojson_template() -> str:
    """The text of the installed folium's GeoJson template, read from its source (tests only)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(folium.GeoJson)))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "_template" for t in node.targets)
            and isinstance(node.value, ast.Call)
        ):
            return node.value.args[0].value
    raise AssertionError("folium.GeoJson has no _template")


def test_kept_template_is_the_installed_folium_template() -> None:
    """Guards an upgrade of folium: our copy of its GeoJson template must still be its own."""
    assert _folium_geojson_template() == TL.FOLIUM_GEOJSON_TEMPLATE
    assert TL.FOLIUM_GEOJSON_TEMPLATE.count(TL.FOLIUM_EMBED_LINE) == 1


def test_layer_without_topology_renders_as_folium_geojson(scene) -> None:
    """Before use_topojson a TopoGeoJson is a folium.GeoJson: the same script, bar whitespace."""
    coverage, _ = scene
    data = json.loads(coverage.head(3)[["teryt", "geometry"]].to_json())
    scripts = []
    for cls in (folium.GeoJson, TL.TopoGeoJson):
        m = folium.Map(tiles=None)
        cls(data, tooltip=folium.GeoJsonTooltip(["teryt"])).add_to(m)
        document = re.sub(r"_[0-9a-f]{32}", "_ID", map_html(m))  # folium's random ids
        scripts.append(re.sub(r"\s+", "", document))
    assert scripts[0] == scripts[1]


@pytest.mark.browser
def test_browser_decoder_matches_python(light) -> None:
    chromium = Path("/usr/bin/chromium")
    playwright = pytest.importorskip("playwright.sync_api")
    if not chromium.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is required in CI")
        pytest.skip("/usr/bin/chromium missing")
    subset = light.head(20)
    topo = T.to_topojson({"a": subset.geometry, "b": subset.representative_point()})
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
            page.set_content(f"<script>{T.TOPOJSON_DECODER_JS}</script>")
            for name in ("a", "b"):
                got = page.evaluate(
                    "([t, n]) => pesTopoFeatures(JSON.parse(t), n)", [json.dumps(topo), name]
                )
                want = T.topojson_features(topo, name)
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
    TL.TopoGeoJson(json.loads(frame.to_json()), tooltip=folium.GeoJsonTooltip(["nazwa"])).add_to(m)
    TL.use_topojson(m)
    document = map_html(m)
    assert "generate_lorem_ipsum" not in document
    layer = next(e for e in map_elements(m) if getattr(e, "pes_topology_json", None))
    decoded = T.topojson_features(json.loads(layer.pes_topology_json), "l0")["features"]
    assert {f["properties"]["nazwa"] for f in decoded} == {hostile}
    for start in ("{{", "{%", "{#"):
        assert start not in T.TOPOJSON_DECODER_JS
