"""Reading the TERC register of territorial units as GUS publishes it, and code-change tables.

GUS publishes TERC as ``;``-separated CSV, in UTF-8 with BOM or, in older vintages and files
re-saved in Excel, cp1250. It is read through :mod:`geo.io.tabular` like every other table,
so any encoding and separator a Polish office produces works. What the codes mean
(:class:`geo.core.teryt.Terc`) is the core's business; this module only reads the files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from geo.core.teryt import TERC_COLUMNS, Terc, TercError
from geo.io import tabular
from geo.io.tabular import HeaderNotFound, Table, TabularError

__all__ = ["load_terc", "read_code_changes", "read_terc"]

_CHANGE_COLUMNS = ("stary_kod", "nowy_kod")


def _names(cells: Sequence[object]) -> set[str]:
    return {str(c).strip().upper() for c in cells if not tabular.is_missing(c)}


def _terc_header(cells: Sequence[object]) -> tuple[bool, int]:
    found = set(TERC_COLUMNS) & _names(cells)
    return len(found) == len(TERC_COLUMNS), len(found)


def _read(path: Path, what: str, fit: tabular.HeaderFit) -> Table:
    """The table of a file whose header ``fit`` accepts; TercError when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TercError(f"Nie można odczytać pliku {what} {path}: {exc.strerror}.") from exc
    return tabular.read_table(data, fit)


def _column_frame(table: Table, columns: Sequence[str], upper: bool) -> pd.DataFrame:
    """The named columns as stripped strings ("" where empty); blank rows dropped."""
    position = {
        (name.upper() if upper else name): i for i, name in reversed(list(enumerate(table.headers)))
    }
    frame = pd.DataFrame(
        {
            column: [
                "" if tabular.is_missing(v) else str(v).strip()
                for v in table.body[position[column]].tolist()
            ]
            for column in columns
        },
        dtype=object,
    )
    frame = frame[(frame != "").any(axis=1)] if len(frame.columns) else frame
    return frame.reset_index(drop=True)


def read_terc(path: str | Path) -> pd.DataFrame:
    """Read a TERC file as GUS publishes it (UTF-8 with BOM or cp1250, ``;``-separated).

    Parameters
    ----------
    path : str or Path
        The CSV file (any encoding and separator :mod:`geo.io.tabular` reads).

    Returns
    -------
    pandas.DataFrame
        Columns ``WOJ, POW, GMI, RODZ, NAZWA, NAZWA_DOD, STAN_NA`` as strings ("" when empty);
        extra columns of the file are dropped.

    Raises
    ------
    TercError
        The file cannot be read or lacks TERC columns (Polish message).
    """
    path = Path(path)
    wanted = set(TERC_COLUMNS)
    try:
        table = _read(
            path, "TERC", lambda cells: (wanted <= _names(cells), len(wanted & _names(cells)))
        )
    except HeaderNotFound as exc:
        missing = [c for c in TERC_COLUMNS if c not in _names(exc.cells)]
        raise TercError(
            f"Plik {path.name} nie wygląda na plik TERC z GUS: brak kolumn {', '.join(missing)}."
        ) from None
    except TabularError as exc:
        raise TercError(f"Plik TERC {path.name} nie jest poprawnym plikiem CSV: {exc}") from None
    frame = _column_frame(table, TERC_COLUMNS, upper=True)
    for col, width in (("WOJ", 2), ("POW", 2), ("GMI", 2)):
        filled = frame[col] != ""
        frame.loc[filled, col] = frame.loc[filled, col].str.zfill(width)
    return frame.astype(str)


def read_code_changes(path: str | Path) -> dict[str, str]:
    """Read a ``stary_kod,nowy_kod`` CSV (as written from ``derive_code_changes``)."""
    path = Path(path)
    wanted = set(_CHANGE_COLUMNS)
    try:
        table = _read(
            path, "zmian kodów TERC", lambda cells: (wanted <= set(tabular.text_cells(cells)), 0)
        )
    except TabularError as exc:
        raise TercError(
            f"Plik zmian kodów TERC {path.name} nie ma kolumn stary_kod i nowy_kod: {exc}"
        ) from None
    frame = _column_frame(table, _CHANGE_COLUMNS, upper=False)
    return dict(zip(frame["stary_kod"], frame["nowy_kod"], strict=True))


def load_terc(path: str | Path, changes_path: str | Path | None = None) -> Terc:
    """Load a TERC file and (optionally) the table of code changes.

    Parameters
    ----------
    path : str or Path
        Official TERC CSV.
    changes_path : str or Path, optional
        CSV with ``stary_kod,nowy_kod`` (``data/terc_zmiany.csv``).
    """
    changes = read_code_changes(changes_path) if changes_path else {}
    return Terc.from_units(read_terc(path), changes)
