"""One reader of the tables Polish offices send: CSV or XLSX, title rows above the header.

Registries, plan lists, subregion definitions and the GUS TERC file all arrive as such tables,
written by Polish Excel (cp1250, ``;``), by older systems (ISO-8859-2), by hand (UTF-8, ``,``)
or exported as tab-separated text, often with title rows above the header. Reading them the
same way everywhere means a file that one importer accepts is not garbled by another.

The caller says what its header looks like (a :data:`HeaderFit`); this module decodes the
text, picks the separator under which some row fits best, finds that header row within the
first rows and returns the cells below it as text (:class:`Table`). Values are not
interpreted here. CSV is parsed by pyarrow where the result is sure to equal pandas' (a few
times faster on a 100k-row registry), else by pandas; XLSX by :mod:`geo.io._xlsx`.

:func:`read_table` is the one entry point for every table a user supplies: it reads within
:class:`ReadLimits` (file size, rows, cells, cell length, unpacked size, time), checked while
reading, and refuses a file past any of them with a Polish message naming the limit.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from geo.io._decode import BINARY as _BINARY
from geo.io._decode import CONTROL_RE as _CONTROL_RE
from geo.io._decode import decode
from geo.io._limits import (
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    Deadline,
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
    "read_csv",
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
_ARROW_END = "\x00koniec\x00"  # the marker row's cells (see arrow_csv)

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


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


class _LineCounter:
    """Line iterator for csv.reader that counts the characters consumed."""

    def __init__(self, text: str) -> None:
        self._lines = io.StringIO(text, newline="")
        self.chars = 0

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        line = self._lines.readline()
        if not line:
            raise StopIteration
        self.chars += len(line)
        return line


class _LongField(Exception):
    """A field longer than the csv module reads (128 KiB): far over any cell limit."""

    def __init__(self, records: list[list[str]], ends: list[int]) -> None:
        super().__init__("field larger than field limit")
        self.records = records
        self.ends = ends


def head_records(text: str, sep: str, limit: int) -> tuple[list[list[str]], list[int]]:
    """The first ``limit`` records and the text offset after each (none on a csv.Error).

    They are read from a prefix of the text, grown until it surely holds them: reading them
    from the whole text would copy all of it into a StringIO for every separator tried.
    A field over the csv module's limit raises :class:`_LongField` with the records before it.
    """
    size = 1 << 16
    while True:
        head = text[:size]
        counter = _LineCounter(head)
        records: list[list[str]] = []
        ends: list[int] = []
        try:
            for record in islice(csv.reader(counter, delimiter=sep), limit):
                records.append(record)
                ends.append(counter.chars)
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise _LongField(records, ends) from None
            if size >= len(text):
                return [], []
        else:
            # A record that ends before the end of the prefix is the same in the whole text.
            if size >= len(text) or (len(records) == limit and counter.chars < len(head)):
                return records, ends
        size *= 8


def arrow_csv(body: bytes | memoryview, sep: str, width: int) -> pd.DataFrame | None:
    """Parse ``body`` (UTF-8) as ``pd.read_csv(dtype=str, header=None)`` does, with pyarrow.

    Returns ``None`` where the result could differ, for the caller to use pandas: rows of
    another width than the header's (pandas pads or reports them) and a quote still open at
    the end of the file (pandas rejects the file, pyarrow would keep the text). A marker row
    appended after the data shows the latter: an open quote swallows it.
    """
    marker = [_ARROW_END] * width
    tail = ("" if bytes(body[-1:]) in (b"\n", b"\r") else "\n") + sep.join(marker) + "\n"
    try:
        data = b"".join((body, tail.encode("utf-8")))
        table = pa_csv.read_csv(
            io.BytesIO(data),
            # One thread: as fast on two cores, and no pool start-up on small files.
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True, use_threads=False),
            parse_options=pa_csv.ParseOptions(
                delimiter=sep, quote_char='"', newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                # large_string: the storage of pandas' string columns (no conversion)
                column_types={f"f{i}": pa.large_string() for i in range(width)},
                # The bytes are valid UTF-8 (decoded or encoded by Python) and fields split
                # at ASCII characters only, so every cell is valid too.
                check_utf8=False,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    last = table.num_rows - 1
    if table.num_columns != width or any(c[last].as_py() != _ARROW_END for c in table.columns):
        return None
    table = table.slice(0, last)
    return pd.DataFrame({i: pd.Series(table.column(i), dtype="str") for i in range(width)})


def pandas_csv(body_text: str, sep: str) -> pd.DataFrame:
    """Parse ``body_text`` with pandas (all cells as text): the files Arrow leaves to it."""
    options = dict(
        sep=sep,
        header=None,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        quotechar='"',
        engine="c",
    )
    try:
        return pd.read_csv(io.StringIO(body_text), **options)
    except pd.errors.ParserError as exc:
        if "EOF inside string" in str(exc):
            raise TabularError(
                'Plik CSV ma niezamknięty cudzysłów ("): sprawdź pola z cudzysłowami.'
            ) from None
        # Some rows have more fields than the header: read them all, then check below.
        try:
            width = max(len(r) for r in csv.reader(_LineCounter(body_text), delimiter=sep))
            return pd.read_csv(io.StringIO(body_text), names=list(range(width)), **options)
        except (csv.Error, pd.errors.ParserError, ValueError) as exc2:
            raise TabularError(f"Nie udało się odczytać pliku CSV: {exc2}") from None
    except (ValueError, csv.Error) as exc:
        raise TabularError(f"Nie udało się odczytać pliku CSV: {exc}") from None


def _text_of(data: bytes) -> tuple[str, str]:
    """The decoded text of a CSV file that is not binary, empty or blank."""
    text, encoding = decode(data)
    sample = text[:65_536]
    controls = len(_CONTROL_RE.findall(sample))
    if controls > max(3, len(sample) // 1000):
        raise TabularError(_BINARY)
    if not text or text.isspace():  # not strip(): it would copy the whole text
        raise TabularError("Plik jest pusty.")
    return text, encoding


def _best_separator(
    text: str, fit: HeaderFit, scan_rows: int, limits: ReadLimits
) -> tuple[str, int | None, list[object], list[int]]:
    """The separator under which some row fits best as the header.

    Ties go to more recognised columns, then a wider header, then the rarer character.
    Returns ``(separator, header index or None, header cells, record end offsets)``. With no
    header under any separator and a field too long to read, the long field is the error
    (not a missing header).
    """
    sample = text[:65_536]
    best: tuple[tuple[int, int, int, int], str, int | None, list[object], list[int]] | None = None
    long_field: int | None = None
    for sep in SEP_NAMES:
        try:
            records, ends = head_records(text, sep, scan_rows)
        except _LongField as stop:
            records, ends = stop.records, stop.ends
            long_field = len(records) + 1
        index, n_fields, cells = find_header(records, fit)
        rank = (int(index is not None), n_fields, len(cells), -sample.count(sep))
        if best is None or rank > best[0]:
            best = (rank, sep, index, cells, ends)
    assert best is not None
    if best[2] is None and long_field is not None:
        raise cell_too_long(limits.cell_chars, None, long_field, None)
    return best[1], best[2], best[3], best[4]


def _parse_body(body_bytes: memoryview, sep: str, width: int) -> pd.DataFrame:
    """The records from the header on: by Arrow where it is sure to agree, else by pandas."""
    try:
        frame = arrow_csv(body_bytes, sep, width)
    except ValueError as exc:
        raise TabularError(f"Nie udało się odczytać pliku CSV: {exc}") from None
    if frame is None:
        frame = pandas_csv(str(body_bytes, "utf-8"), sep)
    return frame


def _line_count(data: bytes) -> int:
    """Lines of CSV bytes (old Mac files end lines with CR alone); memchr-fast."""
    lines = data.count(b"\n")
    if not lines:
        lines = data.count(b"\r")
    return lines + (0 if data.endswith((b"\n", b"\r")) else 1)


def _check_body(body: pd.DataFrame, headers: list[str], first_row: int, limits: ReadLimits) -> None:
    """Refuse more than ``limits.rows`` non-empty rows or a cell over ``limits.cell_chars``.

    A cell is measured as callers clean it (edges and odd spaces stripped), and only where its
    raw length is over: the common case costs one vectorised length per column.
    """
    if len(body) > limits.rows and int(body.ne("").any(axis=1).sum()) > limits.rows:
        raise too_many_rows(limits.rows)
    for i in body.columns:
        raw = body[i].str.len().to_numpy(dtype=float, na_value=0)
        over = np.flatnonzero(raw > limits.cell_chars)
        for position in over:
            text = str(body[i].iloc[position])
            length = len(_SPACES_RE.sub(" ", text).strip())
            if length > limits.cell_chars:
                row = int(position) + first_row
                raise cell_too_long(limits.cell_chars, length, row, headers[i])


def read_csv(
    data: bytes,
    fit: HeaderFit,
    scan_rows: int = HEADER_SCAN_ROWS,
    limits: ReadLimits | None = None,
) -> Table:
    """Read CSV bytes into a :class:`Table` (the header is the row that ``fit`` likes best).

    Raises
    ------
    HeaderNotFound
        No row among the first ``scan_rows`` fits, under any separator.
    TabularError
        The bytes are not readable CSV text, or pass ``limits``.
    """
    limits = limits or ReadLimits()
    deadline = Deadline(limits.seconds)
    lines = _line_count(data)
    if lines > limits.raw_rows:
        raise too_many_rows(limits.raw_rows, raw=True)
    text, encoding = _text_of(data)
    own_bytes = encoding in {"utf-8", "utf-8-sig"}  # the file's bytes are UTF-8 text
    if "\n" not in text and "\r" in text:  # old Mac line ends
        text = text.replace("\r", "\n")
        own_bytes = False
    sep, header_index, cells, ends = _best_separator(text, fit, scan_rows, limits)
    if header_index is None:
        raise HeaderNotFound(cells)
    # Rows shorter than the header are padded to its width: bound the cells before parsing.
    if len(cells) > limits.columns:
        raise too_many_columns(limits.columns)
    if len(cells) * max(lines - header_index - 1, 0) > limits.cells:
        raise too_many_cells(limits.cells)

    start = ends[header_index - 1] if header_index else 0
    # Arrow reads UTF-8 bytes: those of the file itself when it is UTF-8 (encoding the decoded
    # text again would cost as much as decoding it).
    if own_bytes:
        source = data
        offset = len(text[:start].encode("utf-8")) + (3 if encoding == "utf-8-sig" else 0)
    else:
        source, offset = text[start:].encode("utf-8"), 0
    body_bytes = memoryview(source)[offset:]
    # Searched in the text: in the UTF-8 bytes they share bytes with „, ” and ć (slow search).
    odd_spaces = any(text.find(space, start) >= 0 for space in ODD_SPACES)
    del text

    frame = _parse_body(body_bytes, sep, len(cells))
    if deadline.passed():
        raise too_slow(limits)
    body = frame.iloc[1:].reset_index(drop=True)
    body.columns = list(range(body.shape[1]))
    header_width = len(cells)
    overlong = None
    if body.shape[1] > header_width:
        # Usually an unquoted separator inside a name, which shifts the row's values.
        overlong = body.iloc[:, header_width:].ne("").any(axis=1).to_numpy(dtype=bool)
        body = body.iloc[:, :header_width]
    raw_headers = [None if v == "" else v for v in frame.iloc[0].tolist()[:header_width]]
    headers = unique_headers(raw_headers)
    _check_body(body, headers, header_index + 2, limits)
    return Table(
        headers,
        body,
        np.arange(len(body), dtype=np.int64) + header_index + 2,
        encoding=encoding,
        delimiter=sep,
        overlong=overlong,
        odd_spaces=odd_spaces,
    )


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
    return read_csv(data, fit, scan_rows, limits)


def text_cells(values: Iterable[object]) -> list[str | None]:
    """Cells as stripped text, ``None`` where missing or blank."""
    out: list[str | None] = []
    for value in values:
        text = "" if is_missing(value) else str(value).strip()
        out.append(text or None)
    return out
