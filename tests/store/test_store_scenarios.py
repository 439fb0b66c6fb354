"""Saved scenarios in the store: versions per name, author and date, audit, refusals."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from db_backends import db_url  # noqa: F401 - fixture

from geo.store import Store, StoreError

DEFINITION = {"format": 1, "as_of": "2026-01-01", "within_km": 15.0, "additions": []}


def test_saving_again_makes_the_next_version(db_url) -> None:  # noqa: F811
    with Store(db_url) as store:
        first = store.save_scenario("Plan  2027", DEFINITION, by="anna")
        changed = DEFINITION | {"within_km": 20.0, "additions": [{"teryt": "0610033"}]}
        second = store.save_scenario("Plan 2027", changed, by="jan", note="większy promień")
        other = store.save_scenario("Inny", DEFINITION, by="anna")
        assert (first.name, first.number, second.number, other.number) == ("Plan 2027", 1, 2, 1)
        assert store.scenario_names() == ["Inny", "Plan 2027"]
        versions = store.scenario_versions("Plan 2027")
        assert [v.number for v in versions] == [2, 1]
        assert [v.created_by for v in versions] == ["jan", "anna"]
        assert versions[0].note == "większy promień"
        assert versions[0].created_at.tzinfo is not None
        assert abs(versions[0].created_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
        assert store.load_scenario("Plan 2027").definition == changed
        assert store.load_scenario("Plan 2027", 1).definition == DEFINITION
        log = store.audit()
        assert list(log["action"])[:3] == ["scenariusz"] * 3
        assert "„Plan 2027”: wersja 2" in list(log["details"])[1]


def test_a_scenario_survives_reopening(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'stan.sqlite'}"
    with Store(url) as store:
        store.save_scenario("Plan", DEFINITION, by="anna")
    with Store(url) as store:
        assert store.load_scenario("Plan").definition == DEFINITION


@pytest.mark.parametrize(
    ("name", "definition", "message"),
    [
        ("  ", DEFINITION, "nazwę"),
        ("x" * 121, DEFINITION, "najwyżej"),
        ("Plan", ["nie obiekt"], "obiektem"),
        ("Plan", {"dane": "x" * 2_100_000}, "za duży"),
    ],
)
def test_bad_saves_are_refused_and_write_nothing(tmp_path, name, definition, message) -> None:
    with Store(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        with pytest.raises(StoreError, match=message):
            store.save_scenario(name, definition, by="anna")
        assert store.scenario_names() == []
        assert store.audit().empty


def test_missing_scenario_or_version_is_a_polish_error(tmp_path) -> None:
    with Store(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        with pytest.raises(StoreError, match="Nie ma zapisanego scenariusza"):
            store.load_scenario("Brak")
        store.save_scenario("Plan", DEFINITION, by="anna")
        with pytest.raises(StoreError, match="w wersji 7"):
            store.load_scenario("Plan", 7)


def test_concurrent_saves_get_distinct_numbers(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    Store(url).close()
    errors: list[Exception] = []

    def save(i: int) -> None:
        try:
            with Store(url) as store:
                store.save_scenario("Wspólny", DEFINITION | {"i": i}, by=f"u{i}")
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with Store(url) as store:
        assert sorted(v.number for v in store.scenario_versions("Wspólny")) == [1, 2, 3, 4, 5, 6]


def test_deleting_a_scenario_removes_every_version_and_is_logged(db_url) -> None:  # noqa: F811
    with Store(db_url) as store:
        store.save_scenario("Plan 2027", DEFINITION, by="anna")
        store.save_scenario("Plan 2027", DEFINITION | {"within_km": 20.0}, by="jan")
        store.save_scenario("Inny", DEFINITION, by="anna")
        assert store.delete_scenario(" Plan  2027 ", by="ewa") == 2
        assert store.scenario_names() == ["Inny"]
        assert store.scenario_versions("Plan 2027") == []
        assert store.load_scenario("Inny").definition == DEFINITION  # others untouched
        newest = store.audit().iloc[0]
        assert newest["action"] == "scenariusz"
        assert "„Plan 2027”: usunięty (2 wersje)" in newest["details"]
        assert newest["user"] == "ewa"


def test_deleting_a_missing_scenario_is_refused_and_logs_nothing(tmp_path) -> None:
    with Store(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        store.save_scenario("Plan", DEFINITION, by="anna")
        before = len(store.audit())
        with pytest.raises(StoreError, match="Nie ma zapisanego scenariusza „Brak”"):
            store.delete_scenario("Brak", by="ewa")
        assert store.scenario_names() == ["Plan"]
        assert len(store.audit()) == before
