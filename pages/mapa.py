"""Start page: the coverage map with indicators, filters, headline figures and gmina facts."""

from __future__ import annotations

import html
from collections.abc import Hashable

import folium
import pandas as pd
import streamlit as st

from geo.analysis import neighbours
from geo.analysis.coverage import COVERAGE_LABELS, NOT_COVERED
from geo.core.schema import ENTITY_TYPES, SOCIAL_EMPLOYMENT_TYPES
from geo.pipeline import CoverageResult
from geo.present.classes import METHODS
from geo.present.formatting import EMPTY, cell
from geo.present.gmina_search import search_gminy
from geo.present.points import entities_on_map
from geo.web import entities as web_entities
from geo.web.indicators import CLASSED_INDICATORS, COVERAGE_COLORS, INDICATORS, LPRES_COLORS
from pages import _common as common
from pages import _mapa_data as mapa_data
from pages import _planning as planning
from pages import _share as share
from pages._common import glossary_link
from pages._mapview import show_map

MAP_HEIGHT = 560  # with the compact header: all of it on a 1280x720 screen but the edge
GAPS_HEIGHT = 400
MAP_KEY = "mapa_pokrycia"
SELECTION_KEY = "mapa_wybor"
LAST_CLICK_KEY = "mapa_ostatni_klik"
SEARCH_KEY = "mapa_szukaj"
FOUND_KEY = "mapa_znaleziona"
STATUS_ACTIVE = "działające w dniu „stan na”"
STATUS_ALL = "wszystkie z rejestru (także nieaktywne)"


def _selected(clicked: dict | None) -> tuple[str, str] | None:
    """What was clicked on the map: ("gmina", TERYT) or ("podmiot", position)."""
    drawing = (clicked or {}).get("last_active_drawing") or {}
    props = drawing.get("properties") or {}
    kind, ref = props.get("kind"), props.get("ref")
    return (kind, str(ref)) if kind in {"gmina", "podmiot"} and ref is not None else None


def _swatch(colour: str, label: str) -> str:
    # Colour and label are the module's constants, not data: safe as HTML.
    return (
        f'<span style="display:inline-block;width:14px;height:14px;margin-right:6px;'
        f'vertical-align:-2px;border:1px solid #888;background:{colour}"></span>'
        f"<b>{html.escape(label)}</b>"
    )


def _gmina_panel(result: CoverageResult, teryt: str) -> None:
    gminy = result.gminy.set_index("teryt")
    if teryt not in gminy.index:
        st.info("Wybrana gmina nie należy do bieżących danych.")
        return
    g = gminy.loc[teryt]
    st.subheader(common.md(g["nazwa"]))
    st.caption(
        f"{common.md(g['rodzaj_nazwa'])} · powiat {common.md(g['powiat_nazwa'])} · TERYT {teryt}"
    )
    st.markdown(
        _swatch(COVERAGE_COLORS[g["pokrycie"]], COVERAGE_LABELS[g["pokrycie"]]),
        unsafe_allow_html=True,
    )
    if isinstance(g.get("obslugujace"), str) and g["obslugujace"]:
        st.markdown(f"Obsługujące CIS/KIS: {common.md(g['obslugujace'])}")
    distance = g.get("odleglosc_cis_kis_km")
    if pd.isna(distance):
        st.markdown("Najbliższy CIS/KIS: brak działającego CIS/KIS w danych.")
    elif distance > 0:
        st.markdown(f"Najbliższy CIS/KIS: **{common.fmt_km(distance)}** od granicy gminy")
    people = g.get("ludnosc")
    if not pd.isna(people):
        st.markdown(
            f"Ludność: {common.fmt_int(people)} · PES: {int(g['pes_razem'])}"
            + (
                f" ({common.fmt_num(g['pes_na_10k'])} na 10 tys. mieszkańców)"
                if g["pes_razem"]
                else ""
            )
        )
    status = str(g.get("lpres_status") or "nieznany")
    lpres = str(g.get("lpres_status_nazwa") or "nieznany")
    plan = str(g.get("lpres_plan") or "")
    st.markdown(
        "LPRES: "
        + _swatch(LPRES_COLORS.get(status, "#ffffff"), lpres)
        + (f" – {common.md(plan)}" if plan else ""),  # data: Markdown-escaped
        unsafe_allow_html=True,
    )
    owes = str(g.get("owes_podregion_nazwa") or "nieznany")
    operator = str(g.get("owes_operator") or "")
    st.markdown(
        f"Podregion OWES 2017–2020: **{common.md(owes)}**"
        + (f" ({common.md(operator)})" if operator else "")
        + f" · NUTS-3: {common.md(g.get('nuts3_nazwa') or 'nieznany')}"
    )
    if g["pokrycie"] == NOT_COVERED:
        candidates = neighbours.cooperation_candidates(result.gminy, planning.neighbours(result))
        mine = candidates[candidates["teryt"] == teryt]
        if mine.empty:
            st.caption("Żadna sąsiednia gmina nie ma CIS/KIS, który mógłby ją obsłużyć.")
        else:
            listed = "; ".join(
                f"{common.md(r.kandydat_nazwa)} ({common.md(r.kandydat_cis_kis)})"
                for r in mine.itertuples(index=False)
            )
            st.markdown(f"Kandydaci do porozumienia (sąsiednie gminy z CIS/KIS): {listed}")
    here = entities_on_map(result.entities)
    here = here[here["teryt_gminy"] == teryt]
    if here.empty:
        st.caption("Brak działających podmiotów z rejestru w tej gminie.")
    else:
        table = pd.DataFrame(
            {
                "Podmiot": here["nazwa"].astype(str),
                "Typ": here["typ"].astype(str),
                "Lokalizacja": here["pozycja_przyblizona"].map(
                    {True: "przybliżona", False: "adres/współrzędne"}
                ),
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
    planning.profile_link(teryt, str(g["nazwa"]))


def _gmina_name(result: CoverageResult, teryt: object) -> str | None:
    if not isinstance(teryt, str):
        return None
    names = result.gminy.set_index("teryt")["nazwa"]
    return f"{names.get(teryt, '')} ({teryt})"


def _entity_panel(result: CoverageResult, label: object) -> None:
    entities = result.entities
    if label not in entities.index:
        st.info("Wybrany podmiot nie należy do bieżących danych.")
        return
    e = entities.loc[label]
    st.subheader(common.md(e["nazwa"]))
    typ = e["typ"] if e["typ"] in ENTITY_TYPES else "INNY"
    st.caption(f"{typ}: {ENTITY_TYPES[typ]}")
    rows = {
        "Podmiot prowadzący": e.get("podmiot_prowadzacy"),
        "Adres": ", ".join(
            str(v) for v in (e.get("adres"), e.get("miejscowosc")) if isinstance(v, str) and v
        ),
        "Gmina": _gmina_name(result, e.get("teryt_gminy")),
        "Działa od": e.get("data_rozpoczecia"),
        "Działa do": e.get("data_zakonczenia"),
        "Źródło": e.get("zrodlo"),
        "Rejestr": e.get("zrodlo_rejestru"),
        "Uwagi": e.get("uwagi"),
    }
    # dates as dd.mm.rrrr; empty fields are left out
    shown = {k: cell(v) for k, v in rows.items()}
    table = pd.DataFrame(
        [(k, v) for k, v in shown.items() if v != EMPTY],
        columns=["Pole", "Wartość"],
    )
    # st.table wraps long text; it renders Markdown, so the data is escaped.
    st.table(table.map(common.md), hide_index=True, hide_header=True)
    if bool(e.get("pozycja_przyblizona")):
        st.caption("Lokalizacja przybliżona: rejestr nie podaje współrzędnych ani adresu.")
    if not bool(e.get("aktywny", True)):
        st.caption(f"Podmiot nie działał w dniu {common.fmt_date(result.as_of)}.")
    if typ in SOCIAL_EMPLOYMENT_TYPES and isinstance(e.get("teryt_gminy"), str):
        _gmina_panel(result, e["teryt_gminy"])


def _gaps_table(view: mapa_data.MapaView) -> None:
    """Gminas without CIS/KIS, farthest first; an HTML table that wraps, so no column is cut."""
    total, table = view.gaps_total, view.gaps_table
    st.markdown(f"**Gminy bez CIS/KIS: {total}** z {len(view.gminy)}")
    if not total:
        return
    with st.container(height=GAPS_HEIGHT, key="mapa_luki"):
        # Plain HTML: st.table/st.dataframe or a Markdown table would cost a new browser
        # session several hundred ms before the map is drawn (common.html_table).
        common.html_table(table, numbers=("Odległość do CIS/KIS",))
    st.caption(
        ("" if total <= mapa_data.GAPS_SHOWN else f"{len(table)} najdalej od CIS/KIS z {total}. ")
        + "Odległość od granicy gminy do najbliższego działającego CIS/KIS; "
        "— = brak działającego CIS/KIS w danych."
    )
    if total > mapa_data.GAPS_SHOWN:
        planning.gaps_link(f"Wszystkie gminy bez CIS/KIS ({total}) i kandydaci do porozumień")


def _remember_click(clicked: dict | None, drawn: pd.DataFrame) -> None:
    """Keep the last selection across reruns and filter changes (a new map forgets it)."""
    selection = _selected(clicked)
    if selection == st.session_state.get(LAST_CLICK_KEY):
        return
    st.session_state[LAST_CLICK_KEY] = selection
    if selection is None:
        return
    kind, ref = selection
    if kind == "podmiot":
        position = int(ref)
        if not 0 <= position < len(drawn):
            return
        # The marker's ref is its position in the frame given to the map: keep the row label.
        st.session_state[SELECTION_KEY] = ("podmiot", drawn.index[position])
    else:
        st.session_state[SELECTION_KEY] = ("gmina", ref)


def _gmina_search(result: CoverageResult, data_key: Hashable) -> str | None:
    """The gmina chosen in the search box (a listed one, or the best match of typed text)."""
    labels = mapa_data.search_labels(data_key, result)
    choice = st.selectbox(
        "Znajdź gminę",
        list(labels),
        index=None,
        format_func=lambda t: labels.get(t, t),
        placeholder="nazwa lub kod TERYT",
        accept_new_options=True,
        key=SEARCH_KEY,
        help="Mapa przybliży wybraną gminę. Wielkość liter i polskie znaki nie mają znaczenia.",
    )
    if not choice:
        return None
    if choice in labels:
        return str(choice)
    # Typed text that is not an option: the project's search (no diacritics, old codes).
    hits = search_gminy(result.gminy, str(choice), result.region.terc, limit=1)
    if hits.empty:
        st.caption(f"Nie znaleziono gminy „{common.md(choice)}”.")
        return None
    return str(hits["teryt"].iloc[0])


def _focus(result: CoverageResult, teryt: str | None) -> tuple[float, float, float, float] | None:
    """The bounds (EPSG:4326) of the gmina to zoom to."""
    if teryt is None:
        return None
    shape = result.gminy.loc[result.gminy["teryt"] == teryt]
    if shape.empty:
        return None
    minx, miny, maxx, maxy = (float(v) for v in shape.to_crs(4326).total_bounds)
    return (minx, miny, maxx, maxy)


def _select_found(teryt: str | None) -> None:
    """A newly found gmina becomes the selection (its facts beside the map)."""
    if teryt == st.session_state.get(FOUND_KEY):
        return
    st.session_state[FOUND_KEY] = teryt
    if teryt is not None:
        st.session_state[SELECTION_KEY] = ("gmina", teryt)


# --------------------------------------------------------------------------- page

url_state = share.map_params(STATUS_ACTIVE, STATUS_ALL)
share.restore(url_state, "mapa")  # a shared link's date and filters, before the widgets
as_of = common.chosen_date()
result, data_key = common.coverage_and_key(as_of)
region = result.region

# A compact header: the map should fill most of a 1280x720 screen.
st.title("Mapa pokrycia gmin")
# A smaller heading on this page only (the style goes with the page's elements).
st.html("<style>h1 { font-size: 2rem !important; padding: 1.1rem 0 0.25rem !important; }</style>")
st.caption(
    f"{common.md(region.name)}: czy każda gmina ma Centrum lub Klub Integracji Społecznej "
    "(CIS/KIS), jak zakłada Model Lokalnej Współpracy."
    + (
        " **Dane przykładowe, niekompletne:** tylko podmioty z przykładowego rejestru."
        if result.registry.is_sample
        else ""
    )
)

# The filter row (the shareable URL state of pages/_share.py belongs here too).
f_search, f_ind, f_date, f_more = st.columns([1.6, 1.3, 0.9, 0.8], vertical_alignment="bottom")
with f_search:
    found = _gmina_search(result, data_key)
with f_ind:
    indicator = st.selectbox(
        "Wskaźnik na mapie",
        list(INDICATORS),
        format_func=INDICATORS.get,
        key="mapa_wskaznik",
        help="Czym są pokolorowane gminy. Liczby PES uwzględniają wybrane typy podmiotów.",
    )
with f_date:
    common.date_input()
with f_more:
    # Area and entity filters fold away: they are used less than the map itself.
    filters = st.popover("Filtry", icon=":material/filter_list:", width="stretch")
with filters:
    area = planning.area_filters(result, "mapa", [filters, filters, filters])
    types = st.multiselect(
        "Typy podmiotów",
        list(ENTITY_TYPES),
        default=list(ENTITY_TYPES),
        format_func=lambda t: f"{t} – {ENTITY_TYPES[t]}",
        key="mapa_typy",
        select_all=False,  # Streamlit's "Select all" option has an English label
        placeholder="wybierz typy",
    )
    status = st.radio("Status podmiotów", [STATUS_ACTIVE, STATUS_ALL], key="mapa_status")
    # Numeric indicators: fixed classes, or classes of the data (mapclassify).
    method = (
        st.selectbox(
            "Klasy wskaźnika",
            [None, *METHODS],
            format_func=lambda m: METHODS.get(m, "stałe progi") if m else "stałe progi",
            key="mapa_klasy",
            help="Jak podzielić wartości na klasy kolorów; granice klas są w legendzie.",
        )
        if indicator in CLASSED_INDICATORS
        else None
    )
include_inactive = status == STATUS_ALL
share.publish(url_state, "mapa")  # the address bar is a link to this view
_select_found(found)

view = mapa_data.view(
    data_key,
    (area.definition, area.subregion, area.powiaty),
    tuple(types),
    include_inactive,
    _result=result,
    _area=area,
)
gminy, summary, entities, shown = view.gminy, view.summary, view.entities, view.shown
summed = len(shown) > web_entities.MAX_MARKERS
focus = _focus(result, found)

stan = f"stan na {common.fmt_date(result.as_of)}"
where = "" if area.is_whole else f" · obszar: {common.md(area.label(result))}"
note = f"Stan na {common.fmt_date(result.as_of)}" + (
    " · dane przykładowe, niekompletne" if result.registry.is_sample else ""
)
attribution = "Źródło: GUS (granice, ludność, TERYT), PRG GUGiK"


def _build_map() -> folium.Map:
    definition = planning.definitions()[area.definition]
    # Only configured subregions get an outline: the unknown remainder has no boundary.
    subregions = planning.subregion_shapes(result, area.definition)
    subregions = subregions[subregions["podregion"] != "nieznany"]
    return common.web_map(
        gminy,
        entities,
        indicator=indicator,
        types=types,
        subregions=subregions if area.is_whole else None,
        subregion_label=f"granica podregionu ({definition.label})",
        include_inactive=include_inactive,
        note=note,
        attribution=attribution,
        focus=focus,
        max_markers=web_entities.MAX_MARKERS,
        class_method=method,
    )


map_col, info_col = st.columns([2.3, 1])
with map_col:
    if gminy.empty:
        st.info("Brak gmin w wybranym obszarze.")
        clicked = None
    else:
        clicked = show_map(
            _build_map,
            key=MAP_KEY,
            # everything the map shows: the data (coverage key) and this page's choices
            view=(data_key, indicator, method, tuple(types), include_inactive, area, focus, summed),
            height=MAP_HEIGHT,
            returned_objects=["last_active_drawing"],
        )
    _remember_click(clicked, entities)
    if found is not None and found not in view.teryts:
        st.caption("Znaleziona gmina leży poza wybranym obszarem (zmień filtry).")
    if summed:
        st.info(
            f"Na mapie jest {common.fmt_int(len(shown))} podmiotów: to za dużo, by pokazać "
            "każdy punkt w przeglądarce, więc koła pokazują liczbę podmiotów w każdej gminie. "
            "Kliknij koło lub gminę, aby zobaczyć szczegóły; mniej punktów pokaże filtr typów "
            "lub obszaru.",
            icon=":material/bubble_chart:",
        )
    st.caption(
        f"Granice: {common.md(region.boundary_source)}. Kliknij gminę lub punkt, aby zobaczyć "
        "szczegóły. Podkład OpenStreetMap (wymaga internetu) można włączyć przyciskiem warstw."
    )
    if indicator == "lpres_status" and result.plans_info is not None:
        st.caption(
            f"LPRES: {common.md(result.plans_info.label)}. Kreskowane = status nieznany "
            "(brak informacji), czerwone = wiadomo, że gmina nie ma planu."
        )

with info_col:
    selection = st.session_state.get(SELECTION_KEY)
    if selection is None:
        st.markdown("**Szczegóły**")
        st.caption(
            "Kliknij gminę na mapie albo znajdź ją wyszukiwarką, aby zobaczyć jej status, "
            "podmioty, status LPRES, podregion i odległość do najbliższego CIS/KIS."
        )
        _gaps_table(view)
    else:
        if st.button("Wyczyść wybór", icon=":material/close:", key="mapa_wyczysc"):
            st.session_state[SELECTION_KEY] = None
            st.rerun()
        if selection[0] == "gmina":
            _gmina_panel(result, selection[1])
        else:
            _entity_panel(result, selection[1])

m1, m2, m3 = st.columns(3)
with m1:
    st.metric(
        "Gminy z CIS/KIS",
        f"{summary['gminy_z_cis_kis']} / {summary['gminy']}",
        help="W gminie albo przez porozumienie międzygminne.",
    )
    st.caption(
        f"{common.fmt_pct(summary['proc_gmin_pokrytych'])} gmin · {stan} · "
        f"źródło: {common.md(', '.join(result.registry.sources))}{where}"
    )
with m2:
    st.metric("Ludność gmin z CIS/KIS", common.fmt_pct(summary["proc_ludnosci_pokrytej"]))
    st.caption(
        f"{common.fmt_int(summary['ludnosc_w_gminach_pokrytych'])} z "
        f"{common.fmt_int(summary['ludnosc'])} "
        f"mieszkańców · pokrycie {stan} · {common.md(region.population_source)}"
    )
with m3:
    pes_total = view.pes_total
    all_types = set(types) == set(ENTITY_TYPES)
    st.metric("Podmioty ekonomii społecznej", common.fmt_int(pes_total))
    st.caption(
        f"działające i zlokalizowane, {stan} · na mapie: {common.fmt_int(len(shown))}"
        + (" (jako liczby w gminach)" if summed else "")
        + " · "
        + (
            f"w tym CIS {summary['cis']}, KIS {summary['kis']}"
            if all_types
            else f"typy: {', '.join(types) or 'żaden'}"
        )
    )
link_col, glossary_col = st.columns([1, 2], vertical_alignment="center")
with link_col:
    share.copy_link_button()  # the address bar already holds this view; this copies it
with glossary_col:
    glossary_link()

problems = result.problems
not_counted = int((~problems["uwzgledniony"].astype(bool)).sum()) if len(problems) else 0
problems_box = st.expander(
    f"Podmioty niezlokalizowane lub wymagające uwagi: {len(problems)} "
    f"(nieuwzględnione w liczbach: {not_counted})",
    icon=":material/report:",
    key="mapa_problemy",
    # Filled only when opened: the table's front-end code is then loaded on demand, not by
    # every new session before the map can be drawn.
    on_change="rerun",
)
if problems_box.open:
    with problems_box:
        common.problems_table(problems)
