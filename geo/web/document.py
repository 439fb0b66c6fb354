"""The rendered map document: walking a folium map's elements, rendering, checking its links.

Why it exists: several steps work on a built map as a whole (local assets, TopoJSON, the
Streamlit replay) and the tests check the document it renders to; they share these few
functions instead of each walking folium's element tree its own way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import folium
from branca.element import Element

__all__ = ["external_urls", "map_elements", "map_html"]


def map_elements(element: Element) -> Iterator[Element]:
    """``element`` and all its descendants (folium/branca children), depth first."""
    yield element
    for child in element._children.values():
        yield from map_elements(child)


def map_html(m: folium.Map) -> str:
    """The complete HTML document of ``m`` (for tests and export)."""
    return m.get_root().render()


def external_urls(text: str) -> list[str]:
    """All http(s) URLs in ``text`` (to check that a document loads nothing from outside)."""
    found = re.findall(r"https?://[^\s\"'<>)\\]+", text, flags=re.IGNORECASE)
    # Protocol-relative links ("//cdn...") in src/href/url() load from outside too.
    found += re.findall(r"(?:src|href)\s*=\s*[\"']//[^\"']+|url\(\s*[\"']?//[^)]+", text)
    return found
