"""Every failure of ``python -m geo`` is one ``błąd: ...`` line with exit code 1, no traceback.

Issue 16 (#7): a boundary file with a two-point ring, a full disk during ``boundaries import``
or ``coverage --out``, a corrupted database and an unexpected bug each printed a traceback.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import geo.cli
from geo.cli import main
from geo.config import PROJECT_ROOT

TWO_POINT_RING = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"JPT_KOD_JE": "0601011", "JPT_NAZWA_": "Międzyrzec Podlaski"},
            "geometry": {"type": "Polygon", "coordinates": [[[22.0, 51.0], [22.1, 51.1]]]},
        }
    ],
}


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _assert_one_polish_error(code: int, err: str, *words: str) -> None:
    assert code == 1
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("błąd: ")]
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], err


def test_boundary_file_with_a_two_point_ring(pes_env, tmp_path, capsys) -> None:
    path = tmp_path / "granice.geojson"
    path.write_text(json.dumps(TWO_POINT_RING), encoding="utf-8")
    code, _, err = _run(capsys, "boundaries", "import", str(path))
    _assert_one_polish_error(code, err, "geometri")
    assert not (Path(pes_env["PES_HOME"]) / "granice").exists() or not any(
        (Path(pes_env["PES_HOME"]) / "granice").glob("*.gpkg")
    )


@pytest.mark.parametrize(
    "content",
    [b"to nie jest baza danych, tylko tekst" * 50, b"SQLite format 3\x00" + b"\xff" * 4096],
    ids=["text", "broken-sqlite"],
)
def test_corrupted_database(pes_env, capsys, content: bytes) -> None:
    home = Path(pes_env["PES_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "mapa-es.sqlite").write_bytes(content)
    code, _, err = _run(capsys, "coverage", "--format", "csv")
    _assert_one_polish_error(code, err, "baz")


def _full_disk(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_full_disk_during_coverage_out(pes_env, tmp_path, capsys, monkeypatch) -> None:
    out = tmp_path / "wynik" / "pokrycie.csv"
    out.parent.mkdir()
    out.write_text("poprzedni plik", encoding="utf-8")
    monkeypatch.setattr(Path, "write_bytes", _full_disk)
    code, _, err = _run(capsys, "coverage", "--out", str(out))
    _assert_one_polish_error(code, err, "brak miejsca na dysku")
    assert out.read_text(encoding="utf-8") == "poprzedni plik"  # nothing half-written
    assert [p.name for p in out.parent.iterdir()] == ["pokrycie.csv"]  # no temporary left


def test_full_disk_during_boundaries_import(pes_env, shared_data, capsys, monkeypatch) -> None:
    import geopandas as gpd

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", _full_disk)
    source = shared_data / "boundaries" / "lubelskie_gminy.geojson"
    code, _, err = _run(capsys, "boundaries", "import", str(source))
    _assert_one_polish_error(code, err, "brak miejsca na dysku")


@pytest.mark.skipif(
    not (Path("/dev/full").exists() and stat.S_ISCHR(Path("/dev/full").stat().st_mode)),
    reason="needs /dev/full",
)
def test_real_full_device_in_a_subprocess(pes_env) -> None:
    env = {**os.environ, **pes_env, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "geo", "coverage", "--out", "/dev/full"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    _assert_one_polish_error(done.returncode, done.stderr, "brak miejsca na dysku")
    assert stat.S_ISCHR(Path("/dev/full").stat().st_mode)  # written to, never replaced


def test_unexpected_error_is_logged_not_shown(pes_env, capsys, monkeypatch) -> None:
    def bug(*args: object) -> int:
        raise KeyError("tajny szczegół wewnętrzny")

    monkeypatch.setattr(geo.cli, "_coverage", bug)
    code, _, err = _run(capsys, "coverage")
    _assert_one_polish_error(code, err, "nieoczekiwany błąd", "szczegóły w logu")
    assert "tajny" not in err
    log = Path(pes_env["PES_HOME"]) / "logs" / "cli.log"
    assert "tajny szczegół wewnętrzny" in log.read_text(encoding="utf-8")
    assert "Traceback" in log.read_text(encoding="utf-8")


def test_escape_sequence_in_a_file_name_is_shown_escaped(pes_env, tmp_path, capsys) -> None:
    path = tmp_path / "rejestr\x1b]0;przejete\x07.csv"
    path.write_text("nazwa,typ\nKIS Zamość,KIS\n", encoding="utf-8")
    code, out, err = _run(capsys, "registry", "validate", str(path))
    assert code == 0, err
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "rejestr\\x1b]0;przejete\\x07.csv" in out


def test_usage_errors_are_escaped(capsys) -> None:
    parser = geo.cli.build_parser()
    with pytest.raises(SystemExit) as done:
        parser.error("zły argument \x1b]0;przejete\x07")
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "błąd użycia: zły argument \\x1b]0;przejete\\x07" in err
