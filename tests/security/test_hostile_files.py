"""Hostile files (tests/security/hostile_files.py) through the CLI and the upload path.

Each file goes through ``python -m geo`` (registry import, lpres import, boundaries import)
and through the functions the import page calls (review and confirm for registries; the
plan and boundary imports for the others). A refusal must be a Polish message (``błąd:`` and
exit code 1 on the command line) with the state under PES_HOME byte for byte as before; an
acceptance must list the problems found. A subprocess guard bounds the memory and time of
reading the worst of them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hostile_files import (
    ACCEPT,
    REJECT,
    Hostile,
    corpus,
    shared_strings_bomb,
    with_sheet,
    write,
)

from geo.config import PROJECT_ROOT, Settings, get_settings
from geo.errors import UserError
from geo.io import tabular
from geo.io.registry import MAX_CELL_CHARS, MAX_FILE_BYTES, MAX_ROWS

SOURCE = "rejestr testowy"
CASES = {case.name: case for case in corpus()}
_POLISH = re.compile(r"[ąćęłńóśźż]|\b(plik|nie|jest|brak|wiersz|kolumn|komórk|gmin)", re.I)


def test_corpus_is_large_and_varied() -> None:
    assert len(CASES) >= 25
    kinds = {case.kind for case in CASES.values()}
    assert kinds == {"rejestr", "lpres", "granice"}
    assert {case.outcome for case in CASES.values()} == {REJECT, ACCEPT}


# ------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def gminy(shared_data: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(shared_data / "boundaries" / "lubelskie_gminy.geojson")


@pytest.fixture(scope="module")
def template_home(
    tmp_path_factory: pytest.TempPathFactory, shared_data: Path, gminy: gpd.GeoDataFrame
) -> Path:
    """A PES_HOME with a registry version, plans and imported boundaries already in it."""
    from geo.analysis.lpres import import_plans
    from geo.io.boundaries import import_boundaries
    from geo.io.region import load_terc_for
    from geo.store import Store

    home = tmp_path_factory.mktemp("stan") / "home"
    settings = _settings(home, shared_data)
    with Store(settings.database_url) as store:
        store.import_version(SOURCE, pd.DataFrame({"nazwa": ["Klub stary"], "typ": ["KIS"]}))
    plans = "jst;zakres;teryt_gmin;status;nazwa\nGmina Lublin;gmina;0663011;przyjęty;Plan\n"
    terc, _ = load_terc_for(settings)
    import_plans(plans.encode(), settings, "plany.csv", terc.for_region("06").codes)
    source = home.parent / "gminy.geojson"
    source.write_bytes(gminy.to_json(drop_id=True).encode())
    import_boundaries(source, settings, terc)
    return home


@pytest.fixture()
def home(template_home: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(template_home, copy)
    return copy


def _settings(home: Path, shared_data: Path) -> Settings:
    return get_settings(
        {"PES_HOME": str(home), "PES_DATA_DIR": str(shared_data), "PES_REGION": "06"}
    )


def _state(home: Path) -> dict[str, str]:
    """SHA-256 of every file under PES_HOME: the store, plans, boundaries and their metadata."""
    return {
        str(path.relative_to(home)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(home.rglob("*"))
        if path.is_file()
    }


def _assert_polish(message: str) -> None:
    assert _POLISH.search(message), message
    assert "Traceback" not in message and "Error:" not in message, message


# ------------------------------------------------------------------------------- the CLI


def _command(case: Hostile, path: Path) -> list[str]:
    if case.kind == "rejestr":
        return ["registry", "import", str(path), "--source", SOURCE]
    if case.kind == "lpres":
        return ["lpres", "import", str(path)]
    return ["boundaries", "import", str(path), "--level", "gminy"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_cli(name: str, home: Path, shared_data: Path, gminy, tmp_path: Path) -> None:
    case = CASES[name]
    path = write(case, tmp_path, gminy)
    before = _state(home)
    env = {
        **os.environ,
        "PES_HOME": str(home),
        "PES_DATA_DIR": str(shared_data),
        "PES_REGION": "06",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    env.pop("PES_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "geo", *_command(case, path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if case.outcome == REJECT:
        assert done.returncode == 1, (done.stdout, done.stderr)
        assert done.stderr.startswith("błąd: "), done.stderr
        assert case.phrase in done.stderr, done.stderr
        _assert_polish(done.stderr)
        assert _state(home) == before
    else:
        assert done.returncode == 0, (done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        assert case.phrase in done.stdout, done.stdout


# ------------------------------------------------------------------------------- upload path


@pytest.mark.parametrize("name", sorted(CASES))
def test_upload_path(name: str, home: Path, shared_data: Path, gminy, tmp_path: Path) -> None:
    """The functions the import page (registry) and the importers (plans, boundaries) call."""
    case = CASES[name]
    settings = _settings(home, shared_data)
    before = _state(home)
    try:
        problems = _import(case, settings, gminy, tmp_path)
    except UserError as exc:  # RegistryFileError, LpresError, BoundaryError
        assert case.outcome == REJECT, f"{name}: refused: {exc}"
        assert case.phrase in str(exc), str(exc)
        _assert_polish(str(exc))
        assert _state(home) == before
        return
    assert case.outcome == ACCEPT, f"{name}: accepted, expected a refusal"
    assert case.phrase in " ".join(problems), problems


def _import(case: Hostile, settings: Settings, gminy, tmp_path: Path) -> list[str]:
    from geo.io.region import load_terc_for

    if case.kind == "rejestr":
        from geo import pipeline
        from geo.registry.review import confirm_upload, review_upload
        from geo.store import Store

        region = pipeline.load_region(settings)
        with Store(settings.database_url) as store:
            review = review_upload(store, SOURCE, case.build(gminy), case.filename, region=region)
            confirm_upload(store, review, "redaktor")
        return [p.message for p in review.parsed.problems]
    terc, _ = load_terc_for(settings)
    path = write(case, tmp_path, gminy)
    if case.kind == "lpres":
        from geo.analysis.lpres import import_plans

        import_plans(path, settings, known_codes=terc.for_region("06").codes)
        return []
    from geo.io.boundaries import import_boundaries

    return import_boundaries(path, settings, terc).warnings


# ------------------------------------------------------------------------------- limits


def test_documented_registry_limits_are_the_ones_read_with() -> None:
    """The README's numbers (security section) are these; change both together."""
    limits = tabular.ReadLimits.for_upload(MAX_FILE_BYTES, MAX_ROWS, MAX_CELL_CHARS)
    assert (MAX_FILE_BYTES, MAX_ROWS, MAX_CELL_CHARS) == (200 * 1024**2, 500_000, 10_000)
    assert limits.raw_rows == 1_000_030
    assert limits.cells == 25_000_000
    assert limits.shared_strings == 3_000_000
    assert limits.unpacked_bytes == 1000 * 1024**2
    assert limits.seconds == 260


_GUARD = """
import json, sys, time
from geo.io.registry import RegistryFileError, read_registry


def peak_mb():
    # VmHWM belongs to this program's memory map; ru_maxrss would carry the parent's peak
    # over from before exec.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


start = time.monotonic()
try:
    read_registry(sys.argv[1])
    outcome = "przyjęty"
except RegistryFileError as exc:
    outcome = str(exc)
print(json.dumps({
    "seconds": time.monotonic() - start,
    "peak_mb": peak_mb(),
    "outcome": outcome,
}))
"""


_BOMBS = {
    # The probe's file: 27 million empty rows in a 0.2 MB workbook (was 89 s and 3 GB).
    "wiersze.xlsx": lambda: with_sheet("<row/>" * 27_000_000),
    "teksty.xlsx": lambda: shared_strings_bomb(20_000_000),
    "puste.csv": lambda: b"Nazwa;Typ\nKlub;KIS\n" + b"\n" * 50_000_000,
}


@pytest.mark.parametrize("name", sorted(_BOMBS))
def test_bombs_read_in_bounded_memory_and_time(name: str, tmp_path: Path) -> None:
    """A guard, not a timing test: bounds ten times what reading takes, in a subprocess."""
    path = tmp_path / name
    path.write_bytes(_BOMBS[name]())
    assert path.stat().st_size < 60 * 1024**2
    done = subprocess.run(
        [sys.executable, "-c", _GUARD, str(path)],
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    measured = json.loads(done.stdout)
    assert measured["outcome"].startswith("Plik ma więcej niż"), measured
    assert measured["peak_mb"] < 800, measured
    assert measured["seconds"] < 60, measured


def test_import_page_states_the_limits_in_polish_before_the_upload(pes_env) -> None:
    """Streamlit's uploader speaks English: the page says the limits and the labels first."""
    from streamlit.testing.v1 import AppTest

    from geo.store import Store, auth

    with Store(get_settings().database_url) as store:
        auth.add_user(store, "redaktor", "Bardzo-Długie-Hasło-2026")
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/import_danych.py").run()
    at.text_input[0].input("redaktor")
    at.text_input[1].input("Bardzo-Długie-Hasło-2026")
    at.button[0].click().run()
    assert not at.exception
    [limits] = [c.value for c in at.caption if c.value.startswith("Limity pliku")]
    for phrase in ("200 MB", "500 000 wierszy", "10 000 znaków", "1 000 MB po rozpakowaniu"):
        assert phrase in limits, limits
    assert "„Upload” – wybierz plik" in limits
