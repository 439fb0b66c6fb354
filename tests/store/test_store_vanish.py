"""A SQLite store that vanishes under a running app is refused, never re-created empty
(geo/store/engine.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from geo.store import Store, StoreError
from geo.store.engine import VANISHED

FRAME = pd.DataFrame({"nazwa": ["CIS Chełm"], "typ": ["CIS"]})


def _opened(tmp_path: Path) -> tuple[Path, Store]:
    home = tmp_path / "pes_home"
    store = Store(f"sqlite:///{home / 'mapa-es.sqlite'}")
    store.import_version("rejestr CIS", FRAME, user="ewa")
    return home, store


def test_deleting_pes_home_refuses_writes_and_reads(tmp_path: Path) -> None:
    home, store = _opened(tmp_path)
    shutil.rmtree(home)  # the operator (or a cleanup script) removes PES_HOME
    with pytest.raises(StoreError, match="zniknął") as refused:
        store.import_version("rejestr CIS", FRAME, user="ewa")
    assert str(home) not in str(refused.value)  # no paths for visitors
    with pytest.raises(StoreError, match="nie założy"):
        store.current_entities()  # public pages: no silent fallback to an empty store
    with pytest.raises(StoreError, match="zniknął"):
        Store(f"sqlite:///{home / 'mapa-es.sqlite'}")  # nor a new Store at the known path
    assert not home.exists()  # nothing was created in its place
    store.close()


def test_a_replaced_file_is_refused(tmp_path: Path) -> None:
    home, store = _opened(tmp_path)
    db = home / "mapa-es.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    copy = home / "kopia.sqlite"
    shutil.copyfile(db, copy)
    os.replace(copy, db)  # another file now sits at the same path
    with pytest.raises(StoreError, match="podmieniony"):
        store.add_fix("rejestr CIS", "k", "gmina", {"teryt": "0601011"}, user="ewa")
    store.close()


def test_the_message_is_polish_and_tells_the_operator_what_to_do() -> None:
    assert "PES_HOME" in VANISHED and "kopii zapasowej" in VANISHED


def test_a_new_path_is_created_and_reopened_normally(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nowy' / 'baza.sqlite'}"
    with Store(url) as first:
        first.import_version("rejestr CIS", FRAME)
    with Store(url) as again:  # the same file, still there: opened as usual
        assert again.sources() == ["rejestr CIS"]
