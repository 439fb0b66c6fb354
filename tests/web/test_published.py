"""Map scripts as content-addressed static files (geo/web/published.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import geo.web.published as pub


def test_publish_names_the_file_by_content_and_writes_it_once(tmp_path: Path) -> None:
    url = pub.publish("var a = 1;", directory=tmp_path, url="/app/static/maps")
    (written,) = tmp_path.glob("*.js")
    assert url == f"/app/static/maps/{written.name}"
    assert written.read_text() == "var a = 1;"
    assert len(written.stem) == 64  # sha256: the name cannot be guessed
    os.utime(written, (0, 0))
    assert pub.publish("var a = 1;", directory=tmp_path, url="/app/static/maps") == url
    assert written.stat().st_mtime > 0  # touched: recently used, pruned last
    assert pub.publish("var a = 2;", directory=tmp_path, url="/x") != url


def test_old_files_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pub, "MAX_FILES", 3)
    for i in range(5):
        pub.publish(f"var n = {i};", directory=tmp_path)
        for f in tmp_path.glob("*.js"):
            os.utime(f, (f.stat().st_mtime - 10, f.stat().st_mtime - 10))
    kept = sorted(f.read_text() for f in tmp_path.glob("*.js"))
    assert kept == ["var n = 2;", "var n = 3;", "var n = 4;"]


def test_loader_is_small_and_runs_the_file_globally(tmp_path: Path) -> None:
    script = "var map_div = L.map('x');" + "x" * 100_000
    stub = pub.published(script, directory=tmp_path, url="/app/static/maps")
    assert len(stub) < 500
    assert "(0, eval)(request.responseText)" in stub  # indirect eval: global variables
    assert "/app/static/maps/" in stub and "false" in stub  # synchronous, before the
    # component's own line that reads map_div


def test_a_folder_that_cannot_be_written_sends_the_script_inline(tmp_path: Path) -> None:
    blocker = tmp_path / "plik"
    blocker.write_text("not a folder")
    script = "var only_here = 1;"
    assert pub.published(script, directory=blocker / "maps") == script


def test_header_goes_into_the_published_file() -> None:
    text = pub.with_header("<style>#m{height:1px}</style>", "var m;")
    assert text.startswith("document.head.insertAdjacentHTML('beforeend', ")
    assert '"<style>#m{height:1px}</style>"' in text and text.endswith("var m;")
    assert pub.with_header("", "var m;") == "var m;"
