"""Tests of geo/store/: versioned, per-source, all-or-nothing registry storage."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import geo.store.versions as store_module
from geo.config import PROJECT_ROOT, get_settings
from geo.core.schema import REGISTRY_COLUMNS
from geo.store import ENTITY_COLUMNS, Store, StoreError, VersionInfo


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "stan" / "rejestr.sqlite"


@pytest.fixture()
def store(db_path: Path):
    with Store(f"sqlite:///{db_path}") as opened:
        yield opened


def _frame(n: int, prefix: str = "P") -> pd.DataFrame:
    """A small native registry frame with n rows."""
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


def _db_counts(path: Path) -> dict[str, int]:
    """Row counts read straight from the SQLite file, bypassing the Store."""
    with sqlite3.connect(path) as conn:
        return {
            t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("sources", "versions", "entities", "uploads", "audit_log")
        }


def _current_numbers(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT s.name, v.number FROM versions v JOIN sources s ON s.id = v.source_id "
            "WHERE v.is_current"
        ).fetchall()
    return dict(rows)


# -- round trip ------------------------------------------------------------------------------


def test_round_trip_keeps_text_verbatim_and_types(store: Store, db_path: Path) -> None:
    tricky = [
        "Spółdzielnia Socjalna „Łączy Nas” – Zażółć gęślą jaźń",
        "<script>alert('x')</script> & <b>",
        '=HYPERLINK("http://zly.example";"klik")',
        "  spacje na brzegach  ",
        "+48 81 123 45 67",
    ]
    frame = pd.DataFrame(
        {
            "id": ["A1", None, "A3", "", "A5"],
            "nazwa": tricky,
            "typ": ["CIS", "KIS", "SPS", "NGO", "INNY"],
            "teryt": ["0601052", "0663011", None, "0604042", "0662011"],
            "szerokosc": [51.2465, None, 50.5, np.nan, 51.0],
            "dlugosc": [22.5684, None, 23.1, np.nan, 23.4],
            "data_rozpoczecia": ["2013-05-01", None, "01.02.2019", "2020-01-01", None],
            "kolumna_spoza_formatu": [1, 2, 3, 4, 5],
        }
    )
    info = store.import_version("rejestr CIS wojewody", frame, user="jan.kowalski")
    assert isinstance(info, VersionInfo)
    assert (info.number, info.row_count, info.is_current) == (1, 5, True)

    got = store.current_entities()
    assert list(got.columns) == list(ENTITY_COLUMNS)
    assert "kolumna_spoza_formatu" not in got.columns
    assert got["nazwa"].tolist() == tricky
    assert got["teryt"].tolist() == ["0601052", "0663011", None, "0604042", "0662011"]
    assert got["data_rozpoczecia"].tolist() == [
        "2013-05-01",
        None,
        "01.02.2019",
        "2020-01-01",
        None,
    ]
    # Missing native columns come back as NULL, text as None (not NaN or "None").
    assert got["uwagi"].tolist() == [None] * 5
    assert got["id"].tolist() == ["A1", None, "A3", "", "A5"]
    assert got["szerokosc"].dtype == np.float64
    np.testing.assert_allclose(got["szerokosc"], [51.2465, np.nan, 50.5, np.nan, 51.0])
    assert set(got["zrodlo_rejestru"]) == {"rejestr CIS wojewody"}
    assert got["wersja"].tolist() == [1] * 5
    # Stable keys: the row's own id, else its row number in the file.
    assert got["entity_key"].tolist() == [
        "rejestr CIS wojewody:A1",
        "rejestr CIS wojewody:2",
        "rejestr CIS wojewody:A3",
        "rejestr CIS wojewody:4",
        "rejestr CIS wojewody:A5",
    ]
    # Verbatim in the database itself, not only through the Store.
    with sqlite3.connect(db_path) as conn:
        raw = [r[0] for r in conn.execute("SELECT nazwa FROM entities ORDER BY row_no")]
    assert raw == tricky


def test_missing_values_are_stored_as_sql_null(store: Store, db_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "nazwa": ["A", "B", None],
            "teryt": pd.Series([None, "0663011", np.nan], dtype=object),
            "szerokosc": [51.25, np.nan, None],
        }
    )
    store.import_version("rejestr KIS", frame)
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT typeof(nazwa), typeof(teryt), typeof(szerokosc), typeof(uwagi) "
            "FROM entities ORDER BY row_no"
        ).fetchall()
    assert rows == [
        ("text", "null", "real", "null"),
        ("text", "text", "null", "null"),
        ("null", "null", "null", "null"),
    ]


def test_read_back_gives_python_values_in_source_and_row_order(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches and statements of a few rows, with a partial last one.
    monkeypatch.setattr(store_module, "_CHUNK_ROWS", 6)
    monkeypatch.setattr(store_module, "_SQLITE_ROWS_PER_INSERT", 4)
    n = 15
    frame = _frame(n, "b")
    frame["id"] = [f" b{i} " if i % 3 else None for i in range(n)]
    frame.loc[4, "id"] = "   "
    frame.loc[5, "szerokosc"] = np.nan
    frame["uwagi"] = pd.Series(["ż", None, ""] * 5, dtype=object)
    store.import_version("źródło B", frame)  # imported first, listed last
    store.import_version("Źródło A", _frame(2, "a"))
    store.import_version("rejestr", _frame(3, "r"))

    got = store.current_entities()
    assert got["zrodlo_rejestru"].tolist() == ["rejestr"] * 3 + ["Źródło A"] * 2 + ["źródło B"] * n
    b = got[got["zrodlo_rejestru"] == "źródło B"].reset_index(drop=True)
    assert b["nazwa"].tolist() == frame["nazwa"].tolist()
    assert b["uwagi"].tolist() == ["ż", None, ""] * 5
    assert b["szerokosc"].isna().tolist() == [i == 5 for i in range(n)]
    np.testing.assert_array_equal(b["dlugosc"], frame["dlugosc"])
    # The stripped id, else the row number (also for an id of spaces).
    assert b["entity_key"].tolist() == [
        f"źródło B:{i + 1}" if i % 3 == 0 or i == 4 else f"źródło B:b{i}" for i in range(n)
    ]
    for column in ENTITY_COLUMNS:
        if column in ("szerokosc", "dlugosc"):
            assert got[column].dtype == np.float64
        elif column == "wersja":
            assert got[column].dtype == np.int64
        else:  # text: Python str or None, never NaN
            assert got[column].dtype == object, column
            assert {type(v) for v in got[column]} <= {str, type(None)}, column
    assert got.index.equals(pd.RangeIndex(len(got)))


def test_columns_without_values_are_stored_as_null_without_being_sent(
    store: Store, db_path: Path
) -> None:
    sent: list[str] = []

    @sa.event.listens_for(store.engine, "before_cursor_execute")
    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO entities"):
            sent.append(statement.split("(", 1)[1].split(")", 1)[0])

    frame = pd.DataFrame(
        {
            "nazwa": ["A", "B", "C", "D"],
            "uwagi": pd.Series([None, np.nan, pd.NA, pd.NaT], dtype=object),
            "teryt": pd.Series([pd.NA, "0663011", None, np.nan], dtype=object),
            "typ": pd.Series(["CIS", None, pd.NA, "KIS"], dtype="string"),
            "szerokosc": [np.nan, None, np.nan, np.nan],
            "dlugosc": [np.nan, 22.5, np.nan, np.nan],
        }
    )
    store.import_version("rejestr KIS", frame)
    assert sent == ["version_id, row_no, nazwa, typ, teryt, dlugosc"]
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT typeof(typ), typeof(teryt), typeof(szerokosc), typeof(dlugosc), "
            "typeof(uwagi) FROM entities ORDER BY row_no"
        ).fetchall()
    assert rows == [
        ("text", "null", "null", "null", "null"),
        ("null", "text", "null", "real", "null"),
        ("null", "null", "null", "null", "null"),
        ("text", "null", "null", "null", "null"),
    ]
    # A file whose native columns are all empty still gives its rows (of NULLs).
    store.import_version("pusty", pd.DataFrame({"nazwa": [None, np.nan], "inna": [1, 2]}))
    got = store.version_entities(store.current_version("pusty").id)  # type: ignore[union-attr]
    assert got["nazwa"].tolist() == [None, None]
    assert got["entity_key"].tolist() == ["pusty:1", "pusty:2"]


def test_read_back_orders_rows_whatever_order_sqlite_reads_them_in(
    store: Store, db_path: Path
) -> None:
    n = 7
    frame = _frame(n)
    frame.loc[2, "id"] = None
    frame.loc[3, "szerokosc"] = np.nan
    store.import_version("rejestr KIS", frame)
    with sqlite3.connect(db_path) as conn:
        # Row numbers against the order of the stored rows, and no index to read them by.
        conn.execute("UPDATE entities SET row_no = ? - row_no", (n + 1,))
        conn.execute("DROP INDEX ix_entities_version_row")
    got = store.current_entities()
    back = frame.iloc[::-1].reset_index(drop=True)
    assert got["nazwa"].tolist() == back["nazwa"].tolist()
    np.testing.assert_array_equal(got["szerokosc"], back["szerokosc"])
    np.testing.assert_array_equal(got["dlugosc"], back["dlugosc"])
    keys = [f"rejestr KIS:{i}" if isinstance(i, str) else "rejestr KIS:5" for i in back["id"]]
    assert got["entity_key"].tolist() == keys


def test_read_back_without_sqlite_json_functions_gives_the_same_frame(store: Store) -> None:
    frame = _frame(30).assign(id=[f" x{i} " if i % 4 else None for i in range(30)])
    frame.loc[5, "szerokosc"] = np.nan
    frame["uwagi"] = pd.Series(["ż", None, ""] * 10, dtype=object)
    store.import_version("źródło B", frame)
    store.import_version("Źródło A", _frame(3, "a"))
    expected = store.current_entities()

    class Refused:  # stands in for a SQLite built without JSON functions
        def step(self, value: object) -> None:
            raise RuntimeError("no JSON")

        def finalize(self) -> None:
            return None

    @sa.event.listens_for(store.engine, "connect")
    def no_json(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.create_aggregate("json_group_array", 1, Refused)

    store.engine.dispose()  # the next connections get the stand-in
    got = store.current_entities()
    pd.testing.assert_frame_equal(got, expected)
    for column in ENTITY_COLUMNS:
        if got[column].dtype == object:
            assert [type(v) for v in got[column]] == [type(v) for v in expected[column]]
    got.loc[0, "nazwa"] = "zmieniona"  # the frame is the caller's to change
    assert got["nazwa"].iloc[0] == "zmieniona"


def test_numbers_and_dates_in_text_columns_become_text(store: Store) -> None:
    frame = pd.DataFrame(
        {
            "nazwa": ["A", "B"],
            "teryt": pd.Series([612011.0, "0663011"], dtype=object),
            "kod_pocztowy": pd.Series([20001, None], dtype=object),
            "data_rozpoczecia": pd.Series(
                [pd.Timestamp("2019-03-04"), dt.date(2020, 1, 2)], dtype=object
            ),
            "szerokosc": ["51.25", None],  # numeric text is accepted for coordinates
        }
    )
    store.import_version("lista ROPS", frame)
    got = store.current_entities()
    assert got["teryt"].tolist() == ["612011", "0663011"]
    assert got["kod_pocztowy"].tolist() == ["20001", None]
    assert got["data_rozpoczecia"].tolist() == ["2019-03-04", "2020-01-02"]
    assert got["szerokosc"].iloc[0] == pytest.approx(51.25)


@pytest.mark.usefixtures("full_data")
def test_real_known_entities_round_trip(store: Store, shared_data: Path) -> None:
    known = pd.read_csv(
        shared_data / "reference" / "pes_known_entities_lubelskie.csv",
        dtype=str,
        keep_default_na=False,
    )
    frame = pd.DataFrame(
        {
            "nazwa": known["name"],
            "typ": known["type"],
            "miejscowosc": known["town"],
            "teryt": known["gmina_teryt7"].replace("", None),
            "podmiot_prowadzacy": known["operator"],
            "data_rozpoczecia": known["start"],
            "zrodlo": known["source"],
            "uwagi": known["verification"],
        }
    )
    store.import_version("lista ROPS", frame, file_name="pes_known_entities_lubelskie.csv")
    got = store.current_entities()
    assert len(got) == len(known)
    for col in frame.columns:
        expected = [v if isinstance(v, str) else None for v in frame[col].tolist()]
        assert got[col].tolist() == expected, col
    # The pre-2026 code written in the source is kept as written (mapping is the locator's job).
    assert "0601052" in got["teryt"].tolist()


# -- versions and sources --------------------------------------------------------------------


def test_new_version_becomes_current_and_old_stays_retrievable(store: Store) -> None:
    assert not store.has_imports()
    assert store.last_change() is None
    v1 = store.import_version("rejestr KIS", _frame(8, "a"), note="pierwszy")
    first_change = store.last_change()
    v2 = store.import_version("rejestr KIS", _frame(3, "b"))
    assert store.has_imports()
    assert (v1.number, v2.number) == (1, 2)
    assert store.last_change() >= first_change >= v1.created_at

    listed = store.versions("rejestr KIS")
    assert [v.number for v in listed] == [2, 1]
    assert [v.is_current for v in listed] == [True, False]
    assert listed[1].note == "pierwszy"
    assert store.version(v1.id).is_current is False

    current = store.current_entities()
    assert current["id"].tolist() == ["b0", "b1", "b2"]
    assert set(current["wersja"]) == {2}
    old = store.version_entities(v1.id)
    assert old["id"].tolist() == [f"a{i}" for i in range(8)]
    assert set(old["wersja"]) == {1}
    assert store.versions("nieznane źródło") == []


def test_import_replaces_only_its_own_source(store: Store) -> None:
    store.import_version("rejestr CIS wojewody", _frame(4, "cis"))
    store.import_version("rejestr KIS", _frame(6, "kis"))
    before = store.current_entities()
    cis_before = before[before["zrodlo_rejestru"] == "rejestr CIS wojewody"].reset_index(drop=True)

    store.import_version("rejestr KIS", _frame(2, "kis2"))
    after = store.current_entities()
    cis_after = after[after["zrodlo_rejestru"] == "rejestr CIS wojewody"].reset_index(drop=True)
    pd.testing.assert_frame_equal(cis_before, cis_after)
    assert after.loc[after["zrodlo_rejestru"] == "rejestr KIS", "id"].tolist() == ["kis20", "kis21"]
    assert store.sources() == ["rejestr CIS wojewody", "rejestr KIS"]
    assert len(store.versions()) == 3


@pytest.mark.parametrize(
    ("source", "frame", "fragment"),
    [
        ("", _frame(2), "nazwę źródła"),
        ("   ", _frame(2), "nazwę źródła"),
        ("x" * 101, _frame(2), "za długa"),
        ("rejestr KIS", _frame(0), "wierszy"),
        ("rejestr KIS", pd.DataFrame({"cos": [1]}), "kolumny rejestru"),
        ("rejestr KIS", pd.DataFrame({"nazwa": ["A"], "szerokosc": ["pięćdziesiąt"]}), "liczby"),
        ("rejestr KIS", pd.DataFrame({"nazwa": ["A"], "dlugosc": [np.inf]}), "liczby"),
        ("rejestr KIS", [{"nazwa": "A"}], "DataFrame"),
    ],
)
def test_rejected_input_changes_nothing(
    store: Store, db_path: Path, source: str, frame: object, fragment: str
) -> None:
    store.import_version("rejestr KIS", _frame(5))
    before = _db_counts(db_path)
    with pytest.raises(StoreError, match=fragment):
        store.import_version(source, frame)  # type: ignore[arg-type]
    assert _db_counts(db_path) == before
    assert _current_numbers(db_path) == {"rejestr KIS": 1}


def test_source_name_of_100_characters_is_accepted(store: Store) -> None:
    name = "ź" * 100
    store.import_version(name, _frame(1))
    assert store.sources() == [name]


# -- atomicity -------------------------------------------------------------------------------


def test_database_error_mid_import_is_reported_in_polish(
    store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.import_version("rejestr KIS", _frame(3))
    before = _db_counts(db_path)
    monkeypatch.setattr(store_module, "_CHUNK_ROWS", 10)
    names = pd.Series([f"podmiot {i}" for i in range(20)], dtype=object)
    names.iloc[15] = "zły tekst \ud800"  # a lone surrogate the driver cannot encode
    with pytest.raises(StoreError, match="nie został zmieniony"):
        store.import_version("rejestr KIS", pd.DataFrame({"nazwa": names}))
    assert _db_counts(db_path) == before
    assert _current_numbers(db_path) == {"rejestr KIS": 1}


# -- concurrency -----------------------------------------------------------------------------


def _assert_consistent(path: Path, source: str, expected_versions: int) -> None:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT v.id, v.number, v.row_count, v.is_current, "
            "(SELECT COUNT(*) FROM entities e WHERE e.version_id = v.id) "
            "FROM versions v JOIN sources s ON s.id = v.source_id WHERE s.name = ?",
            (source,),
        ).fetchall()
    numbers = sorted(r[1] for r in rows)
    assert numbers == list(range(1, expected_versions + 1))
    assert sum(r[3] for r in rows) == 1
    assert all(r[2] == r[4] for r in rows)  # every version has all its rows


def test_shared_store_is_usable_from_threads(store: Store, db_path: Path) -> None:
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            store.import_version("rejestr KIS", _frame(50, f"t{i}-"))
            store.current_entities()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    _assert_consistent(db_path, "rejestr KIS", 3)


_CHILD = """
import sys
import pandas as pd
from geo.store import Store

path, tag, start_file = sys.argv[1], sys.argv[2], sys.argv[3]
store = Store(f"sqlite:///{path}")
import os, time
open(start_file + tag, "w").close()
while not all(os.path.exists(start_file + t) for t in ("p", "q")):
    time.sleep(0.01)
for i in range(3):
    n = 500 + i
    frame = pd.DataFrame({"id": [f"{tag}{i}-{k}" for k in range(n)], "nazwa": ["x"] * n})
    store.import_version("źródło procesów", frame, user=tag)
"""


def test_concurrent_imports_from_processes(db_path: Path, tmp_path: Path) -> None:
    Store(f"sqlite:///{db_path}").close()
    start = str(tmp_path / "start-")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(db_path), tag, start],
            cwd=PROJECT_ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("p", "q")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    _assert_consistent(db_path, "źródło procesów", 6)
    with Store(f"sqlite:///{db_path}") as check:
        assert sorted(v.created_by for v in check.versions()) == ["p"] * 3 + ["q"] * 3


# -- restore, files, audit -------------------------------------------------------------------


def test_restore_copies_old_version_as_new_current(store: Store) -> None:
    v1 = store.import_version(
        "rejestr KIS", _frame(5, "a"), file_name="kis-2024.xlsx", content=b"v1"
    )
    store.import_version("rejestr KIS", _frame(2, "b"), file_name="kis-2025.xlsx", content=b"v2")
    store.import_version("lista ROPS", _frame(3, "r"))

    v3 = store.restore_version(v1.id, user="admin")
    assert (v3.number, v3.is_current, v3.row_count) == (3, True, 5)
    assert "1" in (v3.note or "")
    current = store.current_entities()
    kis = current[current["zrodlo_rejestru"] == "rejestr KIS"]
    restored = store.version_entities(v1.id)
    cols = [c for c in REGISTRY_COLUMNS]
    pd.testing.assert_frame_equal(
        kis[cols].reset_index(drop=True), restored[cols].reset_index(drop=True)
    )
    assert set(kis["wersja"]) == {3}
    assert (current["zrodlo_rejestru"] == "lista ROPS").sum() == 3
    assert store.original_file(v3.id) == ("kis-2024.xlsx", b"v1")
    assert [v.number for v in store.versions("rejestr KIS") if v.is_current] == [3]

    with pytest.raises(StoreError, match="już bieżąca"):
        store.restore_version(v3.id)
    with pytest.raises(StoreError, match="999"):
        store.restore_version(999)
    with pytest.raises(StoreError):
        store.version_entities(999)


def test_original_file_is_kept_once(store: Store, db_path: Path) -> None:
    payload = "nazwa;typ\nCIS w Chełmie;CIS\n".encode("cp1250")
    v1 = store.import_version(
        "rejestr CIS wojewody", _frame(1), file_name="cis.csv", content=payload
    )
    v2 = store.import_version(
        "rejestr CIS wojewody", _frame(2), file_name="cis.csv", content=payload
    )
    v3 = store.import_version("rejestr CIS wojewody", _frame(3))
    assert store.original_file(v1.id) == ("cis.csv", payload)
    assert store.original_file(v2.id) == ("cis.csv", payload)
    assert store.original_file(v3.id) == (None, None)
    assert v1.file_sha256 == v2.file_sha256 and v1.file_sha256 is not None
    assert _db_counts(db_path)["uploads"] == 1
    with pytest.raises(StoreError):
        store.original_file(12345)


def test_audit_log_records_imports_and_restores(store: Store) -> None:
    assert store.audit().empty
    v1 = store.import_version("rejestr KIS", _frame(4), file_name="kis.xlsx", user="anna")
    store.import_version("rejestr KIS", _frame(2), user="anna")
    store.restore_version(v1.id, user="piotr")
    log = store.audit()
    assert list(log.columns) == ["at", "user", "action", "details"]
    assert log["action"].tolist() == ["restore", "import", "import"]
    assert log["user"].tolist() == ["piotr", "anna", "anna"]
    assert "kis.xlsx" in log["details"].iloc[2]
    assert log["at"].is_monotonic_decreasing
    assert len(store.audit(limit=1)) == 1


def test_large_import(store: Store) -> None:
    n = 100_000
    frame = pd.DataFrame(
        {
            "id": [f"E{i}" for i in range(n)],
            "nazwa": [f"Stowarzyszenie „Razem” nr {i}" for i in range(n)],
            "typ": ["NGO"] * n,
            "teryt": ["0663011"] * n,
            "szerokosc": np.linspace(50.0, 51.0, n),
            "dlugosc": np.linspace(22.0, 23.0, n),
        }
    )
    info = store.import_version("baza PES", frame)
    assert info.row_count == n
    got = store.current_entities()
    assert len(got) == n
    assert got["id"].iloc[[0, 54_321, n - 1]].tolist() == ["E0", "E54321", f"E{n - 1}"]
    assert got["szerokosc"].iloc[-1] == pytest.approx(51.0)
    assert got["entity_key"].is_unique


# -- configuration ---------------------------------------------------------------------------


def test_database_url_from_settings(tmp_path: Path) -> None:
    target = tmp_path / "gdzie" / "indziej" / "baza.sqlite"
    env = {"PES_HOME": str(tmp_path / "home"), "PES_DATABASE_URL": f"sqlite:///{target}"}
    with Store.from_settings(get_settings(env)) as configured:
        configured.import_version("rejestr KIS", _frame(2))
    assert target.is_file()
    assert not (tmp_path / "home" / "mapa-es.sqlite").exists()
    with Store(f"sqlite:///{target}") as reopened:
        assert reopened.sources() == ["rejestr KIS"]

    default_env = {"PES_HOME": str(tmp_path / "home")}
    with Store.from_settings(get_settings(default_env)) as default:
        assert not default.has_imports()
    assert (tmp_path / "home" / "mapa-es.sqlite").is_file()


def test_invalid_database_url_is_reported(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="PES_DATABASE_URL"):
        Store("to nie jest adres bazy")
    with pytest.raises(StoreError, match="sterownika"):
        Store("nieznanabaza://host/db")


def test_other_modules_can_write_to_the_audit_log(store: Store) -> None:
    store.record_audit("settings", "Zmieniono obszar OWES powiatu chełmskiego.", user="ewa")
    log = store.audit()
    assert log[["user", "action", "details"]].iloc[0].tolist() == [
        "ewa",
        "settings",
        "Zmieniono obszar OWES powiatu chełmskiego.",
    ]
    assert not store.has_imports()  # an audit entry is not a registry change
    assert store.last_change() is None
    with pytest.raises(StoreError):
        store.record_audit("  ", "bez nazwy czynności")
