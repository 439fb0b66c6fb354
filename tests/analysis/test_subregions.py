"""Subregion definitions as data: the embedded file against the reference, unknowns, dissolve,
per-subregion figures, local overrides and rejected files."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.analysis import subregions as sr
from geo.analysis.coverage import gmina_coverage, region_summary
from geo.analysis.locate import locate_entities
from geo.config import EMBEDDED_DIR, Settings, get_settings


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=None, home=tmp_path / "home", region="06", database_url="sqlite://")


@pytest.fixture(scope="module")
def reference(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(
        shared_data / "reference" / "lubelskie_powiaty_nuts3_owes.csv",
        dtype=str,
        keep_default_na=False,
    )


@pytest.fixture(scope="module")
def powiaty_06(gminy_06) -> gpd.GeoDataFrame:
    frame = gminy_06[["powiat", "powiat_nazwa", "geometry"]]
    return frame.dissolve("powiat", as_index=False, aggfunc="first")


def test_both_definitions_cover_every_powiat_of_lubelskie(settings, reference) -> None:
    defs = sr.load_definitions(settings)
    assert {sr.OWES, sr.NUTS3} <= set(defs)
    for key in (sr.OWES, sr.NUTS3):
        assert defs[key].label and defs[key].source
        table = sr.powiat_assignment(settings, key)
        assert sorted(table["powiat"]) == sorted(reference["powiat_teryt4"])
        assert list(table.columns) == list(sr.ASSIGNMENT_COLUMNS)


def test_nuts3_matches_the_reference(settings, reference) -> None:
    table = sr.powiat_assignment(settings, sr.NUTS3).set_index("powiat")
    expected = reference.set_index("powiat_teryt4")
    assert (table["podregion"] == expected["nuts3_2021_code"]).all()
    assert (table["podregion_nazwa"] == expected["nuts3_name"].str.lower()).all()


def test_owes_areas_only_where_verified_never_guessed(settings, reference) -> None:
    table = sr.powiat_assignment(settings, sr.OWES).set_index("powiat")
    verified = set(
        reference.loc[reference["owes_2017_2020_subregion_verified"] != "", "powiat_teryt4"]
    )
    known = set(table.index[table["podregion"] != sr.UNKNOWN])
    assert known == verified and len(known) == 7
    assert set(table.loc[sorted(known), "podregion_nazwa"]) == {"chełmsko-zamojski"}
    operator = table.loc[sorted(known), "operator"].iloc[0]
    assert "Fundacja Rozwoju Lubelszczyzny" in operator and "ITM" in operator
    assert (table.loc[sorted(known), "zrodlo"].str.startswith("http")).all()
    unknown = table[table["podregion"] == sr.UNKNOWN]
    assert (unknown["operator"] == "").all() and (unknown["podregion_nazwa"] == sr.UNKNOWN).all()
    # biłgorajski is in NUTS-3 chełmsko-zamojski but not in that OWES area
    bilgoraj = reference.loc[reference["powiat_name"] == "biłgorajski", "powiat_teryt4"].item()
    assert table.loc[bilgoraj, "podregion"] == sr.UNKNOWN


def test_gmina_subregion_follows_the_powiat_and_defaults_to_unknown(
    settings, gminy_06, reference
) -> None:
    table = sr.powiat_assignment(settings, sr.OWES)
    out = sr.gmina_subregion(gminy_06, table)
    assert list(out["teryt"]) == list(gminy_06["teryt"])
    verified = set(
        reference.loc[reference["owes_2017_2020_subregion_verified"] != "", "powiat_teryt4"]
    )
    in_area = gminy_06["powiat"].isin(verified).to_numpy()
    assert (out.loc[in_area, "podregion_nazwa"] == "chełmsko-zamojski").all()
    assert (out.loc[~in_area, "podregion"] == sr.UNKNOWN).all()
    # a gmina of another voivodeship: no definition lists its powiat
    other = pd.DataFrame({"teryt": ["1465011"], "powiat": ["1465"]})
    assert sr.gmina_subregion(other, table)["podregion"].item() == sr.UNKNOWN
    # without a powiat column the code's first four digits are used
    codes = sr.gmina_subregion(gminy_06[["teryt"]], table)
    assert (codes["podregion"] == out["podregion"]).all()


def test_dissolved_subregions_are_the_union_of_their_powiats(settings, powiaty_06) -> None:
    table = sr.powiat_assignment(settings, sr.OWES)
    out = sr.dissolve_subregions(powiaty_06, table)
    assert list(out["podregion"]) == ["chelmsko-zamojski", sr.UNKNOWN]  # unknown last
    assert list(out["liczba_powiatow"]) == [7, 17]
    metric_out = out.to_crs(2180)
    metric_in = powiaty_06.to_crs(2180)
    members = table.loc[table["podregion"] == "chelmsko-zamojski", "powiat"]
    union = metric_in[metric_in["powiat"].isin(members)].union_all()
    first = metric_out.geometry.iloc[0]
    assert first.symmetric_difference(union).area < 1.0  # m²
    assert metric_out.area.sum() == pytest.approx(metric_in.area.sum(), rel=1e-9)
    assert "hrubieszowski" in out["powiaty"].iloc[0]


def test_nuts3_dissolves_into_four_subregions(settings, powiaty_06) -> None:
    out = sr.dissolve_subregions(powiaty_06, sr.powiat_assignment(settings, sr.NUTS3))
    assert sorted(out["podregion"]) == ["PL811", "PL812", "PL814", "PL815"]
    assert out["liczba_powiatow"].sum() == 24


def test_subregion_summary_adds_up_to_the_region(settings, gminy_06, terc_pl) -> None:
    registry = pd.DataFrame(
        [
            {"id": "1", "nazwa": "CIS Chełm", "typ": "CIS", "teryt": "0662011"},
            {"id": "2", "nazwa": "KIS Zamość", "typ": "KIS", "teryt": "0664011"},
            {"id": "3", "nazwa": "ZAZ Puławy", "typ": "ZAZ", "teryt": "0614011"},
        ]
    )
    for column in ("gminy_obslugiwane", "data_rozpoczecia", "data_zakonczenia"):
        registry[column] = None
    located = locate_entities(registry, gminy_06, terc_pl, "06")
    coverage = gmina_coverage(gminy_06, located, dt.date(2026, 1, 1))
    table = sr.powiat_assignment(settings, sr.OWES)
    out = sr.subregion_summary(coverage, table).set_index("podregion")
    total = region_summary(coverage)
    for field in ("gminy", "ludnosc", "pes", "gminy_z_cis_kis", "cis", "kis", "zaz"):
        assert out[field].sum() == total[field], field
    members = set(table.loc[table["podregion"] == "chelmsko-zamojski", "powiat"])
    part = coverage[coverage["powiat"].isin(members)]
    row = out.loc["chelmsko-zamojski"]
    assert row["gminy"] == len(part)
    assert row["gminy_z_cis_kis"] == 2 and row["cis"] == 1 and row["kis"] == 1
    assert out.loc[sr.UNKNOWN, "zaz"] == 1
    people = pd.to_numeric(part["ludnosc"]).sum()
    assert row["ludnosc_bez_cis_kis"] == people - row["ludnosc_w_gminach_pokrytych"]
    assert row["pes_na_10k"] == pytest.approx(round(2 / people * 10_000, 2))
    assert row["powiaty"] == 7


def test_local_file_adds_and_replaces_definitions(settings) -> None:
    settings.home.mkdir(parents=True)
    (settings.home / sr.FILE_NAME).write_text(
        "definicja,definicja_nazwa,definicja_okres,definicja_zrodlo,powiat,powiat_nazwa,"
        "podregion,podregion_nazwa,operator,okres,zrodlo\n"
        "owes_2017_2020,Obszary OWES (lokalnie),2017-10-01..2020-09-30,ROPS,0601,bialski,"
        "bialski,bialski,Operator B,,ROPS\n"
        "moje_2026,Moje podregiony,2026-01-01..,ROPS,605,janowski,J,południe,,,ROPS\n",
        encoding="utf-8",
    )
    defs = sr.load_definitions(settings)
    assert defs[sr.OWES].label == "Obszary OWES (lokalnie)"
    assert defs["moje_2026"].label == "Moje podregiony"
    assert sr.NUTS3 in defs  # untouched embedded definition
    owes = sr.powiat_assignment(settings, sr.OWES)
    assert list(owes["powiat"]) == ["0601"] and owes["operator"].item() == "Operator B"
    assert sr.powiat_assignment(settings, "moje_2026")["powiat"].item() == "0605"  # zero restored


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("owes_x,Nazwa,,,06011,p,a,a,,,", "kod powiatu"),
        ("Owes X,Nazwa,,,0601,p,a,a,,,", "klucz definicji"),
        ("owes_x,Nazwa,,,0601,p,,,,,", "pusty podregion"),
        ("owes_x,Inna nazwa,,,0602,p,a,a,,,", "różne wartości"),
        ("owes_x,,,,0601,p,a,a,,,", "drugi raz"),
    ],
)
def test_bad_definition_files_are_rejected_with_the_line(
    tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / "podregiony.csv"
    path.write_text(
        ",".join(sr.COLUMNS) + "\nowes_x,Nazwa,,,0601,p,a,a,,,\n" + line + "\n", encoding="utf-8"
    )
    with pytest.raises(sr.SubregionError, match=message) as error:
        sr.read_definitions(path)
    if message != "różne wartości":
        assert "wiersz 3" in str(error.value)


def test_definition_file_saved_by_polish_excel(tmp_path: Path) -> None:
    # Re-saved in Excel: cp1250, ";" and a title row; it reads as the UTF-8 original.
    original = sr.read_definitions(EMBEDDED_DIR / sr.FILE_NAME)
    text = (EMBEDDED_DIR / sr.FILE_NAME).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows([["Podregiony województwa"], *rows])
    path = tmp_path / "podregiony.csv"
    path.write_bytes(buffer.getvalue().encode("cp1250"))
    pd.testing.assert_frame_equal(sr.read_definitions(path), original)


def test_missing_column_and_unknown_key(tmp_path: Path, settings) -> None:
    path = tmp_path / "podregiony.csv"
    path.write_text("definicja,powiat\nowes,0601\n", encoding="utf-8")
    with pytest.raises(sr.SubregionError, match="brak kolumn"):
        sr.read_definitions(path)
    with pytest.raises(sr.SubregionError, match="Nieznana definicja"):
        sr.powiat_assignment(settings, "nie_ma")


def test_format_period() -> None:
    assert sr.format_period("2017-10-01..2020-09-30") == "01.10.2017–30.09.2020"
    assert sr.format_period("2021-01-01..") == "od 01.01.2021"
    assert sr.format_period("") == ""
    assert sr.format_period(None) == ""


def test_pipeline_carries_the_subregions(pes_env, shared_data) -> None:
    from geo import pipeline

    result = pipeline.run(get_settings(), dt.date(2026, 1, 1))
    gminy = result.gminy
    for column in ("owes_podregion", "owes_podregion_nazwa", "owes_operator", "nuts3_nazwa"):
        assert column in gminy.columns
    settings = get_settings()
    expected = sr.gmina_subregion(gminy, sr.powiat_assignment(settings, sr.OWES))
    assert list(gminy["owes_podregion_nazwa"]) == list(expected["podregion_nazwa"])
    nuts = sr.gmina_subregion(gminy, sr.powiat_assignment(settings, sr.NUTS3))
    assert list(gminy["nuts3"]) == list(nuts["podregion"])
    assert set(gminy["nuts3"]) == {"PL811", "PL812", "PL814", "PL815"}
    assert EMBEDDED_DIR.joinpath(sr.FILE_NAME).is_file()
