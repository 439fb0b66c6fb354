"""Decoding the text of a table file: UTF-8 (with or without BOM), UTF-16, cp1250, ISO-8859-2.

Part of :mod:`geo.io.tabular` (which re-exports :func:`decode`); kept apart for its size.
"""

from __future__ import annotations

import re

from geo.io._limits import TabularError

__all__ = ["BINARY", "CONTROL_RE", "decode"]

_POLISH = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
#: Control characters that do not occur in text files.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: The refusal of binary data.
BINARY = "Plik nie jest tekstowym plikiem CSV (zawiera dane binarne). Wczytaj plik CSV lub XLSX."


def _decode_legacy(data: bytes) -> tuple[str, str] | None:
    """cp1250 or ISO-8859-2, whichever yields more Polish letters (and fewer control codes).

    Polish Excel writes cp1250, older systems ISO-8859-2; they differ in ą, ś, ź (and their
    capitals), so both decode nearly anything and only the letters tell them apart.
    """
    candidates: list[tuple[int, str, str]] = []
    for encoding in ("cp1250", "iso-8859-2"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:200_000]
        polish = sum(1 for ch in sample if ch in _POLISH)
        controls = len(CONTROL_RE.findall(sample))
        candidates.append((polish - 10 * controls, encoding, text))
    if not candidates:
        return None
    _, encoding, text = max(candidates, key=lambda c: c[0])
    return text, encoding


def decode(data: bytes) -> tuple[str, str]:
    """Decode text bytes: UTF-8 (with or without BOM), UTF-16 with BOM, cp1250 or ISO-8859-2.

    Returns ``(text, encoding)``; raises :class:`TabularError` for binary data, for UTF-8 with
    broken bytes (it says on which line) and for text no candidate decodes.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    elif b"\x00" in data[:8192]:
        raise TabularError(BINARY)
    elif data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            # Mostly UTF-8 with a few broken bytes (two files pasted together): reading it as
            # cp1250 would garble every Polish letter, so say where the damage is instead.
            if any(ch in _POLISH for ch in data.decode("utf-8", errors="replace")):
                line = data[: exc.start].count(b"\n") + 1
                raise TabularError(
                    "Plik jest zapisany w UTF-8, ale zawiera nieprawidłowe znaki (pierwszy w "
                    f"linii {line}). Zapisz go ponownie jako „CSV UTF-8”."
                ) from None
        legacy = _decode_legacy(data)
        if legacy is not None:
            return legacy
    raise TabularError(
        "Nie udało się odczytać tekstu pliku: nieznane kodowanie znaków. "
        "Zapisz plik jako „CSV UTF-8” albo XLSX."
    )
