"""AppTest of the gmina profile (search, deep link), the presentation and the report pages."""

from __future__ import annotations

import datetime as dt

import pytest
from apptest_pages import open_page

from geo import pipeline
from geo.config import get_settings
from geo.print import deck, report

PROFILE = "pages/profil.py"


def _texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def test_search_without_diacritics_offers_both_gminas(pes_env) -> None:
    at = open_page(PROFILE)
    assert [t.value for t in at.title] == ["Moja gmina"]
    assert "Wpisz nazwę gminy" in _texts(at.info)
    assert not at.header  # nothing chosen yet

    at.text_input[0].set_value("tomaszow").run()
    assert not at.exception, [e.value for e in at.exception]
    box = at.selectbox[0]
    assert box.options == [
        "Tomaszów Lubelski (gmina miejska, powiat tomaszowski)",
        "Tomaszów Lubelski (gmina wiejska, powiat tomaszowski)",
    ]
    assert [h.value for h in at.header] == ["Tomaszów Lubelski"]
    assert at.query_params["gmina"] == "0618011"  # the address names the gmina shown

    box.set_value("0618112").run()
    assert "TERYT 0618112" in _texts(at.caption)
    assert "gmina wiejska" in _texts(at.caption)
    assert at.query_params["gmina"] == "0618112"

    at.text_input[0].set_value("xyz").run()
    assert "Nie znaleziono gminy" in _texts(at.info)
    assert not at.header


def test_deep_link_opens_the_profile_with_figures_from_the_pipeline(pes_env) -> None:
    at = open_page(PROFILE, gmina="0618011")
    assert [h.value for h in at.header] == ["Tomaszów Lubelski"]
    captions = _texts(at.caption)
    assert "TERYT 0618011" in captions
    today = dt.date.today()
    assert f"stan na {today:%d.%m.%Y}" in captions
    result = pipeline.run(get_settings(), today)
    row = result.gminy.set_index("teryt").loc["0618011"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Ludność"].replace("\u00a0", " ") == f"{int(row['ludnosc']):,}".replace(",", " ")
    assert metrics["CIS/KIS"] == "brak CIS/KIS"
    assert int(metrics["Podmioty ekonomii społecznej"]) == row["pes_razem"]
    markdown = _texts(at.markdown)
    assert "Najbliższy" in markdown and "km od granicy gminy" in markdown
    assert "Dane przykładowe, niekompletne" in _texts(at.warning)
    # the page's tables are escaped HTML (no Arrow table code for a phone to load)
    assert not at.table and not at.dataframe
    tables = [h.proto.body for h in at.get("html") if "pes-tabela" in h.proto.body]
    assert any("Podregion OWES" in t for t in tables) and any("Ludność" in t for t in tables)
    comparison = next(t for t in tables if "Ludność" in t)
    assert f">{int(row['ludnosc']):,}<".replace(",", "\u00a0") in comparison.replace(" ", "\u00a0")


def test_deep_link_with_an_old_code_and_a_bad_code(pes_env) -> None:
    at = open_page(PROFILE, gmina="0601052")
    assert [h.value for h in at.header] == ["Janów Podlaski"]
    assert "0601052" in _texts(at.info)
    assert at.query_params["gmina"] == "0601053"

    bad = open_page(PROFILE, gmina="<b>12</b>")
    assert "Nieprawidłowy kod gminy" in _texts(bad.error)
    assert "<b>" not in _texts(bad.error)  # escaped for Markdown
    assert not bad.header


def test_presentation_navigation_and_date(pes_env) -> None:
    at = open_page("pages/prezentacja.py")
    # the deck's own slides and the programme's monitoring slide the page adds
    slides = [*deck.build_slides(pipeline.run(get_settings(), dt.date.today())), "monitoring"]
    summary = pipeline.run(get_settings(), dt.date.today()).summary
    assert f"Slajd **1 / {len(slides)}**" in _texts(at.markdown)
    values = [m.value for m in at.metric]
    assert values[0] == f"{summary['gminy_z_cis_kis']} / {summary['gminy']}"
    previous, following = at.button[0], at.button[1]
    assert previous.disabled and not following.disabled
    following.click().run()
    assert f"Slajd **2 / {len(slides)}**" in _texts(at.markdown)
    assert not at.metric  # the coverage map slide: the map image only
    at.button[0].click().run()
    assert f"Slajd **1 / {len(slides)}**" in _texts(at.markdown)

    day = dt.date(2015, 1, 1)
    at.date_input[0].set_value(day).run()
    assert not at.exception
    expected = pipeline.run(get_settings(), day).summary
    assert at.metric[0].value == f"{expected['gminy_z_cis_kis']} / {expected['gminy']}"
    assert "stan na 01.01.2015" in _texts(at.markdown)


@pytest.mark.parametrize("scope_key", ["region", "0618"])
def test_report_page_shows_the_scope_figures(pes_env, scope_key: str) -> None:
    at = open_page("pages/raport.py")
    assert [t.value for t in at.title] == ["Raport regionalny"]
    at.selectbox[0].set_value(scope_key).run()
    assert not at.exception
    result = pipeline.run(get_settings(), dt.date.today())
    scope = next(s for s in report.report_scopes(result) if s.key == scope_key)
    summary = report.scope_summary(result, scope)
    assert at.metric[0].value == f"{summary['gminy_z_cis_kis']} / {summary['gminy']}"
    assert scope.label.split()[-1] in _texts(at.caption)
