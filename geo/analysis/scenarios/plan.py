"""Planning scenarios end to end: a coverage table in, the new CIS/KIS sites and figures out.

*cover*: the fewest new sites so that every gmina (not excluded) is covered within D km;
*maximize*: at most K new sites covering the most inhabitants within D km. Ties are broken by
most inhabitants covered (all gminas, the excluded too), then fewest sites (maximize), then the
lowest TERYT codes, compared as sorted lists (see :mod:`geo.analysis.scenarios.solver`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.analysis.scenarios.sites import Instance, ScenarioError, build_instance
from geo.analysis.scenarios.solver import OPTIMAL, TIME_LIMIT, Problem, Solution, solve

__all__ = [
    "DEFAULT_TIME_LIMIT_S",
    "NewSite",
    "ScenarioOptions",
    "ScenarioResult",
    "plan_cover",
    "plan_maximize",
]

#: Time for the whole solve (see :mod:`geo.analysis.scenarios` for measured times).
DEFAULT_TIME_LIMIT_S = 120.0


@dataclass(frozen=True)
class ScenarioOptions:
    """What a planner can set besides the distance (and K for maximize).

    ``exclude``: TERYT codes left out (no site there, their coverage not sought);
    ``min_population``: sites only in gminas with at least this many inhabitants;
    ``use_agreements``: whether inter-gmina agreements count as coverage.
    """

    exclude: frozenset[str] = frozenset()
    min_population: int = 0
    use_agreements: bool = True
    time_limit_s: float = DEFAULT_TIME_LIMIT_S


@dataclass(frozen=True)
class NewSite:
    """A new CIS/KIS at the representative point of gmina ``teryt``; ``serves``: the codes of
    the gminas it covers that were not covered before."""

    teryt: str
    nazwa: str
    lat: float
    lon: float
    serves: tuple[str, ...]


@dataclass(frozen=True)
class ScenarioResult:
    """The answer and the figures before and after (over all gminas of the region)."""

    mode: str
    within_km: float
    sites_budget: int | None
    status: str
    gap: float
    new_sites: tuple[NewSite, ...]
    covered_before: int
    covered_after: int
    population_covered_before: int
    population_covered_after: int
    gminas: int
    covered_teryt: tuple[str, ...]
    seconds: float


def _useful_sites(instance: Instance) -> np.ndarray:
    """Candidates worth solving for: reaching some open gmina, one per distinct reach.

    Two candidates reaching the same gminas are interchangeable; the lower TERYT code is the
    one the tie-break would pick, so the other is dropped before solving.
    """
    if len(instance.reach_site) == 0:
        return np.zeros(0, dtype=np.int64)
    pairs = pd.DataFrame({"site": instance.reach_site, "gmina": instance.reach_gmina})
    reach = pairs.sort_values(["site", "gmina"]).groupby("site")["gmina"].agg(tuple)
    first = reach.reset_index().drop_duplicates("gmina", keep="first")["site"]
    return np.sort(first.to_numpy(dtype=np.int64))


def _problem(
    instance: Instance, kept: np.ndarray, budget: int | None
) -> tuple[Problem, np.ndarray]:
    """The solver's problem over the open gminas; also the gmina position of each row."""
    open_gminas = np.flatnonzero(~instance.covered_before)
    position = np.full(len(instance.teryt), -1)
    position[open_gminas] = np.arange(len(open_gminas))
    site_number = np.full(len(instance.sites), -1)
    site_number[kept] = np.arange(len(kept))
    use = site_number[instance.reach_site] >= 0
    counted = ~instance.excluded[open_gminas]
    problem = Problem(
        n_sites=len(kept),
        reach_site=site_number[instance.reach_site[use]],
        reach_gmina=position[instance.reach_gmina[use]],
        weight=instance.population[open_gminas],
        required=counted if budget is None else np.zeros(len(open_gminas), dtype=bool),
        primary=counted,
        budget=budget,
    )
    return problem, open_gminas


def _check_coverable(instance: Instance, problem: Problem, open_gminas: np.ndarray) -> None:
    reached = np.zeros(len(open_gminas), dtype=bool)
    reached[problem.reach_gmina] = True
    lost = open_gminas[problem.required & ~reached]
    if len(lost):
        listed = ", ".join(f"{instance.names[i]} ({instance.teryt[i]})" for i in lost[:10])
        more = f" i {len(lost) - 10} innych" if len(lost) > 10 else ""
        raise ScenarioError(
            f"nie da się pokryć {len(lost)} gmin: {listed}{more}; żadna dopuszczalna lokalizacja "
            "nie leży w zadanej odległości (zmień odległość, próg ludności lub wykluczenia)"
        )


def _components(problem: Problem) -> np.ndarray:
    """Component label of each site in the graph site - gmina it reaches (min-label spread)."""
    label = np.arange(problem.n_sites)
    if len(problem.reach_site) == 0:
        return label
    while True:
        gmina_label = np.full(len(problem.required), problem.n_sites)
        np.minimum.at(gmina_label, problem.reach_gmina, label[problem.reach_site])
        spread = label.copy()
        np.minimum.at(spread, problem.reach_site, gmina_label[problem.reach_gmina])
        if np.array_equal(spread, label):
            return label
        label = spread


def _sub_problem(problem: Problem, sites: np.ndarray) -> Problem:
    number = np.full(problem.n_sites, -1)
    number[sites] = np.arange(len(sites))
    use = number[problem.reach_site] >= 0
    gminas = np.unique(problem.reach_gmina[use])
    at = np.searchsorted(gminas, problem.reach_gmina[use])
    return Problem(
        n_sites=len(sites),
        reach_site=number[problem.reach_site[use]],
        reach_gmina=at,
        weight=problem.weight[gminas],
        required=problem.required[gminas],
        primary=problem.primary[gminas],
        budget=None,
    )


def _any_cover(problem: Problem) -> np.ndarray:
    """A feasible, unoptimised cover: for each gmina still open, its first site."""
    chosen: set[int] = set()
    covered = np.zeros(len(problem.required), dtype=bool)
    for gmina in np.flatnonzero(problem.required):
        if not covered[gmina]:
            site = int(problem.reach_site[problem.reach_gmina == gmina].min())
            chosen.add(site)
            covered[problem.reach_gmina[problem.reach_site == site]] = True
    return np.array(sorted(chosen), dtype=np.int64)


def _solve_cover(problem: Problem, time_limit_s: float) -> Solution:
    """Cover mode splits into independent parts: the fewest sites overall are the fewest in each
    part, and the lowest codes overall are the lowest in each part (sets differ first where some
    part's sets differ first), so each part is solved alone, with the time that is left."""
    deadline = time.monotonic() + time_limit_s
    labels = _components(problem)
    chosen, status, gap = [], OPTIMAL, 0.0
    for label in np.unique(labels):
        sites = np.flatnonzero(labels == label)
        left = max(deadline - time.monotonic(), 0.0)
        sub = _sub_problem(problem, sites)
        try:
            part = solve(sub, left)
        except TimeoutError:  # out of time before this part had any answer
            part = Solution(_any_cover(sub), TIME_LIMIT, 1.0)
        chosen.append(sites[part.chosen])
        if part.status != OPTIMAL:
            status, gap = TIME_LIMIT, max(gap, part.gap)
    return Solution(np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, int), status, gap)


def _result(
    mode: str,
    within_km: float,
    budget: int | None,
    instance: Instance,
    sites: np.ndarray,
    solution: Solution,
    started: float,
) -> ScenarioResult:
    covered = instance.covered_before.copy()
    new_sites = []
    for site in sites:
        served = instance.served_by(int(site))
        covered[served] = True
        gmina = instance.sites[site]
        lon, lat = instance.site_lonlat[site]
        new_sites.append(
            NewSite(
                teryt=str(instance.teryt[gmina]),
                nazwa=str(instance.names[gmina]),
                lat=round(float(lat), 6),
                lon=round(float(lon), 6),
                serves=tuple(str(code) for code in instance.teryt[served]),
            )
        )
    return ScenarioResult(
        mode=mode,
        within_km=within_km,
        sites_budget=budget,
        status=solution.status,
        gap=round(solution.gap, 6),
        new_sites=tuple(new_sites),
        covered_before=int(instance.covered_before.sum()),
        covered_after=int(covered.sum()),
        population_covered_before=int(instance.population[instance.covered_before].sum()),
        population_covered_after=int(instance.population[covered].sum()),
        gminas=len(instance.teryt),
        covered_teryt=tuple(str(code) for code in instance.teryt[covered]),
        seconds=round(time.monotonic() - started, 3),
    )


def _plan(
    mode: str,
    gminy: gpd.GeoDataFrame,
    within_km: float,
    budget: int | None,
    options: ScenarioOptions,
) -> ScenarioResult:
    started = time.monotonic()
    instance = build_instance(
        gminy,
        within_km,
        exclude=options.exclude,
        min_population=options.min_population,
        use_agreements=options.use_agreements,
    )
    kept = _useful_sites(instance)
    problem, open_gminas = _problem(instance, kept, budget)
    try:
        if budget is None:
            _check_coverable(instance, problem, open_gminas)
            solution = _solve_cover(problem, options.time_limit_s)
        else:
            solution = solve(problem, options.time_limit_s)
    except TimeoutError as exc:
        raise ScenarioError(
            f"nie znaleziono żadnego rozwiązania w limicie czasu {options.time_limit_s:g} s"
        ) from exc
    return _result(mode, within_km, budget, instance, kept[solution.chosen], solution, started)


def plan_cover(
    gminy: gpd.GeoDataFrame, within_km: float, options: ScenarioOptions | None = None
) -> ScenarioResult:
    """The fewest new sites so that every gmina not excluded is covered within ``within_km``.

    Raises
    ------
    ScenarioError
        When some gmina cannot be covered by any allowed site, or on unusable data.
    """
    return _plan("cover", gminy, within_km, None, options or ScenarioOptions())


def plan_maximize(
    gminy: gpd.GeoDataFrame, sites: int, within_km: float, options: ScenarioOptions | None = None
) -> ScenarioResult:
    """At most ``sites`` new sites covering the most inhabitants within ``within_km``.

    Fewer are returned when more would cover nobody new.
    """
    if sites < 1:
        raise ScenarioError(f"liczba nowych miejsc musi być dodatnia, podano {sites}")
    return _plan("maximize", gminy, within_km, sites, options or ScenarioOptions())
