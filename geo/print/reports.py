"""PDF documents: the one-page gmina card, the presentation deck and the regional report.

Made with fpdf2 and the static maps of :mod:`geo.print.maps`, so they need no browser and no
network. The DejaVu Sans font that matplotlib ships is embedded (a subset), so Polish letters
print correctly on any machine. Every page names its source and the "stan na" date, and
sample data is labelled as such. Text from data is written as plain text (no markup).

The slide deck is described once (:func:`build_slides`) and drawn twice: by the app's
presentation page and by :func:`presentation_pdf`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import pandas as pd
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from geo.analysis.coverage import region_summary
from geo.analysis.lpres import STATUS_ORDER, lpres_summary
from geo.analysis.neighbours import cooperation_candidates, gaps_table, gmina_neighbours
from geo.analysis.subregions import NUTS3, OWES, powiat_assignment, subregion_summary
from geo.analysis.trends import date_completeness, trend_dates, yearly_coverage
from geo.config import ConfigError
from geo.core.schema import ENTITY_TYPES
from geo.errors import UserError
from geo.pipeline import CoverageResult
from geo.present.profile import (
    UNKNOWN,
    GminaProfile,
    comparison_table,
    fmt_date,
    fmt_int,
    fmt_km,
    fmt_num,
    fmt_pct,
    lpres_source,
    planning_attributes,
    powiat_label,
    sources_line,
)
from geo.print import maps as static_maps
from geo.print.layout import print_style
from geo.print.legend import LPRES

__all__ = [
    "APP_NAME",
    "ReportError",
    "ReportScope",
    "Slide",
    "build_slides",
    "font_files",
    "gap_table",
    "gmina_card_pdf",
    "headline_figures",
    "lpres_counts",
    "lpres_notes",
    "presentation_pdf",
    "regional_report_pdf",
    "report_scopes",
    "scope_summary",
    "slide_figure",
    "trend_figure",
]

APP_NAME = "Mapa ekonomii społecznej"
FONT = "DejaVu"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
#: A 16:9 slide page in millimetres (13.33 x 7.5 in).
SLIDE_MM = (338.7, 190.5)
MARGIN = 12.0
SOURCE_LINE_MM = 3.1
GREY_FILL = (235, 235, 235)
WARN_FILL = (255, 243, 205)
_SAMPLE_WARNING = (
    "DANE PRZYKŁADOWE, NIEKOMPLETNE: rejestr przykładowy aplikacji, nie pełny rejestr PES. "
    "Liczby pokazują tylko podmioty z tego rejestru."
)


class ReportError(UserError, ValueError):
    """A document cannot be produced; the message is in Polish for the user."""


# ----------------------------------------------------------------------------- fonts


def font_files() -> dict[str, Path]:
    """DejaVu Sans (regular, bold, oblique) from matplotlib's data folder.

    matplotlib is a dependency anyway and ships these files, so no system font is needed.

    Raises
    ------
    ReportError
        When the files are missing (a broken matplotlib installation).
    """
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    files = {style: folder / name for style, name in _FONT_FILES.items()}
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise ReportError(
            "Brak czcionki DejaVu Sans potrzebnej do PDF (oczekiwano w pakiecie matplotlib): "
            + ", ".join(missing)
        )
    return files


class _Document(FPDF):
    """An FPDF with the embedded font, a footer (source, date, page) and small helpers."""

    def __init__(self, footer: str, orientation: str = "P", page: str | tuple = "A4") -> None:
        super().__init__(orientation=orientation, unit="mm", format=page)
        for style, path in font_files().items():
            self.add_font(FONT, style, str(path))
        self.footer_text = footer
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 6)
        self.set_font(FONT, size=10)
        self.c_margin = 1.5
        self.set_creator(APP_NAME)
        self.set_author(APP_NAME)
        self.set_lang("pl")

    def footer(self) -> None:
        self.set_y(-MARGIN - 2)
        self.set_font(FONT, size=7)
        self.set_text_color(80, 80, 80)
        width = self.w - 2 * MARGIN - 22
        self.cell(width, 4, _fit(self, self.footer_text, width), align="L")
        self.cell(22, 4, f"strona {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    # -- helpers

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    @property
    def bottom(self) -> float:
        """Lowest y for content (above the footer), whether or not pages break automatically."""
        return self.h - MARGIN - 7

    def heading(self, text: str, size: float = 13, space: float = 2) -> None:
        self.ln(space)
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 10)
        self.ln(1)

    def paragraph(self, text: str, size: float = 9.5, style: str = "") -> None:
        self.set_font(FONT, style, size)
        self.multi_cell(0, size * 0.48, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 10)

    def warning(self, text: str, size: float = 9) -> None:
        self.set_font(FONT, "B", size)
        self.set_fill_color(*WARN_FILL)
        self.set_draw_color(0, 0, 0)
        self.multi_cell(
            0,
            size * 0.5,
            text,
            border=1,
            fill=True,
            padding=2,
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_font(FONT, "", 10)
        self.ln(1.5)

    def figure(self, fig: Figure, width: float, dpi: int, x: float | None = None) -> float:
        """Place a matplotlib figure at the cursor; returns its height (mm)."""
        w_in, h_in = fig.get_size_inches()
        height = width * h_in / w_in
        png = static_maps.to_png(fig, dpi=dpi)
        left = self.l_margin if x is None else x
        self.image(io.BytesIO(png), x=left, y=self.get_y(), w=width, h=height)
        self.set_y(self.get_y() + height)
        return height

    def table(  # type: ignore[override]
        self,
        frame: pd.DataFrame,
        widths: Sequence[float],
        aligns: Sequence[str] | None = None,
        size: float = 8.5,
        max_rows: int | None = None,
        x: float | None = None,
        zebra: bool = True,
    ) -> int:
        """A simple table, header repeated on each page; long text is cut with "…".

        Returns the number of data rows written.
        """
        aligns = aligns or ["L"] * len(widths)
        row_h = size * 0.55
        left = self.l_margin if x is None else x

        def header() -> None:
            self.set_font(FONT, "B", size)
            self.set_fill_color(*GREY_FILL)
            self.set_x(left)
            for col, w, a in zip(frame.columns, widths, aligns, strict=True):
                self.cell(w, row_h + 1, _fit(self, str(col), w), border="B", align=a, fill=True)
            self.ln(row_h + 1)
            self.set_font(FONT, "", size)

        header()
        shown = frame if max_rows is None else frame.head(max_rows)
        rows = shown.itertuples(index=False)
        written = 0
        for i, row in enumerate(rows):
            if self.get_y() + row_h > self.bottom:
                self.add_page()
                header()
            self.set_x(left)
            fill = zebra and i % 2 == 1
            self.set_fill_color(246, 246, 246)
            for value, w, a in zip(row, widths, aligns, strict=True):
                self.cell(w, row_h, _fit(self, _cell_text(value), w), align=a, fill=fill)
            self.ln(row_h)
            written += 1
        return written


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` mm in the current font."""
    text = " ".join(str(text).split())
    room = width - 2 * pdf.c_margin
    if pdf.get_string_width(text) <= room:
        return text
    while text and pdf.get_string_width(text + "…") > room:
        text = text[:-1]
    return text.rstrip() + "…"


def _output(pdf: FPDF) -> bytes:
    return bytes(pdf.output())


# ----------------------------------------------------------------------------- shared figures


def headline_figures(summary: dict, as_of: dt.date) -> list[tuple[str, str, str]]:
    """The headline figures as (value, label, note), from a coverage summary."""
    return [
        (
            f"{summary['gminy_z_cis_kis']} / {summary['gminy']}",
            "gmin z CIS/KIS",
            f"{fmt_pct(summary['proc_gmin_pokrytych'])} gmin (w gminie lub przez porozumienie)",
        ),
        (
            fmt_pct(summary["proc_ludnosci_pokrytej"]),
            "ludności w gminach z CIS/KIS",
            f"{fmt_int(summary['ludnosc_w_gminach_pokrytych'])} z {fmt_int(summary['ludnosc'])}",
        ),
        (
            str(summary["gminy_bez_cis_kis"]),
            "gmin bez CIS/KIS",
            "luki w Modelu Lokalnej Współpracy",
        ),
        (
            fmt_int(summary["pes"]),
            "podmiotów ekonomii społecznej",
            f"w tym CIS {summary['cis']}, KIS {summary['kis']} · stan na {fmt_date(as_of)}",
        ),
    ]


def gap_table(result: CoverageResult, scope: set[str] | None = None) -> pd.DataFrame:
    """Gminas without CIS/KIS, largest population first, with their cooperation candidates.

    The rows and candidates are :func:`geo.analysis.neighbours.gaps_table` (the planners' gaps
    page): covered neighbouring gminas whose CIS/KIS could serve the gap by agreement.
    """
    gaps = gaps_table(result.gminy, gmina_neighbours(result.gminy))
    if scope is not None:
        gaps = gaps[gaps["teryt"].isin(scope)]
    candidates = cooperation_candidates(result.gminy, gmina_neighbours(result.gminy))
    names = candidates.groupby("teryt")["kandydat_nazwa"].agg(", ".join)
    table = pd.DataFrame(
        {
            "Gmina": gaps["nazwa"].astype(str),
            "Rodzaj": gaps["rodzaj_nazwa"].astype(str).str.replace("gmina ", "", regex=False),
            "Powiat": gaps["powiat_nazwa"].astype(str),
            "Ludność": pd.to_numeric(gaps["ludnosc"], errors="coerce"),
            "Do CIS/KIS, km": gaps["odleglosc_cis_kis_km"],
            "Sąsiednia gmina z CIS/KIS": gaps["teryt"].map(names).fillna(""),
            "LPRES": gaps["lpres_status_nazwa"].fillna(UNKNOWN),
        }
    )
    return table.reset_index(drop=True)


def _gap_display(table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(
        **{
            "Ludność": table["Ludność"].map(fmt_int),
            "Do CIS/KIS, km": table["Do CIS/KIS, km"].map(lambda v: fmt_num(v)),
        }
    )


def lpres_counts(result: CoverageResult, scope: set[str] | None = None) -> pd.DataFrame:
    """Gminas and population by LPRES status (``Status, Gminy, Ludność``).

    The figures are :func:`geo.analysis.lpres.lpres_summary` of the pipeline's statuses.
    """
    gminy = pd.DataFrame(result.gminy.drop(columns="geometry"))
    if scope is not None:
        gminy = gminy[gminy["teryt"].isin(scope)]
    attrs = planning_attributes(result)
    status = attrs[attrs["teryt"].isin(set(gminy["teryt"]))]
    summary = lpres_summary(status, gminy, result.as_of)
    rows = [
        (
            LPRES[code].label if code in LPRES else code,
            summary[f"gminy_{code}"],
            fmt_int(summary[f"ludnosc_{code}"]),
        )
        for code in STATUS_ORDER
    ]
    return pd.DataFrame(rows, columns=["Status", "Gminy", "Ludność"])


def lpres_notes(result: CoverageResult) -> list[str]:
    """Headline sentences on the plans: share covered by an adopted plan, plans expiring."""
    attrs = planning_attributes(result)
    gminy = pd.DataFrame(result.gminy.drop(columns="geometry"))
    summary = lpres_summary(attrs, gminy, result.as_of, result.plans)
    notes = [
        f"Gminy objęte przyjętym planem: {summary['gminy_przyjety']} z {summary['gminy']} "
        f"({fmt_pct(summary['proc_gmin_z_planem'])}), ludność: "
        f"{fmt_pct(summary['proc_ludnosci_z_planem'])}.",
        f"Brak informacji o planie: {summary['gminy_nieznany']} gmin ("
        "„brak informacji” to nie to samo co „brak planu”).",
    ]
    if "plany_wygasajace_w_roku" in summary:
        notes.append(f"Plany wygasające w ciągu roku: {summary['plany_wygasajace_w_roku']}.")
    if result.plans_info is not None:
        notes.append(f"Źródło: {result.plans_info.label}.")
    return notes


_SUBREGION_KEYS = {"owes_podregion_nazwa": "owes_2017_2020", "nuts3_nazwa": "nuts3_2021"}


def _subregion_table(
    result: CoverageResult, key: str, scope: set[str] | None = None
) -> pd.DataFrame | None:
    """Indicators per subregion (:func:`geo.analysis.subregions.subregion_summary`).

    None if no subregion is known.
    """
    coverage = pd.DataFrame(result.gminy.drop(columns="geometry"))
    if scope is not None:
        coverage = coverage[coverage["teryt"].isin(scope)]
    try:
        assignment = powiat_assignment(result.region.settings, key)
    except ConfigError:
        return None
    table = subregion_summary(coverage, assignment)
    if table.empty or (table["podregion"] == UNKNOWN).all():
        return None
    return pd.DataFrame(
        {
            "Podregion": table["podregion_nazwa"].astype(str),
            "Gminy": table["gminy"],
            "Z CIS/KIS": table["gminy_z_cis_kis"],
            "Gminy pokryte": table["proc_gmin_pokrytych"].map(fmt_pct),
            "Ludność": table["ludnosc"].map(fmt_int),
            "Ludność pokryta": table["proc_ludnosci_pokrytej"].map(fmt_pct),
            "PES": table["pes"],
            "CIS": table["cis"],
            "KIS": table["kis"],
        }
    )


@print_style
def trend_figure(result: CoverageResult, size: tuple[float, float] = static_maps.SLIDE) -> Figure:
    """Gminas with CIS/KIS and PES in each year (:mod:`geo.analysis.trends`), dates caveat."""
    dates = trend_dates(result.entities, result.as_of)
    coverage, _types = yearly_coverage(result.region.gminy, result.entities, dates)
    region = coverage[coverage["obszar"] == "region"]
    known = date_completeness(result.entities)
    fig = Figure(figsize=size, facecolor="white")
    k = max(0.72, min(size[0] / static_maps.SLIDE[0], size[1] / static_maps.SLIDE[1]))
    ax = fig.add_axes((0.08, 0.2, 0.86, 0.58))
    years = region["rok"].to_numpy()
    ax.plot(
        years,
        region["gminy_z_cis_kis"].to_numpy(),
        marker="o",
        color="#2166ac",
        lw=3,
        markersize=9 * k,
        label="gminy z CIS/KIS",
    )
    ax.plot(
        years,
        region["pes"].to_numpy(),
        marker="s",
        color="#333333",
        lw=2,
        ls="--",
        markersize=8 * k,
        label="podmioty ekonomii społecznej",
    )
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(labelsize=13 * k)
    ax.grid(axis="y", color="#cccccc")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=14 * k, frameon=False, loc="lower right")
    fig.text(
        0.02,
        0.965,
        "Trend: gminy z CIS/KIS i podmioty w kolejnych latach",
        fontsize=24 * k,
        fontweight="bold",
        va="top",
    )
    fig.text(
        0.02,
        0.875,
        f"stan na 31 grudnia każdego roku, ostatni punkt: {fmt_date(result.as_of)}",
        fontsize=14 * k,
        va="top",
        color="#333333",
    )
    caveat = (
        "Historia jest tak pełna jak daty w rejestrze: "
        f"{known['bez_daty_rozpoczecia']} z {known['podmioty']} podmiotów bez daty rozpoczęcia "
        "(liczone w każdym roku), zakończenie bez daty liczy się do dziś."
    )
    fig.text(0.02, 0.075, caveat, fontsize=11 * k, color="#333333")
    fig.text(0.02, 0.03, sources_line(result), fontsize=10.5 * k, color="#333333")
    return fig


# ----------------------------------------------------------------------------- slides


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
    summary = result.summary
    stan = f"stan na {fmt_date(result.as_of)}"
    caption = sources_line(result)
    region = result.region.name
    types = ", ".join(
        f"{code} {summary[code.lower()]}" for code in ENTITY_TYPES if summary[code.lower()]
    )
    bullets = [
        "Model Lokalnej Współpracy: w każdej gminie co najmniej jeden CIS lub KIS.",
        f"Podmioty ekonomii społecznej według typu: {types or 'brak'}.",
    ]
    if result.registry.is_sample:
        bullets.append(_SAMPLE_WARNING)
    slides = [
        Slide(
            "przeglad",
            f"Ekonomia społeczna: {region}",
            f"Najważniejsze liczby · {stan}",
            figures=headline_figures(summary, result.as_of),
            bullets=bullets,
            caption=caption,
        ),
        Slide(
            "pokrycie",
            "Pokrycie gmin przez CIS i KIS",
            stan,
            figure=lambda size: static_maps.coverage_map(result, size=size),
            caption=caption,
        ),
        Slide(
            "luki",
            "Luki: gminy bez CIS/KIS",
            stan,
            figure=lambda size: static_maps.distance_map(result, size=size),
            caption=caption,
        ),
    ]
    gaps = gap_table(result)
    top = _gap_display(gaps).head(12)[
        ["Gmina", "Rodzaj", "Powiat", "Ludność", "Do CIS/KIS, km", "Sąsiednia gmina z CIS/KIS"]
    ]
    slides.append(
        Slide(
            "najwieksze_luki",
            "Największe luki: gminy bez CIS/KIS o największej liczbie mieszkańców",
            f"{len(gaps)} gmin bez CIS/KIS, {fmt_int(gaps['Ludność'].sum())} mieszkańców · {stan}",
            table=top,
            caption=caption,
        )
    )
    counts = lpres_counts(result)
    slides.append(
        Slide(
            "lpres",
            "Lokalne plany rozwoju ekonomii społecznej (LPRES)",
            stan,
            bullets=lpres_notes(result),
            table=counts,
            figure=lambda size: static_maps.lpres_map(result, size=size),
            caption=f"{caption} · {lpres_source(result)}",
        )
    )
    owes = _subregion_table(result, OWES)
    slides.append(
        Slide(
            "podregiony",
            "Podregiony OWES",
            stan,
            table=None
            if owes is None
            else owes[
                ["Podregion", "Gminy", "Z CIS/KIS", "Gminy pokryte", "Ludność pokryta"]
            ].rename(columns={"Gminy pokryte": "% gmin", "Ludność pokryta": "% ludności"}),
            bullets=[]
            if owes is not None
            else ["Brak skonfigurowanych podregionów OWES: podregiony są nieznane."],
            figure=lambda size: static_maps.subregion_map(result, size=size),
            caption=caption,
        )
    )
    slides.append(
        Slide(
            "trend",
            "Trend: gminy z CIS/KIS w kolejnych latach",
            stan,
            figure=lambda size: trend_figure(result, size),
            caption=caption,
        )
    )
    return slides


def slide_figure(slide: Slide, size: tuple[float, float] = static_maps.SLIDE) -> Figure | None:
    """The slide's map or chart, or None."""
    return slide.figure(size) if slide.figure is not None else None


def presentation_pdf(result: CoverageResult, dpi: int = 150) -> bytes:
    """The whole deck as a 16:9 PDF: one page per slide (a map slide is the map itself)."""
    slides = build_slides(result)
    # fpdf2 takes a custom format as (width, height) of the page as given: no "L" swap.
    pdf = _Document("", page=SLIDE_MM)
    pdf.set_title(f"{APP_NAME}: prezentacja, stan na {fmt_date(result.as_of)}")
    pdf.set_auto_page_break(False)
    for slide in slides:
        pdf.add_page()
        # Beside a table the map gets a squarer figure, so it stays large.
        fig = slide_figure(slide, static_maps.SLIDE if slide.table is None else (8.4, 6.9))
        if fig is not None and slide.table is None:
            # The figure is the page: it carries its own title, legend and caption.
            pdf.set_y(0)
            pdf.figure(fig, pdf.w, dpi, x=0)
            continue
        _slide_text(pdf, slide, fig, dpi)
    return _output(pdf)


def _slide_text(pdf: _Document, slide: Slide, fig: Figure | None, dpi: int) -> None:
    pdf.set_y(MARGIN)
    pdf.set_font(FONT, "B", 26)
    pdf.multi_cell(0, 12, slide.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if slide.subtitle:
        pdf.set_font(FONT, "", 15)
        pdf.multi_cell(0, 8, slide.subtitle, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    left_w = pdf.content_width
    top = pdf.get_y()
    caption_h = 10.0
    if fig is not None:
        # The map (with its own legend and caption) on the right, the table on the left.
        w_in, h_in = fig.get_size_inches()
        avail_h = pdf.h - top - MARGIN - caption_h
        width = min(pdf.content_width * 0.56, avail_h * w_in / h_in)
        left_w = pdf.content_width - width - 6
        pdf.set_y(top)
        pdf.figure(fig, width, dpi, x=pdf.w - MARGIN - width)
        pdf.set_y(top)
    if slide.figures:
        gap = 6.0
        box_w = (pdf.content_width - 3 * gap) / 4
        for i, (value, label, note) in enumerate(slide.figures[:4]):
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
    for bullet in slide.bullets:
        pdf.set_font(FONT, "B" if bullet.startswith("DANE PRZYKŁADOWE") else "", 16)
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(left_w, 8, "• " + bullet, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
    if slide.table is not None and not slide.table.empty:
        widths = _column_widths(pdf, slide.table, left_w, size=13)
        pdf.table(slide.table, widths, aligns=_aligns(slide.table), size=13, max_rows=14)
    pdf.set_xy(pdf.l_margin, pdf.h - MARGIN - caption_h + 3)
    pdf.set_font(FONT, "", 9.5)
    pdf.multi_cell(0, 4.2, slide.caption, align="L")


def _aligns(frame: pd.DataFrame) -> list[str]:
    """Numbers (as formatted text) to the right, words to the left."""
    out = []
    for col in frame.columns:
        texts = frame[col].map(_cell_text).str.replace("\u00a0", "", regex=False)
        numeric = texts.str.fullmatch(r"[\d\s,.%–/-]*(km)?").all() and bool(len(texts))
        out.append("R" if numeric else "L")
    return out


def _column_widths(pdf: FPDF, frame: pd.DataFrame, total: float, size: float) -> list[float]:
    """Column widths summing to ``total``: each fits its longest text (bold header included).

    When the table is too wide, the widest column (usually names, cut with "…") gives way
    first, so short numeric columns keep readable headers.
    """
    pad = 2 * pdf.c_margin + 1
    wanted = []
    for col in frame.columns:
        pdf.set_font(FONT, "B", size)
        header = pdf.get_string_width(str(col))
        pdf.set_font(FONT, "", size)
        cells = [pdf.get_string_width(_cell_text(v)) for v in frame[col].head(50)]
        wanted.append(max([header, *cells]) + pad)
    excess = sum(wanted) - total
    if excess > 0:
        widest = max(range(len(wanted)), key=wanted.__getitem__)
        cut = min(excess, wanted[widest] * 0.6)
        wanted[widest] -= cut
    scale = total / sum(wanted)
    return [w * scale for w in wanted]


# ----------------------------------------------------------------------------- gmina card


def gmina_card_pdf(result: CoverageResult, profile: GminaProfile, dpi: int = 200) -> bytes:
    """The one-page A4 gmina card: map, facts, coverage and why, entities, comparison, sources.

    Readable in black and white (the map uses hatching and grey levels). Lists too long for the
    page are cut with a note that the full list is in the application.
    """
    pdf = _Document(
        f"{APP_NAME} · karta gminy {profile.nazwa} (TERYT {profile.teryt}) · "
        f"stan na {fmt_date(profile.as_of)}"
    )
    pdf.set_title(
        f"Karta gminy {profile.nazwa} ({profile.teryt}), stan na {fmt_date(profile.as_of)}"
    )
    pdf.set_subject("Ekonomia społeczna w gminie: pokrycie CIS/KIS, podmioty, LPRES")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(80, 80, 80)
    pdf.cell(0, 4, f"Karta gminy · {profile.region_nazwa}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, "B", 20)
    pdf.cell(0, 10, profile.nazwa, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10.5)
    pdf.cell(
        0,
        5,
        f"{profile.rodzaj_nazwa} · {profile.powiat_etykieta} · TERYT {profile.teryt} · "
        f"stan na {fmt_date(profile.as_of)}",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(1.5)
    if profile.is_sample:
        pdf.warning(_SAMPLE_WARNING, size=8)
    card_map = static_maps.gmina_map(result, profile.teryt, size=(7.4, 3.4), bare=True)
    pdf.figure(card_map, pdf.content_width, dpi)
    pdf.set_font(FONT, "", 7)
    pdf.cell(
        0,
        3.5,
        _fit(pdf, "Mapa: " + sources_line(result), pdf.content_width),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(2)

    # Status and why.
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(
        0,
        5.5,
        f"Model Lokalnej Współpracy: {profile.pokrycie_nazwa}",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.paragraph(profile.pokrycie_opis, size=8.5)
    pdf.ln(1.5)

    # Facts (left) and comparison (right).
    top = pdf.get_y()
    col_w = (pdf.content_width - 6) / 2
    facts = pd.DataFrame(
        [
            ("Rodzaj gminy", profile.rodzaj_nazwa),
            ("Powiat", profile.powiat_etykieta),
            ("Ludność", f"{fmt_int(profile.ludnosc)} (GUS BDL)"),
            ("Podregion OWES", profile.owes_podregion),
            ("Operator OWES", profile.owes_operator),
            ("Podregion NUTS-3", profile.nuts3),
            ("LPRES", profile.lpres_status_nazwa),
            ("PES w gminie", ", ".join(f"{k} {v}" for k, v in profile.typy.items() if v) or "brak"),
        ],
        columns=["Informacja", "Wartość"],
    )
    pdf.set_font(FONT, "B", 10)
    pdf.cell(col_w, 5, "Podstawowe informacje", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.table(facts, [col_w * 0.36, col_w * 0.64], size=8, zebra=True)
    left_end = pdf.get_y()
    pdf.set_xy(pdf.l_margin + col_w + 6, top)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(col_w, 5, "Porównanie z powiatem i województwem")
    pdf.set_xy(pdf.l_margin + col_w + 6, top + 5)
    comparison = comparison_table(profile)
    comparison.columns = ["Wskaźnik", "Gmina", "Powiat", "Woj."]
    pdf.table(
        comparison,
        [col_w * 0.46, col_w * 0.17, col_w * 0.17, col_w * 0.20],
        aligns=["L", "R", "R", "R"],
        size=8,
        x=pdf.l_margin + col_w + 6,
    )
    pdf.set_y(max(left_end, pdf.get_y()) + 2)

    # Nearest CIS/KIS outside the gmina.
    if not profile.najblizsze.empty:
        pdf.set_font(FONT, "B", 10)
        pdf.cell(0, 5, "Najbliższe CIS/KIS poza gminą", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        near = profile.najblizsze.assign(
            **{
                "Odległość": profile.najblizsze["Odległość, km"].map(fmt_km),
                "Sąsiednia": profile.najblizsze["sasiednia"].map({True: "tak", False: "nie"}),
            }
        )[["Nazwa", "Typ", "Gmina", "Odległość", "Sąsiednia"]]
        w = pdf.content_width
        pdf.table(
            near,
            [w * 0.52, w * 0.07, w * 0.17, w * 0.11, w * 0.13],
            aligns=["L", "L", "L", "R", "L"],
            size=8,
        )
        pdf.ln(2)

    # Entities in the gmina, as many as fit above the sources.
    sources_h = 4.5 + SOURCE_LINE_MM * len(profile.zrodla)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(
        0,
        5,
        f"Podmioty ekonomii społecznej w gminie ({len(profile.podmioty)})",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    if profile.podmioty.empty:
        pdf.paragraph("Brak działających podmiotów z rejestru w tej gminie.", size=8.5)
    else:
        row_h = 8 * 0.55  # the table's row height at 8 pt
        room = pdf.bottom - sources_h - pdf.get_y() - (row_h + 1) - 1
        fits = int(room // row_h)
        if fits < len(profile.podmioty):
            fits = max(0, int((room - 4.5) // row_h))  # leave a line for "… i N kolejnych"
        table = profile.podmioty[["Nazwa", "Typ", "Podmiot prowadzący", "Działa od"]]
        w = pdf.content_width
        shown = pdf.table(table, [w * 0.5, w * 0.07, w * 0.31, w * 0.12], size=8, max_rows=fits)
        if shown < len(table):
            pdf.paragraph(f"… i {len(table) - shown} kolejnych: pełna lista w aplikacji.", 8)

    pdf.set_y(pdf.bottom - sources_h)
    pdf.set_font(FONT, "B", 7.5)
    pdf.cell(0, 3.6, "Źródła", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 6.8)
    for line in profile.zrodla:
        pdf.cell(
            0,
            SOURCE_LINE_MM,
            _fit(pdf, line, pdf.content_width),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    if pdf.page_no() != 1:  # pragma: no cover - guarded by the layout above
        raise ReportError("Karta gminy nie zmieściła się na jednej stronie.")
    return _output(pdf)


# ----------------------------------------------------------------------------- regional report


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


def regional_report_pdf(
    result: CoverageResult, scope: ReportScope | None = None, dpi: int = 170
) -> bytes:
    """A multi-page A4 report for the region, a subregion or a powiat.

    Pages: headline indicators and sources; coverage and gap maps; the gap table; LPRES
    summary with its map; indicators per subregion and per powiat.
    """
    scope = scope or report_scopes(result)[0]
    if not scope.teryt:
        raise ReportError("Wybrany obszar raportu nie obejmuje żadnej gminy.")
    codes = set(scope.teryt)
    area = None if scope.kind == "region" else codes
    summary = scope_summary(result, scope)
    stan = f"stan na {fmt_date(result.as_of)}"
    pdf = _Document(f"{APP_NAME} · raport: {scope.label} · {stan}")
    pdf.set_title(f"Raport: ekonomia społeczna, {scope.label}, {stan}")
    pdf.set_subject("Pokrycie gmin CIS/KIS, luki, LPRES, podregiony")

    # 1. Title and headline indicators.
    pdf.add_page()
    pdf.set_font(FONT, "", 10)
    pdf.cell(0, 5, APP_NAME, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 20)
    pdf.multi_cell(0, 9, f"Ekonomia społeczna: {scope.label}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 12)
    pdf.cell(0, 7, f"Raport, {stan}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    if result.registry.is_sample:
        pdf.warning(_SAMPLE_WARNING)
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

    # 2. Maps.
    pdf.add_page()
    pdf.heading("Mapy", space=0)
    map_w = pdf.content_width
    where = f"{scope.label} · {stan}"
    pdf.figure(
        static_maps.coverage_map(result, scope=area, size=static_maps.PRINT, subtitle=where),
        map_w,
        dpi,
    )
    pdf.ln(3)
    pdf.figure(
        static_maps.distance_map(
            result,
            scope=area,
            size=static_maps.PRINT,
            subtitle=f"{scope.label} · odległość od granicy gminy do najbliższego CIS/KIS · {stan}",
        ),
        map_w,
        dpi,
    )

    # 3. Gaps.
    pdf.add_page()
    gaps = gap_table(result, codes)
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
    else:
        pdf.table(
            _gap_display(gaps),
            [w * 0.17, w * 0.13, w * 0.13, w * 0.09, w * 0.08, w * 0.26, w * 0.14],
            aligns=["L", "L", "L", "R", "R", "L", "L"],
            size=7.5,
        )

    # 4. LPRES.
    pdf.add_page()
    pdf.heading("Lokalne plany rozwoju ekonomii społecznej (LPRES)", space=0)
    pdf.table(
        lpres_counts(result, codes), [w * 0.4, w * 0.15, w * 0.2], aligns=["L", "R", "R"], size=10
    )
    pdf.ln(3)
    pdf.figure(
        static_maps.lpres_map(result, scope=area, size=static_maps.PRINT, subtitle=where),
        map_w,
        dpi,
    )

    # 5. Subregions and powiats.
    pdf.add_page()
    pdf.heading("Wskaźniki według podregionów", space=0)
    for key, title in ((OWES, "Podregiony OWES"), (NUTS3, "Podregiony NUTS-3 (2021)")):
        table = _subregion_table(result, key, None if scope.kind == "region" else codes)
        pdf.heading(title, size=11)
        if table is None:
            pdf.paragraph("Brak skonfigurowanych podregionów: nieznane.", size=9)
        else:
            pdf.table(table, _column_widths(pdf, table, w, 8), aligns=["L"] + ["R"] * 8, size=8)
    pdf.heading("Wskaźniki według powiatów", size=11)
    powiaty = result.powiaty[result.powiaty["powiat"].isin({c[:4] for c in codes})]
    table = pd.DataFrame(
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
    pdf.table(table, _column_widths(pdf, table, w, 8), aligns=["L"] + ["R"] * 6, size=8)
    return _output(pdf)
