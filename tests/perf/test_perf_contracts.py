"""Design guards for performance: sizes and call counts, never wall-clock times.

The timings themselves are measured by ``make bench`` (BENCHMARKS.md); these tests make sure
the designs that give them stay in place: a small map document, work per distinct value
instead of per row, bulk database writes, cache keys that follow the boundaries, and a map
that does not rerun the page on pan or zoom.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from benchmarks.bench import OUR_RETURNED, document_bytes, our_map
from benchmarks.naive import naive_map
from benchmarks.synthetic import synthetic_registry
from geo import pipeline
from geo.analysis import locate as L
from geo.analysis.locate import by_name, checks
from geo.config import PROJECT_ROOT, get_settings
from geo.core import text
from geo.core.teryt import Terc
from geo.core.text import fold
from geo.io.registry import _parse_coordinate
from geo.store import _CHUNK_ROWS, Store
from geo.web import simplify as webgeom


@pytest.fixture(scope="module")
def lubelskie(tmp_path_factory, shared_data):
    home = tmp_path_factory.mktemp("perf")
    env = {"PES_HOME": str(home), "PES_DATA_DIR": str(shared_data), "PES_REGION": "06"}
    return pipeline.run(get_settings(env), dt.date(2026, 1, 1)), home


def test_map_document_at_most_40_percent_of_naive(lubelskie) -> None:
    result, home = lubelskie
    ours = document_bytes(our_map(result, home / "webgeom"), OUR_RETURNED)
    naive = document_bytes(naive_map(result), None)
    assert ours <= 0.4 * naive, (ours, naive)


def test_map_document_scales_with_entities_not_with_boundaries(lubelskie) -> None:
    """Boundaries are a fixed, small part: 213 gminas cost less than 100 KB of the document."""
    result, home = lubelskie
    without = document_bytes(our_map(_without_entities(result), home / "webgeom"), OUR_RETURNED)
    assert without < 100 * 1024


def _without_entities(result: pipeline.CoverageResult) -> pipeline.CoverageResult:
    import dataclasses

    return dataclasses.replace(result, entities=result.entities.iloc[0:0])


def test_locate_works_per_distinct_value_not_per_row(gminy_06, terc_pl, monkeypatch) -> None:
    n = 3000
    registry = synthetic_registry(gminy_06, n, seed=7)
    assert registry["nazwa"].nunique() == n  # distinct names: no sharing of work by value
    folds: list[object] = []
    normalised: list[object] = []
    real_fold, real_normalize = text.fold, Terc.normalize
    text._fold_tables()  # built once per process, from fold() itself: not per-row work
    for module in (text, by_name, checks):
        monkeypatch.setattr(module, "fold", lambda v: folds.append(v) or real_fold(v))
    monkeypatch.setattr(
        Terc, "normalize", lambda self, v: normalised.append(v) or real_normalize(self, v)
    )
    located = L.locate_entities(registry, gminy_06, terc_pl, "06")
    assert len(located) == n
    distinct_names = registry["gmina"].nunique() + registry["miejscowosc"].nunique()
    # gazetteer (one per gmina), gmina names and localities: never one per entity
    assert len(folds) <= 2 * len(gminy_06) + 3 * distinct_names < n
    # one per distinct code, and per item of each distinct service-area text
    per_value = registry["teryt"].nunique() + 3 * registry["gminy_obslugiwane"].nunique()
    assert len(normalised) <= per_value < n


def test_vectorised_fold_equals_fold() -> None:
    """The column kernels give fold()'s result for every character, including the tricky ones."""
    chars = [chr(c) for a, b in text.SAFE_RANGES for c in range(a, b + 1)]
    rng = random.Random(3)
    extra = ["ΟΔΟΣ", "İstanbul", "Ｆｕｌｌ", "ﬁ", "Straße", "A\u2003B", "\u1680x", None, 12, 3.5]
    words = [
        "".join(rng.choice(chars + [" ", "\u00a0", "Σ", "ç"]) for _ in range(rng.randint(0, 9)))
        for _ in range(3000)
    ]
    values = pd.Series(chars + extra + words + [float("nan"), "nan", " NaN "], dtype=object)
    assert text.fold_column(values).tolist() == values.map(fold).tolist()
    # every combining mark the kernels remove is one fold() removes
    assert all(unicodedata.combining(c) for c in "\u0301\u0328\u0307")


def test_store_writes_in_bulk(tmp_path) -> None:
    n = _CHUNK_ROWS * 2 + 5
    frame = pd.DataFrame({"nazwa": [f"Podmiot {i}" for i in range(n)], "typ": "NGO"})
    frame["szerokosc"] = np.linspace(50, 51, n)
    store = Store(f"sqlite:///{tmp_path / 's.sqlite'}")
    inserts: list[int] = []

    @sa.event.listens_for(store.engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ENTITIES"):
            inserts.append(len(parameters) if executemany else 1)

    store.import_version("rejestr", frame)
    assert len(inserts) == 3  # one statement per chunk, not per row
    assert sum(inserts) < n / 10  # and on SQLite each set of parameters holds many rows
    back = store.current_entities()
    assert back["nazwa"].tolist() == frame["nazwa"].tolist()
    assert np.allclose(back["szerokosc"], frame["szerokosc"])
    assert back["typ"].eq("NGO").all() and back["adres"].isna().all()
    store.close()


def test_web_geometry_cache_key_follows_the_boundaries(gminy_06) -> None:
    key = webgeom.boundaries_key(gminy_06, tolerance_m=200, decimals=5)
    assert key == webgeom.boundaries_key(gminy_06.copy(), tolerance_m=200, decimals=5)
    changed = gminy_06.copy()
    changed.loc[3, "geometry"] = changed.geometry.iloc[3].buffer(0.0001)
    assert webgeom.boundaries_key(changed, tolerance_m=200, decimals=5) != key
    recoded = gminy_06.assign(teryt=gminy_06["teryt"].str.replace("06", "07", n=1))
    assert webgeom.boundaries_key(recoded, tolerance_m=200, decimals=5) != key
    assert webgeom.boundaries_key(gminy_06, tolerance_m=300, decimals=5) != key
    assert webgeom.boundaries_key(gminy_06, tolerance_m=200, decimals=4) != key


def test_coordinates_fast_path_keeps_results() -> None:
    text = pd.Series(
        ["51,2465", "51.5", " 22.1 ", "51, 2465", "5 1.0", "abc", None], dtype="string"
    )
    got = _parse_coordinate(text).tolist()
    assert got[:5] == [51.2465, 51.5, 22.1, 51.2465, 51.0]
    assert np.isnan(got[5]) and np.isnan(got[6])


def test_map_page_pan_and_zoom_do_not_rerun_and_reruns_reuse_caches(pes_env, monkeypatch) -> None:
    import streamlit_folium

    calls: list[dict] = []
    # what reaches the browser component (pages/_mapview.py replays st_folium's arguments)
    monkeypatch.setattr(
        streamlit_folium, "_component_func", lambda **k: calls.append(k) or k["default"]
    )
    computed: list[dt.date] = []
    real_compute = pipeline.compute
    monkeypatch.setattr(
        pipeline, "compute", lambda *a, **k: computed.append(a[3]) or real_compute(*a, **k)
    )
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert calls, "the map page no longer draws a streamlit-folium map"
    returned = calls[0].get("returned_objects")
    # None would return the view (zoom, bounds, center) and rerun on every pan and zoom
    assert returned is not None
    assert not {"zoom", "bounds", "center"} & set(returned)
    first = len(computed)
    at.run()  # a click or any widget: the coverage is not computed again
    assert not at.exception
    assert len(computed) == first
