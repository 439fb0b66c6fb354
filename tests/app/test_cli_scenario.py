"""``python -m geo scenario``: the contract (JSON object, CSV/XLSX rows, exit codes) on the sample
registry of Lubelskie, with coverage of the answers checked independently of the solver."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.cli import main

KEYS = {
    "within_km",
    "as_of",
    "status",
    "new_sites",
    "covered_before",
    "covered_after",
    "population_covered_before",
    "population_covered_after",
    "gminas",
}


def run_cli(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def coverage_table(capsys) -> pd.DataFrame:
    code, out, _ = run_cli("coverage", "--format", "json", "--as-of", "2026-06-30", capsys=capsys)
    assert code == 0
    return pd.DataFrame(json.loads(out)).set_index("teryt")


def scenario(capsys, *args: str) -> dict:
    code, out, err = run_cli("scenario", *args, "--as-of", "2026-06-30", capsys=capsys)
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("within_km", [15, 25])
def test_cover_covers_every_gmina_of_lubelskie(pes_env, gminy_06, within_km, capsys) -> None:
    answer = scenario(capsys, "cover", "--within-km", str(within_km))
    assert KEYS <= set(answer)
    assert answer["status"] == "optimal" and answer["as_of"] == "2026-06-30"
    assert answer["gminas"] == answer["covered_after"] == 213
    assert answer["covered_before"] < 213 and answer["new_sites"]
    # Recomputed here: today's coverage from the coverage export, new sites by distance.
    table = coverage_table(capsys)
    before = (table["pokrycie"] != "brak") | (table["odleglosc_cis_kis_km"] <= within_km)
    assert int(before.sum()) == answer["covered_before"]
    polygons = gminy_06.set_index("teryt").geometry.to_crs("EPSG:2180")
    points = gpd.GeoSeries(
        [Point(s["lon"], s["lat"]) for s in answer["new_sites"]], crs="EPSG:4326"
    ).to_crs("EPSG:2180")
    reached = set()
    for site, point in zip(answer["new_sites"], points, strict=True):
        near = polygons.distance(point) <= within_km * 1000 + 1  # coordinates rounded to 1e-6°
        newly = set(polygons.index[near]) - set(before.index[before])
        assert set(site["serves"]) == newly
        assert polygons[site["teryt"]].contains(point)  # the site stands in its gmina
        reached |= newly
    assert set(before.index[before]) | reached == set(polygons.index)
    population = table["ludnosc"]
    assert answer["population_covered_after"] == int(population.sum())


def test_maximize_json_csv_and_xlsx(pes_env, tmp_path, capsys) -> None:
    answer = scenario(capsys, "maximize", "--sites", "3", "--within-km", "20")
    assert answer["status"] == "optimal" and len(answer["new_sites"]) == 3
    assert answer["population_covered_after"] > answer["population_covered_before"]
    code, out, _ = run_cli(
        "scenario", "maximize", "--sites", "3", "--within-km", "20", "--format", "csv",
        "--as-of", "2026-06-30", capsys=capsys,
    )  # fmt: skip
    assert code == 0
    rows = pd.read_csv(io.StringIO(out.lstrip("\ufeff")), dtype=str)
    assert list(rows.columns) == [
        "teryt", "gmina", "szerokosc", "dlugosc", "liczba_nowo_pokrytych_gmin",
        "nowo_pokryte_gminy",
    ]  # fmt: skip
    assert list(rows["teryt"]) == [site["teryt"] for site in answer["new_sites"]]
    path = tmp_path / "out" / "scenariusz.xlsx"
    code, _, err = run_cli(
        "scenario", "maximize", "--sites", "3", "--within-km", "20", "--format", "xlsx",
        "--out", str(path), "--as-of", "2026-06-30", capsys=capsys,
    )  # fmt: skip
    assert code == 0 and "Zapisano 3 nowe miejsca" in err  # Polish plural after 3
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Scenariusz", "Źródła"]
    notes = {row[0]: row[1] for row in book["Źródła"].iter_rows(min_row=2, values_only=True)}
    assert notes["stan na"] == "2026-06-30" and notes["odległość (km)"] == "20"


def test_options(pes_env, capsys) -> None:
    plain = scenario(capsys, "cover", "--within-km", "25")
    first = plain["new_sites"][0]["teryt"]
    excluded = scenario(capsys, "cover", "--within-km", "25", "--exclude", first)
    assert first not in [site["teryt"] for site in excluded["new_sites"]]
    big = scenario(capsys, "cover", "--within-km", "25", "--min-population", "5000")
    table = coverage_table(capsys)
    assert all(table.loc[site["teryt"], "ludnosc"] >= 5000 for site in big["new_sites"])
    ignored = scenario(capsys, "cover", "--within-km", "25", "--ignore-agreements")
    assert ignored["covered_before"] <= plain["covered_before"]


def test_infeasible_and_bad_data_exit_1(pes_env, capsys) -> None:
    code, out, err = run_cli(
        "scenario", "cover", "--within-km", "2", "--min-population", "10000000", capsys=capsys
    )
    assert code == 1 and out == ""
    assert err.startswith("błąd: nie da się pokryć")
    code, _, err = run_cli(
        "scenario", "cover", "--within-km", "5", "--exclude", "0000000", capsys=capsys
    )
    assert code == 1 and "nieznane kody gmin" in err
    code, _, err = run_cli(
        "scenario", "cover", "--within-km", "5", "--format", "xlsx", capsys=capsys
    )
    assert code == 1 and "wymaga --out" in err


@pytest.mark.parametrize(
    "args",
    [
        ["scenario"],
        ["scenario", "cover"],
        ["scenario", "cover", "--within-km", "-3"],
        ["scenario", "cover", "--within-km", "nan"],
        ["scenario", "maximize", "--within-km", "5"],
        ["scenario", "maximize", "--within-km", "5", "--sites", "0"],
        ["scenario", "cover", "--within-km", "5", "--min-population", "-1"],
        ["scenario", "cover", "--within-km", "5", "--format", "pdf"],
    ],
)
def test_usage_errors_exit_2(pes_env, args, capsys) -> None:
    code, _, err = run_cli(*args, capsys=capsys)
    assert code == 2 and "błąd użycia" in err


def test_as_of_must_be_a_date(pes_env, capsys) -> None:
    code, _, _ = run_cli(
        "scenario", "cover", "--within-km", "5", "--as-of", "2026-13-01", capsys=capsys
    )
    assert code == 2
