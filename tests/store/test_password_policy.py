"""The password policy of editor accounts (geo/store/passwords.py, common_passwords.txt)."""

from __future__ import annotations

from importlib import resources

import pytest

from geo.store import passwords
from geo.store.passwords import password_problem


@pytest.mark.parametrize(
    ("password", "login", "fragment"),
    [
        ("aaaaaaaaaa", "ewa", "różne znaki"),
        ("ababababababab", "ewa", "różne znaki"),
        ("1111111111", None, "różne znaki"),
        ("password12", "ewa", "popularne"),
        ("Password123", "ewa", "popularne"),
        ("qwertyuiop", "ewa", "popularne"),
        ("1234567890", "ewa", "popularne"),
        ("Hasło123456", "ewa", "popularne"),  # Polish letters folded: "haslo123456"
        ("Polska2027!!", "ewa", "popularne"),  # a listed word with digits around it
        ("!!Kochanie99", "ewa", "popularne"),
        ("Zaq1@wsx-2026", "ewa", "popularne"),
        ("ewa.nowak.2026", "ewa.nowak", "loginu"),
        ("xx-kawonwe-xx", "ewa.nowak", "loginu"),  # reversed
        ("Nowak-Zielony-7", "ewa.nowak", "loginu"),  # a part of the login
        ("krótkie", "ewa", "co najmniej 10"),
    ],
)
def test_weak_passwords_are_refused(password: str, login: str | None, fragment: str) -> None:
    problem = password_problem(password, login)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize(
    "password",
    ["Zielona-Łąka-2026", "koń jedzie przez most", "Tramwaj 7 do Zamościa", "Hasło-Redaktora-1"],
)
def test_good_passwords_pass(password: str) -> None:
    assert password_problem(password, "ewa.nowak") is None


def test_the_deny_list_ships_with_the_package() -> None:
    text = resources.files("geo.store").joinpath("common_passwords.txt").read_text("utf-8")
    entries = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert len(entries) >= 200 and len(set(entries)) == len(entries)
    assert {"haslo", "polska", "qwerty", "password"} <= passwords.common_passwords()
