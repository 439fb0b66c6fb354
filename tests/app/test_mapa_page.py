"""The Mapa page when the registry has more entities than the browser should get as markers."""

from __future__ import annotations

import pytest

from geo.web import entities as web_entities
from tests.apptest_pages import open_page


def _texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def test_too_many_markers_are_summed_per_gmina_and_the_page_says_so(
    pes_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("pages/mapa.py")
    assert "jako liczby w gminach" not in _texts(at.caption)
    # the sample registry has a few dozen entities: a cap below that stands for 500,000
    monkeypatch.setattr(web_entities, "MAX_MARKERS", 5)
    at = open_page("pages/mapa.py")
    assert "koła pokazują liczbę podmiotów w każdej gminie" in _texts(at.info)
    assert "(jako liczby w gminach)" in _texts(at.caption)
