"""Coverage engine: what exists in each gmina on a date, and where the gaps are.

Model Lokalnej Współpracy: every gmina should have at least one podmiot zatrudnienia
socjalnego (CIS or KIS). A gmina is covered by an active CIS/KIS located in it, or by one that
lists it in ``gminy_obslugiwane`` (an inter-gmina agreement). All steps are vectorised:
crosstabs for counts and one nearest-neighbour spatial join for distances, in EPSG:2180.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geo._arrow import arrow_strings
from geo._gc import paused_gc
from geo.core.crs import METRIC_CRS
from geo.core.schema import ENTITY_TYPES, SOCIAL_EMPLOYMENT_TYPES

TYPE_COLUMNS = [t.lower() for t in ENTITY_TYPES]

COVERED_HERE = "w_gminie"
COVERED_BY_AGREEMENT = "porozumienie"
NOT_COVERED = "brak"

COVERAGE_LABELS = {
    COVERED_HERE: "CIS/KIS w gminie",
    COVERED_BY_AGREEMENT: "tylko przez porozumienie międzygminne",
    NOT_COVERED: "brak CIS/KIS",
}


def active_mask(entities: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Entities active on ``as_of``: started (or no start date) and not ended before it."""
    day = pa.scalar(as_of.isoformat(), type=pa.large_string())
    start = _text_or_empty(entities["data_rozpoczecia"])
    end = _text_or_empty(entities["data_zakonczenia"])
    # ISO dates compare correctly as strings (UTF-8 bytes sort as code points do); a missing
    # start date counts as active, and "" sorts before any date.
    active = pc.and_(
        pc.less_equal(start, day), pc.or_(pc.equal(end, ""), pc.greater_equal(end, day))
    )
    return pd.Series(active.to_numpy(zero_copy_only=False), index=entities.index)


def _text_or_empty(values: pd.Series) -> pa.Array:
    """``values.fillna("").astype(str)`` as an Arrow array (converted at once when the cells are
    text and missing values, which is several times faster)."""
    strings = arrow_strings(values.to_numpy(dtype=object))
    if strings is not None:
        return pc.fill_null(strings, "")
    text = values.fillna("").astype(str)
    return pa.array(text.to_numpy(dtype=object), type=pa.large_string())


def _names_by_key(keys: np.ndarray, names: np.ndarray) -> pd.Series:
    """``"; ".join(sorted(set(names)))`` per distinct key (missing keys left out), indexed by
    key: what ``groupby(keys).agg`` gives, in one pass over the rows sorted by key."""
    codes, uniques = pd.factorize(keys)
    keep = codes >= 0
    codes, names = codes[keep], names[keep]
    order = np.argsort(codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=len(uniques)))])
    ordered = names[order].tolist()
    joined = [
        "; ".join(sorted(set(ordered[a:b]))) for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    return pd.Series(joined, index=pd.Index(uniques, dtype=object), dtype=object)


def _lookup(codes: pd.Series, names: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """For each gmina code: whether ``names`` has it, and its names ("" if none)."""
    at = names.index.get_indexer(codes)
    found = at >= 0
    text = np.full(len(codes), "", dtype=object)
    text[found] = names.to_numpy()[at[found]]
    return found, pd.Series(text, index=codes.index, dtype=object)


def counted_entities(located: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Located, valid, non-duplicate entities active on ``as_of``."""
    mask = located["uwzgledniony"].astype(bool) & active_mask(located, as_of)
    return located[mask]


@paused_gc()
def gmina_coverage(
    gminy: gpd.GeoDataFrame, located: gpd.GeoDataFrame, as_of: dt.date
) -> gpd.GeoDataFrame:
    """Per-gmina coverage on a date.

    Parameters
    ----------
    gminy : geopandas.GeoDataFrame
        ``teryt, nazwa, rodzaj, rodzaj_nazwa, powiat, powiat_nazwa, ludnosc, geometry``.
    located : geopandas.GeoDataFrame
        Output of :func:`geo.analysis.locate.locate_entities`.
    as_of : datetime.date
        The "stan na" date.

    Returns
    -------
    geopandas.GeoDataFrame
        ``gminy`` plus counts per type (``cis``, ``kis``, ...), ``pes_razem``, ``pes_na_10k``,
        ``has_social_employment``, ``pokrycie``, ``obslugujace``, ``odleglosc_cis_kis_km``.
    """
    # The rows of counted_entities(), taken once as arrays of the columns used.
    counted = located["uwzgledniony"].astype(bool) & active_mask(located, as_of)
    rows = np.flatnonzero(counted.to_numpy())
    gmina = located["teryt_gminy"].to_numpy(dtype=object)[rows]
    out = gminy.copy()
    # Types by number (-1: other or missing), found per distinct value.
    type_codes, type_values = pd.factorize(located["typ"].to_numpy(dtype=object)[rows])
    number = {t: i for i, t in enumerate(ENTITY_TYPES)}
    type_number = np.array([number.get(t, -1) for t in type_values] + [-1])[type_codes]
    sez_type = np.array([t in SOCIAL_EMPLOYMENT_TYPES for t in type_values] + [False])
    # Counts per gmina and type: one bincount (what groupby().size().unstack() gives).
    gmina_codes, gminas = pd.factorize(gmina)
    both = (gmina_codes >= 0) & (type_number >= 0)
    width = len(ENTITY_TYPES)
    table = np.bincount(
        gmina_codes[both] * width + type_number[both], minlength=len(gminas) * width
    ).reshape(len(gminas), width)
    at = pd.Index(gminas, dtype=object).get_indexer(out["teryt"])
    counts = np.zeros((len(out), width), dtype=np.int64)
    counts[at >= 0] = table[at[at >= 0]]
    for i, col in enumerate(TYPE_COLUMNS):
        out[col] = counts[:, i].astype(int)
    out["pes_razem"] = out[TYPE_COLUMNS].sum(axis=1).astype(int)
    population = pd.to_numeric(out["ludnosc"], errors="coerce")
    out["pes_na_10k"] = (out["pes_razem"] / population * 10_000).round(2)

    sez = sez_type[type_codes]
    sez_rows = rows[sez]
    sez_gmina = gmina[sez]
    sez_names = located["nazwa"].to_numpy(dtype=object)[sez_rows]
    here = _names_by_key(sez_gmina, sez_names)
    # Service areas: the codes listed, other than the entity's own gmina.
    # object dtype: an all-empty column may come out as float
    kody = _text_or_empty(located["gminy_obslugiwane_kody"].iloc[sez_rows].astype(object))
    items = pc.split_pattern(kody, ";")
    served = pc.list_flatten(items).to_numpy(zero_copy_only=False)
    parent = pc.list_parent_indices(items).to_numpy()
    keep = (served != "") & (served != sez_gmina[parent])
    by_agreement = _names_by_key(served[keep], sez_names[parent[keep]])

    in_gmina, names_here = _lookup(out["teryt"], here)
    agreed, names_agreed = _lookup(out["teryt"], by_agreement)
    out["has_social_employment"] = in_gmina | agreed
    out["pokrycie"] = np.select(
        [in_gmina, agreed], [COVERED_HERE, COVERED_BY_AGREEMENT], default=NOT_COVERED
    )
    out["obslugujace"] = (names_here + "; " + names_agreed).str.strip("; ").replace("", None)
    points = located.geometry.iloc[sez_rows]
    out["odleglosc_cis_kis_km"] = nearest_distance_km(out, points)
    return out


def nearest_distance_km(
    gminy: gpd.GeoDataFrame, points: gpd.GeoDataFrame | gpd.GeoSeries
) -> np.ndarray:
    """Distance in km from each gmina polygon to the nearest point (0 inside, NaN if none)."""
    pts = points.geometry[points.geometry.notna()]
    if pts.empty:
        return np.full(len(gminy), np.nan)
    if pts.crs != gminy.crs:
        pts = pts.to_crs(gminy.crs)
    # A gmina with a point in it is at distance 0. Tested in the data's CRS: a point that only
    # this test puts inside is within metres of the boundary in the metric CRS, 0.0 km as well.
    inside = np.zeros(len(gminy), dtype=bool)
    tree = shapely.STRtree(pts.to_numpy())
    inside[tree.query(gminy.geometry.to_numpy(), predicate="intersects")[0]] = True
    distance = np.where(inside, 0.0, np.nan)
    # The nearest-point search, costly on detailed polygons, only for the gminas without one.
    rest = np.flatnonzero(~inside)
    if len(rest):
        polygons = gminy.geometry.iloc[rest].to_crs(METRIC_CRS).to_numpy()
        tree = shapely.STRtree(pts.to_crs(METRIC_CRS).to_numpy())
        (found, _), nearest = tree.query_nearest(polygons, return_distance=True, all_matches=False)
        distance[rest[found]] = nearest
    return (distance / 1000).round(1)


def _shares(frame: pd.DataFrame) -> dict[str, Any]:
    population = pd.to_numeric(frame["ludnosc"], errors="coerce").fillna(0)
    covered = frame["has_social_employment"].astype(bool)
    total_pop = float(population.sum())
    return {
        "gminy": int(len(frame)),
        "gminy_z_cis_kis": int(covered.sum()),
        "gminy_bez_cis_kis": int((~covered).sum()),
        "proc_gmin_pokrytych": round(float(100 * covered.mean()), 1) if len(frame) else 0.0,
        "ludnosc": int(total_pop),
        "ludnosc_w_gminach_pokrytych": int(population[covered].sum()),
        "proc_ludnosci_pokrytej": round(float(100 * population[covered].sum() / total_pop), 1)
        if total_pop
        else 0.0,
        "pes": int(frame["pes_razem"].sum()),
    }


def powiat_summary(coverage: pd.DataFrame) -> pd.DataFrame:
    """Aggregates per powiat: gminas, covered gminas and population, PES by type."""
    rows = []
    for (code, name), group in coverage.groupby(["powiat", "powiat_nazwa"], sort=True):
        row = {"powiat": code, "powiat_nazwa": name, **_shares(group)}
        row.update({col: int(group[col].sum()) for col in TYPE_COLUMNS})
        rows.append(row)
    return pd.DataFrame(rows)


def region_summary(coverage: pd.DataFrame) -> dict[str, Any]:
    """Region totals: share of gminas covered and of the population living in them."""
    summary = _shares(coverage)
    summary.update({col: int(coverage[col].sum()) for col in TYPE_COLUMNS})
    return summary


def gminas_without_social_employment(coverage: pd.DataFrame) -> pd.DataFrame:
    """The gaps: gminas with no active CIS/KIS, in them or by agreement."""
    return coverage[~coverage["has_social_employment"].astype(bool)]


def _type_columns(types: Collection[str] | None) -> list[str]:
    chosen = list(ENTITY_TYPES) if types is None else [t for t in ENTITY_TYPES if t in types]
    return [t.lower() for t in chosen]


def pes_count(gminy: pd.DataFrame, types: Collection[str] | None = None) -> pd.Series:
    """Active PES of the chosen types per gmina (sum of the coverage's per-type columns)."""
    columns = [c for c in _type_columns(types) if c in gminy.columns]
    if not columns:
        return pd.Series(0, index=gminy.index, dtype=int)
    return gminy[columns].apply(pd.to_numeric, errors="coerce").fillna(0).sum(axis=1).astype(int)


def pes_per_10k(gminy: pd.DataFrame, types: Collection[str] | None = None) -> pd.Series:
    """PES of the chosen types per 10,000 inhabitants (NaN without population data)."""
    people = pd.to_numeric(gminy["ludnosc"], errors="coerce").astype(float)
    people = people.where(people > 0)
    return (pes_count(gminy, types) / people * 10_000).round(2)
