"""A scenario exported: the 16:9 PDF slide (legible, with its figures) and the XLSX workbook."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import openpyxl
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from pdf_reading import DATE_TEXT, DPI, flat, pages_text
from pypdf import PdfReader

from geo.analysis.scenarios import Addition, ScenarioError, WhatIf, what_if
from geo.analysis.scenarios.export import scenario_xlsx
from geo.analysis.scenarios.saved import SavedScenario, to_json
from geo.analysis.scenarios.whatif import SERVE_WITHIN, closable
from geo.pipeline import source_notes
from geo.print.deck import SLIDE_MM
from geo.print.scenario import (
    MAP_MM,
    MIN_TEXT_PT,
    saved_scenario_slide,
    scenario_figure,
    scenario_pdf,
    scenario_slide,
)


@pytest.fixture(scope="module")
def scenario(result):
    """Two planned sites in open gminas (one serving all within 15 km) and one closure."""
    open_gminas = result.gminy.loc[result.gminy["pokrycie"] == "brak", "teryt"].tolist()
    closing = closable(result.entities, result.as_of)["klucz"].iloc[:1]
    whatif = WhatIf(
        15.0,
        (Addition(open_gminas[0], "CIS", SERVE_WITHIN), Addition(open_gminas[5], "KIS")),
        tuple(closing),
    )
    saved = SavedScenario(result.as_of, whatif, {"tryb": "cover", "status": "optimal"})
    return saved, what_if(result.gminy, result.entities, result.as_of, whatif)


def _text_sizes(pdf: bytes) -> list[tuple[str, float]]:
    sizes: list[tuple[str, float]] = []

    def visit(text, cm, tm, _font, size) -> None:
        if text.strip():
            sizes.append((text, size * abs(tm[3]) * abs(cm[3])))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def test_pdf_is_one_legible_16_9_slide(result, scenario) -> None:
    saved, whatif = scenario
    pdf = scenario_pdf(result, whatif, "Plan 2027", saved, dpi=DPI)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    width_mm, height_mm = float(box.width) * 25.4 / 72, float(box.height) * 25.4 / 72
    assert (round(width_mm, 1), round(height_mm, 1)) == SLIDE_MM
    assert width_mm / height_mm == pytest.approx(16 / 9, rel=0.01)
    sizes = _text_sizes(pdf)
    assert sizes and min(size for _, size in sizes) >= SLIDE_MM[1] / 40 * 72 / 25.4
    text = flat(pages_text(pdf)[0])
    totals = whatif.totals
    assert "Scenariusz: Plan 2027" in text and f"stan na {DATE_TEXT}" in text
    assert f"{totals['pokryte_przed']} → {totals['pokryte_po']}" in text
    assert f"{totals['luki_przed']} → {totals['luki_po']}" in text
    assert "+2 / −1" in text
    assert "Źródło: rejestr PES" in text


def test_map_text_is_as_large_on_the_slide(result, scenario) -> None:
    _, whatif = scenario
    fig = scenario_figure(result, whatif)
    assert tuple(fig.get_size_inches() * 25.4) == pytest.approx(MAP_MM)
    FigureCanvasAgg(fig).draw()
    texts = [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
    labels = " ".join(t.get_text() for t in texts)
    assert "nowo pokryta" in labels and "nowy CIS/KIS" in labels
    assert min(t.get_fontsize() for t in texts) >= MIN_TEXT_PT


def test_slide_for_the_presentation_page(result, scenario) -> None:
    saved, whatif = scenario
    slide = scenario_slide(result, whatif, "", saved)
    assert slide.key == "scenariusz" and slide.title == "Scenariusz: niezapisany"
    assert [value for value, _, _ in slide.figures][3] == "+2 / −1"
    assert slide.figure is not None and slide.figure((6.0, 4.0)).get_size_inches()[0] == 6.0


def test_xlsx_has_every_sheet_and_the_sources(result, scenario) -> None:
    saved, whatif = scenario
    data = scenario_xlsx("=Plan", saved, whatif, source_notes(result))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "Definicja",
        "Nowe miejsca",
        "Zamknięte",
        "Gminy",
        "Powiaty",
        "Podregiony",
        "Źródła",
    ]
    definition = {
        row[0]: row[1] for row in book["Definicja"].iter_rows(min_row=2, values_only=True)
    }
    assert definition["scenariusz"] == "'=Plan"  # formula-safe
    assert definition["stan na"] == result.as_of.isoformat()
    assert definition["optymalizacja: status"] == "optimal"
    assert "porozumienie" in definition["definicja pokrycia"]
    sites = list(book["Nowe miejsca"].iter_rows(values_only=True))
    assert sites[0][:3] == ("TERYT", "Gmina", "Typ") and len(sites) == 3
    assert len(list(book["Zamknięte"].iter_rows())) == 2
    gminy = list(book["Gminy"].iter_rows(values_only=True))
    assert len(gminy) == 1 + len(result.gminy)
    assert "Pokrycie po" in gminy[0] and "Zmiana" in gminy[0]
    powiaty = list(book["Powiaty"].iter_rows(values_only=True))
    header = powiaty[0]
    after = header.index("Pokryte po")
    assert sum(row[after] for row in powiaty[1:]) == whatif.totals["pokryte_po"]
    notes = {row[0]: row[1] for row in book["Źródła"].iter_rows(min_row=2, values_only=True)}
    assert notes["stan na"] == result.as_of.isoformat() and "rejestr" in notes


def test_saved_scenario_slide_needs_its_own_date(result, scenario) -> None:
    saved, whatif = scenario
    definition = to_json(saved)
    slide = saved_scenario_slide(result, definition, "Plan")
    assert slide.figures == scenario_slide(result, whatif, "Plan", saved).figures
    other = to_json(dataclasses.replace(saved, as_of=result.as_of - dt.timedelta(days=1)))
    with pytest.raises(ScenarioError, match="wybierz datę scenariusza"):
        saved_scenario_slide(result, other, "Plan")
