"""Reading Excel workbooks (XLSX) for :mod:`geo.io.tabular`: every sheet, cells as text.

A workbook is searched sheet by sheet for the header row. Cells become text as a user reads
them in Excel: integers without ".0", dates as ISO (``2020-03-01``), booleans as PRAWDA/FAŁSZ.
Formula cells without a cached value (files written by scripts) keep their formula text, so
nothing is silently lost. Malformed or hostile workbooks (zip bombs, XML entities) are refused
with a Polish message; openpyxl raises many kinds of errors on them.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import warnings
import zipfile
from collections.abc import Iterator
from itertools import islice, zip_longest
from typing import Any

import numpy as np
import pandas as pd

from geo.io.tabular import (
    HeaderFit,
    HeaderNotFound,
    Table,
    TabularError,
    find_header,
    too_many_rows,
    unique_headers,
)

__all__ = ["cell_text", "read_xlsx"]

_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(archive: zipfile.ZipFile) -> bool:
    for name in archive.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        with archive.open(name) as stream:
            tail = b""
            while chunk := stream.read(1 << 20):
                if _FORMULA.search(tail + chunk):
                    return True
                tail = chunk[-4:]
    return False


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


def _check_archive(data: bytes, max_unzipped_bytes: int) -> bool:
    """Refuse what is not a sound XLSX archive; return whether its sheets hold formulas."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TabularError("Plik XLSX jest uszkodzony (nie jest poprawnym archiwum ZIP).") from None
    with archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
                raise TabularError(
                    "Pliki OpenDocument (.ods) nie są obsługiwane: zapisz arkusz jako XLSX lub CSV."
                )
            raise TabularError(
                "Plik jest archiwum ZIP, ale nie skoroszytem Excel (.xlsx). Wczytaj plik XLSX "
                "lub CSV."
            )
        if sum(info.file_size for info in archive.infolist()) > max_unzipped_bytes:
            raise TabularError("Skoroszyt XLSX jest zbyt duży po rozpakowaniu.")
        return _has_formulas(archive)


def read_xlsx(
    data: bytes,
    fit: HeaderFit,
    scan_rows: int,
    max_rows: int | None,
    max_unzipped_bytes: int,
) -> Table:
    """Read the first sheet that has a header row that ``fit`` accepts (see read_table)."""
    has_formulas = _check_archive(data, max_unzipped_bytes)
    try:
        return _read_sheets(data, fit, scan_rows, max_rows, has_formulas)
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
    data: bytes, fit: HeaderFit, scan_rows: int, max_rows: int | None, has_formulas: bool
) -> Table:
    workbook = _open_workbook(data, data_only=True)
    # Formula cells without a cached value come back empty with data_only: take the formula
    # text from a second reading (only when the workbook has formulas at all).
    formulas = _open_workbook(data, data_only=False) if has_formulas else None
    first_found: list[object] = []
    try:
        for index, sheet in enumerate(workbook.worksheets):
            sheet.reset_dimensions()  # stored dimensions are often wrong; read all cells
            rows: Iterator[tuple[object, ...]] = sheet.iter_rows(values_only=True)
            if formulas is not None:
                fsheet = formulas.worksheets[index]
                fsheet.reset_dimensions()
                rows = _merge_formulas(rows, fsheet.iter_rows(values_only=True))
            head_text = [[cell_text(v) for v in r] for r in islice(rows, scan_rows)]
            header_index, _, cells = find_header(head_text, fit)
            if header_index is None:
                if not any(first_found):
                    first_found = cells
                continue
            return _sheet_table(sheet.title, head_text, header_index, rows, max_rows)
    finally:
        workbook.close()
        if formulas is not None:
            formulas.close()
    if not any(first_found):
        raise TabularError("Plik jest pusty: skoroszyt nie zawiera danych.")
    raise HeaderNotFound(first_found)


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
    max_rows: int | None,
) -> Table:
    """The non-empty rows below the header, padded to one width."""
    raw_headers: list[object] = list(head_text[header_index])
    records: list[list[str | None]] = []
    numbers: list[int] = []
    row_number = header_index + 1
    for cells in head_text[header_index + 1 :]:
        row_number += 1
        if any(c is not None and c.strip() for c in cells):
            records.append(cells)
            numbers.append(row_number)
    for values in rest:
        row_number += 1
        cells = [cell_text(v) for v in values]
        if any(c is not None and c.strip() for c in cells):
            records.append(cells)
            numbers.append(row_number)
            if max_rows is not None and len(records) > max_rows:
                raise too_many_rows(max_rows)
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
