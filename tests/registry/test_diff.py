"""Tests of geo/registry/diff.py: what a version adds, removes and changes (SQLite and PostgreSQL)."""

from __future__ import annotations

import pandas as pd
from db_backends import db_url  # noqa: F401 - fixture

from geo.io.registry import read_registry
from geo.registry.diff import (
    CHANGE_ADDED,
    CHANGE_CHANGED,
    CHANGE_REMOVED,
    diff_frames,
    diff_versions,
)
from geo.store import Store


def test_diff_finds_added_removed_and_changed_fields() -> None:
    old = pd.DataFrame(
        {
            "id": ["1", "2", "3", None],
            "nazwa": ["CIS Chełm", "KIS Puławy", "KIS Zamość", "Klub bez id"],
            "typ": ["CIS", "KIS", "KIS", "KIS"],
            "adres": ["ul. Lwowska 1", "ul. Wojska Polskiego 2", None, "ul. A 1"],
            "szerokosc": [51.13, 51.41, None, None],
        }
    )
    new = pd.DataFrame(
        {
            "id": ["3", "1", "4", None],
            "nazwa": ["KIS Zamość", "CIS Chełm", "CIS Biłgoraj", "klub  BEZ id"],
            "typ": ["KIS", "CIS", "CIS", "KIS"],
            "adres": ["", "ul. Lwowska 10", "ul. Nowa 5", "ul. A 1"],
            "szerokosc": [None, 51.13000000001, None, None],
            "wiersz": [2, 3, 4, 5],  # extra columns are ignored
        }
    )
    diff = diff_frames(old, new)
    assert diff.added["klucz_podmiotu"].tolist() == ["id:4"]
    assert diff.removed["klucz_podmiotu"].tolist() == ["id:2"]
    # "" == missing, a tiny float difference is no change; the renamed id-less row is the
    # same entity (folded name), but its name text changed.
    assert diff.changed[["klucz_podmiotu", "pole", "przed", "po"]].values.tolist() == [
        ["id:1", "adres", "ul. Lwowska 1", "ul. Lwowska 10"],
        ["nazwa:klub bez id|KIS|", "nazwa", "Klub bez id", "klub  BEZ id"],
    ]
    assert diff.counts == {"dodane": 1, "usunięte": 1, "zmienione": 2, "bez zmian": 1}
    table = diff.table()
    assert table["zmiana"].tolist() == [
        CHANGE_ADDED,
        CHANGE_REMOVED,
        CHANGE_CHANGED,
        CHANGE_CHANGED,
    ]
    assert table.loc[2, "szczegoly"] == "adres: ul. Lwowska 1 → ul. Lwowska 10"
    assert not diff.is_empty
    assert diff_frames(new, new).is_empty
    empty = diff_frames(old.iloc[:0], old)
    assert empty.counts == {"dodane": 4, "usunięte": 0, "zmienione": 0, "bez zmian": 0}


def test_a_parsed_file_and_its_stored_version_do_not_differ(store: Store) -> None:
    from geo.config import EMBEDDED_DIR

    content = (EMBEDDED_DIR / "rejestr_przykladowy.csv").read_bytes()
    parsed = read_registry(content, filename="rejestr_przykladowy.csv")
    v1 = store.import_version("przykład", parsed.frame)
    assert diff_frames(store.current_entities(), parsed.frame).is_empty
    edited = parsed.frame.copy()
    edited.loc[3, "adres"] = "ul. Inna 7"
    edited = edited.drop(index=5)
    v2 = store.import_version("przykład", edited)
    diff = diff_versions(store, v1.id, v2.id)
    assert diff.counts["zmienione"] == 1 and diff.counts["usunięte"] == 1
    assert diff.changed["po"].tolist() == ["ul. Inna 7"]
    assert diff.removed["nazwa"].tolist() == [parsed.frame.loc[5, "nazwa"]]
    assert diff_versions(store, v2.id, v1.id).counts["dodane"] == 1
