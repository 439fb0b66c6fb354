"""What the Mapa page derives from the coverage, built once and shared by every session.

Why a module of its own: Streamlit re-executes a page script on every run, and a cached
function defined there is registered again each time (its source parsed again); defined here
it is registered once per process. The page (``pages/mapa.py``) only draws these.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.analysis.coverage import NOT_COVERED, pes_count, region_summary
from geo.core.text import fold
from geo.pipeline import CoverageResult
from geo.present.gmina_search import gmina_labels
from geo.present.points import entities_on_map
from pages import _common as common
from pages import _planning as planning

#: Gminas without CIS/KIS listed beside the map (farthest first); the Luki page has them all.
GAPS_SHOWN = 25
RODZAJ_SHORT = {"1": "miejska", "2": "wiejska", "3": "m.-wiejska"}


@dataclass(frozen=True)
class MapaView:
    """What the page shows for one coverage and one choice of area, types and status.

    Built once per choice and shared by every session (``st.cache_resource``): selecting
    rows of the 213-row GeoDataFrame costs geopandas about 1 ms each time, and these
    selections were most of a new session's server CPU (BENCHMARKS.md). Read-only.
    """

    gminy: gpd.GeoDataFrame  # the area's gminas
    teryts: frozenset[str]
    summary: dict[str, Any]
    entities: gpd.GeoDataFrame  # registry entities of the chosen types in the area
    shown: gpd.GeoDataFrame  # those drawn on the map
    pes_total: int
    gaps_total: int
    gaps_table: pd.DataFrame  # the farthest GAPS_SHOWN, formatted for the side panel


def gaps_rows(gminy: pd.DataFrame) -> tuple[int, pd.DataFrame]:
    """Gminas without CIS/KIS: how many, and the side table of the farthest (formatted).

    Only the farthest are listed beside the map (every new session receives this table: the
    whole list doubled the start page's websocket bytes); the Luki page has them all.
    """
    gaps = gminy[gminy["pokrycie"] == NOT_COVERED].sort_values(
        "odleglosc_cis_kis_km", ascending=False, na_position="first"
    )
    shown = gaps.head(GAPS_SHOWN)
    table = pd.DataFrame(
        {
            "Gmina": shown["nazwa"].astype(str) + " (" + shown["rodzaj"].map(RODZAJ_SHORT) + ")",
            "Powiat": shown["powiat_nazwa"].astype(str),
            "Odległość do CIS/KIS": shown["odleglosc_cis_kis_km"].map(common.fmt_km),
        }
    )
    return len(gaps), table


@st.cache_resource(show_spinner=False, max_entries=64)
def view(
    data_key: Hashable,
    area_key: tuple[str, str, tuple[str, ...]],
    types: tuple[str, ...],
    include_inactive: bool,
    _result: CoverageResult,
    _area: planning.Area,
) -> MapaView:
    """The view of ``_result`` (identified by ``data_key``, the coverage key) for the area
    ``_area`` (identified by ``area_key``), entity types and status."""
    gminy = _result.gminy[planning.area_mask(_result, _area)]
    teryts = frozenset(gminy["teryt"].astype(str))
    entities = _result.entities
    entities = entities[entities["typ"].isin(types) & entities["teryt_gminy"].isin(teryts)]
    gaps_total, gaps_table = gaps_rows(gminy)
    return MapaView(
        gminy=gminy,
        teryts=teryts,
        summary=region_summary(gminy) if len(gminy) else _result.summary,
        entities=entities,
        shown=entities_on_map(entities, include_inactive),
        pes_total=int(pes_count(gminy, types).sum()),
        gaps_total=gaps_total,
        gaps_table=gaps_table,
    )


@st.cache_resource(show_spinner=False, max_entries=16)
def search_labels(data_key: Hashable, _result: CoverageResult) -> dict[str, str]:
    """The search box's options, built once per coverage (213 labels; shared, read-only)."""
    gminy = _result.gminy.assign(_order=_result.gminy["nazwa"].map(fold))
    gminy = gminy.sort_values(["_order", "teryt"])
    labels = gmina_labels(gminy) + " · " + gminy["teryt"].astype(str)
    return dict(zip(gminy["teryt"].astype(str), labels, strict=True))
