"""One reader of the tables Polish offices send: CSV or XLSX, title rows above the header.

Registries, plan lists, subregion definitions and the GUS TERC file all arrive as such tables,
written by Polish Excel (cp1250, ``;``), by older systems (ISO-8859-2), by hand (UTF-8, ``,``)
or exported as tab-separated text, often with title rows above the header. Reading them the
same way everywhere means a file that one importer accepts is not garbled by another.

The caller says what its header looks like (a :data:`HeaderFit`); this module decodes the
text, picks the separator under which some row fits best, finds that header row within the
first rows and returns the cells below it as text (:class:`Table`). Values are not
interpreted here. CSV is parsed by pyarrow where the result is sure to equal pandas' (a few
times faster on a 100k-row registry), else by pandas (:mod:`geo.io._csv`); XLSX by
:mod:`geo.io._xlsx`.

:func:`read_table` is the one entry point for every table a user supplies: it reads within
:class:`ReadLimits` (file size, rows, cells, cell length, unpacked size, time), checked while
reading, and refuses a file past any of them with a Polish message naming the limit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from geo.io._decode import decode
from geo.io._limits import (
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    ReadLimits,
    TabularError,
    cell_too_long,
    file_too_large,
    limits_text,
    too_many_cells,
    too_many_columns,
    too_many_rows,
    too_slow,
    user_file,
)

__all__ = [
    "EXCEL_MAX_COLUMNS",
    "EXCEL_MAX_ROWS",
    "HEADER_SCAN_ROWS",
    "ODD_SPACES",
    "SEP_NAMES",
    "HeaderFit",
    "HeaderNotFound",
    "ReadLimits",
    "Table",
    "TabularError",
    "cell_too_long",
    "decode",
    "file_too_large",
    "find_header",
    "is_missing",
    "is_zip",
    "limits_text",
    "read_table",
    "too_many_cells",
    "too_many_columns",
    "too_many_rows",
    "too_slow",
    "unique_headers",
    "user_file",
]

#: How many rows from the top are searched for the header row (title rows sit above it).
HEADER_SCAN_ROWS = 30
#: Non-breaking and narrow spaces: read as spaces.
ODD_SPACES = "\u00a0\u2007\u202f"
#: The separators tried, and their Polish names for messages.
SEP_NAMES = {";": "średnik", ",": "przecinek", "\t": "tabulator", "|": "kreska pionowa"}

_SPACES_RE = re.compile(f"[{ODD_SPACES}]")

#: Tells how well a row of cells fits as the caller's header: ``(is a header, number of
#: columns recognised)``. Cells are text or ``None``.
HeaderFit = Callable[[Sequence[object]], tuple[bool, int]]


class HeaderNotFound(TabularError):
    """No row among the first ones fits as the header.

    ``cells`` is the row that came closest (for a message listing what the file has).
    """

    def __init__(self, cells: list[object]) -> None:
        super().__init__("Nie znaleziono wiersza nagłówka.")
        self.cells = cells


@dataclass
class Table:
    """The file's cells below the header, as strings, with spreadsheet row numbers.

    Attributes
    ----------
    headers : list[str]
        Display texts of the header cells (see :func:`unique_headers`).
    body : pandas.DataFrame
        Columns ``0..n-1``, cells as ``str`` (CSV: ``""`` where empty) or ``None`` (XLSX).
    rows : numpy.ndarray
        Spreadsheet row number of each body row.
    encoding, delimiter : str | None
        What was detected in a CSV file.
    sheet : str | None
        The XLSX sheet read.
    overlong : numpy.ndarray | None
        CSV: whether each body row had more fields than the header (the extra ones dropped).
    odd_spaces : bool
        Whether cells may hold one of :data:`ODD_SPACES`.
    """

    headers: list[str]
    body: pd.DataFrame
    rows: np.ndarray
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    overlong: np.ndarray | None = None
    odd_spaces: bool = True


def is_missing(value: object) -> bool:
    """Whether a cell value is empty in the pandas sense (None, NA, NaT, NaN)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def is_zip(data: bytes) -> bool:
    """Whether the bytes are a ZIP archive (as every XLSX workbook is)."""
    return data.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def _column_label(index: int) -> str:
    return f"kolumna {index + 1}"


def unique_headers(raw: list[object]) -> list[str]:
    """Display header texts: whitespace collapsed, empty -> "kolumna N", duplicates numbered."""
    out: list[str] = []
    seen: set[str] = set()
    for i, value in enumerate(raw):
        text = "" if is_missing(value) else " ".join(_SPACES_RE.sub(" ", str(value)).split())
        text = text or _column_label(i)
        if text in seen:
            text = f"{text} ({_column_label(i)})"
        seen.add(text)
        out.append(text)
    return out


def find_header(
    rows: Sequence[Sequence[object]], fit: HeaderFit
) -> tuple[int | None, int, list[object]]:
    """Index of the best header row among ``rows``: the first that fits with most columns.

    Returns ``(index or None, number of recognised columns, cells of the best row found)``;
    with no fitting row, the cells are those of the non-empty row with most recognised ones.
    """
    best: tuple[int, int] = (-1, -1)
    best_index: int | None = None
    fallback: list[object] = []
    fallback_score = -1
    for i, cells in enumerate(rows):
        fits, recognised = fit(cells)
        if recognised > fallback_score and any(not is_missing(c) and str(c).strip() for c in cells):
            fallback, fallback_score = list(cells), recognised
        score = (int(fits), recognised)
        if score[0] and score > best:
            best, best_index = score, i
    if best_index is None:
        return None, max(fallback_score, 0), fallback
    return best_index, best[1], list(rows[best_index])


def _load(source: bytes | str | Path, limits: ReadLimits) -> bytes:
    """The file's bytes, refused over ``limits.file_bytes`` before they are read."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        path = Path(source)
        size = path.stat().st_size  # OSError (missing file...) is the caller's to word
        if size > limits.file_bytes:
            raise file_too_large(size, limits.file_bytes)
        data = path.read_bytes()
    if len(data) > limits.file_bytes:
        raise file_too_large(len(data), limits.file_bytes)
    return data


def read_table(
    source: bytes | str | Path,
    fit: HeaderFit,
    *,
    xlsx: bool | None = None,
    scan_rows: int = HEADER_SCAN_ROWS,
    limits: ReadLimits | None = None,
    max_rows: int | None = None,
    max_unzipped_bytes: int | None = None,
) -> Table:
    """Read a CSV or XLSX file into a :class:`Table`, within ``limits``.

    The one entry point for a table a user supplies: every bound of :class:`ReadLimits` is
    checked while reading (a workbook is scanned, streamed, before it is parsed), so memory
    and time stay bounded whatever the file holds or its compression ratio.

    Parameters
    ----------
    source : bytes, str or Path
        The file or its content (a path over ``limits.file_bytes`` is not read).
    fit : HeaderFit
        How well a row fits as the header; the best fitting row within ``scan_rows`` is it.
    xlsx : bool, optional
        Read as a workbook; by default when the bytes are a ZIP archive.
    limits : ReadLimits, optional
        The bounds; :class:`ReadLimits` defaults (a file of up to 100,000 rows) by default.
    max_rows, max_unzipped_bytes : int, optional
        Shortcuts overriding ``limits.rows`` (and ``raw_rows``) and ``limits.unpacked_bytes``.

    Raises
    ------
    HeaderNotFound, TabularError
        ``OSError`` of a path is left to the caller.
    """
    limits = limits or ReadLimits()
    if max_rows is not None:
        limits = replace(limits, rows=max_rows, raw_rows=max(limits.raw_rows, 2 * max_rows + 30))
    if max_unzipped_bytes is not None:
        limits = replace(limits, unpacked_bytes=max_unzipped_bytes)
    data = _load(source, limits)
    if xlsx if xlsx is not None else is_zip(data):
        from geo.io._xlsx import read_xlsx

        return read_xlsx(data, fit, scan_rows, limits)
    from geo.io._csv import read_csv

    return read_csv(data, fit, scan_rows, limits)


def text_cells(values: Iterable[object]) -> list[str | None]:
    """Cells as stripped text, ``None`` where missing or blank."""
    out: list[str | None] = []
    for value in values:
        text = "" if is_missing(value) else str(value).strip()
        out.append(text or None)
    return out
