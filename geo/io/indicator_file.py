"""Reading a file of programme indicators (CSV or XLSX), all-or-nothing, with Polish messages.

An indicator file is written by hand from a regional programme: one row per indicator with
``id, nazwa, miara, wartosc_bazowa, rok_bazowy, wartosc_docelowa, rok_docelowy, zrodlo``
(``uwagi`` optional). ``miara`` names a measure the app computes; the list of valid ids comes
from the caller (:data:`geo.analysis.indicators.MEASURES`, a layer above this one). The table
is read by :mod:`geo.io.tabular`, as every table is (title rows above the header, cp1250,
``;`` and decimal commas). A file with any bad row is rejected whole, naming each row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, Final

import pandas as pd

from geo.config import Settings
from geo.core.text import fold
from geo.errors import UserError
from geo.io import tabular
from geo.io.tabular import HeaderNotFound, TabularError

__all__ = [
    "INDICATOR_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "SAMPLE_FILE",
    "IndicatorFileError",
    "read_indicators",
    "sample_path",
]

MAX_FILE_BYTES: Final = 2 * 1024**2
MAX_ROWS: Final = 500
#: The sample indicator file in the project's ``data/`` folder.
SAMPLE_FILE: Final = "wskazniki_przyklad.csv"

INDICATOR_COLUMNS: Final = (
    "id",
    "nazwa",
    "miara",
    "wartosc_bazowa",
    "rok_bazowy",
    "wartosc_docelowa",
    "rok_docelowy",
    "zrodlo",
    "uwagi",
)
_REQUIRED: Final = INDICATOR_COLUMNS[:7]
_NUMBERS: Final = ("wartosc_bazowa", "wartosc_docelowa")
_YEARS: Final = ("rok_bazowy", "rok_docelowy")

# Control characters (C0 but tab/newline, DEL, C1): never part of an indicator's text, and a
# terminal would act on them when the CLI shows the file's values.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Header variants (folded, "_" and "-" as spaces) -> native column.
_HEADERS: Final[dict[str, str]] = {
    "id": "id",
    "identyfikator": "id",
    "kod": "id",
    "nazwa": "nazwa",
    "wskaznik": "nazwa",
    "nazwa wskaznika": "nazwa",
    "miara": "miara",
    "id miary": "miara",
    "wartosc bazowa": "wartosc_bazowa",
    "bazowa": "wartosc_bazowa",
    "rok bazowy": "rok_bazowy",
    "wartosc docelowa": "wartosc_docelowa",
    "docelowa": "wartosc_docelowa",
    "rok docelowy": "rok_docelowy",
    "zrodlo": "zrodlo",
    "uwagi": "uwagi",
}


class IndicatorFileError(UserError, ValueError):
    """An indicator file cannot be used; the message is in Polish for the user."""


def sample_path(settings: Settings) -> Path:
    """The sample indicator file shipped with the project (``data/wskazniki_przyklad.csv``)."""
    return settings.embedded_dir / SAMPLE_FILE


def _key(value: object) -> str:
    return fold(value).replace("_", " ").replace("-", " ").strip(" .:")


def _header_fit(cells: Sequence[object]) -> tuple[bool, int]:
    found = {_HEADERS.get(_key(v)) for v in cells if v is not None} - {None}
    return len(found & set(_REQUIRED)) >= 5, len(found)


def _load(source: str | Path | bytes, filename: str | None) -> tuple[bytes, str]:
    try:
        return tabular.user_file(source, filename, MAX_FILE_BYTES)
    except TabularError as exc:
        raise IndicatorFileError(str(exc)) from None


def _cells(data: bytes, name: str) -> tuple[pd.DataFrame, list[int]]:
    """The native columns of the non-empty rows (text, "" where empty) and their row numbers."""
    xlsx = name.lower().endswith((".xlsx", ".xlsm")) or tabular.is_zip(data)
    try:
        table = tabular.read_table(
            data, _header_fit, xlsx=xlsx, max_rows=MAX_ROWS, max_unzipped_bytes=20 * MAX_FILE_BYTES
        )
    except HeaderNotFound:
        raise IndicatorFileError(
            f"Nie znaleziono wiersza nagłówka w pliku {name}: potrzebne kolumny "
            f"{', '.join(_REQUIRED)} (oraz zrodlo, uwagi)."
        ) from None
    except TabularError as exc:
        raise IndicatorFileError(str(exc)) from None
    columns: dict[int, str] = {}
    for position, header in enumerate(table.headers):
        native = _HEADERS.get(_key(header))
        if native and native not in columns.values():
            columns[position] = native
    records = {
        native: tabular.text_cells(table.body[pos].tolist()) for pos, native in columns.items()
    }
    frame = pd.DataFrame({c: records.get(c, [None] * len(table.body)) for c in INDICATOR_COLUMNS})
    frame = frame.fillna("").astype(str)
    filled = (frame != "").any(axis=1).to_numpy()
    return frame[filled].reset_index(drop=True), [int(r) for r in table.rows[filled]]


def _number(text: str) -> float | None:
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _year(text: str) -> int | None:
    value = _number(text)
    if value is None or value != int(value) or not 1990 <= value <= 2100:
        return None
    return int(value)


def _shown(text: str) -> str:
    """A cell quoted in a message: control characters written as escapes (``\\x1b``)."""
    return repr(text)[1:-1]


def _check_row(record: dict[str, str], measures: Collection[str]) -> tuple[dict, list[str]]:
    issues: list[str] = []
    row: dict[str, Any] = {c: re.sub(r"\s+", " ", record[c]).strip() for c in INDICATOR_COLUMNS}
    for column in INDICATOR_COLUMNS:
        if _CONTROL.search(row[column]):
            issues.append(f"{column}: znaki sterujące w „{_shown(row[column])}”")
    for column in ("id", "nazwa", "miara"):
        if not row[column]:
            issues.append(f"brak wartości w kolumnie {column}")
    if row["miara"] and row["miara"] not in measures:
        issues.append(
            f"nieznana miara „{_shown(row['miara'])}” (dozwolone: {', '.join(sorted(measures))})"
        )
    for column in _NUMBERS:
        value = _number(row[column])
        if value is None:
            issues.append(f"{column}: „{_shown(row[column])}” nie jest liczbą")
        row[column] = value
    for column in _YEARS:
        year = _year(row[column])
        if year is None:
            issues.append(f"{column}: „{_shown(row[column])}” nie jest rokiem (1990–2100)")
        row[column] = year
    if row["rok_bazowy"] and row["rok_docelowy"] and row["rok_docelowy"] < row["rok_bazowy"]:
        issues.append(
            f"rok docelowy {row['rok_docelowy']} jest wcześniejszy niż rok bazowy "
            f"{row['rok_bazowy']}"
        )
    return row, issues


def read_indicators(
    source: str | Path | bytes, measures: Collection[str], filename: str | None = None
) -> pd.DataFrame:
    """Read and check an indicator file (CSV or XLSX); all-or-nothing.

    Parameters
    ----------
    source : str, Path or bytes
        The file or its content.
    measures : collection of str
        The valid measure ids (:data:`geo.analysis.indicators.MEASURES`).
    filename : str, optional
        Name of the file (format and messages) when ``source`` is bytes.

    Returns
    -------
    pandas.DataFrame
        :data:`INDICATOR_COLUMNS`; values as floats, years as ints, the rest as text.

    Raises
    ------
    IndicatorFileError
        Every problem found (up to 20), in Polish, naming the row: unknown measure, values
        that are not numbers, a target year before the baseline year, repeated ids.
    """
    data, name = _load(source, filename)
    frame, lines = _cells(data, name)
    if frame.empty:
        raise IndicatorFileError(f"Plik {name} nie zawiera żadnego wskaźnika.")
    if len(frame) > MAX_ROWS:
        raise IndicatorFileError(f"Plik {name} ma ponad {MAX_ROWS} wskaźników.")
    problems: list[str] = []
    rows = []
    for line, record in zip(lines, frame.to_dict("records"), strict=True):
        row, issues = _check_row(record, measures)
        problems.extend(f"wiersz {line}: {issue}" for issue in issues)
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS))
    repeated = out["id"][(out["id"] != "") & out["id"].duplicated(keep=False)]
    if len(repeated):
        lines_of = {i: [str(lines[n]) for n in repeated.index[repeated == i]] for i in repeated}
        problems.extend(
            f"powtórzony identyfikator „{_shown(i)}” (wiersze {', '.join(rows_)})"
            for i, rows_ in lines_of.items()
        )
    if problems:
        shown = "; ".join(problems[:20])
        more = f" (i {len(problems) - 20} innych)" if len(problems) > 20 else ""
        raise IndicatorFileError(
            f"Plik {name} odrzucony, nic nie zapisano. Problemy: {shown}{more}."
        )
    return out.astype({"rok_bazowy": int, "rok_docelowy": int})
