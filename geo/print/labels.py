"""Names on print maps: where a name reads best, and gmina names only where they fit.

A name goes to the pole of inaccessibility of the largest part of its area (a rural gmina
around a town is a ring: its centroid falls on the town). On a powiat- or subregion-scale map
the gminas are named largest first, each only where its box lies mostly inside the gmina and
clear of the names already written, in the smallest legible type with a white halo.
"""

from __future__ import annotations

import math
from collections.abc import Collection

import geopandas as gpd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.transforms import Bbox
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from geo.print.layout import TEXT_COLOR, Canvas, wrap

__all__ = ["label_point", "name_areas", "name_gminas"]


def name_areas(ax: Axes, names: Collection[str], shapes: gpd.GeoSeries, style: dict) -> None:
    """Names written where they read best (see :func:`label_point`); ``style`` of the text."""
    for name, shape in zip(names, shapes, strict=True):
        point = label_point(shape)
        ax.text(point.x, point.y, name, ha="center", va="center", **style)


def label_point(shape: BaseGeometry) -> Point:
    """Where a name reads best: the pole of inaccessibility of the largest part.

    A rural gmina around a town is a ring: its centroid or representative point often falls
    next to the town, where the town's own name sits.
    """
    parts = getattr(shape, "geoms", [shape])
    largest = max(parts, key=lambda p: p.area)
    return polylabel(largest, tolerance=max(50.0, math.sqrt(largest.area) / 100))


#: A gmina's name is written only where at least this part of the label lies inside it.
_LABEL_INSIDE = 0.6


def name_gminas(canvas: Canvas, inside: gpd.GeoDataFrame) -> int:
    """The gminas' names on a powiat- or subregion-scale map, only where they fit.

    Largest gminas first; a name is left out when its box would overlap a name already
    written or lie mostly outside its gmina (small town gminas). White halo, so the name
    reads over hatching and boundaries. Returns the number of names written.
    """
    ax, fig = canvas.ax, canvas.fig
    renderer = FigureCanvasAgg(fig).get_renderer()
    to_data = ax.transData.inverted()
    placed: list[Bbox] = []
    halo = [patheffects.withStroke(linewidth=3.0, foreground="white")]
    order = inside.geometry.area.sort_values(ascending=False).index
    for row in order:
        shape = inside.geometry.loc[row]
        point = label_point(shape)
        text = ax.text(
            point.x, point.y, wrap(str(inside.loc[row, "nazwa"]), 14), ha="center",
            va="center", fontsize=canvas.floor, color=TEXT_COLOR, zorder=6,
            path_effects=halo, clip_on=True, linespacing=1.0,
        )  # fmt: skip
        extent = text.get_window_extent(renderer).padded(2)
        (x0, y0), (x1, y1) = to_data.transform([[extent.x0, extent.y0], [extent.x1, extent.y1]])
        label = box(x0, y0, x1, y1)
        fits = shape.intersection(label).area >= _LABEL_INSIDE * label.area
        if not fits or any(extent.overlaps(other) for other in placed):
            text.remove()
            continue
        placed.append(extent)
    return len(placed)
