"""Finding registry entities by what an editor types: folded text of chosen columns.

The registry page and the fixes form both search entities; one function keeps them agreeing on
what matches ("lodz" finds "Łódź", case and spacing do not matter, empty cells match nothing).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from geo.core.text import fold

__all__ = ["NAME_AND_PLACE", "REGISTRY_TEXT", "matching"]

#: Columns searched by the fixes form: the entity's name and locality.
NAME_AND_PLACE = ("nazwa", "miejscowosc")
#: Columns searched by the registry page.
REGISTRY_TEXT = ("nazwa", "miejscowosc", "podmiot_prowadzacy", "id", "gmina")


def matching(
    entities: pd.DataFrame, query: str, columns: Sequence[str] = NAME_AND_PLACE
) -> pd.Series:
    """Which rows contain ``query`` in the folded text of ``columns`` (joined by spaces).

    Parameters
    ----------
    entities : pandas.DataFrame
        Registry rows; a column that is absent counts as empty.
    query : str
        What the user typed; blank matches every row.
    columns : sequence of str
        The columns searched.

    Returns
    -------
    pandas.Series
        Booleans on ``entities.index``.
    """
    if not query.strip():
        return pd.Series(True, index=entities.index)
    if entities.empty:  # agg(axis=1) of no rows gives a frame, not a series
        return pd.Series(False, index=entities.index)
    cells = entities.reindex(columns=list(columns)).astype(object)
    text = cells.where(cells.notna(), "").astype(str).agg(" ".join, axis=1)
    return text.map(fold).str.contains(fold(query), regex=False).astype(bool)
