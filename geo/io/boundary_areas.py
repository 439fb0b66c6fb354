"""Plausible gmina areas at boundary import: collapsed or huge gminas refused, odd ones flagged.

A boundary file can be well-formed and still wrong: a polygon collapsed to a line (zero area),
a gmina drawn as the whole country, codes shifted onto other gminas' outlines. Areas measured
in EPSG:2180 are compared with the official ones where the reference data has them (GUGiK,
2025-01-01) and with plausible bounds for Polish gminas otherwise.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.config import Settings
from geo.io.vector import BoundaryError, _listing

__all__ = ["check_areas", "official_areas"]

# Areas in km², measured in EPSG:2180. Polish gminas span 3.3 km² (Górowo Iławeckie) to 683 km²
# (Gdańsk): below a hectare a gmina has collapsed (a line or a point), above 5,000 km² it is a
# voivodeship or a wrong CRS. Against the official area (where known) a ratio beyond 1/2..2 is
# flagged, not refused: coastal gminas' official areas include internal sea waters (Jastarnia:
# 8 km² of land, 104 km² official).
MIN_AREA_KM2 = 0.01
MAX_AREA_KM2 = 5_000.0
PLAUSIBLE_KM2 = (1.0, 1_000.0)
AREA_RATIO_FLAGGED = 2.0


def _km2(gminy: gpd.GeoDataFrame) -> pd.Series:
    return gminy.geometry.to_crs(2180).area / 1e6


def _described(gminy: gpd.GeoDataFrame, mask: pd.Series, area: pd.Series, known=None) -> str:
    items = []
    for i in gminy.index[mask]:
        item = f"{gminy.at[i, 'teryt']} {gminy.at[i, 'nazwa']}".strip() + f" ({area[i]:.2f} km²"
        if known is not None and pd.notna(known[i]):
            item += f", urzędowo {known[i]:.2f} km²"
        items.append(item + ")")
    return _listing(items)


def check_areas(gminy: gpd.GeoDataFrame, known_km2: dict[str, float] | None = None) -> list[str]:
    """Refuse collapsed or huge gminas; flag areas far from the official or plausible ones.

    Parameters
    ----------
    gminy : geopandas.GeoDataFrame
        ``teryt, nazwa, geometry`` (any CRS), as from :func:`normalize_gminy`.
    known_km2 : dict, optional
        Official area of each gmina code, in km²; plausible bounds are used for the others.

    Returns
    -------
    list[str]
        Polish warnings (areas worth a look).

    Raises
    ------
    BoundaryError
        A gmina of almost no area (collapsed polygon) or over :data:`MAX_AREA_KM2`.
    """
    if gminy.empty:
        return []
    area = _km2(gminy)
    collapsed = area < MIN_AREA_KM2
    if collapsed.any():
        raise BoundaryError(
            "Granice gmin o zerowej lub znikomej powierzchni (poligon zdegenerowany do linii "
            f"lub punktu, mniej niż {MIN_AREA_KM2 * 100:.0f} ha): "
            + _described(gminy, collapsed, area)
            + "."
        )
    huge = area > MAX_AREA_KM2
    if huge.any():
        raise BoundaryError(
            f"Granice gmin o nieprawdopodobnie dużej powierzchni (ponad {MAX_AREA_KM2:,.0f} km²; "
            "największa gmina w Polsce ma 683 km²): ".replace(",", " ")
            + _described(gminy, huge, area)
            + ". Sprawdź układ współrzędnych i kody gmin."
        )
    known = gminy["teryt"].map(known_km2 or {}).astype(float)
    ratio = area / known.where(known > 0)
    warnings = []
    odd = (ratio > AREA_RATIO_FLAGGED) | (ratio < 1 / AREA_RATIO_FLAGGED)
    if odd.any():
        warnings.append(
            "Powierzchnia granic różni się od urzędowej ponad dwukrotnie – sprawdź, czy kody "
            "nie są przesunięte (w gminach nadmorskich urzędowa obejmuje wody wewnętrzne): "
            + _described(gminy, odd, area, known)
            + "."
        )
    low, high = PLAUSIBLE_KM2
    unusual = known.isna() & ((area < low) | (area > high))
    if unusual.any():
        warnings.append(
            f"Nietypowa powierzchnia gmin (poza {low:.0f}–{high:,.0f} km²; brak urzędowej "
            "do porównania): ".replace(",", " ")
            + _described(gminy, unusual, area)
            + "."
        )
    return warnings


def official_areas(settings: Settings) -> dict[str, float] | None:
    """Official gmina areas in km² (reference data, else the embedded region file), if any."""
    candidates = []
    if settings.data_dir is not None:
        candidates.append(
            (
                settings.data_dir / "reference" / "gminy_area_population.csv",
                "area_km2_official_2025",
            )
        )
    candidates.append(
        (settings.embedded_dir / f"ludnosc_{settings.region}.csv", "powierzchnia_km2")
    )
    for path, column in candidates:
        try:
            frame = pd.read_csv(path, dtype={"teryt": str}, usecols=["teryt", column])
        except (OSError, ValueError):
            continue
        values = pd.to_numeric(frame[column], errors="coerce")
        return dict(zip(frame["teryt"], values, strict=True))
    return None
