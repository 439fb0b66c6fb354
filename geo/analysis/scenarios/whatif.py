"""What-if scenarios: the coverage on a date with planned CIS/KIS added and existing ones closed.

A scenario starts from the coverage table of a "stan na" date (``CoverageResult.gminy``) and
the located entities it was computed from. Each planned CIS/KIS stands at the
``representative_point()`` of its gmina (EPSG:2180, as the optimiser's sites) and serves, by
agreement, its own gmina, its own and chosen neighbours, or every gmina whose polygon lies
within D km of it. Closed entities (chosen by :func:`entity_keys`) are left out. The coverage
after is recomputed by the same engine as the map (:func:`geo.analysis.coverage.gmina_coverage`),
so "covered" means the same on every page: a CIS/KIS in the gmina or by agreement, and, when
``count_within_km`` is set (the optimiser's rule), also an operating CIS/KIS within D km.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.analysis.coverage import NOT_COVERED, gmina_coverage
from geo.analysis.scenarios.sites import ScenarioError
from geo.core.crs import METRIC_CRS
from geo.core.schema import SOCIAL_EMPLOYMENT_TYPES

__all__ = [
    "SERVE_NEIGHBOURS",
    "SERVE_OWN",
    "SERVE_WITHIN",
    "Addition",
    "WhatIf",
    "WhatIfResult",
    "entity_keys",
    "summary_by",
    "what_if",
]

WGS84 = "EPSG:4326"
SERVE_OWN = "gmina"
SERVE_NEIGHBOURS = "sasiedzi"
SERVE_WITHIN = "promien"
#: How a planned CIS/KIS serves other gminas (Polish labels for the views).
SERVE_LABELS = {
    SERVE_OWN: "tylko własna gmina",
    SERVE_NEIGHBOURS: "własna i wybrane gminy (porozumienie)",
    SERVE_WITHIN: "każda gmina w promieniu D km (porozumienie)",
}
CHANGE_NEW = "nowo pokryta"
CHANGE_LOST = "utraciła pokrycie"
CHANGE_NONE_COVERED = "pokryta (bez zmian)"
CHANGE_NONE_OPEN = "luka (bez zmian)"

# The columns of the located frame the coverage engine reads.
_ENTITY_COLUMNS = [
    "nazwa",
    "typ",
    "teryt_gminy",
    "gminy_obslugiwane_kody",
    "data_rozpoczecia",
    "data_zakonczenia",
    "uwzgledniony",
]


@dataclass(frozen=True)
class Addition:
    """A planned CIS or KIS in gmina ``teryt``; ``serve`` is one of :data:`SERVE_LABELS`,
    ``neighbours`` the gminas chosen for :data:`SERVE_NEIGHBOURS`."""

    teryt: str
    typ: str = "CIS"
    serve: str = SERVE_OWN
    neighbours: tuple[str, ...] = ()


@dataclass(frozen=True)
class WhatIf:
    """A what-if: planned sites, closed entities (keys of :func:`entity_keys`) and D in km."""

    within_km: float = 15.0
    additions: tuple[Addition, ...] = ()
    closures: tuple[str, ...] = ()
    count_within_km: bool = False


@dataclass(frozen=True)
class WhatIfResult:
    """Per-gmina before/after (``gminy``, no geometry), the new ``sites`` (with their point and
    the gminas they serve), the ``closed`` entities, region totals and closures not found."""

    gminy: pd.DataFrame
    sites: pd.DataFrame
    closed: pd.DataFrame
    totals: dict[str, int]
    missing_closures: tuple[str, ...] = field(default=())
    coverage_after: gpd.GeoDataFrame | None = None


def entity_keys(entities: pd.DataFrame) -> pd.Series:
    """A key per entity that survives re-imports of its source: ``source: id`` (or the row
    number when the source gives no id), the way a saved scenario names a closed entity."""
    source = entities["zrodlo_rejestru"].fillna("").astype(str)
    ident = entities["id"].fillna("").astype(str).str.strip()
    number = entities["wiersz"] if "wiersz" in entities else pd.Series(entities.index + 1)
    row = "wiersz " + pd.Series(number.to_numpy(), index=entities.index).astype(str)
    return source + ": " + ident.where(ident != "", row)


def closable(entities: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The located CIS/KIS counted on ``as_of`` (what a scenario can close), with a ``klucz``."""
    from geo.analysis.coverage import counted_entities

    counted = counted_entities(entities, as_of)
    sez = counted[counted["typ"].isin(SOCIAL_EMPLOYMENT_TYPES)]
    return sez.assign(klucz=entity_keys(sez))


def _check(gminy: pd.DataFrame, scenario: WhatIf) -> None:
    if not np.isfinite(scenario.within_km) or scenario.within_km <= 0:
        raise ScenarioError(f"odległość musi być dodatnia, podano {scenario.within_km}")
    known = set(gminy["teryt"].astype(str))
    for add in scenario.additions:
        if add.typ not in SOCIAL_EMPLOYMENT_TYPES:
            raise ScenarioError(f"nowy podmiot musi być CIS lub KIS, podano {add.typ!r}")
        if add.serve not in SERVE_LABELS:
            raise ScenarioError(f"nieznany sposób obsługi gmin: {add.serve!r}")
        unknown = sorted({add.teryt, *add.neighbours} - known)
        if unknown:
            raise ScenarioError(f"nieznane kody gmin w scenariuszu: {', '.join(unknown)}")


def _site_points(gminy: gpd.GeoDataFrame, codes: Sequence[str]) -> gpd.GeoSeries:
    """Representative points (EPSG:2180) of the gminas ``codes``, in that order."""
    shapes = gminy.set_index("teryt").geometry.to_crs(METRIC_CRS)
    return gpd.GeoSeries(shapes.loc[list(codes)].representative_point().to_numpy(), crs=METRIC_CRS)


def _served(gminy: gpd.GeoDataFrame, scenario: WhatIf, points: gpd.GeoSeries) -> list[list[str]]:
    """The gminas each planned site serves (its own first), by its rule."""
    codes = gminy["teryt"].astype(str).to_numpy()
    tree = shapely.STRtree(gminy.geometry.to_crs(METRIC_CRS).to_numpy())
    served = []
    for add, point in zip(scenario.additions, points, strict=True):
        extra: Iterable[str] = ()
        if add.serve == SERVE_NEIGHBOURS:
            extra = add.neighbours
        elif add.serve == SERVE_WITHIN:
            hits = tree.query(point, predicate="dwithin", distance=scenario.within_km * 1000.0)
            extra = sorted(codes[hits])
        served.append([add.teryt, *(c for c in dict.fromkeys(extra) if c != add.teryt)])
    return served


def _new_entities(
    gminy: gpd.GeoDataFrame, scenario: WhatIf, points: gpd.GeoSeries, served: list[list[str]]
) -> gpd.GeoDataFrame:
    names = gminy.set_index("teryt")["nazwa"].astype(str)
    rows = [
        {
            "nazwa": f"{add.typ} planowany ({i + 1}) – {names[add.teryt]}",
            "typ": add.typ,
            "teryt_gminy": add.teryt,
            "gminy_obslugiwane_kody": ";".join(codes),
            "data_rozpoczecia": "",
            "data_zakonczenia": "",
            "uwzgledniony": True,
        }
        for i, (add, codes) in enumerate(zip(scenario.additions, served, strict=True))
    ]
    frame = pd.DataFrame(rows, columns=_ENTITY_COLUMNS)
    return gpd.GeoDataFrame(frame, geometry=points.to_crs(WGS84).to_numpy(), crs=WGS84)


def _covered(frame: pd.DataFrame, scenario: WhatIf) -> np.ndarray:
    has = frame["pokrycie"].astype(str).to_numpy() != NOT_COVERED
    if not scenario.count_within_km:
        return has
    distance = pd.to_numeric(frame["odleglosc_cis_kis_km"], errors="coerce").to_numpy()
    return has | (np.nan_to_num(distance, nan=np.inf) <= scenario.within_km)


def _change(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    return np.select(
        [~before & after, before & ~after, before],
        [CHANGE_NEW, CHANGE_LOST, CHANGE_NONE_COVERED],
        default=CHANGE_NONE_OPEN,
    )


def _per_gmina(
    before: pd.DataFrame, after: pd.DataFrame, scenario: WhatIf, subregion: pd.Series | None
) -> pd.DataFrame:
    covered_before, covered_after = _covered(before, scenario), _covered(after, scenario)
    if subregion is None:
        subregion = before.get("owes_podregion_nazwa", pd.Series("nieznany", index=before.index))
    return pd.DataFrame(
        {
            "teryt": before["teryt"].astype(str).to_numpy(),
            "nazwa": before["nazwa"].astype(str).to_numpy(),
            "powiat": before["powiat"].astype(str).to_numpy(),
            "powiat_nazwa": before["powiat_nazwa"].astype(str).to_numpy(),
            "podregion": pd.Series(subregion).fillna("nieznany").astype(str).to_numpy(),
            "ludnosc": pd.to_numeric(before["ludnosc"], errors="coerce").fillna(0).astype(int),
            "pokrycie_przed": before["pokrycie"].astype(str).to_numpy(),
            "pokrycie_po": after["pokrycie"].astype(str).to_numpy(),
            "odleglosc_km_przed": before["odleglosc_cis_kis_km"].to_numpy(),
            "odleglosc_km_po": after["odleglosc_cis_kis_km"].to_numpy(),
            "pokryta_przed": covered_before,
            "pokryta_po": covered_after,
            "zmiana": _change(covered_before, covered_after),
            "obslugujace_po": after["obslugujace"].to_numpy(),
        }
    ).reset_index(drop=True)


def summary_by(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Gminas and inhabitants covered before and after, and gaps left, per group of ``table``
    (the per-gmina frame of :class:`WhatIfResult`); an empty ``columns`` gives one row."""
    people = table["ludnosc"]
    frame = table.assign(
        pokryte_przed=table["pokryta_przed"].astype(int),
        pokryte_po=table["pokryta_po"].astype(int),
        ludnosc_pokryta_przed=people.where(table["pokryta_przed"], 0),
        ludnosc_pokryta_po=people.where(table["pokryta_po"], 0),
        gminy=1,
    )
    sums = ["gminy", "pokryte_przed", "pokryte_po", "ludnosc", "ludnosc_pokryta_przed"]
    sums.append("ludnosc_pokryta_po")
    grouped = frame.groupby(list(columns), sort=True)[sums].sum() if columns else frame[sums].sum()
    out = grouped.reset_index() if columns else grouped.to_frame().T.reset_index(drop=True)
    out["luki_przed"] = out["gminy"] - out["pokryte_przed"]
    out["luki_po"] = out["gminy"] - out["pokryte_po"]
    return out.astype({c: int for c in [*sums, "luki_przed", "luki_po"]})


def _sites_table(
    gminy: gpd.GeoDataFrame,
    scenario: WhatIf,
    points: gpd.GeoSeries,
    served: list[list[str]],
    table: pd.DataFrame,
) -> pd.DataFrame:
    names = gminy.set_index("teryt")["nazwa"].astype(str)
    newly = set(table.loc[table["zmiana"] == CHANGE_NEW, "teryt"])
    lonlat = shapely.get_coordinates(points.to_crs(WGS84).to_numpy())
    rows = [
        {
            "teryt": add.teryt,
            "nazwa": names[add.teryt],
            "typ": add.typ,
            "obsluga": add.serve,
            "lat": round(float(lat), 6),
            "lon": round(float(lon), 6),
            "obslugiwane": tuple(codes),
            "nowo_pokryte": tuple(c for c in codes if c in newly),
        }
        for add, codes, (lon, lat) in zip(scenario.additions, served, lonlat, strict=True)
    ]
    columns = ["teryt", "nazwa", "typ", "obsluga", "lat", "lon", "obslugiwane", "nowo_pokryte"]
    return pd.DataFrame(rows, columns=columns)


def what_if(
    gminy: gpd.GeoDataFrame,
    entities: gpd.GeoDataFrame,
    as_of: dt.date,
    scenario: WhatIf,
    subregion: pd.Series | None = None,
) -> WhatIfResult:
    """Evaluate ``scenario`` against the coverage on ``as_of``.

    Parameters
    ----------
    gminy : geopandas.GeoDataFrame
        The coverage table of ``as_of`` (``CoverageResult.gminy``).
    entities : geopandas.GeoDataFrame
        The located entities it was computed from (``CoverageResult.entities``).
    as_of : datetime.date
        The "stan na" date.
    scenario : WhatIf
        Planned sites and closures.
    subregion : pandas.Series, optional
        Subregion name per row of ``gminy`` (default: the OWES subregion column).
    """
    _check(gminy, scenario)
    keys = entity_keys(entities)
    wanted = set(scenario.closures)
    closing = keys.isin(wanted).to_numpy()
    missing = tuple(sorted(wanted - set(keys[closing])))
    points = _site_points(gminy, [add.teryt for add in scenario.additions])
    served = _served(gminy, scenario, points)
    kept = gpd.GeoDataFrame(
        entities.loc[~closing, _ENTITY_COLUMNS], geometry=entities.geometry[~closing]
    )
    combined = pd.concat([kept, _new_entities(gminy, scenario, points, served)], ignore_index=True)
    after = gmina_coverage(gminy, gpd.GeoDataFrame(combined, crs=entities.crs), as_of)
    table = _per_gmina(gminy, after, scenario, subregion)
    closed = entities.loc[closing].assign(klucz=keys[closing])
    totals = summary_by(table, []).iloc[0].to_dict()
    return WhatIfResult(
        gminy=table,
        sites=_sites_table(gminy, scenario, points, served, table),
        closed=pd.DataFrame(closed.drop(columns="geometry")),
        totals={k: int(v) for k, v in totals.items()},
        missing_closures=missing,
        coverage_after=after,
    )
