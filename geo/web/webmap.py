"""The coverage map: gminas coloured by an indicator, entities as markers (folium/Leaflet).

The map must work with no outside network: no basemap by default (a light background and
the boundaries are the map), and every JavaScript/CSS file comes from the app's own static
folder (:mod:`geo.web.assets`) instead of folium's CDNs. Folium inserts GeoJSON property values
into tooltips and popups as HTML and renders its scripts twice through Jinja, so every text
from data is escaped here (HTML and template syntax) before it gets into the GeoJSON.

Indicators (:data:`INDICATORS`): CIS/KIS coverage, number of PES, PES per 10,000 inhabitants,
distance to the nearest CIS/KIS, LPRES status ("nieznany" hatched, never like "brak"). Styles
come from one small JavaScript function per layer, not one entry per gmina, so the document
grows only with the geometry (all Poland: 2,477 gminas). Dense markers are grouped with
Leaflet.markercluster, also served locally.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element
from folium.plugins import MarkerCluster
from folium.template import Template

from geo.analysis.coverage import (
    COVERAGE_LABELS,
    COVERED_BY_AGREEMENT,
    COVERED_HERE,
    NOT_COVERED,
)
from geo.core.schema import ENTITY_TYPES, SOCIAL_EMPLOYMENT_TYPES, TYPE_COLORS
from geo.errors import MapError
from geo.present.points import display_points, on_map_mask
from geo.web.assets import STATIC_URL, asset_urls

__all__ = [
    "CLUSTER_MIN_MARKERS",
    "COVERAGE_COLORS",
    "COVERAGE_ORDER",
    "INDICATORS",
    "LPRES_COLORS",
    "LegendClass",
    "MapError",
    "build_map",
    "entities_geojson",
    "external_urls",
    "gminy_geojson",
    "indicator_classes",
    "legend_html",
    "map_html",
    "pes_count",
    "pes_per_10k",
    "subregion_map",
    "use_local_assets",
]

COVERAGE_ORDER = (COVERED_HERE, COVERED_BY_AGREEMENT, NOT_COVERED)
#: Dark blue / light blue / light orange: distinct in lightness and on the blue-orange axis,
#: which all common colour-vision deficiencies keep; readable on a projector. The orange
#: CIS/KIS markers always sit on the dark-blue gminas, so they stand out.
COVERAGE_COLORS: dict[str, str] = {
    COVERED_HERE: "#2166ac",
    COVERED_BY_AGREEMENT: "#92c5de",
    NOT_COVERED: "#f4a582",
}
MAP_BACKGROUND = "#eef0f3"
LEGEND_WIDTH = 285  # px; the region is fitted beside the legend, never under it
GMINA_BORDER = "#ffffff"
POWIAT_BORDER = "#3a3a3a"
SUBREGION_BORDER = "#6a3d9a"
#: Class key drawn hatched (unknown LPRES status, unconfigured subregion) and its pattern.
HATCHED_CLASS = "nieznany"
UNKNOWN_SUBREGION = "nieznany"
HATCH_ID = "pes-kreski"
#: Above this many markers they are grouped (Leaflet.markercluster) where dense.
CLUSTER_MIN_MARKERS = 300
TYPE_FALLBACK = "INNY"
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
COORD_DECIMALS = 5  # ~1 m: far below what a screen shows, keeps the document small

_GMINA_COLUMNS = ("teryt", "nazwa", "rodzaj_nazwa", "powiat_nazwa", "pokrycie", "pes_razem")
_LOCAL_ASSETS = {
    "leaflet": "leaflet_js",
    "leaflet_css": "leaflet_css",
    "markerclusterjs": "markercluster_js",
    "markerclustercss": "markercluster_css",
    "markerclusterdefaultcss": "markercluster_default_css",
}
# folium's defaults for Bootstrap/awesome-markers: unused here (no folium.Icon, plain popups).
_UNUSED_ASSETS = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)


# --------------------------------------------------------------------------- text helpers


def _is_blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _text(value: object) -> str:
    """Plain text of a data value ('' for missing values)."""
    if _is_blank(value):
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


def _html(text: str) -> str:
    """``text`` safe as HTML and inert as a template.

    folium renders every element's script twice through Jinja, so ``{{ … }}`` or ``{% … %}``
    in data would be evaluated on the server: braces become character references, which a
    browser shows as braces.
    """
    return html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;")


def _esc(value: object) -> str:
    return _html(_text(value))


def _date_text(value: object) -> str:
    """ISO dates as the Polish dd.mm.yyyy; anything else as given."""
    text = _text(value)
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text).strftime("%d.%m.%Y")
        except ValueError:  # e.g. 2024-02-30: shown as written
            return text
    return text


def _km(value: float | None) -> str:
    if value is None or _is_blank(value):
        return ""
    return f"{float(value):.1f}".replace(".", ",") + "\u00a0km"


def _js_string(text: str) -> str:
    """A JavaScript string literal that is also safe inside an HTML <script>."""
    return json.dumps(text).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --------------------------------------------------------------------------- geometry


def _rounded(geometry: gpd.GeoSeries, decimals: int = COORD_DECIMALS) -> gpd.GeoSeries:
    values = shapely.transform(
        np.asarray(geometry.array, dtype=object), lambda xy: np.round(xy, decimals)
    )
    return gpd.GeoSeries(values, index=geometry.index, crs=geometry.crs)


def _feature_collection(frame: gpd.GeoDataFrame) -> dict:
    # to_json converts numpy scalars and NaN; the index becomes the feature id.
    return json.loads(frame.to_json(na="null", drop_id=False, to_wgs84=True))


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MapError(
            f"Brak kolumn {', '.join(missing)} w danych {what}; nie można narysować mapy."
        )


# --------------------------------------------------------------------------- indicators


@dataclass(frozen=True)
class LegendClass:
    """One class of a choropleth: its key (CSS-safe), Polish label and fill colour."""

    key: str
    label: str
    color: str


#: Choropleth indicators by key, with their Polish names (the map page offers them all).
INDICATORS: dict[str, str] = {
    "pokrycie": "Pokrycie CIS/KIS",
    "pes_razem": "Liczba PES",
    "pes_na_10k": "PES na 10 tys. mieszkańców",
    "odleglosc_cis_kis_km": "Odległość do najbliższego CIS/KIS",
    "lpres_status": "Status LPRES",
}
INDICATOR_NOTES: dict[str, str] = {
    "pokrycie": "Model Lokalnej Współpracy: CIS lub KIS dla każdej gminy",
    "pes_razem": "działające podmioty wybranych typów w gminie",
    "pes_na_10k": "podmioty wybranych typów na 10 tys. mieszkańców (GUS BDL)",
    "odleglosc_cis_kis_km": "od granicy gminy do najbliższego działającego CIS/KIS",
    "lpres_status": "lokalny plan rozwoju ekonomii społecznej; „nieznany” = brak informacji",
}
# Indicators the tooltip already shows (coverage status, number of PES).
_PLAIN_INDICATORS = frozenset({"pokrycie", "pes_razem"})
_COUNT_COLORS = ("#f4f4f4", "#c7e9c0", "#74c476", "#31a354", "#006d2c")
NO_DATA_COLOR = "#bdbdbd"
#: LPRES: "nieznany" is white and hatched, never a shade that could be read as "brak".
LPRES_COLORS: dict[str, str] = {
    "przyjety": "#1b7837",
    "w_przygotowaniu": "#a6dba0",
    "wygasly": "#9970ab",
    "brak": "#d6604d",
    "nieznany": "#ffffff",
}
LPRES_LABELS: dict[str, str] = {
    "przyjety": "przyjęty (obowiązuje)",
    "w_przygotowaniu": "w przygotowaniu",
    "wygasly": "wygasły",
    "brak": "brak planu",
    "nieznany": "nieznany (brak informacji)",
}
_Bin = tuple[str, str, Callable[[pd.Series], pd.Series]]
_PES_BINS: tuple[_Bin, ...] = (
    ("0", _COUNT_COLORS[0], lambda v: v == 0),
    ("1", _COUNT_COLORS[1], lambda v: v == 1),
    ("2–4", _COUNT_COLORS[2], lambda v: (v >= 2) & (v <= 4)),
    ("5–9", _COUNT_COLORS[3], lambda v: (v >= 5) & (v <= 9)),
    ("10 i więcej", _COUNT_COLORS[4], lambda v: v >= 10),
)
_PER_10K_BINS: tuple[_Bin, ...] = (
    ("0", _COUNT_COLORS[0], lambda v: v == 0),
    ("poniżej 1", _COUNT_COLORS[1], lambda v: (v > 0) & (v < 1)),
    ("1 – poniżej 2", _COUNT_COLORS[2], lambda v: (v >= 1) & (v < 2)),
    ("2 – poniżej 5", _COUNT_COLORS[3], lambda v: (v >= 2) & (v < 5)),
    ("5 i więcej", _COUNT_COLORS[4], lambda v: v >= 5),
)
_DISTANCE_BINS: tuple[_Bin, ...] = (
    ("0 km (CIS/KIS w gminie)", "#2166ac", lambda v: v == 0),
    ("do 10 km", "#92c5de", lambda v: (v > 0) & (v <= 10)),
    ("10–20 km", "#fddbc7", lambda v: (v > 10) & (v <= 20)),
    ("20–30 km", "#f4a582", lambda v: (v > 20) & (v <= 30)),
    ("ponad 30 km", "#d6604d", lambda v: v > 30),
)


def _type_columns(types: Collection[str] | None) -> list[str]:
    chosen = list(ENTITY_TYPES) if types is None else [t for t in ENTITY_TYPES if t in types]
    return [t.lower() for t in chosen]


def pes_count(gminy: pd.DataFrame, types: Collection[str] | None = None) -> pd.Series:
    """Active PES of the chosen types per gmina (sum of the coverage's per-type columns)."""
    columns = [c for c in _type_columns(types) if c in gminy.columns]
    if not columns:
        return pd.Series(0, index=gminy.index, dtype=int)
    return gminy[columns].apply(pd.to_numeric, errors="coerce").fillna(0).sum(axis=1).astype(int)


def pes_per_10k(gminy: pd.DataFrame, types: Collection[str] | None = None) -> pd.Series:
    """PES of the chosen types per 10,000 inhabitants (NaN without population data)."""
    people = pd.to_numeric(gminy["ludnosc"], errors="coerce").astype(float)
    people = people.where(people > 0)
    return (pes_count(gminy, types) / people * 10_000).round(2)


def _binned(
    values: pd.Series, bins: tuple[_Bin, ...], prefix: str
) -> tuple[pd.Series, list[LegendClass]]:
    """Class keys ``<prefix><i>`` by the first matching bin; ``<prefix>na`` for NaN."""
    filled = values.fillna(-1.0)
    conditions = [test(filled).to_numpy(dtype=bool) for _, _, test in bins]
    keys = np.select(conditions, [f"{prefix}{i}" for i in range(len(bins))], f"{prefix}na")
    classes = [
        LegendClass(f"{prefix}{i}", label, color) for i, (label, color, _) in enumerate(bins)
    ]
    return pd.Series(keys, index=values.index, dtype=object), classes


def indicator_classes(
    gminy: pd.DataFrame, indicator: str = "pokrycie", types: Collection[str] | None = None
) -> tuple[pd.Series, list[LegendClass], pd.Series]:
    """Choropleth classes of the gminas for one indicator.

    Parameters
    ----------
    gminy : pandas.DataFrame
        The per-gmina coverage frame (with the planning columns for ``lpres_status``).
    indicator : str
        A key of :data:`INDICATORS`.
    types : collection of str, optional
        Entity types counted by ``pes_razem`` and ``pes_na_10k`` (default: all).

    Returns
    -------
    keys : pandas.Series
        Class key of each gmina (CSS-safe text).
    classes : list of LegendClass
        The classes in legend order (a "brak danych" class is added only when used).
    values : pandas.Series
        Plain-text value of each gmina for the tooltip.

    Raises
    ------
    MapError
        Unknown indicator or missing column.
    """
    if indicator not in INDICATORS:
        raise MapError(f"Nieznany wskaźnik mapy „{indicator}”: dostępne {', '.join(INDICATORS)}.")
    if indicator == "pokrycie":
        keys = gminy["pokrycie"].astype(str)
        classes = [LegendClass(s, COVERAGE_LABELS[s], COVERAGE_COLORS[s]) for s in COVERAGE_ORDER]
        return keys, classes, gminy["pokrycie"].map(COVERAGE_LABELS).fillna("")
    if indicator == "lpres_status":
        _require(gminy, ("lpres_status",), "gmin (status LPRES)")
        keys = gminy["lpres_status"].fillna("nieznany").astype(str)
        keys = keys.where(keys.isin(list(LPRES_COLORS)), "nieznany")
        classes = [LegendClass(s, LPRES_LABELS[s], LPRES_COLORS[s]) for s in LPRES_COLORS]
        plan = (
            gminy["lpres_plan"].map(_text)
            if "lpres_plan" in gminy
            else pd.Series("", index=gminy.index)
        )
        values = keys.map(LPRES_LABELS) + np.where(plan != "", ": " + plan, "")
        return keys, classes, values
    if indicator == "pes_razem":
        values = pes_count(gminy, types).astype(float)
        keys, classes = _binned(values, _PES_BINS, "p")
        return keys, classes, values.map(lambda v: f"{int(v)}")
    if indicator == "pes_na_10k":
        _require(gminy, ("ludnosc",), "gmin (ludność)")
        values = pes_per_10k(gminy, types)
        keys, classes = _binned(values, _PER_10K_BINS, "w")
        text = values.map(lambda v: "" if pd.isna(v) else f"{v:.2f}".replace(".", ","))
        classes = [*classes, LegendClass("wna", "brak danych o ludności", NO_DATA_COLOR)]
        return keys, classes, text
    _require(gminy, ("odleglosc_cis_kis_km",), "gmin (odległość)")
    values = pd.to_numeric(gminy["odleglosc_cis_kis_km"], errors="coerce")
    keys, classes = _binned(values, _DISTANCE_BINS, "d")
    classes = [*classes, LegendClass("dna", "brak działającego CIS/KIS w danych", NO_DATA_COLOR)]
    return keys, classes, values.map(_km)


# --------------------------------------------------------------------------- gminas


def _status_text(gminy: pd.DataFrame) -> pd.Series:
    label = gminy["pokrycie"].map(COVERAGE_LABELS)
    names = (
        gminy["obslugujace"].map(_text) if "obslugujace" in gminy else pd.Series("", gminy.index)
    )
    dist = (
        gminy["odleglosc_cis_kis_km"].map(_km)
        if "odleglosc_cis_kis_km" in gminy
        else pd.Series("", gminy.index)
    )
    by_agreement = (gminy["pokrycie"] == COVERED_BY_AGREEMENT) & (names != "")
    missing = (gminy["pokrycie"] == NOT_COVERED) & (dist != "")
    text = label.where(~by_agreement, label + " (" + names + ")")
    return text.where(~missing, label + " (najbliższy CIS/KIS: " + dist + ")")


_geometry_memo: OrderedDict[str, list[dict]] = OrderedDict()
_geometry_lock = threading.Lock()
_GEOMETRY_MEMO_SIZE = 8


def _geometry_json(geometry: gpd.GeoSeries, outline: bool = False) -> list[dict]:
    """Rounded GeoJSON geometries (or their outlines), memoised by content.

    The same boundaries come back on every rerun of a page, so they are converted once. The
    dicts are shared between maps and must not be modified.
    """
    wgs = geometry.to_crs(4326)
    digest = hashlib.sha256(b"outline" if outline else b"area")
    for wkb in shapely.to_wkb(np.asarray(wgs.array, dtype=object)):
        digest.update(wkb if wkb is not None else b"-")
    key = digest.hexdigest()
    with _geometry_lock:
        if key in _geometry_memo:
            _geometry_memo.move_to_end(key)
            return _geometry_memo[key]
    rounded = _rounded(wgs.boundary if outline else wgs).reset_index(drop=True)
    shapes = [f["geometry"] for f in json.loads(rounded.to_json())["features"]]
    with _geometry_lock:
        _geometry_memo[key] = shapes
        while len(_geometry_memo) > _GEOMETRY_MEMO_SIZE:
            _geometry_memo.popitem(last=False)
    return shapes


def gminy_geojson(
    gminy: gpd.GeoDataFrame, indicator: str = "pokrycie", types: Collection[str] | None = None
) -> dict:
    """GeoJSON of the gminas with only the properties the map shows, already HTML-escaped.

    Parameters
    ----------
    gminy : geopandas.GeoDataFrame
        The per-gmina coverage frame (``teryt, nazwa, rodzaj_nazwa, powiat_nazwa, pokrycie,
        pes_razem``, optionally ``obslugujace``, ``odleglosc_cis_kis_km`` and the planning
        columns of the pipeline).
    indicator : str
        The choropleth indicator (a key of :data:`INDICATORS`).
    types : collection of str, optional
        Entity types counted by the PES indicators (default: all).

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
    _require(gminy, _GMINA_COLUMNS, "gmin")
    unknown = sorted(set(gminy["pokrycie"].dropna()) - set(COVERAGE_ORDER))
    if unknown or gminy["pokrycie"].isna().any():
        raise MapError(f"Nieznany status pokrycia gmin: {unknown or 'brak wartości'}.")
    keys, _, values = indicator_classes(gminy, indicator, types)
    teryt = gminy["teryt"].astype(str)

    props = pd.DataFrame(
        {
            "kind": "gmina",
            "ref": teryt.to_numpy(),
            "pokrycie": gminy["pokrycie"].to_numpy(),
            "k": keys.to_numpy(),
            "nazwa": gminy["nazwa"].map(_esc).to_numpy(),
            "rodzaj": gminy["rodzaj_nazwa"].map(_esc).to_numpy(),
            "powiat": gminy["powiat_nazwa"].map(_esc).to_numpy(),
            "status": _status_text(gminy).map(_esc).to_numpy(),
            "pes": pes_count(gminy, types).to_numpy(),
        }
    )
    if indicator not in _PLAIN_INDICATORS:
        props["wartosc"] = values.map(_esc).replace("", "brak danych").to_numpy()
    shapes = _geometry_json(gminy.geometry)
    records = props.to_dict("records")
    features = [
        {"type": "Feature", "id": code, "properties": rec, "geometry": shape}
        for code, rec, shape in zip(teryt.tolist(), records, shapes, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def _gmina_style_js(classes: list[LegendClass]) -> folium.JsCode:
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
        f'        fillColor: colors[p.k] || "{NO_DATA_COLOR}", fillOpacity: 0.88,\n'
        f'        color: "{GMINA_BORDER}", weight: 0.8,\n'
        '        className: "gmina gmina-" + p.pokrycie + " gmina-k-" + p.k\n'
        "    };\n"
        "}"
    )


# The TERYT code as a class lets tests and styles find one gmina's path; added in the browser
# so that the document holds no per-gmina style entries.
_GMINA_CLASS_JS = folium.JsCode(
    """function (feature, layer) {
        var code = String(feature.id).replace(/[^0-9A-Za-z_-]/g, "");
        layer.options.className = (layer.options.className || "") + " gmina-" + code;
    }"""
)


def _gmina_highlight(feature: dict) -> dict:
    return {"weight": 3, "color": "#111111", "fillOpacity": 0.95}


# --------------------------------------------------------------------------- entities


def _row(label: str, value: str) -> str:
    return f"<tr><th>{_html(label)}</th><td>{value}</td></tr>" if value else ""


def _entity_popup(rec: Mapping[str, object], typ: str, gmina_name: str) -> str:
    start, end = _date_text(rec.get("data_rozpoczecia")), _date_text(rec.get("data_zakonczenia"))
    period = ""
    if start or end:
        period = (f"od {_html(start)}" if start else "") + (f" do {_html(end)}" if end else "")
    address = ", ".join(
        p
        for p in (
            _esc(rec.get("adres")),
            " ".join(x for x in (_esc(rec.get("kod_pocztowy")), _esc(rec.get("miejscowosc"))) if x),
        )
        if p
    )
    source = "; ".join(x for x in (_esc(rec.get("zrodlo")), _esc(rec.get("zrodlo_rejestru"))) if x)
    gmina = _html(gmina_name) if gmina_name else _esc(rec.get("gmina"))
    rows = "".join(
        [
            _row("Podmiot prowadzący", _esc(rec.get("podmiot_prowadzacy"))),
            _row("Adres", address),
            _row("Gmina", gmina),
            _row("Działalność", period),
            _row("Zweryfikowano", _html(_date_text(rec.get("data_weryfikacji")))),
            _row("Źródło", source),
            _row("Uwagi", _esc(rec.get("uwagi"))),
        ]
    )
    note = ""
    if bool(rec.get("pozycja_przyblizona")):
        note = (
            '<p class="pes-przyblizona">Lokalizacja przybliżona: punkt w gminie '
            "(rejestr nie podaje współrzędnych).</p>"
        )
    colour = TYPE_COLORS[typ]
    return (
        f'<div class="pes-popup"><div class="pes-nazwa">{_esc(rec.get("nazwa"))}</div>'
        f'<div class="pes-typ"><span class="pes-kropka" style="background:{colour}"></span>'
        f"{_html(typ)} – {_html(ENTITY_TYPES[typ])}</div>"
        f"<table>{rows}</table>{note}</div>"
    )


def entities_geojson(
    entities: gpd.GeoDataFrame,
    gminy: gpd.GeoDataFrame | None = None,
    include_inactive: bool = False,
) -> dict:
    """GeoJSON of the entities to draw, with escaped tooltip and popup HTML.

    Parameters
    ----------
    entities : geopandas.GeoDataFrame
        Located entities; only :func:`entities_on_map` rows are included.
    gminy : geopandas.GeoDataFrame, optional
        Gminas (``teryt, nazwa``), for the gmina name in popups and the spread of
        approximate points.
    include_inactive : bool
        Also entities not active on the "stan na" date (drawn faded, see ``aktywny``).

    Returns
    -------
    dict
        FeatureCollection of points; properties ``kind`` ("podmiot"), ``ref`` (position of
        the entity in ``entities``), ``typ`` (known type code), ``przyblizona`` (bool),
        ``aktywny`` (bool), ``etykieta`` (tooltip) and ``opis`` (popup), both escaped HTML.
    """
    mask = on_map_mask(entities, include_inactive)
    shown = entities[mask]
    positions = np.flatnonzero(mask)  # the ref the app uses to find the entity again
    typ = (
        shown["typ"].where(shown["typ"].isin(list(ENTITY_TYPES)), TYPE_FALLBACK)
        if len(shown)
        else pd.Series([], dtype=object)
    )
    approx = (
        shown["pozycja_przyblizona"].fillna(False).astype(bool)
        if "pozycja_przyblizona" in shown
        else pd.Series(False, index=shown.index)
    )
    names: dict[str, str] = {}
    if gminy is not None and {"teryt", "nazwa"} <= set(gminy.columns):
        names = dict(zip(gminy["teryt"].astype(str), gminy["nazwa"].map(_text), strict=True))
    gmina_names = (
        shown["teryt_gminy"].map(lambda c: names.get(str(c), "") if not _is_blank(c) else "")
        if "teryt_gminy" in shown
        else pd.Series("", index=shown.index)
    )
    records = shown.drop(columns=shown.geometry.name).to_dict("records")
    popups = [
        _entity_popup(rec, t, g)
        for rec, t, g in zip(records, typ.tolist(), gmina_names.tolist(), strict=True)
    ]
    active = (
        shown["aktywny"].fillna(False).astype(bool)
        if "aktywny" in shown
        else pd.Series(True, index=shown.index)
    )
    inactive_note = np.where(active.to_numpy(), "", " (nieaktywny w dniu „stan na”)")
    labels = [
        f"{_html(t)}: {_esc(rec.get('nazwa'))}{note}"
        for rec, t, note in zip(records, typ, inactive_note, strict=True)
    ]
    props = pd.DataFrame(
        {
            "kind": "podmiot",
            "ref": positions,
            "typ": typ.to_numpy(),
            "przyblizona": approx.to_numpy(),
            "aktywny": active.to_numpy(),
            "etykieta": labels,
            "opis": popups,
        },
        index=pd.Index([f"p{i}" for i in positions], name="id"),
    )
    points = _rounded(display_points(shown, gminy)).set_axis(props.index)
    return _feature_collection(gpd.GeoDataFrame(props, geometry=points, crs=4326))


def _entity_style(feature: dict) -> dict:
    props = feature["properties"]
    colour = TYPE_COLORS[props["typ"]]
    big = props["typ"] in SOCIAL_EMPLOYMENT_TYPES
    css = f"pes pes-{props['typ']}" + (" pes-przyblizona" if props["przyblizona"] else "")
    if not props.get("aktywny", True):
        # Faded and dashed: in the registry, but not active on the chosen date.
        return {
            "radius": 6,
            "color": colour,
            "weight": 2,
            "dashArray": "3 2",
            "opacity": 0.9,
            "fill": True,
            "fillColor": "#ffffff",
            "fillOpacity": 0.6,
            "className": css + " pes-nieaktywny",
        }
    if props["przyblizona"]:
        # Hollow ring: the position is only the gmina's, not the entity's address.
        return {
            "radius": 7 if big else 6,
            "color": colour,
            "weight": 3.5,
            "fill": True,  # white centre: also makes the whole disc clickable
            "fillColor": "#ffffff",
            "fillOpacity": 0.95,
            "className": css,
        }
    return {
        "radius": 8 if big else 6.5,
        "color": "#1a1a1a",
        "weight": 1.5,
        "fill": True,
        "fillColor": colour,
        "fillOpacity": 1.0,
        "className": css,
    }


def _entity_style_js() -> folium.JsCode:
    """The entity styles as one lookup table in the document (no per-marker entries)."""
    table = {
        f"{typ}|{int(approx)}|{int(active)}": _entity_style(
            {"properties": {"typ": typ, "przyblizona": approx, "aktywny": active}}
        )
        for typ in ENTITY_TYPES
        for approx in (False, True)
        for active in (False, True)
    }
    return folium.JsCode(
        "function (feature) {\n"
        f"    var styles = {json.dumps(table, ensure_ascii=True)};\n"
        "    var p = feature.properties;\n"
        '    var key = p.typ + "|" + (p.przyblizona ? 1 : 0) + "|" +\n'
        "        (p.aktywny === false ? 0 : 1);\n"
        "    return styles[key];\n"
        "}"
    )


# --------------------------------------------------------------------------- legend


def _legend_row(symbol: str, label: str, n: int | None = None, faded: bool = False) -> str:
    count = f' <span class="lg-n">({int(n)})</span>' if n is not None else ""
    css = "lg-row lg-zero" if faded else "lg-row"
    return f'<div class="{css}">{symbol}<span>{label}{count}</span></div>'


def _swatch(cls: LegendClass) -> str:
    hatch = " lg-hatch" if cls.key == HATCHED_CLASS else ""
    return f'<span class="lg-box{hatch}" style="background-color:{cls.color}"></span>'


def legend_html(
    counts: Mapping[str, int],
    types_shown: Mapping[str, int] | None,
    *,
    approximate: bool = True,
    note: str | None = None,
    classes: Sequence[LegendClass] | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    outlines: Sequence[tuple[str, str, bool]] = (("granica powiatu", POWIAT_BORDER, False),),
    inactive: bool = False,
    types: Collection[str] | None = None,
) -> str:
    """The legend as HTML (all text escaped).

    Parameters
    ----------
    counts : Mapping[str, int]
        Number of gminas per class key (coverage status by default).
    types_shown : Mapping[str, int] or None
        Number of markers per entity type (types with 0 are listed greyed); ``None`` leaves
        out the entity section.
    approximate : bool
        Explain the hollow markers.
    note : str, optional
        Footer text, e.g. the "stan na" date and data label.
    classes : sequence of LegendClass, optional
        The choropleth classes (default: the three coverage states).
    title, subtitle : str, optional
        Heading of the choropleth part (default: coverage).
    outlines : sequence of (label, colour, dashed)
        Boundary lines drawn on the map.
    inactive : bool
        Explain the faded markers of entities not active on the date.
    types : collection of str, optional
        Entity types listed (default: all; the others are filtered out of the map).
    """
    if classes is None:
        classes = [LegendClass(s, COVERAGE_LABELS[s], COVERAGE_COLORS[s]) for s in COVERAGE_ORDER]
    parts = [
        f'<div class="lg-title">{_html(title or "Pokrycie gmin CIS/KIS")}</div>',
        f'<div class="lg-sub">{_html(subtitle or INDICATOR_NOTES["pokrycie"])}</div>',
    ]
    for cls in classes:
        n = int(counts.get(cls.key, 0))
        parts.append(_legend_row(_swatch(cls), _html(cls.label), n, faded=n == 0))
    for label, colour, dashed in outlines:
        css = "lg-line lg-dashed" if dashed else "lg-line"
        line = f'<span class="{css}" style="border-color:{colour}"></span>'
        parts.append(_legend_row(line, _html(label)))
    if types_shown is not None:
        parts.append('<div class="lg-title lg-gap">Podmioty na mapie</div>')
        listed = [t for t in ENTITY_TYPES if types is None or t in types]
        for code in listed:
            name = ENTITY_TYPES[code]
            dot = f'<span class="lg-dot" style="background:{TYPE_COLORS[code]}"></span>'
            label = f"<b>{_html(code)}</b> {_html(name)}"
            n = int(types_shown.get(code, 0))
            parts.append(_legend_row(dot, label, n, faded=n == 0))
        if approximate:
            parts.append(
                _legend_row(
                    '<span class="lg-dot lg-ring"></span>',
                    "pusty środek: lokalizacja przybliżona (w gminie, bez adresu)",
                )
            )
        if inactive:
            parts.append(
                _legend_row(
                    '<span class="lg-dot lg-inactive"></span>',
                    "przerywany kontur: nieaktywny w dniu „stan na”",
                )
            )
    if note:
        parts.append(f'<div class="lg-note">{_html(note)}</div>')
    # Hatch pattern for "unknown" areas, referenced by the map's CSS (no external file).
    parts.append(
        '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
        f'<pattern id="{HATCH_ID}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#b0b0b0" stroke-width="1.5"/></pattern>'
        "</defs></svg>"
    )
    return "".join(parts)


_MAP_CSS = f"""
.leaflet-container {{ background: {MAP_BACKGROUND}; font: 13px/1.35 "Source Sans Pro",
  "Segoe UI", "DejaVu Sans", Arial, sans-serif; }}
.mapa-legenda {{ background: rgba(255,255,255,0.94); padding: 8px 10px; border-radius: 6px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); color: #1a1a1a; width: {LEGEND_WIDTH}px; line-height: 1.3;
  box-sizing: border-box; }}
.mapa-legenda .lg-title {{ font-weight: 700; font-size: 14px; }}
.mapa-legenda .lg-sub {{ color: #555; font-size: 12px; margin-bottom: 4px; }}
.mapa-legenda .lg-gap {{ margin-top: 8px; margin-bottom: 2px; }}
.mapa-legenda .lg-row {{ display: flex; align-items: center; gap: 6px; margin: 2px 0;
  font-size: 12.5px; }}
.mapa-legenda .lg-zero {{ color: #999; }}
.mapa-legenda .lg-n {{ color: #666; }}
.mapa-legenda .lg-box {{ width: 22px; height: 14px; flex: none; border: 1px solid #888; }}
.mapa-legenda .lg-line {{ width: 22px; height: 0; flex: none; border-top: 2.5px solid; }}
.mapa-legenda .lg-dot {{ width: 11px; height: 11px; flex: none; border-radius: 50%;
  border: 1.5px solid #1a1a1a; margin: 0 5px; }}
.mapa-legenda .lg-ring {{ background: #fff; border: 3px solid #555; width: 8px; height: 8px; }}
.mapa-legenda .lg-inactive {{ background: #fff; border: 2px dashed #555; }}
.mapa-legenda .lg-dashed {{ border-top-style: dashed; }}
.mapa-legenda .lg-hatch {{ background-image: repeating-linear-gradient(45deg, #9a9a9a 0 1.5px,
  transparent 1.5px 5px); }}
.leaflet-pane path.gmina-k-{HATCHED_CLASS} {{ fill: url(#{HATCH_ID}); }}
.leaflet-pane path.podregion-{UNKNOWN_SUBREGION} {{ fill: url(#{HATCH_ID}); }}
.mapa-legenda .lg-note {{ margin-top: 6px; padding-top: 4px; border-top: 1px solid #ddd;
  color: #444; font-size: 11.5px; }}
.pes-popup {{ min-width: 230px; max-width: 320px; }}
.pes-popup .pes-nazwa {{ font-weight: 700; font-size: 14px; margin-bottom: 2px; }}
.pes-popup .pes-typ {{ color: #333; margin-bottom: 4px; }}
.pes-popup .pes-kropka {{ display: inline-block; width: 10px; height: 10px;
  border-radius: 50%; margin-right: 5px; border: 1px solid #1a1a1a; }}
.pes-popup th {{ text-align: left; font-weight: 400; color: #555; padding: 1px 8px 1px 0;
  vertical-align: top; white-space: nowrap; }}
.pes-popup td {{ vertical-align: top; overflow-wrap: anywhere; }}
.pes-popup .pes-przyblizona {{ margin: 5px 0 0; color: #8a4b00; font-size: 12px; }}
"""


class Legend(folium.MacroElement):
    """Map CSS plus a Leaflet control holding the legend (pure HTML, no external files)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "mapa-legenda");
                div.innerHTML = {{ this.html_js }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
            L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, legend: str, position: str = "topright") -> None:
        super().__init__()
        self._name = "Legend"
        self.css = _MAP_CSS
        self.html_js = _js_string(legend)
        self.position = position


class _FitRegion(folium.MacroElement):
    """Fit the region beside the legend, again whenever the map's frame is resized.

    Streamlit sizes the component's frame after the map is created, so a single fitBounds
    would fit the region into a wrong size; refitting stops once the user pans or zooms.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var bounds = L.latLngBounds({{ this.bounds|tojson }});
            var options = {
                paddingTopLeft: [50, 10], paddingBottomRight: [{{ this.right }}, 10], animate: false
            };
            var touched = false;
            var fit = function () {
                if (touched) { return; }
                map.invalidateSize(false);
                var size = map.getSize();
                // A frame not laid out yet (zero size) would give NaN coordinates: the
                // ResizeObserver calls again once it has a size.
                if (size.x < 2 || size.y < 2) { return; }
                // A frame narrower than the legend's padding: fit without the padding.
                var roomy = size.x > {{ this.right }} + 100 && size.y > 60;
                map.fitBounds(bounds, roomy ? options : {animate: false});
            };
            ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (name) {
                map.getContainer().addEventListener(name, function () { touched = true; },
                                                    {passive: true});
            });
            fit();
            if (window.ResizeObserver) {
                new ResizeObserver(fit).observe(map.getContainer());
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "FitRegion"
        self.bounds = [[float(v) for v in corner] for corner in bounds]
        self.right = LEGEND_WIDTH + 20


# --------------------------------------------------------------------------- assets


def map_elements(element: Element) -> Iterator[Element]:
    """``element`` and all its descendants (folium/branca children), depth first."""
    yield element
    for child in element._children.values():
        yield from map_elements(child)


def _is_external(url: str) -> bool:
    return url.lower().startswith(("http://", "https://", "//"))


def use_local_assets(m: folium.Map, urls: Mapping[str, str] | None = None) -> folium.Map:
    """Point every element of ``m`` at the local Leaflet files; drop unused CDN files.

    Call after all elements are added and before rendering.

    Parameters
    ----------
    m : folium.Map
        The map (changed in place).
    urls : Mapping[str, str], optional
        Asset URLs by name (default :func:`geo.web.assets.asset_urls`).

    Returns
    -------
    folium.Map
        ``m``.

    Raises
    ------
    MapError
        When an element needs an external file with no local copy (the map would be blank
        offline).
    """
    urls = dict(urls or asset_urls())
    for element in map_elements(m):
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if not links:
                continue
            kept: list[tuple[str, str]] = []
            for name, url in links:
                if name in _LOCAL_ASSETS:
                    kept.append((name, urls[_LOCAL_ASSETS[name]]))
                elif name in _UNUSED_ASSETS:
                    continue
                elif _is_external(url):
                    raise MapError(
                        f"Element mapy {type(element).__name__} wymaga pliku z internetu ({url}); "
                        "dodaj jego lokalną kopię w geo/assets.py."
                    )
                else:
                    kept.append((name, url))
            # Instance attribute: folium's class-level lists are shared by all maps.
            setattr(element, attr, kept)
    return m


# --------------------------------------------------------------------------- map


# folium hands min_zoom/max_zoom only to its default tiles (there are none here), so they go
# to Leaflet directly; Leaflet.markercluster needs the map's maximum zoom.
_ZOOM_LIMITS: dict[str, Any] = {"minZoom": 5, "maxZoom": 18}


def _base_map(bounds: np.ndarray, offer_basemap: bool) -> folium.Map:
    minx, miny, maxx, maxy = bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=8,
        tiles=None,
        control_scale=False,  # metric-only scale bar is added with the legend
        zoom_snap=0.1,
        zoom_delta=0.5,
        **_ZOOM_LIMITS,
    )
    if offer_basemap:
        folium.TileLayer(
            OSM_TILES,
            name="Podkład OpenStreetMap (wymaga internetu)",
            attr="© autorzy OpenStreetMap (openstreetmap.org/copyright)",
            overlay=True,
            show=False,
            max_zoom=19,
        ).add_to(m)
    return m


def _outline_layer(
    shapes: gpd.GeoSeries, name: str, colour: str, weight: float, css: str, dashed: bool = False
) -> folium.GeoJson:
    lines = _geometry_json(shapes, outline=True)
    style = {"color": colour, "weight": weight, "opacity": 0.9, "fill": False, "className": css}
    if dashed:
        style["dashArray"] = "8 5"
    features = [
        {"type": "Feature", "id": str(i), "properties": {}, "geometry": line}
        for i, line in enumerate(lines)
    ]
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        style_function=lambda _: style,
        interactive=False,
    )


def _finish(m: folium.Map, legend: str, bounds: np.ndarray, static_url: str) -> folium.Map:
    minx, miny, maxx, maxy = bounds
    Legend(legend).add_to(m)
    folium.LayerControl(collapsed=True, position="topleft").add_to(m)
    _FitRegion([[miny, minx], [maxy, maxx]]).add_to(m)
    return use_local_assets(m, asset_urls(static_url))


def build_map(
    gminy: gpd.GeoDataFrame,
    entities: gpd.GeoDataFrame | None = None,
    powiaty: gpd.GeoDataFrame | None = None,
    *,
    indicator: str = "pokrycie",
    types: Collection[str] | None = None,
    subregions: gpd.GeoDataFrame | None = None,
    subregion_label: str = "granica podregionu",
    include_inactive: bool = False,
    cluster: bool | None = None,
    note: str | None = None,
    attribution: str | None = None,
    offer_basemap: bool = True,
    static_url: str = STATIC_URL,
) -> folium.Map:
    """Build the offline coverage map.

    Parameters
    ----------
    gminy : geopandas.GeoDataFrame
        Per-gmina coverage frame (see :func:`gminy_geojson`).
    entities : geopandas.GeoDataFrame, optional
        Located entities; those of :func:`entities_on_map` become markers (filter the
        types beforehand).
    powiaty : geopandas.GeoDataFrame, optional
        Powiat polygons, drawn as outlines (default: dissolved from ``gminy``).
    indicator : str
        What colours the gminas: a key of :data:`INDICATORS`.
    types : collection of str, optional
        Entity types counted by the PES indicators (default: all).
    subregions : geopandas.GeoDataFrame, optional
        Subregion polygons (:func:`geo.analysis.subregions.dissolve_subregions`), drawn as dashed
        outlines named ``subregion_label`` in the legend.
    include_inactive : bool
        Also draw entities not active on the date (faded, dashed).
    cluster : bool, optional
        Group dense markers (Leaflet.markercluster, served locally); default: when there
        are more than :data:`CLUSTER_MIN_MARKERS` markers.
    note : str, optional
        Legend footer, e.g. "Stan na 01.01.2026 · dane przykładowe".
    attribution : str, optional
        Data sources shown in the map's attribution line (plain text).
    offer_basemap : bool
        Add an OpenStreetMap layer to the layer switcher, off by default (it needs internet;
        the map is complete without it).
    static_url : str
        URL prefix of the app's static folder with the Leaflet files.

    Returns
    -------
    folium.Map
        A map whose HTML references no external file (except the optional tile URL).
    """
    gminy_json = gminy_geojson(gminy, indicator, types)
    keys, classes, _ = indicator_classes(gminy, indicator, types)
    if powiaty is None:
        powiaty = gminy[["powiat", gminy.geometry.name]].dissolve("powiat").reset_index()
    bounds = gminy.to_crs(4326).total_bounds
    m = _base_map(bounds, offer_basemap)

    folium.GeoJson(
        gminy_json,
        name=f"Gminy: {INDICATORS[indicator]}",
        highlight_function=_gmina_highlight,
        on_each_feature=_GMINA_CLASS_JS,
        tooltip=folium.GeoJsonTooltip(
            fields=["nazwa", "rodzaj", "powiat", "status", "pes"]
            + ([] if indicator in _PLAIN_INDICATORS else ["wartosc"]),
            aliases=["Gmina", "Rodzaj", "Powiat", "Pokrycie", "Liczba PES"]
            + ([] if indicator in _PLAIN_INDICATORS else [INDICATORS[indicator]]),
            sticky=True,
            class_name="gmina-tooltip",
        ),
        attribution=_html(attribution) if attribution else None,
        style=_gmina_style_js(classes),
    ).add_to(m)

    outlines: list[tuple[str, str, bool]] = [("granica powiatu", POWIAT_BORDER, False)]
    _outline_layer(powiaty.geometry, "Granice powiatów", POWIAT_BORDER, 2, "powiat").add_to(m)
    if subregions is not None and len(subregions):
        _outline_layer(
            subregions.geometry,
            _html(subregion_label.capitalize()),  # layer names are HTML in the switcher
            SUBREGION_BORDER,
            4,
            "podregion",
            dashed=True,
        ).add_to(m)
        outlines.append((subregion_label, SUBREGION_BORDER, True))

    types_shown: dict[str, int] | None = None
    any_approx = any_inactive = False
    if entities is not None:
        types_shown = {}
        points = entities_geojson(entities, gminy, include_inactive=include_inactive)
        for feature in points["features"]:
            p = feature["properties"]
            types_shown[p["typ"]] = types_shown.get(p["typ"], 0) + 1
            any_approx = any_approx or bool(p["przyblizona"])
            any_inactive = any_inactive or not p["aktywny"]
        if points["features"]:
            grouped = len(points["features"]) > CLUSTER_MIN_MARKERS if cluster is None else cluster
            layer = folium.GeoJson(
                points,
                name="Podmioty ekonomii społecznej",
                marker=folium.CircleMarker(radius=6),
                tooltip=folium.GeoJsonTooltip(fields=["etykieta"], labels=False),
                popup=folium.GeoJsonPopup(fields=["opis"], labels=False, max_width=340),
                control=not grouped,
                style=_entity_style_js(),
            )
            if grouped:
                group = MarkerCluster(
                    name="Podmioty ekonomii społecznej (grupowane)",
                    options={
                        "maxClusterRadius": 40,
                        "disableClusteringAtZoom": 12,
                        "showCoverageOnHover": False,
                        "spiderfyOnMaxZoom": True,
                    },
                )
                layer.add_to(group)
                group.add_to(m)
            else:
                layer.add_to(m)

    legend = legend_html(
        keys.value_counts().to_dict(),
        types_shown,
        approximate=any_approx,
        note=note,
        classes=[c for c in classes if not c.key.endswith("na") or (keys == c.key).any()],
        title=INDICATORS[indicator] if indicator != "pokrycie" else None,
        subtitle=INDICATOR_NOTES[indicator],
        outlines=outlines,
        inactive=any_inactive,
        types=types,
    )
    return _finish(m, legend, bounds, static_url)


#: Colours of named subregions (colour-blind-friendly qualitative set); unknown is hatched.
SUBREGION_COLORS = ("#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494")


def subregion_map(
    subregions: gpd.GeoDataFrame,
    powiaty: gpd.GeoDataFrame | None = None,
    *,
    title: str = "Podregiony",
    note: str | None = None,
    attribution: str | None = None,
    offer_basemap: bool = True,
    static_url: str = STATIC_URL,
) -> folium.Map:
    """Map of subregions dissolved from powiats, the unknown remainder hatched.

    Parameters
    ----------
    subregions : geopandas.GeoDataFrame
        :func:`geo.analysis.subregions.dissolve_subregions` output.
    powiaty : geopandas.GeoDataFrame, optional
        Powiat polygons drawn as thin outlines.
    title : str
        Legend heading (the definition's name).
    note, attribution, offer_basemap, static_url
        As in :func:`build_map`.
    """
    _require(subregions, ("podregion", "podregion_nazwa"), "podregionów")
    if subregions.empty:
        raise MapError("Brak podregionów do narysowania.")
    frame = subregions.reset_index(drop=True)
    known = (frame["podregion"] != UNKNOWN_SUBREGION).to_numpy()
    colour = pd.Series(NO_DATA_COLOR, index=frame.index, dtype=object)
    palette = [SUBREGION_COLORS[i % len(SUBREGION_COLORS)] for i in range(int(known.sum()))]
    colour[known] = palette
    colour[~known] = "#ffffff"
    key = frame["podregion"].astype(str).str.replace(r"[^0-9A-Za-z_-]", "_", regex=True)

    def text(column: str, default: str = "") -> np.ndarray:
        if column not in frame:
            return np.full(len(frame), default, dtype=object)
        return frame[column].map(_esc).replace("", default).to_numpy(dtype=object)

    props = pd.DataFrame(
        {
            "kind": "podregion",
            "ref": frame["podregion"].map(_esc).to_numpy(),
            "css": key.to_numpy(),
            "kolor": colour.to_numpy(),
            "nazwa": text("podregion_nazwa"),
            "operator": text("operator", "nieznany"),
            "okres": frame["okres"].map(lambda v: _esc(_period(v))).replace("", "—").to_numpy()
            if "okres" in frame
            else "—",
            "powiaty": text("powiaty"),
        },
        index=pd.Index(frame["podregion"].map(_esc).to_numpy(), name="id"),
    )
    shapes = _rounded(frame.geometry.to_crs(4326)).set_axis(props.index)
    data = _feature_collection(gpd.GeoDataFrame(props, geometry=shapes, crs=4326))
    bounds = frame.to_crs(4326).total_bounds
    m = _base_map(bounds, offer_basemap)
    folium.GeoJson(
        data,
        name=_html(title),
        highlight_function=_gmina_highlight,
        tooltip=folium.GeoJsonTooltip(
            fields=["nazwa", "operator", "okres", "powiaty"],
            aliases=["Podregion", "Operator OWES", "Okres", "Powiaty"],
            sticky=True,
        ),
        attribution=_html(attribution) if attribution else None,
        style=folium.JsCode(
            "function (feature) {\n"
            "    var p = feature.properties;\n"
            '    return {fillColor: p.kolor, fillOpacity: 0.8, color: "#ffffff", weight: 1,\n'
            '            className: "podregion podregion-" + p.css};\n'
            "}"
        ),
    ).add_to(m)
    outlines: list[tuple[str, str, bool]] = []
    if powiaty is not None:
        _outline_layer(powiaty.geometry, "Granice powiatów", POWIAT_BORDER, 1, "powiat").add_to(m)
        outlines.append(("granica powiatu", POWIAT_BORDER, False))
    classes = [
        LegendClass(
            str(row.css) if row.ref != UNKNOWN_SUBREGION else HATCHED_CLASS,
            html.unescape(str(row.nazwa))
            if row.ref != UNKNOWN_SUBREGION
            else "nieznany (nieskonfigurowany)",
            str(row.kolor),
        )
        for row in props.itertuples(index=False)
    ]
    counts = dict(zip([c.key for c in classes], frame.get("liczba_powiatow", []), strict=False))
    legend = legend_html(
        {k: int(v) for k, v in counts.items()},
        None,
        note=note,
        classes=classes,
        title=title,
        subtitle="liczba powiatów w nawiasie",
        outlines=outlines,
    )
    return _finish(m, legend, bounds, static_url)


def _period(value: object) -> str:
    text = _text(value)
    if ".." not in text:
        return text
    start, end = (_date_text(part.strip()) for part in text.split("..", 1))
    if start and end:
        return f"{start}–{end}"
    return f"od {start}" if start else (f"do {end}" if end else "")


def map_html(m: folium.Map) -> str:
    """The complete HTML document of ``m`` (for tests and export)."""
    return m.get_root().render()


def external_urls(text: str) -> list[str]:
    """All http(s) URLs in ``text`` (to check that a document loads nothing from outside)."""
    found = re.findall(r"https?://[^\s\"'<>)\\]+", text, flags=re.IGNORECASE)
    # Protocol-relative links ("//cdn...") in src/href/url() load from outside too.
    found += re.findall(r"(?:src|href)\s*=\s*[\"']//[^\"']+|url\(\s*[\"']?//[^)]+", text)
    return found
