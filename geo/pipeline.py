"""One computation for every view: registry -> located entities -> coverage.

The CLI, the app pages and the exports all call :func:`run` (or its parts), so the same
numbers appear on the map, in tables and in files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.analysis.coverage import active_mask, gmina_coverage, powiat_summary, region_summary
from geo.analysis.locate import locate_entities, problems_table
from geo.analysis.lpres import PlansInfo, gmina_status, load_plans, plans_info, plans_state
from geo.analysis.subregions import (
    NUTS3,
    OWES,
    definitions_state,
    gmina_subregion,
    powiat_assignment,
)
from geo.config import Settings
from geo.core.plural import count
from geo.core.text import clean_frame
from geo.io.region import RegionData, load_region
from geo.io.registry import read_registry
from geo.registry.fixes import apply_fixes
from geo.store import Store

__all__ = [
    "CoverageResult",
    "RegionData",
    "RegistryInfo",
    "SAMPLE_SOURCE",
    "compute",
    "source_notes",
    "load_region",
    "load_registry",
    "planning_attributes",
    "planning_state",
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
    """Everything the views need for one "stan na" date.

    ``gminy`` carries, beside the coverage columns, the planning attributes of
    :func:`planning_attributes` (OWES subregion, NUTS-3, LPRES status); ``plans`` and
    ``plans_info`` are the LPRES plans those statuses come from and ``planning_state`` the
    :func:`planning_state` they were read at.
    """

    as_of: dt.date
    region: RegionData
    gminy: gpd.GeoDataFrame
    entities: gpd.GeoDataFrame
    problems: pd.DataFrame
    powiaty: pd.DataFrame
    summary: dict[str, Any]
    registry: RegistryInfo
    plans: pd.DataFrame = field(default_factory=pd.DataFrame)
    plans_info: PlansInfo | None = None
    planning_state: str = ""


def source_notes(result: CoverageResult) -> dict[str, str]:
    """Date and sources of a result, written beside every export (CLI and app alike)."""
    notes = {
        "stan na": result.as_of.isoformat(),
        "rejestr": result.registry.label,
        "granice": result.region.boundary_source,
        "ludność": result.region.population_source,
        "TERC": result.region.terc_source,
    }
    if result.plans_info is not None:
        notes["plany LPRES"] = result.plans_info.label
    return notes


def load_registry(
    settings: Settings, store: Store | None = None
) -> tuple[pd.DataFrame, RegistryInfo]:
    """The current registry: imported sources, or the sample registry while there are none.

    ``store`` is the caller's open store (the app keeps one per process); without it the store
    of ``settings`` is opened for this call and closed again.
    """
    if store is None:
        with Store.from_settings(settings) as opened:
            return load_registry(settings, opened)
    if store.has_imports():
        return _imported_registry(store)
    return _sample_registry(settings)


def _imported_registry(store: Store) -> tuple[pd.DataFrame, RegistryInfo]:
    # Manual fixes (gmina, coordinates, duplicates, service areas) before locating.
    # clean_frame: text stored before the readers removed control characters (issue 16)
    frame = apply_fixes(clean_frame(store.current_entities()), store.fixes())
    versions = [v for v in store.versions() if v.is_current]
    sources = tuple(sorted({v.source for v in versions}))
    latest = max((v.created_at for v in versions), default=None)
    when = latest.strftime("%Y-%m-%d %H:%M") if latest else ""
    counted = count(len(sources), "źródło", "źródła", "źródeł")
    label = f"Rejestr PES: {counted} ({', '.join(sources)}), ostatni import {when}"
    return frame, RegistryInfo(False, label, sources, latest.isoformat() if latest else "")


def _sample_registry(settings: Settings) -> tuple[pd.DataFrame, RegistryInfo]:
    path = settings.embedded_dir / SAMPLE_FILE
    parsed = read_registry(path)
    frame = parsed.frame.assign(zrodlo_rejestru=SAMPLE_SOURCE)
    checked = frame["data_weryfikacji"].dropna()
    date = str(checked.max()) if not checked.empty else ""
    entities = count(
        len(frame), "rzeczywisty podmiot", "rzeczywiste podmioty", "rzeczywistych podmiotów"
    )
    label = (
        f"Dane przykładowe, niekompletne: {entities} z materiałów "
        f"ROPS Lublin i stron publicznych, stan na {date}"
    )
    return frame, RegistryInfo(True, label, (SAMPLE_SOURCE,), date)


def planning_state(settings: Settings) -> str:
    """A token that changes when the LPRES plans or subregion definitions in effect change."""
    return f"{plans_state(settings)}|{definitions_state(settings)}"


def planning_attributes(
    region: RegionData, gminy: pd.DataFrame, plans: pd.DataFrame, as_of: dt.date
) -> pd.DataFrame:
    """OWES subregion, NUTS-3 subregion and LPRES status of each gmina on ``as_of``.

    Returns
    -------
    pandas.DataFrame
        In the order of ``gminy``: ``owes_podregion, owes_podregion_nazwa, owes_operator,
        nuts3, nuts3_nazwa`` (``nieznany`` where not configured) and the ``lpres_*`` columns
        of :func:`geo.analysis.lpres.gmina_status` (``nieznany`` where no plan data exists).
    """
    settings = region.settings
    owes = gmina_subregion(gminy, powiat_assignment(settings, OWES))
    nuts = gmina_subregion(gminy, powiat_assignment(settings, NUTS3))
    lpres = gmina_status(gminy, plans, as_of)
    out = pd.DataFrame(
        {
            "owes_podregion": owes["podregion"].to_numpy(),
            "owes_podregion_nazwa": owes["podregion_nazwa"].to_numpy(),
            "owes_operator": owes["operator"].to_numpy(),
            "nuts3": nuts["podregion"].to_numpy(),
            "nuts3_nazwa": nuts["podregion_nazwa"].to_numpy(),
        }
    )
    return pd.concat([out, lpres.drop(columns=["teryt"])], axis=1)


def _with_planning(
    region: RegionData, coverage: gpd.GeoDataFrame, as_of: dt.date
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, str]:
    state = planning_state(region.settings)
    plans = load_plans(region.settings)
    planning = planning_attributes(region, coverage, plans, as_of)
    coverage = coverage.reset_index(drop=True)
    for column in planning.columns:
        coverage[column] = planning[column].to_numpy()
    return coverage, plans, state


def compute(
    region: RegionData, registry: pd.DataFrame, info: RegistryInfo, as_of: dt.date
) -> CoverageResult:
    """Locate the registry's entities and compute coverage on ``as_of``."""
    located = locate_entities(registry, region.gminy, region.terc, region.settings.region)
    coverage = gmina_coverage(region.gminy, located, as_of)
    coverage, plans, state = _with_planning(region, coverage, as_of)
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
        plans=plans,
        plans_info=plans_info(region.settings),
        planning_state=state,
    )


def run(
    settings: Settings, as_of: dt.date | None = None, store: Store | None = None
) -> CoverageResult:
    """Load region and registry, then compute coverage (default date: today).

    ``store``: an open registry store to read (see :func:`load_registry`).
    """
    region = load_region(settings)
    registry, info = load_registry(settings, store)
    return compute(region, registry, info, as_of or dt.date.today())
