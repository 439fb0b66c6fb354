"""Where entities are drawn: the same points on the web map and in print.

Entities located only by their gmina (no coordinates) share the gmina's representative point;
:func:`display_points` spreads them so that each marker stays visible and clickable.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.core.crs import METRIC_CRS

__all__ = ["display_points", "entities_on_map", "on_map_mask"]

_SPREAD_STEP_M = 2500.0  # spacing of entities shown around the same gmina centre


def entities_on_map(entities: gpd.GeoDataFrame, include_inactive: bool = False) -> gpd.GeoDataFrame:
    """The entities drawn on the map: located, counted and active (where those flags exist).

    Parameters
    ----------
    entities : geopandas.GeoDataFrame
        Located entities (``geo.analysis.locate`` output, with ``aktywny`` from the pipeline).
    include_inactive : bool
        Also entities not active on the "stan na" date (closed or not yet started).

    Returns
    -------
    geopandas.GeoDataFrame
        The subset with a point geometry; the original index is kept.
    """
    return entities[on_map_mask(entities, include_inactive)]


def on_map_mask(entities: gpd.GeoDataFrame, include_inactive: bool = False) -> np.ndarray:
    """The boolean mask behind :func:`entities_on_map`."""
    mask = (entities.geometry.notna() & ~entities.geometry.is_empty).to_numpy(copy=True)
    flags = ("uwzgledniony",) if include_inactive else ("uwzgledniony", "aktywny")
    for flag in flags:
        if flag in entities.columns:
            mask &= entities[flag].fillna(False).astype(bool).to_numpy()
    return mask


def display_points(
    entities: gpd.GeoDataFrame, gminy: gpd.GeoDataFrame | None = None
) -> gpd.GeoSeries:
    """Marker positions: entities sharing one approximate point are spread around it.

    Entities without coordinates all sit on their gmina's representative point; drawn there
    they would hide each other. They are laid out on a small sunflower spiral around that point
    (inside a circle of about the gmina's size), so each stays visible and clickable. Entities
    with real coordinates are not moved.

    Parameters
    ----------
    entities : geopandas.GeoDataFrame
        Entities with point geometry; ``pozycja_przyblizona`` marks approximate ones.
    gminy : geopandas.GeoDataFrame, optional
        Gminas (``teryt``, geometry) to bound the spread by the gmina's area.

    Returns
    -------
    geopandas.GeoSeries
        Points in EPSG:4326, same index as ``entities``.
    """
    points = entities.geometry.to_crs(4326)
    if entities.empty or "pozycja_przyblizona" not in entities.columns:
        return points
    approx = entities["pozycja_przyblizona"].fillna(False).astype(bool).to_numpy()
    metric = entities.geometry.to_crs(METRIC_CRS)
    x = metric.x.to_numpy(dtype=float)
    y = metric.y.to_numpy(dtype=float)
    key = pd.Series(np.round(x).astype(str), index=entities.index) + ":" + np.round(y).astype(str)
    key = key.where(approx, None)
    rank = key.groupby(key).cumcount().reindex(key.index).fillna(0).to_numpy(dtype=float)
    size = key.map(key.value_counts()).fillna(1).to_numpy(dtype=float)
    spread = approx & (size > 1)
    if not spread.any():
        return points

    shapes = None
    step = np.full(len(entities), _SPREAD_STEP_M)
    if gminy is not None and "teryt_gminy" in entities.columns:
        polygons = gminy.set_index("teryt").geometry.to_crs(METRIC_CRS)
        shapes = entities["teryt_gminy"].map(polygons)
        radius = np.sqrt(gpd.GeoSeries(shapes, crs=METRIC_CRS).area / math.pi)
        # Keep the spiral (radius step*sqrt(n)) within ~60 % of the gmina's equivalent circle.
        limit = 0.6 * radius.to_numpy(dtype=float) / np.sqrt(size)
        step = np.where(np.isnan(limit), step, np.minimum(step, limit))
    r = step * np.sqrt(rank + 0.5)
    angle = rank * math.pi * (3 - math.sqrt(5))  # golden angle: an even sunflower
    new_x = np.where(spread, x + r * np.sin(angle), x)
    new_y = np.where(spread, y + r * np.cos(angle), y)
    moved = gpd.GeoSeries(gpd.points_from_xy(new_x, new_y), index=entities.index, crs=METRIC_CRS)
    if shapes is not None:
        # Ring-shaped rural gminas around a town: a point may land outside; pull it back in.
        known = spread & shapes.notna().to_numpy()
        area = gpd.GeoSeries(shapes[known], crs=METRIC_CRS)
        outside = ~area.contains(moved[known])
        if outside.any():
            idx = outside[outside].index
            inner = area[idx].buffer(-200)
            inner = inner.where(~inner.is_empty, area[idx])
            pulled = shapely.shortest_line(inner.array, moved[idx].array)
            moved[idx] = shapely.get_point(pulled, 0)
    return moved.to_crs(4326)
