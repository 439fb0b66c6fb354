"""streamlit-folium's internals, in one place: what ``st_folium`` sends to the browser.

Why it exists: :mod:`pages._mapview` renders a map once per view and replays it, which
``st_folium`` cannot do (it renders the whole folium tree on every rerun). Replaying means
producing exactly the arguments ``st_folium`` hands to its browser component, with the same
helpers it uses; those are not public API. Every such name is used here and nowhere else, the
dependency is pinned in pyproject.toml to the tested range, and
``tests/web/test_mapview.py`` compares :func:`component_arguments` with what ``st_folium``
itself sends (on the repository's own data, so it runs in every environment). A new
streamlit-folium that changes them fails that test, not the app.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
import streamlit_folium as sf

from geo.web.document import map_elements
from geo.web.published import published, with_header

__all__ = ["component_arguments", "send"]


def component_arguments(
    fmap: folium.Map, *, key: str, returned_objects: Sequence[str], default: Mapping[str, Any]
) -> dict[str, Any]:
    """Render ``fmap`` and return the arguments ``st_folium`` would send for it.

    As ``st_folium(fmap, key=key, returned_objects=..., use_container_width=True)`` with every
    other option at its default, less ``height``/``width`` (given by :func:`send`) and
    ``on_change`` (the replay registers no callback).
    """
    fmap.get_root().render()
    fmap.render()
    # Same order as st_folium: the Leaflet string renames elements, so HTML and header first.
    html = sf._get_html(fmap)
    header = sf._get_header(fmap)
    script = sf._get_map_string(fmap)
    css: list[str] = []
    js: list[str] = []
    for element in map_elements(fmap):
        css += [href for _, href in getattr(element, "default_css", [])]
        js += [src for _, src in getattr(element, "default_js", [])]
    return {
        "script": script,
        "header": header,
        "html": html,
        "id": sf.get_full_id(fmap),
        # st_folium's key: the same map script gives the same component (the map is kept)
        "key": sf.generate_js_hash(script, key, False),
        "returned_objects": list(returned_objects),
        "default": dict(default),
        "zoom": None,
        "center": None,
        "feature_group": None,
        "return_on_hover": False,
        "layer_control": None,
        "pixelated": False,
        "css_links": list(dict.fromkeys(css)),
        "js_links": list(dict.fromkeys(js)),
        "wrap_longitude": False,
    }


def send(arguments: Mapping[str, Any], *, height: int) -> Any:
    """Draw the component with ``arguments`` at ``height`` px, the container's width.

    The map's header (styles) and script go as one content-addressed static file
    (:mod:`geo.web.published`): the websocket carries a short loader instead of the map.
    """
    script = with_header(arguments["header"], arguments["script"])
    sent = {**arguments, "header": "", "script": published(script)}
    # Looked up on every call (not bound at import), so tests can observe what is sent.
    return sf._component_func(**sent, height=height, width=None)
