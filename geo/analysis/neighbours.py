"""Neighbouring gminas and the gaps analysis built on them.

Two gminas are neighbours when they share a stretch of boundary (length > 0 in EPSG:2180);
gminas touching at a single point are not. A gmina without CIS/KIS can most easily be served
by agreement (porozumienie) with a covered neighbour, so the gaps table lists those
neighbours as **cooperation candidates**. All steps are vectorised; the neighbour table of a
set of boundaries is computed once per process (keyed by the codes and geometries).
"""

from __future__ import annotations

import threading
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from cachetools import LRUCache, cached

from geo.analysis.coverage import METRIC_CRS, NOT_COVERED, region_summary
from geo.core.content import content_key

__all__ = [
    "GAP_COLUMNS",
    "cooperation_candidates",
    "gaps_by",
    "gaps_table",
    "gmina_neighbours",
]

#: Columns of :func:`gaps_table`, in order (Polish headers are the views' job).
GAP_COLUMNS: Final = (
    "teryt",
    "nazwa",
    "rodzaj_nazwa",
    "powiat",
    "powiat_nazwa",
    "owes_podregion_nazwa",
    "nuts3_nazwa",
    "ludnosc",
    "odleglosc_cis_kis_km",
    "lpres_status",
    "lpres_status_nazwa",
    "liczba_kandydatow",
    "kandydaci",
    "kandydaci_teryt",
)

# Neighbour tables of the last few sets of boundaries (a region, imported ones...).
_memo: LRUCache[str, pd.DataFrame] = LRUCache(maxsize=8)
_memo_lock = threading.Lock()


def _boundaries_key(gminy: gpd.GeoDataFrame) -> str:
    """Content hash of the codes, CRS and geometries: equal boundaries share one entry,
    whichever frame object holds them."""
    return content_key(
        gminy["teryt"].astype(str).tolist(), str(gminy.crs), geometries=[gminy.geometry]
    )


@cached(_memo, key=_boundaries_key, lock=_memo_lock)
def _neighbours(gminy: gpd.GeoDataFrame) -> pd.DataFrame:
    codes = gminy["teryt"].astype(str).to_numpy()
    shapes = np.asarray(gminy.geometry.to_crs(METRIC_CRS).array, dtype=object)
    tree = shapely.STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    edges = shapely.boundary(shapes)
    # Coverage-clean boundaries share their vertices exactly, so the common line is exact.
    shared = shapely.length(shapely.intersection(edges[left], edges[right]))
    touching = shared > 0
    left, right, km = left[touching], right[touching], shared[touching] / 1000
    pairs = pd.DataFrame(
        {
            "teryt": np.concatenate([codes[left], codes[right]]),
            "sasiad": np.concatenate([codes[right], codes[left]]),
            "granica_km": np.concatenate([km, km]),
        }
    )
    return pairs.sort_values(["teryt", "granica_km"], ascending=[True, False]).reset_index(
        drop=True
    )


def gmina_neighbours(gminy: gpd.GeoDataFrame) -> pd.DataFrame:
    """Pairs of gminas sharing a boundary.

    Parameters
    ----------
    gminy : geopandas.GeoDataFrame
        ``teryt`` and polygons (any CRS; measured in EPSG:2180).

    Returns
    -------
    pandas.DataFrame
        ``teryt, sasiad, granica_km``: every pair in both directions, longest shared
        boundary first. Computed once per set of boundaries (memoised); do not modify.
    """
    return _neighbours(gminy)


def cooperation_candidates(coverage: pd.DataFrame, neighbours: pd.DataFrame) -> pd.DataFrame:
    """Covered neighbours of every gmina without CIS/KIS.

    Parameters
    ----------
    coverage : pandas.DataFrame
        The per-gmina coverage (``teryt, nazwa, pokrycie, obslugujace``).
    neighbours : pandas.DataFrame
        Output of :func:`gmina_neighbours` for the same gminas.

    Returns
    -------
    pandas.DataFrame
        ``teryt`` (the gap), ``kandydat_teryt, kandydat_nazwa, kandydat_pokrycie,
        kandydat_cis_kis`` (the CIS/KIS serving the neighbour, which could serve the gap by
        agreement) and ``granica_km``; longest shared boundary first.
    """
    info = pd.DataFrame(coverage)[["teryt", "nazwa", "pokrycie", "obslugujace"]].astype(
        {"teryt": str}
    )
    gaps = set(info.loc[info["pokrycie"] == NOT_COVERED, "teryt"])
    pairs = neighbours[neighbours["teryt"].isin(gaps)]
    covered = info[info["pokrycie"] != NOT_COVERED].rename(
        columns={
            "teryt": "sasiad",
            "nazwa": "kandydat_nazwa",
            "pokrycie": "kandydat_pokrycie",
            "obslugujace": "kandydat_cis_kis",
        }
    )
    out = pairs.merge(covered, on="sasiad").rename(columns={"sasiad": "kandydat_teryt"})
    out["kandydat_cis_kis"] = out["kandydat_cis_kis"].fillna("")
    columns = [
        "teryt",
        "kandydat_teryt",
        "kandydat_nazwa",
        "kandydat_pokrycie",
        "kandydat_cis_kis",
        "granica_km",
    ]
    return (
        out[columns]
        .sort_values(["teryt", "granica_km"], ascending=[True, False])
        .reset_index(drop=True)
    )


def gaps_table(coverage: pd.DataFrame, neighbours: pd.DataFrame) -> pd.DataFrame:
    """The gminas without CIS/KIS with what a planner needs to act on each.

    Parameters
    ----------
    coverage : pandas.DataFrame
        :attr:`geo.pipeline.CoverageResult.gminy` (planning columns are optional).
    neighbours : pandas.DataFrame
        Output of :func:`gmina_neighbours`.

    Returns
    -------
    pandas.DataFrame
        :data:`GAP_COLUMNS`, one row per gap, largest population first. ``kandydaci`` reads
        "Gmina (CIS/KIS …); …" and ``kandydaci_teryt`` is the ``;``-joined codes.
    """
    frame = pd.DataFrame(coverage)
    gaps = frame[frame["pokrycie"] == NOT_COVERED].copy()
    gaps["teryt"] = gaps["teryt"].astype(str)
    candidates = cooperation_candidates(frame, neighbours)
    label = candidates["kandydat_nazwa"].astype(str) + np.where(
        candidates["kandydat_cis_kis"] != "", " (" + candidates["kandydat_cis_kis"] + ")", ""
    )
    grouped = candidates.assign(_label=label).groupby("teryt", sort=False)
    gaps["liczba_kandydatow"] = gaps["teryt"].map(grouped.size()).fillna(0).astype(int)
    gaps["kandydaci"] = gaps["teryt"].map(grouped["_label"].agg("; ".join)).fillna("")
    gaps["kandydaci_teryt"] = gaps["teryt"].map(grouped["kandydat_teryt"].agg(";".join)).fillna("")
    for column in GAP_COLUMNS:
        if column not in gaps:
            gaps[column] = "nieznany" if column.endswith(("_nazwa", "_status")) else None
    people = pd.to_numeric(gaps["ludnosc"], errors="coerce")
    order = np.lexsort((gaps["teryt"].to_numpy(), -people.fillna(-1).to_numpy()))
    return gaps.iloc[order][list(GAP_COLUMNS)].reset_index(drop=True)


def gaps_by(coverage: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Headline figures of the gaps per group (powiat, subregion...).

    Parameters
    ----------
    coverage : pandas.DataFrame
        The per-gmina coverage.
    by : list of str
        Grouping columns, e.g. ``["powiat", "powiat_nazwa"]`` or ``["owes_podregion_nazwa"]``.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns plus ``gminy, gminy_bez_cis_kis, proc_gmin_bez_cis_kis, ludnosc,
        ludnosc_bez_cis_kis, proc_ludnosci_bez_cis_kis``; the fields come from
        :func:`geo.analysis.coverage.region_summary` of each group (the map's numbers). Most
        inhabitants without CIS/KIS first.
    """
    rows = []
    for keys, group in pd.DataFrame(coverage).groupby(by, sort=True, dropna=False):
        stats = region_summary(group)
        without = stats["ludnosc"] - stats["ludnosc_w_gminach_pokrytych"]
        key_values = keys if isinstance(keys, tuple) else (keys,)
        rows.append(
            {
                **dict(zip(by, key_values, strict=True)),
                "gminy": stats["gminy"],
                "gminy_bez_cis_kis": stats["gminy_bez_cis_kis"],
                "proc_gmin_bez_cis_kis": round(100 * stats["gminy_bez_cis_kis"] / stats["gminy"], 1)
                if stats["gminy"]
                else 0.0,
                "ludnosc": stats["ludnosc"],
                "ludnosc_bez_cis_kis": int(without),
                "proc_ludnosci_bez_cis_kis": round(100 * without / stats["ludnosc"], 1)
                if stats["ludnosc"]
                else 0.0,
            }
        )
    columns = [
        *by,
        "gminy",
        "gminy_bez_cis_kis",
        "proc_gmin_bez_cis_kis",
        "ludnosc",
        "ludnosc_bez_cis_kis",
        "proc_ludnosci_bez_cis_kis",
    ]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(
        ["ludnosc_bez_cis_kis", "gminy_bez_cis_kis"], ascending=False, kind="stable"
    ).reset_index(drop=True)
