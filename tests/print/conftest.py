"""Fixtures of the print tests: one pipeline result for the whole package (it is slow)."""

from __future__ import annotations

import datetime as dt

import pytest

from geo import pipeline
from geo.config import get_settings

DAY = dt.date(2026, 6, 30)


@pytest.fixture(scope="package")
def result(tmp_path_factory, shared_data) -> pipeline.CoverageResult:
    home = tmp_path_factory.mktemp("print") / "home"
    env = {"PES_HOME": str(home), "PES_DATA_DIR": str(shared_data), "PES_REGION": "06"}
    return pipeline.run(get_settings(env), DAY)
