"""Exports: formula-safe CSV/XLSX, JSON as a list of objects."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest

from geo.io.export import neutralize, people_headers, to_bytes

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


# ------------------------------------------------------------------ Excel-ready (issue 13)

GMINY = pd.DataFrame(
    {
        "teryt": ["0601011", "0663011"],
        "nazwa": ["Międzyrzec Podlaski", "Lublin"],
        "powiat": ["0601", "0663"],
        "has_social_employment": [False, True],
        "ludnosc": [15230, 328310],
        "pes_na_10k": [0.0, 1.25],
        "szerokosc": [51.985123, 51.246454],
        "owes_podregion_nazwa": ["bialski", "lubelski"],
    }
)


def test_csv_for_people_is_semicolon_decimal_comma_polish_headers() -> None:
    data = to_bytes(GMINY, "csv", people=True)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    header = text.splitlines()[0].split(";")
    assert header == [
        "TERYT",
        "Nazwa",
        "TERYT powiatu",
        "CIS/KIS w gminie lub przez porozumienie",
        "Ludność",
        "PES na 10 tys. mieszkańców",
        "Szerokość geograficzna",
        "Podregion OWES",
    ]
    assert text.splitlines()[2] == "0663011;Lublin;0663;tak;328310;1,25;51,246454;lubelski"
    back = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig", dtype=str)
    assert back["PES na 10 tys. mieszkańców"].tolist() == ["0,0", "1,25"]


def test_machine_csv_keeps_commas_points_and_data_names() -> None:
    text = to_bytes(GMINY, "csv").decode("utf-8-sig")
    assert text.splitlines()[0].startswith("teryt,nazwa,powiat,has_social_employment")
    assert "1.25" in text and "True" in text


def test_every_column_of_the_app_exports_has_a_polish_header() -> None:
    from geo.cli import COVERAGE_COLUMNS
    from geo.registry.export import EXPORT_COLUMNS

    for columns in (COVERAGE_COLUMNS, EXPORT_COLUMNS):
        frame = pd.DataFrame([["0601"] * len(columns)], columns=list(columns))
        headers = list(people_headers(frame).columns)
        assert not [h for h in headers if "_" in h], headers
        assert len(set(headers)) == len(headers), headers


def test_xlsx_has_frozen_header_fitted_widths_and_number_formats() -> None:
    frame = GMINY.assign(data=[dt.date(2026, 1, 2), dt.date(2025, 12, 31)])
    book = openpyxl.load_workbook(io.BytesIO(to_bytes(frame, "xlsx", people=True)))
    sheet = book["Dane"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    width = {h: sheet.column_dimensions[chr(ord("A") + i)].width for i, h in enumerate(header)}
    assert width["Nazwa"] >= len("Międzyrzec Podlaski") and width["TERYT"] < width["Nazwa"]
    formats = {h: sheet.cell(row=2, column=i + 1).number_format for i, h in enumerate(header)}
    assert formats["Ludność"] == "#,##0"
    assert formats["PES na 10 tys. mieszkańców"] == "#,##0.00"
    assert formats["Szerokość geograficzna"] == "#,##0.000000"
    assert formats["data"] == "DD.MM.YYYY"
    assert formats["TERYT"] == "General"  # codes stay text: leading zeros kept
    assert sheet.cell(row=2, column=1).value == "0601011"
