"""The classes of print maps and their legend entries, built from the one style vocabulary.

Keys, labels, colours and hatches come from :mod:`geo.present.styles`, which the web map reads
too, so a slide, a PDF and the screen name and colour a class alike. Only what print adds is
here: which gmina falls in which class of a print map, the count beside each label, the
CIS/KIS marker shapes (distinct in black and white) and the outlines' legend lines.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from geo.analysis.coverage import COVERED_BY_AGREEMENT, COVERED_HERE, NOT_COVERED
from geo.core.schema import TYPE_COLORS
from geo.present import styles
from geo.present.styles import ClassStyle
from geo.print.layout import wrap

__all__ = [
    "COVERAGE",
    "GMINA_EDGE",
    "LPRES",
    "MARKERS",
    "POWIAT_EDGE",
    "UNKNOWN_DISTANCE",
    "class_patch",
    "distance_classes",
    "lpres_classes",
    "marker_handle",
    "outline_handle",
    "subregion_classes",
]

GMINA_EDGE = "#7a7a7a"
POWIAT_EDGE = "#1a1a1a"

#: Coverage and LPRES classes by key, in legend order.
COVERAGE: Mapping[str, ClassStyle] = styles.by_key(styles.COVERAGE)
LPRES: Mapping[str, ClassStyle] = styles.by_key(styles.LPRES)

#: A gap with no operating CIS/KIS anywhere in the data: no distance to show.
UNKNOWN_DISTANCE = ClassStyle(
    "nieznana", "brak CIS/KIS w całych danych", "#ffffff", "..", "#737373"
)
_UNKNOWN_SUBREGION = ClassStyle(
    styles.UNKNOWN_KEY, "podregion nieznany (nieskonfigurowany)", "#ffffff", "..", "#737373"
)
_SUBREGION_FACES = ("#a6cee3", "#fdbf6f", "#b2df8a", "#cab2d6", "#fb9a99", "#ffff99", "#e0e0e0")
_SUBREGION_HATCHES = ("", "///", "...", "\\\\\\", "xx", "++", "--")

#: CIS triangles and KIS circles (other types squares): shapes tell them apart in grey.
MARKERS = {"CIS": "^", "KIS": "o"}
_TYPE_NAMES = {"CIS": "Centrum Integracji Społecznej", "KIS": "Klub Integracji Społecznej"}


def distance_classes(gminy: pd.DataFrame) -> tuple[pd.Series, dict[str, ClassStyle]]:
    """The gaps map's classes: covered gminas as on the coverage map, gaps by distance.

    A gmina with a CIS/KIS of its own is the vocabulary's "0 km" class, one served by
    agreement keeps its coverage style (it is not a gap, though its distance is above 0);
    gaps take the distance classes after "0 km", labelled as gaps.
    """
    first, *gap_styles = styles.DISTANCE_CLASSES
    classes_by_key: dict[str, ClassStyle] = {
        first.key: first,
        COVERED_BY_AGREEMENT: COVERAGE[COVERED_BY_AGREEMENT],
    }
    coverage = gminy["pokrycie"].to_numpy()
    distance = pd.to_numeric(gminy["odleglosc_cis_kis_km"], errors="coerce").to_numpy()
    gap = coverage == NOT_COVERED
    classes = np.where(coverage == COVERED_HERE, first.key, COVERED_BY_AGREEMENT).astype(object)
    lower = -1.0
    for style, upper in zip(gap_styles, styles.DISTANCE_BOUNDS, strict=True):
        classes_by_key[style.key] = ClassStyle(
            style.key, f"brak CIS/KIS, {style.label}", style.color, style.hatch, style.hatch_color
        )
        classes[gap & (distance > lower) & (distance <= upper)] = style.key
        lower = upper
    classes_by_key[UNKNOWN_DISTANCE.key] = UNKNOWN_DISTANCE
    classes[gap & np.isnan(distance)] = UNKNOWN_DISTANCE.key
    return pd.Series(classes, index=gminy.index), classes_by_key


def lpres_classes(status: pd.Series) -> pd.Series:
    """LPRES status keys; a missing or unrecognised status is "nieznany", never "brak"."""
    status = status.fillna(styles.UNKNOWN_KEY)
    return status.where(status.isin(list(LPRES)), styles.UNKNOWN_KEY)


def subregion_classes(names: pd.Series) -> tuple[pd.Series, dict[str, ClassStyle]]:
    """Subregion names (unconfigured ones "nieznany") and a fill and hatch for each."""
    known_name = names.map(lambda v: isinstance(v, str) and v not in ("", styles.UNKNOWN_KEY))
    names = names.where(known_name, styles.UNKNOWN_KEY)
    known = sorted(n for n in set(names) if n != styles.UNKNOWN_KEY)
    classes_by_key: dict[str, ClassStyle] = {}
    for i, name in enumerate(known):
        face = _SUBREGION_FACES[i % len(_SUBREGION_FACES)]
        hatch = _SUBREGION_HATCHES[i % len(_SUBREGION_HATCHES)] or None
        classes_by_key[name] = ClassStyle(name, str(name), face, hatch)
    classes_by_key[styles.UNKNOWN_KEY] = _UNKNOWN_SUBREGION
    return names, classes_by_key


def class_patch(style: ClassStyle, count: int | None = None, width: int = 30) -> Patch:
    """The legend entry of a class of gminas, with the number of gminas in it (lines of at
    most ``width`` characters)."""
    label = wrap(style.label if count is None else f"{style.label} ({count})", width)
    return Patch(
        facecolor=style.color,
        edgecolor=GMINA_EDGE,
        hatch=style.hatch,
        label=label,
        linewidth=0.6,
    )


def marker_handle(typ: str, k: float, count: int | None = None) -> Line2D:
    """The legend entry of an entity type's marker (named in full when counted)."""
    label = typ if count is None else wrap(f"{typ}: {_TYPE_NAMES.get(typ, typ)} ({count})")
    return Line2D(
        [],
        [],
        linestyle="",
        marker=MARKERS.get(typ, "s"),
        markersize=12 * k,
        markerfacecolor=TYPE_COLORS.get(typ, "#666666"),
        markeredgecolor="black",
        label=label,
    )


def outline_handle(label: str, width: float, color: str = POWIAT_EDGE) -> Line2D:
    """The legend entry of a boundary line (powiat, subregion, the mapped gmina)."""
    return Line2D([], [], color=color, linewidth=width, label=label)
