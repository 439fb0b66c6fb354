"""TopoJSON in the map document: a folium GeoJson layer that embeds a shared topology.

Why it exists: with the gminas, powiat outlines and markers as GeoJSON, every border is in
the document two or three times. :func:`use_topojson` writes one topology for all layers of
a built map (:mod:`geo.web.topojson`), carried by the first layer together with the decoder;
the others only name their object. Leaflet still receives the very same GeoJSON, so styles,
highlight, tooltips, popups and clicks are folium's own code, unchanged.

How, without patching folium: :class:`TopoGeoJson` is a ``folium.GeoJson`` subclass with a
class-level ``_template`` (the documented branca pattern). The template is folium's own,
kept verbatim in :data:`FOLIUM_GEOJSON_TEMPLATE` (``tests/web/test_topo_layer.py`` fails if
the installed folium's differs), with the one line that hands the data to Leaflet replaced
by :data:`EMBED_SWITCH`. Until :func:`use_topojson` gives it a topology, the layer renders
exactly as a ``folium.GeoJson``.
"""

from __future__ import annotations

import threading
from typing import Any, TypeGuard

import folium
import geopandas as gpd
import shapely
from cachetools import LRUCache, cached
from folium.template import Template

from geo.core.content import content_key
from geo.web.document import map_elements
from geo.web.escape import script_json
from geo.web.simplify import WEBGEOM_VERSION
from geo.web.topojson import (
    TOPO_STEP_DEG,
    TOPOJSON_DECODER_JS,
    properties_columns,
    to_topojson,
)

__all__ = [
    "EMBED_SWITCH",
    "FOLIUM_EMBED_LINE",
    "FOLIUM_GEOJSON_TEMPLATE",
    "TopoGeoJson",
    "use_topojson",
]

#: ``folium.GeoJson._template`` of folium 0.20 (MIT licence), verbatim; the tests check that it
#: is the installed folium's.
FOLIUM_GEOJSON_TEMPLATE = """
        {% macro script(this, kwargs) %}
        {%- if this.style %}
        function {{ this.get_name() }}_styler(feature) {
            switch({{ this.feature_identifier }}) {
                {%- for style, ids_list in this.style_map.items() if not style == 'default' %}
                {% for id_val in ids_list %}case {{ id_val|tojson }}: {% endfor %}
                    return {{ style }};
                {%- endfor %}
                default:
                    return {{ this.style_map['default'] }};
            }
        }
        {%- endif %}
        {%- if this.highlight %}
        function {{ this.get_name() }}_highlighter(feature) {
            switch({{ this.feature_identifier }}) {
                {%- for style, ids_list in this.highlight_map.items() if not style == 'default' %}
                {% for id_val in ids_list %}case {{ id_val|tojson }}: {% endfor %}
                    return {{ style }};
                {%- endfor %}
                default:
                    return {{ this.highlight_map['default'] }};
            }
        }
        {%- endif %}

        {%- if this.marker %}
        function {{ this.get_name() }}_pointToLayer(feature, latlng) {
            var opts = {{ this.marker.options | tojavascript }};
            {% if this.marker._name == 'Marker' and this.marker.icon %}
            const iconOptions = {{ this.marker.icon.options | tojavascript }}
            const iconRootAlias = L{%- if this.marker.icon._name == "Icon" %}.AwesomeMarkers{%- endif %}
            opts.icon = new iconRootAlias.{{ this.marker.icon._name }}(iconOptions)
            {% endif %}
            {%- if this.style_function %}
            let style = {{ this.get_name()}}_styler(feature)
            Object.assign({%- if this.marker.icon -%}opts.icon.options{%- else -%} opts {%- endif -%}, style)
            {% endif %}
            return new L.{{this.marker._name}}(latlng, opts)
        }
        {%- endif %}

        function {{this.get_name()}}_onEachFeature(feature, layer) {
            {%- if this.on_each_feature %}
            ({{this.on_each_feature}})(feature, layer);
            {%- endif %}

            layer.on({
                {%- if this.highlight %}
                mouseout: function(e) {
                    if(typeof e.target.setStyle === "function"){
                        {%- if this.popup_keep_highlighted %}
                        if (!e.target.isPopupOpen())
                        {%- endif %}
                            {{ this.get_name() }}.resetStyle(e.target);
                    }
                },
                mouseover: function(e) {
                    if(typeof e.target.setStyle === "function"){
                        const highlightStyle = {{ this.get_name() }}_highlighter(e.target.feature)
                        e.target.setStyle(highlightStyle);
                    }
                },
                {%- if this.popup_keep_highlighted %}
                popupopen: function(e) {
                    if(typeof e.target.setStyle === "function"){
                        const highlightStyle = {{ this.get_name() }}_highlighter(e.target.feature)
                        e.target.setStyle(highlightStyle);
                        e.target.bindPopup(e.popup)
                    }
                },
                popupclose: function(e) {
                    if(typeof e.target.setStyle === "function"){
                        {{ this.get_name() }}.resetStyle(e.target);
                        e.target.unbindPopup()
                    }
                },
                {%- endif %}
                {%- endif %}
                {%- if this.zoom_on_click %}
                click: function(e) {
                    if (typeof e.target.getBounds === 'function') {
                        {{ this.parent_map.get_name() }}.fitBounds(e.target.getBounds());
                    }
                    else if (typeof e.target.getLatLng === 'function'){
                        let zoom = {{ this.parent_map.get_name() }}.getZoom()
                        zoom = zoom > 12 ? zoom : zoom + 1
                        {{ this.parent_map.get_name() }}.flyTo(e.target.getLatLng(), zoom)
                    }
                }
                {%- endif %}
            });
        };
        var {{ this.get_name() }} = L.geoJson(null, {
            {%- if this.smooth_factor is not none  %}
                smoothFactor: {{ this.smooth_factor|tojson }},
            {%- endif %}
                onEachFeature: {{ this.get_name() }}_onEachFeature,
            {% if this.style %}
                style: {{ this.get_name() }}_styler,
            {%- endif %}
            {%- if this.marker %}
                pointToLayer: {{ this.get_name() }}_pointToLayer,
            {%- endif %}
            ...{{this.options | tojavascript }}
        });

        function {{ this.get_name() }}_add (data) {
            {{ this.get_name() }}
                .addData(data);
        }
        {%- if this.embed %}
            {{ this.get_name() }}_add({{ this.data|tojson }});
        {%- else %}
            $.ajax({{ this.embed_link|tojson }}, {dataType: 'json', async: false})
                .done({{ this.get_name() }}_add);
        {%- endif %}

        {%- if not this.style %}
        {{this.get_name()}}.setStyle(function(feature) {return feature.properties.style;});
        {%- endif %}

        {% endmacro %}
        """  # noqa: E501 - folium's text, verbatim

#: The line of folium's template that hands the embedded GeoJSON to Leaflet.
FOLIUM_EMBED_LINE = "{{ this.get_name() }}_add({{ this.data|tojson }});"
#: What replaces it: the layer's topology object decoded to GeoJSON (the first layer brings
#: the topology and the decoder), or folium's line when the layer has no topology.
EMBED_SWITCH = (
    "{%- if this.pes_topo_object %}"
    "{%- if this.pes_topology_json %}" + TOPOJSON_DECODER_JS + "{%- endif %}\n"
    "{{ this.get_name() }}_add(pesTopoFeatures("
    "{{ this.pes_topology_json or 'null' }}, {{ this.pes_topo_object|tojson }}));"
    "{%- else %}" + FOLIUM_EMBED_LINE + "{%- endif %}"
)


class TopoGeoJson(folium.GeoJson):
    """A ``folium.GeoJson`` that can embed its features as an object of a shared topology.

    Built and used exactly like ``folium.GeoJson``; :func:`use_topojson` sets
    ``pes_topo_object`` (the object's name) and, on the first layer, ``pes_topology_json``.
    """

    _template = Template(FOLIUM_GEOJSON_TEMPLATE.replace(FOLIUM_EMBED_LINE, EMBED_SWITCH))

    def __init__(self, data: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.pes_topo_object: str | None = None
        self.pes_topology_json: str | None = None


_TOPO_TYPES = frozenset({"Polygon", "MultiPolygon", "LineString", "MultiLineString", "Point"})


def _eligible(element: object) -> TypeGuard[TopoGeoJson]:
    """An embedded :class:`TopoGeoJson` layer of simple features (no collections, no nulls)."""
    if type(element) is not TopoGeoJson or not element.embed:
        return False
    data = element.data
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return False
    features = data.get("features") or []
    kinds = {
        f["geometry"].get("type") if isinstance(f.get("geometry"), dict) else None for f in features
    }
    # One point layer is all points; other layers have no points (kept apart in the topology).
    return bool(features) and kinds <= _TOPO_TYPES and (kinds == {"Point"} or "Point" not in kinds)


def _layers_key(layers: list[TopoGeoJson], step_deg: float) -> str:
    shapes = [[f["geometry"] for f in layer.data["features"]] for layer in layers]
    return content_key(WEBGEOM_VERSION, step_deg, *shapes)


@cached(LRUCache(maxsize=8), key=_layers_key, lock=threading.Lock())
def _layers_topology(layers: list[TopoGeoJson], step_deg: float) -> dict[str, Any]:
    """Arcs and per-layer geometries of ``layers`` (object ``l<i>``), cached by content."""
    series = {
        f"l{i}": gpd.GeoSeries(
            [shapely.geometry.shape(f["geometry"]) for f in layer.data["features"]]
        )
        for i, layer in enumerate(layers)
    }
    return to_topojson(series, step_deg=step_deg)


def _topology_object(features: list[dict[str, Any]], geometries: list[Any]) -> dict[str, Any]:
    """One layer's object: its geometries with ids and properties (as columns when even)."""
    obj: dict[str, Any] = {"type": "GeometryCollection"}
    columns = properties_columns(features)
    if columns is None:
        geometries = [
            {**g, "properties": f.get("properties") or {}}
            for g, f in zip(geometries, features, strict=True)
        ]
    else:
        obj["columns"] = columns
    obj["geometries"] = geometries
    if all("id" in f for f in features):
        obj["ids"] = [f["id"] for f in features]
    else:
        obj["geometries"] = [
            {**g, "id": f["id"]} if "id" in f else g
            for g, f in zip(obj["geometries"], features, strict=True)
        ]
    return obj


def use_topojson(m: folium.Map, *, step_deg: float = TOPO_STEP_DEG) -> folium.Map:
    """Send the map's :class:`TopoGeoJson` layers as one compact TopoJSON topology.

    Call after all layers are added, before rendering. Each embedded layer keeps its GeoJSON
    in Python (folium computes styles, bounds and checks tooltips from it) but writes a
    topology into the document: the first layer carries the shared arcs, all objects and
    the decoder, later ones only their object's name. Feature ids and properties reach
    Leaflet unchanged. Other layers (plain ``folium.GeoJson``...) are left as they are.

    Parameters
    ----------
    m : folium.Map
        The built map (changed in place).
    step_deg : float
        Quantisation grid in degrees.

    Returns
    -------
    folium.Map
        ``m``.
    """
    layers: list[TopoGeoJson] = [e for e in map_elements(m) if _eligible(e)]
    if not layers:
        return m
    base = _layers_topology(layers, step_deg)
    objects = {
        f"l{i}": _topology_object(layer.data["features"], base["objects"][f"l{i}"]["geometries"])
        for i, layer in enumerate(layers)
    }
    text = script_json({**{k: v for k, v in base.items() if k != "objects"}, "objects": objects})
    for i, layer in enumerate(layers):
        layer.pes_topo_object = f"l{i}"
        layer.pes_topology_json = text if i == 0 else None
    return m
