"""Hostile and broken inputs (tests/hostile/make_corpus.py): clear Polish messages, no change.

Every registry case goes through the same path as the import page (review, then confirm for
files that are accepted) on both store backends; the database is read directly before and
after. Boundary zips go through the boundary import. Finally the import page itself gets
every file, and the app keeps running.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from db_backends import db_snapshot, db_url  # noqa: F401 - fixture
from hostile.make_corpus import ACCEPT, HUGE, PAYLOADS, REJECT, build_corpus, write_corpus

from geo import pipeline
from geo.config import PROJECT_ROOT, get_settings
from geo.io.boundaries import BoundaryError, import_boundaries, imported_boundaries
from geo.io.registry import RegistryFileError
from geo.registry.review import confirm_upload, review_upload
from geo.store import Store

SOURCE = "rejestr testowy"
_CORPUS = build_corpus()
REGISTRY_CASES = [c.name for c in _CORPUS if c.kind == "rejestr"]
BOUNDARY_CASES = [c.name for c in _CORPUS if c.kind == "granice"]
del _CORPUS
# Words a Polish message uses; an English library message would have none of them.
_POLISH = re.compile(
    r"[ąćęłńóśźż]|\b(plik|nie|jest|brak|wiersz|kolumn|archiwum|skoroszyt|podmiot|kod|gmin)",
    re.I,
)


@pytest.fixture(scope="module")
def corpus():
    return {c.name: c for c in build_corpus()}


@pytest.fixture(scope="module")
def region(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("region")
    env = {"PES_HOME": str(home), "PES_DATA_DIR": str(shared_data), "PES_REGION": "06"}
    return pipeline.load_region(get_settings(env))


def _assert_polish(message: str) -> None:
    assert _POLISH.search(message), message
    assert "Traceback" not in message and "Error:" not in message, message


def test_corpus_has_at_least_30_cases_and_writes_files(tmp_path: Path, corpus) -> None:
    assert len(corpus) >= 30
    assert {c.outcome for c in corpus.values()} == {REJECT, ACCEPT}
    written = write_corpus(tmp_path)
    assert set(written) == set(corpus) - HUGE
    for name, path in written.items():
        content = corpus[name].content
        if content.startswith(b"PK"):
            # zip members carry the time they were written, which compresses differently
            # from one generation to the next: the sizes agree within a few bytes
            assert abs(path.stat().st_size - len(content)) <= 64
        else:
            assert path.read_bytes() == content
        assert path.stat().st_size < 40 * 1024 * 1024  # nothing huge on disk


@pytest.mark.parametrize("name", REGISTRY_CASES)
def test_registry_input(name: str, corpus, region, db_url: str) -> None:  # noqa: F811
    case = corpus[name]
    with Store(db_url) as store:
        store.import_version(SOURCE, pd.DataFrame({"nazwa": ["Klub stary"], "typ": ["KIS"]}))
        before = db_snapshot(db_url)
        if case.outcome == REJECT:
            with pytest.raises(RegistryFileError) as info:
                review_upload(store, SOURCE, case.content, case.filename, region=region)
            message = str(info.value)
            assert case.expect in message
            _assert_polish(message)
            assert db_snapshot(db_url) == before
            return

        review = review_upload(store, SOURCE, case.content, case.filename, region=region)
        assert db_snapshot(db_url) == before  # reviewing writes nothing
        text = " ".join(review.report["komunikat"].astype(str))
        assert case.expect in text
        for message in review.report["komunikat"]:
            _assert_polish(message)
        confirm_upload(store, review, "redaktor")
        stored = store.current_entities()
        # Text is stored exactly as parsed: nothing evaluated, escaped or dropped.
        for column in ("nazwa", "adres", "uwagi", "miejscowosc"):
            assert stored[column].tolist() == review.parsed.frame[column].tolist(), column
        if db_url.startswith("sqlite"):  # the computation does not depend on the backend
            # The registry with this file still computes.
            frame, info = pipeline.load_registry(replace(region.settings, database_url=db_url))
            result = pipeline.compute(region, frame, info, pd.Timestamp("2026-01-01").date())
            assert len(result.entities) == len(stored)
        if name == "html_js_wszedzie":
            assert set(stored["nazwa"]) == set(PAYLOADS)
        if name == "formuly_xlsx":
            assert stored["nazwa"].tolist() == ['=CONCAT("Klub ";"A")']


@pytest.mark.parametrize("name", BOUNDARY_CASES)
def test_boundary_zip(name: str, corpus, tmp_path: Path, pes_env: dict[str, str]) -> None:
    from geo.io.region import load_terc_for

    case = corpus[name]
    settings = get_settings()
    terc, _ = load_terc_for(settings)
    path = tmp_path / case.filename
    path.write_bytes(case.content)
    outside = Path("/tmp/zly.shp")
    with pytest.raises(BoundaryError) as info:
        import_boundaries(path, settings, terc)
    assert case.expect in str(info.value)
    _assert_polish(str(info.value))
    assert imported_boundaries(settings) is None
    assert not outside.exists()


def _registry(snapshot: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    return {table: rows for table, rows in snapshot.items() if table != "login_tokens"}


def test_every_file_through_the_import_page(pes_env: dict[str, str], corpus) -> None:
    """The page shows a message for each file, writes nothing before confirmation, keeps running."""
    from streamlit.testing.v1 import AppTest

    from geo.store import auth

    url = get_settings().database_url
    with Store(url) as store:
        auth.add_user(store, "redaktor", "Zielony-Most-Nad-Wisłą-1")
        store.import_version(SOURCE, pd.DataFrame({"nazwa": ["Klub stary"], "typ": ["KIS"]}))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/import_danych.py").run()
    at.text_input[0].input("redaktor")
    at.text_input[1].input("Zielony-Most-Nad-Wisłą-1")
    at.button[0].click().run()
    assert at.file_uploader, [e.value for e in at.error]
    # After the login; the login token's activity time may change as the editor works.
    before = _registry(db_snapshot(url))

    for case in corpus.values():
        if case.kind != "rejestr" or case.name in HUGE:
            continue
        at.file_uploader[0].set_value((case.filename, case.content, "text/csv")).run()
        assert not at.exception, (case.name, [e.value for e in at.exception])
        if case.outcome == REJECT:
            assert any("Plik odrzucony" in e.value for e in at.error), case.name
        else:
            assert [m.label for m in at.metric][:3] == ["Wiersze", "Błędy", "Ostrzeżenia"]
        assert _registry(db_snapshot(url)) == before, case.name

    # Confirm the file with script payloads everywhere; then every page shows it as text.
    hostile = corpus["html_js_wszedzie"]
    at.file_uploader[0].set_value((hostile.filename, hostile.content, "text/csv")).run()
    [confirm] = [b for b in at.button if b.label.startswith("Zatwierdź import")]
    confirm.click().run()
    assert not at.exception and "Zapisano wersję 2" in at.success[0].value
    for page in (
        "pages/rejestr.py",
        "pages/mapa.py",
        "pages/o_danych.py",
        "pages/import_danych.py",
    ):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        shown = [e.value for e in (*at.markdown, *at.caption, *at.warning, *at.error, *at.info)]
        for text in shown:
            assert "<script" not in text and "<img" not in text and "](javascript" not in text


def test_template_syntax_in_data_is_shown_not_run(region) -> None:
    """Text from data must never reach a template engine (folium renders with Jinja)."""
    import datetime as dt

    from geo.web.maps import MapOptions, build_map

    names = ["Klub {{ lipsum.__name__ }}", "KIS {{ cycler.__init__.__globals__.os.getcwd() }}"]
    frame = pd.DataFrame({"nazwa": names, "typ": ["KIS", "KIS"], "teryt": ["0663011", "0614011"]})
    info = pipeline.RegistryInfo(False, "{{ joiner.__name__ }}", ("{{ joiner.__name__ }}",))
    result = pipeline.compute(region, frame, info, dt.date(2026, 1, 1))
    html = (
        build_map(
            result.gminy,
            result.entities,
            region.powiaty,
            MapOptions(note="{{ joiner.__name__ }}", attribution="a"),
        )
        .get_root()
        .render()
    )
    # What Jinja would make of the expressions: the name of its own function, the folder.
    assert "generate_lorem_ipsum" not in html and "Joiner" not in html
    assert str(PROJECT_ROOT) not in html
    assert "lipsum.__name__" in html
