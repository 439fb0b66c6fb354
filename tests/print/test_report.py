"""The regional report: the region's and a powiat's own figures, gaps, fonts."""

from __future__ import annotations

import pytest
from pdf_reading import DATE_TEXT, DPI, embedded_fonts, flat, pages_text

from geo.print import report
from geo.print.figures import gap_table


def test_regional_report_for_the_region(result) -> None:
    pdf = report.regional_report_pdf(result, dpi=DPI)
    pages = pages_text(pdf)
    assert len(pages) >= 6  # title, maps, gap table (several pages), LPRES, subregions
    text = flat("\n".join(pages))
    assert "Ekonomia społeczna: województwo lubelskie" in text
    assert f"stan na {DATE_TEXT}" in flat(pages[0])
    assert "Gminy bez CIS/KIS (201)" in text or "Gminy bez CIS/KIS (" in text
    table = gap_table(result)
    for name in table["Gmina"].head(30):
        assert name in text
    assert "Wskaźniki według powiatów" in text and "miasto na prawach powiatu Lublin" in text
    assert embedded_fonts(pdf) >= {"DejaVuSansBook", "DejaVuSansBold"}


def test_regional_report_for_a_powiat_uses_its_own_figures(result) -> None:
    scopes = report.report_scopes(result)
    assert scopes[0].kind == "region" and len(scopes[0].teryt) == len(result.gminy)
    powiats = [s for s in scopes if s.kind == "powiat"]
    assert len(powiats) == 24
    scope = next(s for s in powiats if s.key == "0618")
    assert scope.label == "powiat tomaszowski"
    summary = report.scope_summary(result, scope)
    row = result.powiaty.set_index("powiat").loc["0618"]
    for key in ("gminy", "gminy_z_cis_kis", "ludnosc", "proc_ludnosci_pokrytej", "pes"):
        assert summary[key] == row[key]
    pdf = report.regional_report_pdf(result, scope, dpi=DPI)
    text = flat("\n".join(pages_text(pdf)))
    assert "Ekonomia społeczna: powiat tomaszowski" in text
    gaps = gap_table(result, set(scope.teryt))
    assert f"Gminy bez CIS/KIS ({len(gaps)})" in text
    assert "Puławy" not in text  # a gap of another powiat
    with pytest.raises(report.ReportError, match="nie obejmuje"):
        report.regional_report_pdf(result, report.ReportScope("powiat", "x", "x", frozenset()))
