"""Tests of geo/store/engine.py: write failures classified by the driver's code, not its text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

import geo.store.engine as engine_module
from geo.store import Store, StoreError
from geo.store.auth import hash_password
from geo.store.engine import _is_lock_conflict
from geo.store.models import _ConcurrentWrite

BUSY = "Baza danych jest zajęta innym zapisem"


class _DriverError(Exception):
    """A driver exception carrying the attributes the real drivers set."""

    def __init__(self, message: str, **attributes: object) -> None:
        super().__init__(message)
        for name, value in attributes.items():
            setattr(self, name, value)


def test_lock_conflicts_are_recognised_by_code_alone() -> None:
    # SQLite: the primary result code, also inside an extended code (SQLITE_BUSY_SNAPSHOT).
    assert _is_lock_conflict(_DriverError("x", sqlite_errorcode=5))
    assert _is_lock_conflict(_DriverError("x", sqlite_errorcode=6))
    assert _is_lock_conflict(_DriverError("x", sqlite_errorcode=5 | (2 << 8)))
    assert not _is_lock_conflict(_DriverError("database is locked", sqlite_errorcode=19))
    # PostgreSQL: SQLSTATE lock_not_available (psycopg 3 sqlstate, psycopg2 pgcode).
    assert _is_lock_conflict(_DriverError("could not obtain lock", sqlstate="55P03"))
    assert _is_lock_conflict(_DriverError("could not obtain lock", pgcode="55P03"))
    assert not _is_lock_conflict(_DriverError("busy locked", sqlstate="23505"))
    # The message text alone decides nothing.
    assert not _is_lock_conflict(RuntimeError("database is locked; server busy"))


def test_sqlite_writer_waiting_too_long_gets_the_busy_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "_SQLITE_BUSY_MS", 50)
    path = tmp_path / "zajeta.sqlite"
    with Store(f"sqlite:///{path}") as store:
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
            with pytest.raises(StoreError, match=BUSY) as caught:
                store.record_audit("test", "zapis w czasie cudzej transakcji")
            assert not isinstance(caught.value, _ConcurrentWrite)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert store.audit().empty


def test_other_database_errors_are_not_called_busy(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'b.sqlite'}") as store:

        def broken(conn: sa.Connection) -> None:
            conn.exec_driver_sql("INSERT INTO brak_tabeli VALUES (1)")

        with pytest.raises(StoreError, match="Szczegóły: no such table") as caught:
            store._write(broken)
        assert BUSY not in str(caught.value)


def test_write_losing_every_race_raises_the_typed_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module.time, "sleep", lambda _s: None)
    attempts: list[int] = []

    def always_taken(conn: sa.Connection) -> None:
        attempts.append(1)
        raise sa.exc.IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    with Store(f"sqlite:///{tmp_path / 'r.sqlite'}") as store:
        with pytest.raises(_ConcurrentWrite, match="równoczesnych zapisów"):
            store._write(always_taken)
    assert len(attempts) == engine_module._MAX_ATTEMPTS


def test_add_user_tells_a_lost_race_by_type_not_by_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = hash_password("Długie-Hasło-2026")
    with Store(f"sqlite:///{tmp_path / 'u.sqlite'}") as store:

        def lost_race(_work: object) -> None:
            raise _ConcurrentWrite("komunikat bez znaczenia")

        monkeypatch.setattr(store, "_write", lost_race)
        with pytest.raises(StoreError, match="Konto „ewa” już istnieje"):
            store.add_user("ewa", digest)

        def other_failure(_work: object) -> None:
            raise StoreError("Coś innego przy równoczesnych zapisach.")

        monkeypatch.setattr(store, "_write", other_failure)
        with pytest.raises(StoreError, match="Coś innego"):
            store.add_user("ewa", digest)
