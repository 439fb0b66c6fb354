"""Which file column is which registry field: header synonyms, word rules, the column mapping.

Registers name their columns freely ("Nazwa klubu", "Organ prowadzący", "Kod TERYT gminy",
"Data wpisu do rejestru"...). A header is first looked up among the known names
(:mod:`geo.io.registry.synonyms`), then judged by a few word rules, tried in order, each of
which may decide (a field or "not a field") or pass. A user's column mapping overrides both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Final

from geo.core.plural import count
from geo.core.schema import REGISTRY_COLUMNS
from geo.io.registry.entity_types import key
from geo.io.registry.model import FIELD_LABELS, RegistryFileError, RowProblem, note
from geo.io.registry.synonyms import SYNONYMS
from geo.io.tabular import is_missing

__all__ = ["match_header", "resolve_columns", "row_fields"]

Match = tuple[str, int] | None

#: Folded header -> (native column, score).
_HEADER_EXACT: dict[str, tuple[str, int]] = {
    key(name): (column, score) for column, score, names in SYNONYMS for name in names
}
# The native names themselves (a native file reads back unchanged).
_HEADER_EXACT.update({key(column): (column, 120) for column in REGISTRY_COLUMNS})

_NOTE_WORDS = {"uwagi", "uwaga", "note", "notes", "komentarz", "opis"}
_CONTACT_WORDS = {"email", "mail", "www", "strony", "strona", "internetowej", "elektronicznej"}
_ADDRESS_WORDS = {"adres", "ulica", "ul"}
_OPERATOR_FIRST = {"nazwa", "podmiot", "organ", "jednostka", "operator", "prowadzacy"}
_NOT_GMINA_CODE = ("powiat", "wojew", "miejscow", "simc", "ulic")
_NOT_ENTITY_NAME = {"wojewodztwa", "ulicy", "banku"}
#: Word stems of a date header, in order: the first found says which date it is.
_DATE_KINDS: tuple[tuple[tuple[str, ...], tuple[str, int]], ...] = (
    (("zakoncz", "wykresl", "likwid", "zamkni", "wygas"), ("data_zakonczenia", 70)),
    (("rozpocz", "utworz", "powsta", "zaloz", "uruchom"), ("data_rozpoczecia", 70)),
    (("weryfik", "sprawdz"), ("data_weryfikacji", 60)),
    (("wpis", "rejestr"), ("data_rozpoczecia", 55)),
)
#: (first words, or beginnings of the header) -> field, for headers named by their first word.
_BY_FIRST_WORD: tuple[tuple[set[str], tuple[str, ...], str], ...] = (
    ({"miejscowosc", "miasto"}, ("nazwa miejscowosci",), "miejscowosc"),
    ({"gmina"}, ("nazwa gminy",), "gmina"),
    ({"powiat"}, ("nazwa powiatu",), "powiat"),
    (_ADDRESS_WORDS, (), "adres"),
    ({"szerokosc"}, (), "szerokosc"),
    ({"dlugosc"}, (), "dlugosc"),
    ({"typ", "rodzaj", "kategoria"}, (), "typ"),
    ({"zrodlo"}, (), "zrodlo"),
    (_NOTE_WORDS, (), "uwagi"),
)
#: A rule's answer when it has nothing to say about a header (the next rule decides).
_PASS: Final = ("", 0)

_Rule = Callable[[str, list[str]], Match]


def _starts(words: list[str], stems: str | tuple[str, ...]) -> bool:
    return any(w.startswith(stems) for w in words)


def _operator_rule(k: str, words: list[str]) -> Match:
    # A column about the operator (its address, contact, KRS) is not about the entity itself.
    if not (_starts(words, ("prowadz", "tworz")) or "operator" in words):
        return _PASS
    return ("podmiot_prowadzacy", 60) if words[0] in _OPERATOR_FIRST else None


def _note_about_rule(k: str, words: list[str]) -> Match:
    # "gmina - uwagi" is a note about the gmina, not the gmina.
    if words[0] not in _NOTE_WORDS and _NOTE_WORDS.intersection(words[1:]):
        return None
    return _PASS


def _code_rule(k: str, words: list[str]) -> Match:
    if "teryt" not in k and "terc" not in words:
        return _PASS
    return None if _starts(words, _NOT_GMINA_CODE) else ("teryt", 60)


def _date_rule(k: str, words: list[str]) -> Match:
    if words[0] not in {"data", "dzien"}:
        return _PASS
    return next((match for stems, match in _DATE_KINDS if _starts(words, stems)), None)


def _phrase_rule(k: str, words: list[str]) -> Match:
    if "pocztow" in k:
        return ("kod_pocztowy", 60)
    if _starts(words, "obslugiwan") or "obszar dzialania" in k:
        return ("gminy_obslugiwane", 60)
    return _PASS


def _contact_rule(k: str, words: list[str]) -> Match:
    # "Adres e-mail", "Adres strony www": contact details, not the address.
    if words[0] in _ADDRESS_WORDS and (_CONTACT_WORDS.intersection(words) or "e mail" in k):
        return None
    return _PASS


def _first_word_rule(k: str, words: list[str]) -> Match:
    for firsts, beginnings, column in _BY_FIRST_WORD:
        if words[0] in firsts or (beginnings and k.startswith(beginnings)):
            return (column, 60)
    return _PASS


def _name_rule(k: str, words: list[str]) -> Match:
    if words[0] == "nazwa" and (len(words) == 1 or words[1] not in _NOT_ENTITY_NAME):
        return ("nazwa", 60)
    return None


_RULES: tuple[_Rule, ...] = (
    _operator_rule,
    _note_about_rule,
    _code_rule,
    _date_rule,
    _phrase_rule,
    _contact_rule,
    _first_word_rule,
    _name_rule,
)


def match_header(header: object) -> Match:
    """Return ``(native column, score)`` for a file header, or ``None`` when unknown."""
    k = key(header)
    if not k or len(k) > 150:
        return None
    if k in _HEADER_EXACT:
        return _HEADER_EXACT[k]
    words = k.split()
    for rule in _RULES:
        found = rule(k, words)
        if found != _PASS:
            return found
    return None


def row_fields(cells: Iterable[object], column_map: Mapping[str, str | None] | None) -> set[str]:
    """Native columns that a candidate header row would provide."""
    fields: set[str] = set()
    mapped = {key(k): v for k, v in (column_map or {}).items()}
    for cell in cells:
        if is_missing(cell):
            continue
        k = key(cell)
        if k in mapped:
            if mapped[k]:
                fields.add(str(mapped[k]))
            continue
        match = match_header(cell)
        if match:
            fields.add(match[0])
    return fields


def _position_of(headers: list[str], wanted: str) -> int | None:
    if wanted in headers:
        return headers.index(wanted)
    collapsed = " ".join(str(wanted).split())
    if collapsed in headers:
        return headers.index(collapsed)
    wanted_key = key(wanted)
    for i, header in enumerate(headers):
        if wanted_key and key(header) == wanted_key:
            return i
    return None


def _mapped_columns(
    headers: list[str], column_map: Mapping[str, str | None] | None
) -> tuple[dict[int, str], set[int]]:
    """The user's mapping by position, checked; and every position it names (even to skip)."""
    assigned: dict[int, str] = {}
    handled: set[int] = set()
    for file_header, native in (column_map or {}).items():
        position = _position_of(headers, file_header)
        if position is None:
            raise RegistryFileError(
                f"Kolumna „{file_header}” wskazana w mapowaniu kolumn nie występuje w pliku."
            )
        handled.add(position)
        if not native:
            continue
        if native not in REGISTRY_COLUMNS:
            allowed = ", ".join(REGISTRY_COLUMNS)
            raise RegistryFileError(
                f"Nieznane pole „{native}” w mapowaniu kolumn. Dozwolone pola: {allowed}."
            )
        if native in assigned.values():
            raise RegistryFileError(
                f"W mapowaniu kolumn pole „{native}” przypisano do więcej niż jednej kolumny."
            )
        assigned[position] = native
    return assigned, handled


def _unknown_note(unknown: list[str]) -> RowProblem:
    shown = ", ".join(f"„{h}”" for h in unknown[:20])
    if len(unknown) > 20:  # a file with thousands of columns gets a readable note
        shown += f" i {count(len(unknown) - 20, 'inny', 'inne', 'innych')}"
    return note(
        f"Pominięto kolumny, których nie rozpoznano: {shown}. Jeśli zawierają potrzebne "
        "dane, wskaż je w mapowaniu kolumn."
    )


def resolve_columns(
    headers: list[str],
    has_data: list[bool],
    column_map: Mapping[str, str | None] | None,
) -> tuple[dict[int, str], list[RowProblem]]:
    """Assign file columns (by position) to native columns; notes on columns left out."""
    assigned, handled = _mapped_columns(headers, column_map)
    notes: list[RowProblem] = []
    candidates: dict[str, list[tuple[int, int]]] = {}
    unknown: list[str] = []
    for position, header in enumerate(headers):
        if position in handled:
            continue
        match = match_header(header)
        if match is None:
            if has_data[position] or not header.startswith("kolumna "):
                unknown.append(header)
        elif match[0] in assigned.values():
            notes.append(
                note(
                    f"Kolumna „{header}” też pasuje do pola „{FIELD_LABELS[match[0]]}”, ale to "
                    "pole wskazano w mapowaniu kolumn; pominięto ją.",
                    header,
                )
            )
        else:
            candidates.setdefault(match[0], []).append((-match[1], position))
    for native, found in candidates.items():
        found.sort()
        chosen = found[0][1]
        assigned[chosen] = native
        for _, other in found[1:]:
            notes.append(
                note(
                    f"Kolumny „{headers[chosen]}” i „{headers[other]}” pasują do pola "
                    f"„{FIELD_LABELS[native]}”: użyto „{headers[chosen]}”, "
                    f"pominięto „{headers[other]}”.",
                    headers[other],
                )
            )
    if unknown:
        notes.append(_unknown_note(unknown))
    return dict(sorted(assigned.items())), notes
