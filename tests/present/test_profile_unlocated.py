"""Entities that name a gmina but have none: matching, the profile's list, the contact link."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, unquote, urlsplit

import pandas as pd
import pytest

from geo import pipeline
from geo.config import ConfigError, get_settings, validate_contact
from geo.core.schema import REGISTRY_COLUMNS
from geo.present import profile as gp
from geo.present.profile_unlocated import names_gmina, report_link, unlocated_naming, word_matches

DAY = dt.date(2026, 6, 30)
KIS_TOMASZOW = "Klub Integracji Społecznej w Tomaszowie Lubelskim"


@pytest.fixture(scope="module")
def result(tmp_path_factory, shared_data) -> pipeline.CoverageResult:
    home = tmp_path_factory.mktemp("unlocated") / "home"
    env = {
        "PES_HOME": str(home),
        "PES_DATA_DIR": str(shared_data),
        "PES_REGION": "06",
        "PES_REPORT_CONTACT": "es@rops.example.pl",
    }
    return pipeline.run(get_settings(env), DAY)  # the sample registry of data/


@pytest.mark.parametrize(
    ("text", "gmina"),
    [
        (KIS_TOMASZOW, "Tomaszów Lubelski"),
        ("TOMASZOW LUBELSKI", "Tomaszów Lubelski"),
        ("KGW w Gródku", "Gródek"),
        ("ul. Długa 1, 21-010 Łęcznej", "Łęczna"),
        ("Spółdzielnia w Białej Podlaskiej", "Biała Podlaska"),
        ("Klub w Puławach", "Puławy"),
        ("Stowarzyszenie w Rykach", "Ryki"),
    ],
)
def test_locative_forms_name_the_gmina(text: str, gmina: str) -> None:
    assert names_gmina(text, gmina)


@pytest.mark.parametrize(
    ("text", "gmina"),
    [
        ("ul. Lubartowska 5, Lublin", "Lubartów"),  # a street named after the town
        ("powiat tomaszowski", "Tomaszów Lubelski"),
        ("Tomaszów Mazowiecki", "Tomaszów Lubelski"),  # every word must match
        ("Lubelski Tomaszów", "Tomaszów Lubelski"),  # in order
        ("Lublin", "Lubartów"),
        ("", "Lublin"),
        (None, "Lublin"),
    ],
)
def test_other_texts_do_not_name_the_gmina(text: object, gmina: str) -> None:
    assert not names_gmina(text, gmina)


def test_word_matching_limits() -> None:
    assert word_matches("tomaszowie", "tomaszow")
    assert not word_matches("tomaszowskiego", "tomaszow")  # adds too much
    assert not word_matches("lubartowska", "lubartow")  # an adjective
    assert not word_matches("lu", "lublin")


def test_tomaszow_profiles_list_the_unlocated_kis_of_the_sample_registry(result) -> None:
    assert result.registry.is_sample
    for teryt in ("0618011", "0618112"):  # the name fits the urban and the rural gmina
        profile = gp.build_profile(result, teryt)
        assert profile.pokrycie_nazwa == "brak CIS/KIS"
        listed = profile.nieustalone
        assert list(listed["Nazwa"]) == [KIS_TOMASZOW]
        row = listed.iloc[0]
        assert row["Typ"] == "KIS"
        assert row["Problem"] == "niejednoznaczna gmina"
        assert "0618011" in row["Powód"] and "0618112" in row["Powód"]
        assert "gmina" in row["Gmina wymieniona w"]
        # The status explains itself: a KIS may be here but is counted nowhere.
        assert KIS_TOMASZOW in profile.pokrycie_opis and "nie jest liczony" in profile.pokrycie_opis


def test_a_located_gmina_lists_nothing_and_closed_entities_are_left_out(result) -> None:
    assert gp.build_profile(result, "0663011").nieustalone.empty  # Lublin
    rows = [
        {"id": "A", "nazwa": "KIS w Tomaszowie Lubelskim", "typ": "KIS",
         "gmina": "Tomaszów Lubelski", "data_zakonczenia": "2020-01-01"},
        {"id": "B", "nazwa": "CIS bez gminy", "typ": "CIS", "adres": "ul. Polna 1, Tomaszów Lub."},
        {"id": "C", "nazwa": "Stowarzyszenie", "typ": "NGO", "miejscowosc": "Tomaszowie Lubelskim"},
    ]  # fmt: skip
    frame = pd.DataFrame([{**dict.fromkeys(REGISTRY_COLUMNS), **r} for r in rows])
    info = pipeline.RegistryInfo(False, "rejestr testowy", ("test",))
    custom = pipeline.compute(result.region, frame[list(REGISTRY_COLUMNS)], info, DAY)
    listed = unlocated_naming(custom.entities, "Tomaszów Lubelski", DAY)
    # A closed before the date; B names only "Tomaszów Lub." (not the whole name); C by locality
    assert list(listed["Nazwa"]) == ["Stowarzyszenie"]
    assert list(listed["Gmina wymieniona w"]) == ["miejscowość"]


def test_report_link_names_gmina_and_entity_and_data_cannot_add_headers(result) -> None:
    profile = gp.build_profile(result, "0618011")
    assert profile.kontakt == "es@rops.example.pl"
    link = profile.report_link("KIS & co?\nBcc: x@y.pl")
    assert link is not None and link.startswith("mailto:es@rops.example.pl?")
    query = parse_qs(urlsplit(link).query)
    assert set(query) == {"subject", "body"}  # "&" and "?" from data stay inside the subject
    subject = query["subject"][0]
    assert "KIS & co?" in subject and "Tomaszów Lubelski" in subject and "0618011" in subject
    assert "\n" not in unquote(link.split("?", 1)[0])
    assert report_link(None, "X", "0618011", "Y") is None


def test_report_contact_setting_is_validated() -> None:
    assert validate_contact(" mailto:rops@lubelskie.pl ") == "rops@lubelskie.pl"
    assert validate_contact("") is None
    assert get_settings({"PES_HOME": "/tmp/x"}).report_contact is None
    for bad in ("rops", "a@b", "a@b.pl?cc=x@y.pl", "<a@b.pl>"):
        with pytest.raises(ConfigError, match="PES_REPORT_CONTACT"):
            validate_contact(bad)


def test_the_column_matcher_agrees_with_names_gmina() -> None:
    """The vectorised prefilter of unlocated_naming never drops a match names_gmina finds."""
    texts = [
        KIS_TOMASZOW, "w Tomaszowie Lub.", "Tomaszowa Lubelskiego", "Tomaszów-Lubelski",
        "Tomaszów Mazowiecki", "powiat tomaszowski", "TOMASZOWIE LUBELSKIM", None, "",
    ]  # fmt: skip
    frame = pd.DataFrame(
        {
            "nazwa": [f"podmiot {i}" for i in range(len(texts))],
            "typ": "NGO",
            "adres": texts,
            "teryt_gminy": None,
            "data_rozpoczecia": None,
            "data_zakonczenia": None,
            "problem_kategoria": "nie ustalono gminy",
            "problem": "",
            "zrodlo": "test",
        }
    )
    listed = unlocated_naming(frame, "Tomaszów Lubelski", DAY)
    expected = [f"podmiot {i}" for i, t in enumerate(texts) if names_gmina(t, "Tomaszów Lubelski")]
    assert list(listed["Nazwa"]) == expected
    assert len(expected) == 4  # the inflected, hyphenated and upper-case full names
