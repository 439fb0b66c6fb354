"""Monitoring measures from the registry and plans, and progress along the path to targets."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from geo.analysis import indicators as ind
from geo.analysis.locate import locate_entities
from geo.analysis.lpres import PLAN_COLUMNS


@pytest.fixture(scope="module")
def located(gminy_06, terc_pl):
    rows = [
        # a CIS in Chełm from 2018 to 2020
        {"nazwa": "CIS Chełm", "typ": "CIS", "teryt": "0662011",
         "data_rozpoczecia": "2018-05-01", "data_zakonczenia": "2020-12-30"},
        # a KIS in Zamość without dates: counted in every year
        {"nazwa": "KIS Zamość", "typ": "KIS", "teryt": "0664011"},
        # a KIS in Puławy from 2016 serving the rural gmina too
        {"nazwa": "KIS Puławy", "typ": "KIS", "teryt": "0614011",
         "data_rozpoczecia": "2016-01-01", "gminy_obslugiwane": "0614011;0614092"},
        {"nazwa": "SPS", "typ": "SPS", "teryt": "0614011", "data_rozpoczecia": "2019-07-01"},
    ]  # fmt: skip
    frame = pd.DataFrame(rows)
    for column in ("gminy_obslugiwane", "data_rozpoczecia", "data_zakonczenia"):
        if column not in frame:
            frame[column] = None
    frame["id"] = [str(i) for i in range(len(frame))]
    return locate_entities(frame, gminy_06, terc_pl, "06")


def _plans(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame([{c: "" for c in PLAN_COLUMNS} | r for r in rows], columns=PLAN_COLUMNS)


DATES = [dt.date(2017, 12, 31), dt.date(2019, 12, 31), dt.date(2021, 6, 1)]


def test_measures_per_year(located, gminy_06) -> None:
    plans = _plans(
        {"id": "P1", "jst": "Gmina Puławy", "zakres": "gmina", "teryt_gmin": "0614092",
         "status": "przyjety", "uchwala_data": "2019-03-01"},
        {"id": "P2", "jst": "Gmina X", "zakres": "gmina", "teryt_gmin": "0601011",
         "status": "brak"},
    )  # fmt: skip
    values = ind.yearly_measures(gminy_06, located, plans, DATES, list(ind.MEASURES))
    table = values.pivot(index="rok", columns="miara", values="wartosc")
    # 2017: Zamość + Puławy city and rural gmina; 2019: + Chełm; 2021: Chełm closed
    assert table["gminy_z_cis_kis"].to_dict() == {2017: 3, 2019: 4, 2021: 3}
    assert table["gminy_bez_cis_kis"].to_dict() == {2017: 210, 2019: 209, 2021: 210}
    assert table.loc[2019, "proc_gmin_z_cis_kis"] == round(100 * 4 / 213, 1)
    people = gminy_06.set_index("teryt")["ludnosc"]
    covered = people[["0664011", "0614011", "0614092", "0662011"]].sum()
    assert table.loc[2019, "ludnosc_w_gminach_z_cis_kis"] == covered
    share = round(100 * covered / people.sum(), 1)
    assert table.loc[2019, "proc_ludnosci_w_gminach_z_cis_kis"] == share
    assert table["podmioty_razem"].to_dict() == {2017: 2, 2019: 4, 2021: 3}
    assert table["podmioty_cis_kis"].to_dict() == {2017: 2, 2019: 3, 2021: 2}
    assert table["podmioty_sps"].to_dict() == {2017: 0, 2019: 1, 2021: 1}
    assert table.loc[2019, "pes_na_10k"] == round(4 / people.sum() * 10_000, 2)
    # adopted in 2019; before it only P2 ("brak") is known, which makes 0 a known value
    assert table["gminy_z_lpres"].to_dict() == {2017: 0, 2019: 1, 2021: 1}


def test_gaps_without_candidate_count_gminas_with_no_covered_neighbour(located, gminy_06) -> None:
    from geo.analysis.neighbours import gmina_neighbours

    values = ind.yearly_measures(gminy_06, located, _plans(), DATES[:1], ["luki_bez_kandydata"])
    pairs = gmina_neighbours(gminy_06)
    covered = {"0664011", "0614011", "0614092"}
    near = set(pairs.loc[pairs["sasiad"].isin(covered), "teryt"]) - covered
    assert values["wartosc"].iloc[0] == 213 - len(covered) - len(near)


def test_lpres_measure_is_unknown_without_any_plan_data(located, gminy_06) -> None:
    values = ind.yearly_measures(gminy_06, located, _plans(), DATES[:1], ["gminy_z_lpres"])
    assert math.isnan(values["wartosc"].iloc[0])
    # a plan adopted later says nothing about the years before its resolution
    later = _plans(
        {"id": "P1", "jst": "Gmina Puławy", "zakres": "gmina", "teryt_gmin": "0614092",
         "status": "przyjety", "uchwala_data": "2019-03-01"},
    )  # fmt: skip
    values = ind.yearly_measures(gminy_06, located, later, DATES[:2], ["gminy_z_lpres"])
    assert math.isnan(values["wartosc"].iloc[0]) and values["wartosc"].iloc[1] == 1


def test_unknown_population_makes_rates_unknown(located, gminy_06) -> None:
    gminy = gminy_06.assign(ludnosc=None)
    values = ind.yearly_measures(
        gminy, located, _plans(), DATES[:1], ["pes_na_10k", "proc_ludnosci_w_gminach_z_cis_kis"]
    )
    assert values["wartosc"].isna().all()


INCREASE = ind.Indicator("W1", "Gminy z CIS/KIS", "gminy_z_cis_kis", 10, 2020, 110, 2030)
DECREASE = ind.Indicator("W2", "Luki", "gminy_bez_cis_kis", 200, 2020, 100, 2030)


def test_path_is_linear_from_baseline_to_target() -> None:
    assert ind.expected_value(INCREASE, 2020) == 10
    assert ind.expected_value(INCREASE, 2025) == 60
    assert ind.expected_value(INCREASE, 2030) == 110
    assert ind.expected_value(INCREASE, 2034) == 110  # the target holds after its year
    assert ind.expected_value(INCREASE, 2019) is None
    assert ind.expected_value(DECREASE, 2024) == 160


@pytest.mark.parametrize(
    ("indicator", "year", "value", "status"),
    [
        (INCREASE, 2025, 61, ind.ON_TRACK),  # ahead of the path
        (INCREASE, 2025, 60, ind.ON_TRACK),  # exactly on it
        (INCREASE, 2025, 59, ind.BEHIND),
        (INCREASE, 2025, 110, ind.REACHED),
        (INCREASE, 2031, 100, ind.BEHIND),  # past the target year, target missed
        (DECREASE, 2024, 150, ind.ON_TRACK),  # lower is better here
        (DECREASE, 2024, 170, ind.BEHIND),
        (DECREASE, 2024, 100, ind.REACHED),
        (INCREASE, 2019, 50, ind.UNKNOWN),  # before the baseline year
        (INCREASE, 2025, None, ind.UNKNOWN),
        (INCREASE, 2025, math.nan, ind.UNKNOWN),
    ],
)
def test_on_track(indicator, year, value, status) -> None:
    assert ind.on_track(indicator, year, value) == status


def test_assess_and_table_take_the_last_year(located, gminy_06) -> None:
    values = ind.yearly_measures(gminy_06, located, _plans(), DATES, ["gminy_z_cis_kis"])
    target = ind.Indicator("W1", "Gminy", "gminy_z_cis_kis", 3, 2017, 7, 2021)
    history = ind.assess(target, values)
    assert history["rok"].tolist() == [2017, 2019, 2021]
    assert history["sciezka"].tolist() == [3, 5, 7]
    assert history["status"].tolist() == [ind.ON_TRACK, ind.BEHIND, ind.BEHIND]
    table = ind.monitoring_table([target], values)
    row = table.iloc[0]
    assert (row["rok"], row["wartosc"], row["status"]) == (2021, 3, ind.BEHIND)
    assert row["status_nazwa"] == ind.STATUS_LABELS[ind.BEHIND]


def test_indicators_from_frame() -> None:
    frame = pd.DataFrame(
        [{"id": "A", "nazwa": "a", "miara": "pes_na_10k", "wartosc_bazowa": 1.5,
          "rok_bazowy": 2020, "wartosc_docelowa": 3.0, "rok_docelowy": 2030, "zrodlo": "x",
          "uwagi": None}]
    )  # fmt: skip
    (one,) = ind.indicators_from_frame(frame)
    assert one == ind.Indicator("A", "a", "pes_na_10k", 1.5, 2020, 3.0, 2030, "x", "")
