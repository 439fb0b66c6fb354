"""Tabular exports (CSV, JSON, XLSX) that are safe to open in a spreadsheet.

Text cells starting with ``= + - @`` (or a tab/CR) would be run as formulas by Excel or
LibreOffice; they are prefixed with an apostrophe. Numbers are left alone.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

FORMATS = ("csv", "json", "xlsx")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """Return ``value`` with a leading apostrophe if a spreadsheet would treat it as formula."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` without geometry, with formula-like text neutralised."""
    out = pd.DataFrame(frame).drop(columns=["geometry"], errors="ignore").copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralize)
    return out


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _json_value(value.item())
    return value


def to_bytes(
    frame: pd.DataFrame, fmt: str, meta: Mapping[str, str] | None = None, sheet: str = "Dane"
) -> bytes:
    """Serialise ``frame`` as ``csv`` (UTF-8 with BOM, for Excel), ``json`` or ``xlsx``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Data to export (a ``geometry`` column is dropped).
    fmt : str
        One of :data:`FORMATS`.
    meta : Mapping[str, str], optional
        Source and date notes; written to a second sheet "Źródła" in XLSX.
    sheet : str
        Name of the data sheet in XLSX.
    """
    if fmt not in FORMATS:
        raise ValueError(f"Nieznany format {fmt!r}: dostępne {', '.join(FORMATS)}.")
    if fmt == "json":
        plain = pd.DataFrame(frame).drop(columns=["geometry"], errors="ignore")
        records = [
            {key: _json_value(val) for key, val in row.items()}
            for row in plain.to_dict(orient="records")
        ]
        return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")
    safe = safe_frame(frame)
    if fmt == "csv":
        return safe.to_csv(index=False).encode("utf-8-sig")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, sheet_name=sheet, index=False)
        if meta:
            notes = pd.DataFrame(
                {"pole": list(meta), "wartość": [neutralize(v) for v in meta.values()]}
            )
            notes.to_excel(writer, sheet_name="Źródła", index=False)
    return buffer.getvalue()
