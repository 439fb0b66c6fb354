"""Web geometry: gmina boundaries made light for the browser, cached on disk.

The map shows boundaries at the scale of a screen, not of a register. Three steps make the
document small without changing what a planner sees:

1. **Topology-preserving simplification** (:func:`web_gminy`): all gminas are simplified
   together (``GeoSeries.simplify_coverage``), so neighbours keep one shared border, with no
   gaps or overlaps. The default tolerance follows the display scale: about one screen pixel
   when the whole region fills a ~1000 px map (:func:`display_tolerance_m`).
2. **Rounded coordinates**: 5 decimals (about 1 m), far below a pixel at any useful zoom.
3. **TopoJSON in the document** (:func:`use_topojson`): the polygon and line layers of a
   built folium map travel as one TopoJSON topology, where each border is written once,
   quantised and delta-encoded, and powiat outlines reuse the gminas' arcs. A small decoder
   (our own, :data:`TOPOJSON_DECODER_JS`) turns it back into GeoJSON in the browser, so
   folium's styling, tooltips and clicks work unchanged.

Results of step 1 are cached under ``PES_HOME`` (:func:`default_cache_dir`), keyed by a hash
of the boundaries themselves (codes and geometry) and of the parameters: new boundaries or
other parameters give another key, so a stale file is never used.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
import logging
import math
import re
import textwrap
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import topojson
from folium.template import Template

from geo._fs import atomic_path
from geo.config import Settings
from geo.core.crs import METRIC_CRS
from geo.errors import UserError
from geo.web.webmap import map_elements

__all__ = [
    "DEFAULT_DECIMALS",
    "TOPOJSON_DECODER_JS",
    "WEBGEOM_VERSION",
    "WebGeometryError",
    "boundaries_key",
    "default_cache_dir",
    "display_tolerance_m",
    "to_topojson",
    "topojson_features",
    "use_topojson",
    "web_gminy",
    "web_powiaty",
]

log = logging.getLogger(__name__)

#: Part of every cache key: bump it when the algorithm changes, so old files are not reused.
WEBGEOM_VERSION = 1
DEFAULT_DECIMALS = 5  # ~1 m
#: The display scale: a region fitted into about this many pixels (a laptop or projector map).
DISPLAY_PIXELS = 1000
#: Tolerance bounds (m): finer is invisible; coarser would distort small urban gminas.
MIN_TOLERANCE_M = 50.0
MAX_TOLERANCE_M = 1000.0
#: Grid of the TopoJSON quantisation in degrees (~7-11 m in Poland): below a pixel at zoom 12.
TOPO_STEP_DEG = 1e-4
CACHE_FILES_KEPT = 12  # old cache entries beyond this many are removed


class WebGeometryError(UserError, ValueError):
    """Boundaries unusable for the web map; the message is in Polish."""


# --------------------------------------------------------------------------- simplification


def _check(gminy: gpd.GeoDataFrame) -> None:
    if not isinstance(gminy, gpd.GeoDataFrame):
        raise WebGeometryError("Granice gmin muszą być tabelą z geometrią (GeoDataFrame).")
    if gminy.crs is None:
        raise WebGeometryError("Granice gmin nie mają układu współrzędnych (CRS).")
    geoms = gminy.geometry
    if geoms.isna().any() or geoms.is_empty.any():
        raise WebGeometryError("Część gmin nie ma geometrii; nie można przygotować mapy.")
    kinds = set(geoms.geom_type)
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise WebGeometryError(
            "Granice gmin muszą być wielokątami; znaleziono: " + ", ".join(sorted(kinds)) + "."
        )


def display_tolerance_m(gminy: gpd.GeoDataFrame) -> float:
    """Simplification tolerance (m) of about one pixel when the region fills the map.

    Parameters
    ----------
    gminy : geopandas.GeoDataFrame
        The region's gminas (any CRS).

    Returns
    -------
    float
        The longer side of the region's extent divided by :data:`DISPLAY_PIXELS`, bounded to
        50-1000 m: ~230 m for Lubelskie, ~700 m for all of Poland.
    """
    _check(gminy)
    minx, miny, maxx, maxy = gminy.geometry.to_crs(METRIC_CRS).total_bounds
    extent = max(maxx - minx, maxy - miny)
    return float(min(MAX_TOLERANCE_M, max(MIN_TOLERANCE_M, extent / DISPLAY_PIXELS)))


def boundaries_key(
    gminy: gpd.GeoDataFrame, *, tolerance_m: float, decimals: int, kind: str = "gminy"
) -> str:
    """Cache key of the web geometry: hash of codes, CRS, geometry and parameters.

    Any change of the boundaries (a new import, another source file, another region) or of
    the parameters gives another key.
    """
    digest = hashlib.sha256()
    codes = gminy["teryt"].astype(str) if "teryt" in gminy else pd.Series(gminy.index.astype(str))
    digest.update(
        json.dumps(
            [WEBGEOM_VERSION, kind, round(float(tolerance_m), 3), int(decimals), str(gminy.crs)]
        ).encode()
    )
    digest.update("\n".join(codes.tolist()).encode())
    for wkb in shapely.to_wkb(np.asarray(gminy.geometry.array, dtype=object)):
        digest.update(wkb)
    return digest.hexdigest()


def default_cache_dir(settings: Settings) -> Path:
    """Where web geometry is cached: ``$PES_HOME/cache/webgeom``."""
    return settings.home / "cache" / "webgeom"


def _round(geometry: gpd.GeoSeries, decimals: int) -> gpd.GeoSeries:
    values = shapely.transform(
        np.asarray(geometry.array, dtype=object), lambda xy: np.round(xy, decimals)
    )
    return gpd.GeoSeries(values, index=geometry.index, crs=geometry.crs)


def _polygonal(geom: Any) -> Any:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def _fix_invalid(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    # Rounding can, rarely, make a thin spike cross itself; repair only those shapes.
    bad = ~geometry.is_valid
    if not bad.any():
        return geometry
    fixed = shapely.make_valid(np.asarray(geometry[bad].array, dtype=object))
    geometry = geometry.copy()
    geometry[bad] = [_polygonal(g) for g in fixed]
    return geometry


def _simplified(gminy: gpd.GeoDataFrame, tolerance_m: float, decimals: int) -> gpd.GeoSeries:
    metric = gminy.geometry.to_crs(METRIC_CRS)
    if tolerance_m > 0:
        metric = metric.simplify_coverage(tolerance_m)
    return _fix_invalid(_round(metric.to_crs(4326), decimals))


def _cache_read(path: Path, n: int) -> gpd.GeoSeries | None:
    try:
        cached = gpd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - a broken cache file is recomputed, never fatal
        log.warning("Pomijam uszkodzony plik pamięci podręcznej %s: %s", path, exc)
        return None
    if len(cached) != n:
        return None
    return cached.geometry


def _cache_write(path: Path, geometry: gpd.GeoSeries) -> None:
    try:
        # A reader never sees half a file, and two processes computing the same key just
        # replace each other's identical result.
        with atomic_path(path) as partial:
            gpd.GeoDataFrame(geometry=geometry.reset_index(drop=True)).to_parquet(partial)
        _prune(path.parent)
    except OSError as exc:
        log.warning("Nie zapisano pamięci podręcznej geometrii %s: %s", path, exc)


def _prune(folder: Path) -> None:
    files = sorted(folder.glob("*.parquet"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[CACHE_FILES_KEPT:]:
        old.unlink(missing_ok=True)


def _cached_geometry(
    frame: gpd.GeoDataFrame,
    kind: str,
    cache_dir: Path | None,
    tolerance_m: float,
    decimals: int,
    compute: Any,
    rows: int,
) -> gpd.GeoSeries:
    path = None
    if cache_dir is not None:
        key = boundaries_key(frame, tolerance_m=tolerance_m, decimals=decimals, kind=kind)
        path = Path(cache_dir) / f"{kind}-{key[:32]}.parquet"
        if path.exists():
            cached = _cache_read(path, rows)
            if cached is not None:
                return cached
    geometry = compute()
    if path is not None:
        _cache_write(path, geometry)
    return geometry


def web_gminy(
    gminy: gpd.GeoDataFrame,
    *,
    cache_dir: Path | None,
    tolerance_m: float | None = None,
    decimals: int = DEFAULT_DECIMALS,
) -> gpd.GeoDataFrame:
    """The gminas with geometry light enough for the browser; every other column unchanged.

    Parameters
    ----------
    gminy : geopandas.GeoDataFrame
        Gminas forming a coverage (no overlaps), any CRS; ``teryt`` is used in the cache key.
    cache_dir : pathlib.Path or None
        Folder of the disk cache (:func:`default_cache_dir`); ``None`` computes every time.
    tolerance_m : float, optional
        Simplification tolerance in metres (default :func:`display_tolerance_m`); 0 only
        rounds.
    decimals : int
        Decimals of the rounded lon/lat coordinates.

    Returns
    -------
    geopandas.GeoDataFrame
        Same rows, index and columns, geometry simplified together (shared borders stay
        shared) and rounded, in EPSG:4326.

    Raises
    ------
    WebGeometryError
        When the frame has no CRS, empty or non-polygon geometry.
    """
    _check(gminy)
    tolerance = display_tolerance_m(gminy) if tolerance_m is None else float(tolerance_m)
    if not math.isfinite(tolerance) or tolerance < 0:
        raise WebGeometryError(f"Nieprawidłowa tolerancja upraszczania: {tolerance_m!r}.")
    geometry = _cached_geometry(
        gminy,
        "gminy",
        cache_dir,
        tolerance,
        decimals,
        lambda: _simplified(gminy, tolerance, decimals),
        len(gminy),
    )
    out = gminy.copy()
    out[gminy.geometry.name] = gpd.GeoSeries(geometry.to_numpy(), index=gminy.index, crs=4326)
    return out


def web_powiaty(
    gminy_web: gpd.GeoDataFrame,
    *,
    cache_dir: Path | None = None,
    decimals: int = DEFAULT_DECIMALS,
) -> gpd.GeoDataFrame:
    """Powiats dissolved from web gminas, so their borders lie exactly on gmina borders.

    Parameters
    ----------
    gminy_web : geopandas.GeoDataFrame
        Output of :func:`web_gminy` with ``teryt`` (and ``powiat_nazwa`` when available).
    cache_dir : pathlib.Path or None
        Disk cache folder, as for :func:`web_gminy`.
    decimals : int
        Decimals of the rounded coordinates.

    Returns
    -------
    geopandas.GeoDataFrame
        ``powiat, powiat_nazwa, geometry`` (EPSG:4326), sorted by ``powiat``.
    """
    _check(gminy_web)
    frame = gpd.GeoDataFrame(
        {
            "powiat": gminy_web["teryt"].astype(str).str[:4].to_numpy(),
            "powiat_nazwa": (
                gminy_web["powiat_nazwa"].to_numpy() if "powiat_nazwa" in gminy_web else ""
            ),
        },
        geometry=gminy_web.geometry.to_crs(4326).to_numpy(),
        crs=4326,
    )
    names = frame.drop_duplicates("powiat").set_index("powiat")["powiat_nazwa"]
    codes = sorted(names.index)

    def compute() -> gpd.GeoSeries:
        dissolved = frame[["powiat", "geometry"]].dissolve(by="powiat").reindex(codes)
        return _round(dissolved.geometry.reset_index(drop=True), decimals)

    key_frame = frame.assign(teryt=frame["powiat"])
    geometry = _cached_geometry(key_frame, "powiaty", cache_dir, 0.0, decimals, compute, len(codes))
    return gpd.GeoDataFrame(
        {"powiat": codes, "powiat_nazwa": names.reindex(codes).fillna("").to_numpy()},
        geometry=gpd.GeoSeries(geometry.to_numpy(), crs=4326),
        crs=4326,
    )


# --------------------------------------------------------------------------- TopoJSON
#
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


def _properties_columns(features: list[dict[str, Any]]) -> dict[str, Any] | None:
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

_EMBED_GEOJSON = "{{ this.get_name() }}_add({{ this.data|tojson }});"
_EMBED_TOPOJSON = (
    "{%- if this.pes_topology_json %}" + TOPOJSON_DECODER_JS + "{%- endif %}\n"
    "{{ this.get_name() }}_add(pesTopoFeatures("
    "{{ this.pes_topology_json or 'null' }}, {{ this.pes_topo_object|tojson }}));"
)
_template_lock = threading.Lock()
_topo_template: Template | None = None
_topo_template_failed = False


def _folium_geojson_template_source() -> str | None:
    """The source text of folium.GeoJson's template (read from folium's own code)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(folium.GeoJson)))
    except (OSError, TypeError, SyntaxError):  # pragma: no cover - folium without sources
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "_template" for t in node.targets)
            and isinstance(node.value, ast.Call)
            and node.value.args
            and isinstance(node.value.args[0], ast.Constant)
            and isinstance(node.value.args[0].value, str)
        ):
            return node.value.args[0].value
    return None  # pragma: no cover


def _topojson_template() -> Template | None:
    """folium's GeoJson template, embedding a topology instead of GeoJSON (None if unknown).

    Everything else (styles, highlight, tooltips, popups, clicks) stays folium's own code;
    only the line that hands the data to Leaflet changes. With a folium whose template no
    longer has that line, maps keep plain GeoJSON.
    """
    global _topo_template, _topo_template_failed
    with _template_lock:
        if _topo_template is None and not _topo_template_failed:
            source = _folium_geojson_template_source()
            if source is None or source.count(_EMBED_GEOJSON) != 1:
                _topo_template_failed = True
                log.warning("folium.GeoJson changed; map layers stay GeoJSON (no TopoJSON).")
            else:
                _topo_template = Template(source.replace(_EMBED_GEOJSON, _EMBED_TOPOJSON))
        return _topo_template


_TOPO_TYPES = frozenset({"Polygon", "MultiPolygon", "LineString", "MultiLineString", "Point"})


def _eligible(element: folium.GeoJson) -> bool:
    """An embedded folium.GeoJson layer of simple features (no collections, no nulls)."""
    if type(element) is not folium.GeoJson or not getattr(element, "embed", False):
        return False
    data = getattr(element, "data", None)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return False
    features = data.get("features") or []
    kinds = {
        f["geometry"].get("type") if isinstance(f.get("geometry"), dict) else None for f in features
    }
    # One point layer is all points; other layers have no points (kept apart in the topology).
    return bool(features) and kinds <= _TOPO_TYPES and (kinds == {"Point"} or "Point" not in kinds)


_topology_memo: OrderedDict[str, tuple[dict[str, Any], list[Any]]] = OrderedDict()
_memo_lock = threading.Lock()
_MEMO_SIZE = 8


def _layers_topology(
    layers: list[folium.GeoJson], step_deg: float
) -> tuple[dict[str, Any], list[Any]]:
    """Arcs and per-layer geometries of ``layers``, and each layer's bounds (memoised)."""
    digest = hashlib.sha256(json.dumps([WEBGEOM_VERSION, step_deg]).encode())
    for layer in layers:
        digest.update(json.dumps([f["geometry"] for f in layer.data["features"]]).encode() + b"\0")
    key = digest.hexdigest()
    with _memo_lock:
        if key in _topology_memo:
            _topology_memo.move_to_end(key)
            return _topology_memo[key]
    series = {
        f"l{i}": gpd.GeoSeries(
            [shapely.geometry.shape(f["geometry"]) for f in layer.data["features"]]
        )
        for i, layer in enumerate(layers)
    }
    topology = to_topojson(series, step_deg=step_deg)
    # folium's [[south, west], [north, east]], as its own get_bounds() would compute it.
    bounds = [
        [[float(b[1]), float(b[0])], [float(b[3]), float(b[2])]]
        for b in (series[name].total_bounds for name in series)
    ]
    with _memo_lock:
        _topology_memo[key] = (topology, bounds)
        while len(_topology_memo) > _MEMO_SIZE:
            _topology_memo.popitem(last=False)
    return topology, bounds


_TEMPLATE_START = re.compile(r"\{(?=[{%#])")


def _script_json(value: Any) -> str:
    """Compact JSON that is safe inside an HTML <script> and inert as a Jinja template.

    folium passes every rendered script through Jinja once more, so ``{{``, ``{%`` or ``{#``
    from data would run on the server. Compact JSON never has them outside strings (an
    object opens with ``{"`` or ``{}``), so such a brace is escaped as ``\\u007b``, which
    JavaScript reads back as ``{``.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(ch, esc)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return _TEMPLATE_START.sub(lambda _: "\\u007b", text)


def use_topojson(m: folium.Map, *, step_deg: float = TOPO_STEP_DEG) -> folium.Map:
    """Send the map's vector layers as one compact TopoJSON topology.

    Call after all layers are added, before rendering. Each embedded ``folium.GeoJson``
    layer keeps its GeoJSON in Python (folium computes styles and checks tooltips from it)
    but writes a topology into the document: the first layer carries the shared arcs, all
    objects and the decoder, later ones only their object's name. Feature ids and properties
    reach Leaflet unchanged.

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
    template = _topojson_template()
    layers = [e for e in map_elements(m) if isinstance(e, folium.GeoJson) and _eligible(e)]
    if template is None or not layers:
        return m
    base, bounds = _layers_topology(layers, step_deg)
    objects = {}
    for i, layer in enumerate(layers):
        features = layer.data["features"]
        obj: dict[str, Any] = {"type": "GeometryCollection"}
        columns = _properties_columns(features)
        geometries = base["objects"][f"l{i}"]["geometries"]
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
        objects[f"l{i}"] = obj
    document = {**{k: v for k, v in base.items() if k != "objects"}, "objects": objects}
    text = _script_json(document)
    for i, layer in enumerate(layers):
        # Instance attributes: the class template stays folium's for every other map.
        layer._template = template
        setattr(layer, "pes_topo_object", f"l{i}")  # noqa: B010 - read by the template
        setattr(layer, "pes_topology_json", text if i == 0 else None)  # noqa: B010
        # folium (and st_folium on every rerun) would walk every coordinate for the bounds.
        setattr(layer, "_get_self_bounds", lambda b=bounds[i]: b)  # noqa: B010
    return m
