"""Subregions (sets of powiats) as data: OWES areas and NUTS-3, from ``data/podregiony.csv``.

An OWES (support centre) serves a subregion made of whole powiats, but OWES areas are not the
NUTS-3 subregions and only some of them are publicly documented. So every definition is data:
one row per (definition, powiat) with the subregion, its operator, period and source. A powiat
that a definition does not list, or lists as ``nieznany``, is unknown: it is shown as such and
never assigned by guess.

Definitions come from the embedded ``data/podregiony.csv``; a file of the same format at
``$PES_HOME/podregiony.csv`` adds definitions or replaces those with the same key. The files
are read and checked by :mod:`geo.io.subregion_file`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from geo.analysis.coverage import region_summary
from geo.config import Settings
from geo.io.subregion_file import COLUMNS, UNKNOWN, SubregionError, read_definitions

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "COLUMNS",
    "FILE_NAME",
    "NUTS3",
    "OWES",
    "UNKNOWN",
    "SubregionDefinition",
    "SubregionError",
    "definitions_state",
    "definitions_table",
    "dissolve_subregions",
    "format_period",
    "gmina_subregion",
    "load_definitions",
    "powiat_assignment",
    "read_definitions",
    "subregion_summary",
]

FILE_NAME: Final = "podregiony.csv"
#: Keys of the two definitions every installation has.
OWES: Final = "owes_2017_2020"
NUTS3: Final = "nuts3_2021"

ASSIGNMENT_COLUMNS: Final = (
    "powiat",
    "podregion",
    "podregion_nazwa",
    "operator",
    "okres",
    "zrodlo",
)


@dataclass(frozen=True)
class SubregionDefinition:
    """One way of dividing the region into subregions.

    Attributes
    ----------
    key : str
        Identifier used in the data file and the code (``owes_2017_2020``).
    label : str
        Polish name shown to users.
    source : str
        Where the assignment comes from.
    period : str
        Validity, ``YYYY-MM-DD..YYYY-MM-DD`` (either end may be empty).
    """

    key: str
    label: str
    source: str
    period: str


def format_period(text: object) -> str:
    """``"2017-10-01..2020-09-30"`` as ``"01.10.2017–30.09.2020"`` (``"od 01.01.2021"``)."""
    raw = "" if text is None or pd.isna(text) else str(text).strip()  # type: ignore[arg-type]
    if ".." not in raw:
        return raw

    def pl(day: str) -> str:
        return ".".join(reversed(day.split("-"))) if re.fullmatch(r"\d{4}-\d\d-\d\d", day) else day

    start, end = (part.strip() for part in raw.split("..", 1))
    if start and end:
        return f"{pl(start)}–{pl(end)}"
    if start:
        return f"od {pl(start)}"
    return f"do {pl(end)}" if end else ""


def definitions_table(settings: Settings) -> pd.DataFrame:
    """All definitions in effect: the embedded file, overridden per key by ``PES_HOME``'s."""
    frame = read_definitions(settings.embedded_dir / FILE_NAME)
    local = settings.home / FILE_NAME
    if local.is_file():
        extra = read_definitions(local)
        frame = pd.concat(
            [frame[~frame["definicja"].isin(set(extra["definicja"]))], extra], ignore_index=True
        )
    return frame


def definitions_state(settings: Settings) -> str:
    """A token that changes when a definition file in effect changes (for caches)."""
    parts = []
    for path in (settings.embedded_dir / FILE_NAME, settings.home / FILE_NAME):
        try:
            stat = path.stat()
            parts.append(f"{path}:{stat.st_mtime_ns}:{stat.st_size}")
        except OSError:
            parts.append(f"{path}:-")
    return ";".join(parts)


def load_definitions(settings: Settings) -> dict[str, SubregionDefinition]:
    """The subregion definitions by key, in file order (at least :data:`OWES`, :data:`NUTS3`)."""
    frame = definitions_table(settings).drop_duplicates("definicja")
    return {
        row.definicja: SubregionDefinition(
            key=row.definicja,
            label=row.definicja_nazwa,
            source=row.definicja_zrodlo,
            period=row.definicja_okres,
        )
        for row in frame.itertuples(index=False)
    }


def powiat_assignment(settings: Settings, key: str) -> pd.DataFrame:
    """Powiats of a definition: ``powiat, podregion, podregion_nazwa, operator, okres, zrodlo``.

    ``podregion`` is a code or ``nieznany``. Powiats the definition does not list are absent;
    :func:`gmina_subregion` and :func:`dissolve_subregions` treat them as ``nieznany``.

    Raises
    ------
    SubregionError
        When ``key`` is not defined.
    """
    frame = definitions_table(settings)
    chosen = frame[frame["definicja"] == key]
    if chosen.empty:
        known = ", ".join(sorted(frame["definicja"].unique()))
        raise SubregionError(f"Nieznana definicja podregionów „{key}” (dostępne: {known}).")
    return chosen[list(ASSIGNMENT_COLUMNS)].reset_index(drop=True)


def _by_powiat(powiat: pd.Series, assignment: pd.DataFrame) -> pd.DataFrame:
    table = assignment.drop_duplicates("powiat").set_index("powiat")
    out = pd.DataFrame(index=powiat.index)
    for column in ("podregion", "podregion_nazwa"):
        out[column] = powiat.map(table[column]).fillna(UNKNOWN)
    for column in ("operator", "okres", "zrodlo"):
        values = (
            powiat.map(table[column])
            if column in table
            else pd.Series("", index=powiat.index, dtype=object)
        )
        out[column] = values.fillna("")
    return out


def gmina_subregion(gminy: pd.DataFrame, assignment: pd.DataFrame) -> pd.DataFrame:
    """The subregion of each gmina: ``teryt, podregion, podregion_nazwa, operator``.

    Parameters
    ----------
    gminy : pandas.DataFrame
        With ``teryt`` (and ``powiat``; otherwise the first four digits of ``teryt``).
    assignment : pandas.DataFrame
        Output of :func:`powiat_assignment`.
    """
    powiat = gminy["powiat"] if "powiat" in gminy else gminy["teryt"].astype(str).str[:4]
    parts = _by_powiat(powiat.astype(str), assignment)
    return pd.concat(
        [gminy[["teryt"]], parts[["podregion", "podregion_nazwa", "operator"]]], axis=1
    ).reset_index(drop=True)


def _order(frame: pd.DataFrame) -> pd.DataFrame:
    # Named subregions alphabetically, the unknown remainder last.
    key = frame["podregion"].eq(UNKNOWN).astype(int).astype(str) + frame["podregion_nazwa"]
    return frame.iloc[key.argsort(kind="stable")].reset_index(drop=True)


def dissolve_subregions(powiaty: gpd.GeoDataFrame, assignment: pd.DataFrame) -> gpd.GeoDataFrame:
    """Subregion polygons dissolved from the powiats.

    Parameters
    ----------
    powiaty : geopandas.GeoDataFrame
        ``powiat, powiat_nazwa, geometry`` (e.g. :attr:`geo.io.region.RegionData.powiaty`).
    assignment : pandas.DataFrame
        Output of :func:`powiat_assignment`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``podregion, podregion_nazwa, operator, okres, zrodlo, liczba_powiatow, powiaty,
        geometry``; all unknown powiats form one ``nieznany`` row, listed last.
    """
    parts = _by_powiat(powiaty["powiat"].astype(str), assignment)
    frame = gpd.GeoDataFrame(
        pd.concat([powiaty[["powiat", "powiat_nazwa"]], parts], axis=1),
        geometry=powiaty.geometry.values,
        crs=powiaty.crs,
    )
    names = frame.groupby("podregion")["powiat_nazwa"].agg(lambda s: ", ".join(sorted(s)))
    counts = frame.groupby("podregion")["powiat"].size()
    out = frame.dissolve(
        by="podregion",
        as_index=False,
        aggfunc={
            "podregion_nazwa": "first",
            "operator": "first",
            "okres": "first",
            "zrodlo": "first",
        },
    )
    out["liczba_powiatow"] = out["podregion"].map(counts).astype(int)
    out["powiaty"] = out["podregion"].map(names)
    columns = [
        "podregion",
        "podregion_nazwa",
        "operator",
        "okres",
        "zrodlo",
        "liczba_powiatow",
        "powiaty",
    ]
    return gpd.GeoDataFrame(_order(out[[*columns, "geometry"]]), geometry="geometry", crs=out.crs)


def subregion_summary(coverage: pd.DataFrame, assignment: pd.DataFrame) -> pd.DataFrame:
    """Indicators per subregion from the per-gmina coverage (the same numbers as the map).

    Parameters
    ----------
    coverage : pandas.DataFrame
        :attr:`geo.pipeline.CoverageResult.gminy` (or a subset of it).
    assignment : pandas.DataFrame
        Output of :func:`powiat_assignment`.

    Returns
    -------
    pandas.DataFrame
        One row per subregion: ``podregion, podregion_nazwa, operator, powiaty`` plus the
        fields of :func:`geo.analysis.coverage.region_summary` (gminas, covered gminas, population,
        PES by type...), ``ludnosc_bez_cis_kis`` and ``pes_na_10k``; unknown last.
    """
    sub = _by_powiat(coverage["powiat"].astype(str), assignment)
    frame = pd.DataFrame(coverage).assign(
        _podregion=sub["podregion"].to_numpy(),
        _nazwa=sub["podregion_nazwa"].to_numpy(),
        _operator=sub["operator"].to_numpy(),
    )
    rows: list[dict[str, Any]] = []
    for code, group in frame.groupby("_podregion", sort=True):
        stats = region_summary(group)
        people = stats["ludnosc"]
        rows.append(
            {
                "podregion": code,
                "podregion_nazwa": group["_nazwa"].iloc[0],
                "operator": group["_operator"].iloc[0],
                "powiaty": int(group["powiat"].nunique()),
                **stats,
                "ludnosc_bez_cis_kis": int(people - stats["ludnosc_w_gminach_pokrytych"]),
                "pes_na_10k": round(stats["pes"] / people * 10_000, 2) if people else None,
            }
        )
    if not rows:
        return pd.DataFrame(columns=["podregion", "podregion_nazwa", "operator", "powiaty"])
    return _order(pd.DataFrame(rows))
