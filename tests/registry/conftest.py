"""Fixtures of the registry workflow tests: the Lubelskie region and a store per backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from db_backends import db_url  # noqa: F401 - fixture

from geo import pipeline
from geo.config import get_settings
from geo.store import Store


@pytest.fixture(scope="session")
def region(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("region")
    env = {"PES_HOME": str(home), "PES_DATA_DIR": str(shared_data), "PES_REGION": "06"}
    return pipeline.load_region(get_settings(env))


@pytest.fixture()
def store(db_url: str):  # noqa: F811
    with Store(db_url) as opened:
        yield opened
