"""The Monitoring page in AppTest: the sample indicators against targets, and an editor's
upload becoming the version in effect."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import pipeline
from geo.analysis.indicators import STATUS_LABELS
from geo.config import PROJECT_ROOT, get_settings
from geo.store import Store, auth

APP = str(PROJECT_ROOT / "app.py")
PAGE = "pages/monitoring.py"
PASSWORD = "Bardzo-Dlugie-Haslo-2026"
SAMPLE = PROJECT_ROOT / "data" / "wskazniki_przyklad.csv"
OWN = (
    "Wskaźniki RPRES\n"
    "id;nazwa;miara;wartosc_bazowa;rok_bazowy;wartosc_docelowa;rok_docelowy;zrodlo\n"
    "R1;Gminy z CIS/KIS w RPRES;gminy_z_cis_kis;1;2020;1;2025;uchwała\n"
).encode("cp1250")


def _texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def _open() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_sample_indicators_against_targets(pes_env) -> None:
    at = _open()
    assert [t.value for t in at.title] == ["Monitoring programu"]
    assert "PRZYKŁAD" in _texts(at.warning)
    assert "Historia jest tak pełna, jak daty w rejestrze" in _texts(at.info)
    sample = pd.read_csv(SAMPLE, skiprows=1)
    # one metric per status, counting every indicator once
    assert len(at.metric) == len(STATUS_LABELS)
    assert sum(int(m.value.split(" z ")[0]) for m in at.metric) == len(sample)
    table = at.dataframe[0].value
    assert table["Wskaźnik"].tolist() == sample["nazwa"].tolist()
    # W1's value is the number of gminas with CIS/KIS the coverage gives for today
    result = pipeline.run(get_settings(), dt.date.today())
    covered = int(result.gminy["has_social_employment"].sum())
    assert table.loc[0, "Wartość"] == str(covered)
    assert table.loc[0, "Cel (rok)"] == "213 (2030)"
    assert f"Stan na {dt.date.today():%d.%m.%Y}" in _texts(at.caption)
    # no editor: no upload, a pointer to the login and the CLI
    assert not at.file_uploader
    assert "administrator serwera" in _texts(at.info)  # no command for visitors
    assert len(at.get("download_button")) >= 2


def test_an_earlier_date_recomputes_the_year(pes_env) -> None:
    at = _open()
    at.date_input[0].set_value(dt.date(2024, 12, 31)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Stan na 31.12.2024" in _texts(at.caption)


@pytest.fixture()
def editor(pes_env) -> str:
    with Store(get_settings().database_url) as store:
        auth.add_user(store, "ewa", PASSWORD)
    return "ewa"


def test_editor_uploads_a_new_version(editor: str) -> None:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("pages/import_danych.py").run()
    at.text_input[0].input(editor)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    at.file_uploader[0].set_value(("rpres.csv", OWN, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    [save] = [b for b in at.button if b.label.startswith("Zapisz jako wersję 1")]
    save.click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert table["Wskaźnik"].tolist() == ["Gminy z CIS/KIS w RPRES"]
    assert "cel osiągnięty" in table.loc[0, "Ocena"]
    assert "wersja 1" in _texts(at.caption) and "PRZYKŁAD" not in _texts(at.warning)
    with Store(get_settings().database_url) as store:
        assert [v.created_by for v in store.indicator_versions()] == ["ewa"]


def test_a_bad_upload_is_refused_with_rows_named(editor: str) -> None:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("pages/import_danych.py").run()
    at.text_input[0].input(editor)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    at.switch_page(PAGE).run()
    bad = OWN.replace(b"gminy_z_cis_kis", b"nie_ma")
    at.file_uploader[0].set_value(("zly.csv", bad, "text/csv")).run()
    assert "wiersz 3\\: nieznana miara „nie\\_ma”" in _texts(at.error)  # Markdown-escaped
    assert not [b for b in at.button if b.label.startswith("Zapisz")]
