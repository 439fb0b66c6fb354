"""Reading vector boundary files safely: any common format and CRS, zips, PRG field names.

Shared by boundary imports and the PRG download. Archives are opened with limits (total size,
compression ratio, member names) so a hostile zip cannot fill the disk or escape its folder;
the code and name fields are detected among PRG, GUS and common export names.
"""

from __future__ import annotations

import re
import tempfile
import warnings
import zipfile
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely
import shapely.errors

from geo.core.text import fold
from geo.errors import UserError

# Zip guard: limits checked on the archive directory before anything is extracted, and again
# while streaming (a forged directory cannot make us write more than MAX_EXTRACT_BYTES).
MAX_ZIP_TOTAL_BYTES = 4 * 1024**3
MAX_EXTRACT_BYTES = 2 * 1024**3
MAX_COMPRESSION_RATIO = 200
_RATIO_MIN_BYTES = 1024**2  # tiny members compress absurdly well legitimately

# A plain boundary file larger than this is not a file of gminas (PRG's full-detail gminas of
# all Poland take a few hundred MB); reading it would take many times its size in memory.
MAX_FILE_BYTES = 1024**3
# Vertices: a full-detail PRG gmina has tens of thousands, all Poland's some millions; more
# means a hostile or broken file (and every map and analysis would pay for them).
MAX_GMINA_VERTICES = 500_000
MAX_VERTICES = 40_000_000

# Generous lon/lat envelope of Poland: catches swapped axes and wrongly declared CRSs.
POLAND_BOUNDS = (13.5, 48.5, 24.5, 55.2)

_PLAIN_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".gml", ".xml")
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
KNOWN_CODE_FIELDS = (
    "jpt_kod_je",
    "teryt",
    "terc",
    "kod_teryt",
    "teryt_gminy",
    "kod_terc",
    "kod_gminy",
    "jpt_kod",
    "kod",
    "code",
    "teryt_src",
)
KNOWN_NAME_FIELDS = ("jpt_nazwa_", "nazwa", "name", "nazwa_gminy", "gmina", "jpt_nazwa")
_CODE_VALUE = re.compile(r"^\d{6,7}$")
_MIN_CODE_SHARE = 0.9
_LIST_LIMIT = 20


def _listing(items: list[str]) -> str:
    shown = items[:_LIST_LIMIT]
    rest = len(items) - len(shown)
    return ", ".join(shown) + (f" i {rest} innych" if rest > 0 else "")


class BoundaryError(UserError, ValueError):
    """A boundary file cannot be used; the message is in Polish for the user."""


# --------------------------------------------------------------------------- reading


def read_vector(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a polygon layer from GeoJSON, GeoPackage, Shapefile (plain or zipped) or GML.

    Parameters
    ----------
    path : Path
        The file. A ``.zip`` must contain a Shapefile (possibly in a subfolder).
    layer : str, optional
        Layer name (GeoPackage/GML) or shapefile name inside a zip; chosen automatically when
        the file has one polygon layer or one layer whose name mentions gminas.

    Returns
    -------
    geopandas.GeoDataFrame
        The features with a CRS. ``attrs["source_crs"]`` is the CRS as declared by the file
        (``None`` when absent, in which case lon/lat coordinates are taken as EPSG:4326 and
        ``attrs["crs_assumed"]`` is ``True``).

    Raises
    ------
    BoundaryError
        Unreadable or empty file, no or non-polygon geometry, unknown CRS of projected
        coordinates, unsafe or shapefile-less zip.
    """
    path = Path(path)
    if not path.is_file():
        raise BoundaryError(f"Nie znaleziono pliku {path}.")
    size = path.stat().st_size
    if size == 0:
        raise BoundaryError(f"Plik {path.name} jest pusty.")
    if size > MAX_FILE_BYTES:
        raise BoundaryError(
            f"Plik {path.name} jest zbyt duży ({size / 1024**2:,.0f} MB; dopuszczalne "
            f"{MAX_FILE_BYTES / 1024**2:,.0f} MB)."
        )
    suffix = path.suffix.lower()
    if suffix == ".zip" or (suffix not in _PLAIN_SUFFIXES and zipfile.is_zipfile(path)):
        with tempfile.TemporaryDirectory(prefix="mapa-es-zip-") as tmp:
            shp = _extract_shapefile(path, Path(tmp), layer)
            gdf = _read_file(shp, None, shown=path.name)
    else:
        if suffix == ".shp":
            _check_shapefile_parts(path)
        gdf = _read_file(path, layer, shown=path.name)
    return _check_geometry(gdf, path.name)


def _read_file(path: Path, layer: str | None, shown: str) -> gpd.GeoDataFrame:
    options: dict[str, str] = {}
    if path.suffix.lower() in (".gml", ".xml"):
        # Never fetch the XSD named in xsi:schemaLocation (network) nor write a .gfs beside
        # the user's file.
        options = {"DOWNLOAD_SCHEMA": "NO", "WRITE_GFS": "NO"}
    try:
        layers = pyogrio.list_layers(path)
        chosen = _choose_layer(layers, layer, shown)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL's English notes (unclosed rings...)
            gdf = pyogrio.read_dataframe(path, layer=chosen, **options)
    except BoundaryError:
        raise
    except shapely.errors.GEOSException as exc:
        raise BoundaryError(
            f"Plik {shown} zawiera niepoprawną geometrię: {_geos_reason(exc)} Popraw granice "
            "(np. w QGIS: Wektor → Narzędzia geometrii → Sprawdź poprawność) i wczytaj je ponownie."
        ) from None
    except pyogrio.errors.DataSourceError as exc:
        raise BoundaryError(
            f"Nie można odczytać pliku {shown}: to nie jest obsługiwany plik z danymi "
            "przestrzennymi (GeoJSON, GeoPackage, Shapefile w .zip, GML)."
        ) from exc
    except (RuntimeError, OSError, ValueError) as exc:  # pyogrio layer/field/geometry errors
        raise BoundaryError(f"Plik {shown} jest uszkodzony lub niekompletny: {exc}") from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise BoundaryError(f"Plik {shown} nie zawiera geometrii (granic gmin).")
    return gdf


def _geos_reason(exc: Exception) -> str:
    """The Polish reason of a GEOS error raised while building a geometry."""
    text = str(exc)
    if "LinearRing" in text or "closed linestring" in text:
        return (
            "obwód poligonu ma za mało punktów albo nie jest zamknięty (potrzeba co najmniej "
            "4 punktów, pierwszy równy ostatniemu)."
        )
    return "nie da się jej odczytać (uszkodzone współrzędne)."


def _choose_layer(layers, layer: str | None, shown: str) -> str | None:
    names = [str(n) for n, _ in layers]
    if not names:
        raise BoundaryError(f"Plik {shown} nie zawiera żadnej warstwy.")
    if layer is not None:
        if layer not in names:
            raise BoundaryError(
                f"W pliku {shown} nie ma warstwy {layer!r}; dostępne: {', '.join(names)}."
            )
        return layer
    if len(names) == 1:
        return names[0]
    polygonal = [str(n) for n, kind in layers if kind and "polygon" in str(kind).lower()]
    candidates = polygonal or names
    if len(candidates) == 1:
        return candidates[0]
    gminy = [n for n in candidates if "gmin" in fold(n)]
    if len(gminy) == 1:
        return gminy[0]
    raise BoundaryError(
        f"Plik {shown} zawiera kilka warstw ({', '.join(names)}); wskaż, której użyć."
    )


def _check_shapefile_parts(shp: Path) -> None:
    siblings = {p.suffix.lower() for p in shp.parent.glob(shp.stem + ".*")}
    for ext, what in ((".shx", "indeks geometrii"), (".dbf", "atrybuty, w tym kody TERYT")):
        if ext not in siblings:
            raise BoundaryError(
                f"Obok pliku {shp.name} brakuje pliku {shp.stem}{ext} ({what}); "
                "Shapefile składa się z kilku plików – najlepiej przekaż je razem w archiwum ZIP."
            )


def _unsafe_member(name: str) -> bool:
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or re.match(r"^[A-Za-z]:", normalized):
        return True
    return ".." in PurePosixPath(normalized).parts


def _extract_shapefile(archive: Path, target: Path, layer: str | None) -> Path:
    """Check the zip directory, then extract one shapefile's parts into ``target``."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BoundaryError(f"Plik {archive.name} nie jest poprawnym archiwum ZIP.") from exc
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        bad = [i.filename for i in infos if _unsafe_member(i.filename)]
        if bad:
            raise BoundaryError(
                f"Archiwum {archive.name} zawiera niebezpieczne ścieżki (np. {bad[0]!r}); "
                "odrzucono je ze względów bezpieczeństwa."
            )
        total = sum(i.file_size for i in infos)
        suspicious = [
            i
            for i in infos
            if i.file_size > _RATIO_MIN_BYTES
            and i.file_size > MAX_COMPRESSION_RATIO * max(i.compress_size, 1)
        ]
        if total > MAX_ZIP_TOTAL_BYTES:
            raise BoundaryError(
                f"Archiwum {archive.name} po rozpakowaniu miałoby {total / 1024**2:,.0f} MB; "
                "to więcej, niż rozsądnie zajmują granice gmin – odrzucono je (możliwa "
                "„bomba ZIP”)."
            )
        if suspicious:
            worst = suspicious[0]
            raise BoundaryError(
                f"Plik {worst.filename!r} w archiwum {archive.name} ma podejrzanie wysoki "
                f"stopień kompresji ({worst.file_size / 1024**2:,.0f} MB z "
                f"{worst.compress_size / 1024:,.0f} kB); odrzucono archiwum (możliwa "
                "„bomba ZIP”)."
            )
        shps = [
            i
            for i in infos
            if i.filename.lower().endswith(".shp")
            and not i.filename.startswith("__MACOSX/")
            and not PurePosixPath(i.filename).name.startswith("._")
        ]
        if not shps:
            raise BoundaryError(
                f"Archiwum {archive.name} nie zawiera pliku Shapefile (.shp) z granicami."
            )
        shp = _choose_zip_shapefile(shps, layer, archive.name)
        stem = shp.filename[: -len(".shp")]
        parts = {
            i.filename[len(stem) :].lower(): i
            for i in infos
            if i.filename[: len(stem)] == stem
            and i.filename[len(stem) :].lower() in SHAPEFILE_PARTS
        }
        for ext, what in ((".shx", "indeks geometrii"), (".dbf", "atrybuty, w tym kody TERYT")):
            if ext not in parts:
                raise BoundaryError(
                    f"W archiwum {archive.name} brakuje pliku {PurePosixPath(stem).name}{ext} "
                    f"({what})."
                )
        if sum(i.file_size for i in parts.values()) > MAX_EXTRACT_BYTES:
            raise BoundaryError(f"Shapefile w archiwum {archive.name} jest zbyt duży.")
        budget = MAX_EXTRACT_BYTES
        for ext, info in parts.items():
            # Fixed local names: member names never become paths on disk.
            out = target / f"warstwa{ext}"
            try:
                with zf.open(info) as src, open(out, "wb") as dst:
                    while chunk := src.read(1024**2):
                        budget -= len(chunk)
                        if budget < 0:
                            raise BoundaryError(
                                f"Archiwum {archive.name} rozpakowuje się do większego rozmiaru, "
                                "niż deklaruje; odrzucono je (możliwa „bomba ZIP”)."
                            )
                        dst.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise BoundaryError(f"Archiwum {archive.name} jest uszkodzone.") from exc
        return target / "warstwa.shp"


def _choose_zip_shapefile(shps: list[zipfile.ZipInfo], layer: str | None, shown: str):
    def stem(info: zipfile.ZipInfo) -> str:
        return PurePosixPath(info.filename).stem

    if layer is not None:
        chosen = [i for i in shps if stem(i) == layer]
        if not chosen:
            names = ", ".join(stem(i) for i in shps)
            raise BoundaryError(f"W archiwum {shown} nie ma warstwy {layer!r}; dostępne: {names}.")
        return chosen[0]
    if len(shps) == 1:
        return shps[0]
    gminy = [i for i in shps if "gmin" in fold(stem(i))]
    if len(gminy) == 1:  # e.g. the official PRG archive with A00..A08 layers
        return gminy[0]
    names = ", ".join(stem(i) for i in shps)
    raise BoundaryError(f"Archiwum {shown} zawiera kilka warstw ({names}); wskaż, której użyć.")


def _check_geometry(gdf: gpd.GeoDataFrame, shown: str) -> gpd.GeoDataFrame:
    if gdf.empty:
        raise BoundaryError(f"Plik {shown} nie zawiera żadnych obiektów.")
    geoms = gdf.geometry
    present = geoms[~(geoms.isna() | geoms.is_empty)]
    if present.empty:
        raise BoundaryError(f"Plik {shown} nie zawiera geometrii (granic gmin).")
    kinds = set(present.geom_type)
    other = kinds - {"Polygon", "MultiPolygon"}
    if other:
        raise BoundaryError(
            f"Plik {shown} zawiera geometrie typu {', '.join(sorted(other))}; "
            "oczekiwano poligonów (obszarów gmin)."
        )
    _check_vertices(gdf, shown)
    gdf.attrs["source_crs"] = gdf.crs.to_string() if gdf.crs is not None else None
    gdf.attrs["crs_assumed"] = False
    if gdf.crs is None:
        minx, miny, maxx, maxy = present.total_bounds
        if -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90:
            gdf = gdf.set_crs(4326)
            gdf.attrs["source_crs"] = None
            gdf.attrs["crs_assumed"] = True
        else:
            raise BoundaryError(
                f"Plik {shown} nie określa układu współrzędnych, a jego współrzędne "
                f"(np. {minx:.0f}, {miny:.0f}) nie są stopniami długości i szerokości "
                "geograficznej. Dołącz informację o układzie (np. plik .prj przy Shapefile; "
                "PRG używa układu PL-1992, EPSG:2180)."
            )
    elif gdf.crs.is_geographic:
        minx, miny, maxx, maxy = present.total_bounds
        if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            raise BoundaryError(
                f"Plik {shown} deklaruje współrzędne geograficzne ({gdf.crs.to_string()}), "
                f"ale wartości (np. {minx:.0f}, {miny:.0f}) nie są stopniami – plik ma błędnie "
                "opisany układ współrzędnych (dla PRG: EPSG:2180)."
            )
    return gdf


def _n(number: object) -> str:
    return f"{int(number):,}".replace(",", " ")  # type: ignore[call-overload]


def _check_vertices(gdf: gpd.GeoDataFrame, shown: str) -> None:
    """Refuse a feature over :data:`MAX_GMINA_VERTICES` or a file over :data:`MAX_VERTICES`."""
    counts = shapely.get_num_coordinates(gdf.geometry.to_numpy())
    if not len(counts):
        return
    worst = int(counts.argmax())
    if counts[worst] > MAX_GMINA_VERTICES:
        raise BoundaryError(
            f"Obiekt nr {worst + 1} w pliku {shown} ma {_n(counts[worst])} wierzchołków "
            f"(dopuszczalne {_n(MAX_GMINA_VERTICES)} na gminę): uprość granice (np. w QGIS: "
            "Wektor → Narzędzia geometrii → Uprość) i wczytaj je ponownie."
        )
    total = int(counts.sum())
    if total > MAX_VERTICES:
        raise BoundaryError(
            f"Plik {shown} ma {_n(total)} wierzchołków (dopuszczalne {_n(MAX_VERTICES)}): "
            "uprość granice i wczytaj je ponownie."
        )


# --------------------------------------------------------------------------- fields


def _looks_like_code(values: pd.Series) -> pd.Series:
    """Boolean mask: value is a 6/7-digit TERC-like code (text or number)."""
    text = values.map(_code_text).astype(str)
    ok = text.str.fullmatch(_CODE_VALUE.pattern).fillna(False).astype(bool)

    def valid_woj(prefix: pd.Series) -> pd.Series:
        woj = pd.to_numeric(prefix, errors="coerce")
        return (woj.between(2, 32) & (woj % 2 == 0)).fillna(False).astype(bool)

    # 7 digits: WW...; 6 digits: WWPPGG without the type, or a 7-digit code that lost its 0.
    plausible = valid_woj(text.str[:2]) | ((text.str.len() == 6) & valid_woj("0" + text.str[:1]))
    return ok & plausible


def _code_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"[\s\-./]", "", str(value).strip())


def _code_share(column: pd.Series) -> float:
    present = column.dropna()
    if present.empty:
        return 0.0
    return float(_looks_like_code(present).mean())


def detect_code_field(gdf: gpd.GeoDataFrame) -> str:
    """Find the column holding gmina TERC codes.

    Known names (``JPT_KOD_JE``, ``teryt``, ``terc``, ``kod``...) are tried first, provided
    their values look like codes; otherwise the column whose values are (mostly) 7- or 6-digit
    codes with a valid voivodeship prefix is used.

    Raises
    ------
    BoundaryError
        No such column.
    """
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    by_name = {fold(c): c for c in columns}
    for known in KNOWN_CODE_FIELDS:
        column = by_name.get(known)
        if column is not None and _code_share(gdf[column]) >= _MIN_CODE_SHARE:
            return str(column)
    scored = [(c, _code_share(gdf[c])) for c in columns]
    scored = [(c, s) for c, s in scored if s >= _MIN_CODE_SHARE]
    if scored:
        return str(max(scored, key=lambda cs: cs[1])[0])
    listed = ", ".join(str(c) for c in columns) or "brak kolumn"
    raise BoundaryError(
        "Nie znaleziono kolumny z kodami TERYT gmin (7 cyfr, np. 0663011; w PRG: JPT_KOD_JE). "
        f"Kolumny w pliku: {listed}."
    )


def detect_name_field(gdf: gpd.GeoDataFrame) -> str | None:
    """Find the column with gmina names (``JPT_NAZWA_``, ``nazwa``, ``name``...), if any."""
    by_name = {fold(c): c for c in gdf.columns if c != gdf.geometry.name}
    for known in KNOWN_NAME_FIELDS:
        if known in by_name:
            return str(by_name[known])
    return None
