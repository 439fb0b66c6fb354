"""Coverage over time, rebuilt from the entities' start and end dates.

For each year the coverage engine is run on 31 December (the last year on the "stan na" date),
so a year's figures are exactly what the map shows for that date. The history is only as
complete as the registry's dates: an entity without a start date counts in every year, one
that closed without an end date counts to this day. :func:`date_completeness` says how many
entities that concerns, and the views print it beside every chart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from geo.analysis.coverage import TYPE_COLUMNS, gmina_coverage, region_summary
from geo.core.schema import ENTITY_TYPES

__all__ = [
    "MAX_YEARS",
    "date_completeness",
    "trend_dates",
    "yearly_coverage",
]

#: Longest history computed (years), to keep the view responsive.
MAX_YEARS: Final = 30
REGION: Final = "region"


def _years(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.fillna("").astype(str).str[:4], errors="coerce")


def trend_dates(
    entities: pd.DataFrame, as_of: dt.date, first_year: int | None = None
) -> list[dt.date]:
    """The reference dates: 31 December of each year, ``as_of`` for the last one.

    The first year is ``first_year`` or the earliest start year among the counted entities
    (at most :data:`MAX_YEARS` back).
    """
    if first_year is None:
        counted = entities
        if "uwzgledniony" in entities:
            counted = entities[entities["uwzgledniony"].fillna(False).astype(bool)]
        starts = _years(counted["data_rozpoczecia"]) if len(counted) else pd.Series([])
        first_year = int(starts.min()) if starts.notna().any() else as_of.year
    first_year = max(min(first_year, as_of.year), as_of.year - MAX_YEARS + 1)
    dates = [dt.date(year, 12, 31) for year in range(first_year, as_of.year)]
    return [*dates, as_of]


def date_completeness(entities: pd.DataFrame) -> dict[str, int]:
    """How many counted entities lack the dates the history depends on.

    Returns
    -------
    dict
        ``podmioty`` (counted), ``bez_daty_rozpoczecia``, ``bez_daty_zakonczenia``,
        ``zakonczone`` (with an end date), and the same three for CIS/KIS
        (``cis_kis``, ``cis_kis_bez_daty_rozpoczecia``, ``cis_kis_zakonczone``).
    """
    counted = entities
    if "uwzgledniony" in entities:
        counted = entities[entities["uwzgledniony"].fillna(False).astype(bool)]
    start = counted["data_rozpoczecia"].fillna("").astype(str) == ""
    end = counted["data_zakonczenia"].fillna("").astype(str) == ""
    sezs = counted["typ"].isin(["CIS", "KIS"])
    return {
        "podmioty": int(len(counted)),
        "bez_daty_rozpoczecia": int(start.sum()),
        "bez_daty_zakonczenia": int(end.sum()),
        "zakonczone": int((~end).sum()),
        "cis_kis": int(sezs.sum()),
        "cis_kis_bez_daty_rozpoczecia": int((start & sezs).sum()),
        "cis_kis_zakonczone": int((~end & sezs).sum()),
    }


def yearly_coverage(
    gminy: gpd.GeoDataFrame,
    entities: gpd.GeoDataFrame,
    dates: list[dt.date],
    groups: pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coverage and PES by type on each date, for the region and per group.

    Parameters
    ----------
    gminy : geopandas.GeoDataFrame
        The region's gminas (:attr:`geo.io.region.RegionData.gminy`).
    entities : geopandas.GeoDataFrame
        Located entities (:attr:`geo.pipeline.CoverageResult.entities`).
    dates : list of datetime.date
        Reference dates, e.g. :func:`trend_dates`.
    groups : pandas.Series, optional
        Group label of each gmina (aligned with ``gminy``), e.g. the OWES subregion name.

    Returns
    -------
    coverage : pandas.DataFrame
        ``rok, stan_na, obszar, gminy, gminy_z_cis_kis, proc_gmin_pokrytych, ludnosc,
        proc_ludnosci_pokrytej, pes``; ``obszar`` is ``region`` or a group label.
    types : pandas.DataFrame
        ``rok, stan_na, obszar, typ, liczba``: PES of each type active on the date.
    """
    labels = None if groups is None else pd.Series(groups).astype(str).to_numpy()
    cover_rows: list[dict[str, Any]] = []
    type_rows: list[dict[str, Any]] = []
    for day in dates:
        per_gmina = gmina_coverage(gminy, entities, day)
        parts: list[tuple[str, pd.DataFrame]] = [(REGION, per_gmina)]
        if labels is not None:
            parts += list(per_gmina.groupby(labels, sort=True))
        for name, frame in parts:
            stats = region_summary(frame)
            base = {"rok": day.year, "stan_na": day, "obszar": str(name)}
            cover_rows.append(
                {
                    **base,
                    "gminy": stats["gminy"],
                    "gminy_z_cis_kis": stats["gminy_z_cis_kis"],
                    "proc_gmin_pokrytych": stats["proc_gmin_pokrytych"],
                    "ludnosc": stats["ludnosc"],
                    "proc_ludnosci_pokrytej": stats["proc_ludnosci_pokrytej"],
                    "pes": stats["pes"],
                }
            )
            type_rows.extend(
                {**base, "typ": code, "liczba": stats[column]}
                for code, column in zip(ENTITY_TYPES, TYPE_COLUMNS, strict=True)
            )
    return pd.DataFrame(cover_rows), pd.DataFrame(type_rows)
