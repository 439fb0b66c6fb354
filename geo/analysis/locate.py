"""Locating registry entities in gminas.

Evidence is used in a fixed order: the TERYT code, then coordinates (point in polygon), then
the gmina name (with the powiat to disambiguate), then the locality when it is unambiguously a
gmina seat. Nothing is dropped: every entity comes out, located or not, with the reason in
``problem`` when something needs a person's attention. Work is done per distinct value
(codes, names) and with one spatial join, so 100,000 entities cost little more than 1,000.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geo._arrow import arrow_strings, utf8_bytes
from geo._gc import paused_gc
from geo.core.crs import LAT_RANGE, LON_RANGE
from geo.core.schema import ENTITY_TYPES, REGISTRY_COLUMNS
from geo.core.teryt import Terc
from geo.core.text import fold
from geo.core.text import fold as _fold_once  # for the tables: not per-row work

# Poland's bounding box with a margin, in lon/lat: used to detect swapped coordinates.
_PL_LON = LON_RANGE
_PL_LAT = LAT_RANGE

METHOD_CODE = "kod TERYT"
METHOD_POINT = "współrzędne"
METHOD_NAME = "nazwa gminy"
METHOD_LOCALITY = "miejscowość"

# Problem categories (shown to users, used for filtering and summaries).
P_OUTSIDE = "poza regionem"
P_BAD_CODE = "nieprawidłowy kod TERYT"
P_AMBIGUOUS = "niejednoznaczna gmina"
P_UNLOCATED = "nie ustalono gminy"
P_DUPLICATE = "duplikat"
P_CONFLICT = "sprzeczne dane"
P_MAPPED = "zmieniony kod TERYT"
P_SWAPPED = "zamienione współrzędne"
P_BAD_POINT = "błędne współrzędne"
P_TYPE = "nieznany typ"
P_NAME = "brak nazwy"
P_SERVICE = "obszar działania"

#: Categories that keep an entity out of the coverage counts.
EXCLUDING = frozenset({P_OUTSIDE, P_AMBIGUOUS, P_UNLOCATED, P_DUPLICATE, P_TYPE, P_NAME})

LOCATED_COLUMNS = (
    "teryt_gminy",
    "metoda_lokalizacji",
    "pozycja_przyblizona",
    "uwzgledniony",
    "problem_kategoria",
    "problem",
    "gminy_obslugiwane_kody",
)

_NAME_PREFIX = re.compile(
    r"^(gmina miejsko-wiejska|gmina wiejska|gmina miejska|gmina|gm\.|miasto|m\.|powiat|pow\.)\s+"
)
_NAME_SUFFIX = re.compile(r"\s*(\((m|gm|mw|g)\.?\)|- ?(miasto|gmina( wiejska)?))$")
_SPLIT_LIST = re.compile(r"[;,\n|]+")
_URBAN = r"\(m\.?\)$"
_RURAL = r"\(gm\.?\)$"


def _clean_name(value: object) -> tuple[str, str | None]:
    """Fold a gmina name and read the urban/rural hint it carries (``"1"``, ``"2"`` or None)."""
    text = fold(value)
    hint = None
    if text.startswith(("miasto ", "m. ", "gmina miejska ")) or re.search(_URBAN, text):
        hint = "1"
    elif text.startswith("gmina wiejska ") or re.search(_RURAL, text):
        hint = "2"
    text = _NAME_SUFFIX.sub("", _NAME_PREFIX.sub("", text)).strip()
    return text, hint


def _clean_names(values: pd.Series) -> tuple[list[str], list[str | None]]:
    """:func:`_clean_name` of every value, in Arrow kernels (fold() leaves only single spaces,
    which RE2's ``\\s`` and Python's see alike)."""
    text = _fold_array(values)
    urban = pc.or_(
        pc.or_(pc.starts_with(text, "miasto "), pc.starts_with(text, "m. ")),
        pc.or_(pc.starts_with(text, "gmina miejska "), pc.match_substring_regex(text, _URBAN)),
    )
    rural = pc.or_(pc.starts_with(text, "gmina wiejska "), pc.match_substring_regex(text, _RURAL))
    hints = pc.if_else(urban, "1", pc.if_else(rural, "2", pa.scalar(None, pa.string())))
    key = pc.replace_substring_regex(text, _NAME_PREFIX.pattern, "")
    key = pc.replace_substring_regex(key, _NAME_SUFFIX.pattern, "")
    key = pc.utf8_trim(key, characters=_ASCII_SPACES)
    return key.to_pylist(), hints.to_pylist()


class _Gazetteer:
    """Name lookups over the gminas of the region."""

    def __init__(self, gminy: pd.DataFrame) -> None:
        frame = gminy[["teryt", "nazwa", "rodzaj", "powiat", "powiat_nazwa"]].copy()
        frame["key"] = _fold_column(frame["nazwa"])
        frame["powiat_key"] = _clean_names(frame["powiat_nazwa"])[0]
        self.frame = frame
        self.by_name: dict[str, list[str]] = {}
        # Lists: iterating an Arrow-backed column goes cell by cell.
        codes = frame["teryt"].tolist()
        for key, code in zip(frame["key"].tolist(), codes, strict=True):
            self.by_name.setdefault(key, []).append(code)
        self.info = frame.set_index("teryt")
        # Plain dicts: looked up for every distinct name, where DataFrame.at is slow.
        self.rodzaj = dict(zip(codes, frame["rodzaj"].tolist(), strict=True))
        self.powiat_key = dict(zip(codes, frame["powiat_key"].tolist(), strict=True))
        self.nazwa = dict(zip(codes, frame["nazwa"].tolist(), strict=True))
        self.cleaned: dict[str, tuple[str, str | None]] = {}

    def learn(self, values: pd.Series) -> None:
        """Clean the distinct text values at once, for the lookups that follow."""
        new = [v for v in pd.unique(values.to_numpy(dtype=object)) if type(v) is str]
        new = [v for v in new if v not in self.cleaned]
        if new:
            keys, hints = _clean_names(pd.Series(new, dtype=object))
            self.cleaned.update(zip(new, zip(keys, hints, strict=True), strict=True))

    def clean(self, value: object) -> tuple[str, str | None]:
        """:func:`_clean_name`, looked up if :meth:`learn` has seen the value."""
        known = self.cleaned.get(value) if type(value) is str else None
        return known if known is not None else _clean_name(value)

    def by_gmina_name(self, name: object, powiat: object) -> tuple[list[str], str | None]:
        key, hint = self.clean(name)
        candidates = self.by_name.get(key, [])
        if hint and len(candidates) > 1:
            # "m. X" -> urban or urban-rural gmina; "gmina wiejska X" -> rural gmina
            wanted = {"1", "3"} if hint == "1" else {"2"}
            hinted = [c for c in candidates if self.rodzaj[c] in wanted]
            candidates = hinted or candidates
        if len(candidates) > 1 and (powiat_key := self.clean(powiat)[0]):
            in_powiat = [c for c in candidates if self.powiat_key[c] == powiat_key]
            candidates = in_powiat or candidates
        return candidates, key

    def by_locality(self, locality: object, powiat: object) -> list[str]:
        candidates, _ = self.by_gmina_name(locality, powiat)
        if len(candidates) > 1:
            # A town that is the seat of both an urban and a rural gmina lies in the urban one.
            urban = [c for c in candidates if self.rodzaj[c] in {"1", "3"}]
            if len(urban) == 1:
                return urban
        return candidates


# Characters that the byte kernel below folds from a table: Latin letters with their marks,
# punctuation (Polish „quotes”, dashes) and currency signs. Text with any other character
# (Greek, other scripts...) goes through fold() itself.
_SAFE_RANGES = ((0x0, 0x24F), (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x20A0, 0x20CF))
_TABLE_SIZE = _SAFE_RANGES[-1][1] + 2  # the last entry stands for every code point above
# White space as str.isspace() sees it (and so fold's strip() and \s) among ASCII characters.
_ASCII_SPACES = "".join(chr(c) for c in range(128) if chr(c).isspace())
_SPACE_RUN = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _ASCII_SPACES) + "]+"
# A character longer than one byte is kept, replaced, or its text folded by fold() itself.
_KEEP, _REPLACE, _OWN = 0, 1, 2


def _fold_char(char: str) -> str | None:
    """What fold() makes of ``char`` inside a word; None when that depends on its neighbours.

    Folding is character by character (NFKD marks are dropped, so their reordering does not
    matter) except for lower(), which makes a final Σ a ς.
    """
    inner = _fold_once(f"a{char}a")[1:-1]
    return inner if _fold_once(f"a{char}.")[1:-1] == inner else None


@functools.cache
def _fold_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tables of :func:`_fold_array`, built from fold() itself.

    Returns the map of ASCII bytes (white space left for the per-string pass), and per code
    point of a longer character its kind, the start and length of its replacement in the
    last array (UTF-8 bytes).
    """
    ascii_map = np.arange(256, dtype=np.uint8)
    kind = np.full(_TABLE_SIZE, _OWN, dtype=np.uint8)
    start = np.zeros(_TABLE_SIZE, dtype=np.int64)
    length = np.zeros(_TABLE_SIZE, dtype=np.int64)
    replacements = bytearray()
    for first, last in _SAFE_RANGES:
        for code in range(first, last + 1):
            char = chr(code)
            folded = _fold_char(char)
            if code < 0x80:
                if not char.isspace():
                    ascii_map[code] = ord(folded or "")  # one ASCII character, or an error
            elif folded == char:
                kind[code] = _KEEP
            elif folded is not None and len(folded.encode()) <= len(char.encode()):
                # replaced in place: the output is never longer than the input
                kind[code] = _REPLACE
                start[code] = len(replacements)
                length[code] = len(folded.encode())
                replacements += folded.encode()
    return ascii_map, kind, start, length, np.frombuffer(bytes(replacements), dtype=np.uint8)


def _fold_column(values: pd.Series) -> pd.Series:
    """``values.map(fold)`` in vectorised kernels, with the same results.

    A 100,000-row registry has about as many distinct names, so folding them one by one in
    Python would cost most of the locating time.
    """
    if len(values) == 0:
        return pd.Series([], index=values.index, dtype=object)
    folded = _fold_array(values).to_numpy(zero_copy_only=False)
    return pd.Series(folded, index=values.index, dtype=object)


def _spans(first: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the spans ``[first, first + count)`` one after another, and of each one
    its offset within its span."""
    ends = np.cumsum(count)
    step = np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - count, count)
    return np.repeat(first, count) + step, step


def _fold_array(values: pd.Series, strings: pa.Array | None = None) -> pa.Array:
    """:func:`_fold_column` as an Arrow string array (for work that stays in Arrow).

    Works on the UTF-8 bytes: ASCII bytes are lower-cased one to one, longer characters
    replaced in place from :func:`_fold_tables`. The few strings with white space to trim or
    collapse, with characters outside the tables, or "nan", are redone afterwards.
    ``strings``: the cells as :func:`geo._arrow.arrow_strings` gives them, if at hand.
    """
    cells = values.to_numpy(dtype=object)  # iterating an Arrow-backed column is slow
    if strings is None:
        strings = arrow_strings(cells)
    n = len(cells)
    redo = np.zeros(n, dtype=bool)  # rows that fold() itself does
    if strings is not None:
        arr = pc.fill_null(strings, "")  # fold(None) == fold(nan) == ""
        if strings.null_count:  # but fold(pd.NA) == "<na>"
            nulls = np.flatnonzero(strings.is_null().to_numpy(zero_copy_only=False))
            redo[nulls] = [not (v is None or isinstance(v, float)) for v in cells[nulls]]
    else:  # str() of the cells, as fold() does
        text = [v if type(v) is str else ("" if v is None else str(v)) for v in cells]
        arr = pa.array(text, type=pa.large_string())
    ascii_map, kind, start, length, replacements = _fold_tables()
    offsets, data = utf8_bytes(arr)
    # "nan" in any case folds to "": only 3-byte strings, as no other character lower-cases
    # to n or a
    three = np.flatnonzero(np.diff(offsets) == 3)
    if len(three):
        redo[three] |= [t.lower() == "nan" for t in arr.take(three).to_pylist()]
    out = ascii_map[data]
    lead = np.flatnonzero(data >= 0xC0)  # first bytes of longer characters
    delete = np.zeros(0, dtype=np.int64)
    if len(lead):
        last = len(data) - 1
        b0 = data[lead].astype(np.int64)
        b1 = data[np.minimum(lead + 1, last)].astype(np.int64) & 0x3F
        b2 = data[np.minimum(lead + 2, last)].astype(np.int64) & 0x3F
        two = b0 < 0xE0
        code = np.where(two, ((b0 & 0x1F) << 6) | b1, ((b0 & 0x0F) << 12) | (b1 << 6) | b2)
        code[(b0 >= 0xF0) | (code >= _TABLE_SIZE)] = _TABLE_SIZE - 1
        char_kind = kind[code]
        own = lead[char_kind == _OWN]
        redo[np.searchsorted(offsets, own, side="right") - 1] = True
        swap = char_kind == _REPLACE
        at, code, width = lead[swap], code[swap], np.where(two[swap], 2, 3)
        size = length[code]
        written, step = _spans(at, size)
        out[written] = replacements[np.repeat(start[code], size) + step]
        delete, _ = _spans(at + size, width - size)  # sorted, as the characters are
    if len(delete):
        keep = np.ones(len(out), dtype=bool)
        keep[delete] = False
        out = out[keep]
        offsets = offsets - np.searchsorted(delete, offsets)
    result = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(out))
    # White space: after the tables only ASCII; a string needs trimming or collapsing if it
    # has some at either end, two spaces in a row, or any other than a space.
    if len(out):
        space = out == 0x20
        odd = np.flatnonzero((out[1:] < 0x20) | (space[1:] & space[:-1])) + 1
        rows = np.searchsorted(offsets, odd, side="right") - 1
        trim = np.zeros(n, dtype=bool)
        trim[rows] = True
        filled = np.flatnonzero(offsets[1:] > offsets[:-1])
        trim[filled[out[offsets[filled]] <= 0x20]] = True
        trim[filled[out[offsets[filled + 1] - 1] <= 0x20]] = True
        if trim.any():
            fixed = pc.utf8_trim(pc.filter(result, trim), characters=_ASCII_SPACES)
            fixed = pc.replace_substring_regex(fixed, _SPACE_RUN, " ")
            result = pc.replace_with_mask(result, trim, fixed)
    if redo.any():
        at = np.flatnonzero(redo)
        by_fold = pa.array([fold(cells[i]) for i in at], type=pa.large_string())
        result = pc.replace_with_mask(result, redo, by_fold)
    return result


def _row_groups(keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Group the rows of ``keys`` by all their values (missing values form a group too).

    Returns the position of each group's first row and, for every row, its group's number.
    """
    # One integer code per distinct row: factorise each column, then the combinations.
    combined = np.zeros(len(keys), dtype=np.int64)
    for column in keys.columns:
        codes, uniques = pd.factorize(keys[column], use_na_sentinel=False)
        combined = combined * len(uniques) + codes
    # Groups numbered in order of appearance (hashing, not sorting): a row is its group's
    # first when its number is above all the numbers before it.
    group, _ = pd.factorize(combined)
    first = np.ones(len(group), dtype=bool)
    first[1:] = group[1:] > np.maximum.accumulate(group)[:-1]
    return np.flatnonzero(first), group


def _per_distinct(keys: pd.DataFrame, func: Callable[..., Any]) -> pd.Series:
    """``func(*row)`` evaluated once per distinct row of ``keys``, spread to every row."""
    if keys.empty:
        return pd.Series([], index=keys.index, dtype=object)
    first_row, group = _row_groups(keys)
    distinct = keys.iloc[first_row]
    results = np.empty(len(first_row), dtype=object)
    for i, row in enumerate(zip(*(distinct[c].tolist() for c in keys.columns), strict=True)):
        results[i] = func(*row)
    return pd.Series(results[group], index=keys.index, dtype=object)


def _first_of_group(keys: pd.DataFrame) -> np.ndarray:
    """For every row, the position of the first row with the same values in all columns."""
    first_row, group = _row_groups(keys)
    return first_row[group]


def _distinct(column: pd.Series, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct cells of ``column`` at positions ``rows`` (first ones seen), and for each
    of those rows the number of its cell among them."""
    group, firsts = pd.factorize(column.to_numpy(dtype=object)[rows], use_na_sentinel=False)
    return np.asarray(firsts, dtype=object), group


def _per_row(
    n: int, rows: np.ndarray, group: np.ndarray, per_value: list[Any], default: Any
) -> np.ndarray:
    """Values worked out per distinct cell, spread to ``rows`` (``default`` on the others)."""
    dtype = bool if isinstance(default, bool) else object
    values = np.empty(len(per_value), dtype=dtype)
    values[:] = per_value
    out = np.full(n, default, dtype=dtype)
    out[rows] = values[group]
    return out


class _TextColumns:
    """The frame's text columns as Arrow arrays, each converted once per call.

    ``None`` for a column with cells other than str and missing values. Such an array serves
    :func:`_blank`, :func:`_fold_array` and the type checks alike.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.arrays: dict[str, pa.Array | None] = {}

    def __getitem__(self, column: str) -> pa.Array | None:
        if column not in self.arrays:
            cells = self.frame[column].to_numpy(dtype=object)
            self.arrays[column] = arrow_strings(cells)
        return self.arrays[column]


def _blank(series: pd.Series, strings: pa.Array | None = None) -> pd.Series:
    """Missing, empty or only white space (as Arrow's strip sees it).

    ``strings``: the cells as an Arrow array (:class:`_TextColumns`), if at hand.
    """
    if strings is None:
        strings = arrow_strings(series.to_numpy(dtype=object))
    if strings is None:
        return series.isna() | (series.astype("string").str.strip().fillna("") == "")
    blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(strings), ""), True)
    return pd.Series(blank.to_numpy(zero_copy_only=False), index=series.index)


def _note(frame: pd.DataFrame, mask: pd.Series, category: str, texts: pd.Series | str) -> None:
    """Append a problem (category + text) to the rows selected by ``mask``.

    ``texts`` may cover every row or only the selected ones (built just for them).
    """
    if not mask.any():
        return
    rows = mask[mask].index
    new = pd.Series(texts, index=rows) if isinstance(texts, str) else texts.loc[rows]
    old_cat = frame.loc[mask, "problem_kategoria"]
    old_txt = frame.loc[mask, "problem"]
    frame.loc[mask, "problem_kategoria"] = np.where(
        old_cat.isna(), category, old_cat.astype(str) + "; " + category
    )
    frame.loc[mask, "problem"] = np.where(
        old_txt.isna(), new, old_txt.astype(str) + " " + new.astype(str)
    )


def _coordinates(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Numeric lon/lat, with swapped pairs fixed; returns (lon, lat, swapped, outside)."""
    lat = pd.to_numeric(frame["szerokosc"], errors="coerce")
    lon = pd.to_numeric(frame["dlugosc"], errors="coerce")
    present = lat.notna() & lon.notna()
    in_pl = lon.between(*_PL_LON) & lat.between(*_PL_LAT)
    swapped_in_pl = lat.between(*_PL_LON) & lon.between(*_PL_LAT)
    swapped = present & ~in_pl & swapped_in_pl
    lon2 = lon.where(~swapped, lat)
    lat2 = lat.where(~swapped, lon)
    outside = present & ~in_pl & ~swapped_in_pl
    return lon2.where(~outside), lat2.where(~outside), swapped, outside


def parse_service_area(value: object, terc: Terc) -> tuple[list[str], list[str]]:
    """Read ``gminy_obslugiwane``: codes (or names) separated by ``;`` ``,`` or new lines.

    Returns
    -------
    tuple[list[str], list[str]]
        Current gmina codes found, and the items that could not be read.
    """
    return _parse_service_area(value, terc, {})


def _parse_service_area(
    value: object, terc: Terc, items: dict[str, str | None]
) -> tuple[list[str], list[str]]:
    """:func:`parse_service_area`, with ``items`` (item -> code, None if unread) kept across
    calls: the same codes recur in many service areas."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return [], []
    codes: list[str] = []
    bad: list[str] = []
    for item in _SPLIT_LIST.split(str(value)):
        item = item.strip()
        if not item:
            continue
        if item not in items:
            items[item] = _service_area_item(item, terc)
        code = items[item]
        if code is None:
            bad.append(item)
        else:
            codes.append(code)
    return list(dict.fromkeys(codes)), bad


def _service_area_item(item: str, terc: Terc) -> str | None:
    """The gmina code of one service-area item (a code or a unique gmina name), or None."""
    match = terc.normalize(item)
    if match.code:
        return match.code
    names = terc.gminy.loc[terc.gminy["nazwa"].map(fold) == _clean_name(item)[0], "teryt"]
    return str(names.iloc[0]) if len(names) == 1 else None


@paused_gc()
def locate_entities(
    entities: pd.DataFrame,
    gminy: gpd.GeoDataFrame,
    terc: Terc,
    region: str,
) -> gpd.GeoDataFrame:
    """Locate each entity in a gmina of the region.

    Parameters
    ----------
    entities : pandas.DataFrame
        Native registry columns (``geo.core.schema.REGISTRY_COLUMNS``), optionally
        ``zrodlo_rejestru``.
    gminy : geopandas.GeoDataFrame
        Gminas of the region: ``teryt, nazwa, rodzaj, powiat, powiat_nazwa, geometry``.
    terc : Terc
        TERC register used to normalise codes; all of Poland where available, so that codes of
        other voivodeships are recognised as outside the region rather than invalid.
    region : str
        ``"PL"`` or the voivodeship code.

    Returns
    -------
    geopandas.GeoDataFrame
        The input columns plus ``LOCATED_COLUMNS`` and a point geometry (EPSG:4326): the
        entity's coordinates, or the gmina's representative point (``pozycja_przyblizona``).
    """
    frame = entities.reset_index(drop=True)  # a new frame (copy-on-write): input unchanged
    for col in REGISTRY_COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    if "zrodlo_rejestru" not in frame.columns:
        frame["zrodlo_rejestru"] = None
    # The columns being worked out, in a frame of their own: writing into the wide input
    # frame would have pandas copy all its text columns into one block, again and again.
    work = pd.DataFrame(
        {
            column: pd.Series([None] * len(frame), index=frame.index, dtype=object)
            for column in ("teryt_gminy", "metoda_lokalizacji", "problem_kategoria", "problem")
        }
    )
    region_codes = set(gminy["teryt"])
    arrow = _TextColumns(frame)
    n = len(frame)

    # 1. TERYT code, normalised once per distinct raw value; everything else about a code is
    # worked out per distinct cell too, then spread to the rows.
    has_code = ~_blank(frame["teryt"], arrow["teryt"])
    code_rows = np.flatnonzero(has_code.to_numpy())
    cells, group = _distinct(frame["teryt"], code_rows)
    stripped = [str(v).strip() for v in cells]
    matches = {value: terc.normalize(value) for value in dict.fromkeys(stripped)}
    code_matches = [matches[value] for value in stripped]
    region_name = "województwa" if region != "PL" else "Polski"
    # With only the region's TERC at hand, a well-formed code of another voivodeship is
    # outside the region rather than wrong: its ASCII digits tell.
    digits = [re.sub("[^0-9]", "", value) for value in stripped]
    foreign_of = [
        m.code is None and m.status == "unknown" and len(d) == 7 and d[:2] != region != "PL"
        for m, d in zip(code_matches, digits, strict=True)
    ]
    in_region_of = [m.code in region_codes for m in code_matches]
    outside_of = [
        (m.code is not None and not inside) or foreign
        for m, inside, foreign in zip(code_matches, in_region_of, foreign_of, strict=True)
    ]

    def per_row(per_value: list[Any], default: Any) -> pd.Series:
        values = _per_row(n, code_rows, group, per_value, default)
        return pd.Series(values, index=frame.index, dtype=values.dtype)

    code = per_row([m.code for m in code_matches], None)
    message = per_row([m.message or "" for m in code_matches], "")
    code_in_region = per_row(in_region_of, False)
    work.loc[code_in_region, "teryt_gminy"] = code[code_in_region]
    work.loc[code_in_region, "metoda_lokalizacji"] = METHOD_CODE
    changed = per_row([m.status in ("mapped", "part", "resolved") for m in code_matches], False)
    _note(work, changed, P_MAPPED, message)
    outside_code = per_row(outside_of, False)
    shown = [
        f"Kod {m.code if m.code is not None else d} leży poza obszarem {region_name}."
        for m, d in zip(code_matches, digits, strict=True)
    ]
    _note(work, outside_code, P_OUTSIDE, per_row(shown, ""))
    bad_of = [m.code is None and not f for m, f in zip(code_matches, foreign_of, strict=True)]
    bad_code = per_row(bad_of, False)
    bad_code_ambiguous = per_row(
        [bad and m.status == "ambiguous" for m, bad in zip(code_matches, bad_of, strict=True)],
        False,
    )
    _note(work, bad_code & ~bad_code_ambiguous, P_BAD_CODE, message)
    _note(work, bad_code_ambiguous, P_AMBIGUOUS, message)

    # 2. Coordinates: one spatial join for all entities that have them.
    lon, lat, swapped, outside_pl = _coordinates(frame)
    _note(
        work,
        swapped,
        P_SWAPPED,
        "Zamieniono miejscami szerokość i długość geograficzną.",
    )
    _note(work, outside_pl, P_BAD_POINT, "Współrzędne leżą poza Polską; pominięto je.")
    has_point = lon.notna() & lat.notna()
    shapes = np.full(len(frame), None, dtype=object)
    shapes[has_point.to_numpy()] = np.asarray(gpd.points_from_xy(lon[has_point], lat[has_point]))
    point_gmina = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    if has_point.any():
        # As gpd.sjoin(predicate="within") does it, without building frames: a tree of the
        # points queried with the gmina polygons; a point in two gminas takes the first one.
        at = np.flatnonzero(has_point.to_numpy())
        tree = shapely.STRtree(shapes[at])
        in_gmina, point = tree.query(gminy.geometry.to_numpy(), predicate="contains")
        first = np.full(len(at), len(gminy))
        np.minimum.at(first, point, in_gmina)
        found = first < len(gminy)
        codes = gminy["teryt"].astype(object).where(gminy["teryt"].notna(), None).to_numpy()
        point_gmina.iloc[at[found]] = codes[first[found]]
    by_point = work["teryt_gminy"].isna() & point_gmina.notna()
    work.loc[by_point, "teryt_gminy"] = point_gmina[by_point]
    work.loc[by_point, "metoda_lokalizacji"] = METHOD_POINT
    conflict = (
        work["metoda_lokalizacji"].eq(METHOD_CODE)
        & has_point
        & point_gmina.notna()
        & point_gmina.ne(work["teryt_gminy"])
    )
    _note(
        work,
        conflict,
        P_CONFLICT,
        "Kod TERYT wskazuje gminę "
        + work.loc[conflict, "teryt_gminy"].fillna("").astype(str)
        + ", a współrzędne gminę "
        + point_gmina[conflict].fillna("").astype(str)
        + "; przyjęto kod TERYT.",
    )
    point_outside = has_point & point_gmina.isna() & work["teryt_gminy"].isna() & ~outside_code
    _note(work, point_outside, P_OUTSIDE, f"Współrzędne leżą poza obszarem {region_name}.")

    # 3./4. Gmina name (+ powiat), then the locality as a gmina seat.
    gaz = _Gazetteer(gminy)
    todo = work["teryt_gminy"].isna() & ~outside_code & ~point_outside & ~bad_code_ambiguous
    no_gmina = _blank(frame["gmina"], arrow["gmina"])
    has_gmina = todo & ~no_gmina
    if has_gmina.any():
        keys = frame.loc[has_gmina, ["gmina", "powiat"]].astype(str)
        gaz.learn(keys["gmina"])
        gaz.learn(keys["powiat"])
        found = _per_distinct(keys, lambda g, p: gaz.by_gmina_name(g, p)[0])
        one = found.str.len() == 1
        idx = one[one].index
        work.loc[idx, "teryt_gminy"] = found[idx].str[0]
        work.loc[idx, "metoda_lokalizacji"] = METHOD_NAME
        many = found.str.len() > 1
        texts = _per_distinct(
            found[many].map(tuple).to_frame(),
            lambda c: (
                "Nazwa gminy pasuje do kilku gmin: "
                + ", ".join(f"{gaz.nazwa[t]} ({t})" for t in c)
                + "."
            ),
        )
        _note(
            work,
            many.reindex(frame.index, fill_value=False),
            P_AMBIGUOUS,
            texts.reindex(frame.index),
        )
        todo = todo & ~many.reindex(frame.index, fill_value=False)
    # The locality is used only when the gmina field gave no evidence at all, so that an
    # ambiguous gmina name is reported rather than guessed from its seat.
    by_locality = todo & work["teryt_gminy"].isna() & no_gmina
    by_locality &= ~_blank(frame["miejscowosc"], arrow["miejscowosc"])
    if by_locality.any():
        keys = frame.loc[by_locality, ["miejscowosc", "powiat"]].astype(str)
        gaz.learn(keys["miejscowosc"])
        gaz.learn(keys["powiat"])
        found = _per_distinct(keys, gaz.by_locality)
        one = found.str.len() == 1
        idx = one[one].index
        work.loc[idx, "teryt_gminy"] = found[idx].str[0]
        work.loc[idx, "metoda_lokalizacji"] = METHOD_LOCALITY

    unlocated = work["teryt_gminy"].isna() & work["problem_kategoria"].isna()
    _note(
        work,
        unlocated,
        P_UNLOCATED,
        "Brak kodu TERYT, współrzędnych i jednoznacznej nazwy gminy lub miejscowości.",
    )
    unlocated_other = work["teryt_gminy"].isna() & ~unlocated
    unlocated_other[unlocated_other] = ~work.loc[unlocated_other, "problem_kategoria"].fillna(
        ""
    ).str.contains(f"{P_OUTSIDE}|{P_AMBIGUOUS}|{P_UNLOCATED}")
    _note(work, unlocated_other, P_UNLOCATED, "Nie ustalono gminy.")

    # Types and names: kept, listed, not counted.
    types = arrow["typ"]
    if types is None:
        bad_type = ~frame["typ"].isin(list(ENTITY_TYPES))
        type_key = frame["typ"].fillna("").astype(str)
    else:  # the same, in Arrow kernels
        known = pc.is_in(types, value_set=pa.array(list(ENTITY_TYPES), type=types.type))
        bad_type = pd.Series(~known.to_numpy(zero_copy_only=False), index=frame.index)
        filled = pc.fill_null(types, "")
        type_key = pd.Series(filled, index=frame.index, dtype=pd.ArrowDtype(filled.type))
    _note(work, bad_type, P_TYPE, "Nieznany lub brakujący typ podmiotu.")
    no_name = _blank(frame["nazwa"], arrow["nazwa"])
    _note(work, no_name, P_NAME, "Brak nazwy podmiotu.")

    # Duplicates: the same name, type and gmina (across sources too); the first one counts.
    folded = _fold_array(frame["nazwa"], arrow["nazwa"])
    # Gminas by number (-1: none), used for the representative points below as well.
    gmina_number, gmina_codes = pd.factorize(work["teryt_gminy"])
    key = pd.DataFrame(
        {
            "nazwa": pd.Series(folded, index=frame.index, dtype=pd.ArrowDtype(folded.type)),
            "typ": type_key,
            "gmina": gmina_number,
        }
    )
    first_row = _first_of_group(key)  # position of the first row with the same key
    dup = pd.Series(first_row != np.arange(len(frame)), index=frame.index)
    dup &= work["teryt_gminy"].notna() & ~no_name
    if dup.any():
        first_ids = frame["id"].iloc[first_row[dup.to_numpy()]].fillna("").astype(str)
        _note(
            work,
            dup,
            P_DUPLICATE,
            "Powtórzony wpis (ta sama nazwa, typ i gmina co wiersz "
            + first_ids.set_axis(dup[dup].index)
            + "); liczony raz.",
        )

    # Service areas of inter-gmina CIS/KIS.
    has_svc = ~_blank(frame["gminy_obslugiwane"], arrow["gminy_obslugiwane"])
    svc_rows = np.flatnonzero(has_svc.to_numpy())
    cells, group = _distinct(frame["gminy_obslugiwane"], svc_rows)
    svc_text = [str(v) for v in cells]
    items: dict[str, str | None] = {}
    parsed = {raw: _parse_service_area(raw, terc, items) for raw in dict.fromkeys(svc_text)}
    kody = _per_row(n, svc_rows, group, [";".join(parsed[r][0]) or None for r in svc_text], None)
    unread = [
        "Nie rozpoznano gmin obszaru działania: " + ", ".join(parsed[r][1]) + "." for r in svc_text
    ]
    _note(
        work,
        pd.Series(
            _per_row(n, svc_rows, group, [bool(parsed[r][1]) for r in svc_text], False),
            index=frame.index,
        ),
        P_SERVICE,
        pd.Series(_per_row(n, svc_rows, group, unread, ""), index=frame.index, dtype=object),
    )

    categories = work["problem_kategoria"].fillna("").astype(object)
    excluded = _per_distinct(
        categories.to_frame(), lambda c: bool(set(c.split("; ")) & EXCLUDING)
    ).astype(bool)
    counted = work["teryt_gminy"].notna() & ~excluded

    # Geometry: real coordinates where usable, else the gmina's representative point.
    reps = gminy.set_index("teryt").geometry.representative_point()
    real = has_point & ~conflict & point_gmina.notna()
    approx = work["teryt_gminy"].notna() & ~real
    # A point outside its code's gmina is shown where the code says, flagged as approximate.
    reps = reps[~reps.index.duplicated(keep="last")]  # as a dict of them would keep
    at = reps.index.get_indexer(gmina_codes)
    at_gmina = np.full(len(gmina_codes) + 1, None, dtype=object)  # the last: no gmina (-1)
    at_gmina[:-1][at >= 0] = reps.to_numpy()[at[at >= 0]]
    at_gmina = at_gmina[gmina_number]
    geometry = np.where(real.to_numpy(), shapes, np.where(approx.to_numpy(), at_gmina, None))
    for column in work.columns:
        frame[column] = work[column]
    # The column's dtype as pandas infers it for text with gaps (as map() would give).
    frame["gminy_obslugiwane_kody"] = pd.Series(kody.tolist(), index=frame.index)
    frame["uwzgledniony"] = counted
    frame["pozycja_przyblizona"] = approx
    # A shallow copy: copy-on-write keeps the result and the input apart, where geopandas
    # would otherwise copy every column.
    geoms = gpd.GeoSeries(geometry, index=frame.index, crs="EPSG:4326")
    return gpd.GeoDataFrame(frame.copy(deep=False), geometry=geoms, copy=False)


def problems_table(located: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Entities that need attention: one row each, with category and reason (Polish)."""
    cols = list(
        columns
        or [
            "zrodlo_rejestru",
            "id",
            "nazwa",
            "typ",
            "miejscowosc",
            "gmina",
            "teryt",
            "teryt_gminy",
            "problem_kategoria",
            "problem",
            "uwzgledniony",
        ]
    )
    rows = located.loc[located["problem"].notna(), [c for c in cols if c in located.columns]]
    return pd.DataFrame(rows).reset_index(drop=True)
