"""The presentation deck: the slides and the 16:9 PDF, one page per slide."""

from __future__ import annotations

from pdf_reading import DATE_TEXT, DPI, flat, pages_text, render

from geo.print import deck


def test_presentation_has_one_page_per_slide(result) -> None:
    slides = deck.build_slides(result)
    keys = [s.key for s in slides]
    assert keys[:3] == ["przeglad", "pokrycie", "luki"]
    assert {"lpres", "podregiony", "trend"} <= set(keys)
    pdf = deck.presentation_pdf(result, dpi=DPI)
    pages = pages_text(pdf)
    assert len(pages) == len(slides)
    first = flat(pages[0])
    assert "województwo lubelskie" in first and f"stan na {DATE_TEXT}" in first
    summary = result.summary
    assert f"{summary['gminy_z_cis_kis']} / {summary['gminy']}" in first
    for i, page in enumerate(pages, start=1):
        assert f"strona {i}/{len(pages)}" in page
    pixels = render(pdf, 1, scale=0.4)
    assert abs(pixels.shape[1] / pixels.shape[0] - 16 / 9) < 0.01
    assert (pixels < 200).any(axis=2).mean() > 0.1  # the map slide is drawn


def _monitoring_slide(result):
    from geo.analysis import indicators as ind
    from geo.config import PROJECT_ROOT
    from geo.io.indicator_file import read_indicators
    from geo.print.monitoring import monitoring_slide

    frame = read_indicators(PROJECT_ROOT / "data" / "wskazniki_przyklad.csv", ind.MEASURES)
    chosen = ind.IndicatorSet(ind.indicators_from_frame(frame), "PRZYKŁAD: plik", True, "p")
    watch = ind.monitor(
        result.region.gminy, result.entities, result.plans, result.as_of, chosen.indicators
    )
    return monitoring_slide(result, watch, chosen)


def test_extra_slides_come_last_in_the_page_and_the_pdf(result) -> None:
    base = deck.build_slides(result)
    extra = _monitoring_slide(result)
    slides = deck.build_slides(result, [extra])
    assert [s.key for s in slides] == [*(s.key for s in base), "monitoring"]
    pages = pages_text(deck.presentation_pdf(result, dpi=DPI, extra=[extra]))
    assert len(pages) == len(base) + 1
    assert f"strona {len(pages)}/{len(pages)}" in pages[-1]
    # the monitoring slide is its figure (an image) with the page number only
    assert "Najważniejsze liczby" not in pages[-1]
