"""Shared fixtures: the reference data and an isolated PES_HOME.

Most tests need the reference data of Lubelskie (boundaries, TERC, population, subregions).
CI has the full data in ``../shared/data``; a fresh clone does not, so :func:`shared_data`
then builds the same layout from the embedded default in ``data/`` (display-scale boundaries,
the region's TERC rows and population). Tests that need all of Poland, the full-detail
boundaries or the list of known entities ask for :func:`full_data` and skip without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geo.config import PROJECT_ROOT

SHARED_DATA = Path(os.environ.get("PES_TEST_DATA_DIR", PROJECT_ROOT.parent / "shared" / "data"))


def has_full_data() -> bool:
    """Whether the full reference data (../shared/data, or PES_TEST_DATA_DIR) is there."""
    return (SHARED_DATA / "boundaries").is_dir()


@pytest.fixture(scope="session")
def full_data() -> Path:
    """The full reference data (all Poland, full-detail boundaries); CI always has it."""
    if not has_full_data():
        pytest.skip(f"full reference data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Reference data of Lubelskie in the layout of ../shared/data: the full data where it is
    there, else built from the embedded default in ``data/``."""
    if has_full_data():
        return SHARED_DATA
    from embedded_reference import build_reference

    return build_reference(tmp_path_factory.mktemp("reference-data"))


@pytest.fixture()
def pes_env(tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for one isolated app state: fresh PES_HOME, shared data, region 06."""
    env = {
        "PES_HOME": str(tmp_path / "home"),
        "PES_DATA_DIR": str(shared_data),
        "PES_REGION": "06",
    }
    monkeypatch.delenv("PES_DATABASE_URL", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture(scope="session")
def terc_pl(shared_data: Path):
    """TERC of all Poland (2026) with the code changes derived from the 2025 vintage."""
    from geo.core.teryt import Terc, derive_code_changes
    from geo.io.terc import read_terc

    old = read_terc(shared_data / "reference" / "terc_official_2025-01-01.csv")
    new = read_terc(shared_data / "reference" / "terc_2026_derived.csv")
    changes = derive_code_changes(old, new)
    return Terc.from_units(new, dict(zip(changes["stary_kod"], changes["nowy_kod"], strict=True)))


@pytest.fixture(scope="session")
def gminy_06(shared_data: Path, terc_pl):
    """The 213 gminas of Lubelskie with TERC attributes and population (EPSG:4326)."""
    import geopandas as gpd
    import pandas as pd

    raw = gpd.read_file(shared_data / "boundaries" / "lubelskie_gminy.geojson")
    attrs = terc_pl.for_region("06").gminy.drop(columns=["nazwa"])
    pop = pd.read_csv(shared_data / "reference" / "gminy_area_population.csv", dtype={"teryt": str})
    frame = raw[["teryt", "name", "geometry"]].rename(columns={"name": "nazwa"})
    frame = frame.merge(attrs, on="teryt").merge(
        pop[["teryt", "pop_2024"]].rename(columns={"pop_2024": "ludnosc"}), on="teryt"
    )
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
