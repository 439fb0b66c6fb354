"""LPRES: local social economy plans, their status per gmina on the date, map and tables."""

from __future__ import annotations

import folium
import pandas as pd
import streamlit as st

from geo.analysis.lpres import (
    PLAN_COLUMNS,
    SCOPES,
    STATUS_LABELS,
    expiring_plans,
    lpres_summary,
    plan_status,
)
from geo.core.plural import count
from pages import _common as common
from pages import _planning as planning
from pages._downloads import download
from pages._mapview import show_map

STATUS_TABLE = {
    "teryt": "TERYT",
    "nazwa": "Gmina",
    "powiat_nazwa": "Powiat",
    "lpres_status_nazwa": "Status LPRES",
    "lpres_plan": "Plan (JST)",
    "lpres_uchwala": "Uchwała",
    "lpres_okres": "Okres",
    "lpres_link": "Link",
    "ludnosc": "Ludność",
}
PLAN_TABLE = {
    "id": "Id",
    "nazwa": "Nazwa planu",
    "jst": "JST",
    "zakres": "Zakres",
    "gminy": "Gminy objęte",
    "status": "Status wg źródła",
    "status_na_dzien": "Status w dniu „stan na”",
    "uchwala_nr": "Nr uchwały",
    "uchwala_data": "Data uchwały",
    "okres_od": "Okres od",
    "okres_do": "Okres do",
    "link": "Link",
    "zrodlo": "Źródło",
    "data_weryfikacji": "Zweryfikowano",
    "uwagi": "Uwagi",
}
LINK = st.column_config.LinkColumn(display_text="otwórz")
NUMBER = common.INTEGER


def _gmina_names(plans: pd.DataFrame, gminy: pd.DataFrame) -> pd.Series:
    """The covered gminas of each plan, by name (a powiat code means all its gminas)."""
    names = dict(zip(gminy["teryt"], gminy["nazwa"], strict=True))
    powiaty = dict(zip(gminy["powiat"], gminy["powiat_nazwa"], strict=False))

    def one(codes: str) -> str:
        parts = []
        for code in str(codes).split(";"):
            if len(code) == 4:
                parts.append(f"powiat {powiaty.get(code, code)}")
            elif code:
                parts.append(str(names.get(code, code)))
        return ", ".join(parts)

    return plans["teryt_gmin"].map(one)


as_of = common.chosen_date()
result, data_key = common.coverage_and_key(as_of)
plans = result.plans
info = result.plans_info

st.title("Lokalne plany rozwoju ekonomii społecznej (LPRES)")
st.caption(
    "Status planu w każdej gminie na wybrany dzień: przyjęty, w przygotowaniu, wygasły, brak "
    "planu albo **nieznany** – brak informacji to nie to samo co brak planu."
)
planning.sample_notes(result, lpres=False)
if info is not None and info.is_sample:
    st.info(
        "**Plany LPRES: dane przykładowe.** W danych są tylko plany potwierdzone w źródłach "
        f"publicznych (liczba planów: {len(plans)}); dla pozostałych gmin stan jest nieznany. "
        "Aplikacja nie zgaduje statusu: dopóki lista planów nie zostanie zaimportowana, prawie "
        "cała mapa jest „nieznana”.",
        icon=":material/info:",
    )

area, chosen = planning.date_area_status_filters(result, "lpres", "lpres_status")

gminy = result.gminy[planning.area_mask(result, area)]
summary = lpres_summary(gminy, gminy, result.as_of, plans)
expiring = expiring_plans(plans, result.as_of)
stan = planning.stamp(result)
source = common.md(info.label) if info is not None else ""

m1, m2, m3, m4 = st.columns(4)
with m1:
    st.metric("Gminy z przyjętym planem", f"{summary['gminy_przyjety']} / {summary['gminy']}")
    st.caption(f"{common.fmt_pct(summary['proc_gmin_z_planem'])} gmin · {stan} · {source}")
with m2:
    st.metric("Ludność objęta przyjętym planem", common.fmt_pct(summary["proc_ludnosci_z_planem"]))
    st.caption(
        f"{common.fmt_int(summary['ludnosc_przyjety'])} z {common.fmt_int(summary['ludnosc'])} · "
        f"{common.md(result.region.population_source)}"
    )
with m3:
    st.metric("Plany wygasające w ciągu roku", summary["plany_wygasajace_w_roku"])
    st.caption(f"przyjęte, z końcem okresu do 12 miesięcy od {common.fmt_date(result.as_of)}")
with m4:
    st.metric("Gminy o nieznanym statusie", f"{summary['gminy_nieznany']} / {summary['gminy']}")
    st.caption(
        "brak informacji w danych · znany brak planu: "
        + count(summary["gminy_brak"], "gmina", "gminy", "gmin")
    )

map_col, table_col = st.columns([1.5, 1])
with map_col:
    if gminy.empty:
        st.info("Brak gmin w wybranym obszarze.")
    else:

        def build() -> folium.Map:
            return common.web_map(
                gminy,
                None,
                indicator="lpres_status",
                note=f"Stan na {common.fmt_date(result.as_of)}"
                + (" · plany: dane przykładowe" if info is not None and info.is_sample else ""),
                attribution="Źródło: GUS (granice, TERYT), PRG GUGiK",
            )

        show_map(
            build,
            key="mapa_lpres",
            view=(data_key, area),
            height=600,
        )
        st.caption(
            "Kreskowane: status nieznany (brak informacji); czerwone: wiadomo, że gmina nie ma "
            f"planu. {planning.sources_caption(result, info.label if info else '')}"
        )
with table_col:
    counts = pd.DataFrame(
        {
            "Status": [STATUS_LABELS[s] for s in STATUS_LABELS],
            "Gminy": [summary[f"gminy_{s}"] for s in STATUS_LABELS],
            "Ludność": [summary[f"ludnosc_{s}"] for s in STATUS_LABELS],
        }
    )
    st.markdown("**Gminy według statusu LPRES**")
    common.table(counts, hide_index=True, width="stretch", column_config={"Ludność": NUMBER})
    st.caption(f"{stan} · {source}")
    if not expiring.empty:
        st.markdown("**Plany wygasające w ciągu roku**")
        common.table(
            expiring[["nazwa", "jst", "okres_do"]].rename(
                columns={"nazwa": "Plan", "jst": "JST", "okres_do": "Koniec okresu"}
            ),
            hide_index=True,
            width="stretch",
        )

st.subheader("Status LPRES w gminach")
status_rows = gminy if not chosen else gminy[gminy["lpres_status"].isin(chosen)]
table = status_rows[list(STATUS_TABLE)].rename(columns=STATUS_TABLE)
common.table(
    table,
    hide_index=True,
    width="stretch",
    height=min(38 + 35 * max(len(table), 1), 420),
    column_config={"Link": LINK, "Ludność": NUMBER},
    keep=("Link",),
)
st.caption(f"{count(len(table), 'gmina', 'gminy', 'gmin')} · {stan} · {source}")
planning.export_buttons(
    status_rows[list(STATUS_TABLE)].rename(columns=STATUS_TABLE),
    "lpres_gminy",
    planning.export_meta(result, obszar=area.label(result)),
    key="lpres_eksport",
    sheet="LPRES",
)

st.subheader("Plany w danych")
if plans.empty:
    st.info("Brak planów w danych: status wszystkich gmin jest nieznany.")
else:
    listed = plans.assign(
        gminy=_gmina_names(plans, result.gminy),
        status=plans["status"].map(STATUS_LABELS),
        status_na_dzien=plan_status(plans, result.as_of).map(STATUS_LABELS),
        zakres=plans["zakres"].map(SCOPES),
    )
    common.table(
        listed[list(PLAN_TABLE)].rename(columns=PLAN_TABLE),
        hide_index=True,
        width="stretch",
        column_config={"Link": LINK, "Uwagi": st.column_config.TextColumn(width="large")},
        keep=("Link",),
    )
    st.caption(f"{source}")

with st.expander("Jak wprowadzić plany LPRES", icon=":material/upload_file:"):
    st.markdown(
        "Lista planów to plik CSV lub XLSX z kolumnami "
        + ", ".join(f"`{col}`" for col in PLAN_COLUMNS)
        + ". `zakres`: gmina, powiat albo gminy; `teryt_gmin`: kody gmin (7 cyfr) rozdzielone "
        "średnikami albo 4-cyfrowy kod powiatu; `status`: nieznany, brak, w przygotowaniu, "
        "przyjęty, wygasły; daty DD.MM.RRRR lub RRRR-MM-DD. Import zastępuje obecną listę, "
        "plik z błędem jest odrzucany w całości. "
        # the command is for the people who run the server, not for the public
        + (
            "Import:\n\n```\npython -m geo lpres import plany.xlsx\n```"
            if common.editor_logged_in()
            else "Plik wgrywa administrator aplikacji."
        )
    )
    download(
        "Pobierz pusty szablon CSV",
        pd.DataFrame(columns=list(PLAN_COLUMNS)).to_csv(index=False).encode("utf-8-sig"),
        file_name="lpres_szablon.csv",
        mime="text/csv",
        key="lpres_szablon",
    )
