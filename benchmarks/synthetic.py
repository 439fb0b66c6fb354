"""Synthetic registries for benchmarks: entities at random points inside real gminas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.schema import ENTITY_TYPES, REGISTRY_COLUMNS


def synthetic_registry(gminy: gpd.GeoDataFrame, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` entities in the native format: half located by code, half by coordinates.

    Points are drawn inside the gmina polygons, so every entity is locatable; types, dates and
    a few inter-gmina service areas vary as in a real register.
    """
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(gminy), size=n)
    chosen = gminy.iloc[picks].reset_index(drop=True)
    counts = np.bincount(picks, minlength=len(gminy))
    samples = gminy.geometry.sample_points(size=counts, rng=rng)
    # sample_points returns one MultiPoint per gmina; explode to single points in gmina order
    points = samples.explode(index_parts=False)
    points = points[points.notna() & ~points.is_empty]
    order = np.argsort(picks, kind="stable")
    xs = np.empty(n)
    ys = np.empty(n)
    xs[order] = points.x.to_numpy()[:n]
    ys[order] = points.y.to_numpy()[:n]
    by_code = rng.random(n) < 0.5
    types = rng.choice(list(ENTITY_TYPES), size=n)
    start_year = rng.integers(2005, 2026, size=n)
    frame = pd.DataFrame({col: [None] * n for col in REGISTRY_COLUMNS})
    frame["id"] = [f"S{i:06d}" for i in range(n)]
    frame["nazwa"] = [f"Podmiot syntetyczny {i}" for i in range(n)]
    frame["typ"] = types
    frame["teryt"] = np.where(by_code, chosen["teryt"], None)
    frame["szerokosc"] = np.where(by_code, np.nan, ys.round(6))
    frame["dlugosc"] = np.where(by_code, np.nan, xs.round(6))
    frame["data_rozpoczecia"] = [f"{y}-01-01" for y in start_year]
    ended = rng.random(n) < 0.1
    frame["data_zakonczenia"] = np.where(ended, "2024-12-31", None)
    return frame
