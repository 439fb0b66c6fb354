"""Programme monitoring: measures computed from the registry and plans, and progress to targets.

Indicators are data (a file, :mod:`geo.io.indicator_file`): each names a *measure* of this
module's registry (:data:`MEASURES`: id -> function, Polish label, unit), a baseline value
and year and a target value and year. A measure is computed for the region from one date's
per-gmina coverage (:func:`geo.analysis.coverage.gmina_coverage`, with the LPRES status), so
its history per year comes from the entities' dates exactly as on the Trendy page, with the
same gaps (:func:`geo.analysis.trends.date_completeness` says how many dates are missing).

Progress follows a straight path from the baseline to the target: the value expected in year
``y`` is ``baseline + (target - baseline) * (y - baseline_year) / (target_year -
baseline_year)``. A value at or beyond the path (in the target's direction) is on track;
"nieznany" is said whenever the data cannot tell (no value, a year before the baseline).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from geo.analysis.coverage import NOT_COVERED, gmina_coverage
from geo.analysis.lpres import UNKNOWN as LPRES_UNKNOWN
from geo.analysis.lpres import gmina_status
from geo.analysis.neighbours import cooperation_candidates, gmina_neighbours
from geo.analysis.trends import date_completeness, trend_dates
from geo.config import Settings
from geo.core.schema import ENTITY_TYPES, SOCIAL_EMPLOYMENT_TYPES
from geo.io.indicator_file import read_indicators, sample_path
from geo.store import Store

__all__ = [
    "BEHIND",
    "MEASURES",
    "ON_TRACK",
    "REACHED",
    "STATUS_LABELS",
    "UNKNOWN",
    "Indicator",
    "IndicatorSet",
    "Measure",
    "MeasureInputs",
    "Monitoring",
    "assess",
    "expected_value",
    "indicators_from_frame",
    "load_indicators",
    "monitor",
    "measure_values",
    "monitoring_table",
    "on_track",
    "yearly_measures",
]

REACHED: Final = "osiagniety"
ON_TRACK: Final = "zgodnie"
BEHIND: Final = "opoznienie"
UNKNOWN: Final = "nieznany"
#: Progress statuses and their Polish labels, best first.
STATUS_LABELS: Final[dict[str, str]] = {
    REACHED: "cel osiągnięty",
    ON_TRACK: "zgodnie ze ścieżką lub szybciej",
    BEHIND: "poniżej ścieżki (opóźnienie)",
    UNKNOWN: "nieznany (dane nie pozwalają ocenić)",
}


@dataclass(frozen=True)
class MeasureInputs:
    """What a measure is computed from, for the region on one date.

    ``coverage``: :func:`gmina_coverage` on the date plus ``lpres_status``;
    ``neighbours``: :func:`gmina_neighbours` (only measures about cooperation use it).
    """

    coverage: pd.DataFrame
    neighbours: pd.DataFrame | None = None


@dataclass(frozen=True)
class Measure:
    """One measure the app computes: id (used in indicator files), Polish label and unit."""

    id: str
    label: str
    unit: str
    compute: Callable[[MeasureInputs], float | None]
    needs_neighbours: bool = False


@dataclass(frozen=True)
class Indicator:
    """One programme indicator: a measure with its baseline and target."""

    id: str
    name: str
    measure: str
    baseline: float
    baseline_year: int
    target: float
    target_year: int
    source: str = ""
    note: str = ""


# ----------------------------------------------------------------------- the measures


def _population(frame: pd.DataFrame) -> pd.Series:
    return pd.to_numeric(frame["ludnosc"], errors="coerce")


def _covered(frame: pd.DataFrame) -> pd.Series:
    return frame["has_social_employment"].astype(bool)


def _covered_count(i: MeasureInputs) -> float | None:
    return float(_covered(i.coverage).sum())


def _covered_share(i: MeasureInputs) -> float | None:
    frame = i.coverage
    return round(100 * float(_covered(frame).mean()), 1) if len(frame) else None


def _covered_people(i: MeasureInputs) -> float | None:
    people = _population(i.coverage)
    if people.isna().all():
        return None
    return float(people[_covered(i.coverage)].sum())


def _covered_people_share(i: MeasureInputs) -> float | None:
    people = _population(i.coverage)
    total = float(people.sum())
    if people.isna().all() or not total:
        return None
    return round(100 * float(people[_covered(i.coverage)].sum()) / total, 1)


def _gaps(i: MeasureInputs) -> float | None:
    return float((~_covered(i.coverage)).sum())


def _entities(types: Collection[str]) -> Callable[[MeasureInputs], float | None]:
    columns = [t.lower() for t in ENTITY_TYPES if t in types]

    def count(i: MeasureInputs) -> float | None:
        return float(i.coverage[columns].to_numpy().sum())

    return count


def _per_10k(i: MeasureInputs) -> float | None:
    people = _population(i.coverage)
    total = float(people.sum())
    if people.isna().all() or not total:
        return None
    return round(float(i.coverage["pes_razem"].sum()) / total * 10_000, 2)


def _adopted_lpres(i: MeasureInputs) -> float | None:
    status = i.coverage.get("lpres_status")
    # no plan data about any gmina: the count would read as "none adopted", which is unknown
    if status is None or (status.fillna(LPRES_UNKNOWN) == LPRES_UNKNOWN).all():
        return None
    return float((status == "przyjety").sum())


def _gaps_without_candidate(i: MeasureInputs) -> float | None:
    if i.neighbours is None:
        return None
    frame = i.coverage
    gaps = set(frame.loc[frame["pokrycie"] == NOT_COVERED, "teryt"].astype(str))
    with_candidate = set(cooperation_candidates(frame, i.neighbours)["teryt"])
    return float(len(gaps - with_candidate))


_TYPE_MEASURES = tuple(
    Measure(
        f"podmioty_{code.lower()}",
        f"Działające podmioty: {code} ({name})",
        "podmioty",
        _entities({code}),
    )
    for code, name in ENTITY_TYPES.items()
)

#: The measures an indicator file may name, by id (documented in the README and on the page).
MEASURES: Final[dict[str, Measure]] = {
    m.id: m
    for m in (
        Measure(
            "gminy_z_cis_kis",
            "Gminy z CIS/KIS (w gminie lub przez porozumienie)",
            "gminy",
            _covered_count,
        ),
        Measure("proc_gmin_z_cis_kis", "Odsetek gmin z CIS/KIS", "%", _covered_share),
        Measure("ludnosc_w_gminach_z_cis_kis", "Ludność gmin z CIS/KIS", "osoby", _covered_people),
        Measure(
            "proc_ludnosci_w_gminach_z_cis_kis",
            "Odsetek ludności w gminach z CIS/KIS",
            "%",
            _covered_people_share,
        ),
        Measure("gminy_bez_cis_kis", "Gminy bez CIS/KIS (luki)", "gminy", _gaps),
        Measure(
            "luki_bez_kandydata",
            "Luki bez kandydata do współpracy (żaden sąsiad nie ma CIS/KIS)",
            "gminy",
            _gaps_without_candidate,
            needs_neighbours=True,
        ),
        Measure(
            "podmioty_razem",
            "Działające podmioty ekonomii społecznej (wszystkie typy)",
            "podmioty",
            _entities(ENTITY_TYPES),
        ),
        Measure(
            "podmioty_cis_kis",
            "Działające CIS i KIS",
            "podmioty",
            _entities(SOCIAL_EMPLOYMENT_TYPES),
        ),
        *_TYPE_MEASURES,
        Measure(
            "pes_na_10k",
            "Podmioty ekonomii społecznej na 10 tys. mieszkańców",
            "na 10 tys.",
            _per_10k,
        ),
        Measure("gminy_z_lpres", "Gminy objęte przyjętym LPRES", "gminy", _adopted_lpres),
    )
}


def measure_values(inputs: MeasureInputs, ids: Collection[str]) -> dict[str, float | None]:
    """The values of the measures ``ids`` (keys of :data:`MEASURES`) on one date."""
    return {m: MEASURES[m].compute(inputs) for m in ids}


def yearly_measures(
    gminy: gpd.GeoDataFrame,
    entities: gpd.GeoDataFrame,
    plans: pd.DataFrame,
    dates: list[dt.date],
    ids: Collection[str],
) -> pd.DataFrame:
    """The measures ``ids`` on each of ``dates`` (e.g. :func:`geo.analysis.trends.trend_dates`).

    Returns
    -------
    pandas.DataFrame
        ``rok, stan_na, miara, wartosc`` (``wartosc`` NaN where the data cannot say).
    """
    ids = [m for m in dict.fromkeys(ids) if m in MEASURES]
    neighbours = gmina_neighbours(gminy) if any(MEASURES[m].needs_neighbours for m in ids) else None
    rows: list[dict[str, Any]] = []
    for day in dates:
        coverage = gmina_coverage(gminy, entities, day)
        coverage["lpres_status"] = gmina_status(coverage, plans, day)["lpres_status"].to_numpy()
        values = measure_values(MeasureInputs(coverage, neighbours), ids)
        rows.extend(
            {"rok": day.year, "stan_na": day, "miara": m, "wartosc": math.nan if v is None else v}
            for m, v in values.items()
        )
    return pd.DataFrame(rows, columns=["rok", "stan_na", "miara", "wartosc"])


# ------------------------------------------------------------------ progress to targets


def expected_value(indicator: Indicator, year: int) -> float | None:
    """The value on the straight path from baseline to target in ``year``.

    ``None`` before the baseline year; the target itself from the target year on.
    """
    if year < indicator.baseline_year:
        return None
    span = indicator.target_year - indicator.baseline_year
    if year >= indicator.target_year or span <= 0:
        return indicator.target
    step = (indicator.target - indicator.baseline) * (year - indicator.baseline_year) / span
    return indicator.baseline + step


def on_track(indicator: Indicator, year: int, value: float | None) -> str:
    """:data:`REACHED`, :data:`ON_TRACK`, :data:`BEHIND` or :data:`UNKNOWN` for ``value``
    in ``year``, in the target's direction (a target below the baseline means "decrease";
    one equal to it means "keep at least")."""
    expected = expected_value(indicator, year)
    if value is None or expected is None or not math.isfinite(value):
        return UNKNOWN
    sign = -1.0 if indicator.target < indicator.baseline else 1.0
    if sign * value >= sign * indicator.target:
        return REACHED
    return ON_TRACK if sign * value >= sign * expected else BEHIND


def _number(value: Any) -> float | None:
    number = pd.to_numeric(value, errors="coerce")
    return None if pd.isna(number) else float(number)


def assess(indicator: Indicator, values: pd.DataFrame) -> pd.DataFrame:
    """The indicator year by year: value, value on the path, status.

    Parameters
    ----------
    values : pandas.DataFrame
        :func:`yearly_measures` output (any measures; this indicator's is taken).

    Returns
    -------
    pandas.DataFrame
        ``rok, stan_na, wartosc, sciezka, status`` (``sciezka`` NaN before the baseline year).
    """
    own = values[values["miara"] == indicator.measure].sort_values("rok")
    rows = []
    for year, day, value in zip(own["rok"], own["stan_na"], own["wartosc"], strict=True):
        number = _number(value)
        path = expected_value(indicator, int(year))
        rows.append(
            {
                "rok": int(year),
                "stan_na": day,
                "wartosc": math.nan if number is None else number,
                "sciezka": math.nan if path is None else path,
                "status": on_track(indicator, int(year), number),
            }
        )
    return pd.DataFrame(rows, columns=["rok", "stan_na", "wartosc", "sciezka", "status"])


def monitoring_table(indicators: list[Indicator], values: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator at the last date of ``values`` (the "stan na" date).

    Returns
    -------
    pandas.DataFrame
        ``id, nazwa, miara, miara_nazwa, jednostka, wartosc_bazowa, rok_bazowy,
        wartosc_docelowa, rok_docelowy, rok, stan_na, wartosc, sciezka, status,
        status_nazwa, zrodlo``.
    """
    rows = []
    for ind in indicators:
        history = assess(ind, values)
        last = history.iloc[-1] if len(history) else None
        measure = MEASURES.get(ind.measure)
        status = str(last["status"]) if last is not None else UNKNOWN
        rows.append(
            {
                "id": ind.id,
                "nazwa": ind.name,
                "miara": ind.measure,
                "miara_nazwa": measure.label if measure else ind.measure,
                "jednostka": measure.unit if measure else "",
                "wartosc_bazowa": ind.baseline,
                "rok_bazowy": ind.baseline_year,
                "wartosc_docelowa": ind.target,
                "rok_docelowy": ind.target_year,
                "rok": int(last["rok"]) if last is not None else None,
                "stan_na": last["stan_na"] if last is not None else None,
                "wartosc": float(last["wartosc"]) if last is not None else math.nan,
                "sciezka": float(last["sciezka"]) if last is not None else math.nan,
                "status": status,
                "status_nazwa": STATUS_LABELS[status],
                "zrodlo": ind.source,
            }
        )
    return pd.DataFrame(rows)


def indicators_from_frame(frame: pd.DataFrame) -> list[Indicator]:
    """Indicators from a checked indicator table (:func:`geo.io.indicator_file.read_indicators`
    or a stored version)."""
    return [
        Indicator(
            id=str(row["id"]),
            name=str(row["nazwa"]),
            measure=str(row["miara"]),
            baseline=float(row["wartosc_bazowa"]),
            baseline_year=int(row["rok_bazowy"]),
            target=float(row["wartosc_docelowa"]),
            target_year=int(row["rok_docelowy"]),
            source=str(row.get("zrodlo") or ""),
            note=str(row.get("uwagi") or ""),
        )
        for row in frame.to_dict("records")
    ]


# -------------------------------------------------------------- the indicators in effect


@dataclass(frozen=True)
class IndicatorSet:
    """The indicators in effect and where they come from.

    ``label`` names the stored version (number, date, author, file) or the sample file;
    ``state`` changes with every new version (a cache key).
    """

    indicators: list[Indicator]
    label: str
    is_sample: bool
    state: str


def load_indicators(settings: Settings, store: Store) -> IndicatorSet:
    """The newest stored version of the indicator file, else the sample file (labelled so)."""
    stored = store.indicators()
    if stored is None:
        frame = read_indicators(sample_path(settings), MEASURES)
        label = (
            "PRZYKŁAD: wskaźniki ilustracyjne z pliku przykładowego projektu (wartości bazowe i "
            "docelowe nie pochodzą z uchwały programu); wczytaj własny plik wskaźników"
        )
        return IndicatorSet(indicators_from_frame(frame), label, True, "przyklad")
    version, frame = stored
    author = f", wczytał(a): {version.created_by}" if version.created_by else ""
    label = (
        f"plik wskaźników {version.file_name or ''}, wersja {version.number} z "
        f"{version.created_at:%d.%m.%Y}{author}"
    )
    return IndicatorSet(indicators_from_frame(frame), label, False, f"v{version.number}")


@dataclass(frozen=True)
class Monitoring:
    """Every indicator against its target: yearly values, the table at the "stan na" date and
    how complete the registry's dates are (the history depends on them)."""

    values: pd.DataFrame
    table: pd.DataFrame
    dates: list[dt.date]
    completeness: dict[str, int]


def monitor(
    gminy: gpd.GeoDataFrame,
    entities: gpd.GeoDataFrame,
    plans: pd.DataFrame,
    as_of: dt.date,
    indicators: list[Indicator],
) -> Monitoring:
    """Compute the measures of ``indicators`` from their earliest baseline year to ``as_of``."""
    first = min((i.baseline_year for i in indicators), default=None)
    dates = trend_dates(entities, as_of, first_year=first)
    values = yearly_measures(gminy, entities, plans, dates, [i.measure for i in indicators])
    table = monitoring_table(indicators, values)
    return Monitoring(values, table, dates, date_completeness(entities))
