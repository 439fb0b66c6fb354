"""Shareable page state: the "stan na" date and the main filters kept in the address bar.

A page declares its :class:`Param` s, calls :func:`restore` before drawing its widgets (the
values of a link it was opened with go into the widgets' session state) and :func:`publish`
after them (the values in effect go into the URL, so the address bar is always a link to what is
shown). :func:`copy_link_button` copies that full link; it runs in the browser without any
network and falls back to showing the link in a text field when the clipboard is not available.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

import streamlit as st

from geo.analysis import subregions
from geo.core.schema import ENTITY_TYPES
from geo.web.indicators import INDICATORS
from pages import _common as common
from pages import _planning as planning

__all__ = [
    "DATE_PARAM",
    "Param",
    "copy_link_button",
    "date_param",
    "map_params",
    "publish",
    "restore",
]

DATE_PARAM = "stan"
_WRITTEN_KEY = "_share_written"
_DATE_WIDGET_KEY = "stan_na_wybor"  # pages._common's date picker, forgotten on a new link
_MIN_DATE = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class Param:
    """One piece of page state in the URL.

    Attributes
    ----------
    name : str
        The query parameter (``stan``, ``powiat``...).
    key : str
        The session-state key holding the value (a widget's key).
    kind : str
        ``"one"`` (a text), ``"many"`` (a list, comma-separated) or ``"date"`` (ISO date).
    choices : Collection[str] | None
        Allowed values; others from a link are ignored. None: the widget checks them.
    tokens : dict[str, str]
        Short URL words for long widget values (``{"wszystkie": "wszystkie z rejestru…"}``).
    default : str | None
        The widget's default value: left out of the URL (a new visitor gets it anyway).
    """

    name: str
    key: str
    kind: str = "one"
    choices: Collection[str] | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    default: str | None = None

    def decode(self, raw: str) -> object:
        """The widget value for the URL text ``raw``; raises ValueError when it is not valid."""
        if self.kind == "date":
            day = dt.date.fromisoformat(raw.strip())
            if not _MIN_DATE <= day <= dt.date(dt.date.today().year + 5, 12, 31):
                raise ValueError(raw)
            return day
        words = [self.tokens.get(w, w) for w in raw.split(",") if w] if raw else []
        if self.choices is not None and any(w not in self.choices for w in words):
            raise ValueError(raw)
        if self.kind == "many":
            return words
        if len(words) != 1:
            raise ValueError(raw)
        return words[0]

    def encode(self, value: object) -> str | None:
        """The URL text of a widget value; None to leave the parameter out."""
        if value is None:
            return None
        if self.kind == "date":
            return value.isoformat() if isinstance(value, dt.date) else None
        back = {v: k for k, v in self.tokens.items()}
        if self.kind == "many":
            values = [str(v) for v in value] if isinstance(value, list | tuple) else []
            if not values or (self.choices is not None and set(values) >= set(self.choices)):
                return None  # everything (the default) or nothing: no parameter
            return ",".join(back.get(v, v) for v in values)
        if self.default is not None and str(value) == self.default:
            return None
        return back.get(str(value), str(value))


def date_param() -> Param:
    """The "stan na" date, shared by every page (``stan=RRRR-MM-DD``)."""
    return Param(DATE_PARAM, common.AS_OF_KEY, "date")


def map_params(status_active: str, status_all: str) -> list[Param]:
    """The Mapa page's state: date, indicator, subregions, powiats, entity types and status."""
    return [
        date_param(),
        Param("wskaznik", "mapa_wskaznik", choices=list(INDICATORS), default="pokrycie"),
        Param("podzial", "mapa_podzial", default=subregions.OWES),
        Param("podregion", "mapa_podregion", default=planning.ALL),
        Param("powiat", "mapa_powiat", "many"),
        Param("typy", "mapa_typy", "many", choices=list(ENTITY_TYPES)),
        Param(
            "status",
            "mapa_status",
            choices=[status_active, status_all],
            tokens={"dzialajace": status_active, "wszystkie": status_all},
            default=status_active,
        ),
    ]


def _written(scope: str) -> dict[str, str | None]:
    written: dict[str, dict[str, str | None]] = st.session_state.setdefault(_WRITTEN_KEY, {})
    return written.setdefault(scope, {})


def restore(params: Sequence[Param], scope: str) -> None:
    """Before the widgets: put the values of the link the page was opened with into state.

    A value is taken only when the URL differs from what :func:`publish` last wrote for
    ``scope`` (the page), i.e. from a link, not from this session's own writes. Invalid values
    are left out with a warning.
    """
    written = _written(scope)
    ignored = []
    for param in params:
        raw = st.query_params.get(param.name)
        if raw is None or raw == written.get(param.name):
            continue
        try:
            value = param.decode(raw)
        except ValueError:
            ignored.append(f"{param.name}={raw}")
            continue
        st.session_state[param.key] = value
        if param.kind == "date":
            # The picker's own state would win over the link's date (see chosen_date()).
            st.session_state.pop(_DATE_WIDGET_KEY, None)
        written[param.name] = raw
    if ignored:
        st.warning(
            "Pominięto nieprawidłowe wartości z linku: " + common.md_verbatim(", ".join(ignored)),
            icon=":material/link_off:",
        )


def publish(params: Sequence[Param], scope: str) -> None:
    """After the widgets: the values in effect into the URL (only what changed)."""
    written = _written(scope)
    for param in params:
        text = param.encode(st.session_state.get(param.key))
        if text is None:
            if param.name in st.query_params:
                del st.query_params[param.name]
        elif st.query_params.get(param.name) != text:
            st.query_params[param.name] = text
        written[param.name] = text


_BUTTON = """<!doctype html>
<html lang="pl"><head><meta charset="utf-8"><title>Kopiuj link</title>
<style>html, body {{ margin: 0; padding: 0; background: transparent; }}</style></head>
<body><div style="display:flex;gap:.5rem;align-items:center;font-family:'Source Sans Pro',
 'Source Sans 3',system-ui,sans-serif;font-size:14px">
<button id="copy" type="button" style="min-height:38px;padding:.25rem .75rem;border-radius:.5rem;
 border:1px solid rgba(49,51,63,.3);background:#fff;color:#31333f;cursor:pointer;
 font:inherit;white-space:nowrap;display:inline-flex;align-items:center;gap:.4rem">
<svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">
<path d="M3.9 12a3.1 3.1 0 0 1 3.1-3.1h4V7H7a5 5 0 0 0 0 10h4v-1.9H7A3.1 3.1 0 0 1 3.9 12zM8
13h8v-2H8v2zm9-6h-4v1.9h4a3.1 3.1 0 0 1 0 6.2h-4V17h4a5 5 0 0 0 0-10z"/></svg>
<span id="label">{label}</span></button>
<input id="link" readonly hidden aria-label="Link do tej strony"
 style="flex:1;min-width:0;min-height:34px;font:inherit;font-size:14px;padding:0 .4rem">
</div>
<script>
const fallback = {fallback};
const button = document.getElementById("copy");
const label = document.getElementById("label");
const field = document.getElementById("link");
function pageLink() {{
  try {{ return window.parent.location.href; }} catch (e) {{ return fallback; }}
}}
function showField(url) {{
  field.hidden = false; field.value = url; field.focus(); field.select();
}}
button.addEventListener("click", async () => {{
  const url = pageLink();
  try {{
    await navigator.clipboard.writeText(url);
    label.textContent = "Skopiowano link";
    field.hidden = true;
  }} catch (e) {{
    showField(url);
    let copied = false;
    try {{ copied = document.execCommand("copy"); }} catch (e2) {{ copied = false; }}
    label.textContent = copied ? "Skopiowano link" : "Skopiuj link z pola obok";
  }}
}});
</script></body></html>
"""


def copy_link_button(label: str = "Kopiuj link do tego widoku") -> None:
    """A button copying the page's full address (with its state) to the clipboard.

    Runs in the browser only (no network). Where the clipboard is not available (a plain-HTTP
    address, an old browser) the link is shown, selected, in a text field beside the button.
    """
    query = urlencode(st.query_params.to_dict())
    fallback = json.dumps(f"?{query}" if query else "").replace("<", "\\u003c")
    # Our own markup; the only value from the URL is a JSON string literal with "<" escaped.
    st.iframe(
        _BUTTON.format(label=html.escape(label), fallback=fallback),
        height=46,
        alt=label,  # the frame's title, read by screen readers
    )
