"""Raport: a multi-page PDF summary for the region, one subregion or one powiat."""

from __future__ import annotations

import streamlit as st

from geo.core.text import fold
from geo.pipeline import CoverageResult
from geo.print import report
from geo.print.figures import headline_figures
from pages import _common as common

SCOPE_KEY = "raport_obszar"
KIND_LABELS = {"region": "Region", "podregion": "Podregiony", "powiat": "Powiaty"}


@st.cache_data(show_spinner=False, max_entries=8)
def _report_pdf(
    key: common.CoverageKey, scope_key: str, _result: CoverageResult, _scope: report.ReportScope
) -> bytes:
    """The report of ``_result`` (computed for ``key``: every input) on one scope."""
    return report.regional_report_pdf(_result, _scope)


as_of = common.chosen_date()
result, data_key = common.coverage_and_key(as_of)

st.title("Raport regionalny")
st.caption(
    "Wielostronicowy PDF: najważniejsze wskaźniki, mapy pokrycia i luk, tabela gmin bez CIS/KIS, "
    "status LPRES, wskaźniki według podregionów i powiatów."
)
if result.registry.is_sample:
    st.warning(
        f"**{common.md(result.registry.label)}.** Raport pokaże tylko podmioty z tego rejestru.",
        icon=":material/warning:",
    )

scopes = report.report_scopes(result)
by_key = {scope.key: scope for scope in scopes}
scope_col, date_col = st.columns([3, 1], vertical_alignment="bottom")
with scope_col:
    chosen = st.selectbox(
        "Obszar raportu",
        list(by_key),
        format_func=lambda k: f"{KIND_LABELS[by_key[k].kind]}: {by_key[k].label}",
        key=SCOPE_KEY,
    )
with date_col:
    common.date_input()
scope = by_key[chosen]

summary = report.scope_summary(result, scope)
columns = st.columns(4)
for col, (value, label, note) in zip(columns, headline_figures(summary, result.as_of), strict=True):
    col.metric(label[0].upper() + label[1:], value)
    col.caption(common.md(note))
st.caption(
    f"{common.md(scope.label)} · stan na {common.fmt_date(as_of)} · "
    f"{common.md(result.registry.label)}"
)

st.download_button(
    "Pobierz raport (PDF)",
    data=lambda: _report_pdf(data_key, scope.key, result, scope),
    file_name=f"raport_{fold(scope.label).replace(' ', '_')}_{as_of:%Y-%m-%d}.pdf",
    mime="application/pdf",
    icon=":material/picture_as_pdf:",
    type="primary",
    on_click="ignore",
)
st.caption("Przygotowanie raportu trwa kilka sekund (mapy są rysowane w wysokiej rozdzielczości).")
