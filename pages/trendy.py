"""Trends: gminas with CIS/KIS and PES by type per year, for the region and per subregion."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from geo.analysis import subregions
from geo.analysis.trends import REGION, date_completeness, trend_dates, yearly_coverage
from geo.core.schema import ENTITY_TYPES, TYPE_COLORS
from geo.pipeline import CoverageResult
from pages import _common as common
from pages import _planning as planning

TABLE_LABELS = {
    "rok": "Rok",
    "stan_na": "Stan na",
    "obszar": "Obszar",
    "gminy": "Gminy",
    "gminy_z_cis_kis": "Gminy z CIS/KIS",
    "proc_gmin_pokrytych": "% gmin z CIS/KIS",
    "ludnosc": "Ludność",
    "proc_ludnosci_pokrytej": "% ludności w gminach z CIS/KIS",
    "pes": "PES razem",
}


def _types_chart(frame: pd.DataFrame) -> alt.Chart:
    """Stacked bars of active entities per year and type, in the map's type colours."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("rok:O", title="Rok"),
            y=alt.Y("liczba:Q", title="Działające podmioty", stack="zero"),
            color=alt.Color(
                "typ:N",
                title="Typ",
                scale=alt.Scale(domain=list(ENTITY_TYPES), range=list(TYPE_COLORS.values())),
                sort=list(ENTITY_TYPES),
            ),
            tooltip=["rok:O", "typ:N", "liczba:Q"],
        )
    )


@st.cache_resource(show_spinner="Liczenie pokrycia dla kolejnych lat…", max_entries=16)
def _trends(
    key: common.CoverageKey, definition: str, _result: CoverageResult, _groups: pd.Series
) -> tuple[Any, Any, list]:
    """Yearly coverage from ``_result`` (computed for ``key``: every input) per subregion of
    ``definition`` (``_groups``; the subregion files are in ``key``)."""
    dates = trend_dates(_result.entities, _result.as_of)
    cover, types = yearly_coverage(_result.region.gminy, _result.entities, dates, _groups)
    return cover, types, dates


as_of = common.chosen_date()
result, data_key = common.coverage_and_key(as_of)
defs = planning.definitions()

st.title("Trendy: pokrycie w czasie")
st.caption(
    "Ile gmin miało CIS lub KIS i ile działało podmiotów ekonomii społecznej w kolejnych "
    "latach (stan na 31 grudnia; ostatni rok: wybrany dzień)."
)
planning.sample_notes(result, lpres=False)

dates_info = date_completeness(result.entities)
st.info(
    "**Historia jest tak pełna, jak daty w rejestrze.** Podmiot bez daty rozpoczęcia liczy się "
    "w każdym roku, a zamknięty bez daty zakończenia – do dziś. W danych: "
    f"{dates_info['bez_daty_rozpoczecia']} z {dates_info['podmioty']} podmiotów bez daty "
    f"rozpoczęcia (w tym CIS/KIS: {dates_info['cis_kis_bez_daty_rozpoczecia']} z "
    f"{dates_info['cis_kis']}), {dates_info['zakonczone']} z datą zakończenia.",
    icon=":material/history:",
)

f_date, f_def, _ = st.columns([1, 1.4, 2.6])
with f_date:
    common.date_input()
with f_def:
    key = planning.definition_select("trendy_podzial", "Podregiony na wykresach")

groups = planning.subregion_of(result, key).set_axis(result.gminy["teryt"])
groups = groups.reindex(result.region.gminy["teryt"]).fillna(subregions.UNKNOWN)
cover, types, dates = _trends(data_key, key, result, groups.reset_index(drop=True))
source = planning.sources_caption(result)
years = f"{dates[0].year}–{dates[-1].year}" if dates else ""

region_cover = cover[cover["obszar"] == REGION]
left, right = st.columns(2)
with left:
    st.markdown(f"**Gminy z CIS/KIS, {common.md(result.region.name)} ({years})**")
    base = alt.Chart(region_cover).encode(
        x=alt.X("rok:O", title="Rok"),
        y=alt.Y("gminy_z_cis_kis:Q", title="Gminy z CIS/KIS"),
        tooltip=[
            alt.Tooltip("rok:O", title="Rok"),
            alt.Tooltip("gminy_z_cis_kis:Q", title="Gminy z CIS/KIS"),
            alt.Tooltip("proc_gmin_pokrytych:Q", title="% gmin", format=".1f"),
        ],
    )
    st.altair_chart(
        base.mark_line(color="#2166ac") + base.mark_point(color="#2166ac", filled=True),
        width="stretch",
    )
    st.caption(source)
with right:
    st.markdown(f"**Podmioty ekonomii społecznej według typu ({years})**")
    region_types = types[types["obszar"] == REGION]
    st.altair_chart(_types_chart(region_types), width="stretch")
    st.caption(source)

st.subheader(f"Według podregionów: {common.md(defs[key].label)}")
per_group = cover[cover["obszar"] != REGION]
left, right = st.columns(2)
with left:
    st.markdown("**% gmin z CIS/KIS w podregionie**")
    chart = (
        alt.Chart(per_group)
        .mark_line(point=True)
        .encode(
            x=alt.X("rok:O", title="Rok"),
            y=alt.Y("proc_gmin_pokrytych:Q", title="% gmin z CIS/KIS"),
            color=alt.Color("obszar:N", title="Podregion"),
            tooltip=["rok:O", "obszar:N", "gminy_z_cis_kis:Q", "gminy:Q"],
        )
    )
    st.altair_chart(chart, width="stretch")
    st.caption(
        source
        + ("; " + common.md(planning.UNKNOWN_NOTE) if (groups == subregions.UNKNOWN).any() else "")
    )
with right:
    names = sorted(set(per_group["obszar"]))
    chosen = st.selectbox("Podmioty według typu w podregionie", names, key="trendy_obszar")
    st.altair_chart(_types_chart(types[types["obszar"] == chosen]), width="stretch")
    st.caption(source)

with st.expander("Dane wykresów", icon=":material/table:"):
    wide = types.pivot_table(index=["rok", "obszar"], columns="typ", values="liczba").reset_index()
    table = cover.merge(wide, on=["rok", "obszar"]).rename(columns=TABLE_LABELS)
    table["Stan na"] = table["Stan na"].map(common.fmt_date)
    common.table(table, hide_index=True, width="stretch")
    planning.export_buttons(
        table,
        "trendy",
        planning.export_meta(
            result, podregiony=defs[key].label, uwaga="historia tak pełna jak daty w rejestrze"
        ),
        key="trendy_eksport",
        sheet="Trendy",
    )
