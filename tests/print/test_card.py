"""The gmina card PDF: one page, name, date, sources, Polish text, a map, data as plain text."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from pdf_reading import DATE_TEXT, DPI, embedded_fonts, flat, pages_text, render

from geo import pipeline
from geo.core.schema import REGISTRY_COLUMNS
from geo.present import profile as gp
from geo.print.card import gmina_card_pdf

DAY = dt.date(2026, 6, 30)  # the "stan na" date of the result fixture (conftest.py)


@pytest.fixture(scope="module")
def card(result) -> bytes:
    return gmina_card_pdf(result, gp.build_profile(result, "0618011"), dpi=DPI)


def test_gmina_card_is_one_page_with_name_date_and_sources(card: bytes, result) -> None:
    pages = pages_text(card)
    assert len(pages) == 1
    text = flat(pages[0])
    assert "Tomaszów Lubelski" in text
    assert f"stan na {DATE_TEXT}" in text
    assert "DANE PRZYKŁADOWE, NIEKOMPLETNE" in text
    assert "Model Lokalnej Współpracy: brak CIS/KIS" in text
    assert "GUS BDL" in text and "Źródła" in text
    nearest = gp.build_profile(result, "0618011").najblizsze.iloc[0]
    assert nearest["Nazwa"] in text
    # Polish letters survive as text (ToUnicode of the embedded subset), not as boxes.
    for word in ("Współpracy", "Ludność", "Porównanie", "Źródła", "Najbliższe", "województwem"):
        assert word in text
    assert embedded_fonts(card) >= {"DejaVuSansBook", "DejaVuSansBold"}


def test_gmina_card_renders_to_a_non_blank_page_with_a_map(card: bytes) -> None:
    pixels = render(card)
    height, width, _ = pixels.shape
    assert abs(width / height - 210 / 297) < 0.01  # A4 portrait
    ink = (pixels < 200).any(axis=2)
    assert ink.mean() > 0.05
    # The map's coloured fills (coverage classes) are there, not only black text.
    colourful = (pixels.max(axis=2).astype(int) - pixels.min(axis=2)) > 60
    assert colourful.mean() > 0.05


def test_card_stays_one_page_with_many_entities_and_keeps_data_aspages_text(result) -> None:
    rows = [
        {**dict.fromkeys(REGISTRY_COLUMNS), "id": f"N{i}", "typ": "NGO", "teryt": "0663011",
         "nazwa": f"Stowarzyszenie **{i}** <b>x</b> =SUM(A1)"}
        for i in range(60)
    ]  # fmt: skip
    rows.append({**dict.fromkeys(REGISTRY_COLUMNS), "id": "K", "typ": "KIS", "teryt": "0618011",
                 "nazwa": "KIS"})  # fmt: skip
    registry = pd.DataFrame(rows)[list(REGISTRY_COLUMNS)]
    info = pipeline.RegistryInfo(False, "rejestr testowy", ("test",))
    custom = pipeline.compute(result.region, registry, info, DAY)
    pdf = gmina_card_pdf(custom, gp.build_profile(custom, "0663011"), dpi=DPI)
    pages = pages_text(pdf)
    assert len(pages) == 1
    text = flat(pages[0])
    assert "Podmioty ekonomii społecznej w gminie (60)" in text
    assert "Model Lokalnej Współpracy: brak CIS/KIS" in text
    assert "kolejnych: pełna lista w aplikacji" in text
    assert "Stowarzyszenie **0** <b>x</b> =SUM(A1)" in text  # literally, no markup
    assert "DANE PRZYKŁADOWE" not in text  # an imported registry is not labelled as sample
