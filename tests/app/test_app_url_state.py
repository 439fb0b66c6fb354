"""Shareable URL state (AppTest): the date and the main filters read from a link and written back."""

from __future__ import annotations

import datetime as dt

from apptest_pages import APP, TIMEOUT, open_page
from streamlit.testing.v1 import AppTest

PROFILE = "pages/profil.py"
MAP = "pages/mapa.py"


def _texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def _map_link(**params: str) -> AppTest:
    """The app opened with a link to its first page, the map (warnings of that first run)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_profile_link_with_date_opens_that_date_and_changes_are_written(pes_env) -> None:
    at = open_page(PROFILE, gmina="0618112", stan="2015-01-01")
    assert [h.value for h in at.header] == ["Tomaszów Lubelski"]
    assert at.date_input[0].value == dt.date(2015, 1, 1)
    assert "stan na 01.01.2015" in _texts(at.caption)
    assert at.query_params["stan"] == "2015-01-01"
    assert at.query_params["gmina"] == "0618112"

    at.date_input[0].set_value(dt.date(2020, 5, 5)).run()
    assert not at.exception
    assert at.query_params["stan"] == "2020-05-05"
    assert "stan na 05.05.2020" in _texts(at.caption)
    at.run()  # the session's own write is not read back as a new link
    assert at.date_input[0].value == dt.date(2020, 5, 5)


def test_link_with_a_bad_date_says_so_and_shows_today(pes_env) -> None:
    at = _map_link(stan="2015-13-45")
    assert "Pominięto nieprawidłowe wartości z linku: stan=2015\\-13\\-45" in _texts(at.warning)
    today = dt.date.today()
    assert at.query_params["stan"] == today.isoformat()
    assert at.date_input[0].value == today


def test_profile_without_date_writes_the_date_in_effect(pes_env) -> None:
    at = open_page(PROFILE, gmina="0618011")
    assert at.query_params["stan"] == dt.date.today().isoformat()


def test_map_link_restores_date_and_filters_and_writes_changes(pes_env) -> None:
    at = open_page(
        MAP,
        stan="2015-01-01",
        wskaznik="pes_razem",
        powiat="0606,0618",
        typy="CIS,KIS",
        status="wszystkie",
    )
    assert at.date_input[0].value == dt.date(2015, 1, 1)
    assert at.selectbox(key="mapa_wskaznik").value == "pes_razem"
    assert at.multiselect(key="mapa_powiat").value == ["0606", "0618"]
    assert at.multiselect(key="mapa_typy").value == ["CIS", "KIS"]
    assert at.radio(key="mapa_status").value == at.radio(key="mapa_status").options[1]
    assert "stan na 01.01.2015" in _texts(at.caption)

    at.selectbox(key="mapa_wskaznik").set_value("lpres_status").run()
    at.multiselect(key="mapa_powiat").set_value(["0606"]).run()
    at.radio(key="mapa_status").set_value(at.radio(key="mapa_status").options[0]).run()
    assert not at.exception
    params = at.query_params
    assert params["wskaznik"] == "lpres_status"
    assert params["powiat"] == "0606"
    assert params["stan"] == "2015-01-01"
    assert "status" not in params and "podregion" not in params  # defaults: left out
    at.radio(key="mapa_status").set_value(at.radio(key="mapa_status").options[1]).run()
    assert at.query_params["status"] == "wszystkie"

    at.multiselect(key="mapa_typy").set_value(list(at.multiselect(key="mapa_typy").options)).run()
    at.multiselect(key="mapa_powiat").set_value([]).run()
    assert "typy" not in at.query_params and "powiat" not in at.query_params  # defaults


def test_map_link_with_unknown_values_ignores_them(pes_env) -> None:
    at = _map_link(wskaznik="<script>", typy="CIS,XYZ")
    warning = _texts(at.warning)
    assert "wskaznik=\\<script\\>" in warning and "typy=CIS,XYZ" in warning
    assert at.selectbox(key="mapa_wskaznik").value == "pokrycie"
    assert "typy" not in at.query_params
