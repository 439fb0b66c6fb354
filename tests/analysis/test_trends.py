"""Coverage over time from start and end dates, for the region and per group."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.analysis import trends
from geo.analysis.locate import locate_entities


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
         "data_rozpoczecia": "2016-01-01", "gminy_obslugiwane": "0614011;0614082"},
        {"nazwa": "ZAZ", "typ": "ZAZ", "teryt": "0614011", "data_rozpoczecia": "2019-07-01"},
        # not located: not counted, not in the completeness figures
        {"nazwa": "Bez gminy", "typ": "CIS", "data_rozpoczecia": "2001-01-01"},
    ]  # fmt: skip
    frame = pd.DataFrame(rows)
    for column in ("gminy_obslugiwane", "data_rozpoczecia", "data_zakonczenia"):
        if column not in frame:
            frame[column] = None
    frame["id"] = [str(i) for i in range(len(frame))]
    return locate_entities(frame, gminy_06, terc_pl, "06")


def test_dates_run_from_the_first_start_to_the_chosen_day(located) -> None:
    day = dt.date(2022, 3, 15)
    dates = trends.trend_dates(located, day)
    assert dates[0] == dt.date(2016, 12, 31)  # the unlocated 2001 entity does not count
    assert dates[-1] == day
    assert [d.year for d in dates] == list(range(2016, 2023))
    assert trends.trend_dates(located, day, first_year=2020)[0] == dt.date(2020, 12, 31)
    capped = trends.trend_dates(located, day, first_year=1950)
    assert len(capped) == trends.MAX_YEARS and capped[-1] == day


def test_yearly_figures(located, gminy_06) -> None:
    dates = trends.trend_dates(located, dt.date(2022, 3, 15))
    groups = gminy_06["powiat"].map({"0614": "puławski", "0662": "Chełm"}).fillna("reszta")
    cover, types = trends.yearly_coverage(gminy_06, located, dates, groups)
    region = cover[cover["obszar"] == trends.REGION].set_index("rok")
    # 2016-2017: Zamość (no dates) + Puławy city and rural gmina; 2018-2019: + Chełm; 2020
    # ends on 30.12, so not on 31.12.2020
    assert region["gminy_z_cis_kis"].to_dict() == {
        2016: 3, 2017: 3, 2018: 4, 2019: 4, 2020: 3, 2021: 3, 2022: 3,
    }  # fmt: skip
    assert (region["gminy"] == 213).all()
    chelm = cover[cover["obszar"] == "Chełm"].set_index("rok")
    assert chelm.loc[2019, "gminy_z_cis_kis"] == 1 and chelm.loc[2021, "gminy_z_cis_kis"] == 0
    by_type = types[types["obszar"] == trends.REGION].pivot(
        index="rok", columns="typ", values="liczba"
    )
    assert by_type.loc[2018, "ZAZ"] == 0 and by_type.loc[2019, "ZAZ"] == 1
    assert by_type.loc[2019, "CIS"] == 1 and by_type.loc[2022, "CIS"] == 0
    assert (by_type["KIS"] == 2).all()
    # groups add up to the region
    sums = (
        cover[cover["obszar"] != trends.REGION]
        .groupby("rok")[["gminy", "gminy_z_cis_kis", "pes"]]
        .sum()
    )
    assert (sums.to_numpy() == region[["gminy", "gminy_z_cis_kis", "pes"]].to_numpy()).all()


def test_a_year_matches_the_map_for_that_date(pes_env) -> None:
    from geo import pipeline
    from geo.config import get_settings

    day = dt.date(2020, 12, 31)
    result = pipeline.run(get_settings(), dt.date(2026, 1, 1))
    cover, types = trends.yearly_coverage(result.region.gminy, result.entities, [day])
    then = pipeline.run(get_settings(), day).summary
    row = cover.iloc[0]
    assert row["gminy_z_cis_kis"] == then["gminy_z_cis_kis"]
    assert row["pes"] == then["pes"]
    assert row["proc_ludnosci_pokrytej"] == then["proc_ludnosci_pokrytej"]
    assert types.set_index("typ")["liczba"].to_dict()["CIS"] == then["cis"]


def test_date_completeness(located) -> None:
    info = trends.date_completeness(located)
    assert info == {
        "podmioty": 4,
        "bez_daty_rozpoczecia": 1,
        "bez_daty_zakonczenia": 3,
        "zakonczone": 1,
        "cis_kis": 3,
        "cis_kis_bez_daty_rozpoczecia": 1,
        "cis_kis_zakonczone": 1,
    }
