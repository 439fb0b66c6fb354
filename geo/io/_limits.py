"""The bounds of reading one table file (:class:`ReadLimits`), the clock, and their errors.

Every uploaded or user-supplied table (registry, LPRES plans, subregions, indicators) is read
within such bounds, checked while reading, so that a small hostile file (a compressed sheet of
millions of empty rows, a huge cell, a shared-strings bomb) is refused before it costs memory
or minutes. The values documented in the README are those of the callers' instances.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from geo.core.numbers import decimal
from geo.errors import UserError

__all__ = [
    "EXCEL_MAX_COLUMNS",
    "EXCEL_MAX_ROWS",
    "Deadline",
    "ReadLimits",
    "TabularError",
    "cell_too_long",
    "file_too_large",
    "limits_text",
    "too_many_cells",
    "too_many_columns",
    "too_many_rows",
    "too_slow",
]

#: Excel's own sheet size: a row or column number past these is not an Excel file.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
_MB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """How much one table file may hold; the reader stops at the first bound passed.

    Attributes
    ----------
    file_bytes : int
        Size of the file itself.
    rows : int
        Data rows below the header (non-empty ones).
    raw_rows : int
        Rows including empty ones: CSV lines, XLSX ``<row>`` elements and row numbers of one
        sheet. Empty rows cost memory too; twice ``rows`` leaves room for multi-line cells.
    columns : int
        Columns holding data (a cell further right is refused).
    cells : int
        Cells of a workbook's sheets (formatted empty ones included), and cells kept.
    shared_strings : int
        Entries of a workbook's shared-strings table (all held in memory while reading).
    cell_chars : int
        Characters of one cell.
    unpacked_bytes : int
        A workbook's sheets and shared strings once unpacked.
    other_part_bytes : int
        A workbook's other parts (styles, workbook, relations) once unpacked, together.
    seconds : float
        Reading time (checked while reading, so the real time may pass it by a fraction).
    """

    file_bytes: int = 20 * _MB
    rows: int = 100_000
    raw_rows: int = 200_030
    columns: int = 500
    cells: int = 5_000_000
    shared_strings: int = 1_000_000
    cell_chars: int = 10_000
    unpacked_bytes: int = 200 * _MB
    other_part_bytes: int = 32 * _MB
    seconds: float = 60.0

    @classmethod
    def for_upload(cls, file_bytes: int, rows: int, cell_chars: int) -> ReadLimits:
        """Limits of an uploaded file of ``file_bytes`` and ``rows`` data rows, the rest scaled.

        Any number of columns (Excel's maximum) as long as the cells fit; a workbook unpacks
        to at most five times the file (real ones to two or three times); the time allows a
        legitimate workbook of ``rows`` rows read on a slow server.
        """
        return cls(
            file_bytes=file_bytes,
            rows=rows,
            raw_rows=2 * rows + 30,
            columns=EXCEL_MAX_COLUMNS,
            cells=max(50 * rows, 1_000_000),
            shared_strings=max(6 * rows, 100_000),
            cell_chars=cell_chars,
            unpacked_bytes=max(5 * file_bytes, 50 * _MB),
            seconds=60.0 + rows / 2_500,
        )


class Deadline:
    """The moment by which reading must end; :meth:`passed` is cheap enough for inner loops."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def passed(self) -> bool:
        """Whether the time is up."""
        return time.monotonic() > self._end


class TabularError(UserError, ValueError):
    """The file cannot be read as a table; ``str(e)`` is a Polish message for the user."""


def _int(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def too_many_rows(limit: int, raw: bool = False) -> TabularError:
    """The error for a file with more than ``limit`` data rows (``raw``: rows with empty ones)."""
    if raw:
        return TabularError(
            f"Plik ma więcej niż {_int(limit)} wierszy, licząc puste (dopuszczalne "
            f"{_int(limit)}): usuń puste wiersze pod danymi albo podziel plik na mniejsze."
        )
    return TabularError(
        f"Plik ma więcej niż {_int(limit)} wierszy danych: podziel go na mniejsze pliki."
    )


def too_many_cells(limit: int, what: str = "komórek") -> TabularError:
    """The error for a file with more than ``limit`` cells (or shared texts: ``what``)."""
    return TabularError(
        f"Plik ma więcej niż {_int(limit)} {what} (dopuszczalne {_int(limit)}): "
        "usuń puste lub zbędne kolumny i wiersze albo podziel plik na mniejsze."
    )


def too_many_columns(limit: int) -> TabularError:
    """The error for data further right than ``limit`` columns."""
    return TabularError(
        f"Plik ma dane w więcej niż {_int(limit)} kolumnach (dopuszczalne {_int(limit)}): "
        "usuń zbędne kolumny."
    )


def cell_too_long(
    limit: int, length: int | None, row: int | None, column: str | None
) -> TabularError:
    """The error for a cell over ``limit`` characters (where it is, when known)."""
    where = f" w wierszu {row}" if row is not None else ""
    where += f", kolumna „{column}”," if column else ""
    # Plain numbers: the same text as the registry's own check after cleaning.
    size = f"ma {length} znaków" if length is not None else "jest dłuższa niż dopuszczalne"
    return TabularError(
        f"Komórka{where} {size} (dopuszczalne {limit} znaków w komórce). Sprawdź, "
        "czy plik nie jest uszkodzony (np. niezamknięty cudzysłów)."
        if length is not None
        else f"Komórka{where} jest dłuższa niż dopuszczalne {limit} znaków. Sprawdź, czy "
        "plik nie jest uszkodzony (np. niezamknięty cudzysłów)."
    )


def limits_text(limits: ReadLimits) -> str:
    """The limits in Polish, for the text shown before a file is chosen."""
    mb = 1024 * 1024
    return (
        f"najwyżej {limits.file_bytes / mb:.0f} MB i {_int(limits.rows)} wierszy danych "
        f"(łącznie z pustymi najwyżej {_int(limits.raw_rows)}), do {_int(limits.cell_chars)} "
        f"znaków w komórce; skoroszyt XLSX najwyżej {_int(limits.unpacked_bytes // mb)} MB po "
        f"rozpakowaniu, {_int(limits.cells)} komórek i {_int(limits.shared_strings)} różnych "
        f"tekstów; odczyt trwający ponad {limits.seconds:.0f} s jest przerywany"
    )


def too_slow(limits: ReadLimits) -> TabularError:
    """The error for a file whose reading took longer than ``limits.seconds``."""
    return TabularError(
        f"Odczyt pliku przerwano po {limits.seconds:.0f} s (dopuszczalny czas odczytu): plik "
        "jest zbyt duży lub nietypowo zbudowany. Zapisz go ponownie w Excelu albo podziel "
        "na mniejsze pliki."
    )


def file_too_large(size: int, limit: int) -> TabularError:
    """The error for a file of ``size`` bytes over ``limit``."""
    mb = 1024 * 1024
    return TabularError(
        f"Plik jest zbyt duży ({decimal(size / mb)} MB; dopuszczalne {limit / mb:.0f} MB)."
    )


def user_file(
    source: str | Path | bytes, filename: str | None, max_bytes: int
) -> tuple[bytes, str]:
    """The content and name of a file a user supplies (a path or its bytes).

    A path over ``max_bytes`` is refused before it is read. Missing, a folder, unreadable, too
    large or empty: a :class:`TabularError` with a Polish message naming the file.
    """
    limit = f"limit {decimal(max_bytes / 1024**2, 0)} MB"
    if isinstance(source, bytes):
        data, name = source, filename or "plik"
    else:
        path = Path(source)
        name = filename or path.name
        try:
            if path.stat().st_size > max_bytes:
                raise TabularError(f"Plik {name} jest zbyt duży ({limit}).")
            data = path.read_bytes()
        except FileNotFoundError:
            raise TabularError(f"Nie znaleziono pliku {name}.") from None
        except IsADirectoryError:
            raise TabularError(f"{name} jest katalogiem, a nie plikiem.") from None
        except OSError:
            raise TabularError(
                f"Nie można odczytać pliku {name} (brak uprawnień lub błąd dysku)."
            ) from None
    if len(data) > max_bytes:
        raise TabularError(f"Plik {name} jest zbyt duży ({limit}).")
    if not data.strip():
        raise TabularError(f"Plik {name} jest pusty.")
    return data, name
