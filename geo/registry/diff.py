"""Differences between two sets of rows of one source: what a new version adds, removes, changes.

Entities are matched by their stable key (:func:`geo.registry.keys.stable_keys`), so a
reordered or re-typed file shows no difference; a changed field is listed once per entity with
its value before and after. Used by the upload review and by the version history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from geo.core.schema import REGISTRY_COLUMNS
from geo.io.registry import FIELD_LABELS
from geo.registry.keys import _text, stable_keys

if TYPE_CHECKING:
    from geo.store import Store

__all__ = [
    "CHANGE_ADDED",
    "CHANGE_CHANGED",
    "CHANGE_REMOVED",
    "RegistryDiff",
    "diff_frames",
    "diff_versions",
]

CHANGE_ADDED = "dodany"
CHANGE_REMOVED = "usunięty"
CHANGE_CHANGED = "zmieniony"


def _comparable(frame: pd.DataFrame, column: str) -> pd.Series:
    """Values of ``column`` in a form where equal data compares equal ('' == missing)."""
    if column not in frame.columns:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    values = frame[column]
    if column in ("szerokosc", "dlugosc"):
        numbers = pd.to_numeric(values, errors="coerce").round(7)
        return numbers.astype(object).where(numbers.notna(), None)
    text = _text(values)
    return text.astype(object).where(text != "", None)


@dataclass
class RegistryDiff:
    """Differences between two sets of rows of one source.

    Attributes
    ----------
    added, removed : pandas.DataFrame
        Rows only in the new (old) set: ``klucz_podmiotu`` plus the native columns.
    changed : pandas.DataFrame
        One row per changed field: ``klucz_podmiotu, nazwa, pole, przed, po``.
    unchanged : int
        Entities present in both with no difference.
    """

    added: pd.DataFrame
    removed: pd.DataFrame
    changed: pd.DataFrame
    unchanged: int

    @property
    def changed_entities(self) -> int:
        return int(self.changed["klucz_podmiotu"].nunique())

    @property
    def counts(self) -> dict[str, int]:
        """Polish labels -> numbers, for headline figures."""
        return {
            "dodane": len(self.added),
            "usunięte": len(self.removed),
            "zmienione": self.changed_entities,
            "bez zmian": self.unchanged,
        }

    @property
    def is_empty(self) -> bool:
        return self.added.empty and self.removed.empty and self.changed.empty

    def table(self) -> pd.DataFrame:
        """One row per added, removed or changed entity, for display and export.

        Columns ``zmiana, klucz_podmiotu, nazwa, typ, miejscowosc, szczegoly``.
        """
        columns = ["zmiana", "klucz_podmiotu", "nazwa", "typ", "miejscowosc", "szczegoly"]
        parts = []
        for frame, label in ((self.added, CHANGE_ADDED), (self.removed, CHANGE_REMOVED)):
            if not frame.empty:
                parts.append(
                    frame.reindex(columns=columns[1:5]).assign(zmiana=label, szczegoly=None)
                )
        if not self.changed.empty:
            described = self.changed.assign(
                opis=self.changed["pole"].map(lambda c: FIELD_LABELS.get(c, c))
                + ": "
                + self.changed["przed"].map(_shown)
                + " → "
                + self.changed["po"].map(_shown)
            )
            grouped = described.groupby("klucz_podmiotu", sort=False).agg(
                nazwa=("nazwa", "first"),
                typ=("typ", "first"),
                miejscowosc=("miejscowosc", "first"),
                szczegoly=("opis", "; ".join),
            )
            parts.append(grouped.reset_index().assign(zmiana=CHANGE_CHANGED))
        if not parts:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        return pd.concat(parts, ignore_index=True)[columns].astype(object)


def _shown(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "(puste)"
    return str(value)


_CHANGED_COLUMNS = ["klucz_podmiotu", "nazwa", "typ", "miejscowosc", "pole", "przed", "po"]


def diff_frames(old: pd.DataFrame, new: pd.DataFrame) -> RegistryDiff:
    """Compare two sets of rows of one source by stable key.

    Parameters
    ----------
    old, new : pandas.DataFrame
        Registry rows (native columns; other columns are ignored), e.g. two versions from the
        store, or the current version and a parsed upload.

    Returns
    -------
    RegistryDiff
    """
    old = old.drop(columns="zrodlo_rejestru", errors="ignore").reset_index(drop=True)
    new = new.drop(columns="zrodlo_rejestru", errors="ignore").reset_index(drop=True)
    old_keys, new_keys = stable_keys(old), stable_keys(new)
    in_old, in_new = set(old_keys), set(new_keys)
    added = _native(new, new_keys)[~new_keys.isin(in_old).to_numpy()].reset_index(drop=True)
    removed = _native(old, old_keys)[~old_keys.isin(in_new).to_numpy()].reset_index(drop=True)

    both_old = _keyed(old, old_keys, in_new)
    both_new = _keyed(new, new_keys, in_old).reindex(both_old.index)
    changed, differs = _field_changes(both_old, both_new)
    return RegistryDiff(
        added=added,
        removed=removed,
        changed=changed.astype(object),
        unchanged=int((~differs).sum()),
    )


def _native(frame: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """The native columns (missing as ``None``) after the stable key."""
    out = frame.reindex(columns=list(REGISTRY_COLUMNS)).astype(object)
    out = out.where(out.notna(), None)
    out.insert(0, "klucz_podmiotu", keys.to_numpy(dtype=object))
    return out


def _keyed(frame: pd.DataFrame, keys: pd.Series, wanted: set) -> pd.DataFrame:
    """The rows whose key is in ``wanted``, indexed by that key."""
    kept = keys.isin(wanted)
    return frame[kept.to_numpy()].set_axis(keys[kept].to_numpy())


def _field_changes(
    before_rows: pd.DataFrame, after_rows: pd.DataFrame
) -> tuple[pd.DataFrame, pd.Series]:
    """One row per changed field of entities in both sets, and which entities differ.

    Both frames are indexed by the same stable keys; rows come out in ``before_rows`` order.
    """
    changes = []
    differs = pd.Series(False, index=before_rows.index)
    for column in REGISTRY_COLUMNS:
        before, after = _comparable(before_rows, column), _comparable(after_rows, column)
        mask = (before.isna() != after.isna()) | (before.notna() & (before != after))
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            differs |= mask
            changes.append(
                pd.DataFrame(
                    {
                        "klucz_podmiotu": before.index[mask.to_numpy()],
                        "pole": column,
                        "przed": before[mask].to_numpy(dtype=object),
                        "po": after[mask].to_numpy(dtype=object),
                    }
                )
            )
    if not changes:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in _CHANGED_COLUMNS}), differs
    changed = pd.concat(changes, ignore_index=True)
    info = after_rows.reindex(columns=["nazwa", "typ", "miejscowosc"]).astype(object)
    changed = changed.join(info, on="klucz_podmiotu")
    order = {k: i for i, k in enumerate(before_rows.index)}
    changed = changed.sort_values(
        by="klucz_podmiotu", key=lambda s: s.map(order), kind="stable"
    ).reset_index(drop=True)[_CHANGED_COLUMNS]
    return changed, differs


def diff_versions(store: Store, old_version: int, new_version: int) -> RegistryDiff:
    """Diff between two stored versions (by version id)."""
    return diff_frames(store.version_entities(old_version), store.version_entities(new_version))
