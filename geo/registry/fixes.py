"""Manual fixes of registry entities: which fit an entity, checking them, applying them.

Editors' fixes (gmina, coordinates, service area, duplicate) are stored by the store with the
entity's stable key; what a fix may say and what it does is domain work, so it lives here, not
in the store (which knows nothing of the region) nor in the page (which only draws the form).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geo.core.schema import SOCIAL_EMPLOYMENT_TYPES
from geo.core.text import fold
from geo.errors import UserError
from geo.registry.keys import stable_keys
from geo.store import FixInfo

if TYPE_CHECKING:
    from geo.io.region import RegionData

__all__ = [
    "FixError",
    "apply_fixes",
    "check_fix",
    "default_point",
    "duplicate_candidates",
    "fix_kinds",
    "other_entities",
]

#: Fix kinds every entity can get; the service area is added for CIS/KIS (:func:`fix_kinds`).
_COMMON_KINDS = ("gmina", "wspolrzedne", "duplikat")
#: Folded characters of a name compared when looking for duplicates (long enough to skip
#: "Stowarzyszenie", short enough to survive a different ending).
DUPLICATE_PREFIX = 12


class FixError(UserError, ValueError):
    """A manual fix that cannot be saved as given; the message says why, in Polish."""


# --------------------------------------------------------------------------------------------
# Choosing a fix
# --------------------------------------------------------------------------------------------


def fix_kinds(entity_type: object) -> list[str]:
    """The fix kinds offered for an entity of ``entity_type``.

    Only social-employment entities (CIS/KIS) serve other gminas under agreements, so only
    they get a service-area fix.
    """
    kinds = list(_COMMON_KINDS)
    if entity_type in SOCIAL_EMPLOYMENT_TYPES:
        kinds.append("gminy_obslugiwane")
    return kinds


def other_entities(entities: pd.DataFrame, entity: Mapping[str, Any]) -> pd.DataFrame:
    """Every entity of ``entities`` except ``entity`` itself (same source and stable key)."""
    return entities[
        (entities["zrodlo_rejestru"] != entity["zrodlo_rejestru"])
        | (entities["klucz_podmiotu"] != entity["klucz_podmiotu"])
    ]


def duplicate_candidates(
    entities: pd.DataFrame, entity: Mapping[str, Any], limit: int
) -> pd.DataFrame:
    """Entities ``entity`` may duplicate: those whose folded name contains the start of its own.

    When no name is similar, every other entity is a candidate; at most ``limit`` rows, in
    registry order.
    """
    others = other_entities(entities, entity)
    start = fold(entity["nazwa"])[:DUPLICATE_PREFIX]
    similar = others[others["nazwa"].map(fold).str.contains(start, regex=False)]
    return (similar if len(similar) else others).head(limit)


def default_point(gminy: gpd.GeoDataFrame) -> tuple[float, float]:
    """Latitude and longitude (5 decimals) offered for a coordinates fix: the region's centre."""
    centre = gminy.geometry.union_all().centroid
    return float(round(centre.y, 5)), float(round(centre.x, 5))


# --------------------------------------------------------------------------------------------
# Checking a fix against the region
# --------------------------------------------------------------------------------------------


def check_fix(kind: str, value: Mapping[str, Any], region: RegionData) -> str:
    """Check a manual fix against the region; return a Polish confirmation of what it means.

    Raises
    ------
    FixError
        With a Polish message when the kind is unknown, the code is not a gmina of the
        region, the point lies outside the region, a service area lists gminas outside it or
        a duplicate does not name its original.
    """
    checker = _CHECKS.get(kind)
    if checker is None:
        raise FixError(f"Nieznany rodzaj poprawki: {kind}.")
    if not isinstance(value, Mapping):
        raise FixError("Wartość poprawki musi być słownikiem.")
    gminy = region.gminy
    names = dict(zip(gminy["teryt"], gminy["nazwa"], strict=True))
    return checker(value, region, names)


def _check_gmina(value: Mapping[str, Any], region: RegionData, names: dict[str, str]) -> str:
    code = str(value.get("teryt") or "")
    if code not in names:
        raise FixError(f"Kod {code} nie jest kodem gminy regionu ({region.name}).")
    return f"Gmina: {names[code]} ({code})."


def _check_point(value: Mapping[str, Any], region: RegionData, names: dict[str, str]) -> str:
    try:
        lat, lon = float(value["szerokosc"]), float(value["dlugosc"])
    except (KeyError, TypeError, ValueError):
        raise FixError("Podaj szerokość i długość geograficzną jako liczby.") from None
    point = gpd.GeoDataFrame(geometry=gpd.points_from_xy([lon], [lat]), crs="EPSG:4326")
    hit = gpd.sjoin(point, region.gminy[["teryt", "geometry"]], predicate="within")
    if hit.empty:
        raise FixError(
            f"Punkt {lat:.5f}, {lon:.5f} leży poza gminami regionu ({region.name}). "
            "Sprawdź, czy szerokość i długość nie są zamienione."
        )
    code = str(hit["teryt"].iloc[0])
    return f"Punkt leży w gminie {names[code]} ({code})."


def _check_service_area(value: Mapping[str, Any], region: RegionData, names: dict[str, str]) -> str:
    codes = [str(c) for c in value.get("gminy") or []]
    if not codes:
        raise FixError("Wybierz co najmniej jedną gminę obsługiwaną.")
    outside = [c for c in codes if c not in names]
    if outside:
        raise FixError("Kody spoza regionu: " + ", ".join(outside) + ".")
    return "Gminy obsługiwane: " + ", ".join(f"{names[c]} ({c})" for c in codes) + "."


def _check_duplicate(value: Mapping[str, Any], region: RegionData, names: dict[str, str]) -> str:
    if not value.get("duplikat_z"):
        raise FixError("Wskaż wpis, którego duplikatem jest ten podmiot.")
    return "Podmiot nie będzie liczony osobno."


_CHECKS: dict[str, Callable[[Mapping[str, Any], RegionData, dict[str, str]], str]] = {
    "gmina": _check_gmina,
    "wspolrzedne": _check_point,
    "gminy_obslugiwane": _check_service_area,
    "duplikat": _check_duplicate,
}


# --------------------------------------------------------------------------------------------
# Applying fixes
# --------------------------------------------------------------------------------------------


def apply_fixes(frame: pd.DataFrame, fixes: Sequence[FixInfo]) -> pd.DataFrame:
    """Apply manual fixes to registry entities, before they are located.

    Parameters
    ----------
    frame : pandas.DataFrame
        Registry rows with ``zrodlo_rejestru`` (as :meth:`Store.current_entities` returns).
    fixes : sequence of FixInfo
        The fixes; inactive ones and those whose entity is no longer in the registry are
        ignored.

    Returns
    -------
    pandas.DataFrame
        A copy with ``klucz_podmiotu`` (the stable key) and ``poprawki`` (Polish description
        of the fixes applied, else ``None``). Codes, coordinates and service areas are
        replaced; an entity marked as a duplicate of another is left out, so that it is not
        counted twice (it stays in the store and in the list of fixes).
    """
    out = frame.copy().reset_index(drop=True)
    out["klucz_podmiotu"] = stable_keys(out).to_numpy(dtype=object)
    out["poprawki"] = pd.Series([None] * len(out), dtype=object)
    active = [f for f in fixes if f.active]
    if not active or out.empty:
        return out
    sources = (
        out["zrodlo_rejestru"].astype(object)
        if "zrodlo_rejestru" in out.columns
        else pd.Series([None] * len(out), dtype=object)
    )
    position = dict(zip(zip(sources, out["klucz_podmiotu"], strict=True), out.index, strict=True))
    by_name = {f"{src}:{key}": row for (src, key), row in position.items()}
    marked = {
        position[(f.source, f.entity)]
        for f in active
        if f.kind == "duplikat" and (f.source, f.entity) in position
    }
    notes: dict[int, list[str]] = {}
    dropped: list[int] = []
    for fix in sorted(active, key=lambda f: f.id):
        row = position.get((fix.source, fix.entity))
        if row is None:
            continue
        value = fix.value
        if fix.kind == "gmina":
            out.at[row, "teryt"] = value["teryt"]
        elif fix.kind == "wspolrzedne":
            out.at[row, "szerokosc"] = float(value["szerokosc"])
            out.at[row, "dlugosc"] = float(value["dlugosc"])
        elif fix.kind == "gminy_obslugiwane":
            out.at[row, "gminy_obslugiwane"] = ";".join(value["gminy"])
        elif fix.kind == "duplikat":
            original = by_name.get(str(value["duplikat_z"]))
            # Left out only while its original is there and counted: never both of a pair.
            if original is None or original in marked:
                continue
            dropped.append(row)
        notes.setdefault(row, []).append(fix.describe())
    rows = list(notes)
    out.loc[rows, "poprawki"] = pd.Series(
        ["; ".join(notes[r]) for r in rows], index=rows, dtype=object
    )
    return out.drop(index=dropped).reset_index(drop=True)
