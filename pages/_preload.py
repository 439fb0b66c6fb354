"""Start fetching the front-end code of the first screen's elements at once (a measured shim).

Why this exists: Streamlit's front end loads the code of each element type (selectbox, date
field, component frame, metric...) only when it first renders one, and React suspends the
page at that element until the code has arrived: the start page then loads its element code
in a chain of round trips (five on the Mapa page, about 100 ms each on the 2-core machine of
BENCHMARKS.md), and the map's frame is created only after the last one. ``make serve``'s
nginx adds ``<link rel="modulepreload">`` tags for those modules (and the modules they
import) to Streamlit's page (``deploy/nginx.conf.template``), so the browser fetches them
in parallel while the page starts, and every later render finds them ready. ``make run``
(development) does without.

The module files are Streamlit's own, named ``<Element>.<hash>.js`` in its static folder: the
names are read from the installed package (so an upgrade changes the hashes, not this code),
and ``tests/app/test_preload.py`` fails if an upgrade renames the elements listed here.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import streamlit

#: Elements of the start page's and the gmina profile's first screen.
FIRST_SCREEN_ELEMENTS = (
    "Selectbox",
    "DateInput",
    "ComponentInstance",
    "Metric",
    "IFrame",
    "PageLink",
    "Html",
)

#: Streamlit's front-end files as its server serves them under ``/static/``.
STREAMLIT_ASSETS = Path(streamlit.__file__).parent / "static" / "static"
_JS = STREAMLIT_ASSETS / "js"


_STATIC_IMPORT = re.compile(r'(?:from|import)"\./([A-Za-z0-9_.-]+\.js)"')
_INDEX_PRELOADS = re.compile(r'<link rel="modulepreload"[^>]*href="\./static/js/([^"]+)"')


@cache
def element_modules(elements: tuple[str, ...] = FIRST_SCREEN_ELEMENTS) -> tuple[str, ...]:
    """File names of the front-end modules of ``elements`` in the installed Streamlit."""
    names = sorted(p.name for p in _JS.glob("*.js")) if _JS.is_dir() else []
    found: list[str] = []
    for element in elements:
        pattern = re.compile(rf"{re.escape(element)}\.[A-Za-z0-9_-]+\.js")
        found += [n for n in names if pattern.fullmatch(n)]
    return tuple(found)


@cache
def module_closure(elements: tuple[str, ...] = FIRST_SCREEN_ELEMENTS) -> tuple[str, ...]:
    """The element modules and every module they import statically (not the lazy ones), less
    those Streamlit's own page already preloads: what a ``<link rel="modulepreload">`` list
    needs, since a preload fetches one module, not its imports."""
    index = _JS.parent.parent / "index.html"
    already = set(_INDEX_PRELOADS.findall(index.read_text())) if index.exists() else set()
    seen: list[str] = []
    todo = list(element_modules(elements))
    while todo:
        name = todo.pop(0)
        if name in seen or not (_JS / name).is_file():
            continue
        seen.append(name)
        todo += _STATIC_IMPORT.findall((_JS / name).read_text(encoding="utf-8", errors="replace"))
    return tuple(n for n in seen if n not in already and not n.startswith("index."))


def preload_links() -> str:
    """``<link rel="modulepreload">`` tags for the page's ``<head>`` (make serve's nginx adds
    them to Streamlit's page, so the modules load while the page starts, before any script
    run): relative to the page, as Streamlit's own tags are."""
    return "".join(
        f'<link rel="modulepreload" crossorigin href="./static/js/{name}">'
        for name in module_closure()
    )
