"""One computation for every view: registry -> located entities -> coverage.

The CLI, the app pages and the exports all call :func:`run` (or its parts), so the same
numbers appear on the map, in tables and in files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.config import Settings
from geo.coverage import active_mask, gmina_coverage, powiat_summary, region_summary
from geo.locate import locate_entities, problems_table
from geo.region import RegionData, load_region
from geo.registry import read_registry
from geo.store import Store

__all__ = [
    "CoverageResult",
    "RegionData",
    "RegistryInfo",
    "SAMPLE_SOURCE",
    "compute",
    "load_region",
    "load_registry",
    "run",
]

SAMPLE_FILE = "rejestr_przykladowy.csv"
SAMPLE_SOURCE = "dane przykładowe"


@dataclass(frozen=True)
class RegistryInfo:
    """Where the registry data comes from.

    Attributes
    ----------
    is_sample : bool
        True while no source has been imported and the sample registry of ``data/`` is used.
    label : str
        Polish label to show beside every figure.
    sources : tuple[str, ...]
        Names of the registry sources counted.
    changed_at : str
        Last change of the registry (ISO), used as a cache key by the views.
    """

    is_sample: bool
    label: str
    sources: tuple[str, ...]
    changed_at: str = ""


@dataclass
class CoverageResult:
    """Everything the views need for one "stan na" date."""

    as_of: dt.date
    region: RegionData
    gminy: gpd.GeoDataFrame
    entities: gpd.GeoDataFrame
    problems: pd.DataFrame
    powiaty: pd.DataFrame
    summary: dict[str, Any]
    registry: RegistryInfo


def load_registry(settings: Settings) -> tuple[pd.DataFrame, RegistryInfo]:
    """The current registry: imported sources, or the sample registry while there are none."""
    store = Store.from_settings(settings)
    if store.has_imports():
        frame = store.current_entities()
        versions = [v for v in store.versions() if v.is_current]
        sources = tuple(sorted({v.source for v in versions}))
        latest = max((v.created_at for v in versions), default=None)
        when = latest.strftime("%Y-%m-%d %H:%M") if latest else ""
        label = f"Rejestr PES: {len(sources)} źródeł ({', '.join(sources)}), ostatni import {when}"
        return frame, RegistryInfo(False, label, sources, latest.isoformat() if latest else "")
    path = settings.embedded_dir / SAMPLE_FILE
    parsed = read_registry(path)
    frame = parsed.frame.assign(zrodlo_rejestru=SAMPLE_SOURCE)
    checked = frame["data_weryfikacji"].dropna()
    date = str(checked.max()) if not checked.empty else ""
    label = (
        f"Dane przykładowe, niekompletne: {len(frame)} rzeczywistych podmiotów z materiałów "
        f"ROPS Lublin i stron publicznych, stan na {date} (data/README.md)"
    )
    return frame, RegistryInfo(True, label, (SAMPLE_SOURCE,), date)


def compute(
    region: RegionData, registry: pd.DataFrame, info: RegistryInfo, as_of: dt.date
) -> CoverageResult:
    """Locate the registry's entities and compute coverage on ``as_of``."""
    located = locate_entities(registry, region.gminy, region.terc, region.settings.region)
    coverage = gmina_coverage(region.gminy, located, as_of)
    located = located.assign(aktywny=active_mask(located, as_of))
    return CoverageResult(
        as_of=as_of,
        region=region,
        gminy=coverage,
        entities=located,
        problems=problems_table(located),
        powiaty=powiat_summary(coverage),
        summary=region_summary(coverage),
        registry=info,
    )


def run(settings: Settings, as_of: dt.date | None = None) -> CoverageResult:
    """Load region and registry, then compute coverage (default date: today)."""
    region = load_region(settings)
    registry, info = load_registry(settings)
    return compute(region, registry, info, as_of or dt.date.today())
