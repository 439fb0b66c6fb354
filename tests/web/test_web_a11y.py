"""The map document declares Polish and leaves zoom to the user (geo.web.a11y)."""

from __future__ import annotations

import folium

from geo.web.a11y import ACCESSIBLE_VIEWPORT, make_accessible
from geo.web.document import map_html


def test_script_sets_language_and_viewport() -> None:
    html = map_html(make_accessible(folium.Map(tiles=None), lang="pl"))
    assert 'setAttribute("lang", "pl")' in html
    assert f'setAttribute("content", "{ACCESSIBLE_VIEWPORT}")' in html
    assert "user-scalable" not in ACCESSIBLE_VIEWPORT and "maximum-scale" not in ACCESSIBLE_VIEWPORT


def test_plain_folium_map_disables_zoom() -> None:
    """Why the script exists: folium's own header still forbids zooming."""
    assert "user-scalable=no" in map_html(folium.Map(tiles=None))
