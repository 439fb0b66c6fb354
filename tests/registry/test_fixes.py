"""Tests of geo/registry/fixes.py: which fixes an entity gets, checking them, applying them.

The form helpers use synthetic frames; the checks against the region and the effect of fixes
on the pipeline use the reference data (and run on both store backends).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from db_backends import db_url  # noqa: F401 - fixture
from registry_samples import sample_entities
from shapely.geometry import box

from geo import pipeline
from geo.config import get_settings
from geo.errors import UserError
from geo.registry.fixes import (
    FixError,
    check_fix,
    default_point,
    duplicate_candidates,
    fix_kinds,
    other_entities,
)
from geo.store import Store

# -- choosing a fix ----------------------------------------------------------------------------


def test_only_cis_and_kis_get_a_service_area_fix() -> None:
    assert fix_kinds("CIS") == ["gmina", "wspolrzedne", "duplikat", "gminy_obslugiwane"]
    assert fix_kinds("KIS")[-1] == "gminy_obslugiwane"
    for other in ("SPOL_SOC", "ZAZ", None, float("nan")):
        assert fix_kinds(other) == ["gmina", "wspolrzedne", "duplikat"]


def test_other_entities_leave_out_only_the_entity_itself() -> None:
    entities = sample_entities()
    others = other_entities(entities, entities.iloc[0])
    # the same key in another source, and another key in the same source, are other entities
    assert list(others.index) == [1, 2, 3]


def test_duplicate_candidates_share_the_start_of_the_folded_name() -> None:
    entities = sample_entities()
    found = duplicate_candidates(entities, entities.iloc[0], limit=10)
    assert found["nazwa"].tolist() == ["Spoldzielnia socjalna ŁĄKA w Lublinie"]
    # no similar name: every other entity, up to the limit, in registry order
    fallback = duplicate_candidates(entities, entities.iloc[2], limit=2)
    assert list(fallback.index) == [0, 1]


def test_default_point_is_the_centre_of_the_gminas_rounded() -> None:
    gminy = gpd.GeoDataFrame(
        {"teryt": ["0000001", "0000002"]},
        geometry=[box(22.0, 50.0, 23.0, 51.0), box(23.0, 50.0, 24.0, 51.0)],
        crs="EPSG:4326",
    )
    assert default_point(gminy) == (50.5, 23.0)


def test_fix_errors_are_user_errors_and_value_errors() -> None:
    assert issubclass(FixError, UserError) and issubclass(FixError, ValueError)


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("nieznana", {}, "Nieznany rodzaj poprawki"),
        ("gmina", ["0663011"], "słownikiem"),
        ("wspolrzedne", {"szerokosc": "pół"}, "jako liczby"),
        ("duplikat", {"duplikat_z": ""}, "Wskaż wpis"),
    ],
)
def test_check_fix_refuses_malformed_fixes_before_looking_at_the_region(
    kind: str, value: object, message: str
) -> None:
    class _Region:  # these checks never reach the region's geometry
        name = "test"
        gminy = pd.DataFrame({"teryt": ["0663011"], "nazwa": ["Lublin"]})

    with pytest.raises(FixError, match=message):
        check_fix(kind, value, _Region())  # type: ignore[arg-type]


# -- checking a fix against the region ---------------------------------------------------------


def test_check_fix_against_the_region(region) -> None:
    assert "Lublin" in check_fix("gmina", {"teryt": "0663011"}, region)
    with pytest.raises(FixError, match="nie jest kodem gminy regionu"):
        check_fix("gmina", {"teryt": "1465011"}, region)
    assert "Lublin (0663011)" in check_fix(
        "wspolrzedne", {"szerokosc": 51.2465, "dlugosc": 22.5684}, region
    )
    with pytest.raises(FixError, match="zamienione"):
        check_fix("wspolrzedne", {"szerokosc": 22.5684, "dlugosc": 51.2465}, region)
    with pytest.raises(FixError, match="spoza regionu"):
        check_fix("gminy_obslugiwane", {"gminy": ["0663011", "1465011"]}, region)
    with pytest.raises(FixError, match="co najmniej"):
        check_fix("gminy_obslugiwane", {"gminy": []}, region)


def test_fixes_change_what_the_pipeline_counts(
    db_url: str,  # noqa: F811
    tmp_path: Path,
    shared_data: Path,
) -> None:
    settings = get_settings(
        {
            "PES_HOME": str(tmp_path / "home"),
            "PES_DATA_DIR": str(shared_data),
            "PES_REGION": "06",
            "PES_DATABASE_URL": db_url,
        }
    )
    rows = pd.DataFrame(
        {
            "id": ["A", "B", "C"],
            "nazwa": ["KIS bez kodu", "CIS Chełm", "CIS Chełm (drugi wpis)"],
            "typ": ["KIS", "CIS", "CIS"],
            "miejscowosc": ["Nieznana Wólka", "Chełm", "Chełm"],
            "teryt": [None, "0662011", "0662011"],
        }
    )
    with Store(settings.database_url) as store:
        store.import_version("lista ROPS", rows)
    day = dt.date(2026, 1, 1)
    before = pipeline.run(settings, day)
    located = before.entities.set_index("id")
    assert pd.isna(located.loc["A", "teryt_gminy"])
    assert before.summary["pes"] == 2  # two CIS in Chełm, the KIS unlocated
    status = before.gminy.set_index("teryt")["pokrycie"]
    assert status["0663011"] == "brak" and status["0662011"] == "w_gminie"

    with Store(settings.database_url) as store:
        store.add_fix("lista ROPS", "id:A", "gmina", {"teryt": "0663011"})
        store.add_fix("lista ROPS", "id:C", "duplikat", {"duplikat_z": "lista ROPS:id:B"})
        store.add_fix("lista ROPS", "id:B", "gminy_obslugiwane", {"gminy": ["0603032"]})
    after = pipeline.run(settings, day)
    status = after.gminy.set_index("teryt")["pokrycie"]
    assert status["0663011"] == "w_gminie"  # the KIS now counts in Lublin
    assert status["0603032"] == "porozumienie"
    assert after.summary["pes"] == 2  # + the KIS, − the duplicate
    assert "C" not in set(after.entities["id"])
    assert after.entities.set_index("id").loc["A", "poprawki"].startswith("gmina przypisana")
