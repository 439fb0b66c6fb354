"""The coverage map: gminas coloured by CIS/KIS coverage, entities as markers (folium/Leaflet).

The map must work with no outside network: no basemap by default (a light background and
the boundaries are the map), and every JavaScript/CSS file comes from the app's own static
folder (:mod:`geo.assets`) instead of folium's CDNs. Folium inserts GeoJSON property values
into tooltips and popups as HTML, so every text from data is escaped here, before it gets
into the GeoJSON.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from collections.abc import Iterator, Mapping

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element
from folium.template import Template

from geo.assets import STATIC_URL, asset_urls
from geo.coverage import (
    COVERAGE_LABELS,
    COVERED_BY_AGREEMENT,
    COVERED_HERE,
    METRIC_CRS,
    NOT_COVERED,
)
from geo.schema import ENTITY_TYPES, SOCIAL_EMPLOYMENT_TYPES, TYPE_COLORS

__all__ = [
    "COVERAGE_COLORS",
    "COVERAGE_ORDER",
    "MapError",
    "build_map",
    "display_points",
    "entities_geojson",
    "entities_on_map",
    "external_urls",
    "gminy_geojson",
    "legend_html",
    "map_html",
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
TYPE_FALLBACK = "INNY"
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
COORD_DECIMALS = 5  # ~1 m: far below what a screen shows, keeps the document small
_SPREAD_STEP_M = 2500.0  # spacing of entities shown around the same gmina centre

_GMINA_COLUMNS = ("teryt", "nazwa", "rodzaj_nazwa", "powiat_nazwa", "pokrycie", "pes_razem")
_LOCAL_ASSETS = {"leaflet": "leaflet_js", "leaflet_css": "leaflet_css"}
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


class MapError(ValueError):
    """The map cannot be built from the given data; the message is in Polish."""


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


def _esc(value: object) -> str:
    return html.escape(_text(value), quote=True)


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


def gminy_geojson(gminy: gpd.GeoDataFrame) -> dict:
    """GeoJSON of the gminas with only the properties the map shows, already HTML-escaped.

    Parameters
    ----------
    gminy : geopandas.GeoDataFrame
        The per-gmina coverage frame (``teryt, nazwa, rodzaj_nazwa, powiat_nazwa, pokrycie,
        pes_razem``, optionally ``obslugujace`` and ``odleglosc_cis_kis_km``).

    Returns
    -------
    dict
        FeatureCollection; feature ``id`` is the TERYT code; properties ``kind`` ("gmina"),
        ``ref`` (TERYT), ``pokrycie`` and the escaped tooltip texts ``nazwa, rodzaj, powiat,
        status, pes``. Coordinates rounded to 5 decimals.

    Raises
    ------
    MapError
        When columns are missing or ``pokrycie`` has an unknown value.
    """
    _require(gminy, _GMINA_COLUMNS, "gmin")
    unknown = sorted(set(gminy["pokrycie"].dropna()) - set(COVERAGE_ORDER))
    if unknown or gminy["pokrycie"].isna().any():
        raise MapError(f"Nieznany status pokrycia gmin: {unknown or 'brak wartości'}.")
    teryt = gminy["teryt"].astype(str)
    props = pd.DataFrame(
        {
            "kind": "gmina",
            "ref": teryt.to_numpy(),
            "pokrycie": gminy["pokrycie"].to_numpy(),
            "nazwa": gminy["nazwa"].map(_esc).to_numpy(),
            "rodzaj": gminy["rodzaj_nazwa"].map(_esc).to_numpy(),
            "powiat": gminy["powiat_nazwa"].map(_esc).to_numpy(),
            "status": _status_text(gminy).map(_esc).to_numpy(),
            "pes": pd.to_numeric(gminy["pes_razem"], errors="coerce")
            .fillna(0)
            .astype(int)
            .to_numpy(),
        },
        index=pd.Index(teryt.to_numpy(), name="id"),
    )
    shapes = _rounded(gminy.geometry.to_crs(4326)).set_axis(props.index)
    return _feature_collection(gpd.GeoDataFrame(props, geometry=shapes, crs=4326))


def _gmina_style(feature: dict) -> dict:
    status = feature["properties"]["pokrycie"]
    return {
        "fillColor": COVERAGE_COLORS[status],
        "fillOpacity": 0.88,
        "color": GMINA_BORDER,
        "weight": 0.8,
        "className": f"gmina gmina-{status}",
    }


# The TERYT code as a class lets tests and styles find one gmina's path; added in the browser
# so that the per-feature style map stays three entries long.
_GMINA_CLASS_JS = folium.JsCode(
    """function (feature, layer) {
        var code = String(feature.id).replace(/[^0-9A-Za-z_-]/g, "");
        layer.options.className = (layer.options.className || "") + " gmina-" + code;
    }"""
)


def _gmina_highlight(feature: dict) -> dict:
    return {"weight": 3, "color": "#111111", "fillOpacity": 0.95}


# --------------------------------------------------------------------------- entities


def entities_on_map(entities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The entities drawn on the map: located, counted and active (where those flags exist).

    Parameters
    ----------
    entities : geopandas.GeoDataFrame
        Located entities (``geo.locate`` output, with ``aktywny`` from the pipeline).

    Returns
    -------
    geopandas.GeoDataFrame
        The subset with a point geometry; the original index is kept.
    """
    return entities[_on_map(entities)]


def _on_map(entities: gpd.GeoDataFrame) -> np.ndarray:
    mask = (entities.geometry.notna() & ~entities.geometry.is_empty).to_numpy(copy=True)
    for flag in ("uwzgledniony", "aktywny"):
        if flag in entities.columns:
            mask &= entities[flag].fillna(False).astype(bool).to_numpy()
    return mask


def display_points(
    entities: gpd.GeoDataFrame, gminy: gpd.GeoDataFrame | None = None
) -> gpd.GeoSeries:
    """Marker positions: entities sharing one approximate point are spread around it.

    Entities without coordinates all sit on their gmina's representative point; drawn there
    they would hide each other. They are laid out on a small sunflower spiral around that point
    (inside a circle of about the gmina's size), so each stays visible and clickable. Entities
    with real coordinates are not moved.

    Parameters
    ----------
    entities : geopandas.GeoDataFrame
        Entities with point geometry; ``pozycja_przyblizona`` marks approximate ones.
    gminy : geopandas.GeoDataFrame, optional
        Gminas (``teryt``, geometry) to bound the spread by the gmina's area.

    Returns
    -------
    geopandas.GeoSeries
        Points in EPSG:4326, same index as ``entities``.
    """
    points = entities.geometry.to_crs(4326)
    if entities.empty or "pozycja_przyblizona" not in entities.columns:
        return points
    approx = entities["pozycja_przyblizona"].fillna(False).astype(bool).to_numpy()
    metric = entities.geometry.to_crs(METRIC_CRS)
    x = metric.x.to_numpy(dtype=float)
    y = metric.y.to_numpy(dtype=float)
    key = pd.Series(np.round(x).astype(str), index=entities.index) + ":" + np.round(y).astype(str)
    key = key.where(approx, None)
    rank = key.groupby(key).cumcount().reindex(key.index).fillna(0).to_numpy(dtype=float)
    size = key.map(key.value_counts()).fillna(1).to_numpy(dtype=float)
    spread = approx & (size > 1)
    if not spread.any():
        return points

    shapes = None
    step = np.full(len(entities), _SPREAD_STEP_M)
    if gminy is not None and "teryt_gminy" in entities.columns:
        polygons = gminy.set_index("teryt").geometry.to_crs(METRIC_CRS)
        shapes = entities["teryt_gminy"].map(polygons)
        radius = np.sqrt(gpd.GeoSeries(shapes, crs=METRIC_CRS).area / math.pi)
        # Keep the spiral (radius step*sqrt(n)) within ~60 % of the gmina's equivalent circle.
        limit = 0.6 * radius.to_numpy(dtype=float) / np.sqrt(size)
        step = np.where(np.isnan(limit), step, np.minimum(step, limit))
    r = step * np.sqrt(rank + 0.5)
    angle = rank * math.pi * (3 - math.sqrt(5))  # golden angle: an even sunflower
    new_x = np.where(spread, x + r * np.sin(angle), x)
    new_y = np.where(spread, y + r * np.cos(angle), y)
    moved = gpd.GeoSeries(gpd.points_from_xy(new_x, new_y), index=entities.index, crs=METRIC_CRS)
    if shapes is not None:
        # Ring-shaped rural gminas around a town: a point may land outside; pull it back in.
        known = spread & shapes.notna().to_numpy()
        area = gpd.GeoSeries(shapes[known], crs=METRIC_CRS)
        outside = ~area.contains(moved[known])
        if outside.any():
            idx = outside[outside].index
            inner = area[idx].buffer(-200)
            inner = inner.where(~inner.is_empty, area[idx])
            pulled = shapely.shortest_line(inner.array, moved[idx].array)
            moved[idx] = shapely.get_point(pulled, 0)
    return moved.to_crs(4326)


def _row(label: str, value: str) -> str:
    return f"<tr><th>{html.escape(label)}</th><td>{value}</td></tr>" if value else ""


def _entity_popup(rec: Mapping[str, object], typ: str, gmina_name: str) -> str:
    start, end = _date_text(rec.get("data_rozpoczecia")), _date_text(rec.get("data_zakonczenia"))
    period = ""
    if start or end:
        period = (f"od {html.escape(start)}" if start else "") + (
            f" do {html.escape(end)}" if end else ""
        )
    address = ", ".join(
        p
        for p in (
            _esc(rec.get("adres")),
            " ".join(x for x in (_esc(rec.get("kod_pocztowy")), _esc(rec.get("miejscowosc"))) if x),
        )
        if p
    )
    source = "; ".join(x for x in (_esc(rec.get("zrodlo")), _esc(rec.get("zrodlo_rejestru"))) if x)
    gmina = html.escape(gmina_name) if gmina_name else _esc(rec.get("gmina"))
    rows = "".join(
        [
            _row("Podmiot prowadzący", _esc(rec.get("podmiot_prowadzacy"))),
            _row("Adres", address),
            _row("Gmina", gmina),
            _row("Działalność", period),
            _row("Zweryfikowano", html.escape(_date_text(rec.get("data_weryfikacji")))),
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
        f"{html.escape(typ)} – {html.escape(ENTITY_TYPES[typ])}</div>"
        f"<table>{rows}</table>{note}</div>"
    )


def entities_geojson(entities: gpd.GeoDataFrame, gminy: gpd.GeoDataFrame | None = None) -> dict:
    """GeoJSON of the entities to draw, with escaped tooltip and popup HTML.

    Parameters
    ----------
    entities : geopandas.GeoDataFrame
        Located entities; only :func:`entities_on_map` rows are included.
    gminy : geopandas.GeoDataFrame, optional
        Gminas (``teryt, nazwa``), for the gmina name in popups and the spread of
        approximate points.

    Returns
    -------
    dict
        FeatureCollection of points; properties ``kind`` ("podmiot"), ``ref`` (position of
        the entity in ``entities``), ``typ`` (known type code), ``przyblizona`` (bool),
        ``etykieta`` (tooltip) and ``opis`` (popup), both escaped HTML.
    """
    mask = _on_map(entities)
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
    labels = [
        f"{html.escape(t)}: {_esc(rec.get('nazwa'))}" for rec, t in zip(records, typ, strict=True)
    ]
    props = pd.DataFrame(
        {
            "kind": "podmiot",
            "ref": positions,
            "typ": typ.to_numpy(),
            "przyblizona": approx.to_numpy(),
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


# --------------------------------------------------------------------------- legend


def _legend_row(symbol: str, label: str, n: int | None = None, faded: bool = False) -> str:
    count = f' <span class="lg-n">({int(n)})</span>' if n is not None else ""
    css = "lg-row lg-zero" if faded else "lg-row"
    return f'<div class="{css}">{symbol}<span>{label}{count}</span></div>'


def legend_html(
    counts: Mapping[str, int],
    types_shown: Mapping[str, int],
    *,
    approximate: bool = True,
    note: str | None = None,
) -> str:
    """The legend as HTML (all text escaped).

    Parameters
    ----------
    counts : Mapping[str, int]
        Number of gminas per coverage status.
    types_shown : Mapping[str, int]
        Number of markers per entity type (types with 0 are listed greyed).
    approximate : bool
        Explain the hollow markers.
    note : str, optional
        Footer text, e.g. the "stan na" date and data label.
    """
    parts = [
        '<div class="lg-title">Pokrycie gmin CIS/KIS</div>',
        '<div class="lg-sub">Model Lokalnej Współpracy: CIS lub KIS dla każdej gminy</div>',
    ]
    for status in COVERAGE_ORDER:
        swatch = f'<span class="lg-box" style="background:{COVERAGE_COLORS[status]}"></span>'
        parts.append(_legend_row(swatch, html.escape(COVERAGE_LABELS[status]), counts.get(status)))
    line = f'<span class="lg-line" style="border-color:{POWIAT_BORDER}"></span>'
    parts.append(_legend_row(line, "granica powiatu"))
    parts.append('<div class="lg-title lg-gap">Podmioty na mapie</div>')
    for code, name in ENTITY_TYPES.items():
        dot = f'<span class="lg-dot" style="background:{TYPE_COLORS[code]}"></span>'
        label = f"<b>{html.escape(code)}</b> {html.escape(name)}"
        n = int(types_shown.get(code, 0))
        parts.append(_legend_row(dot, label, n, faded=n == 0))
    if approximate:
        parts.append(
            _legend_row(
                '<span class="lg-dot lg-ring"></span>',
                "pusty środek: lokalizacja przybliżona (w gminie, bez adresu)",
            )
        )
    if note:
        parts.append(f'<div class="lg-note">{html.escape(note)}</div>')
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
                map.fitBounds(bounds, options);
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


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


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
        Asset URLs by name (default :func:`geo.assets.asset_urls`).

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
    for element in _walk(m):
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


def build_map(
    gminy: gpd.GeoDataFrame,
    entities: gpd.GeoDataFrame | None = None,
    powiaty: gpd.GeoDataFrame | None = None,
    *,
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
        Located entities; those of :func:`entities_on_map` become markers.
    powiaty : geopandas.GeoDataFrame, optional
        Powiat polygons, drawn as outlines (default: dissolved from ``gminy``).
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
    gminy_json = gminy_geojson(gminy)
    if powiaty is None:
        powiaty = gminy[["powiat", gminy.geometry.name]].dissolve("powiat").reset_index()
    minx, miny, maxx, maxy = gminy.to_crs(4326).total_bounds

    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=8,
        tiles=None,
        control_scale=False,  # metric-only scale bar is added with the legend
        zoom_snap=0.1,
        zoom_delta=0.5,
        min_zoom=5,
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

    status_counts = gminy["pokrycie"].value_counts().to_dict()
    folium.GeoJson(
        gminy_json,
        name="Gminy: pokrycie CIS/KIS",
        style_function=_gmina_style,
        highlight_function=_gmina_highlight,
        on_each_feature=_GMINA_CLASS_JS,
        tooltip=folium.GeoJsonTooltip(
            fields=["nazwa", "rodzaj", "powiat", "status", "pes"],
            aliases=["Gmina", "Rodzaj", "Powiat", "Pokrycie", "Liczba PES"],
            sticky=True,
            class_name="gmina-tooltip",
        ),
        attribution=html.escape(attribution) if attribution else None,
    ).add_to(m)

    outline = _rounded(powiaty.geometry.to_crs(4326).boundary)
    folium.GeoJson(
        json.loads(gpd.GeoDataFrame(geometry=outline.reset_index(drop=True)).to_json()),
        name="Granice powiatów",
        style_function=lambda _: {
            "color": POWIAT_BORDER,
            "weight": 2,
            "opacity": 0.9,
            "fill": False,
            "className": "powiat",
        },
        interactive=False,
    ).add_to(m)

    types_shown: dict[str, int] = {}
    any_approx = False
    if entities is not None:
        points = entities_geojson(entities, gminy)
        for feature in points["features"]:
            p = feature["properties"]
            types_shown[p["typ"]] = types_shown.get(p["typ"], 0) + 1
            any_approx = any_approx or bool(p["przyblizona"])
        if points["features"]:
            folium.GeoJson(
                points,
                name="Podmioty ekonomii społecznej",
                marker=folium.CircleMarker(radius=6),
                style_function=_entity_style,
                tooltip=folium.GeoJsonTooltip(fields=["etykieta"], labels=False),
                popup=folium.GeoJsonPopup(fields=["opis"], labels=False, max_width=340),
            ).add_to(m)

    Legend(legend_html(status_counts, types_shown, approximate=any_approx, note=note)).add_to(m)
    folium.LayerControl(collapsed=True, position="topleft").add_to(m)
    _FitRegion([[miny, minx], [maxy, maxx]]).add_to(m)
    return use_local_assets(m, asset_urls(static_url))


def map_html(m: folium.Map) -> str:
    """The complete HTML document of ``m`` (for tests and export)."""
    return m.get_root().render()


def external_urls(text: str) -> list[str]:
    """All http(s) URLs in ``text`` (to check that a document loads nothing from outside)."""
    found = re.findall(r"https?://[^\s\"'<>)\\]+", text, flags=re.IGNORECASE)
    # Protocol-relative links ("//cdn...") in src/href/url() load from outside too.
    found += re.findall(r"(?:src|href)\s*=\s*[\"']//[^\"']+|url\(\s*[\"']?//[^)]+", text)
    return found
