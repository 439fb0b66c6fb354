"""The PDF document: the embedded font comes from matplotlib."""

from __future__ import annotations

from geo.print.pdf import font_files


def test_fonts_come_from_matplotlib() -> None:
    files = font_files()
    assert set(files) == {"", "B", "I"}
    assert all(path.is_file() and path.suffix == ".ttf" for path in files.values())
