"""Sections of the "Import danych" page (pages/import_danych.py), one module each.

``upload`` (import with review), ``fixes`` (manual fixes), ``history`` (versions, diffs,
restore) and ``audit`` (the log). They only draw: the logic is in geo.registry and geo.store.
This module holds the few view helpers the sections share.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from geo.registry.diff import RegistryDiff
from pages import _common as c

#: Column headings of a diff table.
_DIFF_HEADINGS = {
    "zmiana": "Zmiana",
    "klucz_podmiotu": "Klucz",
    "nazwa": "Nazwa",
    "typ": "Typ",
    "miejscowosc": "Miejscowość",
    "szczegoly": "Szczegóły",
}


def local_time(value: Any) -> str:
    """A UTC timestamp as Polish local time."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).tz_convert("Europe/Warsaw").strftime("%d.%m.%Y %H:%M")


def rows_label(n: int) -> str:
    """ "1 wiersz", "3 wiersze", "5 wierszy"."""
    if n == 1:
        return "1 wiersz"
    few = n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14)
    return f"{c.fmt_int(n)} {'wiersze' if few else 'wierszy'}"


def diff_table(diff: RegistryDiff) -> None:
    """The added, removed and changed entities of a diff."""
    c.table(
        diff.table().rename(columns=_DIFF_HEADINGS),
        hide_index=True,
        width="stretch",
        height=260,
    )
