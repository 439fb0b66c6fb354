"""Data made safe for the map document: HTML, Jinja and ``<script>`` escaping in one place.

Why it exists: folium inserts GeoJSON property values into tooltips and popups as HTML and
renders its scripts twice through Jinja, so a registry text such as ``<b>`` or ``{{ x }}``
would become markup or run on the server. Every text from data goes through these helpers
before it reaches a layer, a legend or a script (the hostile-input corpus tests them).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from typing import Any

import pandas as pd

__all__ = [
    "date_text",
    "escaped",
    "html_safe",
    "is_blank",
    "js_string",
    "km_text",
    "plain_text",
    "script_json",
]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TEMPLATE_START = re.compile(r"\{(?=[{%#])")


def is_blank(value: object) -> bool:
    """True for missing values (None, NA, NaT, NaN) and empty or whitespace-only text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def plain_text(value: object) -> str:
    """Plain text of a data value ('' for missing values, dates as dd.mm.yyyy)."""
    if is_blank(value):
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


def html_safe(text: str) -> str:
    """``text`` safe as HTML and inert as a template.

    folium renders every element's script twice through Jinja, so ``{{ … }}`` or ``{% … %}``
    in data would be evaluated on the server: braces become character references, which a
    browser shows as braces.
    """
    return html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;")


def escaped(value: object) -> str:
    """:func:`plain_text` of ``value``, made :func:`html_safe`."""
    return html_safe(plain_text(value))


def date_text(value: object) -> str:
    """ISO dates as the Polish dd.mm.yyyy; anything else as given."""
    text = plain_text(value)
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text).strftime("%d.%m.%Y")
        except ValueError:  # e.g. 2024-02-30: shown as written
            return text
    return text


def km_text(value: float | None) -> str:
    """A distance in km with a Polish decimal comma ('' for missing values)."""
    if value is None or is_blank(value):
        return ""
    return f"{float(value):.1f}".replace(".", ",") + "\u00a0km"


def js_string(text: str) -> str:
    """A JavaScript string literal that is also safe inside an HTML <script>."""
    return json.dumps(text).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def script_json(value: Any) -> str:
    """Compact JSON that is safe inside an HTML <script> and inert as a Jinja template.

    folium passes every rendered script through Jinja once more, so ``{{``, ``{%`` or ``{#``
    from data would run on the server. Compact JSON never has them outside strings (an
    object opens with ``{"`` or ``{}``), so such a brace is escaped as ``\\u007b``, which
    JavaScript reads back as ``{``.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(ch, esc)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return _TEMPLATE_START.sub(lambda _: "\\u007b", text)
