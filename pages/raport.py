"""Raport: a multi-page PDF summary for the region, one subregion or one powiat."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo.core.text import fold
from geo.pipeline import CoverageResult
from geo.print import report
from geo.print.figures import headline_figures
from pages import _common as c

SCOPE_KEY = "raport_obszar"
KIND_LABELS = {"region": "Region", "podregion": "Podregiony", "powiat": "Powiaty"}


def _cache_key() -> tuple[str, ...]:
    s = c.settings()
    return (s.region, str(s.data_dir), s.database_url, c.registry_state(s))


@st.cache_data(show_spinner=False, max_entries=8)
def _report_pdf(
    key: tuple[str, ...],
    as_of: dt.date,
    scope_key: str,
    _result: CoverageResult,
    _scope: report.ReportScope,
) -> bytes:
    return report.regional_report_pdf(_result, _scope)


as_of = c.chosen_date()
result = c.coverage(as_of)

st.title("Raport regionalny")
st.caption(
    "Wielostronicowy PDF: najważniejsze wskaźniki, mapy pokrycia i luk, tabela gmin bez CIS/KIS, "
    "status LPRES, wskaźniki według podregionów i powiatów."
)
if result.registry.is_sample:
    st.warning(
        f"**{c.md(result.registry.label)}.** Raport pokaże tylko podmioty z tego rejestru.",
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
    c.date_input()
scope = by_key[chosen]

summary = report.scope_summary(result, scope)
columns = st.columns(4)
for col, (value, label, note) in zip(columns, headline_figures(summary, result.as_of), strict=True):
    col.metric(label[0].upper() + label[1:], value)
    col.caption(c.md(note))
st.caption(f"{c.md(scope.label)} · stan na {c.fmt_date(as_of)} · {c.md(result.registry.label)}")

key = _cache_key()
st.download_button(
    "Pobierz raport (PDF)",
    data=lambda: _report_pdf(key, as_of, scope.key, result, scope),
    file_name=f"raport_{fold(scope.label).replace(' ', '_')}_{as_of:%Y-%m-%d}.pdf",
    mime="application/pdf",
    icon=":material/picture_as_pdf:",
    type="primary",
    on_click="ignore",
)
st.caption("Przygotowanie raportu trwa kilka sekund (mapy są rysowane w wysokiej rozdzielczości).")
