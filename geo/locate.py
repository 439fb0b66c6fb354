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
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geo.bulk import paused_gc
from geo.schema import ENTITY_TYPES, REGISTRY_COLUMNS
from geo.teryt import Terc
from geo.text import fold

# Poland's bounding box with a margin, in lon/lat: used to detect swapped coordinates.
_PL_LON = (13.8, 24.5)
_PL_LAT = (48.9, 55.1)

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


def _clean_name(value: object) -> tuple[str, str | None]:
    """Fold a gmina name and read the urban/rural hint it carries (``"1"``, ``"2"`` or None)."""
    text = fold(value)
    hint = None
    if text.startswith(("miasto ", "m. ", "gmina miejska ")) or re.search(r"\(m\.?\)$", text):
        hint = "1"
    elif text.startswith("gmina wiejska ") or re.search(r"\(gm\.?\)$", text):
        hint = "2"
    text = _NAME_SUFFIX.sub("", _NAME_PREFIX.sub("", text)).strip()
    return text, hint


class _Gazetteer:
    """Name lookups over the gminas of the region."""

    def __init__(self, gminy: pd.DataFrame) -> None:
        frame = gminy[["teryt", "nazwa", "rodzaj", "powiat", "powiat_nazwa"]].copy()
        frame["key"] = frame["nazwa"].map(fold)
        frame["powiat_key"] = frame["powiat_nazwa"].map(lambda v: _clean_name(v)[0])
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

    def by_gmina_name(self, name: object, powiat: object) -> tuple[list[str], str | None]:
        key, hint = _clean_name(name)
        candidates = self.by_name.get(key, [])
        if hint and len(candidates) > 1:
            # "m. X" -> urban or urban-rural gmina; "gmina wiejska X" -> rural gmina
            wanted = {"1", "3"} if hint == "1" else {"2"}
            hinted = [c for c in candidates if self.rodzaj[c] in wanted]
            candidates = hinted or candidates
        if len(candidates) > 1 and (powiat_key := _clean_name(powiat)[0]):
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


# Text that the string kernels below fold exactly as geo.text.fold does: Latin letters with
# their marks, punctuation (Polish „quotes”, dashes) and currency signs, whose case mappings
# and decompositions are stable across Unicode versions (tests check every one of them).
# Anything else (Greek final sigma, other scripts...) goes through fold() itself.
_SAFE_RANGES = ((0x0, 0x24F), (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x20A0, 0x20CF))
_UNSAFE_RE2 = "[^" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in _SAFE_RANGES) + "]"
_EXTRA_LETTERS = (("ł", "l"), ("Ł", "l"), ("đ", "d"), ("ø", "o"), ("ß", "ss"))


def _re2_class(chars: Iterable[str]) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(chars)) + "]"


@functools.cache
def _fold_tables() -> tuple[str, str, str]:
    """Combining marks and white space that safe text can contain after NFKD (RE2 classes)."""
    reachable: set[str] = set()
    for a, b in _SAFE_RANGES:
        for code in range(a, b + 1):
            ch = chr(code)
            reachable.add(ch)
            reachable.update(unicodedata.normalize("NFKD", ch.translate(_EXTRA_TABLE)))
    combining = {c for c in reachable if unicodedata.combining(c)}
    # What str.strip() and re's \s treat as white space.
    spaces = "".join(sorted(c for c in reachable if c.isspace()))
    return _re2_class(combining), spaces, _re2_class(set(spaces) - {" "})


_EXTRA_TABLE = str.maketrans(dict(_EXTRA_LETTERS))


def _str_cells(cells: np.ndarray, from_pandas: bool) -> pa.Array | None:
    """Cells of str and missing values as one Arrow array, or None when others are present.

    Converting them at once is several times faster than ``astype("string")``, which checks
    and copies cell by cell. ``from_pandas=False`` accepts only None as missing.
    """
    if pd.api.types.infer_dtype(cells, skipna=True) not in ("string", "empty"):
        return None
    try:
        return pa.array(cells, type=pa.large_string(), from_pandas=from_pandas)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def _fold_column(values: pd.Series) -> pd.Series:
    """``values.map(fold)`` in vectorised string kernels, with the same results.

    A 100,000-row registry has about as many distinct names, so folding them one by one in
    Python would cost most of the locating time.
    """
    if len(values) == 0:
        return pd.Series([], index=values.index, dtype=object)
    folded = _fold_array(values).to_numpy(zero_copy_only=False)
    return pd.Series(folded, index=values.index, dtype=object)


def _fold_array(values: pd.Series) -> pa.Array:
    """:func:`_fold_column` as an Arrow string array (for work that stays in Arrow)."""
    combining, spaces, other_spaces = _fold_tables()
    # str() of the cells, as fold() does; None folds to "".
    cells = values.to_numpy(dtype=object)  # iterating an Arrow-backed column is slow
    strings = _str_cells(cells, from_pandas=False)
    if strings is not None:
        arr = pc.fill_null(strings, "")
    else:
        text = [v if type(v) is str else ("" if v is None else str(v)) for v in cells]
        arr = pa.array(text, type=pa.large_string())
    out = arr
    for old, new in _EXTRA_LETTERS:
        out = pc.replace_substring(out, old, new)
    out = pc.utf8_normalize(out, form="NFKD")
    out = pc.replace_substring_regex(out, combining, "")
    out = pc.replace_substring(out, "\u00a0", " ")
    out = pc.utf8_trim(out, characters=spaces)
    out = pc.utf8_lower(out)
    out = pc.if_else(pc.equal(pc.utf8_lower(arr), "nan"), "", out)
    # Runs of white space are rare: collapse them only where they occur.
    runs = pc.or_(pc.match_substring(out, "  "), pc.match_substring_regex(out, other_spaces))
    if pc.any(runs).as_py():
        collapsed = pc.replace_substring_regex(pc.filter(out, runs), _re2_class(spaces) + "+", " ")
        out = pc.replace_with_mask(out, runs, collapsed)
    unsafe = pc.match_substring_regex(arr, _UNSAFE_RE2)
    if pc.any(unsafe).as_py():
        at = np.flatnonzero(unsafe.to_numpy(zero_copy_only=False))
        by_fold = pa.array([fold(cells[i]) for i in at], type=pa.large_string())
        out = pc.replace_with_mask(out, unsafe, by_fold)
    return out


def _row_groups(keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Group the rows of ``keys`` by all their values (missing values form a group too).

    Returns the position of each group's first row and, for every row, its group's number.
    """
    # One integer code per distinct row: factorise each column, then the combinations.
    combined = np.zeros(len(keys), dtype=np.int64)
    for column in keys.columns:
        codes, uniques = pd.factorize(keys[column], use_na_sentinel=False)
        combined = combined * len(uniques) + codes
    _, first_row, group = np.unique(combined, return_index=True, return_inverse=True)
    return first_row, group.reshape(-1)


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


def _spread(keys: pd.Series, mapping: dict[Any, Any], default: Any) -> pd.Series:
    """``mapping[key]`` for every row (``default`` for missing keys), as an object column."""
    codes, uniques = pd.factorize(keys)
    table = np.empty(len(uniques) + 1, dtype=object)
    for i, key in enumerate(uniques):
        table[i] = mapping.get(key, default)
    table[-1] = default  # for the rows without a key (code -1)
    return pd.Series(table[codes], index=keys.index, dtype=object)


def _blank(series: pd.Series) -> pd.Series:
    """Missing, empty or only white space (as Arrow's strip sees it)."""
    strings = _str_cells(series.to_numpy(dtype=object), from_pandas=True)
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
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return [], []
    codes: list[str] = []
    bad: list[str] = []
    for item in _SPLIT_LIST.split(str(value)):
        item = item.strip()
        if not item:
            continue
        match = terc.normalize(item)
        if match.code:
            codes.append(match.code)
            continue
        names = terc.gminy.loc[terc.gminy["nazwa"].map(fold) == _clean_name(item)[0], "teryt"]
        if len(names) == 1:
            codes.append(str(names.iloc[0]))
        else:
            bad.append(item)
    return list(dict.fromkeys(codes)), bad


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
        Native registry columns (``geo.schema.REGISTRY_COLUMNS``), optionally
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

    # 1. TERYT code, normalised once per distinct raw value.
    has_code = ~_blank(frame["teryt"])
    cells = frame["teryt"].astype(object)
    raw = _per_distinct(cells[has_code].to_frame(), lambda v: str(v).strip())
    raw = raw.reindex(frame.index).where(has_code, None).astype(object)
    matches = {value: terc.normalize(value) for value in raw[has_code].unique()}
    code = _spread(raw, {k: m.code for k, m in matches.items()}, None)
    status = _spread(raw, {k: m.status for k, m in matches.items()}, "")
    message = _spread(raw, {k: m.message or "" for k, m in matches.items()}, "")
    code_in_region = code.isin(region_codes)
    work.loc[code_in_region, "teryt_gminy"] = code[code_in_region]
    work.loc[code_in_region, "metoda_lokalizacji"] = METHOD_CODE
    changed = status.isin(["mapped", "part", "resolved"])
    _note(work, changed, P_MAPPED, message)
    region_name = "województwa" if region != "PL" else "Polski"
    outside_code = code.notna() & ~code_in_region
    # With only the region's TERC at hand, a well-formed code of another voivodeship is
    # outside the region rather than wrong.
    # Per distinct raw code: its ASCII digits, and whether they are a code of another region.
    digits_of = {value: re.sub("[^0-9]", "", value) for value in matches}
    digits = _spread(raw, digits_of, "")
    seven = {value: len(d) == 7 and d[:2] != region for value, d in digits_of.items()}
    foreign = (
        code.isna()
        & status.eq("unknown")
        & _spread(raw, seven, False).astype(bool)
        & (region != "PL")
    )
    outside_code = outside_code | foreign
    shown = code[outside_code].where(code[outside_code].notna(), digits[outside_code])
    shown = shown.fillna("").astype(str)
    _note(work, outside_code, P_OUTSIDE, "Kod " + shown + f" leży poza obszarem {region_name}.")
    bad_code = has_code & code.isna() & ~foreign
    bad_code_ambiguous = bad_code & status.eq("ambiguous")
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
    has_gmina = todo & ~_blank(frame["gmina"])
    if has_gmina.any():
        keys = frame.loc[has_gmina, ["gmina", "powiat"]].astype(str)
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
    by_locality = todo & work["teryt_gminy"].isna() & _blank(frame["gmina"])
    by_locality &= ~_blank(frame["miejscowosc"])
    if by_locality.any():
        keys = frame.loc[by_locality, ["miejscowosc", "powiat"]].astype(str)
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
    bad_type = ~frame["typ"].isin(list(ENTITY_TYPES))
    _note(work, bad_type, P_TYPE, "Nieznany lub brakujący typ podmiotu.")
    no_name = _blank(frame["nazwa"])
    _note(work, no_name, P_NAME, "Brak nazwy podmiotu.")

    # Duplicates: the same name, type and gmina (across sources too); the first one counts.
    folded = _fold_array(frame["nazwa"])
    key = pd.DataFrame(
        {
            "nazwa": pd.Series(folded, index=frame.index, dtype=pd.ArrowDtype(folded.type)),
            "typ": frame["typ"].fillna("").astype(str),
            "gmina": work["teryt_gminy"].fillna("?").astype(str),
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
    svc_raw = frame["gminy_obslugiwane"]
    has_svc = ~_blank(svc_raw)
    svc_text = _per_distinct(svc_raw[has_svc].astype(object).to_frame(), str)
    parsed = {raw: parse_service_area(raw, terc) for raw in svc_text.unique()}
    kody = _spread(
        svc_text.reindex(frame.index), {r: ";".join(p[0]) or None for r, p in parsed.items()}, None
    )
    unread = {
        r: "Nie rozpoznano gmin obszaru działania: " + ", ".join(p[1]) + "."
        for r, p in parsed.items()
        if p[1]
    }
    svc_all = svc_text.reindex(frame.index)
    _note(work, svc_all.isin(list(unread)), P_SERVICE, _spread(svc_all, unread, ""))

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
    at_gmina = _spread(work["teryt_gminy"], reps.to_dict(), None).to_numpy()
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
