"""The frame every print figure shares: sizes, type scale, title block, caption, scale bar.

Maps and charts for slides, PDFs and the gmina card differ only in their content; where the
title, legend and caption go, how large the type is for a projector and how the map is fitted
beside its legend is decided here once. matplotlib's settings for print (the font with Polish
letters, the hatch line width) are applied per drawing by :func:`print_style`, never
globally, so importing this package leaves matplotlib as the rest of the app configured it.
"""

from __future__ import annotations

import functools
import io
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import matplotlib
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Rectangle

if TYPE_CHECKING:  # matplotlib.typing is there from 3.9 on; the project allows 3.8
    from matplotlib.typing import RcKeyType

__all__ = [
    "CARD",
    "LARGE_TYPE",
    "LEGIBLE",
    "PRINT",
    "SLIDE",
    "TEXT_COLOR",
    "Canvas",
    "finish",
    "min_font",
    "new_canvas",
    "print_style",
    "to_png",
    "type_scale",
    "wrap",
]

#: Figure sizes in inches: a 16:9 slide, an A4-landscape print page, the map on a gmina card.
SLIDE = (13.33, 7.5)
PRINT = (11.0, 7.6)
CARD = (7.4, 5.6)

TEXT_COLOR = "#1a1a1a"

#: No text on a figure smaller than this part of its height: on a projected slide, 1/40 of
#: the screen is what the back of a meeting room still reads (13.5 pt on a 16:9 slide).
LEGIBLE = 1 / 40
#: For a map drawn small beside a table on a slide: its type stays readable at that size.
LARGE_TYPE = 1 / 22

_P = ParamSpec("_P")
_R = TypeVar("_R")

#: matplotlib settings of every print drawing: DejaVu Sans ships with matplotlib and has the
#: Polish letters; thin hatching stays legible when a map is printed small.
_RC: dict[RcKeyType, Any] = {"font.family": "DejaVu Sans", "hatch.linewidth": 0.8}


def print_style(draw: Callable[_P, _R]) -> Callable[_P, _R]:
    """``draw`` run with matplotlib's print settings, restored afterwards."""

    @functools.wraps(draw)
    def styled(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with matplotlib.rc_context(_RC):
            return draw(*args, **kwargs)

    return styled


def type_scale(size: tuple[float, float]) -> float:
    """Type scale relative to a 16:9 slide; small figures keep type readable in print."""
    return max(0.72, min(size[0] / SLIDE[0], size[1] / SLIDE[1]))


def min_font(size: tuple[float, float], fraction: float = LEGIBLE) -> float:
    """The smallest type (points) allowed on a figure of ``size`` inches."""
    return size[1] * 72 * fraction


def wrap(label: str, width: int = 30) -> str:
    """A legend or map label broken into lines of at most ``width`` characters."""
    return "\n".join(textwrap.wrap(label, width=width)) or label


@dataclass
class Canvas:
    """A figure with its map axes and the free band between title block and caption."""

    fig: Figure
    ax: Axes
    k: float  # type scale
    top: float  # figure fraction below the title block
    bottom: float  # figure fraction above the caption
    floor: float = 0.0  # the smallest type allowed (points)

    def pt(self, base: float) -> float:
        """Type of ``base`` points on a slide, scaled to the figure, never below the floor."""
        return max(base * self.k, self.floor)


def new_canvas(
    size: tuple[float, float],
    title: str,
    subtitle: str,
    caption: str,
    legible: float = LEGIBLE,
) -> Canvas:
    """A figure with title, subtitle and caption (each optional) around the map's axes.

    No text is smaller than ``legible`` of the figure's height (:func:`min_font`).
    """
    fig = Figure(figsize=size, facecolor="white")
    floor = min_font(size, legible)
    canvas = Canvas(fig, fig.add_axes((0, 0, 1, 1)), type_scale(size), 1.0, 0.0, floor)
    height = size[1]
    y = 1 - 0.22 / height
    if title:
        title_pt = canvas.pt(24)
        lines = textwrap.wrap(title, width=max(20, int(size[0] * 72 / (title_pt * 0.62))))
        fig.text(
            0.02, y, "\n".join(lines), fontsize=title_pt, fontweight="bold", va="top",
            color=TEXT_COLOR, linespacing=1.15,
        )  # fmt: skip
        y -= title_pt * (1.2 * len(lines) + 0.25) / 72 / height
    if subtitle:
        sub_pt = canvas.pt(14)
        lines = textwrap.wrap(subtitle, width=max(20, int(size[0] * 72 / (sub_pt * 0.56))))
        fig.text(0.02, y, "\n".join(lines), fontsize=sub_pt, va="top", color="#333333")
        y -= sub_pt * (1.2 * len(lines) + 0.3) / 72 / height
    bottom = 0.1 / height
    if caption:
        cap_pt = canvas.pt(10.5)
        lines = textwrap.wrap(caption, width=int(size[0] * 72 / (cap_pt * 0.56)))
        fig.text(
            0.02,
            0.12 / height,
            "\n".join(lines),
            fontsize=cap_pt,
            va="bottom",
            color="#333333",
            linespacing=1.3,
        )
        bottom = (0.12 + len(lines) * cap_pt * 1.35 / 72 + 0.12) / height
    canvas.top = y - 0.12 / height if (title or subtitle) else 1 - 0.1 / height
    canvas.bottom = bottom
    canvas.ax.set_position((0.02, bottom, 0.6, canvas.top - bottom))
    canvas.ax.set_axis_off()
    return canvas


def finish(
    canvas: Canvas,
    bounds: np.ndarray,
    handles: list,
    legend_title: str,
    margin: float = 0.03,
    fill: bool = False,
) -> Figure:
    """Fit the map to its extent, centre map and legend together, add the scale bar.

    With ``fill`` the extent is widened to the free space's proportions (more surroundings
    instead of white space: for the map of one gmina).
    """
    fig, ax, k = canvas.fig, canvas.ax, canvas.k
    _set_extent(ax, bounds, margin)
    legend = _legend(fig, handles, legend_title, canvas)
    width_in, height_in = fig.get_size_inches()
    renderer = FigureCanvasAgg(fig).get_renderer()
    legend_w = legend.get_window_extent(renderer).width / fig.dpi
    gap = 0.35 * k
    avail_w = width_in * 0.96 - legend_w - gap
    avail_h = (canvas.top - canvas.bottom) * height_in
    aspect = _fit_aspect(ax, avail_h / avail_w, fill)
    map_h = min(avail_h, avail_w * aspect)
    map_w = map_h / aspect
    left = max(0.02 * width_in, (width_in - map_w - gap - legend_w) / 2)
    ax.set_position(
        (
            left / width_in,
            canvas.bottom + (avail_h - map_h) / 2 / height_in,
            map_w / width_in,
            map_h / height_in,
        )
    )
    ax.set_aspect("equal", adjustable="box")
    middle = canvas.bottom + avail_h / 2 / height_in
    legend.set_bbox_to_anchor(((left + map_w + gap) / width_in, middle), transform=fig.transFigure)
    _scale_bar(ax, canvas)
    return fig


def _legend(fig: Figure, handles: list, title: str, canvas: Canvas) -> Legend:
    legend = fig.legend(
        handles=handles,
        loc="center left",
        bbox_to_anchor=(0.0, 0.5),
        title=title,
        fontsize=canvas.pt(14),
        title_fontsize=canvas.pt(15),
        frameon=False,
        alignment="left",
        handlelength=2.4,
        handleheight=1.6,
        labelspacing=0.7,
    )
    legend.get_title().set_fontweight("bold")
    return legend


def _fit_aspect(ax: Axes, target: float, fill: bool) -> float:
    """The map's height/width; with ``fill`` the extent first grows to the ``target`` shape."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    aspect = (y1 - y0) / (x1 - x0)
    if fill and aspect < target:
        grow = (x1 - x0) * target - (y1 - y0)
        ax.set_ylim(y0 - grow / 2, y1 + grow / 2)
        return target
    if fill and aspect > target:
        grow = (y1 - y0) / target - (x1 - x0)
        ax.set_xlim(x0 - grow / 2, x1 + grow / 2)
        return target
    return aspect


def _set_extent(ax: Axes, bounds: np.ndarray, margin: float = 0.04) -> None:
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    dx, dy = (maxx - minx) or 1000.0, (maxy - miny) or 1000.0
    ax.set_xlim(minx - margin * dx, maxx + margin * dx)
    ax.set_ylim(miny - margin * dy, maxy + margin * dy)


_NICE_KM = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500)


def _nice_length(span_m: float) -> float:
    """A round scale-bar length (m) of at most a quarter of the map's width."""
    fitting = [km for km in _NICE_KM if km * 1000 <= span_m / 4]
    return (fitting[-1] if fitting else 1) * 1000.0


def _scale_bar(ax: Axes, canvas: Canvas) -> None:
    """Two-segment black-and-white scale bar and a north arrow (the map is in metres)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    height = (y1 - y0) * 0.012
    left, bottom = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.035
    half = length / 2
    for i, face in enumerate(("black", "white")):
        ax.add_patch(
            Rectangle(
                (left + i * half, bottom),
                half,
                height,
                facecolor=face,
                edgecolor="black",
                linewidth=0.8,
                zorder=10,
            )
        )
    # One label after the bar: "0" and "25 km" at both ends collide when the type is large.
    ax.text(
        left + length + half * 0.15,
        bottom + height / 2,
        f"{length / 1000:g} km",
        ha="left",
        va="center",
        fontsize=canvas.pt(11),
        zorder=10,
        color=TEXT_COLOR,
        path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],  # over fills
    )
    ax.annotate(
        "N",
        xy=(0.97, 0.97),
        xytext=(0.97, 0.87),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=canvas.pt(13),
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5},
    )


@print_style
def to_png(fig: Figure, dpi: int = 150) -> bytes:
    """The figure as PNG bytes (nothing is shown on screen)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()
