"""The presentation for the Regional Committee: slides described once, drawn twice.

:func:`build_slides` says what each slide holds (figures, bullets, a table, a map or chart);
the app's presentation page draws the slides on screen and :func:`presentation_pdf` writes
them as a 16:9 PDF, one page per slide.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd
from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos
from matplotlib.figure import Figure

from geo.analysis.subregions import OWES
from geo.core.plural import count
from geo.core.schema import ENTITY_TYPES
from geo.pipeline import CoverageResult
from geo.present.profile import fmt_date, fmt_int, lpres_source, sources_line
from geo.print import maps
from geo.print.figures import (
    EMPTY,
    dash_empty,
    gap_display,
    gap_table,
    headline_figures,
    lpres_counts,
    lpres_notes,
    subregion_table,
    trend_figure,
)
from geo.print.pdf import (
    APP_NAME,
    FONT,
    GREY_FILL,
    MARGIN,
    SAMPLE_WARNING,
    Document,
    aligns,
    cell_text,
    to_bytes,
)

__all__ = [
    "BESIDE_TABLE",
    "MIN_PT",
    "SLIDE_MM",
    "Slide",
    "build_slides",
    "presentation_pdf",
    "slide_figure",
]

#: A 16:9 slide page in millimetres (13.33 x 7.5 in).
SLIDE_MM = (338.7, 190.5)
#: The map beside a slide's table: squarer than a slide, so it stays large.
BESIDE_TABLE = (8.4, 5.8)
#: The smallest type in the deck: 1/40 of the slide's height (7.5 in = 540 pt), readable from
#: the back of a room.
MIN_PT = SLIDE_MM[1] / 25.4 * 72 / 40
TABLE_PT = 15.0
_FOOTER_MM = 11.0  # the bottom band: caption and page number
_NUMBER_MM = 34.0


@dataclass
class Slide:
    """One slide of the presentation, drawn by the app page and by :func:`presentation_pdf`.

    Attributes
    ----------
    key : str
        Stable identifier (``przeglad``, ``pokrycie``, ``luki``, ...).
    title, subtitle : str
    figures : list of (value, label, note)
        Headline figures shown large.
    bullets : list of str
    table : pandas.DataFrame or None
        Display-ready table (strings).
    figure : callable or None
        Draws the slide's chart or map at a given size (a matplotlib Figure); None when the
        slide has none or its data is not available.
    caption : str
        Source and date.
    pdf_page : callable or None
        Draws the slide's whole PDF page itself (``pdf_page(pdf, dpi)`` on a new 16:9 page of
        :func:`presentation_pdf`), for a slide with a layout of its own (a scenario); None:
        the deck's layouts.
    """

    key: str
    title: str
    subtitle: str = ""
    figures: list[tuple[str, str, str]] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None
    figure: Callable[[tuple[float, float]], Figure] | None = None
    caption: str = ""
    pdf_page: Callable[[Document, int], None] | None = None

    @property
    def is_map(self) -> bool:
        return self.figure is not None


def build_slides(result: CoverageResult, extra: Sequence[Slide] = ()) -> list[Slide]:
    """The presentation for the Regional Committee: overview, maps, gaps, LPRES, OWES, trend.

    ``extra`` slides come last, in their order: slides whose data this module does not read
    (the programme's indicators and a saved scenario live in the store), made by
    :func:`geo.print.monitoring.monitoring_slide` and
    :func:`geo.print.scenario.saved_scenario_slide`.
    """
    stan = f"stan na {fmt_date(result.as_of)}"
    caption = sources_line(result)
    return [
        _overview_slide(result, stan, caption),
        Slide(
            "pokrycie",
            "Pokrycie gmin przez CIS i KIS",
            stan,
            figure=lambda size: maps.coverage_map(result, size=size),
            caption=caption,
        ),
        Slide(
            "luki",
            "Luki: gminy bez CIS/KIS",
            stan,
            figure=lambda size: maps.distance_map(result, size=size),
            caption=caption,
        ),
        _gaps_slide(result, stan, caption),
        Slide(
            "lpres",
            "Lokalne plany rozwoju ekonomii społecznej (LPRES)",
            stan,
            bullets=lpres_notes(result),
            table=dash_empty(lpres_counts(result)),
            figure=lambda size: maps.lpres_map(
                result, size=size, title="", subtitle="", caption="", large_type=True
            ),
            caption=f"{caption} · {lpres_source(result)}",
        ),
        _subregion_slide(result, stan, caption),
        Slide(
            "trend",
            "Trend: gminy z CIS/KIS w kolejnych latach",
            stan,
            figure=lambda size: trend_figure(result, size),
            caption=caption,
        ),
        *extra,
    ]


def _overview_slide(result: CoverageResult, stan: str, caption: str) -> Slide:
    summary = result.summary
    types = ", ".join(
        f"{code} {summary[code.lower()]}" for code in ENTITY_TYPES if summary[code.lower()]
    )
    bullets = [
        "Model Lokalnej Współpracy: w każdej gminie co najmniej jeden CIS lub KIS.",
        f"Podmioty ekonomii społecznej według typu: {types or 'brak'}.",
    ]
    if result.registry.is_sample:
        bullets.append(SAMPLE_WARNING)
    return Slide(
        "przeglad",
        f"Ekonomia społeczna: {result.region.name}",
        f"Najważniejsze liczby · {stan}",
        figures=headline_figures(summary, result.as_of),
        bullets=bullets,
        caption=caption,
    )


#: Rows of the largest gaps: at 18 px (1/40 of 720) eight rows and a title fill a screen.
GAP_ROWS = 8


def _gaps_slide(result: CoverageResult, stan: str, caption: str) -> Slide:
    gaps = gap_table(result)
    # Fewer columns rather than text cut with "…": the powiat is left to the report.
    top = dash_empty(
        gap_display(gaps).head(GAP_ROWS)[
            ["Gmina", "Rodzaj", "Ludność", "Do CIS/KIS, km", "Sąsiednia gmina z CIS/KIS"]
        ]
    )
    return Slide(
        "najwieksze_luki",
        "Największe luki: gminy bez CIS/KIS o największej liczbie mieszkańców",
        f"{count(len(gaps), 'gmina', 'gminy', 'gmin')} bez CIS/KIS, "
        f"{_residents(int(gaps['Ludność'].sum()))} · {stan}",
        table=top,
        caption=caption,
    )


def _residents(n: int) -> str:
    return count(n, "mieszkaniec", "mieszkańcy", "mieszkańców", shown=fmt_int(n))


def _subregion_slide(result: CoverageResult, stan: str, caption: str) -> Slide:
    owes = subregion_table(result, OWES)
    table = None
    bullets = ["Brak skonfigurowanych podregionów OWES: podregiony są nieznane."]
    if owes is not None:
        table = owes[
            ["Podregion", "Gminy", "Z CIS/KIS", "Gminy pokryte", "Ludność pokryta"]
        ].rename(columns={"Gminy pokryte": "% gmin", "Ludność pokryta": "% ludności"})
        table = dash_empty(table)
        bullets = []
    return Slide(
        "podregiony",
        "Podregiony OWES",
        stan,
        table=table,
        bullets=bullets,
        figure=lambda size: maps.subregion_map(
            result, size=size, title="", subtitle="", caption="", large_type=True
        ),
        caption=caption,
    )


def slide_figure(slide: Slide, size: tuple[float, float] = maps.SLIDE) -> Figure | None:
    """The slide's map or chart, or None."""
    return slide.figure(size) if slide.figure is not None else None


class _DeckDocument(Document):
    """The deck's pages: the page number large in the bottom corner, nothing else there."""

    def footer(self) -> None:
        self.set_xy(self.w - MARGIN - _NUMBER_MM, self.h - _FOOTER_MM)
        self.set_font(FONT, "", MIN_PT)
        self.set_text_color(80, 80, 80)
        self.cell(_NUMBER_MM, 6, self.page_of_pages(), align="R")
        self.set_text_color(0, 0, 0)


def presentation_pdf(result: CoverageResult, dpi: int = 150, extra: Sequence[Slide] = ()) -> bytes:
    """The whole deck as a 16:9 PDF: one page per slide (a map slide is the map itself);
    ``extra``: slides added at the end (see :func:`build_slides`).

    No text is smaller than :data:`MIN_PT` (1/40 of the slide's height) and nothing is cut
    with "…": table cells wrap, and the slides' tables have few columns.
    """
    slides = build_slides(result, extra)
    # fpdf2 takes a custom format as (width, height) of the page as given: no "L" swap.
    pdf = _DeckDocument("", page=SLIDE_MM)
    pdf.set_title(f"{APP_NAME}: prezentacja, stan na {fmt_date(result.as_of)}")
    pdf.set_auto_page_break(False)
    for slide in slides:
        pdf.add_page()
        if slide.pdf_page is not None:
            slide.pdf_page(pdf, dpi)
            continue
        fig = slide_figure(slide, maps.SLIDE if slide.table is None else BESIDE_TABLE)
        if fig is not None and slide.table is None:
            # The figure is the page (its own title, legend and caption), above the number.
            height = pdf.h - _FOOTER_MM
            width = height * SLIDE_MM[0] / SLIDE_MM[1]
            pdf.set_y(0)
            pdf.figure(fig, width, dpi, x=(pdf.w - width) / 2)
            continue
        _slide_page(pdf, slide, fig, dpi)
    return to_bytes(pdf)


def _slide_page(pdf: Document, slide: Slide, fig: Figure | None, dpi: int) -> None:
    """A slide of text: title, figures, bullets and table, the map (if any) on the right."""
    _slide_title(pdf, slide)
    top = pdf.get_y()
    left_w = pdf.content_width
    if fig is not None:
        left_w = _slide_map(pdf, fig, top, dpi)
    if slide.figures:
        _figure_boxes(pdf, slide.figures, top)
    for bullet in slide.bullets:
        pdf.set_font(FONT, "B" if bullet.startswith("DANE PRZYKŁADOWE") else "", 16)
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(left_w, 7.5, "• " + bullet, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.5)
    if slide.table is not None and not slide.table.empty:
        pdf.ln(2)
        _table(pdf, slide.table, left_w)
    _caption(pdf, slide.caption)


def _table(pdf: Document, table: pd.DataFrame, width: float) -> None:
    """The slide's table at :data:`MIN_PT` or more; long cells wrap instead of being cut."""
    widths = _column_widths(pdf, table, width)
    # "—" (no value) in a column of numbers keeps the column right-aligned
    align = ["RIGHT" if a == "R" else "LEFT" for a in aligns(table.replace(EMPTY, ""))]
    heading = FontFace(emphasis="BOLD", fill_color=GREY_FILL)
    # fpdf2's own table (Document.table cuts long text with "…" for dense reports).
    with FPDF.table(
        pdf,
        width=width,
        col_widths=widths,
        text_align=align,
        align="LEFT",
        line_height=TABLE_PT * 0.5,
        headings_style=heading,
        borders_layout="HORIZONTAL_LINES",
        padding=(1, 1.5),
    ) as grid:
        for values in [list(table.columns), *table.itertuples(index=False)]:
            row = grid.row()
            for value in values:
                row.cell(cell_text(value))


def _column_widths(pdf: Document, table: pd.DataFrame, total: float) -> list[float]:
    """Widths summing to ``total``: each column's longest text if they fit, else narrower
    columns but never below their longest word (cells wrap between words, not inside them).
    """
    pad = 2 * 1.5 + 1

    def widest(texts: list[str], style: str, words: bool) -> float:
        pdf.set_font(FONT, style, TABLE_PT)
        parts = [w for t in texts for w in t.split()] if words else texts
        return max((pdf.get_string_width(p) for p in parts), default=0.0) + pad

    natural, least = [], []
    for col in table.columns:
        cells = [cell_text(v) for v in table[col]]
        natural.append(max(widest([str(col)], "B", False), widest(cells, "", False)))
        least.append(max(widest([str(col)], "B", True), widest(cells, "", True)))
    excess = sum(natural) - total
    if excess <= 0:
        return [w * total / sum(natural) for w in natural]
    give = [n - m for n, m in zip(natural, least, strict=True)]
    room = sum(give) or 1.0
    return [n - excess * g / room for n, g in zip(natural, give, strict=True)]


def _caption(pdf: Document, caption: str) -> None:
    """The slide's source line above the bottom edge, beside the page number."""
    pdf.set_font(FONT, "", MIN_PT)
    width = pdf.content_width - _NUMBER_MM - 4
    wrapped = pdf.multi_cell(width, 6, caption, dry_run=True, output="LINES")
    lines = len(wrapped) if isinstance(wrapped, list) else 1
    pdf.set_xy(pdf.l_margin, pdf.h - _FOOTER_MM + 6 - lines * 6)
    pdf.set_text_color(60, 60, 60)
    pdf.multi_cell(width, 6, caption, align="L")
    pdf.set_text_color(0, 0, 0)


def _slide_title(pdf: Document, slide: Slide) -> None:
    pdf.set_y(MARGIN - 2)
    pdf.set_font(FONT, "B", 26)
    pdf.multi_cell(0, 11.5, slide.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if slide.subtitle:
        pdf.set_font(FONT, "", 16)
        pdf.multi_cell(0, 8, slide.subtitle, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _slide_map(pdf: Document, fig: Figure, top: float, dpi: int) -> float:
    """The map (with its own legend) on the right; the width left for text."""
    w_in, h_in = fig.get_size_inches()
    avail_h = pdf.h - top - _FOOTER_MM - 8
    width = min(pdf.content_width * 0.5, avail_h * w_in / h_in)
    pdf.set_y(top)
    pdf.figure(fig, width, dpi, x=pdf.w - MARGIN - width)
    pdf.set_y(top)
    return pdf.content_width - width - 6


def _figure_boxes(pdf: Document, figures: list[tuple[str, str, str]], top: float) -> None:
    """Up to four headline figures, large, in grey boxes across the slide."""
    gap = 6.0
    box_w = (pdf.content_width - 3 * gap) / 4
    height = 64.0
    for i, (value, label, note) in enumerate(figures[:4]):
        x = pdf.l_margin + i * (box_w + gap)
        pdf.set_fill_color(*GREY_FILL)
        pdf.rect(x, top, box_w, height, style="F")
        pdf.set_xy(x + 4, top + 3)
        pdf.set_font(FONT, "B", 34)
        pdf.cell(box_w - 8, 16, value)
        pdf.set_xy(x + 4, top + 21)
        pdf.set_font(FONT, "", 16)
        pdf.multi_cell(box_w - 8, 7, label, align="L")
        pdf.set_xy(x + 4, pdf.get_y() + 1.5)
        pdf.set_font(FONT, "", MIN_PT)
        pdf.multi_cell(box_w - 8, 6, note, align="L")
    pdf.set_y(top + height + 6)
