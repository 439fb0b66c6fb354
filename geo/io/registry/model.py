"""What reading a registry file yields: the parsed registry, row problems, the file error, limits.

Kept apart from the reading steps so that each of them (headers, values, the scan, the build)
can report problems in one shape. The limits are read from this module at call time
(``model.MAX_ROWS``), so that tests can lower them in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.errors import UserError

__all__ = [
    "ERROR",
    "FIELD_LABELS",
    "MAX_CELL_CHARS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "PREVIEW_ROWS",
    "WARNING",
    "ParsedRegistry",
    "RegistryFileError",
    "RowProblem",
]

#: Largest accepted file (Streamlit's default upload limit is 200 MB too).
MAX_FILE_BYTES = 200 * 1024 * 1024
#: Most data rows in one file (all of Poland's NGOs would fit).
MAX_ROWS = 500_000
#: Longest accepted cell; longer ones mean a broken file (e.g. an unclosed quote).
MAX_CELL_CHARS = 10_000
#: Rows of the file kept as text in ``ParsedRegistry.preview``.
PREVIEW_ROWS = 10

ERROR = "błąd"
WARNING = "ostrzeżenie"

#: Polish labels of the native columns, for messages and the views.
FIELD_LABELS = {
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


def note(message: str, column: str | None = None) -> RowProblem:
    """A file-level warning (row 0)."""
    return RowProblem(0, column, WARNING, message)


def problems(
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


def too_many_rows() -> RegistryFileError:
    """The error for a file over :data:`MAX_ROWS` data rows."""
    return RegistryFileError(
        f"Plik ma więcej niż {MAX_ROWS:,} wierszy danych".replace(",", " ")
        + ": podziel go na mniejsze pliki."
    )
