"""The store on both backends: SQLite (default) and PostgreSQL (a throwaway local server).

The same behaviour is required from both: versions all-or-nothing, refused input changing
nothing (checked by reading every table directly), concurrent imports keeping a consistent
history, a killed import leaving the previous version intact, and the registry-management
tables (source settings, fixes, accounts, failed logins). See tests/db_backends.py for the
server fixture.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from db_backends import db_snapshot, db_url, pg_url  # noqa: F401 - fixtures

import geo.store.versions as store_module
from geo.config import PROJECT_ROOT
from geo.core.schema import REGISTRY_COLUMNS
from geo.registry.fixes import apply_fixes
from geo.store import ENTITY_COLUMNS, Store, StoreError


def _frame(n: int, prefix: str = "P") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"{prefix}{i}" for i in range(n)],
            "nazwa": [f"Podmiot {prefix} nr {i}" for i in range(n)],
            "typ": (["CIS", "KIS", "SPS", "NGO"] * (n // 4 + 1))[:n],
            "teryt": ["0663011"] * n,
            "szerokosc": np.linspace(50.0, 51.0, n),
            "dlugosc": np.linspace(22.0, 23.0, n),
        }
    )


@pytest.fixture()
def store(db_url: str):  # noqa: F811
    with Store(db_url) as opened:
        yield opened


def _history(url: str, source: str) -> list[tuple[int, int, bool, int]]:
    """(number, row_count, is_current, rows stored) per version, read directly."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT v.number, v.row_count, v.is_current, "
                    "(SELECT COUNT(*) FROM entities e WHERE e.version_id = v.id) "
                    "FROM versions v JOIN sources s ON s.id = v.source_id WHERE s.name = :s "
                    "ORDER BY v.number"
                ),
                {"s": source},
            ).all()
        return [(int(a), int(b), bool(c), int(d)) for a, b, c, d in rows]
    finally:
        engine.dispose()


def _assert_consistent(url: str, source: str, versions: int) -> None:
    history = _history(url, source)
    assert [h[0] for h in history] == list(range(1, versions + 1))
    assert sum(h[2] for h in history) == 1
    assert all(h[1] == h[3] for h in history)


# -- the versioned registry ------------------------------------------------------------------


def test_round_trip_versions_restore_and_audit(store: Store, db_url: str) -> None:  # noqa: F811
    tricky = [
        "Spółdzielnia Socjalna „Łączy Nas” – Zażółć gęślą jaźń",
        "<script>alert('x')</script> & <b>",
        '=HYPERLINK("http://zly.example";"klik")',
        "  spacje na brzegach  ",
        "znaki \u202e odwrócone \u200b",
    ]
    frame = _frame(5).assign(nazwa=tricky)
    v1 = store.import_version(
        "rejestr CIS wojewody", frame, user="anna", file_name="cis.csv", content=b"v1"
    )
    got = store.current_entities()
    assert list(got.columns) == list(ENTITY_COLUMNS)
    assert got["nazwa"].tolist() == tricky
    assert got["szerokosc"].dtype == np.float64
    v2 = store.import_version("rejestr CIS wojewody", _frame(2, "b"), user="anna")
    assert (v1.number, v2.number) == (1, 2)
    v3 = store.restore_version(v1.id, user="piotr")
    assert (v3.number, v3.row_count) == (3, 5)
    assert store.current_entities()["nazwa"].tolist() == tricky
    assert store.original_file(v3.id) == ("cis.csv", b"v1")
    assert store.audit()["action"].tolist() == ["restore", "import", "import"]
    _assert_consistent(db_url, "rejestr CIS wojewody", 3)


def test_read_back_of_several_sources_and_versions(store: Store) -> None:
    """Rows of each source's current version, by source name and row; names, versions, keys."""
    b1 = _frame(4, "b").assign(id=[" b0 ", None, "   ", "b3"], uwagi=["ż", None, "", "x"])
    b1.loc[2, "szerokosc"] = np.nan
    v1 = store.import_version("źródło B", b1)
    store.import_version("źródło B", _frame(2, "nowe"))
    store.import_version("Źródło A", _frame(3, "a").assign(id=["\ta0\n", "", "a2"]))
    store.import_version("rejestr", _frame(2, "r").drop(columns="id"))  # no id column at all
    store.import_version("rejestr", _frame(1, "r"))
    store.import_version("rejestr", _frame(2, "r").drop(columns="id"))
    v7 = store.restore_version(v1.id)  # "źródło B" is current as its version 3 again

    got = store.current_entities()
    assert list(got.columns) == list(ENTITY_COLUMNS)
    assert got.index.equals(pd.RangeIndex(9))
    assert got["zrodlo_rejestru"].tolist() == ["rejestr"] * 2 + ["Źródło A"] * 3 + ["źródło B"] * 4
    assert got["wersja"].tolist() == [3, 3, 1, 1, 1, 3, 3, 3, 3]
    assert got["entity_key"].tolist() == [
        "rejestr:1",
        "rejestr:2",
        "Źródło A:a0",
        "Źródło A:2",
        "Źródło A:a2",
        "źródło B:b0",
        "źródło B:2",
        "źródło B:3",
        "źródło B:b3",
    ]
    assert got["id"].tolist() == [None, None, "\ta0\n", "", "a2", " b0 ", None, "   ", "b3"]
    assert got["nazwa"].tolist()[5:] == b1["nazwa"].tolist()
    assert got["uwagi"].tolist() == [None] * 5 + ["ż", None, "", "x"]
    # Coordinates stay with their own rows.
    np.testing.assert_array_equal(got["szerokosc"].iloc[5:], b1["szerokosc"])
    np.testing.assert_array_equal(got["dlugosc"].iloc[2:5], _frame(3)["dlugosc"])
    assert (got["szerokosc"].dtype, got["wersja"].dtype) == (np.float64, np.int64)
    for column in ENTITY_COLUMNS:
        if got[column].dtype == object:
            assert {type(v) for v in got[column]} <= {str, type(None)}, column

    old = store.version_entities(store.versions("źródło B")[1].id)  # its version 2
    assert old["entity_key"].tolist() == ["źródło B:nowe0", "źródło B:nowe1"]
    assert old["wersja"].tolist() == [2, 2]
    restored = store.version_entities(v7.id)
    pd.testing.assert_frame_equal(restored, got.iloc[5:].reset_index(drop=True))
    # The frame is the caller's to change.
    got.loc[0, "nazwa"] = "zmieniona"
    got.loc[1, "szerokosc"] = 1.5
    assert got["nazwa"].iloc[0] == "zmieniona" and got["szerokosc"].iloc[1] == 1.5
    assert store.current_entities()["nazwa"].iloc[0] == "Podmiot r nr 0"


@pytest.mark.parametrize(
    ("source", "frame", "fragment"),
    [
        ("", _frame(2), "nazwę źródła"),
        ("x" * 101, _frame(2), "za długa"),
        ("rejestr KIS", _frame(0), "wierszy"),
        ("rejestr KIS", pd.DataFrame({"cos": [1]}), "kolumny rejestru"),
        ("rejestr KIS", pd.DataFrame({"nazwa": ["A"], "szerokosc": ["pięćdziesiąt"]}), "liczby"),
        (
            "rejestr KIS",
            pd.DataFrame({"nazwa": pd.Series(["zły \ud800 tekst"], dtype=object)}),
            "nie został zmieniony",
        ),
    ],
)
def test_refused_import_leaves_every_table_unchanged(
    store: Store,
    db_url: str,  # noqa: F811
    source: str,
    frame: pd.DataFrame,
    fragment: str,
) -> None:
    store.import_version("rejestr KIS", _frame(5), column_map={"Nazwa": "nazwa"})
    before = db_snapshot(db_url)
    with pytest.raises(StoreError, match=fragment):
        store.import_version(source, frame, column_map={"Inna": "nazwa"})
    assert db_snapshot(db_url) == before


def test_failure_half_way_rolls_back(
    store: Store,
    db_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store.import_version("rejestr KIS", _frame(7, "stary"), content=b"stary")
    before = db_snapshot(db_url)
    monkeypatch.setattr(store_module, "_CHUNK_ROWS", 10)
    original = Store._insert_chunk
    calls: list[int] = []

    def failing(self: Store, conn, records):  # type: ignore[no-untyped-def]
        calls.append(len(records))
        if len(calls) == 2:
            raise RuntimeError("awaria w połowie importu")
        original(self, conn, records)

    monkeypatch.setattr(Store, "_insert_chunk", failing)
    with pytest.raises(RuntimeError, match="awaria"):
        store.import_version("rejestr KIS", _frame(25, "nowy"), content=b"nowy")
    assert calls == [10, 10]  # the first part really was inserted before the failure
    assert db_snapshot(db_url) == before
    calls.clear()
    with pytest.raises(RuntimeError, match="awaria"):  # a new source is not left behind
        store.import_version("nowe źródło", _frame(25, "nowy"))
    assert calls == [10, 10]
    assert db_snapshot(db_url) == before
    assert store.sources() == ["rejestr KIS"]
    assert store.current_entities()["id"].tolist() == [f"stary{i}" for i in range(7)]


def test_concurrent_imports_keep_a_consistent_history(db_url: str) -> None:  # noqa: F811
    Store(db_url).close()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(tag: str) -> None:
        try:
            with Store(db_url) as own:  # one engine per thread, like two app instances
                barrier.wait(timeout=60)
                for i in range(3):
                    own.import_version("wspólne źródło", _frame(200 + i, f"{tag}{i}-"), user=tag)
        except BaseException as exc:  # noqa: BLE001 - surfaced in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in ("x", "y")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    _assert_consistent(db_url, "wspólne źródło", 6)


def test_expected_current_refuses_a_stale_import(store: Store, db_url: str) -> None:  # noqa: F811
    v1 = store.import_version("rejestr KIS", _frame(3, "a"), expected_current=0)
    with pytest.raises(StoreError, match="nie ma|W międzyczasie"):
        store.import_version("rejestr KIS", _frame(3, "x"), expected_current=0)
    v2 = store.import_version("rejestr KIS", _frame(3, "b"), user="ewa", expected_current=v1.id)
    before = db_snapshot(db_url)
    with pytest.raises(StoreError, match="wersja 2 .*ewa"):
        store.import_version("rejestr KIS", _frame(3, "c"), expected_current=v1.id)
    assert db_snapshot(db_url) == before
    assert store.current_version("rejestr KIS") == v2


# -- killed in the middle ------------------------------------------------------------------

_KILLED_CHILD = """
import sys, time
import pandas as pd
import geo.store.versions as store_module
from geo.store import Store

url, marker = sys.argv[1], sys.argv[2]
store_module._CHUNK_ROWS = 500
original = Store._insert_chunk
calls = []

def slow(self, conn, records):
    original(self, conn, records)
    calls.append(1)
    if len(calls) == 3:
        open(marker, "w").close()  # rows of the new version are in the open transaction
    time.sleep(0.2)

Store._insert_chunk = slow
n = 20_000
frame = pd.DataFrame({"id": [f"N{i}" for i in range(n)], "nazwa": ["nowy"] * n, "typ": ["KIS"] * n})
Store(url).import_version("rejestr KIS", frame, file_name="nowy.csv", content=b"nowy plik")
print("finished")
"""


def test_killed_import_leaves_previous_version_intact(
    db_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    with Store(db_url) as store:
        store.import_version("rejestr KIS", _frame(6, "stary"), content=b"stary plik")
    before = db_snapshot(db_url)
    marker = tmp_path / "w-trakcie"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_CHILD, db_url, str(marker)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()[1].decode()
        assert time.monotonic() < deadline, "the import did not start"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL and b"finished" not in out

    # The server (or SQLite's journal) discards the unfinished transaction.
    deadline = time.monotonic() + 30
    while db_snapshot(db_url) != before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert db_snapshot(db_url) == before
    with Store(db_url) as reopened:
        assert reopened.current_entities()["id"].tolist() == [f"stary{i}" for i in range(6)]
        # and the store still takes the next import
        reopened.import_version("rejestr KIS", _frame(2, "po"), content=b"po awarii")
        assert [v.number for v in reopened.versions("rejestr KIS")] == [2, 1]
    _assert_consistent(db_url, "rejestr KIS", 2)


# -- registry management tables --------------------------------------------------------------


def test_source_settings_are_remembered_with_the_import(store: Store) -> None:
    assert store.source_settings("rejestr KIS") is None
    store.import_version(
        "rejestr KIS",
        _frame(2),
        column_map={"Nazwa klubu": "nazwa", "Kolumna X": None},
        default_type="KIS",
        user="ewa",
    )
    remembered = store.source_settings("rejestr KIS")
    assert remembered is not None
    assert remembered.column_map == {"Nazwa klubu": "nazwa", "Kolumna X": None}
    assert (remembered.default_type, remembered.updated_by) == ("KIS", "ewa")
    store.import_version("rejestr KIS", _frame(2), column_map={"Nazwa": "nazwa"})
    assert store.source_settings("rejestr KIS").column_map == {"Nazwa": "nazwa"}
    with pytest.raises(StoreError, match="nieznane pole"):
        store.import_version("rejestr KIS", _frame(2), column_map={"Nazwa": "kolor"})


def test_fixes_replace_revoke_and_audit(store: Store) -> None:
    frame = pd.DataFrame(
        {
            "nazwa": ["Klub bez gminy", "CIS Chełm", "CIS Chełm kopia"],
            "typ": ["KIS", "CIS", "CIS"],
            "miejscowosc": ["Wólka", "Chełm", "Chełm"],
            "id": [None, "C1", "C2"],
        }
    )
    store.import_version("lista ROPS", frame)
    token = store.state_token()
    first = store.add_fix(
        "lista ROPS", "nazwa:klub bez gminy|KIS|wolka", "gmina", {"teryt": "0663011"},
        entity_name="Klub bez gminy", note="ustalono telefonicznie", user="ewa",
    )  # fmt: skip
    assert store.state_token() != token
    second = store.add_fix(
        "lista ROPS", "nazwa:klub bez gminy|KIS|wolka", "gmina", {"teryt": "0614011"}, user="ewa"
    )
    store.add_fix("lista ROPS", "id:C1", "gminy_obslugiwane", {"gminy": ["0662011", "0662011"]})
    store.add_fix("lista ROPS", "id:C2", "duplikat", {"duplikat_z": "lista ROPS:id:C1"})
    active = store.fixes()
    assert [f.id for f in active] == [second.id, second.id + 1, second.id + 2]
    assert active[1].value == {"gminy": ["0662011"]}  # duplicates in the list dropped
    everything = store.fixes(active_only=False)
    assert everything[0].id == first.id and not everything[0].active
    assert everything[0].revoked_by == "ewa"

    fixed = apply_fixes(store.current_entities(), store.fixes())
    assert fixed["nazwa"].tolist() == ["Klub bez gminy", "CIS Chełm"]  # the duplicate left out
    assert fixed["teryt"].tolist() == ["0614011", None]
    assert fixed["gminy_obslugiwane"].tolist() == [None, "0662011"]
    assert "0614011" in fixed["poprawki"].iloc[0]

    # A duplicate of a duplicate, or an original marked as a duplicate, is refused.
    with pytest.raises(StoreError, match="sam jest oznaczony"):
        store.add_fix("lista ROPS", "nazwa:klub bez gminy|KIS|wolka", "duplikat",
                      {"duplikat_z": "lista ROPS:id:C2"})  # fmt: skip
    with pytest.raises(StoreError, match="wskazują ten podmiot"):
        store.add_fix(
            "lista ROPS", "id:C1", "duplikat",
            {"duplikat_z": "lista ROPS:nazwa:klub bez gminy|KIS|wolka"},
        )  # fmt: skip

    token = store.state_token()
    store.revoke_fix(active[2].id, user="piotr")
    assert store.state_token() != token
    assert len(apply_fixes(store.current_entities(), store.fixes())) == 3
    with pytest.raises(StoreError, match="już wycofana"):
        store.revoke_fix(active[2].id)
    actions = store.audit()["action"].tolist()
    assert actions.count("poprawka") == 4 and actions[0] == "wycofanie poprawki"


@pytest.mark.parametrize(
    ("source", "kind", "value", "fragment"),
    [
        ("nieznane", "gmina", {"teryt": "0663011"}, "nie istnieje"),
        ("lista ROPS", "kolor", {}, "Nieznany rodzaj"),
        ("lista ROPS", "gmina", {"teryt": "66301"}, "7-cyfrowego"),
        ("lista ROPS", "wspolrzedne", {"szerokosc": 95, "dlugosc": 22}, "zakresie"),
        ("lista ROPS", "wspolrzedne", {"szerokosc": "nan", "dlugosc": 22}, "zakresie"),
        ("lista ROPS", "wspolrzedne", {"szerokosc": "abc", "dlugosc": 22}, "liczbą"),
        ("lista ROPS", "duplikat", {"duplikat_z": "id:A"}, "samego siebie"),
        ("lista ROPS", "gminy_obslugiwane", {"gminy": ["Lublin"]}, "kodów"),
    ],
)
def test_invalid_fixes_change_nothing(
    store: Store,
    db_url: str,  # noqa: F811
    source: str,
    kind: str,
    value: dict,
    fragment: str,
) -> None:
    store.import_version("lista ROPS", pd.DataFrame({"id": ["A"], "nazwa": ["x"]}))
    before = db_snapshot(db_url)
    with pytest.raises(StoreError, match=fragment):
        store.add_fix(source, "id:A", kind, value)
    assert db_snapshot(db_url) == before


def test_fixes_follow_the_entity_into_the_next_version(store: Store) -> None:
    store.import_version(
        "lista ROPS", pd.DataFrame({"nazwa": ["Klub A", "Klub B"], "typ": ["KIS", "KIS"]})
    )
    store.add_fix("lista ROPS", "nazwa:klub b|KIS|", "gmina", {"teryt": "0663011"})
    # The next file has the rows in another order, with different spelling of the name.
    store.import_version(
        "lista ROPS",
        pd.DataFrame({"nazwa": ["KLUB  b", "Klub C", "Klub A"], "typ": ["KIS"] * 3}),
    )
    fixed = apply_fixes(store.current_entities(), store.fixes()).set_index("nazwa")
    assert fixed.loc["KLUB  b", "teryt"] == "0663011"
    assert fixed["teryt"].isna().sum() == 2


def test_apply_fixes_ignores_inactive_and_unknown_entities() -> None:
    from geo.store import FixInfo

    now = dt.datetime.now(dt.UTC)
    frame = pd.DataFrame(
        {"nazwa": ["A"], "typ": ["KIS"], "zrodlo_rejestru": ["s"], "teryt": [None]}
    )

    def fix(i: int, entity: str, active: bool) -> FixInfo:
        return FixInfo(
            i, "s", entity, None, "gmina", {"teryt": "0663011"}, None, now, None, active, None, None
        )

    out = apply_fixes(frame, [fix(1, "nazwa:a|KIS|", False), fix(2, "nazwa:zzz|KIS|", True)])
    assert out["teryt"].tolist() == [None] and out["poprawki"].tolist() == [None]
    out = apply_fixes(frame, [fix(3, "nazwa:a|KIS|", True)])
    assert out["teryt"].tolist() == ["0663011"]
    assert frame["teryt"].tolist() == [None]  # the input is not modified

    # Two entities marked as duplicates of each other (e.g. by two editors at once), or a
    # duplicate of an entity no longer in the registry: nothing is left out.
    pair = pd.DataFrame({"nazwa": ["A", "B"], "typ": ["KIS"] * 2, "zrodlo_rejestru": ["s"] * 2})

    def dup(i: int, entity: str, original: str) -> FixInfo:
        return FixInfo(
            i, "s", entity, None, "duplikat", {"duplikat_z": original}, None, now, None,
            True, None, None,
        )  # fmt: skip

    keys = ["nazwa:a|KIS|", "nazwa:b|KIS|"]
    cycle = [dup(1, keys[0], f"s:{keys[1]}"), dup(2, keys[1], f"s:{keys[0]}")]
    assert len(apply_fixes(pair, cycle)) == 2
    assert len(apply_fixes(pair, [dup(3, keys[0], "s:nazwa:zniknal|KIS|")])) == 2
    assert apply_fixes(pair, [dup(4, keys[0], f"s:{keys[1]}")])["nazwa"].tolist() == ["B"]


def test_accounts_and_failed_logins(store: Store, db_url: str) -> None:  # noqa: F811
    digest = "$argon2id$v=19$m=65536,t=3,p=4$c29sdA$aGFzaA"
    with pytest.raises(StoreError, match="skrót hasła"):
        store.add_user("ewa", "hasło-w-jawnej-postaci")
    with pytest.raises(StoreError, match="Nieprawidłowy login"):
        store.add_user("Ewa Nowak", digest)
    record = store.add_user("Ewa", digest, user="admin")
    assert record.login == "ewa"
    assert store.get_user("EWA").password_hash == digest
    with pytest.raises(StoreError, match="już istnieje"):
        store.add_user("ewa", digest)
    assert store.get_user("nie ma") is None

    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert store.login_state("kto-kolwiek").failures == 0
    store.record_login_failure("Kto-Kolwiek", at=at)
    state = store.record_login_failure("kto-kolwiek ", at=at)
    assert (state.failures, state.last_failure_at) == (2, at)
    with Store(db_url) as again:  # persisted, not in memory
        assert again.login_state("KTO-KOLWIEK").failures == 2
        again.reset_login_failures("kto-kolwiek")
    assert store.login_state("kto-kolwiek").failures == 0

    store.set_password_hash("ewa", digest + "x", user="admin")
    store.remove_user("ewa", user="admin")
    assert store.users() == []
    with pytest.raises(StoreError, match="Nie ma konta"):
        store.remove_user("ewa")
    assert store.audit()["action"].tolist() == ["konto"] * 3


def test_concurrent_failed_logins_are_all_counted(db_url: str) -> None:  # noqa: F811
    Store(db_url).close()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with Store(db_url) as own:
                barrier.wait(timeout=60)
                for _ in range(5):
                    own.record_login_failure("atakowany")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    with Store(db_url) as check:
        assert check.login_state("atakowany").failures == 20


# -- PostgreSQL specifics ----------------------------------------------------------------------


def test_postgres_url_and_unreachable_server(pg_url: str) -> None:  # noqa: F811
    with Store(pg_url) as store:
        store.import_version("rejestr KIS", _frame(3))
        assert store.engine.dialect.name == "postgresql"
        assert store.sources() == ["rejestr KIS"]
        columns = {c["name"] for c in sa.inspect(store.engine).get_columns("entities")}
        assert set(REGISTRY_COLUMNS) <= columns
    # A server that does not answer: a Polish message, and the password is not shown.
    url = pg_url.replace("postgres@", "postgres:tajne-haslo@").rsplit(":", 1)[0] + ":1/db"
    with pytest.raises(StoreError, match="Nie można otworzyć bazy") as info:
        Store(url)
    assert "tajne-haslo" not in str(info.value)
