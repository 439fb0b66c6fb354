"""Choropleth classes read the one style vocabulary (geo/present/styles.py); no ../shared needed."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geo.analysis.coverage import COVERED_BY_AGREEMENT, COVERED_HERE, NOT_COVERED
from geo.present import styles
from geo.web.indicators import INDICATORS, indicator_classes


@pytest.fixture()
def gminy() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pokrycie": [COVERED_HERE, COVERED_BY_AGREEMENT, NOT_COVERED, NOT_COVERED],
            "lpres_status": ["przyjety", None, "nieznany", "inny"],
            "odleglosc_cis_kis_km": [0.0, 10.0, 30.5, math.nan],
            "ludnosc": [10_000, 0, 5_000, 20_000],
            "cis": [1, 0, 0, 0],
            "kis": [0, 0, 3, 12],
        }
    )


def _triples(classes) -> list[tuple[str, str, str]]:
    return [(c.key, c.label, c.color) for c in classes if not c.no_data]


@pytest.mark.parametrize(
    ("indicator", "vocabulary"),
    [
        ("pokrycie", styles.COVERAGE),
        ("lpres_status", styles.LPRES),
        ("odleglosc_cis_kis_km", styles.DISTANCE_CLASSES),
    ],
)
def test_classes_are_the_style_vocabulary(gminy, indicator, vocabulary) -> None:
    _, classes, _ = indicator_classes(gminy, indicator)
    assert _triples(classes) == [(s.key, s.label, s.color) for s in vocabulary]
    # only "unknown" is hatched on the web
    assert [c.key for c in classes if c.hatched] == (
        [styles.UNKNOWN_KEY] if indicator == "lpres_status" else []
    )


def test_distance_bins_follow_the_style_bounds(gminy) -> None:
    keys, classes, _ = indicator_classes(gminy, "odleglosc_cis_kis_km")
    assert keys.tolist() == ["d0", "d1", "d4", "dna"]
    assert [c.key for c in classes if c.no_data] == ["dna"]


def test_counts_use_the_count_colours_and_flag_missing_population(gminy) -> None:
    for indicator in ("pes_razem", "pes_na_10k"):
        keys, classes, _ = indicator_classes(gminy, indicator)
        assert [c.color for c in classes if not c.no_data] == list(styles.COUNT_COLORS)
    keys, classes, values = indicator_classes(gminy, "pes_na_10k")
    missing = [c for c in classes if c.no_data]
    assert [(c.key, c.color) for c in missing] == [("wna", styles.NO_DATA)]
    assert keys.tolist()[1] == "wna" and values.tolist()[1] == ""


def test_every_indicator_has_classes(gminy) -> None:
    for indicator in INDICATORS:
        keys, classes, values = indicator_classes(gminy, indicator)
        assert len(keys) == len(values) == len(gminy)
        assert set(keys) <= {c.key for c in classes}
