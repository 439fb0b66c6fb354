"""TERC reading and gmina code normalisation, on the official GUS files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.core.teryt import Terc, TercError
from geo.io.terc import load_terc, read_terc


@pytest.fixture(scope="module")
def lubelskie(terc_pl: Terc) -> Terc:
    return terc_pl.for_region("06")


def test_reads_official_file_with_bom(shared_data: Path) -> None:
    units = read_terc(shared_data / "reference" / "terc_official_2025-01-01.csv")
    assert list(units.columns)[:2] == ["WOJ", "POW"]  # BOM not glued to the first header
    assert (units["WOJ"].str.len() == 2).all()


def test_region_has_213_gminas_and_24_powiats(lubelskie: Terc) -> None:
    assert len(lubelskie.gminy) == 213
    assert lubelskie.gminy["powiat"].nunique() == 24
    assert set(lubelskie.gminy["rodzaj"]) == {"1", "2", "3"}
    assert lubelskie.stan_na == "2026-01-01"


def test_all_poland_matches_population_table(terc_pl: Terc, shared_data: Path) -> None:
    pop = pd.read_csv(shared_data / "reference" / "gminy_area_population.csv", dtype=str)
    assert set(terc_pl.gminy["teryt"]) == set(pop["teryt"])


def test_code_changes_derived_from_vintages(terc_pl: Terc) -> None:
    assert terc_pl.changes["0601052"] == "0601053"
    # every mapped code is a current gmina, and no current code is mapped away
    assert set(terc_pl.changes.values()) <= terc_pl.codes
    assert not set(terc_pl.changes) & terc_pl.codes


@pytest.mark.parametrize(
    ("raw", "code", "status"),
    [
        ("0601053", "0601053", "ok"),
        ("0601052", "0601053", "mapped"),  # Janów Podlaski before 2026
        ("0601054", "0601053", "part"),  # town part of a miejsko-wiejska gmina
        ("0601055", "0601053", "part"),  # rural part
        (604011, "0604011", "resolved"),  # Excel number lost its leading zero
        (604011.0, "0604011", "resolved"),
        ("060105", "0601053", "resolved"),  # WWPPGG without the type digit
        (" 06 01 05 3 ", "0601053", "ok"),
        ("0618011 or 0618112", None, "ambiguous"),
        ("abc", None, "invalid"),
        ("06010", None, "invalid"),
        ("0601050", None, "invalid"),
        ("0699992", None, "unknown"),
        ("0601059", None, "unknown"),  # no district 9 in a land powiat
        (None, None, "invalid"),
        (float("nan"), None, "invalid"),
    ],
)
def test_normalize(lubelskie: Terc, raw: object, code: str | None, status: str) -> None:
    match = lubelskie.normalize(raw)
    assert (match.code, match.status) == (code, status)
    if status != "ok":
        assert match.message  # every non-trivial result explains itself in Polish


@pytest.mark.usefixtures("full_data")
def test_city_district_maps_to_city(terc_pl: Terc) -> None:
    match = terc_pl.normalize("1465028")  # Bemowo, a district of Warsaw
    assert (match.code, match.status) == ("1465011", "part")


def test_older_type_change_mapped_by_prefix(lubelskie: Terc) -> None:
    # A code from before a type change the change table does not list: WWPPGG is unique.
    without_table = Terc(units=lubelskie.units, gminy=lubelskie.gminy, region="06")
    assert without_table.normalize("0601052").code == "0601053"


def test_gmina_prefix_is_unique_so_six_digits_resolve(terc_pl: Terc) -> None:
    # Resolution of WWPPGG relies on it being unique per current gmina, all over Poland.
    assert not terc_pl.gminy["teryt"].str[:6].duplicated().any()


def test_rejects_file_that_is_not_terc(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(TercError, match="brak kolumn"):
        read_terc(bad)
    with pytest.raises(TercError, match="Nie można odczytać"):
        read_terc(tmp_path / "missing.csv")


@pytest.mark.usefixtures("full_data")
def test_cp1250_file(tmp_path: Path, shared_data: Path) -> None:
    src = (shared_data / "reference" / "terc_official_2025-01-01.csv").read_text("utf-8-sig")
    path = tmp_path / "terc1250.csv"
    path.write_bytes("\n".join(src.splitlines()[:400]).encode("cp1250"))
    terc = load_terc(path)
    assert "Bolesławiec" in set(terc.gminy["nazwa"])
