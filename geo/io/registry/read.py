"""Reading a registry file into a table of text: the registry's use of :mod:`geo.io.tabular`.

What is particular to registries: the header is the row that names the entity's name column
(by a known header or the user's column mapping), files come from uploads (size limit, wrong
formats recognised by their first bytes: PDF, images, old .xls), and every rejection is a
:class:`RegistryFileError` whose message tells the user what to do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from geo.core.numbers import decimal
from geo.core.plural import count
from geo.io import tabular
from geo.io.registry import model
from geo.io.registry.headers import row_fields
from geo.io.registry.model import ERROR, RegistryFileError, RowProblem, note, problems
from geo.io.tabular import SEP_NAMES, HeaderFit, HeaderNotFound, Table, TabularError

__all__ = ["load", "no_name_column", "read_table"]

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


def no_name_column(found: list[object]) -> RegistryFileError:
    """The rejection of a file without a recognised name column, listing its headers."""
    headers = [h for h in tabular.unique_headers(found) if not h.startswith("kolumna ")]
    shown = ", ".join(f"„{h}”" for h in headers[:20]) or "(brak)"
    if len(headers) > 20:
        shown += f" i {count(len(headers) - 20, 'inny', 'inne', 'innych')}"
    return RegistryFileError(
        "Nie znaleziono kolumny z nazwą podmiotu. Nagłówki znalezione w pliku: "
        f"{shown}. Oczekiwano kolumny np. „Nazwa”, „Nazwa podmiotu”, „Nazwa klubu” lub "
        "„Nazwa CIS” (oraz np. „Typ”, „Miejscowość”, „Kod TERYT gminy”). Popraw nagłówek "
        "albo wskaż kolumny ręcznie w mapowaniu kolumn.",
        headers=headers,
    )


def _too_large(size: int) -> RegistryFileError:
    return RegistryFileError(
        f"Plik jest zbyt duży ({decimal(size / 1024 / 1024)} MB; dopuszczalne "
        f"{model.MAX_FILE_BYTES / 1024 / 1024:.0f} MB)."
    )


def load(source: str | Path | bytes, filename: str | None) -> tuple[bytes, str]:
    """The file's bytes and name (for messages), within the size limit."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = filename or "plik"
    else:
        path = Path(source)
        name = filename or path.name
        try:
            size = path.stat().st_size
            if size > model.MAX_FILE_BYTES:
                raise _too_large(size)
            data = path.read_bytes()
        except FileNotFoundError:
            raise RegistryFileError(f"Nie znaleziono pliku {path}.") from None
        except IsADirectoryError:
            raise RegistryFileError(f"{path} jest katalogiem, a nie plikiem.") from None
        except OSError as exc:
            raise RegistryFileError(f"Nie można odczytać pliku {path}: {exc.strerror}.") from None
    if len(data) > model.MAX_FILE_BYTES:
        raise _too_large(len(data))
    return data, name


def _refuse_other_formats(data: bytes, name: str) -> None:
    if not data or data.isspace():  # not strip(): it would copy the whole file
        raise RegistryFileError("Plik jest pusty.")
    if data.startswith(_OLE):
        raise RegistryFileError(
            "Stary format Excela (.xls) nie jest obsługiwany: zapisz plik jako .xlsx lub CSV."
        )
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise RegistryFileError(
                f"Plik {name} nie jest arkuszem CSV ani XLSX (wygląda na: {kind})."
            )


def _header_fit(column_map: Mapping[str, str | None] | None) -> HeaderFit:
    """A registry header names the entity's name column."""

    def fit(cells: Sequence[object]) -> tuple[bool, int]:
        fields = row_fields(cells, column_map)
        return "nazwa" in fields, len(fields)

    return fit


def _overlong_rows(table: Table) -> list[RowProblem]:
    """Rows with more fields than the header: an unquoted separator shifts their values."""
    if table.overlong is None:
        return []
    width = len(table.headers)
    return problems(
        table.overlong,
        table.rows,
        None,
        ERROR,
        f"Wiersz ma więcej pól niż nagłówek ({width}): wartości mogą być "
        f"przesunięte. Sprawdź separator ({SEP_NAMES[str(table.delimiter)]}) i cudzysłowy w "
        "tym wierszu.",
    )


def read_table(
    source: str | Path | bytes,
    filename: str | None,
    column_map: Mapping[str, str | None] | None,
) -> tuple[Table, list[RowProblem]]:
    """The file's cells below its header, and file-level notes on how it was read."""
    data, name = load(source, filename)
    _refuse_other_formats(data, name)
    xlsx = tabular.is_zip(data)
    try:
        table = tabular.read_table(
            data,
            _header_fit(column_map),
            xlsx=xlsx,
            limits=tabular.ReadLimits.for_upload(
                model.MAX_FILE_BYTES, model.MAX_ROWS, model.MAX_CELL_CHARS
            ),
        )
    except HeaderNotFound as exc:
        raise no_name_column(exc.cells) from None
    except TabularError as exc:
        raise RegistryFileError(str(exc)) from None
    notes = _overlong_rows(table)
    suffix = Path(name).suffix
    if not xlsx and suffix.lower() in {".xlsx", ".xlsm"}:
        notes.append(
            note(
                f"Plik {name} ma rozszerzenie {suffix}, ale zawiera tekst CSV: "
                "wczytano go jako CSV."
            )
        )
    return table, notes
