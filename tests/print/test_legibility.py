"""Legible from the back of a room: the deck PDF and the print maps.

The deck's smallest type (read back from the PDF with pdfium) is at least 1/40 of the slide's
height and no text is cut with "…"; every text of a slide map or chart is at least 1/40 of
the figure's height; a powiat map names its gminas where the names fit, without overlaps.
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from pdf_reading import DPI, pages_text
from shapely.geometry import box

from geo.core.crs import METRIC_CRS
from geo.print import deck, maps, report
from geo.print.figures import gap_table, trend_figure
from geo.print.layout import LARGE_TYPE, min_font

SLIDE_HEIGHT_PT = 7.5 * 72


def _font_sizes(pdf: bytes) -> list[list[float]]:
    """Per page, the font size (pt) of every character written (pdfium's generated line
    breaks left out)."""
    document = pdfium.PdfDocument(pdf)
    try:
        sizes = []
        for page in document:
            text = page.get_textpage()
            sizes.append(
                [
                    pdfium_raw.FPDFText_GetFontSize(text.raw, i)
                    for i in range(text.count_chars())
                    if not pdfium_raw.FPDFText_IsGenerated(text.raw, i)
                ]
            )
        return sizes
    finally:
        document.close()


def _shown_texts(fig) -> list[Text]:
    FigureCanvasAgg(fig).draw()  # legends and ticks exist once drawn
    hidden = set()  # labels of axes drawn without axis (the maps): never drawn
    for ax in fig.axes:
        if not ax.axison:
            hidden |= {id(t) for t in (*ax.xaxis.findobj(Text), *ax.yaxis.findobj(Text))}
    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and id(t) not in hidden
    ]


def test_deck_pdf_has_no_text_under_a_fortieth_of_the_slide(result) -> None:
    pdf = deck.presentation_pdf(result, dpi=DPI)
    sizes = _font_sizes(pdf)
    assert len(sizes) == len(deck.build_slides(result))
    text_pages = [page for page in sizes if page]
    assert text_pages
    smallest = min(min(page) for page in text_pages)
    assert smallest >= SLIDE_HEIGHT_PT / 40 - 0.01, smallest
    assert deck.MIN_PT == pytest.approx(SLIDE_HEIGHT_PT / 40)
    for page in pages_text(pdf):
        assert "…" not in page


def test_deck_tables_wrap_instead_of_cutting(result) -> None:
    slides = {s.key: s for s in deck.build_slides(result)}
    gaps = slides["najwieksze_luki"].table
    assert gaps is not None and len(gaps) <= deck.GAP_ROWS
    assert "Powiat" not in gaps.columns  # fewer columns rather than cut text
    # empty cells are an em dash, never blank
    assert (gaps != "").all().all() and (gaps["Sąsiednia gmina z CIS/KIS"] == "—").any()
    text = " ".join(pages_text(deck.presentation_pdf(result, dpi=DPI)))
    for name in gaps["Gmina"]:
        assert name in text


@pytest.mark.parametrize(
    "draw",
    [
        lambda r: maps.coverage_map(r, size=maps.SLIDE),
        lambda r: maps.distance_map(r, size=maps.SLIDE),
        lambda r: maps.lpres_map(r, size=maps.PRINT),
        lambda r: trend_figure(r, maps.SLIDE),
    ],
    ids=["coverage", "distance", "lpres-print", "trend"],
)
def test_figures_have_no_text_under_a_fortieth_of_their_height(result, draw) -> None:
    fig = draw(result)
    floor = min_font(tuple(fig.get_size_inches()))
    small = [
        (t.get_text(), t.get_fontsize())
        for t in _shown_texts(fig)
        if t.get_fontsize() < floor - 0.01
    ]
    assert small == []


def test_map_beside_a_table_has_large_type(result) -> None:
    fig = maps.subregion_map(
        result, size=deck.BESIDE_TABLE, title="", subtitle="", caption="", large_type=True
    )
    floor = min_font(deck.BESIDE_TABLE, LARGE_TYPE)
    assert min(t.get_fontsize() for t in _shown_texts(fig)) >= floor - 0.01


def test_powiat_map_names_its_gminas_where_they_fit(result) -> None:
    powiat = result.gminy["powiat"].value_counts().index[0]  # the powiat with most gminas
    gminy = result.gminy[result.gminy["powiat"] == powiat].to_crs(METRIC_CRS)
    fig = maps.coverage_map(result, scope=set(gminy["teryt"]), size=maps.PRINT)
    names = set(gminy["nazwa"])
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_text().replace("\n", " ") in names]
    assert len(labels) >= len(gminy) // 2
    renderer = FigureCanvasAgg(fig).get_renderer()
    boxes = [t.get_window_extent(renderer) for t in labels]
    for i, one in enumerate(boxes):  # no two names overlap
        assert not any(one.overlaps(other) for other in boxes[i + 1 :])
    to_data = ax.transData.inverted()
    shapes = gminy.groupby("nazwa").geometry  # a town and its rural gmina share a name
    for text, extent in zip(labels, boxes, strict=True):
        assert text.get_path_effects()  # the white halo
        assert text.get_fontsize() >= min_font(maps.PRINT) - 0.01
        (x0, y0), (x1, y1) = to_data.transform([[extent.x0, extent.y0], [extent.x1, extent.y1]])
        label = box(x0, y0, x1, y1)
        same_name = shapes.get_group(text.get_text().replace("\n", " "))
        assert max(s.intersection(label).area for s in same_name) > 0.5 * label.area
    # the region's map names no gmina (213 names would not fit)
    region = maps.coverage_map(result, size=maps.SLIDE)
    assert not [t for t in region.axes[0].texts if t.get_text() in set(result.gminy["nazwa"])]


def test_report_shows_an_em_dash_for_no_neighbour_with_cis_kis(result) -> None:
    gaps = gap_table(result)
    alone = gaps[gaps["Sąsiednia gmina z CIS/KIS"] == ""].iloc[0]
    pdf = report.regional_report_pdf(result, dpi=DPI)
    lines = [line for page in pages_text(pdf) for line in page.splitlines()]
    row = next(line for line in lines if line.startswith(f"{alone['Gmina']} "))
    assert "—" in row


@pytest.fixture(scope="module")
def committee_extras(result) -> list[deck.Slide]:
    """The slides the pages add to the deck: the programme's monitoring and a saved scenario."""
    from geo.analysis import indicators as ind
    from geo.analysis.scenarios import Addition, WhatIf
    from geo.analysis.scenarios.saved import SavedScenario, to_json
    from geo.config import PROJECT_ROOT
    from geo.io.indicator_file import read_indicators
    from geo.print.monitoring import monitoring_slide
    from geo.print.scenario import saved_scenario_slide

    frame = read_indicators(PROJECT_ROOT / "data" / "wskazniki_przyklad.csv", ind.MEASURES)
    chosen = ind.IndicatorSet(ind.indicators_from_frame(frame), "PRZYKŁAD: plik", True, "p")
    watch = ind.monitor(
        result.region.gminy, result.entities, result.plans, result.as_of, chosen.indicators
    )
    gap = result.gminy.loc[result.gminy["pokrycie"] == "brak", "teryt"].iloc[0]
    saved = SavedScenario(result.as_of, WhatIf(15.0, (Addition(gap, "CIS"),), ()), {})
    return [
        monitoring_slide(result, watch, chosen),
        saved_scenario_slide(result, to_json(saved), "Plan 2027"),
    ]


def test_monitoring_slide_has_no_text_under_a_fortieth_of_its_height(
    result, committee_extras
) -> None:
    fig = deck.slide_figure(committee_extras[0], maps.SLIDE)
    assert fig is not None
    floor = min_font(tuple(fig.get_size_inches()))
    small = [
        (t.get_text(), t.get_fontsize())
        for t in _shown_texts(fig)
        if t.get_fontsize() < floor - 0.01
    ]
    assert small == []


def test_deck_with_monitoring_and_scenario_stays_legible(result, committee_extras) -> None:
    pdf = deck.presentation_pdf(result, dpi=DPI, extra=committee_extras)
    sizes = _font_sizes(pdf)
    assert len(sizes) == len(deck.build_slides(result)) + 2
    scenario_page = sizes[-1]
    assert scenario_page and min(scenario_page) >= SLIDE_HEIGHT_PT / 40 - 0.01
    last = pages_text(pdf)[-1]
    assert "Scenariusz: Plan 2027" in last and "gminy pokryte" in last
    assert f"strona {len(sizes)}/{len(sizes)}" in last
