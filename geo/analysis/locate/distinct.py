"""Work done once per distinct value and spread to the rows, and text columns read once.

A registry repeats its codes, gmina names and service areas many times, so every lookup is
done per distinct cell (or combination of cells); this is what makes 100,000 entities cost
little more than 1,000.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo._arrow import arrow_strings


def row_groups(keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Group the rows of ``keys`` by all their values (missing values form a group too).

    Returns the position of each group's first row and, for every row, its group's number.
    """
    # One integer code per distinct row: factorise each column, then the combinations.
    combined = np.zeros(len(keys), dtype=np.int64)
    for column in keys.columns:
        codes, uniques = pd.factorize(keys[column], use_na_sentinel=False)
        combined = combined * len(uniques) + codes
    # Groups numbered in order of appearance (hashing, not sorting): a row is its group's
    # first when its number is above all the numbers before it.
    group, _ = pd.factorize(combined)
    first = np.ones(len(group), dtype=bool)
    first[1:] = group[1:] > np.maximum.accumulate(group)[:-1]
    return np.flatnonzero(first), group


def per_distinct(keys: pd.DataFrame, func: Callable[..., Any]) -> pd.Series:
    """``func(*row)`` evaluated once per distinct row of ``keys``, spread to every row."""
    if keys.empty:
        return pd.Series([], index=keys.index, dtype=object)
    first_row, group = row_groups(keys)
    distinct = keys.iloc[first_row]
    results = np.empty(len(first_row), dtype=object)
    for i, row in enumerate(zip(*(distinct[c].tolist() for c in keys.columns), strict=True)):
        results[i] = func(*row)
    return pd.Series(results[group], index=keys.index, dtype=object)


def first_of_group(keys: pd.DataFrame) -> np.ndarray:
    """For every row, the position of the first row with the same values in all columns."""
    first_row, group = row_groups(keys)
    return first_row[group]


def distinct_cells(column: pd.Series, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct cells of ``column`` at positions ``rows`` (first ones seen), and for each
    of those rows the number of its cell among them."""
    group, firsts = pd.factorize(column.to_numpy(dtype=object)[rows], use_na_sentinel=False)
    return np.asarray(firsts, dtype=object), group


def per_row(
    n: int, rows: np.ndarray, group: np.ndarray, per_value: list[Any], default: Any
) -> np.ndarray:
    """Values worked out per distinct cell, spread to ``rows`` (``default`` on the others)."""
    dtype = bool if isinstance(default, bool) else object
    values = np.empty(len(per_value), dtype=dtype)
    values[:] = per_value
    out = np.full(n, default, dtype=dtype)
    out[rows] = values[group]
    return out


class TextColumns:
    """The frame's text columns as Arrow arrays, each converted once per call.

    ``None`` for a column with cells other than str and missing values. Such an array serves
    :func:`blank`, :func:`geo.core.text.fold_array` and the type checks alike.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.arrays: dict[str, pa.Array | None] = {}

    def __getitem__(self, column: str) -> pa.Array | None:
        if column not in self.arrays:
            cells = self.frame[column].to_numpy(dtype=object)
            self.arrays[column] = arrow_strings(cells)
        return self.arrays[column]

    def blank(self, column: str) -> pd.Series:
        """:func:`blank` of one of the frame's columns."""
        return blank(self.frame[column], self[column])


def blank(series: pd.Series, strings: pa.Array | None = None) -> pd.Series:
    """Missing, empty or only white space (as Arrow's strip sees it).

    ``strings``: the cells as an Arrow array (:class:`TextColumns`), if at hand.
    """
    if strings is None:
        strings = arrow_strings(series.to_numpy(dtype=object))
    if strings is None:
        return series.isna() | (series.astype("string").str.strip().fillna("") == "")
    is_blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(strings), ""), True)
    return pd.Series(is_blank.to_numpy(zero_copy_only=False), index=series.index)
