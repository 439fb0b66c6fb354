"""Publication-quality static maps (matplotlib/geopandas): PNG for slides, PDFs and print.

The maps need no browser and no network (no basemap). Each has a title, a legend, a caption
with the source and the "stan na" date, a scale bar and a north arrow, and type sized for a
projector. Classes differ by lightness *and* pattern (hatching), so the three coverage states
stay distinct in black-and-white print. Maps are drawn in EPSG:2180 (metres), so the scale bar
is true. Only the object-oriented matplotlib API is used (no pyplot state): safe in the app's
threads. The frame (title, legend placement, scale bar) is :mod:`geo.print.layout`, the
classes and legend entries :mod:`geo.print.legend`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from shapely.geometry.base import BaseGeometry

from geo.core.crs import METRIC_CRS
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
from geo.present.styles import ClassStyle
from geo.print.labels import label_point, name_areas, name_gminas
from geo.print.layout import (
    CARD,
    LARGE_TYPE,
    LEGIBLE,
    PRINT,
    SLIDE,
    Canvas,
    finish,
    new_canvas,
    print_style,
    to_png,
    wrap,
)
from geo.print.legend import (
    COVERAGE,
    GMINA_EDGE,
    LPRES,
    MARKERS,
    POWIAT_EDGE,
    UNKNOWN_DISTANCE,
    class_patch,
    distance_classes,
    lpres_classes,
    marker_handle,
    outline_handle,
    subregion_classes,
)

__all__ = [
    "CARD",
    "PRINT",
    "SLIDE",
    "MapError",
    "coverage_map",
    "distance_map",
    "gmina_map",
    "lpres_map",
    "subregion_map",
    "to_png",
]

CONTEXT_FACE = "#f2f2f2"

#: Classifies the mapped gminas: each one's class key and the styles by key, in legend order.
Classify = Callable[[gpd.GeoDataFrame], tuple[pd.Series, Mapping[str, ClassStyle]]]


# ------------------------------------------------------------------------------- layers


def _draw_classes(
    ax: Axes,
    gminy: gpd.GeoDataFrame,
    classes: pd.Series,
    styles: Mapping[str, ClassStyle],
) -> dict[str, int]:
    """Fill each class of gminas in its style; the number of gminas per class."""
    counts: dict[str, int] = {}
    for key, style in styles.items():
        part = gminy[(classes == key).to_numpy()]
        counts[key] = len(part)
        if part.empty:
            continue
        part.plot(
            ax=ax,
            facecolor=style.color,
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
    for typ in sorted(set(shown["typ"]), key=lambda t: (t not in MARKERS, t)):
        mask = (shown["typ"] == typ).to_numpy()
        counted = mask if scope is None else mask & shown["teryt_gminy"].isin(set(scope)).to_numpy()
        ax.scatter(
            points.x.to_numpy()[mask],
            points.y.to_numpy()[mask],
            s=(150 if typ in MARKERS else 70) * k,
            marker=MARKERS.get(typ, "s"),
            facecolor=TYPE_COLORS.get(typ, "#666666"),
            edgecolor="black",
            linewidth=1.0,
            zorder=5,
        )
        handles.append(marker_handle(typ, k, int(counted.sum())))
    return handles


def _caption(result: CoverageResult, extra: str = "") -> str:
    return sources_line(result) + (f" · {extra}" if extra else "")


def _default(value: str | None, fallback: str) -> str:
    return fallback if value is None else value


def _powiat_handle() -> Line2D:
    return outline_handle("granica powiatu", 1.5)


# ------------------------------------------------------------------------------- maps


def _class_map(
    result: CoverageResult,
    scope: Collection[str] | None,
    size: tuple[float, float],
    texts: tuple[str, str, str],
    classify: Classify,
    *,
    markers: bool = True,
    optional: Collection[str] = (),
    legible: float = LEGIBLE,
) -> Figure:
    """A map of gminas in classes: ``classify(inside)`` gives each gmina's class and the styles.

    ``texts`` are the title, subtitle and caption; classes in ``optional`` leave the legend
    when no gmina is in them. CIS/KIS markers are drawn with ``markers``. A map of a part of
    the region (``scope``) names its gminas where the names fit.
    """
    gminy, inside, powiaty = _scoped(result, scope)
    classes, styles = classify(inside)
    canvas = new_canvas(size, *texts, legible=legible)
    ax, k = canvas.ax, canvas.k
    _context(ax, gminy, inside)
    counts = _draw_classes(ax, inside, classes, styles)
    _outline(ax, powiaty.geometry, 1.1 * k + 0.3)
    points = _points(ax, result, k, scope=scope) if markers else []
    width = 30 if legible <= LEGIBLE else 20  # large type: shorter lines, a narrower legend
    handles = [
        class_patch(style, counts[key], width)
        for key, style in styles.items()
        if counts[key] or key not in optional
    ]
    fig = finish(
        canvas, inside.total_bounds, [*handles, *points, _powiat_handle()], "Gminy (liczba)"
    )
    if scope is not None:
        name_gminas(canvas, inside)
    return fig


@print_style
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
    return _class_map(result, scope, size, texts, lambda inside: (inside["pokrycie"], COVERAGE))


@print_style
def distance_map(
    result: CoverageResult,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    scope: Collection[str] | None = None,
    size: tuple[float, float] = SLIDE,
) -> Figure:
    """The gaps: gminas without CIS/KIS by distance to the nearest one, beside covered ones."""
    texts = (
        _default(title, "Luki: gminy bez CIS/KIS"),
        _default(
            subtitle,
            "odległość od granicy gminy do najbliższego działającego CIS/KIS · "
            f"stan na {fmt_date(result.as_of)}",
        ),
        _caption(result),
    )
    return _class_map(
        result, scope, size, texts, distance_classes, optional=(UNKNOWN_DISTANCE.key,)
    )


@print_style
def lpres_map(
    result: CoverageResult,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    scope: Collection[str] | None = None,
    size: tuple[float, float] = SLIDE,
    caption: str | None = None,
    large_type: bool = False,
) -> Figure:
    """Gminas by the status of the local social-economy plan (LPRES) covering them.

    ``large_type`` (:data:`~geo.print.layout.LARGE_TYPE`) for a map drawn small beside a
    slide's table; ``caption=""`` when the slide carries the sources itself.
    """
    status = planning_attributes(result).set_index("teryt")["lpres_status"]

    def classify(inside: gpd.GeoDataFrame) -> tuple[pd.Series, Mapping[str, ClassStyle]]:
        return lpres_classes(inside["teryt"].map(status)), LPRES

    texts = (
        _default(title, "Lokalne plany rozwoju ekonomii społecznej (LPRES)"),
        _default(subtitle, f"status planu obejmującego gminę · stan na {fmt_date(result.as_of)}"),
        _default(caption, _caption(result, lpres_source(result))),
    )
    legible = LARGE_TYPE if large_type else LEGIBLE
    return _class_map(result, scope, size, texts, classify, markers=False, legible=legible)


@print_style
def subregion_map(
    result: CoverageResult,
    *,
    column: str = "owes_podregion_nazwa",
    title: str | None = None,
    subtitle: str | None = None,
    size: tuple[float, float] = SLIDE,
    caption: str | None = None,
    large_type: bool = False,
) -> Figure:
    """Subregions (OWES areas by default, ``nuts3_nazwa`` for NUTS-3), named on the map.

    Gminas whose subregion is not configured are drawn as "unknown", never guessed.
    ``large_type`` and ``caption`` as for :func:`lpres_map`.
    """
    gminy = _metric(result.gminy)
    attrs = planning_attributes(result).set_index("teryt")
    if column not in attrs.columns:
        raise MapError(f"Brak kolumny podregionów {column!r} w danych.")
    names, styles = subregion_classes(gminy["teryt"].map(attrs[column]))
    is_owes = column.startswith("owes")
    canvas = new_canvas(
        size,
        _default(title, "Podregiony OWES" if is_owes else "Podregiony NUTS-3 (2021)"),
        _default(
            subtitle,
            "obszary działania ośrodków wsparcia ekonomii społecznej"
            if is_owes
            else "podział statystyczny NUTS 2021 (GUS)",
        ),
        _default(caption, _caption(result, "podregiony: definicje w danych aplikacji (data/)")),
        legible=LARGE_TYPE if large_type else LEGIBLE,
    )
    ax, k = canvas.ax, canvas.k
    counts = _draw_classes(ax, gminy, names, styles)
    areas = gminy.assign(_sub=names.to_numpy()).dissolve(by="_sub")
    _outline(ax, areas.geometry, 2.0 * k + 0.4)
    named = areas[areas.index != UNKNOWN]
    labels = [wrap(str(name), 18) for name in named.index]
    frame = {
        "facecolor": "white",
        "edgecolor": "black",
        "alpha": 0.85,
        "boxstyle": "round,pad=0.25",
    }
    text_style = {"fontsize": canvas.pt(13), "fontweight": "bold", "zorder": 6, "bbox": frame}
    name_areas(ax, labels, named.geometry, text_style)
    width = 20 if large_type else 30
    handles: list[Artist] = [
        class_patch(style, counts[key], width) for key, style in styles.items() if counts[key]
    ]
    handles.append(outline_handle("granica podregionu", 2.4))
    return finish(canvas, gminy.total_bounds, handles, "Gminy (liczba)")


# ------------------------------------------------------------------------------- one gmina


def _gmina_view(
    result: CoverageResult, gminy: gpd.GeoDataFrame, own: gpd.GeoDataFrame, reach_km: float
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """The gmina's neighbours and the view's bounds: the gmina, its neighbours and the
    CIS/KIS within ``reach_km`` of the gmina."""
    teryt = own["teryt"].iloc[0]
    near = gminy[gminy["teryt"].isin([teryt, *neighbours_of(result.gminy, teryt)])]
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
    return near[near["teryt"] != teryt], bounds


def _name_neighbours(
    canvas: Canvas, own_shape: BaseGeometry, others: gpd.GeoDataFrame, bounds: np.ndarray
) -> None:
    """The neighbours' names, clear of the gmina's own thick outline.

    The title names the gmina and the outline marks it; a rural ring around a town would
    otherwise put its name on the town.
    """
    keep_clear = own_shape.buffer(0.12 * max(bounds[2] - bounds[0], bounds[3] - bounds[1]))
    for name, shape in zip(others["nazwa"], others.geometry, strict=True):
        rest = shape.difference(keep_clear)
        point = label_point(shape if rest.is_empty else rest)
        canvas.ax.text(
            point.x,
            point.y,
            wrap(str(name), 16),
            ha="center",
            va="center",
            fontsize=canvas.pt(11),
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


def _gmina_legend(k: float) -> list[Artist]:
    """Coverage classes (uncounted), the CIS/KIS markers and the gmina's outline."""
    handles: list[Artist] = [class_patch(style) for style in COVERAGE.values()]
    handles += [marker_handle(typ, k) for typ in MARKERS]
    handles.append(outline_handle("granica gminy", 3, color="black"))
    return handles


@print_style
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
    others, bounds = _gmina_view(result, gminy, own, reach_km)
    canvas = new_canvas(
        size,
        "" if bare else _default(title, f"{row['nazwa']} i gminy sąsiednie"),
        "" if bare else f"{row['rodzaj_nazwa']} · stan na {fmt_date(result.as_of)}",
        "" if bare else _caption(result),
    )
    ax, k = canvas.ax, canvas.k
    _draw_classes(ax, gminy, gminy["pokrycie"], COVERAGE)
    _outline(ax, _metric(result.region.powiaty).geometry, 0.9 * k + 0.3)
    _outline(ax, own.geometry, 3.2 * k + 0.6, color="#000000")
    _name_neighbours(canvas, own.geometry.iloc[0], others, bounds)
    _points(ax, result, k)
    return finish(canvas, bounds, _gmina_legend(k), "Legenda", margin=0.06, fill=True)
