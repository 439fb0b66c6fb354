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
