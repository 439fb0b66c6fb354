"""A scenario as stored: its definition as a JSON object, read back with checks.

The store keeps the object as text (:mod:`geo.store.scenarios`); this module says what it
holds: the "stan na" date, D in km, the coverage rule, the planned sites, the closed entities
and, when the sites came from the optimiser, its settings and answer (status, gap, figures).
Reading is strict about types so that a damaged or hand-edited record gives a Polish error,
never a half-built scenario.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from geo.analysis.scenarios.plan import ScenarioOptions, ScenarioResult
from geo.analysis.scenarios.sites import ScenarioError
from geo.analysis.scenarios.whatif import SERVE_WITHIN, Addition, WhatIf

__all__ = [
    "FORMAT_VERSION",
    "SavedScenario",
    "additions_from_plan",
    "from_json",
    "optimiser_record",
    "to_json",
]

FORMAT_VERSION = 1


@dataclass(frozen=True)
class SavedScenario:
    """What a saved scenario holds: the what-if, its date and the optimiser's record."""

    as_of: dt.date
    whatif: WhatIf
    optimiser: dict[str, Any] | None = None


def additions_from_plan(result: ScenarioResult, typ: str = "CIS") -> tuple[Addition, ...]:
    """The optimiser's new sites as planned CIS/KIS serving every gmina within its D km."""
    return tuple(Addition(site.teryt, typ, SERVE_WITHIN) for site in result.new_sites)


def optimiser_record(
    result: ScenarioResult, options: ScenarioOptions, as_of: dt.date
) -> dict[str, Any]:
    """The optimiser's settings and answer, kept with a scenario made from it."""
    return {
        "tryb": result.mode,
        "stan_na": as_of.isoformat(),
        "odleglosc_km": result.within_km,
        "liczba_miejsc": result.sites_budget,
        "wykluczone": sorted(options.exclude),
        "min_ludnosc": options.min_population,
        "porozumienia": options.use_agreements,
        "limit_czasu_s": options.time_limit_s,
        "status": result.status,
        "luka": result.gap,
        "nowe_miejsca": [site.teryt for site in result.new_sites],
        "gminy_pokryte_przed": result.covered_before,
        "gminy_pokryte_po": result.covered_after,
        "ludnosc_pokryta_przed": result.population_covered_before,
        "ludnosc_pokryta_po": result.population_covered_after,
    }


def to_json(scenario: SavedScenario) -> dict[str, Any]:
    """The JSON object stored for ``scenario``."""
    w = scenario.whatif
    return {
        "format": FORMAT_VERSION,
        "as_of": scenario.as_of.isoformat(),
        "within_km": w.within_km,
        "count_within_km": w.count_within_km,
        "additions": [
            {"teryt": a.teryt, "typ": a.typ, "serve": a.serve, "neighbours": list(a.neighbours)}
            for a in w.additions
        ],
        "closures": list(w.closures),
        "optimiser": scenario.optimiser,
    }


def _codes(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScenarioError(f"zapisany scenariusz jest uszkodzony: {what} nie jest listą tekstów")
    return tuple(value)


def _addition(item: Any) -> Addition:
    if not isinstance(item, dict) or not isinstance(item.get("teryt"), str):
        raise ScenarioError("zapisany scenariusz jest uszkodzony: nieprawidłowe nowe miejsce")
    return Addition(
        teryt=item["teryt"],
        typ=str(item.get("typ", "CIS")),
        serve=str(item.get("serve", "gmina")),
        neighbours=_codes(item.get("neighbours", []), "lista sąsiadów"),
    )


def from_json(data: Any) -> SavedScenario:
    """Read a stored JSON object back (a Polish :class:`ScenarioError` when it is damaged)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        raise ScenarioError("zapisany scenariusz ma nieznany format")
    try:
        as_of = dt.date.fromisoformat(str(data["as_of"]))
        within = float(data["within_km"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ScenarioError("zapisany scenariusz jest uszkodzony: data lub odległość") from exc
    additions = data.get("additions", [])
    if not isinstance(additions, list):
        raise ScenarioError("zapisany scenariusz jest uszkodzony: nowe miejsca")
    optimiser = data.get("optimiser")
    return SavedScenario(
        as_of=as_of,
        whatif=WhatIf(
            within_km=within,
            additions=tuple(_addition(item) for item in additions),
            closures=_codes(data.get("closures", []), "lista zamknięć"),
            count_within_km=bool(data.get("count_within_km", False)),
        ),
        optimiser=optimiser if isinstance(optimiser, dict) else None,
    )
