"""What the browser runs for a map sent to the component (tests only).

The component receives a short loader of a published file (geo/web/published.py); the map
itself is that file. Tests that look into the map's script read it through here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from geo.web.published import PUBLISHED_DIR

_PUBLISHED = re.compile(r"/maps/([0-9a-f]{64}\.js)")


def map_script(sent: Mapping[str, Any]) -> str:
    """The map's script of the component arguments ``sent`` (the published file it loads)."""
    name = _PUBLISHED.search(sent["script"])
    assert name, "the map goes as a published static file"
    return (PUBLISHED_DIR / name.group(1)).read_text(encoding="utf-8")
