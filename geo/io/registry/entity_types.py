"""Entity types as registries name them: "KIS", "Klub Integracji Społecznej", "KGW/NGO"...

Registers name the same type in many ways (plural, with the legal form, with an abbreviation,
two names joined by "/"); :func:`normalize_type` maps them to the codes of
:data:`geo.core.schema.ENTITY_TYPES`, and says nothing (``None``) rather than guess.
"""

from __future__ import annotations

import re

from geo.core.schema import ENTITY_TYPES
from geo.core.text import fold

__all__ = ["key", "normalize_type"]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_TYPE_SPLIT = re.compile(r"\s*(?:/|;|,|\+|\blub\b|\boraz\b)\s*")


def key(value: object) -> str:
    """Fold to lower-case ASCII words separated by single spaces (punctuation dropped)."""
    return _NON_ALNUM.sub(" ", fold(value)).strip()


_TYPE_NAMES: dict[str, tuple[str, ...]] = {
    "CIS": ("centra integracji spolecznej", "centrum integracji"),
    "KIS": ("kluby integracji spolecznej", "klub integracji"),
    "ZAZ": ("zaklady aktywnosci zawodowej",),
    "WTZ": ("warsztaty terapii zajeciowej",),
    "SPS": (
        "spoldzielnie socjalne",
        "spoldzielnia socjalna osob prawnych",
        "spoldzielnia socjalna osob fizycznych",
    ),
    "PS": ("przedsiebiorstwa spoleczne",),
    "NGO": (
        "organizacje pozarzadowe",
        "organizacja spoleczna",
        "stowarzyszenie",
        "stowarzyszenia",
        "stowarzyszenie zwykle",
        "fundacja",
        "fundacje",
        "kolo gospodyn wiejskich",
        "kola gospodyn wiejskich",
        "kgw",
        "organizacja pozytku publicznego",
        "opp",
    ),
    # OWES and the older cooperatives are social-economy actors without a type of their own.
    "INNY": (
        "inne",
        "inna",
        "pozostale",
        "owes",
        "osrodek wsparcia ekonomii spolecznej",
        "spoldzielnia pracy",
        "spoldzielnia inwalidow",
        "spoldzielnia niewidomych",
    ),
}

_TYPE_SYNONYMS: dict[str, str] = {}
for _code, _name in ENTITY_TYPES.items():
    _TYPE_SYNONYMS[key(_code)] = _code
    _TYPE_SYNONYMS[key(_name)] = _code
for _code, _names in _TYPE_NAMES.items():
    for _name in _names:
        _TYPE_SYNONYMS[key(_name)] = _code
# Longest first so that "spoldzielnia socjalna ..." wins over shorter prefixes.
_TYPE_PREFIXES = sorted((k for k in _TYPE_SYNONYMS if len(k) >= 8), key=len, reverse=True)


def _type_of_part(part: str) -> str | None:
    if not part:
        return None
    if part in _TYPE_SYNONYMS:
        return _TYPE_SYNONYMS[part]
    for prefix in _TYPE_PREFIXES:
        if part.startswith(prefix + " "):
            return _TYPE_SYNONYMS[prefix]
    return None


def normalize_type(value: object) -> str | None:
    """Return the entity type code (``CIS``, ``KIS``...) for a code or Polish name.

    Parameters
    ----------
    value : object
        A code ("kis"), a full name ("Klub Integracji Społecznej"), a common variant
        ("spółdzielnia socjalna osób prawnych", "KGW", "stowarzyszenie", "KGW/NGO").
        Case and diacritics do not matter.

    Returns
    -------
    str | None
        A key of :data:`geo.core.schema.ENTITY_TYPES`, or ``None`` when empty, unknown or ambiguous
        (e.g. "CIS/KIS").
    """
    folded = fold(value)
    if not folded:
        return None
    found = _type_of_part(key(folded))
    if found:
        return found
    stripped = _PARENS.sub(" ", folded)
    found = _type_of_part(key(stripped))
    if found:
        return found
    parts = [key(p) for p in _TYPE_SPLIT.split(stripped)]
    codes = {_type_of_part(p) for p in parts if p}
    if len(codes) == 1 and None not in codes:
        return codes.pop()
    return None
