"""Registry exports (CSV, XLSX, GeoJSON) with formula-like text neutralised.

The registry page offers the located entities for download; whatever a source wrote in a cell
(``=HYPERLINK(...)``) must reach a spreadsheet as text, never as a formula, in every format,
and without control or invisible characters. CSV and XLSX are for people (Polish headers, CSV
with ``;`` and decimal commas, see :mod:`geo.io.export`); GeoJSON keeps the data's names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from geo.core.schema import REGISTRY_COLUMNS
from geo.io.export import safe_frame, to_bytes

__all__ = ["EXPORT_COLUMNS", "EXPORT_FORMATS", "export_registry"]

EXPORT_FORMATS = ("csv", "xlsx", "geojson")
#: Columns of a registry export, in order (those present are written).
EXPORT_COLUMNS = (
    *REGISTRY_COLUMNS,
    "zrodlo_rejestru",
    "wersja",
    "klucz_podmiotu",
    "teryt_gminy",
    "metoda_lokalizacji",
    "pozycja_przyblizona",
    "uwzgledniony",
    "problem_kategoria",
    "problem",
    "poprawki",
)


def export_registry(
    entities: pd.DataFrame, fmt: str, meta: Mapping[str, str] | None = None
) -> bytes:
    """Registry rows as CSV, XLSX or GeoJSON, with formula-like text neutralised.

    Parameters
    ----------
    entities : pandas.DataFrame or geopandas.GeoDataFrame
        Registry rows, located ones (with a point geometry) for GeoJSON.
    fmt : str
        One of :data:`EXPORT_FORMATS`.
    meta : dict, optional
        Source and date notes (XLSX sheet "Źródła"; GeoJSON top-level ``metadata``).
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Nieznany format {fmt!r}: dostępne {', '.join(EXPORT_FORMATS)}.")
    columns = [c for c in EXPORT_COLUMNS if c in entities.columns]
    table = pd.DataFrame(entities)[columns]
    if fmt != "geojson":
        return to_bytes(table, fmt, meta=meta, sheet="Rejestr", people=True)
    if not isinstance(entities, gpd.GeoDataFrame) or entities.geometry.name not in entities:
        raise ValueError("Eksport GeoJSON wymaga podmiotów z położeniem (geometrią).")
    safe = safe_frame(table)
    located = gpd.GeoDataFrame(safe, geometry=entities.geometry.to_numpy(), crs=entities.crs)
    if located.crs is not None:
        located = located.to_crs("EPSG:4326")
    payload = json.loads(located.to_json(na="null", drop_id=True))
    if meta:
        payload["metadata"] = {k: str(v) for k, v in meta.items()}
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")
