"""Monitoring: the programme's indicators against their targets, year by year.

The indicators come from the indicator file in effect (the newest version uploaded by an
editor, else the sample file); values are computed by geo.analysis.indicators from the
registry and plans for each year, as on the Trendy page, with the same caveat about missing
dates. Editors upload a new version of the file here (the same login as Import danych).
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from geo.analysis.indicators import (
    MEASURES,
    STATUS_LABELS,
    Indicator,
    IndicatorSet,
    Monitoring,
    assess,
    load_indicators,
    monitor,
)
from geo.errors import UserError
from geo.io.indicator_file import INDICATOR_COLUMNS, read_indicators
from geo.present import styles
from geo.print.layout import to_png
from geo.print.monitoring import (
    display_table,
    monitoring_figure,
    monitoring_pdf,
    value_text,
)
from geo.store import Store
from pages import _auth as editor_auth
from pages import _common as common
from pages import _planning as planning

#: The editor session of the Import danych page (its login form sets it).
_STATUS = styles.by_key(styles.MONITORING)


@st.cache_resource(show_spinner="Liczenie wskaźników dla kolejnych lat…", max_entries=16)
def _monitoring(key: common.CoverageKey, state: str, _result: Any, _chosen: IndicatorSet) -> Any:
    """Every indicator per year, for ``key`` (every input of the coverage) and the indicator
    file version ``state``."""
    result = _result
    return monitor(
        result.region.gminy, result.entities, result.plans, result.as_of, _chosen.indicators
    )


@st.cache_resource(show_spinner="Przygotowanie slajdu i raportu…", max_entries=8)
def _documents(key: common.CoverageKey, state: str, _result: Any, _watch: Any, _chosen: Any):
    png = to_png(monitoring_figure(_result, _watch, _chosen), dpi=110)
    return png, monitoring_pdf(_result, _watch, _chosen)


def _chart(indicator: Indicator, watch: Monitoring) -> alt.LayerChart:
    """The value per year (line), the straight path to the target (dashed) and the target."""
    history = assess(indicator, watch.values)
    unit = MEASURES[indicator.measure].unit
    path = pd.DataFrame(
        {
            "rok": [indicator.baseline_year, indicator.target_year],
            "wartosc": [indicator.baseline, indicator.target],
            "seria": ["ścieżka do celu", "ścieżka do celu"],
        }
    )
    values = history.assign(seria="wartość z rejestru").dropna(subset=["wartosc"])
    scale = alt.Scale(domain=["wartość z rejestru", "ścieżka do celu"], range=["#2166ac", "#333"])
    x = alt.X("rok:Q", title="Rok", axis=alt.Axis(format="d", tickMinStep=1))
    y = alt.Y("wartosc:Q", title=unit)
    color = alt.Color("seria:N", title=None, scale=scale, legend=alt.Legend(orient="bottom"))
    line = alt.Chart(values).mark_line(point=True).encode(x=x, y=y, color=color,
        tooltip=[alt.Tooltip("rok:Q", format="d"), alt.Tooltip("wartosc:Q", title="wartość"),
                 alt.Tooltip("sciezka:Q", title="ścieżka", format=".2f")])  # fmt: skip
    dashed = alt.Chart(path).mark_line(strokeDash=[6, 4]).encode(x=x, y=y, color=color)
    target = alt.Chart(path.tail(1)).mark_point(shape="diamond", size=140, filled=True,
                                                color="#333").encode(x=x, y=y)  # fmt: skip
    return line + dashed + target


def _summary(watch: Monitoring) -> None:
    counts = watch.table["status"].value_counts()
    columns = st.columns(len(STATUS_LABELS))
    for column, style in zip(columns, styles.MONITORING, strict=True):
        with column:
            st.metric(style.label, f"{int(counts.get(style.key, 0))} z {len(watch.table)}")


def _editor_section(store: Store, chosen: IndicatorSet) -> None:
    """Upload a new version of the indicator file (editors only) and the version history."""
    session = editor_auth.current_session(store, common.settings())
    versions = store.indicator_versions()
    if versions:
        st.dataframe(
            pd.DataFrame(
                [
                    (
                        v.number,
                        common.fmt_date(v.created_at.date()),
                        v.created_by or "",
                        v.file_name or "",
                        v.row_count,
                    )
                    for v in versions
                ],
                columns=["Wersja", "Data", "Wczytał(a)", "Plik", "Wskaźniki"],
            ),  # fmt: skip
            hide_index=True,
        )
    else:
        st.caption("Nie wczytano jeszcze pliku wskaźników: obowiązuje plik przykładowy.")
    if session is None:
        st.info(
            "Nowy plik wskaźników może wczytać zalogowany redaktor (strona *Import danych*) "
            "albo administrator serwera.",
            icon=":material/lock:",
        )
        return
    upload = st.file_uploader("Plik wskaźników (CSV lub XLSX)", type=["csv", "xlsx"])
    if upload is None:
        return
    try:
        frame = read_indicators(upload.getvalue(), MEASURES, upload.name)
    except UserError as exc:
        st.error(common.md(exc), icon=":material/error:")
        return
    st.dataframe(frame, hide_index=True)
    if st.button(f"Zapisz jako wersję {len(versions) + 1}", type="primary"):
        login = editor_auth.editor(store, session)  # the login token, checked right before
        version = store.import_indicators(frame, file_name=upload.name, user=login)
        st.success(f"Zapisano wersję {version.number} pliku wskaźników.")
        st.rerun()


as_of = common.chosen_date()
result, data_key = common.coverage_and_key(as_of)
store = common.store()
chosen = common.guarded(lambda: load_indicators(common.settings(), store))

st.title("Monitoring programu")
st.caption(
    "Wskaźniki programu wobec celów: wartość w kolejnych latach (stan na 31 grudnia; ostatni "
    "rok: wybrany dzień), wartość bazowa i docelowa oraz ocena względem prostej ścieżki od "
    "bazy do celu."
)
planning.sample_notes(result)
if chosen.is_sample:
    st.warning(f"**{common.md(chosen.label)}.**", icon=":material/science:")
else:
    st.caption(f"Wskaźniki: {common.md(chosen.label)}")

watch = _monitoring(data_key, chosen.state, result, chosen)
dates = watch.completeness
st.info(
    "**Historia jest tak pełna, jak daty w rejestrze.** Podmiot bez daty rozpoczęcia liczy się "
    "w każdym roku, a zamknięty bez daty zakończenia – do dziś. W danych: "
    f"{dates['bez_daty_rozpoczecia']} z {dates['podmioty']} podmiotów bez daty rozpoczęcia "
    f"(w tym CIS/KIS: {dates['cis_kis_bez_daty_rozpoczecia']} z {dates['cis_kis']}).",
    icon=":material/history:",
)
f_date, _ = st.columns([1, 4])
with f_date:
    common.date_input()

source = planning.sources_caption(result, f"wskaźniki: {chosen.label}")
_summary(watch)
st.caption(source)
table = display_table(watch.table)
st.dataframe(table, hide_index=True, width="stretch")
st.caption(
    "Ścieżka: wartość na prostej od wartości bazowej do docelowej w roku stanu. „Zgodnie”: "
    "wartość na ścieżce lub dalej w kierunku celu (także przy celu malejącym); „nieznany”: "
    "dane nie pozwalają ocenić (brak wartości, rok przed rokiem bazowym)."
)

by_id = {i.id: i for i in chosen.indicators}
if by_id:
    picked = st.selectbox(
        "Wskaźnik na wykresie",
        list(by_id),
        format_func=lambda i: f"{by_id[i].id}: {by_id[i].name}",
        key="monitoring_wskaznik",
    )
    indicator = by_id[picked]
    row = watch.table.set_index("id").loc[picked]
    unit = MEASURES[indicator.measure].unit
    st.markdown(
        f"**{common.md(indicator.name)}** · {common.md(MEASURES[indicator.measure].label)} · "
        f"wartość {common.md(value_text(row['wartosc'], unit))}, ścieżka "
        f"{common.md(value_text(row['sciezka'], unit))}: {common.md(_STATUS[row['status']].label)}"
    )
    st.altair_chart(_chart(indicator, watch), width="stretch")
    st.caption(source + (f" · cel: {common.md(indicator.source)}" if indicator.source else ""))

png, pdf = _documents(data_key, chosen.state, result, watch, chosen)
day = result.as_of.isoformat()
left, middle, _ = st.columns([1, 1, 2])
with left:
    st.download_button("Slajd dla komitetu (PNG)", png, f"monitoring_{day}.png", "image/png",
                       icon=":material/slideshow:", on_click="ignore")  # fmt: skip
with middle:
    st.download_button("Raport (PDF)", pdf, f"monitoring_{day}.pdf", "application/pdf",
                       icon=":material/picture_as_pdf:", on_click="ignore")  # fmt: skip
with st.expander("Dane tabeli", icon=":material/table:"):
    planning.export_buttons(
        watch.table,
        "monitoring",
        planning.export_meta(result, wskazniki=chosen.label),
        key="monitoring_eksport",
        sheet="Monitoring",
    )
with st.expander("Dostępne miary (kolumna „miara” pliku wskaźników)", icon=":material/list:"):
    st.dataframe(
        pd.DataFrame(
            [(m.id, m.label, m.unit) for m in MEASURES.values()],
            columns=["miara", "opis", "jednostka"],
        ),
        hide_index=True,
    )
    st.caption(f"Kolumny pliku: {', '.join(INDICATOR_COLUMNS)} (uwagi – opcjonalnie).")
with st.expander("Plik wskaźników: wersje i nowy plik", icon=":material/upload_file:"):
    _editor_section(store, chosen)
