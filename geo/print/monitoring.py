"""Programme monitoring for the Regional Committee: a 16:9 slide and a report section.

Each indicator is one row: its name, baseline and target, a bar of the way from the baseline
(left end) to the target (right end) filled up to the current value, a tick where the
straight path says the value should be this year, the value and its status (a symbol and a
word, legible in black-and-white print). The numbers come from
:func:`geo.analysis.indicators.monitor`; the caption carries the sources, the date and the
caveat about missing dates in the registry.

Functions for other views: :func:`monitoring_figure` (the slide as a matplotlib figure),
:func:`monitoring_slide` (a :class:`geo.print.deck.Slide` for the committee deck),
:func:`monitoring_section` (pages of a report :class:`geo.print.pdf.Document`) and
:func:`monitoring_pdf` (a stand-alone A4 document).
"""

from __future__ import annotations

import math
from typing import Final

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from geo.analysis.indicators import IndicatorSet, Monitoring
from geo.core.plural import count
from geo.pipeline import CoverageResult
from geo.present import styles
from geo.present.formatting import fmt_date, fmt_int, fmt_num
from geo.present.sources import sources_line
from geo.print.deck import Slide
from geo.print.layout import LEGIBLE, SLIDE, TEXT_COLOR, print_style, type_scale, wrap
from geo.print.pdf import APP_NAME, SAMPLE_WARNING, Document, column_widths, to_bytes

__all__ = [
    "MAX_SLIDE_ROWS",
    "display_table",
    "monitoring_caption",
    "monitoring_figure",
    "monitoring_pdf",
    "monitoring_section",
    "monitoring_slide",
    "value_text",
]

#: Indicators on one slide (more would not be legible from the back of a room).
MAX_SLIDE_ROWS: Final = 5
_STATUS = styles.by_key(styles.MONITORING)
_TRACK = "#e0e0e0"
_PATH = "#1a1a1a"
#: The smallest type on the slide (points at 16:9 size): 1/40 of its height, legible from
#: the back of a meeting room like the rest of the deck.
_SMALLEST: Final = SLIDE[1] * 72 * LEGIBLE


def _more(n: int) -> str:
    """``n`` indicators left off the slide, with the noun's Polish plural form."""
    return count(n, "dalszy wskaźnik", "dalsze wskaźniki", "dalszych wskaźników")


def value_text(value: object, unit: str) -> str:
    """A measure's value as the views show it: Polish separators, "–" when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    number = float(value)  # type: ignore[arg-type]
    if unit == "%":
        return fmt_num(number) + "\u00a0%"
    if number.is_integer():
        return fmt_int(number)
    return fmt_num(number, 2)


def monitoring_caption(result: CoverageResult, watch: Monitoring, chosen: IndicatorSet) -> str:
    """Sources, date, where the indicators come from and how complete the dates are."""
    known = watch.completeness
    return (
        f"{sources_line(result)} · Wskaźniki: {chosen.label} · Historia tak pełna jak daty w "
        f"rejestrze: {known['bez_daty_rozpoczecia']} z {known['podmioty']} podmiotów bez daty "
        "rozpoczęcia (liczone w każdym roku)."
    )


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The monitoring table with Polish headers and formatted values (text cells)."""
    units = table["jednostka"].astype(str)
    out = pd.DataFrame(
        {
            "Wskaźnik": table["nazwa"].astype(str),
            "Bazowa (rok)": [
                f"{value_text(v, u)} ({y})"
                for v, u, y in zip(table["wartosc_bazowa"], units, table["rok_bazowy"], strict=True)
            ],
            "Cel (rok)": [
                f"{value_text(v, u)} ({y})"
                for v, u, y in zip(
                    table["wartosc_docelowa"], units, table["rok_docelowy"], strict=True
                )
            ],
            "Wartość": [value_text(v, u) for v, u in zip(table["wartosc"], units, strict=True)],
            "Ścieżka": [value_text(v, u) for v, u in zip(table["sciezka"], units, strict=True)],
            "Ocena": [_STATUS[s].label for s in table["status"]],
        }
    )
    return out


def _progress(row: pd.Series) -> tuple[float | None, float | None]:
    """Shares of the way from baseline (0) to target (1): the value's and the path's."""
    span = float(row["wartosc_docelowa"]) - float(row["wartosc_bazowa"])
    years = int(row["rok_docelowy"]) - int(row["rok_bazowy"])
    value = float(row["wartosc"])
    done = None if math.isnan(value) or span == 0 else (value - row["wartosc_bazowa"]) / span
    if span == 0 and not math.isnan(value):
        done = 1.0 if value >= row["wartosc_docelowa"] else 0.0
    year = row["rok"]
    path = None
    if year is not None and not pd.isna(year) and int(year) >= int(row["rok_bazowy"]):
        path = 1.0 if years <= 0 else min(1.0, (int(year) - int(row["rok_bazowy"])) / years)
    return done, path


def _text(target: Axes | Figure, x: float, y: float, text: str, **style: object) -> None:
    """Text drawn as written: names and sources come from files, so "$" is never math."""
    target.text(x, y, text, parse_math=False, **style)  # type: ignore[arg-type]


def _row(ax: Axes, y: float, row: pd.Series, k: float, first: bool) -> None:
    """One indicator: texts left, the progress bar in the middle, value and status right."""
    unit = str(row["jednostka"])
    # a long name grows upwards, away from the baseline line below it
    _text(
        ax,
        0.0,
        y - 0.02,
        wrap(str(row["nazwa"]), 46),
        fontsize=15 * k,
        fontweight="bold",
        va="bottom",
        color=TEXT_COLOR,
        linespacing=1.05,
    )
    baseline = f"{value_text(row['wartosc_bazowa'], unit)} ({row['rok_bazowy']})"
    target = f"{value_text(row['wartosc_docelowa'], unit)} ({row['rok_docelowy']})"
    _text(
        ax,
        0.0,
        y - 0.08,
        f"baza {baseline} \u2192 cel {target}",
        fontsize=_SMALLEST * k,
        va="top",
        color="#333333",
    )
    left, width = 0.40, 0.33
    status = _STATUS[str(row["status"])]
    ax.add_patch(Rectangle((left, y - 0.17), width, 0.34, color=_TRACK, lw=0))
    done, path = _progress(row)
    if done is not None:
        ax.add_patch(
            Rectangle(
                (left, y - 0.17),
                width * max(0.0, min(1.0, done)),
                0.34,
                facecolor=status.color,
                edgecolor=status.hatch_color,
                lw=0.6,
                hatch=status.hatch,
            )
        )
    ax.add_patch(Rectangle((left, y - 0.17), width, 0.34, fill=False, ec="#737373", lw=0.8))
    if path is not None:
        x = left + width * path
        ax.plot([x, x], [y - 0.32, y + 0.32], color=_PATH, lw=2.2)
        if first:
            _text(ax, x, y + 0.36, "ścieżka", fontsize=_SMALLEST * k, ha="center", va="bottom")
    _text(
        ax,
        0.76,
        y,
        value_text(row["wartosc"], unit),
        fontsize=20 * k,
        fontweight="bold",
        va="center",
        color=TEXT_COLOR,
    )
    _text(
        ax,
        0.86,
        y,
        status.label,
        fontsize=14 * k,
        va="center",
        color=TEXT_COLOR,
        bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": status.color, "lw": 2.0},
    )


@print_style
def monitoring_figure(
    result: CoverageResult,
    watch: Monitoring,
    chosen: IndicatorSet,
    size: tuple[float, float] = SLIDE,
) -> Figure:
    """The committee slide: every indicator (up to :data:`MAX_SLIDE_ROWS`) against its target.

    Returns
    -------
    matplotlib.figure.Figure
        Use :func:`geo.print.layout.to_png` for the image.
    """
    fig = Figure(figsize=size, facecolor="white")
    k = type_scale(size)
    _text(
        fig,
        0.02,
        0.965,
        "Monitoring programu: wskaźniki wobec celów",
        fontsize=24 * k,
        fontweight="bold",
        va="top",
        color=TEXT_COLOR,
    )
    sample = " · WSKAŹNIKI PRZYKŁADOWE" if chosen.is_sample else ""
    _text(
        fig,
        0.02,
        0.885,
        f"{result.region.name} · stan na {fmt_date(result.as_of)}{sample}\n"
        "Pasek: od wartości bazowej (lewy koniec) do celu (prawy koniec); kreska: gdzie "
        "wartość powinna być teraz na prostej drodze do celu",
        fontsize=14 * k,
        va="top",
        color="#333333",
        linespacing=1.4,
    )
    table = watch.table
    shown = table.head(MAX_SLIDE_ROWS)
    more = len(table) - len(shown)
    # the caption (as many lines as the sources need) and the "more" line set the rows' room
    width = int(size[0] * 72 / (_SMALLEST * k * 0.58))
    caption = wrap(monitoring_caption(result, watch, chosen), width)
    line = _SMALLEST * k * 1.25 / 72 / size[1]  # one line of small type, in figure heights
    caption_top = 0.02 + (caption.count("\n") + 1) * line
    bottom = caption_top + 0.02 + (line + 0.01 if more > 0 else 0.0)
    _text(fig, 0.02, 0.02, caption, fontsize=_SMALLEST * k, va="bottom", color="#333333")
    if more > 0:
        _text(
            fig,
            0.02,
            caption_top + 0.015,
            f"… i {_more(more)}: pełna lista na stronie Monitoring i w raporcie.",
            fontsize=_SMALLEST * k,
            va="bottom",
        )
    ax = fig.add_axes((0.02, bottom, 0.96, 0.78 - bottom))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, max(len(shown), 1) - 0.4)
    for i, (_, row) in enumerate(shown.iterrows()):
        _row(ax, len(shown) - 1 - i, row, k, first=i == 0)
    if table.empty:
        _text(ax, 0.0, 0.0, "Brak wskaźników w pliku.", fontsize=16 * k, va="center")
    return fig


def monitoring_slide(result: CoverageResult, watch: Monitoring, chosen: IndicatorSet) -> Slide:
    """The monitoring slide for the committee deck (:func:`geo.print.deck.build_slides`)."""
    return Slide(
        "monitoring",
        "Monitoring programu: wskaźniki wobec celów",
        f"stan na {fmt_date(result.as_of)}",
        figure=lambda size: monitoring_figure(result, watch, chosen, size),
        caption=monitoring_caption(result, watch, chosen),
    )


def monitoring_section(
    pdf: Document, result: CoverageResult, watch: Monitoring, chosen: IndicatorSet, dpi: int = 150
) -> None:
    """The report's monitoring section on the current page: table, slide figure, caption."""
    pdf.heading("Monitoring programu: wskaźniki wobec celów", space=0)
    if chosen.is_sample:
        pdf.warning("Wskaźniki przykładowe: wartości bazowe i docelowe są ilustracyjne.")
    table = display_table(watch.table)
    w = pdf.content_width
    # widths from the texts: on a portrait page (the regional report) fixed shares cut them
    pdf.table(table, column_widths(pdf, table, w, 8), aligns=["L", "R", "R", "R", "R", "L"], size=8)
    pdf.ln(2)
    pdf.paragraph(
        "Ścieżka: wartość na prostej od wartości bazowej (rok bazowy) do docelowej (rok "
        "docelowy) w roku stanu. „Zgodnie”: wartość na ścieżce lub dalej w kierunku celu; "
        "„nieznany”: dane nie pozwalają ocenić (brak wartości lub rok przed rokiem bazowym).",
        size=8.5,
    )
    # the slide below the table when it fits (a portrait report page), else on the next page
    if pdf.get_y() + 4 + w * SLIDE[1] / SLIDE[0] > pdf.page_break_trigger:
        pdf.add_page()
    else:
        pdf.ln(4)
    pdf.figure(monitoring_figure(result, watch, chosen), w, dpi)


def monitoring_pdf(
    result: CoverageResult, watch: Monitoring, chosen: IndicatorSet, dpi: int = 150
) -> bytes:
    """The monitoring section as a stand-alone A4 PDF."""
    stan = f"stan na {fmt_date(result.as_of)}"
    # landscape: the slide figure keeps a legible size on the page
    pdf = Document(f"{APP_NAME} · monitoring programu · {stan}", orientation="L")
    pdf.set_title(f"Monitoring programu: {result.region.name}, {stan}")
    pdf.add_page()
    if result.registry.is_sample:
        pdf.warning(SAMPLE_WARNING)
    monitoring_section(pdf, result, watch, chosen, dpi)
    return to_bytes(pdf)
