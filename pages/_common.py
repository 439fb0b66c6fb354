"""What every page shares: settings, the cached computation, the "stan na" date, formatting.

Pages stay thin: they call :func:`coverage` and draw.

Caching: what is kept where, and what makes it stale
----------------------------------------------------
Keys are plain hashable values; the Settings object is passed as ``_settings`` (left out of the
key). Everything below is ``st.cache_resource``: one object per key, shared read-only by all
sessions without copying (``st.cache_data`` would pickle a copy of a 100,000-row frame on every
call), so pages must not modify the frames they get.

* ``_region(settings key)``: boundaries, TERC, population. The key holds the configuration
  and the hash of boundaries imported under ``PES_HOME``, so an import takes effect at once.
* ``_web_boundaries(settings key)``: the light map geometry (``geo.web.simplify``), also cached
  on disk under ``$PES_HOME/cache/webgeom`` keyed by a hash of the boundaries themselves.
* ``_coverage(settings key, date, registry state, planning state)``: located registry and
  coverage on one date. ``registry_state`` is ``Store.state_token()`` (changes with every
  import, restore and manual fix, also in other instances); ``planning_state`` changes with
  the LPRES plans and subregion files. :func:`coverage_key` gives that key.
* ``pages._mapview._rendered(key, view...)``: the interactive maps, rendered once per view
  into the arguments of the browser component (strings); the view holds the key of the
  data drawn (:func:`coverage_and_key`), so the same events make them stale.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, TypeVar

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from sqlalchemy.engine import make_url

from geo import pipeline
from geo.config import ConfigError, Settings, get_settings
from geo.core.teryt import TercError
from geo.errors import MapError
from geo.io.boundaries import BoundaryError, imported_boundaries
from geo.io.registry import RegistryFileError
from geo.store import Store, StoreError
from geo.web.assets import AssetError, ensure_static_assets
from geo.web.maps import MapOptions, build_map
from geo.web.simplify import default_cache_dir
from geo.web.simplify import web_gminy as light_gminy
from geo.web.simplify import web_powiaty as light_powiaty
from geo.web.topo_layer import use_topojson

#: Errors whose message is written for the user (Polish): shown as st.error, not a traceback.
USER_ERRORS: tuple[type[Exception], ...] = (
    ConfigError,
    TercError,
    BoundaryError,
    RegistryFileError,
    StoreError,
    MapError,
    AssetError,
)


APP_RAN_KEY = "_app_py_ran"


def leave_legacy_multipage_mode() -> None:
    """Make app.py's st.navigation decide the pages, also on a deep link.

    Streamlit runs a folder named pages/ as a legacy multipage app until st.navigation has
    run once in the server process: a deep link (/o_danych) to a freshly started server
    would run that page alone, with a sidebar listing every file. The flag is internal to
    Streamlit, hence the defensive access. No rerun here: this also runs at import time, and
    a rerun raised during an import breaks sessions importing the module at the same moment;
    :func:`settings` reruns a session that did not come through app.py.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a future Streamlit without the legacy mode
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False


leave_legacy_multipage_mode()


AS_OF_KEY = "stan_na"
_WIDGET_KEY = "stan_na_wybor"
_T = TypeVar("_T")


def guarded(work: Callable[[], _T]) -> _T:
    """Run ``work``; on a user-facing error show it in Polish and stop the page."""
    try:
        return work()
    except USER_ERRORS as exc:
        st.error(f"**Nie można wyświetlić danych.** {md(exc)}", icon=":material/error:")
        st.stop()
        raise  # unreachable: st.stop() raises; keeps type checkers satisfied


def settings() -> Settings:
    """The configuration from the environment (a Polish error on the page when invalid)."""
    if not st.session_state.get(APP_RAN_KEY):
        # a legacy deep-link run of a page: run again through app.py's navigation
        st.session_state[APP_RAN_KEY] = True
        st.rerun()
    return guarded(get_settings)


@st.cache_resource(show_spinner=False)
def _static_assets() -> dict[str, str]:
    return ensure_static_assets()


def prepare_static_assets() -> dict[str, str]:
    """Copy Leaflet into ``static/`` once per server process (the map needs no internet)."""
    return guarded(_static_assets)


def _settings_key(s: Settings) -> tuple[str, ...]:
    # imported boundaries (python -m geo boundaries import) change the region without a restart
    imported = imported_boundaries(s)
    stamp = str(imported[1].get("sha256", imported[0].stat().st_mtime)) if imported else ""
    return (str(s.data_dir), str(s.home), s.region, s.database_url, str(s.embedded_dir), stamp)


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return Store(url)


def registry_state(s: Settings) -> str:
    """A token that changes with every import, restore and manual fix (in any instance)."""
    return _store(s.database_url).state_token()


@st.cache_resource(show_spinner="Wczytywanie granic gmin, TERYT i ludności…", max_entries=4)
def _region(key: tuple[str, ...], _settings: Settings) -> pipeline.RegionData:
    return pipeline.load_region(_settings)


@st.cache_resource(show_spinner="Obliczanie pokrycia gmin…", max_entries=16)
def _coverage(
    key: tuple[str, ...], as_of: dt.date, registry: str, planning: str, _settings: Settings
) -> pipeline.CoverageResult:
    region = _region(key, _settings)
    frame, info = pipeline.load_registry(_settings)
    return pipeline.compute(region, frame, info, as_of)


@st.cache_resource(show_spinner=False, max_entries=4)
def _web_boundaries(
    key: tuple[str, ...], _settings: Settings
) -> tuple[gpd.GeoSeries, gpd.GeoDataFrame]:
    region = _region(key, _settings)
    folder = default_cache_dir(_settings)
    gminy = light_gminy(region.gminy, cache_dir=folder)
    return gminy.set_index("teryt").geometry, light_powiaty(gminy, cache_dir=folder)


def web_gminy(gminy: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``gminy`` (any rows of the region, any columns) with the light geometry for the map."""
    s = settings()
    shapes, _ = guarded(lambda: _web_boundaries(_settings_key(s), s))
    light = shapes.reindex(gminy["teryt"]).to_numpy()
    return gminy.set_geometry(gpd.GeoSeries(light, index=gminy.index, crs=shapes.crs))


def web_powiaty() -> gpd.GeoDataFrame:
    """Powiats dissolved from the light gminas (their borders lie on the gminas' borders)."""
    s = settings()
    return guarded(lambda: _web_boundaries(_settings_key(s), s))[1]


def web_map(gminy: gpd.GeoDataFrame, entities: pd.DataFrame | None, **options: Any) -> folium.Map:
    """:func:`geo.web.maps.build_map` of ``gminy`` (any rows of the region) on the light
    geometry, with their powiats, vector layers sent as one TopoJSON topology."""
    everywhere = web_powiaty()
    powiaty = everywhere[everywhere["powiat"].isin(set(gminy["powiat"]))]
    light = web_gminy(gminy)
    return guarded(lambda: use_topojson(build_map(light, entities, powiaty, MapOptions(**options))))


def coverage_key(as_of: dt.date | None = None) -> tuple[Any, ...]:
    """What the coverage on ``as_of`` depends on: configuration and boundaries, the date,
    the registry state and the planning state (LPRES plans and subregion files can change
    without a registry import). Caches of things drawn from the coverage (maps) start
    their keys with it."""
    s = settings()
    day = as_of or chosen_date()
    return guarded(lambda: (_settings_key(s), day, registry_state(s), pipeline.planning_state(s)))


def coverage_and_key(
    as_of: dt.date | None = None,
) -> tuple[pipeline.CoverageResult, tuple[Any, ...]]:
    """The coverage result and the :func:`coverage_key` it was computed for.

    Pages caching what they draw from the result key it with this key: asking for the key
    again later could see a newer registry state than the result's.
    """
    s = settings()
    key = coverage_key(as_of)
    return guarded(lambda: _coverage(*key, s)), key


def coverage(as_of: dt.date | None = None) -> pipeline.CoverageResult:
    """The coverage result for ``as_of`` (default: the date chosen on the map page)."""
    return coverage_and_key(as_of)[0]


def chosen_date() -> dt.date:
    """The "stan na" date chosen by the user in this session (default: today).

    Read before the picker is drawn, so the widget's new value is taken from its state; it is
    copied to a plain key because Streamlit forgets a widget's state on pages without it.
    """
    picked = st.session_state.get(_WIDGET_KEY)
    if isinstance(picked, dt.date):
        st.session_state[AS_OF_KEY] = picked
    return st.session_state.get(AS_OF_KEY) or dt.date.today()


def date_input(container: Any = st) -> dt.date:
    """The "stan na" date picker; the choice is kept for the other pages."""
    value = container.date_input(
        "Stan na dzień",
        value=chosen_date(),
        min_value=dt.date(2000, 1, 1),
        max_value=dt.date(dt.date.today().year + 5, 12, 31),
        format="DD.MM.YYYY",
        key=_WIDGET_KEY,
        help="Podmioty liczą się, jeśli działały tego dnia (daty rozpoczęcia i zakończenia).",
    )
    st.session_state[AS_OF_KEY] = value
    return value


# ------------------------------------------------------------------------- formatting

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def md(value: object) -> str:
    """Text from data, safe inside Streamlit markdown (no links, images, HTML or formatting)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(value))


def fmt_int(value: float) -> str:
    """Polish thousands separator: 1 996 550."""
    return f"{int(value):,}".replace(",", "\u00a0")


def fmt_pct(value: float) -> str:
    """Polish decimal comma: 30,2 %."""
    return f"{float(value):.1f}".replace(".", ",") + "\u00a0%"


def fmt_num(value: float, digits: int = 1) -> str:
    """Polish decimal comma: 2,5."""
    return f"{float(value):.{digits}f}".replace(".", ",")


def fmt_km(value: float) -> str:
    return f"{fmt_num(value)}\u00a0km"


def fmt_date(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def safe_database_url(url: str) -> str:
    """The database URL with any password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown masked entirely
        return "(nieczytelny adres bazy danych)"


PROBLEM_LABELS = {
    "zrodlo_rejestru": "Rejestr",
    "id": "Id",
    "nazwa": "Nazwa",
    "typ": "Typ",
    "miejscowosc": "Miejscowość",
    "gmina": "Gmina (rejestr)",
    "teryt": "TERYT (rejestr)",
    "teryt_gminy": "Gmina przypisana",
    "problem_kategoria": "Kategoria",
    "problem": "Opis",
    "uwzgledniony": "Liczony",
}


def problems_table(problems: pd.DataFrame) -> None:
    """The entities that could not be located or need attention (nothing is dropped silently)."""
    if problems.empty:
        st.caption("Wszystkie podmioty rejestru zlokalizowano bez uwag.")
        return
    # st.dataframe shows cell text as plain text: no escaping needed.
    st.dataframe(problems.rename(columns=PROBLEM_LABELS), hide_index=True, width="stretch")
