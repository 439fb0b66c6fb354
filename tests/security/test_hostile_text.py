"""Hostile text in registry cells (issue 16, findings 2, 8, 15): control, invisible and
bidirectional characters.

A vertical tab (Word's line break in a cell) or a NUL used to import silently and then crash
the public "Luki" page, the XLSX downloads and ``coverage --format xlsx``; an escape sequence
retitled the operator's terminal; U+200B hid a duplicate and U+202E reversed what a page shows.
Each character goes through the registry reader (removed, with a warning naming the cell), the
exports (stripped again: data stored before the fix), the public Luki page and the CLI.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import openpyxl
import pandas as pd
import pytest
from apptest_pages import open_page

from geo import pipeline
from geo.analysis.locate import locate_entities
from geo.cli import main
from geo.config import get_settings
from geo.core.text import fold
from geo.io.export import to_bytes
from geo.io.registry import read_registry
from geo.registry.export import export_registry
from geo.registry.keys import stable_keys
from geo.store import Store

#: (case id, the hostile text, what a reader must keep of "Klub<text>Razem").
HOSTILE = [
    ("vertical-tab", "\x0b", "Klub Razem"),
    ("nul", "\x00", "KlubRazem"),
    ("form-feed", "\x0c", "Klub Razem"),
    ("cr-lf", "\r\n", "Klub Razem"),
    ("nel", "\x85", "Klub Razem"),
    ("line-separator", "\u2028", "Klub Razem"),
    ("esc-title", "\x1b]0;przejete\x07", "Klub]0;przejeteRazem"),
    ("esc-clear", "\x1b[2J", "Klub[2JRazem"),
    ("c1-csi", "\x9b31m", "Klub31mRazem"),
    ("zero-width-space", "\u200b", "KlubRazem"),
    ("zero-width-joiner", "\u200d", "KlubRazem"),
    ("right-to-left-override", "\u202e", "KlubRazem"),
    ("left-to-right-isolate", "\u2066", "KlubRazem"),
    ("byte-order-mark", "\ufeff", "KlubRazem"),
    ("soft-hyphen", "\u00ad", "KlubRazem"),
    ("tag-character", "\U000e0041", "KlubRazem"),
]
IDS = [case[0] for case in HOSTILE]
#: Anything that must not reach the data, an export or a terminal.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
    "\U000e0000-\U000e007f]"
)
CELLS = ("nazwa", "adres", "gmina")
PAD = 200  # clean rows before the hostile one
HOSTILE_ROW = PAD + 2  # its row number as a spreadsheet shows it (header is row 1)


def _registry_csv(column: str, text: str) -> bytes:
    """A small registry whose ``column`` cell of the first row holds ``text``."""
    clean = {
        "nazwa": "Klub Razem",
        "typ": "KIS",
        "adres": "ul. Klubowa 1",
        "gmina": "Bełżyce",
        "powiat": "lubelski",
    }
    value = clean[column]
    row = {**clean, column: value.replace(" ", text, 1) if " " in value else value + text}
    # clean rows first: a NUL in a CSV's first 8 KB makes it a binary file, refused whole
    filler = [{**clean, "nazwa": f"CIS Zamość {i}", "gmina": "Zamość"} for i in range(PAD)]
    frame = pd.DataFrame([*filler, row])
    return frame.to_csv(index=False).encode("utf-8")


# ------------------------------------------------------------------ the reader


@pytest.mark.parametrize("column", CELLS)
@pytest.mark.parametrize(("case", "text", "kept"), HOSTILE, ids=IDS)
def test_reader_removes_them_and_names_the_cell(
    case: str, text: str, kept: str, column: str
) -> None:
    parsed = read_registry(_registry_csv(column, text), filename="rejestr.csv")
    first = parsed.frame.iloc[-1]
    assert not any(FORBIDDEN.search(str(v)) for v in parsed.frame.to_numpy().ravel())
    if column == "nazwa":
        assert first["nazwa"] == kept
    warnings = [p for p in parsed.problems if p.row == HOSTILE_ROW and p.column == column]
    assert len(warnings) == 1, parsed.problems
    assert warnings[0].severity == "ostrzeżenie"
    assert "Usunięto" in warnings[0].message and "U+" in warnings[0].message
    assert len(parsed.problems) == 1, parsed.problems  # clean rows have no warning


@pytest.mark.parametrize(
    "text",
    ["\u200b", "\u202e", "\ufeff", "\u2066", "\x00"],
    ids=["zwsp", "rlo", "bom", "lri", "nul"],
)
def test_duplicates_are_seen_through_invisible_characters(text: str) -> None:
    # a NUL in a CSV's first 8 KB makes it a binary file, refused whole
    filler = "".join(f"Centrum Integracji Społecznej {i},CIS,Chełm\n" for i in range(PAD))
    rows = f"nazwa,typ,miejscowosc\n{filler}KIS Zamość,KIS,Zamość\nKIS Za{text}mość,KIS,Zamość\n"
    parsed = read_registry(rows.encode("utf-8"), filename="r.csv")
    names = parsed.frame["nazwa"].tolist()[-2:]
    assert names[0] == names[1] == "KIS Zamość"
    if text == "\x00":  # ASCII controls never reach a key or fold(): the readers remove them
        return
    # stored before the fix: the key of the raw name is still the same entity's
    raw = parsed.frame.tail(2).assign(nazwa=["KIS Zamość", f"KIS Za{text}mość"])
    keys = stable_keys(raw).tolist()
    assert keys[0].split("#")[0] == keys[1].split("#")[0]
    assert fold(f"KIS Za{text}mość") == fold("KIS Zamość")


@pytest.mark.parametrize("text", ["\u200b", "\u00ad", "\u2066"], ids=["zwsp", "shy", "lri"])
def test_gmina_name_with_hidden_characters_is_still_located(region, text: str) -> None:
    rows = f"nazwa,typ,gmina,powiat\nKlub,KIS,Beł{text}życe,lubelski\n"
    parsed = read_registry(rows.encode("utf-8"), filename="r.csv")
    located = locate_entities(parsed.frame, region.gminy, region.terc, "06")
    belzyce = region.gminy.loc[region.gminy["nazwa"] == "Bełżyce", "teryt"].tolist()
    assert len(belzyce) == 1
    assert located["teryt_gminy"].tolist() == belzyce


# ------------------------------------------------------------------ exports (second line)


def _raw_frame(text: str) -> pd.DataFrame:
    """Text as it may sit in data stored before the fix (never through the reader)."""
    return pd.DataFrame(
        {
            "nazwa": [f"Klub{text}Razem", "CIS Zamość"],
            "obslugujace": [f"Bełżyce (CIS{text}A)", None],
            "ludnosc": [12000, 3500],
            "pes_na_10k": [1.25, 0.0],
        }
    )


@pytest.mark.parametrize(("case", "text", "kept"), HOSTILE, ids=IDS)
@pytest.mark.parametrize("people", [True, False], ids=["people", "machine"])
def test_exports_strip_them(case: str, text: str, kept: str, people: bool) -> None:
    frame = _raw_frame(text)
    csv = to_bytes(frame, "csv", people=people).decode("utf-8-sig")
    assert not FORBIDDEN.search(csv.replace("\r\n", "\n").replace("\n", ""))
    book = openpyxl.load_workbook(io.BytesIO(to_bytes(frame, "xlsx", meta={"a": text})))
    cells = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert not any(isinstance(c, str) and FORBIDDEN.search(c) for c in cells)
    records = json.loads(to_bytes(frame, "json"))
    assert not FORBIDDEN.search(json.dumps(records, ensure_ascii=False))


@pytest.mark.parametrize(("case", "text", "kept"), HOSTILE[:9], ids=IDS[:9])
def test_registry_exports_strip_them(region, case: str, text: str, kept: str) -> None:
    rows = "nazwa,typ,teryt\nKlub Razem,KIS,0663011\nCIS Zamość,CIS,0664011\n"
    parsed = read_registry(rows.encode("utf-8"), filename="r.csv")
    raw = parsed.frame.assign(nazwa=[f"Klub{text}Razem", "CIS Zamość"], uwagi=text)
    located = locate_entities(raw, region.gminy, region.terc, "06")
    for fmt in ("csv", "xlsx", "geojson"):
        data = export_registry(located, fmt, {"stan na": "2026-01-01"})
        if fmt == "xlsx":
            book = openpyxl.load_workbook(io.BytesIO(data))
            cells = [c for row in book["Rejestr"].iter_rows(values_only=True) for c in row]
        elif fmt == "csv":
            table = pd.read_csv(io.BytesIO(data), sep=";", dtype=str, encoding="utf-8-sig")
            cells = [*table.columns, *table.fillna("").to_numpy().ravel()]
        else:
            features = json.loads(data)["features"]
            cells = [v for f in features for v in f["properties"].values()]
        assert kept in cells, fmt  # the name, cleaned as the reader would
        # no hidden character, and no line break left inside a cell
        assert not [c for c in cells if isinstance(c, str) and FORBIDDEN.search(c)], fmt
        assert not [c for c in cells if isinstance(c, str) and "\n" in c], fmt


# ------------------------------------------------------------------ the public page and CLI

PAGE_CASES = [case for case in HOSTILE if case[0] in {"vertical-tab", "nul", "esc-title"}]


def _store_raw(text: str) -> None:
    """A registry version whose CIS name holds ``text`` as data stored before the fix."""
    parsed = read_registry(
        b"nazwa,typ,teryt\nCIS Nowy,CIS,0601011\nKIS Drugi,KIS,0602011\n", "r.csv"
    )
    frame = parsed.frame.assign(nazwa=[f"CIS{text}Nowy", f"KIS{text}Drugi"])
    with Store.from_settings(get_settings()) as store:
        store.import_version("rejestr testowy", frame, file_name="r.csv")


@pytest.mark.parametrize(("case", "text", "kept"), HOSTILE, ids=IDS)
def test_text_stored_before_the_fix_is_cleaned_for_every_view(
    pes_env, case: str, text: str, kept: str
) -> None:
    if case == "nul" and "postgresql" in get_settings().database_url:
        pytest.skip("PostgreSQL cannot store a NUL")
    _store_raw(text)
    result = pipeline.run(get_settings(), dt.date.today())
    names = result.entities["nazwa"].tolist()
    assert not [n for n in names if FORBIDDEN.search(n)], names
    served = " ".join(result.gminy["obslugujace"].dropna())
    assert "Nowy" in served and not FORBIDDEN.search(served)


@pytest.mark.parametrize(("case", "text", "kept"), PAGE_CASES, ids=[c[0] for c in PAGE_CASES])
def test_public_luki_page_survives_and_offers_its_files(
    pes_env, case: str, text: str, kept: str
) -> None:
    _store_raw(text)
    at = open_page("pages/luki.py")  # asserts that the page raised nothing
    labels = [b.label for b in at.get("download_button")]
    assert "Pobierz XLSX" in labels and "Pobierz CSV" in labels
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize(("case", "text", "kept"), PAGE_CASES, ids=[c[0] for c in PAGE_CASES])
def test_cli_coverage_exports_and_output(
    pes_env, tmp_path, capsys, case: str, text: str, kept: str
) -> None:
    _store_raw(text)
    out = tmp_path / "pokrycie.xlsx"
    assert main(["coverage", "--format", "xlsx", "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    cells = [c for row in book["Pokrycie"].iter_rows(values_only=True) for c in row]
    assert any(isinstance(c, str) and "Nowy" in c for c in cells)
    assert not any(isinstance(c, str) and FORBIDDEN.search(c) for c in cells)
    assert main(["coverage", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    body = captured.out.removeprefix("\ufeff")  # the CSV's BOM, for Excel
    assert not FORBIDDEN.search(body.replace("\r\n", "").replace("\n", ""))
    assert "\x1b" not in captured.err and "Traceback" not in captured.err


def test_cli_escapes_what_it_echoes(pes_env, tmp_path, capsys) -> None:
    bad = tmp_path / "plik\x1b]0;przejete\x07\x1b[2J.csv"
    bad.write_text("nazwa,typ\nKlub,NIEZNANY\n", encoding="utf-8")
    assert main(["registry", "validate", str(bad)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "plik\\x1b]0;przejete\\x07\\x1b[2J.csv" in out


@pytest.fixture(scope="module")
def region(shared_data, tmp_path_factory):
    home = tmp_path_factory.mktemp("region")
    env = {"PES_HOME": str(home), "PES_DATA_DIR": str(shared_data), "PES_REGION": "06"}
    return pipeline.load_region(get_settings(env))
