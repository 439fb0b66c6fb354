"""One style vocabulary for every map: the web map (Leaflet) and print (matplotlib) read it.

Each class of gminas has one key, one Polish label, one fill colour and, for print, one hatch
pattern, so that the legend on the screen, on a slide and in a PDF cannot disagree. Colours
are chosen to differ in lightness too (they survive a greyscale printer and the common
colour-vision deficiencies); hatches tell the classes apart in black-and-white print.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from geo.analysis.coverage import (
    COVERAGE_LABELS,
    COVERED_BY_AGREEMENT,
    COVERED_HERE,
    NOT_COVERED,
)
from geo.analysis.indicators import BEHIND, ON_TRACK, REACHED
from geo.analysis.indicators import UNKNOWN as UNKNOWN_PROGRESS
from geo.analysis.scenarios.whatif import (
    CHANGE_LOST,
    CHANGE_NEW,
    CHANGE_NONE_COVERED,
    CHANGE_NONE_OPEN,
)

__all__ = [
    "COUNT_COLORS",
    "COVERAGE",
    "DISTANCE_BOUNDS",
    "DISTANCE_CLASSES",
    "LPRES",
    "MONITORING",
    "NO_DATA",
    "SCENARIO_CHANGE",
    "UNKNOWN_KEY",
    "ClassStyle",
    "by_key",
]

#: The key of "no information" classes (LPRES status, subregion): drawn white and hatched,
#: never a shade that could be read as "none".
UNKNOWN_KEY: Final = "nieznany"


@dataclass(frozen=True)
class ClassStyle:
    """How one class of gminas is drawn and named.

    ``hatch`` is a matplotlib hatch pattern for print; the web map draws every hatched class
    with its one SVG stripe pattern.
    """

    key: str
    label: str
    color: str
    hatch: str | None = None
    hatch_color: str = "#333333"


def by_key(styles: tuple[ClassStyle, ...]) -> dict[str, ClassStyle]:
    """The styles of one vocabulary by class key, in legend order."""
    return {s.key: s for s in styles}


#: CIS/KIS coverage: dark blue / light blue (hatched in print) / light orange.
COVERAGE: Final[tuple[ClassStyle, ...]] = (
    ClassStyle(COVERED_HERE, COVERAGE_LABELS[COVERED_HERE], "#2166ac"),
    ClassStyle(
        COVERED_BY_AGREEMENT, COVERAGE_LABELS[COVERED_BY_AGREEMENT], "#92c5de", "///", "#08306b"
    ),
    ClassStyle(NOT_COVERED, COVERAGE_LABELS[NOT_COVERED], "#f4a582"),
)

#: LPRES status of the gmina; "nieznany" (no information) is never drawn like "brak planu".
LPRES: Final[tuple[ClassStyle, ...]] = (
    ClassStyle("przyjety", "przyjęty (obowiązuje)", "#1b7837"),
    ClassStyle("w_przygotowaniu", "w przygotowaniu", "#a6dba0", "\\\\\\", "#00441b"),
    ClassStyle("wygasly", "wygasły", "#9970ab", "xx", "#252525"),
    ClassStyle("brak", "brak planu", "#d6604d"),
    ClassStyle(UNKNOWN_KEY, "nieznany (brak informacji)", "#ffffff", "..", "#737373"),
)

#: Distance from the gmina's boundary to the nearest operating CIS/KIS, in km: upper bounds
#: (inclusive) of the classes after "0 km".
DISTANCE_BOUNDS: Final[tuple[float, ...]] = (10.0, 20.0, 30.0, math.inf)
DISTANCE_CLASSES: Final[tuple[ClassStyle, ...]] = (
    ClassStyle("d0", "0 km (CIS/KIS w gminie)", "#2166ac"),
    ClassStyle("d1", "do 10 km", "#92c5de"),
    ClassStyle("d2", "10–20 km", "#fddbc7"),
    ClassStyle("d3", "20–30 km", "#f4a582"),
    ClassStyle("d4", "ponad 30 km", "#d6604d"),
)

#: Counts and rates: light to dark green (five classes).
COUNT_COLORS: Final[tuple[str, ...]] = ("#f4f4f4", "#c7e9c0", "#74c476", "#31a354", "#006d2c")

#: A gmina for which the indicator cannot be computed (e.g. no population data).
NO_DATA: Final = "#bdbdbd"

#: Progress of a programme indicator (:data:`geo.analysis.indicators.STATUS_LABELS`): a symbol
#: in every label, so the status reads without colour too.
MONITORING: Final[tuple[ClassStyle, ...]] = (
    ClassStyle(REACHED, "\u2713 cel osiągnięty", "#1b7837"),
    ClassStyle(ON_TRACK, "\u2713 zgodnie ze ścieżką", "#2166ac"),
    ClassStyle(BEHIND, "\u2717 opóźnienie", "#d6604d"),
    ClassStyle(UNKNOWN_PROGRESS, "? nieznany", "#ffffff", "..", "#737373"),
)

#: What a planning scenario changes in a gmina (geo.analysis.scenarios.whatif): newly covered
#: dark green, lost dark red (hatched), unchanged gaps light orange as on the coverage map.
SCENARIO_CHANGE: Final[tuple[ClassStyle, ...]] = (
    ClassStyle(CHANGE_NONE_COVERED, "pokryta (bez zmian)", "#c6dbef"),
    ClassStyle(CHANGE_NEW, "nowo pokryta", "#1b7837"),
    ClassStyle(CHANGE_LOST, "traci pokrycie", "#b2182b", "xx", "#ffffff"),
    ClassStyle(CHANGE_NONE_OPEN, "luka (bez zmian)", "#f4a582"),
)
