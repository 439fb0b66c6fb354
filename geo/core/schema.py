"""The native registry format: columns, entity types and their Polish names.

One place for the vocabulary that the importer, the store, the locator, the coverage
engine and the views share.
"""

from __future__ import annotations

from typing import Final

#: Columns of the native registry file, in order (Polish headers, see README data dictionary).
REGISTRY_COLUMNS: Final[tuple[str, ...]] = (
    "id",
    "nazwa",
    "typ",
    "podmiot_prowadzacy",
    "adres",
    "kod_pocztowy",
    "miejscowosc",
    "gmina",
    "powiat",
    "teryt",
    "szerokosc",
    "dlugosc",
    "gminy_obslugiwane",
    "data_rozpoczecia",
    "data_zakonczenia",
    "zrodlo",
    "data_weryfikacji",
    "uwagi",
)

#: Entity type codes, in display order, with their Polish names.
ENTITY_TYPES: Final[dict[str, str]] = {
    "CIS": "Centrum Integracji Społecznej",
    "KIS": "Klub Integracji Społecznej",
    "ZAZ": "Zakład Aktywności Zawodowej",
    "WTZ": "Warsztat Terapii Zajęciowej",
    "SPS": "Spółdzielnia socjalna",
    "PS": "Przedsiębiorstwo społeczne",
    "NGO": "Organizacja pozarządowa",
    "INNY": "Inny podmiot",
}

#: CIS and KIS are "podmioty zatrudnienia socjalnego": the Model Lokalnej Współpracy counts them.
SOCIAL_EMPLOYMENT_TYPES: Final[frozenset[str]] = frozenset({"CIS", "KIS"})

#: Marker colours by type (colour-blind-friendly Okabe-Ito based palette plus greys).
TYPE_COLORS: Final[dict[str, str]] = {
    "CIS": "#D55E00",
    "KIS": "#E69F00",
    "ZAZ": "#0072B2",
    "WTZ": "#56B4E9",
    "SPS": "#009E73",
    "PS": "#CC79A7",
    "NGO": "#7F6000",
    "INNY": "#666666",
}
