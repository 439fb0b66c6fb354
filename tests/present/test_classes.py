"""Choropleth classes: bounds equal mapclassify's own, Polish legend labels, the same classes
on the web map and in print."""

from __future__ import annotations

import json
import math
import warnings

import mapclassify
import numpy as np
import pandas as pd
import pytest

from geo.errors import MapError
from geo.present import classes, styles
from geo.web.indicators import CLASSED_INDICATORS, indicator_classes

VALUES = pd.Series([0.0, 0.0, 0.35, 1.2, 1.25, 2.0, 3.4, 4.75, 8.0, 12.5, np.nan, 0.8])
REFERENCE = {
    "kwantyle": mapclassify.Quantiles,
    "naturalne": mapclassify.FisherJenks,
    "rowne": mapclassify.EqualInterval,
}


def _reference(method: str, values: pd.Series, k: int) -> mapclassify.classifiers.MapClassifier:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return REFERENCE[method](values.dropna().to_numpy(), k=k)


@pytest.mark.parametrize("method", list(classes.METHODS))
@pytest.mark.parametrize("k", [3, 5])
def test_bounds_and_membership_match_mapclassify(method: str, k: int) -> None:
    keys, found = classes.classify(VALUES, method, k=k)
    reference = _reference(method, VALUES, k)
    assert found is not None
    assert found.bounds == pytest.approx(tuple(reference.bins))
    present = VALUES.notna()
    assert keys[present].tolist() == [f"c{i}" for i in reference.yb]
    assert keys[~present].isna().all()
    assert found.lowest == 0.0 and len(found.styles) == len(reference.bins)


def test_labels_use_decimal_commas_and_units() -> None:
    _, found = classes.classify(VALUES, "rowne", k=5, digits=1, unit="km")
    assert found is not None
    labels = [s.label for s in found.styles]
    assert labels[0] == "0,0 – 2,5\u00a0km"
    assert labels[1] == "powyżej 2,5 do 5,0\u00a0km"
    assert labels[-1] == "powyżej 10,0 do 12,5\u00a0km"
    assert all("." not in label for label in labels)


def test_colours_come_from_the_style_vocabulary() -> None:
    _, five = classes.classify(VALUES, "kwantyle", k=5)
    assert five is not None
    assert [s.color for s in five.styles] == list(styles.COUNT_COLORS)
    _, three = classes.classify(VALUES, "rowne", k=3)
    assert three is not None
    colors = [s.color for s in three.styles]
    assert colors[0] == styles.COUNT_COLORS[0] and colors[-1] == styles.COUNT_COLORS[-1]
    assert set(colors) <= set(styles.COUNT_COLORS) and len(set(colors)) == 3


def test_few_distinct_values_and_no_values() -> None:
    keys, found = classes.classify(pd.Series([0.0] * 10 + [1.0]), "naturalne", k=5)
    assert found is not None and found.bounds == (0.0, 1.0)
    assert keys.tolist() == ["c0"] * 10 + ["c1"]
    keys, found = classes.classify(pd.Series([math.nan, math.nan]), "kwantyle")
    assert found is None and keys.isna().all()
    with pytest.raises(MapError, match="Nieznana metoda"):
        classes.classify(VALUES, "losowo")


def test_print_form_has_no_data_class_last() -> None:
    keys, by_key = classes.map_classes(VALUES, "kwantyle", k=4)
    assert list(by_key)[-1] == classes.NO_DATA_KEY
    assert by_key[classes.NO_DATA_KEY].color == styles.NO_DATA
    assert keys.iloc[10] == classes.NO_DATA_KEY and set(keys) <= set(by_key)


def _gminy(per_10k: list[float], distance: list[float]) -> pd.DataFrame:
    people = 10_000
    return pd.DataFrame(
        {
            "teryt": [f"06010{i:02d}" for i in range(len(per_10k))],
            "ludnosc": people,
            "cis": 0,
            "kis": 0,
            "ngo": [int(v) for v in per_10k],
            "pokrycie": "brak",
            "odleglosc_cis_kis_km": distance,
        }
    )


def test_web_map_uses_the_same_classes_as_print() -> None:
    gminy = _gminy([0, 1, 2, 3, 5, 8, 13, 21], [0, 4.5, 9.1, 12.0, 30.2, math.nan, 7.7, 3.3])
    assert CLASSED_INDICATORS == {"pes_na_10k", "odleglosc_cis_kis_km"}
    for indicator, column in (
        ("pes_na_10k", gminy["ngo"].astype(float)),
        ("odleglosc_cis_kis_km", gminy["odleglosc_cis_kis_km"]),
    ):
        keys, legend, _ = indicator_classes(gminy, indicator, method="naturalne")
        scale = classes.SCALES[indicator]
        print_keys, print_styles = classes.map_classes(column, "naturalne", **scale)
        web = [c for c in legend if not c.no_data]
        assert [c.key for c in web] == [k for k in print_styles if k != classes.NO_DATA_KEY]
        assert [c.color for c in web] == [
            s.color for k, s in print_styles.items() if k != classes.NO_DATA_KEY
        ]
        used = keys[print_keys != classes.NO_DATA_KEY]
        assert used.tolist() == print_keys[print_keys != classes.NO_DATA_KEY].tolist()
    # distance labels read in km with one decimal; per 10k with two
    _, legend, _ = indicator_classes(gminy, "odleglosc_cis_kis_km", method="rowne")
    assert legend[0].label.endswith("km") and legend[-1].no_data
    _, legend, _ = indicator_classes(gminy, "pes_na_10k", method="rowne")
    assert legend[0].label == "0,00 – 4,20"


def test_web_default_keeps_the_fixed_classes() -> None:
    gminy = _gminy([0, 1, 2, 3], [0, 4.5, 9.1, 12.0])
    fixed = indicator_classes(gminy, "pes_na_10k")
    assert [c.key for c in fixed[1]][:5] == ["w0", "w1", "w2", "w3", "w4"]
    # a method on a non-numeric indicator changes nothing
    keys, legend, _ = indicator_classes(gminy, "pokrycie", method="kwantyle")
    assert [c.key for c in legend] == [s.key for s in styles.COVERAGE]


def test_web_map_legend_lists_the_method_bounds() -> None:
    import geopandas as gpd
    from shapely.geometry import box

    from geo.web.maps import MapOptions, build_map

    gminy = _gminy([0, 1, 2, 3, 5, 8], [0, 4.5, 9.1, 12.0, 30.2, 7.7])
    frame = gpd.GeoDataFrame(
        gminy.assign(
            nazwa="G",
            rodzaj_nazwa="gmina wiejska",
            powiat="0601",
            powiat_nazwa="P",
            pes_razem=gminy["ngo"],
        ),  # fmt: skip
        geometry=[box(22 + i * 0.1, 51, 22.1 + i * 0.1, 51.1) for i in range(len(gminy))],
        crs="EPSG:4326",
    )
    html = (
        build_map(frame, None, options=MapOptions("odleglosc_cis_kis_km", class_method="rowne"))
        .get_root()
        .render()
    )
    # the legend travels as a JSON string inside the page's script
    first, last = (
        json.dumps(t)[1:-1] for t in ("0,0 – 6,0\u00a0km", "powyżej 24,2 do 30,2\u00a0km")
    )
    assert first in html and last in html
    default = build_map(frame, None, options=MapOptions("odleglosc_cis_kis_km")).get_root()
    assert first not in default.render()


def test_print_legend_entries_carry_the_same_labels_and_colours() -> None:
    from matplotlib.colors import to_hex

    from geo.print.legend import class_patch

    gminy = _gminy([0, 1, 2, 3, 5, 8], [0, 4.5, 9.1, 12.0, 30.2, 7.7])
    _, web, _ = indicator_classes(gminy, "pes_na_10k", method="kwantyle")
    _, by_key = classes.map_classes(
        gminy["ngo"].astype(float), "kwantyle", **classes.SCALES["pes_na_10k"]
    )
    patches = [class_patch(style, 1) for key, style in by_key.items() if key != classes.NO_DATA_KEY]
    own = [c for c in web if not c.no_data]
    assert [p.get_label().split(" (")[0] for p in patches] == [c.label for c in own]
    assert [to_hex(p.get_facecolor()) for p in patches] == [c.color for c in own]


def test_natural_breaks_of_many_values_use_evenly_spaced_order_statistics() -> None:
    rng = np.random.default_rng(7)
    many = pd.Series(np.round(rng.gamma(2.0, 1.0, 2477), 2))
    keys, found = classes.classify(many, "naturalne")
    ordered = np.sort(many.to_numpy())
    picks = np.linspace(0, len(ordered) - 1, classes.NATURAL_BREAKS_SAMPLE).round().astype(int)
    reference = _reference("naturalne", pd.Series(ordered[picks]), 5)
    assert found is not None and found.bounds == pytest.approx(tuple(reference.bins))
    assert found.bounds[-1] == many.max()  # every gmina falls in a class
    assert keys.notna().all()
    # the same on every run (mapclassify's FisherJenksSampled would sample at random)
    assert classes.classify(many, "naturalne")[1] == found
