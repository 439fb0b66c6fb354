"""``python -m geo report card|deck|region``: the pages' PDFs from the command line.

Each command writes a PDF to ``--out``; its pages and text are read back (pypdf). Unknown
areas exit 1 with ``błąd: ...``; conflicting options are a usage error (2).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pdf_reading import DATE_TEXT, flat, pages_text

from geo.cli import main
from geo.print import deck
from geo.print.figures import gap_table
from geo.print.report import report_scopes

AS_OF = ["--as-of", "2026-06-30"]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def written(path: Path) -> list[str]:
    assert path.read_bytes().startswith(b"%PDF")
    return [flat(text) for text in pages_text(path.read_bytes())]


def test_card_of_a_gmina(pes_env, result, tmp_path, capsys) -> None:
    gmina = result.gminy.sort_values("ludnosc").iloc[-1]  # the largest: Lublin
    out = tmp_path / "karty" / "karta.pdf"
    code, err = run_cli(
        capsys, "report", "card", "--gmina", gmina["teryt"], *AS_OF, "--out", str(out)
    )
    assert code == 0, err
    pages = written(out)
    assert 1 <= len(pages) <= 2
    assert gmina["nazwa"] in pages[0] and DATE_TEXT in " ".join(pages)
    assert str(out) in err


def test_deck_has_one_page_per_slide(pes_env, result, tmp_path, capsys) -> None:
    out = tmp_path / "prezentacja.pdf"
    code, err = run_cli(capsys, "report", "deck", *AS_OF, "--out", str(out))
    assert code == 0, err
    pages = written(out)
    # the deck's own slides and the programme's monitoring slide (an image: number only)
    assert len(pages) == len(deck.build_slides(result)) + 1
    assert pages[-1].strip() == f"strona {len(pages)}/{len(pages)}"
    largest_gap = gap_table(result)["Gmina"].iloc[0]
    assert any(largest_gap in page for page in pages)
    assert f"stan na {DATE_TEXT}" in pages[0]


def test_deck_with_a_saved_scenario(pes_env, result, tmp_path, capsys) -> None:
    from geo.analysis.scenarios import Addition, WhatIf
    from geo.analysis.scenarios.saved import SavedScenario, to_json
    from geo.config import get_settings
    from geo.store import Store

    gap = result.gminy.loc[result.gminy["pokrycie"] == "brak", "teryt"].iloc[0]
    saved = SavedScenario(result.as_of, WhatIf(15.0, (Addition(gap, "CIS"),), ()), {})
    with Store.from_settings(get_settings()) as store:
        store.save_scenario("Plan 2027", to_json(saved), by="test")
    out = tmp_path / "prezentacja.pdf"
    args = ["report", "deck", *AS_OF, "--out", str(out)]
    code, err = run_cli(capsys, *args, "--scenariusz", "Plan 2027")
    assert code == 0, err
    pages = written(out)
    assert len(pages) == len(deck.build_slides(result)) + 2
    assert "Scenariusz: Plan 2027" in pages[-1]
    # unknown, or saved for another date: an error, no file
    out.unlink()
    code, err = run_cli(capsys, *args, "--scenariusz", "Nie ma")
    assert code == 1 and err.startswith("błąd: ") and "Nie ma" in err
    code, err = run_cli(capsys, "report", "deck", "--as-of", "2026-01-31", "--out", str(out),
                        "--scenariusz", "Plan 2027")  # fmt: skip
    assert code == 1 and "wybierz datę scenariusza" in err
    assert not out.exists()


def test_region_report_has_the_monitoring_section(pes_env, result, tmp_path, capsys) -> None:
    from geo.print.report import REGIONAL_ONLY

    out = tmp_path / "region.pdf"
    code, err = run_cli(capsys, "report", "region", *AS_OF, "--out", str(out))
    assert code == 0, err
    text = " ".join(written(out))
    assert "Monitoring programu: wskaźniki wobec celów" in text
    assert "Wskaźniki przykładowe" in text and "Ścieżka" in text
    assert flat(REGIONAL_ONLY) not in text


def test_region_report_of_a_powiat_and_a_subregion(pes_env, result, tmp_path, capsys) -> None:
    gaps = gap_table(result)
    powiat = result.gminy.loc[result.gminy["nazwa"] == gaps["Gmina"].iloc[0], "powiat"].iloc[0]
    out = tmp_path / "powiat.pdf"
    code, err = run_cli(capsys, "report", "region", "--powiat", powiat, *AS_OF, "--out", str(out))
    assert code == 0, err
    pages = written(out)
    assert len(pages) >= 5
    text = " ".join(pages)
    assert gaps["Gmina"].iloc[0] in text
    # the programme's indicators are regional: a powiat's report says where they are
    assert "Monitoring programu: wskaźniki wobec celów" not in text
    assert "Monitoring programu (wskaźniki wobec celów) dotyczy całego regionu" in text
    in_powiat = set(result.gminy.loc[result.gminy["powiat"] == powiat, "nazwa"])
    other = set(result.gminy["nazwa"]) - in_powiat
    assert not any(f" {name} " in text for name in gaps.loc[gaps["Gmina"].isin(other), "Gmina"])

    # a name that is both an OWES and a NUTS-3 subregion: OWES unless --nuts3
    subregion = next(s for s in report_scopes(result) if s.key.startswith("owes_podregion_nazwa:"))
    name = subregion.key.split(":", 1)[1]
    assert f"nuts3_nazwa:{name}" in {s.key for s in report_scopes(result)}
    out = tmp_path / "podregion.pdf"
    code, err = run_cli(
        capsys, "report", "region", "--podregion", name.upper(), *AS_OF, "--out", str(out)
    )
    assert code == 0, err
    assert f"podregion OWES {name}" in written(out)[0]
    code, err = run_cli(
        capsys, "report", "region", "--podregion", name, "--nuts3", *AS_OF, "--out", str(out)
    )
    assert code == 0, err
    assert f"podregion NUTS-3 {name}" in written(out)[0]


def test_unknown_areas_exit_1_and_usage_errors_2(pes_env, tmp_path, capsys) -> None:
    out = tmp_path / "x.pdf"
    code, err = run_cli(capsys, "report", "card", "--gmina", "9999999", *AS_OF, "--out", str(out))
    assert code == 1 and err.startswith("błąd: ") and "9999999" in err
    code, err = run_cli(capsys, "report", "region", "--powiat", "9999", *AS_OF, "--out", str(out))
    assert code == 1 and err.startswith("błąd: ") and "Dostępne: 0601" in err
    assert not out.exists()
    code, err = run_cli(capsys, "report", "region", "--powiat", "0601", "--podregion", "x")
    assert code == 2 and "błąd użycia" in err
    code, err = run_cli(capsys, "report", "deck", "--as-of", "30.06.2026")
    assert code == 2
