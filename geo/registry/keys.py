"""Stable entity keys: how one entity is recognised across versions of its source.

Manual fixes, version diffs and the upload review all name an entity by this key, so it must
not depend on row order or on cosmetic differences (case, diacritics, spacing).
"""

from __future__ import annotations

import pandas as pd

from geo.core.text import fold

__all__ = ["stable_keys"]


def _folded(series: pd.Series) -> pd.Series:
    """``fold`` applied once per distinct value."""
    values = series.astype(object)
    uniques = {v: fold(v) for v in pd.unique(values.dropna())}
    mapped = values.map(uniques).astype(object)
    return mapped.where(mapped.notna(), "").astype(str)


def _text(series: pd.Series) -> pd.Series:
    """Stripped text, '' for missing."""
    values = series.astype(object).where(series.notna(), "")
    return values.map(lambda v: v.strip() if isinstance(v, str) else str(v)).astype(str)


def stable_keys(frame: pd.DataFrame) -> pd.Series:
    """A key per row that identifies the entity across versions of its source.

    Parameters
    ----------
    frame : pandas.DataFrame
        Registry rows (native columns; ``zrodlo_rejestru`` when several sources are mixed).

    Returns
    -------
    pandas.Series
        ``"id:<id>"`` when the row has an identifier, else ``"nazwa:<name>|<type>|<place>"``
        (folded: case, diacritics and spacing do not matter); a repeat within the source gets
        ``#2``, ``#3``... in file order. The source name is not part of the key.
    """
    n = len(frame)
    empty = pd.Series([None] * n, index=frame.index, dtype=object)
    ids = _text(frame["id"] if "id" in frame.columns else empty)
    base = ("id:" + ids).astype(object)
    no_id = (ids == "").to_numpy()
    if no_id.any():  # names are folded only where there is no identifier
        rest = frame[no_id]
        names = _folded(rest["nazwa"] if "nazwa" in rest.columns else empty[no_id])
        types = _text(rest["typ"] if "typ" in rest.columns else empty[no_id]).str.upper()
        place = _folded(rest["miejscowosc"] if "miejscowosc" in rest.columns else empty[no_id])
        base[no_id] = ("nazwa:" + names + "|" + types + "|" + place).to_numpy(dtype=object)
    groups = [base]
    if "zrodlo_rejestru" in frame.columns:
        groups = [frame["zrodlo_rejestru"].astype(object).fillna(""), base]
    repeat = base.groupby(groups, sort=False).cumcount()
    suffix = ("#" + (repeat + 1).astype(str)).where(repeat > 0, "")
    return (base + suffix).astype(object).rename("klucz_podmiotu")
