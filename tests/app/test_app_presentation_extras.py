"""AppTest of the Prezentacja page's extra slides: monitoring and a saved scenario.

A scenario saved in the store is chosen under "Scenariusz do pokazu": its slide is added at
the end (and opened), the URL keeps the choice for the presentation mode; a scenario saved
for another "stan na" date gives a Polish note, no slide and no crash.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from apptest_pages import open_page

from geo import pipeline
from geo.analysis.scenarios import Addition, WhatIf
from geo.analysis.scenarios.saved import SavedScenario, to_json
from geo.config import get_settings
from geo.print import deck
from pages._common import md  # text from data is escaped for Markdown

PAGE = "pages/prezentacja.py"


def _texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def _save(name: str, as_of: dt.date) -> None:
    from geo.store import Store

    result = pipeline.run(get_settings(), dt.date.today())
    gap = result.gminy.loc[result.gminy["pokrycie"] == "brak", "teryt"].iloc[0]
    saved = SavedScenario(result.as_of, WhatIf(15.0, (Addition(gap, "CIS"),), ()), {})
    saved = dataclasses.replace(saved, as_of=as_of)
    with Store(get_settings().database_url) as store:
        store.save_scenario(name, to_json(saved), by="test")


def test_monitoring_slide_ends_the_deck(pes_env) -> None:
    base = len(deck.build_slides(pipeline.run(get_settings(), dt.date.today())))
    at = open_page(PAGE, slajd=str(base + 1))
    assert f"Slajd **{base + 1} / {base + 1}**" in _texts(at.markdown)
    assert not at.metric and not at.title  # the monitoring slide is its figure
    assert not at.warning


def test_a_saved_scenario_becomes_the_last_slide(pes_env) -> None:
    _save("Plan <b>2027</b>", dt.date.today())
    at = open_page(PAGE)
    box = at.selectbox(key="prezentacja_scenariusz")
    assert box.value == "" and "Plan <b>2027</b>" in box.options
    base = len(deck.build_slides(pipeline.run(get_settings(), dt.date.today()))) + 1
    assert f"Slajd **1 / {base}**" in _texts(at.markdown)

    box.set_value("Plan <b>2027</b>").run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"Slajd **{base + 1} / {base + 1}**" in _texts(at.markdown)  # opened at once
    assert [t.value for t in at.title] == [md("Scenariusz: Plan <b>2027</b>")]
    assert "gminy pokryte (z 213 gmin)" in [m.label for m in at.metric]
    assert at.query_params["scenariusz"] == "Plan <b>2027</b>"

    # the link shows it in the presentation mode too
    shown = open_page(PAGE, pokaz="1", scenariusz="Plan <b>2027</b>", slajd=str(base + 1))
    assert [t.value for t in shown.title] == [md("Scenariusz: Plan <b>2027</b>")]


def test_a_scenario_of_another_date_is_a_note(pes_env) -> None:
    _save("Stary", dt.date(2020, 1, 1))
    base = len(deck.build_slides(pipeline.run(get_settings(), dt.date.today()))) + 1
    at = open_page(PAGE, scenariusz="Stary")
    assert f"Slajd **1 / {base}**" in _texts(at.markdown)  # no slide for it
    note = _texts(at.warning).replace("\\", "")  # Markdown escapes left out
    assert "Scenariusz „Stary” nie jest pokazany" in note and "01.01.2020" in note
