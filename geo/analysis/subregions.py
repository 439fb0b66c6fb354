"""Subregions (sets of powiats) as data: OWES areas and NUTS-3, from ``data/podregiony.csv``.

An OWES (support centre) serves a subregion made of whole powiats, but OWES areas are not the
NUTS-3 subregions and only some of them are publicly documented. So every definition is data:
one row per (definition, powiat) with the subregion, its operator, period and source. A powiat
that a definition does not list, or lists as ``nieznany``, is unknown: it is shown as such and
never assigned by guess.

Definitions come from the embedded ``data/podregiony.csv``; a file of the same format at
``$PES_HOME/podregiony.csv`` adds definitions or replaces those with the same key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from geo.analysis.coverage import region_summary
from geo.config import ConfigError, Settings

__all__ = [
    "ASSIGNMENT_COLUMNS",
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
UNKNOWN: Final = "nieznany"
#: Keys of the two definitions every installation has.
OWES: Final = "owes_2017_2020"
NUTS3: Final = "nuts3_2021"

COLUMNS: Final = (
    "definicja",
    "definicja_nazwa",
    "definicja_okres",
    "definicja_zrodlo",
    "powiat",
    "powiat_nazwa",
    "podregion",
    "podregion_nazwa",
    "operator",
    "okres",
    "zrodlo",
)
ASSIGNMENT_COLUMNS: Final = (
    "powiat",
    "podregion",
    "podregion_nazwa",
    "operator",
    "okres",
    "zrodlo",
)
_META = ("definicja_nazwa", "definicja_okres", "definicja_zrodlo")
_KEY_RE = re.compile(r"[a-z0-9_]+")


class SubregionError(ConfigError):
    """A subregion definition file is invalid; the message is in Polish for the user."""


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


def _fail(path: Path, message: str) -> SubregionError:
    return SubregionError(f"Plik podregionów {path.name}: {message}")


def read_definitions(path: str | Path) -> pd.DataFrame:
    """Read and check a subregion definition file.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8, with or without BOM, ``,``-separated) with :data:`COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        One row per (``definicja``, ``powiat``); the definition's name, period and source
        filled in on every row; ``podregion_nazwa`` of unknown powiats is ``nieznany``.

    Raises
    ------
    SubregionError
        Missing columns, malformed keys or powiat codes, duplicates, or a definition whose
        rows disagree (the message names the line).
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise _fail(path, f"nie można odczytać pliku ({exc}).") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise _fail(path, f"brak kolumn {', '.join(missing)}.")
    frame = frame[list(COLUMNS)].apply(lambda col: col.str.strip())
    line = pd.Series(range(2, len(frame) + 2), index=frame.index)

    bad_key = ~frame["definicja"].map(lambda k: bool(_KEY_RE.fullmatch(k)))
    if bad_key.any():
        first = bad_key.idxmax()
        raise _fail(
            path,
            f"wiersz {line[first]}: nieprawidłowy klucz definicji „{frame.at[first, 'definicja']}” "
            "(małe litery, cyfry i _).",
        )
    # Excel drops the leading zero of a powiat code ("601"): restore it.
    short = frame["powiat"].str.fullmatch(r"\d{3}")
    frame.loc[short, "powiat"] = frame.loc[short, "powiat"].str.zfill(4)
    bad_powiat = ~frame["powiat"].str.fullmatch(r"\d{4}")
    if bad_powiat.any():
        first = bad_powiat.idxmax()
        raise _fail(
            path,
            f"wiersz {line[first]}: nieprawidłowy kod powiatu „{frame.at[first, 'powiat']}” "
            "(4 cyfry TERC, np. 0603).",
        )
    no_sub = frame["podregion"] == ""
    if no_sub.any():
        raise _fail(
            path,
            f"wiersz {line[no_sub.idxmax()]}: pusty podregion; dla powiatu o nieznanym "
            f"przydziale wpisz „{UNKNOWN}”.",
        )
    dup = frame.duplicated(["definicja", "powiat"], keep="first")
    if dup.any():
        first = dup.idxmax()
        raise _fail(
            path,
            f"wiersz {line[first]}: powiat {frame.at[first, 'powiat']} podany drugi raz "
            f"w definicji {frame.at[first, 'definicja']}.",
        )

    unknown = frame["podregion"].str.casefold() == UNKNOWN
    frame.loc[unknown, "podregion"] = UNKNOWN
    frame.loc[unknown, "podregion_nazwa"] = UNKNOWN
    named = frame["podregion_nazwa"].where(frame["podregion_nazwa"] != "", frame["podregion"])
    frame["podregion_nazwa"] = named

    for column in _META:
        given = frame[frame[column] != ""]
        conflict = given.groupby("definicja")[column].nunique() > 1
        if conflict.any():
            key = conflict.idxmax()
            raise _fail(path, f"definicja {key}: różne wartości w kolumnie {column}.")
        values = given.drop_duplicates("definicja").set_index("definicja")[column]
        frame[column] = frame["definicja"].map(values).fillna("")
    unnamed = frame.loc[frame["definicja_nazwa"] == "", "definicja"].unique()
    if len(unnamed):
        raise _fail(path, f"definicja {unnamed[0]} nie ma nazwy (kolumna definicja_nazwa).")
    for column in ("podregion_nazwa", "operator"):
        known = frame[~unknown]
        conflict = known.groupby(["definicja", "podregion"])[column].nunique() > 1
        if conflict.any():
            key, sub = conflict.idxmax()
            raise _fail(
                path, f"definicja {key}, podregion {sub}: różne wartości w kolumnie {column}."
            )
    return frame.reset_index(drop=True)


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
