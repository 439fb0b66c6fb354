"""Cell values of a registry: dates and coordinates, read column by column, with problems.

Registers write dates as dd.mm.yyyy, yyyy-mm-dd, "12.03.2019 r." or Excel serial numbers, and
coordinates with a decimal comma, sometimes swapped or in another coordinate system. Values
are parsed per distinct value (dates) or by Arrow casts (plain numbers), so that 100k rows
cost little; odd cells take the general path and parse exactly as :func:`parse_date` and
:func:`_parse_coordinate` do one by one.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo._arrow import utf8_bytes
from geo.core.crs import LAT_RANGE, LON_RANGE
from geo.io.registry.model import FIELD_LABELS, WARNING, RowProblem, problems
from geo.io.tabular import ODD_SPACES, is_missing

__all__ = ["coordinates", "dictionary_codes", "longest", "parse_date", "parse_dates", "present"]

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
_SPACES_RE = re.compile(f"[{ODD_SPACES}]")


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
    if is_missing(value):
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


def longest(text: pa.ChunkedArray) -> int:
    """Most bytes in one cell (0 when all are missing): a bound on the characters."""
    return int(pc.max(pc.binary_length(text)).as_py() or 0)


def present(text: pa.ChunkedArray) -> np.ndarray:
    """Boolean NumPy mask of the cells that are not missing."""
    return np.asarray(pc.is_valid(text).to_numpy(zero_copy_only=False), dtype=bool)


def dictionary_codes(text: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """The distinct values and each cell's code into them (-1 where missing)."""
    encoded = pc.dictionary_encode(text.combine_chunks())
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    return np.asarray(codes, dtype=np.intp), encoded.dictionary.to_pylist()


class Dates(NamedTuple):
    """A date column read cell by cell."""

    iso: np.ndarray  # ISO date or None
    dated: np.ndarray  # bool: a date was read
    errors: np.ndarray  # Polish error text or None
    failed: np.ndarray  # bool: the cell is not a date


def parse_dates(text: pa.ChunkedArray) -> Dates:
    """Parse the distinct values and spread the results to the cells."""
    codes, uniques = dictionary_codes(text)
    dates = np.full(len(uniques) + 1, None, dtype=object)  # the last for code -1 (missing)
    errors = dates.copy()
    for i, value in enumerate(uniques):
        try:
            dates[i] = parse_date(value)
        except ValueError as exc:
            errors[i] = str(exc)
    dated = np.array([d is not None for d in dates], dtype=bool)
    failed = np.array([e is not None for e in errors], dtype=bool)
    return Dates(dates[codes], dated[codes], errors[codes], failed[codes])


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
    if longest(text) <= _PLAIN_NUMBER_BYTES:
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


def coordinates(
    lat_text: pa.ChunkedArray,
    lon_text: pa.ChunkedArray,
    rows: np.ndarray,
    header_of: dict[str, str],
) -> tuple[np.ndarray, np.ndarray, list[RowProblem]]:
    """Latitude and longitude in degrees (NaN where unusable), and warnings per row.

    Out-of-range pairs are dropped, pairs swapped within Poland's box are swapped back, and a
    lone coordinate is dropped with its pair.
    """
    found: list[RowProblem] = []
    lat, lon = _coordinate_values(lat_text), _coordinate_values(lon_text)
    reported = np.zeros(len(rows), dtype=bool)
    for name, text, parsed in (("szerokosc", lat_text, lat), ("dlugosc", lon_text, lon)):
        bad = present(text) & np.isnan(parsed)
        reported |= bad
        found += problems(
            bad,
            rows,
            header_of.get(name),
            WARNING,
            [
                f"Nie rozpoznano współrzędnej ({FIELD_LABELS[name]}) „{cell}”: podaj liczbę "
                "stopni, np. 51,2465. Pole pozostawiono puste."
                for cell in (text.filter(pa.array(bad)).to_pylist() if bad.any() else [])
            ],
        )
    out_of_range = (np.abs(lat) > 90) | (np.abs(lon) > 180)
    reported |= out_of_range
    found += problems(
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
    found += problems(
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
    found += problems(
        half,
        rows,
        header_of.get("szerokosc") or header_of.get("dlugosc"),
        WARNING,
        "Podano tylko jedną współrzędną: pominięto współrzędne.",
    )
    return lat, lon, found
