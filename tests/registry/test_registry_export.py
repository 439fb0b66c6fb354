"""Tests of geo/registry/export.py: registry downloads are formula-safe in every format."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from geo.registry.export import export_registry


def test_exports_are_formula_safe_in_every_format(region) -> None:
    frame = pd.DataFrame(
        {
            "id": ["1", "2"],
            "nazwa": ['=HYPERLINK("http://zly.example")', "<script>alert(1)</script>"],
            "typ": ["KIS", "CIS"],
            "teryt": ["0663011", "0662011"],
            "uwagi": ["+48 81 000", "@SUM(A1)"],
            "zrodlo_rejestru": ["lista", "lista"],
        }
    )
    from geo.analysis.locate import locate_entities

    located = locate_entities(frame, region.gminy, region.terc, "06")
    meta = {"stan na": "2026-01-01"}
    csv = export_registry(located, "csv", meta).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and "'+48 81 000" in csv and "'@SUM(A1)" in csv
    assert "<script>alert(1)</script>" in csv  # text stays text
    book = openpyxl.load_workbook(io.BytesIO(export_registry(located, "xlsx", meta)))
    values = [c for row in book["Rejestr"].iter_rows(values_only=True) for c in row]
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "@")) for v in values)
    geojson = json.loads(export_registry(located, "geojson", meta))
    assert geojson["type"] == "FeatureCollection" and geojson["metadata"] == meta
    assert [f["properties"]["nazwa"] for f in geojson["features"]] == [
        '\'=HYPERLINK("http://zly.example")',
        "<script>alert(1)</script>",
    ]
    lon, lat = geojson["features"][0]["geometry"]["coordinates"]
    assert 22.4 < lon < 22.7 and 51.1 < lat < 51.4  # Lublin
    with pytest.raises(ValueError, match="geometrią"):
        export_registry(frame, "geojson")
    with pytest.raises(ValueError, match="Nieznany format"):
        export_registry(frame, "pdf")
