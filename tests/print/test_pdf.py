"""The PDF document: the embedded font comes from matplotlib."""

from __future__ import annotations

from geo.print.pdf import font_files


def test_fonts_come_from_matplotlib() -> None:
    files = font_files()
    assert set(files) == {"", "B", "I"}
    assert all(path.is_file() and path.suffix == ".ttf" for path in files.values())


def test_a_wrapped_table_keeps_every_word_and_grows_its_row() -> None:
    import pandas as pd
    from pdf_reading import flat, pages_text

    from geo.print.pdf import Document

    long = " ".join(["słowo"] * 40)
    frame = pd.DataFrame({"Pole": ["krótkie", "długie"], "Wartość": ["a", long]})
    heights = {}
    for wrap in (False, True):
        pdf = Document("test")
        pdf.add_page()
        top = pdf.get_y()
        pdf.table(frame, [30, 60], size=8, wrap=wrap)
        heights[wrap] = pdf.get_y() - top
        text = flat(" ".join(pages_text(bytes(pdf.output()))))
        assert (long in text) is wrap  # cut with "…" unless wrapped
    assert heights[True] > heights[False] + 8  # the long cell's lines, not one line
