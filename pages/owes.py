"""OWES and subregions: the chosen definition's subregions on a map, indicators and a chart."""

from __future__ import annotations

import altair as alt
import folium
import streamlit as st

from geo.analysis import subregions
from geo.analysis.coverage import TYPE_COLUMNS
from geo.core.plural import count
from geo.core.schema import ENTITY_TYPES
from geo.web.maps import subregion_map
from geo.web.topo_layer import use_topojson
from pages import _common as common
from pages import _planning as planning
from pages._mapview import show_map

SUMMARY_LABELS = {
    "podregion_nazwa": "Podregion",
    "operator": "Operator OWES",
    "powiaty": "Powiaty",
    "gminy": "Gminy",
    "ludnosc": "Ludność",
    "gminy_z_cis_kis": "Gminy z CIS/KIS",
    "proc_gmin_pokrytych": "% gmin z CIS/KIS",
    "gminy_bez_cis_kis": "Luki (gminy bez CIS/KIS)",
    "ludnosc_bez_cis_kis": "Ludność bez CIS/KIS",
    "pes": "PES razem",
    "pes_na_10k": "PES na 10 tys.",
    **{col: code for code, col in zip(ENTITY_TYPES, TYPE_COLUMNS, strict=True)},
}
MEASURES = {
    "proc_gmin_pokrytych": "% gmin z CIS/KIS",
    "gminy_bez_cis_kis": "Gminy bez CIS/KIS",
    "ludnosc_bez_cis_kis": "Ludność bez CIS/KIS",
    "pes_na_10k": "PES na 10 tys. mieszkańców",
    "pes": "Liczba PES",
}
NUMBER = common.INTEGER

as_of = common.chosen_date()
result = planning.coverage(as_of)
defs = planning.definitions()

st.title("Podregiony i OWES")
st.caption(
    "Ośrodki wsparcia ekonomii społecznej (OWES) obsługują podregiony złożone z powiatów. "
    "Obszary OWES to nie to samo co podregiony NUTS-3: oba podziały są danymi do wyboru."
)
planning.sample_notes(result, lpres=False)

f_date, f_def, f_info = st.columns([1, 1.4, 2.6], vertical_alignment="bottom")
with f_date:
    common.date_input()
with f_def:
    key = planning.definition_select("owes_podzial")
definition = defs[key]
with f_info:
    st.caption(
        f"**{common.md(definition.label)}** · "
        f"okres: {common.md(subregions.format_period(definition.period))} · "
        f"źródło: {common.md(definition.source)}"
    )

assignment = planning.assignment(key)
shapes = planning.subregion_shapes(result, key)
summary = subregions.subregion_summary(result.gminy, assignment)
has_unknown = (summary["podregion"] == subregions.UNKNOWN).any()
if has_unknown:
    unknown = summary[summary["podregion"] == subregions.UNKNOWN].iloc[0]
    st.warning(
        "**Część regionu bez przypisanego podregionu:** "
        f"{count(int(unknown['powiaty']), 'powiat', 'powiaty', 'powiatów')}, "
        f"{count(int(unknown['gminy']), 'gmina', 'gminy', 'gmin')}. {planning.UNKNOWN_NOTE}",
        icon=":material/help:",
    )

map_col, chart_col = st.columns([1.3, 1])
with map_col:

    def build() -> folium.Map:
        return use_topojson(
            subregion_map(
                shapes,
                common.web_powiaty(),
                title=definition.label,
                note=f"Podział: {definition.label}; źródło: {definition.source}",
                attribution="Źródło: GUS (granice), PRG GUGiK; podregiony: definicje projektu",
            )
        )

    # The map shows boundaries and subregion files only: not the date or the registry.
    show_map(
        build,
        key=f"mapa_podregionow_{key}",
        view=planning.region_key(result, key),
        height=560,
    )
    st.caption(
        "Podregiony połączone z granic powiatów. Kreskowane: powiaty bez przypisanego "
        f"podregionu (nieznany). Granice: {common.md(result.region.boundary_source)}."
    )
with chart_col:
    measure = st.selectbox(
        "Porównaj podregiony według", list(MEASURES), format_func=MEASURES.get, key="owes_miara"
    )
    data = summary.assign(
        nazwa=summary["podregion_nazwa"].where(
            summary["podregion"] != subregions.UNKNOWN, "nieznany (nieskonfigurowany)"
        ),
        znany=summary["podregion"] != subregions.UNKNOWN,
    )[["nazwa", "znany", measure]]
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(f"{measure}:Q", title=MEASURES[measure]),
            y=alt.Y("nazwa:N", title=None, sort="-x", axis=alt.Axis(labelLimit=260)),
            color=alt.Color(
                "znany:N",
                scale=alt.Scale(domain=[True, False], range=["#6a3d9a", "#bdbdbd"]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("nazwa:N", title="Podregion"),
                alt.Tooltip(f"{measure}:Q", title=MEASURES[measure], format=",.1f"),
            ],
        )
        .properties(height=max(120, 48 * len(data)))
    )
    st.altair_chart(chart, width="stretch")
    st.caption(planning.sources_caption(result, f"podregiony: {definition.label}"))

st.subheader("Wskaźniki według podregionów")
columns = [col for col in SUMMARY_LABELS if col in summary]
table = summary[columns].rename(columns=SUMMARY_LABELS)
common.table(
    table,
    hide_index=True,
    width="stretch",
    column_config={"Ludność": NUMBER, "Ludność bez CIS/KIS": NUMBER, "PES na 10 tys.": NUMBER},
)
st.caption(planning.sources_caption(result, f"podregiony: {definition.label}"))
planning.export_buttons(
    table,
    f"podregiony_{key}",
    planning.export_meta(result, podregiony=f"{definition.label} ({definition.source})"),
    key="owes_eksport",
    sheet="Podregiony",
)

with st.expander("Powiaty w podregionach (dane konfiguracji)", icon=":material/table:"):
    powiaty = result.region.powiaty[["powiat", "powiat_nazwa"]]
    listed = powiaty.merge(assignment, on="powiat", how="left").fillna(
        {"podregion": subregions.UNKNOWN, "podregion_nazwa": subregions.UNKNOWN}
    )
    listed["okres"] = listed["okres"].map(subregions.format_period)
    common.table(
        listed.rename(
            columns={
                "powiat": "TERYT",
                "powiat_nazwa": "Powiat",
                "podregion": "Kod podregionu",
                "podregion_nazwa": "Podregion",
                "operator": "Operator",
                "okres": "Okres",
                "zrodlo": "Źródło",
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if common.editor_logged_in():
        # Where the definitions live is for editors (the public sees the sources above).
        st.caption(
            "Definicje podregionów są danymi (data/podregiony.csv); plik podregiony.csv w "
            "katalogu PES\\_HOME dodaje definicje lub zastępuje te o tym samym kluczu."
        )
