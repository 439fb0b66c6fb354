"""Backups of the SQLite store (geo/store/backup.py) and the CLI around them."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.cli import main
from geo.store import Store, StoreError
from geo.store.backup import backup, check_backup, restore, sqlite_path


def _frame(n: int, prefix: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"{prefix}{i}" for i in range(n)],
            "nazwa": [f"Podmiot {prefix} nr {i}" for i in range(n)],
            "typ": ["CIS", "KIS", "SPS", "NGO"] * (n // 4) + ["ZAZ"] * (n % 4),
            "teryt": ["0663011"] * n,
            "szerokosc": np.linspace(50.0, 51.0, n),
            "dlugosc": np.linspace(22.0, 23.0, n),
        }
    )


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "home" / "mapa-es.sqlite"


def _consistent(path: Path) -> list[tuple[int, int]]:
    """(row_count recorded, rows stored) of every version: equal in a consistent store."""
    with Store(f"sqlite:///{path}") as store:
        return [(v.row_count, len(store.version_entities(v.id))) for v in store.versions()]


def test_backup_and_restore_round_trip(db: Path, tmp_path: Path) -> None:
    with Store(f"sqlite:///{db}") as store:
        store.import_version("lista ROPS", _frame(10, "A"), user="anna")
    copy = backup(db, tmp_path / "kopie" / "b.sqlite")
    assert copy.versions == 1
    with Store(f"sqlite:///{db}") as store:
        store.import_version("lista ROPS", _frame(3, "B"), user="anna")
        assert len(store.versions()) == 2
    restore(copy.path, db)
    with Store(f"sqlite:///{db}") as store:
        versions = store.versions()
        assert [v.row_count for v in versions] == [10]
        assert sorted(store.current_entities()["nazwa"])[0] == "Podmiot A nr 0"


def test_restore_keeps_the_open_file(db: Path, tmp_path: Path) -> None:
    """A running app keeps its file open: restore writes into it instead of replacing it."""
    with Store(f"sqlite:///{db}") as store:
        store.import_version("lista", _frame(4, "A"))
        copy = backup(db, tmp_path / "b.sqlite")
        inode = db.stat().st_ino
        store.import_version("lista", _frame(6, "B"))
        restore(copy.path, db)
        assert db.stat().st_ino == inode
        # the open store reads the restored state at once
        assert [v.row_count for v in store.versions()] == [4]


def test_backup_during_an_import_restores_to_a_consistent_version(db: Path, tmp_path: Path) -> None:
    """Backups taken while large imports write: each restores to whole versions only."""
    with Store(f"sqlite:///{db}") as store:
        store.import_version("lista", _frame(100, "S"))
    stop = threading.Event()
    errors: list[BaseException] = []

    def importing() -> None:
        try:
            with Store(f"sqlite:///{db}") as store:
                for i in range(6):
                    store.import_version("lista", _frame(20_000 + i, f"V{i}"))
                    if stop.is_set():
                        return
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    writer = threading.Thread(target=importing)
    writer.start()
    copies = []
    try:
        while writer.is_alive() and len(copies) < 8:
            copies.append(backup(db, tmp_path / f"k{len(copies)}.sqlite").path)
    finally:
        stop.set()
        writer.join()
    assert not errors
    assert copies
    for i, copy in enumerate(copies):
        target = tmp_path / f"restored{i}" / "mapa-es.sqlite"
        restore(copy, target)
        pairs = _consistent(target)
        assert pairs and all(recorded == stored for recorded, stored in pairs), pairs


def test_damaged_or_foreign_files_are_refused_and_nothing_changes(db: Path, tmp_path: Path) -> None:
    with Store(f"sqlite:///{db}") as store:
        store.import_version("lista", _frame(5, "A"))
    before = db.read_bytes()
    text = tmp_path / "notatki.sqlite"
    text.write_text("to nie jest baza")
    other = tmp_path / "inna.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    truncated = tmp_path / "ucieta.sqlite"
    truncated.write_bytes(backup(db, tmp_path / "pelna.sqlite").path.read_bytes()[:5000])
    for bad, words in [
        (text, "nie jest kopią"),
        (other, "brak tabel"),
        (truncated, "uszkodzona"),
        (tmp_path / "brak.sqlite", "Nie ma pliku"),
    ]:
        with pytest.raises(StoreError, match=words):
            restore(bad, db)
    assert db.read_bytes() == before


def test_postgresql_is_pointed_to_pg_dump() -> None:
    with pytest.raises(StoreError, match="pg_dump"):
        sqlite_path("postgresql+psycopg://u@localhost/baza")


def test_cli_backup_then_restore(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PES_HOME", str(db.parent))
    monkeypatch.delenv("PES_DATABASE_URL", raising=False)
    with Store(f"sqlite:///{db}") as store:
        store.import_version("lista", _frame(7, "A"))
    out = tmp_path / "kopia.sqlite"
    assert main(["backup", "--out", str(out)]) == 0
    assert "wersje rejestru: 1" in capsys.readouterr().out
    with Store(f"sqlite:///{db}") as store:
        store.import_version("lista", _frame(2, "B"))
    assert main(["restore", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Przywrócono" in printed and "Poprzedni stan bazy zachowano" in printed
    with Store(f"sqlite:///{db}") as store:
        assert [v.row_count for v in store.versions()] == [7]
        assert store.audit()["action"].iloc[0] == "przywrócenie kopii"
    kept = list((db.parent / "kopie").glob("przed-przywroceniem-*.sqlite"))
    assert len(kept) == 1 and check_backup(kept[0]).versions == 2


def test_cli_restore_of_a_bad_file_is_a_polish_error(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PES_HOME", str(db.parent))
    monkeypatch.delenv("PES_DATABASE_URL", raising=False)
    bad = tmp_path / "zly.sqlite"
    bad.write_text("x")
    assert main(["restore", str(bad)]) == 1
    assert capsys.readouterr().err.startswith("błąd: ")
