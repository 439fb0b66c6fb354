"""Interactive maps on pages: each distinct view is rendered once, then replayed.

Why: ``st_folium`` renders the whole folium tree on every rerun (Jinja templates, regular
expressions over a ~130 KB document): with building the map that was most of a ~100-200 ms
rerun of the map page, although a click or an unrelated widget leaves the map unchanged.
Here the map is rendered once per *view* into the arguments of streamlit-folium's browser
component (plain strings and lists), kept with ``st.cache_resource`` (shared read-only by
all sessions, bounded) and sent as they are on later reruns. The browser gets the same
arguments and the same component key, so the drawn map keeps its state (pan, zoom, open
layers) exactly as with ``st_folium``; a different view gets a new key and a new map.

What makes an entry stale: the caller's ``view`` key. It must name everything the map shows:
the data, usually as the key :func:`pages._common.coverage_and_key` returns with the result
the map is drawn from (boundaries, registry version, LPRES and subregion files, date), and
the page's own choices (indicator, filters...).

Coupling: the arguments are produced by streamlit-folium's own helpers, the same calls
``st_folium`` makes. They are internal to that package, so they are used only in
:mod:`pages._folium_adapter`, and ``tests/web/test_mapview.py`` compares :func:`map_arguments`
with what ``st_folium`` itself sends, failing if a new streamlit-folium changes them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

import folium
import streamlit as st

from pages._folium_adapter import component_arguments, send

#: What a click returns when ``returned_objects`` names it (st_folium's initial values).
_DEFAULTS: dict[str, Any] = {
    "last_clicked": None,
    "last_object_clicked": None,
    "last_object_clicked_count": None,
    "last_object_clicked_tooltip": None,
    "last_object_clicked_popup": None,
    "all_drawings": None,
    "last_active_drawing": None,
    "last_circle_radius": None,
    "last_circle_polygon": None,
    "selected_layers": None,
    "selected_tags": None,
    "last_geocoder_result": None,
}


def map_arguments(fmap: folium.Map, *, key: str, returned_objects: Sequence[str]) -> dict[str, Any]:
    """The arguments ``st_folium`` would send to the browser for ``fmap`` (renders it once).

    Only what a returned object needs is included in ``default``: the view (zoom, bounds,
    center) must not be returned, or every pan and zoom would rerun the page.
    """
    unknown = set(returned_objects) - set(_DEFAULTS)
    if unknown:
        raise ValueError(f"returned_objects: not a click result: {sorted(unknown)}")
    default = {k: v for k, v in _DEFAULTS.items() if k in returned_objects}
    return component_arguments(fmap, key=key, returned_objects=returned_objects, default=default)


@st.cache_resource(show_spinner=False, max_entries=48)
def _rendered(
    key: str, view: Hashable, returned: tuple[str, ...], _build: Callable[[], folium.Map]
) -> dict[str, Any]:
    return map_arguments(_build(), key=key, returned_objects=returned)


def show_map(
    build: Callable[[], folium.Map],
    *,
    key: str,
    view: Hashable,
    height: int,
    returned_objects: Sequence[str] = (),
) -> dict[str, Any] | None:
    """Draw the map ``build()`` makes, building and rendering it only for a new ``view``.

    Parameters
    ----------
    build : callable
        Makes the folium map; called only when ``view`` has not been rendered yet.
    key : str
        The widget key (one per map on a page).
    view : hashable
        Everything the map depends on (see the module docstring).
    height : int
        Height in pixels; the map takes the container's width.
    returned_objects : sequence of str
        Click results to return (e.g. ``["last_active_drawing"]``); an empty sequence makes
        a map that never reruns the page.

    Returns
    -------
    dict or None
        The returned objects of the latest interaction (their defaults before any).
    """
    args = _rendered(key, view, tuple(returned_objects), build)
    # A new dict: the component call must not change the cached, shared arguments.
    return send(args, height=height)
