"""From a file's table of text cells to the native registry frame, with the problems per row.

The steps, in order: clean the cells, refuse broken files (a cell too long), map columns to
fields, make sure the name and the type are known, keep the rows with data in those columns,
then read types, dates and coordinates. Every column stays an Arrow array until the end and
each value is judged once per distinct value where that is cheaper: a 100k-row registry is
built in well under a second (see ``tests/perf``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.core.schema import ENTITY_TYPES, REGISTRY_COLUMNS
from geo.core.text import clean_array, clean_text, hidden_characters
from geo.io.registry import model
from geo.io.registry.entity_types import normalize_type
from geo.io.registry.headers import resolve_columns
from geo.io.registry.model import (
    ERROR,
    WARNING,
    ParsedRegistry,
    RegistryFileError,
    RowProblem,
    note,
    problems,
)
from geo.io.registry.read import no_name_column
from geo.io.registry.values import coordinates, dictionary_codes, longest, parse_dates, present
from geo.io.tabular import ODD_SPACES, Table

__all__ = ["build_registry"]

_DATE_COLUMNS = ("data_rozpoczecia", "data_zakonczenia", "data_weryfikacji")
_TEXT_COLUMNS = tuple(
    c for c in REGISTRY_COLUMNS if c not in {"szerokosc", "dlugosc", *_DATE_COLUMNS}
)


def _text_array(series: pd.Series) -> pa.ChunkedArray:
    """A body column as Arrow strings, null where missing (as ``astype("string")`` reads it)."""
    array = pa.array(series.astype("string").array)
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])


def _all_missing(n: int) -> pa.ChunkedArray:
    return pa.chunked_array([pa.nulls(n, pa.large_string())])


@dataclass
class _Hidden:
    """Rows of one column whose cells held hidden characters, and which (``U+XXXX``)."""

    rows: np.ndarray  # mask over the body's rows
    found: np.ndarray  # per body row: the characters, "" where none


def _clean_text(
    series: pd.Series, odd_spaces: bool = True
) -> tuple[pa.ChunkedArray, _Hidden | None]:
    """Remove hidden characters (:func:`geo.core.text.clean_text`), strip, normalise
    non-breaking spaces; empty -> missing (null). Also returns where hidden characters were.

    The Arrow kernels that pandas' ``str.replace``/``str.strip`` run, called directly on the
    column: same result, without a pandas copy per step. ``odd_spaces=False`` says that no
    cell holds a character of ``ODD_SPACES``.
    """
    text = _text_array(series)
    if not longest(text):  # every cell missing or empty (common for unused columns)
        return _all_missing(len(text)), None
    raw = text
    text, dirty = clean_array(text)
    hidden = None
    if dirty.any():
        found = np.full(len(dirty), "", dtype=object)
        at = np.flatnonzero(dirty)
        found[at] = [", ".join(hidden_characters(v, named=True)) for v in raw.take(at).to_pylist()]
        hidden = _Hidden(dirty, found)
    for space in ODD_SPACES if odd_spaces else "":
        text = pc.replace_substring(text, space, " ")
    text = pc.utf8_trim_whitespace(text)
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text), hidden


def _hidden_problems(
    hidden: Mapping[int, _Hidden], assigned: Mapping[int, str], table: Table, keep: np.ndarray
) -> list[RowProblem]:
    """A warning per cell of a used column from which hidden characters were removed."""
    found: list[RowProblem] = []
    for pos in assigned:
        if pos not in hidden:
            continue
        mask = hidden[pos].rows & keep
        found += problems(
            mask,
            table.rows,
            table.headers[pos],
            WARNING,
            [
                f"Usunięto z komórki znaki sterujące lub niewidoczne: {chars}. Podziały "
                "wiersza i tabulatory zamieniono na spacje; sprawdź tę komórkę w pliku."
                for chars in hidden[pos].found[mask].tolist()
            ],
        )
    return found


def _as_object(text: pa.ChunkedArray) -> np.ndarray | None:
    """The cells as Python ``str``, None where missing; None when all are missing."""
    if text.null_count == len(text):
        return None
    return np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)


def _check_cell_sizes(cleaned: Mapping[int, pa.ChunkedArray], table: Table) -> None:
    """A cell this long means a broken file (a quote never closed swallows the rest)."""
    for i, text in cleaned.items():
        if longest(text) <= model.MAX_CELL_CHARS:  # bytes: no fewer than characters
            continue
        lengths = pc.fill_null(pc.utf8_length(text), 0).to_numpy(zero_copy_only=False)
        over = np.flatnonzero(lengths > model.MAX_CELL_CHARS)
        if len(over):
            first = int(over[0])
            raise RegistryFileError(
                f"Komórka w wierszu {int(table.rows[first])}, kolumna „{table.headers[i]}”, ma "
                f"{int(lengths[first])} znaków (dopuszczalne {model.MAX_CELL_CHARS}). Sprawdź, "
                "czy plik nie jest uszkodzony (np. niezamknięty cudzysłów)."
            )


def _default_code(default_type: str | None) -> str | None:
    if default_type is None or not str(default_type).strip():
        return None
    code = normalize_type(default_type)
    if code is None:
        allowed = ", ".join(ENTITY_TYPES)
        raise RegistryFileError(
            f"Nieznany typ domyślny „{default_type}”. Dozwolone typy: {allowed}."
        )
    return code


def _require_name(table: Table, assigned: Mapping[int, str]) -> None:
    if "nazwa" not in assigned.values():  # only possible when column_map moved it away
        raise no_name_column(list(table.headers))


def _require_type(table: Table, assigned: Mapping[int, str], default_code: str | None) -> None:
    if "typ" not in assigned.values() and default_code is None:
        raise RegistryFileError(
            "Plik nie ma kolumny z typem podmiotu (np. „Typ” lub „Rodzaj podmiotu”). Jeśli "
            "wszystkie podmioty w pliku są jednego rodzaju, podaj go jako typ domyślny (na "
            "stronie importu: pole „Typ podmiotów”; w wierszu poleceń: --default-type KIS) "
            "albo wskaż kolumnę typu w mapowaniu kolumn.",
            headers=list(table.headers),
            detected={table.headers[pos]: native for pos, native in assigned.items()},
        )


def _rows_to_keep(
    cleaned: Mapping[int, pa.ChunkedArray], assigned: Mapping[int, str], n: int
) -> tuple[np.ndarray, list[RowProblem]]:
    """Rows with data in a recognised column; a note counting the other non-empty rows."""
    filled = {i: present(text) for i, text in cleaned.items() if text.null_count < len(text)}
    any_data = np.zeros(n, dtype=bool)
    for mask in filled.values():
        any_data |= mask
    if not any_data.any():
        raise RegistryFileError("Plik zawiera tylko nagłówek: brak wierszy z danymi.")
    keep = np.zeros(n, dtype=bool)
    for pos in assigned:
        if pos in filled:
            keep |= filled[pos]
    if not keep.any():
        raise RegistryFileError(
            "Plik nie ma danych w rozpoznanych kolumnach (dane są tylko w kolumnach pominiętych)."
        )
    if int(keep.sum()) > model.MAX_ROWS:
        raise model.too_many_rows()
    skipped = int((any_data & ~keep).sum())
    notes = [note(f"Pominięto wiersze bez danych w rozpoznanych kolumnach: {skipped}.")]
    return keep, notes if skipped else []


@dataclass
class _Fields:
    """The kept rows of the mapped columns, by native column."""

    columns: dict[str, pa.ChunkedArray]
    header_of: dict[str, str]  # native column -> file header
    rows: np.ndarray  # spreadsheet row numbers

    def text(self, native: str) -> pa.ChunkedArray:
        return self.columns.get(native, _all_missing(len(self.rows)))


def _types(fields: _Fields, default_code: str | None) -> tuple[np.ndarray, list[RowProblem]]:
    """Type codes; a few distinct values, so the unique ones are mapped."""
    rows = fields.rows
    if "typ" not in fields.header_of:
        return np.full(len(rows), default_code, dtype=object), []
    header = fields.header_of["typ"]
    codes, uniques = dictionary_codes(fields.text("typ"))
    mapped = [normalize_type(value) for value in uniques]
    types = np.array([*mapped, None], dtype=object)[codes]  # code -1 (missing): None
    unknown = np.array([code is None for code in mapped] + [False])[codes]
    allowed = ", ".join(ENTITY_TYPES)
    found = problems(
        unknown,
        rows,
        header,
        ERROR,
        [
            f"Nieznany typ podmiotu „{uniques[code]}”. Dozwolone: {allowed} (albo ich pełne nazwy)."
            for code in codes[unknown].tolist()
        ],
    )
    if default_code is not None:
        types[codes < 0] = default_code
    else:
        found += problems(codes < 0, rows, header, ERROR, "Brak typu podmiotu.")
    return types, found


def _dates(fields: _Fields) -> tuple[dict[str, np.ndarray | None], list[RowProblem]]:
    """ISO dates per date column (None: no such column); warnings for cells that are not."""
    n = len(fields.rows)
    values: dict[str, np.ndarray | None] = {}
    dated: dict[str, np.ndarray] = {}
    found: list[RowProblem] = []
    for native in _DATE_COLUMNS:
        if native not in fields.header_of:
            values[native], dated[native] = None, np.zeros(n, dtype=bool)
            continue
        dates = parse_dates(fields.text(native))
        found += problems(
            dates.failed,
            fields.rows,
            fields.header_of[native],
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
    found += problems(
        reversed_dates,
        fields.rows,
        fields.header_of.get("data_zakonczenia"),
        WARNING,
        "Data zakończenia jest wcześniejsza niż data rozpoczęcia działalności.",
    )
    return values, found


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


def _preview(table: Table) -> pd.DataFrame:
    preview = table.body.head(model.PREVIEW_ROWS).set_axis(list(table.headers), axis=1)
    preview = preview.astype(object).map(lambda v: clean_text(v) if isinstance(v, str) else v)
    preview.index = pd.Index(table.rows[: len(preview)], name="wiersz")
    return preview


def build_registry(
    table: Table,
    notes: list[RowProblem],
    default_type: str | None,
    column_map: Mapping[str, str | None] | None,
) -> ParsedRegistry:
    """The native registry of a file's table; ``notes`` are the reader's file-level notes."""
    body = table.body
    cleaned: dict[int, pa.ChunkedArray] = {}
    hidden: dict[int, _Hidden] = {}
    for i in body.columns:
        cleaned[i], found_hidden = _clean_text(body[i], table.odd_spaces)
        if found_hidden is not None:
            hidden[i] = found_hidden
    _check_cell_sizes(cleaned, table)
    has_data = [cleaned[i].null_count < len(cleaned[i]) for i in body.columns]
    assigned, column_notes = resolve_columns(table.headers, has_data, column_map)
    notes = notes + column_notes
    _require_name(table, assigned)
    default_code = _default_code(default_type)
    _require_type(table, assigned, default_code)
    keep, row_notes = _rows_to_keep(cleaned, assigned, len(body))
    notes += row_notes + _hidden_problems(hidden, assigned, table, keep)

    kept = None if keep.all() else pa.array(keep)  # filtering copies: only when some row goes
    fields = _Fields(
        columns={
            native: cleaned[pos] if kept is None else cleaned[pos].filter(kept)
            for pos, native in assigned.items()
        },
        header_of={native: table.headers[pos] for pos, native in assigned.items()},
        rows=table.rows[keep],
    )
    found = problems(
        ~present(fields.text("nazwa")),
        fields.rows,
        fields.header_of["nazwa"],
        ERROR,
        "Brak nazwy podmiotu.",
    )
    types, type_problems = _types(fields, default_code)
    values: dict[str, np.ndarray | None] = {
        native: types if native == "typ" else _as_object(fields.text(native))
        for native in _TEXT_COLUMNS
    }
    dates, date_problems = _dates(fields)
    values.update(dates)
    lat, lon, coordinate_problems = coordinates(
        fields.text("szerokosc"), fields.text("dlugosc"), fields.rows, fields.header_of
    )

    out = _registry_frame(values, {"szerokosc": lat, "dlugosc": lon}, len(fields.rows))
    out["wiersz"] = fields.rows.astype(np.int64)
    # Stable sort: file-level notes (row 0) first, then rows in file order.
    found = sorted(
        notes + found + type_problems + date_problems + coordinate_problems, key=lambda p: p.row
    )
    return ParsedRegistry(
        frame=out,
        problems=found,
        header_map={table.headers[pos]: native for pos, native in assigned.items()},
        encoding=table.encoding,
        delimiter=table.delimiter,
        sheet=table.sheet,
        headers=list(table.headers),
        preview=_preview(table),
    )
