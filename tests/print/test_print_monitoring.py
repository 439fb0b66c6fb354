"""The monitoring slide and report section: every indicator, its status and the sources."""

from __future__ import annotations

import math

import pytest
from pdf_reading import flat, pages_text

from geo.analysis import indicators as ind
from geo.config import PROJECT_ROOT
from geo.core.plural import plural
from geo.io.indicator_file import read_indicators
from geo.print import monitoring
from geo.print.deck import Slide
from geo.print.layout import SLIDE, to_png


@pytest.fixture(scope="module")
def watched(result):
    frame = read_indicators(PROJECT_ROOT / "data" / "wskazniki_przyklad.csv", ind.MEASURES)
    chosen = ind.IndicatorSet(ind.indicators_from_frame(frame), "PRZYKŁAD: plik", True, "p")
    # text from a file: "$...$" must not become matplotlib math (an unknown command would fail)
    extra = ind.Indicator(
        "X9", "Wskaźnik „=2+2” <b> $\\nieznane$", "podmioty_kis", 1, 2030, 5, 2035
    )
    chosen = ind.IndicatorSet([extra, *chosen.indicators], chosen.label, True, "p")
    watch = ind.monitor(
        result.region.gminy, result.entities, result.plans, result.as_of, chosen.indicators
    )
    return watch, chosen


def test_value_text() -> None:
    assert monitoring.value_text(5.64, "%") == "5,6\u00a0%"
    assert monitoring.value_text(12000.0, "gminy") == "12\u00a0000"
    assert monitoring.value_text(0.14, "na 10 tys.") == "0,14"
    assert monitoring.value_text(math.nan, "gminy") == "–"


def test_slide_shows_each_indicator_and_its_status(result, watched) -> None:
    watch, chosen = watched
    fig = monitoring.monitoring_figure(result, watch, chosen)
    assert to_png(fig)[:4] == b"\x89PNG"  # drawn: text with "$" is not parsed as math
    assert tuple(fig.get_size_inches()) == pytest.approx(SLIDE)  # 16:9
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    joined = "\n".join(texts)
    shown = watch.table.head(monitoring.MAX_SLIDE_ROWS)
    for name in shown["nazwa"]:
        assert name.split()[0] in joined
    assert "WSKAŹNIKI PRZYKŁADOWE" in joined and "stan na 30.06.2026" in joined
    more = len(watch.table) - monitoring.MAX_SLIDE_ROWS
    assert more >= 2  # the indicators left off are counted with the noun's plural form
    assert (
        f"… i {more} {plural(more, 'dalszy wskaźnik', 'dalsze wskaźniki', 'dalszych wskaźników')}"
        in joined
    )
    # the status of each row is written (symbol and word), not only coloured
    labels = {s.key: s.label for s in monitoring.styles.MONITORING}
    assert sum(joined.count(labels[s]) for s in set(shown["status"])) == len(shown)
    assert "Historia tak pełna jak daty" in joined


def test_deck_slide_and_pdf(result, watched) -> None:
    watch, chosen = watched
    slide = monitoring.monitoring_slide(result, watch, chosen)
    assert isinstance(slide, Slide) and slide.key == "monitoring" and slide.figure is not None
    assert slide.figure(SLIDE).get_size_inches()[0] == pytest.approx(SLIDE[0])
    pdf = monitoring.monitoring_pdf(result, watch, chosen, dpi=60)
    text = flat(" ".join(pages_text(pdf)))
    for row in watch.table.itertuples():
        assert flat(row.nazwa)[:20] in text
    # text from the file stays text, the unknown year before baseline is said as such
    assert "Wskaźnik „=2+2” <b> $\\nieznane$" in text
    x9 = watch.table.set_index("id").loc["X9"]
    assert x9["status"] == ind.UNKNOWN and "? nieznany" in text
    assert "Wskaźniki przykładowe" in text
