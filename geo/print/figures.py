"""The figures and tables that the deck, the report and the app's pages share.

Each is computed once from the pipeline's result (headline figures, the gap table with its
cooperation candidates, LPRES counts and notes, indicators per subregion, the trend chart), so
a number on a slide, in the regional report and on screen is the same number.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from geo.analysis.lpres import STATUS_ORDER, lpres_summary
from geo.analysis.neighbours import cooperation_candidates, gaps_table, gmina_neighbours
from geo.analysis.subregions import powiat_assignment, subregion_summary
from geo.analysis.trends import date_completeness, trend_dates, yearly_coverage
from geo.config import ConfigError
from geo.core.plural import count, plural
from geo.pipeline import CoverageResult
from geo.present.profile import (
    UNKNOWN,
    fmt_date,
    fmt_int,
    fmt_num,
    fmt_pct,
    planning_attributes,
    sources_line,
)
from geo.print.layout import SLIDE, min_font, print_style, type_scale
from geo.print.legend import LPRES

__all__ = [
    "EMPTY",
    "dash_empty",
    "gap_display",
    "gap_table",
    "headline_figures",
    "lpres_counts",
    "lpres_notes",
    "subregion_table",
    "trend_figure",
]


#: An empty cell on slides and in PDFs (Polish typography: an em dash, never a blank).
EMPTY = "—"
_EMPTY_TEXTS = {"", "–", "-", "nan", "None"}


def dash_empty(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as text with every missing or blank cell shown as :data:`EMPTY`."""
    return frame.apply(
        lambda column: column.map(
            lambda v: EMPTY if pd.isna(v) or str(v).strip() in _EMPTY_TEXTS else str(v)
        )
    )


def headline_figures(summary: dict, as_of: dt.date) -> list[tuple[str, str, str]]:
    """The headline figures as (value, label, note), from a coverage summary."""
    return [
        (
            f"{summary['gminy_z_cis_kis']} / {summary['gminy']}",
            "gmin z CIS/KIS",
            f"{fmt_pct(summary['proc_gmin_pokrytych'])} gmin (w gminie lub przez porozumienie)",
        ),
        (
            fmt_pct(summary["proc_ludnosci_pokrytej"]),
            "ludności w gminach z CIS/KIS",
            f"{fmt_int(summary['ludnosc_w_gminach_pokrytych'])} z {fmt_int(summary['ludnosc'])}",
        ),
        (
            str(summary["gminy_bez_cis_kis"]),
            plural(summary["gminy_bez_cis_kis"], "gmina", "gminy", "gmin") + " bez CIS/KIS",
            "luki w Modelu Lokalnej Współpracy",
        ),
        (
            fmt_int(summary["pes"]),
            plural(summary["pes"], "podmiot", "podmioty", "podmiotów") + " ekonomii społecznej",
            f"w tym CIS {summary['cis']}, KIS {summary['kis']} · stan na {fmt_date(as_of)}",
        ),
    ]


def gap_table(result: CoverageResult, scope: set[str] | None = None) -> pd.DataFrame:
    """Gminas without CIS/KIS, largest population first, with their cooperation candidates.

    The rows and candidates are :func:`geo.analysis.neighbours.gaps_table` (the planners' gaps
    page): covered neighbouring gminas whose CIS/KIS could serve the gap by agreement.
    """
    gaps = gaps_table(result.gminy, gmina_neighbours(result.gminy))
    if scope is not None:
        gaps = gaps[gaps["teryt"].isin(scope)]
    candidates = cooperation_candidates(result.gminy, gmina_neighbours(result.gminy))
    names = candidates.groupby("teryt")["kandydat_nazwa"].agg(", ".join)
    table = pd.DataFrame(
        {
            "Gmina": gaps["nazwa"].astype(str),
            "Rodzaj": gaps["rodzaj_nazwa"].astype(str).str.replace("gmina ", "", regex=False),
            "Powiat": gaps["powiat_nazwa"].astype(str),
            "Ludność": pd.to_numeric(gaps["ludnosc"], errors="coerce"),
            "Do CIS/KIS, km": gaps["odleglosc_cis_kis_km"],
            "Sąsiednia gmina z CIS/KIS": gaps["teryt"].map(names).fillna(""),
            "LPRES": gaps["lpres_status_nazwa"].fillna(UNKNOWN),
        }
    )
    return table.reset_index(drop=True)


def gap_display(table: pd.DataFrame) -> pd.DataFrame:
    """The gap table with its numbers formatted for print."""
    return table.assign(
        **{
            "Ludność": table["Ludność"].map(fmt_int),
            "Do CIS/KIS, km": table["Do CIS/KIS, km"].map(lambda v: fmt_num(v)),
        }
    )


def lpres_counts(result: CoverageResult, scope: set[str] | None = None) -> pd.DataFrame:
    """Gminas and population by LPRES status (``Status, Gminy, Ludność``).

    The figures are :func:`geo.analysis.lpres.lpres_summary` of the pipeline's statuses; the
    statuses are named as on the maps' legends.
    """
    gminy = pd.DataFrame(result.gminy.drop(columns="geometry"))
    if scope is not None:
        gminy = gminy[gminy["teryt"].isin(scope)]
    attrs = planning_attributes(result)
    status = attrs[attrs["teryt"].isin(set(gminy["teryt"]))]
    summary = lpres_summary(status, gminy, result.as_of)
    rows = [
        (
            LPRES[code].label if code in LPRES else code,
            summary[f"gminy_{code}"],
            fmt_int(summary[f"ludnosc_{code}"]),
        )
        for code in STATUS_ORDER
    ]
    return pd.DataFrame(rows, columns=["Status", "Gminy", "Ludność"])


def lpres_notes(result: CoverageResult) -> list[str]:
    """Headline sentences on the plans: share covered by an adopted plan, plans expiring."""
    attrs = planning_attributes(result)
    gminy = pd.DataFrame(result.gminy.drop(columns="geometry"))
    summary = lpres_summary(attrs, gminy, result.as_of, result.plans)
    notes = [
        f"Gminy objęte przyjętym planem: {summary['gminy_przyjety']} z {summary['gminy']} "
        f"({fmt_pct(summary['proc_gmin_z_planem'])}), ludność: "
        f"{fmt_pct(summary['proc_ludnosci_z_planem'])}.",
        f"Brak informacji o planie: {count(summary['gminy_nieznany'], 'gmina', 'gminy', 'gmin')} ("
        "„brak informacji” to nie to samo co „brak planu”).",
    ]
    if "plany_wygasajace_w_roku" in summary:
        notes.append(f"Plany wygasające w ciągu roku: {summary['plany_wygasajace_w_roku']}.")
    if result.plans_info is not None:
        notes.append(f"Źródło: {result.plans_info.label}.")
    return notes


def subregion_table(
    result: CoverageResult, key: str, scope: set[str] | None = None
) -> pd.DataFrame | None:
    """Indicators per subregion (:func:`geo.analysis.subregions.subregion_summary`).

    None if no subregion is known.
    """
    coverage = pd.DataFrame(result.gminy.drop(columns="geometry"))
    if scope is not None:
        coverage = coverage[coverage["teryt"].isin(scope)]
    try:
        assignment = powiat_assignment(result.region.settings, key)
    except ConfigError:
        return None
    table = subregion_summary(coverage, assignment)
    if table.empty or (table["podregion"] == UNKNOWN).all():
        return None
    return pd.DataFrame(
        {
            "Podregion": table["podregion_nazwa"].astype(str),
            "Gminy": table["gminy"],
            "Z CIS/KIS": table["gminy_z_cis_kis"],
            "Gminy pokryte": table["proc_gmin_pokrytych"].map(fmt_pct),
            "Ludność": table["ludnosc"].map(fmt_int),
            "Ludność pokryta": table["proc_ludnosci_pokrytej"].map(fmt_pct),
            "PES": table["pes"],
            "CIS": table["cis"],
            "KIS": table["kis"],
        }
    )


@print_style
def trend_figure(result: CoverageResult, size: tuple[float, float] = SLIDE) -> Figure:
    """Gminas with CIS/KIS and PES in each year (:mod:`geo.analysis.trends`), dates caveat."""
    dates = trend_dates(result.entities, result.as_of)
    coverage, _types = yearly_coverage(result.region.gminy, result.entities, dates)
    region = coverage[coverage["obszar"] == "region"]
    fig = Figure(figsize=size, facecolor="white")
    k = type_scale(size)
    floor = min_font(size)

    def pt(base: float) -> float:
        return max(base * k, floor)

    bottom = _trend_texts(fig, result, size, pt)
    _trend_lines(fig.add_axes((0.08, bottom, 0.86, 0.78 - bottom)), region, k, pt)
    return fig


def _trend_lines(ax: Axes, region: pd.DataFrame, k: float, pt: Callable[[float], float]) -> None:
    """Gminas with CIS/KIS (solid) and PES (dashed) per year, from 0."""
    years = region["rok"].to_numpy()
    ax.plot(
        years,
        region["gminy_z_cis_kis"].to_numpy(),
        marker="o",
        color="#2166ac",
        lw=3,
        markersize=9 * k,
        label="gminy z CIS/KIS",
    )
    ax.plot(
        years,
        region["pes"].to_numpy(),
        marker="s",
        color="#333333",
        lw=2,
        ls="--",
        markersize=8 * k,
        label="podmioty ekonomii społecznej",
    )
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(labelsize=pt(13))
    ax.grid(axis="y", color="#cccccc")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=pt(14), frameon=False, loc="lower right")


def _trend_texts(
    fig: Figure, result: CoverageResult, size: tuple[float, float], pt: Callable[[float], float]
) -> float:
    """Title, the dates' meaning, the caveat on missing start dates and the sources.

    Returns the figure fraction above the (wrapped) caveat and sources, for the chart.
    """
    fig.text(
        0.02,
        0.965,
        "Trend: gminy z CIS/KIS i podmioty w kolejnych latach",
        fontsize=pt(24),
        fontweight="bold",
        va="top",
    )
    fig.text(
        0.02,
        0.875,
        f"stan na 31 grudnia każdego roku, ostatni punkt: {fmt_date(result.as_of)}",
        fontsize=pt(14),
        va="top",
        color="#333333",
    )
    known = date_completeness(result.entities)
    caveat = (
        "Historia jest tak pełna jak daty w rejestrze: "
        f"{known['bez_daty_rozpoczecia']} z {known['podmioty']} podmiotów bez daty rozpoczęcia "
        "(liczone w każdym roku), zakończenie bez daty liczy się do dziś."
    )
    small = pt(11)
    lines = [
        *textwrap.wrap(caveat, width=int(size[0] * 72 / (small * 0.56))),
        *textwrap.wrap(sources_line(result), width=int(size[0] * 72 / (small * 0.56))),
    ]
    fig.text(
        0.02, 0.12 / size[1], "\n".join(lines), fontsize=small, color="#333333", va="bottom",
        linespacing=1.3,
    )  # fmt: skip
    return (0.12 + len(lines) * small * 1.35 / 72 + 0.45) / size[1]
