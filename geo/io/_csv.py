"""Reading a CSV table for :mod:`geo.io.tabular`: separator, header row and body, within limits.

Why it exists: the CSV half of the one Polish table reader (the workbook half is
:mod:`geo.io._xlsx`). The body is parsed by Arrow when the file is regular and by pandas
otherwise; the header row is found by the caller's fit; every bound of
:class:`geo.io._limits.ReadLimits` is checked while reading.
"""

from __future__ import annotations

import csv
import io
from itertools import islice

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from geo.io._decode import BINARY as _BINARY
from geo.io._decode import CONTROL_RE as _CONTROL_RE
from geo.io._decode import decode
from geo.io._limits import (
    Deadline,
    ReadLimits,
    TabularError,
    cell_too_long,
    too_many_cells,
    too_many_columns,
    too_many_rows,
    too_slow,
)
from geo.io.tabular import (
    _SPACES_RE,
    HEADER_SCAN_ROWS,
    ODD_SPACES,
    SEP_NAMES,
    HeaderFit,
    HeaderNotFound,
    Table,
    find_header,
    unique_headers,
)

__all__ = ["arrow_csv", "head_records", "pandas_csv", "read_csv"]

_ARROW_END = "\x00koniec\x00"  # the marker row's cells (see arrow_csv)


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
