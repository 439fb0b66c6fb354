"""Source and date captions for figures, maps and printouts (every figure carries them)."""

from __future__ import annotations

from geo.analysis.subregions import NUTS3, OWES, load_definitions
from geo.config import ConfigError
from geo.pipeline import CoverageResult
from geo.present.formatting import fmt_date

__all__ = ["lpres_source", "planning_sources", "sources_line"]


def planning_sources(result: CoverageResult) -> list[str]:
    """Where the LPRES statuses and the subregions come from (one line each)."""
    lines = []
    if result.plans_info is not None:
        lines.append(f"LPRES: {result.plans_info.label}")
    try:
        definitions = load_definitions(result.region.settings)
    except ConfigError:
        definitions = {}
    for key in (OWES, NUTS3):
        if key in definitions:
            lines.append(f"{definitions[key].label}: {definitions[key].source}")
    return lines


def lpres_source(result: CoverageResult) -> str:
    """Short caption for LPRES figures: sample or imported plan data."""
    info = result.plans_info
    if info is None:
        return "LPRES: brak danych o planach"
    if info.is_sample:
        return "LPRES: dane przykładowe (tylko plany potwierdzone publicznie)"
    return "LPRES: plany zaimportowane"


def sources_line(result: CoverageResult) -> str:
    """One caption line with the sources and the date, for maps and figures."""
    sample = " · DANE PRZYKŁADOWE, NIEKOMPLETNE" if result.registry.is_sample else ""
    return (
        f"Stan na {fmt_date(result.as_of)}{sample} · Źródło: rejestr PES "
        f"({', '.join(result.registry.sources)}); granice, ludność, TERYT: GUS, PRG GUGiK"
    )
