"""Registry entities that name a gmina but could not be located: the rest of the truth.

A gmina's profile counts only the entities located in it. An entity the locating step could not
place (no code, an ambiguous name such as "Tomaszów Lubelski", which is both an urban and a rural
gmina...) is counted nowhere, so the profile lists it where it plausibly belongs: wherever its
gmina, locality, address or own name mentions the gmina.

Matching uses the project's text folding (:func:`geo.core.text.fold`, the rule the locate step's
name lookups use) and then compares word by word, because registries write place names in the
Polish locative ("Klub ... w Tomaszowie Lubelskim"). A folded word of the text matches a word of
the gmina's name when they share a prefix of at least 3 letters, the gmina's word loses at most
2 final letters ("gródek" -> "gródku", "łęczna" -> "łęcznej") and the text word adds at most 3
("tomaszów" -> "tomaszowie", "puławy" -> "puławach"), none of them an adjective suffix ("-ska",
"-cki": "ul. Lubartowska" does not name Lubartów). Every word of the gmina's name must match, in
order and side by side. It is a heuristic: it may list an entity that is not in the gmina (the
list says "may concern"), which is better than hiding one that is.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import numpy as np
import pandas as pd

from geo.analysis.coverage import active_mask
from geo.core.schema import ENTITY_TYPES
from geo.core.text import fold, fold_column
from geo.present.formatting import plain_text

__all__ = [
    "CONTACT_FALLBACK",
    "UNLOCATED_COLUMNS",
    "names_gmina",
    "report_link",
    "unlocated_naming",
    "word_matches",
]

#: Fields of an entity searched for the gmina's name, with their Polish labels.
SEARCHED_FIELDS = {
    "gmina": "gmina",
    "miejscowosc": "miejscowość",
    "adres": "adres",
    "nazwa": "nazwa",
}
UNLOCATED_COLUMNS = ["Nazwa", "Typ", "Problem", "Powód", "Gmina wymieniona w", "Źródło"]
#: Shown instead of a "zgłoś poprawkę" link when no contact address is configured.
CONTACT_FALLBACK = (
    "Aby poprawić dane podmiotu w rejestrze, skontaktuj się z Regionalnym Ośrodkiem "
    "Polityki Społecznej (ROPS)."
)

_WORD = re.compile(r"[a-z0-9]+")
_MIN_PREFIX = 3
_MAX_DROPPED = 2
_MAX_ADDED = 3
# Adjectives made from a place name ("lubartowska", "krasnicka") are street names or
# powiats, not the place itself.
_ADJECTIVE = ("sk", "ck", "dzk")


def word_matches(word: str, name_word: str) -> bool:
    """Whether folded ``word`` of a text is an inflected form of folded ``name_word``."""
    if word == name_word:
        return True
    shared = 0
    for a, b in zip(word, name_word, strict=False):
        if a != b:
            break
        shared += 1
    added = word[shared:]
    return (
        shared >= min(len(name_word), _MIN_PREFIX)
        and len(name_word) - shared <= _MAX_DROPPED
        and len(added) <= _MAX_ADDED
        and not any(suffix in added for suffix in _ADJECTIVE)
    )


def _words(folded: str) -> list[str]:
    return _WORD.findall(folded)


def names_gmina(text: object, gmina_name: str) -> bool:
    """Whether ``text`` mentions ``gmina_name`` (folded words, inflection allowed, in order)."""
    wanted = _words(fold(gmina_name))
    return _mentions(_words(fold(text)), wanted)


def _mentions(words: list[str], wanted: list[str]) -> bool:
    if not wanted:
        return False
    last = len(words) - len(wanted)
    return any(
        all(word_matches(words[start + i], w) for i, w in enumerate(wanted))
        for start in range(last + 1)
    )


def _field_mentions(values: pd.Series, wanted: list[str]) -> pd.Series:
    """Whether each value mentions the gmina whose folded words are ``wanted``.

    Folded as a column; only values holding every word's required stem as a substring (a
    vectorised test that any match passes) are split into words and compared one by one.
    """
    if not wanted or values.empty:
        return pd.Series(False, index=values.index, dtype=bool)
    folded = fold_column(values.astype(object)).fillna("").astype(str)
    maybe = pd.Series(True, index=values.index)
    for word in wanted:
        stem = word[: max(min(len(word), _MIN_PREFIX), len(word) - _MAX_DROPPED)]
        maybe &= folded.str.contains(stem, regex=False)
    rows = maybe.to_numpy(dtype=bool)
    hit = np.zeros(len(values), dtype=bool)
    texts = folded.to_numpy(dtype=object)[rows]
    hit[rows] = np.array([_mentions(_words(text), wanted) for text in texts], dtype=bool)
    return pd.Series(hit, index=values.index)


def unlocated_naming(entities: pd.DataFrame, gmina_name: str, as_of: dt.date) -> pd.DataFrame:
    """Entities active on ``as_of`` with no gmina that mention ``gmina_name``.

    Parameters
    ----------
    entities : DataFrame
        Located registry entities (the pipeline's ``entities``: ``teryt_gminy`` empty when
        not located, ``problem_kategoria`` and ``problem`` saying why).
    gmina_name : str
        The gmina's name as in the boundaries ("Tomaszów Lubelski").
    as_of : date
        The "stan na" date: entities closed before it are left out.

    Returns
    -------
    DataFrame
        :data:`UNLOCATED_COLUMNS`, plain text, in the registry's order.
    """
    wanted = _words(fold(gmina_name))
    unlocated = entities[entities["teryt_gminy"].isna()]
    unlocated = unlocated[active_mask(unlocated, as_of)] if len(unlocated) else unlocated
    fields = [c for c in SEARCHED_FIELDS if c in unlocated.columns]
    hits = {c: _field_mentions(unlocated[c], wanted) for c in fields}
    labels = [SEARCHED_FIELDS[c] for c in fields]
    flags = zip(*(hits[c].to_numpy() for c in fields), strict=True) if fields else ()
    where = [", ".join(label for label, f in zip(labels, row, strict=True) if f) for row in flags]
    where = where or [""] * len(unlocated)
    found = unlocated.assign(_where=where)
    found = found[found["_where"] != ""]
    typ = found["typ"].where(found["typ"].isin(list(ENTITY_TYPES)), "INNY")
    return pd.DataFrame(
        {
            "Nazwa": found["nazwa"].map(plain_text),
            "Typ": typ.astype(str),
            "Problem": found["problem_kategoria"].map(plain_text),
            "Powód": found["problem"].map(plain_text),
            "Gmina wymieniona w": found["_where"],
            "Źródło": found["zrodlo"].map(plain_text),
        },
        columns=UNLOCATED_COLUMNS,
    ).reset_index(drop=True)


def report_link(contact: str | None, gmina_label: str, teryt: str, entity: str) -> str | None:
    """A ``mailto:`` link reporting a correction of ``entity`` for the gmina, None without contact.

    Subject and body are percent-encoded: names from data cannot add headers or break the link.
    """
    if not contact:
        return None
    subject = f"Poprawka w rejestrze PES: {entity} (gmina {gmina_label}, TERYT {teryt})"
    body = (
        f"Podmiot: {entity}\nGmina: {gmina_label} (TERYT {teryt})\n"
        "Proszę o poprawienie danych podmiotu: "
    )
    return f"mailto:{quote(contact, safe='@')}?subject={quote(subject)}&body={quote(body)}"
