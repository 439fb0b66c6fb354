"""Raport: a multi-page PDF summary for the region, one subregion or one powiat.

The region's report ends with the programme's monitoring (the indicator file in effect, as on
the Monitoring page); the indicators are regional, so a powiat's or subregion's report says
so instead. The PDF is made on request, and a failure is a Polish message (pages._downloads).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from geo.analysis.indicators import load_indicators, monitor
from geo.core.text import fold
from geo.pipeline import CoverageResult
from geo.print import report
from geo.print.figures import headline_figures
from pages import _common as common
from pages._downloads import download_on_request

SCOPE_KEY = "raport_obszar"
KIND_LABELS = {"region": "Region", "podregion": "Podregiony", "powiat": "Powiaty"}


@st.cache_data(show_spinner=False, max_entries=8)
def _report_pdf(
    key: common.CoverageKey,
    scope_key: str,
    indicators: str,
    _result: CoverageResult,
    _scope: report.ReportScope,
    _monitoring: Any,
) -> bytes:
    """The report of ``_result`` (computed for ``key``: every input) on one scope, with the
    monitoring of indicator file version ``indicators`` (none: "")."""
    return report.regional_report_pdf(_result, _scope, monitoring=_monitoring)


def _build(key: common.CoverageKey, result: CoverageResult, scope: report.ReportScope) -> bytes:
    """The report's PDF; for the region with the programme's monitoring."""
    watched, state = None, ""
    if scope.kind == "region":
        chosen = load_indicators(common.settings(), common.store())
        watch = monitor(
            result.region.gminy, result.entities, result.plans, result.as_of, chosen.indicators
        )
        watched, state = (watch, chosen), chosen.state
    return _report_pdf(key, scope.key, state, result, scope, watched)


as_of = common.chosen_date()
result, data_key = common.coverage_and_key(as_of)

st.title("Raport regionalny")
st.caption(
    "Wielostronicowy PDF: najważniejsze wskaźniki, mapy pokrycia i luk, tabela gmin bez CIS/KIS, "
    "status LPRES, wskaźniki według podregionów i powiatów; w raporcie dla regionu także "
    "monitoring programu (wskaźniki wobec celów), bo cele programu są regionalne."
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

download_on_request(
    "Pobierz raport (PDF)",
    lambda: _build(data_key, result, scope),
    file_name=f"raport_{fold(scope.label).replace(' ', '_')}_{as_of:%Y-%m-%d}.pdf",
    mime="application/pdf",
    key="raport_pdf",
    # the indicator file is read when the report is made: a new version needs a new request
    token=(data_key, scope.key, tuple(v.number for v in common.store().indicator_versions()[:1])),
    prepare="Przygotuj raport (PDF)",
    icon=":material/picture_as_pdf:",
    type="primary",
)
st.caption("Przygotowanie raportu trwa kilka sekund (mapy są rysowane w wysokiej rozdzielczości).")
