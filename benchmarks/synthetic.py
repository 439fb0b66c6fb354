"""Synthetic registries for benchmarks: entities at random points inside real gminas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.core.schema import ENTITY_TYPES, REGISTRY_COLUMNS, SOCIAL_EMPLOYMENT_TYPES

#: Share of entities located by each kind of evidence, as in a real register.
BY_CODE, BY_POINT, BY_NAME, BY_LOCALITY = 0.40, 0.40, 0.10, 0.05  # the rest: no evidence
SERVICE_AREA_SHARE = 0.3  # of the CIS/KIS: an inter-gmina agreement with two neighbours

_PREFIXES = (
    "Spółdzielnia Socjalna",
    "Stowarzyszenie",
    "Fundacja",
    "Klub Integracji Społecznej",
    "Centrum Integracji Społecznej",
    "Koło Gospodyń Wiejskich",
)


def synthetic_registry(gminy: gpd.GeoDataFrame, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` entities in the native format, with the variety of a real register.

    Points are drawn inside the gmina polygons. 40 % carry the gmina's TERYT code, 40 %
    coordinates, 10 % the gmina name with its powiat, 5 % only the locality (the gmina's
    name), 5 % nothing usable (reported, not counted). Names are Polish and distinct (so
    name folding cannot be shared between rows), a third of the CIS/KIS serve two more
    gminas by agreement, and 10 % have ended.
    """
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(gminy), size=n)
    chosen = gminy.iloc[picks].reset_index(drop=True)
    counts = np.bincount(picks, minlength=len(gminy))
    samples = gminy.geometry.sample_points(size=counts, rng=rng)
    # sample_points returns one MultiPoint per gmina; explode to single points in gmina order
    points = samples.explode(index_parts=False)
    points = points[points.notna() & ~points.is_empty]
    order = np.argsort(picks, kind="stable")
    xs = np.empty(n)
    ys = np.empty(n)
    xs[order] = points.x.to_numpy()[:n]
    ys[order] = points.y.to_numpy()[:n]

    evidence = rng.random(n)
    by_code = evidence < BY_CODE
    by_point = (evidence >= BY_CODE) & (evidence < BY_CODE + BY_POINT)
    by_name = (evidence >= BY_CODE + BY_POINT) & (evidence < BY_CODE + BY_POINT + BY_NAME)
    by_locality = (evidence >= BY_CODE + BY_POINT + BY_NAME) & (
        evidence < BY_CODE + BY_POINT + BY_NAME + BY_LOCALITY
    )
    types = rng.choice(list(ENTITY_TYPES), size=n)
    start_year = rng.integers(2005, 2026, size=n)
    names = chosen["nazwa"].astype(str).to_numpy()
    prefixes = rng.choice(_PREFIXES, size=n)

    frame = pd.DataFrame({col: [None] * n for col in REGISTRY_COLUMNS})
    frame["id"] = [f"S{i:06d}" for i in range(n)]
    frame["nazwa"] = [
        f"{p} „{g}” nr {i}" for i, (p, g) in enumerate(zip(prefixes, names, strict=True))
    ]
    frame["typ"] = types
    frame["teryt"] = np.where(by_code, chosen["teryt"], None)
    frame["szerokosc"] = np.where(by_point, ys.round(6), np.nan)
    frame["dlugosc"] = np.where(by_point, xs.round(6), np.nan)
    frame["gmina"] = np.where(by_name, names, None)
    if "powiat_nazwa" in chosen:
        frame["powiat"] = np.where(by_name, chosen["powiat_nazwa"].astype(str), None)
    frame["miejscowosc"] = np.where(by_locality, names, None)
    frame["data_rozpoczecia"] = [f"{y}-01-01" for y in start_year]
    ended = rng.random(n) < 0.1
    frame["data_zakonczenia"] = np.where(ended, "2024-12-31", None)

    # Inter-gmina agreements: a CIS/KIS also serves two gminas of its powiat (by code).
    sez = np.isin(types, list(SOCIAL_EMPLOYMENT_TYPES)) & (rng.random(n) < SERVICE_AREA_SHARE)
    if sez.any() and "powiat" in gminy:
        by_powiat = gminy.groupby("powiat")["teryt"].agg(list).to_dict()
        served = []
        for i in np.flatnonzero(sez):
            pool = by_powiat.get(chosen.at[i, "powiat"], [])
            others = [c for c in pool if c != chosen.at[i, "teryt"]][:2]
            served.append(";".join([chosen.at[i, "teryt"], *others]))
        frame.loc[sez, "gminy_obslugiwane"] = served
    return frame
