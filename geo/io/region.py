"""The reference data of the configured region: TERC, gmina boundaries, population.

Sources, most specific first: boundaries imported by the user (under ``PES_HOME``), then the
full reference data in ``PES_DATA_DIR``, then the embedded default in ``data/``. Every frame
carries a human-readable source label so the views can say where numbers come from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.config import ConfigError, Settings
from geo.core.teryt import Terc, derive_code_changes
from geo.io.boundaries import (
    BoundaryError,
    dissolve_powiaty,
    imported_boundaries,
    normalize_gminy,
)
from geo.io.terc import read_code_changes, read_terc

log = logging.getLogger(__name__)

CHANGES_FILE = "terc_zmiany.csv"


@dataclass
class RegionData:
    """Reference data of the region, ready for locating and coverage.

    Attributes
    ----------
    settings : Settings
    terc : Terc
        TERC of the whole country where available (to recognise codes of other regions).
    region_terc : Terc
        TERC restricted to the region.
    gminy : geopandas.GeoDataFrame
        ``teryt, nazwa, rodzaj, rodzaj_nazwa, powiat, powiat_nazwa, ludnosc, geometry``
        (EPSG:4326), one row per gmina of the region.
    powiaty : geopandas.GeoDataFrame
        ``powiat, powiat_nazwa, geometry`` dissolved from the gminas.
    boundary_source, population_source, terc_source : str
        Polish labels with source and date, shown beside every number.
    warnings : list[str]
        Differences noticed while loading (e.g. gminas missing from a boundary file).
    """

    settings: Settings
    terc: Terc
    region_terc: Terc
    gminy: gpd.GeoDataFrame
    powiaty: gpd.GeoDataFrame
    boundary_source: str
    population_source: str
    terc_source: str
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        if self.settings.is_poland:
            return "Polska"
        return f"województwo {self.region_terc.gminy['woj_nazwa'].iloc[0]}"


def _terc_files(settings: Settings) -> list[Path]:
    if settings.data_dir is None:
        return []
    return sorted((settings.data_dir / "reference").glob("terc*.csv"))


def load_terc_for(settings: Settings) -> tuple[Terc, str]:
    """The newest TERC available, with code changes from the project table and vintages."""
    changes_path = settings.embedded_dir / CHANGES_FILE
    changes = read_code_changes(changes_path) if changes_path.exists() else {}
    files = _terc_files(settings)
    if files:
        vintages = sorted(
            (read_terc(path) for path in files),
            key=lambda units: str(units["STAN_NA"].replace("", pd.NA).dropna().max()),
        )
        newest = vintages[-1]
        for older in vintages[:-1]:
            derived = derive_code_changes(older, newest)
            changes.update(zip(derived["stary_kod"], derived["nowy_kod"], strict=True))
        terc = Terc.from_units(newest, changes)
        return terc, f"GUS TERYT (TERC), stan na {terc.stan_na}"
    if settings.is_poland:
        raise ConfigError(
            "Brak danych referencyjnych dla całej Polski: ustaw PES_DATA_DIR na katalog z "
            "danymi (boundaries/, reference/) albo pobierz granice: python -m geo boundaries fetch."
        )
    embedded = settings.embedded_dir / f"terc_{settings.region}.csv"
    if not embedded.exists():
        raise ConfigError(
            f"Brak wbudowanych danych dla województwa {settings.region}: ustaw PES_DATA_DIR."
        )
    terc = Terc.from_units(read_terc(embedded), changes)
    return terc, f"GUS TERYT (TERC), stan na {terc.stan_na} (dane wbudowane)"


def _boundary_file(settings: Settings, terc: Terc) -> tuple[Path, str]:
    imported = imported_boundaries(settings)
    if imported is not None:
        path, meta = imported
        when = str(meta.get("imported_at", ""))[:10]
        name = meta.get("source_file") or path.name
        return path, f"granice zaimportowane z pliku {name} ({when})"
    if settings.data_dir is not None:
        folder = settings.data_dir / "boundaries"
        candidates = []
        if not settings.is_poland:
            woj = terc.for_region(settings.region).gminy["woj_nazwa"].iloc[0]
            candidates.append(folder / f"{_ascii(woj)}_gminy.geojson")
        candidates.append(folder / "poland_gminy.geojson")
        for path in candidates:
            if path.exists():
                return path, (
                    "granice gmin: GUS (pakiet bdl, stan 2018, kody TERC 2026) na podstawie "
                    f"PRG GUGiK; plik {path.name}"
                )
    embedded = settings.embedded_dir / f"granice_gminy_{settings.region}.geojson"
    if embedded.exists():
        return embedded, (
            "granice gmin uproszczone do skali wyświetlania (dane wbudowane, GUS/PRG GUGiK)"
        )
    raise ConfigError(
        "Brak granic gmin: ustaw PES_DATA_DIR, zaimportuj granice "
        "(python -m geo boundaries import PLIK --level gminy) albo pobierz je "
        "(python -m geo boundaries fetch)."
    )


def _ascii(text: str) -> str:
    from geo.core.text import fold

    return fold(text).replace(" ", "_")


def _population(settings: Settings) -> tuple[pd.DataFrame, str]:
    if settings.data_dir is not None:
        path = settings.data_dir / "reference" / "gminy_area_population.csv"
        if path.exists():
            frame = pd.read_csv(path, dtype={"teryt": str})
            pop = frame[["teryt", "pop_2024"]].rename(columns={"pop_2024": "ludnosc"})
            return pop, "ludność: GUS BDL, stan na 2024-12-31"
    path = settings.embedded_dir / f"ludnosc_{settings.region}.csv"
    if path.exists():
        frame = pd.read_csv(path, dtype={"teryt": str})
        date = str(frame["stan_na"].iloc[0]) if "stan_na" in frame else "2024-12-31"
        return frame[["teryt", "ludnosc"]], f"ludność: GUS BDL, stan na {date} (dane wbudowane)"
    return pd.DataFrame({"teryt": [], "ludnosc": []}), "ludność: brak danych"


def load_region(settings: Settings) -> RegionData:
    """Load TERC, boundaries and population of the configured region.

    Raises
    ------
    ConfigError
        When no usable reference data exists; the message tells the user what to do.
    """
    terc, terc_source = load_terc_for(settings)
    region_terc = terc.for_region(settings.region)
    path, boundary_source = _boundary_file(settings, terc)
    raw = gpd.read_file(path)
    warnings: list[str] = []
    try:
        gminy, notes = normalize_gminy(raw, terc)
    except BoundaryError as exc:
        raise ConfigError(f"Nie można użyć granic z pliku {path}: {exc}") from exc
    warnings.extend(notes)
    gminy = gminy[gminy["teryt"].isin(region_terc.codes)]
    missing = sorted(region_terc.codes - set(gminy["teryt"]))
    if missing:
        names = ", ".join(f"{region_terc.name_of(c)} ({c})" for c in missing[:10])
        more = f" i {len(missing) - 10} innych" if len(missing) > 10 else ""
        warnings.append(f"Brak granic {len(missing)} gmin z rejestru TERC: {names}{more}.")
    attrs = region_terc.gminy.drop(columns=["nazwa"], errors="ignore")
    gminy = gminy[["teryt", "nazwa", "geometry"]].merge(attrs, on="teryt", how="left")
    population, population_source = _population(settings)
    gminy = gminy.merge(population, on="teryt", how="left")
    gminy["ludnosc"] = pd.to_numeric(gminy["ludnosc"], errors="coerce").astype("Int64")
    gminy = gpd.GeoDataFrame(gminy, geometry="geometry", crs="EPSG:4326")
    gminy = gminy.sort_values("teryt").reset_index(drop=True)
    powiaty = dissolve_powiaty(gminy, region_terc)
    for warning in warnings:
        log.warning(warning)
    return RegionData(
        settings=settings,
        terc=terc,
        region_terc=region_terc,
        gminy=gminy,
        powiaty=powiaty,
        boundary_source=boundary_source,
        population_source=population_source,
        terc_source=terc_source,
        warnings=warnings,
    )
