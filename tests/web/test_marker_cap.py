"""The map of a registry too large for markers: one count circle per gmina, bounded payload."""

from __future__ import annotations

import datetime as dt
import json

import geopandas as gpd
import numpy as np
import pytest

from geo.analysis.coverage import gmina_coverage
from geo.core.schema import ENTITY_TYPES
from geo.web.document import map_html
from geo.web.entities import MAX_MARKERS, gmina_counts_geojson
from geo.web.maps import MapOptions, build_map

#: The documented maximum registry (README: import of up to 500,000 rows).
ROWS = 500_000
#: What the browser may receive for the whole map document, whatever the registry's size.
MAX_DOCUMENT_BYTES = 3_000_000


@pytest.fixture(scope="module")
def coverage_frame(gminy_06):
    """The Lubelskie gminas with the columns the coverage map needs (one CIS in Lublin)."""
    lublin = gminy_06[gminy_06["teryt"] == "0663011"]
    located = gpd.GeoDataFrame(
        {
            "typ": ["CIS"],
            "teryt_gminy": ["0663011"],
            "uwzgledniony": [True],
            "data_rozpoczecia": [None],
            "data_zakonczenia": [None],
            "nazwa": ["CIS Lublin"],
            "gminy_obslugiwane_kody": [None],
        },
        geometry=lublin.geometry.representative_point().to_numpy(),
        crs=gminy_06.crs,
    )
    return gmina_coverage(gminy_06, located, dt.date(2026, 1, 1))


def synthetic_registry(gminy: gpd.GeoDataFrame, rows: int) -> gpd.GeoDataFrame:
    """``rows`` located, active entities spread over the gminas (vectorised, no I/O)."""
    rng = np.random.default_rng(16)
    which = rng.integers(0, len(gminy), rows)
    centres = gminy.geometry.representative_point()
    x = centres.x.to_numpy()[which] + rng.normal(0, 200, rows)
    y = centres.y.to_numpy()[which] + rng.normal(0, 200, rows)
    return gpd.GeoDataFrame(
        {
            "nazwa": [f"Podmiot {i}" for i in range(rows)],
            "typ": np.array(list(ENTITY_TYPES))[rng.integers(0, len(ENTITY_TYPES), rows)],
            "teryt_gminy": gminy["teryt"].to_numpy()[which],
            "uwzgledniony": True,
            "aktywny": True,
            "pozycja_przyblizona": False,
        },
        geometry=gpd.points_from_xy(x, y, crs=gminy.crs),
    )


def test_documented_maximum_registry_still_gives_a_small_map(coverage_frame) -> None:
    entities = synthetic_registry(coverage_frame, ROWS)
    m = build_map(coverage_frame, entities, None, MapOptions(offer_basemap=False))
    html = map_html(m)
    size = len(html.encode())
    assert size < MAX_DOCUMENT_BYTES, f"{size:,} bytes for {ROWS:,} entities"
    # the entities are there as sums per gmina, and the legend says so in Polish
    assert "pes-suma" in html
    assert '"kind": "podmiot"' not in html
    # every entity is counted once
    data = gmina_counts_geojson(entities, coverage_frame)
    assert sum(f["properties"]["n"] for f in data["features"]) == ROWS
    assert len(data["features"]) <= len(coverage_frame)


def test_counts_per_gmina_select_the_gmina_and_escape_names(coverage_frame) -> None:
    gminy = coverage_frame.copy()
    gminy.loc[gminy.index[0], "nazwa"] = "<img src=x onerror=alert(1)>"
    entities = synthetic_registry(gminy.iloc[:3], 50)
    data = gmina_counts_geojson(entities, gminy)
    props = [f["properties"] for f in data["features"]]
    assert {p["kind"] for p in props} == {"gmina"}
    assert {p["ref"] for p in props} <= set(gminy["teryt"].iloc[:3])
    assert all(3 <= p["r"] <= 18 for p in props) and max(p["r"] for p in props) == 18
    text = json.dumps(props, ensure_ascii=False)
    assert "<img" not in text and "&lt;img" in text


def test_below_the_cap_every_entity_is_a_marker(coverage_frame) -> None:
    entities = synthetic_registry(coverage_frame, 40)
    html = map_html(build_map(coverage_frame, entities, None, MapOptions(offer_basemap=False)))
    assert html.count('"kind": "podmiot"') == 40
    assert "pes-suma" not in html
    capped = MapOptions(offer_basemap=False, max_markers=39)
    html = map_html(build_map(coverage_frame, entities, None, capped))
    assert '"kind": "podmiot"' not in html and "pes-suma" in html
    assert MAX_MARKERS >= 1000  # a real registry of a voivodeship still shows every entity
