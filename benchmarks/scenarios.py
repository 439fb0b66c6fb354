"""Benchmark rows of the exact scenario optimiser (issue 14), for ``make bench``.

Times :func:`geo.analysis.scenarios.plan_cover` and ``plan_maximize`` after the coverage is
computed (the optimiser's own cost), on Lubelskie (target: well under 2 s) and on all of
Poland (2,477 gminas; the documented limit is the solver's time limit, reported with its status
and proven gap). Run alone: ``python benchmarks/scenarios.py [--poland-limit S]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import pipeline  # noqa: E402
from geo.analysis.scenarios import ScenarioOptions, plan_cover, plan_maximize  # noqa: E402
from geo.analysis.scenarios.plan import ScenarioResult  # noqa: E402
from geo.config import get_settings  # noqa: E402

AS_OF = dt.date(2026, 12, 3)
LUBELSKIE_TARGET_S = 2.0


def _coverage(region: str, shared: Path | None) -> pipeline.CoverageResult:
    env = dict(os.environ)
    env["PES_REGION"] = region
    env["PES_HOME"] = tempfile.mkdtemp(prefix="bench-scen-")
    if shared is not None:
        env["PES_DATA_DIR"] = str(shared)
    return pipeline.run(get_settings(env), AS_OF)


def scenario_cases(shared: Path | None, poland_limit_s: float = 120.0) -> list[Case]:
    """Each case solved once after a warm-up solve (the first call loads HiGHS)."""
    cases = []
    lubelskie = _coverage("06", shared)
    plan_maximize(lubelskie.gminy, 1, 10.0, ScenarioOptions())  # warm-up
    for name, solve in [
        ("Lubelskie cover D=15 km", lambda g: plan_cover(g, 15.0, ScenarioOptions())),
        ("Lubelskie cover D=25 km", lambda g: plan_cover(g, 25.0, ScenarioOptions())),
        ("Lubelskie maximize K=5, D=15 km", lambda g: plan_maximize(g, 5, 15.0, ScenarioOptions())),
    ]:
        result = solve(lubelskie.gminy)
        ok = result.seconds < LUBELSKIE_TARGET_S and result.status == "optimal"
        cases.append(Case(name, result, f"< {LUBELSKIE_TARGET_S:.0f} s, optimal", ok))
    if shared is not None:  # all of Poland needs the full reference data
        poland = _coverage("PL", shared)
        options = ScenarioOptions(time_limit_s=poland_limit_s)
        for name, solve in [
            ("Polska cover D=25 km", lambda g: plan_cover(g, 25.0, options)),
            ("Polska maximize K=10, D=25 km", lambda g: plan_maximize(g, 10, 25.0, options)),
        ]:
            result = solve(poland.gminy)
            ok = result.seconds <= poland_limit_s * 1.1
            cases.append(Case(name, result, f"<= {poland_limit_s:.0f} s (time limit)", ok))
    return cases


@dataclass
class Case:
    name: str
    result: ScenarioResult
    target: str
    ok: bool

    def figure(self) -> str:
        r = self.result
        return (
            f"{r.seconds:.2f} s, {r.status}, gap {r.gap:.1%}, {len(r.new_sites)} sites, "
            f"{r.covered_after}/{r.gminas} covered"
        )


def bench_scenarios(
    add: Callable[..., None], check: Callable[[str, bool], None], shared: Path
) -> None:
    """Rows of ``make bench`` (benchmarks/bench.py's table)."""
    for case in scenario_cases(shared if shared.exists() else None):
        add(f"scenario optimiser: {case.name}", case.figure())
        check(case.target, case.ok)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--poland-limit", type=float, default=120.0)
    args = parser.parse_args()
    shared = args.shared if args.shared.exists() else None
    for case in scenario_cases(shared, args.poland_limit):
        met = "MET" if case.ok else "NOT MET"
        print(f"{case.name:<34} {case.figure()}  target {case.target}: {met}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
