"""Reference data in the layout of ``../shared/data``, built from the embedded default.

Only Lubelskie: display-scale boundaries (``data/granice_gminy_06.geojson``), the region's
TERC rows of 2026 and the 2025 vintage derived from the project's table of code changes,
population and area (GUS BDL) and the NUTS-3 subregions (``data/podregiony.csv``).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.config import EMBEDDED_DIR

WOJ = "06"
_TYPE_NAMES = {"1": "gmina miejska", "2": "gmina wiejska", "3": "gmina miejsko-wiejska"}


def _terc_2025(terc: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """The 2025 vintage: each gmina whose type changed in 2026 back under its old code."""
    rows = terc.copy()
    for old, new in zip(changes["stary_kod"], changes["nowy_kod"], strict=True):
        if not new.startswith(WOJ):
            continue
        same = (rows["WOJ"] == new[:2]) & (rows["POW"] == new[2:4]) & (rows["GMI"] == new[4:6])
        parts = rows[same & rows["RODZ"].isin(["3", "4", "5"])]
        if parts.empty:
            continue
        main = parts[parts["RODZ"] == new[6]].iloc[0].copy()
        main["RODZ"] = old[6]
        main["NAZWA_DOD"] = _TYPE_NAMES[old[6]]
        rows = pd.concat([rows[~(same & rows["RODZ"].isin(["3", "4", "5"]))], main.to_frame().T])
    rows["STAN_NA"] = rows["STAN_NA"].where(rows["STAN_NA"] == "", "2025-01-01")
    return rows.sort_values(["WOJ", "POW", "GMI", "RODZ"], kind="stable")


def build_reference(out: Path) -> Path:
    """Write ``boundaries/`` and ``reference/`` for Lubelskie under ``out``; return ``out``."""
    (out / "boundaries").mkdir(parents=True, exist_ok=True)
    (out / "reference").mkdir(parents=True, exist_ok=True)
    terc = pd.read_csv(
        EMBEDDED_DIR / f"terc_{WOJ}.csv",
        sep=";",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    changes = pd.read_csv(EMBEDDED_DIR / "terc_zmiany.csv", dtype=str)
    terc.assign(derived="").to_csv(
        out / "reference" / "terc_2026_derived.csv", sep=";", index=False, encoding="utf-8-sig"
    )
    _terc_2025(terc, changes).to_csv(
        out / "reference" / "terc_official_2025-01-01.csv",
        sep=";",
        index=False,
        encoding="utf-8-sig",
    )
    gminy = gpd.read_file(EMBEDDED_DIR / f"granice_gminy_{WOJ}.geojson")
    gminy = gminy.rename(columns={"nazwa": "name"})
    gminy["gmina_type"] = gminy["teryt"].str[6]
    gminy["woj"] = WOJ
    gminy[["teryt", "name", "gmina_type", "powiat", "woj", "geometry"]].to_file(
        out / "boundaries" / "lubelskie_gminy.geojson", driver="GeoJSON"
    )
    powiat_rows = terc[(terc["GMI"] == "") & (terc["POW"] != "")]
    names = dict(zip(powiat_rows["WOJ"] + powiat_rows["POW"], powiat_rows["NAZWA"], strict=True))
    powiaty = gminy.dissolve(by="powiat", as_index=False)[["powiat", "geometry"]]
    powiaty["name"] = powiaty["powiat"].map(names)
    powiaty["woj"] = WOJ
    powiaty.to_file(out / "boundaries" / "lubelskie_powiaty.geojson", driver="GeoJSON")
    pop = pd.read_csv(EMBEDDED_DIR / f"ludnosc_{WOJ}.csv", dtype={"teryt": str})
    pd.DataFrame(
        {
            "teryt": pop["teryt"],
            "name": pop["nazwa"],
            "gmina_type": pop["teryt"].str[6],
            "powiat": pop["teryt"].str[:4],
            "woj": WOJ,
            "area_km2_official_2025": pop["powierzchnia_km2"],
            "pop_2024": pop["ludnosc"],
        }
    ).to_csv(out / "reference" / "gminy_area_population.csv", index=False)
    sub = pd.read_csv(EMBEDDED_DIR / "podregiony.csv", dtype=str, keep_default_na=False)
    nuts = sub[sub["definicja"] == "nuts3_2021"]
    owes = sub[sub["definicja"] == "owes_2017_2020"].set_index("powiat")["podregion_nazwa"]
    pd.DataFrame(
        {
            "powiat_teryt4": nuts["powiat"],
            "powiat_name": nuts["powiat_nazwa"],
            "unit_type": "powiat",
            "nuts3_2021_code": nuts["podregion"],
            "nuts3_name": nuts["podregion_nazwa"].str.capitalize(),
            "owes_2017_2020_subregion_verified": nuts["powiat"]
            .map(owes)
            .where(lambda v: v != "nieznany", ""),
        }
    ).to_csv(out / "reference" / "lubelskie_powiaty_nuts3_owes.csv", index=False)
    return out
