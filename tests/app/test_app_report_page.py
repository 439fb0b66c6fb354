"""AppTest of the Raport page's PDF: made on request, with the region's monitoring section."""

from __future__ import annotations

import io

import pytest
from apptest_pages import open_page
from pypdf import PdfReader
from streamlit.runtime.media_file_manager import MediaFileManager


@pytest.fixture()
def offered(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """The bytes of every file offered for download, by file name."""
    made: dict[str, bytes] = {}
    original = MediaFileManager.add

    def add(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):  # noqa: ANN001, ANN202
        if is_for_static_download and file_name and isinstance(data, bytes):
            made[str(file_name)] = data
        return original(self, data, mimetype, coordinates, file_name, is_for_static_download)

    monkeypatch.setattr(MediaFileManager, "add", add)
    return made


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_region_report_has_monitoring_and_a_powiat_says_where(pes_env, offered) -> None:
    at = open_page("pages/raport.py")
    assert not at.download_button  # made on request only
    at.button(key="raport_pdf_przygotuj").click().run()
    assert not at.exception and not at.error
    (name,) = offered
    assert name.startswith("raport_wojewodztwo_lubelskie")
    assert "Monitoring programu: wskaźniki wobec celów" in _text(offered.pop(name))

    at.selectbox[0].set_value("0605").run()  # a powiat: the file is asked for again
    at.button(key="raport_pdf_przygotuj").click().run()
    assert not at.exception and not at.error
    (name,) = offered
    text = _text(offered[name])
    assert "Monitoring programu: wskaźniki wobec celów" not in text
    assert "dotyczy całego regionu" in text
