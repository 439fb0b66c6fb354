"""Numbers, dates and text cells as the views show them: Polish separators, "—" if missing.

Shared by the profile, the printed card, the report and the pages, so that a figure reads the
same everywhere. :func:`display_frame` applies the same rules to a whole table before a page
shows it (Streamlit would show ``None``, ``nan`` or ``NaT`` and the browser's own separators).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

__all__ = [
    "EMPTY",
    "FIGURE_SPACE",
    "cell",
    "display_frame",
    "fmt_date",
    "fmt_int",
    "fmt_km",
    "fmt_num",
    "fmt_pct",
    "missing",
    "pl_date",
    "pl_dates_in",
    "plain_text",
]

#: What an empty cell or a missing figure reads on every screen.
EMPTY = "—"
_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_ISO_DATETIME = re.compile(r"(\d{4}-\d\d-\d\d)[T ]00:00(:00(\.0+)?)?")


def fmt_int(value: object) -> str:
    """Polish thousands separator (a non-breaking space): ``1 996 550``; ``—`` if missing."""
    if missing(value):
        return EMPTY
    return f"{int(float(value)):,}".replace(",", "\u00a0")  # type: ignore[arg-type]


def fmt_num(value: object, digits: int = 1) -> str:
    """Polish decimal comma and thousands space: ``2,5``, ``12 345,6``; ``—`` if missing."""
    if missing(value):
        return EMPTY
    return f"{float(value):,.{digits}f}".replace(",", "\u00a0").replace(".", ",")  # type: ignore[arg-type]


def fmt_pct(value: object) -> str:
    return EMPTY if missing(value) else fmt_num(value) + "\u00a0%"


def fmt_km(value: object) -> str:
    return EMPTY if missing(value) else fmt_num(value) + "\u00a0km"


def fmt_date(value: object) -> str:
    """``dd.mm.rrrr`` of a date, a timestamp or an ISO date text; ``—`` if missing."""
    if missing(value):
        return EMPTY
    if isinstance(value, dt.date):  # also datetime and pd.Timestamp
        return value.strftime("%d.%m.%Y")
    return pl_date(value) or EMPTY


def missing(value: object) -> bool:
    """None, pd.NA, NaN or NaT."""
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def pl_date(value: object) -> str:
    """An ISO date (or a midnight timestamp) as ``dd.mm.yyyy``; other text as given."""
    text = plain_text(value)
    whole = _ISO_DATETIME.fullmatch(text)
    if whole:
        text = whole.group(1)
    return ".".join(reversed(text.split("-"))) if _ISO_DATE.fullmatch(text) else text


_ISO_IN_TEXT = re.compile(r"(?<![\d-])(\d{4})-(\d\d)-(\d\d)(?![\d-])")


def pl_dates_in(text: str) -> str:
    """Every ISO date inside ``text`` as ``dd.mm.rrrr`` ("stan na 2024-12-31" → "31.12.2024")."""
    return _ISO_IN_TEXT.sub(r"\3.\2.\1", text)


def plain_text(value: object) -> str:
    """The cell as stripped text; "" if missing."""
    return "" if missing(value) else str(value).strip()


def cell(value: object, digits: int = 1) -> str:
    """One value as a screen shows it: ``—`` if missing, dates ``dd.mm.rrrr``, decimal comma,
    ``tak``/``nie`` for booleans, text stripped."""
    if missing(value):
        return EMPTY
    if isinstance(value, bool | np.bool_):
        return "tak" if value else "nie"
    if isinstance(value, dt.date):
        return fmt_date(value)
    if isinstance(value, int | np.integer):
        return fmt_int(value)
    if isinstance(value, float | np.floating):
        return fmt_num(value, digits)
    return pl_date(value) or EMPTY


def _is_dates(column: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(column):
        return True
    present = column.dropna()
    return (
        column.dtype == object
        and len(present) > 0
        and all(isinstance(v, dt.date) for v in present.head(50))
    )


#: As wide as a digit, and sorted before digits (Unicode collation: spaces come first).
FIGURE_SPACE = "\u2007"


def _sortable(texts: pd.Series) -> pd.Series:
    """Numbers as text padded to one width with figure spaces: a table that sorts its cells
    as text (Streamlit does, for text) then still sorts them by value, and they line up."""
    numbers = texts != EMPTY
    if not numbers.any():
        return texts
    width = int(texts[numbers].str.len().max())
    return texts.where(~numbers, texts.str.rjust(width, FIGURE_SPACE))


def display_frame(
    frame: pd.DataFrame,
    digits: Mapping[str, int] | None = None,
    keep: Collection[str] = (),
) -> pd.DataFrame:
    """A copy of ``frame`` ready for a table on screen (``st.dataframe`` or ``st.table``).

    * Integer and boolean columns without gaps stay as they are (sortable numbers without a
      decimal separator; checkboxes).
    * Other numbers become text with a decimal comma (``digits`` per column, default 1;
      whole-number columns with gaps get none), padded with figure spaces so that sorting
      the text sorts the numbers; dates ``dd.mm.rrrr``; booleans with gaps ``tak``/``nie``.
    * Every missing value reads ``—``: never ``None``, ``nan``, ``NaT`` or ``<NA>``.

    Columns named in ``keep`` (links, checkboxes) are left as they are. Column names and the
    index are kept; the input is not modified.
    """
    digits = digits or {}
    out = {}
    for name in frame.columns:
        column = frame[name]
        if name in keep:
            out[name] = column
        elif (
            pd.api.types.is_bool_dtype(column) or pd.api.types.is_integer_dtype(column)
        ) and not column.isna().any():
            out[name] = column  # tables draw booleans as checkboxes: no words needed
        elif _is_dates(column):
            out[name] = column.map(fmt_date).astype(object)
        elif pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            values = pd.to_numeric(column, errors="coerce").astype(float)
            whole = bool(np.all(np.isnan(values) | (values == np.round(values))))
            n = digits.get(str(name), 0 if whole and str(name) not in digits else 1)
            out[name] = _sortable(values.map(lambda v, n=n: fmt_num(v, n)).astype(object))
        else:
            out[name] = column.map(lambda v: cell(v)).astype(object)
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)
