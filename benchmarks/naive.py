"""The naive map: the baseline our map document and page are measured against.

What a first version would do: ``folium.GeoJson`` of the boundaries with every property at
full precision, one ``folium.Marker`` with an HTML popup per entity (the same details our
popups show), folium's default tiles and assets, and ``st_folium`` with its defaults (every
pan and zoom sends the view back and reruns the page).
"""

from __future__ import annotations

import html
import json
from typing import Any

import folium
import geopandas as gpd
from folium.template import Template

from geo.core.schema import ENTITY_TYPES
from geo.pipeline import CoverageResult
from geo.present.points import entities_on_map
from geo.web.assets import use_local_assets
from geo.web.indicators import COVERAGE_COLORS

POPUP_FIELDS = {
    "podmiot_prowadzacy": "Podmiot prowadzący",
    "adres": "Adres",
    "miejscowosc": "Miejscowość",
    "teryt_gminy": "Gmina (TERYT)",
    "data_rozpoczecia": "Działa od",
    "data_zakonczenia": "Działa do",
    "data_weryfikacji": "Zweryfikowano",
    "zrodlo": "Źródło",
    "uwagi": "Uwagi",
}


def _popup(entity: Any) -> str:
    rows = "".join(
        f"<tr><th>{label}</th><td>{html.escape(str(entity[col]))}</td></tr>"
        for col, label in POPUP_FIELDS.items()
        if col in entity and isinstance(entity[col], str) and entity[col]
    )
    typ = str(entity["typ"])
    return (
        f"<b>{html.escape(str(entity['nazwa']))}</b><br>{html.escape(typ)} – "
        f"{html.escape(ENTITY_TYPES.get(typ, ''))}<table>{rows}</table>"
    )


def naive_map(result: CoverageResult) -> folium.Map:
    """The coverage map built the naive way (same content as ours)."""
    gminy = result.gminy
    minx, miny, maxx, maxy = gminy.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=8)
    folium.GeoJson(
        json.loads(gminy.to_json()),
        name="Gminy",
        style_function=lambda f: {
            "fillColor": COVERAGE_COLORS[f["properties"]["pokrycie"]],
            "color": "#ffffff",
            "weight": 0.8,
            "fillOpacity": 0.88,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["nazwa", "rodzaj_nazwa", "powiat_nazwa", "pokrycie", "pes_razem"],
            aliases=["Gmina", "Rodzaj", "Powiat", "Pokrycie", "Liczba PES"],
        ),
    ).add_to(m)
    powiaty = gpd.GeoDataFrame(result.region.powiaty)
    folium.GeoJson(
        json.loads(powiaty.to_json()),
        name="Powiaty",
        style_function=lambda f: {"color": "#3a3a3a", "weight": 2, "fill": False},
    ).add_to(m)
    for _, entity in entities_on_map(result.entities).iterrows():
        point = entity.geometry
        folium.Marker(
            [point.y, point.x],
            popup=folium.Popup(_popup(entity), max_width=340),
            tooltip=f"{entity['typ']}: {entity['nazwa']}",
        ).add_to(m)
    folium.LayerControl().add_to(m)
    return m


class _JQueryShim(folium.MacroElement):
    """Stands in for jQuery (folium's popups call ``$(html)[0]``), which cannot be fetched here.

    Only for the browser benchmark: a naive deployment loads jQuery from a CDN.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.$ = window.$ || function (markup) {
            var box = document.createElement("div");
            box.innerHTML = String(markup).trim();
            return [box.firstChild];
        };
        {% endmacro %}
        """
    )


def offline(m: folium.Map) -> folium.Map:
    """The naive map made to draw without internet: local Leaflet, a jQuery stand-in."""
    shim = _JQueryShim()
    m.add_child(shim)
    m._children.move_to_end(shim.get_name(), last=False)
    return use_local_assets(m)
