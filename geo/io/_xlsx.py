"""Reading Excel workbooks (XLSX) for :mod:`geo.io.tabular`: every sheet, cells as text.

A workbook is searched sheet by sheet for the header row. Cells become text as a user reads
them in Excel: integers without ".0", dates as ISO (``2020-03-01``), booleans as PRAWDA/FAŁSZ.
Formula cells without a cached value (files written by scripts) keep their formula text, so
nothing is silently lost.

Hostile workbooks are refused with a Polish message before they cost memory: the archive is
first streamed through once (:func:`_scan_archive`: constant memory) counting unpacked bytes,
rows (empty ones too: openpyxl's parser keeps every row element until the sheet ends), cells
and shared strings against :class:`~geo.io.tabular.ReadLimits`; only then does openpyxl parse
it, and the rows are checked again while read (columns, cell length, time). XML entities are
refused by openpyxl through defusedxml; its other errors are worded in Polish here.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice, zip_longest
from typing import Any

import numpy as np
import pandas as pd

from geo.io._limits import EXCEL_MAX_ROWS, Deadline, ReadLimits
from geo.io.tabular import (
    ODD_SPACES,
    HeaderFit,
    HeaderNotFound,
    Table,
    TabularError,
    cell_too_long,
    find_header,
    too_many_cells,
    too_many_columns,
    too_many_rows,
    too_slow,
    unique_headers,
)

__all__ = ["cell_text", "read_xlsx"]

# The scan looks for literal text first (fast): regexes with a literal start, bytes.count.
_PREFIX = rb"<[A-Za-z_][\w.-]*:"
_FORMULA = (re.compile(rb"<f[\s>/]"), re.compile(rb":f[\s>/]"))
_PREFIXED_ROW = re.compile(_PREFIX + rb"row\b")
_PREFIXED_CELL = re.compile(_PREFIX + rb"c[\s>/]")
_PREFIXED_SHARED_STRING = re.compile(_PREFIX + rb"si[\s>/]")
#: A row numbered past a million (seven digits or more): the only numbers worth parsing.
_BIG_ROW_NUMBER = re.compile(rb"""row\b[^<>]*?\sr\s*=\s*["']\s*0*([1-9]\d{6,})""")
_SPACES = re.compile(f"[{ODD_SPACES}]")
_CHUNK = 1 << 20
#: Most parts (files) in a workbook archive; real ones have tens.
MAX_PARTS = 10_000


@dataclass
class _Scan:
    """What the streaming scan of a workbook found."""

    has_formulas: bool = False
    cells: int = 0
    shared_strings: int = 0


def cell_text(value: object) -> str | None:
    """An XLSX cell value as text: integers without ".0", dates as ISO."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "PRAWDA" if value else "FAŁSZ"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _open_workbook(data: bytes, data_only: bool) -> Any:  # openpyxl Workbook
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # styles/data-validation warnings are irrelevant here
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)


def _open_archive(data: bytes) -> zipfile.ZipFile:
    """The workbook's archive; what is not a sound XLSX archive is refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TabularError("Plik XLSX jest uszkodzony (nie jest poprawnym archiwum ZIP).") from None
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        with archive:
            ods = "mimetype" in names and b"opendocument" in archive.open("mimetype").read(200)
        if ods:
            raise TabularError(
                "Pliki OpenDocument (.ods) nie są obsługiwane: zapisz arkusz jako XLSX lub CSV."
            )
        raise TabularError(
            "Plik jest archiwum ZIP, ale nie skoroszytem Excel (.xlsx). Wczytaj plik XLSX lub CSV."
        )
    return archive


def _too_big_unpacked() -> TabularError:
    return TabularError(
        "Skoroszyt XLSX jest zbyt duży po rozpakowaniu (możliwa „bomba ZIP”): zapisz dane "
        "ponownie w Excelu bez zbędnych arkuszy i formatowania albo jako CSV."
    )


def _check_sizes(infos: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    """Declared unpacked sizes within the limits (zipfile never reads past a declared size)."""
    if len(infos) > MAX_PARTS:
        raise TabularError(
            f"Skoroszyt XLSX składa się z ponad {MAX_PARTS} części: nie jest zwykłym "
            "plikiem z Excela. Zapisz go ponownie w Excelu."
        )
    data_bytes = other_bytes = 0
    for info in infos:
        name = info.filename.lower()
        if name.startswith("xl/worksheets/") or name.rsplit("/", 1)[-1].startswith("sharedstrings"):
            data_bytes += info.file_size
        else:
            other_bytes += info.file_size
    if data_bytes > limits.unpacked_bytes or other_bytes > limits.other_part_bytes:
        raise _too_big_unpacked()


def _scan_part(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limits: ReadLimits,
    deadline: Deadline,
    scan: _Scan,
) -> None:
    """Stream one part through, counting rows, cells, shared strings and spotting formulas.

    Text is carried over between chunks from the last ``<`` on, so no tag is split; a run of
    text longer than any cell may be is refused (it would be carried over and over). Counts
    may overshoot a little (``<rowBreaks`` counts as a row, ``<col`` as a cell): they guard
    limits far above real workbooks.
    """
    longest_text = 4 * limits.cell_chars + _CHUNK  # UTF-8: a character is at most 4 bytes
    strings_part = info.filename.lower().rsplit("/", 1)[-1].startswith("sharedstrings")
    most_rows = min(limits.raw_rows, EXCEL_MAX_ROWS)
    rows = 0
    tail = b""
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            buffer = tail + chunk
            cut = buffer.rfind(b"<") if chunk else len(buffer)
            cut = len(buffer) if cut < 0 else cut
            span, tail = buffer[:cut], buffer[cut:]
            if len(tail) > longest_text:
                raise cell_too_long(limits.cell_chars, None, None, None)
            if strings_part:
                scan.shared_strings += _count(span, b"<si", _PREFIXED_SHARED_STRING)
                if scan.shared_strings > limits.shared_strings:
                    raise too_many_cells(limits.shared_strings, "różnych tekstów w komórkach")
            else:
                rows += _count(span, b"<row", _PREFIXED_ROW)
                numbers = [int(m.group(1)) for m in _BIG_ROW_NUMBER.finditer(span)]
                if max([rows, *numbers]) > most_rows:
                    raise too_many_rows(most_rows, raw=True)
                scan.cells += _count(span, b"<c", _PREFIXED_CELL)
                if scan.cells > limits.cells:
                    raise too_many_cells(limits.cells)
                scan.has_formulas = scan.has_formulas or any(f.search(span) for f in _FORMULA)
            if deadline.passed():
                raise too_slow(limits)
            if not chunk:
                return


def _count(span: bytes, tag: bytes, prefixed: re.Pattern[bytes]) -> int:
    """Elements ``tag`` (with its ``<``) in ``span``; namespace-prefixed ones by regex."""
    plain = span.count(tag)
    return plain + (len(prefixed.findall(span)) if b":" + tag[1:] in span else 0)


def _scan_archive(data: bytes, limits: ReadLimits, deadline: Deadline) -> _Scan:
    """Check a workbook against ``limits`` reading it once as a stream (constant memory)."""
    scan = _Scan()
    with _open_archive(data) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        _check_sizes(infos, limits)
        try:
            for info in infos:
                _scan_part(archive, info, limits, deadline, scan)
        except TabularError:
            raise
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            NotImplementedError,
            ValueError,
        ) as exc:
            detail = " ".join(str(exc).split())[:200]
            raise TabularError(
                "Plik XLSX jest uszkodzony (nie da się go rozpakować). Otwórz go w Excelu i "
                f"zapisz ponownie jako .xlsx. Szczegóły techniczne: {detail}"
            ) from None
    return scan


def read_xlsx(data: bytes, fit: HeaderFit, scan_rows: int, limits: ReadLimits) -> Table:
    """Read the first sheet that has a header row that ``fit`` accepts (see read_table)."""
    deadline = Deadline(limits.seconds)
    scan = _scan_archive(data, limits, deadline)
    try:
        return _read_sheets(data, fit, scan_rows, limits, deadline, scan.has_formulas)
    except TabularError:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on malformed workbooks
        detail = " ".join(str(exc).split())[:200]
        raise TabularError(
            "Nie udało się odczytać pliku XLSX: skoroszyt jest uszkodzony albo zawiera "
            "niedozwoloną treść (np. definicje encji XML). Otwórz go w Excelu i zapisz "
            f"ponownie jako .xlsx. Szczegóły techniczne: {detail}"
        ) from None


def _read_sheets(
    data: bytes,
    fit: HeaderFit,
    scan_rows: int,
    limits: ReadLimits,
    deadline: Deadline,
    has_formulas: bool,
) -> Table:
    workbook = _open_workbook(data, data_only=True)
    # Formula cells without a cached value come back empty with data_only: take the formula
    # text from a second reading (only when the workbook has formulas at all).
    formulas = _open_workbook(data, data_only=False) if has_formulas else None
    first_found: list[object] = []
    try:
        for index, sheet in enumerate(workbook.worksheets):
            if deadline.passed():
                raise too_slow(limits)
            sheet.reset_dimensions()  # stored dimensions are often wrong; read all cells
            rows: Iterator[tuple[object, ...]] = sheet.iter_rows(values_only=True)
            if formulas is not None:
                fsheet = formulas.worksheets[index]
                fsheet.reset_dimensions()
                rows = _merge_formulas(rows, fsheet.iter_rows(values_only=True))
            rows = _checked_rows(rows, limits, deadline)
            head_text = [[cell_text(v) for v in r] for r in islice(rows, scan_rows)]
            header_index, _, cells = find_header(head_text, fit)
            if header_index is None:
                if not any(first_found):
                    first_found = cells
                continue
            return _sheet_table(sheet.title, head_text, header_index, rows, limits)
    finally:
        workbook.close()
        if formulas is not None:
            formulas.close()
    if not any(first_found):
        raise TabularError("Plik jest pusty: skoroszyt nie zawiera danych.")
    raise HeaderNotFound(first_found)


def _checked_rows(
    rows: Iterator[tuple[object, ...]], limits: ReadLimits, deadline: Deadline
) -> Iterator[tuple[object, ...]]:
    """The rows, trimmed of empty cells past ``limits.columns``; the time checked as they come.

    A row reaches as far right as its last cell element, even an empty formatted one: the
    trimming keeps one such cell at XFD from widening every row to 16,384 columns.
    """
    for number, values in enumerate(rows, start=1):
        if number % 256 == 0 and deadline.passed():
            raise too_slow(limits)
        if len(values) > limits.columns:
            if any(v is not None and v != "" for v in values[limits.columns :]):
                raise too_many_columns(limits.columns)
            values = values[: limits.columns]
        yield values


def _merge_formulas(
    values: Iterator[tuple[object, ...]], formulas: Iterator[tuple[object, ...]]
) -> Iterator[tuple[object, ...]]:
    for cached, raw in zip_longest(values, formulas, fillvalue=()):
        if not any(isinstance(v, str) and v.startswith("=") for v in raw):
            yield cached
            continue
        merged = list(cached) + [None] * max(0, len(raw) - len(cached))
        for i, formula in enumerate(raw):
            if merged[i] is None and isinstance(formula, str) and formula.startswith("="):
                merged[i] = formula
        yield tuple(merged)


def _sheet_table(
    title: str,
    head_text: list[list[str | None]],
    header_index: int,
    rest: Iterator[tuple[object, ...]],
    limits: ReadLimits,
) -> Table:
    """The non-empty rows below the header, padded to one width (within ``limits``)."""
    raw_headers: list[object] = list(head_text[header_index])
    records: list[list[str | None]] = []
    numbers: list[int] = []
    kept_cells = 0
    row_number = header_index + 1
    below = chain(head_text[header_index + 1 :], ([cell_text(v) for v in r] for r in rest))
    for cells in below:
        row_number += 1
        while cells and (cells[-1] is None or not cells[-1].strip()):
            cells.pop()  # trailing empty cells: the width is that of the data
        if not cells:
            continue
        if max(len(c) for c in cells if c is not None) > limits.cell_chars:
            _refuse_long_cell(cells, raw_headers, row_number, limits)
        records.append(cells)
        numbers.append(row_number)
        kept_cells += max(len(cells), len(raw_headers))
        if len(records) > limits.rows:
            raise too_many_rows(limits.rows)
        if kept_cells > limits.cells:
            raise too_many_cells(limits.cells)
    width = max([len(raw_headers), *(len(r) for r in records)])
    raw_headers += [None] * (width - len(raw_headers))
    body = pd.DataFrame.from_records(
        [r + [None] * (width - len(r)) for r in records], columns=list(range(width))
    )
    if body.empty:
        body = pd.DataFrame({i: pd.Series([], dtype=object) for i in range(width)})
    return Table(
        unique_headers(raw_headers),
        body.astype(object),
        np.asarray(numbers, dtype=np.int64),
        sheet=title,
    )


def _refuse_long_cell(
    cells: list[str | None], raw_headers: list[object], row_number: int, limits: ReadLimits
) -> None:
    """Refuse the row's first cell over the limit once cleaned (edges and odd spaces)."""
    for position, text in enumerate(cells):
        length = len(_SPACES.sub(" ", text).strip()) if text else 0
        if length > limits.cell_chars:
            shown = unique_headers(raw_headers + [None] * len(cells))[position]
            raise cell_too_long(limits.cell_chars, length, row_number, shown)
