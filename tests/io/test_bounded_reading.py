"""Bounded reading (geo/io/tabular.py ReadLimits, geo/io/_xlsx.py scan): each bound on its own.

The hostile corpus (tests/security) runs whole files through the importers; these tests pin
one limit each with small limits, so that a regression names the bound it broke.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from geo.io import plans, prg, subregion_file, tabular
from geo.io.tabular import ReadLimits, TabularError


def _fit(cells: Sequence[object]) -> tuple[bool, int]:
    return any(str(c).strip().lower() == "nazwa" for c in cells if c is not None), 1


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SMALL = ReadLimits(rows=5, raw_rows=20, columns=10, cells=100, cell_chars=50, seconds=60)


def test_defaults_read_an_ordinary_table() -> None:
    table = tabular.read_table(_xlsx([["Nazwa", "Typ"], ["Klub", "KIS"]]), _fit)
    assert table.headers == ["Nazwa", "Typ"] and table.body.values.tolist() == [["Klub", "KIS"]]


def test_xlsx_data_rows_limit() -> None:
    data = _xlsx([["Nazwa"], *([f"Klub {i}"] for i in range(6))])
    assert len(tabular.read_table(data, _fit, limits=replace(SMALL, rows=6)).body) == 6
    with pytest.raises(TabularError, match="więcej niż 5 wierszy danych"):
        tabular.read_table(data, _fit, limits=SMALL)


def test_xlsx_empty_rows_count_before_parsing() -> None:
    book = openpyxl.Workbook()
    book.active.append(["Nazwa"])
    book.active.append(["Klub"])
    for number in range(3, 30):  # formatted empty rows: written as <row> elements
        book.active.row_dimensions[number].height = 20
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(TabularError, match="więcej niż 20 wierszy, licząc puste"):
        tabular.read_table(out.getvalue(), _fit, limits=SMALL)


def test_xlsx_cells_and_width() -> None:
    wide = _xlsx([["Nazwa", *range(11)], ["Klub", *range(11)]])
    with pytest.raises(TabularError, match="więcej niż 10 kolumnach"):
        tabular.read_table(wide, _fit, limits=SMALL)
    many = _xlsx([["Nazwa", *range(8)], *(["Klub", *range(8)] for _ in range(15))])
    with pytest.raises(TabularError, match="więcej niż 100 komórek"):
        tabular.read_table(many, _fit, limits=replace(SMALL, rows=50, raw_rows=50))


def test_xlsx_trailing_empty_cells_do_not_widen_rows() -> None:
    book = openpyxl.Workbook()
    book.active.append(["Nazwa", "Typ"])
    book.active.append(["Klub", "KIS"])
    book.active.cell(row=2, column=16_000).number_format = "0.00"  # a formatted empty cell
    out = io.BytesIO()
    book.save(out)
    table = tabular.read_table(out.getvalue(), _fit, limits=SMALL)
    assert table.headers == ["Nazwa", "Typ"]


def test_xlsx_cell_length_names_row_and_column() -> None:
    data = _xlsx([["Nazwa", "Uwagi"], ["Klub", "  " + "a" * 50 + "  "], ["Klub 2", "b" * 51]])
    with pytest.raises(TabularError) as info:
        tabular.read_table(data, _fit, limits=SMALL)
    assert str(info.value).startswith("Komórka w wierszu 3, kolumna „Uwagi”, ma 51 znaków")


def test_xlsx_time_limit() -> None:
    data = _xlsx([["Nazwa"], ["Klub"]])
    with pytest.raises(TabularError, match="przerwano po 0 s"):
        tabular.read_table(data, _fit, limits=replace(SMALL, seconds=0))


def test_csv_lines_limit_counts_empty_lines() -> None:
    data = b"Nazwa\nKlub\n" + b"\n" * 19
    with pytest.raises(TabularError, match="licząc puste"):
        tabular.read_table(data, _fit, limits=SMALL)
    assert len(tabular.read_table(data[:-2], _fit, limits=SMALL).body) >= 1


def test_csv_rows_padded_to_a_wide_header_are_bounded_before_parsing() -> None:
    data = ("Nazwa" + ";x" * 9 + "\n").encode() + b"Klub\n" * 12
    with pytest.raises(TabularError, match="więcej niż 100 komórek"):
        tabular.read_table(data, _fit, limits=SMALL)


def test_csv_field_too_long_to_read_is_a_cell_error_not_a_missing_header() -> None:
    """The probe's 1 MB cell was reported as "no name column"."""
    data = b"Raport " + b"x" * 300_000 + b"\nNazwa;Typ\nKlub;KIS\n"
    with pytest.raises(TabularError, match="Komórka w wierszu 1 jest dłuższa niż dopuszczalne"):
        tabular.read_table(data, _fit, limits=replace(SMALL, cell_chars=10_000))


def test_csv_cell_length_measured_after_cleaning() -> None:
    ok = ("Nazwa;Uwagi\nKlub;  " + "a" * 50 + "\u00a0 \n").encode()
    assert tabular.read_table(ok, _fit, limits=SMALL).body.shape == (1, 2)
    long = ("Nazwa;Uwagi\nKlub;a\nKlub 2;" + "ż" * 51 + "\n").encode()
    with pytest.raises(TabularError, match="wierszu 3, kolumna „Uwagi”, ma 51 znaków"):
        tabular.read_table(long, _fit, limits=SMALL)


def test_file_size_checked_before_a_path_is_read(tmp_path: Path) -> None:
    path = tmp_path / "duzy.csv"
    path.write_bytes(b"Nazwa\n" + b"Klub\n" * 300)
    with pytest.raises(TabularError, match="zbyt duży"):
        tabular.read_table(path, _fit, limits=replace(SMALL, file_bytes=1000))


def test_limits_text_is_polish_and_names_each_bound() -> None:
    text = tabular.limits_text(ReadLimits.for_upload(5 * 1024**2, 5_000, 10_000))
    assert text.startswith("najwyżej 5 MB i 5 000 wierszy danych")
    for part in ("10 030", "10 000 znaków", "po rozpakowaniu", "komórek", "tekstów", " s "):
        assert part in text


def test_plan_file_errors_are_polish(tmp_path: Path) -> None:
    with pytest.raises(plans.LpresError, match="Nie znaleziono pliku brak.csv"):
        plans.read_plans(tmp_path / "brak.csv")
    with pytest.raises(plans.LpresError, match="jest katalogiem"):
        plans.read_plans(tmp_path)


def test_subregion_file_errors_are_polish(tmp_path: Path) -> None:
    with pytest.raises(subregion_file.SubregionError, match="plik nie istnieje"):
        subregion_file.read_definitions(tmp_path / "podregiony.csv")
    path = tmp_path / "duze.csv"
    path.write_bytes(b"x" * (subregion_file.LIMITS.file_bytes + 1))
    with pytest.raises(subregion_file.SubregionError, match="zbyt duży"):
        subregion_file.read_definitions(path)


def test_prg_response_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    class Response:
        def __enter__(self):
            return self

        def __exit__(self, *args):
            return None

        def iter_content(self, chunk_size: int):
            while True:  # an endless answer
                yield b"x" * chunk_size

    monkeypatch.setattr(prg, "MAX_PAGE_BYTES", 5 * 1024**2)
    with pytest.raises(prg.PrgError, match="przekracza 5 MB"):
        prg._bounded_body(Response(), "example.org")  # type: ignore[arg-type]
