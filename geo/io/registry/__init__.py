"""Import of PES registry files (CSV or XLSX) into the native registry format.

Real registers come from Polish Excel: cp1250 or UTF-8 with BOM, ``;`` separators, decimal
commas, dd.mm.yyyy dates or Excel date cells, title rows above the header and headers named in
many ways ("Nazwa klubu", "Organ prowadzący", "Kod TERYT gminy"...). :func:`read_registry`
finds the header, maps the file's columns to :data:`geo.core.schema.REGISTRY_COLUMNS`, cleans the
values and reports problems per row (kept) or rejects the whole file with a Polish message
(:class:`RegistryFileError`). Text stays text: nothing is evaluated or escaped here.

The steps live in submodules: :mod:`.read` (the file into a table of text, over
:mod:`geo.io.tabular`), :mod:`.headers` (which column is which field), :mod:`.values` (dates,
coordinates), :mod:`.build` (the native frame and the problems per row).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from geo._gc import paused_gc
from geo.io.registry.build import build_registry
from geo.io.registry.entity_types import normalize_type
from geo.io.registry.model import (
    FIELD_LABELS,
    MAX_CELL_CHARS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    ParsedRegistry,
    RegistryFileError,
    RowProblem,
)
from geo.io.registry.read import read_table
from geo.io.registry.values import _parse_coordinate, parse_date

__all__ = [
    "FIELD_LABELS",
    "MAX_CELL_CHARS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ParsedRegistry",
    "RegistryFileError",
    "RowProblem",
    "_parse_coordinate",
    "normalize_type",
    "parse_date",
    "read_registry",
]


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
        When the whole file cannot be used (Polish message). The limits are those of
        :mod:`geo.io.registry.model` (``MAX_FILE_BYTES``, ``MAX_ROWS``, ``MAX_CELL_CHARS``).
    """
    table, notes = read_table(source, filename, column_map)
    return build_registry(table, notes, default_type, column_map)
