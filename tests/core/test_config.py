"""Configuration from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.config import ConfigError, get_settings, validate_region


@pytest.mark.usefixtures("full_data")
def test_defaults_point_to_shared_data_and_home(tmp_path: Path, shared_data: Path) -> None:
    settings = get_settings({"PES_HOME": str(tmp_path)})
    assert settings.region == "06"
    assert settings.data_dir is not None and settings.data_dir.resolve() == shared_data.resolve()
    assert settings.database_url == f"sqlite:///{tmp_path / 'mapa-es.sqlite'}"


def test_explicit_values(tmp_path: Path) -> None:
    settings = get_settings(
        {
            "PES_HOME": str(tmp_path),
            "PES_DATA_DIR": str(tmp_path),
            "PES_REGION": "pl",
            "PES_DATABASE_URL": "postgresql://u@localhost/pes",
        }
    )
    assert settings.is_poland and settings.data_dir == tmp_path
    assert settings.database_url.startswith("postgresql://")


@pytest.mark.parametrize("value", ["6", "06", " 14 "])
def test_region_codes(value: str) -> None:
    assert len(validate_region(value)) == 2


@pytest.mark.parametrize("value", ["07", "34", "lubelskie", "0601", ""])
def test_bad_region_explained(value: str) -> None:
    with pytest.raises(ConfigError, match="PES_REGION"):
        validate_region(value)


def test_missing_data_dir_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nie istnieje"):
        get_settings({"PES_HOME": str(tmp_path), "PES_DATA_DIR": str(tmp_path / "brak")})
