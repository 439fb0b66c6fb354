"""Neighbours by shared boundary, cooperation candidates and the gaps tables."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.analysis import neighbours as nb
from geo.analysis.coverage import COVERED_HERE, NOT_COVERED, gmina_coverage, region_summary
from geo.analysis.locate import locate_entities


@pytest.fixture(scope="module")
def pairs(gminy_06) -> pd.DataFrame:
    return nb.gmina_neighbours(gminy_06)


def test_pairs_are_symmetric_and_cover_every_gmina(pairs, gminy_06) -> None:
    assert not (pairs["teryt"] == pairs["sasiad"]).any()
    forward = set(zip(pairs["teryt"], pairs["sasiad"], strict=True))
    assert forward == {(b, a) for a, b in forward}
    assert set(pairs["teryt"]) == set(gminy_06["teryt"])  # no island gmina in Lubelskie
    assert (pairs["granica_km"] > 0).all()


def test_shared_lines_count_single_points_do_not(pairs, gminy_06) -> None:
    # Independent check with plain geometry predicates: "touches" includes corner contacts.
    metric = gminy_06.to_crs(2180).reset_index(drop=True)
    touching = gpd.sjoin(metric, metric, predicate="touches")
    touching = touching[touching.index != touching["index_right"]]
    codes = metric["teryt"].to_numpy()
    found = set(zip(pairs["teryt"], pairs["sasiad"], strict=True))
    corner_only = 0
    for left, right in zip(touching.index, touching["index_right"], strict=True):
        common = metric.geometry[left].intersection(metric.geometry[right])
        has_line = common.length > 0
        assert ((codes[left], codes[right]) in found) == has_line
        corner_only += not has_line
    assert len(found) == len(touching) - corner_only


def test_enclaves_have_only_their_surrounding_gmina(pairs, gminy_06) -> None:
    """A town inside a hole of the rural gmina around it borders that gmina only."""
    by_code = gminy_06.set_index("teryt").geometry
    enclaves = 0
    for code, shape in by_code.items():
        for part in getattr(shape, "geoms", [shape]):
            for ring in part.interiors:
                hole = shapely.Polygon(ring)
                inside = [
                    c
                    for c, s in by_code.items()
                    if c != code and hole.contains(s.representative_point())
                ]
                if len(inside) == 1:
                    enclaves += 1
                    assert set(pairs.loc[pairs["teryt"] == inside[0], "sasiad"]) == {code}
    assert enclaves >= 5  # Lubelskie has many towns surrounded by their rural gmina


def test_lengths_are_metres_of_shared_boundary(pairs, gminy_06) -> None:
    metric = gminy_06.to_crs(2180).set_index("teryt").geometry
    row = pairs.iloc[0]
    expected = metric[row["teryt"]].boundary.intersection(metric[row["sasiad"]].boundary).length
    assert row["granica_km"] == pytest.approx(expected / 1000, abs=0.01)
    # every gmina's shared boundaries add up to at most its perimeter
    total = pairs.groupby("teryt")["granica_km"].sum()
    perimeter = metric.boundary.length / 1000
    assert (total <= perimeter[total.index] + 0.05).all()


def test_memoised_by_boundaries(gminy_06) -> None:
    first = nb.gmina_neighbours(gminy_06)
    assert nb.gmina_neighbours(gminy_06.copy()) is first
    projected = gminy_06.to_crs(2180)  # other coordinates: computed again, same answer
    again = nb.gmina_neighbours(projected)
    assert again is not first
    assert set(zip(again["teryt"], again["sasiad"], strict=True)) == set(
        zip(first["teryt"], first["sasiad"], strict=True)
    )


def _coverage(gminy_06, terc_pl, *rows: dict) -> gpd.GeoDataFrame:
    registry = pd.DataFrame(rows)
    for column in ("id", "gminy_obslugiwane", "data_rozpoczecia", "data_zakonczenia"):
        if column not in registry:
            registry[column] = None
    registry["id"] = [str(i) for i in range(len(registry))]
    located = locate_entities(registry, gminy_06, terc_pl, "06")
    return gmina_coverage(gminy_06, located, dt.date(2026, 1, 1))


def test_candidates_are_exactly_the_covered_neighbours(pairs, gminy_06, terc_pl) -> None:
    coverage = _coverage(
        gminy_06,
        terc_pl,
        {"nazwa": "CIS Krasnystaw", "typ": "CIS", "teryt": "0606011"},
        {"nazwa": "NGO Chełm", "typ": "NGO", "teryt": "0662011"},  # not a CIS/KIS
    )
    candidates = nb.cooperation_candidates(coverage, pairs)
    around = set(pairs.loc[pairs["teryt"] == "0606011", "sasiad"])
    assert set(candidates["teryt"]) == around
    assert set(candidates["kandydat_teryt"]) == {"0606011"}
    assert set(candidates["kandydat_cis_kis"]) == {"CIS Krasnystaw"}
    assert set(candidates["kandydat_pokrycie"]) == {COVERED_HERE}


def test_gaps_table(pairs, gminy_06, terc_pl) -> None:
    coverage = _coverage(
        gminy_06,
        terc_pl,
        {"nazwa": "CIS Krasnystaw", "typ": "CIS", "teryt": "0606011"},
        {"nazwa": "=KIS Zamość", "typ": "KIS", "teryt": "0664011", "gminy_obslugiwane": "0620142"},
    )
    table = nb.gaps_table(coverage, pairs)
    assert list(table.columns) == list(nb.GAP_COLUMNS)
    gaps = coverage[coverage["pokrycie"] == NOT_COVERED]
    assert sorted(table["teryt"]) == sorted(gaps["teryt"])
    people = table["ludnosc"].astype(float).to_numpy()
    assert (np.diff(people) <= 0).all()  # largest population first
    row = table.set_index("teryt").loc[
        next(iter(set(pairs.loc[pairs["teryt"] == "0606011", "sasiad"]) & set(table["teryt"])))
    ]
    assert "CIS Krasnystaw" in row["kandydaci"] and "0606011" in row["kandydaci_teryt"].split(";")
    assert row["liczba_kandydatow"] == len(row["kandydaci_teryt"].split(";"))
    # a gmina served by agreement is covered: no gap, but a candidate for its neighbours
    assert "0620142" not in set(table["teryt"])
    assert table["lpres_status"].eq("nieznany").all()  # planning columns absent: unknown


def test_gaps_by_adds_up(pairs, gminy_06, terc_pl) -> None:
    coverage = _coverage(
        gminy_06, terc_pl, {"nazwa": "CIS Krasnystaw", "typ": "CIS", "teryt": "0606011"}
    )
    by_powiat = nb.gaps_by(coverage, ["powiat", "powiat_nazwa"])
    total = region_summary(coverage)
    assert by_powiat["gminy"].sum() == total["gminy"]
    assert by_powiat["gminy_bez_cis_kis"].sum() == total["gminy_bez_cis_kis"]
    assert (
        by_powiat["ludnosc_bez_cis_kis"].sum()
        == total["ludnosc"] - total["ludnosc_w_gminach_pokrytych"]
    )
    krasnostawski = by_powiat.set_index("powiat").loc["0606"]
    assert krasnostawski["gminy_bez_cis_kis"] == krasnostawski["gminy"] - 1
    assert (np.diff(by_powiat["ludnosc_bez_cis_kis"].to_numpy()) <= 0).all()
