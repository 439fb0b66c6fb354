"""The embedded default data in data/: reproducible, complete, clean and truthful."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from conftest import has_full_data

from geo.config import EMBEDDED_DIR, PROJECT_ROOT
from geo.core.schema import ENTITY_TYPES, REGISTRY_COLUMNS
from geo.io.terc import load_terc, read_terc

GENERATED = ("granice_gminy_06.geojson", "terc_06.csv", "terc_zmiany.csv", "ludnosc_06.csv")
SAMPLE = EMBEDDED_DIR / "rejestr_przykladowy.csv"


def _load_script() -> ModuleType:
    path = PROJECT_ROOT / "scripts" / "make_embedded_data.py"
    spec = importlib.util.spec_from_file_location("make_embedded_data", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _load_script()


@pytest.fixture(scope="module")
def rebuilt(script: ModuleType, shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("embedded")
    fidelity = script.build(shared_data, out, "06")
    return out, fidelity


@pytest.fixture(scope="module")
def gminy() -> gpd.GeoDataFrame:
    return gpd.read_file(EMBEDDED_DIR / "granice_gminy_06.geojson")


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def known(shared_data: Path) -> pd.DataFrame:
    path = shared_data / "reference" / "pes_known_entities_lubelskie.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# --- generated files -------------------------------------------------------------------------


@pytest.mark.parametrize("name", GENERATED)
def test_committed_file_is_what_the_script_produces(rebuilt, name: str) -> None:
    if name in ("terc_zmiany.csv", "granice_gminy_06.geojson") and not has_full_data():
        pytest.skip("made from the full data: the TERC of all Poland, full-detail boundaries")
    out, _ = rebuilt
    assert (EMBEDDED_DIR / name).read_bytes() == (out / name).read_bytes(), (
        f"data/{name} is stale: run `make data`"
    )


def test_script_reports_missing_source_in_polish(
    script: ModuleType, tmp_path: Path, capsys
) -> None:
    assert script.main(["--source", str(tmp_path / "brak"), "--out", str(tmp_path / "o")]) == 1
    assert "nie istnieje" in capsys.readouterr().err
    with pytest.raises(script.EmbeddedDataError, match="województwa"):
        script.build(tmp_path, tmp_path / "o", "7")


def test_embedded_files_are_not_copies_of_shared_data(shared_data: Path) -> None:
    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    shared = {digest(p) for p in shared_data.rglob("*") if p.is_file()}
    embedded = [p for p in EMBEDDED_DIR.iterdir() if p.is_file()]
    assert len(embedded) >= len(GENERATED) + 2
    copies = [p.name for p in embedded if digest(p) in shared]
    assert copies == []


# --- boundaries -------------------------------------------------------------------------------


def test_boundaries_cover_exactly_the_gminas_of_terc(gminy: gpd.GeoDataFrame) -> None:
    terc = load_terc(EMBEDDED_DIR / "terc_06.csv")
    assert len(gminy) == 213
    assert gminy["teryt"].is_unique
    assert set(gminy["teryt"]) == set(terc.gminy["teryt"])
    assert list(gminy.columns) == ["teryt", "nazwa", "powiat", "geometry"]
    names = terc.gminy.set_index("teryt")["nazwa"]
    assert (gminy.set_index("teryt")["nazwa"] == names.reindex(gminy["teryt"])).all()
    assert (gminy["powiat"] == gminy["teryt"].str[:4]).all()


@pytest.mark.usefixtures("full_data")
def test_boundaries_are_valid_and_topologically_clean(
    gminy: gpd.GeoDataFrame, shared_data: Path
) -> None:
    assert gminy.is_valid.all()
    assert not gminy.is_empty.any()
    assert shapely.coverage_is_valid(gminy.geometry.values)
    metric = gminy.to_crs("EPSG:2180")
    union = shapely.union_all(metric.geometry.values)
    # No overlaps: the union is as large as the parts together.
    assert union.area == pytest.approx(metric.area.sum(), rel=1e-9)
    # No gaps: the region is one piece without holes, like the source coverage.
    source = gpd.read_file(shared_data / "boundaries" / "lubelskie_wojewodztwo.geojson")
    source_union = shapely.union_all(source.geometry.values)
    assert shapely.get_num_geometries(union) == shapely.get_num_geometries(source_union)
    assert shapely.get_num_interior_rings(shapely.get_geometry(union, 0)) == 0


@pytest.mark.usefixtures("full_data")
def test_boundaries_stay_close_to_the_source(
    gminy: gpd.GeoDataFrame, shared_data: Path, rebuilt
) -> None:
    _, fidelity = rebuilt
    source = gpd.read_file(shared_data / "boundaries" / "lubelskie_gminy.geojson")
    source = source.set_index("teryt").loc[gminy["teryt"]].to_crs("EPSG:2180")
    simplified = gminy.to_crs("EPSG:2180")
    ratio = simplified.area.to_numpy() / source.area.to_numpy()
    assert abs(ratio - 1).max() < 0.05
    region_area = shapely.union_all(source.geometry.values).area
    assert shapely.union_all(simplified.geometry.values).area == pytest.approx(
        region_area, rel=1e-3
    )
    vertices = int(shapely.get_num_coordinates(gminy.geometry.values).sum())
    assert vertices == fidelity.vertices_simplified < fidelity.vertices_source
    assert (EMBEDDED_DIR / "granice_gminy_06.geojson").stat().st_size < 250_000


def test_readme_states_the_measured_fidelity(gminy: gpd.GeoDataFrame, script: ModuleType) -> None:
    readme = (EMBEDDED_DIR / "README.md").read_text(encoding="utf-8")
    vertices = int(shapely.get_num_coordinates(gminy.geometry.values).sum())
    assert str(vertices) in readme
    assert str(script.DEFAULT_TOLERANCE) in readme
    assert "Źródło: GUS" in readme
    assert "dane przykładowe, niekompletne" in readme


# --- TERC, code changes, population -----------------------------------------------------------


def test_terc_rows_of_the_region_in_official_format(shared_data: Path) -> None:
    path = EMBEDDED_DIR / "terc_06.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfWOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA\r\n")
    rows = read_terc(path)
    expected = read_terc(shared_data / "reference" / "terc_2026_derived.csv")
    expected = expected[expected["WOJ"] == "06"].reset_index(drop=True)
    pd.testing.assert_frame_equal(rows, expected)
    terc = load_terc(path, EMBEDDED_DIR / "terc_zmiany.csv")
    assert len(terc.gminy) == 213
    assert terc.gminy["powiat"].nunique() == 24
    kinds = rows["RODZ"].value_counts()
    assert kinds["4"] == kinds["5"] == kinds["3"]
    assert terc.normalize("0601052").code == "0601053"


@pytest.mark.usefixtures("full_data")
def test_code_changes_map_old_codes_to_current_ones(shared_data: Path) -> None:
    changes = pd.read_csv(EMBEDDED_DIR / "terc_zmiany.csv", dtype=str, keep_default_na=False)
    assert list(changes.columns) == ["stary_kod", "nowy_kod", "stan_na", "uwagi"]
    current = load_terc(shared_data / "reference" / "terc_2026_derived.csv")
    old = load_terc(shared_data / "reference" / "terc_official_2025-01-01.csv")
    assert changes["nowy_kod"].isin(current.codes).all()
    assert not changes["stary_kod"].isin(current.codes).any()
    assert changes["stary_kod"].isin(old.codes).all()
    assert (changes["stary_kod"].str[:6] == changes["nowy_kod"].str[:6]).all()
    assert "0601052" in set(changes["stary_kod"])
    assert changes["stary_kod"].str[:2].nunique() > 1  # all of Poland, not just the region


def test_population_of_the_region(shared_data: Path) -> None:
    pop = pd.read_csv(EMBEDDED_DIR / "ludnosc_06.csv", dtype={"teryt": str})
    assert list(pop.columns) == ["teryt", "nazwa", "ludnosc", "powierzchnia_km2", "stan_na"]
    source = pd.read_csv(
        shared_data / "reference" / "gminy_area_population.csv", dtype={"teryt": str, "woj": str}
    )
    lubelskie = source[source["woj"] == "06"]
    assert pop["ludnosc"].sum() == lubelskie["pop_2024"].sum() == 1_996_550
    terc = load_terc(EMBEDDED_DIR / "terc_06.csv")
    assert set(pop["teryt"]) == set(terc.gminy["teryt"])
    merged = pop.merge(lubelskie, on="teryt")
    assert (merged["powierzchnia_km2"] == merged["area_km2_official_2025"]).all()
    assert (pop["stan_na"] == "2024-12-31").all()


# --- sample registry --------------------------------------------------------------------------


def test_sample_registry_has_the_native_columns(sample: pd.DataFrame) -> None:
    assert tuple(sample.columns) == REGISTRY_COLUMNS
    assert sample["id"].is_unique
    assert sample["id"].str.fullmatch(r"ROPS-\d{3}").all()
    assert sample["typ"].isin(ENTITY_TYPES).all()
    assert (sample["nazwa"].str.strip() != "").all()


@pytest.mark.usefixtures("full_data")
def test_sample_registry_lists_only_real_entities(
    sample: pd.DataFrame, known: pd.DataFrame
) -> None:
    assert set(sample["nazwa"]) <= set(known["name"])
    assert sample["nazwa"].is_unique
    by_name = known.set_index("name")
    for _, row in sample.iterrows():
        given = re.split(r";| or ", by_name.at[row["nazwa"], "gmina_teryt7"])
        # The code is the one the source gives (or empty when the source is unsure).
        assert row["teryt"] == "" or row["teryt"] in [c.strip() for c in given], row["id"]
        assert row["zrodlo"], row["id"]


def test_sample_registry_dates_are_real_iso_dates(sample: pd.DataFrame) -> None:
    for column in ("data_rozpoczecia", "data_zakonczenia", "data_weryfikacji"):
        for value in sample[column]:
            if value:
                assert dt.date.fromisoformat(value).isoformat() == value, (column, value)
    assert (sample["data_weryfikacji"] != "").all()
    # Vague dates of the source ("<=2013", "~2013") are described in the notes instead.
    assert sample["uwagi"].str.contains("co najmniej od 2013 r.").any()


@pytest.mark.usefixtures("full_data")
def test_sample_registry_is_honest_about_uncertain_locations(
    sample: pd.DataFrame, known: pd.DataFrame
) -> None:
    by_name = known.set_index("name")
    source = by_name.loc[sample["nazwa"]].reset_index()
    inferred = (
        source["verification"].str.contains("inferred")
        | source["gmina_note"].str.contains("assumed")
    ).to_numpy()
    located = (sample["teryt"] != "").to_numpy()
    notes = sample["uwagi"].to_numpy()
    for note, flagged in zip(
        notes[inferred & located], sample["id"][inferred & located], strict=True
    ):
        assert "gmina ustalona pośrednio" in note, flagged
    assert (sample["szerokosc"] == "").all() and (sample["dlugosc"] == "").all()
    tomaszow = sample[sample["nazwa"] == "Klub Integracji Społecznej w Tomaszowie Lubelskim"]
    assert tomaszow[["teryt", "gmina", "powiat"]].values.tolist() == [
        ["", "Tomaszów Lubelski", "tomaszowski"]
    ]
    janow = sample[sample["nazwa"] == "Centrum Integracji Społecznej w Janowie Podlaskim"]
    assert janow["teryt"].tolist() == ["0601052"]  # kept: demonstrates old-code mapping


def test_sample_registry_service_areas_are_current_gmina_codes(sample: pd.DataFrame) -> None:
    terc = load_terc(EMBEDDED_DIR / "terc_06.csv")
    areas = sample.loc[sample["gminy_obslugiwane"] != "", "gminy_obslugiwane"]
    assert not areas.empty
    codes = {code for value in areas for code in value.split(";")}
    assert codes <= terc.codes
