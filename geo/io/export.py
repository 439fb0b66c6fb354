"""Tabular exports (CSV, JSON, XLSX): safe to open in a spreadsheet, and ready for Excel.

Two kinds of CSV: the machine CSV of the command line (``,`` separator, decimal point, the
column names of the data) and the CSV for people that the pages offer (``people=True``):
``;``-separated with decimal commas, as a Polish Excel opens it with a double click, and Polish
headers (:data:`HEADERS`). Both are UTF-8 with a BOM. XLSX files have a frozen header row,
columns as wide as their text and number formats (thousands grouped, dates as dd.mm.rrrr).

Second line of defence for whatever a source wrote in a cell: control and invisible
characters are removed (:func:`geo.core.text.clean_text`; openpyxl refuses a vertical tab or
a NUL) and text starting with ``= + - @`` (or a tab/CR) is prefixed with an apostrophe, so that
Excel or LibreOffice never runs it as a formula. Numbers are left alone.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from geo.core.text import clean_text

__all__ = [
    "FORMATS",
    "HEADERS",
    "neutralize",
    "people_headers",
    "safe_frame",
    "to_bytes",
    "write_sheet",
]

FORMATS = ("csv", "json", "xlsx")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")

#: Polish headers of the data's column names, for exports meant for people. A column not
#: listed keeps its name (pages rename their tables to what they show before exporting).
HEADERS: dict[str, str] = {
    "teryt": "TERYT",
    "nazwa": "Nazwa",
    "rodzaj_nazwa": "Rodzaj gminy",
    "powiat": "Powiat",
    "powiat_nazwa": "Powiat",
    "podregion": "Podregion",
    "owes_podregion": "Podregion OWES (kod)",
    "owes_podregion_nazwa": "Podregion OWES",
    "nuts3": "Podregion NUTS-3 (kod)",
    "nuts3_nazwa": "Podregion NUTS-3",
    "has_social_employment": "CIS/KIS w gminie lub przez porozumienie",
    "pokrycie": "Pokrycie CIS/KIS",
    "obslugujace": "Obsługujące CIS/KIS",
    "cis": "CIS",
    "kis": "KIS",
    "zaz": "ZAZ",
    "wtz": "WTZ",
    "sps": "Spółdzielnie socjalne",
    "ps": "Przedsiębiorstwa społeczne",
    "ngo": "NGO",
    "inny": "Inne",
    "pes_razem": "PES razem",
    "ludnosc": "Ludność",
    "pes_na_10k": "PES na 10 tys. mieszkańców",
    "odleglosc_cis_kis_km": "Do CIS/KIS, km",
    "lpres_status": "Status LPRES (kod)",
    "lpres_status_nazwa": "LPRES",
    "liczba_kandydatow": "Kandydaci, liczba",
    "kandydaci": "Kandydaci do porozumienia",
    "kandydaci_teryt": "Kandydaci, TERYT",
    # the registry (see geo.io.registry.model.FIELD_LABELS)
    "id": "Identyfikator",
    "typ": "Typ podmiotu",
    "podmiot_prowadzacy": "Podmiot prowadzący",
    "adres": "Adres",
    "kod_pocztowy": "Kod pocztowy",
    "miejscowosc": "Miejscowość",
    "gmina": "Gmina",
    "szerokosc": "Szerokość geograficzna",
    "dlugosc": "Długość geograficzna",
    "gminy_obslugiwane": "Gminy obsługiwane",
    "data_rozpoczecia": "Data rozpoczęcia działalności",
    "data_zakonczenia": "Data zakończenia działalności",
    "zrodlo": "Źródło",
    "data_weryfikacji": "Data weryfikacji",
    "uwagi": "Uwagi",
    "zrodlo_rejestru": "Źródło rejestru",
    "wersja": "Wersja",
    "klucz_podmiotu": "Klucz podmiotu",
    "teryt_gminy": "TERYT gminy (ustalony)",
    "metoda_lokalizacji": "Metoda lokalizacji",
    "pozycja_przyblizona": "Położenie przybliżone",
    "uwzgledniony": "Liczony w pokryciu",
    "problem_kategoria": "Kategoria problemu",
    "problem": "Problem",
    "poprawki": "Poprawki ręczne",
    "wiersz": "Wiersz",
    "zmiana": "Zmiana",
    "szczegoly": "Szczegóły",
}
#: Columns that hold a name in the registry but a TERC code in tables of gminas.
_CODES = {"powiat": (4, "TERYT powiatu")}
_MAX_WIDTH = 60  # characters; longer text wraps in Excel when the user widens the column
_INTEGER = "#,##0"
_MAX_DECIMALS = 6
_DATE = "DD.MM.YYYY"


def neutralize(value: Any) -> Any:
    """Return ``value`` with a leading apostrophe if a spreadsheet would treat it as formula."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def _safe_text(value: Any) -> Any:
    return neutralize(clean_text(value)) if isinstance(value, str) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` without geometry; text without hidden characters, formulas neutralised."""
    out = pd.DataFrame(frame).drop(columns=["geometry"], errors="ignore").copy()
    out.columns = [_safe_text(c) if isinstance(c, str) else c for c in out.columns]
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            out.isetitem(i, column.map(_safe_text))
    return out


def people_headers(frame: pd.DataFrame, headers: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``frame`` with Polish headers (``headers`` over :data:`HEADERS`); booleans as tak/nie.

    Two columns that would get the same header are numbered: "Powiat", "Powiat (2)".
    """
    names = {**HEADERS, **(headers or {})}
    seen: set[str] = set()
    renamed = []
    for i, column in enumerate(frame.columns):
        label = names.get(column, column) if isinstance(column, str) else column
        if column in _CODES and _all_codes(frame.iloc[:, i], _CODES[column][0]):
            label = _CODES[column][1]
        base, n = label, 1
        while label in seen:  # never the data's name: it is no header for people
            n += 1
            label = f"{base} ({n})"
        seen.add(label)
        renamed.append(label)
    out = pd.DataFrame(frame).set_axis(renamed, axis=1)
    for i in range(out.shape[1]):
        if pd.api.types.is_bool_dtype(out.iloc[:, i]):
            out.isetitem(i, out.iloc[:, i].map({True: "tak", False: "nie"}))
    return out


def _all_codes(column: pd.Series, digits: int) -> bool:
    values = column.dropna().astype(str)
    return bool(len(values)) and bool(values.str.fullmatch(rf"\d{{{digits}}}").all())


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return clean_text(value)
    if hasattr(value, "item"):  # numpy scalars
        return _json_value(value.item())
    return value


def _format_sheet(sheet: Worksheet, frame: pd.DataFrame) -> None:
    """Frozen header row, column widths fitted to the text, number and date formats."""
    sheet.freeze_panes = "A2"
    rows = len(frame)
    for i in range(frame.shape[1]):
        column = frame.iloc[:, i]
        letter = get_column_letter(i + 1)
        text = column.dropna().astype(str)
        longest = int(text.str.len().max()) if len(text) else 0
        width = max(len(str(frame.columns[i])), longest) + 2
        sheet.column_dimensions[letter].width = min(width, _MAX_WIDTH)
        number_format = _number_format(column)
        if number_format is None:
            continue
        for (cell,) in sheet.iter_rows(min_row=2, max_row=rows + 1, min_col=i + 1, max_col=i + 1):
            cell.number_format = number_format


def _number_format(column: pd.Series) -> str | None:
    """The Excel format of a numeric or date column (None: leave the cells as they are)."""
    if pd.api.types.is_bool_dtype(column):
        return None
    if pd.api.types.is_integer_dtype(column):
        return _INTEGER
    if pd.api.types.is_float_dtype(column):
        return _decimal_format(column.dropna())
    if pd.api.types.is_datetime64_any_dtype(column):
        return _DATE
    if column.dtype == object:
        values = column.dropna()
        if len(values) and all(isinstance(v, dt.date) for v in values):
            return _DATE
    return None


def write_sheet(writer: pd.ExcelWriter, frame: pd.DataFrame, name: str) -> None:
    """Write ``frame`` (made safe: :func:`safe_frame`) as the formatted sheet ``name``."""
    safe = safe_frame(frame)
    safe.to_excel(writer, sheet_name=name, index=False)
    _format_sheet(writer.sheets[name], safe)


def _decimal_format(values: pd.Series) -> str:
    """Grouped thousands and as many decimals as the values have (at most 6: coordinates)."""
    for decimals in range(_MAX_DECIMALS):
        if bool((values.round(decimals) == values).all()):
            break
    else:
        decimals = _MAX_DECIMALS
    return _INTEGER + ("." + "0" * decimals if decimals else "")


def _xlsx(frame: pd.DataFrame, meta: Mapping[str, str] | None, sheet: str) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        write_sheet(writer, frame, sheet)
        if meta:
            notes = pd.DataFrame({"pole": list(meta), "wartość": [str(v) for v in meta.values()]})
            write_sheet(writer, notes, "Źródła")
    return buffer.getvalue()


def to_bytes(
    frame: pd.DataFrame,
    fmt: str,
    meta: Mapping[str, str] | None = None,
    sheet: str = "Dane",
    *,
    people: bool = False,
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """Serialise ``frame`` as ``csv`` (UTF-8 with BOM), ``json`` or ``xlsx``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Data to export (a ``geometry`` column is dropped).
    fmt : str
        One of :data:`FORMATS`.
    meta : Mapping[str, str], optional
        Source and date notes; written to a second sheet "Źródła" in XLSX.
    sheet : str
        Name of the data sheet in XLSX.
    people : bool
        For people (the pages' downloads): Polish headers (:func:`people_headers`), and a CSV
        with ``;`` and decimal commas. Otherwise the machine CSV of the command line (``,``
        and a decimal point) and the data's column names.
    headers : Mapping[str, str], optional
        Headers of this export over :data:`HEADERS` (with ``people``).
    """
    if fmt not in FORMATS:
        raise ValueError(f"Nieznany format {fmt!r}: dostępne {', '.join(FORMATS)}.")
    if fmt == "json":
        plain = pd.DataFrame(frame).drop(columns=["geometry"], errors="ignore")
        records = [
            {key: _json_value(val) for key, val in row.items()}
            for row in plain.to_dict(orient="records")
        ]
        return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")
    table = people_headers(frame, headers) if people else frame
    if fmt == "xlsx":
        return _xlsx(table, meta, sheet)
    safe = safe_frame(table)
    if people:
        return safe.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")
    return safe.to_csv(index=False).encode("utf-8-sig")
