"""Import of PES registry files (CSV or XLSX) into the native registry format.

Real registers come from Polish Excel: cp1250 or UTF-8 with BOM, ``;`` separators, decimal
commas, dd.mm.yyyy dates or Excel date cells, title rows above the header and headers named in
many ways ("Nazwa klubu", "Organ prowadzący", "Kod TERYT gminy"...). :func:`read_registry`
finds the header, maps the file's columns to :data:`geo.core.schema.REGISTRY_COLUMNS`, cleans the
values and reports problems per row (kept) or rejects the whole file with a Polish message
(:class:`RegistryFileError`). Text stays text: nothing is evaluated or escaped here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice, zip_longest
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from geo._arrow import utf8_bytes
from geo._gc import paused_gc
from geo.core.crs import LAT_RANGE, LON_RANGE
from geo.core.schema import ENTITY_TYPES, REGISTRY_COLUMNS
from geo.core.text import fold
from geo.errors import UserError

__all__ = [
    "FIELD_LABELS",
    "MAX_CELL_CHARS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ParsedRegistry",
    "RegistryFileError",
    "RowProblem",
    "normalize_type",
    "parse_date",
    "read_registry",
]

#: Largest accepted file (Streamlit's default upload limit is 200 MB too).
MAX_FILE_BYTES = 200 * 1024 * 1024
#: Most data rows in one file (all of Poland's NGOs would fit).
MAX_ROWS = 500_000
#: Longest accepted cell; longer ones mean a broken file (e.g. an unclosed quote).
MAX_CELL_CHARS = 10_000
#: How many rows from the top are searched for the header row (title rows sit above it).
HEADER_SCAN_ROWS = 30
#: Rows of the file kept as text in ``ParsedRegistry.preview``.
PREVIEW_ROWS = 10

ERROR = "błąd"
WARNING = "ostrzeżenie"

_TEXT_COLUMNS = tuple(
    c
    for c in REGISTRY_COLUMNS
    if c not in {"szerokosc", "dlugosc", "data_rozpoczecia", "data_zakonczenia", "data_weryfikacji"}
)
_DATE_COLUMNS = ("data_rozpoczecia", "data_zakonczenia", "data_weryfikacji")

#: Polish labels of the native columns, for messages.
_LABELS = {
    "id": "identyfikator",
    "nazwa": "nazwa",
    "typ": "typ podmiotu",
    "podmiot_prowadzacy": "podmiot prowadzący",
    "adres": "adres",
    "kod_pocztowy": "kod pocztowy",
    "miejscowosc": "miejscowość",
    "gmina": "gmina",
    "powiat": "powiat",
    "teryt": "kod TERYT gminy",
    "szerokosc": "szerokość geograficzna",
    "dlugosc": "długość geograficzna",
    "gminy_obslugiwane": "gminy obsługiwane",
    "data_rozpoczecia": "data rozpoczęcia działalności",
    "data_zakonczenia": "data zakończenia działalności",
    "zrodlo": "źródło",
    "data_weryfikacji": "data weryfikacji",
    "uwagi": "uwagi",
}


#: Polish labels of the native columns (public name for the views).
FIELD_LABELS = _LABELS


class RegistryFileError(UserError, ValueError):
    """The whole file is rejected; ``str(e)`` is a Polish message for the user.

    ``headers`` lists the file's column headers when the file was rejected for want of a
    recognised name or type column, so that a user can map the columns by hand; ``detected``
    is the mapping found so far (file header -> native column).
    """

    def __init__(
        self,
        message: str,
        headers: list[str] | None = None,
        detected: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.headers: list[str] = list(headers or [])
        self.detected: dict[str, str] = dict(detected or {})


@dataclass
class RowProblem:
    """One problem found while reading a registry file.

    Attributes
    ----------
    row : int
        Row number as a spreadsheet shows it (the header row included); 0 for file-level notes.
    column : str | None
        The file's column header the problem is about, if any.
    severity : str
        ``"błąd"`` or ``"ostrzeżenie"``.
    message : str
        Polish description.
    """

    row: int
    column: str | None
    severity: str
    message: str


@dataclass
class ParsedRegistry:
    """A registry file read into the native format.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns :data:`geo.core.schema.REGISTRY_COLUMNS` plus ``wiersz`` (row number in the file).
    problems : list[RowProblem]
        File-level notes (row 0) and row problems.
    header_map : dict[str, str]
        File header -> native column, for the columns used.
    encoding, delimiter, sheet : str | None
        What was detected (CSV encoding and separator; XLSX sheet name).
    headers : list[str]
        All column headers of the file, in order (as keys of a ``column_map``).
    preview : pandas.DataFrame
        The first rows below the header as text, one column per header; the index is the
        row number in the file (``wiersz``).
    """

    frame: pd.DataFrame
    problems: list[RowProblem] = field(default_factory=list)
    header_map: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    headers: list[str] = field(default_factory=list)
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)


# --------------------------------------------------------------------------------------------
# Vocabulary: entity types and headers
# --------------------------------------------------------------------------------------------

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_TYPE_SPLIT = re.compile(r"\s*(?:/|;|,|\+|\blub\b|\boraz\b)\s*")


def _key(value: object) -> str:
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
    _TYPE_SYNONYMS[_key(_code)] = _code
    _TYPE_SYNONYMS[_key(_name)] = _code
for _code, _names in _TYPE_NAMES.items():
    for _name in _names:
        _TYPE_SYNONYMS[_key(_name)] = _code
# Longest first so that "spoldzielnia socjalna ..." wins over shorter prefixes.
_TYPE_PREFIXES = sorted((k for k in _TYPE_SYNONYMS if len(k) >= 8), key=len, reverse=True)


def _type_of_part(key: str) -> str | None:
    if not key:
        return None
    if key in _TYPE_SYNONYMS:
        return _TYPE_SYNONYMS[key]
    for prefix in _TYPE_PREFIXES:
        if key.startswith(prefix + " "):
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
    found = _type_of_part(_key(folded))
    if found:
        return found
    stripped = _PARENS.sub(" ", folded)
    found = _type_of_part(_key(stripped))
    if found:
        return found
    parts = [_key(p) for p in _TYPE_SPLIT.split(stripped)]
    codes = {_type_of_part(p) for p in parts if p}
    if len(codes) == 1 and None not in codes:
        return codes.pop()
    return None


# Header synonyms: folded key -> (native column, score). Higher score wins when several file
# columns match the same native column.
_HEADER_EXACT: dict[str, tuple[str, int]] = {}


def _headers(column: str, score: int, *names: str) -> None:
    for name in names:
        _HEADER_EXACT[_key(name)] = (column, score)


_headers(
    "id",
    90,
    "identyfikator",
    "nr w rejestrze",
    "numer w rejestrze",
    "numer wpisu",
    "nr wpisu",
    "numer rejestrowy",
    "nr rejestrowy",
    "numer ewidencyjny",
)
_headers(
    "nazwa",
    100,
    "nazwa",
    "nazwa podmiotu",
    "nazwa klubu",
    "nazwa cis",
    "nazwa kis",
    "nazwa zaz",
    "nazwa wtz",
    "nazwa centrum",
    "nazwa warsztatu",
    "nazwa zakladu",
    "nazwa spoldzielni",
    "nazwa spoldzielni socjalnej",
    "nazwa przedsiebiorstwa",
    "nazwa przedsiebiorstwa spolecznego",
    "nazwa organizacji",
    "nazwa jednostki",
    "nazwa pes",
    "nazwa klubu integracji spolecznej",
    "nazwa centrum integracji spolecznej",
    "nazwa podmiotu ekonomii spolecznej",
    "nazwa placowki",
    "name",
)
_headers("nazwa", 70, "pelna nazwa", "nazwa pelna")
_headers(
    "typ",
    100,
    "typ",
    "typ podmiotu",
    "rodzaj",
    "rodzaj podmiotu",
    "rodzaj pes",
    "typ pes",
    "kategoria",
    "kategoria podmiotu",
    "type",
)
_headers(
    "podmiot_prowadzacy",
    100,
    "podmiot prowadzacy",
    "nazwa podmiotu prowadzacego",
    "organ prowadzacy",
    "nazwa organu prowadzacego",
    "jednostka prowadzaca",
    "nazwa jednostki prowadzacej",
    "prowadzacy",
    "podmiot tworzacy",
    "operator",
)
_headers(
    "adres",
    100,
    "adres",
    "ulica",
    "ulica i numer",
    "ulica nr",
    "adres siedziby",
    "adres klubu",
    "adres cis",
    "adres podmiotu",
    "siedziba",
    "address",
    "street",
)
_headers("kod_pocztowy", 100, "kod pocztowy", "kod poczt", "postcode", "postal code", "zip")
_headers(
    "miejscowosc",
    100,
    "miejscowosc",
    "miasto",
    "miejscowosc siedziby",
    "nazwa miejscowosci",
    "town",
    "city",
    "locality",
)
_headers("gmina", 100, "gmina", "nazwa gminy", "gmina siedziby", "gmina lokalizacji")
_headers("powiat", 100, "powiat", "nazwa powiatu", "powiat siedziby")
_headers(
    "teryt",
    100,
    "teryt",
    "kod teryt",
    "kod teryt gminy",
    "teryt gminy",
    "terc",
    "kod terc",
    "kod terc gminy",
)
_headers("teryt", 80, "kod gminy")
_headers("szerokosc", 100, "szerokosc", "szerokosc geograficzna", "lat", "latitude")
_headers("dlugosc", 100, "dlugosc", "dlugosc geograficzna", "lon", "lng", "long", "longitude")
_headers(
    "gminy_obslugiwane",
    100,
    "gminy obslugiwane",
    "obslugiwane gminy",
    "obszar dzialania",
    "obszar",
    "zasieg dzialania",
    "teren dzialania",
    "gminy objete wsparciem",
)
_headers(
    "data_rozpoczecia",
    100,
    "data rozpoczecia dzialalnosci",
    "data rozpoczecia",
    "data rozpoczecia dzialania",
    "start date",
    "start",
)
_headers(
    "data_rozpoczecia",
    90,
    "data utworzenia",
    "data powstania",
    "data zalozenia",
    "data uruchomienia",
    "data otwarcia",
)
_headers("data_rozpoczecia", 80, "data wpisu", "data wpisu do rejestru", "data rejestracji")
_headers(
    "data_zakonczenia",
    100,
    "data zakonczenia dzialalnosci",
    "data zakonczenia",
    "data wykreslenia",
    "data wykreslenia z rejestru",
    "data likwidacji",
    "data zamkniecia",
    "end date",
    "end",
)
_headers("zrodlo", 100, "zrodlo", "zrodlo danych", "zrodlo informacji", "source")
_headers("data_weryfikacji", 100, "data weryfikacji", "data sprawdzenia", "zweryfikowano")
_headers("data_weryfikacji", 80, "data aktualizacji", "stan na")
_headers(
    "uwagi",
    100,
    "uwagi",
    "uwaga",
    "notatki",
    "komentarz",
    "komentarze",
    "informacje dodatkowe",
    "dodatkowe informacje",
    "notes",
    "comments",
)
# The native names themselves (a native file reads back unchanged).
for _column in REGISTRY_COLUMNS:
    _HEADER_EXACT[_key(_column)] = (_column, 120)

_NOTE_WORDS = {"uwagi", "uwaga", "note", "notes", "komentarz", "opis"}
_CONTACT_WORDS = {"email", "mail", "www", "strony", "strona", "internetowej", "elektronicznej"}


def _match_header(header: object) -> tuple[str, int] | None:
    """Return ``(native column, score)`` for a file header, or ``None`` when unknown."""
    k = _key(header)
    if not k or len(k) > 150:
        return None
    if k in _HEADER_EXACT:
        return _HEADER_EXACT[k]
    words = k.split()
    first = words[0]
    # A column about the operator (its address, contact, KRS) is not about the entity itself.
    if any(w.startswith(("prowadz", "tworz")) for w in words) or "operator" in words:
        if first in {"nazwa", "podmiot", "organ", "jednostka", "operator", "prowadzacy"}:
            return ("podmiot_prowadzacy", 60)
        return None
    if first not in _NOTE_WORDS and _NOTE_WORDS.intersection(words[1:]):
        return None  # "gmina - uwagi" is a note about the gmina, not the gmina
    if "teryt" in k or "terc" in words:
        if any(w.startswith(("powiat", "wojew", "miejscow", "simc", "ulic")) for w in words):
            return None
        return ("teryt", 60)
    if first in {"data", "dzien"}:
        if any(w.startswith(("zakoncz", "wykresl", "likwid", "zamkni", "wygas")) for w in words):
            return ("data_zakonczenia", 70)
        if any(w.startswith(("rozpocz", "utworz", "powsta", "zaloz", "uruchom")) for w in words):
            return ("data_rozpoczecia", 70)
        if any(w.startswith(("weryfik", "sprawdz")) for w in words):
            return ("data_weryfikacji", 60)
        if any(w.startswith(("wpis", "rejestr")) for w in words):
            return ("data_rozpoczecia", 55)
        return None
    if "pocztow" in k:
        return ("kod_pocztowy", 60)
    if any(w.startswith("obslugiwan") for w in words) or "obszar dzialania" in k:
        return ("gminy_obslugiwane", 60)
    if first in {"miejscowosc", "miasto"} or k.startswith("nazwa miejscowosci"):
        return ("miejscowosc", 60)
    if first == "gmina" or k.startswith("nazwa gminy"):
        return ("gmina", 60)
    if first == "powiat" or k.startswith("nazwa powiatu"):
        return ("powiat", 60)
    if first in {"adres", "ulica", "ul"}:
        if _CONTACT_WORDS.intersection(words) or "e mail" in k:
            return None
        return ("adres", 60)
    if first == "szerokosc":
        return ("szerokosc", 60)
    if first == "dlugosc":
        return ("dlugosc", 60)
    if first in {"typ", "rodzaj", "kategoria"}:
        return ("typ", 60)
    if first == "zrodlo":
        return ("zrodlo", 60)
    if first in _NOTE_WORDS:
        return ("uwagi", 60)
    if first == "nazwa" and (len(words) == 1 or words[1] not in {"wojewodztwa", "ulicy", "banku"}):
        return ("nazwa", 60)
    return None


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

_TIME = r"(?:[ T,]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?)?"
_DATE_RE = re.compile(
    r"^(?:(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})"
    r"|(?P<y2>\d{4})[./-](?P<m2>\d{1,2})[./-](?P<d2>\d{1,2}))" + _TIME + r"(?:\s*r\.?)?$"
)
_PARTIAL_DATE_RE = re.compile(r"^(?:\d{4}(?:[./-]\d{1,2})?|\d{1,2}[./-]\d{4})(?:\s*r\.?)?$")
_SERIAL_RE = re.compile(r"^\d{5}(?:\.\d+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Excel serial day numbers accepted in a date column: 1954-10-03 .. 2119-01-11.
_SERIAL_RANGE = (20_000, 80_000)
_ODD_SPACES = "\u00a0\u2007\u202f"  # non-breaking and narrow spaces: read as spaces
_SPACES_RE = re.compile(f"[{_ODD_SPACES}]")


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _from_serial(number: float, text: str) -> str:
    if not _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
        raise ValueError(f"Nierozpoznana data „{text}”: oczekiwano formatu DD.MM.RRRR.")
    return (_EXCEL_EPOCH + dt.timedelta(days=int(number))).isoformat()


def parse_date(value: object) -> str | None:
    """Return a date as ISO ``YYYY-MM-DD``.

    Parameters
    ----------
    value : object
        ``dd.mm.yyyy``, ``d.m.yyyy`` (also with ``/`` or ``-`` and a trailing "r."),
        ``yyyy-mm-dd``, either followed by a time, a ``datetime``/``date``, or an Excel serial
        day number.

    Returns
    -------
    str | None
        The ISO date, or ``None`` for an empty value.

    Raises
    ------
    ValueError
        With a Polish message when the value is not a date or the day does not exist
        (31.02.2020).
    """
    if _is_missing(value):
        return None
    if isinstance(value, dt.datetime):  # includes pandas.Timestamp
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return _from_serial(float(value), str(value))
    text = _SPACES_RE.sub(" ", str(value)).strip()
    if not text:
        return None
    match = _DATE_RE.match(text)
    if match is None:
        if _SERIAL_RE.match(text):
            return _from_serial(float(text), text)
        if _PARTIAL_DATE_RE.match(text):
            raise ValueError(f"Niepełna data „{text}”: podaj dzień, miesiąc i rok (DD.MM.RRRR).")
        raise ValueError(
            f"Nierozpoznana data „{text}”: oczekiwano formatu DD.MM.RRRR lub RRRR-MM-DD."
        )
    year = int(match["y"] or match["y2"])
    month = int(match["m"] or match["m2"])
    day = int(match["d"] or match["d2"])
    if not 1800 <= year <= 2100:
        raise ValueError(f"Nieprawdopodobny rok w dacie „{text}”.")
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f"Nieprawidłowa data „{text}”: taki dzień nie istnieje.") from None


# --------------------------------------------------------------------------------------------
# Reading the raw table (CSV or XLSX) into strings
# --------------------------------------------------------------------------------------------


@dataclass
class _Table:
    """The file's cells below the header, as strings, with spreadsheet row numbers."""

    headers: list[str]
    body: pd.DataFrame  # columns 0..n-1, object (str or None)
    rows: np.ndarray  # spreadsheet row number of each body row
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    notes: list[RowProblem] = field(default_factory=list)
    odd_spaces: bool = True  # whether cells may hold the spaces of _ODD_SPACES


_MAGIC = (
    (b"\x89PNG", "obraz PNG"),
    (b"\xff\xd8\xff", "obraz JPEG"),
    (b"GIF8", "obraz GIF"),
    (b"%PDF", "dokument PDF"),
    (b"\x1f\x8b", "archiwum GZIP"),
    (b"Rar!", "archiwum RAR"),
    (b"7z\xbc\xaf", "archiwum 7z"),
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_POLISH = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CSV_SEPARATORS = (";", ",", "\t", "|")
_ARROW_END = "\x00koniec\x00"  # the marker row's cells (see _arrow_csv)
_SEP_NAMES = {";": "średnik", ",": "przecinek", "\t": "tabulator", "|": "kreska pionowa"}


def _column_label(index: int) -> str:
    return f"kolumna {index + 1}"


def _unique_headers(raw: list[object]) -> list[str]:
    """Display header texts: whitespace collapsed, empty -> "kolumna N", duplicates numbered."""
    out: list[str] = []
    seen: set[str] = set()
    for i, value in enumerate(raw):
        text = "" if _is_missing(value) else " ".join(_SPACES_RE.sub(" ", str(value)).split())
        text = text or _column_label(i)
        if text in seen:
            text = f"{text} ({_column_label(i)})"
        seen.add(text)
        out.append(text)
    return out


def _row_fields(cells: Iterable[object], column_map: Mapping[str, str | None] | None) -> set[str]:
    """Native columns that a candidate header row would provide."""
    fields: set[str] = set()
    mapped = {_key(k): v for k, v in (column_map or {}).items()}
    for cell in cells:
        if _is_missing(cell):
            continue
        k = _key(cell)
        if k in mapped:
            if mapped[k]:
                fields.add(str(mapped[k]))
            continue
        match = _match_header(cell)
        if match:
            fields.add(match[0])
    return fields


def _find_header(
    rows: Sequence[Sequence[object]], column_map: Mapping[str, str | None] | None
) -> tuple[int | None, int, list[object]]:
    """Index of the best header row among ``rows`` (must name the ``nazwa`` column).

    Returns ``(index or None, number of recognised columns, cells of the best row found)``.
    """
    best: tuple[int, int] = (-1, -1)
    best_index: int | None = None
    fallback: list[object] = []
    fallback_score = -1
    for i, cells in enumerate(rows):
        fields = _row_fields(cells, column_map)
        if len(fields) > fallback_score and any(
            not _is_missing(c) and str(c).strip() for c in cells
        ):
            fallback, fallback_score = list(cells), len(fields)
        score = (int("nazwa" in fields), len(fields))
        if score[0] and score > best:
            best, best_index = score, i
    if best_index is None:
        return None, max(fallback_score, 0), fallback
    return best_index, best[1], list(rows[best_index])


def _no_name_column(found: list[object]) -> RegistryFileError:
    headers = [h for h in _unique_headers(found) if not h.startswith("kolumna ")]
    shown = ", ".join(f"„{h}”" for h in headers[:20]) or "(brak)"
    if len(headers) > 20:
        shown += f" i {len(headers) - 20} innych"
    return RegistryFileError(
        "Nie znaleziono kolumny z nazwą podmiotu. Nagłówki znalezione w pliku: "
        f"{shown}. Oczekiwano kolumny np. „Nazwa”, „Nazwa podmiotu”, „Nazwa klubu” lub "
        "„Nazwa CIS” (oraz np. „Typ”, „Miejscowość”, „Kod TERYT gminy”). Popraw nagłówek "
        "albo wskaż kolumny ręcznie w mapowaniu kolumn.",
        headers=headers,
    )


def _decode(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 with BOM, cp1250 or ISO-8859-2."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    elif b"\x00" in data[:8192]:
        raise RegistryFileError(
            "Plik nie jest tekstowym plikiem CSV (zawiera dane binarne). Wczytaj plik CSV lub XLSX."
        )
    elif data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            # Mostly UTF-8 with a few broken bytes (two files pasted together): reading it as
            # cp1250 would garble every Polish letter, so say where the damage is instead.
            if any(ch in _POLISH for ch in data.decode("utf-8", errors="replace")):
                line = data[: exc.start].count(b"\n") + 1
                raise RegistryFileError(
                    "Plik jest zapisany w UTF-8, ale zawiera nieprawidłowe znaki (pierwszy w "
                    f"linii {line}). Zapisz go ponownie jako „CSV UTF-8”."
                ) from None
        # Polish Excel writes cp1250; older systems ISO-8859-2. They differ in ą, ś, ź (and
        # capitals): pick the decoding that yields more Polish letters.
        candidates: list[tuple[int, str, str]] = []
        for encoding in ("cp1250", "iso-8859-2"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            sample = text[:200_000]
            polish = sum(1 for ch in sample if ch in _POLISH)
            controls = len(_CONTROL_RE.findall(sample))
            candidates.append((polish - 10 * controls, encoding, text))
        if candidates:
            _, encoding, text = max(candidates, key=lambda c: c[0])
            return text, encoding
    raise RegistryFileError(
        "Nie udało się odczytać tekstu pliku: nieznane kodowanie znaków. "
        "Zapisz plik jako „CSV UTF-8” albo XLSX."
    )


class _LineCounter:
    """Line iterator for csv.reader that counts the characters consumed."""

    def __init__(self, text: str) -> None:
        self._lines = io.StringIO(text, newline="")
        self.chars = 0

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        line = self._lines.readline()
        if not line:
            raise StopIteration
        self.chars += len(line)
        return line


def _head_records(text: str, sep: str, limit: int) -> tuple[list[list[str]], list[int]]:
    """The first ``limit`` records and the text offset after each (none on a csv.Error).

    They are read from a prefix of the text, grown until it surely holds them: reading them
    from the whole text would copy all of it into a StringIO for every separator tried.
    """
    size = 1 << 16
    while True:
        head = text[:size]
        counter = _LineCounter(head)
        records: list[list[str]] = []
        ends: list[int] = []
        try:
            for record in islice(csv.reader(counter, delimiter=sep), limit):
                records.append(record)
                ends.append(counter.chars)
        except csv.Error:
            if size >= len(text):
                return [], []
        else:
            # A record that ends before the end of the prefix is the same in the whole text.
            if size >= len(text) or (len(records) == limit and counter.chars < len(head)):
                return records, ends
        size *= 8


def _arrow_csv(body: bytes | memoryview, sep: str, width: int) -> pd.DataFrame | None:
    """Parse ``body`` (UTF-8) as ``pd.read_csv(dtype=str, header=None)`` does, with pyarrow.

    Returns ``None`` where the result could differ, for the caller to use pandas: rows of
    another width than the header's (pandas pads or reports them) and a quote still open at
    the end of the file (pandas rejects the file, pyarrow would keep the text). A marker row
    appended after the data shows the latter: an open quote swallows it.
    """
    marker = [_ARROW_END] * width
    tail = ("" if bytes(body[-1:]) in (b"\n", b"\r") else "\n") + sep.join(marker) + "\n"
    try:
        data = b"".join((body, tail.encode("utf-8")))
        table = pa_csv.read_csv(
            io.BytesIO(data),
            # One thread: as fast on two cores, and no pool start-up on small files.
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True, use_threads=False),
            parse_options=pa_csv.ParseOptions(
                delimiter=sep, quote_char='"', newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                # large_string: the storage of pandas' string columns (no conversion)
                column_types={f"f{i}": pa.large_string() for i in range(width)},
                # The bytes are valid UTF-8 (decoded or encoded by Python) and fields split
                # at ASCII characters only, so every cell is valid too.
                check_utf8=False,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    last = table.num_rows - 1
    if table.num_columns != width or any(c[last].as_py() != _ARROW_END for c in table.columns):
        return None
    table = table.slice(0, last)
    return pd.DataFrame({i: pd.Series(table.column(i), dtype="str") for i in range(width)})


def _pandas_csv(body_text: str, sep: str) -> pd.DataFrame:
    """Parse ``body_text`` with pandas (all cells as text): the files Arrow leaves to it."""
    options = dict(
        sep=sep,
        header=None,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        quotechar='"',
        engine="c",
    )
    try:
        return pd.read_csv(io.StringIO(body_text), **options)
    except pd.errors.ParserError as exc:
        if "EOF inside string" in str(exc):
            raise RegistryFileError(
                'Plik CSV ma niezamknięty cudzysłów ("): sprawdź pola z cudzysłowami.'
            ) from None
        # Some rows have more fields than the header: read them all, then check below.
        try:
            width = max(len(r) for r in csv.reader(_LineCounter(body_text), delimiter=sep))
            return pd.read_csv(io.StringIO(body_text), names=list(range(width)), **options)
        except (csv.Error, pd.errors.ParserError, ValueError) as exc2:
            raise RegistryFileError(f"Nie udało się odczytać pliku CSV: {exc2}") from None
    except (ValueError, csv.Error) as exc:
        raise RegistryFileError(f"Nie udało się odczytać pliku CSV: {exc}") from None


def _read_csv(data: bytes, column_map: Mapping[str, str | None] | None) -> _Table:
    text, encoding = _decode(data)
    sample = text[:65_536]
    controls = len(_CONTROL_RE.findall(sample))
    if controls > max(3, len(sample) // 1000):
        raise RegistryFileError(
            "Plik nie jest tekstowym plikiem CSV (zawiera dane binarne). Wczytaj plik CSV lub XLSX."
        )
    if not text or text.isspace():  # not strip(): it would copy the whole text
        raise RegistryFileError("Plik jest pusty.")
    own_bytes = encoding in {"utf-8", "utf-8-sig"}  # the file's bytes are UTF-8 text
    if "\n" not in text and "\r" in text:  # old Mac line ends
        text = text.replace("\r", "\n")
        own_bytes = False

    # The separator is the one under which some row looks most like a registry header.
    best: tuple[tuple[int, int, int, int], str, int | None, list[object], list[int]] | None = None
    for sep in _CSV_SEPARATORS:
        records, ends = _head_records(text, sep, HEADER_SCAN_ROWS)
        index, n_fields, cells = _find_header(records, column_map)
        width = len(cells)
        rank = (int(index is not None), n_fields, width, -sample.count(sep))
        if best is None or rank > best[0]:
            best = (rank, sep, index, cells, ends)
    assert best is not None
    _, sep, header_index, cells, ends = best
    if header_index is None:
        raise _no_name_column(cells)

    start = ends[header_index - 1] if header_index else 0
    # Arrow reads UTF-8 bytes: those of the file itself when it is UTF-8 (encoding the decoded
    # text again would cost as much as decoding it).
    if own_bytes:
        source = data
        offset = len(text[:start].encode("utf-8")) + (3 if encoding == "utf-8-sig" else 0)
    else:
        source, offset = text[start:].encode("utf-8"), 0
    body_bytes = memoryview(source)[offset:]
    # Searched in the text: in the UTF-8 bytes they share bytes with „, ” and ć (slow search).
    odd_spaces = any(text.find(space, start) >= 0 for space in _ODD_SPACES)
    del text

    try:
        frame = _arrow_csv(body_bytes, sep, len(cells))
    except ValueError as exc:
        raise RegistryFileError(f"Nie udało się odczytać pliku CSV: {exc}") from None
    if frame is None:
        frame = _pandas_csv(str(body_bytes, "utf-8"), sep)

    body = frame.iloc[1:].reset_index(drop=True)
    body.columns = list(range(body.shape[1]))
    rows = np.arange(len(body), dtype=np.int64) + header_index + 2
    header_width = len(cells)
    notes: list[RowProblem] = []
    if body.shape[1] > header_width:
        # Rows with more fields than the header: usually an unquoted separator inside a name,
        # which shifts the row's values; say so for each such row and drop the extra fields.
        extra = body.iloc[:, header_width:].ne("").any(axis=1).to_numpy(dtype=bool)
        notes += _problems(
            extra,
            rows,
            None,
            ERROR,
            f"Wiersz ma więcej pól niż nagłówek ({header_width}): wartości mogą być "
            f"przesunięte. Sprawdź separator ({_SEP_NAMES[sep]}) i cudzysłowy w tym wierszu.",
        )
        body = body.iloc[:, :header_width]
    raw_headers = [None if v == "" else v for v in frame.iloc[0].tolist()[:header_width]]
    return _Table(
        _unique_headers(raw_headers),
        body,
        rows,
        encoding=encoding,
        delimiter=sep,
        notes=notes,
        odd_spaces=odd_spaces,
    )


def _xlsx_has_formulas(archive: zipfile.ZipFile) -> bool:
    pattern = re.compile(rb"<(?:\w+:)?f[\s>/]")
    for name in archive.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        with archive.open(name) as stream:
            tail = b""
            while chunk := stream.read(1 << 20):
                if pattern.search(tail + chunk):
                    return True
                tail = chunk[-4:]
    return False


def _cell_text(value: object) -> str | None:
    """An XLSX cell value as text: integers without ".0", dates as ISO."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "PRAWDA" if value else "FAŁSZ"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _open_workbook(data: bytes, data_only: bool):  # -> openpyxl Workbook
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # styles/data-validation warnings are irrelevant here
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)


def _read_xlsx(data: bytes, column_map: Mapping[str, str | None] | None) -> _Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise RegistryFileError(
            "Plik XLSX jest uszkodzony (nie jest poprawnym archiwum ZIP)."
        ) from None
    with archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
                raise RegistryFileError(
                    "Pliki OpenDocument (.ods) nie są obsługiwane: zapisz arkusz jako XLSX lub CSV."
                )
            raise RegistryFileError(
                "Plik jest archiwum ZIP, ale nie skoroszytem Excel (.xlsx). Wczytaj plik XLSX "
                "lub CSV."
            )
        if sum(info.file_size for info in archive.infolist()) > 10 * MAX_FILE_BYTES:
            raise RegistryFileError("Skoroszyt XLSX jest zbyt duży po rozpakowaniu.")
        has_formulas = _xlsx_has_formulas(archive)

    try:
        return _read_xlsx_sheets(data, column_map, has_formulas)
    except RegistryFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on malformed workbooks
        detail = " ".join(str(exc).split())[:200]
        raise RegistryFileError(
            "Nie udało się odczytać pliku XLSX: skoroszyt jest uszkodzony albo zawiera "
            "niedozwoloną treść (np. definicje encji XML). Otwórz go w Excelu i zapisz "
            f"ponownie jako .xlsx. Szczegóły techniczne: {detail}"
        ) from None


def _read_xlsx_sheets(
    data: bytes, column_map: Mapping[str, str | None] | None, has_formulas: bool
) -> _Table:
    workbook = _open_workbook(data, data_only=True)
    # Formula cells without a cached value come back empty with data_only: take the formula
    # text from a second reading (only when the workbook has formulas at all).
    formulas = _open_workbook(data, data_only=False) if has_formulas else None
    first_found: list[object] = []
    try:
        for index, sheet in enumerate(workbook.worksheets):
            sheet.reset_dimensions()  # stored dimensions are often wrong; read all cells
            rows: Iterator[tuple[object, ...]] = sheet.iter_rows(values_only=True)
            if formulas is not None:
                fsheet = formulas.worksheets[index]
                fsheet.reset_dimensions()
                rows = _merge_formulas(rows, fsheet.iter_rows(values_only=True))
            head = [list(r) for r in islice(rows, HEADER_SCAN_ROWS)]
            head_text = [[_cell_text(v) for v in r] for r in head]
            header_index, _, cells = _find_header(head_text, column_map)
            if header_index is None:
                if not any(first_found):
                    first_found = cells
                continue
            return _xlsx_table(sheet.title, head_text, header_index, rows)
    finally:
        workbook.close()
        if formulas is not None:
            formulas.close()
    if not any(first_found):
        raise RegistryFileError("Plik jest pusty: skoroszyt nie zawiera danych.")
    raise _no_name_column(first_found)


def _merge_formulas(
    values: Iterator[tuple[object, ...]], formulas: Iterator[tuple[object, ...]]
) -> Iterator[tuple[object, ...]]:
    for cached, raw in zip_longest(values, formulas, fillvalue=()):
        if not any(isinstance(v, str) and v.startswith("=") for v in raw):
            yield cached
            continue
        merged = list(cached) + [None] * max(0, len(raw) - len(cached))
        for i, formula in enumerate(raw):
            if merged[i] is None and isinstance(formula, str) and formula.startswith("="):
                merged[i] = formula
        yield tuple(merged)


def _xlsx_table(
    title: str,
    head_text: list[list[str | None]],
    header_index: int,
    rest: Iterator[tuple[object, ...]],
) -> _Table:
    raw_headers: list[object] = list(head_text[header_index])
    records: list[list[str | None]] = []
    numbers: list[int] = []
    row_number = header_index + 1
    for cells in head_text[header_index + 1 :]:
        row_number += 1
        if any(c is not None and c.strip() for c in cells):
            records.append(cells)
            numbers.append(row_number)
    for values in rest:
        row_number += 1
        cells = [_cell_text(v) for v in values]
        if any(c is not None and c.strip() for c in cells):
            records.append(cells)
            numbers.append(row_number)
            if len(records) > MAX_ROWS:
                raise _too_many_rows()
    width = max([len(raw_headers), *(len(r) for r in records)])
    raw_headers += [None] * (width - len(raw_headers))
    body = pd.DataFrame.from_records(
        [r + [None] * (width - len(r)) for r in records], columns=list(range(width))
    )
    if body.empty:
        body = pd.DataFrame({i: pd.Series([], dtype=object) for i in range(width)})
    return _Table(
        _unique_headers(raw_headers),
        body.astype(object),
        np.asarray(numbers, dtype=np.int64),
        sheet=title,
    )


def _too_many_rows() -> RegistryFileError:
    return RegistryFileError(
        f"Plik ma więcej niż {MAX_ROWS:,} wierszy danych".replace(",", " ")
        + ": podziel go na mniejsze pliki."
    )


# --------------------------------------------------------------------------------------------
# From the raw table to the native frame
# --------------------------------------------------------------------------------------------


def _text_array(series: pd.Series) -> pa.ChunkedArray:
    """A body column as Arrow strings, null where missing (as ``astype("string")`` reads it)."""
    array = pa.array(series.astype("string").array)
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])


def _all_missing(n: int) -> pa.ChunkedArray:
    return pa.chunked_array([pa.nulls(n, pa.large_string())])


def _longest(text: pa.ChunkedArray) -> int:
    """Most bytes in one cell (0 when all are missing): a bound on the characters."""
    return int(pc.max(pc.binary_length(text)).as_py() or 0)


def _present(text: pa.ChunkedArray) -> np.ndarray:
    """Boolean NumPy mask of the cells that are not missing."""
    return np.asarray(pc.is_valid(text).to_numpy(zero_copy_only=False), dtype=bool)


def _clean_text(series: pd.Series, odd_spaces: bool = True) -> pa.ChunkedArray:
    """Strip, normalise non-breaking spaces; empty -> missing (null).

    The Arrow kernels that pandas' ``str.replace``/``str.strip`` run, called directly on the
    column: same result, without a pandas copy per step. ``odd_spaces=False`` says that no
    cell holds a character of ``_ODD_SPACES``.
    """
    text = _text_array(series)
    if not _longest(text):  # every cell missing or empty (common for unused columns)
        return _all_missing(len(text))
    for space in _ODD_SPACES if odd_spaces else "":
        text = pc.replace_substring(text, space, " ")
    text = pc.utf8_trim_whitespace(text)
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)


def _resolve_columns(
    headers: list[str],
    has_data: list[bool],
    column_map: Mapping[str, str | None] | None,
) -> tuple[dict[int, str], list[RowProblem]]:
    """Assign file columns (by position) to native columns."""
    assigned: dict[int, str] = {}
    notes: list[RowProblem] = []
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

    candidates: dict[str, list[tuple[int, int]]] = {}
    unknown: list[str] = []
    for position, header in enumerate(headers):
        if position in handled:
            continue
        match = _match_header(header)
        if match is None or match[0] in assigned.values():
            if match is None and (has_data[position] or not header.startswith("kolumna ")):
                unknown.append(header)
            elif match is not None:
                notes.append(
                    _note(
                        f"Kolumna „{header}” też pasuje do pola „{_LABELS[match[0]]}”, ale to pole "
                        "wskazano w mapowaniu kolumn; pominięto ją.",
                        header,
                    )
                )
            continue
        candidates.setdefault(match[0], []).append((-match[1], position))
    for native, found in candidates.items():
        found.sort()
        chosen = found[0][1]
        assigned[chosen] = native
        for _, other in found[1:]:
            notes.append(
                _note(
                    f"Kolumny „{headers[chosen]}” i „{headers[other]}” pasują do pola "
                    f"„{_LABELS[native]}”: użyto „{headers[chosen]}”, "
                    f"pominięto „{headers[other]}”.",
                    headers[other],
                )
            )
    if unknown:
        shown = ", ".join(f"„{h}”" for h in unknown[:20])
        if len(unknown) > 20:  # a file with thousands of columns gets a readable note
            shown += f" i {len(unknown) - 20} innych"
        notes.append(
            _note(
                f"Pominięto kolumny, których nie rozpoznano: {shown}. Jeśli zawierają potrzebne "
                "dane, wskaż je w mapowaniu kolumn."
            )
        )
    return dict(sorted(assigned.items())), notes


def _position_of(headers: list[str], wanted: str) -> int | None:
    if wanted in headers:
        return headers.index(wanted)
    collapsed = " ".join(str(wanted).split())
    if collapsed in headers:
        return headers.index(collapsed)
    key = _key(wanted)
    for i, header in enumerate(headers):
        if key and _key(header) == key:
            return i
    return None


def _note(message: str, column: str | None = None) -> RowProblem:
    return RowProblem(0, column, WARNING, message)


def _problems(
    mask: np.ndarray,
    rows: np.ndarray,
    column: str | None,
    severity: str,
    messages: str | Sequence[str],
) -> list[RowProblem]:
    """RowProblems for the rows where ``mask`` is true.

    ``messages`` is one text for all, or one text per selected row (in row order), so that
    texts are built for those rows alone.
    """
    numbers = rows[np.flatnonzero(mask)].tolist()
    texts = [messages] * len(numbers) if isinstance(messages, str) else list(messages)
    return [
        RowProblem(int(row), column, severity, str(text))
        for row, text in zip(numbers, texts, strict=True)
    ]


def _as_object(text: pa.ChunkedArray) -> np.ndarray | None:
    """The cells as Python ``str``, None where missing; None when all are missing."""
    if text.null_count == len(text):
        return None
    return np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)


def _dictionary_codes(text: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """The distinct values and each cell's code into them (-1 where missing)."""
    encoded = pc.dictionary_encode(text.combine_chunks())
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    return np.asarray(codes, dtype=np.intp), encoded.dictionary.to_pylist()


class _Dates(NamedTuple):
    """A date column read cell by cell."""

    iso: np.ndarray  # ISO date or None
    dated: np.ndarray  # bool: a date was read
    errors: np.ndarray  # Polish error text or None
    failed: np.ndarray  # bool: the cell is not a date


def _parse_date_series(text: pa.ChunkedArray) -> _Dates:
    """Parse the distinct values and spread the results to the cells."""
    codes, uniques = _dictionary_codes(text)
    dates = np.full(len(uniques) + 1, None, dtype=object)  # the last for code -1 (missing)
    errors = dates.copy()
    for i, value in enumerate(uniques):
        try:
            dates[i] = parse_date(value)
        except ValueError as exc:
            errors[i] = str(exc)
    dated = np.array([d is not None for d in dates], dtype=bool)
    failed = np.array([e is not None for e in errors], dtype=bool)
    return _Dates(dates[codes], dated[codes], errors[codes], failed[codes])


def _parse_coordinate(text: pd.Series) -> pd.Series:
    """Degrees from text (decimal comma or point); NaN where missing or not a number."""
    values = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    values = pd.Series(values.to_numpy(dtype=float, na_value=np.nan), index=text.index)
    # Only cells that did not parse can hold inner white space ("51, 246"): removing it needs
    # Python's re (one call per cell), so it is done for those cells alone.
    retry = (text.notna() & values.isna()).to_numpy(dtype=bool)
    if retry.any():
        spaced = text[retry].str.replace(r"\s+", "", regex=True).str.replace(",", ".", regex=False)
        again = pd.to_numeric(spaced, errors="coerce")
        values[retry] = again.to_numpy(dtype=float, na_value=np.nan)
    return values


_NUMBER_BYTES = np.zeros(256, dtype=bool)
_NUMBER_BYTES[list(b"0123456789.,-")] = True
#: Most bytes of a coordinate cast by Arrow: no more than 15 digits, which Arrow's cast and
#: pandas' to_numeric both round correctly, so that they agree exactly.
_PLAIN_NUMBER_BYTES = 15


def _coordinate_values(text: pa.ChunkedArray) -> np.ndarray:
    """:func:`_parse_coordinate` of a cleaned column, as a writable float array.

    A column of short plain numbers (digits, decimal point or comma, minus) is cast by
    Arrow, which is a few times faster; any other column, one that Arrow rejects or one with
    a zero (whose sign pandas may drop), takes the general path, so that odd cells parse
    exactly as before.
    """
    n = len(text)
    if text.null_count == n:
        return np.full(n, np.nan)
    if _longest(text) <= _PLAIN_NUMBER_BYTES:
        cells = [utf8_bytes(chunk)[1] for chunk in text.chunks]
        if all(_NUMBER_BYTES[b].all() for b in cells):
            comma = any((b == ord(",")).any() for b in cells)
            dotted = pc.replace_substring(text, ",", ".") if comma else text
            try:
                cast = pc.cast(dotted, pa.float64()).to_numpy(zero_copy_only=False)
            except pa.ArrowInvalid:
                cast = None
            if cast is not None:
                values = np.array(cast, dtype=float)  # nulls are NaN; a copy, to write to
                if not (values == 0).any():
                    return values
    general = _parse_coordinate(pd.Series(text, dtype="string"))
    return np.array(general.to_numpy(dtype=float, na_value=np.nan), dtype=float)


def _build(
    table: _Table,
    default_type: str | None,
    column_map: Mapping[str, str | None] | None,
) -> ParsedRegistry:
    body = table.body
    cleaned = {i: _clean_text(body[i], table.odd_spaces) for i in body.columns}

    # A cell this long means a broken file (a quote never closed swallows the rest).
    for i, text in cleaned.items():
        if _longest(text) <= MAX_CELL_CHARS:  # bytes: no fewer than characters
            continue
        lengths = pc.fill_null(pc.utf8_length(text), 0).to_numpy(zero_copy_only=False)
        over = np.flatnonzero(lengths > MAX_CELL_CHARS)
        if len(over):
            first = int(over[0])
            raise RegistryFileError(
                f"Komórka w wierszu {int(table.rows[first])}, kolumna „{table.headers[i]}”, ma "
                f"{int(lengths[first])} znaków (dopuszczalne {MAX_CELL_CHARS}). Sprawdź, "
                "czy plik nie jest uszkodzony (np. niezamknięty cudzysłów)."
            )

    has_data = [cleaned[i].null_count < len(cleaned[i]) for i in body.columns]
    assigned, notes = _resolve_columns(table.headers, has_data, column_map)
    notes = table.notes + notes
    header_of = {native: table.headers[pos] for pos, native in assigned.items()}

    if "nazwa" not in header_of:  # only possible when column_map moved it away
        raise _no_name_column(list(table.headers))

    default_code: str | None = None
    if default_type is not None and str(default_type).strip():
        default_code = normalize_type(default_type)
        if default_code is None:
            allowed = ", ".join(ENTITY_TYPES)
            raise RegistryFileError(
                f"Nieznany typ domyślny „{default_type}”. Dozwolone typy: {allowed}."
            )
    if "typ" not in header_of and default_code is None:
        raise RegistryFileError(
            "Plik nie ma kolumny z typem podmiotu (np. „Typ” lub „Rodzaj podmiotu”). Jeśli "
            "wszystkie podmioty w pliku są jednego rodzaju, podaj go jako typ domyślny (na "
            "stronie importu: pole „Typ podmiotów”; w wierszu poleceń: --default-type KIS) "
            "albo wskaż kolumnę typu w mapowaniu kolumn.",
            headers=list(table.headers),
            detected={table.headers[pos]: native for pos, native in assigned.items()},
        )

    present = {i: _present(text) for i, text in cleaned.items() if text.null_count < len(text)}
    any_data = np.zeros(len(body), dtype=bool)
    for mask in present.values():
        any_data |= mask
    if not any_data.any():
        raise RegistryFileError("Plik zawiera tylko nagłówek: brak wierszy z danymi.")
    keep = np.zeros(len(body), dtype=bool)
    for pos in assigned:
        if pos in present:
            keep |= present[pos]
    if not keep.any():
        raise RegistryFileError(
            "Plik nie ma danych w rozpoznanych kolumnach (dane są tylko w kolumnach pominiętych)."
        )
    skipped = int((any_data & ~keep).sum())
    if skipped:
        notes.append(_note(f"Pominięto wiersze bez danych w rozpoznanych kolumnach: {skipped}."))
    if int(keep.sum()) > MAX_ROWS:
        raise _too_many_rows()

    rows = table.rows[keep]
    kept = None if keep.all() else pa.array(keep)  # filtering copies: only when some row goes
    columns: dict[str, pa.ChunkedArray] = {
        native: cleaned[pos] if kept is None else cleaned[pos].filter(kept)
        for pos, native in assigned.items()
    }
    n = len(rows)
    missing = _all_missing(n)
    problems: list[RowProblem] = []

    def text_of(native: str) -> pa.ChunkedArray:
        return columns.get(native, missing)

    problems += _problems(
        ~_present(text_of("nazwa")), rows, header_of["nazwa"], ERROR, "Brak nazwy podmiotu."
    )

    # Types: a few distinct values, so map the unique ones.
    if "typ" in header_of:
        codes, uniques = _dictionary_codes(text_of("typ"))
        mapped = [normalize_type(value) for value in uniques]
        types = np.array([*mapped, None], dtype=object)[codes]  # code -1 (missing): None
        unknown = np.array([code is None for code in mapped] + [False])[codes]
        allowed = ", ".join(ENTITY_TYPES)
        problems += _problems(
            unknown,
            rows,
            header_of["typ"],
            ERROR,
            [
                f"Nieznany typ podmiotu „{uniques[code]}”. Dozwolone: {allowed} "
                "(albo ich pełne nazwy)."
                for code in codes[unknown].tolist()
            ],
        )
        if default_code is not None:
            types[codes < 0] = default_code
        else:
            problems += _problems(codes < 0, rows, header_of["typ"], ERROR, "Brak typu podmiotu.")
    else:
        types = np.full(n, default_code, dtype=object)

    values: dict[str, np.ndarray | None] = {}  # None: all missing
    for native in _TEXT_COLUMNS:
        values[native] = types if native == "typ" else _as_object(text_of(native))

    dated: dict[str, np.ndarray] = {}
    for native in _DATE_COLUMNS:
        if native not in header_of:
            values[native] = None
            dated[native] = np.zeros(n, dtype=bool)
            continue
        dates = _parse_date_series(text_of(native))
        problems += _problems(
            dates.failed,
            rows,
            header_of[native],
            WARNING,
            [f"{e} Pole pozostawiono puste." for e in dates.errors[dates.failed].tolist()],
        )
        values[native], dated[native] = dates.iso, dates.dated
    both = np.flatnonzero(dated["data_rozpoczecia"] & dated["data_zakonczenia"])
    reversed_dates = np.zeros(n, dtype=bool)
    if len(both):  # ISO dates compare as text
        start, end = values["data_rozpoczecia"], values["data_zakonczenia"]
        assert start is not None and end is not None
        reversed_dates[both] = end[both] < start[both]
    problems += _problems(
        reversed_dates,
        rows,
        header_of.get("data_zakonczenia"),
        WARNING,
        "Data zakończenia jest wcześniejsza niż data rozpoczęcia działalności.",
    )

    lat, lon, coord_problems = _coordinates(
        text_of("szerokosc"), text_of("dlugosc"), rows, header_of
    )
    problems += coord_problems

    out = _registry_frame(values, {"szerokosc": lat, "dlugosc": lon}, n)
    out["wiersz"] = rows.astype(np.int64)
    # Stable sort: file-level notes (row 0) first, then rows in file order.
    problems = sorted(notes + problems, key=lambda p: p.row)
    header_map = {table.headers[pos]: native for pos, native in assigned.items()}
    preview = body.head(PREVIEW_ROWS).set_axis(list(table.headers), axis=1).astype(object)
    preview.index = pd.Index(table.rows[: len(preview)], name="wiersz")
    return ParsedRegistry(
        frame=out,
        problems=problems,
        header_map=header_map,
        encoding=table.encoding,
        delimiter=table.delimiter,
        sheet=table.sheet,
        headers=list(table.headers),
        preview=preview,
    )


def _registry_frame(
    objects: Mapping[str, np.ndarray | None], floats: Mapping[str, np.ndarray], n: int
) -> pd.DataFrame:
    """The frame of :data:`REGISTRY_COLUMNS` from object (None: all missing) and float columns.

    Each array becomes its own block without a copy: consolidating them into one 2-D object
    block would copy every pointer (the frame is read column by column downstream). Every
    column gets its own array, so that writing to one cannot change another.
    """
    columns: dict[str, pd.Series | np.ndarray] = {}
    for name in REGISTRY_COLUMNS:
        if name in floats:
            columns[name] = floats[name]
            continue
        values = objects[name]
        values = np.full(n, None, dtype=object) if values is None else values
        columns[name] = pd.Series(values, dtype=object, copy=False)
    return pd.DataFrame(columns, copy=False)


def _coordinates(
    lat_text: pa.ChunkedArray,
    lon_text: pa.ChunkedArray,
    rows: np.ndarray,
    header_of: dict[str, str],
) -> tuple[np.ndarray, np.ndarray, list[RowProblem]]:
    problems: list[RowProblem] = []
    lat, lon = _coordinate_values(lat_text), _coordinate_values(lon_text)
    reported = np.zeros(len(rows), dtype=bool)
    for name, text, parsed in (("szerokosc", lat_text, lat), ("dlugosc", lon_text, lon)):
        bad = _present(text) & np.isnan(parsed)
        reported |= bad
        problems += _problems(
            bad,
            rows,
            header_of.get(name),
            WARNING,
            [
                f"Nie rozpoznano współrzędnej ({_LABELS[name]}) „{cell}”: podaj liczbę stopni, "
                "np. 51,2465. Pole pozostawiono puste."
                for cell in (text.filter(pa.array(bad)).to_pylist() if bad.any() else [])
            ],
        )
    out_of_range = (np.abs(lat) > 90) | (np.abs(lon) > 180)
    reported |= out_of_range
    problems += _problems(
        out_of_range,
        rows,
        header_of.get("szerokosc"),
        WARNING,
        "Współrzędne poza zakresem (szerokość −90…90, długość −180…180): pominięto je. "
        "Czy to nie są współrzędne w innym układzie (np. PUWG 1992)?",
    )
    lat[out_of_range] = np.nan
    lon[out_of_range] = np.nan
    # Latitude and longitude swapped: only judged within Poland's bounding box.
    swapped = (
        (lat >= LON_RANGE[0])
        & (lat <= LON_RANGE[1])
        & (lon >= LAT_RANGE[0])
        & (lon <= LAT_RANGE[1])
    )
    problems += _problems(
        swapped,
        rows,
        header_of.get("szerokosc"),
        WARNING,
        "Szerokość i długość geograficzna były zamienione miejscami: zamieniono je.",
    )
    lat, lon = np.where(swapped, lon, lat), np.where(swapped, lat, lon)
    half = np.isnan(lat) ^ np.isnan(lon)
    lat[half] = np.nan
    lon[half] = np.nan
    half &= ~reported
    problems += _problems(
        half,
        rows,
        header_of.get("szerokosc") or header_of.get("dlugosc"),
        WARNING,
        "Podano tylko jedną współrzędną: pominięto współrzędne.",
    )
    return lat, lon, problems


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def _load(source: str | Path | bytes, filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = filename or "plik"
    else:
        path = Path(source)
        name = filename or path.name
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise _too_large(size)
            data = path.read_bytes()
        except FileNotFoundError:
            raise RegistryFileError(f"Nie znaleziono pliku {path}.") from None
        except IsADirectoryError:
            raise RegistryFileError(f"{path} jest katalogiem, a nie plikiem.") from None
        except OSError as exc:
            raise RegistryFileError(f"Nie można odczytać pliku {path}: {exc.strerror}.") from None
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(len(data))
    return data, name


def _too_large(size: int) -> RegistryFileError:
    return RegistryFileError(
        f"Plik jest zbyt duży ({size / 1024 / 1024:.1f} MB; dopuszczalne "
        f"{MAX_FILE_BYTES / 1024 / 1024:.0f} MB)."
    )


@paused_gc()
def read_registry(
    source: str | Path | bytes,
    filename: str | None = None,
    default_type: str | None = None,
    column_map: Mapping[str, str | None] | None = None,
) -> ParsedRegistry:
    """Read a PES registry file (CSV or XLSX) into the native format.

    Parameters
    ----------
    source : str, Path or bytes
        A file path, or the file's content (e.g. an upload).
    filename : str, optional
        The file name (its extension is only a hint: the content decides the format).
    default_type : str, optional
        Type of every entity when the file has no type column (a register of one kind), and
        of rows whose type cell is empty. A code or a Polish name.
    column_map : dict, optional
        File header -> native column; overrides header detection. Map a header to ``None``
        or ``""`` to ignore that column.

    Returns
    -------
    ParsedRegistry
        The native frame, the problems found, the header mapping and what was detected.

    Raises
    ------
    RegistryFileError
        When the whole file cannot be used (Polish message).
    """
    data, name = _load(source, filename)
    if not data or data.isspace():  # not strip(): it would copy the whole file
        raise RegistryFileError("Plik jest pusty.")
    if data.startswith(_OLE):
        raise RegistryFileError(
            "Stary format Excela (.xls) nie jest obsługiwany: zapisz plik jako .xlsx lub CSV."
        )
    for magic, kind in _MAGIC:
        if kind and data.startswith(magic):
            raise RegistryFileError(
                f"Plik {name} nie jest arkuszem CSV ani XLSX (wygląda na: {kind})."
            )
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        table = _read_xlsx(data, column_map)
    else:
        table = _read_csv(data, column_map)
        if Path(name).suffix.lower() in {".xlsx", ".xlsm"}:
            table.notes.append(
                _note(
                    f"Plik {name} ma rozszerzenie {Path(name).suffix}, ale zawiera tekst CSV: "
                    "wczytano go jako CSV."
                )
            )
    return _build(table, default_type, column_map)
