"""Small registry frames shared by the tests of the registry workflow."""

from __future__ import annotations

import pandas as pd


def sample_entities() -> pd.DataFrame:
    """Four entities of two sources with folded-name look-alikes, gaps and one without a name."""
    return pd.DataFrame(
        {
            "zrodlo_rejestru": ["A", "A", "B", "B"],
            "klucz_podmiotu": ["id:1", "id:2", "id:1", "id:3"],
            "nazwa": [
                "Spółdzielnia Socjalna Łąka",
                "Spoldzielnia socjalna ŁĄKA w Lublinie",
                "Stowarzyszenie Razem",
                None,
            ],
            "miejscowosc": ["Łódź", None, "Chełm", "Zamość"],
            "podmiot_prowadzacy": [None, None, "Gmina Łęczna", None],
            "id": ["1", "2", "1", "3"],
            "gmina": [None, None, None, "Zamość"],
        }
    )
