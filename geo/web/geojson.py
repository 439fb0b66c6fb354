"""The gminas as GeoJSON for Leaflet: rounded shapes, escaped tooltip texts, one style function.

Why it exists: the gmina layer is most of the map document, so it carries only what the map
shows. Properties are the tooltip texts (already HTML-escaped, see :mod:`geo.web.escape`)
and the indicator's class key ``k``; coordinates are rounded to ~1 m; the colours come from
one small JavaScript function per layer that reads ``k``, not one style entry per gmina, so
the document grows only with the geometry (all Poland: 2,477 gminas).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Collection

import folium
import geopandas as gpd
import pandas as pd
from cachetools import LRUCache, cached

from geo.analysis.coverage import (
    COVERAGE_LABELS,
    COVERED_BY_AGREEMENT,
    NOT_COVERED,
    pes_count,
)
from geo.core.content import content_key
from geo.errors import MapError
from geo.present.styles import NO_DATA
from geo.web.escape import escaped, km_text, plain_text
from geo.web.indicators import (
    COVERAGE_ORDER,
    PLAIN_INDICATORS,
    LegendClass,
    indicator_classes,
    require_columns,
)
from geo.web.simplify import rounded

__all__ = [
    "GMINA_BORDER",
    "GMINA_CLASS_JS",
    "feature_collection",
    "geometry_json",
    "gmina_highlight",
    "gmina_style_js",
    "gminy_geojson",
]

GMINA_BORDER = "#ffffff"
_GMINA_COLUMNS = ("teryt", "nazwa", "rodzaj_nazwa", "powiat_nazwa", "pokrycie", "pes_razem")


def feature_collection(frame: gpd.GeoDataFrame) -> dict:
    """``frame`` as a GeoJSON FeatureCollection in lon/lat; the index becomes the feature id."""
    # to_json converts numpy scalars and NaN.
    return json.loads(frame.to_json(na="null", drop_id=False, to_wgs84=True))


def _geometry_key(geometry: gpd.GeoSeries, outline: bool = False) -> str:
    return content_key("outline" if outline else "area", geometries=[geometry.to_crs(4326)])


@cached(LRUCache(maxsize=8), key=_geometry_key, lock=threading.Lock())
def geometry_json(geometry: gpd.GeoSeries, outline: bool = False) -> list[dict]:
    """Rounded GeoJSON geometries (or their outlines) in lon/lat, cached by content.

    The same boundaries come back on every rerun of a page, so they are converted once. The
    dicts are shared between maps and must not be modified.
    """
    wgs = geometry.to_crs(4326)
    shapes = rounded(wgs.boundary if outline else wgs).reset_index(drop=True)
    return [f["geometry"] for f in json.loads(shapes.to_json())["features"]]


def _status_text(gminy: pd.DataFrame) -> pd.Series:
    label = gminy["pokrycie"].map(COVERAGE_LABELS)
    names = (
        gminy["obslugujace"].map(plain_text)
        if "obslugujace" in gminy
        else pd.Series("", gminy.index)
    )
    dist = (
        gminy["odleglosc_cis_kis_km"].map(km_text)
        if "odleglosc_cis_kis_km" in gminy
        else pd.Series("", gminy.index)
    )
    by_agreement = (gminy["pokrycie"] == COVERED_BY_AGREEMENT) & (names != "")
    missing = (gminy["pokrycie"] == NOT_COVERED) & (dist != "")
    text = label.where(~by_agreement, label + " (" + names + ")")
    return text.where(~missing, label + " (najbliższy CIS/KIS: " + dist + ")")


def gminy_geojson(
    gminy: gpd.GeoDataFrame,
    indicator: str = "pokrycie",
    types: Collection[str] | None = None,
    method: str | None = None,
) -> dict:
    """GeoJSON of the gminas with only the properties the map shows, already HTML-escaped.

    Parameters
    ----------
    gminy : geopandas.GeoDataFrame
        The per-gmina coverage frame (``teryt, nazwa, rodzaj_nazwa, powiat_nazwa, pokrycie,
        pes_razem``, optionally ``obslugujace``, ``odleglosc_cis_kis_km`` and the planning
        columns of the pipeline).
    indicator : str
        The choropleth indicator (a key of :data:`geo.web.indicators.INDICATORS`).
    types : collection of str, optional
        Entity types counted by the PES indicators (default: all).
    method : str, optional
        Class method of a numeric indicator (see :func:`geo.web.indicators.indicator_classes`).

    Returns
    -------
    dict
        FeatureCollection; feature ``id`` is the TERYT code; properties ``kind`` ("gmina"),
        ``ref`` (TERYT), ``pokrycie``, ``k`` (the indicator class key) and the escaped
        tooltip texts ``nazwa, rodzaj, powiat, status, pes`` (and ``wartosc``, the
        indicator's value, for indicators other than coverage and number of PES).
        Coordinates rounded to 5 decimals.

    Raises
    ------
    MapError
        When columns are missing or ``pokrycie`` has an unknown value.
    """
    require_columns(gminy, _GMINA_COLUMNS, "gmin")
    unknown = sorted(set(gminy["pokrycie"].dropna()) - set(COVERAGE_ORDER))
    if unknown or gminy["pokrycie"].isna().any():
        raise MapError(f"Nieznany status pokrycia gmin: {unknown or 'brak wartości'}.")
    keys, _, values = indicator_classes(gminy, indicator, types, method)
    teryt = gminy["teryt"].astype(str)

    props = pd.DataFrame(
        {
            "kind": "gmina",
            "ref": teryt.to_numpy(),
            "pokrycie": gminy["pokrycie"].to_numpy(),
            "k": keys.to_numpy(),
            "nazwa": gminy["nazwa"].map(escaped).to_numpy(),
            "rodzaj": gminy["rodzaj_nazwa"].map(escaped).to_numpy(),
            "powiat": gminy["powiat_nazwa"].map(escaped).to_numpy(),
            "status": _status_text(gminy).map(escaped).to_numpy(),
            "pes": pes_count(gminy, types).to_numpy(),
        }
    )
    if indicator not in PLAIN_INDICATORS:
        props["wartosc"] = values.map(escaped).replace("", "brak danych").to_numpy()
    shapes = geometry_json(gminy.geometry)
    records = props.to_dict("records")
    features = [
        {"type": "Feature", "id": code, "properties": rec, "geometry": shape}
        for code, rec, shape in zip(teryt.tolist(), records, shapes, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def gmina_style_js(classes: list[LegendClass]) -> folium.JsCode:
    """One style function for all gminas: the colour comes from the feature's class key.

    A Python style function would make folium list every gmina's id in the document; this
    stays a few lines long whatever the number of gminas.
    """
    colors = {c.key: c.color for c in classes}
    return folium.JsCode(
        "function (feature) {\n"
        f"    var colors = {json.dumps(colors)};\n"
        "    var p = feature.properties;\n"
        "    return {\n"
        f'        fillColor: colors[p.k] || "{NO_DATA}", fillOpacity: 0.88,\n'
        f'        color: "{GMINA_BORDER}", weight: 0.8,\n'
        '        className: "gmina gmina-" + p.pokrycie + " gmina-k-" + p.k\n'
        "    };\n"
        "}"
    )


#: The TERYT code as a class lets tests and styles find one gmina's path; added in the
#: browser so that the document holds no per-gmina style entries.
GMINA_CLASS_JS = folium.JsCode(
    """function (feature, layer) {
        var code = String(feature.id).replace(/[^0-9A-Za-z_-]/g, "");
        layer.options.className = (layer.options.className || "") + " gmina-" + code;
    }"""
)


def gmina_highlight(feature: dict) -> dict:
    """The style of the gmina under the pointer."""
    return {"weight": 3, "color": "#111111", "fillOpacity": 0.95}
