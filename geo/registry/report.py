"""The validation report of an upload: what is wrong with which row, and its XLSX download.

Reading problems (from the file reader) and location problems (from the locator) are merged
into one table per row, so an editor sees everything that keeps a row out of the coverage
before confirming the import; the XLSX adds the diff and the file's fingerprint.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.analysis.locate.problems import CATEGORIES_COLUMN, is_excluded
from geo.io.export import people_headers, write_sheet
from geo.io.registry import ParsedRegistry

if TYPE_CHECKING:
    from geo.registry.review import UploadReview

__all__ = ["REPORT_COLUMNS", "report_xlsx", "validation_report"]

#: Columns of the validation report.
REPORT_COLUMNS = ("wiersz", "kolumna", "waga", "kategoria", "nazwa", "komunikat")
_READING = "odczyt pliku"


def validation_report(parsed: ParsedRegistry, located: pd.DataFrame | None = None) -> pd.DataFrame:
    """Errors and warnings per row: reading problems, then location problems.

    Returns
    -------
    pandas.DataFrame
        ``wiersz`` (row in the file; 0 for the whole file), ``kolumna``, ``waga`` ("błąd" or
        "ostrzeżenie"), ``kategoria``, ``nazwa`` (the entity's name), ``komunikat``; sorted
        by row.
    """
    names = dict(
        zip(parsed.frame["wiersz"].astype(int), parsed.frame["nazwa"].astype(object), strict=True)
    )
    reading = _reading_problems(parsed)
    parts = [reading]
    if located is not None and len(located):
        parts.append(_location_problems(located))
    report = (
        pd.concat([p for p in parts if len(p)], ignore_index=True)
        if any(len(p) for p in parts)
        else reading
    )
    report["nazwa"] = report["wiersz"].map(names)
    report = report.sort_values("wiersz", kind="stable").reset_index(drop=True)
    return report.reindex(columns=list(REPORT_COLUMNS)).astype(
        {"kolumna": object, "kategoria": object, "nazwa": object, "komunikat": object}
    )


def _reading_problems(parsed: ParsedRegistry) -> pd.DataFrame:
    """The file reader's problems, one row each."""
    return pd.DataFrame(
        {
            "wiersz": [p.row for p in parsed.problems],
            "kolumna": [p.column for p in parsed.problems],
            "waga": [p.severity for p in parsed.problems],
            "kategoria": _READING,
            "komunikat": [p.message for p in parsed.problems],
        }
    )


def _location_problems(located: pd.DataFrame) -> pd.DataFrame:
    """The locator's problems; those that keep a row out of the coverage are errors."""
    flagged = located[located["problem"].notna()]
    categories = flagged["problem_kategoria"].astype(str)
    excluded = is_excluded(flagged[CATEGORIES_COLUMN]).to_numpy()
    return pd.DataFrame(
        {
            "wiersz": flagged["wiersz"].astype(int).to_numpy(),
            "kolumna": None,
            "waga": np.where(excluded, "błąd", "ostrzeżenie"),
            "kategoria": categories.to_numpy(),
            "komunikat": (
                flagged["problem"].astype(str)
                + np.where(excluded, " Podmiot nie będzie liczony w pokryciu.", "")
            ).to_numpy(),
        }
    )


def report_xlsx(review: UploadReview) -> bytes:
    """The validation report and the diff as a formula-safe XLSX workbook (Polish headers,
    frozen header rows, fitted columns; text without hidden characters)."""
    meta = {
        "plik": review.file_name,
        "SHA-256": review.sha256,
        "źródło": review.source,
        "wiersze": str(review.rows),
        "błędy": str(review.errors),
        "ostrzeżenia": str(review.warnings),
        "porównano z": f"wersja {review.base.number}" if review.base else "(nowe źródło)",
    }
    report = review.report.rename(
        columns={"wiersz": "Wiersz", "kolumna": "Kolumna", "waga": "Waga", "kategoria": "Kategoria"}
        | {"nazwa": "Nazwa", "komunikat": "Komunikat"}
    )
    diff = review.diff.table()
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        write_sheet(writer, report, "Raport walidacji")
        write_sheet(writer, people_headers(diff), "Różnice")
        notes = pd.DataFrame({"pole": list(meta), "wartość": list(meta.values())})
        write_sheet(writer, notes, "Plik")
    return buffer.getvalue()
