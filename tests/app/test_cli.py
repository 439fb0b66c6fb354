"""The automation contract: ``python -m geo`` commands, outputs and exit codes.

Registry files here are written by the tests in shapes the importer has not seen elsewhere:
a voivode-style KIS register in cp1250 with ``;`` and title rows, an XLSX with title rows.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geo.cli import main
from geo.config import PROJECT_ROOT, get_settings
from geo.store import Store

KIS_REGISTER = """Rejestr klubów integracji społecznej prowadzony przez Wojewodę Lubelskiego
stan na 30.09.2026
Lp.;Nazwa podmiotu prowadzącego;KRS;Nazwa klubu;Miejscowość;Adres;Kod TERYT gminy;Data utworzenia;Data wykreślenia
1;Stowarzyszenie Nowa Szansa;0000123456;Klub Integracji Społecznej w Zamościu;Zamość;ul. Przykładowa 1;0664011;01.03.2008;
2;Gmina Potok Wielki;;KIS Potok Wielki;Potok Wielki;;605072;15.09.2010;31.12.2012
3;Caritas;;KIS Janów Podlaski;Janów Podlaski;;0601052;01.04.2025;
4;Fundacja X;;KIS spoza regionu;Warszawa;;1465011;01.01.2020;
5;Stowarzyszenie Y;;KIS bez gminy;Mieniany;;;02.01.2021;
"""


def run_cli(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture()
def kis_file(tmp_path: Path) -> Path:
    path = tmp_path / "rejestr_kis.csv"
    path.write_bytes(KIS_REGISTER.encode("cp1250"))
    return path


def coverage_records(capsys, *extra: str) -> dict[str, dict]:
    code, out, _ = run_cli("coverage", "--format", "json", *extra, capsys=capsys)
    assert code == 0
    return {row["teryt"]: row for row in json.loads(out)}


def test_validate_stores_nothing(pes_env, kis_file, capsys) -> None:
    code, out, _ = run_cli(
        "registry", "validate", str(kis_file), "--default-type", "KIS", capsys=capsys
    )
    assert code == 0
    assert "Wiersze: 5" in out
    assert "poza regionem: 1" in out and "nie ustalono gminy: 1" in out
    assert "zmieniony kod TERYT: 2" in out  # 605072 completed, 0601052 mapped
    assert "nic nie zapisano" in out
    assert not Store.from_settings(get_settings()).has_imports()


def test_import_replaces_sample_registry(pes_env, kis_file, capsys) -> None:
    before = coverage_records(capsys)
    assert before["0662011"]["has_social_employment"]  # the sample's CIS in Chełm
    code, out, _ = run_cli(
        "registry",
        "import",
        str(kis_file),
        "--source",
        "rejestr KIS",
        "--default-type",
        "klub integracji społecznej",
        capsys=capsys,
    )
    assert code == 0, out
    assert "wersja 1" in out
    after = coverage_records(capsys, "--as-of", "2026-01-01")
    assert not after["0662011"]["has_social_employment"]  # only imported sources count now
    assert after["0664011"]["pokrycie"] == "w_gminie"
    assert after["0601053"]["kis"] == 1  # old code mapped
    assert after["0605072"]["kis"] == 0  # struck off in 2012
    on_2011 = coverage_records(capsys, "--as-of", "2011-06-01")
    assert on_2011["0605072"]["kis"] == 1
    assert sum(r["kis"] for r in after.values()) == 2


def test_rejected_file_changes_nothing(pes_env, kis_file, tmp_path, capsys) -> None:
    assert (
        run_cli(
            "registry",
            "import",
            str(kis_file),
            "--source",
            "KIS",
            "--default-type",
            "KIS",
            capsys=capsys,
        )[0]
        == 0
    )
    store = Store.from_settings(get_settings())
    versions = store.versions()
    rows = len(store.current_entities())
    bad = tmp_path / "zdjecie.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    code, _, err = run_cli("registry", "import", str(bad), "--source", "KIS", capsys=capsys)
    assert code == 1
    assert "odrzucony" in err
    header_only = tmp_path / "naglowek.csv"
    header_only.write_text("nazwa;typ;teryt\n", encoding="utf-8")
    assert run_cli("registry", "import", str(header_only), "--source", "KIS", capsys=capsys)[0] == 1
    no_type = tmp_path / "bez_typu.csv"
    no_type.write_text("nazwa;teryt\nKlub;0664011\n", encoding="utf-8")
    code, _, err = run_cli("registry", "import", str(no_type), "--source", "KIS", capsys=capsys)
    assert code == 1 and "--default-type" in err
    store = Store.from_settings(get_settings())
    assert store.versions() == versions
    assert len(store.current_entities()) == rows


def test_xlsx_with_title_rows(pes_env, tmp_path, capsys) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Wykaz centrów integracji społecznej"])
    sheet.append([])
    sheet.append(
        [
            "Nazwa CIS",
            "Rodzaj podmiotu",
            "Gmina",
            "Powiat",
            "Data rozpoczęcia działalności",
            "Szerokość geograficzna",
            "Długość geograficzna",
        ]
    )
    sheet.append(
        [
            "CIS w Tomaszowie",
            "Centrum Integracji Społecznej",
            "gmina wiejska Tomaszów Lubelski",
            "tomaszowski",
            pd.Timestamp("2015-05-04").to_pydatetime(),
            None,
            None,
        ]
    )
    sheet.append(["CIS Lublin", "CIS", None, None, None, 51.2465, 22.5684])
    path = tmp_path / "cis.xlsx"
    book.save(path)
    code, out, _ = run_cli("registry", "import", str(path), "--source", "CIS", capsys=capsys)
    assert code == 0, out
    records = coverage_records(capsys)
    assert records["0618112"]["cis"] == 1
    assert records["0663011"]["cis"] == 1


def test_coverage_formats(pes_env, tmp_path, capsys) -> None:
    code, out, err = run_cli("coverage", "--format", "csv", capsys=capsys)
    assert code == 0
    frame = pd.read_csv(io.StringIO(out.lstrip("\ufeff")), dtype={"teryt": str, "powiat": str})
    assert len(frame) == 213
    for column in (
        "teryt",
        "nazwa",
        "powiat",
        "has_social_employment",
        "cis",
        "kis",
        "ludnosc",
        "pes_na_10k",
        "odleglosc_cis_kis_km",
    ):
        assert column in frame.columns
    assert "DANE PRZYKŁADOWE" in err and "Stan na" in err
    target = tmp_path / "out" / "pokrycie.xlsx"
    assert run_cli("coverage", "--format", "xlsx", "--out", str(target), capsys=capsys)[0] == 0
    book = openpyxl.load_workbook(target)
    assert book["Pokrycie"].max_row == 214
    assert "Źródła" in book.sheetnames


def test_gaps_are_the_uncovered_gminas(pes_env, capsys) -> None:
    records = coverage_records(capsys)
    code, out, _ = run_cli("gaps", "--format", "json", capsys=capsys)
    gaps = json.loads(out)
    assert code == 0
    assert {g["teryt"] for g in gaps} == {
        t for t, r in records.items() if not r["has_social_employment"]
    }
    assert all(not g["has_social_employment"] for g in gaps)
    assert 0 < len(gaps) < 213


@pytest.mark.parametrize(
    "args",
    [
        ["registry", "import", "x.csv"],  # --source missing
        ["coverage", "--format", "pdf"],
        ["coverage", "--as-of", "31.12.2026"],
        ["registry", "validate", "x.csv", "--default-type", "kawiarnia"],
        ["boundaries", "import", "x.geojson", "--level", "powiaty"],
        [],
    ],
)
def test_usage_errors_exit_2(pes_env, args, capsys) -> None:
    code, _, err = run_cli(*args, capsys=capsys)
    assert code == 2
    assert "błąd użycia" in err


@pytest.mark.usefixtures("full_data")
def test_boundaries_import(pes_env, shared_data, tmp_path, capsys) -> None:
    src = shared_data / "alt" / "lubelskie_gminy_jusuff2020.geojson"
    code, out, _ = run_cli("boundaries", "import", str(src), "--level", "gminy", capsys=capsys)
    assert code == 0, out
    region_label = coverage_records(capsys)  # the app and CLI now use the imported boundaries
    assert len(region_label) == 213
    broken = tmp_path / "zle.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    code, _, err = run_cli("boundaries", "import", str(broken), capsys=capsys)
    assert code == 1 and "odrzucone" in err


def test_module_entry_point(pes_env, kis_file) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo",
            "registry",
            "validate",
            str(kis_file),
            "--default-type",
            "KIS",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Wiersze: 5" in done.stdout


@pytest.mark.usefixtures("full_data")
def test_poland_boundaries_need_known_gaps_allowed(pes_env, shared_data, monkeypatch, capsys):
    monkeypatch.setenv("PES_REGION", "PL")
    src = shared_data / "boundaries" / "poland_gminy.geojson"
    code, _, err = run_cli("boundaries", "import", str(src), capsys=capsys)
    assert code == 1 and "1207132" in err and "2002162" in err
    code, out, _ = run_cli(
        "boundaries", "import", str(src), "--dopusc-brak", "1207132,2002162", capsys=capsys
    )
    assert code == 0, out
    assert "2477 gmin" in out
