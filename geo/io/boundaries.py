"""Gmina boundaries: normalising codes of any boundary file, checking them, storing an import.

Boundaries come from many places: the official PRG (GUGiK, EPSG:2180, code in ``JPT_KOD_JE``),
GeoJSON exports, zipped shapefiles sent by e-mail, old files with pre-2026 codes. This module
turns any of them into one GeoDataFrame ``teryt, nazwa, geometry`` in EPSG:4326 with exactly one
row per current gmina of the region, and refuses (with a Polish message) anything it cannot
vouch for. An import is stored atomically so a rejected file never damages the previous one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo._fs import atomic_path, atomic_write_text
from geo.config import Settings
from geo.core.teryt import Terc
from geo.core.text import fold
from geo.io.boundary_areas import check_areas, official_areas
from geo.io.vector import (
    POLAND_BOUNDS,
    BoundaryError,
    _code_text,
    _listing,
    detect_code_field,
    detect_name_field,
    read_vector,
)

STORE_DIR = "granice"
STORE_FILE = "gminy.gpkg"
META_FILE = "gminy.json"
STORE_LAYER = "gminy"
LEVELS = ("gminy",)


@dataclass
class ImportedBoundaries:
    """Result of :func:`import_boundaries`.

    Attributes
    ----------
    gminy : geopandas.GeoDataFrame
        ``teryt, nazwa, geometry`` in EPSG:4326, one row per gmina of the region.
    path : Path
        The stored GeoPackage.
    metadata : dict
        What was written to the JSON metadata file.
    warnings : list[str]
        Polish notes about corrections made (old codes mapped, parts dissolved, ...).
    """

    gminy: gpd.GeoDataFrame
    path: Path
    metadata: dict
    warnings: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Number of gminas stored."""
        return len(self.gminy)


# --------------------------------------------------------------------------- normalising


def _plural(n: int, one: str, few: str, many: str) -> str:
    if n == 1:
        return one
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return few
    return many


def _gminy(n: int) -> str:
    return f"{n} {_plural(n, 'gmina', 'gminy', 'gmin')}"


def _gmin(n: int) -> str:
    """Genitive ("brakuje 1 gminy", "brakuje 5 gmin")."""
    return f"{n} {'gminy' if n == 1 else 'gmin'}"


def _foreign(raw: object, region: str) -> bool:
    """Whether an unresolved raw code clearly belongs to another voivodeship."""
    digits = _code_text(raw)
    if not digits.isdigit() or len(digits) not in (6, 7):
        return False
    prefixes = {digits[:2]} if len(digits) == 7 else {digits[:2], "0" + digits[0]}
    return region not in prefixes


def _summarise(messages: list[str], label: str) -> list[str]:
    if len(messages) <= 10:
        return messages
    return [f"{label}: {len(messages)} obiektów, np. {' '.join(messages[:3])}"]


def normalize_gminy(raw: gpd.GeoDataFrame, terc: Terc) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Turn a raw boundary layer into one row per current gmina of ``terc.region``.

    Codes are normalised with :meth:`Terc.normalize` (old codes mapped to their successors,
    town/rural parts 4/5 and districts 8/9 dissolved into their gmina); features of other
    voivodeships are dropped with a warning when ``terc`` is restricted to a region. Geometry
    is reprojected to EPSG:4326 and repaired.

    Parameters
    ----------
    raw : geopandas.GeoDataFrame
        As returned by :func:`read_vector` (must have a CRS).
    terc : Terc
        The register; ``terc.region`` decides which gminas are kept.

    Returns
    -------
    (geopandas.GeoDataFrame, list[str])
        ``teryt, nazwa, geometry`` sorted by code (``nazwa`` is the official TERC name), and
        Polish warnings.

    Raises
    ------
    BoundaryError
        Codes that cannot be resolved, features without geometry, coordinates outside Poland.
    """
    if raw.crs is None:
        raise BoundaryError("Warstwa granic nie ma określonego układu współrzędnych.")
    code_field = detect_code_field(raw)
    name_field = detect_name_field(raw)
    warnings: list[str] = []

    values = raw[code_field].astype(object)
    matches = {}
    for value in pd.unique(values.dropna()):
        matches[value] = terc.normalize(value)
    status = values.map(lambda v: matches[v].status if v in matches else "invalid")
    code = values.map(lambda v: matches[v].code if v in matches else None)
    shown_names = raw[name_field].astype(str) if name_field else pd.Series("", index=raw.index)

    unresolved = code.isna()
    if terc.region != "PL":
        foreign = unresolved & values.map(lambda v: _foreign(v, terc.region))
    else:
        foreign = pd.Series(False, index=raw.index)
    if foreign.any():
        n_foreign = int(foreign.sum())
        examples = [
            f"{_code_text(v)} {n}".strip()
            for v, n in zip(values[foreign], shown_names[foreign], strict=True)
        ]
        warnings.append(
            f"Pominięto {n_foreign} {_plural(n_foreign, 'obiekt', 'obiekty', 'obiektów')} "
            f"spoza {_area(terc)}, np. {_listing(examples[:5])}."
        )
    errors = unresolved & ~foreign
    if errors.any():
        reasons = [
            matches[v].message if v in matches else f"brak kodu (obiekt {n or i})"
            for i, v, n in zip(raw.index[errors], values[errors], shown_names[errors], strict=True)
        ]
        raise BoundaryError(
            f"Nie rozpoznano kodów TERYT {int(errors.sum())} obiektów (kolumna {code_field}): "
            + _listing([str(r) for r in reasons])
        )

    keep = ~unresolved
    if not keep.any():
        raise BoundaryError(f"Plik nie zawiera żadnej gminy {_area(terc)}.")
    for kind, label in (
        ("mapped", "Zamieniono nieaktualne kody"),
        ("part", "Połączono części gmin"),
        ("resolved", "Uzupełniono kody"),
    ):
        sel = keep & (status == kind)
        msgs = list(dict.fromkeys(matches[v].message for v in values[sel]))
        warnings.extend(_summarise([m for m in msgs if m], label))

    if name_field:
        warnings.extend(_name_mismatches(shown_names, code, keep & (status == "ok"), terc))

    gdf = gpd.GeoDataFrame(
        {"teryt": code[keep].astype(str).to_numpy()},
        geometry=raw.geometry[keep].to_numpy(),
        crs=raw.crs,
    )
    missing_geom = gdf.geometry.isna() | gdf.geometry.is_empty
    if missing_geom.any():
        codes = sorted(set(gdf.loc[missing_geom, "teryt"]))
        raise BoundaryError(f"Obiekty bez geometrii dla gmin: {_listing(codes)}.")
    gdf = gdf.to_crs(4326)
    minx, miny, maxx, maxy = gdf.total_bounds
    pminx, pminy, pmaxx, pmaxy = POLAND_BOUNDS
    if minx < pminx or miny < pminy or maxx > pmaxx or maxy > pmaxy:
        raise BoundaryError(
            "Współrzędne granic po przeliczeniu do WGS84 leżą poza Polską "
            f"({minx:.2f}–{maxx:.2f}°E, {miny:.2f}–{maxy:.2f}°N): plik ma błędnie opisany "
            "układ współrzędnych albo zamienioną kolejność osi."
        )
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        gdf.loc[invalid, "geometry"] = gdf.geometry[invalid].make_valid(
            method="structure", keep_collapsed=False
        )
        warnings.append(
            f"Naprawiono niepoprawną geometrię: {_listing(sorted(set(gdf.loc[invalid, 'teryt'])))}."
        )

    repeated = gdf["teryt"].duplicated(keep=False)
    plain_dups = gdf.loc[repeated].assign(st=status[keep].to_numpy()[repeated.to_numpy()])
    plain_dups = plain_dups.loc[plain_dups["st"] == "ok", "teryt"].value_counts()
    plain_dups = plain_dups[plain_dups > 1]
    if not plain_dups.empty:
        warnings.append(
            "Gminy zapisane w kilku obiektach połączono: "
            + _listing([f"{c} ({n})" for c, n in plain_dups.items()])
            + "."
        )
    if repeated.any():
        merged = gdf[repeated].dissolve(by="teryt", as_index=False)
        gdf = pd.concat([gdf[~repeated], merged], ignore_index=True)

    names = dict(zip(terc.gminy["teryt"], terc.gminy["nazwa"], strict=True))
    gdf["nazwa"] = gdf["teryt"].map(names).fillna("")
    gdf = gdf[["teryt", "nazwa", "geometry"]].sort_values("teryt").reset_index(drop=True)
    return gpd.GeoDataFrame(gdf, geometry="geometry", crs=4326), warnings


_NAME_PREFIX = re.compile(r"^(gmina|gm\.|miasto|m\.)\s+")


def _name_mismatches(names: pd.Series, codes: pd.Series, rows: pd.Series, terc: Terc) -> list[str]:
    """Warn when a file's own names disagree with TERC: a sign of shifted or stale codes."""
    official = dict(zip(terc.gminy["teryt"], terc.gminy["nazwa"], strict=True))
    given = names[rows].map(fold).str.replace(_NAME_PREFIX, "", regex=True)
    expected = codes[rows].map(official).map(fold)
    differ = (given != expected) & (given != "")
    if not differ.any():
        return []
    listed = [
        f"{c} „{n}” (TERC: {official.get(c, '')})"
        for c, n in zip(codes[rows][differ], names[rows][differ], strict=True)
    ]
    return [
        "Nazwy w pliku różnią się od nazw w rejestrze TERC – sprawdź, czy kody nie są "
        f"przesunięte: {_listing(listed)}."
    ]


def _area(terc: Terc) -> str:
    """``całej Polski`` or ``województwa 06 (lubelskie)`` – for "dla ..." phrases."""
    if terc.region == "PL":
        return "całej Polski"
    names = terc.gminy["woj_nazwa"].unique()
    name = f" ({names[0]})" if len(names) and names[0] else ""
    return f"województwa {terc.region}{name}"


def check_against_terc(
    gminy: gpd.GeoDataFrame, terc: Terc, allow_missing: Iterable[str] = ()
) -> None:
    """Require the gmina set to equal ``terc.gminy`` (the region the Terc is restricted to).

    Parameters
    ----------
    gminy : geopandas.GeoDataFrame
        Output of :func:`normalize_gminy`.
    terc : Terc
        The register of the region (see :meth:`Terc.for_region`).
    allow_missing : iterable of str
        Codes known to be absent from the source (e.g. gminas created after it was made).

    Raises
    ------
    BoundaryError
        Lists how many and which codes are missing and which are extra, with names.
    """
    expected = set(terc.gminy["teryt"])
    have = set(gminy["teryt"])
    missing = sorted(expected - have - set(allow_missing))
    extra = sorted(have - expected)
    if not missing and not extra:
        return
    names = dict(zip(terc.gminy["teryt"], terc.gminy["nazwa"], strict=True))
    if "nazwa" in gminy.columns:
        for code, name in zip(gminy["teryt"], gminy["nazwa"], strict=True):
            names.setdefault(code, name)
    parts = []
    if missing:
        parts.append(
            f"brakuje {_gmin(len(missing))}: "
            + _listing([f"{c} {names.get(c, '')}".strip() for c in missing])
        )
    if extra:
        parts.append(
            f"nadmiarowe {_gminy(len(extra))} (nie ma ich w TERC regionu): "
            + _listing([f"{c} {names.get(c, '')}".strip() for c in extra])
        )
    stan = f" (stan na {terc.stan_na})" if terc.stan_na else ""
    hint = ""
    if missing and not extra:
        hint = (
            " Jeśli to znane braki źródła (np. gminy utworzone po jego wydaniu), można je "
            "jawnie dopuścić przy imporcie – wtedy te gminy nie będą miały granic na mapie."
        )
    raise BoundaryError(
        f"Granice nie zgadzają się z rejestrem TERC{stan} dla {_area(terc)} "
        f"({len(expected)} gmin, w pliku {len(have)}): " + "; ".join(parts) + "." + hint
    )


def dissolve_powiaty(gminy: gpd.GeoDataFrame, terc: Terc) -> gpd.GeoDataFrame:
    """Dissolve gminas into powiats: ``powiat, powiat_nazwa, geometry``."""
    frame = gminy[["teryt", "geometry"]].assign(powiat=gminy["teryt"].str[:4])
    out = frame[["powiat", "geometry"]].dissolve(by="powiat", as_index=False)
    names = dict(zip(terc.gminy["powiat"], terc.gminy["powiat_nazwa"], strict=False))
    out["powiat_nazwa"] = out["powiat"].map(names).fillna("")
    return out[["powiat", "powiat_nazwa", "geometry"]].sort_values("powiat").reset_index(drop=True)


def dissolve_region(gminy: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The outline of all gminas as one row: ``region`` (voivodeship code or ``PL``), geometry."""
    woj = gminy["teryt"].str[:2].unique()
    region = str(woj[0]) if len(woj) == 1 else "PL"
    return gpd.GeoDataFrame(
        {"region": [region]}, geometry=[gminy.geometry.union_all()], crs=gminy.crs
    )


# --------------------------------------------------------------------------- storing


def _store_paths(settings: Settings) -> tuple[Path, Path]:
    folder = settings.home / STORE_DIR
    return folder / STORE_FILE, folder / META_FILE


def import_boundaries(
    path: Path,
    settings: Settings,
    terc: Terc,
    level: str = "gminy",
    allow_missing: Iterable[str] = (),
    layer: str | None = None,
) -> ImportedBoundaries:
    """Read, normalise, check and store a boundary file for ``settings.region``.

    Features outside the region are dropped (a Poland-wide file imported for region 06 keeps
    the 06 gminas); the result must then contain exactly the gminas TERC lists for the region,
    except codes in ``allow_missing``. Nothing is written unless all checks pass, and the
    GeoPackage and its JSON metadata replace the previous ones atomically.

    Parameters
    ----------
    path : Path
        Boundary file (see :func:`read_vector`).
    settings : Settings
        ``home`` (storage) and ``region``.
    terc : Terc
        The TERC register, all Poland or already restricted to ``settings.region``.
    level : str
        Only ``"gminy"`` is supported.
    allow_missing : iterable of str
        Gmina codes the file may lack (reported as warnings).
    layer : str, optional
        Layer to read from a multi-layer file.

    Raises
    ------
    BoundaryError
        Any problem; previously imported boundaries stay as they were.
    """
    if level not in LEVELS:
        raise BoundaryError(
            f"Nieobsługiwany poziom granic {level!r}: można importować tylko granice gmin "
            "(poziom „gminy”); powiaty i województwo powstają z nich automatycznie."
        )
    path = Path(path)
    if terc.region == settings.region:
        region_terc = terc
    elif terc.region == "PL":
        region_terc = terc.for_region(settings.region)
    else:
        raise BoundaryError(
            f"Rejestr TERC obejmuje województwo {terc.region}, a wybrany region to "
            f"{settings.region}."
        )
    allowed = {str(c).strip() for c in allow_missing}
    raw = read_vector(path, layer)
    gminy, warnings = normalize_gminy(raw, region_terc)
    if raw.attrs.get("crs_assumed"):
        warnings.insert(0, "Plik nie określa układu współrzędnych; przyjęto WGS84 (EPSG:4326).")
    check_against_terc(gminy, region_terc, allowed)
    warnings.extend(check_areas(gminy, official_areas(settings)))
    absent = sorted(set(region_terc.gminy["teryt"]) - set(gminy["teryt"]))
    if absent:
        names = dict(zip(region_terc.gminy["teryt"], region_terc.gminy["nazwa"], strict=True))
        warnings.append(
            f"Brak granic {_gmin(len(absent))} (dopuszczone): "
            + _listing([f"{c} {names.get(c, '')}".strip() for c in absent])
            + "."
        )

    with open(path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    metadata = {
        "level": level,
        "region": settings.region,
        "source_file": path.name,
        "sha256": digest,
        "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "feature_count": int(len(gminy)),
        "source_feature_count": int(len(raw)),
        "source_crs": raw.attrs.get("source_crs"),
        "terc_stan_na": region_terc.stan_na,
        "missing_allowed": absent,
        "warnings": warnings,
    }
    target, meta_path = _store_paths(settings)
    _store(gminy, metadata, target, meta_path)
    return ImportedBoundaries(gminy=gminy, path=target, metadata=metadata, warnings=warnings)


def _store(gminy: gpd.GeoDataFrame, metadata: dict, target: Path, meta_path: Path) -> None:
    with atomic_path(target) as partial:
        gminy.to_file(partial, driver="GPKG", layer=STORE_LAYER, engine="pyogrio")
    atomic_write_text(meta_path, json.dumps(metadata, ensure_ascii=False, indent=2))


def imported_boundaries(settings: Settings) -> tuple[Path, dict] | None:
    """The stored boundaries of ``settings.region`` and their metadata, or ``None``.

    An import made for another region (``PES_REGION`` changed since) is not returned.
    """
    target, meta_path = _store_paths(settings)
    if not target.is_file() or not meta_path.is_file():
        return None
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(metadata, dict) or metadata.get("region") != settings.region:
        return None
    return target, metadata
