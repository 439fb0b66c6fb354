"""Presentation-mode keys: a presenter's clicker (arrows, PageDown/PageUp, Space) and Escape.

Why a script in the page: Streamlit has no key bindings. ``st.html`` with
``unsafe_allow_javascript`` runs ``_keys.js`` (our own file, no data in it) in the top
document, which installs one ``keydown`` listener there, so keys work while the page has focus
(a component's iframe would only see keys while it has focus itself). A key clicks
one of the page's own buttons (by its ``st-key-<key>`` class); the button's callback moves the
slide and sets the ``slajd`` query param, so the URL always opens the slide on screen. The
script is read from this folder: nothing is fetched, the mode works offline.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

_SCRIPT = Path(__file__).with_name("_keys.js")


def install(*, prev_key: str, next_key: str, exit_key: str, fullscreen_id: str) -> None:
    """Bind the keys to the buttons with keys ``prev_key``, ``next_key`` and ``exit_key``.

    ``fullscreen_id`` is the id of a plain HTML button in the page that toggles full screen
    (the Fullscreen API needs a click in the top document); ``F`` toggles it too.
    """
    config = json.dumps(
        {"prev": prev_key, "next": next_key, "exit": exit_key, "fullscreen": fullscreen_id}
    )
    script = _SCRIPT.read_text(encoding="utf-8").replace("__CONFIG__", config)
    # Streamlit's sanitizer (DOMPurify) silently drops a script whose text holds "<tag".
    if "<" in script:
        raise ValueError("_keys.js must not contain '<': the script would be dropped")
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)
