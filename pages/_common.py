"""What every page shares: settings, the one store, the one cache key, errors, formatting.

Pages stay thin: they call :func:`coverage_and_key` and draw.

Caching: what is kept where, and what makes it stale
----------------------------------------------------
One key names every input of the data drawn (:func:`coverage_key`): the configuration and
the boundaries imported under ``PES_HOME``, the "stan na" date, the registry state
(``Store.state_token()``: every import, restore and manual fix, also in other instances) and
the planning state (LPRES plans, subregion files). Everything derived from the coverage
(maps, the gmina card, the deck, the report, the trends) is cached under that key plus its
own choices, taken from :func:`coverage_and_key` together with the result, so any change of
any input makes it stale at once, without a restart.

Keys are plain hashable values; the Settings object is passed as ``_settings`` (left out of
the key). ``st.cache_resource`` keeps one object per key, shared read-only by all sessions
without copying (``st.cache_data`` would pickle a copy of a 100,000-row frame on every call),
so pages must not modify the frames they get.

* :func:`store`: the one registry store of the process (one engine per database URL).
* ``_region(settings key)``: boundaries, TERC, population.
* ``_web_boundaries(settings key)``: the light map geometry (``geo.web.simplify``), also cached
  on disk under ``$PES_HOME/cache/webgeom`` keyed by a hash of the boundaries themselves.
* ``_coverage(coverage key)``: located registry and coverage on one date.
* ``pages._mapview._rendered(key, view...)``: the interactive maps, rendered once per view;
  the view starts with the coverage key.

Errors: every error written for users derives from :class:`geo.errors.UserError`;
:func:`user_errors` (around every page, in app.py) shows it in Polish instead of a traceback,
and any other error as a generic Polish message (details in the server log) in production.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from sqlalchemy.engine import make_url
from streamlit import config as st_config
from streamlit.errors import StreamlitAPIException

from geo import pipeline
from geo.config import Settings, get_settings
from geo.errors import UserError
from geo.io.boundaries import imported_boundaries
from geo.present import formatting
from geo.store import Store, auth
from geo.web.assets import ensure_static_assets
from geo.web.maps import MapOptions, build_map
from geo.web.simplify import default_cache_dir
from geo.web.simplify import web_gminy as light_gminy
from geo.web.simplify import web_powiaty as light_powiaty
from geo.web.topo_layer import use_topojson
from pages._navigation import through_app

#: The key of one coverage computation: (date, settings key, registry state, planning state).
CoverageKey = tuple[Hashable, ...]

AS_OF_KEY = "stan_na"
#: Where pages/import_danych.py keeps the logged-in editor's session (geo.store.auth.Session).
EDITOR_SESSION_KEY = "pes_sesja"
ABOUT_PAGE = "pages/o_danych.py"
_WIDGET_KEY = "stan_na_wybor"
_T = TypeVar("_T")
_LOG = logging.getLogger("mapa_es.pages")


def show_user_error(exc: UserError) -> None:
    """Show an error written for users (Polish, Markdown-escaped) where the page stops."""
    st.error(f"**Nie można wyświetlić danych.** {md(exc)}", icon=":material/error:")


#: Shown instead of an unexpected error's details (which go to the server log).
UNEXPECTED_ERROR = (
    "**Wystąpił nieoczekiwany błąd.** Spróbuj ponownie za chwilę; jeśli błąd się powtarza, "
    "zgłoś go administratorowi (szczegóły zapisano w dzienniku serwera)."
)


def internals_visible() -> bool:
    """Whether error details may reach the page: only when ``client.showErrorDetails`` allows
    it (development) or under Streamlit's test harness, never with the production config."""
    # streamlit.config.get_option: the harness overrides its options there, not in st.
    details = st_config.get_option("client.showErrorDetails")
    return bool(st_config.get_option("global.appTest")) or details in (
        "full",
        "stacktrace",
        True,
        "true",
    )


@contextmanager
def user_errors() -> Iterator[None]:
    """The one handler of errors: app.py runs every page inside it.

    Errors written for users are shown in Polish; any other error is logged with its
    traceback and, in production, replaced by a generic Polish message (no paths, SQL or
    tracebacks for visitors).
    """
    try:
        yield
    except UserError as exc:
        show_user_error(exc)
    except Exception:
        _LOG.exception("unexpected error on a page")
        if internals_visible():
            raise
        st.error(UNEXPECTED_ERROR, icon=":material/error:")


def guarded(work: Callable[[], _T]) -> _T:
    """Run ``work``; on a user-facing error show it and stop the page (see :func:`user_errors`)."""
    try:
        return work()
    except UserError as exc:
        show_user_error(exc)
        st.stop()
        raise  # unreachable: st.stop() raises; keeps type checkers satisfied


def settings() -> Settings:
    """The configuration from the environment (a Polish error on the page when invalid)."""
    # every page asks first: a deep link run without app.py is rerun through it
    through_app()
    return get_settings()


@st.cache_resource(show_spinner=False)
def _static_assets() -> dict[str, str]:
    return ensure_static_assets()


def prepare_static_assets() -> dict[str, str]:
    """Copy Leaflet into ``static/`` once per server process (the map needs no internet)."""
    return _static_assets()


def settings_key(s: Settings) -> tuple[str, ...]:
    """The configuration and the boundaries imported under ``PES_HOME`` (no registry)."""
    # imported boundaries (python -m geo boundaries import) change the region without a restart
    imported = imported_boundaries(s)
    stamp = str(imported[1].get("sha256", imported[0].stat().st_mtime)) if imported else ""
    return (str(s.data_dir), str(s.home), s.region, s.database_url, str(s.embedded_dir), stamp)


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return Store(url)


def store(s: Settings | None = None) -> Store:
    """The registry store of ``PES_DATABASE_URL``: one per server process, shared by all pages
    and sessions (its engine pools the connections). Never close it."""
    return _store((s or settings()).database_url)


def registry_state(s: Settings) -> str:
    """A token that changes with every import, restore and manual fix (in any instance)."""
    return store(s).state_token()


def data_inputs(s: Settings) -> tuple[Hashable, ...]:
    """Every input of the data drawn but the date: configuration and imported boundaries,
    the registry state and the planning state (LPRES plans and subregion files change
    without a registry import)."""
    return (settings_key(s), registry_state(s), pipeline.planning_state(s))


@st.cache_resource(show_spinner="Wczytywanie granic gmin, TERYT i ludności…", max_entries=4)
def _region(key: tuple[str, ...], _settings: Settings) -> pipeline.RegionData:
    return pipeline.load_region(_settings)


@st.cache_resource(show_spinner="Obliczanie pokrycia gmin…", max_entries=16)
def _coverage(key: CoverageKey, _settings: Settings) -> pipeline.CoverageResult:
    as_of, settings_key = key[0], key[1]
    assert isinstance(as_of, dt.date) and isinstance(settings_key, tuple)
    region = _region(settings_key, _settings)
    frame, info = pipeline.load_registry(_settings, store(_settings))
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
    shapes, _ = _web_boundaries(settings_key(s), s)
    light = shapes.reindex(gminy["teryt"]).to_numpy()
    return gminy.set_geometry(gpd.GeoSeries(light, index=gminy.index, crs=shapes.crs))


def web_powiaty() -> gpd.GeoDataFrame:
    """Powiats dissolved from the light gminas (their borders lie on the gminas' borders)."""
    s = settings()
    return _web_boundaries(settings_key(s), s)[1]


def web_map(gminy: gpd.GeoDataFrame, entities: pd.DataFrame | None, **options: Any) -> folium.Map:
    """:func:`geo.web.maps.build_map` of ``gminy`` (any rows of the region) on the light
    geometry, with their powiats, vector layers sent as one TopoJSON topology."""
    everywhere = web_powiaty()
    powiaty = everywhere[everywhere["powiat"].isin(set(gminy["powiat"]))]
    light = web_gminy(gminy)
    return use_topojson(build_map(light, entities, powiaty, MapOptions(**options)))


def coverage_key(as_of: dt.date | None = None) -> CoverageKey:
    """The one cache key of everything drawn from the coverage on ``as_of`` (default: the
    chosen date): the date and :func:`data_inputs`."""
    s = settings()
    return (as_of or chosen_date(), *data_inputs(s))


def coverage_and_key(
    as_of: dt.date | None = None,
) -> tuple[pipeline.CoverageResult, CoverageKey]:
    """The coverage result and the :func:`coverage_key` it was computed for.

    Whatever a page caches from the result (maps, PDFs, images, trends) is keyed with this
    key and its own choices: asking for the key again later could see a newer registry
    state than the result's.
    """
    key = coverage_key(as_of)
    return _coverage(key, settings()), key


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
    """The "stan na" date picker; the choice is kept for the other pages.

    A typed date applies at once on Enter or Tab (see :data:`_COMMIT_TYPED_DATE`).
    """
    value = container.date_input(
        "Stan na dzień",
        value=chosen_date(),
        min_value=dt.date(2000, 1, 1),
        max_value=dt.date(dt.date.today().year + 5, 12, 31),
        format="DD.MM.YYYY",
        key=_WIDGET_KEY,
        help="Podmioty liczą się, jeśli działały tego dnia (daty rozpoczęcia i zakończenia). "
        "Wpisaną datę zatwierdza Enter lub Tab; kalendarz otwiera Alt+strzałka w dół.",
    )
    st.session_state[AS_OF_KEY] = value
    container.html(_COMMIT_TYPED_DATE, unsafe_allow_javascript=True)
    return value


#: Streamlit's date field sends a typed date only when the focus leaves the whole field:
#: Enter does nothing and Tab from the year stops on the calendar button, which belongs to
#: the field, so the figures kept the old date while the field showed the new one. Enter
#: now leaves the field, and the calendar button is taken out of the Tab order (Alt+Down,
#: announced by the field's aria-keyshortcuts, still opens the calendar; a click too).
_COMMIT_TYPED_DATE = """
<style>
  /* the element holding this script takes no room beside the date field */
  [data-testid="stElementContainer"]:has(script[data-pes="stan-na"]) { display: none; }
</style>
<script data-pes="stan-na">
(function () {
  var doc = window.document;
  if (doc.pesTypedDateFix) { return; }
  doc.pesTypedDateFix = true;
  var FIELD = '[data-testid="stDateInputField"]';
  doc.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target && target.closest && target.closest(FIELD) &&
        target.getAttribute("role") === "spinbutton") {
      // Like Tab: on to the next control after the field (a plain blur() is not enough).
      var field = target.closest(FIELD);
      var next = Array.prototype.find.call(
        doc.querySelectorAll('button, input, select, textarea, [href], [tabindex="0"]'),
        function (el) {
          return !field.contains(el) && el.tabIndex >= 0 && !el.disabled &&
            el.offsetParent !== null &&
            (field.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
        });
      window.setTimeout(function () { (next || target).focus(); if (!next) { target.blur(); } }, 0);
    }
  }, true);
  var untab = function () {
    doc.querySelectorAll('[data-testid="stDateInputCalendarButton"]').forEach(function (b) {
      if (b.tabIndex !== -1) { b.tabIndex = -1; }
    });
  };
  new MutationObserver(untab).observe(doc.body, {childList: true, subtree: true});
  untab();
})();
</script>
"""


def editor_logged_in() -> bool:
    """Whether an editor is logged in in this session (not expired): only they are shown
    commands, file paths and the configuration; anonymous visitors see the data."""
    session = st.session_state.get(EDITOR_SESSION_KEY)
    return isinstance(session, auth.Session) and auth.touch(session) is not None


def glossary_link() -> None:
    """A link to the glossary for officials (PES, CIS/KIS, LPRES, OWES...) on "O danych"."""
    label = "Słowniczek: PES, CIS/KIS, Model Lokalnej Współpracy, LPRES, OWES, „nieznany”"
    try:
        st.page_link(ABOUT_PAGE, label=label, icon=":material/menu_book:")
    except StreamlitAPIException:
        # The page is not registered in this app (a page run alone): a plain link instead.
        st.markdown(f"[{md(label)}](o_danych)")


# ------------------------------------------------------------------------- formatting

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def md(value: object) -> str:
    """Text from data, safe inside Streamlit markdown (no links, images, HTML or formatting);
    ISO dates in it read dd.mm.rrrr, as everywhere on screen."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return _MD_SPECIAL.sub(r"\\\1", formatting.pl_dates_in(str(value)))


def md_verbatim(value: object) -> str:
    """:func:`md` without the date rewriting: a value exactly as someone typed it."""
    return _MD_SPECIAL.sub(r"\\\1", str(value))


# One set of Polish formats for every screen (geo.present.formatting): "—" when missing.
fmt_int = formatting.fmt_int
fmt_pct = formatting.fmt_pct
fmt_num = formatting.fmt_num
fmt_km = formatting.fmt_km
fmt_date = formatting.fmt_date
display_frame = formatting.display_frame


#: Whole numbers in tables: sortable, and no separator from the browser's language (an English
#: browser would write 1,234 — a decimal comma to a Polish reader).
INTEGER = st.column_config.NumberColumn(format="%d")


def table(
    frame: pd.DataFrame,
    *,
    digits: dict[str, int] | None = None,
    keep: tuple[str, ...] = (),
    column_config: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """``st.dataframe`` of ``frame`` in Polish formats (:func:`display_frame`): "—" for
    missing values, decimal commas, dd.mm.rrrr; whole-number columns stay sortable numbers.

    ``column_config`` entries of number type are kept only for columns that stay numbers
    (their label and help are kept for the others).
    """
    shown = display_frame(frame, digits, keep=keep)
    config: dict[str, Any] = {
        str(c): INTEGER for c in shown.columns if pd.api.types.is_integer_dtype(shown[c])
    }
    for name, cfg in (column_config or {}).items():
        numeric = isinstance(cfg, dict) and cfg.get("type_config", {}).get("type") == "number"
        if numeric and name in shown and not pd.api.types.is_numeric_dtype(shown[name]):
            cfg = {k: v for k, v in cfg.items() if k != "type_config"}
        config[name] = cfg
    return st.dataframe(shown, column_config=config, **kwargs)


#: The look of Streamlit's own tables (st.table), for :func:`html_table`.
_HTML_TABLE_CSS = (
    "table.pes-tabela{width:100%;border-collapse:collapse;font-size:.875rem;margin:0}"
    ".pes-tabela th,.pes-tabela td{padding:.25rem .375rem;text-align:left;vertical-align:top;"
    "border-bottom:1px solid rgba(49,51,63,.1)}"
    ".pes-tabela th{font-weight:600;color:rgba(49,51,63,.75)}"
)
#: Only with tables that scroll sideways (every byte travels in each new session).
_SCROLL_CSS = (
    ".pes-przewijana{overflow-x:auto;-webkit-overflow-scrolling:touch}"
    ".pes-przewijana td,.pes-przewijana th{white-space:nowrap}"
    ".pes-przewijana td:first-child,.pes-przewijana th:first-child"
    "{white-space:normal;min-width:9em}"
)


def html_table(
    frame: pd.DataFrame,
    *,
    numbers: tuple[str, ...] = (),
    caption: str = "",
    header: bool = True,
    scroll: bool = False,
) -> None:
    """A plain HTML table of already formatted text (every cell escaped).

    Cheap for the browser: st.table and st.dataframe need Streamlit's Arrow and data-grid
    code (about 1.6 MB of JavaScript, which a phone downloads and compiles before the page is
    drawn) and a Markdown table its Markdown parser (about 100 ms for 60 rows on the
    benchmark machine); on the start page either delayed the map (BENCHMARKS.md).
    ``numbers``: right-aligned columns. ``scroll``: on a narrow screen the table scrolls
    sideways (the first column wraps, the others do not) instead of squeezing its columns;
    the scrolling region takes keyboard focus (WCAG 2.1.1).

    The markup is kept small (it travels in every new session's websocket): cells close
    implicitly, as HTML allows, and alignment is one CSS rule per column.
    """
    columns = [str(c) for c in frame.columns]
    right = [i + 1 for i, c in enumerate(columns) if c in numbers]
    # A page's styles apply to all of it: the alignment rules name this table's layout.
    kind = "pes-r" + "-".join(map(str, right)) if right else ""
    align = "".join(
        f".{kind} td:nth-child({i}),.{kind} th:nth-child({i})"
        "{text-align:right;white-space:nowrap}"
        for i in right
    )
    head = "<thead><tr>" + "".join(f"<th>{html.escape(c)}" for c in columns) + "</thead>"
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}" for v in row)
        for row in frame.itertuples(index=False, name=None)
    )
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    table = (
        f'<table class="pes-tabela {kind}">{title}{head if header else ""}'
        f"<tbody>{body}</tbody></table>"
    )
    if scroll:
        table = (
            '<div class=pes-przewijana tabindex="0" role="region" '
            f'aria-label="Tabela (przewijana)">{table}</div>'
        )
    css = _HTML_TABLE_CSS + (_SCROLL_CSS if scroll else "") + align
    st.html(f"<style>{css}</style>{table}")


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
    table(problems.rename(columns=PROBLEM_LABELS), hide_index=True, width="stretch")
