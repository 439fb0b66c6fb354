"""pages/_downloads.py: a file that cannot be made is a Polish message, never a silent no-op.

Issue 16 (#2): the registry and validation-report XLSX downloads were callables run by
Streamlit after the click; when they failed, the button did nothing.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page(kind: str, fails: str) -> None:
    import streamlit as st

    from geo.errors import UserError
    from pages._downloads import download, download_on_request

    def build() -> bytes:
        if fails == "bug":
            raise RuntimeError("ścieżka /srv/tajne")
        if fails == "user":
            raise UserError("Brak danych do eksportu.")
        st.session_state["made"] = st.session_state.get("made", 0) + 1
        return b"dane"

    if kind == "now":
        download("Pobierz XLSX", build, file_name="luki.xlsx", mime="application/x", key="d")
    else:
        download_on_request(
            "Pobierz XLSX", build, file_name="rejestr.xlsx", mime="application/x", key="d", token=1
        )


def _run(kind: str, fails: str) -> AppTest:
    return AppTest.from_function(_page, args=(kind, fails), default_timeout=30).run()


def test_a_failing_file_is_a_polish_message_without_details() -> None:
    at = _run("now", "bug")
    assert not at.exception
    assert not at.get("download_button")
    (error,) = at.error
    assert "Nie udało się przygotować pliku luki.xlsx" in error.value
    assert "/srv/tajne" not in error.value  # details go to the log, not to the visitor


def test_a_user_error_is_shown_as_it_is() -> None:
    at = _run("now", "user")
    assert "Brak danych do eksportu." in at.error[0].value
    assert not at.get("download_button")


def test_a_file_made_now_is_offered() -> None:
    at = _run("now", "")
    assert [b.label for b in at.get("download_button")] == ["Pobierz XLSX"]
    assert not at.error


def test_a_file_on_request_is_made_once_when_asked_then_offered() -> None:
    at = _run("request", "")
    assert not at.get("download_button")
    assert "made" not in at.session_state  # nothing is made before it is asked for
    at.button(key="d_przygotuj").click().run()
    assert [b.label for b in at.get("download_button")] == ["Pobierz XLSX"]
    at.run()  # a rerun offers the kept file without making it again
    assert [b.label for b in at.get("download_button")] == ["Pobierz XLSX"]
    assert at.session_state["made"] == 1


def test_a_file_on_request_that_fails_is_a_polish_message() -> None:
    at = _run("request", "bug")
    at.button(key="d_przygotuj").click().run()
    assert not at.exception
    assert "Nie udało się przygotować pliku rejestr.xlsx" in at.error[0].value
    assert not at.get("download_button")
