"""The rules of a scenario, read once: who is covered today, where a new site may stand, what it
would reach.

Kept apart from the solver so that these rules (issue 14) live in one place and are tested
without solving anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.analysis.coverage import COVERED_HERE, NOT_COVERED
from geo.core.crs import METRIC_CRS, WGS84
from geo.errors import UserError

__all__ = ["REQUIRED_COLUMNS", "Instance", "ScenarioError", "build_instance"]

REQUIRED_COLUMNS = ("teryt", "nazwa", "ludnosc", "pokrycie", "odleglosc_cis_kis_km", "geometry")


class ScenarioError(UserError, ValueError):
    """A scenario cannot be solved with these data or options (message in Polish)."""


@dataclass(frozen=True)
class Instance:
    """All gminas of a scenario in TERYT order, and the candidate sites with what they reach.

    Attributes
    ----------
    teryt, names : numpy.ndarray
        Codes and names of the gminas, sorted by code.
    population : numpy.ndarray
        Inhabitants (int64; a missing figure counts as 0).
    covered_before : numpy.ndarray
        Bool: covered without any new site.
    excluded : numpy.ndarray
        Bool: left out of the plan (hosts no site, its coverage is not sought).
    sites : numpy.ndarray
        Gmina positions allowed to host a new site, ascending (so in TERYT order).
    site_lonlat : numpy.ndarray
        ``(len(sites), 2)`` longitude and latitude of each site (WGS84).
    reach_site, reach_gmina : numpy.ndarray
        Pairs (index into ``sites``, gmina position): the site is within the distance of that
        gmina's polygon and the gmina is not covered before.
    """

    teryt: np.ndarray
    names: np.ndarray
    population: np.ndarray
    covered_before: np.ndarray
    excluded: np.ndarray
    sites: np.ndarray
    site_lonlat: np.ndarray
    reach_site: np.ndarray
    reach_gmina: np.ndarray

    def served_by(self, site: int) -> np.ndarray:
        """Gmina positions newly covered by candidate ``site`` (ascending)."""
        return np.sort(self.reach_gmina[self.reach_site == site])


def _checked(gminy: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    missing = [c for c in REQUIRED_COLUMNS if c not in gminy.columns]
    if missing:
        raise ScenarioError(f"dane pokrycia bez kolumn: {', '.join(missing)}")
    if gminy.crs is None:
        raise ScenarioError("granice gmin bez układu współrzędnych")
    frame = gminy.assign(teryt=gminy["teryt"].astype(str))
    frame = frame.sort_values("teryt", kind="stable").reset_index(drop=True)
    duplicated = frame["teryt"][frame["teryt"].duplicated()]
    if len(duplicated):
        raise ScenarioError(f"powtórzone kody gmin: {', '.join(sorted(set(duplicated)))}")
    empty = frame.geometry.isna() | frame.geometry.is_empty
    if empty.any():
        pairs = zip(frame["teryt"][empty], frame["nazwa"][empty], strict=True)
        bad = ", ".join(f"{name} ({code})" for code, name in pairs)
        raise ScenarioError(f"brak granic gmin: {bad}")
    return frame


def _covered_before(frame: pd.DataFrame, within_km: float, use_agreements: bool) -> np.ndarray:
    """A CIS/KIS in the gmina (or by agreement), or an operating one within the distance."""
    status = frame["pokrycie"].astype(str).to_numpy()
    has = status != NOT_COVERED if use_agreements else status == COVERED_HERE
    # The distance as reported in the coverage table: from the gmina's boundary, 0 inside.
    distance = pd.to_numeric(frame["odleglosc_cis_kis_km"], errors="coerce").to_numpy()
    near = np.nan_to_num(distance, nan=np.inf) <= within_km
    return np.asarray(has | near, dtype=bool)


def _excluded(codes: np.ndarray, exclude: Iterable[str]) -> np.ndarray:
    wanted = {str(code).strip() for code in exclude if str(code).strip()}
    unknown = sorted(wanted - set(codes.tolist()))
    if unknown:
        raise ScenarioError(f"nieznane kody gmin do wykluczenia: {', '.join(unknown)}")
    return np.isin(codes, list(wanted))


def build_instance(
    gminy: gpd.GeoDataFrame,
    within_km: float,
    *,
    exclude: Iterable[str] = (),
    min_population: int = 0,
    use_agreements: bool = True,
) -> Instance:
    """Read a coverage table (``CoverageResult.gminy``) as a scenario.

    A new site in gmina X stands at X's ``representative_point()`` in EPSG:2180 and covers every
    gmina whose polygon lies within ``within_km`` of it; candidates are the gminas not excluded
    with at least ``min_population`` inhabitants.
    """
    if not np.isfinite(within_km) or within_km <= 0:
        raise ScenarioError(f"odległość musi być dodatnia, podano {within_km}")
    frame = _checked(gminy)
    codes = frame["teryt"].to_numpy(dtype=object)
    population = pd.to_numeric(frame["ludnosc"], errors="coerce").fillna(0)
    population = population.round().astype(np.int64).to_numpy()
    covered = _covered_before(frame, within_km, use_agreements)
    excluded = _excluded(codes, exclude)
    metric = frame.geometry.to_crs(METRIC_CRS)
    sites = np.flatnonzero(~excluded & (population >= min_population))
    points = metric.iloc[sites].representative_point()
    open_gminas = np.flatnonzero(~covered)
    tree = shapely.STRtree(metric.to_numpy()[open_gminas])
    site_at, gmina_at = tree.query(
        points.to_numpy(), predicate="dwithin", distance=within_km * 1000.0
    )
    lonlat = shapely.get_coordinates(gpd.GeoSeries(points.to_numpy(), crs=METRIC_CRS).to_crs(WGS84))
    return Instance(
        teryt=codes,
        names=frame["nazwa"].astype(str).to_numpy(dtype=object),
        population=population,
        covered_before=covered,
        excluded=excluded,
        sites=sites,
        site_lonlat=lonlat,
        reach_site=site_at.astype(np.int64),
        reach_gmina=open_gminas[gmina_at].astype(np.int64),
    )
