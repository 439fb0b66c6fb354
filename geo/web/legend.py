"""The map's legend and CSS: one Leaflet control of plain HTML, no external files.

Why it exists: the legend explains the choropleth classes (from :mod:`geo.web.indicators`,
hence from the one style vocabulary :mod:`geo.present.styles`), the boundary lines and the
entity markers, with counts, and it carries the map's stylesheet: the hatch pattern of
"unknown" classes, popups and the legend itself. All text is escaped (it may come from data).

The legend folds away behind a "Legenda" button (a real ``<button>``, so it works from the
keyboard and tells screen readers whether it is open), and it steps back (transparent, no
pointer events) while a tooltip would be drawn under it: Leaflet's controls sit above its
panes, so a tooltip can never be raised over them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import folium
from folium.template import Template

from geo.core.schema import ENTITY_TYPES, TYPE_COLORS
from geo.present import styles
from geo.web.escape import html_safe, js_string
from geo.web.indicators import INDICATOR_NOTES, LegendClass

__all__ = [
    "HATCH_ID",
    "LEGEND_WIDTH",
    "POWIAT_BORDER",
    "SUBREGION_BORDER",
    "Legend",
    "legend_html",
]

MAP_BACKGROUND = "#eef0f3"
LEGEND_WIDTH = 285  # px; the region is fitted beside the legend, never under it
POWIAT_BORDER = "#3a3a3a"
SUBREGION_BORDER = "#6a3d9a"
#: The SVG stripe pattern of hatched ("unknown") classes, referenced by the map's CSS.
HATCH_ID = "pes-kreski"


def _legend_row(symbol: str, label: str, n: int | None = None, faded: bool = False) -> str:
    count = ""
    if n is not None:
        number = f"{int(n):,}".replace(",", "\u00a0")  # Polish thousands: 62 160
        count = f' <span class="lg-n">({number})</span>'

    css = "lg-row lg-zero" if faded else "lg-row"
    return f'<div class="{css}">{symbol}<span>{label}{count}</span></div>'


def _swatch(cls: LegendClass) -> str:
    hatch = " lg-hatch" if cls.hatched else ""
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
    summed: bool = False,
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
    summed : bool
        The entities are drawn as one count circle per gmina, not as markers.
    """
    if classes is None:
        classes = [LegendClass.of(s) for s in styles.COVERAGE]
    parts = [
        f'<div class="lg-title">{html_safe(title or "Pokrycie gmin CIS/KIS")}</div>',
        f'<div class="lg-sub">{html_safe(subtitle or INDICATOR_NOTES["pokrycie"])}</div>',
    ]
    for cls in classes:
        n = int(counts.get(cls.key, 0))
        parts.append(_legend_row(_swatch(cls), html_safe(cls.label), n, faded=n == 0))
    for label, colour, dashed in outlines:
        css = "lg-line lg-dashed" if dashed else "lg-line"
        line = f'<span class="{css}" style="border-color:{colour}"></span>'
        parts.append(_legend_row(line, html_safe(label)))
    if types_shown is not None:
        parts.append('<div class="lg-title lg-gap">Podmioty na mapie</div>')
        listed = [t for t in ENTITY_TYPES if types is None or t in types]
        for code in listed:
            name = ENTITY_TYPES[code]
            dot = f'<span class="lg-dot" style="background:{TYPE_COLORS[code]}"></span>'
            label = f"<b>{html_safe(code)}</b> {html_safe(name)}"
            n = int(types_shown.get(code, 0))
            parts.append(_legend_row(dot, label, n, faded=n == 0))
        if summed:
            parts.append(
                _legend_row(
                    '<span class="lg-dot lg-suma"></span>',
                    "koło: liczba podmiotów w gminie (za dużo punktów, by pokazać każdy)",
                )
            )
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
        parts.append(f'<div class="lg-note">{html_safe(note)}</div>')
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
.mapa-legenda {{ background: rgba(255,255,255,0.94); padding: 6px 10px 8px; border-radius: 6px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); color: #1a1a1a; width: {LEGEND_WIDTH}px; line-height: 1.3;
  box-sizing: border-box; transition: opacity 0.12s; }}
.mapa-legenda.lg-folded {{ width: auto; padding: 4px 6px; }}
.mapa-legenda.lg-folded .lg-body {{ display: none; }}
.mapa-legenda.lg-behind {{ opacity: 0.12; pointer-events: none; }}
.mapa-legenda .lg-body {{ max-height: calc(100vh - 90px); overflow-y: auto; }}
.mapa-legenda .lg-toggle {{ display: block; margin-left: auto; font: inherit; font-weight: 600;
  font-size: 12.5px; color: #1a1a1a; background: #f4f4f4; border: 1px solid #999;
  border-radius: 4px; padding: 2px 8px; cursor: pointer; }}
.mapa-legenda .lg-toggle:focus-visible {{ outline: 3px solid #1f6feb; outline-offset: 1px; }}
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
.mapa-legenda .lg-suma {{ background: #2c5d8f; opacity: 0.75; border-color: #fff; }}
.mapa-legenda .lg-inactive {{ background: #fff; border: 2px dashed #555; }}
.mapa-legenda .lg-dashed {{ border-top-style: dashed; }}
.mapa-legenda .lg-hatch {{ background-image: repeating-linear-gradient(45deg, #9a9a9a 0 1.5px,
  transparent 1.5px 5px); }}
.leaflet-pane path.gmina-k-{styles.UNKNOWN_KEY} {{ fill: url(#{HATCH_ID}); }}
.leaflet-pane path.podregion-{styles.UNKNOWN_KEY} {{ fill: url(#{HATCH_ID}); }}
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


#: A map narrower than this (a phone) opens with its legend folded.
FOLD_BELOW_PX = 500


class Legend(folium.MacroElement):
    """Map CSS plus a Leaflet control holding the legend (pure HTML, no external files)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "mapa-legenda");
                var button = L.DomUtil.create("button", "lg-toggle", div);
                button.type = "button";
                button.setAttribute("aria-expanded", "true");
                var body = L.DomUtil.create("div", "lg-body", div);
                body.id = "mapa-legenda-tresc";
                button.setAttribute("aria-controls", body.id);
                body.innerHTML = {{ this.html_js }};
                var show = function (open) {
                    div.classList.toggle("lg-folded", !open);
                    button.setAttribute("aria-expanded", open ? "true" : "false");
                    button.textContent = open ? "Legenda \u25b4 zwiń" : "Legenda \u25be";
                };
                // On a phone the open legend would cover most of the map: it starts folded.
                show(map.getContainer().clientWidth >= {{ this.fold_below_px }});
                L.DomEvent.on(button, "click", function (e) {
                    L.DomEvent.stop(e);
                    show(div.classList.contains("lg-folded"));
                });
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                // A tooltip under the legend: let it show through (controls are above panes).
                var behind = function () {
                    var over = false;
                    var box = div.getBoundingClientRect();
                    map.getContainer().querySelectorAll(".leaflet-tooltip").forEach(function (t) {
                        var r = t.getBoundingClientRect();
                        if (r.left < box.right && r.right > box.left &&
                            r.top < box.bottom && r.bottom > box.top) { over = true; }
                    });
                    div.classList.toggle("lg-behind", over);
                };
                map.on("tooltipopen mousemove", behind);
                map.on("tooltipclose mouseout", function () {
                    div.classList.remove("lg-behind");
                });
                return div;
            };
            legend.addTo(map);
            L.control.scale({imperial: false}).addTo(map);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, legend: str, position: str = "topright") -> None:
        super().__init__()
        self._name = "Legend"
        self.css = _MAP_CSS
        self.html_js = js_string(legend)
        self.position = position
        self.fold_below_px = FOLD_BELOW_PX
