"""TopoJSON for the map document: one topology for all layers, and its decoders.

Why it exists: boundaries are most of the map's bytes, and every border between two gminas
(and every powiat outline) is the same line twice or three times. In a TopoJSON topology
each border is stored once, quantised onto a fixed grid and delta-encoded; the standard
library ``topojson`` builds it. This module adds the browser's decoder
(:data:`TOPOJSON_DECODER_JS`) and its Python twin (:func:`topojson_features`), which read
standard TopoJSON and two compact forms described below.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely
import topojson

from geo.web.simplify import WebGeometryError

__all__ = [
    "TOPO_STEP_DEG",
    "TOPOJSON_DECODER_JS",
    "pack_numbers",
    "properties_columns",
    "to_topojson",
    "topojson_features",
    "unpack_numbers",
]

#: Grid of the TopoJSON quantisation in degrees (~7-11 m in Poland): below a pixel at zoom 12.
TOPO_STEP_DEG = 1e-4

# The document's topology is standard TopoJSON (quantised, delta-encoded arcs shared by all
# polygon and line layers) with two compact forms our decoder also reads:
#
# * an arc may be a string instead of a list of [dx, dy] pairs: the zigzag-encoded deltas as
#   variable-length numbers, five bits per letter of _ALPHABET, the sixth bit meaning "more
#   letters follow" (the idea of the encoded-polyline format, with JSON- and HTML-safe letters);
# * an object may hold feature ``ids`` and ``columns`` of properties beside its geometries
#   (one list per property; a repeated value is written once in ``levels`` and referenced by
#   number in ``codes``), instead of a properties object per geometry.
#
# Both roughly halve the bytes of boundaries and property names; the GeoJSON handed to Leaflet
# is identical to the original.

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_LETTERS = np.frombuffer(_ALPHABET.encode("ascii"), dtype=np.uint8)
_MAX_LETTERS = 13  # 65 bits: any int64


def pack_numbers(values: np.ndarray) -> str:
    """Integers as letters: zigzag, then 5 bits per letter, the 6th bit "more follows"."""
    v = np.asarray(values, dtype=np.int64).ravel()
    if v.size == 0:
        return ""
    z = np.where(v >= 0, v << 1, ((-v) << 1) - 1).astype(np.uint64)
    chunks = np.stack([(z >> np.uint64(5 * k)) & np.uint64(31) for k in range(_MAX_LETTERS)], 1)
    rest = np.stack([z >> np.uint64(5 * (k + 1)) for k in range(_MAX_LETTERS)], axis=1)
    more = rest > 0
    used = np.concatenate([np.ones((len(z), 1), bool), more[:, :-1]], axis=1)
    codes = (chunks | (more.astype(np.uint64) << np.uint64(5))).astype(np.intp)
    return _LETTERS[codes[used]].tobytes().decode("ascii")


def unpack_numbers(text: str) -> list[int]:
    """The inverse of :func:`pack_numbers`."""
    out: list[int] = []
    value = shift = 0
    for ch in text:
        code = _ALPHABET.index(ch)
        value |= (code & 31) << shift
        if code & 32:
            shift += 5
            continue
        out.append(value >> 1 if value % 2 == 0 else -((value + 1) >> 1))
        value = shift = 0
    return out


def _transform(bounds: np.ndarray, step: float) -> dict[str, list[float]]:
    # A fixed grid (not a fixed number of cells): the same boundary gets the same integers
    # whatever else is on the map.
    origin = np.floor(np.asarray(bounds[:2], dtype=float) / step) * step
    return {"scale": [step, step], "translate": [float(origin[0]), float(origin[1])]}


def to_topojson(
    layers: dict[str, gpd.GeoSeries], *, step_deg: float = TOPO_STEP_DEG, pack: bool = True
) -> dict[str, Any]:
    """One TopoJSON topology of several layers: every shared border is stored once.

    Parameters
    ----------
    layers : dict[str, geopandas.GeoSeries]
        Object name -> geometries in lon/lat (polygons, lines or points; one geometry per
        feature, in order).
    step_deg : float
        Quantisation grid in degrees (default ~7-11 m in Poland).
    pack : bool
        Write arcs as packed strings (see the note above) instead of lists of pairs.

    Returns
    -------
    dict
        A ``Topology`` with a ``transform``; object ``name`` holds one geometry per input
        row, in order, without properties.
    """
    names = list(layers)
    series = {n: gpd.GeoSeries(layers[n]).reset_index(drop=True) for n in names}
    points = [n for n in names if len(series[n]) and series[n].geom_type.eq("Point").all()]
    shapes = [n for n in names if n not in points]
    bounds = np.array([s.total_bounds for s in series.values() if len(s)])
    if not len(bounds):
        raise WebGeometryError("Brak geometrii do zakodowania.")
    extent = np.array([bounds[:, 0].min(), bounds[:, 1].min()])
    transform = _transform(extent, step_deg)
    topology: dict[str, Any] = {"type": "Topology", "transform": transform, "arcs": []}
    objects: dict[str, Any] = {}
    if shapes:
        frames = [gpd.GeoDataFrame(geometry=series[n], crs=4326) for n in shapes]
        # a fixed transform makes the library quantise onto our grid
        grid: Any = transform
        topo = topojson.Topology(frames, object_name=shapes, prequantize=grid).to_dict()
        topology["arcs"] = topo["arcs"]
        for name in shapes:
            geometries = topo["objects"][name]["geometries"]
            if len(geometries) != len(series[name]):  # pragma: no cover - a library change
                raise WebGeometryError("Nie udało się zakodować granic jako TopoJSON.")
            objects[name] = [{"type": g["type"], "arcs": g["arcs"]} for g in geometries]
    scale = np.array(transform["scale"])
    origin = np.array(transform["translate"])
    for name in points:
        xy = np.round((shapely.get_coordinates(series[name].array) - origin) / scale)
        objects[name] = [{"type": "Point", "coordinates": [int(x), int(y)]} for x, y in xy]
    topology["objects"] = {
        n: {"type": "GeometryCollection", "geometries": objects[n]} for n in names
    }
    if pack and topology["arcs"]:
        arcs = [np.asarray(a, dtype=np.int64).reshape(-1, 2) for a in topology["arcs"]]
        topology["arcs"] = [pack_numbers(a) for a in arcs]
    return topology


def _columns(values: list[Any]) -> dict[str, Any]:
    """One property as a column; repeated values as ``levels`` + ``codes``."""
    try:
        levels = list(dict.fromkeys(values))
    except TypeError:  # unhashable values (lists, dicts) stay as they are
        return {"values": values}
    if len(levels) * 2 > len(values):
        return {"values": values}
    index = {v: i for i, v in enumerate(levels)}
    return {"levels": levels, "codes": [index[v] for v in values]}


def properties_columns(features: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The features' properties as columns (``None`` when they differ in their keys)."""
    keys = list(features[0].get("properties") or {}) if features else []
    if any(list(f.get("properties") or {}) != keys for f in features):
        return None  # ragged properties: keep them per feature
    return {k: _columns([f["properties"][k] for f in features]) for k in keys}


def _arc_points(arc: Any, transform: dict[str, Any] | None) -> np.ndarray:
    raw = unpack_numbers(arc) if isinstance(arc, str) else arc
    a = np.asarray(raw, dtype=float).reshape(-1, 2)
    if transform:
        a = np.cumsum(a, axis=0) * transform["scale"] + transform["translate"]
    return a


def _ring_from_arcs(arcs: list[np.ndarray], refs: list[int]) -> list[list[float]]:
    points: list[list[float]] = []
    for k, ref in enumerate(refs):
        arc = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        part = arc.tolist()
        points.extend(part if k == 0 else part[1:])
    return points


def topojson_features(topology: dict[str, Any], name: str) -> dict[str, Any]:
    """Decode one object of a topology to a GeoJSON FeatureCollection, as the browser does.

    The Python twin of :data:`TOPOJSON_DECODER_JS` (standard TopoJSON and the compact forms
    described above), for tests and tools.
    """
    transform = topology.get("transform")
    arcs = [_arc_points(a, transform) for a in topology.get("arcs", [])]

    def position(p: list[float]) -> list[float]:
        if not transform:
            return list(p)
        return [
            p[0] * transform["scale"][0] + transform["translate"][0],
            p[1] * transform["scale"][1] + transform["translate"][1],
        ]

    def geometry(g: dict[str, Any]) -> dict[str, Any] | None:
        kind = g.get("type")
        if kind == "Polygon":
            coords: Any = [_ring_from_arcs(arcs, r) for r in g["arcs"]]
        elif kind == "MultiPolygon":
            coords = [[_ring_from_arcs(arcs, r) for r in p] for p in g["arcs"]]
        elif kind == "LineString":
            coords = _ring_from_arcs(arcs, g["arcs"])
        elif kind == "MultiLineString":
            coords = [_ring_from_arcs(arcs, r) for r in g["arcs"]]
        elif kind == "Point":
            coords = position(g["coordinates"])
        elif kind == "MultiPoint":
            coords = [position(p) for p in g["coordinates"]]
        else:
            return None
        return {"type": kind, "coordinates": coords}

    obj = topology["objects"][name]
    ids = obj.get("ids")
    columns = obj.get("columns") or {}
    features = []
    for i, g in enumerate(obj["geometries"]):
        props = dict(g.get("properties") or {})
        for key, col in columns.items():
            props[key] = col["levels"][col["codes"][i]] if "levels" in col else col["values"][i]
        feature: dict[str, Any] = {"type": "Feature", "properties": props, "geometry": geometry(g)}
        if ids is not None:
            feature["id"] = ids[i]
        elif "id" in g:
            feature["id"] = g["id"]
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


#: Our TopoJSON decoder for the browser: the arcs are decoded once and shared by all layers
#: (the first layer's script brings the topology, later layers find it in ``window``).
TOPOJSON_DECODER_JS = """
window.pesTopoFeatures = window.pesTopoFeatures || function (topology, name) {
    if (topology) { window.pesTopology = topology; } else { topology = window.pesTopology; }
    var t = topology.transform;
    var letters = "@ALPHABET@";
    function unpack(text) {
        var out = [], value = 0, factor = 1;
        for (var i = 0; i < text.length; i++) {
            var code = letters.indexOf(text.charAt(i));
            value += (code & 31) * factor;
            if (code & 32) { factor *= 32; continue; }
            out.push(value % 2 ? -(value + 1) / 2 : value / 2);
            value = 0; factor = 1;
        }
        var pairs = [];
        for (var j = 0; j + 1 < out.length; j += 2) { pairs.push([out[j], out[j + 1]]); }
        return pairs;
    }
    function position(p) {
        return t ? [p[0] * t.scale[0] + t.translate[0], p[1] * t.scale[1] + t.translate[1]]
                 : [p[0], p[1]];
    }
    if (!topology.decodedArcs) {
        topology.decodedArcs = (topology.arcs || []).map(function (arc) {
            var x = 0, y = 0;
            return (typeof arc === "string" ? unpack(arc) : arc).map(function (p) {
                if (!t) { return [p[0], p[1]]; }
                x += p[0]; y += p[1];
                return position([x, y]);
            });
        });
    }
    var arcs = topology.decodedArcs;
    function line(refs) {
        var points = [];
        refs.forEach(function (ref, k) {
            var arc = ref < 0 ? arcs[~ref].slice().reverse() : arcs[ref];
            points.push.apply(points, k ? arc.slice(1) : arc);
        });
        return points;
    }
    function geometry(g) {
        var c;
        switch (g.type) {
            case "Polygon": c = g.arcs.map(line); break;
            case "MultiPolygon": c = g.arcs.map(function (p) { return p.map(line); }); break;
            case "LineString": c = line(g.arcs); break;
            case "MultiLineString": c = g.arcs.map(line); break;
            case "Point": c = position(g.coordinates); break;
            case "MultiPoint": c = g.coordinates.map(position); break;
            default: return null;
        }
        return {type: g.type, coordinates: c};
    }
    var obj = topology.objects[name], columns = obj.columns || {};
    return {
        type: "FeatureCollection",
        features: obj.geometries.map(function (g, i) {
            var props = {};
            Object.keys(g.properties || {}).forEach(function (k) { props[k] = g.properties[k]; });
            Object.keys(columns).forEach(function (k) {
                var col = columns[k];
                props[k] = col.levels ? col.levels[col.codes[i]] : col.values[i];
            });
            var f = {type: "Feature", properties: props, geometry: geometry(g)};
            if (obj.ids) { f.id = obj.ids[i]; } else if (g.id !== undefined) { f.id = g.id; }
            return f;
        })
    };
};
""".replace("@ALPHABET@", _ALPHABET)
