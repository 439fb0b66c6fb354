"""Polish plural forms of a noun after a number: "1 źródło", "2 źródła", "5 źródeł".

Polish has three forms after a whole number: the singular for 1; the "few" form (nominative
plural) when the number ends in 2, 3 or 4 but not 12, 13 or 14 (2, 23, 104); the "many" form
(genitive plural) for everything else (0, 5-21, 25, 112). A fraction takes the genitive
singular ("1,5 źródła"), which is the "few" form for most nouns.
"""

from __future__ import annotations

__all__ = ["count", "plural"]


def plural(n: float, one: str, few: str, many: str) -> str:
    """The form of a noun that goes with the number ``n``.

    Parameters
    ----------
    n : int or float
        The number (a negative number takes the form of its absolute value).
    one, few, many : str
        The forms after 1, after 2-4, after 5 ("źródło", "źródła", "źródeł").

    Examples
    --------
    >>> [plural(n, "gmina", "gminy", "gmin") for n in (1, 2, 5, 12, 22, 0)]
    ['gmina', 'gminy', 'gmin', 'gmin', 'gminy', 'gmin']
    """
    if n != int(n):
        return few
    whole = abs(int(n))
    if whole == 1:
        return one
    if whole % 10 in (2, 3, 4) and whole % 100 not in (12, 13, 14):
        return few
    return many


def count(n: float, one: str, few: str, many: str, shown: str | None = None) -> str:
    """``n`` and the noun's form after it: ``count(3, "źródło", "źródła", "źródeł")`` ->
    ``"3 źródła"``; ``shown`` replaces the number as written (e.g. with a thousands space)."""
    return f"{n if shown is None else shown} {plural(n, one, few, many)}"
