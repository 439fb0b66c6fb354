"""The entities as GeoJSON point markers: popups, tooltips and one style table per map.

Why it exists: each entity becomes a circle marker whose tooltip and popup are HTML built
from registry texts, so everything is escaped here (:mod:`geo.web.escape`). The marker
styles (type colour; hollow for an approximate position; faded and dashed when not active on
the date) travel as one lookup table in a JavaScript style function, not one entry per
marker. Positions come from :func:`geo.present.points.display_points`, as in print.

A browser cannot take every entity of a large registry (500,000 markers are hundreds of MB
and minutes of drawing): above :data:`MAX_MARKERS` the map gets one count circle per gmina
instead (:func:`gmina_counts_geojson`), whose size does not grow with the registry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.core.schema import ENTITY_TYPES, SOCIAL_EMPLOYMENT_TYPES, TYPE_COLORS
from geo.present.points import display_points, on_map_mask
from geo.web.escape import date_text, escaped, html_safe, is_blank, plain_text
from geo.web.geojson import feature_collection
from geo.web.simplify import rounded
from geo.web.topo_layer import TopoGeoJson

__all__ = [
    "MAX_MARKERS",
    "TYPE_FALLBACK",
    "COUNT_STYLE_JS",
    "entities_geojson",
    "entity_style",
    "entity_style_js",
    "gmina_counts_geojson",
    "gmina_counts_layer",
]

TYPE_FALLBACK = "INNY"
#: Most markers one map sends to the browser; above it each gmina gets one count circle.
MAX_MARKERS = 3000
_COUNT_COLOUR = "#2c5d8f"


def _row(label: str, value: str) -> str:
    return f"<tr><th>{html_safe(label)}</th><td>{value}</td></tr>" if value else ""


def _entity_popup(rec: Mapping[str, object], typ: str, gmina_name: str) -> str:
    start, end = date_text(rec.get("data_rozpoczecia")), date_text(rec.get("data_zakonczenia"))
    period = ""
    if start or end:
        since = f"od {html_safe(start)}" if start else ""
        period = since + (f" do {html_safe(end)}" if end else "")
    address = ", ".join(
        p
        for p in (
            escaped(rec.get("adres")),
            " ".join(
                x for x in (escaped(rec.get("kod_pocztowy")), escaped(rec.get("miejscowosc"))) if x
            ),
        )
        if p
    )
    sources = (escaped(rec.get("zrodlo")), escaped(rec.get("zrodlo_rejestru")))
    source = "; ".join(x for x in sources if x)
    gmina = html_safe(gmina_name) if gmina_name else escaped(rec.get("gmina"))
    rows = "".join(
        [
            _row("Podmiot prowadzący", escaped(rec.get("podmiot_prowadzacy"))),
            _row("Adres", address),
            _row("Gmina", gmina),
            _row("Działalność", period),
            _row("Zweryfikowano", html_safe(date_text(rec.get("data_weryfikacji")))),
            _row("Źródło", source),
            _row("Uwagi", escaped(rec.get("uwagi"))),
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
        f'<div class="pes-popup"><div class="pes-nazwa">{escaped(rec.get("nazwa"))}</div>'
        f'<div class="pes-typ"><span class="pes-kropka" style="background:{colour}"></span>'
        f"{html_safe(typ)} – {html_safe(ENTITY_TYPES[typ])}</div>"
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
        names = dict(zip(gminy["teryt"].astype(str), gminy["nazwa"].map(plain_text), strict=True))
    gmina_names = (
        shown["teryt_gminy"].map(lambda c: names.get(str(c), "") if not is_blank(c) else "")
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
        f"{html_safe(t)}: {escaped(rec.get('nazwa'))}{note}"
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
    points = rounded(display_points(shown, gminy)).set_axis(props.index)
    return feature_collection(gpd.GeoDataFrame(props, geometry=points, crs=4326))


def entity_style(feature: dict) -> dict:
    """The marker style of one entity feature (by type, approximate position, activity)."""
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


def entity_style_js() -> folium.JsCode:
    """The entity styles as one lookup table in the document (no per-marker entries)."""
    table = {
        f"{typ}|{int(approx)}|{int(active)}": entity_style(
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


def _plural_podmiot(n: int) -> str:
    if n == 1:
        return "1 podmiot"
    few = n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14)
    return f"{n:,}".replace(",", "\u00a0") + (" podmioty" if few else " podmiotów")


def gmina_counts_geojson(
    entities: gpd.GeoDataFrame, gminy: gpd.GeoDataFrame, include_inactive: bool = False
) -> dict:
    """One point per gmina with the number of its entities on the map, by type.

    The markers of :func:`entities_geojson` summed per gmina (``teryt_gminy``), drawn at the
    gmina's representative point; a click selects the gmina (``kind`` "gmina", ``ref`` its
    TERYT). Its size depends on the number of gminas, not of entities.

    Returns
    -------
    dict
        FeatureCollection of points; properties ``kind``, ``ref``, ``n`` (entities),
        ``r`` (circle radius in px) and ``etykieta``
        (escaped tooltip HTML).

    Radius ``r`` (px): 3 to 18, the area proportional to ``n`` relative to the largest.
    """
    shown = entities[on_map_mask(entities, include_inactive)]
    typ = shown["typ"].where(shown["typ"].isin(list(ENTITY_TYPES)), TYPE_FALLBACK)
    table = pd.crosstab(shown["teryt_gminy"].astype(str), typ)
    table = table[[t for t in ENTITY_TYPES if t in table.columns]]  # the legend's order
    places = gminy.set_index(gminy["teryt"].astype(str))
    table = table[table.index.isin(places.index)]
    n = table.sum(axis=1)
    names = places["nazwa"].map(plain_text).reindex(table.index)
    by_type = [
        ", ".join(f"{html_safe(t)} {int(row[t])}" for t in table.columns if row[t])
        for _, row in table.iterrows()
    ]
    labels = [
        f"{html_safe(name)}: {_plural_podmiot(int(count))} ({types})"
        for name, count, types in zip(names, n, by_type, strict=True)
    ]
    props = pd.DataFrame(
        {
            "kind": "gmina",
            "ref": table.index.to_numpy(),
            "n": n.to_numpy(dtype=int),
            # area grows with the count, the largest gmina 18 px: circles stay apart
            "r": np.round(3 + 15 * np.sqrt(n.to_numpy(dtype=float) / max(int(n.max()), 1)), 1),
            "etykieta": labels,
        },
        index=pd.Index([f"g{code}" for code in table.index], name="id"),
    )
    points = places.geometry.reindex(table.index).representative_point()
    points = rounded(gpd.GeoSeries(points, crs=gminy.crs).to_crs(4326)).set_axis(props.index)
    return feature_collection(gpd.GeoDataFrame(props, geometry=points, crs=4326))


#: The style of the count circles: radius from the feature, one colour.
COUNT_STYLE_JS = folium.JsCode(
    "function (feature) {\n"
    '    return {radius: Math.min(feature.properties.r, 40), color: "#ffffff", weight: 1.5,\n'
    f'            fill: true, fillColor: "{_COUNT_COLOUR}", fillOpacity: 0.7,\n'
    '            className: "pes-suma"};\n'
    "}"
)


def gmina_counts_layer(shown: gpd.GeoDataFrame, gminy: gpd.GeoDataFrame) -> TopoGeoJson:
    """The map layer of :func:`gmina_counts_geojson` (``shown``: the entities to count)."""
    return TopoGeoJson(
        gmina_counts_geojson(shown, gminy, include_inactive=True),
        name="Podmioty: liczba w gminie",
        marker=folium.CircleMarker(radius=6),
        tooltip=folium.GeoJsonTooltip(fields=["etykieta"], labels=False),
        style=COUNT_STYLE_JS,
    )
