"""Shared fixtures: the reference data beside the project and an isolated PES_HOME."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geo.config import PROJECT_ROOT

SHARED_DATA = Path(os.environ.get("PES_TEST_DATA_DIR", PROJECT_ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real reference data (../shared/data); CI always has it."""
    if not (SHARED_DATA / "boundaries").is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA}")
    return SHARED_DATA


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
