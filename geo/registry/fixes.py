"""Manual fixes applied to registry entities before they are located.

Editors' fixes (gmina, coordinates, service area, duplicate) are stored by the store with the
entity's stable key; applying them is domain work, so it lives here, not in the store (which
knows nothing of the domain).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from geo.registry.keys import stable_keys
from geo.store import FixInfo

__all__ = ["apply_fixes"]


def apply_fixes(frame: pd.DataFrame, fixes: Sequence[FixInfo]) -> pd.DataFrame:
    """Apply manual fixes to registry entities, before they are located.

    Parameters
    ----------
    frame : pandas.DataFrame
        Registry rows with ``zrodlo_rejestru`` (as :meth:`Store.current_entities` returns).
    fixes : sequence of FixInfo
        The fixes; inactive ones and those whose entity is no longer in the registry are
        ignored.

    Returns
    -------
    pandas.DataFrame
        A copy with ``klucz_podmiotu`` (the stable key) and ``poprawki`` (Polish description
        of the fixes applied, else ``None``). Codes, coordinates and service areas are
        replaced; an entity marked as a duplicate of another is left out, so that it is not
        counted twice (it stays in the store and in the list of fixes).
    """
    out = frame.copy().reset_index(drop=True)
    out["klucz_podmiotu"] = stable_keys(out).to_numpy(dtype=object)
    out["poprawki"] = pd.Series([None] * len(out), dtype=object)
    active = [f for f in fixes if f.active]
    if not active or out.empty:
        return out
    sources = (
        out["zrodlo_rejestru"].astype(object)
        if "zrodlo_rejestru" in out.columns
        else pd.Series([None] * len(out), dtype=object)
    )
    position = dict(zip(zip(sources, out["klucz_podmiotu"], strict=True), out.index, strict=True))
    by_name = {f"{src}:{key}": row for (src, key), row in position.items()}
    marked = {
        position[(f.source, f.entity)]
        for f in active
        if f.kind == "duplikat" and (f.source, f.entity) in position
    }
    notes: dict[int, list[str]] = {}
    dropped: list[int] = []
    for fix in sorted(active, key=lambda f: f.id):
        row = position.get((fix.source, fix.entity))
        if row is None:
            continue
        value = fix.value
        if fix.kind == "gmina":
            out.at[row, "teryt"] = value["teryt"]
        elif fix.kind == "wspolrzedne":
            out.at[row, "szerokosc"] = float(value["szerokosc"])
            out.at[row, "dlugosc"] = float(value["dlugosc"])
        elif fix.kind == "gminy_obslugiwane":
            out.at[row, "gminy_obslugiwane"] = ";".join(value["gminy"])
        elif fix.kind == "duplikat":
            original = by_name.get(str(value["duplikat_z"]))
            # Left out only while its original is there and counted: never both of a pair.
            if original is None or original in marked:
                continue
            dropped.append(row)
        notes.setdefault(row, []).append(fix.describe())
    rows = list(notes)
    out.loc[rows, "poprawki"] = pd.Series(
        ["; ".join(notes[r]) for r in rows], index=rows, dtype=object
    )
    return out.drop(index=dropped).reset_index(drop=True)
