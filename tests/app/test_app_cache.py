"""Derived outputs (gmina card, deck, report, trends, maps) follow every input without a restart.

All of them are cached per server process under the key of the coverage they are drawn from
(``pages._common.coverage_and_key``). These tests change one input at a time on the "same
running server" (one test process: Streamlit's caches are process-wide) and open the page as a
new visitor.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pandas as pd
import pytest
from apptest_pages import open_page
from pypdf import PdfReader
from streamlit.runtime.media_file_manager import MediaFileManager

from geo.config import get_settings

GMINA = "0605012"  # Batorz (powiat janowski)


@pytest.fixture()
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    """The bytes behind every download button drawn, by file name.

    A deferred download is made when the visitor clicks; here it is made when the button is
    drawn (inside the page run, where the page's caches live). A file made on request
    (``pages._downloads.download_on_request``) is offered as bytes once asked for.
    """
    made: dict[str, bytes] = {}
    original = MediaFileManager.add_deferred
    original_add = MediaFileManager.add

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kw):  # noqa: ANN001, ANN202
        data = data_callable()
        made[str(file_name)] = data if isinstance(data, bytes) else data.encode()
        return original(self, data_callable, mimetype, coordinates, file_name, **kw)

    def add(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):  # noqa: ANN001, ANN202
        if is_for_static_download and file_name and isinstance(data, bytes):
            made[str(file_name)] = data
        return original_add(self, data, mimetype, coordinates, file_name, is_for_static_download)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    monkeypatch.setattr(MediaFileManager, "add", add)
    yield made


def _open_and_prepare(page: str, key: str) -> None:
    """Open ``page`` as a new visitor and ask for its file made on request (``key``)."""
    at = open_page(page)
    at.button(key=f"{key}_przygotuj").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _card(downloads: dict[str, bytes]) -> str:
    (name,) = [n for n in downloads if n.startswith(f"karta_gminy_{GMINA}")]
    return _pdf_text(downloads.pop(name))


def test_gmina_card_follows_an_lpres_import(pes_env, downloads, tmp_path) -> None:
    """The measured bug: after ``lpres import`` the page said "przyjęty", the card "nieznany"."""
    from geo.analysis import lpres

    open_page("pages/profil.py", gmina=GMINA)
    assert "LPRES nieznany" in " ".join(_card(downloads).split())

    plans = tmp_path / "plany.csv"
    plans.write_text(
        "jst,zakres,teryt_gmin,status,nazwa,uchwala_data,okres_do\n"
        "Powiat Janowski,powiat,0605,przyjęty,Plan powiatu,2021-03-15,2030-12-31\n",
        encoding="utf-8",
    )
    lpres.import_plans(plans, get_settings())

    at = open_page("pages/profil.py", gmina=GMINA)
    assert {m.label: m.value for m in at.metric}["LPRES"] == "przyjęty"
    card = " ".join(_card(downloads).split())
    assert "LPRES nieznany" not in card
    assert "przyjęty" in card


def _registry_row(**values: str) -> dict[str, object]:
    from geo.core.schema import REGISTRY_COLUMNS

    row: dict[str, object] = dict.fromkeys(REGISTRY_COLUMNS)
    row.update(values)
    return row


def test_card_deck_and_report_follow_a_new_registry_version(pes_env, downloads) -> None:
    from geo.store import Store

    open_page("pages/profil.py", gmina=GMINA)
    _open_and_prepare("pages/prezentacja.py", "prezentacja_pdf")
    _open_and_prepare("pages/raport.py", "raport_pdf")
    assert {n.split("_")[0] for n in downloads} >= {"karta", "prezentacja", "raport"}
    before = {name: data for name, data in downloads.items()}
    downloads.clear()

    with Store(get_settings().database_url) as store:
        store.import_version(
            "rejestr testowy",
            pd.DataFrame([_registry_row(id="K1", nazwa="Klub Testowy", typ="KIS", teryt=GMINA)]),
        )

    at = open_page("pages/profil.py", gmina=GMINA)
    assert int({m.label: m.value for m in at.metric}["Podmioty ekonomii społecznej"]) == 1
    assert "Klub Testowy" in _card(downloads)
    _open_and_prepare("pages/prezentacja.py", "prezentacja_pdf")
    _open_and_prepare("pages/raport.py", "raport_pdf")
    assert {n.split("_")[0] for n in downloads} >= {"prezentacja", "raport"}
    for name, data in downloads.items():
        assert name in before and data != before[name], name


def test_trends_follow_a_subregion_file(pes_env) -> None:
    settings = get_settings()
    at = open_page("pages/trendy.py")
    at.selectbox(key="trendy_podzial").set_value("owes_2017_2020").run()
    assert "Janowski test" not in at.selectbox(key="trendy_obszar").options

    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / "podregiony.csv").write_text(
        "definicja,definicja_nazwa,definicja_okres,definicja_zrodlo,powiat,powiat_nazwa,"
        "podregion,podregion_nazwa,operator,okres,zrodlo\n"
        "owes_2017_2020,Obszary OWES 2017–2020,2017-10-01..2020-09-30,test,0605,janowski,"
        "JT,Janowski test,,,test\n",
        encoding="utf-8",
    )
    at = open_page("pages/trendy.py")
    at.selectbox(key="trendy_podzial").set_value("owes_2017_2020").run()
    assert not at.exception
    assert "Janowski test" in at.selectbox(key="trendy_obszar").options


def test_coverage_key_names_every_input(pes_env) -> None:
    """Registry, LPRES plans, subregion files and imported boundaries all change the key."""
    from pages import _common as common

    settings = get_settings()
    key = common.data_inputs(settings)

    common.store(settings).import_version(
        "rejestr", pd.DataFrame([_registry_row(id="A", nazwa="A", typ="CIS", teryt=GMINA)])
    )
    after_registry = common.data_inputs(settings)
    assert after_registry != key

    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / "podregiony.csv").write_text("x", encoding="utf-8")
    after_subregions = common.data_inputs(settings)
    assert after_subregions != after_registry

    from geo.io import boundaries

    target, meta_path = boundaries._store_paths(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"")
    meta = {"region": settings.region, "sha256": "abc"}
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    assert common.data_inputs(settings) != after_subregions
