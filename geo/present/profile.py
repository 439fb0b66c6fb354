"""The gmina profile ("Moja gmina"): gather one gmina's facts for one "stan na" date.

Everything here reads the pipeline's :class:`~geo.pipeline.CoverageResult` (the one
computation behind every view): the profile selects and explains, it does not count again.
Planning attributes (OWES subregion, LPRES status) come from the pipeline's columns when it
provides them, else they are "nieznany" (:mod:`geo.present.planning`). Finding the gmina is
:mod:`geo.present.gmina_search`, number formats :mod:`geo.present.formatting` and source
captions :mod:`geo.present.sources`; their public names are importable from here too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geo.analysis.coverage import (
    COVERAGE_LABELS,
    COVERED_BY_AGREEMENT,
    COVERED_HERE,
    METRIC_CRS,
    counted_entities,
)
from geo.analysis.neighbours import gmina_neighbours
from geo.core.schema import ENTITY_TYPES, SOCIAL_EMPLOYMENT_TYPES
from geo.pipeline import CoverageResult
from geo.present.formatting import (
    fmt_date,
    fmt_int,
    fmt_km,
    fmt_num,
    fmt_pct,
    missing,
    pl_date,
    plain_text,
)
from geo.present.gmina_search import (
    RODZAJ_SHORT,
    ProfileError,
    gmina_labels,
    powiat_label,
    resolve_gmina,
    search_gminy,
)
from geo.present.planning import PLANNING_COLUMNS, UNKNOWN, planning_attributes
from geo.present.profile_unlocated import CONTACT_FALLBACK, report_link, unlocated_naming
from geo.present.sources import lpres_source, planning_sources, sources_line

__all__ = [
    "COMPARISON_LABELS",
    "CONTACT_FALLBACK",
    "EMPTY",
    "PLANNING_COLUMNS",
    "GminaProfile",
    "ProfileError",
    "RODZAJ_SHORT",
    "UNKNOWN",
    "build_profile",
    "comparison_table",
    "dash_empty",
    "fmt_date",
    "fmt_int",
    "fmt_km",
    "fmt_num",
    "fmt_pct",
    "gmina_labels",
    "lpres_source",
    "neighbours_of",
    "planning_sources",
    "pl_dates",
    "plain_text",
    "planning_attributes",
    "powiat_label",
    "report_link",
    "resolve_gmina",
    "search_gminy",
    "sources_line",
]

_ISO_DATE = re.compile(r"\b(\d{4})-(\d\d)-(\d\d)\b")
#: An empty cell on screen and on paper (never None, nan or NaT).
EMPTY = "—"

#: Rows of the comparison table (gmina vs powiat vs region), in display order.
COMPARISON_LABELS = {
    "ludnosc": "Ludność",
    "pes": "Liczba PES",
    "pes_na_10k": "PES na 10 tys. mieszk.",
    "cis_kis": "Liczba CIS i KIS",
    "cis_kis_na_10k": "CIS i KIS na 10 tys. mieszk.",
    "proc_gmin_pokrytych": "Gminy z CIS/KIS",
    "proc_ludnosci_pokrytej": "Ludność gmin z CIS/KIS",
}


def neighbours_of(gminy: gpd.GeoDataFrame, teryt: str) -> list[str]:
    """Codes of the gminas sharing a boundary with ``teryt`` (longest shared boundary first).

    From :func:`geo.analysis.neighbours.gmina_neighbours`, computed once per set of boundaries.
    """
    pairs = gmina_neighbours(gminy)
    return list(pairs.loc[pairs["teryt"] == teryt, "sasiad"])


@dataclass
class GminaProfile:
    """Facts about one gmina on one date, ready to show or print.

    Frames are plain pandas (no geometry) with Polish column names meant for display.
    """

    teryt: str
    nazwa: str
    etykieta: str
    rodzaj_nazwa: str
    powiat: str
    powiat_nazwa: str
    powiat_etykieta: str
    region_nazwa: str
    ludnosc: int | None
    owes_podregion: str
    owes_operator: str
    nuts3: str
    pokrycie: str
    pokrycie_nazwa: str
    pokrycie_opis: str
    sasiad_moze_obsluzyc: bool
    lpres_status: str
    lpres_status_nazwa: str
    lpres_opis: str
    podmioty: pd.DataFrame
    obslugujace: pd.DataFrame
    najblizsze: pd.DataFrame
    sasiedzi: pd.DataFrame
    typy: dict[str, int]
    porownanie: pd.DataFrame
    as_of: dt.date
    is_sample: bool
    zrodla: list[str] = field(default_factory=list)
    uwaga: str = ""
    #: Entities that mention the gmina but have no gmina (:mod:`geo.present.profile_unlocated`).
    nieustalone: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: E-mail address for corrections (``PES_REPORT_CONTACT``), None when not configured.
    kontakt: str | None = None

    @property
    def stan_na(self) -> str:
        return f"stan na {fmt_date(self.as_of)}"

    def report_link(self, entity: str) -> str | None:
        """``mailto:`` link to report a correction of ``entity``; None without a contact."""
        return report_link(self.kontakt, self.etykieta, self.teryt, entity)


def pl_dates(text: str) -> str:
    """ISO dates inside ``text`` (source labels) as ``dd.mm.rrrr``."""
    return _ISO_DATE.sub(r"\3.\2.\1", text)


def dash_empty(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that are empty (or None/NaN/NaT) shown as :data:`EMPTY`."""
    return frame.apply(
        lambda column: column.map(lambda v: EMPTY if plain_text(v) in ("", "nan", "NaT") else v)
    )


def _entity_table(entities: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    typ = entities["typ"].where(entities["typ"].isin(list(ENTITY_TYPES)), "INNY")
    address = (
        entities["adres"].map(plain_text) + ", " + entities["miejscowosc"].map(plain_text)
    ).str.strip(", ")
    table = pd.DataFrame(
        {
            "Nazwa": entities["nazwa"].map(plain_text),
            "Typ": typ.astype(str),
            "Rodzaj": typ.map(ENTITY_TYPES),
            "Gmina": entities["teryt_gminy"].map(names).fillna(""),
            "Podmiot prowadzący": entities["podmiot_prowadzacy"].map(plain_text),
            "Adres": address,
            "Działa od": entities["data_rozpoczecia"].map(pl_date),
            "Źródło": entities["zrodlo"].map(plain_text),
        }
    ).reset_index(drop=True)
    return dash_empty(table) if len(table) else table


def _per_10k(count: float, population: float) -> float:
    return round(float(count) / float(population) * 10_000, 2) if population else float("nan")


def _comparison(result: CoverageResult, row: pd.Series) -> pd.DataFrame:
    """Gmina vs its powiat vs the region: the pipeline's aggregates, put side by side."""
    powiat = result.powiaty.set_index("powiat").loc[row["powiat"]]
    region = result.summary
    pop = float(row["ludnosc"]) if not missing(row["ludnosc"]) else float("nan")
    covered = bool(row["has_social_employment"])
    values = {
        "ludnosc": (pop, powiat["ludnosc"], region["ludnosc"]),
        "pes": (row["pes_razem"], powiat["pes"], region["pes"]),
        "pes_na_10k": (
            row["pes_na_10k"],
            _per_10k(powiat["pes"], powiat["ludnosc"]),
            _per_10k(region["pes"], region["ludnosc"]),
        ),
        "cis_kis": (
            row["cis"] + row["kis"],
            powiat["cis"] + powiat["kis"],
            region["cis"] + region["kis"],
        ),
        "cis_kis_na_10k": (
            _per_10k(row["cis"] + row["kis"], pop) if pop == pop else float("nan"),
            _per_10k(powiat["cis"] + powiat["kis"], powiat["ludnosc"]),
            _per_10k(region["cis"] + region["kis"], region["ludnosc"]),
        ),
        "proc_gmin_pokrytych": (
            100.0 if covered else 0.0,
            powiat["proc_gmin_pokrytych"],
            region["proc_gmin_pokrytych"],
        ),
        "proc_ludnosci_pokrytej": (
            100.0 if covered else 0.0,
            powiat["proc_ludnosci_pokrytej"],
            region["proc_ludnosci_pokrytej"],
        ),
    }
    frame = pd.DataFrame.from_dict(values, orient="index", columns=["gmina", "powiat", "region"])
    return frame.astype(float)


def comparison_table(profile: GminaProfile) -> pd.DataFrame:
    """The comparison as Polish display text: ``Wskaźnik, Gmina, Powiat, Województwo``."""
    rows = []
    for key, label in COMPARISON_LABELS.items():
        values = profile.porownanie.loc[key]
        if key in ("ludnosc", "pes", "cis_kis"):
            shown = [fmt_int(v) for v in values]
        elif key.startswith("proc"):
            shown = [fmt_pct(v) for v in values]
            # For a single gmina a share is yes/no.
            shown[0] = "tak" if values["gmina"] > 0 else "nie"
        else:
            shown = [fmt_num(v, 2) for v in values]
        rows.append((label, *shown))
    region = "Województwo" if profile.region_nazwa.startswith("województwo") else "Region"
    return pd.DataFrame(rows, columns=["Wskaźnik", "Gmina", "Powiat", region])


def _nearest(
    gminy: gpd.GeoDataFrame, sezs: gpd.GeoDataFrame, teryt: str, names: dict[str, str], n: int
) -> pd.DataFrame:
    columns = ["Nazwa", "Typ", "Gmina", "teryt_gminy", "Odległość, km", "przyblizona"]
    sezs = sezs[sezs.geometry.notna() & (sezs["teryt_gminy"] != teryt)]
    if sezs.empty:
        return pd.DataFrame(columns=columns)
    shape = gminy.loc[gminy["teryt"] == teryt].geometry.to_crs(METRIC_CRS).iloc[0]
    points = sezs.geometry.to_crs(METRIC_CRS)
    # Same measure as the coverage engine: from the gmina's boundary to the point.
    distance = (points.distance(shape) / 1000).round(1)
    frame = pd.DataFrame(
        {
            "Nazwa": sezs["nazwa"].map(plain_text),
            "Typ": sezs["typ"].astype(str),
            "Gmina": sezs["teryt_gminy"].map(names).fillna(""),
            "teryt_gminy": sezs["teryt_gminy"].astype(str),
            "Odległość, km": distance,
            "przyblizona": sezs["pozycja_przyblizona"].fillna(False).astype(bool),
        }
    )
    return frame.sort_values(["Odległość, km", "Nazwa"]).head(n).reset_index(drop=True)


def _lpres_text(attrs: pd.Series) -> str:
    status = plain_text(attrs.get("lpres_status")) or UNKNOWN
    if status == UNKNOWN:
        return "Brak informacji o lokalnym planie rozwoju ekonomii społecznej (LPRES)."
    parts = [f"Status LPRES: {plain_text(attrs.get('lpres_status_nazwa')) or status}."]
    for key, label in (
        ("lpres_plan", "Plan"),
        ("lpres_uchwala", "Uchwała"),
        ("lpres_okres", "Okres"),
    ):
        value = plain_text(attrs.get(key))
        if value:
            parts.append(f"{label}: {value}.")
    return " ".join(parts)


def build_profile(result: CoverageResult, teryt: str, nearest: int = 3) -> GminaProfile:
    """Gather the profile of gmina ``teryt`` from a coverage result.

    Parameters
    ----------
    result : CoverageResult
        The pipeline's result for the chosen date.
    teryt : str
        Current 7-character code (see :func:`resolve_gmina` for links and old codes).
    nearest : int
        How many of the nearest CIS/KIS outside the gmina to list.

    Raises
    ------
    ProfileError
        When the gmina is not in the result.
    """
    gminy = result.gminy
    match = gminy[gminy["teryt"] == teryt]
    if match.empty:
        raise ProfileError(f"Nie znaleziono gminy o kodzie TERYT {teryt} w danych regionu.")
    row = match.iloc[0]
    names = dict(zip(gminy["teryt"], gminy["nazwa"].astype(str), strict=True))
    attrs = planning_attributes(result).set_index("teryt").loc[teryt]

    active = counted_entities(result.entities, result.as_of)
    here = active[active["teryt_gminy"] == teryt]
    here = here.sort_values(["typ", "nazwa"], key=lambda s: s.map(_type_order))
    sezs = active[active["typ"].isin(SOCIAL_EMPLOYMENT_TYPES)]
    served = sezs["gminy_obslugiwane_kody"].map(
        lambda codes: isinstance(codes, str) and teryt in codes.split(";")
    )
    by_agreement = sezs[served.astype(bool) & (sezs["teryt_gminy"] != teryt)]

    neighbour_codes = neighbours_of(gminy, teryt)
    neighbours = gminy[gminy["teryt"].isin(neighbour_codes)]
    neighbour_table = pd.DataFrame(
        {
            "teryt": neighbours["teryt"].astype(str),
            "Gmina": gmina_labels(neighbours) if len(neighbours) else pd.Series(dtype=str),
            "Pokrycie": neighbours["pokrycie"].map(COVERAGE_LABELS),
            "pokrycie": neighbours["pokrycie"],
            "CIS/KIS": neighbours["obslugujace"].map(plain_text),
        }
    ).reset_index(drop=True)
    near = _nearest(gminy, sezs, teryt, names, nearest)
    near["sasiednia"] = near["teryt_gminy"].isin(neighbour_codes)
    with_sezs = neighbours[neighbours["pokrycie"] == COVERED_HERE]
    neighbour_can_serve = bool(len(with_sezs))

    status = str(row["pokrycie"])
    explanation = _coverage_text(status, here, by_agreement, near, with_sezs, names)
    unlocated = unlocated_naming(result.entities, str(row["nazwa"]), result.as_of)
    explanation += _unlocated_text(unlocated)
    label = gmina_labels(match).iloc[0]
    region = result.region
    registry = result.registry
    sources = [
        f"Rejestr PES: {registry.label}",
        f"Pokrycie i odległości: obliczenia aplikacji (Model Lokalnej Współpracy), "
        f"stan na {fmt_date(result.as_of)}",
        *planning_sources(result),
        f"Ludność: {region.population_source}",
        f"Granice: {region.boundary_source}",
        region.terc_source,
    ]
    return GminaProfile(
        teryt=teryt,
        nazwa=str(row["nazwa"]),
        etykieta=label,
        rodzaj_nazwa=str(row["rodzaj_nazwa"]),
        powiat=str(row["powiat"]),
        powiat_nazwa=str(row["powiat_nazwa"]),
        powiat_etykieta=powiat_label(str(row["powiat"]), str(row["powiat_nazwa"])),
        region_nazwa=region.name,
        ludnosc=None if missing(row["ludnosc"]) else int(row["ludnosc"]),
        owes_podregion=plain_text(attrs["owes_podregion_nazwa"]) or UNKNOWN,
        owes_operator=plain_text(attrs["owes_operator"]) or UNKNOWN,
        nuts3=plain_text(attrs["nuts3_nazwa"]) or UNKNOWN,
        pokrycie=status,
        pokrycie_nazwa=COVERAGE_LABELS[status],
        pokrycie_opis=explanation,
        sasiad_moze_obsluzyc=neighbour_can_serve,
        lpres_status=plain_text(attrs["lpres_status"]) or UNKNOWN,
        lpres_status_nazwa=plain_text(attrs["lpres_status_nazwa"]) or UNKNOWN,
        lpres_opis=_lpres_text(attrs),
        podmioty=_entity_table(here, names),
        obslugujace=_entity_table(by_agreement, names),
        najblizsze=near,
        sasiedzi=neighbour_table,
        typy={code: int(row[code.lower()]) for code in ENTITY_TYPES},
        porownanie=_comparison(result, row),
        as_of=result.as_of,
        is_sample=registry.is_sample,
        zrodla=[pl_dates(line) for line in sources],
        nieustalone=dash_empty(unlocated) if len(unlocated) else unlocated,
        kontakt=region.settings.report_contact,
    )


def _unlocated_text(unlocated: pd.DataFrame) -> str:
    """A sentence on CIS/KIS that may be in the gmina but are counted nowhere."""
    sezs = unlocated[unlocated["Typ"].isin(SOCIAL_EMPLOYMENT_TYPES)]
    if sezs.empty:
        return ""
    names = "; ".join(f"{n} ({p})" for n, p in zip(sezs["Nazwa"], sezs["Problem"], strict=True))
    return (
        f" Uwaga: rejestr zawiera CIS/KIS, który może dotyczyć tej gminy, ale nie został do "
        f"niej przypisany i nie jest liczony: {names}. Szczegóły niżej."
    )


def _type_order(value: object) -> object:
    order = {code: i for i, code in enumerate(ENTITY_TYPES)}
    return order.get(str(value), len(order)) if isinstance(value, str) else value


def _names(frame: pd.DataFrame) -> str:
    return "; ".join(sorted(set(frame["nazwa"].map(plain_text))))


def _coverage_text(
    status: str,
    here: pd.DataFrame,
    by_agreement: pd.DataFrame,
    near: pd.DataFrame,
    with_sezs: pd.DataFrame,
    names: dict[str, str],
) -> str:
    """Why the gmina has the status it has, in one or two Polish sentences."""
    sezs_here = here[here["typ"].isin(SOCIAL_EMPLOYMENT_TYPES)]
    if status == COVERED_HERE:
        text = f"W gminie działa: {_names(sezs_here)}."
        if len(by_agreement):
            text += f" Gminę obsługuje też na podstawie porozumienia: {_names(by_agreement)}."
        return text
    if status == COVERED_BY_AGREEMENT:
        where = sorted({names.get(str(c), str(c)) for c in by_agreement["teryt_gminy"]})
        return (
            "W gminie nie ma własnego CIS ani KIS; obsługuje ją na podstawie porozumienia "
            f"międzygminnego: {_names(by_agreement)} (gmina {', '.join(where)})."
        )
    text = (
        "W gminie nie działa żaden CIS ani KIS i żaden nie obsługuje jej na podstawie porozumienia."
    )
    if near.empty:
        return text + " W danych nie ma żadnego działającego CIS/KIS."
    first = near.iloc[0]
    text += (
        f" Najbliższy: {first['Nazwa']} ({first['Typ']}, gmina {first['Gmina']}), "
        f"{fmt_km(first['Odległość, km'])} od granicy gminy."
    )
    if len(with_sezs):
        neighbours = ", ".join(sorted(with_sezs["nazwa"].astype(str)))
        text += (
            f" CIS/KIS działa w sąsiedniej gminie ({neighbours}): porozumienie międzygminne "
            "mogłoby objąć także tę gminę."
        )
    else:
        text += " Żadna sąsiednia gmina nie ma własnego CIS/KIS."
    return text
