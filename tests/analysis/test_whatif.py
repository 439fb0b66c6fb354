"""What-if scenarios: planned CIS/KIS and closures against the coverage of Lubelskie."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.analysis import coverage as C
from geo.analysis.locate import locate_entities
from geo.analysis.scenarios import (
    Addition,
    NewSite,
    ScenarioError,
    ScenarioResult,
    WhatIf,
    saved,
    what_if,
)
from geo.analysis.scenarios.whatif import (
    CHANGE_LOST,
    CHANGE_NEW,
    SERVE_NEIGHBOURS,
    SERVE_WITHIN,
    closable,
    entity_keys,
    summary_by,
)
from geo.core.schema import REGISTRY_COLUMNS

DAY = dt.date(2026, 1, 1)
KIS_HOME = "0604042"  # the KIS below stands here and serves 0604011 by agreement
AGREED = "0604011"
OPEN = "0610033"  # no CIS/KIS


def registry(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame([{col: row.get(col) for col in REGISTRY_COLUMNS} for row in rows])
    frame["id"] = [f"E{i}" for i in range(len(rows))]
    frame["nazwa"] = [row.get("nazwa", f"Podmiot {i}") for i, row in enumerate(rows)]
    return frame


@pytest.fixture()
def base(gminy_06, terc_pl):
    """(coverage table, located entities) with one KIS serving two gminas and one ZAZ."""
    located = locate_entities(
        registry(
            {"typ": "KIS", "teryt": KIS_HOME, "gminy_obslugiwane": f"{AGREED};{KIS_HOME}"},
            {"typ": "ZAZ", "teryt": OPEN},
        ),
        gminy_06,
        terc_pl,
        "06",
    )
    located["zrodlo_rejestru"] = "rejestr testowy"
    located["wiersz"] = range(2, 2 + len(located))
    return C.gmina_coverage(gminy_06, located, DAY), located


def rows(result, codes):
    return result.gminy.set_index("teryt").loc[codes]


def test_empty_scenario_changes_nothing(base) -> None:
    gminy, located = base
    result = what_if(gminy, located, DAY, WhatIf())
    assert list(result.gminy["pokrycie_po"]) == list(gminy["pokrycie"])
    assert (result.gminy["pokryta_przed"] == result.gminy["pokryta_po"]).all()
    assert result.totals["pokryte_przed"] == result.totals["pokryte_po"] == 2
    assert result.totals["gminy"] == len(gminy)
    assert result.sites.empty and result.closed.empty


def test_new_site_in_its_own_gmina(base) -> None:
    gminy, located = base
    result = what_if(gminy, located, DAY, WhatIf(additions=(Addition(OPEN, "CIS"),)))
    row = rows(result, [OPEN]).iloc[0]
    assert (row["pokrycie_przed"], row["pokrycie_po"]) == (C.NOT_COVERED, C.COVERED_HERE)
    assert row["zmiana"] == CHANGE_NEW and row["odleglosc_km_po"] == 0
    assert (result.gminy["zmiana"] == CHANGE_NEW).sum() == 1
    population = int(gminy.set_index("teryt").loc[OPEN, "ludnosc"])
    gained = result.totals["ludnosc_pokryta_po"] - result.totals["ludnosc_pokryta_przed"]
    assert gained == population
    site = result.sites.iloc[0]
    assert site["nowo_pokryte"] == (OPEN,) and site["typ"] == "CIS"
    shape = gminy.set_index("teryt").geometry[OPEN]
    assert shape.contains(Point(site["lon"], site["lat"]))


def test_new_site_serving_chosen_neighbours(base, gminy_06) -> None:
    gminy, located = base
    shapes = gminy_06.set_index("teryt").geometry
    touching = sorted(t for t in shapes.index if t != OPEN and shapes[t].touches(shapes[OPEN]))
    chosen = tuple(touching[:2])
    add = Addition(OPEN, "KIS", SERVE_NEIGHBOURS, chosen)
    result = what_if(gminy, located, DAY, WhatIf(additions=(add,)))
    after = rows(result, list(chosen))
    assert set(after["pokrycie_po"]) <= {C.COVERED_BY_AGREEMENT, C.COVERED_HERE}
    assert result.sites.iloc[0]["obslugiwane"] == (OPEN, *chosen)
    others = result.gminy[~result.gminy["teryt"].isin({OPEN, *chosen})]
    assert (others["pokrycie_po"] == others["pokrycie_przed"]).all()


def test_new_site_serving_every_gmina_within_d(base) -> None:
    gminy, located = base
    d = 12.0
    result = what_if(gminy, located, DAY, WhatIf(d, (Addition(OPEN, "CIS", SERVE_WITHIN),)))
    metric = gminy.set_index("teryt").geometry.to_crs("EPSG:2180")
    point = metric[OPEN].representative_point()
    expected = {t for t, shape in metric.items() if shape.distance(point) <= d * 1000}
    served = set(result.sites.iloc[0]["obslugiwane"])
    assert served == expected and len(served) > 1
    assert rows(result, sorted(served))["pokryta_po"].all()


def test_closing_a_kis_loses_its_gminas(base) -> None:
    gminy, located = base
    key = closable(located, DAY)["klucz"].tolist()
    assert key == ["rejestr testowy: E0"]
    result = what_if(gminy, located, DAY, WhatIf(closures=tuple(key)))
    lost = rows(result, [KIS_HOME, AGREED])
    assert (lost["zmiana"] == CHANGE_LOST).all()
    assert (lost["pokrycie_po"] == C.NOT_COVERED).all()
    assert result.totals["pokryte_po"] == 0
    assert list(result.closed["klucz"]) == key


def test_unknown_closure_is_reported_not_fatal(base) -> None:
    gminy, located = base
    result = what_if(gminy, located, DAY, WhatIf(closures=("inne źródło: X9",)))
    assert result.missing_closures == ("inne źródło: X9",)
    assert result.totals["pokryte_po"] == 2


def test_entity_keys_fall_back_to_row_number() -> None:
    frame = pd.DataFrame({"zrodlo_rejestru": ["a", "a"], "id": ["7", None], "wiersz": [2, 3]})
    assert list(entity_keys(frame)) == ["a: 7", "a: wiersz 3"]


def test_distance_rule_counts_gminas_near_a_cis_kis(base) -> None:
    gminy, located = base
    near = gminy[(gminy["pokrycie"] == C.NOT_COVERED) & (gminy["odleglosc_cis_kis_km"] <= 10)]
    assert len(near)
    result = what_if(gminy, located, DAY, WhatIf(10.0, count_within_km=True))
    assert rows(result, list(near["teryt"]))["pokryta_przed"].all()
    plain = what_if(gminy, located, DAY, WhatIf(10.0))
    assert not rows(plain, list(near["teryt"]))["pokryta_przed"].any()


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        (WhatIf(additions=(Addition(OPEN, "ZAZ"),)), "CIS lub KIS"),
        (WhatIf(additions=(Addition("0699999", "CIS"),)), "0699999"),
        (WhatIf(additions=(Addition(OPEN, "CIS", SERVE_NEIGHBOURS, ("1234567",)),)), "1234567"),
        (WhatIf(additions=(Addition(OPEN, "CIS", "wszędzie"),)), "sposób obsługi"),
        (WhatIf(0.0), "dodatnia"),
    ],
)
def test_invalid_scenarios_are_refused(base, scenario, message) -> None:
    gminy, located = base
    with pytest.raises(ScenarioError, match=message):
        what_if(gminy, located, DAY, scenario)


def test_summary_per_powiat_adds_up(base) -> None:
    gminy, located = base
    result = what_if(gminy, located, DAY, WhatIf(additions=(Addition(OPEN, "CIS"),)))
    per_powiat = summary_by(result.gminy, ["powiat", "powiat_nazwa"])
    assert per_powiat["powiat"].nunique() == gminy["powiat"].nunique()
    for column, total in result.totals.items():
        assert int(per_powiat[column].sum()) == total
    row = per_powiat.set_index("powiat").loc[OPEN[:4]]
    assert row["pokryte_po"] == row["pokryte_przed"] + 1
    assert row["luki_po"] == row["luki_przed"] - 1
    assert np.array_equal(summary_by(result.gminy, ["podregion"])["gminy"].to_numpy(), [len(gminy)])


def test_saved_definition_round_trips_through_json() -> None:
    whatif = WhatIf(
        20.0,
        (Addition(OPEN, "KIS", SERVE_NEIGHBOURS, (AGREED,)), Addition(AGREED, "CIS")),
        ("rejestr: 1",),
        count_within_km=True,
    )
    scenario = saved.SavedScenario(DAY, whatif, {"tryb": "cover", "status": "optimal"})
    text = json.dumps(saved.to_json(scenario))
    assert saved.from_json(json.loads(text)) == scenario


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"format": 99},
        {"format": 1, "as_of": "wczoraj", "within_km": 5},
        {"format": 1, "as_of": "2026-01-01", "within_km": 5, "additions": [{"teryt": 1}]},
        {"format": 1, "as_of": "2026-01-01", "within_km": 5, "closures": "x"},
    ],
)
def test_damaged_saved_definition_is_refused(data) -> None:
    with pytest.raises(ScenarioError):
        saved.from_json(data)


def test_optimiser_sites_become_planned_sites_within_d() -> None:
    site = NewSite("0610033", "Gmina", 51.0, 22.0, ("0610033",))
    plan = ScenarioResult("cover", 15.0, None, "optimal", 0.0, (site,), 1, 2, 10, 20, 3, (), 0.1)
    assert saved.additions_from_plan(plan, "KIS") == (Addition("0610033", "KIS", SERVE_WITHIN),)
