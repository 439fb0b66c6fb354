"""A what-if scenario as tables with Polish headers and as one XLSX workbook.

Sheets: "Definicja" (date, D, coverage rule, planned sites, closures, the optimiser's record),
"Nowe miejsca", "Zamknięte", "Gminy" (before/after per gmina), "Powiaty", "Podregiony" and
"Źródła" (the "stan na" date and sources, as every export of the app). Text cells are made
formula-safe by :func:`geo.io.export.safe_frame`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import pandas as pd

from geo.analysis.coverage import COVERAGE_LABELS
from geo.analysis.scenarios.saved import SavedScenario
from geo.analysis.scenarios.whatif import SERVE_LABELS, WhatIfResult, summary_by
from geo.io.export import neutralize, safe_frame

__all__ = [
    "COVERAGE_RULES",
    "DISTANCE_COLUMNS",
    "definition_rows",
    "gmina_table",
    "scenario_xlsx",
    "sites_table",
    "summary_table",
]

#: The coverage rules in Polish, as the page states them near the controls.
COVERAGE_RULES = {
    False: "gmina pokryta = CIS/KIS w gminie lub porozumienie międzygminne",
    True: "gmina pokryta = CIS/KIS w gminie, porozumienie lub działający CIS/KIS w odległości "
    "do D km od granicy gminy",
}

GMINA_HEADERS = {
    "teryt": "TERYT",
    "nazwa": "Gmina",
    "powiat_nazwa": "Powiat",
    "podregion": "Podregion",
    "ludnosc": "Ludność",
    "pokrycie_przed": "Pokrycie przed",
    "pokrycie_po": "Pokrycie po",
    "odleglosc_km_przed": "Do CIS/KIS przed, km",
    "odleglosc_km_po": "Do CIS/KIS po, km",
    "zmiana": "Zmiana",
    "obslugujace_po": "Obsługujące po",
}
DISTANCE_COLUMNS = (GMINA_HEADERS["odleglosc_km_przed"], GMINA_HEADERS["odleglosc_km_po"])
SUMMARY_HEADERS = {
    "powiat": "TERYT powiatu",
    "powiat_nazwa": "Powiat",
    "podregion": "Podregion",
    "gminy": "Gminy",
    "pokryte_przed": "Pokryte przed",
    "pokryte_po": "Pokryte po",
    "luki_przed": "Luki przed",
    "luki_po": "Luki po",
    "ludnosc": "Ludność",
    "ludnosc_pokryta_przed": "Ludność pokryta przed",
    "ludnosc_pokryta_po": "Ludność pokryta po",
}
SITE_HEADERS = {
    "teryt": "TERYT",
    "nazwa": "Gmina",
    "typ": "Typ",
    "obsluga": "Obsługuje",
    "lat": "Szerokość",
    "lon": "Długość",
    "obslugiwane": "Gminy obsługiwane",
    "nowo_pokryte": "Nowo pokryte gminy",
}
CLOSED_HEADERS = {
    "klucz": "Klucz",
    "nazwa": "Nazwa",
    "typ": "Typ",
    "teryt_gminy": "TERYT gminy",
    "miejscowosc": "Miejscowość",
}


def gmina_table(result: WhatIfResult) -> pd.DataFrame:
    """Per-gmina before/after with Polish headers and coverage labels."""
    table = result.gminy.assign(
        pokrycie_przed=result.gminy["pokrycie_przed"].map(COVERAGE_LABELS),
        pokrycie_po=result.gminy["pokrycie_po"].map(COVERAGE_LABELS),
    )
    return table[list(GMINA_HEADERS)].rename(columns=GMINA_HEADERS)


def summary_table(result: WhatIfResult, by: str) -> pd.DataFrame:
    """Before/after per ``"powiat"`` or ``"podregion"``, Polish headers."""
    columns = ["powiat", "powiat_nazwa"] if by == "powiat" else ["podregion"]
    return summary_by(result.gminy, columns).rename(columns=SUMMARY_HEADERS)


def sites_table(result: WhatIfResult) -> pd.DataFrame:
    """The planned sites, the gmina lists joined with "; "."""
    sites = result.sites.assign(
        obsluga=result.sites["obsluga"].map(SERVE_LABELS),
        obslugiwane=result.sites["obslugiwane"].map("; ".join),
        nowo_pokryte=result.sites["nowo_pokryte"].map("; ".join),
    )
    return sites[list(SITE_HEADERS)].rename(columns=SITE_HEADERS)


def closed_table(result: WhatIfResult) -> pd.DataFrame:
    closed = result.closed.reindex(columns=list(CLOSED_HEADERS))
    return closed.rename(columns=CLOSED_HEADERS)


def definition_rows(name: str, scenario: SavedScenario, result: WhatIfResult) -> dict[str, str]:
    """The scenario's settings and headline figures, one (field, value) per row."""
    w, t = scenario.whatif, result.totals
    rows = {
        "scenariusz": name or "(niezapisany)",
        "stan na": scenario.as_of.isoformat(),
        "odległość D (km)": f"{w.within_km:g}",
        "definicja pokrycia": COVERAGE_RULES[w.count_within_km],
        "nowe CIS/KIS": str(len(w.additions)),
        "zamknięte CIS/KIS": str(len(result.closed)),
        "gminy pokryte przed / po": f"{t['pokryte_przed']} / {t['pokryte_po']} z {t['gminy']}",
        "ludność pokryta przed / po": f"{t['ludnosc_pokryta_przed']} / {t['ludnosc_pokryta_po']}"
        f" z {t['ludnosc']}",
        "luki przed / po": f"{t['luki_przed']} / {t['luki_po']}",
    }
    if result.missing_closures:
        rows["zamknięcia nieznalezione w rejestrze"] = "; ".join(result.missing_closures)
    for key, value in (scenario.optimiser or {}).items():
        rows[f"optymalizacja: {key}"] = _text(value)
    return rows


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "brak"
    return "brak" if value is None else str(value)


def _pairs(rows: Mapping[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"pole": list(rows), "wartość": [neutralize(v) for v in rows.values()]})


def scenario_xlsx(
    name: str, scenario: SavedScenario, result: WhatIfResult, sources: Mapping[str, str]
) -> bytes:
    """The workbook of a scenario (see the module docstring); ``sources``: the notes of
    :func:`geo.pipeline.source_notes` for the scenario's date."""
    sheets = {
        "Definicja": _pairs(definition_rows(name, scenario, result)),
        "Nowe miejsca": safe_frame(sites_table(result)),
        "Zamknięte": safe_frame(closed_table(result)),
        "Gminy": safe_frame(gmina_table(result)),
        "Powiaty": safe_frame(summary_table(result, "powiat")),
        "Podregiony": safe_frame(summary_table(result, "podregion")),
        "Źródła": _pairs(dict(sources)),
    }
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, frame in sheets.items():
            frame.to_excel(writer, sheet_name=sheet, index=False)
    return buffer.getvalue()
