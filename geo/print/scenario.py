"""A planning scenario on one 16:9 slide: the map of what changes and the key figures.

:func:`scenario_slide` describes the slide as the deck does (:class:`geo.print.deck.Slide`),
so the presentation page can show it beside the others; :func:`scenario_pdf` writes it as a
one-page PDF. Legibility on a projected slide: no text smaller than the slide's height / 40
(:data:`MIN_TEXT_PT`); the map is drawn at the size it is placed, so its legend keeps that
size too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from fpdf.enums import XPos, YPos
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from geo.analysis.scenarios.saved import SavedScenario, from_json
from geo.analysis.scenarios.sites import ScenarioError
from geo.analysis.scenarios.whatif import WhatIfResult, what_if
from geo.core.crs import METRIC_CRS
from geo.core.schema import SOCIAL_EMPLOYMENT_TYPES
from geo.pipeline import CoverageResult
from geo.present.profile import fmt_date, fmt_int, sources_line
from geo.present.styles import SCENARIO_CHANGE
from geo.print.deck import SLIDE_MM, Slide
from geo.print.layout import TEXT_COLOR, print_style
from geo.print.legend import GMINA_EDGE, POWIAT_EDGE, class_patch
from geo.print.pdf import APP_NAME, FONT, GREY_FILL, MARGIN, Document, fit, to_bytes

__all__ = [
    "MAP_MM",
    "MIN_TEXT_PT",
    "saved_scenario_slide",
    "scenario_figure",
    "scenario_pdf",
    "scenario_slide",
]

_MM_PER_PT = 25.4 / 72
#: The smallest text on the slide: its height / 40, in points (13.5 pt on 190.5 mm).
MIN_TEXT_PT = SLIDE_MM[1] / 40 / _MM_PER_PT
_BODY_PT = 15.0
_TITLE_PT = 26.0
_VALUE_PT = 24.0
_CAPTION_LINE_MM = 6.2
_TOP_MM = 38.0
#: The map's place on the slide (right side, below the title, above the caption).
MAP_MM = (195.0, 126.0)


def _figures(whatif: WhatIfResult) -> list[tuple[str, str, str]]:
    t = whatif.totals
    return [
        (f"{t['pokryte_przed']} → {t['pokryte_po']}", "gminy pokryte", f"z {t['gminy']} gmin"),
        (
            f"{fmt_int(t['ludnosc_pokryta_przed'])} → {fmt_int(t['ludnosc_pokryta_po'])}",
            "mieszkańcy gmin pokrytych",
            f"z {fmt_int(t['ludnosc'])}",
        ),
        (f"{t['luki_przed']} → {t['luki_po']}", "luki: gminy bez pokrycia", ""),
        (f"+{len(whatif.sites)} / −{len(whatif.closed)}", "nowe / zamknięte CIS i KIS", ""),
    ]


def _site_points(whatif: WhatIfResult) -> gpd.GeoSeries:
    points = gpd.points_from_xy(whatif.sites["lon"], whatif.sites["lat"], crs="EPSG:4326")
    return gpd.GeoSeries(points).to_crs(METRIC_CRS)


def _existing_points(result: CoverageResult, whatif: WhatIfResult) -> gpd.GeoSeries:
    """CIS/KIS counted on the date and not closed by the scenario."""
    entities = result.entities
    keep = entities["typ"].isin(SOCIAL_EMPLOYMENT_TYPES) & entities["uwzgledniony"].astype(bool)
    if "aktywny" in entities:
        keep &= entities["aktywny"].astype(bool)
    if not whatif.closed.empty:
        keep &= ~entities.index.isin(whatif.closed.index)
    shapes = entities.geometry[keep]
    return shapes[shapes.notna()].to_crs(METRIC_CRS)


#: The legend's site symbols: marker, size relative to the text, fill, label (as drawn).
_SITE_MARKERS = (
    ("*", 1.4, "#ffd92f", "nowy CIS/KIS"),
    ("o", 0.7, "white", "działający CIS/KIS"),
    ("X", 0.8, "#b2182b", "zamykany CIS/KIS"),
)


def _legend_handles(counts: pd.Series, k: float) -> list[Artist]:
    handles: list[Artist] = [
        class_patch(style, int(counts.get(style.key, 0))) for style in SCENARIO_CHANGE
    ]
    size = 11 * k
    handles += [
        Line2D([], [], ls="", marker=marker, ms=size * scale, mfc=fill, mec="black", label=label)
        for marker, scale, fill, label in _SITE_MARKERS
    ]
    return handles


@print_style
def scenario_figure(
    result: CoverageResult, whatif: WhatIfResult, size: tuple[float, float] | None = None
) -> Figure:
    """The map of the scenario: gminas by change, powiat outlines, new, kept and closed sites.

    ``size`` in inches; default :data:`MAP_MM`, the size it has on the slide, so that the
    legend's text is exactly as large as set here (at least :data:`MIN_TEXT_PT`).
    """
    width, height = size or (MAP_MM[0] / 25.4, MAP_MM[1] / 25.4)
    k = width / (MAP_MM[0] / 25.4)
    fig = Figure(figsize=(width, height), facecolor="white")
    ax = fig.add_axes((0.0, 0.0, 0.56, 1.0))
    ax.set_axis_off()
    gminy = result.gminy[["teryt", "powiat", "geometry"]].to_crs(METRIC_CRS)
    change = gminy["teryt"].map(whatif.gminy.set_index("teryt")["zmiana"])
    for style in SCENARIO_CHANGE:
        part = gminy[change.to_numpy() == style.key]
        if len(part):
            part.plot(
                ax=ax,
                color=style.color,
                edgecolor=GMINA_EDGE if style.hatch is None else style.hatch_color,
                linewidth=0.3,
                hatch=style.hatch,
            )
    gminy.dissolve("powiat").boundary.plot(ax=ax, color=POWIAT_EDGE, linewidth=0.9)
    existing = _existing_points(result, whatif)
    if len(existing):
        xy = shapely.get_coordinates(existing.to_numpy())
        ax.scatter(xy[:, 0], xy[:, 1], s=(7 * k) ** 2, c="white", edgecolors="black", zorder=4)
    if len(whatif.closed):
        shapes = result.entities.geometry.loc[whatif.closed.index]
        xy = shapely.get_coordinates(shapes[shapes.notna()].to_crs(METRIC_CRS).to_numpy())
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=(9 * k) ** 2,
            marker="X",
            c="#b2182b",
            edgecolors="black",
            zorder=5,
        )
    if len(whatif.sites):
        xy = shapely.get_coordinates(_site_points(whatif).to_numpy())
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=(15 * k) ** 2,
            marker="*",
            c="#ffd92f",
            edgecolors="black",
            linewidths=0.8,
            zorder=6,
        )
    minx, miny, maxx, maxy = gminy.total_bounds
    pad = 0.02 * max(maxx - minx, maxy - miny)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("")  # geopandas names the CRS axes; hidden, but no text left to mislead
    ax.set_ylabel("")
    fig.legend(
        handles=_legend_handles(change.value_counts(), k),
        loc="center left",
        bbox_to_anchor=(0.58, 0.5),
        fontsize=_BODY_PT * k,
        frameon=False,
        labelcolor=TEXT_COLOR,
        handlelength=1.4,
        borderaxespad=0.0,
    )
    return fig


def scenario_slide(
    result: CoverageResult, whatif: WhatIfResult, name: str, scenario: SavedScenario
) -> Slide:
    """The scenario as a slide of the deck (for the presentation page and :func:`scenario_pdf`).

    ``result`` is the coverage on the scenario's date the what-if was evaluated against.
    """
    stan = f"stan na {fmt_date(scenario.as_of)}"
    rule = "pokrycie: CIS/KIS w gminie lub porozumienie"
    if scenario.whatif.count_within_km:
        rule += f" lub CIS/KIS do {scenario.whatif.within_km:g} km"
    sample = " · DANE PRZYKŁADOWE, NIEKOMPLETNE" if result.registry.is_sample else ""
    draw: Callable[[tuple[float, float]], Figure] = lambda size: scenario_figure(  # noqa: E731
        result, whatif, size
    )
    slide = Slide(
        "scenariusz",
        f"Scenariusz: {name or 'niezapisany'}",
        f"{stan} · {rule}{sample}",
        figures=_figures(whatif),
        figure=draw,
        caption=f"{sources_line(result)} · przed → po zmianach scenariusza",
    )
    # the deck's PDF draws this slide as scenario_pdf does: figures left, map right
    slide.pdf_page = lambda pdf, dpi: _page(pdf, slide, result, whatif, dpi)
    return slide


def saved_scenario_slide(result: CoverageResult, definition: Any, name: str) -> Slide:
    """The slide of a saved scenario (``definition``: the JSON object the store keeps, e.g.
    ``store.load_scenario(name).definition``), evaluated against ``result``, the coverage on
    the scenario's own "stan na" date (:class:`ScenarioError` for another date)."""
    saved = from_json(definition)
    if saved.as_of != result.as_of:
        raise ScenarioError(
            f"scenariusz „{name}” dotyczy stanu na {fmt_date(saved.as_of)}, "
            f"a wybrano {fmt_date(result.as_of)}; wybierz datę scenariusza"
        )
    whatif = what_if(result.gminy, result.entities, result.as_of, saved.whatif)
    return scenario_slide(result, whatif, name, saved)


def _title(pdf: Document, slide: Slide) -> None:
    pdf.set_xy(MARGIN, MARGIN)
    pdf.set_font(FONT, "B", _TITLE_PT)
    pdf.cell(0, 12, _fit(pdf, slide.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", _BODY_PT)
    pdf.cell(0, 8, _fit(pdf, slide.subtitle), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _fit(pdf: Document, text: str) -> str:
    return fit(pdf, text, pdf.content_width)


def _boxes(pdf: Document, figures: list[tuple[str, str, str]], width: float) -> None:
    """The key figures stacked in grey boxes on the left."""
    gap = 3.0
    box_h = (MAP_MM[1] - 3 * gap) / 4
    for i, (value, label, note) in enumerate(figures[:4]):
        y = _TOP_MM + i * (box_h + gap)
        pdf.set_fill_color(*GREY_FILL)
        pdf.rect(MARGIN, y, width, box_h, style="F")
        pdf.set_xy(MARGIN + 3, y + 2)
        pdf.set_font(FONT, "B", _VALUE_PT)
        pdf.cell(width - 6, 11, value)
        pdf.set_font(FONT, "", _BODY_PT)
        for line, text in enumerate(t for t in (label, note) if t):
            pdf.set_xy(MARGIN + 3, y + 13.5 + 6.5 * line)
            pdf.cell(width - 6, 6.5, fit(pdf, text, width - 6))


def _caption(pdf: Document, text: str) -> None:
    pdf.set_font(FONT, "", MIN_TEXT_PT + 0.5)
    top = pdf.h - MARGIN - 2 * _CAPTION_LINE_MM
    pdf.set_xy(MARGIN, top)
    pdf.multi_cell(
        pdf.content_width, _CAPTION_LINE_MM, text, align="L", max_line_height=_CAPTION_LINE_MM
    )


def scenario_pdf(
    result: CoverageResult,
    whatif: WhatIfResult,
    name: str,
    scenario: SavedScenario,
    dpi: int = 150,
) -> bytes:
    """The scenario as one landscape 16:9 page: key figures left, map right, sources below."""
    slide = scenario_slide(result, whatif, name, scenario)
    pdf = Document("", page=SLIDE_MM)
    pdf.set_title(f"{APP_NAME}: {slide.title}, {slide.subtitle}")
    pdf.set_auto_page_break(False)
    pdf.footer = lambda: None  # type: ignore[method-assign]  # the caption carries the sources
    pdf.add_page()
    _page(pdf, slide, result, whatif, dpi)
    return to_bytes(pdf)


def _page(
    pdf: Document, slide: Slide, result: CoverageResult, whatif: WhatIfResult, dpi: int
) -> None:
    """The slide on the current 16:9 page: title, key figures left, map right, sources."""
    _title(pdf, slide)
    left_w = pdf.content_width - MAP_MM[0] - 6
    _boxes(pdf, slide.figures, left_w)
    fig = scenario_figure(result, whatif)
    pdf.set_y(_TOP_MM)
    pdf.figure(fig, MAP_MM[0], dpi, x=pdf.w - MARGIN - MAP_MM[0])
    _caption(pdf, slide.caption)


def changed_counts(whatif: WhatIfResult) -> dict[str, int]:
    """How many gminas fall in each change class (for captions and tests)."""
    counts = whatif.gminy["zmiana"].value_counts()
    return {style.key: int(counts.get(style.key, 0)) for style in SCENARIO_CHANGE}
