"""Tests of geo/registry/review.py and report.py: reviewing an upload, its report, confirming it.

The review and confirmation run against both store backends (SQLite and PostgreSQL).
"""

from __future__ import annotations

import io
import threading

import openpyxl
import pandas as pd
import pytest
from db_backends import db_snapshot, db_url  # noqa: F401 - fixture

from geo.io.registry import RegistryFileError
from geo.registry.report import report_xlsx
from geo.registry.review import confirm_upload, review_upload
from geo.store import Store, StoreError


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


HEADER = "Nazwa;Typ;Kod TERYT;Miejscowość;Adres"


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


def test_report_xlsx_with_hidden_characters_is_made_and_clean(store: Store, region) -> None:
    # the base version holds text stored before the readers cleaned it (a diff shows it)
    store.import_version(
        "rejestr KIS",
        pd.DataFrame(
            {"nazwa": ["KIS\x0bLublin\u202e"], "typ": ["KIS"], "miejscowosc": ["Lub\x1blin"]}
        ),
    )
    content = _csv(HEADER, "KIS\x0bNowy;K\u200bIS;0663011;Lublin;ul.\x1b[2J Zana 1")
    review = review_upload(store, "rejestr KIS", content, "kis.csv", region=region)
    messages = " ".join(review.report["komunikat"].astype(str))
    assert "Usunięto z komórki" in messages and "U+000B" in messages
    workbook = openpyxl.load_workbook(io.BytesIO(report_xlsx(review)))
    cells = [c for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert not any(
        ch in str(c) for c in cells for ch in ("\x0b", "\x00", "\x1b", "\u202e", "\u200b")
    )
    assert "KIS Nowy" in cells
    assert workbook["Raport walidacji"].freeze_panes == "A2"
