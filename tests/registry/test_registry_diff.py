"""Tests of geo/registry: stable keys, diffs, reviewing an upload, fixes, exports.

The review and confirmation run against both store backends (SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from db_backends import db_snapshot, db_url  # noqa: F401 - fixture

from geo import pipeline
from geo.config import get_settings
from geo.io.registry import RegistryFileError, read_registry
from geo.registry.diff import (
    CHANGE_ADDED,
    CHANGE_CHANGED,
    CHANGE_REMOVED,
    diff_frames,
    diff_versions,
)
from geo.registry.export import export_registry
from geo.registry.fixes import check_fix
from geo.registry.keys import stable_keys
from geo.registry.report import report_xlsx
from geo.registry.review import confirm_upload, review_upload
from geo.store import Store, StoreError


@pytest.fixture(scope="module")
def region(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("region")
    env = {"PES_HOME": str(home), "PES_DATA_DIR": str(shared_data), "PES_REGION": "06"}
    return pipeline.load_region(get_settings(env))


@pytest.fixture()
def store(db_url: str):  # noqa: F811
    with Store(db_url) as opened:
        yield opened


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


HEADER = "Nazwa;Typ;Kod TERYT;Miejscowość;Adres"


# -- stable keys -------------------------------------------------------------------------------


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


# -- diffs -------------------------------------------------------------------------------------


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


# -- reviewing and confirming an upload ----------------------------------------------------


def test_review_reports_rows_locations_and_diff_without_writing(
    store: Store,
    db_url: str,  # noqa: F811
    region,
) -> None:
    store.import_version(
        "rejestr KIS",
        pd.DataFrame({"nazwa": ["KIS Lublin"], "typ": ["KIS"], "miejscowosc": ["Lublin"]}),
    )
    before = db_snapshot(db_url)
    content = _csv(
        HEADER + ";Data rozpoczęcia",
        "KIS Lublin;KIS;0663011;Lublin;ul. Zana 1;01.02.2015",
        "KIS Warszawa;KIS;1465011;Warszawa;;31.02.2020",
        ";KIS;0663011;Lublin;;",
        '=HYPERLINK("http://zly.example");UFO;;;;',
    )
    review = review_upload(store, "rejestr KIS", content, "kis.csv", region=region)
    assert db_snapshot(db_url) == before  # a review writes nothing
    assert review.rows == 4 and review.base is not None and review.base.number == 1
    report = review.report
    assert report["wiersz"].is_monotonic_increasing
    by_row = report.groupby("wiersz")["komunikat"].agg(" ".join)
    assert "taki dzień nie istnieje" in by_row[3]
    assert "poza obszarem" in by_row[3]  # located: a code of another voivodeship
    assert "Brak nazwy" in by_row[4]
    assert "Nieznany typ" in by_row[5]
    assert report.loc[report["wiersz"] == 3, "nazwa"].iloc[0] == "KIS Warszawa"
    assert review.errors >= 3 and review.warnings >= 1
    assert review.diff.counts["dodane"] == 3 and review.diff.counts["zmienione"] == 1
    assert review.column_map["Kod TERYT"] == "teryt"
    assert review.parsed.preview.index.tolist() == [2, 3, 4, 5]

    workbook = openpyxl.load_workbook(io.BytesIO(report_xlsx(review)))
    assert workbook.sheetnames == ["Raport walidacji", "Różnice", "Plik"]
    cells = [c for row in workbook["Różnice"].iter_rows(values_only=True) for c in row]
    assert '\'=HYPERLINK("http://zly.example")' in cells  # formula neutralised
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
    rows = list(workbook["Raport walidacji"].iter_rows(values_only=True))
    assert rows[0] == ("Wiersz", "Kolumna", "Waga", "Kategoria", "Nazwa", "Komunikat")
    assert len(rows) == len(report) + 1

    version = confirm_upload(store, review, "ewa", "z ROPS")
    assert (version.number, version.created_by, version.note) == (2, "ewa", "z ROPS")
    assert store.original_file(version.id) == ("kis.csv", content)
    stored = store.current_entities()
    assert stored["nazwa"].tolist()[3] == '=HYPERLINK("http://zly.example")'  # verbatim


def test_mapping_and_default_type_are_remembered_per_source(store: Store, region) -> None:
    odd = _csv("Placówka;Gdzie;Kod;Notatka", "Klub Integracji w Łęcznej;Łęczna;0610033;x")
    with pytest.raises(RegistryFileError) as rejected:
        review_upload(store, "lista KIS", odd, "kis.csv")
    assert rejected.value.headers == ["Placówka", "Gdzie", "Kod", "Notatka"]
    mapping = {"Placówka": "nazwa", "Gdzie": "miejscowosc", "Kod": "teryt", "Notatka": None}
    review = review_upload(
        store, "lista KIS", odd, "kis.csv", column_map=mapping, default_type="KIS", region=region
    )
    assert not review.remembered
    assert review.parsed.frame[["nazwa", "typ", "teryt"]].values.tolist() == [
        ["Klub Integracji w Łęcznej", "KIS", "0610033"]
    ]
    confirm_upload(store, review, "ewa")

    # The next file of this source, same layout: no mapping given, none needed.
    later = _csv(
        "Placówka;Gdzie;Kod;Notatka",
        "Klub Integracji w Łęcznej;Łęczna;0610033;x",
        "Klub w Rykach;Ryki;0615045;",
    )
    again = review_upload(store, "lista KIS", later, "kis-2.csv", region=region)
    assert again.remembered and again.default_type == "KIS"
    assert again.parsed.frame["nazwa"].tolist()[1] == "Klub w Rykach"
    assert again.diff.counts == {"dodane": 1, "usunięte": 0, "zmienione": 0, "bez zmian": 1}
    # Another source does not get this mapping.
    with pytest.raises(RegistryFileError):
        review_upload(store, "inna lista", later, "kis-2.csv")
    # A remembered mapping is only applied to the headers the new file has.
    renamed = _csv("Nazwa;Gdzie;Typ", "KIS Ryki;Ryki;KIS")
    assert review_upload(store, "lista KIS", renamed, "k.csv").parsed.frame[
        "miejscowosc"
    ].tolist() == ["Ryki"]


def test_stale_review_is_refused_and_nothing_is_lost(store: Store, db_url: str) -> None:  # noqa: F811
    store.import_version("rejestr KIS", pd.DataFrame({"nazwa": ["A"], "typ": ["KIS"]}))
    first = review_upload(store, "rejestr KIS", _csv("Nazwa;Typ", "B;KIS"), "b.csv")
    second = review_upload(store, "rejestr KIS", _csv("Nazwa;Typ", "C;KIS"), "c.csv")
    confirm_upload(store, first, "anna")
    before = db_snapshot(db_url)
    with pytest.raises(StoreError, match="W międzyczasie.*anna"):
        confirm_upload(store, second, "piotr")
    assert db_snapshot(db_url) == before
    again = review_upload(store, "rejestr KIS", second.content, "c.csv")
    assert again.diff.counts["usunięte"] == 1  # now compared with anna's version
    confirm_upload(store, again, "piotr")
    assert [(v.number, v.created_by) for v in store.versions("rejestr KIS")] == [
        (3, "piotr"),
        (2, "anna"),
        (1, None),
    ]


def test_simultaneous_confirmations_keep_one_and_refuse_the_other(db_url: str) -> None:  # noqa: F811
    Store(db_url).close()
    barrier = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def session(user: str, payload: bytes) -> None:
        with Store(db_url) as own:  # two sessions, two engines
            review = review_upload(own, "rejestr CIS", payload, f"{user}.csv")
            barrier.wait(timeout=60)
            try:
                outcome[user] = f"wersja {confirm_upload(own, review, user).number}"
            except StoreError as exc:
                outcome[user] = str(exc)

    threads = [
        threading.Thread(target=session, args=(u, _csv("Nazwa;Typ", f"CIS {u};CIS")))
        for u in ("anna", "piotr")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(v[:8] for v in outcome.values()) == ["W między", "wersja 1"]
    with Store(db_url) as check:
        versions = check.versions("rejestr CIS")
        assert [v.number for v in versions] == [1]
        winner = versions[0].created_by
        assert outcome[winner] == "wersja 1"
        assert check.current_entities()["nazwa"].tolist() == [f"CIS {winner}"]


def test_review_needs_a_source_name(store: Store) -> None:
    with pytest.raises(StoreError, match="Wybierz źródło"):
        review_upload(store, "  ", _csv("Nazwa;Typ", "A;KIS"), "a.csv")


# -- fixes against the region ------------------------------------------------------------------


def test_check_fix_against_the_region(region) -> None:
    assert "Lublin" in check_fix("gmina", {"teryt": "0663011"}, region)
    with pytest.raises(ValueError, match="nie jest kodem gminy regionu"):
        check_fix("gmina", {"teryt": "1465011"}, region)
    assert "Lublin (0663011)" in check_fix(
        "wspolrzedne", {"szerokosc": 51.2465, "dlugosc": 22.5684}, region
    )
    with pytest.raises(ValueError, match="zamienione"):
        check_fix("wspolrzedne", {"szerokosc": 22.5684, "dlugosc": 51.2465}, region)
    with pytest.raises(ValueError, match="spoza regionu"):
        check_fix("gminy_obslugiwane", {"gminy": ["0663011", "1465011"]}, region)
    with pytest.raises(ValueError, match="co najmniej"):
        check_fix("gminy_obslugiwane", {"gminy": []}, region)


def test_fixes_change_what_the_pipeline_counts(
    db_url: str,  # noqa: F811
    tmp_path: Path,
    shared_data: Path,
) -> None:
    settings = get_settings(
        {
            "PES_HOME": str(tmp_path / "home"),
            "PES_DATA_DIR": str(shared_data),
            "PES_REGION": "06",
            "PES_DATABASE_URL": db_url,
        }
    )
    rows = pd.DataFrame(
        {
            "id": ["A", "B", "C"],
            "nazwa": ["KIS bez kodu", "CIS Chełm", "CIS Chełm (drugi wpis)"],
            "typ": ["KIS", "CIS", "CIS"],
            "miejscowosc": ["Nieznana Wólka", "Chełm", "Chełm"],
            "teryt": [None, "0662011", "0662011"],
        }
    )
    with Store(settings.database_url) as store:
        store.import_version("lista ROPS", rows)
    day = dt.date(2026, 1, 1)
    before = pipeline.run(settings, day)
    located = before.entities.set_index("id")
    assert pd.isna(located.loc["A", "teryt_gminy"])
    assert before.summary["pes"] == 2  # two CIS in Chełm, the KIS unlocated
    status = before.gminy.set_index("teryt")["pokrycie"]
    assert status["0663011"] == "brak" and status["0662011"] == "w_gminie"

    with Store(settings.database_url) as store:
        store.add_fix("lista ROPS", "id:A", "gmina", {"teryt": "0663011"})
        store.add_fix("lista ROPS", "id:C", "duplikat", {"duplikat_z": "lista ROPS:id:B"})
        store.add_fix("lista ROPS", "id:B", "gminy_obslugiwane", {"gminy": ["0603032"]})
    after = pipeline.run(settings, day)
    status = after.gminy.set_index("teryt")["pokrycie"]
    assert status["0663011"] == "w_gminie"  # the KIS now counts in Lublin
    assert status["0603032"] == "porozumienie"
    assert after.summary["pes"] == 2  # + the KIS, − the duplicate
    assert "C" not in set(after.entities["id"])
    assert after.entities.set_index("id").loc["A", "poprawki"].startswith("gmina przypisana")


# -- exports -----------------------------------------------------------------------------------


def test_exports_are_formula_safe_in_every_format(region) -> None:
    frame = pd.DataFrame(
        {
            "id": ["1", "2"],
            "nazwa": ['=HYPERLINK("http://zly.example")', "<script>alert(1)</script>"],
            "typ": ["KIS", "CIS"],
            "teryt": ["0663011", "0662011"],
            "uwagi": ["+48 81 000", "@SUM(A1)"],
            "zrodlo_rejestru": ["lista", "lista"],
        }
    )
    from geo.analysis.locate import locate_entities

    located = locate_entities(frame, region.gminy, region.terc, "06")
    meta = {"stan na": "2026-01-01"}
    csv = export_registry(located, "csv", meta).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and "'+48 81 000" in csv and "'@SUM(A1)" in csv
    assert "<script>alert(1)</script>" in csv  # text stays text
    book = openpyxl.load_workbook(io.BytesIO(export_registry(located, "xlsx", meta)))
    values = [c for row in book["Rejestr"].iter_rows(values_only=True) for c in row]
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "@")) for v in values)
    geojson = json.loads(export_registry(located, "geojson", meta))
    assert geojson["type"] == "FeatureCollection" and geojson["metadata"] == meta
    assert [f["properties"]["nazwa"] for f in geojson["features"]] == [
        '\'=HYPERLINK("http://zly.example")',
        "<script>alert(1)</script>",
    ]
    lon, lat = geojson["features"][0]["geometry"]["coordinates"]
    assert 22.4 < lon < 22.7 and 51.1 < lat < 51.4  # Lublin
    with pytest.raises(ValueError, match="geometrią"):
        export_registry(frame, "geojson")
    with pytest.raises(ValueError, match="Nieznany format"):
        export_registry(frame, "pdf")
