"""Text helpers shared by every matcher (headers, names, types)."""

from __future__ import annotations

import re
import unicodedata

# NFKD does not decompose these letters, so they are mapped by hand.
_EXTRA = str.maketrans({"ł": "l", "Ł": "l", "đ": "d", "ø": "o", "ß": "ss"})
_SPACES = re.compile(r"\s+")


def fold(value: object) -> str:
    """Return ``value`` as lower-case ASCII with single spaces, for matching.

    Parameters
    ----------
    value : object
        Any value; ``None`` and NaN give an empty string.

    Returns
    -------
    str
        Case- and diacritics-insensitive form: ``"Łódź  Miejska"`` -> ``"lodz miejska"``.
    """
    if value is None:
        return ""
    text = str(value)
    if text.lower() == "nan":
        return ""
    text = text.translate(_EXTRA)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("\u00a0", " ").strip().lower()
    return _SPACES.sub(" ", text)
