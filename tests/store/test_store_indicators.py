"""Versions of the indicator file in the store: n+1 per upload, author, date, audit entry."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from db_backends import db_url  # noqa: F401  (fixture: SQLite and PostgreSQL)

from geo.store import Store, StoreError


def _indicators(target: float) -> pd.DataFrame:
    return pd.DataFrame(
        [{"id": "W1", "nazwa": "Gminy z CIS/KIS — „cel”", "miara": "gminy_z_cis_kis",
          "wartosc_bazowa": 12.5, "rok_bazowy": 2023, "wartosc_docelowa": target,
          "rok_docelowy": 2030, "zrodlo": "RPRES", "uwagi": ""}]
    )  # fmt: skip


def test_uploads_become_numbered_versions(db_url: str) -> None:  # noqa: F811
    with Store(db_url) as store:
        assert store.indicators() is None and store.indicator_versions() == []
        before = dt.datetime.now(dt.UTC)
        first = store.import_indicators(_indicators(100), file_name="a.csv", user="ala")
        second = store.import_indicators(_indicators(213), file_name="b.csv", user="ola")
        assert (first.number, second.number) == (1, 2)
        assert second.created_by == "ola" and second.created_at >= before
        listed = store.indicator_versions()
        assert [v.number for v in listed] == [2, 1]
        assert [v.file_name for v in listed] == ["b.csv", "a.csv"]
        version, frame = store.indicators()
        assert version.number == 2 and frame.iloc[0]["wartosc_docelowa"] == 213
        old = store.indicators(1)[1]
        pd.testing.assert_frame_equal(old, _indicators(100))
        assert "wersja 2" in store.audit()["details"].iloc[0]
        assert store.audit()["user"].iloc[0] == "ola"


def test_empty_table_and_unknown_version_are_refused(db_url: str) -> None:  # noqa: F811
    with Store(db_url) as store:
        with pytest.raises(StoreError, match="żadnego wskaźnika"):
            store.import_indicators(_indicators(1).iloc[0:0])
        with pytest.raises(StoreError, match="Nie ma wersji 3"):
            store.indicators(3)
        assert store.indicator_versions() == []
