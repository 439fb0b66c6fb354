"""Problem categories of located entities: what needs a person's attention, and why.

A row's categories are data, a tuple in the column ``problem_kategorie`` (in the order they
were found), so that filters and counts never parse text. The Polish display text
``problem_kategoria`` ("a; b", shown in tables and exports) is derived from it here only, by
:func:`category_text`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "CATEGORIES_COLUMN",
    "EXCLUDING",
    "P_AMBIGUOUS",
    "P_BAD_CODE",
    "P_BAD_POINT",
    "P_CONFLICT",
    "P_DUPLICATE",
    "P_MAPPED",
    "P_NAME",
    "P_OUTSIDE",
    "P_SERVICE",
    "P_SWAPPED",
    "P_TYPE",
    "P_UNLOCATED",
    "ProblemLog",
    "category_text",
    "each_category",
    "has_any",
    "is_excluded",
    "problems_table",
]

# Problem categories (shown to users, used for filtering and summaries).
P_OUTSIDE = "poza regionem"
P_BAD_CODE = "nieprawidłowy kod TERYT"
P_AMBIGUOUS = "niejednoznaczna gmina"
P_UNLOCATED = "nie ustalono gminy"
P_DUPLICATE = "duplikat"
P_CONFLICT = "sprzeczne dane"
P_MAPPED = "zmieniony kod TERYT"
P_SWAPPED = "zamienione współrzędne"
P_BAD_POINT = "błędne współrzędne"
P_TYPE = "nieznany typ"
P_NAME = "brak nazwy"
P_SERVICE = "obszar działania"

#: Categories that keep an entity out of the coverage counts.
EXCLUDING = frozenset({P_OUTSIDE, P_AMBIGUOUS, P_UNLOCATED, P_DUPLICATE, P_TYPE, P_NAME})

#: The column of located entities with each row's categories (a tuple, empty without any).
CATEGORIES_COLUMN = "problem_kategorie"

_SEPARATOR = "; "


def category_text(categories: Iterable[str]) -> str | None:
    """The display text of one row's categories (``"a; b"``); None without any."""
    return _SEPARATOR.join(categories) or None


def has_any(categories: pd.Series, wanted: Iterable[str]) -> pd.Series:
    """Whether each row's categories (a :data:`CATEGORIES_COLUMN`) include any of ``wanted``.

    Worked out once per distinct combination: a registry has only a few of them.
    """
    wanted = frozenset(wanted)
    group, combinations = pd.factorize(categories.to_numpy(dtype=object), use_na_sentinel=False)
    hit = np.array([bool(found) and not wanted.isdisjoint(found) for found in combinations])
    return pd.Series(hit.astype(bool)[group], index=categories.index, dtype=bool)


def is_excluded(categories: pd.Series) -> pd.Series:
    """Whether each row has a category that keeps it out of the coverage counts."""
    return has_any(categories, EXCLUDING)


def each_category(categories: Iterable[Iterable[str]]) -> list[str]:
    """Every category of every row, row by row (to count them)."""
    return [category for found in categories for category in found]


class ProblemLog:
    """The problems noted while locating: per note its category and rows, and the texts.

    Every row meets the notes in the same order, so a row's categories come out as the
    categories of the notes that selected it, in that order.
    """

    def __init__(self, index: pd.Index) -> None:
        self.index = index
        self.notes: list[tuple[str, np.ndarray]] = []
        self.text = pd.Series([None] * len(index), index=index, dtype=object)

    def note(self, mask: pd.Series, category: str, texts: pd.Series | str) -> None:
        """Add a problem (category + text) to the rows selected by ``mask``.

        ``texts`` may cover every row or only the selected ones (built just for them).
        """
        if not mask.any():
            return
        self.notes.append((category, mask.to_numpy(dtype=bool)))
        rows = mask[mask].index
        new = pd.Series(texts, index=rows) if isinstance(texts, str) else texts.loc[rows]
        old = self.text.loc[mask]
        self.text.loc[mask] = np.where(old.isna(), new, old.astype(str) + " " + new.astype(str))

    def noted(self, *categories: str) -> pd.Series:
        """Rows with a problem of any of ``categories`` so far (of any category if none)."""
        hit = np.zeros(len(self.index), dtype=bool)
        for category, mask in self.notes:
            if not categories or category in categories:
                hit |= mask
        return pd.Series(hit, index=self.index)

    def categories(self) -> tuple[pd.Series, pd.Series]:
        """Each row's categories (tuples) and their display text (None without any)."""
        if len(self.notes) > 62:  # one bit per note in an int64
            raise ValueError("too many problem notes")
        bits = np.zeros(len(self.index), dtype=np.int64)
        for i, (_, mask) in enumerate(self.notes):
            bits |= mask.astype(np.int64) << i
        group, combinations = pd.factorize(bits)
        found = np.empty(len(combinations), dtype=object)
        text = np.empty(len(combinations), dtype=object)
        for j, combination in enumerate(combinations):
            found[j] = tuple(c for i, (c, _) in enumerate(self.notes) if combination >> i & 1)
            text[j] = category_text(found[j])
        return (
            pd.Series(found[group], index=self.index, dtype=object),
            pd.Series(text[group], index=self.index, dtype=object),
        )


def problems_table(located: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Entities that need attention: one row each, with category and reason (Polish)."""
    cols = list(
        columns
        or [
            "zrodlo_rejestru",
            "id",
            "nazwa",
            "typ",
            "miejscowosc",
            "gmina",
            "teryt",
            "teryt_gminy",
            "problem_kategoria",
            "problem",
            "uwzgledniony",
        ]
    )
    rows = located.loc[located["problem"].notna(), [c for c in cols if c in located.columns]]
    return pd.DataFrame(rows).reset_index(drop=True)
