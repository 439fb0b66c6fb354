"""Planning scenarios: exact answers checked against brute force on small synthetic regions.

The brute force below re-reads the rules of issue 14 on its own (shapely distances from each
gmina's representative point, every subset of candidates), so it shares no code with the
solver's instance beyond the input frame.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Polygon

from geo.analysis.scenarios import (
    OPTIMAL,
    ScenarioError,
    ScenarioOptions,
    build_instance,
    plan_cover,
    plan_maximize,
)

ORIGIN = (600_000.0, 400_000.0)  # EPSG:2180, eastern Poland
SIDE = 10_000.0


def grid(rows: int, cols: int, rng: np.random.Generator | None = None) -> gpd.GeoDataFrame:
    """Gminas as 10 km squares (one corner moved by up to 2 km with ``rng``, so that distances
    differ), codes 06RRCC1 in row-major order."""
    shapes, codes = [], []
    for r, c in itertools.product(range(rows), range(cols)):
        x, y = ORIGIN[0] + c * SIDE, ORIGIN[1] + r * SIDE
        bulge = float(rng.uniform(-2000, 2000)) if rng is not None else 0.0
        shapes.append(Polygon([(x, y), (x + SIDE, y), (x + SIDE + bulge, y + SIDE), (x, y + SIDE)]))
        codes.append(f"06{r + 1:02d}{c + 1:02d}1")
    frame = gpd.GeoDataFrame(
        {
            "teryt": codes,
            "nazwa": [f"Gmina {code}" for code in codes],
            "ludnosc": 1000,
            "pokrycie": "brak",
            "odleglosc_cis_kis_km": np.nan,
        },
        geometry=shapes,
        crs="EPSG:2180",
    )
    return frame.to_crs("EPSG:4326")


def brute_force(
    gminy: gpd.GeoDataFrame,
    within_km: float,
    budget: int | None,
    exclude: frozenset[str] = frozenset(),
    min_population: int = 0,
    use_agreements: bool = True,
) -> tuple[str, ...] | None:
    """The answer by enumerating every subset of the allowed sites (None: infeasible)."""
    metric = gminy.to_crs("EPSG:2180").sort_values("teryt").reset_index(drop=True)
    codes = list(metric["teryt"])
    pop = {t: int(p) for t, p in zip(codes, metric["ludnosc"], strict=True)}
    before = set()
    for row in metric.itertuples():
        agreed = row.pokrycie != "brak" if use_agreements else row.pokrycie == "w_gminie"
        if agreed or (
            not np.isnan(row.odleglosc_cis_kis_km) and row.odleglosc_cis_kis_km <= within_km
        ):
            before.add(row.teryt)
    allowed = [t for t in codes if t not in exclude and pop[t] >= min_population]
    reach = {}
    for site in allowed:
        point = metric.geometry[codes.index(site)].representative_point()
        reach[site] = {
            t
            for t, poly in zip(codes, metric.geometry, strict=True)
            if poly.distance(point) <= within_km * 1000
        }
    wanted = set(codes) - exclude

    def key(subset: tuple[str, ...]) -> tuple:
        covered = before.union(*(reach[s] for s in subset))
        counted = sum(pop[t] for t in covered if t in wanted)
        everyone = sum(pop[t] for t in covered)
        if budget is None:
            return (len(subset), -everyone, subset)
        return (-counted, -everyone, len(subset), subset)

    best = None
    sizes = range(len(allowed) + 1) if budget is None else range(min(budget, len(allowed)) + 1)
    for size in sizes:
        for subset in itertools.combinations(allowed, size):  # sorted: allowed is sorted
            if budget is None:
                covered = before.union(*(reach[s] for s in subset))
                if not wanted <= covered:
                    continue
            if best is None or key(subset) < key(best):
                best = subset
        if budget is None and best is not None:
            break
    return best


def random_region(seed: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    rows, cols = (3, 4) if seed % 2 else (4, 3)
    frame = grid(rows, cols, rng)
    # Few distinct populations: many ties for the tie-breaks to settle.
    frame["ludnosc"] = rng.choice([500, 1000, 1000, 4000], size=len(frame))
    frame["pokrycie"] = rng.choice(["brak"] * 6 + ["w_gminie", "porozumienie"], size=len(frame))
    distance = rng.choice([0.0, 6.0, 14.0, 30.0, np.nan], size=len(frame))
    frame["odleglosc_cis_kis_km"] = np.where(frame["pokrycie"] == "w_gminie", 0.0, distance)
    return frame


def codes(result) -> tuple[str, ...]:
    return tuple(site.teryt for site in result.new_sites)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("within_km", [4.0, 9.0, 16.0])
def test_cover_matches_brute_force(seed: int, within_km: float) -> None:
    region = random_region(seed)
    expected = brute_force(region, within_km, None)
    result = plan_cover(region, within_km)
    assert result.status == OPTIMAL
    assert codes(result) == expected
    assert result.covered_after == result.gminas


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize(("sites", "within_km"), [(1, 9.0), (2, 9.0), (3, 16.0), (2, 4.0)])
def test_maximize_matches_brute_force(seed: int, sites: int, within_km: float) -> None:
    region = random_region(seed)
    expected = brute_force(region, within_km, sites)
    result = plan_maximize(region, sites, within_km)
    assert result.status == OPTIMAL
    assert codes(result) == expected


@pytest.mark.parametrize("seed", range(4))
def test_options_match_brute_force(seed: int) -> None:
    region = random_region(seed)
    exclude = frozenset(region["teryt"].iloc[[1, 5]])
    for options, args in [
        (ScenarioOptions(exclude=exclude), {"exclude": exclude}),
        (ScenarioOptions(use_agreements=False), {"use_agreements": False}),
        (ScenarioOptions(min_population=1000), {"min_population": 1000}),
    ]:
        expected = brute_force(region, 16.0, None, **args)
        if expected is None:
            with pytest.raises(ScenarioError):
                plan_cover(region, 16.0, options)
        else:
            assert codes(plan_cover(region, 16.0, options)) == expected
        assert codes(plan_maximize(region, 2, 9.0, options)) == brute_force(region, 9.0, 2, **args)


def test_ties_go_to_the_lowest_codes() -> None:
    # Three squares in a row; a square's point is about 5 km from its neighbours.
    region = grid(1, 3)
    assert codes(plan_cover(region, 6.0)) == ("0601021",)  # only the middle reaches all
    assert codes(plan_cover(region, 20.0)) == ("0601011",)  # all reach all: the lowest code
    assert codes(plan_maximize(region, 1, 20.0)) == ("0601011",)
    # Every pair covers two gminas of equal population: the lowest pair.
    assert codes(plan_maximize(region, 2, 4.0)) == ("0601011", "0601021")


def test_ties_go_first_to_more_people_covered() -> None:
    # 0601021 and 0601031 each cover both required gminas; the higher code also reaches the
    # excluded 0601041 (7,000 inhabitants), the lower only the excluded 0601011 (1,000).
    region = grid(1, 4)
    region["ludnosc"] = [1000, 1000, 1000, 7000]
    exclude = frozenset({"0601011", "0601041"})
    result = plan_cover(region, 6.0, ScenarioOptions(exclude=exclude))
    assert result.status == OPTIMAL
    assert codes(result) == ("0601031",) == brute_force(region, 6.0, None, exclude=exclude)
    assert "0601041" in result.covered_teryt and "0601011" not in result.covered_teryt
    assert result.population_covered_after == 9000


def test_maximize_uses_no_site_that_covers_nobody_new() -> None:
    region = grid(1, 2)
    result = plan_maximize(region, 5, 20.0)
    assert codes(result) == ("0601011",)
    assert result.covered_after == 2 and result.population_covered_after == 2000


def test_nothing_to_do_when_all_are_covered() -> None:
    region = grid(2, 2).assign(pokrycie="w_gminie", odleglosc_cis_kis_km=0.0)
    result = plan_cover(region, 10.0)
    assert result.new_sites == () and result.covered_before == result.covered_after == 4


def test_agreements_count_unless_ignored() -> None:
    region = grid(1, 3)
    region["pokrycie"] = ["porozumienie", "w_gminie", "porozumienie"]
    region["odleglosc_cis_kis_km"] = [40.0, 0.0, 40.0]  # the agreement's CIS/KIS is far away
    assert plan_cover(region, 4.0).new_sites == ()
    ignored = plan_cover(region, 4.0, ScenarioOptions(use_agreements=False))
    assert ignored.covered_before == 1 and codes(ignored) == ("0601011", "0601031")


def test_operating_site_within_distance_covers() -> None:
    region = grid(1, 2).assign(odleglosc_cis_kis_km=[3.0, 12.0])
    instance = build_instance(region, 5.0)
    assert instance.covered_before.tolist() == [True, False]


def test_infeasible_when_no_allowed_site_reaches_a_gmina() -> None:
    region = grid(1, 4)
    region["ludnosc"] = [100, 100, 5000, 5000]
    with pytest.raises(ScenarioError, match="nie da się pokryć 2 gmin"):
        plan_cover(region, 4.0, ScenarioOptions(min_population=1000))


def test_unknown_excluded_code_is_refused() -> None:
    with pytest.raises(ScenarioError, match="nieznane kody"):
        plan_cover(grid(1, 2), 5.0, ScenarioOptions(exclude=frozenset({"9999999"})))


def test_new_site_stands_at_the_representative_point() -> None:
    region = grid(1, 1)
    result = plan_cover(region, 1.0)
    (site,) = result.new_sites
    expected = region.to_crs("EPSG:2180").representative_point().to_crs("EPSG:4326").iloc[0]
    assert site.lon == pytest.approx(expected.x, abs=1e-6)
    assert site.lat == pytest.approx(expected.y, abs=1e-6)
    assert site.serves == ("0601011",)


def test_time_limit_reports_status() -> None:
    # Large enough that a near-zero limit stops the first solve with an incumbent or none.
    region = grid(6, 6)
    try:
        result = plan_cover(region, 12.0, ScenarioOptions(time_limit_s=1e-9))
    except ScenarioError as exc:
        assert "limicie czasu" in str(exc)
    else:
        assert result.status in {OPTIMAL, "time_limit"}
        assert result.covered_after == result.gminas


def test_cover_out_of_time_still_covers_every_gmina() -> None:
    # At 4 km each square reaches only itself: four separate parts, none solved in time, each
    # given a plain feasible cover, reported as time_limit with an unproven gap.
    region = grid(1, 4)
    result = plan_cover(region, 4.0, ScenarioOptions(time_limit_s=1e-9))
    assert result.status == "time_limit" and result.gap == 1.0
    assert result.covered_after == result.gminas
