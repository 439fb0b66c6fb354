"""PDF documents: gmina card, presentation deck, regional report (pages, text, fonts, render)."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from geo import pipeline
from geo.analysis.coverage import NOT_COVERED
from geo.config import get_settings
from geo.core.schema import REGISTRY_COLUMNS
from geo.present import profile as gp
from geo.present import styles
from geo.print import reports

DAY = dt.date(2026, 6, 30)
DATE_TEXT = "30.06.2026"
DPI = 60  # modest resolution keeps the tests fast; the layout does not depend on it


@pytest.fixture(scope="module")
def result(tmp_path_factory, shared_data) -> pipeline.CoverageResult:
    home = tmp_path_factory.mktemp("reports") / "home"
    env = {"PES_HOME": str(home), "PES_DATA_DIR": str(shared_data), "PES_REGION": "06"}
    return pipeline.run(get_settings(env), DAY)


@pytest.fixture(scope="module")
def card(result) -> bytes:
    return reports.gmina_card_pdf(result, gp.build_profile(result, "0618011"), dpi=DPI)


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _embedded_fonts(pdf: bytes) -> set[str]:
    """Base names of the fonts whose program is embedded in the file."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            if "/FontFile2" in descriptor:
                names.add(str(font["/BaseFont"]).split("+")[-1])
    return names


def _render(pdf: bytes, index: int = 0, scale: float = 0.8) -> np.ndarray:
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[index].render(scale=scale).to_pil().convert("RGB")
    finally:
        document.close()
    return np.asarray(image)


def test_fonts_come_from_matplotlib() -> None:
    files = reports.font_files()
    assert set(files) == {"", "B", "I"}
    assert all(path.is_file() and path.suffix == ".ttf" for path in files.values())


def test_gmina_card_is_one_page_with_name_date_and_sources(card: bytes, result) -> None:
    pages = _text(card)
    assert len(pages) == 1
    text = _flat(pages[0])
    assert "Tomaszów Lubelski" in text
    assert f"stan na {DATE_TEXT}" in text
    assert "DANE PRZYKŁADOWE, NIEKOMPLETNE" in text
    assert "Model Lokalnej Współpracy: brak CIS/KIS" in text
    assert "GUS BDL" in text and "Źródła" in text
    nearest = gp.build_profile(result, "0618011").najblizsze.iloc[0]
    assert nearest["Nazwa"] in text
    # Polish letters survive as text (ToUnicode of the embedded subset), not as boxes.
    for word in ("Współpracy", "Ludność", "Porównanie", "Źródła", "Najbliższe", "województwem"):
        assert word in text
    assert _embedded_fonts(card) >= {"DejaVuSansBook", "DejaVuSansBold"}


def test_gmina_card_renders_to_a_non_blank_page_with_a_map(card: bytes) -> None:
    pixels = _render(card)
    height, width, _ = pixels.shape
    assert abs(width / height - 210 / 297) < 0.01  # A4 portrait
    ink = (pixels < 200).any(axis=2)
    assert ink.mean() > 0.05
    # The map's coloured fills (coverage classes) are there, not only black text.
    colourful = (pixels.max(axis=2).astype(int) - pixels.min(axis=2)) > 60
    assert colourful.mean() > 0.05


def test_card_stays_one_page_with_many_entities_and_keeps_data_as_text(result) -> None:
    rows = [
        {**dict.fromkeys(REGISTRY_COLUMNS), "id": f"N{i}", "typ": "NGO", "teryt": "0663011",
         "nazwa": f"Stowarzyszenie **{i}** <b>x</b> =SUM(A1)"}
        for i in range(60)
    ]  # fmt: skip
    rows.append({**dict.fromkeys(REGISTRY_COLUMNS), "id": "K", "typ": "KIS", "teryt": "0618011",
                 "nazwa": "KIS"})  # fmt: skip
    registry = pd.DataFrame(rows)[list(REGISTRY_COLUMNS)]
    info = pipeline.RegistryInfo(False, "rejestr testowy", ("test",))
    custom = pipeline.compute(result.region, registry, info, DAY)
    pdf = reports.gmina_card_pdf(custom, gp.build_profile(custom, "0663011"), dpi=DPI)
    pages = _text(pdf)
    assert len(pages) == 1
    text = _flat(pages[0])
    assert "Podmioty ekonomii społecznej w gminie (60)" in text
    assert "Model Lokalnej Współpracy: brak CIS/KIS" in text
    assert "kolejnych: pełna lista w aplikacji" in text
    assert "Stowarzyszenie **0** <b>x</b> =SUM(A1)" in text  # literally, no markup
    assert "DANE PRZYKŁADOWE" not in text  # an imported registry is not labelled as sample


def test_presentation_has_one_page_per_slide(result) -> None:
    slides = reports.build_slides(result)
    keys = [s.key for s in slides]
    assert keys[:3] == ["przeglad", "pokrycie", "luki"]
    assert {"lpres", "podregiony", "trend"} <= set(keys)
    pdf = reports.presentation_pdf(result, dpi=DPI)
    pages = _text(pdf)
    assert len(pages) == len(slides)
    first = _flat(pages[0])
    assert "województwo lubelskie" in first and f"stan na {DATE_TEXT}" in first
    summary = result.summary
    assert f"{summary['gminy_z_cis_kis']} / {summary['gminy']}" in first
    for i, page in enumerate(pages, start=1):
        assert f"strona {i}/{len(pages)}" in page
    pixels = _render(pdf, 1, scale=0.4)
    assert abs(pixels.shape[1] / pixels.shape[0] - 16 / 9) < 0.01
    assert (pixels < 200).any(axis=2).mean() > 0.1  # the map slide is drawn


def test_gap_table_lists_every_gap_biggest_first(result) -> None:
    table = reports.gap_table(result)
    gaps = result.gminy[result.gminy["pokrycie"] == NOT_COVERED]
    assert len(table) == len(gaps)
    assert list(table["Ludność"]) == sorted(table["Ludność"], reverse=True)
    niemce = table[table["Gmina"] == "Niemce"].iloc[0]
    assert "Lublin" in niemce["Sąsiednia gmina z CIS/KIS"]


def test_regional_report_for_the_region(result) -> None:
    pdf = reports.regional_report_pdf(result, dpi=DPI)
    pages = _text(pdf)
    assert len(pages) >= 6  # title, maps, gap table (several pages), LPRES, subregions
    text = _flat("\n".join(pages))
    assert "Ekonomia społeczna: województwo lubelskie" in text
    assert f"stan na {DATE_TEXT}" in _flat(pages[0])
    assert "Gminy bez CIS/KIS (201)" in text or "Gminy bez CIS/KIS (" in text
    table = reports.gap_table(result)
    for name in table["Gmina"].head(30):
        assert name in text
    assert "Wskaźniki według powiatów" in text and "miasto na prawach powiatu Lublin" in text
    assert _embedded_fonts(pdf) >= {"DejaVuSansBook", "DejaVuSansBold"}


def test_regional_report_for_a_powiat_uses_its_own_figures(result) -> None:
    scopes = reports.report_scopes(result)
    assert scopes[0].kind == "region" and len(scopes[0].teryt) == len(result.gminy)
    powiats = [s for s in scopes if s.kind == "powiat"]
    assert len(powiats) == 24
    scope = next(s for s in powiats if s.key == "0618")
    assert scope.label == "powiat tomaszowski"
    summary = reports.scope_summary(result, scope)
    row = result.powiaty.set_index("powiat").loc["0618"]
    for key in ("gminy", "gminy_z_cis_kis", "ludnosc", "proc_ludnosci_pokrytej", "pes"):
        assert summary[key] == row[key]
    pdf = reports.regional_report_pdf(result, scope, dpi=DPI)
    text = _flat("\n".join(_text(pdf)))
    assert "Ekonomia społeczna: powiat tomaszowski" in text
    gaps = reports.gap_table(result, set(scope.teryt))
    assert f"Gminy bez CIS/KIS ({len(gaps)})" in text
    assert "Puławy" not in text  # a gap of another powiat
    with pytest.raises(reports.ReportError, match="nie obejmuje"):
        reports.regional_report_pdf(result, reports.ReportScope("powiat", "x", "x", frozenset()))


def test_trend_chart_ends_at_the_maps_figures(result) -> None:
    fig = reports.trend_figure(result)
    ax = fig.axes[0]
    covered, pes = ax.lines[0], ax.lines[1]
    assert covered.get_xdata()[-1] == DAY.year
    # The last point is the "stan na" date: the same numbers as the map and the headline.
    assert covered.get_ydata()[-1] == result.summary["gminy_z_cis_kis"]
    assert pes.get_ydata()[-1] == result.summary["pes"]
    assert list(covered.get_xdata()) == sorted(covered.get_xdata())
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "bez daty rozpoczęcia" in texts and "DANE PRZYKŁADOWE" in texts


def test_lpres_counts_and_notes(result) -> None:
    counts = reports.lpres_counts(result)
    assert counts["Gminy"].sum() == len(result.gminy)
    statuses = result.gminy["lpres_status"].value_counts()
    unknown = styles.by_key(styles.LPRES)[styles.UNKNOWN_KEY].label  # as on the maps' legends
    assert int(counts.loc[counts["Status"] == unknown, "Gminy"].iloc[0]) == statuses.get(
        "nieznany", 0
    )
    notes = " ".join(reports.lpres_notes(result))
    assert "Gminy objęte przyjętym planem" in notes and "Źródło:" in notes
