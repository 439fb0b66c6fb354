"""Text columns as Arrow strings: one conversion, and their UTF-8 bytes read in place.

Shared by the registry reader, locating and coverage, whose vectorised steps work on Arrow
string arrays rather than on Python ``str`` objects cell by cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa


def arrow_strings(cells: np.ndarray) -> pa.Array | None:
    """Cells of ``str`` and missing values (None, NaN, pd.NA) as one Arrow ``large_string``
    array with nulls; None when other cells (numbers, dates...) are present.

    Converting them at once is several times faster than ``astype("string")``, which checks
    and copies cell by cell.
    """
    if pd.api.types.infer_dtype(cells, skipna=True) not in ("string", "empty"):
        return None
    try:
        return pa.array(cells, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def utf8_bytes(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The cells' bytes of a (large) string array and their offsets into them, read in place.

    Returns ``offsets`` (int64, ``len(array) + 1``, starting at 0: cell ``i`` is
    ``data[offsets[i]:offsets[i + 1]]``) and ``data`` (uint8). Null cells are empty.
    """
    n = len(array)
    _, offsets_buf, data_buf = array.buffers()
    if offsets_buf is None:  # an array of nulls only, or an empty one
        return np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    width = np.int64 if pa.types.is_large_string(array.type) else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=width)[array.offset : array.offset + n + 1]
    data = np.frombuffer(data_buf or b"", dtype=np.uint8)[offsets[0] : offsets[-1]]
    return (offsets - offsets[0]).astype(np.int64, copy=False), data
