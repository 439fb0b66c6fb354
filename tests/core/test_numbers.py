"""Polish numbers in messages (geo/core/numbers.py)."""

from __future__ import annotations

from geo.core.numbers import decimal


def test_decimal_comma_and_thousands() -> None:
    assert decimal(210.0) == "210,0"
    assert decimal(1234567.891, 2) == "1 234 567,89"
    assert decimal(3, 0) == "3"
    assert "." not in decimal(0.25, 2)
