"""Registry frames to and from table columns: what is written and how rows come back.

Writing, :func:`prepare_columns` checks a frame and turns each native column into one object
array (text or float, gaps as the driver's fastest NULL) and :func:`records` cuts them into
insert batches. Reading, :func:`entities_frame` builds the entity frame with stable dtypes
from the columns of whole versions. Both sides work on whole columns (NumPy), never row by
row in Python: this is the path of the 100k-row import and read-back.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.core.schema import REGISTRY_COLUMNS
from geo.store.models import StoreError
from geo.store.tables import FLOAT_COLUMNS

__all__ = [
    "ENTITY_COLUMNS",
    "Rows",
    "entities_frame",
    "entity_keys",
    "prepare_columns",
    "records",
    "rows_columns",
    "text_value",
]

#: Columns of the frames returned by :meth:`Store.current_entities` and
#: :meth:`Store.version_entities`.
ENTITY_COLUMNS: tuple[str, ...] = (*REGISTRY_COLUMNS, "zrodlo_rejestru", "wersja", "entity_key")


def text_value(value: Any) -> Any:
    """Text form of a non-string cell (numbers and dates from Excel readers)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp == stamp.normalize() and stamp.tzinfo is None:
            return stamp.date().isoformat()
        return stamp.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real) and float(value).is_integer():
        # Excel gives 612011.0 for a number cell holding a code or an id.
        return str(int(float(value)))
    return str(value)


def prepare_columns(frame: object, missing: Any = None) -> dict[str, np.ndarray]:
    """Return the native columns that hold any value, as object arrays of str/float.

    Gaps are ``missing``; a column that is absent or has no value at all is left out (its
    cells are stored as NULL without being sent). Raises :class:`StoreError` when the frame
    cannot be stored.
    """
    table = _checked_frame(frame)
    out: dict[str, np.ndarray] = {}
    for col in REGISTRY_COLUMNS:
        if col not in table.columns:
            continue
        if col in FLOAT_COLUMNS:
            cells = _float_cells(col, table[col], missing)
        else:
            cells = _text_cells(table[col], missing)
        if cells is not None:
            out[col] = cells
    return out


def _checked_frame(frame: object) -> pd.DataFrame:
    """``frame`` when it can be stored as a version, else :class:`StoreError` (Polish)."""
    if not isinstance(frame, pd.DataFrame):
        raise StoreError("Do zapisania rejestru potrzebna jest tabela (DataFrame).")
    if len(frame) == 0:
        raise StoreError("Plik nie zawiera żadnych wierszy z danymi; rejestr nie został zmieniony.")
    if not any(c in REGISTRY_COLUMNS for c in frame.columns):
        raise StoreError(
            "Tabela nie zawiera żadnej kolumny rejestru (np. „nazwa”, „typ”, „teryt”); "
            "rejestr nie został zmieniony."
        )
    duplicated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    duplicated = [c for c in duplicated if c in REGISTRY_COLUMNS]
    if duplicated:
        raise StoreError(
            "Kolumny występują w tabeli więcej niż raz: " + ", ".join(duplicated) + "."
        )
    return frame


def _float_cells(col: str, raw: pd.Series, missing: Any) -> np.ndarray | None:
    """A coordinate column as floats (``None`` when it is all gaps); text there is refused."""
    numeric = pd.to_numeric(raw, errors="coerce").astype("float64").to_numpy()
    gaps = np.isnan(numeric)
    bad = (gaps & raw.notna().to_numpy()) | np.isinf(numeric)
    if bad.any():
        pos = int(bad.nonzero()[0][0])
        raise StoreError(
            f"Kolumna „{col}” musi zawierać liczby; w {pos + 1}. wierszu danych jest "
            f"{str(raw.iloc[pos])!r}. Rejestr nie został zmieniony."
        )
    if gaps.all():
        return None
    cells = numeric.astype(object)
    cells[gaps] = missing
    return cells


def _text_cells(raw: pd.Series, missing: Any) -> np.ndarray | None:
    """A text column as str cells (``None`` when it is all gaps); numbers and dates as text."""
    values = raw.to_numpy(dtype=object)
    # The registry reader's full columns (only str) are taken as they are: no gaps.
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        return values
    gaps = pd.isna(values)
    if gaps.all():
        return None
    given = values[~gaps]
    if pd.api.types.infer_dtype(given, skipna=False) != "string":
        given = pd.Series(given, dtype=object).map(text_value).to_numpy(dtype=object)
    cells = np.full(len(values), missing, dtype=object)
    cells[~gaps] = given
    return cells


@dataclass(frozen=True, eq=False)
class Rows:
    """A batch of entity rows: ``values[i, j]`` is row ``i``'s value of column ``keys[j]``."""

    keys: tuple[str, ...]
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.values)


def records(columns: dict[str, np.ndarray], version_id: int, start: int, stop: int) -> Rows:
    """Rows ``start:stop`` of prepared columns, with the version id and the row numbers."""
    keys = ("version_id", "row_no", *columns)
    values = np.empty((stop - start, len(keys)), dtype=object)
    values[:, 0] = version_id
    values[:, 1] = np.arange(start + 1, stop + 1)  # stored as Python ints
    for position, cells in enumerate(columns.values(), start=2):
        values[:, position] = cells[start:stop]
    return Rows(keys, values)


def entity_keys(prefixes: np.ndarray, ids: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``"<source>:<id>"`` (prefixes ``"<source>:"``) with the stripped id, else the row number."""
    parts = np.array([i.strip() if isinstance(i, str) else "" for i in ids.tolist()], dtype=object)
    blank = (parts == "").nonzero()[0]
    parts[blank] = [str(row) for row in rows[blank].tolist()]
    return prefixes + parts


def rows_columns(rows: Sequence[tuple[Any, ...]]) -> dict[str, np.ndarray]:
    """Columns of entity rows (the registry columns, then the row number)."""
    # dtype=object keeps None as None (pandas 3 would infer str columns with NaN otherwise).
    table = pd.DataFrame(rows, columns=[*REGISTRY_COLUMNS, "_row"], dtype=object)
    # Copies: the frame's own arrays are read-only views, and the entity frame keeps these.
    return {c: table[c].to_numpy(copy=True) for c in table.columns}


def entities_frame(
    parts: Sequence[dict[str, np.ndarray]], versions: Sequence[tuple[str, int]]
) -> pd.DataFrame:
    """Build the entity frame with stable dtypes: text as object (str/None), floats, ints.

    ``parts`` are the columns (registry columns and ``_row``, the row number) of the
    ``versions`` (source name, version number), whose rows follow one another in the frame.
    """
    counts = [len(part["_row"]) for part in parts]
    columns: dict[str, np.ndarray] = {}
    for col in (*REGISTRY_COLUMNS, "_row"):
        arrays = [part[col] for part in parts]
        if len(arrays) == 1:
            columns[col] = arrays[0]
        else:
            columns[col] = np.concatenate(arrays) if arrays else np.empty(0, dtype=object)
    sources = np.array([name for name, _ in versions], dtype=object)
    names = np.repeat(sources, counts)
    data: dict[str, pd.Series] = {}
    for col in REGISTRY_COLUMNS:
        if col in FLOAT_COLUMNS:
            data[col] = pd.Series(pd.to_numeric(columns[col], errors="coerce"), dtype="float64")
        else:
            data[col] = pd.Series(columns[col], dtype=object, copy=False)
    data["zrodlo_rejestru"] = pd.Series(names, dtype=object, copy=False)
    data["wersja"] = pd.Series(np.repeat([n for _, n in versions], counts), dtype="int64")
    prefixes = np.repeat(sources + ":", counts)
    keys = entity_keys(prefixes, columns["id"], columns["_row"].astype(np.int64))
    data["entity_key"] = pd.Series(keys, dtype=object, copy=False)
    # The columns as they are: a DataFrame of arrays would copy them into one block.
    return pd.DataFrame(data, copy=False)
