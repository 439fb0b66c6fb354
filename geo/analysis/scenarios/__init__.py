"""Planning scenarios (issue 14): where new CIS/KIS sites would close the gaps, solved exactly.

- :func:`plan_cover`: the fewest new sites such that every gmina is covered within D km;
- :func:`plan_maximize`: K new sites covering the most inhabitants within D km.

A gmina is covered when it has a CIS/KIS in the gmina or by agreement (``pokrycie`` other than
``brak``; agreements can be ignored), when an operating CIS/KIS lies within D km of it
(``odleglosc_cis_kis_km``), or when a new site lies within D km of its polygon. A new site in
gmina X stands at X's ``representative_point()`` in EPSG:2180. Rules: :mod:`.sites`; the
integer programmes and the choice of HiGHS: :mod:`.solver`; the whole run: :mod:`.plan`.
What-if scenarios (planned sites added, existing CIS/KIS closed, coverage before/after):
:mod:`.whatif`; a scenario as saved (JSON): :mod:`.saved`.

Speed (measured on 2 shared cores, after the coverage is computed): Lubelskie (213 gminas)
cover at 15 or 25 km in 0.3-0.9 s, maximize K=1..20 in 0.3-1.5 s, all optimal with ties broken.
All Poland (2,477) with nearly every gmina open, as with the sample registry: maximize K=10 at
25 km is optimal in 74 s; cover at 25 km stops at :data:`DEFAULT_TIME_LIMIT_S` (120 s,
``--time-limit``) with 114 sites, every gmina covered, ``status`` ``time_limit`` and the proven
relative ``gap`` 7.9 %. A real registry leaves fewer gminas open, in separate clusters that
cover mode solves one by one.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geo.analysis.scenarios.plan import (
        DEFAULT_TIME_LIMIT_S,
        NewSite,
        ScenarioOptions,
        ScenarioResult,
        plan_cover,
        plan_maximize,
    )
    from geo.analysis.scenarios.sites import ScenarioError, build_instance
    from geo.analysis.scenarios.solver import OPTIMAL, TIME_LIMIT
    from geo.analysis.scenarios.whatif import Addition, WhatIf, WhatIfResult, what_if

# Loaded on first use: the solver imports HiGHS (~60 ms), which views that only need the
# what-if vocabulary (e.g. the style of changed gminas) should not pay for.
_LAZY = {
    "DEFAULT_TIME_LIMIT_S": "plan",
    "NewSite": "plan",
    "ScenarioOptions": "plan",
    "ScenarioResult": "plan",
    "plan_cover": "plan",
    "plan_maximize": "plan",
    "ScenarioError": "sites",
    "build_instance": "sites",
    "OPTIMAL": "solver",
    "TIME_LIMIT": "solver",
    "Addition": "whatif",
    "WhatIf": "whatif",
    "WhatIfResult": "whatif",
    "what_if": "whatif",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)


__all__ = [
    "DEFAULT_TIME_LIMIT_S",
    "OPTIMAL",
    "TIME_LIMIT",
    "Addition",
    "NewSite",
    "ScenarioError",
    "ScenarioOptions",
    "ScenarioResult",
    "WhatIf",
    "WhatIfResult",
    "build_instance",
    "plan_cover",
    "plan_maximize",
    "what_if",
]
