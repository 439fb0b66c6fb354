"""What anonymous visitors see: the data with sources and dates, never the server's insides.

No file paths, commands or configuration on any public page (they are for editors, who log
in, or for the README); "O danych" keeps sources, licences and dates for everyone and shows
the configuration to a logged-in editor only.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from streamlit.testing.v1 import AppTest

from geo.config import get_settings
from geo.store import auth
from tests.apptest_pages import open_page

PUBLIC_PAGES = [
    "pages/mapa.py",
    "pages/luki.py",
    "pages/lpres.py",
    "pages/owes.py",
    "pages/trendy.py",
    "pages/rejestr.py",
    "pages/o_danych.py",
    "pages/import_danych.py",
    "pages/monitoring.py",
    "pages/scenariusze.py",
    "pages/profil.py",
    "pages/prezentacja.py",
    "pages/raport.py",
]
#: Never on a public page: paths, commands, configuration names, database details.
FORBIDDEN = ("data/", "README", "PES_HOME", "PES_", "python -m", "sqlite", "/work", "/tmp")


def _texts(at: AppTest) -> str:
    """Every element of the page as text (labels, values, help, table cells)."""
    out: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return "\n".join(out)


def _english_cells(at: AppTest) -> list[str]:
    """Table cells as Python or the browser would write them: None, nan, NaT, 2.5, 2025-01-02."""
    bad = []
    for frame in at.dataframe:
        for column in frame.value.columns:
            values = frame.value[column]
            if values.dtype != object:
                continue  # whole numbers and booleans: sortable, no separator to get wrong
            for cell in values.astype(str):
                if cell in {"None", "nan", "NaT", "<NA>"} or re.fullmatch(
                    r"-?\d+\.\d+|\d{4}-\d\d-\d\d", cell.strip()
                ):
                    bad.append(f"{column}: {cell}")
    return bad


def _leaks(text: str, extra: tuple[str, ...] = ()) -> list[str]:
    return [word for word in (*FORBIDDEN, *extra) if word and word in text]


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_page_has_no_paths_commands_or_configuration(page: str, pes_env) -> None:
    settings = get_settings()
    at = open_page(page)
    text = _texts(at)
    assert len(text) > 500  # the page drew something
    assert _leaks(text, (str(settings.home), str(settings.embedded_dir))) == []
    assert _english_cells(at) == []
    shown = [str(e.value) for e in (*at.markdown, *at.caption, *at.warning, *at.info)]
    assert [t for t in shown if re.search(r"\b\d{4}-\d\d-\d\d\b", t)] == []  # dd.mm.rrrr


def test_about_page_sources_and_glossary_for_everyone_configuration_for_editors(
    pes_env,
) -> None:
    at = open_page("pages/o_danych.py")
    headers = [h.value for h in at.subheader]
    assert "Źródła danych" in headers and "Słowniczek" in headers
    assert not any("Konfiguracja" in h for h in headers)
    text = _texts(at)
    for term in ("PES", "CIS", "KIS", "Model Lokalnej Współpracy", "LPRES", "OWES", "nieznany"):
        assert term in text
    assert "GUS BDL" in text and "licencja" in text.lower()
    # a logged-in editor also gets the configuration in effect
    now = dt.datetime.now(dt.UTC)
    at.session_state["pes_sesja"] = auth.Session("redaktor", now, now)
    at.run()
    assert any("Konfiguracja" in h.value for h in at.subheader)
    assert "PES\\_HOME" in "\n".join(t.value.to_string() for t in at.table)


def test_expired_editor_session_is_anonymous(pes_env) -> None:
    at = open_page("pages/o_danych.py")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    at.session_state["pes_sesja"] = auth.Session("redaktor", long_ago, long_ago)
    at.run()
    assert not any("Konfiguracja" in h.value for h in at.subheader)
