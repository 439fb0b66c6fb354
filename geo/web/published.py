"""Map scripts published as content-addressed static files, loaded by the map's frame.

Why it exists: a rendered map (geometry, styles, popups: ~130 KB for Lubelskie) used to
travel inside every new session's websocket messages, and again to a returning browser. Here
the script is written once per distinct view to ``static/maps/<sha256>.js`` (the name is the
content's hash, so a file never changes and may be cached for ever) and the component gets a
few hundred bytes that fetch and run it. Twenty committee members opening the same view share
one file; a returning browser has it in its cache (nginx under ``make serve`` marks these
files immutable; Streamlit's own static serving answers revalidations with 304).

The file holds exactly what the websocket would have carried, so nothing becomes public that
was not already sent to the same visitor; the 256-bit name cannot be guessed. Old files are
pruned (oldest first) beyond :data:`MAX_FILES`. When the folder cannot be written, the script
is sent inline as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from pathlib import Path

from cachetools import LRUCache

from geo._fs import atomic_write_bytes
from geo.web.assets import STATIC_DIR, STATIC_URL

__all__ = [
    "MAX_FILES",
    "PUBLISHED_DIR",
    "PUBLISHED_URL",
    "loader_script",
    "publish",
    "published",
    "with_header",
]

_log = logging.getLogger(__name__)

PUBLISHED_DIR = STATIC_DIR / "maps"
PUBLISHED_URL = f"{STATIC_URL}/maps"
#: Files kept in the folder; one per distinct view (date, filters, registry version...).
MAX_FILES = 400

_lock = threading.Lock()
_memo: LRUCache[tuple[str, str, str], str] = LRUCache(maxsize=64)


def _prune(directory: Path, keep: int) -> None:
    files = sorted(directory.glob("*.js"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[keep:]:
        try:
            old.unlink()
        except FileNotFoundError:  # another worker pruned it first
            pass


def publish(text: str, *, directory: Path = PUBLISHED_DIR, url: str = PUBLISHED_URL) -> str:
    """Write ``text`` to ``directory/<sha256>.js`` unless it is there; return its URL.

    Raises OSError when the folder cannot be written.
    """
    data = text.encode("utf-8")
    name = f"{hashlib.sha256(data).hexdigest()}.js"
    target = directory / name
    if target.exists():
        os.utime(target)  # recently used: pruned last
    else:
        directory.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, data)
        _prune(directory, MAX_FILES)
    return f"{url}/{name}"


def loader_script(url: str) -> str:
    """JavaScript that fetches the script at ``url`` and runs it in the global scope.

    Synchronous on purpose: the component appends its own lines after the map's script
    (``window.map = map_div``), which need the map's global variables to exist; an indirect
    ``eval`` declares them globally, exactly as the inline script did.
    """
    return (
        "(function () {"
        "var request = new XMLHttpRequest();"
        f"request.open('GET', {json.dumps(url)}, false);"
        "request.send(null);"
        "if (request.status !== 200) {"
        "throw new Error('Nie udało się wczytać mapy (' + request.status + ').');"
        "}"
        "(0, eval)(request.responseText);"
        "})();\n"
    )


def with_header(header: str, script: str) -> str:
    """``script`` preceded by code adding ``header`` (styles, meta) to the document's head.

    The component would add the header itself; inside the published file it costs the
    websocket nothing. It runs before the map is created, as the component's own did.
    """
    if not header:
        return script
    return f"document.head.insertAdjacentHTML('beforeend', {json.dumps(header)});\n{script}"


def published(text: str, *, directory: Path = PUBLISHED_DIR, url: str = PUBLISHED_URL) -> str:
    """:func:`loader_script` for ``text`` published; ``text`` itself if publishing fails."""
    key = (text, str(directory), url)
    with _lock:
        found = _memo.get(key)
    if found is not None:
        return found
    try:
        stub = loader_script(publish(text, directory=directory, url=url))
    except OSError as exc:
        _log.warning("map script sent inline: cannot write %s (%s)", directory, exc)
        return text
    with _lock:
        _memo[key] = stub
    return stub
