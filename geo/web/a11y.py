"""Accessibility of the map's own document (WCAG 2.1 AA): Polish language, zoom allowed.

Why it exists: the map is drawn in a frame whose document the app does not write.
streamlit-folium's frame declares ``lang="en"`` (screen readers would read Polish text with
English pronunciation) and folium's header adds a viewport with ``maximum-scale=1.0,
user-scalable=no``, which stops people with low vision from zooming the page (WCAG 1.4.4).
Neither template can be configured, so a small script in the map fixes both in the document
it runs in: the Streamlit frame, and an exported HTML map alike.
"""

from __future__ import annotations

import folium
from folium.template import Template

__all__ = ["ACCESSIBLE_VIEWPORT", "AccessibleDocument", "make_accessible"]

#: The viewport every map document ends with: scaled to the device, zoom left to the user.
ACCESSIBLE_VIEWPORT = "width=device-width, initial-scale=1"


class AccessibleDocument(folium.MacroElement):
    """Declare the document Polish and let the user zoom (runs once, when the map is built)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            document.documentElement.setAttribute("lang", {{ this.lang|tojson }});
            document.querySelectorAll('meta[name="viewport"]').forEach(function (meta) {
                meta.setAttribute("content", {{ this.viewport|tojson }});
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, lang: str = "pl") -> None:
        super().__init__()
        self._name = "AccessibleDocument"
        self.lang = lang
        self.viewport = ACCESSIBLE_VIEWPORT


def make_accessible(m: folium.Map, lang: str = "pl") -> folium.Map:
    """Add :class:`AccessibleDocument` to ``m`` (returns ``m`` for chaining)."""
    AccessibleDocument(lang).add_to(m)
    return m
