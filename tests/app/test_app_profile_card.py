"""The profile's PDF button: a card that cannot be made gives a Polish message, not a dead button."""

from __future__ import annotations

import streamlit as st
from apptest_pages import open_page

from geo.print import card
from geo.print.pdf import ReportError

PROFILE = "pages/profil.py"


def _texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def test_card_failure_is_shown_in_polish(pes_env, monkeypatch) -> None:
    def broken(*args, **kwargs) -> bytes:
        raise ReportError("Brak miejsca na dysku.")

    st.cache_data.clear()  # the card of an earlier test must not answer
    monkeypatch.setattr(card, "gmina_card_pdf", broken)
    at = open_page(PROFILE, gmina="0663011")
    errors = _texts(at.error)
    assert "Nie udało się przygotować pliku karta_gminy_0663011" in errors
    assert "Brak miejsca na dysku" in errors
    assert [h.value for h in at.header] == ["Lublin"]  # the rest of the profile is there


def test_unexpected_card_failure_is_shown_in_polish_too(pes_env, monkeypatch) -> None:
    def broken(*args, **kwargs) -> bytes:
        raise RuntimeError("fpdf internal")

    st.cache_data.clear()
    monkeypatch.setattr(card, "gmina_card_pdf", broken)
    at = open_page(PROFILE, gmina="0663011")
    errors = _texts(at.error)
    assert "Nie udało się przygotować pliku karta_gminy_0663011" in errors
    assert "nieoczekiwany błąd" in errors
    assert "fpdf internal" not in errors


def test_card_is_offered_for_download_when_it_can_be_made(pes_env) -> None:
    st.cache_data.clear()
    at = open_page(PROFILE, gmina="0663011")
    assert not at.error
    assert "Pobierz kartę gminy (PDF)" in [b.label for b in at.get("download_button")]
