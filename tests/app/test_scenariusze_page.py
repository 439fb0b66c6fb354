"""The Scenariusze page through AppTest: what-if, optimiser, saving as editor, viewing, exports.

Expected figures come from geo (the pipeline, the what-if and the store), never recomputed here.
"""

from __future__ import annotations

import datetime as dt

import pytest
from apptest_pages import open_page
from map_scripts import map_script
from streamlit.testing.v1 import AppTest

from geo import pipeline
from geo.analysis.scenarios import Addition, WhatIf, what_if
from geo.analysis.scenarios.whatif import closable
from geo.config import PROJECT_ROOT, get_settings
from geo.store import Store, auth

APP = str(PROJECT_ROOT / "app.py")
PAGE = "pages/scenariusze.py"
PASSWORD = "Hasło-Redaktora-1"


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _by_label(elements, label: str):
    [found] = [e for e in elements if e.label == label]
    return found


def _click(at: AppTest, label: str) -> AppTest:
    _by_label(at.button, label).click().run()
    return _ok(at)


def _today_result() -> pipeline.CoverageResult:
    return pipeline.run(get_settings(), dt.date.today())


def _add_site(at: AppTest) -> str:
    gmina = _by_label(at.selectbox, "Gmina")
    teryt = gmina.options[0].rsplit("· ", 1)[1]
    _click(at, "Dodaj planowany CIS/KIS")
    return teryt


def test_what_if_changes_the_figures(pes_env) -> None:
    at = open_page(PAGE)
    before = _metrics(at)
    teryt = _add_site(at)
    result = _today_result()
    expected = what_if(
        result.gminy, result.entities, result.as_of, WhatIf(15.0, (Addition(teryt),))
    )
    after = _metrics(at)
    assert before["Gminy pokryte"] != after["Gminy pokryte"]
    assert after["Gminy pokryte"] == f"{expected.totals['pokryte_po']} / {expected.totals['gminy']}"
    assert after["Nowe / zamknięte CIS i KIS"] == "+1 / −0"
    # close the first operating CIS/KIS as well
    key = closable(result.entities, result.as_of)["klucz"].iloc[0]
    closing = [m for m in at.multiselect if m.label.startswith("Zamykane CIS/KIS")][0]
    closing.select(key).run()
    _ok(at)
    both = what_if(
        result.gminy, result.entities, result.as_of, WhatIf(15.0, (Addition(teryt),), (key,))
    )
    assert _metrics(at)["Luki (gminy bez pokrycia)"] == str(both.totals["luki_po"])
    assert _metrics(at)["Nowe / zamknięte CIS i KIS"] == "+1 / −1"
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Pobierz scenariusz (XLSX)", "Pobierz slajd scenariusza (PDF 16:9)"]


def test_optimiser_runs_and_its_sites_become_the_scenario(pes_env) -> None:
    at = open_page(PAGE)
    _by_label(at.radio, "Cel").set_value("maximize").run()
    _by_label(at.number_input, "K (liczba miejsc)").set_value(3).run()
    _click(at, "Oblicz")
    assert any("optymalne" in s.value for s in at.success)
    assert _metrics(at)["Nowe miejsca"] == "3"
    _click(at, "Użyj jako scenariusza")
    assert _metrics(at)["Nowe / zamknięte CIS i KIS"] == "+3 / −0"
    assert at.session_state["scen_regula_wartosc"] is True
    assert any("Miejsca z optymalizacji" in c.value for c in at.caption)


@pytest.fixture()
def editor(pes_env) -> str:
    with Store(get_settings().database_url) as store:
        auth.add_user(store, "ewa", PASSWORD)
    return "ewa"


def test_editor_saves_versions_and_anyone_views_them(editor: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/import_danych.py").run()
    at.text_input[0].input(editor)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    _ok(at.switch_page(PAGE).run())
    _by_label(at.number_input, "Odległość D (km)").set_value(12.0).run()
    teryt = _add_site(at)
    _by_label(at.text_input, "Nazwa scenariusza").input("Plan 2027").run()
    _click(at, "Zapisz scenariusz")
    assert any("wersja 1" in s.value for s in at.success)
    _add_site(at)
    _click(at, "Zapisz scenariusz")
    assert any("wersja 2" in s.value for s in at.success)
    with Store(get_settings().database_url) as store:
        versions = store.scenario_versions("Plan 2027")
        assert [v.number for v in versions] == [2, 1]
        assert {v.created_by for v in versions} == {"ewa"}
        assert [a["teryt"] for a in versions[1].definition["additions"]] == [teryt]
        assert versions[1].definition["within_km"] == 12.0

    # a new visitor, not logged in: sees the saved scenario, loads version 1, cannot save
    viewer = open_page(PAGE)
    assert not [t for t in viewer.text_input if t.label == "Nazwa scenariusza"]
    assert any("wymaga zalogowania" in c.value for c in viewer.caption)
    _by_label(viewer.selectbox, "Wersja").set_value(1).run()
    _click(viewer, "Wczytaj scenariusz")
    assert _metrics(viewer)["Nowe / zamknięte CIS i KIS"] == "+1 / −0"
    assert _by_label(viewer.number_input, "Odległość D (km)").value == 12.0
    assert [a.teryt for a in viewer.session_state["scen_stan"].additions] == [teryt]


def test_invalid_optimiser_settings_show_a_polish_error(pes_env) -> None:
    at = open_page(PAGE)
    _by_label(at.number_input, "Odległość D (km)").set_value(1.0).run()
    _by_label(at.number_input, "Min. ludność gminy z nowym miejscem").set_value(9_000_000).run()
    _by_label(at.button, "Oblicz").click().run()
    assert not at.exception
    assert any("nie da się pokryć" in e.value for e in at.error)


def test_hostile_entity_names_stay_text_on_the_map(pes_env, monkeypatch) -> None:
    import pandas as pd
    import streamlit_folium

    from geo.core.schema import REGISTRY_COLUMNS

    hostile = "<img src=x onerror=alert(1)>"
    row = dict.fromkeys(REGISTRY_COLUMNS)
    row.update(id="K1", nazwa=hostile, typ="KIS", teryt="0663011")
    with Store(get_settings().database_url) as store:
        store.import_version("rejestr testowy", pd.DataFrame([row]))
    sent: list[dict] = []
    real = streamlit_folium._component_func

    def record(**kwargs):
        sent.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(streamlit_folium, "_component_func", record)
    at = open_page(PAGE)
    closing = [m for m in at.multiselect if m.label.startswith("Zamykane CIS/KIS")][0]
    closing.select("rejestr testowy: K1").run()
    _ok(at)
    assert _metrics(at)["Nowe / zamknięte CIS i KIS"] == "+0 / −1"
    script = map_script(sent[-1])
    assert "Zamykany: &lt;img src=x onerror=alert(1)&gt;" in script
    assert "<img src=x" not in script


def test_planned_sites_can_be_removed(pes_env) -> None:
    at = open_page(PAGE)
    first = _add_site(at)
    second = _by_label(at.selectbox, "Gmina").options[1].rsplit("· ", 1)[1]
    at.session_state["scen_gmina"] = second  # the options are shown by a format function
    at.run()
    _click(at, "Dodaj planowany CIS/KIS")
    assert _metrics(at)["Nowe / zamknięte CIS i KIS"] == "+2 / −0"
    removing = _by_label(at.multiselect, "Usuń z planu")
    removing.select(removing.options[1]).run()
    _click(at, "Usuń zaznaczone")
    assert _metrics(at)["Nowe / zamknięte CIS i KIS"] == "+1 / −0"
    assert [a.teryt for a in at.session_state["scen_stan"].additions] == [first]
    assert _by_label(at.multiselect, "Usuń z planu").value == []


def test_an_editor_deletes_a_scenario_and_a_visitor_cannot(editor: str) -> None:
    with Store(get_settings().database_url) as store:
        for _ in range(2):
            store.save_scenario("Próbny", {"format": 1, "additions": []}, by="ewa")
        store.save_scenario("Plan 2027", {"format": 1, "additions": []}, by="ewa")
    viewer = open_page(PAGE)
    assert not [b for b in viewer.button if b.label == "Usuń wszystkie wersje"]

    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/import_danych.py").run()
    at.text_input[0].input(editor)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    _ok(at.switch_page(PAGE).run())
    _by_label(at.selectbox, "Zapisany scenariusz").set_value("Próbny").run()
    _click(at, "Usuń wszystkie wersje")
    shown = [s.value.replace("\\", "") for s in at.success]  # Markdown-escaped on screen
    assert any("Usunięto scenariusz „Próbny” (2 wersje)" in text for text in shown), shown
    assert _by_label(at.selectbox, "Zapisany scenariusz").options == ["Plan 2027"]
    with Store(get_settings().database_url) as store:
        assert store.scenario_names() == ["Plan 2027"]
        assert "„Próbny”: usunięty (2 wersje)" in store.audit().iloc[0]["details"]
        assert store.audit().iloc[0]["user"] == "ewa"
