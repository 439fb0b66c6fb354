"""Text hygiene and folding shared by every reader and matcher: one value or a whole column.

Hygiene: :func:`clean_text` / :func:`clean_array` remove the characters that must not enter
the data (control characters, NUL, invisible and bidirectional formatting characters; line
breaks and tabs inside a cell become a space) and :func:`printable` escapes them for a
terminal. Folding: :func:`fold` is the rule. :func:`fold_column` / :func:`fold_array` apply it
to a column in vectorised kernels with the same results, because a 100,000-row registry has
about as many distinct names and folding them one by one in Python would cost most of the
locating time.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo._arrow import arrow_strings, utf8_bytes

__all__ = [
    "ASCII_SPACES",
    "SAFE_RANGES",
    "clean_array",
    "clean_frame",
    "clean_text",
    "fold",
    "fold_array",
    "fold_column",
    "hidden_characters",
    "printable",
]

# NFKD does not decompose these letters, so they are mapped by hand.
_EXTRA = str.maketrans({"ł": "l", "Ł": "l", "đ": "d", "ø": "o", "ß": "ss"})
_SPACES = re.compile(r"\s+")

# --------------------------------------------------------------------------------------------
# Text hygiene
# --------------------------------------------------------------------------------------------
# A vertical tab (Word's line break in a cell) or a NUL crashes the XLSX writer; an escape
# sequence retitles a terminal; U+202E reverses what a page shows and U+200B hides a duplicate.
# So every control (Cc) and format (Cf) character is taken out of text at the door; those that
# separate words (line breaks, tabs, the ASCII separators) become one space.

#: Characters that separate words: a run of them becomes one space.
BREAKS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\u2028\u2029"


@functools.cache
def _hidden_codes() -> tuple[int, ...]:
    """Code points removed from text: control and format characters other than breaks."""
    return tuple(
        code
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in ("Cc", "Cf") and chr(code) not in BREAKS
    )


def _char_class(codes: tuple[int, ...], re2: bool) -> str:
    """A regex character class of ``codes`` (as ranges), for Python's re or RE2 (Arrow)."""
    ranges: list[tuple[int, int]] = []
    for code in sorted(codes):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))

    def esc(code: int) -> str:
        return f"\\x{{{code:x}}}" if re2 else f"\\U{code:08x}"

    return "[" + "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges) + "]"


class _Hygiene(NamedTuple):
    hidden: re.Pattern[str]  # one hidden character
    breaks: re.Pattern[str]  # a run of breaks
    either: re.Pattern[str]  # one character of either kind
    either_re2: str  # the same for Arrow's RE2


@functools.cache
def _hygiene() -> _Hygiene:
    codes = _hidden_codes()
    breaks = tuple(ord(c) for c in BREAKS)
    return _Hygiene(
        re.compile(_char_class(codes, re2=False)),
        re.compile(_char_class(breaks, re2=False) + "+"),
        re.compile(_char_class(codes + breaks, re2=False)),
        _char_class(codes + breaks, re2=True),
    )


#: Polish names of the characters users meet most, for messages.
_NAMES = {
    "\x00": "znak NUL",
    "\t": "tabulator",
    "\n": "podział wiersza",
    "\x0b": "tabulator pionowy, czyli podział wiersza z Worda",
    "\r": "powrót karetki",
    "\x1b": "ESC, początek sekwencji sterującej terminala",
    "\u00ad": "miękki dywiz",
    "\u200b": "spacja o zerowej szerokości",
    "\u202e": "odwrócenie kierunku tekstu",
    "\ufeff": "znacznik BOM",
}


def hidden_characters(value: str, named: bool = False) -> list[str]:
    """The distinct characters :func:`clean_text` would change in ``value``, as ``U+XXXX``
    (``named``: with a Polish name where there is one, e.g. ``U+200B (spacja o zerowej
    szerokości)``)."""
    found = sorted(set(_hygiene().either.findall(value)))
    codes = [f"U+{ord(ch):04X}" for ch in found]
    if not named:
        return codes
    return [
        f"{code} ({_NAMES[ch]})" if ch in _NAMES else code
        for code, ch in zip(codes, found, strict=True)
    ]


def clean_text(value: str) -> str:
    """``value`` without control and invisible characters; a run of breaks becomes a space.

    ``"Klub\\vIntegracji"`` (a Word line break) -> ``"Klub Integracji"``;
    ``"Klub\\u200b"`` -> ``"Klub"``; NUL, ESC, C1 controls, U+202E... are removed.
    """
    rules = _hygiene()
    return rules.breaks.sub(" ", rules.hidden.sub("", value))


def clean_array(values: pa.Array | pa.ChunkedArray) -> tuple[pa.ChunkedArray, np.ndarray]:
    """:func:`clean_text` of a string column, and which rows it changed.

    One RE2 pass finds the rows to clean (rare), and only those are cleaned in Python.
    """
    chunked = values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])
    found = pc.fill_null(pc.match_substring_regex(chunked, _hygiene().either_re2), False)
    dirty = np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
    if not dirty.any():
        return chunked, dirty
    flat = chunked.combine_chunks()
    at = np.flatnonzero(dirty)
    cleaned = pa.array([clean_text(v) for v in flat.take(pa.array(at)).to_pylist()], flat.type)
    return pa.chunked_array([pc.replace_with_mask(flat, pa.array(dirty), cleaned)]), dirty


def clean_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :func:`clean_text` applied to its text columns; the same frame when no
    cell needs it (data stored before the readers cleaned their cells)."""
    out = frame
    for i, name in enumerate(frame.columns):
        column = frame.iloc[:, i]
        if column.dtype != object and not pd.api.types.is_string_dtype(column):
            continue
        try:
            strings = pa.array(column.to_numpy(dtype=object), pa.large_string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # not only text: cell by cell
            if not column.map(lambda v: isinstance(v, str) and clean_text(v) != v).any():
                continue
            cleaned = column.map(lambda v: clean_text(v) if isinstance(v, str) else v)
        else:
            text, dirty = clean_array(strings)
            if not dirty.any():
                continue
            values = column.to_numpy(dtype=object, copy=True)
            values[dirty] = np.asarray(text.to_pylist(), dtype=object)[dirty]
            cleaned = pd.Series(values, index=column.index, name=name, dtype=column.dtype)
        out = out.copy() if out is frame else out
        out.isetitem(i, cleaned)
    return out


def printable(value: object, keep: str = "") -> str:
    """``str(value)`` safe to write to a terminal: control and format characters escaped.

    An escape sequence in a cell (``\\x1b]0;...``) would retitle or clear the operator's
    terminal; it is shown as ``\\x1b]0;...`` instead. Line breaks are escaped too, so one
    value stays on one line; ``keep`` lists characters left as they are (e.g. a tab).
    """
    return _hygiene().either.sub(
        lambda m: m.group() if m.group() in keep else _escape(m), str(value)
    )


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


@functools.cache
def _fold_drop() -> dict[int, None]:
    """Hidden characters that fold() drops: the non-ASCII ones (ASCII controls never reach a
    matcher, the readers remove them; the byte kernel maps ASCII one to one)."""
    return dict.fromkeys(code for code in _hidden_codes() if code >= 0x80)


def fold(value: object) -> str:
    """Return ``value`` as lower-case ASCII with single spaces, for matching.

    Parameters
    ----------
    value : object
        Any value; ``None`` and NaN give an empty string.

    Returns
    -------
    str
        Case- and diacritics-insensitive form: ``"Łódź  Miejska"`` -> ``"lodz miejska"``;
        invisible characters (U+200B, U+202E...) are dropped, so they hide no duplicate.
    """
    if value is None:
        return ""
    text = str(value)
    if text.lower() == "nan":
        return ""
    text = text.translate(_EXTRA).translate(_fold_drop())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("\u00a0", " ").strip().lower()
    return _SPACES.sub(" ", text)


# --------------------------------------------------------------------------------------------
# fold() of a whole column
# --------------------------------------------------------------------------------------------
# A chain of Arrow kernels (utf8_lower, NFKD, drop \p{Mn}, trim, collapse) gives the same
# output but took ~1.8x as long on 100k names (code review 2026-12, §3 #5), and locating is
# benchmarked on 100k rows: the byte-level kernel below stays. Its tables are built from
# fold() itself, and tests/core/test_text.py checks it against fold() character by character.

#: Characters that the byte kernel folds from a table: Latin letters with their marks,
#: punctuation (Polish „quotes”, dashes) and currency signs. Text with any other character
#: (Greek, other scripts...) goes through fold() itself.
SAFE_RANGES = ((0x0, 0x24F), (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x20A0, 0x20CF))
_TABLE_SIZE = SAFE_RANGES[-1][1] + 2  # the last entry stands for every code point above
#: White space as str.isspace() sees it (and so fold's strip() and \s) among ASCII characters.
ASCII_SPACES = "".join(chr(c) for c in range(128) if chr(c).isspace())
_SPACE_RUN = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in ASCII_SPACES) + "]+"
# A character longer than one byte is kept, replaced, or its text folded by fold() itself.
_KEEP, _REPLACE, _OWN = 0, 1, 2


def _fold_char(char: str) -> str | None:
    """What fold() makes of ``char`` inside a word; None when that depends on its neighbours.

    Folding is character by character (NFKD marks are dropped, so their reordering does not
    matter) except for lower(), which makes a final Σ a ς.
    """
    inner = fold(f"a{char}a")[1:-1]
    return inner if fold(f"a{char}.")[1:-1] == inner else None


@functools.cache
def _fold_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tables of :func:`fold_array`, built from fold() itself (once per process).

    Returns the map of ASCII bytes (white space left for the per-string pass), and per code
    point of a longer character its kind, the start and length of its replacement in the
    last array (UTF-8 bytes).
    """
    ascii_map = np.arange(256, dtype=np.uint8)
    kind = np.full(_TABLE_SIZE, _OWN, dtype=np.uint8)
    start = np.zeros(_TABLE_SIZE, dtype=np.int64)
    length = np.zeros(_TABLE_SIZE, dtype=np.int64)
    replacements = bytearray()
    for first, last in SAFE_RANGES:
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


def fold_column(values: pd.Series) -> pd.Series:
    """``values.map(fold)`` in vectorised kernels, with the same results."""
    if len(values) == 0:
        return pd.Series([], index=values.index, dtype=object)
    folded = fold_array(values).to_numpy(zero_copy_only=False)
    return pd.Series(folded, index=values.index, dtype=object)


def fold_array(values: pd.Series, strings: pa.Array | None = None) -> pa.Array:
    """:func:`fold_column` as an Arrow string array (for work that stays in Arrow).

    Works on the UTF-8 bytes: ASCII bytes are lower-cased one to one, longer characters
    replaced in place from the tables. The few strings with white space to trim or collapse,
    with characters outside the tables, or "nan", are redone afterwards.
    ``strings``: the cells as :func:`geo._arrow.arrow_strings` gives them, if at hand.
    """
    cells = values.to_numpy(dtype=object)  # iterating an Arrow-backed column is slow
    if strings is None:
        strings = arrow_strings(cells)
    arr, redo = _as_text(cells, strings)
    offsets, data = utf8_bytes(arr)
    _redo_nan(arr, offsets, redo)
    offsets, out = _fold_bytes(offsets, data, redo)
    result = pa.LargeStringArray.from_buffers(len(cells), pa.py_buffer(offsets), pa.py_buffer(out))
    result = _fix_spaces(result, offsets, out)
    if redo.any():
        at = np.flatnonzero(redo)
        by_fold = pa.array([fold(cells[i]) for i in at], type=pa.large_string())
        result = pc.replace_with_mask(result, redo, by_fold)
    return result


def _as_text(cells: np.ndarray, strings: pa.Array | None) -> tuple[pa.Array, np.ndarray]:
    """The cells as one string array, and the rows that fold() itself must do."""
    redo = np.zeros(len(cells), dtype=bool)
    if strings is None:  # str() of the cells, as fold() does
        text = [v if type(v) is str else ("" if v is None else str(v)) for v in cells]
        return pa.array(text, type=pa.large_string()), redo
    if strings.null_count:  # fold(None) == fold(nan) == "", but fold(pd.NA) == "<na>"
        nulls = np.flatnonzero(strings.is_null().to_numpy(zero_copy_only=False))
        redo[nulls] = [not (v is None or isinstance(v, float)) for v in cells[nulls]]
    return pc.fill_null(strings, ""), redo


def _redo_nan(arr: pa.Array, offsets: np.ndarray, redo: np.ndarray) -> None:
    """Mark "nan" in any case (folds to ""): only 3-byte strings, as no other character
    lower-cases to n or a."""
    three = np.flatnonzero(np.diff(offsets) == 3)
    if len(three):
        redo[three] |= [t.lower() == "nan" for t in arr.take(three).to_pylist()]


def _spans(first: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the spans ``[first, first + count)`` one after another, and of each one
    its offset within its span."""
    ends = np.cumsum(count)
    step = np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - count, count)
    return np.repeat(first, count) + step, step


def _fold_bytes(
    offsets: np.ndarray, data: np.ndarray, redo: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The folded bytes and their new offsets; marks in ``redo`` the strings with characters
    that the tables leave to fold()."""
    ascii_map, kind, start, length, replacements = _fold_tables()
    out = ascii_map[data]
    lead = np.flatnonzero(data >= 0xC0)  # first bytes of longer characters
    if not len(lead):
        return offsets, out
    # The code point of each longer character, from its UTF-8 lead and continuation bytes.
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
    if not len(delete):
        return offsets, out
    keep = np.ones(len(out), dtype=bool)
    keep[delete] = False
    return offsets - np.searchsorted(delete, offsets), out[keep]


def _fix_spaces(result: pa.Array, offsets: np.ndarray, out: np.ndarray) -> pa.Array:
    """Trim and collapse white space where needed.

    After the tables only ASCII white space is left; a string needs fixing if it has some at
    either end, two spaces in a row, or any other than a space.
    """
    if not len(out):
        return result
    space = out == 0x20
    odd = np.flatnonzero((out[1:] < 0x20) | (space[1:] & space[:-1])) + 1
    rows = np.searchsorted(offsets, odd, side="right") - 1
    trim = np.zeros(len(result), dtype=bool)
    trim[rows] = True
    filled = np.flatnonzero(offsets[1:] > offsets[:-1])
    trim[filled[out[offsets[filled]] <= 0x20]] = True
    trim[filled[out[offsets[filled + 1] - 1] <= 0x20]] = True
    if not trim.any():
        return result
    fixed = pc.utf8_trim(pc.filter(result, trim), characters=ASCII_SPACES)
    fixed = pc.replace_substring_regex(fixed, _SPACE_RUN, " ")
    return pc.replace_with_mask(result, trim, fixed)
