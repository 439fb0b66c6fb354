"""LPRES plans: the sample data, import from CSV/XLSX, status on a date, per gmina, figures,
the CLI, and "nieznany" never shown as "brak"."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geo.analysis import lpres
from geo.config import EMBEDDED_DIR, Settings, get_settings

DAY = dt.date(2026, 6, 1)
HEADER = "id,nazwa,jst,zakres,teryt_gmin,status,uchwala_nr,uchwala_data,okres_od,okres_do,link,zrodlo,data_weryfikacji,uwagi"


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=None, home=tmp_path / "home", region="06", database_url="sqlite://")


def plans(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame([{c: row.get(c, "") for c in lpres.PLAN_COLUMNS} for row in rows])
    frame["id"] = [row.get("id") or f"P{i}" for i, row in enumerate(rows)]
    return frame


def test_sample_plans_are_sourced_facts(gminy_06) -> None:
    sample = lpres.read_plans(EMBEDDED_DIR / lpres.SAMPLE_FILE)
    assert len(sample) >= 1
    assert sample["link"].str.startswith("https://").all()
    assert (sample["zrodlo"] != "").all() and (sample["data_weryfikacji"] != "").all()
    codes = {c for value in sample["teryt_gmin"] for c in value.split(";")}
    assert codes <= set(gminy_06["teryt"])
    # nothing adopted without a resolution: the sample holds no invented resolutions
    adopted = sample["status"] == "przyjety"
    assert (sample.loc[adopted, "uchwala_data"] != "").all()
    janow = sample[sample["teryt_gmin"] == "0605053"]
    assert janow["status"].tolist() == ["w_przygotowaniu"]
    assert "janowlubelski.pl" in janow["link"].item()


def test_sample_status_unknown_everywhere_else(gminy_06) -> None:
    sample = lpres.read_plans(EMBEDDED_DIR / lpres.SAMPLE_FILE)
    status = lpres.gmina_status(gminy_06, sample, DAY)
    assert list(status["teryt"]) == list(gminy_06["teryt"])
    named = {c for value in sample["teryt_gmin"] for c in value.split(";")}
    known = status[status["teryt"].isin(named)]
    assert (known["lpres_status"] != lpres.UNKNOWN).all()
    rest = status[~status["teryt"].isin(named)]
    assert (rest["lpres_status"] == lpres.UNKNOWN).all()
    assert (rest["lpres_status_nazwa"] == "nieznany").all()
    assert "brak" not in set(status["lpres_status"])  # unknown is never shown as "none"


def test_csv_from_polish_excel(tmp_path: Path) -> None:
    text = (
        "Wykaz lokalnych planów rozwoju ekonomii społecznej;;;;;\n"
        "Nazwa planu;JST przyjmująca;Zakres;Kody TERYT;Status;Nr uchwały;Data uchwały;"
        "Obowiązuje od;Obowiązuje do;Link;Źródło\n"
        "Plan powiatu janowskiego;Powiat Janowski;powiatowy;605;Przyjęty;XX/100/2021;"
        "15.03.2021;01.01.2021;31.12.2026 r.;https://bip.example.pl/1;BIP\n"
        "Plan gminy;Gmina Batorz;gmina;605012;w opracowaniu;;;;;;ankieta ROPS\n"
        "Brak;Gmina Dzwola;gmina;0605042;brak planu;;;;;;ankieta ROPS\n"
    )
    path = tmp_path / "plany.csv"
    path.write_bytes(text.encode("cp1250"))
    out = lpres.read_plans(path)
    assert list(out.columns) == list(lpres.PLAN_COLUMNS)
    assert out["status"].tolist() == ["przyjety", "w_przygotowaniu", "brak"]
    assert out["zakres"].tolist() == ["powiat", "gmina", "gmina"]
    assert out["teryt_gmin"].tolist() == ["0605", "0605012", "0605042"]  # zeros restored
    assert out.loc[0, "uchwala_data"] == "2021-03-15" and out.loc[0, "okres_do"] == "2026-12-31"
    assert out["id"].tolist() == ["LPRES-001", "LPRES-002", "LPRES-003"]
    assert out.loc[0, "jst"] == "Powiat Janowski"


POLISH_PLANS = (
    "jst;zakres;teryt_gmin;status;nazwa\n"
    "Gmina Łaszczów;gmina;0618052;przyjęty;Plan rozwoju ekonomii społecznej: źródła, ścieżki\n"
)


@pytest.mark.parametrize("encoding", ["iso-8859-2", "cp1250", "utf-8-sig", "utf-16"])
def test_csv_in_any_polish_encoding_keeps_its_letters(tmp_path: Path, encoding: str) -> None:
    # ISO-8859-2 and cp1250 differ in ą, ś, ź: an ISO file used to be read as cp1250.
    path = tmp_path / "plany.csv"
    path.write_bytes(POLISH_PLANS.encode(encoding))
    out = lpres.read_plans(path)
    assert out.loc[0, "jst"] == "Gmina Łaszczów"
    assert out.loc[0, "nazwa"] == "Plan rozwoju ekonomii społecznej: źródła, ścieżki"
    assert out.loc[0, "status"] == "przyjety"


@pytest.mark.parametrize("sep", ["\t", "|", ",", ";"])
def test_csv_with_any_separator(tmp_path: Path, sep: str) -> None:
    # A tab-separated export used to be rejected ("no header row").
    rows = [
        ["jst", "zakres", "teryt_gmin", "status", "nazwa"],
        ["Gmina Łaszczów", "gmina", "0618052", "przyjęty", "Plan: źródła, ścieżki; cele"],
    ]
    path = tmp_path / "plany.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, delimiter=sep).writerows(rows)
    out = lpres.read_plans(path)
    assert out.loc[0, "teryt_gmin"] == "0618052"
    assert out.loc[0, "nazwa"] == "Plan: źródła, ścieżki; cele"


def test_xlsx_title_rows_and_numbers_that_lost_their_zero(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Wykaz planów LPRES"])
    sheet.append([])
    sheet.append(["JST przyjmująca", "Zakres", "Kody TERYT", "Status"])
    sheet.append(["Gmina Batorz", "gmina", 605012, "brak planu"])
    sheet.append(["Gmina X", "gmina", 605053, "???"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(lpres.LpresError) as error:
        lpres.read_plans(buffer.getvalue(), filename="plany.xlsx")
    # the spreadsheet's own row number, and the code cell read as the number it shows
    assert "wiersz 5: nieznany status" in str(error.value)
    assert "wiersz 4" not in str(error.value)


def test_xlsx_with_date_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["jst", "zakres", "teryt_gmin", "status", "nazwa", "uchwala_data", "okres_do"])
    sheet.append(
        [
            "Gmina Zamość",
            "gmina",
            "0620142",
            "przyjęty",
            "Plan",
            dt.datetime(2022, 5, 4),
            dt.date(2027, 12, 31),
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    out = lpres.read_plans(buffer.getvalue(), filename="plany.xlsx")
    assert out.loc[0, "uchwala_data"] == "2022-05-04"
    assert out.loc[0, "okres_do"] == "2027-12-31"
    assert out.loc[0, "status"] == "przyjety"


def test_bad_rows_reject_the_whole_file(tmp_path: Path, settings) -> None:
    rows = [
        "A1,Plan,Gmina X,gmina,0605053,obowiązywał kiedyś,,,,,,,,",
        "A2,Plan,Gmina X,gmina,0605053;0605012,przyjęty,,,,,,,,",
        "A3,Plan,Gmina X,gmina,06x5053,przyjęty,,,,,,,,",
        "A4,Plan,Gmina X,gmina,0605053,przyjęty,,,2026-01-01,2020-01-01,,,,",
        "A5,Plan,Gmina X,gmina,0605053,przyjęty,,,,,javascript:alert(1),,,",
        "A6,Plan,Gmina X,gmina,0605053,przyjęty,,31.02.2020,,,,,,",
        "A6,,Gmina X,gmina,0605053,przyjęty,,,,,,,,",
    ]
    path = tmp_path / "plany.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(lpres.LpresError) as error:
        lpres.import_plans(path, settings)
    message = str(error.value)
    for expected in (
        "wiersz 2: nieznany status",
        "wiersz 3: plan gminy musi",
        "wiersz 4: nieprawidłowe kody TERYT: 06x5053",
        "wiersz 5: okres_od",
        "wiersz 6: link",
        "wiersz 7: uchwala_data",
        "wiersz 8: brak nazwy",
        "powtórzone identyfikatory planów: A6",
        "nic nie zapisano",
    ):
        assert expected in message, expected
    assert not (settings.home / "lpres").exists()


def test_missing_header_and_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "plany.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(lpres.LpresError, match="nagłówka"):
        lpres.read_plans(path)
    with pytest.raises(lpres.LpresError, match="uszkodzony"):
        lpres.read_plans(b"PK\x03\x04broken", filename="x.xlsx")


def test_import_replaces_the_sample_until_a_valid_file(tmp_path: Path, settings) -> None:
    before = lpres.plans_info(settings)
    assert before.is_sample and "przykładowe" in before.label
    state = lpres.plans_state(settings)
    good = tmp_path / "dobre.csv"
    good.write_text(
        HEADER + "\nP1,Plan,Powiat janowski,powiat,0605,przyjety,,2021-03-15,,,,,,\n",
        encoding="utf-8",
    )
    lpres.import_plans(good, settings)
    info = lpres.plans_info(settings)
    assert not info.is_sample and "dobre.csv" in info.label
    assert lpres.plans_state(settings) != state
    assert lpres.load_plans(settings)["id"].tolist() == ["P1"]
    # a rejected file leaves the previous import as it was
    bad = tmp_path / "zle.csv"
    bad.write_text(HEADER + "\nP2,Plan,X,gmina,0605053,???,,,,,,,,\n", encoding="utf-8")
    with pytest.raises(lpres.LpresError):
        lpres.import_plans(bad, settings)
    assert lpres.load_plans(settings)["id"].tolist() == ["P1"]
    # codes outside the region are refused when the region's codes are given
    outside = tmp_path / "obce.csv"
    outside.write_text(
        HEADER + "\nP3,Plan,Warszawa,gmina,1465011,przyjety,,,,,,,,\n", encoding="utf-8"
    )
    with pytest.raises(lpres.LpresError, match="1465011"):
        lpres.import_plans(outside, settings, known_codes={"0605053"})


def test_plan_status_follows_the_dates() -> None:
    frame = plans(
        {
            "status": "przyjety",
            "uchwala_data": "2021-03-15",
            "okres_od": "2021-01-01",
            "okres_do": "2025-12-31",
        },
        {"status": "wygasly", "uchwala_data": "2016-05-01", "okres_do": "2020-12-31"},
        {"status": "przyjety"},  # no dates: as recorded
        {"status": "w_przygotowaniu"},
        {"status": "brak"},
        {"status": ""},
    )

    def on(day: str) -> list[str]:
        return lpres.plan_status(frame, dt.date.fromisoformat(day)).tolist()

    assert on("2020-06-01") == [
        "nieznany",
        "przyjety",
        "przyjety",
        "w_przygotowaniu",
        "brak",
        "nieznany",
    ]
    assert on("2023-06-01") == [
        "przyjety",
        "wygasly",
        "przyjety",
        "w_przygotowaniu",
        "brak",
        "nieznany",
    ]
    assert on("2026-06-01")[:2] == ["wygasly", "wygasly"]
    assert on("2015-01-01")[:2] == ["nieznany", "nieznany"]


def test_gmina_status_expands_powiats_and_prefers_adopted(gminy_06) -> None:
    janowski = gminy_06.loc[gminy_06["powiat"] == "0605", "teryt"]
    frame = plans(
        {
            "id": "POW",
            "nazwa": "Plan powiatu",
            "jst": "Powiat Janowski",
            "zakres": "powiat",
            "teryt_gmin": "0605",
            "status": "przyjety",
            "uchwala_nr": "XX/1/2021",
            "uchwala_data": "2021-03-15",
            "okres_od": "2021-01-01",
            "okres_do": "2026-12-31",
            "link": "https://example.pl",
        },
        {
            "id": "OLD",
            "nazwa": "Stary plan",
            "jst": "Gmina Janów Lubelski",
            "zakres": "gmina",
            "teryt_gmin": "0605053",
            "status": "wygasly",
            "okres_do": "2019-12-31",
        },
        {
            "id": "NONE",
            "jst": "Gmina Zamość",
            "zakres": "gmina",
            "teryt_gmin": "0620142",
            "status": "brak",
        },
        {
            "id": "OUT",
            "nazwa": "Plan spoza regionu",
            "jst": "X",
            "zakres": "gmina",
            "teryt_gmin": "1465011",
            "status": "przyjety",
        },
    )
    status = lpres.gmina_status(gminy_06, frame, DAY).set_index("teryt")
    assert (status.loc[janowski, "lpres_status"] == "przyjety").all()
    assert status.loc["0605053", "lpres_plan_id"] == "POW"
    assert status.loc["0605053", "lpres_liczba_planow"] == 2
    assert status.loc["0605053", "lpres_plan"] == "Plan powiatu (Powiat Janowski)"
    assert status.loc["0605053", "lpres_uchwala"] == "XX/1/2021 z 15.03.2021"
    assert status.loc["0605053", "lpres_okres"] == "01.01.2021–31.12.2026"
    assert status.loc["0620142", "lpres_status"] == "brak"
    assert status.loc["0620142", "lpres_status_nazwa"] == "brak planu"
    others = status.drop(index=[*janowski, "0620142"])
    assert (others["lpres_status"] == "nieznany").all()
    assert len(status) == len(gminy_06)
    # after the powiat plan ends only the expired plans remain
    later = lpres.gmina_status(gminy_06, frame, dt.date(2027, 6, 1)).set_index("teryt")
    assert (later.loc[janowski, "lpres_status"] == "wygasly").all()


def test_summary_counts_population_and_expiring_plans(gminy_06) -> None:
    frame = plans(
        {
            "nazwa": "A",
            "jst": "Powiat Janowski",
            "zakres": "powiat",
            "teryt_gmin": "0605",
            "status": "przyjety",
            "uchwala_data": "2021-03-15",
            "okres_do": "2026-12-31",
        },
        {
            "nazwa": "B",
            "jst": "Gmina Zamość",
            "zakres": "gmina",
            "teryt_gmin": "0620142",
            "status": "przyjety",
            "uchwala_data": "2022-01-10",
            "okres_do": "2030-12-31",
        },
        {"jst": "Gmina Chełm", "zakres": "gmina", "teryt_gmin": "0662011", "status": "brak"},
    )
    status = lpres.gmina_status(gminy_06, frame, DAY)
    summary = lpres.lpres_summary(status, gminy_06, DAY, frame)
    covered = gminy_06[(gminy_06["powiat"] == "0605") | (gminy_06["teryt"] == "0620142")]
    assert summary["gminy_przyjety"] == len(covered)
    assert summary["ludnosc_przyjety"] == int(covered["ludnosc"].sum())
    assert summary["gminy_brak"] == 1
    assert sum(summary[f"gminy_{s}"] for s in lpres.STATUS_ORDER) == summary["gminy"] == 213
    assert summary["proc_ludnosci_z_planem"] == round(
        100 * covered["ludnosc"].sum() / gminy_06["ludnosc"].sum(), 1
    )
    assert summary["plany"] == 3 and summary["plany_przyjete"] == 2
    assert summary["plany_wygasajace_w_roku"] == 1
    assert lpres.expiring_plans(frame, DAY)["nazwa"].tolist() == ["A"]


def test_cli_import(pes_env, tmp_path: Path, capsys) -> None:
    from geo.cli import main

    path = tmp_path / "plany.csv"
    path.write_text(
        HEADER + "\nP1,Plan,Gmina Zamość,gmina,0620142,przyjety,,2022-01-10,,,,,,\n",
        encoding="utf-8",
    )
    assert main(["lpres", "import", str(path)]) == 0
    assert "plany.csv" in capsys.readouterr().out
    assert lpres.load_plans(get_settings())["teryt_gmin"].tolist() == ["0620142"]
    bad = tmp_path / "obce.csv"
    bad.write_text(HEADER + "\nP1,Plan,Warszawa,gmina,1465011,przyjety,,,,,,,,\n", encoding="utf-8")
    assert main(["lpres", "import", str(bad)]) == 1
    assert "1465011" in capsys.readouterr().err


def test_pipeline_status_after_import(pes_env, tmp_path: Path) -> None:
    from geo import pipeline

    settings = get_settings()
    result = pipeline.run(settings, DAY)
    assert result.plans_info is not None and result.plans_info.is_sample
    assert (result.gminy["lpres_status"] != "brak").all()
    path = tmp_path / "plany.csv"
    path.write_text(
        HEADER + "\nP1,Plan,Gmina Zamość,gmina,0620142,brak,,,,,,,,\n", encoding="utf-8"
    )
    lpres.import_plans(path, settings)
    after = pipeline.run(settings, DAY).gminy.set_index("teryt")
    assert after.loc["0620142", "lpres_status"] == "brak"
    assert (after.drop(index="0620142")["lpres_status"] == "nieznany").all()
