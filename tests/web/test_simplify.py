"""Web geometry: simplified shared borders and the disk cache (geo.web.simplify)."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.web import simplify as W

DAY = dt.date(2026, 1, 1)


def vertices(frame: gpd.GeoDataFrame) -> int:
    return int(shapely.get_num_coordinates(np.asarray(frame.geometry.array)).sum())


@pytest.fixture(scope="module")
def light(gminy_06: gpd.GeoDataFrame, tmp_path_factory: pytest.TempPathFactory):
    return W.web_gminy(gminy_06, cache_dir=tmp_path_factory.mktemp("webgeom"))


# --------------------------------------------------------------------------- web_gminy


@pytest.mark.usefixtures("full_data")
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


@pytest.mark.usefixtures("full_data")
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
