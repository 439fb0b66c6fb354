"""fold() and its vectorised kernels: the same result for every value."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from geo.core import text
from geo.core.text import fold, fold_array, fold_column


def test_fold_examples() -> None:
    assert fold("Łódź  Miejska") == "lodz miejska"
    assert fold(None) == fold(float("nan")) == fold("NaN") == ""


# --- vectorised kernels: the same results as the scalar code they stand for ---

ODD_TEXT = [
    "Łódź  Miejska",
    "CIS w Chełmie ",
    "  Spółdzielnia Socjalna „Łąka”\u00a0",
    "Straße ß ŉ ¼ … ǆ",  # longer or as long once folded: fold() itself or the table
    "e\u0301cole",  # a bare combining mark
    "a\tb\nc\x0bd\x0ce\rf\x1cg\x1dh\x1ei\x1fj",  # ASCII white space, all of it
    "x\u2003y\u2028z\x85w\u202f",  # other white space
    "ΟΔΟΣ ΟΔΟΣ",  # a final sigma depends on the neighbours
    "Ｆｕｌｌ ﬁ İstanbul",
    "中文 😀 \U0001f600x",
    "a\x00b",
    "\x01ctrl",
    "",
    " ",
    "\u00a0",
    "nan",
    "NaN",
    " nan",
    "Nan.",
    "PLAIN ascii",
]


def test_fold_kernel_equals_fold_on_odd_text() -> None:
    values = pd.Series([*ODD_TEXT, None], dtype=object)
    assert fold_column(values).tolist() == values.map(fold).tolist()
    # cells other than text go through str(), as in fold()
    mixed = pd.Series(["Ala", 12, 3.5, float("nan"), pd.NA, None, True], dtype=object)
    assert fold_column(mixed).tolist() == mixed.map(fold).tolist()
    ascii_only = pd.Series(["ABC def", "x  y", " z "], dtype=object)
    assert fold_column(ascii_only).tolist() == ascii_only.map(fold).tolist()
    assert fold_column(pd.Series([], dtype=object)).tolist() == []


def test_fold_kernel_equals_fold_for_every_table_character_in_context() -> None:
    chars = [chr(c) for a, b in text.SAFE_RANGES for c in range(a, b + 1)]
    contexts = ["{c}", "Ab{c}Cd", "{c} x", "x {c}", "Ż{c}{c}ó"]
    values = pd.Series([f.format(c=c) for c in chars for f in contexts], dtype=object)
    assert fold_column(values).tolist() == values.map(fold).tolist()


def test_fold_kernel_on_a_slice_of_an_arrow_array() -> None:
    import pyarrow as pa

    values = pd.Series(["pominięty", *ODD_TEXT, "też pominięty"], dtype=object)
    strings = pa.array(values.tolist(), type=pa.large_string())
    inner = values.iloc[1:-1]
    folded = fold_array(inner, strings[1:-1]).to_pylist()
    assert folded == inner.map(fold).tolist()


def test_fold_kernel_with_text_columns_of_other_dtypes() -> None:
    for dtype in ("str", "string"):
        values = pd.Series([*ODD_TEXT, None], dtype=dtype)
        assert fold_column(values).tolist() == values.map(fold).tolist()
    values = pd.Series(["Ala", pd.NA, None, float("nan")], dtype=object)
    assert fold_column(values).tolist() == ["ala", "<na>", "", ""]


# ------------------------------------------------------------------ text hygiene


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Klub\x0bIntegracji", "Klub Integracji"),  # Word's line break in a cell
        ("Klub\r\nIntegracji", "Klub Integracji"),  # a run of breaks: one space
        ("Klub\tIntegracji", "Klub Integracji"),
        ("Klub\x00Integracji", "KlubIntegracji"),
        ("Klub\x1b]0;tytuł\x07", "Klub]0;tytuł"),
        ("\x9b31mKlub", "31mKlub"),
        ("Klub\u200b", "Klub"),
        ("\u202eKlub", "Klub"),
        ("\ufeffKlub", "Klub"),
        ("Klub\u2028Razem", "Klub Razem"),
        ("Łódź „Żółw” – 50%", "Łódź „Żółw” – 50%"),  # ordinary text untouched
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert text.clean_text(raw) == clean


def test_hidden_characters_are_named() -> None:
    assert text.hidden_characters("a\x0bb\u200bc\u200b") == ["U+000B", "U+200B"]
    assert text.hidden_characters("zwykły tekst") == []


def test_clean_array_matches_clean_text_and_marks_the_rows() -> None:
    cells = ["ok", None, "a\x0bb", "c\u202ed", "Łódź", "\x00"]
    cleaned, dirty = text.clean_array(pa.array(cells, type=pa.large_string()))
    assert cleaned.to_pylist() == [None if c is None else text.clean_text(c) for c in cells]
    assert dirty.tolist() == [False, False, True, True, False, True]


def test_printable_escapes_terminal_sequences() -> None:
    assert text.printable("a\x1b]0;x\x07b") == "a\\x1b]0;x\\x07b"
    assert text.printable("\u202eabc\n") == "\\u202eabc\\x0a"
    assert text.printable("a\tb", keep="\t") == "a\tb"
    assert text.printable("Łódź") == "Łódź"


def test_fold_drops_invisible_characters() -> None:
    assert text.fold("Za\u200bmość\u202e") == text.fold("Zamość") == "zamosc"
    names = pd.Series(["Za\u200bmość", "Zamość\u00ad", "\ufeffZamość"])
    assert text.fold_column(names).tolist() == ["zamosc"] * 3


def test_hidden_characters_named_in_polish() -> None:
    assert text.hidden_characters("a\x0bb\u2066", named=True) == [
        "U+000B (tabulator pionowy, czyli podział wiersza z Worda)",
        "U+2066",
    ]


def test_clean_frame_cleans_text_columns_and_keeps_the_rest() -> None:
    frame = pd.DataFrame(
        {
            "nazwa": pd.Series(["KIS\x0bA", None, "B\u200b"], dtype=object),
            "tekst": ["C\u202e", "D", None],  # pandas' string dtype
            "mixed": ["x\x00y", 5, None],
            "liczba": [1, 2, 3],
        }
    )
    out = text.clean_frame(frame)
    assert out["nazwa"].tolist() == ["KIS A", None, "B"]
    assert out["tekst"].iloc[:2].tolist() == ["C", "D"] and pd.isna(out["tekst"].iloc[2])
    assert out["tekst"].dtype == frame["tekst"].dtype
    assert out["mixed"].tolist() == ["xy", 5, None]
    assert out["liczba"].tolist() == [1, 2, 3]
    assert frame["nazwa"].iloc[0] == "KIS\x0bA"  # the input is not changed
    clean = pd.DataFrame({"nazwa": ["A", "B"]})
    assert text.clean_frame(clean) is clean  # nothing to do: no copy
