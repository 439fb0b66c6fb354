"""The choropleth indicators of the web map: which class each gmina falls in, and its text.

Why it exists: the map page offers five ways of colouring the gminas (CIS/KIS coverage,
number of PES, PES per 10,000 inhabitants, distance to the nearest CIS/KIS, LPRES status).
Each gives every gmina a class key (read by the browser's style function and the legend) and
a plain-text value (for the tooltip). Colours and labels come from the one style vocabulary,
:mod:`geo.present.styles`, so the web legend and print cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.analysis.coverage import COVERAGE_LABELS, pes_count, pes_per_10k
from geo.errors import MapError
from geo.present import classes as class_methods
from geo.present import styles
from geo.web.escape import km_text, plain_text

__all__ = [
    "COVERAGE_COLORS",
    "CLASSED_INDICATORS",
    "COVERAGE_ORDER",
    "INDICATORS",
    "INDICATOR_NOTES",
    "LPRES_COLORS",
    "LPRES_LABELS",
    "PLAIN_INDICATORS",
    "LegendClass",
    "indicator_classes",
    "require_columns",
]


@dataclass(frozen=True)
class LegendClass:
    """One class of a choropleth as the web map draws it.

    ``key`` is CSS-safe (the browser's style function and the hatch CSS read it);
    ``hatched`` draws the class with the "unknown" stripe pattern; ``no_data`` marks the class
    of gminas the indicator cannot be computed for, listed in the legend only when used.
    """

    key: str
    label: str
    color: str
    hatched: bool = False
    no_data: bool = False

    @classmethod
    def of(cls, style: styles.ClassStyle) -> LegendClass:
        """The web form of a class of the style vocabulary (only "unknown" is hatched)."""
        return cls(style.key, style.label, style.color, hatched=style.key == styles.UNKNOWN_KEY)


#: Choropleth indicators by key, with their Polish names (the map page offers them all).
INDICATORS: dict[str, str] = {
    "pokrycie": "Pokrycie CIS/KIS",
    "pes_razem": "Liczba PES",
    "pes_na_10k": "PES na 10 tys. mieszkańców",
    "odleglosc_cis_kis_km": "Odległość do najbliższego CIS/KIS",
    "lpres_status": "Status LPRES",
}
INDICATOR_NOTES: dict[str, str] = {
    "pokrycie": "Model Lokalnej Współpracy: CIS lub KIS dla każdej gminy",
    "pes_razem": "działające podmioty wybranych typów w gminie",
    "pes_na_10k": "podmioty wybranych typów na 10 tys. mieszkańców (GUS BDL)",
    "odleglosc_cis_kis_km": "od granicy gminy do najbliższego działającego CIS/KIS",
    "lpres_status": "lokalny plan rozwoju ekonomii społecznej; „nieznany” = brak informacji",
}
#: Indicators the tooltip already shows (coverage status, number of PES).
PLAIN_INDICATORS = frozenset({"pokrycie", "pes_razem"})
#: Numeric indicators that may be cut by a class method (:data:`geo.present.classes.METHODS`).
CLASSED_INDICATORS = frozenset({"pes_na_10k", "odleglosc_cis_kis_km"})

COVERAGE_ORDER = tuple(s.key for s in styles.COVERAGE)
COVERAGE_COLORS: dict[str, str] = {s.key: s.color for s in styles.COVERAGE}
LPRES_COLORS: dict[str, str] = {s.key: s.color for s in styles.LPRES}
LPRES_LABELS: dict[str, str] = {s.key: s.label for s in styles.LPRES}

# Count classes: labels and tests here (they belong to the indicator), colours from styles.
_Test = Callable[[pd.Series], pd.Series]
_PES_BINS: tuple[tuple[str, _Test], ...] = (
    ("0", lambda v: v == 0),
    ("1", lambda v: v == 1),
    ("2–4", lambda v: (v >= 2) & (v <= 4)),
    ("5–9", lambda v: (v >= 5) & (v <= 9)),
    ("10 i więcej", lambda v: v >= 10),
)
_PER_10K_BINS: tuple[tuple[str, _Test], ...] = (
    ("0", lambda v: v == 0),
    ("poniżej 1", lambda v: (v > 0) & (v < 1)),
    ("1 – poniżej 2", lambda v: (v >= 1) & (v < 2)),
    ("2 – poniżej 5", lambda v: (v >= 2) & (v < 5)),
    ("5 i więcej", lambda v: v >= 5),
)


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    """Raise :class:`MapError` (in Polish) naming the ``columns`` missing from ``frame``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MapError(
            f"Brak kolumn {', '.join(missing)} w danych {what}; nie można narysować mapy."
        )


def _count_classes(bins: tuple[tuple[str, _Test], ...], prefix: str) -> list[LegendClass]:
    return [
        LegendClass(f"{prefix}{i}", label, styles.COUNT_COLORS[i])
        for i, (label, _) in enumerate(bins)
    ]


def _distance_tests() -> list[_Test]:
    """ "0 km", then (previous bound, bound] for each of :data:`styles.DISTANCE_BOUNDS`."""

    def between(lower: float, upper: float) -> _Test:
        return lambda v: (v > lower) & (v <= upper)

    bounds = (0.0, *styles.DISTANCE_BOUNDS)
    zero: _Test = lambda v: v == 0  # noqa: E731
    return [zero] + [between(lo, hi) for lo, hi in zip(bounds, bounds[1:], strict=False)]


def _binned(
    values: pd.Series, tests: list[_Test], classes: list[LegendClass], missing: LegendClass
) -> pd.Series:
    """The key of the first class whose test a value passes; ``missing.key`` for NaN."""
    filled = values.fillna(-1.0)
    conditions = [test(filled).to_numpy(dtype=bool) for test in tests]
    keys = np.select(conditions, [c.key for c in classes], missing.key)
    return pd.Series(keys, index=values.index, dtype=object)


def _coverage(gminy: pd.DataFrame) -> tuple[pd.Series, list[LegendClass], pd.Series]:
    keys = gminy["pokrycie"].astype(str)
    classes = [LegendClass.of(s) for s in styles.COVERAGE]
    return keys, classes, gminy["pokrycie"].map(COVERAGE_LABELS).fillna("")


def _lpres(gminy: pd.DataFrame) -> tuple[pd.Series, list[LegendClass], pd.Series]:
    require_columns(gminy, ("lpres_status",), "gmin (status LPRES)")
    keys = gminy["lpres_status"].fillna(styles.UNKNOWN_KEY).astype(str)
    keys = keys.where(keys.isin(list(LPRES_COLORS)), styles.UNKNOWN_KEY)
    classes = [LegendClass.of(s) for s in styles.LPRES]
    plan = (
        gminy["lpres_plan"].map(plain_text)
        if "lpres_plan" in gminy
        else pd.Series("", index=gminy.index)
    )
    values = keys.map(LPRES_LABELS) + np.where(plan != "", ": " + plan, "")
    return keys, classes, values


def _pes(
    gminy: pd.DataFrame, types: Collection[str] | None
) -> tuple[pd.Series, list[LegendClass], pd.Series]:
    values = pes_count(gminy, types).astype(float)
    classes = _count_classes(_PES_BINS, "p")
    # a count is never missing: the fallback key is unused and not in the legend
    unused = LegendClass("pna", "", styles.NO_DATA, no_data=True)
    keys = _binned(values, [t for _, t in _PES_BINS], classes, unused)
    return keys, classes, values.map(lambda v: f"{int(v)}")


def _per_10k(
    gminy: pd.DataFrame, types: Collection[str] | None
) -> tuple[pd.Series, list[LegendClass], pd.Series]:
    require_columns(gminy, ("ludnosc",), "gmin (ludność)")
    values = pes_per_10k(gminy, types)
    classes = _count_classes(_PER_10K_BINS, "w")
    missing = LegendClass("wna", "brak danych o ludności", styles.NO_DATA, no_data=True)
    keys = _binned(values, [t for _, t in _PER_10K_BINS], classes, missing)
    text = values.map(lambda v: "" if pd.isna(v) else f"{v:.2f}".replace(".", ","))
    return keys, [*classes, missing], text


def _distance(gminy: pd.DataFrame) -> tuple[pd.Series, list[LegendClass], pd.Series]:
    require_columns(gminy, ("odleglosc_cis_kis_km",), "gmin (odległość)")
    values = pd.to_numeric(gminy["odleglosc_cis_kis_km"], errors="coerce")
    classes = [LegendClass.of(s) for s in styles.DISTANCE_CLASSES]
    missing = LegendClass("dna", "brak działającego CIS/KIS w danych", styles.NO_DATA, no_data=True)
    keys = _binned(values, _distance_tests(), classes, missing)
    return keys, [*classes, missing], values.map(km_text)


def _by_method(
    gminy: pd.DataFrame, indicator: str, types: Collection[str] | None, method: str
) -> tuple[pd.Series, list[LegendClass], pd.Series]:
    """The fixed classes replaced by those of ``method`` (the "brak danych" class is kept)."""
    distance = indicator == "odleglosc_cis_kis_km"
    _, classes, values = _distance(gminy) if distance else _per_10k(gminy, types)
    numbers = (
        pd.to_numeric(gminy["odleglosc_cis_kis_km"], errors="coerce")
        if distance
        else pes_per_10k(gminy, types)
    )
    by, found = class_methods.classify(numbers, method, **class_methods.SCALES[indicator])
    missing = [c for c in classes if c.no_data]
    own = [LegendClass.of(s) for s in found.styles] if found else []
    return by.fillna(missing[0].key), [*own, *missing], values


def indicator_classes(
    gminy: pd.DataFrame,
    indicator: str = "pokrycie",
    types: Collection[str] | None = None,
    method: str | None = None,
) -> tuple[pd.Series, list[LegendClass], pd.Series]:
    """Choropleth classes of the gminas for one indicator.

    Parameters
    ----------
    gminy : pandas.DataFrame
        The per-gmina coverage frame (with the planning columns for ``lpres_status``).
    indicator : str
        A key of :data:`INDICATORS`.
    types : collection of str, optional
        Entity types counted by ``pes_razem`` and ``pes_na_10k`` (default: all).
    method : str, optional
        For :data:`CLASSED_INDICATORS`: a class method of :data:`geo.present.classes.METHODS`
        instead of the fixed classes (default: the fixed classes).

    Returns
    -------
    keys : pandas.Series
        Class key of each gmina (CSS-safe text).
    classes : list of LegendClass
        The classes in legend order; the "brak danych" class (``no_data``) comes last.
    values : pandas.Series
        Plain-text value of each gmina for the tooltip.

    Raises
    ------
    MapError
        Unknown indicator or missing column.
    """
    if indicator not in INDICATORS:
        raise MapError(f"Nieznany wskaźnik mapy „{indicator}”: dostępne {', '.join(INDICATORS)}.")
    if indicator == "pokrycie":
        return _coverage(gminy)
    if indicator == "lpres_status":
        return _lpres(gminy)
    if indicator == "pes_razem":
        return _pes(gminy, types)
    if indicator in CLASSED_INDICATORS and method:
        return _by_method(gminy, indicator, types, method)
    if indicator == "pes_na_10k":
        return _per_10k(gminy, types)
    return _distance(gminy)
