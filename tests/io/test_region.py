"""Loading the region's reference data from each kind of source."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from geo.config import ConfigError, get_settings
from geo.io.region import load_region


def test_full_reference_data(pes_env) -> None:
    region = load_region(get_settings())
    assert len(region.gminy) == 213 and len(region.powiaty) == 24
    assert int(region.gminy["ludnosc"].sum()) == 1_996_550
    assert region.gminy.crs.to_epsg() == 4326
    assert "2024-12-31" in region.population_source
    assert region.name == "województwo lubelskie"
    assert region.warnings == []


def test_embedded_default_without_data_dir(tmp_path: Path) -> None:
    settings = dataclasses.replace(get_settings({"PES_HOME": str(tmp_path)}), data_dir=None)
    region = load_region(settings)
    assert len(region.gminy) == 213
    assert int(region.gminy["ludnosc"].sum()) == 1_996_550
    assert "wbudowane" in region.boundary_source and "wbudowane" in region.population_source
    # the embedded TERC still knows the old code of Janów Podlaski
    assert region.terc.normalize("0601052").code == "0601053"


def test_poland_needs_reference_data(tmp_path: Path) -> None:
    settings = dataclasses.replace(
        get_settings({"PES_HOME": str(tmp_path), "PES_REGION": "PL"}), data_dir=None
    )
    with pytest.raises(ConfigError, match="PES_DATA_DIR"):
        load_region(settings)


@pytest.mark.usefixtures("full_data")
def test_all_poland(tmp_path: Path, shared_data: Path) -> None:
    settings = get_settings(
        {"PES_HOME": str(tmp_path), "PES_DATA_DIR": str(shared_data), "PES_REGION": "PL"}
    )
    region = load_region(settings)
    # the boundary file lacks the two gminas created in 2025: said, not hidden
    assert len(region.gminy) == 2477
    assert len(region.region_terc.gminy) == 2479
    assert any("1207132" in w and "2002162" in w for w in region.warnings)
    assert region.gminy["powiat"].nunique() == 380
