"""``python -m geo indicators import|show``: versions, values against the coverage export,
formats and exit codes (0 done, 1 ``błąd: ...``, 2 usage)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from geo.cli import main
from geo.config import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "data" / "wskazniki_przyklad.csv"
AS_OF = "2026-06-30"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _own_file(tmp_path: Path) -> Path:
    path = tmp_path / "moje.csv"
    path.write_text(
        "id;nazwa;miara;wartosc_bazowa;rok_bazowy;wartosc_docelowa;rok_docelowy;zrodlo\n"
        "K1;Gminy z CIS/KIS;gminy_z_cis_kis;1;2020;1;2025;RPRES\n"
        "K2;Luki;gminy_bez_cis_kis;213;2020;0;2040;RPRES\n",
        encoding="cp1250",
    )
    return path


def test_show_uses_the_sample_until_a_file_is_imported(pes_env, capsys, tmp_path) -> None:
    code, out, err = run_cli(capsys, "indicators", "show", "--as-of", AS_OF)
    assert code == 0, err
    shown = json.loads(out)
    assert shown["as_of"] == AS_OF and shown["sample_indicators"] is True
    assert "PRZYKŁAD" in shown["sources"]["wskazniki"] and "PRZYKŁAD" in err
    rows = {r["id"]: r for r in shown["indicators"]}
    assert set(rows) == set(pd.read_csv(SAMPLE, skiprows=1)["id"])
    # the value equals what the coverage export says for the same date
    code, out, _ = run_cli(capsys, "coverage", "--format", "json", "--as-of", AS_OF)
    coverage = pd.DataFrame(json.loads(out))
    covered = int(coverage["has_social_employment"].sum())
    assert rows["W1"]["wartosc"] == covered and rows["W1"]["rok"] == 2026
    # W1 goes from 12 (2023) to 213 (2030): 12 + 201 * 3 / 7 expected in 2026
    assert rows["W1"]["wartosc_na_sciezce"] == pytest.approx(12 + 201 * 3 / 7)
    assert rows["W1"]["status"] == ("zgodnie" if covered >= 12 + 201 * 3 / 7 else "opoznienie")

    code, out, err = run_cli(capsys, "indicators", "import", str(_own_file(tmp_path)),
                             "--author", "ala")  # fmt: skip
    assert code == 0, err
    assert "wersję 1" in out
    code, out, err = run_cli(capsys, "indicators", "show", "--as-of", AS_OF)
    own = json.loads(out)
    assert own["sample_indicators"] is False and "wersja 1" in own["sources"]["wskazniki"]
    rows = {r["id"]: r for r in own["indicators"]}
    assert rows["K1"]["status"] == "osiagniety"  # at least one covered gmina, target 1
    assert rows["K2"]["wartosc"] == 213 - covered


def test_second_import_is_version_two(pes_env, capsys, tmp_path) -> None:
    for number in (1, 2):
        code, out, _ = run_cli(capsys, "indicators", "import", str(SAMPLE))
        assert code == 0 and f"wersję {number}" in out


def test_show_csv(pes_env, capsys) -> None:
    code, out, err = run_cli(capsys, "indicators", "show", "--format", "csv", "--as-of", AS_OF)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert rows[0]["id"] == "W1" and {"wartosc", "wartosc_na_sciezce", "ocena"} <= set(rows[0])


def test_errors_and_usage(pes_env, capsys, tmp_path) -> None:
    bad = tmp_path / "zly.csv"
    bad.write_text(
        "id;nazwa;miara;wartosc_bazowa;rok_bazowy;wartosc_docelowa;rok_docelowy;zrodlo\n"
        "X;x;nie_ma;1;2030;2;2020;x\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(capsys, "indicators", "import", str(bad))
    assert code == 1 and err.startswith("błąd: ") and "nieznana miara" in err
    assert "wcześniejszy niż rok bazowy" in err
    code, _, err = run_cli(capsys, "indicators", "import", str(tmp_path / "brak.csv"))
    assert code == 1 and "Nie znaleziono pliku" in err
    code, _, _ = run_cli(capsys, "indicators", "show", "--format", "xml")
    assert code == 2
    code, _, _ = run_cli(capsys, "indicators")
    assert code == 2
    # nothing was stored by the refused import: show still uses the sample
    code, out, _ = run_cli(capsys, "indicators", "show", "--as-of", AS_OF)
    assert json.loads(out)["sample_indicators"] is True
