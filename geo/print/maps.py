"""Publication-quality static maps (matplotlib/geopandas): PNG for slides, PDFs and print.

The maps need no browser and no network (no basemap). Each has a title, a legend, a caption
with the source and the "stan na" date, a scale bar and a north arrow, and type sized for a
projector. Classes differ by lightness *and* pattern (hatching), so the three coverage states
stay distinct in black-and-white print. Maps are drawn in EPSG:2180 (metres), so the scale bar
is true. Only the object-oriented matplotlib API is used (no pyplot state): safe in the app's
threads.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from geo.analysis.coverage import (
    COVERAGE_LABELS,
    COVERED_BY_AGREEMENT,
    COVERED_HERE,
    METRIC_CRS,
    NOT_COVERED,
)
from geo.core.schema import SOCIAL_EMPLOYMENT_TYPES, TYPE_COLORS
from geo.errors import MapError
from geo.pipeline import CoverageResult
from geo.present.points import display_points, entities_on_map
from geo.present.profile import (
    UNKNOWN,
    fmt_date,
    lpres_source,
    neighbours_of,
    planning_attributes,
    sources_line,
)

__all__ = [
    "CARD",
    "COVERAGE_STYLES",
    "DISTANCE_CLASSES",
    "LPRES_STYLES",
    "PRINT",
    "SLIDE",
    "ClassStyle",
    "MapError",
    "coverage_map",
    "distance_map",
    "gmina_map",
    "lpres_map",
    "subregion_map",
    "to_png",
]

matplotlib.rcParams["font.family"] = "DejaVu Sans"  # ships with matplotlib; has Polish letters
matplotlib.rcParams["hatch.linewidth"] = 0.8

#: Figure sizes in inches: a 16:9 slide, an A4-landscape print page, the map on a gmina card.
SLIDE = (13.33, 7.5)
PRINT = (11.0, 7.6)
CARD = (7.4, 5.6)

GMINA_EDGE = "#7a7a7a"
POWIAT_EDGE = "#1a1a1a"
CONTEXT_FACE = "#f2f2f2"
TEXT_COLOR = "#1a1a1a"


@dataclass(frozen=True)
class ClassStyle:
    """How one class of gminas is drawn: fill, hatch pattern (for black-and-white) and label."""

    label: str
    face: str
    hatch: str | None = None
    hatch_color: str = "#333333"


#: Dark solid / light hatched / light plain: three lightness-and-pattern levels that survive
#: a greyscale printer; colours as on the interactive map (geo.web.webmap).
COVERAGE_STYLES: dict[str, ClassStyle] = {
    COVERED_HERE: ClassStyle(COVERAGE_LABELS[COVERED_HERE], "#2166ac"),
    COVERED_BY_AGREEMENT: ClassStyle(
        COVERAGE_LABELS[COVERED_BY_AGREEMENT], "#92c5de", "///", "#08306b"
    ),
    NOT_COVERED: ClassStyle(COVERAGE_LABELS[NOT_COVERED], "#f4a582"),
}

#: LPRES statuses: "unknown" (white, dotted) is visibly different from "no plan" (plain).
LPRES_STYLES: dict[str, ClassStyle] = {
    "przyjety": ClassStyle("plan przyjęty", "#1b7837"),
    "w_przygotowaniu": ClassStyle("plan w przygotowaniu", "#a6dba0", "\\\\\\", "#00441b"),
    "wygasly": ClassStyle("plan wygasły", "#bdbdbd", "xx", "#252525"),
    "brak": ClassStyle("brak planu", "#f4a582"),
    UNKNOWN: ClassStyle("brak informacji", "#ffffff", "..", "#737373"),
}

#: Gaps by distance from the gmina to the nearest CIS/KIS (km): light to dark.
DISTANCE_CLASSES: tuple[tuple[float, str, str], ...] = (
    (10.0, "do 10 km", "#fdd49e"),
    (20.0, "10–20 km", "#fc8d59"),
    (30.0, "20–30 km", "#d7301f"),
    (math.inf, "ponad 30 km", "#7f0000"),
)

_SUBREGION_FACES = ("#a6cee3", "#fdbf6f", "#b2df8a", "#cab2d6", "#fb9a99", "#ffff99", "#e0e0e0")
_SUBREGION_HATCHES = ("", "///", "...", "\\\\\\", "xx", "++", "--")
_MARKERS = {"CIS": "^", "KIS": "o"}
_TYPE_SHORT = {"CIS": "Centrum Integracji Społecznej", "KIS": "Klub Integracji Społecznej"}


# ------------------------------------------------------------------------------- layout


def _scale(size: tuple[float, float]) -> float:
    """Type scale relative to a 16:9 slide; small figures keep type readable in print."""
    return max(0.72, min(size[0] / SLIDE[0], size[1] / SLIDE[1]))


@dataclass
class _Canvas:
    fig: Figure
    ax: Axes
    k: float
    top: float  # figure fraction below the title block
    bottom: float  # figure fraction above the caption


def _figure(size: tuple[float, float], title: str, subtitle: str, caption: str) -> _Canvas:
    """A figure with title, subtitle and caption (each optional) around the map's axes."""
    fig = Figure(figsize=size, facecolor="white")
    k = _scale(size)
    height = size[1]
    y = 1 - 0.22 / height
    if title:
        fig.text(0.02, y, title, fontsize=24 * k, fontweight="bold", va="top", color=TEXT_COLOR)
        y -= 24 * k * 1.45 / 72 / height
    if subtitle:
        fig.text(0.02, y, subtitle, fontsize=14 * k, va="top", color="#333333")
        y -= 14 * k * 1.5 / 72 / height
    bottom = 0.1 / height
    if caption:
        lines = textwrap.wrap(caption, width=int(size[0] * 72 / (10.5 * k * 0.56)))
        fig.text(
            0.02,
            0.12 / height,
            "\n".join(lines),
            fontsize=10.5 * k,
            va="bottom",
            color="#333333",
            linespacing=1.3,
        )
        bottom = (0.12 + len(lines) * 10.5 * k * 1.35 / 72 + 0.12) / height
    top = y - 0.12 / height if (title or subtitle) else 1 - 0.1 / height
    ax = fig.add_axes((0.02, bottom, 0.6, top - bottom))
    ax.set_axis_off()
    return _Canvas(fig, ax, k, top, bottom)


def _wrap(label: str, width: int = 30) -> str:
    return "\n".join(textwrap.wrap(label, width=width)) or label


def _finish(
    canvas: _Canvas,
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
    legend = fig.legend(
        handles=handles,
        loc="center left",
        bbox_to_anchor=(0.0, 0.5),
        title=legend_title,
        fontsize=14 * k,
        title_fontsize=15 * k,
        frameon=False,
        alignment="left",
        handlelength=2.4,
        handleheight=1.6,
        labelspacing=0.7,
    )
    legend.get_title().set_fontweight("bold")
    width_in, height_in = fig.get_size_inches()
    renderer = FigureCanvasAgg(fig).get_renderer()
    legend_w = legend.get_window_extent(renderer).width / fig.dpi
    gap = 0.35 * k
    avail_w = width_in * 0.96 - legend_w - gap
    avail_h = (canvas.top - canvas.bottom) * height_in
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    aspect = (y1 - y0) / (x1 - x0)
    target = avail_h / avail_w
    if fill and aspect < target:
        grow = (x1 - x0) * target - (y1 - y0)
        ax.set_ylim(y0 - grow / 2, y1 + grow / 2)
        aspect = target
    elif fill and aspect > target:
        grow = (y1 - y0) / target - (x1 - x0)
        ax.set_xlim(x0 - grow / 2, x1 + grow / 2)
        aspect = target
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
    _scale_bar(ax, k)
    return fig


def _patch(style: ClassStyle, count: int | None = None) -> Patch:
    label = _wrap(style.label if count is None else f"{style.label} ({count})")
    return Patch(
        facecolor=style.face,
        edgecolor=GMINA_EDGE,
        hatch=style.hatch,
        label=label,
        linewidth=0.6,
    )


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


def _scale_bar(ax: Axes, k: float) -> None:
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
    km = f"{length / 1000:g}"
    for x, text in ((left, "0"), (left + length, f"{km} km")):
        ax.text(
            x,
            bottom + height * 1.8,
            text,
            ha="center",
            va="bottom",
            fontsize=11 * k,
            zorder=10,
            color=TEXT_COLOR,
        )
    ax.annotate(
        "N",
        xy=(0.97, 0.97),
        xytext=(0.97, 0.87),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=13 * k,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5},
    )


def _draw_classes(
    ax: Axes,
    gminy: gpd.GeoDataFrame,
    classes: pd.Series,
    styles: Mapping[str, ClassStyle],
) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key, style in styles.items():
        part = gminy[(classes == key).to_numpy()]
        counts[key] = len(part)
        if part.empty:
            continue
        part.plot(
            ax=ax,
            facecolor=style.face,
            edgecolor=GMINA_EDGE,
            linewidth=0.35,
            hatch=style.hatch,
            hatchcolor=style.hatch_color,
            zorder=1,
        )
    return counts


def _outline(ax: Axes, shapes: gpd.GeoSeries, width: float, color: str = POWIAT_EDGE) -> None:
    if len(shapes):
        shapes.boundary.plot(ax=ax, color=color, linewidth=width, zorder=3)


def _metric(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        raise MapError("Warstwa mapy nie ma określonego układu współrzędnych.")
    return frame.to_crs(METRIC_CRS)


def _scoped(
    result: CoverageResult, scope: Collection[str] | None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(all gminas, gminas in scope, powiats) in EPSG:2180."""
    gminy = _metric(result.gminy)
    if scope is None:
        inside = gminy
    else:
        codes = set(scope)
        inside = gminy[gminy["teryt"].isin(codes)]
        if inside.empty:
            raise MapError("Wybrany obszar nie obejmuje żadnej gminy z danych.")
    powiaty = _metric(result.region.powiaty)
    powiaty = powiaty[powiaty["powiat"].isin(set(inside["powiat"]))]
    return gminy, inside, powiaty


def _context(ax: Axes, gminy: gpd.GeoDataFrame, inside: gpd.GeoDataFrame) -> None:
    """Gminas outside the mapped area, faint, so the area is seen in its surroundings."""
    rest = gminy[~gminy["teryt"].isin(set(inside["teryt"]))]
    if len(rest):
        rest.plot(ax=ax, facecolor=CONTEXT_FACE, edgecolor="#c8c8c8", linewidth=0.3, zorder=0)


def _points(
    ax: Axes,
    result: CoverageResult,
    k: float,
    types: Collection[str] = tuple(SOCIAL_EMPLOYMENT_TYPES),
    scope: Collection[str] | None = None,
) -> list[Line2D]:
    """CIS (triangles) and KIS (circles): distinct shapes for black-and-white print.

    All are drawn (those around a mapped area are context); the legend counts those located
    in ``scope`` (default: all).
    """
    shown = entities_on_map(result.entities)
    shown = shown[shown["typ"].isin(set(types))]
    handles: list[Line2D] = []
    if shown.empty:
        return handles
    points = display_points(shown, result.gminy).to_crs(METRIC_CRS)
    for typ in sorted(set(shown["typ"]), key=lambda t: (t not in _MARKERS, t)):
        mask = (shown["typ"] == typ).to_numpy()
        counted = mask if scope is None else mask & shown["teryt_gminy"].isin(set(scope)).to_numpy()
        marker = _MARKERS.get(typ, "s")
        size = (150 if typ in _MARKERS else 70) * k
        ax.scatter(
            points.x.to_numpy()[mask],
            points.y.to_numpy()[mask],
            s=size,
            marker=marker,
            facecolor=TYPE_COLORS.get(typ, "#666666"),
            edgecolor="black",
            linewidth=1.0,
            zorder=5,
        )
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker=marker,
                markersize=12 * k,
                markerfacecolor=TYPE_COLORS.get(typ, "#666666"),
                markeredgecolor="black",
                label=_wrap(f"{typ}: {_TYPE_SHORT.get(typ, typ)} ({int(counted.sum())})"),
            )
        )
    return handles


def _caption(result: CoverageResult, extra: str = "") -> str:
    return sources_line(result) + (f" · {extra}" if extra else "")


# ------------------------------------------------------------------------------- maps


def _default(value: str | None, fallback: str) -> str:
    return fallback if value is None else value


def _powiat_handle() -> Line2D:
    return Line2D([], [], color=POWIAT_EDGE, linewidth=1.5, label="granica powiatu")


def _class_map(
    result: CoverageResult,
    scope: Collection[str] | None,
    size: tuple[float, float],
    texts: tuple[str, str, str],
    classify: Callable[[gpd.GeoDataFrame], tuple[pd.Series, Mapping[str, ClassStyle]]],
    *,
    markers: bool = True,
    optional: Collection[str] = (),
) -> Figure:
    """A map of gminas in classes: ``classify(inside)`` gives each gmina's class and the styles.

    ``texts`` are the title, subtitle and caption; classes in ``optional`` leave the legend
    when no gmina is in them. CIS/KIS markers are drawn with ``markers``.
    """
    gminy, inside, powiaty = _scoped(result, scope)
    classes, styles = classify(inside)
    canvas = _figure(size, *texts)
    ax, k = canvas.ax, canvas.k
    _context(ax, gminy, inside)
    counts = _draw_classes(ax, inside, classes, styles)
    _outline(ax, powiaty.geometry, 1.1 * k + 0.3)
    points = _points(ax, result, k, scope=scope) if markers else []
    handles = [
        _patch(style, counts[key])
        for key, style in styles.items()
        if counts[key] or key not in optional
    ]
    return _finish(
        canvas, inside.total_bounds, [*handles, *points, _powiat_handle()], "Gminy (liczba)"
    )


def coverage_map(
    result: CoverageResult,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    scope: Collection[str] | None = None,
    size: tuple[float, float] = SLIDE,
) -> Figure:
    """Gminas by CIS/KIS coverage (Model Lokalnej Współpracy) with the CIS/KIS as markers.

    Parameters
    ----------
    result : CoverageResult
        The pipeline's result for the chosen date.
    title, subtitle : str, optional
        Defaults name the indicator, the region and the date.
    scope : collection of str, optional
        Gmina codes to map (a subregion or powiat); the others are drawn faint around them.
    size : tuple of float
        Figure size in inches (:data:`SLIDE`, :data:`PRINT`, :data:`CARD`).

    Returns
    -------
    matplotlib.figure.Figure
        Use :func:`to_png` to get the image.
    """
    texts = (
        _default(title, "Pokrycie gmin przez CIS i KIS"),
        _default(subtitle, f"{result.region.name} · stan na {fmt_date(result.as_of)}"),
        _caption(result),
    )
    return _class_map(
        result, scope, size, texts, lambda inside: (inside["pokrycie"], COVERAGE_STYLES)
    )


def _distance_classes(inside: gpd.GeoDataFrame) -> tuple[pd.Series, dict[str, ClassStyle]]:
    """Gminas without CIS/KIS by distance class; covered ones in one hatched class."""
    styles: dict[str, ClassStyle] = {
        "pokryta": ClassStyle("gmina z CIS/KIS (w gminie lub przez porozumienie)", "#e0e0e0", "///")
    }
    distance = pd.to_numeric(inside["odleglosc_cis_kis_km"], errors="coerce").to_numpy()
    gap = ~inside["has_social_employment"].astype(bool).to_numpy()
    classes = np.where(gap, "", "pokryta").astype(object)
    lower = -1.0
    for upper, label, face in DISTANCE_CLASSES:
        key = f"do_{upper:g}"
        styles[key] = ClassStyle(f"brak CIS/KIS, {label}", face)
        classes[gap & (distance > lower) & (distance <= upper)] = key
        lower = upper
    styles["nieznana"] = ClassStyle("brak CIS/KIS w całych danych", "#ffffff", "..", "#737373")
    classes[gap & np.isnan(distance)] = "nieznana"
    return pd.Series(classes, index=inside.index), styles


def distance_map(
    result: CoverageResult,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    scope: Collection[str] | None = None,
    size: tuple[float, float] = SLIDE,
) -> Figure:
    """The gaps: gminas without CIS/KIS by distance to the nearest one; covered ones hatched."""
    texts = (
        _default(title, "Luki: gminy bez CIS/KIS"),
        _default(
            subtitle,
            "odległość od granicy gminy do najbliższego działającego CIS/KIS · "
            f"stan na {fmt_date(result.as_of)}",
        ),
        _caption(result),
    )
    return _class_map(result, scope, size, texts, _distance_classes, optional=("nieznana",))


def lpres_map(
    result: CoverageResult,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    scope: Collection[str] | None = None,
    size: tuple[float, float] = SLIDE,
) -> Figure:
    """Gminas by the status of the local social-economy plan (LPRES) covering them."""
    attrs = planning_attributes(result).set_index("teryt")

    def classify(inside: gpd.GeoDataFrame) -> tuple[pd.Series, Mapping[str, ClassStyle]]:
        status = inside["teryt"].map(attrs["lpres_status"]).fillna(UNKNOWN)
        return status.where(status.isin(list(LPRES_STYLES)), UNKNOWN), LPRES_STYLES

    texts = (
        _default(title, "Lokalne plany rozwoju ekonomii społecznej (LPRES)"),
        _default(subtitle, f"status planu obejmującego gminę · stan na {fmt_date(result.as_of)}"),
        _caption(result, lpres_source(result)),
    )
    return _class_map(result, scope, size, texts, classify, markers=False)


def subregion_map(
    result: CoverageResult,
    *,
    column: str = "owes_podregion_nazwa",
    title: str | None = None,
    subtitle: str | None = None,
    size: tuple[float, float] = SLIDE,
) -> Figure:
    """Subregions (OWES areas by default, ``nuts3_nazwa`` for NUTS-3), named on the map.

    Gminas whose subregion is not configured are drawn as "unknown", never guessed.
    """
    gminy = _metric(result.gminy)
    attrs = planning_attributes(result).set_index("teryt")
    if column not in attrs.columns:
        raise MapError(f"Brak kolumny podregionów {column!r} w danych.")
    names = gminy["teryt"].map(attrs[column])
    names = names.where(names.map(lambda v: isinstance(v, str) and v not in ("", UNKNOWN)), UNKNOWN)
    known = sorted(n for n in set(names) if n != UNKNOWN)
    styles: dict[str, ClassStyle] = {}
    for i, name in enumerate(known):
        face = _SUBREGION_FACES[i % len(_SUBREGION_FACES)]
        hatch = _SUBREGION_HATCHES[i % len(_SUBREGION_HATCHES)] or None
        styles[name] = ClassStyle(str(name), face, hatch)
    styles[UNKNOWN] = ClassStyle(
        "podregion nieznany (nieskonfigurowany)", "#ffffff", "..", "#737373"
    )
    is_owes = column.startswith("owes")
    canvas = _figure(
        size,
        _default(title, "Podregiony OWES" if is_owes else "Podregiony NUTS-3 (2021)"),
        _default(
            subtitle,
            "obszary działania ośrodków wsparcia ekonomii społecznej"
            if is_owes
            else "podział statystyczny NUTS 2021 (GUS)",
        ),
        _caption(result, "podregiony: definicje w danych aplikacji (data/)"),
    )
    ax, k = canvas.ax, canvas.k
    counts = _draw_classes(ax, gminy, names, styles)
    areas = gminy.assign(_sub=names.to_numpy()).dissolve(by="_sub")
    _outline(ax, areas.geometry, 2.0 * k + 0.4)
    for name, shape in zip(areas.index, areas.geometry, strict=True):
        if name == UNKNOWN:
            continue
        point = _label_point(shape)
        ax.text(
            point.x,
            point.y,
            _wrap(str(name), 18),
            ha="center",
            va="center",
            fontsize=13 * k,
            fontweight="bold",
            zorder=6,
            bbox={
                "facecolor": "white",
                "edgecolor": "black",
                "alpha": 0.85,
                "boxstyle": "round,pad=0.25",
            },
        )
    handles: list[Artist] = [
        _patch(style, counts[key]) for key, style in styles.items() if counts[key]
    ]
    handles.append(Line2D([], [], color=POWIAT_EDGE, linewidth=2.4, label="granica podregionu"))
    return _finish(canvas, gminy.total_bounds, handles, "Gminy (liczba)")


def _label_point(shape: BaseGeometry) -> Point:
    """Where a name reads best: the pole of inaccessibility of the largest part.

    A rural gmina around a town is a ring: its centroid or representative point often falls
    next to the town, where the town's own name sits.
    """
    parts = getattr(shape, "geoms", [shape])
    largest = max(parts, key=lambda p: p.area)
    return polylabel(largest, tolerance=max(50.0, math.sqrt(largest.area) / 100))


def gmina_map(
    result: CoverageResult,
    teryt: str,
    *,
    size: tuple[float, float] = CARD,
    title: str | None = None,
    reach_km: float = 30.0,
    bare: bool = False,
) -> Figure:
    """One gmina with its (named) neighbours and the CIS/KIS nearby, coloured by coverage.

    The view holds the gmina and its neighbours, widened to the CIS/KIS within ``reach_km``
    of the gmina. ``bare`` leaves out title and caption (for a document that has its own).
    """
    gminy = _metric(result.gminy)
    own = gminy[gminy["teryt"] == teryt]
    if own.empty:
        raise MapError(f"Nie ma gminy o kodzie TERYT {teryt} w danych.")
    row = own.iloc[0]
    neighbour_codes = neighbours_of(result.gminy, teryt)
    near = gminy[gminy["teryt"].isin([teryt, *neighbour_codes])]
    bounds = near.total_bounds
    sezs = entities_on_map(result.entities)
    sezs = sezs[sezs["typ"].isin(SOCIAL_EMPLOYMENT_TYPES)]
    if len(sezs):
        points = display_points(sezs, result.gminy).to_crs(METRIC_CRS)
        close = points[points.distance(own.geometry.iloc[0]) <= reach_km * 1000]
        if len(close):
            px, py = close.x.to_numpy(), close.y.to_numpy()
            bounds = np.array(
                [
                    min(bounds[0], px.min()),
                    min(bounds[1], py.min()),
                    max(bounds[2], px.max()),
                    max(bounds[3], py.max()),
                ]
            )
    canvas = _figure(
        size,
        "" if bare else _default(title, f"{row['nazwa']} i gminy sąsiednie"),
        "" if bare else f"{row['rodzaj_nazwa']} · stan na {fmt_date(result.as_of)}",
        "" if bare else _caption(result),
    )
    ax, k = canvas.ax, canvas.k
    _draw_classes(ax, gminy, gminy["pokrycie"], COVERAGE_STYLES)
    _outline(ax, _metric(result.region.powiaty).geometry, 0.9 * k + 0.3)
    _outline(ax, own.geometry, 3.2 * k + 0.6, color="#000000")
    own_shape = own.geometry.iloc[0]
    # The title names the gmina and the thick outline marks it; its neighbours are named,
    # clear of that outline (a rural ring around a town would put its name on the town).
    keep_clear = own_shape.buffer(0.12 * max(bounds[2] - bounds[0], bounds[3] - bounds[1]))
    others = near[near["teryt"] != teryt]
    for name, shape in zip(others["nazwa"], others.geometry, strict=True):
        rest = shape.difference(keep_clear)
        point = _label_point(shape if rest.is_empty else rest)
        ax.text(
            point.x,
            point.y,
            _wrap(str(name), 16),
            ha="center",
            va="center",
            fontsize=11 * k,
            zorder=7,
            color="black",
            clip_on=True,
            bbox={
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.75,
                "boxstyle": "round,pad=0.2",
            },
        )
    _points(ax, result, k)
    handles = [_patch(style) for style in COVERAGE_STYLES.values()] + [
        Line2D(
            [],
            [],
            linestyle="",
            marker=m,
            markersize=12 * k,
            markeredgecolor="black",
            markerfacecolor=TYPE_COLORS[t],
            label=t,
        )
        for t, m in _MARKERS.items()
    ]
    handles.append(Line2D([], [], color="black", linewidth=3, label="granica gminy"))
    return _finish(canvas, bounds, handles, "Legenda", margin=0.06, fill=True)


def to_png(fig: Figure, dpi: int = 150) -> bytes:
    """The figure as PNG bytes (nothing is shown on screen)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()
