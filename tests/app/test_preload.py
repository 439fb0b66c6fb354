"""The list of front-end modules make serve's nginx asks browsers to preload (pages/_preload.py).

The names come from the installed Streamlit: these tests fail when an upgrade renames an
element's module or changes how modules import each other, instead of the start page
silently losing its preloading.
"""

from __future__ import annotations

import re

from pages import _preload as preload


def test_every_first_screen_element_has_its_module() -> None:
    modules = preload.element_modules()
    for element in preload.FIRST_SCREEN_ELEMENTS:
        assert [m for m in modules if m.split(".")[0] == element], element
    assert all((preload.STREAMLIT_ASSETS / "js" / m).is_file() for m in modules)


def test_the_closure_holds_every_static_import_not_already_preloaded() -> None:
    closure = set(preload.module_closure())
    assert set(preload.element_modules()) <= closure
    index = (preload.STREAMLIT_ASSETS.parent / "index.html").read_text()
    already = set(re.findall(r'rel="modulepreload"[^>]*href="\./static/js/([^"]+)"', index))
    assert already, "Streamlit's page lists its own preloads"
    assert not closure & already, "nothing is preloaded twice"
    for name in closure:
        text = (preload.STREAMLIT_ASSETS / "js" / name).read_text(encoding="utf-8")
        for imported in re.findall(r'(?:from|import)"\./([^"]+\.js)"', text):
            assert imported in closure | already or imported.startswith("index."), (
                f"{name} imports {imported}, which nobody preloads"
            )


def test_the_links_name_each_module_once_relative_to_the_page() -> None:
    links = preload.preload_links()
    hrefs = re.findall(r'<link rel="modulepreload" crossorigin href="\./static/js/([^"]+)">', links)
    assert hrefs == list(preload.module_closure())
    assert len(set(hrefs)) == len(hrefs)
    assert "'" not in links and "$" not in links  # inside a quoted nginx directive
