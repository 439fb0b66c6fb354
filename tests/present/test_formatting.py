"""Polish formats on screens: one helper for cells and whole tables."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo.present.formatting import (
    EMPTY,
    FIGURE_SPACE,
    cell,
    display_frame,
    fmt_date,
    fmt_num,
    pl_date,
    pl_dates_in,
)

LEAKS = ("None", "nan", "NaN", "NaT", "<NA>")


def test_cell_polish_and_never_none() -> None:
    assert cell(79.94) == "79,9"
    assert cell(12345.25, 2) == "12\u00a0345,25"
    assert cell(1996550) == "1\u00a0996\u00a0550"
    assert cell(dt.date(2026, 1, 2)) == "02.01.2026"
    assert cell(pd.Timestamp("2025-12-31")) == "31.12.2025"
    assert cell("2024-03-05") == "05.03.2024"
    assert cell(True) == "tak" and cell(np.bool_(False)) == "nie"
    for empty in (None, np.nan, pd.NaT, pd.NA, "", "  "):
        assert cell(empty) == EMPTY == "—"


def test_fmt_helpers() -> None:
    assert fmt_num(0.05) == "0,1" and fmt_num(-3.26, 2) == "-3,26"
    assert fmt_date(None) == EMPTY and fmt_date("2026-02-03T00:00:00") == "03.02.2026"
    assert pl_date("Lublin") == "Lublin"


def test_display_frame_formats_every_kind_of_column() -> None:
    frame = pd.DataFrame(
        {
            "Gmina": ["Abramów", None, "Zwierzyniec"],
            "km": [79.94, np.nan, 8.0],
            "ludnosc": [1200.0, np.nan, 30000.0],  # whole numbers with a gap
            "pes": [1, 2, 3],
            "od": pd.to_datetime(["2020-01-05", None, "2021-12-31"]),
            "do": [dt.date(2022, 2, 1), None, None],
            "aktywny": [True, False, True],
            "liczony": [True, None, False],
        },
        index=[10, 11, 12],
    )
    shown = display_frame(frame, digits={"km": 1})
    assert list(shown.columns) == list(frame.columns) and list(shown.index) == [10, 11, 12]
    # padded to one width with figure spaces: sorted as text, they sort as numbers
    assert shown["km"].tolist() == ["79,9", EMPTY, FIGURE_SPACE + "8,0"]
    assert shown["ludnosc"].tolist() == [FIGURE_SPACE + "1\u00a0200", EMPTY, "30\u00a0000"]
    assert pd.api.types.is_integer_dtype(shown["pes"])  # stays a sortable number
    assert shown["od"].tolist() == ["05.01.2020", EMPTY, "31.12.2021"]
    assert shown["do"].tolist() == ["01.02.2022", EMPTY, EMPTY]
    assert shown["aktywny"].dtype == bool  # drawn as checkboxes
    assert shown["liczony"].tolist() == ["tak", EMPTY, "nie"]
    assert shown["Gmina"].tolist() == ["Abramów", EMPTY, "Zwierzyniec"]
    text = shown.astype(str).to_string()
    assert not any(leak in text for leak in LEAKS), text
    assert frame["km"].isna().sum() == 1  # the input is untouched


def test_display_frame_of_an_empty_table() -> None:
    empty = pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=object)})
    assert display_frame(empty).empty


def test_number_text_sorts_by_value() -> None:
    values = pd.Series([79.94, 8.0, 120.5, 0.4, 1234.56, np.nan])
    shown = display_frame(pd.DataFrame({"km": values}))["km"]
    # as the browser's collation sorts text cells: white space before digits
    by_text = shown[shown != EMPTY].sort_values(key=lambda t: t.str.replace(FIGURE_SPACE, " "))
    assert list(by_text.index) == list(values.dropna().sort_values().index)
    assert len(set(shown[shown != EMPTY].str.len())) == 1  # one width: they line up


def test_kept_columns_are_untouched() -> None:
    frame = pd.DataFrame({"Link": [None, "https://x.pl"], "ok": [True, False]})
    shown = display_frame(frame, keep=("Link", "ok"))
    assert pd.isna(shown["Link"].iloc[0]) and shown["Link"].iloc[1] == "https://x.pl"
    assert shown["ok"].dtype == bool


def test_iso_dates_inside_text() -> None:
    text = "ludność: GUS BDL, stan na 2024-12-31; plik z 2025-01-02 (wersja 2025-01-02-b)"
    assert pl_dates_in(text) == (
        "ludność: GUS BDL, stan na 31.12.2024; plik z 02.01.2025 (wersja 2025-01-02-b)"
    )
