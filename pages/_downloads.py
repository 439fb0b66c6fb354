"""The one way a page offers a file to download: a failure is a Polish message, never a no-op.

A file handed to ``st.download_button`` as a callable is made when the visitor clicks, in a
thread of its own: if that fails, the button silently does nothing. So files are made inside
the page run, in a try:

* :func:`download`: small files (tables of gminas, a template, a stored original) are made
  when the page is drawn;
* :func:`download_on_request`: large ones (the registry, the validation report) are made
  when asked for ("Przygotuj plik ..."), then offered; the file is kept in the session until
  its ``token`` (what it was made from) changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st

from geo.errors import UserError

__all__ = ["download", "download_on_request"]

_LOG = logging.getLogger(__name__)
_KEPT = "_pobieranie_"  # session-state prefix of the files made on request


def _made(build: Callable[[], bytes] | bytes, file_name: str, place: Any) -> bytes | None:
    """The file's bytes, or None after showing in ``place`` why it could not be made."""
    try:
        return build() if callable(build) else build
    except UserError as exc:
        place.error(f"Nie udało się przygotować pliku {file_name}: {exc}", icon=":material/error:")
    except Exception:  # a bug: logged with its traceback, the visitor gets a message
        _LOG.exception("building the download %s failed", file_name)
        place.error(
            f"Nie udało się przygotować pliku {file_name} (nieoczekiwany błąd, szczegóły w "
            "dzienniku aplikacji). Spróbuj ponownie; jeśli błąd się powtarza, zgłoś go "
            "administratorowi.",
            icon=":material/error:",
        )
    return None


def download(
    label: str,
    build: Callable[[], bytes] | bytes,
    *,
    file_name: str,
    mime: str,
    place: Any = st,
    **button: Any,
) -> None:
    """A download button of a file made now (``build()``), or a Polish message if it fails.

    ``place`` is where to draw (``st``, a column, a container); ``button`` holds the other
    arguments of ``st.download_button`` (``key``, ``icon``, ``type``, ``width``).
    """
    data = _made(build, file_name, place)
    if data is not None:
        place.download_button(
            label, data=data, file_name=file_name, mime=mime, on_click="ignore", **button
        )


def download_on_request(
    label: str,
    build: Callable[[], bytes],
    *,
    file_name: str,
    mime: str,
    key: str,
    token: Hashable,
    place: Any = st,
    prepare: str | None = None,
    **button: Any,
) -> None:
    """A "Przygotuj" button that makes the file, then its download button.

    Parameters
    ----------
    label : str
        The download button's label.
    build : callable
        Makes the file's bytes.
    key : str
        Unique key of this download on the page.
    token : hashable
        What the file is made from (data state, filters, format): a kept file with another
        token is stale and is made again on request.
    prepare : str, optional
        The label of the button that makes the file (default: "Przygotuj" + the label's end).
    """
    slot = place.empty()
    kept = st.session_state.get(_KEPT + key)
    if kept is not None and kept[0] == token:
        data = kept[1]
    else:
        asked = slot.button(
            prepare or label.replace("Pobierz", "Przygotuj", 1),
            key=f"{key}_przygotuj",
            icon=":material/build:",
            help="Plik zostanie przygotowany na żądanie; potem pojawi się przycisk pobierania.",
        )
        if not asked:
            return
        with st.spinner(f"Przygotowuję plik {file_name}…"):
            made = _made(build, file_name, place)
        if made is None:
            return
        st.session_state[_KEPT + key] = (token, made)
        data = made
    slot.download_button(
        label, data=data, file_name=file_name, mime=mime, key=key, on_click="ignore", **button
    )
