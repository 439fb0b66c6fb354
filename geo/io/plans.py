"""Reading a list of local social economy plans (LPRES) from CSV or XLSX, all-or-nothing.

A plan list is written by hand or exported from a regional survey: Polish Excel files with a
title row, headers in Polish ("JST przyjmująca", "Kody TERYT", "Data uchwały"), statuses in
words ("w opracowaniu", "obowiązuje") and codes that Excel stripped of their leading zero. This
module reads such a file (through :mod:`geo.io.tabular`, as every table is read), checks every
row and returns the plans in the native columns, or rejects the whole file naming each bad row.
What a plan means for a gmina on a date is :mod:`geo.analysis.lpres`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from geo.config import ConfigError
from geo.core.text import clean_text, fold
from geo.io import tabular
from geo.io.registry.values import parse_date
from geo.io.tabular import HeaderNotFound, Table, TabularError

__all__ = [
    "LIMITS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "PLAN_COLUMNS",
    "STATUS_LABELS",
    "LpresError",
    "read_plans",
]

MAX_FILE_BYTES: Final = 5 * 1024**2
MAX_ROWS: Final = 5_000
#: What reading a plan file may take (rows, cells, unpacked size, time): see ReadLimits.
LIMITS: Final = tabular.ReadLimits.for_upload(MAX_FILE_BYTES, MAX_ROWS, cell_chars=10_000)

#: Plan status codes and their Polish labels.
STATUS_LABELS: Final[dict[str, str]] = {
    "nieznany": "nieznany",
    "brak": "brak planu",
    "w_przygotowaniu": "w przygotowaniu",
    "przyjety": "przyjęty",
    "wygasly": "wygasły",
}
PLAN_COLUMNS: Final = (
    "id",
    "nazwa",
    "jst",
    "zakres",
    "teryt_gmin",
    "status",
    "uchwala_nr",
    "uchwala_data",
    "okres_od",
    "okres_do",
    "link",
    "zrodlo",
    "data_weryfikacji",
    "uwagi",
)
_REQUIRED = ("jst", "zakres", "teryt_gmin", "status")
_DATES = ("uchwala_data", "okres_od", "okres_do", "data_weryfikacji")

# Header variants (folded) -> native column.
_HEADERS: dict[str, str] = {
    "id": "id",
    "identyfikator": "id",
    "lp": "id",
    "nazwa": "nazwa",
    "nazwa planu": "nazwa",
    "plan": "nazwa",
    "jst": "jst",
    "jst przyjmujaca": "jst",
    "samorzad": "jst",
    "jednostka samorzadu": "jst",
    "zakres": "zakres",
    "zasieg": "zakres",
    "teryt gmin": "teryt_gmin",
    "teryt": "teryt_gmin",
    "kody teryt": "teryt_gmin",
    "gminy": "teryt_gmin",
    "kody gmin": "teryt_gmin",
    "status": "status",
    "uchwala nr": "uchwala_nr",
    "nr uchwaly": "uchwala_nr",
    "numer uchwaly": "uchwala_nr",
    "uchwala": "uchwala_nr",
    "uchwala data": "uchwala_data",
    "data uchwaly": "uchwala_data",
    "data przyjecia": "uchwala_data",
    "okres od": "okres_od",
    "od": "okres_od",
    "obowiazuje od": "okres_od",
    "okres do": "okres_do",
    "do": "okres_do",
    "obowiazuje do": "okres_do",
    "link": "link",
    "adres": "link",
    "url": "link",
    "zrodlo": "zrodlo",
    "data weryfikacji": "data_weryfikacji",
    "zweryfikowano": "data_weryfikacji",
    "uwagi": "uwagi",
}
_STATUS_WORDS: dict[str, str] = {
    "": "nieznany",
    "?": "nieznany",
    "nieznany": "nieznany",
    "nie wiadomo": "nieznany",
    "brak danych": "nieznany",
    "brak": "brak",
    "brak planu": "brak",
    "nie ma": "brak",
    "w przygotowaniu": "w_przygotowaniu",
    "w opracowaniu": "w_przygotowaniu",
    "projekt": "w_przygotowaniu",
    "konsultacje": "w_przygotowaniu",
    "przyjety": "przyjety",
    "przyjeto": "przyjety",
    "obowiazuje": "przyjety",
    "obowiazujacy": "przyjety",
    "wygasly": "wygasly",
    "wygasl": "wygasly",
    "zakonczony": "wygasly",
}
_SCOPE_WORDS: dict[str, str] = {
    "gmina": "gmina",
    "gminny": "gmina",
    "powiat": "powiat",
    "powiatowy": "powiat",
    "gminy": "gminy",
    "kilka gmin": "gminy",
    "miedzygminny": "gminy",
}
_CODE_SPLIT = re.compile(r"[;,\s]+")


class LpresError(ConfigError):
    """A plan file cannot be used; the message is in Polish for the user."""


def _key(value: object) -> str:
    return fold(value).replace("_", " ").replace("-", " ").strip(" .:")


def _header_fit(cells: Sequence[object]) -> tuple[bool, int]:
    """A plan list's header names at least three of the four required columns."""
    found = {_HEADERS.get(_key(v)) for v in cells if v is not None} - {None}
    return len(found & set(_REQUIRED)) >= 3, len(found)


def _read_table(data: bytes, name: str) -> Table:
    """The cells below the header row (found within the first rows, below any title rows)."""
    xlsx = name.lower().endswith((".xlsx", ".xlsm")) or tabular.is_zip(data)
    try:
        return tabular.read_table(data, _header_fit, xlsx=xlsx, limits=LIMITS)
    except HeaderNotFound:
        raise LpresError(
            "Nie znaleziono wiersza nagłówka: plik musi mieć kolumny jst, zakres, teryt_gmin i "
            "status (oraz np. nazwa, uchwala_nr, uchwala_data, okres_od, okres_do, link, zrodlo)."
        ) from None
    except TabularError as exc:
        raise LpresError(str(exc)) from None


def _plan_cells(table: Table) -> tuple[pd.DataFrame, np.ndarray]:
    """The native columns of the non-empty rows (cells stripped, None where empty), row numbers.

    A header named twice counts once, at its first column.
    """
    columns: dict[int, str] = {}
    for position, header in enumerate(table.headers):
        native = _HEADERS.get(_key(header))
        if native and native not in columns.values():
            columns[position] = native
    cells = {pos: tabular.text_cells(table.body[pos].tolist()) for pos in table.body.columns}
    filled = np.zeros(len(table.body), dtype=bool)
    for values in cells.values():
        filled |= np.array([v is not None for v in values], dtype=bool)
    frame = pd.DataFrame(
        {native: np.array(cells[pos], dtype=object)[filled] for pos, native in columns.items()},
        index=pd.RangeIndex(int(filled.sum())),
    )
    for column in PLAN_COLUMNS:
        if column not in frame:
            frame[column] = None
    return frame, table.rows[filled]


def _load(source: str | Path | bytes, filename: str | None) -> tuple[bytes, str]:
    try:
        return tabular.user_file(source, filename, MAX_FILE_BYTES)
    except TabularError as exc:
        raise LpresError(str(exc)) from None


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return re.sub(r"\s+", " ", clean_text(str(value))).strip()


def _split_codes(value: str) -> list[str]:
    return [c for c in _CODE_SPLIT.split(value) if c]


def read_plans(source: str | Path | bytes, filename: str | None = None) -> pd.DataFrame:
    """Read and check a plan list (CSV or XLSX); all-or-nothing.

    Parameters
    ----------
    source : str, Path or bytes
        The file or its content.
    filename : str, optional
        Name of the file (for the format and messages) when ``source`` is bytes.

    Returns
    -------
    pandas.DataFrame
        :data:`PLAN_COLUMNS`; ``status`` and ``zakres`` as codes, dates ISO, ``teryt_gmin``
        as ``;``-joined codes (4 digits = every gmina of that powiat).

    Raises
    ------
    LpresError
        With every problem found (up to 20), in Polish, naming the row.
    """
    data, name = _load(source, filename)
    table, lines = _plan_cells(_read_table(data, name))
    if len(table) > MAX_ROWS:
        raise LpresError(f"Plik ma ponad {MAX_ROWS} wierszy planów.")

    problems: list[str] = []
    rows: list[dict[str, str]] = []
    for line, record in zip(lines, table.to_dict("records"), strict=True):
        row, issues = _check_row(record)
        problems.extend(f"wiersz {line}: {issue}" for issue in issues)
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(PLAN_COLUMNS))
    missing_ids = out["id"] == ""
    out.loc[missing_ids, "id"] = [f"LPRES-{i + 1:03d}" for i in np.flatnonzero(missing_ids)]
    duplicated = out["id"].duplicated(keep=False)
    if duplicated.any():
        ids = ", ".join(sorted(set(out.loc[duplicated, "id"])))
        problems.append(f"powtórzone identyfikatory planów: {ids}")
    if problems:
        shown = "; ".join(problems[:20])
        more = f" (i {len(problems) - 20} innych)" if len(problems) > 20 else ""
        raise LpresError(f"Plik {name} odrzucony, nic nie zapisano. Problemy: {shown}{more}.")
    return out


def _check_row(record: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    issues: list[str] = []
    row = {column: _text(record.get(column)) for column in PLAN_COLUMNS}
    for column in _DATES:
        try:
            row[column] = parse_date(record.get(column)) or ""
        except ValueError as exc:
            issues.append(f"{column}: {exc}")
            row[column] = ""
    status = _STATUS_WORDS.get(_key(row["status"]))
    if status is None:
        issues.append(
            f"nieznany status „{row['status']}” (dozwolone: {', '.join(STATUS_LABELS.values())})"
        )
    else:
        row["status"] = status
    scope = _SCOPE_WORDS.get(_key(row["zakres"]))
    if scope is None:
        issues.append(f"nieznany zakres „{row['zakres']}” (dozwolone: gmina, powiat, gminy)")
    else:
        row["zakres"] = scope
    if not row["jst"]:
        issues.append("brak JST przyjmującej plan (kolumna jst)")
    codes = _split_codes(row["teryt_gmin"])
    # Excel drops leading zeros: 605053 -> 0605053, 605 -> 0605.
    codes = [c.zfill(7) if len(c) == 6 else c.zfill(4) if len(c) == 3 else c for c in codes]
    bad = [c for c in codes if not re.fullmatch(r"\d{7}|\d{4}", c)]
    if not codes:
        issues.append("brak kodów TERYT gmin (kolumna teryt_gmin)")
    elif bad:
        issues.append(f"nieprawidłowe kody TERYT: {', '.join(bad)} (7 cyfr gminy lub 4 powiatu)")
    elif scope == "gmina" and (len(codes) != 1 or len(codes[0]) != 7):
        issues.append("plan gminy musi wskazywać dokładnie jeden 7-cyfrowy kod gminy")
    row["teryt_gmin"] = ";".join(dict.fromkeys(codes))
    if status in {"przyjety", "w_przygotowaniu", "wygasly"} and not row["nazwa"]:
        issues.append("brak nazwy planu")
    if row["okres_od"] and row["okres_do"] and row["okres_od"] > row["okres_do"]:
        issues.append("okres_od jest późniejszy niż okres_do")
    if row["link"] and not re.match(r"https?://", row["link"], flags=re.IGNORECASE):
        issues.append("link musi zaczynać się od http:// lub https://")
    return row, issues
