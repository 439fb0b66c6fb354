"""Tests of geo/registry/keys.py: one key per entity across versions of its source."""

from __future__ import annotations

import pandas as pd

from geo.registry.keys import stable_keys


def test_stable_keys_use_id_else_folded_name_type_and_place() -> None:
    frame = pd.DataFrame(
        {
            "id": ["K-1", None, "  ", None, None, "K-1"],
            "nazwa": ["Klub A", "Spółdzielnia „Łąka”", "Klub B", "SPÓŁDZIELNIA  „ŁĄKA”", "x", "y"],
            "typ": ["KIS", "SPS", "KIS", "SPS", None, "KIS"],
            "miejscowosc": ["Lublin", "Żółkiewka", None, "ZOLKIEWKA", None, None],
        }
    )
    keys = stable_keys(frame).tolist()
    assert keys[0] == "id:K-1"
    assert keys[1] == "nazwa:spoldzielnia „laka”|SPS|zolkiewka"
    assert keys[2] == "nazwa:klub b|KIS|"  # a blank id is no id
    assert keys[3] == keys[1] + "#2"  # the same entity written twice: numbered, not merged
    assert keys[4] == "nazwa:x||"
    assert keys[5] == "id:K-1#2"
    # Repeats are numbered within a source, not across sources.
    mixed = frame.iloc[[1, 3]].assign(zrodlo_rejestru=["a", "b"])
    assert stable_keys(mixed).tolist() == [keys[1], keys[1]]
