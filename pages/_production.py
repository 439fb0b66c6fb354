"""Refuse Streamlit's development messages from browsers in production (a small, documented shim).

Why this exists: any browser connected to a Streamlit (1.67) app may send the ``clear_cache``
message (the "Clear cache" menu entry of development mode), and the server empties
``st.cache_data`` and ``st.cache_resource`` **for every user** (``AppSession.
_handle_clear_cache_request``): an anonymous visitor can make the whole app recompute its
coverage, maps and boundaries over and over. No configuration option turns the message off
(``client.toolbarMode = "viewer"`` only hides the menu entry). ``set_run_on_save`` is the
other development-only message; it is refused too.

The shim replaces those two handlers of ``AppSession`` (private names of Streamlit, the only
place this app touches them) with ones that log and ignore the message, unless Streamlit runs
in its development mode (``global.developmentMode``: a source checkout of Streamlit itself).
It is installed once per process by app.py; ``tests/security/test_hostile_auth.py`` sends the
messages to a real ``AppSession`` and fails if a Streamlit upgrade renames the handlers.
"""

from __future__ import annotations

import logging
from typing import Any

from streamlit import config
from streamlit.runtime.app_session import AppSession

_LOG = logging.getLogger("mapa_es.pages")
#: The AppSession handlers of development messages this shim refuses.
REFUSED_HANDLERS = ("_handle_clear_cache_request", "_handle_set_run_on_save_request")
_MARK = "_mapa_es_refused"


def _refusal(name: str, original: Any) -> Any:
    def refuse(self: AppSession, *args: Any, **kwargs: Any) -> None:
        if config.get_option("global.developmentMode"):
            return original(self, *args, **kwargs)
        _LOG.warning("refused the development message %s from session %s", name, self.id)
        return None

    setattr(refuse, _MARK, True)
    refuse.__wrapped__ = original  # type: ignore[attr-defined]
    refuse.__doc__ = f"{name} refused outside Streamlit's development mode (pages/_production)."
    return refuse


def refuse_development_messages() -> None:
    """Install the refusals (idempotent; a missing handler is an error, not silence)."""
    for name in REFUSED_HANDLERS:
        original = getattr(AppSession, name, None)
        if original is None:
            raise RuntimeError(
                f"Streamlit has no AppSession.{name}: update pages/_production.py for this "
                "Streamlit version."
            )
        if not getattr(original, _MARK, False):
            setattr(AppSession, name, _refusal(name, original))
