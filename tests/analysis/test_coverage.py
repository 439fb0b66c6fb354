"""Coverage engine: active entities, Model Lokalnej Współpracy status, distances, aggregates."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.analysis import coverage as C
from geo.analysis.locate import locate_entities
from geo.core.schema import REGISTRY_COLUMNS

DAY = dt.date(2026, 1, 1)


def registry(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame([{col: row.get(col) for col in REGISTRY_COLUMNS} for row in rows])
    frame["id"] = [f"E{i}" for i in range(len(rows))]
    frame["nazwa"] = [row.get("nazwa", f"Podmiot {i}") for i, row in enumerate(rows)]
    return frame


@pytest.fixture()
def cover(gminy_06, terc_pl):
    def _run(*rows: dict, as_of: dt.date = DAY) -> gpd.GeoDataFrame:
        located = locate_entities(registry(*rows), gminy_06, terc_pl, "06")
        return C.gmina_coverage(gminy_06, located, as_of).set_index("teryt")

    return _run


def test_active_mask_dates() -> None:
    frame = pd.DataFrame(
        {
            "data_rozpoczecia": [None, "2025-06-01", "2026-02-01", "2020-01-01", "2020-01-01"],
            "data_zakonczenia": [None, None, None, "2025-12-31", "2026-01-01"],
        }
    )
    assert list(C.active_mask(frame, DAY)) == [True, True, False, False, True]


def test_social_employment_in_gmina_and_by_agreement(cover) -> None:
    out = cover(
        {
            "typ": "KIS",
            "teryt": "0604042",
            "gminy_obslugiwane": "0604011;0604042",
            "nazwa": "KIS Przystań",
        },
        {"typ": "ZAZ", "teryt": "0610033"},  # a ZAZ does not count for the model
    )
    assert out.loc["0604042", "pokrycie"] == C.COVERED_HERE
    assert out.loc["0604011", "pokrycie"] == C.COVERED_BY_AGREEMENT
    assert out.loc["0604011", "obslugujace"] == "KIS Przystań"
    assert out.loc["0610033", "pokrycie"] == C.NOT_COVERED
    assert out["has_social_employment"].sum() == 2
    assert out.loc["0610033", "zaz"] == 1 and out.loc["0610033", "pes_razem"] == 1


def test_inactive_entities_do_not_count(cover) -> None:
    out = cover(
        {"typ": "CIS", "teryt": "0662011", "data_zakonczenia": "2024-12-31"},
        {"typ": "CIS", "teryt": "0664011", "data_rozpoczecia": "2027-01-01"},
    )
    assert not out["has_social_employment"].any()
    later = cover(
        {"typ": "CIS", "teryt": "0664011", "data_rozpoczecia": "2027-01-01"},
        as_of=dt.date(2027, 6, 1),
    )
    assert later.loc["0664011", "has_social_employment"]


def test_excluded_entities_do_not_count(cover) -> None:
    out = cover(
        {"typ": "CIS", "teryt": "0662011", "nazwa": "CIS Chełm"},
        {"typ": "CIS", "teryt": "0662011", "nazwa": "CIS Chełm"},  # duplicate
        {"typ": "CIS", "teryt": "1465011"},  # outside the region
        {"typ": None, "teryt": "0663011"},  # unknown type
    )
    assert out["cis"].sum() == 1
    assert out.loc["0663011", "pes_razem"] == 0


def test_counts_per_10k(cover, gminy_06) -> None:
    out = cover(*[{"typ": t, "teryt": "0663011", "nazwa": t} for t in ("CIS", "NGO", "SPS")])
    pop = int(gminy_06.set_index("teryt").loc["0663011", "ludnosc"])
    assert out.loc["0663011", "pes_razem"] == 3
    assert out.loc["0663011", "pes_na_10k"] == pytest.approx(3 / pop * 10_000, abs=0.01)
    assert out.loc["0604011", "pes_na_10k"] == 0


def test_distance_to_nearest_cis_kis(cover, gminy_06) -> None:
    lon, lat = 22.5684, 51.2465  # a CIS in central Lublin
    out = cover({"typ": "CIS", "szerokosc": lat, "dlugosc": lon})
    assert out.loc["0663011", "odleglosc_cis_kis_km"] == 0
    # independent check for a far gmina: shapely distance in EPSG:2180
    far = gminy_06.set_index("teryt").loc[["0604011"]].to_crs(C.METRIC_CRS).geometry.iloc[0]
    point = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs="EPSG:4326").to_crs(C.METRIC_CRS)
    expected = far.distance(point.iloc[0]) / 1000
    assert out.loc["0604011", "odleglosc_cis_kis_km"] == pytest.approx(expected, abs=0.1)
    assert (out["odleglosc_cis_kis_km"] >= 0).all()


def test_no_cis_kis_means_nan_distance_and_all_gaps(cover) -> None:
    out = cover({"typ": "NGO", "teryt": "0663011"})
    assert np.isnan(out["odleglosc_cis_kis_km"]).all()
    assert len(C.gminas_without_social_employment(out.reset_index())) == 213


def test_summaries_add_up(cover) -> None:
    out = cover(
        {"typ": "CIS", "teryt": "0662011"},
        {"typ": "KIS", "teryt": "0664011"},
        {"typ": "KIS", "teryt": "0605053"},
    ).reset_index()
    region = C.region_summary(out)
    powiaty = C.powiat_summary(out)
    assert region["gminy"] == 213 and len(powiaty) == 24
    assert region["gminy_z_cis_kis"] == 3 == powiaty["gminy_z_cis_kis"].sum()
    assert region["ludnosc"] == powiaty["ludnosc"].sum()
    covered_pop = out.loc[out["has_social_employment"], "ludnosc"].sum()
    assert region["proc_ludnosci_pokrytej"] == pytest.approx(
        100 * covered_pop / out["ludnosc"].sum(), abs=0.05
    )
    assert region["cis"] == 1 and region["kis"] == 2


def test_no_active_cis_kis_and_no_service_areas(gminy_06, terc_pl) -> None:
    # an all-empty service-area column must not break coverage (it may come out as float)
    located = locate_entities(registry({"typ": "NGO", "teryt": "0663011"}), gminy_06, terc_pl, "06")
    located["gminy_obslugiwane_kody"] = float("nan")
    out = C.gmina_coverage(gminy_06, located.iloc[0:0], DAY)
    assert not out["has_social_employment"].any()
    out = C.gmina_coverage(gminy_06, located, DAY)
    assert out.set_index("teryt").loc["0663011", "ngo"] == 1


def test_active_mask_compares_text_as_before_whatever_the_cells() -> None:
    starts = [None, "2025-06-01", "2026-02-01", "", "2026-01-01", "2020-01-01"]
    ends = ["2026-01-01", None, "", "2025-12-31", "2026-01-01x", "ż"]

    def expected(frame: pd.DataFrame) -> list[bool]:
        start = frame["data_rozpoczecia"].fillna("").astype(str)
        end = frame["data_zakonczenia"].fillna("").astype(str)
        day = DAY.isoformat()
        return list(((start == "") | (start <= day)) & ((end == "") | (end >= day)))

    for dtype in (object, "str", "string"):
        frame = pd.DataFrame(
            {"data_rozpoczecia": starts, "data_zakonczenia": ends}, dtype=dtype, index=[*"abcdef"]
        )
        mask = C.active_mask(frame, DAY)
        assert list(mask) == expected(frame) == [True, True, False, False, True, True]
        assert list(mask.index) == list("abcdef")
    # cells other than text: compared as their str(), as before
    other = pd.DataFrame(
        {
            "data_rozpoczecia": [dt.date(2025, 1, 1), dt.date(2027, 1, 1), float("nan")],
            "data_zakonczenia": [None, None, 20261231],
        },
        dtype=object,
    )
    assert list(C.active_mask(other, DAY)) == expected(other) == [True, False, True]


def test_names_by_key_is_the_groupby_join() -> None:
    keys = np.array(["b", "a", None, "b", "a", "b", "c"], dtype=object)
    names = np.array(["Żak", "x", "y", "Zorza", "x", "alfa", "Ą"], dtype=object)
    got = C._names_by_key(keys, names)
    frame = pd.DataFrame({"k": keys, "n": names})
    expected = frame.groupby("k")["n"].agg(lambda s: "; ".join(sorted(set(s))))
    assert got.sort_index().to_dict() == expected.to_dict()
    assert got["b"] == "Zorza; alfa; Żak"  # code-point order, as sorted() gives
    empty = C._names_by_key(np.array([], dtype=object), np.array([], dtype=object))
    assert empty.empty


def test_serving_entities_listed_once_sorted_here_and_by_agreement(cover) -> None:
    out = cover(
        {"typ": "CIS", "teryt": "0604042", "nazwa": "Źródło"},
        {"typ": "KIS", "teryt": "0604042", "nazwa": "Źródło"},  # same name, other type
        {"typ": "KIS", "teryt": "0604042", "nazwa": "apple", "gminy_obslugiwane": "0604011"},
        {"typ": "CIS", "teryt": "0610033", "nazwa": "Zorza", "gminy_obslugiwane": "0604011"},
        {"typ": "CIS", "teryt": "0604011", "nazwa": "Baza"},
    )
    assert out.loc["0604042", "obslugujace"] == "apple; Źródło"
    assert out.loc["0604011", "obslugujace"] == "Baza; Zorza; apple"
    assert out.loc["0604011", "pokrycie"] == C.COVERED_HERE
    assert out.loc["0610033", "obslugujace"] == "Zorza"
    assert out.loc["0604042", "cis"] == 1 and out.loc["0604042", "kis"] == 2


def test_service_area_codes_with_gaps_and_the_own_gmina(gminy_06, terc_pl) -> None:
    frame = registry(
        {"typ": "KIS", "teryt": "0604042", "nazwa": "KIS A"},
        {"typ": "CIS", "teryt": "0610033", "nazwa": "CIS B"},
        {"typ": "NGO", "teryt": "0662011", "nazwa": "NGO C"},
    )
    located = locate_entities(frame, gminy_06, terc_pl, "06")
    located["gminy_obslugiwane_kody"] = pd.Series(
        ["0604011;;0604042;", "0610033", "0663011"], dtype=object
    )
    out = C.gmina_coverage(gminy_06, located, DAY).set_index("teryt")
    assert out.loc["0604011", "pokrycie"] == C.COVERED_BY_AGREEMENT
    assert out.loc["0604011", "obslugujace"] == "KIS A"
    assert out.loc["0610033", "pokrycie"] == C.COVERED_HERE  # its own gmina: not an agreement
    assert out.loc["0663011", "pokrycie"] == C.NOT_COVERED  # an NGO serves no one
    assert out["has_social_employment"].sum() == 3


def test_counts_leave_out_unknown_types_even_if_marked_counted(gminy_06, terc_pl) -> None:
    frame = registry(*({"teryt": "0663011", "nazwa": f"P{i}"} for i in range(4)))
    frame["typ"] = pd.Series(["CIS", "XYZ", None, "NGO"], dtype=object)
    located = locate_entities(frame, gminy_06, terc_pl, "06")
    located["uwzgledniony"] = True
    out = C.gmina_coverage(gminy_06, located, DAY).set_index("teryt")
    assert out.loc["0663011", "pes_razem"] == 2
    assert out.loc["0663011", "cis"] == 1 and out.loc["0663011", "ngo"] == 1
    assert out.loc["0663011", "obslugujace"] == "P0"
