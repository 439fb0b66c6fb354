"""Reading subregion definition files (``podregiony.csv``): one row per (definition, powiat).

The embedded ``data/podregiony.csv`` and a user's ``$PES_HOME/podregiony.csv`` are read here,
through :mod:`geo.io.tabular` as every table is (a file re-saved in Excel as cp1250 with ``;``
reads as well as the UTF-8 original), and checked: keys, powiat codes, duplicates, and
definitions whose rows disagree are rejected naming the row. Which gmina lies in which
subregion is :mod:`geo.analysis.subregions`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from geo.config import ConfigError
from geo.core.text import clean_text
from geo.io import tabular
from geo.io.tabular import HeaderNotFound, TabularError

__all__ = ["COLUMNS", "LIMITS", "UNKNOWN", "SubregionError", "read_definitions"]

#: The value of a powiat whose subregion is not known.
UNKNOWN: Final = "nieznany"

COLUMNS: Final = (
    "definicja",
    "definicja_nazwa",
    "definicja_okres",
    "definicja_zrodlo",
    "powiat",
    "powiat_nazwa",
    "podregion",
    "podregion_nazwa",
    "operator",
    "okres",
    "zrodlo",
)
#: A definition file has a row per powiat and definition: 380 powiats times a few definitions.
LIMITS: Final = tabular.ReadLimits.for_upload(5 * 1024**2, 20_000, cell_chars=2_000)
_META = ("definicja_nazwa", "definicja_okres", "definicja_zrodlo")
_KEY_RE = re.compile(r"[a-z0-9_]+")


class SubregionError(ConfigError):
    """A subregion definition file is invalid; the message is in Polish for the user."""


def _fail(path: Path, message: str) -> SubregionError:
    return SubregionError(f"Plik podregionów {path.name}: {message}")


def _os_reason(exc: OSError) -> str:
    """A Polish reason for an OS error (its own text is English)."""
    if isinstance(exc, FileNotFoundError):
        return "plik nie istnieje."
    if isinstance(exc, IsADirectoryError):
        return "to katalog, a nie plik."
    if isinstance(exc, PermissionError):
        return "brak uprawnień do odczytu pliku."
    return "nie można odczytać pliku (błąd dysku lub systemu plików)."


def _names(cells: Sequence[object]) -> set[str]:
    return {str(c).strip() for c in cells if not tabular.is_missing(c)}


def _header_fit(cells: Sequence[object]) -> tuple[bool, int]:
    found = set(COLUMNS) & _names(cells)
    return len(found) == len(COLUMNS), len(found)


def _read_columns(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """:data:`COLUMNS` as stripped text of the non-blank rows, and their row numbers."""
    try:
        table = tabular.read_table(path, _header_fit, limits=LIMITS)
    except HeaderNotFound as exc:
        missing = [c for c in COLUMNS if c not in _names(exc.cells)]
        raise _fail(path, f"brak kolumn {', '.join(missing)}.") from None
    except TabularError as exc:
        raise _fail(path, f"nie można odczytać pliku. {exc}") from None
    except OSError as exc:
        raise _fail(path, _os_reason(exc)) from None
    position = {name.strip(): i for i, name in reversed(list(enumerate(table.headers)))}
    frame = pd.DataFrame(
        {
            column: [
                "" if tabular.is_missing(v) else clean_text(str(v)).strip()
                for v in table.body[position[column]].tolist()
            ]
            for column in COLUMNS
        },
        dtype=object,
    )
    filled = (frame != "").any(axis=1).to_numpy(dtype=bool)
    return frame[filled].reset_index(drop=True).astype(str), table.rows[filled]


def read_definitions(path: str | Path) -> pd.DataFrame:
    """Read and check a subregion definition file.

    Parameters
    ----------
    path : str or Path
        CSV with :data:`COLUMNS` (UTF-8 with or without BOM, ``,``-separated; any encoding
        and separator that :mod:`geo.io.tabular` reads).

    Returns
    -------
    pandas.DataFrame
        One row per (``definicja``, ``powiat``); the definition's name, period and source
        filled in on every row; ``podregion_nazwa`` of unknown powiats is ``nieznany``.

    Raises
    ------
    SubregionError
        Missing columns, malformed keys or powiat codes, duplicates, or a definition whose
        rows disagree (the message names the line).
    """
    path = Path(path)
    frame, rows = _read_columns(path)
    line = pd.Series(rows, index=frame.index)

    bad_key = ~frame["definicja"].map(lambda k: bool(_KEY_RE.fullmatch(k)))
    if bad_key.any():
        first = bad_key.idxmax()
        raise _fail(
            path,
            f"wiersz {line[first]}: nieprawidłowy klucz definicji „{frame.at[first, 'definicja']}” "
            "(małe litery, cyfry i _).",
        )
    # Excel drops the leading zero of a powiat code ("601"): restore it.
    short = frame["powiat"].str.fullmatch(r"\d{3}")
    frame.loc[short, "powiat"] = frame.loc[short, "powiat"].str.zfill(4)
    bad_powiat = ~frame["powiat"].str.fullmatch(r"\d{4}")
    if bad_powiat.any():
        first = bad_powiat.idxmax()
        raise _fail(
            path,
            f"wiersz {line[first]}: nieprawidłowy kod powiatu „{frame.at[first, 'powiat']}” "
            "(4 cyfry TERC, np. 0603).",
        )
    no_sub = frame["podregion"] == ""
    if no_sub.any():
        raise _fail(
            path,
            f"wiersz {line[no_sub.idxmax()]}: pusty podregion; dla powiatu o nieznanym "
            f"przydziale wpisz „{UNKNOWN}”.",
        )
    dup = frame.duplicated(["definicja", "powiat"], keep="first")
    if dup.any():
        first = dup.idxmax()
        raise _fail(
            path,
            f"wiersz {line[first]}: powiat {frame.at[first, 'powiat']} podany drugi raz "
            f"w definicji {frame.at[first, 'definicja']}.",
        )

    unknown = frame["podregion"].str.casefold() == UNKNOWN
    frame.loc[unknown, "podregion"] = UNKNOWN
    frame.loc[unknown, "podregion_nazwa"] = UNKNOWN
    named = frame["podregion_nazwa"].where(frame["podregion_nazwa"] != "", frame["podregion"])
    frame["podregion_nazwa"] = named

    for column in _META:
        given = frame[frame[column] != ""]
        conflict = given.groupby("definicja")[column].nunique() > 1
        if conflict.any():
            key = conflict.idxmax()
            raise _fail(path, f"definicja {key}: różne wartości w kolumnie {column}.")
        values = given.drop_duplicates("definicja").set_index("definicja")[column]
        frame[column] = frame["definicja"].map(values).fillna("")
    unnamed = frame.loc[frame["definicja_nazwa"] == "", "definicja"].unique()
    if len(unnamed):
        raise _fail(path, f"definicja {unnamed[0]} nie ma nazwy (kolumna definicja_nazwa).")
    for column in ("podregion_nazwa", "operator"):
        known = frame[~unknown]
        conflict = known.groupby(["definicja", "podregion"])[column].nunique() > 1
        if conflict.any():
            key, sub = conflict.idxmax()
            raise _fail(
                path, f"definicja {key}, podregion {sub}: różne wartości w kolumnie {column}."
            )
    return frame.reset_index(drop=True)
