"""Gaps: gminas without CIS/KIS, with population, distance, LPRES, OWES subregion and the
covered neighbours that could serve them by agreement; per powiat and subregion; exports."""

from __future__ import annotations

import folium
import pandas as pd
import streamlit as st

from geo.analysis import neighbours
from geo.core.plural import count
from geo.core.schema import SOCIAL_EMPLOYMENT_TYPES
from pages import _common as common
from pages import _planning as planning
from pages._mapview import show_map

GAP_LABELS = {
    "teryt": "TERYT",
    "nazwa": "Gmina",
    "rodzaj_nazwa": "Rodzaj",
    "powiat_nazwa": "Powiat",
    "podregion": "Podregion",
    "ludnosc": "Ludność",
    "odleglosc_cis_kis_km": "Odległość do CIS/KIS (km)",
    "lpres_status_nazwa": "LPRES",
    "liczba_kandydatow": "Liczba kandydatów",
    "kandydaci": "Kandydaci do porozumienia (sąsiednie gminy z CIS/KIS)",
}
SUMMARY_LABELS = {
    "powiat": "TERYT",
    "powiat_nazwa": "Powiat",
    "podregion": "Podregion",
    "gminy": "Gminy",
    "gminy_bez_cis_kis": "Gminy bez CIS/KIS",
    "proc_gmin_bez_cis_kis": "% gmin bez CIS/KIS",
    "ludnosc": "Ludność",
    "ludnosc_bez_cis_kis": "Ludność bez CIS/KIS",
    "proc_ludnosci_bez_cis_kis": "% ludności bez CIS/KIS",
}
NUMBER = common.INTEGER

as_of = common.chosen_date()
result, data_key = common.coverage_and_key(as_of)

st.title("Luki w pokryciu CIS/KIS")
st.caption(
    "Gminy bez Centrum ani Klubu Integracji Społecznej (ani w gminie, ani przez porozumienie) "
    "i sąsiednie gminy z CIS/KIS, które mogłyby je obsłużyć na podstawie porozumienia."
)
planning.sample_notes(result)

area, lpres_filter = planning.date_area_status_filters(result, "luki", "luki_lpres")
only_candidates = st.toggle(
    "Tylko gminy z kandydatem do porozumienia", key="luki_kandydaci", value=False
)

mask = planning.area_mask(result, area)
gminy = result.gminy[mask]
subregion = planning.subregion_of(result, area.definition)
# Candidates may lie outside the chosen area: a neighbour across a powiat boundary counts.
gaps = neighbours.gaps_table(result.gminy, planning.neighbours(result))
gaps = gaps[gaps["teryt"].isin(set(gminy["teryt"]))].reset_index(drop=True)
gaps.insert(5, "podregion", gaps["teryt"].map(subregion.set_axis(result.gminy["teryt"])))
shown = gaps
if lpres_filter:
    shown = shown[shown["lpres_status"].isin(lpres_filter)]
if only_candidates:
    shown = shown[shown["liczba_kandydatow"] > 0]

# Headline figures of the chosen area (before the table filters: they describe the area).
people = pd.to_numeric(gminy["ludnosc"], errors="coerce").fillna(0)
gap_people = int(pd.to_numeric(gaps["ludnosc"], errors="coerce").fillna(0).sum())
total_people = int(people.sum())
m1, m2, m3 = st.columns(3)
stan = planning.stamp(result)
with m1:
    st.metric("Gminy bez CIS/KIS", f"{len(gaps)} / {len(gminy)}")
    st.caption(f"{common.md(area.label(result))} · {stan}")
with m2:
    st.metric("Mieszkańcy gmin bez CIS/KIS", common.fmt_int(gap_people))
    share = 100 * gap_people / total_people if total_people else 0.0
    st.caption(
        f"{common.fmt_pct(share)} ludności obszaru · {common.md(result.region.population_source)}"
    )
with m3:
    st.metric("Luki z kandydatem do porozumienia", int((gaps["liczba_kandydatow"] > 0).sum()))
    st.caption("sąsiednia gmina (wspólna granica) ma działający CIS/KIS · granice: GUS/PRG GUGiK")

st.subheader("Gminy bez CIS/KIS")
st.caption(
    f"{count(len(shown), 'gmina', 'gminy', 'gmin')} po filtrach · "
    "kliknij nagłówek kolumny, aby sortować · "
    f"{planning.sources_caption(result, result.plans_info.label if result.plans_info else '')}"
)
table = shown[[col for col in GAP_LABELS if col in shown]].rename(columns=GAP_LABELS)
common.table(
    table,
    hide_index=True,
    width="stretch",
    height=min(38 + 35 * max(len(table), 1), 460),
    column_config={
        "Ludność": NUMBER,
        "Odległość do CIS/KIS (km)": st.column_config.TextColumn(
            help="Od granicy gminy do najbliższego działającego CIS/KIS"
        ),
        "Kandydaci do porozumienia (sąsiednie gminy z CIS/KIS)": st.column_config.TextColumn(
            width="large"
        ),
    },
)
export = shown.drop(columns=["lpres_status"]).rename(
    columns={**GAP_LABELS, "kandydaci_teryt": "Kandydaci, TERYT"}
)
planning.export_buttons(
    export,
    "luki_cis_kis",
    planning.export_meta(
        result, obszar=area.label(result), podregiony=planning.definitions()[area.definition].label
    ),
    key="luki_eksport",
    sheet="Luki",
)

by_powiat = neighbours.gaps_by(gminy, ["powiat", "powiat_nazwa"])
by_subregion = neighbours.gaps_by(gminy.assign(podregion=subregion[mask].to_numpy()), ["podregion"])
left, right = st.columns(2)
with left:
    st.markdown("**Według powiatów**")
    common.table(
        by_powiat.rename(columns=SUMMARY_LABELS),
        hide_index=True,
        width="stretch",
        column_config={
            SUMMARY_LABELS["ludnosc"]: NUMBER,
            SUMMARY_LABELS["ludnosc_bez_cis_kis"]: NUMBER,
        },
    )
with right:
    st.markdown(
        f"**Według podregionów ({common.md(planning.definitions()[area.definition].label)})**"
    )
    common.table(
        by_subregion.rename(columns=SUMMARY_LABELS),
        hide_index=True,
        width="stretch",
        column_config={
            SUMMARY_LABELS["ludnosc"]: NUMBER,
            SUMMARY_LABELS["ludnosc_bez_cis_kis"]: NUMBER,
        },
    )
    if (subregion[mask] == "nieznany").any():
        st.caption(planning.UNKNOWN_NOTE)
st.caption(planning.sources_caption(result))

st.subheader("Mapa luk")
if gminy.empty:
    st.info("Brak gmin w wybranym obszarze.")
else:

    def build() -> folium.Map:
        entities = result.entities
        cis_kis = entities[
            entities["typ"].isin(SOCIAL_EMPLOYMENT_TYPES)
            & entities["teryt_gminy"].isin(set(gminy["teryt"]))
        ]
        return common.web_map(
            gminy,
            cis_kis,
            indicator="pokrycie",
            types=sorted(SOCIAL_EMPLOYMENT_TYPES),
            note=f"Stan na {common.fmt_date(result.as_of)}"
            + (" · dane przykładowe, niekompletne" if result.registry.is_sample else ""),
            attribution="Źródło: GUS (granice, ludność, TERYT), PRG GUGiK",
        )

    show_map(
        build,
        key="mapa_luk",
        view=(data_key, area),
        height=620,
    )
    st.caption(
        "Pomarańczowe gminy nie mają CIS/KIS. Na mapie tylko działające CIS i KIS. "
        + planning.sources_caption(result)
    )
