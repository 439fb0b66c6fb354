"""Smoke tests of every page through Streamlit's AppTest (no browser)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import pipeline
from geo.config import PROJECT_ROOT, get_settings

APP = str(PROJECT_ROOT / "app.py")
TIMEOUT = 60


def _texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


@pytest.fixture()
def app(pes_env: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_map_page_headline_figures_and_sample_label(app: AppTest) -> None:
    assert [t.value for t in app.title] == ["Mapa pokrycia gmin"]
    labels = [m.label for m in app.metric]
    assert labels == [
        "Gminy z CIS/KIS",
        "Ludność gmin z CIS/KIS",
        "Podmioty ekonomii społecznej",
    ]
    covered, total = (int(x) for x in app.metric[0].value.split(" / "))
    assert total == 213 and 0 < covered < total
    assert app.metric[1].value.endswith("%")
    assert int(app.metric[2].value.replace("\u00a0", "")) > 0
    # every figure says when and where from
    captions = _texts(app.caption)
    assert captions.count(f"stan na {dt.date.today():%d.%m.%Y}") >= 2
    assert "GUS BDL" in captions
    assert "Dane przykładowe, niekompletne" in _texts(app.warning)
    assert app.date_input[0].value == dt.date.today()
    assert any("niezlokalizowane" in e.label for e in app.expander)


def test_chosen_date_drives_the_figures(app: AppTest, pes_env: dict[str, str]) -> None:
    day = dt.date(2015, 1, 1)
    expected = pipeline.run(get_settings(), day).summary
    today = pipeline.run(get_settings(), dt.date.today()).summary
    assert expected["pes"] != today["pes"]  # the sample registry has later start dates
    app.date_input[0].set_value(day).run()
    assert not app.exception
    assert app.metric[0].value == f"{expected['gminy_z_cis_kis']} / {expected['gminy']}"
    assert int(app.metric[2].value) == expected["pes"]
    assert "stan na 01.01.2015" in _texts(app.caption)
    # the choice is kept when coming back from another page
    app.switch_page("pages/o_danych.py").run()
    assert "stan na 01.01.2015" in _texts(app.caption)


def test_about_page(app: AppTest, pes_env: dict[str, str]) -> None:
    app.switch_page("pages/o_danych.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert [t.value for t in app.title] == ["O danych"]
    headers = [h.value for h in app.subheader]
    assert "Źródła danych" in headers and "Konfiguracja" in headers
    tables = "\n".join(t.value.to_string() for t in app.table)
    assert "PES\\_DATA\\_DIR" in tables  # markdown-escaped for st.table
    assert "GUS BDL" in tables
    assert "Dane przykładowe, niekompletne" in _texts(app.warning)


def test_configuration_error_is_shown_in_polish(pes_env, monkeypatch) -> None:
    monkeypatch.setenv("PES_REGION", "99")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    errors = _texts(at.error)
    assert "Nieprawidłowy PES\\_REGION" in errors  # the message, Markdown-escaped
    assert not at.metric


def test_imported_registry_with_hostile_text(pes_env: dict[str, str]) -> None:
    """An imported registry replaces the sample; its text never becomes markup or links."""
    from geo.schema import REGISTRY_COLUMNS
    from geo.store import Store

    hostile = "<img src=x onerror=alert(1)> ![x](http://example.invalid/a.png)"
    row = dict.fromkeys(REGISTRY_COLUMNS)
    row.update(id="K1", nazwa=hostile, typ="KIS", teryt="0663011", uwagi="[link](http://x.invalid)")
    store = Store(get_settings().database_url)
    store.import_version("rejestr *KIS* [x](http://x.invalid)", pd.DataFrame([row]))
    store.close()

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any("przykładowe" in w.value for w in at.warning)
    assert int(at.metric[2].value) == 1
    shown = [e.value for e in (*at.markdown, *at.caption, *at.warning, *at.subheader)]
    for text in shown:
        assert "<img" not in text and "](http" not in text
    assert any("rejestr \\*KIS\\*" in t for t in shown)  # the source name, escaped
