"""Importing PES registry files (CSV/XLSX as Polish Excel writes them) into the native format."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest

import geo.io._csv as csv_reader
import geo.io.registry as registry
import geo.io.registry.build as registry_build
import geo.io.registry.model as registry_model
import geo.io.registry.values as registry_values
from geo.core.schema import ENTITY_TYPES, REGISTRY_COLUMNS
from geo.core.text import clean_text
from geo.io.registry import (
    ParsedRegistry,
    RegistryFileError,
    normalize_type,
    parse_date,
    read_registry,
)

ERROR = "błąd"
WARNING = "ostrzeżenie"


# ---------------------------------------------------------------------------------- helpers


def write_csv(
    path: Path, rows: list[list[object]], sep: str = ";", encoding: str = "utf-8"
) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def problems_at(parsed: ParsedRegistry, row: int) -> list[registry.RowProblem]:
    return [p for p in parsed.problems if p.row == row]


def by_name(parsed: ParsedRegistry, name: str) -> pd.Series:
    match = parsed.frame[parsed.frame["nazwa"] == name]
    assert len(match) == 1, f"{name!r} not found once in {parsed.frame['nazwa'].tolist()}"
    return match.iloc[0]


# ---------------------------------------------------------------------------------- CSV


def test_utf8_comma_csv_with_quoted_fields(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "rejestr.csv",
        [
            ["Nazwa", "Typ", "Miejscowość", "Uwagi", "Szerokość", "Długość"],
            [
                "Spółdzielnia Socjalna „Nasze Drogi”, Hrubieszów",
                "SPS",
                "Hrubieszów",
                'Zdanie z "cudzysłowem"\ni drugą linią',
                "50.8069",
                "23.8916",
            ],
            ["Klub Integracji Społecznej w Zamościu", "KIS", "Zamość", "", "", ""],
        ],
        sep=",",
    )
    parsed = read_registry(path)
    assert parsed.delimiter == ","
    assert parsed.encoding == "utf-8"
    assert list(parsed.frame.columns) == [*REGISTRY_COLUMNS, "wiersz"]
    first = by_name(parsed, "Spółdzielnia Socjalna „Nasze Drogi”, Hrubieszów")
    assert first["typ"] == "SPS"
    # A line break inside a cell becomes a space (text hygiene, issue 16).
    assert first["uwagi"] == 'Zdanie z "cudzysłowem" i drugą linią'
    assert first["szerokosc"] == pytest.approx(50.8069)
    assert first["dlugosc"] == pytest.approx(23.8916)
    second = by_name(parsed, "Klub Integracji Społecznej w Zamościu")
    assert second["uwagi"] is None
    assert math.isnan(second["szerokosc"]) and math.isnan(second["dlugosc"])
    # Row numbers as a spreadsheet shows them: header 1, data 2 and 3.
    assert parsed.frame["wiersz"].tolist() == [2, 3]
    assert not [p for p in parsed.problems if p.severity == ERROR]


def test_utf8_bom_semicolon_csv(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "bom.csv",
        [
            ["Nazwa podmiotu", "Rodzaj podmiotu", "Kod TERYT gminy"],
            ["Centrum Integracji Społecznej w Chełmie", "Centrum Integracji Społecznej", "0662011"],
        ],
        encoding="utf-8-sig",
    )
    parsed = read_registry(path)
    assert parsed.encoding == "utf-8-sig"
    assert parsed.delimiter == ";"
    # The BOM must not stick to the first header (it would hide the name column).
    assert parsed.header_map["Nazwa podmiotu"] == "nazwa"
    row = parsed.frame.iloc[0]
    assert (row["typ"], row["teryt"]) == ("CIS", "0662011")


def test_cp1250_csv_with_decimal_commas_and_polish_dates(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "excel.csv",
        [
            [
                "Nazwa",
                "Typ",
                "Miejscowość",
                "Szerokość geograficzna",
                "Długość geograficzna",
                "Data utworzenia",
                "Data wykreślenia",
            ],
            [
                "Zakład Aktywności Zawodowej w Łęcznej",
                "ZAZ",
                "Łęczna",
                "51,3012",
                "22,8810",
                "05.03.2012",
                "1.7.2023",
            ],
            [
                "Warsztat Terapii Zajęciowej Ostrów Lubelski",
                "WTZ",
                "Ostrów Lubelski",
                "51,4906",
                "22,8528",
                "2015-09-01",
                "",
            ],
        ],
        encoding="cp1250",
    )
    parsed = read_registry(path)
    assert parsed.encoding == "cp1250"
    zaz = by_name(parsed, "Zakład Aktywności Zawodowej w Łęcznej")
    assert zaz["miejscowosc"] == "Łęczna"
    assert zaz["szerokosc"] == pytest.approx(51.3012)
    assert zaz["dlugosc"] == pytest.approx(22.8810)
    assert zaz["data_rozpoczecia"] == "2012-03-05"
    assert zaz["data_zakonczenia"] == "2023-07-01"
    wtz = by_name(parsed, "Warsztat Terapii Zajęciowej Ostrów Lubelski")
    assert wtz["data_rozpoczecia"] == "2015-09-01"
    assert wtz["data_zakonczenia"] is None
    assert parsed.frame["szerokosc"].dtype == np.float64


def test_iso_8859_2_text_is_told_apart_from_cp1250(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "latin2.csv",
        [
            ["Nazwa", "Typ", "Miejscowość"],
            ["Spółdzielnia socjalna Źródło smaków", "SPS", "Świdnik"],
        ],
        encoding="iso-8859-2",
    )
    parsed = read_registry(path)
    assert parsed.frame.iloc[0]["nazwa"] == "Spółdzielnia socjalna Źródło smaków"
    assert parsed.frame.iloc[0]["miejscowosc"] == "Świdnik"


def test_title_rows_above_csv_header_and_blank_rows(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "tytul.csv",
        [
            ["Rejestr klubów integracji społecznej województwa lubelskiego"],
            ["stan na 31.12.2024"],
            [],
            ["Lp.", "Nazwa klubu", "Miejscowość"],
            ["1", "KIS w Janowie Lubelskim", "Janów Lubelski"],
            ["", "", ""],
            [],
            ["2", "KIS w Tomaszowie Lubelskim", "Tomaszów Lubelski"],
        ],
    )
    parsed = read_registry(path, default_type="KIS")
    assert parsed.frame["nazwa"].tolist() == [
        "KIS w Janowie Lubelskim",
        "KIS w Tomaszowie Lubelskim",
    ]
    assert parsed.frame["wiersz"].tolist() == [5, 8]
    assert set(parsed.frame["typ"]) == {"KIS"}
    # The empty rows are skipped silently: no problem mentions their row numbers.
    assert not problems_at(parsed, 6) and not problems_at(parsed, 7)


def test_separator_detection_prefers_the_header_that_makes_sense(tmp_path: Path) -> None:
    # Comma-separated, while names contain semicolons: a count of ';' alone would mislead.
    path = write_csv(
        tmp_path / "przecinki.csv",
        [
            ["nazwa", "typ", "gmina"],
            ["Fundacja A; oddział B", "NGO", "Lublin"],
            ["Stowarzyszenie C; D; E", "stowarzyszenie", "Chełm"],
        ],
        sep=",",
    )
    parsed = read_registry(path)
    assert parsed.delimiter == ","
    assert parsed.frame["nazwa"].tolist() == ["Fundacja A; oddział B", "Stowarzyszenie C; D; E"]
    assert parsed.frame["typ"].tolist() == ["NGO", "NGO"]


def test_tab_separated_text(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tab.txt", [["Nazwa", "Typ"], ["KIS Łuków", "kis"]], sep="\t")
    parsed = read_registry(path)
    assert parsed.delimiter == "\t"
    assert parsed.frame.iloc[0]["typ"] == "KIS"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15.07.2019", "2019-07-15"),
        ("5.7.2019", "2019-07-05"),
        ("05/07/2019", "2019-07-05"),
        ("2019-07-15", "2019-07-15"),
        ("2019-7-5", "2019-07-05"),
        ("2019-07-15 00:00:00", "2019-07-15"),
        ("2019-07-15T13:45:10", "2019-07-15"),
        ("15.07.2019 13:45", "2019-07-15"),
        ("15.07.2019 r.", "2019-07-15"),
        ("\u00a015.07.2019 ", "2019-07-15"),
        ("29.02.2024", "2024-02-29"),
        ("43661", "2019-07-15"),  # Excel serial day number written as text
    ],
)
def test_parse_date_accepts_polish_and_iso_forms(text: str, expected: str) -> None:
    assert parse_date(text) == expected


def test_parse_date_objects_and_empty_values() -> None:
    assert parse_date(dt.datetime(2020, 1, 2, 15, 30)) == "2020-01-02"
    assert parse_date(dt.date(2020, 1, 2)) == "2020-01-02"
    assert parse_date(pd.Timestamp("2021-12-31")) == "2021-12-31"
    assert parse_date(43661) == "2019-07-15"
    for empty in (None, "", "   ", float("nan"), pd.NaT):
        assert parse_date(empty) is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("31.02.2020", "nie istnieje"),
        ("29.02.2023", "nie istnieje"),
        ("2020-13-01", "nie istnieje"),
        ("2019", "Niepełna"),
        ("07.2019", "Niepełna"),
        ("<=2013", "Nierozpoznana"),
        ("wkrótce", "Nierozpoznana"),
        ("01.01.0201", "rok"),
    ],
)
def test_parse_date_rejects_invalid_dates_in_polish(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment) as info:
        parse_date(text)
    assert text in str(info.value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("CIS", "CIS"),
        ("cis", "CIS"),
        ("Centrum Integracji Społecznej", "CIS"),
        ("CENTRUM INTEGRACJI SPOLECZNEJ", "CIS"),
        ("klub integracji społecznej", "KIS"),
        ("Zakład Aktywności Zawodowej", "ZAZ"),
        ("warsztaty terapii zajęciowej", "WTZ"),
        ("Spółdzielnia socjalna", "SPS"),
        ("spółdzielnia socjalna osób prawnych", "SPS"),
        ("spółdzielnia socjalna (osób prawnych)", "SPS"),
        ("Przedsiębiorstwo społeczne", "PS"),
        ("przedsiębiorstwo społeczne (spółka non-profit)", "PS"),
        ("Koło Gospodyń Wiejskich", "NGO"),
        ("KGW", "NGO"),
        ("KGW/NGO", "NGO"),
        ("stowarzyszenie", "NGO"),
        ("Fundacja", "NGO"),
        ("organizacja pozarządowa", "NGO"),
        ("NGO (network of CIS/KIS)", "NGO"),
        ("Inny podmiot", "INNY"),
        ("OWES", "INNY"),
        ("  sps\u00a0", "SPS"),
    ],
)
def test_normalize_type_synonyms(value: str, code: str) -> None:
    assert normalize_type(value) == code


@pytest.mark.parametrize("value", [None, "", "klub", "CIS/KIS", "spółdzielnia", "xyz", 12])
def test_normalize_type_unknown_or_ambiguous(value: object) -> None:
    assert normalize_type(value) is None


def test_every_schema_type_round_trips_by_code_and_name() -> None:
    for code, name in ENTITY_TYPES.items():
        assert normalize_type(code) == code
        assert normalize_type(name.upper()) == code


# ---------------------------------------------------------------------------------- XLSX


def test_xlsx_with_title_rows_dates_numeric_teryt_and_cover_sheet(tmp_path: Path) -> None:
    path = tmp_path / "rejestr.xlsx"
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "Informacje"
    cover["A1"] = "Wykaz sporządzono na podstawie rejestru wojewody."
    sheet = workbook.create_sheet("Rejestr CIS")
    sheet["A1"] = "Rejestr centrów integracji społecznej"
    sheet.merge_cells("A1:F1")
    sheet["A2"] = "Stan na dzień 31.12.2024"
    sheet.append([])
    sheet.append(
        [
            "Lp.",
            "Nazwa CIS",
            "Organ prowadzący",
            "TERYT",
            "Data wpisu",
            "Szerokość geograficzna",
            "Długość geograficzna",
        ]
    )
    sheet.append(
        [
            1,
            "CIS w Krasnymstawie",
            "Gmina Krasnystaw",
            606011,
            dt.datetime(2019, 7, 15),
            50.9846,
            23.1716,
        ]
    )
    sheet.append(
        [
            2,
            "CIS w Białej Podlaskiej",
            "Caritas",
            661011.0,
            dt.datetime(2014, 3, 1, 10, 30),
            "52,0325",
            "23,1149",
        ]
    )
    sheet.append([])
    sheet.append([3, "CIS w Janowie Podlaskim", "Caritas", "0601052", "01.04.2025", None, None])
    sheet["E5"].number_format = "dd.mm.yyyy"
    workbook.save(path)

    parsed = read_registry(path, default_type="CIS")
    assert parsed.sheet == "Rejestr CIS"
    assert parsed.encoding is None and parsed.delimiter is None
    assert parsed.header_map["Nazwa CIS"] == "nazwa"
    assert parsed.header_map["Organ prowadzący"] == "podmiot_prowadzacy"
    assert parsed.frame["wiersz"].tolist() == [5, 6, 8]
    krasnystaw = by_name(parsed, "CIS w Krasnymstawie")
    assert krasnystaw["teryt"] == "606011"  # numeric cell: as text, no ".0", no padding
    assert krasnystaw["data_rozpoczecia"] == "2019-07-15"
    assert krasnystaw["podmiot_prowadzacy"] == "Gmina Krasnystaw"
    assert krasnystaw["szerokosc"] == pytest.approx(50.9846)
    biala = by_name(parsed, "CIS w Białej Podlaskiej")
    assert biala["teryt"] == "661011"
    assert biala["data_rozpoczecia"] == "2014-03-01"
    assert biala["dlugosc"] == pytest.approx(23.1149)
    janow = by_name(parsed, "CIS w Janowie Podlaskim")
    assert janow["teryt"] == "0601052"
    assert janow["data_rozpoczecia"] == "2025-04-01"
    assert set(parsed.frame["typ"]) == {"CIS"}


def test_xlsx_formula_cells_use_cached_value_else_formula_text(tmp_path: Path) -> None:
    path = tmp_path / "formuly.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Nazwa", "Typ", "Uwagi", "Źródło"])
    sheet.append(["KIS A", "KIS", "=1+1", '=HYPERLINK("https://example.org")'])
    sheet.append(["KIS B", "KIS", "plain", None])
    literal = sheet.cell(row=3, column=4, value="=SUM(A1:A9)")
    literal.data_type = "s"  # text that only looks like a formula
    workbook.save(path)
    # openpyxl writes no cached values; give the first formula one, as Excel would.
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml, count = re.subn(
        r"(<c r=\"C2\"[^>]*>\s*<f>1\+1</f>)\s*(<v\s*/>|<v></v>)?", r"\1<v>2</v>", xml
    )
    assert count == 1
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)

    parsed = read_registry(path)
    a = by_name(parsed, "KIS A")
    assert a["uwagi"] == "2"
    assert a["zrodlo"] == '=HYPERLINK("https://example.org")'
    assert by_name(parsed, "KIS B")["zrodlo"] == "=SUM(A1:A9)"


def test_xlsx_named_like_csv_and_csv_named_like_xlsx(tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "a.xlsx", {"Arkusz1": [["Nazwa", "Typ"], ["WTZ X", "WTZ"]]})
    renamed = tmp_path / "a.csv"
    renamed.write_bytes(xlsx.read_bytes())
    assert read_registry(renamed).frame["typ"].tolist() == ["WTZ"]
    text = write_csv(tmp_path / "b.xlsx", [["Nazwa", "Typ"], ["ZAZ Y", "ZAZ"]])
    parsed = read_registry(text)
    assert parsed.frame["typ"].tolist() == ["ZAZ"]
    assert any(p.row == 0 and "CSV" in p.message for p in parsed.problems)


# ---------------------------------------------------------------------------------- headers


KIS_HEADERS = [
    "Lp.",
    "Nazwa podmiotu prowadzącego",
    "Dane kontaktowe podmiotu prowadzącego",
    "Numer KRS",
    "Nazwa klubu",
    "Miejscowość",
    "Adres",
    "Data utworzenia",
    "Data rozpoczęcia działalności",
    "Kierownik",
    "Dane kontaktowe",
]


def test_kis_register_like_headers_are_recognised(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "rejestr_kis.xlsx",
        {
            "KIS": [
                ["REJESTR KLUBÓW INTEGRACJI SPOŁECZNEJ"],
                KIS_HEADERS,
                [
                    1,
                    "Stowarzyszenie Nowa Szansa w Zamościu",
                    "tel. 84 000 00 00",
                    "0000123456",
                    "Klub Integracji Społecznej w Zamościu",
                    "Zamość",
                    "ul. Przykładowa 1",
                    dt.datetime(2008, 1, 10),
                    dt.datetime(2008, 2, 1),
                    "Jan Kowalski",
                    "kis@example.org",
                ],
                [
                    2,
                    "Gmina Potok Wielki",
                    "",
                    "",
                    "KIS w gminie Potok Wielki",
                    "Potok Wielki",
                    "",
                    "10.09.2010",
                    "15.09.2010",
                    "",
                    "",
                ],
            ]
        },
    )
    parsed = read_registry(path, default_type="KIS")
    assert parsed.header_map == {
        "Nazwa podmiotu prowadzącego": "podmiot_prowadzacy",
        "Nazwa klubu": "nazwa",
        "Miejscowość": "miejscowosc",
        "Adres": "adres",
        "Data rozpoczęcia działalności": "data_rozpoczecia",
    }
    zamosc = by_name(parsed, "Klub Integracji Społecznej w Zamościu")
    assert zamosc["podmiot_prowadzacy"] == "Stowarzyszenie Nowa Szansa w Zamościu"
    assert zamosc["adres"] == "ul. Przykładowa 1"
    assert zamosc["data_rozpoczecia"] == "2008-02-01"
    assert by_name(parsed, "KIS w gminie Potok Wielki")["data_rozpoczecia"] == "2010-09-15"
    notes = " ".join(p.message for p in parsed.problems if p.row == 0)
    for ignored in ("Lp.", "Numer KRS", "Kierownik", "Dane kontaktowe podmiotu prowadzącego"):
        assert f"„{ignored}”" in notes
    # Both date columns fit; the note says which one was used.
    assert "Data utworzenia" in notes
    assert all(p.severity in {ERROR, WARNING} for p in parsed.problems)
    assert not [p for p in parsed.problems if p.severity == ERROR]


@pytest.mark.parametrize(
    ("header", "native"),
    [
        ("NAZWA", "nazwa"),
        ("Nazwa podmiotu", "nazwa"),
        ("nazwa  klubu", "nazwa"),
        ("Nazwa\nCIS", "nazwa"),
        ("Organ prowadzący", "podmiot_prowadzacy"),
        ("Nazwa podmiotu prowadzącego KIS", "podmiot_prowadzacy"),
        ("Kod pocztowy", "kod_pocztowy"),
        ("Ulica", "adres"),
        ("Kod TERYT gminy", "teryt"),
        ("TERC", "teryt"),
        ("Gmina", "gmina"),
        ("Powiat", "powiat"),
        ("lat", "szerokosc"),
        ("Szerokość geograficzna (N)", "szerokosc"),
        ("lng", "dlugosc"),
        ("Długość geograficzna", "dlugosc"),
        ("Data wpisu", "data_rozpoczecia"),
        ("Data likwidacji", "data_zakonczenia"),
        ("Data wykreślenia z rejestru", "data_zakonczenia"),
        ("Obszar działania", "gminy_obslugiwane"),
        ("Gminy obsługiwane (porozumienia)", "gminy_obslugiwane"),
        ("Źródło", "zrodlo"),
        ("Data weryfikacji", "data_weryfikacji"),
        ("Uwagi:", "uwagi"),
        ("Rodzaj podmiotu", "typ"),
        ("podmiot_prowadzacy", "podmiot_prowadzacy"),
    ],
)
def test_header_variants(tmp_path: Path, header: str, native: str) -> None:
    other = "Nazwa" if native != "nazwa" else "Typ"
    path = write_csv(tmp_path / "h.csv", [[other, header], ["x", "y"]])
    parsed = read_registry(path, default_type="NGO")
    # Headers are reported with their whitespace collapsed ("Nazwa\nCIS" -> "Nazwa CIS").
    assert parsed.header_map.get(" ".join(header.split())) == native


@pytest.mark.parametrize(
    "header",
    [
        "Adres e-mail",
        "Adres podmiotu prowadzącego",
        "Numer KRS",
        "Forma prawna",
        "Kod TERYT powiatu",
        "Nazwa województwa",
        "gmina_note",
    ],
)
def test_headers_that_must_not_be_taken_for_entity_fields(tmp_path: Path, header: str) -> None:
    path = write_csv(tmp_path / "h.csv", [["Nazwa", header], ["x", "y"]])
    parsed = read_registry(path, default_type="NGO")
    assert header not in parsed.header_map


def test_native_file_reads_back_unchanged(tmp_path: Path) -> None:
    row = {c: "" for c in REGISTRY_COLUMNS}
    row.update(
        id="w-1",
        nazwa="Spółdzielnia Socjalna „Exodus”",
        typ="SPS",
        teryt="0607011",
        szerokosc="50.9243",
        dlugosc="22.2245",
        data_rozpoczecia="2012-07-01",
        gminy_obslugiwane="0607011; 0607022",
        uwagi="<b>tekst</b> & więcej",
    )
    path = tmp_path / "native.csv"
    pd.DataFrame([row]).to_csv(path, index=False, encoding="utf-8")
    parsed = read_registry(path)
    assert parsed.header_map == {c: c for c in REGISTRY_COLUMNS}
    out = parsed.frame.iloc[0]
    for column in ("id", "nazwa", "typ", "teryt", "data_rozpoczecia", "gminy_obslugiwane", "uwagi"):
        assert out[column] == row[column]
    assert out["szerokosc"] == pytest.approx(50.9243)
    assert out["kod_pocztowy"] is None


def test_column_map_overrides_detection(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "map.csv",
        [
            ["Jednostka", "Kategoria", "Nazwa", "Opis miejsca"],
            ["ZAZ w Puławach", "ZAZ", "Puławskie Stowarzyszenie", "ul. Mickiewicza 2a"],
        ],
    )
    parsed = read_registry(
        path,
        column_map={"Jednostka": "nazwa", "Nazwa": "podmiot_prowadzacy", "opis miejsca": "adres"},
    )
    row = parsed.frame.iloc[0]
    assert row["nazwa"] == "ZAZ w Puławach"
    assert row["podmiot_prowadzacy"] == "Puławskie Stowarzyszenie"
    assert row["adres"] == "ul. Mickiewicza 2a"
    assert row["typ"] == "ZAZ"  # "Kategoria" still detected
    assert parsed.header_map["Opis miejsca"] == "adres"


def test_column_map_can_ignore_a_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", [["Nazwa", "Typ", "Uwagi"], ["A", "KIS", "tajne"]])
    parsed = read_registry(path, column_map={"Uwagi": None})
    assert parsed.frame.iloc[0]["uwagi"] is None
    assert "Uwagi" not in parsed.header_map


@pytest.mark.parametrize(
    ("column_map", "fragment"),
    [
        ({"Brak takiej": "nazwa"}, "Brak takiej"),
        ({"Typ": "rodzaj_podmiotu"}, "rodzaj_podmiotu"),
        ({"Nazwa": "nazwa", "Typ": "nazwa"}, "więcej niż jednej"),
    ],
)
def test_column_map_errors(tmp_path: Path, column_map: dict[str, str], fragment: str) -> None:
    path = write_csv(tmp_path / "m.csv", [["Nazwa", "Typ"], ["A", "KIS"]])
    with pytest.raises(RegistryFileError, match=fragment):
        read_registry(path, column_map=column_map)


def test_duplicate_matches_use_the_best_column(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "dup.csv",
        [
            ["Nazwa skrócona", "Nazwa", "Typ", "Data wpisu", "Data rozpoczęcia"],
            ["KIS J.", "Klub Integracji Społecznej w Janowie", "KIS", "01.01.2009", "01.02.2009"],
        ],
    )
    parsed = read_registry(path)
    row = parsed.frame.iloc[0]
    assert row["nazwa"] == "Klub Integracji Społecznej w Janowie"
    assert row["data_rozpoczecia"] == "2009-02-01"
    noted = {p.column for p in parsed.problems if p.row == 0}
    assert {"Nazwa skrócona", "Data wpisu"} <= noted


# ---------------------------------------------------------------------------------- types


def test_default_type_for_register_of_one_kind(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "wtz.csv", [["Nazwa", "Miejscowość"], ["WTZ A", "Lublin"], ["WTZ B", "Chełm"]]
    )
    parsed = read_registry(path, default_type="Warsztat Terapii Zajęciowej")
    assert parsed.frame["typ"].tolist() == ["WTZ", "WTZ"]


def test_default_type_fills_only_empty_type_cells(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", [["Nazwa", "Typ"], ["A", "CIS"], ["B", ""]])
    parsed = read_registry(path, default_type="kis")
    assert parsed.frame["typ"].tolist() == ["CIS", "KIS"]
    assert not parsed.problems


def test_unknown_default_type_is_rejected(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", [["Nazwa"], ["A"]])
    with pytest.raises(RegistryFileError, match="Nieznany typ domyślny"):
        read_registry(path, default_type="Klub sportowy")


def test_no_type_column_and_no_default_type_asks_for_default_type(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", [["Nazwa", "Miejscowość"], ["A", "Lublin"]])
    with pytest.raises(RegistryFileError, match="--default-type"):
        read_registry(path)


# ---------------------------------------------------------------------------------- rejections


def reject(source: Path | bytes, fragment: str, **kwargs: object) -> str:
    with pytest.raises(RegistryFileError) as info:
        read_registry(source, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert re.search(fragment, message, re.IGNORECASE), message
    return message


def test_reject_empty_files(tmp_path: Path) -> None:
    empty = tmp_path / "pusty.csv"
    empty.write_bytes(b"")
    reject(empty, "pusty")
    reject(b"  \r\n\r\n", "pusty", filename="x.csv")
    reject(b"\xef\xbb\xbf", "pusty", filename="x.csv")
    blank_book = tmp_path / "pusty.xlsx"
    openpyxl.Workbook().save(blank_book)
    reject(blank_book, "pusty")


def test_reject_binary_files_renamed(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    reject(png, "PNG", filename="rejestr.csv")
    reject(png, "PNG", filename="rejestr.xlsx")
    noise = np.random.default_rng(7).integers(0, 256, 20_000, dtype=np.uint8).tobytes()
    for name in ("rejestr.csv", "rejestr.xlsx"):
        path = tmp_path / name
        path.write_bytes(noise)
        reject(path, "binarn|nie jest")
    reject(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), r"\.xls", filename="stary.xls")
    reject(b"%PDF-1.7\n...", "PDF", filename="r.csv")


def test_reject_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("dane.csv", "Nazwa;Typ\nA;KIS\n")
    reject(buffer.getvalue(), "ZIP", filename="rejestr.xlsx")
    broken = buffer.getvalue()[:40]
    reject(broken, "uszkodzony|nie jest", filename="rejestr.xlsx")


def test_reject_undecodable_text() -> None:
    data = b"\xef\xbb\xbfNazwa;Typ\n\xff\xfe\xfa zepsute;KIS\n"
    reject(data, "kodowanie", filename="r.csv")
    # UTF-8 text with one cp1250 byte pasted in: not silently garbled as cp1250.
    mixed = "Nazwa;Typ\nKIS Łęczna;KIS\n".encode() + "KIS Świdnik;KIS\n".encode("cp1250")
    reject(mixed, "linii 3", filename="r.csv")


def test_reject_header_only(tmp_path: Path) -> None:
    reject(write_csv(tmp_path / "h.csv", [["Nazwa", "Typ"]]), "tylko nagłówek")
    reject(write_csv(tmp_path / "h2.csv", [["Nazwa", "Typ"], ["", ""], []]), "tylko nagłówek")
    reject(write_xlsx(tmp_path / "h.xlsx", {"A": [["Tytuł"], ["Nazwa", "Typ"]]}), "tylko nagłówek")


def test_reject_without_name_column_lists_found_and_expected_headers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "n.csv", [["Numer", "Miejscowość", "Telefon"], ["1", "Lublin", "81"]]
    )
    message = reject(path, "nazw")
    for found in ("Numer", "Miejscowość", "Telefon"):
        assert f"„{found}”" in message
    assert "„Nazwa”" in message


def test_reject_file_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path / "d.csv", [["Nazwa", "Typ"]] + [["KIS " + "x" * 50, "KIS"]] * 50)
    monkeypatch.setattr(registry_model, "MAX_FILE_BYTES", 1000)
    reject(path, "zbyt duży")
    reject(path.read_bytes(), "zbyt duży", filename="d.csv")


def test_reject_too_many_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_model, "MAX_ROWS", 10)
    rows = [["Nazwa", "Typ"]] + [[f"KIS {i}", "KIS"] for i in range(11)]
    reject(write_csv(tmp_path / "r.csv", rows), "więcej niż 10")
    reject(write_xlsx(tmp_path / "r.xlsx", {"A": rows}), "więcej niż 10")
    assert len(read_registry(write_csv(tmp_path / "ok.csv", rows[:11])).frame) == 10


def test_limits_fit_large_registers() -> None:
    assert registry.MAX_ROWS >= 200_000
    assert registry.MAX_FILE_BYTES >= 50 * 1024 * 1024
    assert registry.MAX_CELL_CHARS >= 1_000


def test_reject_overlong_cell_names_the_row(tmp_path: Path) -> None:
    long_text = "a" * (registry.MAX_CELL_CHARS + 1)
    path = write_csv(
        tmp_path / "c.csv", [["Nazwa", "Typ", "Uwagi"], ["A", "KIS", "ok"], ["B", "KIS", long_text]]
    )
    message = reject(path, "wierszu 3")
    assert "Uwagi" in message


def test_reject_unclosed_quote(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('Nazwa;Typ\n"KIS A;KIS\nKIS B;KIS\n', encoding="utf-8")
    reject(path, "cudzysłów")


def test_reject_missing_path(tmp_path: Path) -> None:
    reject(tmp_path / "nie_ma.csv", "Nie znaleziono")


# ---------------------------------------------------------------------------------- row problems


def test_row_problems_are_reported_and_rows_kept(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["Nazwa", "Typ", "Data utworzenia", "Data zakończenia", "Szerokość", "Długość"],
            ["", "KIS", "01.01.2020", "", "", ""],  # 2 no name
            ["Klub sportowy X", "klub sportowy", "", "", "", ""],  # 3 unknown type
            ["CIS A", "CIS", "31.02.2020", "", "", ""],  # 4 impossible date
            ["CIS B", "CIS", "", "", "51°14'N", "22,5"],  # 5 bad coordinate
            ["CIS C", "CIS", "", "", "151,2", "22,5"],  # 6 out of range
            ["CIS D", "CIS", "", "", "22,5", "51,2"],  # 7 swapped (Poland)
            ["CIS E", "CIS", "", "", "51,2", ""],  # 8 only one
            ["CIS F", "CIS", "01.06.2020", "01.01.2020", "", ""],  # 9 end before start
            ["CIS G", "CIS", "1.2.2020", "", "51,25", "22,57"],  # 10 fine
            ["CIS H", "", "", "", "", ""],
        ],  # 11 no type
    )
    parsed = read_registry(path)
    frame = parsed.frame.set_index("wiersz")
    assert list(frame.index) == list(range(2, 12))

    def only(row: int) -> registry.RowProblem:
        found = problems_at(parsed, row)
        assert len(found) == 1, found
        return found[0]

    assert (only(2).severity, only(2).column) == (ERROR, "Nazwa")
    assert frame.loc[2, "nazwa"] is None
    assert (only(3).severity, only(3).column) == (ERROR, "Typ")
    assert "klub sportowy" in only(3).message
    assert frame.loc[3, "typ"] is None
    assert (only(4).severity, only(4).column) == (WARNING, "Data utworzenia")
    assert "31.02.2020" in only(4).message
    assert frame.loc[4, "data_rozpoczecia"] is None
    assert only(5).severity == WARNING and "51°14'N" in only(5).message
    assert math.isnan(frame.loc[5, "szerokosc"])
    assert only(6).severity == WARNING
    assert math.isnan(frame.loc[6, "szerokosc"]) and math.isnan(frame.loc[6, "dlugosc"])
    assert only(7).severity == WARNING
    assert frame.loc[7, "szerokosc"] == pytest.approx(51.2)
    assert frame.loc[7, "dlugosc"] == pytest.approx(22.5)
    assert only(8).severity == WARNING
    assert math.isnan(frame.loc[8, "szerokosc"])
    assert only(9).severity == WARNING and only(9).column == "Data zakończenia"
    assert not problems_at(parsed, 10)
    assert frame.loc[10, "data_rozpoczecia"] == "2020-02-01"
    assert (only(11).severity, only(11).column) == (ERROR, "Typ")
    assert all(p.message and p.severity in {ERROR, WARNING} for p in parsed.problems)


def _same_result(first: ParsedRegistry, second: ParsedRegistry) -> None:
    pd.testing.assert_frame_equal(first.frame, second.frame)
    for column in first.frame.columns:  # None stays None (assert_frame_equal allows NaN)
        assert [type(v) for v in first.frame[column]] == [type(v) for v in second.frame[column]]
    assert first.problems == second.problems
    pd.testing.assert_frame_equal(first.preview, second.preview)
    assert (first.headers, first.header_map, first.delimiter, first.encoding) == (
        second.headers,
        second.header_map,
        second.delimiter,
        second.encoding,
    )


@pytest.mark.parametrize("line_end", ["\r\n", "\n", "\r"])
def test_arrow_and_pandas_csv_readers_give_the_same_result(
    line_end: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        "Rejestr;;",
        "Nazwa;Typ;Miejscowość;Uwagi;Szerokość;Długość",
        '"Klub ""Razem"";  w Lublinie";KIS;Lublin;"dwie\nlinie";51,2465;22,5684',
        'CIS;cis;;a"b;;',
        ";;;;;",
        ' "Spółdzielnia"x ;SPS;Chełm;\u00a0uwaga\u00a0;abc;22',
        'Fundacja;NGO;"";"";52.1;',
    ]
    data = (line_end.join(lines) + line_end).encode("utf-8")
    real_arrow_csv = csv_reader.arrow_csv
    used: list[bool] = []
    monkeypatch.setattr(
        csv_reader,
        "arrow_csv",
        lambda *a: used.append((got := real_arrow_csv(*a)) is not None) or got,
    )
    through_arrow = read_registry(data, "r.csv")
    assert used == [True]  # the Arrow reader really read this file
    monkeypatch.setattr(csv_reader, "arrow_csv", lambda *args: None)
    through_pandas = read_registry(data, "r.csv")
    _same_result(through_arrow, through_pandas)
    assert through_arrow.frame["nazwa"].tolist()[:2] == ['Klub "Razem";  w Lublinie', "CIS"]
    assert through_arrow.frame["uwagi"].tolist()[0] == "dwie linie"  # a break in a cell: a space


def test_quote_left_open_at_the_end_of_the_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('Nazwa;Typ\nKIS A;KIS\nKIS B;"KIS\n', encoding="utf-8")
    reject(path, "cudzysłów")


def test_header_below_long_title_rows(tmp_path: Path) -> None:
    # The rows above the header are more text than the first part read to find it.
    title = "Rejestr " + "bardzo długi opis " * 4000
    path = write_csv(
        tmp_path / "t.csv",
        [[title], [title], ["Nazwa", "Typ"], ["KIS A", "KIS"], ["KIS B", "KIS"]],
    )
    parsed = read_registry(path)
    assert parsed.frame["nazwa"].tolist() == ["KIS A", "KIS B"]
    assert parsed.frame["wiersz"].tolist() == [4, 5]


def test_csv_row_with_more_fields_than_header_is_an_error_row(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("Nazwa,Typ\nKIS A,KIS\nSpółdzielnia, socjalna,SPS\n", encoding="utf-8")
    parsed = read_registry(path)
    assert len(parsed.frame) == 2
    found = problems_at(parsed, 3)
    assert any(p.severity == ERROR and "przecinek" in p.message for p in found), found
    assert not problems_at(parsed, 2)


def test_formula_looking_text_and_html_are_kept_literally(tmp_path: Path) -> None:
    values = {
        "nazwa": '=HYPERLINK("http://zlosliwy.example","Kliknij")',
        "adres": "+48 81 123 45 67",
        "uwagi": "@SUM(A1:A2)",
        "teryt": "'0604011",
        "podmiot_prowadzacy": "<script>alert(1)</script> & <b>Fundacja</b>",
        "zrodlo": "-2+3",
    }
    path = write_csv(
        tmp_path / "f.csv",
        [
            ["Nazwa", "Adres", "Uwagi", "TERYT", "Podmiot prowadzący", "Źródło", "Typ"],
            [values[k] for k in values] + ["NGO"],
        ],
    )
    row = read_registry(path).frame.iloc[0]
    for column, value in values.items():
        assert row[column] == value

    xlsx = write_xlsx(tmp_path / "f.xlsx", {"A": [["Nazwa", "Uwagi", "Typ"], ["A", "x", "NGO"]]})
    workbook = openpyxl.load_workbook(xlsx)
    cell = workbook.active.cell(row=2, column=2, value='=HYPERLINK("http://x")')
    cell.data_type = "s"
    workbook.save(xlsx)
    assert read_registry(xlsx).frame.iloc[0]["uwagi"] == '=HYPERLINK("http://x")'


def test_whitespace_and_nbsp_are_normalised_only_at_the_edges(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "w.csv",
        [
            ["\u00a0Nazwa ", "Typ", "Miejscowość"],
            ["\u00a0 Klub\u00a0Integracji  Społecznej \t", " kis ", "\u00a0"],
        ],
    )
    row = read_registry(path).frame.iloc[0]
    assert row["nazwa"] == "Klub Integracji  Społecznej"
    assert row["typ"] == "KIS"
    assert row["miejscowosc"] is None


def test_frame_types_match_the_contract(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "t.csv",
        [
            ["Nazwa", "Typ", "Lat", "Lon", "Data wpisu"],
            ["A", "KIS", "51,1", "22,2", "01.02.2003"],
            ["B", "CIS", "", "", ""],
        ],
    )
    frame = read_registry(path).frame
    assert frame["wiersz"].dtype == np.int64
    assert frame["szerokosc"].dtype == np.float64 and frame["dlugosc"].dtype == np.float64
    for column in REGISTRY_COLUMNS:
        if column in {"szerokosc", "dlugosc"}:
            continue
        assert all(v is None or type(v) is str for v in frame[column]), column


def test_missing_columns_do_not_share_cells(tmp_path: Path) -> None:
    # The frame's columns are separate arrays: a write to one leaves the others as they were.
    frame = read_registry(
        write_csv(tmp_path / "m.csv", [["Nazwa", "Typ"], ["A", "KIS"], ["B", "CIS"]])
    ).frame
    frame.loc[0, "adres"] = "ul. Długa 1"
    assert frame["adres"].tolist() == ["ul. Długa 1", None]
    assert frame["uwagi"].tolist() == [None, None]
    assert frame["kod_pocztowy"].tolist() == [None, None]
    assert frame["data_weryfikacji"].tolist() == [None, None]


# ---------------------------------------------------------------------------------- Arrow paths

_ODD_CELLS = [
    "\u00a0 Klub\u00a0Integracji  Społecznej \t",
    "\u2007KIS\u202f",
    " \u00a0 ",
    "",
    "   ",
    None,
    "\t\r\n",
    "\u3000Łódź\u3000",
    "x\u00a0",
    "\x1cpole\x1f",
    "a\u200bb ",
    "  " + "ż" * 50 + " ",
    "wiele\nlinii \r\n",
    "„cytat”",
    "a" * (registry.MAX_CELL_CHARS + 3),
]


def _pandas_clean(series: pd.Series, odd_spaces: bool) -> list[object]:
    """Cleaning with pandas' string methods: the general path that the Arrow one replaced
    (after text hygiene, which geo.core.text tests on its own)."""
    text = series.astype("string").map(clean_text, na_action="ignore").astype("string")
    for space in "\u00a0\u2007\u202f" if odd_spaces else "":
        text = text.str.replace(space, " ", regex=False)
    text = text.str.strip()
    text = text.mask(text == "")
    return [None if value is pd.NA else value for value in text.tolist()]


@pytest.mark.parametrize("dtype", ["str", "string", object])
@pytest.mark.parametrize(
    "cells",
    [
        _ODD_CELLS,
        ["", "", None],  # empty or missing only: the shortcut
        ["  ", "\u00a0", "\u202f\t", None],  # blank only: cleaned to missing
        [None, None],
        [],
    ],
)
def test_arrow_cleaning_matches_pandas_string_methods(
    cells: list[str | None], dtype: object
) -> None:
    series = pd.Series(cells, dtype=dtype)
    cleaned, _ = registry_build._clean_text(series, odd_spaces=True)
    assert len(cleaned) == len(cells)
    assert cleaned.to_pylist() == _pandas_clean(series, odd_spaces=True)
    without_odd = pd.Series(
        [c for c in cells if c is None or not set(c) & set("\u00a0\u2007\u202f")], dtype=dtype
    )
    assert registry_build._clean_text(without_odd, odd_spaces=False)[
        0
    ].to_pylist() == _pandas_clean(without_odd, odd_spaces=False)


def test_overlong_cell_is_judged_by_characters_after_cleaning(tmp_path: Path) -> None:
    limit = registry.MAX_CELL_CHARS
    # Twice as many bytes as characters, and edges that cleaning strips: both fit.
    rows = [
        ["Nazwa", "Typ", "Uwagi"],
        ["A", "KIS", "ż" * limit],
        ["B", "KIS", "  " + "a" * limit + "\u00a0 "],
    ]
    frame = read_registry(write_csv(tmp_path / "ok.csv", rows)).frame
    assert frame["uwagi"].tolist() == ["ż" * limit, "a" * limit]
    rows = [["Nazwa", "Typ", "Uwagi"], ["A", "KIS", "ok"], ["B", "KIS", "ż" * (limit + 1)]]
    message = reject(write_csv(tmp_path / "long.csv", rows), "wierszu 3")
    assert f"ma {limit + 1} znaków" in message


def _same_floats(first: np.ndarray, second: np.ndarray) -> bool:
    """Equal values, NaN where NaN, and the same sign of zero."""
    return np.array_equal(first, second, equal_nan=True) and np.array_equal(
        np.signbit(first), np.signbit(second)
    )


_ODD_COORDINATES = [
    "51,2465",
    "-0",
    "0",
    "0,0",
    "-0.000",
    "5.",
    ".5",
    "-.5",
    "5,",
    "-",
    ".",
    ",",
    "1.2.3",
    "1-2",
    "--1",
    "1,2,3",
    "123456789012345",
    "1234567890123456",
    "-12345678901234",
    "+5",
    "1e3",
    "inf",
    "nan",
    "٥",
    "5 1,0",
    "51, 2465",
    "51°14'N",
    None,
]


def test_coordinate_fast_path_matches_the_general_path(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    degrees = rng.uniform(1, 180, 3000) * rng.choice([-1, 1], 3000)
    plain: list[str | None] = [
        f"{v:.{d}f}".replace(".", "," if i % 3 else ".")
        for i, (v, d) in enumerate(zip(degrees, rng.integers(0, 11, 3000), strict=True))
    ]
    plain.append(None)
    general = registry_values._parse_coordinate
    calls: list[int] = []
    monkeypatch.setattr(
        registry_values, "_parse_coordinate", lambda text: calls.append(len(text)) or general(text)
    )

    def both(
        cells: list[str | None], kind: pa.DataType | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        fast = registry_values._coordinate_values(
            pa.chunked_array([pa.array(cells, kind or pa.large_string())])
        )
        slow = general(pd.Series(cells, dtype="string")).to_numpy(dtype=float, na_value=np.nan)
        return fast, slow

    assert _same_floats(*both(plain))
    assert _same_floats(*both(plain, pa.string()))
    assert not calls  # plain numbers were cast by Arrow
    for cell in _ODD_COORDINATES:
        assert _same_floats(*both([cell])), cell
        assert _same_floats(*both([cell, "51,25", None])), cell
    assert _same_floats(*both(_ODD_COORDINATES + plain))

    # Only the cells' own bytes are looked at, not the rest of a shared buffer.
    sliced = pa.array(["abc", "51.5", "22,1", "xyz"], pa.large_string()).slice(1, 2)
    calls.clear()
    values = registry_values._coordinate_values(
        pa.chunked_array([sliced, pa.array(["50"], pa.large_string())])
    )
    assert values.tolist() == [51.5, 22.1, 50.0] and not calls


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1250", "utf-16"])
def test_file_bytes_read_as_utf8_match_other_encodings(tmp_path: Path, encoding: str) -> None:
    # UTF-8 files go to Arrow as their own bytes (from the header's byte offset), others
    # re-encoded: the same rows either way, with Polish letters above the header.
    rows = [
        ["Rejestr podmiotów ekonomii społecznej – województwo łódzkie, stan na 2025 r."],
        ["Nazwa", "Typ", "Miejscowość", "Uwagi", "Szerokość", "Długość"],
        ["Spółdzielnia „Żółw”", "SPS", "Łódź", "\u00a0uwaga\u00a0", "51,75", "19,45"],
        ["Klub Ślęża", "KIS", "", 'z "cudzysłowem"\ni nową linią', "", ""],
    ]
    utf8 = read_registry(write_csv(tmp_path / "utf8.csv", rows))
    other = read_registry(write_csv(tmp_path / "other.csv", rows, encoding=encoding))
    assert (utf8.encoding, other.encoding) == ("utf-8", encoding)
    pd.testing.assert_frame_equal(utf8.frame, other.frame)
    assert utf8.problems == other.problems
    assert utf8.frame["uwagi"].tolist() == [
        "uwaga",
        'z "cudzysłowem" i nową linią',
    ]  # break: a space
    assert utf8.frame["nazwa"].tolist() == ["Spółdzielnia „Żółw”", "Klub Ślęża"]
    assert utf8.frame["wiersz"].tolist() == [3, 4]


# ---------------------------------------------------------------------------------- scale


def test_100k_row_csv_parses(tmp_path: Path) -> None:
    n = 100_000
    rng = np.random.default_rng(1)
    types = np.array(["CIS", "KIS", "spółdzielnia socjalna", "Fundacja", "WTZ", "ZAZ"])
    start = pd.Timestamp("2000-01-01") + pd.to_timedelta(rng.integers(0, 9000, n), unit="D")
    frame = pd.DataFrame(
        {
            "Lp.": np.arange(1, n + 1),
            "Nazwa podmiotu": [f"Podmiot nr {i} „Łąka”" for i in range(n)],
            "Rodzaj podmiotu": types[rng.integers(0, len(types), n)],
            "Miejscowość": "Lublin",
            "Kod TERYT gminy": "0663011",
            "Szerokość geograficzna": np.char.replace(
                rng.uniform(50.3, 52.3, n).round(5).astype(str), ".", ","
            ),
            "Długość geograficzna": rng.uniform(21.6, 24.1, n).round(5).astype(str),
            "Data utworzenia": start.strftime("%d.%m.%Y"),
        }
    )
    path = tmp_path / "duzy.csv"
    frame.to_csv(path, sep=";", index=False, encoding="cp1250")
    parsed = read_registry(path)
    assert len(parsed.frame) == n
    assert parsed.frame["wiersz"].iloc[-1] == n + 1
    assert not [p for p in parsed.problems if p.row > 0]
    assert parsed.frame["nazwa"].iloc[12345] == "Podmiot nr 12345 „Łąka”"
    assert parsed.frame["szerokosc"].between(50.3, 52.3).all()
    assert parsed.frame["data_rozpoczecia"].iloc[7] == start[7].strftime("%Y-%m-%d")
    assert set(parsed.frame["typ"]) == {"CIS", "KIS", "SPS", "NGO", "WTZ", "ZAZ"}


# ---------------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def known_entities(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(
        shared_data / "reference" / "pes_known_entities_lubelskie.csv",
        dtype=str,
        keep_default_na=False,
    )


@pytest.mark.usefixtures("full_data")
def test_real_known_entities_detected_from_their_own_headers(
    tmp_path: Path, known_entities: pd.DataFrame
) -> None:
    # As a user would get it from Polish Excel: cp1250, semicolons.
    path = tmp_path / "znane.csv"
    known_entities.to_csv(path, sep=";", index=False, encoding="cp1250")
    parsed = read_registry(path)
    assert parsed.encoding == "cp1250" and parsed.delimiter == ";"
    assert parsed.header_map["name"] == "nazwa"
    assert parsed.header_map["type"] == "typ"
    assert parsed.header_map["town"] == "miejscowosc"
    assert parsed.header_map["operator"] == "podmiot_prowadzacy"
    assert parsed.header_map["gmina_teryt7"] == "teryt"
    assert "gmina_note" not in parsed.header_map
    frame = parsed.frame
    assert frame["nazwa"].tolist() == known_entities["name"].tolist()
    assert frame["teryt"].tolist() == [v or None for v in known_entities["gmina_teryt7"]]
    # Every real type label is understood (KGW/NGO, spółdzielnia socjalna (osób prawnych)...).
    assert frame["typ"].notna().all()
    assert not [p for p in parsed.problems if p.severity == ERROR]
    counts = frame["typ"].value_counts()
    assert counts["CIS"] >= 5 and counts["ZAZ"] >= 5 and counts["SPS"] >= 4
    janow = by_name(parsed, "Centrum Integracji Społecznej w Janowie Podlaskim")
    assert janow["teryt"] == "0601052"  # old code kept exactly; mapping is the locator's job
    assert janow["podmiot_prowadzacy"] == "Caritas"
    krasnystaw = by_name(parsed, "Centrum Integracji Społecznej w Krasnymstawie")
    assert krasnystaw["data_rozpoczecia"] == "2019-07-15"
    # Approximate dates ("<=2013", "2019-07") are not invented: empty, with a warning each.
    exact = known_entities["start"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").astype(bool)
    approximate = ~exact & (known_entities["start"] != "")
    warned = {p.row for p in parsed.problems if p.column == "start"}
    assert warned == set(frame.loc[approximate.to_numpy(), "wiersz"])


@pytest.mark.usefixtures("full_data")
def test_real_known_entities_with_column_map_in_xlsx(
    tmp_path: Path, known_entities: pd.DataFrame
) -> None:
    rows = [
        ["Podmioty ekonomii społecznej – dane ROPS"],
        [],
        list(known_entities.columns),
        *known_entities.to_numpy().tolist(),
    ]
    path = write_xlsx(tmp_path / "znane.xlsx", {"PES": rows})
    column_map = {"gmina_note": "uwagi", "notes": "", "verification": None, "start": None}
    parsed = read_registry(path, column_map=column_map)
    assert parsed.sheet == "PES"
    assert parsed.frame["wiersz"].iloc[0] == 4
    assert len(parsed.frame) == len(known_entities)
    assert parsed.header_map["gmina_note"] == "uwagi"
    assert "notes" not in parsed.header_map and "start" not in parsed.header_map
    assert parsed.frame["uwagi"].tolist() == [v or None for v in known_entities["gmina_note"]]
    assert parsed.frame["data_rozpoczecia"].isna().all()


def test_bytes_source_with_filename(tmp_path: Path) -> None:
    data = "Nazwa;Typ\nKIS Łuków;KIS\n".encode()
    parsed = read_registry(data, filename="upload.csv")
    assert parsed.frame.iloc[0]["nazwa"] == "KIS Łuków"


def test_rows_with_data_only_in_ignored_columns_are_skipped_with_a_note(tmp_path: Path) -> None:
    # Templates often come with the "Lp." column pre-numbered far below the last entry.
    rows = [["Lp.", "Nazwa", "Typ"], ["1", "KIS A", "KIS"], ["2", "", ""], ["3", "", ""]]
    parsed = read_registry(write_csv(tmp_path / "szablon.csv", rows))
    assert parsed.frame["wiersz"].tolist() == [2]
    assert not [p for p in parsed.problems if p.severity == ERROR]
    assert any(
        p.row == 0 and "2" in p.message and "Pominięto wiersze" in p.message
        for p in parsed.problems
    )
