"""The presentation for the Regional Committee: slides described once, drawn twice.

:func:`build_slides` says what each slide holds (figures, bullets, a table, a map or chart);
the app's presentation page draws the slides on screen and :func:`presentation_pdf` writes
them as a 16:9 PDF, one page per slide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from fpdf.enums import XPos, YPos
from matplotlib.figure import Figure

from geo.analysis.subregions import OWES
from geo.core.schema import ENTITY_TYPES
from geo.pipeline import CoverageResult
from geo.present.profile import fmt_date, fmt_int, lpres_source, sources_line
from geo.print import maps
from geo.print.figures import (
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
    column_widths,
    to_bytes,
)

__all__ = ["SLIDE_MM", "Slide", "build_slides", "presentation_pdf", "slide_figure"]

#: A 16:9 slide page in millimetres (13.33 x 7.5 in).
SLIDE_MM = (338.7, 190.5)
#: The map beside a slide's table: squarer than a slide, so it stays large.
_BESIDE_TABLE = (8.4, 6.9)
_CAPTION_MM = 10.0


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
    """

    key: str
    title: str
    subtitle: str = ""
    figures: list[tuple[str, str, str]] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None
    figure: Callable[[tuple[float, float]], Figure] | None = None
    caption: str = ""

    @property
    def is_map(self) -> bool:
        return self.figure is not None


def build_slides(result: CoverageResult) -> list[Slide]:
    """The presentation for the Regional Committee: overview, maps, gaps, LPRES, OWES, trend."""
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
            table=lpres_counts(result),
            figure=lambda size: maps.lpres_map(result, size=size),
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


def _gaps_slide(result: CoverageResult, stan: str, caption: str) -> Slide:
    gaps = gap_table(result)
    top = gap_display(gaps).head(12)[
        ["Gmina", "Rodzaj", "Powiat", "Ludność", "Do CIS/KIS, km", "Sąsiednia gmina z CIS/KIS"]
    ]
    return Slide(
        "najwieksze_luki",
        "Największe luki: gminy bez CIS/KIS o największej liczbie mieszkańców",
        f"{len(gaps)} gmin bez CIS/KIS, {fmt_int(gaps['Ludność'].sum())} mieszkańców · {stan}",
        table=top,
        caption=caption,
    )


def _subregion_slide(result: CoverageResult, stan: str, caption: str) -> Slide:
    owes = subregion_table(result, OWES)
    table = None
    bullets = ["Brak skonfigurowanych podregionów OWES: podregiony są nieznane."]
    if owes is not None:
        table = owes[
            ["Podregion", "Gminy", "Z CIS/KIS", "Gminy pokryte", "Ludność pokryta"]
        ].rename(columns={"Gminy pokryte": "% gmin", "Ludność pokryta": "% ludności"})
        bullets = []
    return Slide(
        "podregiony",
        "Podregiony OWES",
        stan,
        table=table,
        bullets=bullets,
        figure=lambda size: maps.subregion_map(result, size=size),
        caption=caption,
    )


def slide_figure(slide: Slide, size: tuple[float, float] = maps.SLIDE) -> Figure | None:
    """The slide's map or chart, or None."""
    return slide.figure(size) if slide.figure is not None else None


def presentation_pdf(result: CoverageResult, dpi: int = 150) -> bytes:
    """The whole deck as a 16:9 PDF: one page per slide (a map slide is the map itself)."""
    slides = build_slides(result)
    # fpdf2 takes a custom format as (width, height) of the page as given: no "L" swap.
    pdf = Document("", page=SLIDE_MM)
    pdf.set_title(f"{APP_NAME}: prezentacja, stan na {fmt_date(result.as_of)}")
    pdf.set_auto_page_break(False)
    for slide in slides:
        pdf.add_page()
        fig = slide_figure(slide, maps.SLIDE if slide.table is None else _BESIDE_TABLE)
        if fig is not None and slide.table is None:
            # The figure is the page: it carries its own title, legend and caption.
            pdf.set_y(0)
            pdf.figure(fig, pdf.w, dpi, x=0)
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
        pdf.multi_cell(left_w, 8, "• " + bullet, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
    if slide.table is not None and not slide.table.empty:
        widths = column_widths(pdf, slide.table, left_w, size=13)
        pdf.table(slide.table, widths, aligns=aligns(slide.table), size=13, max_rows=14)
    pdf.set_xy(pdf.l_margin, pdf.h - MARGIN - _CAPTION_MM + 3)
    pdf.set_font(FONT, "", 9.5)
    pdf.multi_cell(0, 4.2, slide.caption, align="L")


def _slide_title(pdf: Document, slide: Slide) -> None:
    pdf.set_y(MARGIN)
    pdf.set_font(FONT, "B", 26)
    pdf.multi_cell(0, 12, slide.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if slide.subtitle:
        pdf.set_font(FONT, "", 15)
        pdf.multi_cell(0, 8, slide.subtitle, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _slide_map(pdf: Document, fig: Figure, top: float, dpi: int) -> float:
    """The map (with its own legend and caption) on the right; the width left for text."""
    w_in, h_in = fig.get_size_inches()
    avail_h = pdf.h - top - MARGIN - _CAPTION_MM
    width = min(pdf.content_width * 0.56, avail_h * w_in / h_in)
    pdf.set_y(top)
    pdf.figure(fig, width, dpi, x=pdf.w - MARGIN - width)
    pdf.set_y(top)
    return pdf.content_width - width - 6


def _figure_boxes(pdf: Document, figures: list[tuple[str, str, str]], top: float) -> None:
    """Up to four headline figures, large, in grey boxes across the slide."""
    gap = 6.0
    box_w = (pdf.content_width - 3 * gap) / 4
    for i, (value, label, note) in enumerate(figures[:4]):
        x = pdf.l_margin + i * (box_w + gap)
        pdf.set_fill_color(*GREY_FILL)
        pdf.rect(x, top, box_w, 58, style="F")
        pdf.set_xy(x + 4, top + 4)
        pdf.set_font(FONT, "B", 34)
        pdf.cell(box_w - 8, 16, value)
        pdf.set_xy(x + 4, top + 22)
        pdf.set_font(FONT, "", 16)
        pdf.multi_cell(box_w - 8, 7.5, label, align="L")
        pdf.set_xy(x + 4, top + 41)
        pdf.set_font(FONT, "", 11)
        pdf.multi_cell(box_w - 8, 5, note, align="L")
    pdf.set_y(top + 66)
