"""Arrow text helpers: one conversion of text cells, their bytes read in place."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from geo._arrow import arrow_strings, utf8_bytes


def test_text_and_missing_cells_become_one_array_with_nulls() -> None:
    cells = np.array(["Łęczna", None, float("nan"), pd.NA, ""], dtype=object)
    strings = arrow_strings(cells)
    assert strings is not None and strings.type == pa.large_string()
    assert strings.to_pylist() == ["Łęczna", None, None, None, ""]
    assert arrow_strings(np.array([None, None], dtype=object)).to_pylist() == [None, None]


@pytest.mark.parametrize("other", [12, 3.5, dt.date(2026, 1, 1), b"bytes", True])
def test_other_cells_are_left_to_the_caller(other: object) -> None:
    assert arrow_strings(np.array(["a", other], dtype=object)) is None


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_bytes_of_a_slice_read_in_place(kind: pa.DataType) -> None:
    values = ["przed", "Żółw", None, "", "ab", "po"]
    inner = pa.array(values, type=kind)[1:-1]
    offsets, data = utf8_bytes(inner)
    cells = [bytes(data[a:b]).decode() for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
    assert cells == ["Żółw", "", "", "ab"]
    assert offsets.dtype == np.int64 and offsets[0] == 0


def test_bytes_of_arrays_without_text() -> None:
    for array in (pa.nulls(3, pa.large_string()), pa.array([], type=pa.string())):
        offsets, data = utf8_bytes(array)
        assert offsets.tolist() == [0] * (len(array) + 1)
        assert len(data) == 0
