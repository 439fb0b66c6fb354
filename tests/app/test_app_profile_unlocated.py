"""The profile (AppTest) names the unlocated KIS of Tomaszów Lubelski and whom to tell."""

from __future__ import annotations

from apptest_pages import APP, TIMEOUT, open_page
from streamlit.testing.v1 import AppTest

PROFILE = "pages/profil.py"
KIS = "Klub Integracji Społecznej w Tomaszowie Lubelskim"


def _texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def test_profile_lists_the_unlocated_kis_with_a_report_link(pes_env, monkeypatch) -> None:
    monkeypatch.setenv("PES_REPORT_CONTACT", "es@rops.example.pl")
    at = open_page(PROFILE, gmina="0618011")
    markdown = _texts(at.markdown)
    assert "Podmioty bez ustalonej gminy, które mogą dotyczyć tej gminy (1)" in markdown
    assert "Klub Integracji Społecznej w Tomaszowie Lubelskim" in markdown
    assert "niejednoznaczna gmina" in markdown
    assert "[Zgłoś poprawkę](mailto:es@rops.example.pl?subject=" in markdown
    assert "Regionalnym Ośrodkiem Polityki Społecznej" not in _texts(at.caption)


def test_without_a_contact_the_profile_says_to_ask_the_rops(pes_env, monkeypatch) -> None:
    monkeypatch.delenv("PES_REPORT_CONTACT", raising=False)
    at = open_page(PROFILE, gmina="0618112")
    assert "Zgłoś poprawkę" not in _texts(at.markdown)
    assert "skontaktuj się z Regionalnym Ośrodkiem Polityki Społecznej" in _texts(at.caption)


def test_a_bad_contact_setting_is_a_polish_error(pes_env, monkeypatch) -> None:
    monkeypatch.setenv("PES_REPORT_CONTACT", "nie-adres")
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.run()
    assert "Nieprawidłowy PES\\_REPORT\\_CONTACT" in _texts(app.error)  # escaped Markdown
