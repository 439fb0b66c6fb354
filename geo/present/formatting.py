"""Numbers, dates and text cells as the views show them: Polish separators, "–" if missing.

Shared by the profile, the printed card, the report and the pages, so that a figure reads the
same everywhere.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

__all__ = [
    "fmt_date",
    "fmt_int",
    "fmt_km",
    "fmt_num",
    "fmt_pct",
    "missing",
    "pl_date",
    "plain_text",
]


def fmt_int(value: object) -> str:
    """Polish thousands separator (a non-breaking space): ``1 996 550``; ``–`` if missing."""
    if missing(value):
        return "–"
    return f"{int(float(value)):,}".replace(",", "\u00a0")  # type: ignore[arg-type]


def fmt_num(value: object, digits: int = 1) -> str:
    """Polish decimal comma: ``2,5``; ``–`` if missing."""
    if missing(value):
        return "–"
    return f"{float(value):.{digits}f}".replace(".", ",")  # type: ignore[arg-type]


def fmt_pct(value: object) -> str:
    return "–" if missing(value) else fmt_num(value) + "\u00a0%"


def fmt_km(value: object) -> str:
    return "–" if missing(value) else fmt_num(value) + "\u00a0km"


def fmt_date(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def missing(value: object) -> bool:
    """None, pd.NA, NaN or NaT."""
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def pl_date(value: object) -> str:
    """An ISO date as ``dd.mm.yyyy``; other text as given."""
    text = plain_text(value)
    return ".".join(reversed(text.split("-"))) if re.fullmatch(r"\d{4}-\d\d-\d\d", text) else text


def plain_text(value: object) -> str:
    """The cell as stripped text; "" if missing."""
    return "" if missing(value) else str(value).strip()
