"""The gmina card tells the whole truth: unlocated entities, literal data, no "does not fit"."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
from pdf_reading import DPI, flat, pages_text

from geo import pipeline
from geo.core.schema import REGISTRY_COLUMNS
from geo.present import profile as gp
from geo.print.card import gmina_card_pdf

DAY = dt.date(2026, 6, 30)  # the "stan na" date of the result fixture (conftest.py)
KIS_TOMASZOW = "Klub Integracji Społecznej w Tomaszowie Lubelskim"


def _custom(result: pipeline.CoverageResult, rows: list[dict]) -> pipeline.CoverageResult:
    frame = pd.DataFrame([{**dict.fromkeys(REGISTRY_COLUMNS), **row} for row in rows])
    info = pipeline.RegistryInfo(False, "rejestr testowy", ("test",))
    return pipeline.compute(result.region, frame[list(REGISTRY_COLUMNS)], info, DAY)


def test_card_lists_the_unlocated_kis_naming_the_gmina_and_whom_to_tell(result) -> None:
    profile = gp.build_profile(result, "0618011")
    text = flat(" ".join(pages_text(gmina_card_pdf(result, profile, dpi=DPI))))
    assert "Podmioty bez ustalonej gminy, które mogą dotyczyć tej gminy (1)" in text
    assert KIS_TOMASZOW in text and "niejednoznaczna gmina" in text
    assert "skontaktuj się z Regionalnym Ośrodkiem Polityki Społecznej" in text  # no contact set

    with_contact = dataclasses.replace(profile, kontakt="es@rops.example.pl")
    text = flat(" ".join(pages_text(gmina_card_pdf(result, with_contact, dpi=DPI))))
    assert "Zgłoś poprawkę: es@rops.example.pl" in text


def test_text_from_data_is_never_page_count_syntax(result) -> None:
    custom = _custom(
        result,
        [
            {"id": "1", "nazwa": "{nb}", "typ": "NGO", "teryt": "0663011"},
            {"id": "2", "nazwa": "Klub {nb} i {page}", "typ": "KIS", "teryt": "0663011"},
        ],
    )
    pages = pages_text(gmina_card_pdf(custom, gp.build_profile(custom, "0663011"), dpi=DPI))
    text = flat(pages[0])
    assert "Klub {nb} i {page}" in text
    assert "{nb} NGO" in text  # the entity named "{nb}" in the table, as written
    assert "strona 1/1" in text  # the footer's own page count still works


def test_a_card_that_does_not_fit_continues_on_a_second_page(result) -> None:
    long_name = "Centrum Integracji Społecznej Stowarzyszenia na Rzecz Rozwoju Gminy nr {}"
    rows = [
        {"id": f"C{i}", "nazwa": long_name.format(i), "typ": "CIS" if i % 2 else "KIS",
         "teryt": "0663011"}
        for i in range(45)
    ]  # fmt: skip
    custom = _custom(result, rows)
    profile = gp.build_profile(custom, "0663011")
    pages = pages_text(gmina_card_pdf(custom, profile, dpi=DPI))
    assert len(pages) == 2
    text = flat(" ".join(pages))
    assert long_name.format(44) in text  # the coverage explanation names every one of them
    assert "strona 1/2" in flat(pages[0]) and "strona 2/2" in flat(pages[1])
    assert "Źródła" in flat(pages[1])


def test_a_long_operator_is_named_in_full_and_the_card_keeps_one_page(result) -> None:
    operator = "Fundacja Rozwoju Lubelszczyzny; Grupa Medialna ITM Sp. z o.o. i partnerzy"
    profile = dataclasses.replace(gp.build_profile(result, "0618011"), owes_operator=operator)
    pages = pages_text(gmina_card_pdf(result, profile, dpi=DPI))
    assert len(pages) == 1  # the map gives way to the wrapped lines
    text = flat(pages[0])
    assert operator in text, "wrapped, not cut"
    assert "…" not in text.split("Porównanie")[0].split("Podstawowe informacje")[-1]
