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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import pipeline  # noqa: E402
from geo.analysis.scenarios import ScenarioOptions, plan_cover, plan_maximize  # noqa: E402
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


def scenario_rows(shared: Path | None, poland_limit_s: float = 120.0) -> list[str]:
    """Printable rows: case, seconds, status, gap, sites, covered after / gminas, target."""
    rows = []
    lubelskie = _coverage("06", shared)
    cases = [
        ("Lubelskie cover D=15 km", lambda g: plan_cover(g, 15.0, ScenarioOptions())),
        ("Lubelskie cover D=25 km", lambda g: plan_cover(g, 25.0, ScenarioOptions())),
        ("Lubelskie maximize K=5, D=15 km", lambda g: plan_maximize(g, 5, 15.0, ScenarioOptions())),
    ]
    for name, solve in cases:
        result = solve(lubelskie.gminy)
        ok = result.seconds < LUBELSKIE_TARGET_S and result.status == "optimal"
        rows.append(_row(name, result, f"< {LUBELSKIE_TARGET_S:.0f} s, optimal", ok))
    if shared is not None:  # all of Poland needs the full reference data
        poland = _coverage("PL", shared)
        options = ScenarioOptions(time_limit_s=poland_limit_s)
        for name, solve in [
            ("Polska cover D=25 km", lambda g: plan_cover(g, 25.0, options)),
            ("Polska maximize K=10, D=25 km", lambda g: plan_maximize(g, 10, 25.0, options)),
        ]:
            result = solve(poland.gminy)
            ok = result.seconds <= poland_limit_s * 1.1
            rows.append(_row(name, result, f"<= {poland_limit_s:.0f} s (time limit)", ok))
    return rows


def _row(name: str, result, target: str, ok: bool) -> str:  # noqa: ANN001
    return (
        f"{name:<34} {result.seconds:7.2f} s  status {result.status:<10} gap "
        f"{result.gap:6.1%}  sites {len(result.new_sites):>4}  covered "
        f"{result.covered_after}/{result.gminas}  target {target}: {'MET' if ok else 'NOT MET'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--poland-limit", type=float, default=120.0)
    args = parser.parse_args()
    shared = args.shared if args.shared.exists() else None
    for row in scenario_rows(shared, args.poland_limit):
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
