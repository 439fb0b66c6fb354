"""Finding a gmina: by name without diacritics, by TERC code (old codes too), by link.

Two gminas often share a name (the town and the rural gmina around it), so every gmina is
shown with an unambiguous label (type and powiat).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from geo.core.teryt import Terc
from geo.core.text import fold
from geo.errors import UserError
from geo.present.formatting import plain_text

__all__ = [
    "RODZAJ_SHORT",
    "ProfileError",
    "gmina_labels",
    "powiat_label",
    "resolve_gmina",
    "search_gminy",
]

RODZAJ_SHORT = {"1": "miejska", "2": "wiejska", "3": "miejsko-wiejska"}
_SEPARATORS = re.compile(r"[\s\-./]")


class ProfileError(UserError, ValueError):
    """The gmina cannot be found or profiled; the message is in Polish for the user."""


def powiat_label(code: str, name: str) -> str:
    """``powiat tomaszowski`` or ``miasto na prawach powiatu Lublin`` (codes 61-99)."""
    if len(code) >= 4 and code[2:4].isdigit() and int(code[2:4]) >= 61:
        return f"miasto na prawach powiatu {name}"
    return f"powiat {name}"


def gmina_labels(gminy: pd.DataFrame) -> pd.Series:
    """One unambiguous label per gmina: ``Tomaszów Lubelski (gmina miejska, powiat tomaszowski)``.

    Two gminas often share a name (the town and the rural gmina around it), so the type and
    the powiat are always shown.
    """
    kind = gminy["rodzaj"].astype(str).map(RODZAJ_SHORT).fillna("")
    powiat = [
        powiat_label(str(code), str(name))
        for code, name in zip(gminy["powiat"], gminy["powiat_nazwa"], strict=True)
    ]
    return (
        gminy["nazwa"].astype(str)
        + " (gmina "
        + kind
        + ", "
        + pd.Series(powiat, index=gminy.index)
        + ")"
    )


# ----------------------------------------------------------------------------- search


def search_gminy(
    gminy: pd.DataFrame, query: str, terc: Terc | None = None, limit: int = 20
) -> pd.DataFrame:
    """Find gminas by name (case- and diacritics-insensitive) or by TERC code.

    Parameters
    ----------
    gminy : pandas.DataFrame
        ``teryt, nazwa, rodzaj, powiat, powiat_nazwa`` (e.g. ``CoverageResult.gminy``).
    query : str
        Part of a name (``"tomaszow"``; several words must all match the name, type or powiat:
        ``"tomaszow wiejska"``), a 7-digit code (old codes are mapped through ``terc``), or
        the leading digits of codes (``"0618"``: the gminas of a powiat).
    terc : Terc, optional
        Register used to map old and 6-digit codes to current ones.
    limit : int
        At most this many rows.

    Returns
    -------
    pandas.DataFrame
        ``teryt, nazwa, etykieta, uwaga`` best match first (``uwaga``: a note such as a code
        change, else empty).
    """
    columns = ["teryt", "nazwa", "etykieta", "uwaga"]
    text = str(query or "").strip()
    if not text:
        return pd.DataFrame(columns=columns)
    digits = _SEPARATORS.sub("", text)
    if digits.isdigit():
        hits, note = _by_code(gminy, digits, text, terc)
        scores = pd.Series(0, index=hits.index)
        order = hits["teryt"].astype(str)
    else:
        tokens = fold(text).split()
        name = gminy["nazwa"].map(fold)
        hay = (
            name
            + " "
            + gminy["rodzaj_nazwa"].map(fold)
            + " powiat "
            + gminy["powiat_nazwa"].map(fold)
        )
        everywhere = pd.Series(True, index=gminy.index)
        in_name = pd.Series(False, index=gminy.index)
        for token in tokens:
            everywhere &= hay.str.contains(token, regex=False)
            in_name |= name.str.contains(token, regex=False)
        # The name must match; type and powiat narrow it ("tomaszow wiejska"). Only when no
        # name matches is a powiat name enough ("tomaszowski": the gminas of that powiat).
        mask = everywhere & in_name
        if not mask.any():
            mask = everywhere
        hits = gminy[mask]
        whole = " ".join(tokens)
        name = name[mask]
        first_word = name.str.split(" ").str[0]
        # Exact name first, then names starting with the query, then any word starting with it.
        scores = pd.Series(
            np.select(
                [
                    name == whole,
                    name.str.startswith(tokens[0]),
                    first_word.str.startswith(tokens[0]),
                ],
                [0, 1, 2],
                default=3,
            ),
            index=hits.index,
        )
        note = ""
        order = name  # folded: "Łaszczów" sorts with "L", not after "Z"
    out = pd.DataFrame(
        {
            "teryt": hits["teryt"].astype(str),
            "nazwa": hits["nazwa"].astype(str),
            "etykieta": gmina_labels(hits) if len(hits) else pd.Series(dtype=str),
            "uwaga": note,
            "_score": scores,
            "_order": order,
        }
    )
    out = out.sort_values(["_score", "_order", "teryt"], kind="stable").head(limit)
    return out[columns].reset_index(drop=True)


def _by_code(
    gminy: pd.DataFrame, digits: str, shown: str, terc: Terc | None
) -> tuple[pd.DataFrame, str]:
    codes = gminy["teryt"].astype(str)
    if len(digits) in (6, 7):
        if terc is not None:
            match = terc.normalize(shown)
            if match.code is not None and (codes == match.code).any():
                return gminy[codes == match.code], plain_text(match.message)
        if len(digits) == 7:
            return gminy[codes == digits], ""
    return gminy[codes.str.startswith(digits)], ""


def resolve_gmina(gminy: pd.DataFrame, raw: object, terc: Terc | None = None) -> tuple[str, str]:
    """The current code of the gmina named by a link or a form (``?gmina=0618011``).

    Returns
    -------
    tuple[str, str]
        The 7-character code and a note (empty, or e.g. the code change applied).

    Raises
    ------
    ProfileError
        When the code is malformed or no gmina of the loaded region has it.
    """
    shown = plain_text(raw)
    digits = _SEPARATORS.sub("", shown)
    if not digits.isdigit() or len(digits) not in (6, 7):
        raise ProfileError(
            f"Nieprawidłowy kod gminy {shown!r}: podaj 7-cyfrowy kod TERYT, np. 0618011."
        )
    codes = set(gminy["teryt"].astype(str))
    if terc is not None:
        match = terc.normalize(shown)
        if match.code in codes:
            return str(match.code), plain_text(match.message)
    if digits in codes:
        return digits, ""
    raise ProfileError(
        f"Nie znaleziono gminy o kodzie TERYT {shown} w danych regionu. Wyszukaj gminę po nazwie."
    )
