"""Polish plural forms after a number (geo/core/plural.py)."""

from __future__ import annotations

import pytest

from geo.core.plural import count, plural

FORMS = ("źródło", "źródła", "źródeł")


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "źródeł"),
        (1, "źródło"),
        (2, "źródła"),
        (4, "źródła"),
        (5, "źródeł"),
        (11, "źródeł"),
        (12, "źródeł"),
        (14, "źródeł"),
        (21, "źródeł"),
        (22, "źródła"),
        (104, "źródła"),
        (112, "źródeł"),
        (-3, "źródła"),
        (1.5, "źródła"),
    ],
)
def test_plural_forms(n: float, expected: str) -> None:
    assert plural(n, *FORMS) == expected


def test_count_writes_the_number_and_the_noun() -> None:
    assert count(1, *FORMS) == "1 źródło"
    assert count(3, "gmina", "gminy", "gmin") == "3 gminy"
    assert count(1200, "gmina", "gminy", "gmin", shown="1 200") == "1 200 gmin"
