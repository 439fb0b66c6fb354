"""Web geometry: gmina boundaries made light for the browser, cached on disk.

The map shows boundaries at the scale of a screen, not of a register. Two steps here (a third,
TopoJSON in the document, is :mod:`geo.web.topo_layer`) make the document small without
changing what a planner sees:

1. **Topology-preserving simplification** (:func:`web_gminy`): all gminas are simplified
   together (``GeoSeries.simplify_coverage``), so neighbours keep one shared border, with no
   gaps or overlaps. The default tolerance follows the display scale: about one screen pixel
   when the whole region fills a ~1000 px map (:func:`display_tolerance_m`).
2. **Rounded coordinates**: 5 decimals (about 1 m), far below a pixel at any useful zoom.

Results are cached under ``PES_HOME`` (:func:`default_cache_dir`), keyed by a hash of the
boundaries themselves (codes and geometry) and of the parameters: new boundaries or other
parameters give another key, so a stale file is never used.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._fs import atomic_path
from geo.config import Settings
from geo.core.content import content_key
from geo.core.crs import METRIC_CRS
from geo.errors import UserError

__all__ = [
    "DEFAULT_DECIMALS",
    "WEBGEOM_VERSION",
    "WebGeometryError",
    "boundaries_key",
    "default_cache_dir",
    "display_tolerance_m",
    "rounded",
    "web_gminy",
    "web_powiaty",
]

log = logging.getLogger(__name__)

#: Part of every cache key: bump it when the algorithm changes, so old files are not reused.
WEBGEOM_VERSION = 1
DEFAULT_DECIMALS = 5  # ~1 m
#: The display scale: a region fitted into about this many pixels (a laptop or projector map).
DISPLAY_PIXELS = 1000
#: Tolerance bounds (m): finer is invisible; coarser would distort small urban gminas.
MIN_TOLERANCE_M = 50.0
MAX_TOLERANCE_M = 1000.0
CACHE_FILES_KEPT = 12  # old cache entries beyond this many are removed


class WebGeometryError(UserError, ValueError):
    """Boundaries unusable for the web map; the message is in Polish."""


# --------------------------------------------------------------------------- simplification


def _check(gminy: gpd.GeoDataFrame) -> None:
    if not isinstance(gminy, gpd.GeoDataFrame):
        raise WebGeometryError("Granice gmin muszą być tabelą z geometrią (GeoDataFrame).")
    if gminy.crs is None:
        raise WebGeometryError("Granice gmin nie mają układu współrzędnych (CRS).")
    geoms = gminy.geometry
    if geoms.isna().any() or geoms.is_empty.any():
        raise WebGeometryError("Część gmin nie ma geometrii; nie można przygotować mapy.")
    kinds = set(geoms.geom_type)
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise WebGeometryError(
            "Granice gmin muszą być wielokątami; znaleziono: " + ", ".join(sorted(kinds)) + "."
        )


def display_tolerance_m(gminy: gpd.GeoDataFrame) -> float:
    """Simplification tolerance (m) of about one pixel when the region fills the map.

    Parameters
    ----------
    gminy : geopandas.GeoDataFrame
        The region's gminas (any CRS).

    Returns
    -------
    float
        The longer side of the region's extent divided by :data:`DISPLAY_PIXELS`, bounded to
        50-1000 m: ~230 m for Lubelskie, ~700 m for all of Poland.
    """
    _check(gminy)
    minx, miny, maxx, maxy = gminy.geometry.to_crs(METRIC_CRS).total_bounds
    extent = max(maxx - minx, maxy - miny)
    return float(min(MAX_TOLERANCE_M, max(MIN_TOLERANCE_M, extent / DISPLAY_PIXELS)))


def boundaries_key(
    gminy: gpd.GeoDataFrame, *, tolerance_m: float, decimals: int, kind: str = "gminy"
) -> str:
    """Cache key of the web geometry: hash of codes, CRS, geometry and parameters.

    Any change of the boundaries (a new import, another source file, another region) or of
    the parameters gives another key.
    """
    codes = gminy["teryt"].astype(str) if "teryt" in gminy else pd.Series(gminy.index.astype(str))
    parameters = [WEBGEOM_VERSION, kind, round(float(tolerance_m), 3), int(decimals)]
    return content_key(
        *parameters, str(gminy.crs), "\n".join(codes.tolist()), geometries=[gminy.geometry]
    )


def default_cache_dir(settings: Settings) -> Path:
    """Where web geometry is cached: ``$PES_HOME/cache/webgeom``."""
    return settings.home / "cache" / "webgeom"


def rounded(geometry: gpd.GeoSeries, decimals: int = DEFAULT_DECIMALS) -> gpd.GeoSeries:
    """``geometry`` with every coordinate rounded to ``decimals``."""
    values = shapely.transform(
        np.asarray(geometry.array, dtype=object), lambda xy: np.round(xy, decimals)
    )
    return gpd.GeoSeries(values, index=geometry.index, crs=geometry.crs)


def _polygonal(geom: Any) -> Any:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def _fix_invalid(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    # Rounding can, rarely, make a thin spike cross itself; repair only those shapes.
    bad = ~geometry.is_valid
    if not bad.any():
        return geometry
    fixed = shapely.make_valid(np.asarray(geometry[bad].array, dtype=object))
    geometry = geometry.copy()
    geometry[bad] = [_polygonal(g) for g in fixed]
    return geometry


def _simplified(gminy: gpd.GeoDataFrame, tolerance_m: float, decimals: int) -> gpd.GeoSeries:
    metric = gminy.geometry.to_crs(METRIC_CRS)
    if tolerance_m > 0:
        metric = metric.simplify_coverage(tolerance_m)
    return _fix_invalid(rounded(metric.to_crs(4326), decimals))


def _cache_read(path: Path, n: int) -> gpd.GeoSeries | None:
    try:
        cached = gpd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - a broken cache file is recomputed, never fatal
        log.warning("Pomijam uszkodzony plik pamięci podręcznej %s: %s", path, exc)
        return None
    if len(cached) != n:
        return None
    return cached.geometry


def _cache_write(path: Path, geometry: gpd.GeoSeries) -> None:
    try:
        # A reader never sees half a file, and two processes computing the same key just
        # replace each other's identical result.
        with atomic_path(path) as partial:
            gpd.GeoDataFrame(geometry=geometry.reset_index(drop=True)).to_parquet(partial)
        _prune(path.parent)
    except OSError as exc:
        log.warning("Nie zapisano pamięci podręcznej geometrii %s: %s", path, exc)


def _prune(folder: Path) -> None:
    files = sorted(folder.glob("*.parquet"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[CACHE_FILES_KEPT:]:
        old.unlink(missing_ok=True)


def _cached_geometry(
    frame: gpd.GeoDataFrame,
    kind: str,
    cache_dir: Path | None,
    tolerance_m: float,
    decimals: int,
    compute: Any,
    rows: int,
) -> gpd.GeoSeries:
    path = None
    if cache_dir is not None:
        key = boundaries_key(frame, tolerance_m=tolerance_m, decimals=decimals, kind=kind)
        path = Path(cache_dir) / f"{kind}-{key[:32]}.parquet"
        if path.exists():
            cached = _cache_read(path, rows)
            if cached is not None:
                return cached
    geometry = compute()
    if path is not None:
        _cache_write(path, geometry)
    return geometry


def web_gminy(
    gminy: gpd.GeoDataFrame,
    *,
    cache_dir: Path | None,
    tolerance_m: float | None = None,
    decimals: int = DEFAULT_DECIMALS,
) -> gpd.GeoDataFrame:
    """The gminas with geometry light enough for the browser; every other column unchanged.

    Parameters
    ----------
    gminy : geopandas.GeoDataFrame
        Gminas forming a coverage (no overlaps), any CRS; ``teryt`` is used in the cache key.
    cache_dir : pathlib.Path or None
        Folder of the disk cache (:func:`default_cache_dir`); ``None`` computes every time.
    tolerance_m : float, optional
        Simplification tolerance in metres (default :func:`display_tolerance_m`); 0 only
        rounds.
    decimals : int
        Decimals of the rounded lon/lat coordinates.

    Returns
    -------
    geopandas.GeoDataFrame
        Same rows, index and columns, geometry simplified together (shared borders stay
        shared) and rounded, in EPSG:4326.

    Raises
    ------
    WebGeometryError
        When the frame has no CRS, empty or non-polygon geometry.
    """
    _check(gminy)
    tolerance = display_tolerance_m(gminy) if tolerance_m is None else float(tolerance_m)
    if not math.isfinite(tolerance) or tolerance < 0:
        raise WebGeometryError(f"Nieprawidłowa tolerancja upraszczania: {tolerance_m!r}.")
    geometry = _cached_geometry(
        gminy,
        "gminy",
        cache_dir,
        tolerance,
        decimals,
        lambda: _simplified(gminy, tolerance, decimals),
        len(gminy),
    )
    out = gminy.copy()
    out[gminy.geometry.name] = gpd.GeoSeries(geometry.to_numpy(), index=gminy.index, crs=4326)
    return out


def web_powiaty(
    gminy_web: gpd.GeoDataFrame,
    *,
    cache_dir: Path | None = None,
    decimals: int = DEFAULT_DECIMALS,
) -> gpd.GeoDataFrame:
    """Powiats dissolved from web gminas, so their borders lie exactly on gmina borders.

    Parameters
    ----------
    gminy_web : geopandas.GeoDataFrame
        Output of :func:`web_gminy` with ``teryt`` (and ``powiat_nazwa`` when available).
    cache_dir : pathlib.Path or None
        Disk cache folder, as for :func:`web_gminy`.
    decimals : int
        Decimals of the rounded coordinates.

    Returns
    -------
    geopandas.GeoDataFrame
        ``powiat, powiat_nazwa, geometry`` (EPSG:4326), sorted by ``powiat``.
    """
    _check(gminy_web)
    frame = gpd.GeoDataFrame(
        {
            "powiat": gminy_web["teryt"].astype(str).str[:4].to_numpy(),
            "powiat_nazwa": (
                gminy_web["powiat_nazwa"].to_numpy() if "powiat_nazwa" in gminy_web else ""
            ),
        },
        geometry=gminy_web.geometry.to_crs(4326).to_numpy(),
        crs=4326,
    )
    names = frame.drop_duplicates("powiat").set_index("powiat")["powiat_nazwa"]
    codes = sorted(names.index)

    def compute() -> gpd.GeoSeries:
        dissolved = frame[["powiat", "geometry"]].dissolve(by="powiat").reindex(codes)
        return rounded(dissolved.geometry.reset_index(drop=True), decimals)

    key_frame = frame.assign(teryt=frame["powiat"])
    geometry = _cached_geometry(key_frame, "powiaty", cache_dir, 0.0, decimals, compute, len(codes))
    return gpd.GeoDataFrame(
        {"powiat": codes, "powiat_nazwa": names.reindex(codes).fillna("").to_numpy()},
        geometry=gpd.GeoSeries(geometry.to_numpy(), crs=4326),
        crs=4326,
    )
