"""One content hash for boundaries, for every cache keyed by geometry (web map, neighbours).

Why it exists: the same boundaries come back on every rerun of a page and in every session,
so the costly conversions (rounded GeoJSON, the TopoJSON topology, the simplified geometry on
disk) are cached by what the geometry *is*, not by which object holds it. This module is the
one definition of that key; the in-memory caches themselves are ``cachetools`` LRU caches.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import shapely

__all__ = ["content_key"]


def content_key(*parts: object, geometries: Iterable[gpd.GeoSeries] = ()) -> str:
    """SHA-256 of ``parts`` (as JSON) and of every geometry of ``geometries`` (as WKB).

    Parameters
    ----------
    *parts : object
        JSON-serialisable values that also decide the result (parameters, codes, a version).
    geometries : iterable of geopandas.GeoSeries
        The boundaries; missing geometries count too, and each series is delimited, so
        moving a shape from one series to the next changes the key.
    """
    digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode())
    for series in geometries:
        for wkb in shapely.to_wkb(np.asarray(series.array, dtype=object)):
            digest.update(wkb if wkb is not None else b"-")
        digest.update(b"\0")
    return digest.hexdigest()
