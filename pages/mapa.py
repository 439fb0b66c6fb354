"""Start page: the coverage map with headline figures, sources and entities needing attention."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.coverage import COVERAGE_LABELS, NOT_COVERED
from geo.pipeline import CoverageResult
from geo.schema import ENTITY_TYPES, SOCIAL_EMPLOYMENT_TYPES
from geo.webmap import COVERAGE_COLORS, build_map, entities_on_map
from pages import _common as c

MAP_HEIGHT = 720
RODZAJ_SHORT = {"1": "miejska", "2": "wiejska", "3": "m.-wiejska"}
MAP_KEY = "mapa_pokrycia"


def _selected(clicked: dict | None) -> tuple[str, str] | None:
    """What was clicked on the map: ("gmina", TERYT) or ("podmiot", position)."""
    drawing = (clicked or {}).get("last_active_drawing") or {}
    props = drawing.get("properties") or {}
    kind, ref = props.get("kind"), props.get("ref")
    return (kind, str(ref)) if kind in {"gmina", "podmiot"} and ref is not None else None


def _gmina_panel(result: CoverageResult, teryt: str) -> None:
    gminy = result.gminy.set_index("teryt")
    if teryt not in gminy.index:
        st.info("Wybrana gmina nie należy do bieżących danych.")
        return
    g = gminy.loc[teryt]
    st.subheader(c.md(g["nazwa"]))
    st.caption(f"{c.md(g['rodzaj_nazwa'])} · powiat {c.md(g['powiat_nazwa'])} · TERYT {teryt}")
    # Colour and label are the module's constants, not data: safe as HTML.
    st.markdown(
        f'<span style="display:inline-block;width:14px;height:14px;margin-right:6px;'
        f'vertical-align:-2px;border:1px solid #888;background:{COVERAGE_COLORS[g["pokrycie"]]}">'
        f"</span><b>{html.escape(COVERAGE_LABELS[g['pokrycie']])}</b>",
        unsafe_allow_html=True,
    )
    if isinstance(g.get("obslugujace"), str) and g["obslugujace"]:
        st.markdown(f"Obsługujące CIS/KIS: {c.md(g['obslugujace'])}")
    distance = g.get("odleglosc_cis_kis_km")
    if pd.isna(distance):
        st.markdown("Najbliższy CIS/KIS: brak działającego CIS/KIS w danych.")
    elif distance > 0:
        st.markdown(f"Najbliższy CIS/KIS: **{c.fmt_km(distance)}** od granicy gminy")
    people = g.get("ludnosc")
    if not pd.isna(people):
        st.markdown(
            f"Ludność: {c.fmt_int(people)} · PES: {int(g['pes_razem'])}"
            + (f" ({c.fmt_num(g['pes_na_10k'])} na 10 tys. mieszkańców)" if g["pes_razem"] else "")
        )
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


def _gmina_name(result: CoverageResult, teryt: object) -> str | None:
    if not isinstance(teryt, str):
        return None
    names = result.gminy.set_index("teryt")["nazwa"]
    return f"{names.get(teryt, '')} ({teryt})"


def _entity_panel(result: CoverageResult, position: int) -> None:
    entities = result.entities
    if not 0 <= position < len(entities):
        st.info("Wybrany podmiot nie należy do bieżących danych.")
        return
    e = entities.iloc[position]
    st.subheader(c.md(e["nazwa"]))
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
    table = pd.DataFrame(
        [(k, str(v)) for k, v in rows.items() if isinstance(v, str) and v.strip()],
        columns=["Pole", "Wartość"],
    )
    # st.table wraps long text; it renders Markdown, so the data is escaped.
    st.table(table.map(c.md), hide_index=True, hide_header=True)
    if bool(e.get("pozycja_przyblizona")):
        st.caption("Lokalizacja przybliżona: rejestr nie podaje współrzędnych ani adresu.")
    if typ in SOCIAL_EMPLOYMENT_TYPES and isinstance(e.get("teryt_gminy"), str):
        _gmina_panel(result, e["teryt_gminy"])


def _gaps_table(result: CoverageResult) -> None:
    gaps = result.gminy[result.gminy["pokrycie"] == NOT_COVERED]
    st.markdown(f"**Gminy bez CIS/KIS: {len(gaps)}** z {len(result.gminy)}")
    st.dataframe(
        pd.DataFrame(
            {
                "Gmina": gaps["nazwa"].astype(str),
                "Rodzaj": gaps["rodzaj"].map(RODZAJ_SHORT),
                "Powiat": gaps["powiat_nazwa"].astype(str),
                "Do CIS/KIS, km": gaps["odleglosc_cis_kis_km"],
            }
        ).sort_values("Do CIS/KIS, km", ascending=False, na_position="first"),
        column_config={
            "Do CIS/KIS, km": st.column_config.NumberColumn(
                # the browser's locale: a decimal comma for Polish users
                format="localized",
                help="Odległość od granicy gminy do najbliższego działającego CIS/KIS",
            )
        },
        hide_index=True,
        width="stretch",
        height=420,
    )


# --------------------------------------------------------------------------- page

as_of = c.chosen_date()
result = c.coverage(as_of)
summary = result.summary
region = result.region

st.title("Mapa pokrycia gmin")
st.caption(
    f"Podmioty ekonomii społecznej i Model Lokalnej Współpracy ({c.md(region.name)}): "
    "czy każda gmina ma Centrum lub Klub Integracji Społecznej (CIS/KIS)."
)

if result.registry.is_sample:
    st.warning(
        f"**{c.md(result.registry.label)}.** "
        "Liczby i mapa pokazują tylko podmioty z tego przykładowego rejestru.",
        icon=":material/warning:",
    )

date_col, m1, m2, m3 = st.columns([1.1, 1.3, 1.3, 1.3], vertical_alignment="top")
with date_col:
    c.date_input()
    st.caption(
        c.md(result.registry.label)
        if not result.registry.is_sample
        else "Rejestr: dane przykładowe"
    )
stan = f"stan na {c.fmt_date(result.as_of)}"
with m1:
    st.metric(
        "Gminy z CIS/KIS",
        f"{summary['gminy_z_cis_kis']} / {summary['gminy']}",
        help="W gminie albo przez porozumienie międzygminne.",
    )
    st.caption(
        f"{c.fmt_pct(summary['proc_gmin_pokrytych'])} gmin · {stan} · "
        f"źródło: {c.md(', '.join(result.registry.sources))}"
    )
with m2:
    st.metric("Ludność gmin z CIS/KIS", c.fmt_pct(summary["proc_ludnosci_pokrytej"]))
    st.caption(
        f"{c.fmt_int(summary['ludnosc_w_gminach_pokrytych'])} z {c.fmt_int(summary['ludnosc'])} "
        f"mieszkańców · pokrycie {stan} · {c.md(region.population_source)}"
    )
with m3:
    shown = entities_on_map(result.entities)
    st.metric("Podmioty ekonomii społecznej", c.fmt_int(summary["pes"]))
    st.caption(
        f"działające i zlokalizowane, {stan} · na mapie: {len(shown)} · "
        f"w tym CIS {summary['cis']}, KIS {summary['kis']}"
    )

note = f"Stan na {c.fmt_date(result.as_of)}" + (
    " · dane przykładowe, niekompletne" if result.registry.is_sample else ""
)
attribution = "Źródło: GUS (granice, ludność, TERYT), PRG GUGiK"

map_col, info_col = st.columns([2.3, 1])
with map_col:
    fmap = c.guarded(
        lambda: build_map(
            result.gminy,
            result.entities,
            region.powiaty,
            note=note,
            attribution=attribution,
        )
    )
    clicked = st_folium(
        fmap,
        key=MAP_KEY,
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
    )
    st.caption(
        f"Granice: {c.md(region.boundary_source)}. Kliknij gminę lub punkt, aby zobaczyć "
        "szczegóły. Podkład OpenStreetMap (wymaga internetu) można włączyć przyciskiem warstw."
    )


with info_col:
    selection = _selected(clicked)
    if selection is None:
        st.markdown("#### Szczegóły")
        st.caption(
            "Kliknij gminę na mapie, aby zobaczyć jej status, podmioty i odległość do "
            "najbliższego CIS/KIS."
        )
        _gaps_table(result)
    elif selection[0] == "gmina":
        _gmina_panel(result, selection[1])
    else:
        _entity_panel(result, int(selection[1]))

problems = result.problems
not_counted = int((~problems["uwzgledniony"].astype(bool)).sum()) if len(problems) else 0
with st.expander(
    f"Podmioty niezlokalizowane lub wymagające uwagi: {len(problems)} "
    f"(nieuwzględnione w liczbach: {not_counted})",
    icon=":material/report:",
):
    c.problems_table(problems)
