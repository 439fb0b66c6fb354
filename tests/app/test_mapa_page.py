"""The Mapa page when the registry has more entities than the browser should get as markers."""

from __future__ import annotations

import re

import pandas as pd
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


def _gaps_html(at) -> str:
    tables = [h.proto.body for h in at.get("html") if "pes-tabela" in h.proto.body]
    assert len(tables) == 1, "one table of gminas without CIS/KIS beside the map"
    return tables[0]


def _km(cell: str) -> float:
    return float("inf") if cell.strip() == "—" else float(cell.split()[0].replace(",", "."))


def test_the_side_panel_lists_the_farthest_gaps_and_links_to_all_of_them(pes_env) -> None:
    at = open_page("pages/mapa.py")
    heading = next(m.value for m in at.markdown if "Gminy bez CIS/KIS:" in m.value)
    total = int(re.search(r"Gminy bez CIS/KIS: (\d+)", heading).group(1))
    body = _gaps_html(at).split("<tbody>")[1]
    rows = [re.findall(r"<td>([^<]*)", row) for row in body.split("<tr>")[1:]]
    assert all(len(row) == 3 for row in rows)
    # the sample registry leaves most gminas without CIS/KIS: more than the panel shows
    assert 10 <= len(rows) < total
    distances = [_km(row[2]) for row in rows]
    assert distances == sorted(distances, reverse=True), "farthest first"
    assert f"{len(rows)} najdalej od CIS/KIS z {total}" in _texts(at.caption)
    links = [
        link
        for link in at.get("page_link")
        if "Wszystkie gminy bez CIS/KIS" in str(link.proto.label)
    ]
    assert links and links[0].proto.page == "luki"


def test_html_tables_escape_every_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    from pages import _common as common

    drawn: list[str] = []
    monkeypatch.setattr(common.st, "html", drawn.append)
    frame = pd.DataFrame({"Nazwa <b>": ["<script>x()</script>", "A & B"], "km": ["1,5 km", "—"]})
    common.html_table(frame, numbers=("km",))
    (html,) = drawn
    assert "<script>x()" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "Nazwa &lt;b&gt;" in html and "A &amp; B" in html
    # the number column only, by a rule of this table's layout (a page may have others)
    assert '<table class="pes-tabela pes-r2">' in html
    assert ".pes-r2 td:nth-child(2),.pes-r2 th:nth-child(2){text-align:right" in html
    assert "td:nth-child(1)" not in html


def test_the_problems_table_is_built_only_when_its_section_is_opened(pes_env) -> None:
    """Its table code (Streamlit's data grid) is not loaded by every new browser session."""
    at = open_page("pages/mapa.py")
    assert [e.label for e in at.expander if "niezlokalizowane" in e.label]
    assert len(at.dataframe) == 0
    at.session_state["mapa_problemy"] = True  # the section opened by the visitor
    at.run()
    assert not at.exception
    assert len(at.dataframe) == 1
