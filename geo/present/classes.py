"""Choropleth classes of a numeric indicator, the same on the web map and in print.

A planner picks how the values of an indicator (PES per 10,000 inhabitants, distance to the
nearest CIS/KIS) are cut into classes: quantiles (equal numbers of gminas), natural breaks
(Fisher-Jenks: the least variance within classes) or equal intervals. The bounds come from
:mod:`mapclassify`; this module only turns them into class keys, legend labels with Polish
decimal commas and colours of the one style vocabulary (:mod:`geo.present.styles`), as
:class:`~geo.present.styles.ClassStyle` objects that the web legend and the print legend
both draw.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from typing import Final

import mapclassify
import numpy as np
import pandas as pd

from geo.errors import MapError
from geo.present import styles

__all__ = [
    "DEFAULT_CLASSES",
    "METHODS",
    "Classes",
    "NATURAL_BREAKS_SAMPLE",
    "NO_DATA_KEY",
    "SCALES",
    "class_bounds",
    "classify",
    "map_classes",
]

#: Class methods by key, with their Polish names (the key is what the views pass).
METHODS: Final[dict[str, str]] = {
    "kwantyle": "kwantyle (po tyle samo gmin)",
    "naturalne": "przerwy naturalne (Jenks)",
    "rowne": "równe przedziały",
}
DEFAULT_CLASSES: Final = 5
#: Natural breaks of more values are computed on this many evenly spaced order statistics
#: (smallest and largest included): Fisher-Jenks grows with the square of the values and
#: takes tens of seconds on all of Poland's gminas in pure Python. mapclassify's own
#: ``FisherJenksSampled`` samples at random; this sample is the same on every run.
NATURAL_BREAKS_SAMPLE: Final = 600
#: The class of gminas without a value (drawn in the vocabulary's "no data" grey).
NO_DATA_KEY: Final = "brak_danych"

#: How each numeric map indicator reads in the legend (the options of :func:`classify`):
#: digits, unit and the vocabulary's colours (light to dark; distance: near to far).
SCALES: Final[dict[str, dict]] = {
    "pes_na_10k": {"digits": 2, "unit": "", "colors": styles.COUNT_COLORS},
    "odleglosc_cis_kis_km": {
        "digits": 1,
        "unit": "km",
        "colors": tuple(s.color for s in styles.DISTANCE_CLASSES),
    },
}

_CLASSIFIERS: Final = {
    "kwantyle": mapclassify.Quantiles,
    "naturalne": mapclassify.FisherJenks,
    "rowne": mapclassify.EqualInterval,
}


@dataclass(frozen=True)
class Classes:
    """The classes of one classification: ``bounds`` are the inclusive upper bounds
    (mapclassify's ``bins``), ``lowest`` the smallest value; ``styles`` in legend order."""

    method: str
    lowest: float
    bounds: tuple[float, ...]
    styles: tuple[styles.ClassStyle, ...]


def _number(value: float, digits: int) -> str:
    return f"{value:.{digits}f}".replace(".", ",").replace("-", "\u2212")


def _palette(colors: tuple[str, ...], k: int) -> list[str]:
    """``k`` colours spread over ``colors`` (light to dark), first and last always used."""
    if k <= 1:
        return [colors[-1]]
    picks = np.round(np.linspace(0, len(colors) - 1, k)).astype(int)
    return [colors[i] for i in picks]


def class_bounds(values: np.ndarray, method: str, k: int = DEFAULT_CLASSES) -> np.ndarray:
    """mapclassify's upper class bounds of the finite ``values`` (fewer classes when there
    are fewer distinct values than ``k``)."""
    if method not in _CLASSIFIERS:
        raise MapError(f"Nieznana metoda klas „{method}”: dostępne {', '.join(METHODS)}.")
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    k = max(1, min(int(k), len(np.unique(finite))))
    if method == "naturalne" and len(finite) > NATURAL_BREAKS_SAMPLE:
        ordered = np.sort(finite)
        picks = np.linspace(0, len(ordered) - 1, NATURAL_BREAKS_SAMPLE).round().astype(int)
        finite = ordered[picks]
    return np.array(_bounds(method, k, finite.tobytes()))


@functools.lru_cache(maxsize=32)
def _bounds(method: str, k: int, data: bytes) -> tuple[float, ...]:
    # Memoised by the values' bytes: a map classifies the same values for its layer and its
    # legend.
    finite = np.frombuffer(data, dtype=float)
    with warnings.catch_warnings():
        # "not enough unique values" and "numba not installed" are handled or harmless
        warnings.simplefilter("ignore", UserWarning)
        bins = _CLASSIFIERS[method](finite, k=k).bins
    # quantiles of tied values repeat a bound: one class each
    return tuple(float(b) for b in np.unique(np.asarray(bins, dtype=float)))


def classify(
    values: pd.Series,
    method: str,
    *,
    k: int = DEFAULT_CLASSES,
    digits: int = 1,
    unit: str = "",
    colors: tuple[str, ...] = styles.COUNT_COLORS,
    prefix: str = "c",
) -> tuple[pd.Series, Classes | None]:
    """The class key of each value and the classes (``None`` keys and classes without data).

    Parameters
    ----------
    values : pandas.Series
        The indicator per gmina (NaN where it cannot be computed: key ``None``).
    method : str
        A key of :data:`METHODS`.
    k : int
        Number of classes wanted.
    digits, unit : int, str
        How the bounds read in the legend ("1,2 – 3,4 km").
    colors : tuple of str
        The vocabulary's colours, light to dark (:data:`styles.COUNT_COLORS` by default).
    prefix : str
        Start of the CSS-safe class keys (``c0``, ``c1``...).
    """
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    finite = numbers[np.isfinite(numbers)]
    keys = pd.Series(None, index=values.index, dtype=object)
    if finite.empty:
        return keys, None
    bounds = class_bounds(finite.to_numpy(), method, k)
    lowest = float(finite.min())
    # value v is in the first class whose upper bound is >= v (mapclassify's own rule)
    position = np.searchsorted(bounds, finite.to_numpy(), side="left")
    keys[finite.index] = [f"{prefix}{i}" for i in position]
    suffix = f"\u00a0{unit}" if unit else ""
    lowers = [lowest, *bounds[:-1]]
    class_styles = tuple(
        styles.ClassStyle(
            f"{prefix}{i}",
            f"{_number(lo, digits)} – {_number(hi, digits)}{suffix}"
            if i == 0
            else f"powyżej {_number(lo, digits)} do {_number(hi, digits)}{suffix}",
            color,
        )
        for i, (lo, hi, color) in enumerate(
            zip(lowers, bounds, _palette(colors, len(bounds)), strict=True)
        )
    )
    return keys, Classes(method, lowest, tuple(float(b) for b in bounds), class_styles)


def map_classes(
    values: pd.Series, method: str, no_data_label: str = "brak danych", **options: object
) -> tuple[pd.Series, dict[str, styles.ClassStyle]]:
    """Each gmina's class key and the styles by key, "brak danych" last: the form the print
    maps draw (``classify`` of :func:`geo.print.maps._class_map`) and legends list.

    ``options`` are those of :func:`classify`.
    """
    keys, found = classify(values, method, **options)  # type: ignore[arg-type]
    by_key = {s.key: s for s in found.styles} if found else {}
    by_key[NO_DATA_KEY] = styles.ClassStyle(NO_DATA_KEY, no_data_label, styles.NO_DATA)
    return keys.fillna(NO_DATA_KEY), by_key
