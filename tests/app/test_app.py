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
    # a one-line note in the compact header (the map needs the first screen)
    assert "Dane przykładowe, niekompletne" in captions
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
    # the configuration is for logged-in editors (tests/app/test_public_text.py)
    assert "Źródła danych" in headers and "Słowniczek" in headers
    tables = "\n".join(t.value.to_string() for t in app.table)
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
    from geo.core.schema import REGISTRY_COLUMNS
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


# --------------------------------------------------------------------------- planner views (issue 4)


def _run_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _gminy_total(metric) -> int:
    return int(metric.value.split(" / ")[1])


def test_map_filters_area_types_and_indicator(app: AppTest, pes_env: dict[str, str]) -> None:
    result = pipeline.run(get_settings(), dt.date.today())
    gminy = result.gminy
    assert app.selectbox(key="mapa_wskaznik").value == "pokrycie"
    # every indicator draws without error
    for indicator in ("pes_razem", "pes_na_10k", "odleglosc_cis_kis_km", "lpres_status"):
        app.selectbox(key="mapa_wskaznik").set_value(indicator).run()
        assert not app.exception, indicator
    # a powiat: figures of that powiat only
    app.multiselect(key="mapa_powiat").set_value(["0606"]).run()
    part = gminy[gminy["powiat"] == "0606"]
    assert app.metric[0].value == (f"{int(part['has_social_employment'].sum())} / {len(part)}")
    assert "krasnostawski" in _texts(app.caption)
    app.multiselect(key="mapa_powiat").set_value([]).run()
    # the verified OWES subregion: its gminas, from the pipeline's own column
    app.selectbox(key="mapa_podregion").set_value("chełmsko-zamojski").run()
    owes = gminy[gminy["owes_podregion_nazwa"] == "chełmsko-zamojski"]
    assert _gminy_total(app.metric[0]) == len(owes)
    app.selectbox(key="mapa_podregion").set_value("(wszystkie)").run()
    # NUTS-3 is the second definition; its subregions become the choices
    app.selectbox(key="mapa_podzial").set_value("nuts3_2021").run()
    assert set(app.selectbox(key="mapa_podregion").options) >= {"bialski", "lubelski"}
    # entity types: the PES figure counts the chosen types only
    app.multiselect(key="mapa_typy").set_value(["CIS"]).run()
    assert int(app.metric[2].value) == int(gminy["cis"].sum())
    assert "typy: CIS" in _texts(app.caption)
    # status: also the entities not active on the date are drawn (the figures stay)
    from geo.present.points import entities_on_map

    day = dt.date(2015, 1, 1)
    then = pipeline.run(get_settings(), day)
    cis = then.entities[then.entities["typ"] == "CIS"]
    active, every = len(entities_on_map(cis)), len(entities_on_map(cis, include_inactive=True))
    assert active < every  # the sample registry has CIS started after 2015
    app.date_input[0].set_value(day).run()
    assert f"na mapie: {active}" in _texts(app.caption)
    app.radio(key="mapa_status").set_value(app.radio(key="mapa_status").options[1]).run()
    assert f"na mapie: {every}" in _texts(app.caption)
    assert int(app.metric[2].value) == int(then.gminy["cis"].sum())


def test_planner_pages_run_and_label_sample_data(pes_env: dict[str, str]) -> None:
    titles = {
        "pages/luki.py": "Luki w pokryciu CIS/KIS",
        "pages/lpres.py": "Lokalne plany rozwoju ekonomii społecznej (LPRES)",
        "pages/owes.py": "Podregiony i OWES",
        "pages/trendy.py": "Trendy: pokrycie w czasie",
    }
    for page, title in titles.items():
        at = _run_page(page)
        assert [t.value for t in at.title] == [title], page
        assert "Dane przykładowe, niekompletne" in _texts(at.warning), page
        assert f"stan na {dt.date.today():%d.%m.%Y}" in _texts(at.caption).lower(), page


def test_gaps_page_figures_filters_and_exports(pes_env: dict[str, str]) -> None:
    from geo.analysis import neighbours

    result = pipeline.run(get_settings(), dt.date.today())
    gaps = neighbours.gaps_table(result.gminy, neighbours.gmina_neighbours(result.gminy))
    at = _run_page("pages/luki.py")
    assert at.metric[0].value == f"{len(gaps)} / {len(result.gminy)}"
    assert int(at.metric[1].value.replace("\u00a0", "")) == int(gaps["ludnosc"].sum())
    assert int(at.metric[2].value) == int((gaps["liczba_kandydatow"] > 0).sum())
    table = at.dataframe[0].value
    assert len(table) == len(gaps)
    assert "Kandydaci do porozumienia (sąsiednie gminy z CIS/KIS)" in table.columns
    assert len(at.get("download_button")) >= 2
    at.toggle(key="luki_kandydaci").set_value(True).run()
    assert len(at.dataframe[0].value) == int((gaps["liczba_kandydatow"] > 0).sum())
    at.multiselect(key="luki_lpres").set_value(["brak"]).run()
    assert len(at.dataframe[0].value) == 0  # no gmina is known to lack a plan
    at.multiselect(key="luki_powiat").set_value(["0606"]).run()
    assert at.metric[0].value.endswith(f"/ {int((result.gminy['powiat'] == '0606').sum())}")


def test_lpres_page_after_an_import(pes_env: dict[str, str], tmp_path) -> None:
    from geo.analysis import lpres

    at = _run_page("pages/lpres.py")
    assert "dane przykładowe" in _texts(at.info).lower()
    assert at.metric[0].value == "0 / 213"
    unknown_before = int(at.metric[3].value.split(" / ")[0])
    assert unknown_before >= 212
    path = tmp_path / "plany.csv"
    path.write_text(
        "jst,zakres,teryt_gmin,status,nazwa,uchwala_data,okres_do\n"
        "Powiat Janowski,powiat,0605,przyjęty,Plan powiatu,2021-03-15,2026-12-31\n"
        "Gmina Zamość,gmina,0620142,brak,,,\n",
        encoding="utf-8",
    )
    lpres.import_plans(path, get_settings())
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/lpres.py").run()
    assert not at.exception
    janowski = pipeline.run(get_settings(), dt.date.today()).gminy["powiat"].eq("0605").sum()
    assert at.metric[0].value == f"{janowski} / 213"
    assert at.metric[3].value == f"{213 - janowski - 1} / 213"
    assert "plany\\.csv" in _texts(at.caption)  # the file name, Markdown-escaped
    assert "Plany wygasające w ciągu roku" in [m.label for m in at.metric]
    at.multiselect(key="lpres_status").set_value(["brak"]).run()
    (table,) = [d.value for d in at.dataframe if "Status LPRES" in d.value.columns]
    assert table["Gmina"].tolist() == ["Zamość"]
    assert table["Status LPRES"].tolist() == ["brak planu"]


def test_owes_page_definitions(pes_env: dict[str, str]) -> None:
    at = _run_page("pages/owes.py")
    assert "bez przypisanego podregionu" in _texts(at.warning)
    table = at.dataframe[0].value
    assert table["Podregion"].tolist() == ["chełmsko-zamojski", "nieznany"]
    assert table["Gminy"].sum() == 213
    at.selectbox(key="owes_podzial").set_value("nuts3_2021").run()
    assert not at.exception
    assert "bez przypisanego podregionu" not in _texts(at.warning)
    assert sorted(at.dataframe[0].value["Podregion"]) == [
        "bialski",
        "chełmsko-zamojski",
        "lubelski",
        "puławski",
    ]
    at.selectbox(key="owes_miara").set_value("pes_na_10k").run()
    assert not at.exception


def test_trends_page_caveat_and_subregions(pes_env: dict[str, str]) -> None:
    at = _run_page("pages/trendy.py")
    caveat = _texts(at.info)
    assert "tak pełna, jak daty w rejestrze" in caveat
    assert "bez daty rozpoczęcia" in caveat
    at.selectbox(key="trendy_podzial").set_value("nuts3_2021").run()
    assert not at.exception
    assert "bialski" in at.selectbox(key="trendy_obszar").options
