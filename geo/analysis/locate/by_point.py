"""Step 2 of locating: coordinates (point in polygon), and where each entity is drawn.

One spatial join for all entities with coordinates. Swapped latitude/longitude are fixed and
points outside Poland ignored, both noted. The drawn point is the entity's own where usable,
else its gmina's representative point (flagged as approximate).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.analysis.locate.problems import P_BAD_POINT, P_CONFLICT, P_OUTSIDE, P_SWAPPED
from geo.analysis.locate.work import METHOD_CODE, METHOD_POINT, Work
from geo.core.crs import LAT_RANGE, LON_RANGE


@dataclass(frozen=True)
class PointEvidence:
    """The entities' points and the gminas they fall in (over the rows)."""

    has_point: pd.Series  #: usable coordinates
    shapes: np.ndarray  #: the points (None without)
    gmina: pd.Series  #: the region's gmina containing the point, or None
    conflict: pd.Series  #: the code says another gmina (the code wins)
    outside: pd.Series  #: a point outside the region, and no code placed the row


def coordinates(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Numeric lon/lat, with swapped pairs fixed; returns (lon, lat, swapped, outside)."""
    lat = pd.to_numeric(frame["szerokosc"], errors="coerce")
    lon = pd.to_numeric(frame["dlugosc"], errors="coerce")
    present = lat.notna() & lon.notna()
    in_pl = lon.between(*LON_RANGE) & lat.between(*LAT_RANGE)
    swapped_in_pl = lat.between(*LON_RANGE) & lon.between(*LAT_RANGE)
    swapped = present & ~in_pl & swapped_in_pl
    lon2 = lon.where(~swapped, lat)
    lat2 = lat.where(~swapped, lon)
    outside = present & ~in_pl & ~swapped_in_pl
    return lon2.where(~outside), lat2.where(~outside), swapped, outside


def _gmina_of_points(
    shapes: np.ndarray, has_point: pd.Series, gminy: gpd.GeoDataFrame
) -> pd.Series:
    """The code of the gmina containing each point (None outside them all or without one)."""
    point_gmina = pd.Series([None] * len(shapes), index=has_point.index, dtype=object)
    if has_point.any():
        # As gpd.sjoin(predicate="within") does it, without building frames: a tree of the
        # points queried with the gmina polygons; a point in two gminas takes the first one.
        at = np.flatnonzero(has_point.to_numpy())
        tree = shapely.STRtree(shapes[at])
        in_gmina, point = tree.query(gminy.geometry.to_numpy(), predicate="contains")
        first = np.full(len(at), len(gminy))
        np.minimum.at(first, point, in_gmina)
        found = first < len(gminy)
        codes = gminy["teryt"].astype(object).where(gminy["teryt"].notna(), None).to_numpy()
        point_gmina.iloc[at[found]] = codes[first[found]]
    return point_gmina


def locate_by_point(
    frame: pd.DataFrame, gminy: gpd.GeoDataFrame, work: Work, outside_code: pd.Series
) -> PointEvidence:
    """Locate the rows not placed by a code by their point; note conflicts with the code."""
    lon, lat, swapped, outside_pl = coordinates(frame)
    notes = work.problems
    notes.note(swapped, P_SWAPPED, "Zamieniono miejscami szerokość i długość geograficzną.")
    notes.note(outside_pl, P_BAD_POINT, "Współrzędne leżą poza Polską; pominięto je.")
    has_point = lon.notna() & lat.notna()
    shapes = np.full(len(frame), None, dtype=object)
    shapes[has_point.to_numpy()] = np.asarray(gpd.points_from_xy(lon[has_point], lat[has_point]))
    point_gmina = _gmina_of_points(shapes, has_point, gminy)
    by_point = work.teryt.isna() & point_gmina.notna()
    work.assign(by_point, point_gmina[by_point], METHOD_POINT)
    conflict = (
        work.method.eq(METHOD_CODE) & has_point & point_gmina.notna() & point_gmina.ne(work.teryt)
    )
    notes.note(
        conflict,
        P_CONFLICT,
        "Kod TERYT wskazuje gminę "
        + work.teryt[conflict].fillna("").astype(str)
        + ", a współrzędne gminę "
        + point_gmina[conflict].fillna("").astype(str)
        + "; przyjęto kod TERYT.",
    )
    outside = has_point & point_gmina.isna() & work.teryt.isna() & ~outside_code
    notes.note(outside, P_OUTSIDE, f"Współrzędne leżą poza obszarem {work.region_name}.")
    return PointEvidence(has_point, shapes, point_gmina, conflict, outside)


def placement(
    gminy: gpd.GeoDataFrame,
    work: Work,
    points: PointEvidence,
    gmina_number: np.ndarray,
    gmina_codes: pd.Index,
) -> tuple[np.ndarray, pd.Series]:
    """The point drawn for each row and whether it is approximate.

    ``gmina_number``/``gmina_codes``: ``pd.factorize`` of the located gminas (-1: none).
    """
    reps = gminy.set_index("teryt").geometry.representative_point()
    real = points.has_point & ~points.conflict & points.gmina.notna()
    # A point outside its code's gmina is shown where the code says, flagged as approximate.
    approx = work.teryt.notna() & ~real
    reps = reps[~reps.index.duplicated(keep="last")]  # as a dict of them would keep
    at = reps.index.get_indexer(gmina_codes)
    at_gmina = np.full(len(gmina_codes) + 1, None, dtype=object)  # the last: no gmina (-1)
    at_gmina[:-1][at >= 0] = reps.to_numpy()[at[at >= 0]]
    at_gmina = at_gmina[gmina_number]
    geometry = np.where(real.to_numpy(), points.shapes, np.where(approx.to_numpy(), at_gmina, None))
    return geometry, approx
