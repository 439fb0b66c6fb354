"""Exports: formula-safe CSV/XLSX, JSON as a list of objects."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from geo.io.export import neutralize, to_bytes

FRAME = pd.DataFrame(
    {
        "nazwa": ['=HYPERLINK("http://x")', "+48 123", "-1+1", "@SUM(A1)", "Zwykła, „nazwa”"],
        "liczba": [1, -2, 3, 4, 5],
        "udzial": [0.5, None, 1.0, 2.0, 3.0],
    }
)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@x", "\tx", "\rx"])
def test_neutralize_dangerous_text(text: str) -> None:
    assert neutralize(text) == "'" + text


def test_numbers_and_plain_text_untouched() -> None:
    assert neutralize(-5) == -5
    assert neutralize("Lublin") == "Lublin"


def test_csv_is_excel_friendly_and_safe() -> None:
    data = to_bytes(FRAME, "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 correctly
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back["nazwa"][:4]) == ["'" + v for v in FRAME["nazwa"][:4]]
    assert back["nazwa"].iloc[4] == "Zwykła, „nazwa”"
    assert list(back["liczba"]) == [1, -2, 3, 4, 5]


def test_xlsx_has_no_formulas_and_a_sources_sheet() -> None:
    data = to_bytes(FRAME, "xlsx", meta={"stan na": "2026-01-01", "rejestr": "=cmd"})
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Dane"]
    values = [cell.value for cell in sheet["A"][1:]]
    assert all(isinstance(v, str) and not v.startswith("=") for v in values)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    notes = {row[0]: row[1] for row in book["Źródła"].iter_rows(min_row=2, values_only=True)}
    assert notes["stan na"] == "2026-01-01" and notes["rejestr"] == "'=cmd"


def test_json_is_list_of_objects_with_nulls() -> None:
    records = json.loads(to_bytes(FRAME, "json"))
    assert isinstance(records, list) and len(records) == 5
    assert records[1]["udzial"] is None
    assert records[0]["nazwa"] == FRAME["nazwa"][0]  # JSON is data, not a spreadsheet


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="Nieznany format"):
        to_bytes(FRAME, "pdf")
