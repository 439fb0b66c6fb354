"""Planning scenarios (issue 14): where new CIS/KIS sites would close the gaps, solved exactly.

- :func:`plan_cover`: the fewest new sites such that every gmina is covered within D km;
- :func:`plan_maximize`: K new sites covering the most inhabitants within D km.

A gmina is covered when it has a CIS/KIS in the gmina or by agreement (``pokrycie`` other than
``brak``; agreements can be ignored), when an operating CIS/KIS lies within D km of it
(``odleglosc_cis_kis_km``), or when a new site lies within D km of its polygon. A new site in
gmina X stands at X's ``representative_point()`` in EPSG:2180. Rules: :mod:`.sites`; the
integer programmes and the choice of HiGHS: :mod:`.solver`; the whole run: :mod:`.plan`.

Speed (2 shared cores): Lubelskie (213 gminas) cover or maximize in well under a second after
the coverage is computed; all Poland (2,477) within :data:`DEFAULT_TIME_LIMIT_S` (120 s, the
default limit; the answer then says ``time_limit`` with the proven gap instead of ``optimal``).
"""

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

__all__ = [
    "DEFAULT_TIME_LIMIT_S",
    "OPTIMAL",
    "TIME_LIMIT",
    "NewSite",
    "ScenarioError",
    "ScenarioOptions",
    "ScenarioResult",
    "build_instance",
    "plan_cover",
    "plan_maximize",
]
