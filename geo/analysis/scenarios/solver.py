"""The exact solver of planning scenarios: set cover and maximal coverage as MIPs in HiGHS.

Why HiGHS through ``highspy`` rather than PySAL ``spopt`` or PuLP with CBC:

- all three solve the integer programme exactly (branch and bound with a proven bound), but only
  ``highspy`` keeps the model in memory between solves. The exact tie-breaking below re-solves
  the same model tens of times with one row or bound changed; PuLP and ``spopt`` (which builds
  on PuLP) write a model file and start a CBC process for every solve;
- proven optimality and the gap are read directly (model status, ``mip_gap``) and the time limit
  is an option of each solve;
- install weight: ``highspy`` is one wheel of a few MB with only numpy as dependency; ``spopt``
  brings libpysal, scikit-learn, networkx, PuLP and its bundled CBC binaries;
- speed: Lubelskie's 213 gminas solve with every tie broken in well under a second. All
  Poland's 2,477 with every gmina open (the sample registry) is a hard set cover: at 25 km the
  root bound stays about 8 % below the best answer after 120 s on two shared cores. No solver
  of the three proves such instances quickly; each reports the gap it reached, as this does.

The model: a binary ``x_j`` per candidate site, a continuous ``y_i`` in [0, 1] per optional
gmina with ``y_i <= sum of x_j reaching it`` (so ``y_i`` is 1 only if a chosen site covers it),
a row ``sum x_j >= 1`` per gmina that must be covered and ``sum x <= K`` for a budget. The
objectives are applied in turn (lexicographic optimisation): each optimum is fixed by a row before
the next objective is solved. All objective values are integers (counts, inhabitants), so a row
``>= optimum - 0.5`` fixes an optimum exactly despite floating point.

Ties left after the last objective are broken exactly by the lowest TERYT codes: candidates are
numbered in TERYT order and the chosen set is the lexicographically smallest sorted list among
all optimal ones. For equal-size sets that is the set that, at the first candidate where two
optimal sets differ, contains it; :func:`_lowest_codes` finds it by binary search over
"some candidate in this range is chosen" with the optima fixed, a few feasibility solves per site.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

__all__ = ["OPTIMAL", "TIME_LIMIT", "Problem", "Solution", "solve"]

OPTIMAL = "optimal"
TIME_LIMIT = "time_limit"

# highspy.Highs() calls a HiGHS method in its constructor, which prints the HiGHS banner on
# stdout before output can be switched off (HiGHS issue #1702): the CLI's JSON goes to stdout.
# The base class takes the options first; it is exported by the package.
_Highs = getattr(highspy, "_Highs", highspy.Highs)
_INF = highspy.kHighsInf


class _OutOfTime(Exception):
    """A solve stopped at the time limit (``best`` is its incumbent, if it had one)."""

    def __init__(self, best: np.ndarray | None, gap: float) -> None:
        super().__init__("time limit")
        self.best = best
        self.gap = gap


@dataclass(frozen=True)
class Problem:
    """One covering problem, in positions: candidates ``0..n_sites-1`` in TERYT order.

    Attributes
    ----------
    n_sites : int
        Number of candidate sites.
    reach_site, reach_gmina : numpy.ndarray
        Pairs (candidate, gmina position) where the candidate covers the gmina.
    weight : numpy.ndarray
        Inhabitants of each gmina position (integers).
    required : numpy.ndarray
        Bool per gmina position: must be covered (cover mode).
    primary : numpy.ndarray
        Bool per gmina position: its population counts in the first objective of maximize.
    budget : int | None
        At most this many sites (maximize); None: fewest sites covering every required gmina.
    """

    n_sites: int
    reach_site: np.ndarray
    reach_gmina: np.ndarray
    weight: np.ndarray
    required: np.ndarray
    primary: np.ndarray
    budget: int | None = None


@dataclass(frozen=True)
class Solution:
    """Chosen candidate positions (ascending), ``optimal`` or ``time_limit`` and the gap.

    ``gap`` is HiGHS's proven relative gap of the objective that the time limit stopped (0 when
    the objectives are proven and only the tie-break was cut short).
    """

    chosen: np.ndarray
    status: str
    gap: float


class _Model:
    """A HiGHS model kept between solves: columns x (sites) then y (optional gminas)."""

    def __init__(self, n_cols: int, n_int: int, upper: np.ndarray, deadline: float) -> None:
        self.highs = _Highs()
        self.highs.setOptionValue("output_flag", False)
        # Exact: HiGHS's default relative gap (1e-4) would accept an answer thousands of
        # inhabitants short on a region's population.
        self.highs.setOptionValue("mip_rel_gap", 0.0)
        self.highs.setOptionValue("mip_abs_gap", 0.5)
        self.n_cols = n_cols
        self.deadline = deadline
        self.highs.addVars(n_cols, np.zeros(n_cols), upper.astype(float))
        ints = np.arange(n_int, dtype=np.int32)
        kinds = np.full(n_int, highspy.HighsVarType.kInteger)
        self.highs.changeColsIntegrality(n_int, ints, kinds)

    def add_rows(self, rows: list[np.ndarray], coefs: list[np.ndarray], lo: float, hi: float):
        starts = np.cumsum([0] + [len(r) for r in rows[:-1]]).astype(np.int32)
        index = np.concatenate(rows).astype(np.int32) if rows else np.zeros(0, np.int32)
        value = np.concatenate(coefs).astype(float) if rows else np.zeros(0)
        n = len(rows)
        self.highs.addRows(n, np.full(n, lo), np.full(n, hi), len(index), starts, index, value)

    def fix(self, cols: np.ndarray, value: float) -> None:
        n = len(cols)
        bound = np.full(n, value)
        self.highs.changeColsBounds(n, cols.astype(np.int32), bound, bound)

    def solve(self, cost: np.ndarray, maximise: bool) -> tuple[np.ndarray, float] | None:
        """Optimal column values and objective; None if infeasible; _OutOfTime at the limit."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise _OutOfTime(None, 1.0)
        self.highs.setOptionValue("time_limit", left)
        sense = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
        self.highs.changeObjectiveSense(sense)
        self.highs.changeColsCost(self.n_cols, np.arange(self.n_cols, dtype=np.int32), cost)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None
        info = self.highs.getInfo()
        has_solution = info.primal_solution_status == highspy.kSolutionStatusFeasible
        values = np.asarray(self.highs.getSolution().col_value) if has_solution else None
        if status != highspy.HighsModelStatus.kOptimal:
            # A time limit, or (never seen) another stop: report the incumbent and its gap.
            raise _OutOfTime(values, float(info.mip_gap) if has_solution else 1.0)
        assert values is not None
        return values, float(info.objective_function_value)

    def optimise_and_fix(self, cost: np.ndarray, maximise: bool) -> np.ndarray:
        """Solve for ``cost``, then keep its optimum with a row; returns the solution."""
        found = self.solve(cost, maximise)
        if found is None:
            raise ValueError("infeasible")  # the caller checked feasibility before
        values, best = found
        cols = np.flatnonzero(cost)
        if len(cols):
            lo, hi = (best - 0.5, _INF) if maximise else (-_INF, best + 0.5)
            self.add_rows([cols], [cost[cols]], lo, hi)
        return values


def _chosen(values: np.ndarray, n_sites: int) -> np.ndarray:
    return values[:n_sites] > 0.5


def _build(problem: Problem, deadline: float) -> tuple[_Model, np.ndarray]:
    """The model and, per column, the position of its optional gmina (-1 for sites)."""
    n = problem.n_sites
    optional = np.flatnonzero(~problem.required)
    column_of = np.full(len(problem.required), -1)
    column_of[optional] = n + np.arange(len(optional))
    upper = np.ones(n + len(optional))
    model = _Model(n + len(optional), n, upper, deadline)
    order = np.argsort(problem.reach_gmina, kind="stable")
    gmina, site = problem.reach_gmina[order], problem.reach_site[order]
    bounds = np.searchsorted(gmina, np.arange(len(problem.required) + 1))
    cover_rows, link_rows, link_coefs = [], [], []
    for i in range(len(problem.required)):
        sites = site[bounds[i] : bounds[i + 1]]
        if problem.required[i]:
            cover_rows.append(sites)
        else:  # y_i - sum x_j <= 0
            link_rows.append(np.append(sites, column_of[i]))
            link_coefs.append(np.append(-np.ones(len(sites)), 1.0))
    if cover_rows:
        model.add_rows(cover_rows, [np.ones(len(r)) for r in cover_rows], 1.0, _INF)
    if link_rows:
        model.add_rows(link_rows, link_coefs, -_INF, 0.0)
    if problem.budget is not None:
        model.add_rows([np.arange(n)], [np.ones(n)], -_INF, float(problem.budget))
    return model, column_of


def _stage_costs(
    problem: Problem, column_of: np.ndarray, n_cols: int
) -> list[tuple[np.ndarray, bool]]:
    """The objectives in order, each (cost per column, maximise)."""
    n = problem.n_sites
    count = np.zeros(n_cols)
    count[:n] = 1.0

    def population(mask: np.ndarray) -> np.ndarray:
        cost = np.zeros(n_cols)
        at = np.flatnonzero(mask & ~problem.required)
        cost[column_of[at]] = problem.weight[at]
        return cost

    if problem.budget is None:
        # Fewest sites, then most inhabitants covered among the optional gminas.
        return [(count, False), (population(np.ones_like(problem.required)), True)]
    # Most inhabitants of the gminas counted, then of the others, then fewest sites.
    return [
        (population(problem.primary), True),
        (population(~problem.primary), True),
        (count, False),
    ]


def _lowest_codes(model: _Model, incumbent: np.ndarray, n_sites: int) -> np.ndarray:
    """The lexicographically smallest optimal set, from an optimal ``incumbent`` (bool)."""
    zero = np.zeros(model.n_cols)
    count = int(incumbent.sum())
    start = 0
    chosen: list[int] = []
    while len(chosen) < count:
        hi = start + int(np.argmax(incumbent[start:]))  # a feasible next site
        lo = start
        while lo < hi:
            mid = (lo + hi) // 2
            probe = np.arange(lo, mid + 1)
            model.add_rows([probe], [np.ones(len(probe))], 1.0, _INF)
            found = model.solve(zero, maximise=False)
            model.highs.deleteRows(1, np.array([model.highs.getNumRow() - 1], dtype=np.int32))
            if found is None:  # no optimal set uses any of lo..mid
                model.fix(probe, 0.0)
                lo = mid + 1
            else:
                incumbent = _chosen(found[0], n_sites)
                hi = start + int(np.argmax(incumbent[start:]))
        model.fix(np.array([hi]), 1.0)
        chosen.append(hi)
        start = hi + 1
    return np.array(chosen, dtype=np.int64)


def solve(problem: Problem, time_limit_s: float) -> Solution:
    """Solve ``problem`` exactly within ``time_limit_s`` seconds.

    The caller makes sure every required gmina is reached by some candidate.
    """
    deadline = time.monotonic() + time_limit_s
    n = problem.n_sites
    if n == 0 or (problem.budget is not None and problem.budget <= 0):
        return Solution(np.zeros(0, dtype=np.int64), OPTIMAL, 0.0)
    model, column_of = _build(problem, deadline)
    values: np.ndarray | None = None
    try:
        for cost, maximise in _stage_costs(problem, column_of, model.n_cols):
            values = model.optimise_and_fix(cost, maximise)
        assert values is not None
        best = _chosen(values, n)
        return Solution(_lowest_codes(model, best, n), OPTIMAL, 0.0)
    except _OutOfTime as stop:
        # An objective already proven leaves the incumbent optimal; only ties may be unbroken.
        if stop.best is not None and values is None:
            return Solution(np.flatnonzero(_chosen(stop.best, n)), TIME_LIMIT, stop.gap)
        if values is not None:
            last = values if stop.best is None else stop.best
            return Solution(np.flatnonzero(_chosen(last, n)), TIME_LIMIT, 0.0)
        raise TimeoutError("no solution within the time limit") from stop
