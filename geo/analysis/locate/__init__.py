"""Locating registry entities in gminas.

Evidence is used in a fixed order: the TERYT code (:mod:`.by_code`), then coordinates (point
in polygon, :mod:`.by_point`), then the gmina name (with the powiat to disambiguate), then the
locality when it is unambiguously a gmina seat (:mod:`.by_name`). Nothing is dropped: every
entity comes out, located or not, with the reason in ``problem`` when something needs a
person's attention (:mod:`.checks`, categories in :mod:`.problems`). Work is done per distinct
value (codes, names) and with one spatial join, so 100,000 entities cost little more than 1,000.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._gc import paused_gc
from geo.analysis.locate.by_code import locate_by_code
from geo.analysis.locate.by_name import locate_by_name
from geo.analysis.locate.by_point import locate_by_point, placement
from geo.analysis.locate.checks import (
    check_duplicates,
    check_names,
    check_service_areas,
    check_types,
    note_unlocated,
    parse_service_area,
)
from geo.analysis.locate.distinct import TextColumns
from geo.analysis.locate.problems import (
    CATEGORIES_COLUMN,
    EXCLUDING,
    P_AMBIGUOUS,
    P_BAD_CODE,
    P_BAD_POINT,
    P_CONFLICT,
    P_DUPLICATE,
    P_MAPPED,
    P_NAME,
    P_OUTSIDE,
    P_SERVICE,
    P_SWAPPED,
    P_TYPE,
    P_UNLOCATED,
    problems_table,
)
from geo.analysis.locate.work import (
    LOCATED_COLUMNS,
    METHOD_CODE,
    METHOD_LOCALITY,
    METHOD_NAME,
    METHOD_POINT,
    Work,
)
from geo.core.schema import REGISTRY_COLUMNS
from geo.core.teryt import Terc

__all__ = [
    "CATEGORIES_COLUMN",
    "EXCLUDING",
    "LOCATED_COLUMNS",
    "METHOD_CODE",
    "METHOD_LOCALITY",
    "METHOD_NAME",
    "METHOD_POINT",
    "P_AMBIGUOUS",
    "P_BAD_CODE",
    "P_BAD_POINT",
    "P_CONFLICT",
    "P_DUPLICATE",
    "P_MAPPED",
    "P_NAME",
    "P_OUTSIDE",
    "P_SERVICE",
    "P_SWAPPED",
    "P_TYPE",
    "P_UNLOCATED",
    "locate_entities",
    "parse_service_area",
    "problems_table",
]


@paused_gc()
def locate_entities(
    entities: pd.DataFrame,
    gminy: gpd.GeoDataFrame,
    terc: Terc,
    region: str,
) -> gpd.GeoDataFrame:
    """Locate each entity in a gmina of the region.

    Parameters
    ----------
    entities : pandas.DataFrame
        Native registry columns (``geo.core.schema.REGISTRY_COLUMNS``), optionally
        ``zrodlo_rejestru``.
    gminy : geopandas.GeoDataFrame
        Gminas of the region: ``teryt, nazwa, rodzaj, powiat, powiat_nazwa, geometry``.
    terc : Terc
        TERC register used to normalise codes; all of Poland where available, so that codes of
        other voivodeships are recognised as outside the region rather than invalid.
    region : str
        ``"PL"`` or the voivodeship code.

    Returns
    -------
    geopandas.GeoDataFrame
        The input columns plus ``LOCATED_COLUMNS`` and a point geometry (EPSG:4326): the
        entity's coordinates, or the gmina's representative point (``pozycja_przyblizona``).
        ``problem_kategorie`` holds each row's problem categories (a tuple);
        ``problem_kategoria`` their display text.
    """
    frame = _input_frame(entities)
    arrow = TextColumns(frame)
    work = Work(frame.index, region)
    codes = locate_by_code(frame, arrow, terc, set(gminy["teryt"]), work)
    points = locate_by_point(frame, gminy, work, codes.outside)
    todo = work.teryt.isna() & ~codes.outside & ~points.outside & ~codes.ambiguous
    locate_by_name(frame, arrow, gminy, work, todo)
    note_unlocated(work)
    type_key = check_types(frame, arrow, work)
    no_name = check_names(arrow, work)
    # Gminas by number (-1: none), for the duplicates and the representative points.
    gmina_number, gmina_codes = pd.factorize(work.teryt)
    check_duplicates(frame, arrow, work, type_key, no_name, gmina_number)
    served = check_service_areas(frame, arrow, terc, work)
    geometry, approx = placement(gminy, work, points, gmina_number, gmina_codes)
    return _result(frame, work, served, approx, geometry)


def _input_frame(entities: pd.DataFrame) -> pd.DataFrame:
    """A new frame (copy-on-write: the input stays unchanged) with every registry column."""
    frame = entities.reset_index(drop=True)
    for col in REGISTRY_COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    if "zrodlo_rejestru" not in frame.columns:
        frame["zrodlo_rejestru"] = None
    return frame


def _result(
    frame: pd.DataFrame,
    work: Work,
    served: pd.Series,
    approx: pd.Series,
    geometry: np.ndarray,
) -> gpd.GeoDataFrame:
    """The input columns, the located ones and the point geometry, in one frame."""
    categories, category_text = work.problems.categories()
    frame["teryt_gminy"] = work.teryt
    frame["metoda_lokalizacji"] = work.method
    frame["problem_kategoria"] = category_text
    frame["problem"] = work.problems.text
    frame["gminy_obslugiwane_kody"] = served
    frame["uwzgledniony"] = work.teryt.notna() & ~work.problems.noted(*EXCLUDING)
    frame["pozycja_przyblizona"] = approx
    frame[CATEGORIES_COLUMN] = categories
    # A shallow copy: copy-on-write keeps the result and the input apart, where geopandas
    # would otherwise copy every column.
    geoms = gpd.GeoSeries(geometry, index=frame.index, crs="EPSG:4326")
    return gpd.GeoDataFrame(frame.copy(deep=False), geometry=geoms, copy=False)
