"""Generate the embedded default data in ``data/`` from the full reference data.

The app must run on a machine without network and without ``../shared/data``, so the repository
ships a small derivative of the region's reference data: display-scale gmina boundaries, the
region's TERC rows, the table of TERC code changes and the population. The output is
deterministic (same input -> byte-identical files), so re-running it gives no git diff.

Usage::

    python scripts/make_embedded_data.py --source ../shared/data --out data --region 06

The sample registry ``data/rejestr_przykladowy.csv`` and ``data/README.md`` are curated by hand
and are not touched.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:  # run as a plain script: make ``geo`` importable
    sys.path.insert(0, str(PROJECT_ROOT))

from geo.config import ConfigError, validate_region  # noqa: E402
from geo.core.crs import METRIC_CRS  # noqa: E402
from geo.core.teryt import GMINA_TYPES, TercError, derive_code_changes  # noqa: E402
from geo.core.text import fold  # noqa: E402
from geo.io.terc import read_terc  # noqa: E402

#: Coverage simplification tolerance in degrees (see data/README.md for the measured fidelity).
DEFAULT_TOLERANCE = 0.004
#: Decimal places kept in the coordinates (4 places ~ 11 m in latitude, ~7 m in longitude).
DEFAULT_DECIMALS = 4
SAMPLE_STEP_M = 50.0  # spacing of the points used for the mean offset
POPULATION_DATE = "2024-12-31"

TERC_OLD = "terc_official_2025-01-01.csv"
TERC_NEW = "terc_2026_derived.csv"
POPULATION = "gminy_area_population.csv"


class EmbeddedDataError(RuntimeError):
    """The embedded data cannot be generated; the message is in Polish."""


@dataclass(frozen=True)
class Fidelity:
    """How far the simplified boundaries are from the source (metres in EPSG:2180)."""

    gminy: int
    vertices_source: int
    vertices_simplified: int
    max_offset_m: float
    mean_offset_m: float
    p95_offset_m: float
    median_area_deviation_pct: float
    max_area_deviation_pct: float
    overlap_km2: float
    size_bytes: int = 0


def _default_source() -> Path:
    return Path(os.environ.get("PES_DATA_DIR") or PROJECT_ROOT.parent / "shared" / "data")


def _require(path: Path) -> Path:
    if not path.is_file():
        raise EmbeddedDataError(f"Brak pliku źródłowego {path}.")
    return path


def region_terc(source: Path, region: str) -> pd.DataFrame:
    """TERC rows of one voivodeship from the 2026 file, in the official column order."""
    units = read_terc(_require(source / "reference" / TERC_NEW))
    rows = units[units["WOJ"] == region].reset_index(drop=True)
    if rows.empty:
        raise EmbeddedDataError(f"W pliku {TERC_NEW} nie ma województwa o kodzie {region}.")
    return rows


def code_changes(source: Path) -> pd.DataFrame:
    """Old gmina code -> current code for all of Poland (2025 vintage -> 2026 vintage)."""
    old = read_terc(_require(source / "reference" / TERC_OLD))
    new = read_terc(_require(source / "reference" / TERC_NEW))
    return derive_code_changes(old, new)


def region_population(source: Path, region: str) -> pd.DataFrame:
    """Population on 2024-12-31 and official area of the region's gminas."""
    path = _require(source / "reference" / POPULATION)
    # Read as text so the numbers are written back exactly as published.
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame[frame["woj"] == region]
    out = pd.DataFrame(
        {
            "teryt": frame["teryt"],
            "nazwa": frame["name"],
            "ludnosc": frame["pop_2024"],
            "powierzchnia_km2": frame["area_km2_official_2025"],
            "stan_na": POPULATION_DATE,
        }
    )
    return out.sort_values("teryt").reset_index(drop=True)


def _boundary_path(source: Path, terc: pd.DataFrame) -> Path:
    woj_name = terc.loc[terc["POW"] == "", "NAZWA"].iloc[0]
    own = source / "boundaries" / f"{fold(woj_name).replace(' ', '_')}_gminy.geojson"
    return own if own.is_file() else _require(source / "boundaries" / "poland_gminy.geojson")


def simplify_gminy(
    source: Path, terc: pd.DataFrame, tolerance: float, decimals: int
) -> tuple[gpd.GeoDataFrame, gpd.GeoSeries]:
    """Simplify the region's gmina coverage; returns (simplified frame, source geometries).

    The simplification works on the whole coverage at once, so shared edges stay shared:
    no gaps or overlaps appear between neighbours.
    """
    region = str(terc["WOJ"].iloc[0])
    raw = gpd.read_file(_boundary_path(source, terc))
    raw = raw[raw["teryt"].astype(str).str[:2] == region].to_crs("EPSG:4326")
    raw = raw.sort_values("teryt").reset_index(drop=True)
    gminy = terc[terc["RODZ"].isin(GMINA_TYPES)]
    codes = gminy["WOJ"] + gminy["POW"] + gminy["GMI"] + gminy["RODZ"]
    missing = sorted(set(codes) - set(raw["teryt"]))
    if missing:
        raise EmbeddedDataError(
            f"W pliku granic brakuje {len(missing)} gmin województwa {region}: "
            f"{', '.join(missing[:10])}."
        )
    names = dict(zip(codes, gminy["NAZWA"], strict=True))
    simplified = raw.geometry.simplify_coverage(tolerance)
    # Shared vertices are identical in both neighbours, so rounding keeps them shared.
    rounded = shapely.transform(simplified.values, lambda xy: np.round(xy, decimals))
    rounded = shapely.remove_repeated_points(rounded)
    rounded = shapely.orient_polygons(rounded)  # RFC 7946: exterior rings counter-clockwise
    out = gpd.GeoDataFrame(
        {
            "teryt": raw["teryt"],
            "nazwa": raw["teryt"].map(names),
            "powiat": raw["teryt"].str[:4],
        },
        geometry=rounded,
        crs="EPSG:4326",
    )
    out = out[out["teryt"].isin(names)].reset_index(drop=True)
    source_geoms = raw.loc[raw["teryt"].isin(names), "geometry"].reset_index(drop=True)
    if not out.is_valid.all() or not shapely.coverage_is_valid(out.geometry.values):
        raise EmbeddedDataError(
            "Uproszczone granice gmin są niepoprawne topologicznie; zmień tolerancję."
        )
    return out, source_geoms


def measure(source_geoms: gpd.GeoSeries, simplified: gpd.GeoDataFrame) -> Fidelity:
    """Measure vertex counts, boundary offsets, area deviations and overlaps."""
    src = source_geoms.to_crs(METRIC_CRS).values
    simp = simplified.geometry.to_crs(METRIC_CRS).values
    hausdorff = shapely.hausdorff_distance(src, simp, densify=0.1)
    # Points every SAMPLE_STEP_M along each source boundary, distance to its simplified one.
    dense = shapely.segmentize(shapely.boundary(src), SAMPLE_STEP_M)
    coords, index = shapely.get_coordinates(dense, return_index=True)
    offsets = shapely.distance(shapely.points(coords), shapely.boundary(simp)[index])
    areas = shapely.area(simp)
    deviation = np.abs(areas / shapely.area(src) - 1) * 100
    overlap = float(areas.sum() - shapely.union_all(simp).area)
    return Fidelity(
        gminy=len(simp),
        vertices_source=int(shapely.get_num_coordinates(src).sum()),
        vertices_simplified=int(shapely.get_num_coordinates(simp).sum()),
        max_offset_m=round(float(hausdorff.max()), 1),
        mean_offset_m=round(float(offsets.mean()), 1),
        p95_offset_m=round(float(np.percentile(offsets, 95)), 1),
        median_area_deviation_pct=round(float(np.median(deviation)), 3),
        max_area_deviation_pct=round(float(deviation.max()), 3),
        overlap_km2=abs(round(overlap / 1e6, 6)),
    )


def geojson_text(frame: gpd.GeoDataFrame) -> str:
    """Compact GeoJSON (RFC 7946, lon/lat) with one feature per gmina."""
    return frame.to_json(drop_id=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_terc(frame: pd.DataFrame, path: Path) -> None:
    """Write TERC rows as GUS does: UTF-8 with BOM, ``;``, CRLF line ends."""
    text = frame.to_csv(sep=";", index=False, lineterminator="\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    path.write_bytes(frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def build(
    source: Path,
    out: Path,
    region: str = "06",
    tolerance: float = DEFAULT_TOLERANCE,
    decimals: int = DEFAULT_DECIMALS,
) -> Fidelity:
    """Generate the embedded files of ``region`` from ``source`` into ``out``.

    Parameters
    ----------
    source : Path
        Reference data folder with ``boundaries/`` and ``reference/``.
    out : Path
        Output folder (created when missing).
    region : str
        Two-digit voivodeship TERC code.
    tolerance : float
        Coverage simplification tolerance in degrees.
    decimals : int
        Decimal places of the coordinates.

    Returns
    -------
    Fidelity
        Measurements of the simplified boundaries.

    Raises
    ------
    EmbeddedDataError
        When a source file is missing or unusable.
    """
    try:
        region = validate_region(region)
    except ConfigError as exc:
        raise EmbeddedDataError(str(exc)) from exc
    if region == "PL":
        raise EmbeddedDataError("Dane wbudowane generuje się dla jednego województwa, nie PL.")
    if not source.is_dir():
        raise EmbeddedDataError(f"Katalog danych źródłowych {source} nie istnieje.")
    try:
        terc = region_terc(source, region)
        changes = code_changes(source)
    except TercError as exc:
        raise EmbeddedDataError(str(exc)) from exc
    population = region_population(source, region)
    gminy, source_geoms = simplify_gminy(source, terc, tolerance, decimals)

    out.mkdir(parents=True, exist_ok=True)
    geojson = geojson_text(gminy)
    (out / f"granice_gminy_{region}.geojson").write_bytes(geojson.encode("utf-8"))
    write_terc(terc, out / f"terc_{region}.csv")
    write_csv(changes, out / "terc_zmiany.csv")
    write_csv(population, out / f"ludnosc_{region}.csv")
    fidelity = measure(source_geoms, gminy)
    return Fidelity(**{**asdict(fidelity), "size_bytes": len(geojson.encode("utf-8"))})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generuje wbudowane dane domyślne (data/).")
    parser.add_argument(
        "--source",
        type=Path,
        default=_default_source(),
        help="katalog danych referencyjnych (domyślnie $PES_DATA_DIR albo ../shared/data)",
    )
    parser.add_argument(
        "--out", type=Path, default=PROJECT_ROOT / "data", help="katalog wynikowy (domyślnie data/)"
    )
    parser.add_argument("--region", default="06", help="kod TERC województwa (domyślnie 06)")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE,
        help=f"tolerancja upraszczania w stopniach (domyślnie {DEFAULT_TOLERANCE})",
    )
    parser.add_argument(
        "--decimals",
        type=int,
        default=DEFAULT_DECIMALS,
        help=f"miejsca po przecinku współrzędnych (domyślnie {DEFAULT_DECIMALS})",
    )
    args = parser.parse_args(argv)
    try:
        fidelity = build(args.source, args.out, args.region, args.tolerance, args.decimals)
    except EmbeddedDataError as exc:
        print(f"Błąd: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(asdict(fidelity), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
