"""What the planner pages share: sample-data notes, subregion choice, area filters, exports.

Numbers come from :mod:`geo` (the cached coverage of :mod:`pages._common` and the planning
functions); this module only caches derived frames and draws the common widgets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from geo.analysis import subregions
from geo.analysis.lpres import STATUS_LABELS
from geo.analysis.neighbours import gmina_neighbours
from geo.config import Settings
from geo.io.export import to_bytes
from geo.pipeline import CoverageResult, source_notes
from pages import _common as common
from pages._downloads import download

ALL = "(wszystkie)"
PROFILE_PAGE = "pages/profil.py"
GAPS_PAGE = "pages/luki.py"
UNKNOWN_NOTE = (
    "„nieznany” oznacza brak informacji w danych aplikacji (nie „brak”): obszary OWES "
    "poza subregionem chełmsko-zamojskim nie są publicznie potwierdzone i czekają na "
    "uzupełnienie w pliku podregionów."
)


def _files_state(s: Settings) -> str:
    return subregions.definitions_state(s)


def coverage(as_of: dt.date | None = None) -> CoverageResult:
    """The shared cached coverage (keyed by every input in ``_common``)."""
    return common.coverage(as_of)


@st.cache_resource(show_spinner=False, max_entries=8)
def _definitions(state: str, _settings: Settings) -> dict[str, subregions.SubregionDefinition]:
    return subregions.load_definitions(_settings)


@st.cache_resource(show_spinner=False, max_entries=16)
def _assignment(state: str, key: str, _settings: Settings) -> pd.DataFrame:
    return subregions.powiat_assignment(_settings, key)


def definitions() -> dict[str, subregions.SubregionDefinition]:
    """The subregion definitions (OWES areas, NUTS-3, local ones from PES_HOME)."""
    s = common.settings()
    return _definitions(_files_state(s), s)


def assignment(key: str) -> pd.DataFrame:
    """Powiats of a subregion definition (see :func:`geo.analysis.subregions.powiat_assignment`)."""
    s = common.settings()
    return _assignment(_files_state(s), key, s)


def definition_select(
    key: str, label: str = "Podział na podregiony", help: str | None = None
) -> str:
    """The "Podział na podregiony" choice (OWES areas by default); returns the definition key."""
    defs = definitions()
    keys = list(defs)
    chosen: str = st.selectbox(
        label,
        keys,
        index=keys.index(subregions.OWES) if subregions.OWES in keys else 0,
        format_func=lambda k: defs[k].label,
        key=key,
        help=help,
    )
    return chosen


@st.cache_resource(show_spinner="Łączenie powiatów w podregiony…", max_entries=16)
def _shapes(key: tuple[str, ...], _powiaty: gpd.GeoDataFrame, _table: pd.DataFrame) -> Any:
    return subregions.dissolve_subregions(_powiaty, _table)


def region_key(result: CoverageResult, key: str) -> tuple[str, ...]:
    """What a subregion definition's shapes depend on: the configuration and boundaries
    (imported ones included) and the subregion files."""
    s = common.settings()
    return (*common.settings_key(s), _files_state(s), key)


def subregion_shapes(result: CoverageResult, key: str) -> gpd.GeoDataFrame:
    """Subregion polygons of a definition for the web maps (cached).

    Dissolved from the display-scale powiats, so their borders lie on the drawn gminas'.
    """
    return _shapes(region_key(result, key), common.web_powiaty(), assignment(key))


@st.cache_resource(show_spinner=False, max_entries=16)
def _subregion_names(key: tuple[str, ...], _gminy: pd.DataFrame, _table: pd.DataFrame) -> Any:
    frame = subregions.gmina_subregion(_gminy, _table)
    return pd.Series(frame["podregion_nazwa"].to_numpy(), index=frame["teryt"].to_numpy())


def subregion_of(result: CoverageResult, key: str) -> pd.Series:
    """Subregion name of each gmina of ``result.gminy`` (same index) under a definition."""
    # cached per region and definition: the filters ask on every rerun, for any date
    names = _subregion_names(region_key(result, key), result.region.gminy, assignment(key))
    return pd.Series(names.reindex(result.gminy["teryt"]).to_numpy(), index=result.gminy.index)


def neighbours(result: CoverageResult) -> pd.DataFrame:
    """Neighbouring gminas (memoised in :mod:`geo.analysis.neighbours` by the boundaries)."""
    return gmina_neighbours(result.gminy)


# --------------------------------------------------------------------------- notes


def sample_notes(result: CoverageResult, *, lpres: bool = True) -> None:
    """Say on the page which data are samples (registry, LPRES plans)."""
    if result.registry.is_sample:
        st.warning(
            f"**{common.md(result.registry.label)}.** Liczby i mapy pokazują tylko podmioty z tego "
            "przykładowego rejestru.",
            icon=":material/warning:",
        )
    info = result.plans_info
    if lpres and info is not None and info.is_sample:
        st.info(
            "**Plany LPRES: dane przykładowe.** W danych jest tylko to, co potwierdza źródło "
            "publiczne; dla pozostałych gmin status LPRES jest **nieznany** (nie „brak planu”)."
            + (
                " Listę planów importuje się poleceniem `python -m geo lpres import PLIK`."
                if common.editor_logged_in()
                else ""
            ),
            icon=":material/info:",
        )


def stamp(result: CoverageResult) -> str:
    """The "stan na" date and registry note for figure captions."""
    sample = " · dane przykładowe, niekompletne" if result.registry.is_sample else ""
    return f"stan na {common.fmt_date(result.as_of)}{sample}"


def sources_caption(result: CoverageResult, *extra: str) -> str:
    """Caption naming every source of a figure (Markdown-escaped)."""
    parts = [
        f"Źródło: rejestr PES ({', '.join(result.registry.sources)})",
        result.region.population_source,
        "granice: GUS/PRG GUGiK",
        *extra,
    ]
    sample = " · dane przykładowe, niekompletne" if result.registry.is_sample else ""
    head = f"Stan na {common.fmt_date(result.as_of)}{sample}"
    return f"{head} · " + " · ".join(common.md(p) for p in parts)


def export_meta(result: CoverageResult, **extra: str) -> dict[str, str]:
    """Source notes written beside exported tables."""
    meta = source_notes(result)
    meta.update(extra)
    return meta


def export_buttons(
    frame: pd.DataFrame, name: str, meta: dict[str, str], key: str, sheet: str = "Dane"
) -> None:
    """XLSX and CSV downloads of ``frame`` for people (Polish headers, CSV with ``;`` and
    decimal commas; formula-safe, see :mod:`geo.io.export`)."""
    day = meta.get("stan na", dt.date.today().isoformat())
    left, right = st.columns(2)
    download(
        "Pobierz XLSX",
        lambda: to_bytes(frame, "xlsx", meta=meta, sheet=sheet, people=True),
        file_name=f"{name}_{day}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        place=left,
        icon=":material/download:",
        key=f"{key}_xlsx",
    )
    download(
        "Pobierz CSV",
        lambda: to_bytes(frame, "csv", people=True),
        file_name=f"{name}_{day}.csv",
        mime="text/csv",
        place=right,
        icon=":material/download:",
        key=f"{key}_csv",
    )


def gaps_link(label: str) -> None:
    """Link to the Luki page (every gmina without CIS/KIS, candidates for agreements)."""
    try:
        st.page_link(GAPS_PAGE, label=label, icon=":material/report_problem:")
    except StreamlitAPIException:
        # The page is not registered in this app (a page run alone): a plain link instead.
        st.markdown(f"[{common.md(label)}](luki)")


def profile_link(teryt: str, name: str = "") -> None:
    """Link to the gmina's profile page (``profil?gmina=TERYT``)."""
    label = f"Profil gminy {name}".strip()
    try:
        st.page_link(
            PROFILE_PAGE,
            label=label,
            icon=":material/location_city:",
            query_params={"gmina": teryt},
        )
    except StreamlitAPIException:
        # The profile page is not registered in this app: a plain relative link instead.
        st.markdown(f"[{common.md(label)}](profil?gmina={teryt})")


# --------------------------------------------------------------------------- area filter


@dataclass(frozen=True)
class Area:
    """The part of the region chosen by the user."""

    definition: str
    subregion: str  # ALL or a subregion name
    powiaty: tuple[str, ...]  # powiat codes; empty = all

    @property
    def is_whole(self) -> bool:
        return self.subregion == ALL and not self.powiaty

    def label(self, result: CoverageResult) -> str:
        if self.is_whole:
            return result.region.name
        parts = []
        if self.subregion != ALL:
            parts.append(f"podregion {self.subregion}")
        if self.powiaty:
            names = result.region.powiaty.set_index("powiat")["powiat_nazwa"]
            parts.append("powiaty: " + ", ".join(str(names.get(p, p)) for p in self.powiaty))
        return "; ".join(parts)


@st.cache_resource(show_spinner=False, max_entries=64)
def _powiat_names(
    key: tuple[str, ...], subregion: str, _result: CoverageResult, _names: pd.Series
) -> pd.Series:
    """Powiat names (by code) of a subregion, or of the region. They depend on the boundaries
    and the definition (``key``), not on the date or the registry: computed once, not on
    every rerun of every page with area filters (shared, read-only)."""
    gminy = pd.DataFrame(_result.gminy[["powiat", "powiat_nazwa"]])
    if subregion != ALL:
        gminy = gminy[(_names == subregion).to_numpy()]
    return gminy.drop_duplicates().set_index("powiat")["powiat_nazwa"]


def area_filters(result: CoverageResult, prefix: str, columns: list[Any] | None = None) -> Area:
    """Widgets: subregion definition, subregion and powiats (three containers)."""
    holders = columns or [st, st, st]
    with holders[0]:
        definition = definition_select(
            f"{prefix}_podzial",
            help="Obszary OWES nie są podregionami NUTS-3; nieskonfigurowane = „nieznany”.",
        )
    names = subregion_of(result, definition)
    present = set(names)
    options = [
        ALL,
        *sorted(present - {subregions.UNKNOWN}),
        *([subregions.UNKNOWN] if subregions.UNKNOWN in present else []),
    ]
    with holders[1]:
        subregion = st.selectbox(
            "Podregion",
            options,
            key=f"{prefix}_podregion",
            format_func=lambda v: "nieznany (nieskonfigurowany)" if v == subregions.UNKNOWN else v,
        )
    powiat_names = _powiat_names(region_key(result, definition), subregion, result, names)
    with holders[2]:
        chosen = st.multiselect(
            "Powiat",
            sorted(powiat_names.index),
            format_func=lambda p: f"{powiat_names.get(p, p)} ({p})",
            key=f"{prefix}_powiat",
            placeholder="wszystkie",
            select_all=False,  # Streamlit's "Select all" option has an English label
        )
    return Area(definition, subregion, tuple(p for p in chosen if p in powiat_names.index))


def date_area_status_filters(
    result: CoverageResult, prefix: str, status_key: str
) -> tuple[Area, list[str]]:
    """The filter row of the gap and LPRES pages: date, area (three widgets), LPRES status."""
    f_date, f_def, f_sub, f_pow, f_status = st.columns([1, 1.2, 1.1, 1.2, 1.2])
    with f_date:
        common.date_input()
    area = area_filters(result, prefix, [f_def, f_sub, f_pow])
    with f_status:
        statuses = st.multiselect(
            "Status LPRES",
            list(STATUS_LABELS),
            format_func=STATUS_LABELS.get,
            key=status_key,
            placeholder="wszystkie",
            select_all=False,
        )
    return area, statuses


def area_mask(result: CoverageResult, area: Area) -> pd.Series:
    """Boolean mask of ``result.gminy`` rows inside the chosen area."""
    mask = pd.Series(True, index=result.gminy.index)
    if area.subregion != ALL:
        mask &= subregion_of(result, area.definition) == area.subregion
    if area.powiaty:
        mask &= result.gminy["powiat"].astype(str).isin(area.powiaty)
    return mask
