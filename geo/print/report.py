"""The regional report: a multi-page A4 PDF for the region, a subregion or a powiat.

Pages: headline indicators and sources; coverage and gap maps; the gap table; LPRES with its
map; indicators per subregion and per powiat; for the region, the programme's monitoring
(indicators against targets, :func:`geo.print.monitoring.monitoring_section`). The
programme's indicators are regional, so a powiat's or subregion's report says so instead of
showing them. Every figure is computed for the chosen area
with the same functions as the app's pages, so the report and the screen agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from fpdf.enums import XPos, YPos

from geo.analysis.coverage import region_summary
from geo.analysis.indicators import IndicatorSet, Monitoring
from geo.analysis.subregions import NUTS3, OWES
from geo.core.schema import ENTITY_TYPES
from geo.pipeline import CoverageResult
from geo.present.profile import (
    UNKNOWN,
    fmt_date,
    fmt_int,
    fmt_pct,
    planning_attributes,
    powiat_label,
)
from geo.print import maps
from geo.print.figures import (
    dash_empty,
    gap_display,
    gap_table,
    headline_figures,
    lpres_counts,
    subregion_table,
)
from geo.print.monitoring import monitoring_section
from geo.print.pdf import (
    APP_NAME,
    FONT,
    SAMPLE_WARNING,
    Document,
    ReportError,
    column_widths,
    to_bytes,
)

__all__ = ["REGIONAL_ONLY", "ReportScope", "regional_report_pdf", "report_scopes", "scope_summary"]


@dataclass(frozen=True)
class ReportScope:
    """The area a regional report covers: the region, a subregion or a powiat."""

    kind: str  # "region", "podregion" or "powiat"
    key: str
    label: str
    teryt: frozenset[str]


def report_scopes(result: CoverageResult) -> list[ReportScope]:
    """The region, its known subregions (OWES, NUTS-3) and its powiats, for a report."""
    gminy = result.gminy
    scopes = [ReportScope("region", "region", result.region.name, frozenset(gminy["teryt"]))]
    attrs = planning_attributes(result)
    kinds = (("owes_podregion_nazwa", "podregion OWES"), ("nuts3_nazwa", "podregion NUTS-3"))
    for column, prefix in kinds:
        values = attrs[column].map(lambda v: v if isinstance(v, str) else "")
        for name in sorted(set(values) - {"", UNKNOWN}):
            codes = frozenset(attrs.loc[values == name, "teryt"])
            scopes.append(ReportScope("podregion", f"{column}:{name}", f"{prefix} {name}", codes))
    for (code, name), group in gminy.groupby(["powiat", "powiat_nazwa"], sort=True):
        label = powiat_label(str(code), str(name))
        scopes.append(ReportScope("powiat", str(code), label, frozenset(group["teryt"])))
    return scopes


def scope_summary(result: CoverageResult, scope: ReportScope) -> dict:
    """Coverage totals of the scope (the coverage engine's own summary, on its gminas)."""
    if scope.kind == "region":
        return result.summary
    return region_summary(result.gminy[result.gminy["teryt"].isin(scope.teryt)])


@dataclass(frozen=True)
class _Area:
    """What every page of one report needs: the scope, its gminas and its date line."""

    result: CoverageResult
    scope: ReportScope
    stan: str
    dpi: int
    monitoring: tuple[Monitoring, IndicatorSet] | None = field(default=None)

    @property
    def codes(self) -> set[str]:
        return set(self.scope.teryt)

    @property
    def map_scope(self) -> set[str] | None:
        """The gminas a map is limited to: None (all) for the region."""
        return None if self.scope.kind == "region" else self.codes


def regional_report_pdf(
    result: CoverageResult,
    scope: ReportScope | None = None,
    dpi: int = 170,
    monitoring: tuple[Monitoring, IndicatorSet] | None = None,
) -> bytes:
    """A multi-page A4 report for the region, a subregion or a powiat.

    Pages: headline indicators and sources; coverage and gap maps; the gap table; LPRES
    summary with its map; indicators per subregion and per powiat; with ``monitoring``
    (``(watch, chosen)`` of :func:`geo.analysis.indicators.monitor` and
    :func:`~geo.analysis.indicators.load_indicators`) and the region as scope, the
    programme's indicators against their targets. They are regional figures: for a powiat or
    a subregion the report says they are in the region's report instead.
    """
    scope = scope or report_scopes(result)[0]
    if not scope.teryt:
        raise ReportError("Wybrany obszar raportu nie obejmuje żadnej gminy.")
    area = _Area(result, scope, f"stan na {fmt_date(result.as_of)}", dpi, monitoring)
    pdf = Document(f"{APP_NAME} · raport: {scope.label} · {area.stan}")
    pdf.set_title(f"Raport: ekonomia społeczna, {scope.label}, {area.stan}")
    pdf.set_subject("Pokrycie gmin CIS/KIS, luki, LPRES, podregiony, monitoring programu")
    pages = [_title_page, _maps_page, _gaps_page, _lpres_page, _indicators_page]
    if monitoring is not None and scope.kind == "region":
        pages.append(_monitoring_page)
    for page in pages:
        pdf.add_page()
        page(pdf, area)
    return to_bytes(pdf)


#: Said in a powiat's or subregion's report: the programme's targets are set for the region.
REGIONAL_ONLY = (
    "Monitoring programu (wskaźniki wobec celów) dotyczy całego regionu: jest w raporcie dla "
    "regionu, na stronie Monitoring i w prezentacji dla komitetu."
)


def _monitoring_page(pdf: Document, area: _Area) -> None:
    """The programme's indicators against their targets (the region's report only)."""
    if area.monitoring is None:  # added to the pages only with the inputs
        return
    watch, chosen = area.monitoring
    monitoring_section(pdf, area.result, watch, chosen, area.dpi)


def _title_page(pdf: Document, area: _Area) -> None:
    """Title, headline indicators, entities by type, sources and method."""
    result, scope = area.result, area.scope
    pdf.text_line(APP_NAME, 5)
    pdf.set_font(FONT, "B", 20)
    title = f"Ekonomia społeczna: {scope.label}"
    pdf.multi_cell(0, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.text_line(f"Raport, {area.stan}", 7, size=12)
    pdf.ln(3)
    if result.registry.is_sample:
        pdf.warning(SAMPLE_WARNING)
    summary = scope_summary(result, scope)
    pdf.heading("Najważniejsze wskaźniki")
    figures = pd.DataFrame(
        [
            (label[0].upper() + label[1:], value, note)
            for value, label, note in headline_figures(summary, result.as_of)
        ],
        columns=["Wskaźnik", "Wartość", "Uwagi"],
    )
    w = pdf.content_width
    pdf.table(figures, [w * 0.36, w * 0.16, w * 0.48], aligns=["L", "R", "L"], size=10)
    pdf.ln(3)
    by_type = pd.DataFrame(
        [(f"{code}: {name}", summary[code.lower()]) for code, name in ENTITY_TYPES.items()],
        columns=["Typ podmiotu", "Liczba"],
    )
    pdf.heading("Podmioty ekonomii społecznej według typu")
    pdf.table(by_type, [w * 0.6, w * 0.15], aligns=["L", "R"], size=10)
    _method(pdf, result)


def _method(pdf: Document, result: CoverageResult) -> None:
    pdf.heading("Źródła i metoda", size=11)
    pdf.paragraph(
        "Gmina jest pokryta (Model Lokalnej Współpracy), gdy działa w niej CIS lub KIS albo "
        "obsługuje ją CIS/KIS innej gminy na podstawie porozumienia międzygminnego. Odległość: "
        "od granicy gminy do najbliższego działającego CIS/KIS (EPSG:2180).",
        size=9,
    )
    for line in (
        f"Rejestr PES: {result.registry.label}",
        f"Ludność: {result.region.population_source}",
        f"Granice: {result.region.boundary_source}",
        result.region.terc_source,
    ):
        pdf.paragraph("• " + line, size=8.5)


def _maps_page(pdf: Document, area: _Area) -> None:
    """The coverage map and the gaps map."""
    pdf.heading("Mapy", space=0)
    label = area.scope.label
    coverage = maps.coverage_map(
        area.result, scope=area.map_scope, size=maps.PRINT, subtitle=f"{label} · {area.stan}"
    )
    pdf.figure(coverage, pdf.content_width, area.dpi)
    pdf.ln(3)
    subtitle = f"{label} · odległość od granicy gminy do najbliższego CIS/KIS · {area.stan}"
    gaps = maps.distance_map(area.result, scope=area.map_scope, size=maps.PRINT, subtitle=subtitle)
    pdf.figure(gaps, pdf.content_width, area.dpi)


def _gaps_page(pdf: Document, area: _Area) -> None:
    """The gminas without CIS/KIS with their cooperation candidates (several pages)."""
    gaps = gap_table(area.result, area.codes)
    pdf.heading(f"Gminy bez CIS/KIS ({len(gaps)})", space=0)
    pdf.paragraph(
        "Kolejność: od największej liczby mieszkańców. „Sąsiednia gmina z CIS/KIS”: gminy "
        "o wspólnej granicy, które mają CIS/KIS, którego porozumienie międzygminne mogłoby "
        "objąć lukę.",
        size=8.5,
    )
    pdf.ln(1)
    if gaps.empty:
        pdf.paragraph("Każda gmina obszaru ma CIS lub KIS.", size=10)
        return
    w = pdf.content_width
    pdf.table(
        dash_empty(gap_display(gaps)),
        [w * 0.17, w * 0.13, w * 0.13, w * 0.09, w * 0.08, w * 0.26, w * 0.14],
        aligns=["L", "L", "L", "R", "R", "L", "L"],
        size=7.5,
    )


def _lpres_page(pdf: Document, area: _Area) -> None:
    """Gminas and population by LPRES status, and the LPRES map."""
    pdf.heading("Lokalne plany rozwoju ekonomii społecznej (LPRES)", space=0)
    w = pdf.content_width
    counts = dash_empty(lpres_counts(area.result, area.codes))
    pdf.table(counts, [w * 0.4, w * 0.15, w * 0.2], aligns=["L", "R", "R"], size=10)
    pdf.ln(3)
    lpres = maps.lpres_map(
        area.result,
        scope=area.map_scope,
        size=maps.PRINT,
        subtitle=f"{area.scope.label} · {area.stan}",
    )
    pdf.figure(lpres, w, area.dpi)


def _indicators_page(pdf: Document, area: _Area) -> None:
    """Indicators per subregion (OWES, NUTS-3) and per powiat."""
    pdf.heading("Wskaźniki według podregionów", space=0)
    w = pdf.content_width
    for key, title in ((OWES, "Podregiony OWES"), (NUTS3, "Podregiony NUTS-3 (2021)")):
        table = subregion_table(area.result, key, area.map_scope)
        pdf.heading(title, size=11)
        if table is None:
            pdf.paragraph("Brak skonfigurowanych podregionów: nieznane.", size=9)
        else:
            table = dash_empty(table)
            pdf.table(table, column_widths(pdf, table, w, 8), aligns=["L"] + ["R"] * 8, size=8)
    pdf.heading("Wskaźniki według powiatów", size=11)
    table = dash_empty(_powiat_table(area.result, area.codes))
    pdf.table(table, column_widths(pdf, table, w, 8), aligns=["L"] + ["R"] * 6, size=8)
    if area.scope.kind != "region":
        pdf.ln(2)
        pdf.paragraph(REGIONAL_ONLY, size=8.5)


def _powiat_table(result: CoverageResult, codes: set[str]) -> pd.DataFrame:
    powiaty = result.powiaty[result.powiaty["powiat"].isin({c[:4] for c in codes})]
    return pd.DataFrame(
        {
            "Powiat": [
                powiat_label(code, name)
                for code, name in zip(powiaty["powiat"], powiaty["powiat_nazwa"], strict=True)
            ],
            "Gminy": powiaty["gminy"],
            "Z CIS/KIS": powiaty["gminy_z_cis_kis"],
            "Gminy pokryte": powiaty["proc_gmin_pokrytych"].map(fmt_pct),
            "Ludność": powiaty["ludnosc"].map(fmt_int),
            "Ludność pokryta": powiaty["proc_ludnosci_pokrytej"].map(fmt_pct),
            "PES": powiaty["pes"],
        }
    )
