"""The password policy of editor accounts: length, variety, not the login, not a common one.

The deny-list ``common_passwords.txt`` (beside this module, shipped with the package) holds
widely used passwords and Polish favourites. A password is compared after folding (lower case,
no Polish letters, no spaces) as a whole and with the digits and punctuation around it
removed, so "Polska2027!" is refused like "polska".
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from geo.core.text import fold

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_DISTINCT_CHARACTERS",
    "MIN_PASSWORD_LENGTH",
    "common_passwords",
    "password_problem",
]

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
MIN_DISTINCT_CHARACTERS = 4
_DENY_LIST = Path(__file__).with_name("common_passwords.txt")
# Digits, punctuation and spaces around a word ("!!Haslo2026#" -> "haslo").
_AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def _key(text: str) -> str:
    return fold(text).replace(" ", "")


@cache
def common_passwords() -> frozenset[str]:
    """The deny-list, folded (read once per process)."""
    lines = _DENY_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(_key(line) for line in lines if line.strip() and not line.startswith("#"))


def _is_common(password: str) -> bool:
    whole = _key(password)
    core = _AROUND.sub("", whole)
    return whole in common_passwords() or (len(core) >= 4 and core in common_passwords())


def _contains_login(password: str, login: str | None) -> bool:
    name = _key(login or "")
    if len(name) < 3:
        return False
    folded = _key(password)
    # "jan.kowalski" is also refused as "kowalski" or "jan.kowalski2026".
    parts = [p for p in re.split(r"[._@-]+", name) if len(p) >= 4]
    return any(part in folded or part[::-1] in folded for part in [name, *parts])


def password_problem(password: object, login: str | None = None) -> str | None:
    """Why ``password`` is refused for the account ``login`` (Polish), or ``None`` when fine."""
    if not isinstance(password, str):
        return "Hasło musi być tekstem."
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Hasło musi mieć co najmniej {MIN_PASSWORD_LENGTH} znaków."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Hasło może mieć najwyżej {MAX_PASSWORD_LENGTH} znaki."
    if not password.strip():
        return "Hasło nie może składać się z samych spacji."
    if len(set(password.casefold())) < MIN_DISTINCT_CHARACTERS:
        return (
            f"Hasło musi zawierać co najmniej {MIN_DISTINCT_CHARACTERS} różne znaki "
            "(nie może być powtórzeniem jednego czy dwóch znaków)."
        )
    if _contains_login(password, login):
        return "Hasło nie może zawierać loginu."
    if _is_common(password):
        return (
            "To hasło jest zbyt popularne (znajduje się na liście często używanych haseł). "
            "Wybierz inne, np. kilka niepowiązanych słów."
        )
    return None
