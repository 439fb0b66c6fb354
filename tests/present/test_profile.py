"""The gmina profile: search by name or code, deep-link resolution, facts and explanations."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo import pipeline
from geo.analysis.coverage import COVERED_BY_AGREEMENT, COVERED_HERE, NOT_COVERED
from geo.config import get_settings
from geo.core.schema import REGISTRY_COLUMNS
from geo.core.text import fold
from geo.present import profile as gp

DAY = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def settings(tmp_path_factory, shared_data):
    home = tmp_path_factory.mktemp("profile") / "home"
    return get_settings(
        {"PES_HOME": str(home), "PES_DATA_DIR": str(shared_data), "PES_REGION": "06"}
    )


@pytest.fixture(scope="module")
def result(settings) -> pipeline.CoverageResult:
    return pipeline.run(settings, DAY)


def _registry(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame([{**dict.fromkeys(REGISTRY_COLUMNS), **row} for row in rows])
    return frame[list(REGISTRY_COLUMNS)]


def _compute(result: pipeline.CoverageResult, rows: list[dict]) -> pipeline.CoverageResult:
    info = pipeline.RegistryInfo(False, "rejestr testowy", ("test",))
    return pipeline.compute(result.region, _registry(rows), info, DAY)


# ----------------------------------------------------------------------------- search


def test_search_without_diacritics_finds_both_tomaszow_gminas(result) -> None:
    found = gp.search_gminy(result.gminy, "tomaszow", result.region.terc)
    assert set(found["teryt"]) == {"0618011", "0618112"}
    assert set(found["nazwa"]) == {"Tomaszów Lubelski"}
    labels = dict(zip(found["teryt"], found["etykieta"], strict=True))
    assert "gmina miejska" in labels["0618011"] and "gmina wiejska" in labels["0618112"]
    assert all("powiat tomaszowski" in label for label in labels.values())


def test_search_words_narrow_by_type_and_case_and_diacritics_do_not_matter(result) -> None:
    found = gp.search_gminy(result.gminy, "  TOMASZÓW   Wiejska ", result.region.terc)
    assert list(found["teryt"]) == ["0618112"]
    assert list(gp.search_gminy(result.gminy, "leczna")["nazwa"]) == ["Łęczna"]


def test_search_ranks_names_starting_with_the_query_first(result) -> None:
    found = gp.search_gminy(result.gminy, "chelm", result.region.terc)
    # Both Chełm gminas (city and rural) before names that only contain "chelm" later on.
    assert set(found["teryt"].head(2)) == {"0662011", "0603032"}
    assert all(fold(name).find("chelm") >= 0 for name in found["nazwa"])


def test_search_by_powiat_name_when_no_gmina_name_matches(result) -> None:
    found = gp.search_gminy(result.gminy, "tomaszowski", result.region.terc, limit=100)
    expected = result.gminy.loc[result.gminy["powiat"] == "0618", "teryt"]
    assert set(found["teryt"]) == set(expected)


def test_search_by_code_current_old_and_partial(result) -> None:
    terc = result.region.terc
    assert list(gp.search_gminy(result.gminy, "0618011", terc)["teryt"]) == ["0618011"]
    assert list(gp.search_gminy(result.gminy, "06 18 011", terc)["teryt"]) == ["0618011"]
    old = gp.search_gminy(result.gminy, "0601052", terc)
    assert list(old["teryt"]) == ["0601053"]
    assert "0601052" in old["uwaga"].iloc[0]
    powiat = gp.search_gminy(result.gminy, "0618", terc, limit=100)
    assert set(powiat["teryt"]) == set(result.gminy.loc[result.gminy["powiat"] == "0618", "teryt"])
    assert list(powiat["teryt"]) == sorted(powiat["teryt"])


@pytest.mark.parametrize("query", ["", "   ", "lodz", "9999999", "1465011"])
def test_search_without_match_is_empty(result, query) -> None:
    found = gp.search_gminy(result.gminy, query, result.region.terc)
    assert found.empty
    assert list(found.columns) == ["teryt", "nazwa", "etykieta", "uwaga"]


def test_resolve_link_codes(result) -> None:
    terc = result.region.terc
    assert gp.resolve_gmina(result.gminy, "0618011", terc) == ("0618011", "")
    code, note = gp.resolve_gmina(result.gminy, "0601052", terc)
    assert code == "0601053" and "0601052" in note
    with pytest.raises(gp.ProfileError, match="Nieprawidłowy kod gminy"):
        gp.resolve_gmina(result.gminy, "abc<script>", terc)
    with pytest.raises(gp.ProfileError, match="Nie znaleziono gminy"):
        gp.resolve_gmina(result.gminy, "1465011", terc)  # Warszawa: not in this region


# ----------------------------------------------------------------------------- neighbours


def test_neighbours_of_a_town_and_its_rural_gmina(result) -> None:
    # A town enclosed by its rural gmina has exactly that one neighbour.
    assert gp.neighbours_of(result.gminy, "0618011") == ["0618112"]
    around = gp.neighbours_of(result.gminy, "0618112")
    assert "0618011" in around and "0618112" not in around
    assert gp.neighbours_of(result.gminy, "0000000") == []


# ----------------------------------------------------------------------------- profile


def test_profile_of_a_gap_explains_the_nearest_cis_kis(result) -> None:
    row = result.gminy.set_index("teryt").loc["0618011"]
    assert row["pokrycie"] == NOT_COVERED
    profile = gp.build_profile(result, "0618011")
    assert profile.nazwa == "Tomaszów Lubelski"
    assert profile.powiat_etykieta == "powiat tomaszowski"
    assert profile.pokrycie == NOT_COVERED
    assert profile.ludnosc == int(row["ludnosc"])
    nearest = profile.najblizsze.iloc[0]
    # The same distance as the coverage engine's (one computation, one measure).
    assert nearest["Odległość, km"] == pytest.approx(row["odleglosc_cis_kis_km"], abs=0.05)
    assert list(profile.najblizsze["Odległość, km"]) == sorted(profile.najblizsze["Odległość, km"])
    assert nearest["Nazwa"] in profile.pokrycie_opis
    assert "km od granicy gminy" in profile.pokrycie_opis
    assert profile.stan_na == "stan na 30.06.2026"
    assert profile.is_sample


def test_profile_counts_and_comparison_come_from_the_pipeline(result) -> None:
    profile = gp.build_profile(result, "0663011")  # Lublin
    row = result.gminy.set_index("teryt").loc["0663011"]
    assert len(profile.podmioty) == row["pes_razem"] > 0
    assert sum(profile.typy.values()) == row["pes_razem"]
    assert set(profile.podmioty["Typ"]) == {t for t, n in profile.typy.items() if n}
    powiat = result.powiaty.set_index("powiat").loc["0663"]
    comparison = profile.porownanie
    assert comparison.loc["pes", "region"] == result.summary["pes"]
    assert comparison.loc["pes_na_10k", "gmina"] == pytest.approx(row["pes_na_10k"])
    assert comparison.loc["pes_na_10k", "powiat"] == pytest.approx(
        powiat["pes"] / powiat["ludnosc"] * 10_000, abs=0.01
    )
    assert (
        comparison.loc["proc_ludnosci_pokrytej", "region"]
        == result.summary["proc_ludnosci_pokrytej"]
    )
    table = gp.comparison_table(profile)
    assert list(table.columns) == ["Wskaźnik", "Gmina", "Powiat", "Województwo"]
    assert table.loc[table["Wskaźnik"] == "Ludność", "Województwo"].iloc[0] == "1\u00a0996\u00a0550"
    assert profile.pokrycie == COVERED_HERE
    assert "W gminie działa" in profile.pokrycie_opis


def test_profile_names_the_agreement_and_a_neighbour_that_could_serve(result) -> None:
    rows = [
        {"id": "K1", "nazwa": "KIS Alfa", "typ": "KIS", "teryt": "0618112",
         "gminy_obslugiwane": "0618011"},
        {"id": "C1", "nazwa": "CIS Beta", "typ": "CIS", "teryt": "0663011"},
    ]  # fmt: skip
    custom = _compute(result, rows)
    served = gp.build_profile(custom, "0618011")
    assert served.pokrycie == COVERED_BY_AGREEMENT
    assert list(served.obslugujace["Nazwa"]) == ["KIS Alfa"]
    assert "porozumienia" in served.pokrycie_opis and "KIS Alfa" in served.pokrycie_opis
    # Niemce borders Lublin, which has a CIS: a candidate for an inter-gmina agreement.
    niemce = gp.build_profile(custom, "0609112")
    assert niemce.pokrycie == NOT_COVERED
    assert niemce.sasiad_moze_obsluzyc
    assert "sąsiedniej gminie (Lublin)" in niemce.pokrycie_opis
    assert niemce.najblizsze.iloc[0]["Nazwa"] == "CIS Beta"
    assert bool(niemce.najblizsze.iloc[0]["sasiednia"])
    far = gp.build_profile(custom, "0601053")  # Janów Podlaski: far from both
    assert not far.sasiad_moze_obsluzyc
    assert "Żadna sąsiednia gmina" in far.pokrycie_opis


def test_profile_when_no_cis_kis_is_active(result) -> None:
    rows = [
        # A service area somewhere keeps that column textual (see the report on geo.analysis.coverage).
        {"id": "Z1", "nazwa": "ZAZ", "typ": "ZAZ", "teryt": "0618011",
         "gminy_obslugiwane": "0618112"},
        {"id": "K1", "nazwa": "KIS", "typ": "KIS", "teryt": "0663011",
         "data_zakonczenia": "2020-12-31"},
    ]  # fmt: skip
    profile = gp.build_profile(_compute(result, rows), "0618011")
    assert profile.najblizsze.empty
    assert "nie ma żadnego działającego CIS/KIS" in profile.pokrycie_opis
    assert list(profile.podmioty["Typ"]) == ["ZAZ"]


def test_profile_of_unknown_gmina_is_a_polish_error(result) -> None:
    with pytest.raises(gp.ProfileError, match="Nie znaleziono gminy"):
        gp.build_profile(result, "0000000")


def test_planning_attributes_come_from_the_pipeline(result) -> None:
    attrs = gp.planning_attributes(result)
    assert list(attrs["teryt"]) == list(result.gminy["teryt"])
    assert list(attrs["lpres_status"]) == list(result.gminy["lpres_status"])
    # Never empty: what is not configured is "nieznany", never guessed or blank.
    assert attrs["owes_podregion_nazwa"].map(lambda v: isinstance(v, str) and v != "").all()
    profile = gp.build_profile(result, "0618011")
    row = result.gminy.set_index("teryt").loc["0618011"]
    assert profile.owes_podregion == row["owes_podregion_nazwa"]
    assert profile.lpres_status == row["lpres_status"]
    assert any(line.startswith("LPRES:") for line in profile.zrodla)

    # A result without planning columns reads as unknown, not as "no plan".
    bare = result.gminy.drop(columns=[c for c in gp.PLANNING_COLUMNS if c in result.gminy])
    plain = pipeline.CoverageResult(**{**result.__dict__, "gminy": bare})
    attrs = gp.planning_attributes(plain)
    assert set(attrs["lpres_status"]) == {gp.UNKNOWN}
    assert set(attrs["owes_podregion_nazwa"]) == {gp.UNKNOWN}
    assert gp.build_profile(plain, "0618011").lpres_opis.startswith("Brak informacji")


def test_profile_shows_plan_details_as_plain_text(result) -> None:
    gminy = result.gminy.copy()
    mask = gminy["teryt"] == "0618011"
    gminy.loc[mask, "owes_operator"] = "Operator <b>X</b>"
    gminy.loc[mask, "lpres_status"] = "przyjety"
    gminy.loc[mask, "lpres_status_nazwa"] = "przyjęty"
    gminy.loc[mask, "lpres_plan"] = "Plan gminy"
    enriched = pipeline.CoverageResult(**{**result.__dict__, "gminy": gminy})
    profile = gp.build_profile(enriched, "0618011")
    assert profile.owes_operator == "Operator <b>X</b>"
    assert profile.lpres_status == "przyjety" and profile.lpres_status_nazwa == "przyjęty"
    assert "Plan: Plan gminy." in profile.lpres_opis


def test_janow_lubelski_plan_in_preparation(result) -> None:
    """The sample LPRES data (a verified fact) reaches the profile through the pipeline."""
    profile = gp.build_profile(result, "0605053")
    assert profile.lpres_status == result.gminy.set_index("teryt").loc["0605053", "lpres_status"]
    assert profile.lpres_status != gp.UNKNOWN
    assert profile.lpres_status_nazwa in profile.lpres_opis


def test_labels_and_formatting() -> None:
    assert gp.powiat_label("0663", "Lublin") == "miasto na prawach powiatu Lublin"
    assert gp.powiat_label("0618", "tomaszowski") == "powiat tomaszowski"
    assert gp.fmt_int(1996550) == "1\u00a0996\u00a0550"
    assert gp.fmt_num(2.5) == "2,5" and gp.fmt_num(0.125, 2) == "0,12"
    assert gp.fmt_km(float("nan")) == "—"
    assert gp.fmt_pct(None) == "—"
    assert gp.fmt_date(dt.date(2026, 1, 2)) == "02.01.2026"
