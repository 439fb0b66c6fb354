"""Boundary import: real files in several formats/CRSs, code normalisation, rejection, storage."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.config import Settings, get_settings
from geo.core.teryt import Terc
from geo.io import vector
from geo.io.boundaries import (
    BoundaryError,
    check_against_terc,
    detect_code_field,
    detect_name_field,
    dissolve_powiaty,
    dissolve_region,
    import_boundaries,
    imported_boundaries,
    normalize_gminy,
    read_vector,
)

# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def terc06(terc_pl: Terc) -> Terc:
    return terc_pl.for_region("06")


@pytest.fixture(scope="module")
def lubelskie(shared_data: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(shared_data / "boundaries" / "lubelskie_gminy.geojson")


@pytest.fixture(scope="module")
def poland_path(shared_data: Path) -> Path:
    return shared_data / "boundaries" / "poland_gminy.geojson"


@pytest.fixture()
def settings(tmp_path: Path, shared_data: Path) -> Settings:
    env = {"PES_HOME": str(tmp_path / "home"), "PES_REGION": "06", "PES_DATA_DIR": str(shared_data)}
    return get_settings(env)


def _prg_fields(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The gminas as PRG delivers them: EPSG:2180, JPT_KOD_JE / JPT_NAZWA_."""
    return gpd.GeoDataFrame(
        {"JPT_KOD_JE": gdf["teryt"], "JPT_NAZWA_": gdf["name"]},
        geometry=gdf.geometry.to_numpy(),
        crs=gdf.crs,
    ).to_crs(2180)


def _write_shp_zip(gdf: gpd.GeoDataFrame, tmp_path: Path, folder: str, drop: tuple = ()) -> Path:
    shp_dir = tmp_path / "shp_src"
    shp_dir.mkdir(exist_ok=True)
    gdf.to_file(shp_dir / "A03_Granice_gmin.shp", engine="pyogrio")
    archive = tmp_path / "granice.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(shp_dir.iterdir()):
            if part.suffix not in drop:
                zf.write(part, f"{folder}/{part.name}")
    return archive


def _area_by_code(gdf: gpd.GeoDataFrame) -> pd.Series:
    return gdf.to_crs(2180).set_index("teryt").area


def _overlap_by_code(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> pd.Series:
    """Intersection over union of the polygons with the same code."""
    ga = a.to_crs(2180).set_index("teryt").geometry.sort_index()
    gb = b.to_crs(2180).set_index("teryt").geometry.reindex(ga.index)
    return ga.intersection(gb).area / ga.union(gb).area


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ----------------------------------------------------------------------------- real sources


def test_import_reference_geojson(settings: Settings, terc_pl: Terc, terc06: Terc, shared_data):
    source = shared_data / "boundaries" / "lubelskie_gminy.geojson"
    result = import_boundaries(source, settings, terc_pl)

    assert len(result.gminy) == 213
    assert set(result.gminy["teryt"]) == set(terc06.gminy["teryt"])
    assert result.gminy.crs.to_epsg() == 4326
    assert result.gminy.is_valid.all()
    # names come from TERC, not from the file
    official = dict(zip(terc06.gminy["teryt"], terc06.gminy["nazwa"], strict=True))
    assert (result.gminy["nazwa"] == result.gminy["teryt"].map(official)).all()

    stored = imported_boundaries(settings)
    assert stored is not None
    path, meta = stored
    assert path == settings.home / "granice" / "gminy.gpkg"
    assert meta["sha256"] == _sha(source)
    assert meta["source_file"] == "lubelskie_gminy.geojson"
    assert meta["feature_count"] == 213
    assert meta["source_crs"] == "EPSG:4326"
    assert meta["region"] == "06"
    again = gpd.read_file(path)
    assert sorted(again["teryt"]) == sorted(result.gminy["teryt"])


@pytest.mark.usefixtures("full_data")
def test_alt_source_with_pre_2026_codes(tmp_path: Path, settings, terc_pl, lubelskie, shared_data):
    alt = gpd.read_file(shared_data / "alt" / "lubelskie_gminy_jusuff2020.geojson")
    # keep only the codes as the 2020 source carried them
    old = alt.drop(columns=["teryt"]).rename(columns={"teryt_src": "kod"})
    assert "0601052" in set(old["kod"])
    src = tmp_path / "jusuff2020.geojson"
    old.to_file(src, driver="GeoJSON", engine="pyogrio")

    result = import_boundaries(src, settings, terc_pl)

    assert len(result.gminy) == 213
    assert "0601053" in set(result.gminy["teryt"])
    assert any("0601052" in w and "0601053" in w for w in result.warnings)
    # each (mapped) code got the right polygon: it overlaps the same gmina of the other source
    iou = _overlap_by_code(result.gminy, lubelskie)
    assert (iou > 0.7).all(), iou[iou <= 0.7]


def test_epsg2180_geopackage_with_prg_fields(tmp_path, settings, terc_pl, lubelskie):
    src = tmp_path / "prg.gpkg"
    _prg_fields(lubelskie).to_file(src, driver="GPKG", layer="A03_Granice_gmin", engine="pyogrio")

    raw = read_vector(src)
    assert detect_code_field(raw) == "JPT_KOD_JE"
    assert detect_name_field(raw) == "JPT_NAZWA_"
    result = import_boundaries(src, settings, terc_pl)

    assert len(result.gminy) == 213
    assert result.metadata["source_crs"] == "EPSG:2180"
    ratio = _area_by_code(result.gminy) / _area_by_code(lubelskie)
    assert ratio.between(0.999, 1.001).all()  # reprojection round trip keeps the shapes


def test_zipped_shapefile_in_subfolder(tmp_path, settings, terc_pl, lubelskie):
    archive = _write_shp_zip(_prg_fields(lubelskie), tmp_path, "PRG_jednostki/gminy")
    result = import_boundaries(archive, settings, terc_pl)
    assert len(result.gminy) == 213
    assert result.metadata["source_crs"] == "EPSG:2180"
    assert result.metadata["sha256"] == _sha(archive)


def test_zipped_shapefile_without_prj_in_metres_rejected(tmp_path, settings, terc_pl, lubelskie):
    archive = _write_shp_zip(_prg_fields(lubelskie), tmp_path, "x", drop=(".prj",))
    with pytest.raises(BoundaryError, match="układu współrzędnych") as err:
        import_boundaries(archive, settings, terc_pl)
    assert "EPSG:2180" in str(err.value)
    assert imported_boundaries(settings) is None


def test_plain_shapefile_without_prj_in_degrees_assumed_wgs84(
    tmp_path, settings, terc_pl, lubelskie
):
    lubelskie.to_file(tmp_path / "g.shp", engine="pyogrio")
    (tmp_path / "g.prj").unlink()
    result = import_boundaries(tmp_path / "g.shp", settings, terc_pl)
    assert len(result.gminy) == 213
    assert result.metadata["source_crs"] is None
    assert any("EPSG:4326" in w for w in result.warnings)


def test_plain_shapefile_without_dbf_rejected(tmp_path, lubelskie):
    lubelskie.to_file(tmp_path / "g.shp", engine="pyogrio")
    (tmp_path / "g.dbf").unlink()
    with pytest.raises(BoundaryError, match=r"g\.dbf"):
        read_vector(tmp_path / "g.shp")


@pytest.mark.usefixtures("full_data")
def test_poland_file_for_region_keeps_region(settings, terc_pl, poland_path):
    result = import_boundaries(poland_path, settings, terc_pl)
    assert len(result.gminy) == 213
    assert result.gminy["teryt"].str.startswith("06").all()
    assert any("Pominięto 2264" in w for w in result.warnings)


@pytest.mark.usefixtures("full_data")
def test_poland_for_pl_reports_known_gaps_unless_allowed(
    tmp_path, shared_data, terc_pl, poland_path
):
    pl = get_settings(
        {"PES_HOME": str(tmp_path / "h"), "PES_REGION": "PL", "PES_DATA_DIR": str(shared_data)}
    )
    missing = set(terc_pl.gminy["teryt"]) - set(gpd.read_file(poland_path)["teryt"])
    assert missing == {"1207132", "2002162"}  # gminas created in 2025 (shared README)

    with pytest.raises(BoundaryError) as err:
        import_boundaries(poland_path, pl, terc_pl)
    assert "1207132 Szczawa" in str(err.value) and "2002162 Grabówka" in str(err.value)
    assert imported_boundaries(pl) is None

    result = import_boundaries(poland_path, pl, terc_pl, allow_missing=["1207132", "2002162"])
    assert len(result.gminy) == len(terc_pl.gminy) - 2 == 2477
    assert result.metadata["missing_allowed"] == ["1207132", "2002162"]
    assert any("Szczawa" in w for w in result.warnings)
    # the allowance is explicit: allowing one gap does not excuse the other
    with pytest.raises(BoundaryError, match="2002162"):
        import_boundaries(poland_path, pl, terc_pl, allow_missing=["1207132"])


# ----------------------------------------------------------------------------- set checks


def test_missing_gmina_rejected_and_previous_import_kept(tmp_path, settings, terc_pl, lubelskie):
    good = tmp_path / "good.geojson"
    lubelskie.to_file(good, driver="GeoJSON", engine="pyogrio")
    import_boundaries(good, settings, terc_pl)
    path, meta = imported_boundaries(settings)
    before = _sha(path)

    bad = tmp_path / "bad.geojson"
    lubelskie[lubelskie["teryt"] != "0614063"].to_file(bad, driver="GeoJSON", engine="pyogrio")
    with pytest.raises(BoundaryError) as err:
        import_boundaries(bad, settings, terc_pl)
    assert "0614063 Kurów" in str(err.value)
    assert "brakuje 1 gminy" in str(err.value)

    assert _sha(path) == before
    assert imported_boundaries(settings)[1] == meta
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".import-")]


@pytest.mark.usefixtures("full_data")
def test_foreign_gmina_in_region_file_is_dropped_with_warning(
    tmp_path, settings, terc_pl, lubelskie, poland_path
):
    """Decision: features of other voivodeships are filtered out (as for a Poland-wide file)."""
    poland = gpd.read_file(poland_path)
    warszawa = poland[poland["teryt"] == "1465011"]
    src = tmp_path / "plus_foreign.geojson"
    pd.concat([lubelskie, warszawa], ignore_index=True).to_file(
        src, driver="GeoJSON", engine="pyogrio"
    )
    result = import_boundaries(src, settings, terc_pl)
    assert len(result.gminy) == 213
    assert "1465011" not in set(result.gminy["teryt"])
    assert any("1465011" in w for w in result.warnings)


def test_unknown_code_in_region_rejected(tmp_path, settings, terc_pl, lubelskie):
    broken = lubelskie.copy()
    broken.loc[0, "teryt"] = "0699999"
    src = tmp_path / "unknown.geojson"
    broken.to_file(src, driver="GeoJSON", engine="pyogrio")
    with pytest.raises(BoundaryError, match="0699999"):
        import_boundaries(src, settings, terc_pl)


def test_check_against_terc_names_missing_and_extra(lubelskie, terc06, terc_pl):
    gminy = lubelskie.rename(columns={"name": "nazwa"})[["teryt", "nazwa", "geometry"]]
    check_against_terc(gminy, terc06)  # complete: no error
    extra = pd.concat(
        [gminy[gminy["teryt"] != "0663011"], gminy.head(1).assign(teryt="1465011", nazwa="X")]
    )
    with pytest.raises(BoundaryError) as err:
        check_against_terc(extra, terc06)
    text = str(err.value)
    assert "0663011 Lublin" in text and "1465011" in text and "nadmiarowe 1 gmina" in text


def test_town_and_rural_parts_dissolved_into_gmina(tmp_path, settings, terc_pl, terc06, lubelskie):
    code = "0601053"  # Janów Podlaski, gmina miejsko-wiejska since 2026
    assert terc06.gminy.set_index("teryt").loc[code, "rodzaj"] == "3"
    whole = lubelskie.loc[lubelskie["teryt"] == code].geometry.iloc[0]
    minx, miny, maxx, maxy = whole.bounds
    mid = (minx + maxx) / 2
    town = shapely.clip_by_rect(whole, minx - 1, miny - 1, mid, maxy + 1)
    rural = shapely.clip_by_rect(whole, mid, miny - 1, maxx + 1, maxy + 1)
    parts = gpd.GeoDataFrame(
        {"teryt": ["0601054", "0601055"], "name": ["Janów Podlaski", "Janów Podlaski - obszar"]},
        geometry=[town, rural],
        crs=4326,
    )
    src = tmp_path / "parts.geojson"
    pd.concat([lubelskie[lubelskie["teryt"] != code], parts], ignore_index=True).to_file(
        src, driver="GeoJSON", engine="pyogrio"
    )
    result = import_boundaries(src, settings, terc_pl)

    assert len(result.gminy) == 213
    merged = result.gminy.loc[result.gminy["teryt"] == code].geometry.iloc[0]
    assert shapely.area(shapely.symmetric_difference(merged, whole)) < 1e-6 * whole.area + 1e-9
    assert sum("0601054" in w or "0601055" in w for w in result.warnings) == 2


def test_invalid_geometry_repaired(tmp_path, settings, terc_pl, lubelskie):
    bowtie = shapely.Polygon([(22.5, 51.2), (22.6, 51.3), (22.6, 51.2), (22.5, 51.3)])
    assert not bowtie.is_valid
    gdf = lubelskie.copy()
    target = gdf["teryt"] == "0663011"
    gdf.loc[target, "geometry"] = shapely.MultiPolygon(
        [*shapely.get_parts(gdf.loc[target].geometry.iloc[0]), bowtie]
    )
    assert not gdf.loc[target].geometry.iloc[0].is_valid
    src = tmp_path / "invalid.geojson"
    gdf.to_file(src, driver="GeoJSON", engine="pyogrio")
    result = import_boundaries(src, settings, terc_pl)
    assert result.gminy.is_valid.all()
    assert result.gminy.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    assert any("0663011" in w for w in result.warnings)


# ----------------------------------------------------------------------------- bad files


def _good_import(tmp_path: Path, settings: Settings, terc: Terc, gdf) -> tuple[Path, str]:
    src = tmp_path / "good.geojson"
    gdf.to_file(src, driver="GeoJSON", engine="pyogrio")
    import_boundaries(src, settings, terc)
    path, _ = imported_boundaries(settings)
    return path, _sha(path)


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("gminy.shp", b"\0" * (64 * 1024**2))  # 64 MB of zeros, ~64 kB compressed


def _zip_without_shapefile(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("dane/opis.txt", "granice gmin")
        zf.writestr("dane/gminy.csv", "teryt;nazwa\n0663011;Lublin\n")


def _traversal_zip(path: Path, lubelskie) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../evil.shp", b"x")
        zf.writestr("ok.txt", lubelskie.to_json())
    path.write_bytes(buf.getvalue())


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("bomb.zip", lambda p, g: _zip_bomb(p), "bomba ZIP"),
        ("evil.zip", _traversal_zip, "niebezpieczne ścieżki"),
        ("fake.zip", lambda p, g: p.write_text("to nie jest zip"), "archiwum ZIP"),
        ("empty.geojson", lambda p, g: p.write_bytes(b""), "pusty"),
        ("noshp.zip", lambda p, g: _zip_without_shapefile(p), r"\.shp"),
        ("garbage.geojson", lambda p, g: p.write_text("{nie json"), "Nie można odczytać"),
        (
            "points.geojson",
            lambda p, g: g.assign(geometry=g.representative_point()).to_file(p, engine="pyogrio"),
            "Point",
        ),
        (
            "nocode.geojson",
            lambda p, g: g[["name", "geometry"]].to_file(p, engine="pyogrio"),
            "kolumny z kodami TERYT",
        ),
        (
            "swapped.geojson",
            lambda p, g: g.set_geometry(
                gpd.GeoSeries(shapely.transform(g.geometry.values, lambda c: c[:, ::-1]), crs=4326)
            ).to_file(p, engine="pyogrio"),
            "poza Polską",
        ),
        (
            "metres_as_degrees.geojson",
            lambda p, g: (
                g.to_crs(2180).set_crs(4326, allow_override=True).to_file(p, engine="pyogrio")
            ),
            "nie są stopniami",
        ),
    ],
)
def test_bad_files_rejected_previous_kept(
    tmp_path, settings, terc_pl, lubelskie, name, make, message
):
    stored, before = _good_import(tmp_path, settings, terc_pl, lubelskie)
    bad = tmp_path / name
    make(bad, lubelskie)
    with pytest.raises(BoundaryError, match=message):
        import_boundaries(bad, settings, terc_pl)
    assert _sha(stored) == before
    assert imported_boundaries(settings)[1]["source_file"] == "good.geojson"
    assert not (tmp_path.parent / "evil.shp").exists()


def test_zip_bomb_checked_before_extraction(tmp_path, monkeypatch):
    _zip_bomb(tmp_path / "bomb.zip")
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile, "open", lambda self, *a, **k: opened.append(a) or real_open(self, *a, **k)
    )
    with pytest.raises(BoundaryError):
        read_vector(tmp_path / "bomb.zip")
    assert opened == []


def test_missing_file_and_unsupported_level(tmp_path, settings, terc_pl, shared_data):
    with pytest.raises(BoundaryError, match="Nie znaleziono"):
        read_vector(tmp_path / "nie_ma.geojson")
    with pytest.raises(BoundaryError, match="gminy"):
        import_boundaries(
            shared_data / "boundaries" / "lubelskie_powiaty.geojson", settings, terc_pl, "powiaty"
        )


def test_corrupt_metadata_means_no_import(tmp_path, settings, terc_pl, lubelskie):
    stored, _ = _good_import(tmp_path, settings, terc_pl, lubelskie)
    (stored.parent / "gminy.json").write_text("{", encoding="utf-8")
    assert imported_boundaries(settings) is None


def test_import_for_other_region_not_returned(tmp_path, settings, terc_pl, lubelskie, shared_data):
    _good_import(tmp_path, settings, terc_pl, lubelskie)
    other = get_settings(
        {"PES_HOME": str(settings.home), "PES_REGION": "PL", "PES_DATA_DIR": str(shared_data)}
    )
    assert imported_boundaries(other) is None
    meta = json.loads((settings.home / "granice" / "gminy.json").read_text(encoding="utf-8"))
    assert meta["region"] == "06"


# ----------------------------------------------------------------------------- fields


def test_code_field_detected_by_content(lubelskie):
    gdf = lubelskie.rename(columns={"teryt": "identyfikator_jednostki", "name": "opis"})
    gdf["ludnosc"] = range(len(gdf))
    assert detect_code_field(gdf) == "identyfikator_jednostki"
    assert detect_name_field(gdf) is None
    # numbers that lost their leading zero (Excel) still look like codes
    as_numbers = gdf.assign(identyfikator_jednostki=gdf["identyfikator_jednostki"].astype(int))
    assert detect_code_field(as_numbers) == "identyfikator_jednostki"


def test_known_name_with_non_code_values_is_skipped(lubelskie):
    gdf = lubelskie.rename(columns={"teryt": "id_gminy"}).assign(kod="20-001")
    assert detect_code_field(gdf) == "id_gminy"


def test_names_disagreeing_with_terc_are_reported(lubelskie, terc06):
    swapped = lubelskie.copy()
    a, b = swapped.index[swapped["teryt"].isin(["0663011", "0664011"])]
    swapped.loc[[a, b], "name"] = swapped.loc[[b, a], "name"].to_numpy()
    gminy, warnings = normalize_gminy(swapped, terc06)
    assert gminy.set_index("teryt").loc["0663011", "nazwa"] == "Lublin"  # official name kept
    assert len(warnings) == 1
    assert "0663011 „Zamość”" in warnings[0] and "0664011 „Lublin”" in warnings[0]
    _, clean = normalize_gminy(lubelskie, terc06)
    assert clean == []


def test_numeric_codes_without_leading_zero_normalised(lubelskie, terc06):
    gdf = lubelskie.assign(teryt=lubelskie["teryt"].astype(int))
    gminy, warnings = normalize_gminy(gdf, terc06)
    assert set(gminy["teryt"]) == set(terc06.gminy["teryt"])
    assert len(warnings) == 1  # one summary line, not 213


# ----------------------------------------------------------------------------- dissolving


def test_dissolve_powiaty_and_region(lubelskie, terc06, shared_data):
    gminy, _ = normalize_gminy(lubelskie, terc06)
    powiaty = dissolve_powiaty(gminy, terc06)
    assert len(powiaty) == 24
    assert list(powiaty.columns) == ["powiat", "powiat_nazwa", "geometry"]
    assert powiaty.set_index("powiat").loc["0663", "powiat_nazwa"] == "Lublin"
    reference = gpd.read_file(shared_data / "boundaries" / "lubelskie_powiaty.geojson")
    ratio = (
        powiaty.to_crs(2180).set_index("powiat").area
        / reference.to_crs(2180).set_index("powiat").area
    )
    assert ratio.between(0.999, 1.001).all()

    region = dissolve_region(gminy)
    assert len(region) == 1 and region["region"].iloc[0] == "06"
    total = gminy.to_crs(2180).area.sum()
    assert region.to_crs(2180).area.iloc[0] == pytest.approx(total, rel=1e-3)


def test_region_terc_must_match_settings(tmp_path, shared_data, terc06, lubelskie):
    pl = get_settings(
        {"PES_HOME": str(tmp_path / "h"), "PES_REGION": "PL", "PES_DATA_DIR": str(shared_data)}
    )
    src = tmp_path / "l.geojson"
    lubelskie.to_file(src, driver="GeoJSON", engine="pyogrio")
    with pytest.raises(BoundaryError, match="TERC"):
        import_boundaries(src, pl, terc06)


def test_zip_limits_are_module_constants(tmp_path, monkeypatch, lubelskie):
    """A legitimate archive beyond a (lowered) total limit is refused before extraction."""
    archive = _write_shp_zip(_prg_fields(lubelskie), tmp_path, "g")
    monkeypatch.setattr(vector, "MAX_ZIP_TOTAL_BYTES", 1000)
    with pytest.raises(BoundaryError, match="bomba ZIP"):
        read_vector(archive)
