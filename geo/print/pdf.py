"""The PDF document every print product is written on (fpdf2), with its font and tables.

The DejaVu Sans font that matplotlib ships is embedded (a subset), so Polish letters print
correctly on any machine without a system font. Every page carries a footer with the source,
the "stan na" date and the page number. Text from data is written as plain text (no markup),
cut with "…" where it does not fit; fpdf2's page-count alias (``{nb}``) is only active while
the footer writes "strona x/y", so a name such as ``{nb}`` prints as written.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import pandas as pd
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from matplotlib.figure import Figure

from geo.errors import UserError
from geo.print.layout import to_png

__all__ = [
    "APP_NAME",
    "FONT",
    "GREY_FILL",
    "MARGIN",
    "SAMPLE_WARNING",
    "Document",
    "ReportError",
    "aligns",
    "cell_text",
    "column_widths",
    "fit",
    "font_files",
    "to_bytes",
]

APP_NAME = "Mapa ekonomii społecznej"
FONT = "DejaVu"
#: fpdf2's total-pages alias, turned on only for the footer's page number.
_PAGES_ALIAS = "{nb}"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
MARGIN = 12.0
GREY_FILL = (235, 235, 235)
WARN_FILL = (255, 243, 205)
SAMPLE_WARNING = (
    "DANE PRZYKŁADOWE, NIEKOMPLETNE: rejestr przykładowy aplikacji, nie pełny rejestr PES. "
    "Liczby pokazują tylko podmioty z tego rejestru."
)


class ReportError(UserError, ValueError):
    """A document cannot be produced; the message is in Polish for the user."""


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


class Document(FPDF):
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
        # Data is never page-count syntax: the alias is on only inside footer() (see header()).
        self.alias_nb_pages("")  # "" (falsy) turns substitution off

    def header(self) -> None:
        # A new page starts after the previous page's footer turned the alias on.
        self.alias_nb_pages("")  # "" (falsy) turns substitution off

    def footer(self) -> None:
        self.set_y(-MARGIN - 2)
        self.set_font(FONT, size=7)
        self.set_text_color(80, 80, 80)
        width = self.w - 2 * MARGIN - 22
        self.cell(width, 4, fit(self, self.footer_text, width), align="L")
        self.cell(22, 4, self.page_of_pages(), align="R")
        self.set_text_color(0, 0, 0)

    def page_of_pages(self) -> str:
        """ "strona x/y" for a footer, with the page-count alias turned on for it.

        Left on after the last page's footer, so that output() fills in the page count; the
        next page's header() turns it off again, so data never meets the alias.
        """
        self.alias_nb_pages(_PAGES_ALIAS)
        return f"strona {self.page_no()}/{_PAGES_ALIAS}"

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

    def text_line(self, text: str, height: float, style: str = "", size: float = 10) -> None:
        """One line of text in ``style`` and ``size``, then the cursor to the next line."""
        self.set_font(FONT, style, size)
        self.cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

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
        png = to_png(fig, dpi=dpi)
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
        wrap: bool = False,
    ) -> int:
        """A simple table, header repeated on each page; long text is cut with "…", or with
        ``wrap`` continues on more lines of its cell (a row as tall as its tallest cell).

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
                self.cell(w, row_h + 1, fit(self, str(col), w), border="B", align=a, fill=True)
            self.ln(row_h + 1)
            self.set_font(FONT, "", size)

        header()
        shown = frame if max_rows is None else frame.head(max_rows)
        written = 0
        for i, row in enumerate(shown.itertuples(index=False)):
            if self.get_y() + row_h > self.bottom:
                self.add_page()
                header()
            self.set_x(left)
            self.set_fill_color(246, 246, 246)
            if wrap:
                self._wrapped_row(row, widths, aligns, row_h, left, zebra and i % 2 == 1)
                written += 1
                continue
            for value, w, a in zip(row, widths, aligns, strict=True):
                text = fit(self, cell_text(value), w)
                self.cell(w, row_h, text, align=a, fill=zebra and i % 2 == 1)
            self.ln(row_h)
            written += 1
        return written

    def wrapped_lines(self, text: str, width: float, line_h: float) -> list[str]:
        """The lines ``text`` takes in a cell ``width`` mm wide, in the current font."""
        lines = self.multi_cell(width, line_h, text, dry_run=True, output="LINES")
        assert isinstance(lines, list)  # output="LINES": the lines, nothing else
        return lines

    def _wrapped_row(
        self,
        row: Sequence[object],
        widths: Sequence[float],
        aligns: Sequence[str],
        row_h: float,
        left: float,
        fill: bool,
    ) -> None:
        """One table row whose cells wrap between words (a new page first if it does not fit)."""
        texts = [" ".join(cell_text(v).split()) for v in row]
        lines = [
            len(self.wrapped_lines(t, w, row_h)) or 1 for t, w in zip(texts, widths, strict=True)
        ]
        height = max(lines) * row_h
        if self.get_y() + height > self.bottom:
            self.add_page()
        top = self.get_y()
        if fill:
            self.rect(left, top, sum(widths), height, style="F")
        x = left
        for text, w, a in zip(texts, widths, aligns, strict=True):
            self.set_xy(x, top)
            self.multi_cell(w, row_h, text, align=a, new_x=XPos.RIGHT, new_y=YPos.TOP)
            x += w
        self.set_xy(left, top + height)


def cell_text(value: object) -> str:
    """A table cell's text: empty for a missing value."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` mm in the current font."""
    text = " ".join(str(text).split())
    room = width - 2 * pdf.c_margin
    if pdf.get_string_width(text) <= room:
        return text
    while text and pdf.get_string_width(text + "…") > room:
        text = text[:-1]
    return text.rstrip() + "…"


def aligns(frame: pd.DataFrame) -> list[str]:
    """Numbers (as formatted text) to the right, words to the left."""
    out = []
    for col in frame.columns:
        texts = frame[col].map(cell_text).str.replace("\u00a0", "", regex=False)
        numeric = texts.str.fullmatch(r"[\d\s,.%–/-]*(km)?").all() and bool(len(texts))
        out.append("R" if numeric else "L")
    return out


def column_widths(pdf: FPDF, frame: pd.DataFrame, total: float, size: float) -> list[float]:
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
        cells = [pdf.get_string_width(cell_text(v)) for v in frame[col].head(50)]
        wanted.append(max([header, *cells]) + pad)
    excess = sum(wanted) - total
    if excess > 0:
        widest = max(range(len(wanted)), key=wanted.__getitem__)
        cut = min(excess, wanted[widest] * 0.6)
        wanted[widest] -= cut
    scale = total / sum(wanted)
    return [w * scale for w in wanted]


def to_bytes(pdf: FPDF) -> bytes:
    """The finished document as bytes."""
    return bytes(pdf.output())
