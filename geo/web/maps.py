"""The interactive maps: the coverage map and the subregion map (folium/Leaflet).

Why it exists: it puts the layers together. Gminas coloured by an indicator
(:mod:`geo.web.geojson`, :mod:`geo.web.indicators`), powiat and subregion outlines, entity
markers (:mod:`geo.web.entities`), grouped with Leaflet.markercluster where dense, a legend
(:mod:`geo.web.legend`) and a view fitted beside it. The map must work with no outside
network: no basemap by default (a light background and the boundaries are the map; an
OpenStreetMap layer can be switched on), and every JavaScript/CSS file comes from the app's
own static folder (:func:`geo.web.assets.use_local_assets`) instead of folium's CDNs.

Every vector layer is a :class:`geo.web.topo_layer.TopoGeoJson`, so
:func:`geo.web.topo_layer.use_topojson` can then send them as one compact topology.
"""

from __future__ import annotations

import html
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.plugins import MarkerCluster

from geo.core.schema import ENTITY_TYPES
from geo.errors import MapError
from geo.present import styles
from geo.present.points import on_map_mask
from geo.web.a11y import make_accessible
from geo.web.assets import STATIC_URL, asset_urls, use_local_assets
from geo.web.entities import MAX_MARKERS, entities_geojson, entity_style_js, gmina_counts_layer
from geo.web.escape import date_text, escaped, html_safe, plain_text
from geo.web.fit import FitRegion
from geo.web.geojson import (
    GMINA_CLASS_JS,
    feature_collection,
    geometry_json,
    gmina_highlight,
    gmina_style_js,
    gminy_geojson,
)
from geo.web.indicators import (
    INDICATOR_NOTES,
    INDICATORS,
    PLAIN_INDICATORS,
    LegendClass,
    indicator_classes,
    require_columns,
)
from geo.web.legend import POWIAT_BORDER, SUBREGION_BORDER, Legend, legend_html
from geo.web.simplify import rounded
from geo.web.topo_layer import TopoGeoJson

__all__ = [
    "CLUSTER_MIN_MARKERS",
    "MAX_MARKERS",
    "OSM_TILES",
    "SUBREGION_COLORS",
    "MapOptions",
    "build_map",
    "subregion_map",
]

#: Above this many markers they are grouped (Leaflet.markercluster) where dense.
CLUSTER_MIN_MARKERS = 300
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
#: Colours of named subregions (colour-blind-friendly qualitative set); unknown is hatched.
SUBREGION_COLORS = ("#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494")
#: An outline in the legend: its label, colour and whether it is dashed.
Outline = tuple[str, str, bool]
POWIAT_OUTLINE: Outline = ("granica powiatu", POWIAT_BORDER, False)

# folium hands min_zoom/max_zoom only to its default tiles (there are none here), so they go
# to Leaflet directly; Leaflet.markercluster needs the map's maximum zoom.
_ZOOM_LIMITS: dict[str, Any] = {"minZoom": 5, "maxZoom": 18}


@dataclass(frozen=True, eq=False)
class MapOptions:
    """What the coverage map shows besides its data (:func:`build_map`).

    Attributes
    ----------
    indicator : str
        What colours the gminas: a key of :data:`geo.web.indicators.INDICATORS`.
    types : collection of str, optional
        Entity types counted by the PES indicators and listed in the legend (default: all).
    subregions : geopandas.GeoDataFrame, optional
        Subregion polygons (:func:`geo.analysis.subregions.dissolve_subregions`), drawn as
        dashed outlines named ``subregion_label`` in the legend.
    subregion_label : str
        The legend's name of the subregion outline.
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
    class_method : str, optional
        Class method of a numeric indicator (:data:`geo.present.classes.METHODS`); default:
        the indicator's fixed classes.
    max_markers : int
        Above this many entities the map shows one count circle per gmina instead of
        markers (:func:`geo.web.entities.gmina_counts_geojson`), so that the page stays
        small enough for the browser whatever the registry's size.
    focus : tuple of float, optional
        ``(minx, miny, maxx, maxy)`` in EPSG:4326 to fit instead of the whole area (a gmina
        found by the search).
    """

    indicator: str = "pokrycie"
    types: Collection[str] | None = None
    subregions: gpd.GeoDataFrame | None = None
    subregion_label: str = "granica podregionu"
    include_inactive: bool = False
    cluster: bool | None = None
    note: str | None = None
    attribution: str | None = None
    offer_basemap: bool = True
    static_url: str = STATIC_URL
    class_method: str | None = None
    max_markers: int = MAX_MARKERS
    focus: tuple[float, float, float, float] | None = None


# --------------------------------------------------------------------------- shared steps


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
    make_accessible(m)  # Polish document, zoom allowed (WCAG 2.1 AA)
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
) -> TopoGeoJson:
    lines = geometry_json(shapes, outline=True)
    style = {"color": colour, "weight": weight, "opacity": 0.9, "fill": False, "className": css}
    if dashed:
        style["dashArray"] = "8 5"
    features = [
        {"type": "Feature", "id": str(i), "properties": {}, "geometry": line}
        for i, line in enumerate(lines)
    ]
    return TopoGeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        style_function=lambda _: style,
        interactive=False,
    )


def _finish(
    m: folium.Map, legend: str, bounds: np.ndarray | tuple[float, ...], static_url: str
) -> folium.Map:
    """Legend, layer switcher and the view fitted to ``bounds`` (minx, miny, maxx, maxy)."""
    minx, miny, maxx, maxy = bounds
    Legend(legend).add_to(m)
    folium.LayerControl(collapsed=True, position="topleft").add_to(m)
    FitRegion([[miny, minx], [maxy, maxx]]).add_to(m)
    return use_local_assets(m, asset_urls(static_url))


# --------------------------------------------------------------------------- coverage map


def _gmina_layer(
    gminy: gpd.GeoDataFrame, classes: list[LegendClass], options: MapOptions
) -> TopoGeoJson:
    indicator = options.indicator
    extra = indicator not in PLAIN_INDICATORS  # the tooltip also shows the indicator's value
    return TopoGeoJson(
        gminy_geojson(gminy, indicator, options.types, options.class_method),
        name=f"Gminy: {INDICATORS[indicator]}",
        highlight_function=gmina_highlight,
        on_each_feature=GMINA_CLASS_JS,
        tooltip=folium.GeoJsonTooltip(
            fields=["nazwa", "rodzaj", "powiat", "status", "pes"] + (["wartosc"] if extra else []),
            aliases=["Gmina", "Rodzaj", "Powiat", "Pokrycie", "Liczba PES"]
            + ([INDICATORS[indicator]] if extra else []),
            sticky=True,
            class_name="gmina-tooltip",
        ),
        attribution=html_safe(options.attribution) if options.attribution else None,
        style=gmina_style_js(classes),
    )


def _add_outlines(m: folium.Map, powiaty: gpd.GeoDataFrame, options: MapOptions) -> list[Outline]:
    """Powiat and (when given) subregion outlines; returns what the legend lists."""
    outlines = [POWIAT_OUTLINE]
    _outline_layer(powiaty.geometry, "Granice powiatów", POWIAT_BORDER, 2, "powiat").add_to(m)
    subregions = options.subregions
    if subregions is not None and len(subregions):
        _outline_layer(
            subregions.geometry,
            html_safe(options.subregion_label.capitalize()),  # layer names are HTML
            SUBREGION_BORDER,
            4,
            "podregion",
            dashed=True,
        ).add_to(m)
        outlines.append((options.subregion_label, SUBREGION_BORDER, True))
    return outlines


@dataclass(frozen=True)
class _Markers:
    """What the legend says about the markers drawn."""

    per_type: dict[str, int]
    approximate: bool
    inactive: bool
    summed: bool = False  # one count circle per gmina instead of markers


def _add_gmina_counts(m: folium.Map, shown: gpd.GeoDataFrame, gminy: gpd.GeoDataFrame) -> _Markers:
    """Too many entities for markers: one count circle per gmina (see MapOptions)."""
    typ = shown["typ"].where(shown["typ"].isin(list(ENTITY_TYPES)), "INNY")
    gmina_counts_layer(shown, gminy).add_to(m)
    per_type = {str(k): int(v) for k, v in typ.value_counts().items()}
    return _Markers(per_type, approximate=False, inactive=False, summed=True)


def _add_entities(
    m: folium.Map, entities: gpd.GeoDataFrame, gminy: gpd.GeoDataFrame, options: MapOptions
) -> _Markers:
    mask = on_map_mask(entities, options.include_inactive)
    if int(mask.sum()) > options.max_markers:
        return _add_gmina_counts(m, entities[mask], gminy)
    points = entities_geojson(entities, gminy, include_inactive=options.include_inactive)
    features = points["features"]
    per_type: dict[str, int] = {}
    for feature in features:
        typ = feature["properties"]["typ"]
        per_type[typ] = per_type.get(typ, 0) + 1
    markers = _Markers(
        per_type,
        approximate=any(bool(f["properties"]["przyblizona"]) for f in features),
        inactive=any(not f["properties"]["aktywny"] for f in features),
    )
    if not features:
        return markers
    grouped = len(features) > CLUSTER_MIN_MARKERS if options.cluster is None else options.cluster
    layer = TopoGeoJson(
        points,
        name="Podmioty ekonomii społecznej",
        marker=folium.CircleMarker(radius=6),
        tooltip=folium.GeoJsonTooltip(fields=["etykieta"], labels=False),
        popup=folium.GeoJsonPopup(fields=["opis"], labels=False, max_width=340),
        control=not grouped,
        style=entity_style_js(),
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
    return markers


def build_map(
    gminy: gpd.GeoDataFrame,
    entities: gpd.GeoDataFrame | None = None,
    powiaty: gpd.GeoDataFrame | None = None,
    options: MapOptions | None = None,
) -> folium.Map:
    """Build the offline coverage map.

    Parameters
    ----------
    gminy : geopandas.GeoDataFrame
        Per-gmina coverage frame (see :func:`geo.web.geojson.gminy_geojson`).
    entities : geopandas.GeoDataFrame, optional
        Located entities; those of :func:`geo.present.points.entities_on_map` become markers
        (filter the types beforehand).
    powiaty : geopandas.GeoDataFrame, optional
        Powiat polygons, drawn as outlines (default: dissolved from ``gminy``).
    options : MapOptions, optional
        Indicator, filters, legend texts and assets (default: :class:`MapOptions`).

    Returns
    -------
    folium.Map
        A map whose HTML references no external file (except the optional tile URL).
    """
    options = options or MapOptions()
    indicator = options.indicator
    keys, classes, _ = indicator_classes(gminy, indicator, options.types, options.class_method)
    if powiaty is None:
        powiaty = gminy[["powiat", gminy.geometry.name]].dissolve("powiat").reset_index()
    bounds = gminy.to_crs(4326).total_bounds
    m = _base_map(bounds, options.offer_basemap)
    _gmina_layer(gminy, classes, options).add_to(m)
    outlines = _add_outlines(m, powiaty, options)
    markers = None if entities is None else _add_entities(m, entities, gminy, options)
    used = set(keys)
    legend = legend_html(
        keys.value_counts().to_dict(),
        None if markers is None else markers.per_type,
        approximate=markers is not None and markers.approximate,
        note=options.note,
        # a "no data" class is listed only when some gmina has it
        classes=[c for c in classes if not c.no_data or c.key in used],
        title=INDICATORS[indicator] if indicator != "pokrycie" else None,
        subtitle=INDICATOR_NOTES[indicator],
        outlines=outlines,
        inactive=markers is not None and markers.inactive,
        types=options.types,
        summed=markers is not None and markers.summed,
    )
    return _finish(m, legend, options.focus or bounds, options.static_url)


# --------------------------------------------------------------------------- subregion map


def _period(value: object) -> str:
    text = plain_text(value)
    if ".." not in text:
        return text
    start, end = (date_text(part.strip()) for part in text.split("..", 1))
    if start and end:
        return f"{start}–{end}"
    return f"od {start}" if start else (f"do {end}" if end else "")


def _subregion_properties(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per subregion: escaped tooltip texts, a CSS key and a colour (unknown: white)."""
    known = (frame["podregion"] != styles.UNKNOWN_KEY).to_numpy()
    colour = pd.Series(styles.NO_DATA, index=frame.index, dtype=object)
    colour[known] = [SUBREGION_COLORS[i % len(SUBREGION_COLORS)] for i in range(int(known.sum()))]
    colour[~known] = styles.by_key(styles.LPRES)[styles.UNKNOWN_KEY].color
    key = frame["podregion"].astype(str).str.replace(r"[^0-9A-Za-z_-]", "_", regex=True)

    def text(column: str, default: str = "") -> np.ndarray:
        if column not in frame:
            return np.full(len(frame), default, dtype=object)
        return frame[column].map(escaped).replace("", default).to_numpy(dtype=object)

    return pd.DataFrame(
        {
            "kind": "podregion",
            "ref": frame["podregion"].map(escaped).to_numpy(),
            "css": key.to_numpy(),
            "kolor": colour.to_numpy(),
            "nazwa": text("podregion_nazwa"),
            "operator": text("operator", "nieznany"),
            "okres": frame["okres"].map(lambda v: escaped(_period(v))).replace("", "—").to_numpy()
            if "okres" in frame
            else "—",
            "powiaty": text("powiaty"),
        },
        index=pd.Index(frame["podregion"].map(escaped).to_numpy(), name="id"),
    )


_SUBREGION_STYLE_JS = folium.JsCode(
    "function (feature) {\n"
    "    var p = feature.properties;\n"
    '    return {fillColor: p.kolor, fillOpacity: 0.8, color: "#ffffff", weight: 1,\n'
    '            className: "podregion podregion-" + p.css};\n'
    "}"
)


def _subregion_classes(props: pd.DataFrame) -> list[LegendClass]:
    classes = []
    for row in props.itertuples(index=False):
        unknown = row.ref == styles.UNKNOWN_KEY
        classes.append(
            LegendClass(
                styles.UNKNOWN_KEY if unknown else str(row.css),
                "nieznany (nieskonfigurowany)" if unknown else html.unescape(str(row.nazwa)),
                str(row.kolor),
                hatched=unknown,
            )
        )
    return classes


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
        As in :class:`MapOptions`.
    """
    require_columns(subregions, ("podregion", "podregion_nazwa"), "podregionów")
    if subregions.empty:
        raise MapError("Brak podregionów do narysowania.")
    frame = subregions.reset_index(drop=True)
    props = _subregion_properties(frame)
    shapes = rounded(frame.geometry.to_crs(4326)).set_axis(props.index)
    data = feature_collection(gpd.GeoDataFrame(props, geometry=shapes, crs=4326))
    bounds = frame.to_crs(4326).total_bounds
    m = _base_map(bounds, offer_basemap)
    TopoGeoJson(
        data,
        name=html_safe(title),
        highlight_function=gmina_highlight,
        tooltip=folium.GeoJsonTooltip(
            fields=["nazwa", "operator", "okres", "powiaty"],
            aliases=["Podregion", "Operator OWES", "Okres", "Powiaty"],
            sticky=True,
        ),
        attribution=html_safe(attribution) if attribution else None,
        style=_SUBREGION_STYLE_JS,
    ).add_to(m)
    outlines: list[Outline] = []
    if powiaty is not None:
        _outline_layer(powiaty.geometry, "Granice powiatów", POWIAT_BORDER, 1, "powiat").add_to(m)
        outlines.append(POWIAT_OUTLINE)
    classes = _subregion_classes(props)
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
