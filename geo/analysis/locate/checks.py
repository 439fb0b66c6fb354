"""Checks after locating: unlocated rows, entity types, names, duplicates, service areas.

Such rows are kept and listed with the reason; those in :data:`problems.EXCLUDING` are not
counted in the coverage.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.analysis.locate.by_name import clean_name
from geo.analysis.locate.distinct import TextColumns, distinct_cells, first_of_group, per_row
from geo.analysis.locate.problems import (
    P_AMBIGUOUS,
    P_DUPLICATE,
    P_NAME,
    P_OUTSIDE,
    P_SERVICE,
    P_TYPE,
    P_UNLOCATED,
)
from geo.analysis.locate.work import Work
from geo.core.schema import ENTITY_TYPES
from geo.core.teryt import Terc
from geo.core.text import fold, fold_array

_SPLIT_LIST = re.compile(r"[;,\n|]+")


def note_unlocated(work: Work) -> None:
    """Note the rows without a gmina that no earlier problem explains."""
    notes = work.problems
    unlocated = work.teryt.isna() & ~notes.noted()
    notes.note(
        unlocated,
        P_UNLOCATED,
        "Brak kodu TERYT, współrzędnych i jednoznacznej nazwy gminy lub miejscowości.",
    )
    explained = notes.noted(P_OUTSIDE, P_AMBIGUOUS, P_UNLOCATED)
    notes.note(work.teryt.isna() & ~explained, P_UNLOCATED, "Nie ustalono gminy.")


def check_types(frame: pd.DataFrame, arrow: TextColumns, work: Work) -> pd.Series:
    """Note unknown or missing types; returns the types as a key (missing: "")."""
    types = arrow["typ"]
    if types is None:
        bad_type = ~frame["typ"].isin(list(ENTITY_TYPES))
        type_key = frame["typ"].fillna("").astype(str)
    else:  # the same, in Arrow kernels
        known = pc.is_in(types, value_set=pa.array(list(ENTITY_TYPES), type=types.type))
        bad_type = pd.Series(~known.to_numpy(zero_copy_only=False), index=frame.index)
        filled = pc.fill_null(types, "")
        type_key = pd.Series(filled, index=frame.index, dtype=pd.ArrowDtype(filled.type))
    work.problems.note(bad_type, P_TYPE, "Nieznany lub brakujący typ podmiotu.")
    return type_key


def check_names(arrow: TextColumns, work: Work) -> pd.Series:
    """Note rows without a name; returns that mask."""
    no_name = arrow.blank("nazwa")
    work.problems.note(no_name, P_NAME, "Brak nazwy podmiotu.")
    return no_name


def check_duplicates(
    frame: pd.DataFrame,
    arrow: TextColumns,
    work: Work,
    type_key: pd.Series,
    no_name: pd.Series,
    gmina_number: np.ndarray,
) -> None:
    """Note repeated entries: the same name, type and gmina (across sources too).

    The first one counts. ``gmina_number``: the located gminas by number (-1: none).
    """
    folded = fold_array(frame["nazwa"], arrow["nazwa"])
    key = pd.DataFrame(
        {
            "nazwa": pd.Series(folded, index=frame.index, dtype=pd.ArrowDtype(folded.type)),
            "typ": type_key,
            "gmina": gmina_number,
        }
    )
    first_row = first_of_group(key)  # position of the first row with the same key
    dup = pd.Series(first_row != np.arange(len(frame)), index=frame.index)
    dup &= work.teryt.notna() & ~no_name
    if dup.any():
        first_ids = frame["id"].iloc[first_row[dup.to_numpy()]].fillna("").astype(str)
        work.problems.note(
            dup,
            P_DUPLICATE,
            "Powtórzony wpis (ta sama nazwa, typ i gmina co wiersz "
            + first_ids.set_axis(dup[dup].index)
            + "); liczony raz.",
        )


def check_service_areas(
    frame: pd.DataFrame, arrow: TextColumns, terc: Terc, work: Work
) -> pd.Series:
    """Read the service areas of inter-gmina CIS/KIS, once per distinct text; note items
    that could not be read. Returns the codes served, ``;``-joined (None without any)."""
    n = len(frame)
    rows = np.flatnonzero((~arrow.blank("gminy_obslugiwane")).to_numpy())
    cells, group = distinct_cells(frame["gminy_obslugiwane"], rows)
    texts = [str(v) for v in cells]
    items: dict[str, str | None] = {}
    parsed = {raw: _parse_service_area(raw, terc, items) for raw in dict.fromkeys(texts)}
    codes = per_row(n, rows, group, [";".join(parsed[r][0]) or None for r in texts], None)
    unread = [
        "Nie rozpoznano gmin obszaru działania: " + ", ".join(parsed[r][1]) + "." for r in texts
    ]
    work.problems.note(
        pd.Series(
            per_row(n, rows, group, [bool(parsed[r][1]) for r in texts], False),
            index=frame.index,
        ),
        P_SERVICE,
        pd.Series(per_row(n, rows, group, unread, ""), index=frame.index, dtype=object),
    )
    # The column's dtype as pandas infers it for text with gaps (as map() would give).
    return pd.Series(codes.tolist(), index=frame.index)


def parse_service_area(value: object, terc: Terc) -> tuple[list[str], list[str]]:
    """Read ``gminy_obslugiwane``: codes (or names) separated by ``;`` ``,`` or new lines.

    Returns
    -------
    tuple[list[str], list[str]]
        Current gmina codes found, and the items that could not be read.
    """
    return _parse_service_area(value, terc, {})


def _parse_service_area(
    value: object, terc: Terc, items: dict[str, str | None]
) -> tuple[list[str], list[str]]:
    """:func:`parse_service_area`, with ``items`` (item -> code, None if unread) kept across
    calls: the same codes recur in many service areas."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return [], []
    codes: list[str] = []
    bad: list[str] = []
    for item in _SPLIT_LIST.split(str(value)):
        item = item.strip()
        if not item:
            continue
        if item not in items:
            items[item] = _service_area_item(item, terc)
        code = items[item]
        if code is None:
            bad.append(item)
        else:
            codes.append(code)
    return list(dict.fromkeys(codes)), bad


def _service_area_item(item: str, terc: Terc) -> str | None:
    """The gmina code of one service-area item (a code or a unique gmina name), or None."""
    match = terc.normalize(item)
    if match.code:
        return match.code
    names = terc.gminy.loc[terc.gminy["nazwa"].map(fold) == clean_name(item)[0], "teryt"]
    return str(names.iloc[0]) if len(names) == 1 else None
