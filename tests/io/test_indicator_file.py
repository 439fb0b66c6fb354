"""Reading indicator files: the sample, Polish Excel variants and every row error named."""

from __future__ import annotations

import io

import openpyxl
import pytest

from geo.analysis.indicators import MEASURES
from geo.config import PROJECT_ROOT
from geo.io.indicator_file import IndicatorFileError, read_indicators

HEADER = "id;nazwa;miara;wartosc_bazowa;rok_bazowy;wartosc_docelowa;rok_docelowy;zrodlo\n"


def _read(body: str, header: str = HEADER):
    return read_indicators((header + body).encode("cp1250"), MEASURES, "w.csv")


def test_sample_file_is_valid_and_labelled_as_a_sample() -> None:
    frame = read_indicators(PROJECT_ROOT / "data" / "wskazniki_przyklad.csv", MEASURES)
    assert len(frame) >= 5 and set(frame["miara"]) <= set(MEASURES)
    assert (frame["uwagi"] == "PRZYKŁAD").all()
    first = (PROJECT_ROOT / "data" / "wskazniki_przyklad.csv").read_text("utf-8").splitlines()[0]
    assert first.startswith("PRZYKŁAD")


def test_polish_excel_csv_with_decimal_commas() -> None:
    frame = _read("W1;Gminy z CIS/KIS;gminy_z_cis_kis;12,5;2023;213;2030;Model\n")
    row = frame.iloc[0]
    assert (row["wartosc_bazowa"], row["rok_bazowy"], row["wartosc_docelowa"]) == (12.5, 2023, 213)
    assert row["zrodlo"] == "Model" and row["uwagi"] == ""


def test_xlsx_with_a_title_row() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Wskaźniki programu"])
    sheet.append(["ID", "Nazwa wskaźnika", "Miara", "Wartość bazowa", "Rok bazowy",
                  "Wartość docelowa", "Rok docelowy", "Źródło"])  # fmt: skip
    sheet.append(["W1", "Luki", "gminy_bez_cis_kis", 200, 2020, 0, 2030, "RPRES"])
    buffer = io.BytesIO()
    book.save(buffer)
    frame = read_indicators(buffer.getvalue(), MEASURES, "w.xlsx")
    assert frame.iloc[0]["wartosc_docelowa"] == 0 and frame.iloc[0]["rok_docelowy"] == 2030


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("W1;a;nie_ma_takiej;1;2020;2;2030;x\n", "wiersz 2: nieznana miara „nie_ma_takiej”"),
        ("W1;a;gminy_z_cis_kis;dużo;2020;2;2030;x\n", "wiersz 2: wartosc_bazowa: „dużo” nie jest"),
        ("W1;a;gminy_z_cis_kis;1;2020;2;w 2030;x\n", "wiersz 2: rok_docelowy: „w 2030” nie jest"),
        ("W1;a;gminy_z_cis_kis;1;2030;2;2020;x\n", "rok docelowy 2020 jest wcześniejszy niż"),
        (
            "W1;a;gminy_z_cis_kis;1;2020;2;2030;x\nW2;b;pes_na_10k;1;2020;2;2030;x\n"
            "W1;c;pes_na_10k;1;2020;2;2030;x\n",
            "powtórzony identyfikator „W1” (wiersze 2, 4)",
        ),
        (";a;gminy_z_cis_kis;1;2020;2;2030;x\n", "wiersz 2: brak wartości w kolumnie id"),
    ],
)
def test_row_errors_are_named_and_nothing_is_returned(body: str, message: str) -> None:
    with pytest.raises(IndicatorFileError, match="odrzucony") as caught:
        _read(body)
    assert message in str(caught.value)


def test_every_bad_row_is_reported_at_once() -> None:
    with pytest.raises(IndicatorFileError) as caught:
        _read("W1;a;zla;1;2020;2;2030;x\nW2;b;gminy_z_cis_kis;1;2020;x;2030;x\n")
    assert "wiersz 2:" in str(caught.value) and "wiersz 3:" in str(caught.value)


def test_missing_header_and_empty_file() -> None:
    with pytest.raises(IndicatorFileError, match="nagłówka"):
        read_indicators(b"a;b;c\n1;2;3\n", MEASURES, "w.csv")
    with pytest.raises(IndicatorFileError, match="pusty"):
        read_indicators(b"  \n", MEASURES, "w.csv")
    with pytest.raises(IndicatorFileError, match="żadnego wskaźnika"):
        _read("")


def test_control_characters_are_refused_and_shown_escaped() -> None:
    body = HEADER + "W1;a\x1b[31m;gmi\x9bny;1;2020;2;2030;x\n"
    with pytest.raises(IndicatorFileError) as caught:
        read_indicators(body.encode("utf-8"), MEASURES, "w.csv")
    message = str(caught.value)
    assert "\x1b" not in message and "\x9b" not in message
    assert "nazwa: znaki sterujące w „a\\x1b[31m”" in message
    assert "nieznana miara „gmi\\x9bny”" in message
