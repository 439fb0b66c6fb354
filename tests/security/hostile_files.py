"""Hostile files for the bounded readers: small on disk, huge, deep or broken inside.

Each :class:`Hostile` is one file for one importer (``rejestr``: registry import and upload,
``lpres``: plan list, ``granice``: boundary import), the expected outcome and a Polish phrase
the message (refusal) or the listed problems (acceptance) must contain. Registry and plan
files are built in memory; boundary files need the region's gminas (``gminy``).
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import shapely

REJECT = "odrzucony"
ACCEPT = "przyjęty"

HEADER = ["Nazwa", "Typ", "Kod TERYT", "Miejscowość"]
ROW = ["Klub Integracji Społecznej w Lublinie", "KIS", "0663011", "Lublin"]
PLAN_HEADER = ["jst", "zakres", "teryt_gmin", "status", "nazwa"]
PLAN_ROW = ["Gmina Lublin", "gmina", "0663011", "przyjęty", "Plan Lublina"]
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@dataclass(frozen=True)
class Hostile:
    """One hostile file: for which importer, what it must come to, and what the text says."""

    name: str
    kind: str  # "rejestr" | "lpres" | "granice"
    filename: str
    build: Callable[[gpd.GeoDataFrame], bytes]
    outcome: str
    phrase: str


# ------------------------------------------------------------------------------- workbooks


def workbook(rows: list[list[object]], sheets: int = 1) -> bytes:
    """A real XLSX written by openpyxl; ``rows`` on the last of ``sheets`` sheets."""
    book = openpyxl.Workbook()
    for number in range(1, sheets):
        book.active.title = f"Pusty {number}"
        book.create_sheet()
    sheet = book.worksheets[-1]
    sheet.title = "Dane"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row_xml(number: int, values: list[str]) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def with_sheet(
    body: str, header: list[str] = HEADER, row: list[str] = ROW, head: str = ""
) -> bytes:
    """A workbook whose first sheet has the header, one row, then ``body`` (raw XML)."""
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<worksheet xmlns="{_MAIN_NS}">{head}<sheetData>'
        + _row_xml(1, header)
        + _row_xml(2, row)
        + body
        + "</sheetData></worksheet>"
    )
    return replace_part(workbook([["x"]]), "xl/worksheets/sheet1.xml", xml.encode())


def replace_part(xlsx: bytes, member: str, content: bytes, extra: dict | None = None) -> bytes:
    """The workbook with one part replaced (and ``extra`` parts added), well compressed."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = content if info.filename == member else source.read(info.filename)
            target.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def forge_sizes(archive: bytes, size: int) -> bytes:
    """Claim ``size`` unpacked bytes for every member in the central directory."""
    data = bytearray(archive)
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        struct.pack_into("<I", data, pos + 24, size)
        pos = data.find(b"PK\x01\x02", pos + 4)
    return bytes(data)


def corrupt_stream(archive: bytes) -> bytes:
    """Damage the compressed bytes of the sheet (the directory stays intact)."""
    data = bytearray(archive)
    start = data.find(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    for i in range(start + 20, min(start + 60, len(data))):
        data[i] ^= 0xFF
    return bytes(data)


def shared_strings_bomb(count: int) -> bytes:
    strings = "<si><t>a</t></si>" * count
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN_NS}" count="{count}" '
        f'uniqueCount="{count}">{strings}</sst>'
    ).encode()
    return replace_part(workbook([HEADER, ROW]), "", b"", {"xl/sharedStrings.xml": sst})


def many_parts(count: int) -> bytes:
    """A workbook with ``count`` empty extra parts."""
    extra = {f"xl/media/obraz{i}.bin": b"" for i in range(count)}
    return replace_part(workbook([HEADER, ROW]), "", b"", extra)


#: A sheet declaring XML entities (a "billion laughs" in miniature).
ENTITIES = (
    b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    + f'<worksheet xmlns="{_MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is>'
    "<t>&b;</t></is></c></row></sheetData></worksheet>".encode()
)


def not_a_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("dane/rejestr.csv", ";".join(HEADER) + "\n" + ";".join(ROW))
    return out.getvalue()


# ------------------------------------------------------------------------------- text files


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def csv_rows(header: list[str], row: list[str]) -> list[str]:
    return [";".join(header), ";".join(row)]


# ------------------------------------------------------------------------------- boundaries


def geojson(gdf: gpd.GeoDataFrame) -> bytes:
    return gdf.to_json(drop_id=True).encode()


def raw_geojson(features: list[dict]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def replaced_gmina(gminy: gpd.GeoDataFrame, geometry: object) -> bytes:
    """The region's gminas with the first one's outline replaced by ``geometry``."""
    changed = gminy.copy()
    changed.loc[changed.index[0], "geometry"] = geometry
    return geojson(changed)


def collapsed(gminy: gpd.GeoDataFrame) -> object:
    """The first gmina flattened to a polygon without area (its points on one line)."""
    x, y = gminy.geometry.iloc[0].representative_point().coords[0]
    return shapely.Polygon([(x, y), (x + 0.01, y + 0.01), (x + 0.02, y + 0.02), (x, y)])


def two_point_ring(gminy: gpd.GeoDataFrame) -> bytes:
    data = json.loads(geojson(gminy))
    x, y = gminy.geometry.iloc[0].representative_point().coords[0]
    data["features"][0]["geometry"] = {"type": "Polygon", "coordinates": [[[x, y], [x + 0.01, y]]]}
    return json.dumps(data).encode()


def empty_geometry(gminy: gpd.GeoDataFrame) -> bytes:
    data = json.loads(geojson(gminy))
    data["features"][0]["geometry"] = {"type": "Polygon", "coordinates": []}
    return json.dumps(data).encode()


def many_vertices(gminy: gpd.GeoDataFrame, count: int = 1_000_000) -> bytes:
    """The first gmina as a circle of ``count`` vertices (a 1M-vertex outline, about 40 MB)."""
    x, y = gminy.geometry.iloc[0].representative_point().coords[0]
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    ring = np.column_stack([x + 0.02 * np.cos(angles), y + 0.02 * np.sin(angles)])
    return replaced_gmina(gminy, shapely.Polygon(ring))


def tripled(gminy: gpd.GeoDataFrame) -> object:
    """The first gmina scaled to three times its size (nine times its area)."""
    return shapely.affinity.scale(gminy.geometry.iloc[0], 3, 3)


def whole_poland(gminy: gpd.GeoDataFrame) -> object:
    return shapely.box(14.5, 49.5, 23.5, 54.5)


# ------------------------------------------------------------------------------- the corpus


def corpus() -> list[Hostile]:
    """All hostile files (at least 25)."""
    from geo.io import plans
    from geo.io.registry import MAX_CELL_CHARS, MAX_ROWS
    from geo.io.tabular import EXCEL_MAX_ROWS

    good = workbook([HEADER, ROW])
    mb = "x" * 1024 * 1024
    cases = [
        # -- XLSX: rows, cells, strings --------------------------------------------------
        Hostile(
            "xlsx_bomba_pustych_wierszy",
            "rejestr",
            "wiersze.xlsx",
            lambda g: with_sheet("<row/>" * 3_000_000),
            REJECT,
            "licząc puste",
        ),
        Hostile(
            "xlsx_numer_wiersza_poza_excelem",
            "rejestr",
            "numer.xlsx",
            lambda g: with_sheet('<row r="2000000000"><c r="A2000000000"/></row>'),
            REJECT,
            "licząc puste",
        ),
        Hostile(
            "xlsx_wiersze_do_konca_arkusza",
            "rejestr",
            "formatowanie.xlsx",
            lambda g: with_sheet(f'<row r="{EXCEL_MAX_ROWS}" s="1"/>'),
            REJECT,
            "licząc puste",
        ),
        Hostile(
            "lpres_xlsx_bomba_komorek",
            "lpres",
            "komorki.xlsx",
            lambda g: with_sheet(
                '<row r="3">' + "<c/>" * (plans.LIMITS.cells + 1) + "</row>", PLAN_HEADER, PLAN_ROW
            ),
            REJECT,
            "komórek",
        ),
        Hostile(
            "xlsx_bomba_tekstow_wspoldzielonych",
            "rejestr",
            "teksty.xlsx",
            lambda g: shared_strings_bomb(6 * MAX_ROWS + 1),
            REJECT,
            "różnych tekstów",
        ),
        Hostile(
            "xlsx_komorka_1_mb",
            "rejestr",
            "komorka.xlsx",
            lambda g: with_sheet(_row_xml(3, ["Klub B", "KIS", "0663011", mb])),
            REJECT,
            f"dopuszczalne {MAX_CELL_CHARS} znaków",
        ),
        Hostile(
            "xlsx_tekst_bez_konca",
            "rejestr",
            "tekst.xlsx",
            lambda g: with_sheet(_row_xml(3, ["Klub B", "KIS", "0663011", mb * 6])),
            REJECT,
            f"dopuszczalne {MAX_CELL_CHARS} znaków",
        ),
        Hostile(
            "xlsx_kolumna_xfd_w_kazdym_wierszu",
            "rejestr",
            "szeroki.xlsx",
            lambda g: with_sheet(
                "".join(
                    f'<row r="{n}">'
                    + _row_xml(n, ROW)[len(f'<row r="{n}">') : -6]
                    + f'<c r="XFD{n}" s="0"/></row>'
                    for n in range(3, 200)
                )
            ),
            ACCEPT,
            "",
        ),
        Hostile(
            "xlsx_ogromny_wymiar_arkusza",
            "rejestr",
            "wymiar.xlsx",
            lambda g: with_sheet("", head='<dimension ref="A1:XFD1048576"/>'),
            ACCEPT,
            "",
        ),
        Hostile(
            "xlsx_gleboki_xml",
            "rejestr",
            "gleboki.xlsx",
            lambda g: with_sheet("<x>" * 200_000 + "</x>" * 200_000),
            ACCEPT,
            "",
        ),
        Hostile(
            "xlsx_wiele_arkuszy",
            "rejestr",
            "arkusze.xlsx",
            lambda g: workbook([HEADER, ROW], sheets=300),
            ACCEPT,
            "",
        ),
        Hostile(
            "xlsx_encje_xml",
            "rejestr",
            "encje.xlsx",
            lambda g: replace_part(good, "xl/worksheets/sheet1.xml", ENTITIES),
            REJECT,
            "encji",
        ),
        Hostile(
            "xlsx_falszywe_rozmiary",
            "rejestr",
            "rozmiary.xlsx",
            lambda g: forge_sizes(good, 0xFFFFFFF0),
            REJECT,
            "po rozpakowaniu",
        ),
        Hostile(
            "xlsx_zepsuty_strumien",
            "rejestr",
            "zepsuty.xlsx",
            lambda g: corrupt_stream(good),
            REJECT,
            "uszkodzony",
        ),
        Hostile(
            "zip_bez_skoroszytu",
            "rejestr",
            "archiwum.xlsx",
            lambda g: not_a_workbook(),
            REJECT,
            "nie skoroszytem",
        ),
        Hostile(
            "xlsx_tysiace_czesci",
            "rejestr",
            "czesci.xlsx",
            lambda g: many_parts(12_000),
            REJECT,
            "części",
        ),
        # -- CSV ---------------------------------------------------------------------------
        Hostile(
            "csv_komorka_1_mb",
            "rejestr",
            "komorka.csv",
            lambda g: csv_bytes(*csv_rows(HEADER, ROW), f"Klub B;KIS;0663011;{mb}"),
            REJECT,
            f"dopuszczalne {MAX_CELL_CHARS}",
        ),
        Hostile(
            "csv_olbrzymia_linia_tytulu",
            "rejestr",
            "tytul.csv",
            lambda g: csv_bytes(mb * 5, *csv_rows(HEADER, ROW)),
            REJECT,
            f"dopuszczalne {MAX_CELL_CHARS} znaków",
        ),
        Hostile(
            "csv_miliony_pustych_linii",
            "rejestr",
            "puste.csv",
            lambda g: csv_bytes(*csv_rows(HEADER, ROW)) + b"\n" * (2 * MAX_ROWS + 100),
            REJECT,
            "licząc puste",
        ),
        Hostile(
            "csv_linie_samych_separatorow",
            "rejestr",
            "separatory.csv",
            lambda g: csv_bytes(*csv_rows(HEADER, ROW)) + b";;;\n" * (2 * MAX_ROWS + 100),
            REJECT,
            "licząc puste",
        ),
        Hostile(
            "csv_zepsute_utf8",
            "rejestr",
            "utf8.csv",
            lambda g: csv_bytes(*csv_rows(HEADER, ROW)) + b"Klub \xc5 B;KIS\n",
            REJECT,
            "UTF-8",
        ),
        Hostile(
            "csv_utf16_bez_bom",
            "rejestr",
            "utf16.csv",
            lambda g: "\n".join(csv_rows(HEADER, ROW)).encode("utf-16-le"),
            REJECT,
            "binarne",
        ),
        Hostile(
            "csv_niezamkniety_cudzyslow",
            "rejestr",
            "cudzyslow.csv",
            lambda g: csv_bytes(*csv_rows(HEADER, ROW), '"Klub B;KIS;0663011;Lublin'),
            REJECT,
            "cudzysł",
        ),
        # -- LPRES -------------------------------------------------------------------------
        Hostile(
            "lpres_xlsx_bomba_pustych_wierszy",
            "lpres",
            "plany.xlsx",
            lambda g: with_sheet("<row/>" * 1_000_000, PLAN_HEADER, PLAN_ROW),
            REJECT,
            "licząc puste",
        ),
        Hostile(
            "lpres_csv_komorka_1_mb",
            "lpres",
            "plany.csv",
            lambda g: csv_bytes(";".join(PLAN_HEADER), ";".join(PLAN_ROW[:-1] + [mb])),
            REJECT,
            f"dopuszczalne {MAX_CELL_CHARS} znaków",
        ),
        Hostile(
            "lpres_xlsx_tekst_bez_konca",
            "lpres",
            "plany2.xlsx",
            lambda g: with_sheet(_row_xml(3, PLAN_ROW[:-1] + [mb * 2]), PLAN_HEADER, PLAN_ROW),
            REJECT,
            f"dopuszczalne {MAX_CELL_CHARS} znaków",
        ),
        # -- boundaries --------------------------------------------------------------------
        Hostile(
            "granice_gmina_o_zerowej_powierzchni",
            "granice",
            "zerowa.geojson",
            lambda g: replaced_gmina(g, collapsed(g)),
            REJECT,
            "zerowej lub znikomej",
        ),
        Hostile(
            "granice_pierscien_z_dwoch_punktow",
            "granice",
            "dwa_punkty.geojson",
            two_point_ring,
            REJECT,
            "za mało punktów",
        ),
        Hostile(
            "granice_pusta_geometria",
            "granice",
            "pusta.geojson",
            empty_geometry,
            REJECT,
            "bez geometrii",
        ),
        Hostile(
            "granice_milion_wierzcholkow",
            "granice",
            "wierzcholki.geojson",
            many_vertices,
            REJECT,
            "wierzchołków",
        ),
        Hostile(
            "granice_gmina_wielkosci_polski",
            "granice",
            "polska.geojson",
            lambda g: replaced_gmina(g, whole_poland(g)),
            REJECT,
            "nieprawdopodobnie dużej",
        ),
        Hostile(
            "granice_gmina_dziewiec_razy_za_duza",
            "granice",
            "duza.geojson",
            lambda g: replaced_gmina(g, tripled(g)),
            ACCEPT,
            "różni się od urzędowej",
        ),
        Hostile(
            "granice_bez_obiektow",
            "granice",
            "nic.geojson",
            lambda g: raw_geojson([]),
            REJECT,
            "nie zawiera",
        ),
    ]
    return cases


def write(case: Hostile, folder: Path, gminy: gpd.GeoDataFrame) -> Path:
    """Write the case's file into ``folder``."""
    path = folder / case.filename
    path.write_bytes(case.build(gminy))
    return path
