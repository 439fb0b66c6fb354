"""The registry pages through Streamlit's AppTest: browsing, importing, fixing, history.

The numbers checked come from geo (the pipeline and the store), never recomputed here.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import pipeline
from geo.config import PROJECT_ROOT, get_settings
from geo.store import Store, auth

APP = str(PROJECT_ROOT / "app.py")
PASSWORD = "Hasło-Redaktora-1"
KIS_CSV = (
    "Nazwa;Typ;Kod TERYT;Miejscowość;Data weryfikacji\n"
    "KIS przy MOPR Lublin;KIS;0663011;Lublin;2025-06-30\n"
    "KIS w Chełmie;KIS;0662011;Chełm;2025-05-01\n"
    "KIS bez gminy;KIS;;Nieznana Wólka;\n"
    "KIS w Warszawie;KIS;1465011;Warszawa;\n"
).encode()


def _labels(elements) -> list[str]:
    return [e.label for e in elements]


def _texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


@pytest.fixture()
def editor(pes_env: dict[str, str]) -> str:
    with Store(get_settings().database_url) as store:
        auth.add_user(store, "ewa", PASSWORD)
    return "ewa"


def _logged_in(login: str = "ewa") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/import_danych.py").run()
    at.text_input[0].input(login)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception and at.file_uploader, [e.value for e in at.error]
    return at


def _upload_new_source(at: AppTest, name: str, filename: str, content: bytes) -> None:
    at.selectbox[0].select("➕ nowe źródło…").run()
    at.text_input[0].input(name).run()
    at.file_uploader[0].set_value((filename, content, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]


def _confirm(at: AppTest) -> None:
    [button] = [b for b in at.button if b.label.startswith("Zatwierdź import")]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]


def _section(at: AppTest, name: str) -> None:
    at.segmented_control[0].set_value(name).run()
    assert not at.exception, [e.value for e in at.exception]


def test_import_with_report_diff_and_confirmation(editor: str) -> None:
    at = _logged_in()
    _upload_new_source(at, "rejestr KIS wojewody", "kis.csv", KIS_CSV)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Wiersze"] == "4" and metrics["Dodane"] == "4"
    assert int(metrics["Błędy"]) >= 2  # unlocated, outside the region
    # the report is made on request, then offered (a failure would be a Polish message)
    at.button(key="import_raport_xlsx_przygotuj").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _labels(at.download_button) == ["Pobierz raport walidacji i różnice (XLSX)"]
    with Store(get_settings().database_url) as store:
        assert not store.has_imports()  # nothing before the confirmation
    _confirm(at)
    assert "Zapisano wersję 1 źródła „rejestr KIS wojewody” \\(4 wiersze\\)" in at.success[0].value

    with Store(get_settings().database_url) as store:
        [version] = store.versions()
        assert (version.created_by, version.file_name) == ("ewa", "kis.csv")
        assert store.source_settings("rejestr KIS wojewody").column_map["Kod TERYT"] == "teryt"

    # The same file again: no differences; the source is now in the list.
    at.file_uploader[0].set_value(("kis.csv", KIS_CSV, "text/csv")).run()
    assert at.selectbox[0].value == "rejestr KIS wojewody"
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Dodane"], metrics["Bez zmian"]) == ("0", "4")
    assert "te same dane" in _texts(at.caption)


def test_columns_mapped_by_hand_when_detection_fails(editor: str) -> None:
    at = _logged_in()
    odd = "Placówka;Gdzie;Kod\nKlub w Łęcznej;Łęczna;0610033\n".encode()
    _upload_new_source(at, "lista klubów", "kluby.csv", odd)
    assert "Nie znaleziono kolumny z nazwą" in at.error[0].value
    assert _labels(at.selectbox)[-3:] == ["Placówka", "Gdzie", "Kod"]
    type_box = [s for s in at.selectbox if s.label.startswith("Typ podmiotów")][0]
    type_box.select("KIS").run()
    # Form widgets: chosen together, sent with the form's button.
    at.selectbox[-3].select("nazwa")
    at.selectbox[-2].select("miejscowosc")
    at.selectbox[-1].select("teryt")
    [apply] = [b for b in at.button if b.label == "Zastosuj mapowanie kolumn"]
    apply.click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert {m.label: m.value for m in at.metric}["Wiersze"] == "1"
    _confirm(at)
    with Store(get_settings().database_url) as store:
        remembered = store.source_settings("lista klubów")
        assert remembered.column_map == {
            "Placówka": "nazwa",
            "Gdzie": "miejscowosc",
            "Kod": "teryt",
        }
        assert remembered.default_type == "KIS"
        assert store.current_entities()["typ"].tolist() == ["KIS"]


def test_history_diff_restore_and_audit(editor: str) -> None:
    with Store(get_settings().database_url) as store:
        v1 = store.import_version("lista ROPS", pd.DataFrame({"id": ["1", "2"], "nazwa": ["A", "B"]}), file_name="a.csv", content=b"a")  # fmt: skip
        store.import_version("lista ROPS", pd.DataFrame({"id": ["2", "3"], "nazwa": ["B2", "C"]}))
    at = _logged_in()
    _section(at, "Historia wersji")
    table = at.dataframe[0].value
    assert table["Wersja"].tolist() == [2, 1] and table["Bieżąca"].tolist() == [True, False]
    assert "dodane: **1** · usunięte: **1** · zmienione: **1**" in _texts(at.markdown)
    assert "Pobierz oryginał" in _labels(at.download_button)
    # The restore asks for the password again (issue 16).
    [password] = [t for t in at.text_input if t.label == "Hasło (potwierdzenie)"]
    at.checkbox[0].check()
    password.input(PASSWORD)
    [b for b in at.button if b.label == "Przywróć"][0].click().run()
    assert "nowa wersja 3" in at.success[0].value
    with Store(get_settings().database_url) as store:
        current = store.current_version("lista ROPS")
        assert (current.number, current.created_by) == (3, "ewa")
        assert store.version_entities(current.id)["nazwa"].tolist() == ["A", "B"]
        assert current.note == f"Przywrócona wersja {store.version(v1.id).number}"
    _section(at, "Dziennik zmian")
    log = at.dataframe[0].value
    assert log["Czynność"].tolist()[0] == "przywrócenie wersji" and log["Kto"].tolist()[0] == "ewa"


def test_manual_fix_locates_an_entity_and_can_be_revoked(editor: str) -> None:
    with Store(get_settings().database_url) as store:
        store.import_version(
            "lista ROPS",
            pd.DataFrame(
                {"id": ["A", "B"], "nazwa": ["KIS bez gminy", "KIS Chełm"], "typ": ["KIS", "KIS"],
                 "teryt": [None, "0662011"]}
            ),
        )  # fmt: skip
    day = dt.date.today()
    before = pipeline.run(get_settings(), day).summary["pes"]
    at = _logged_in()
    _section(at, "Poprawki ręczne")
    # Only the entity needing attention is offered (the other one is located).
    [entity] = [s for s in at.selectbox if s.label == "Podmiot"]
    assert len(entity.options) == 1 and "KIS bez gminy" in entity.options[0]
    assert "Klucz: id\\:A" in _texts(at.caption)  # Markdown-escaped
    gmina = [s for s in at.selectbox if s.label == "Gmina"][0]
    gmina.set_value("0663011").run()
    at.text_input[-1].input("porozumienie z MOPR").run()
    [b for b in at.button if b.label == "Zapisz poprawkę"][0].click().run()
    assert not at.exception and "Lublin \\(0663011\\)" in at.success[0].value
    assert pipeline.run(get_settings(), day).summary["pes"] == before + 1
    fixes = at.dataframe[0].value
    assert fixes["Podmiot"].tolist() == ["KIS bez gminy"]
    assert fixes["Uzasadnienie"].tolist() == ["porozumienie z MOPR"]

    # The public registry page shows the fix; the map's numbers changed with it.
    at.switch_page("pages/rejestr.py").run()
    table = at.dataframe[0].value.set_index("Nazwa")
    assert table.loc["KIS bez gminy", "Gmina"] == "Lublin"
    assert table.loc["KIS bez gminy", "Poprawki ręczne"].startswith("gmina przypisana")

    at.switch_page("pages/import_danych.py").run()
    _section(at, "Poprawki ręczne")
    [b for b in at.button if b.label == "Wycofaj poprawkę"][0].click().run()
    assert "Wycofano poprawkę" in at.success[0].value
    assert pipeline.run(get_settings(), day).summary["pes"] == before


def test_a_refused_fix_is_shown_and_the_page_goes_on(editor: str) -> None:
    with Store(get_settings().database_url) as store:
        store.import_version(
            "lista ROPS",
            pd.DataFrame({"id": ["A"], "nazwa": ["KIS bez gminy"], "typ": ["KIS"]}),
        )
    at = _logged_in()
    _section(at, "Poprawki ręczne")
    # A KIS gets the service-area fix (the rule lives in geo.registry.fixes.fix_kinds).
    [kinds] = [r for r in at.radio if r.label == "Rodzaj poprawki"]
    assert kinds.options[-1] == "Gminy obsługiwane"
    kinds.set_value("wspolrzedne").run()
    latitude, longitude = at.number_input[0], at.number_input[1]
    assert 50.0 < latitude.value < 52.0 and 21.5 < longitude.value < 24.5  # the region's centre
    latitude.set_value(22.5684).run()  # swapped: the point falls outside the region
    longitude.set_value(51.2465).run()
    [b for b in at.button if b.label == "Zapisz poprawkę"][0].click().run()
    assert not at.exception and not at.success
    assert "zamienione" in at.error[0].value
    assert "Obowiązujące poprawki" in _texts(at.markdown)  # the error did not stop the page
    with Store(get_settings().database_url) as store:
        assert not store.fixes()


def test_two_sessions_importing_at_once_lose_no_version(editor: str) -> None:
    with Store(get_settings().database_url) as store:
        auth.add_user(store, "piotr", PASSWORD)
        store.import_version("rejestr CIS", pd.DataFrame({"nazwa": ["CIS A"], "typ": ["CIS"]}))
    anna, piotr = _logged_in("ewa"), _logged_in("piotr")
    for at, name in ((anna, "CIS B"), (piotr, "CIS C")):
        at.file_uploader[0].set_value((f"{name}.csv", f"Nazwa;Typ\n{name};CIS\n".encode(), "text/csv")).run()  # fmt: skip
        assert {m.label: m.value for m in at.metric}["Usunięte"] == "1"
    _confirm(anna)
    assert "wersję 2" in anna.success[0].value
    _confirm(piotr)  # reviewed against version 1: refused, must look again
    assert "W międzyczasie powstała nowa wersja" in piotr.error[0].value
    piotr.run()  # the page reviews the file again, now against version 2
    assert "wersja 2" in _texts(piotr.markdown)
    _confirm(piotr)
    assert "wersję 3" in piotr.success[0].value
    with Store(get_settings().database_url) as store:
        history = [(v.number, v.created_by, v.row_count) for v in store.versions("rejestr CIS")]
        assert history == [(3, "piotr", 1), (2, "ewa", 1), (1, None, 1)]


def test_registry_page_filters_attention_lists_and_exports(pes_env: dict[str, str]) -> None:
    with Store(get_settings().database_url) as store:
        store.import_version(
            "lista ROPS",
            pd.DataFrame(
                {
                    "nazwa": [
                        "KIS Lublin",
                        "KIS Lublin",
                        "CIS Puławy",
                        "KIS Zgubiony",
                        "SPS Stara",
                    ],
                    "typ": ["KIS", "KIS", "CIS", "KIS", "SPS"],
                    "teryt": ["0663011", "0663011", "0614011", None, "0601052"],
                    "data_weryfikacji": ["2025-01-02", None, None, None, None],
                }
            ),
        )
    result = pipeline.run(get_settings(), dt.date.today())
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/rejestr.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Rejestr podmiotów"]
    table = at.dataframe[0].value
    assert len(table) == len(result.entities) == 5
    assert table["Zweryfikowano"].tolist()[0] == "02.01.2025"  # dd.mm.rrrr on screen
    assert set(table["Źródło rejestru"]) == {"lista ROPS"} and set(table["Wersja"]) == {1}
    for fmt in ("csv", "xlsx", "geojson"):  # each file is made on request, then offered
        at.button(key=f"rejestr_{fmt}_przygotuj").click().run()
        assert not at.exception, [e.value for e in at.exception]
    assert _labels(at.download_button) == ["Pobierz CSV", "Pobierz XLSX", "Pobierz GEOJSON"]
    tabs = [t.label for t in at.tabs]
    assert "Niezlokalizowane (1)" in tabs and "Duplikaty (1)" in tabs
    assert "Zmienione kody TERYT (1)" in tabs

    at.text_input[0].input("pulawy").run()  # case and diacritics do not matter
    assert at.dataframe[0].value["Nazwa"].tolist() == ["CIS Puławy"]
    at.text_input[0].input("").run()
    at.selectbox[1].select("wymagające uwagi").run()
    expected = int(result.entities["problem"].notna().sum())
    assert len(at.dataframe[0].value) == expected >= 3
