"""Coordinate reference systems and Poland's extent, defined once.

The registry reader and the locator both judge whether a latitude/longitude pair was swapped
by this one box; before it had one copy each, with different numbers, so a point in the margin
was swapped by one and not by the other.
"""

from __future__ import annotations

from typing import Final

__all__ = ["LAT_RANGE", "LON_RANGE", "METRIC_CRS", "WGS84"]

#: PUWG 1992, the metric CRS of PRG (GUGiK): distances and areas are computed in it.
METRIC_CRS: Final = "EPSG:2180"
#: Longitude/latitude as registries and the web map use them.
WGS84: Final = "EPSG:4326"
#: Poland's bounding box with a small margin (degrees): lon 14.12–24.15, lat 49.00–54.84.
LON_RANGE: Final = (13.8, 24.5)
LAT_RANGE: Final = (48.9, 55.1)
