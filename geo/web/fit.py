"""Fitting the map's view beside its legend, again whenever the map's frame is resized.

Why it exists: Streamlit sizes the component's frame after the map is created, so a single
fitBounds would fit the area into a wrong size. Used by :mod:`geo.web.maps`.
"""

from __future__ import annotations

import folium
from folium.template import Template

from geo.web.legend import LEGEND_WIDTH

__all__ = ["FitRegion"]


class FitRegion(folium.MacroElement):
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
