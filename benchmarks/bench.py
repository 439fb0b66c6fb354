"""``make bench``: our figures beside a naive baseline, checked against the targets of issue 7.

One process run prints a table: each row is one measure, our figure, the baseline (the naive
approach of ``benchmarks/naive.py``, or for scale rows the 1,000-entity figure), the ratio,
the target and whether it is met. Sections:

* map document sent to the browser (Lubelskie, Poland) and the time to build it;
* server time of a page rerun in AppTest with warm caches (a click, a filter change);
* import + coverage of 1k/10k/100k synthetic entities in all of Poland, step by step;
* cold start and time to map in headless Chromium (Debian's /usr/bin/chromium), ours and
  the naive page, loopback only;
* peak memory of this process.

Figures depend on the machine and its load; BENCHMARKS.md records one run with the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import gc
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import folium  # noqa: E402

from benchmarks.naive import naive_map  # noqa: E402
from benchmarks.scenarios import bench_scenarios  # noqa: E402
from benchmarks.synthetic import synthetic_registry  # noqa: E402
from geo import pipeline  # noqa: E402
from geo.analysis.coverage import gmina_coverage  # noqa: E402
from geo.analysis.locate import locate_entities  # noqa: E402
from geo.config import PROJECT_ROOT, Settings, get_settings  # noqa: E402
from geo.io.region import RegionData  # noqa: E402
from geo.io.registry import read_registry  # noqa: E402
from geo.store import Store  # noqa: E402
from geo.web.maps import MapOptions, build_map  # noqa: E402
from geo.web.simplify import web_gminy, web_powiaty  # noqa: E402
from geo.web.topo_layer import use_topojson  # noqa: E402
from pages._mapview import map_arguments  # noqa: E402

AS_OF = dt.date(2026, 1, 1)
SHARED = Path(os.environ.get("PES_TEST_DATA_DIR", PROJECT_ROOT.parent / "shared" / "data"))
#: The map page returns only clicks (pages/mapa.py): pan and zoom do not rerun.
OUR_RETURNED = ["last_active_drawing"]


@dataclasses.dataclass
class Row:
    measure: str
    ours: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""


ROWS: list[Row] = []


def add(measure: str, ours: str, baseline: str = "", ratio: str = "", target: str = "") -> None:
    ROWS.append(Row(measure, ours, baseline, ratio, target))


def check(row_target: str, ok: bool) -> None:
    ROWS[-1].target = row_target
    ROWS[-1].met = "yes" if ok else "NO"


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time in ms over ``repeat`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, (time.perf_counter() - start) * 1000)
    return best, result


def kb(n: float) -> str:
    return f"{n / 1024:,.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.2f} MB"


def settings_for(region: str, home: Path) -> Settings:
    return get_settings(
        {**os.environ, "PES_HOME": str(home), "PES_REGION": region, "PES_DATA_DIR": str(SHARED)}
    )


# --------------------------------------------------------------------------- map document


def document_bytes(m: folium.Map, returned_objects: list[str] | None) -> int:
    """Bytes sent to the browser for ``m``: the component arguments as JSON.

    The arguments are those of ``pages._mapview.map_arguments`` (st_folium's own, checked by
    tests/test_mapview.py); ``returned_objects=None`` is st_folium's default (everything,
    the view included), serialised as Streamlit serialises component arguments.
    """
    args = map_arguments(m, key="bench", returned_objects=[])
    args["returned_objects"] = returned_objects
    return len(json.dumps(args).encode("utf-8"))


def our_map(result: pipeline.CoverageResult, cache_dir: Path) -> folium.Map:
    """The map as the page builds it once web geometry is integrated (see BENCHMARKS.md)."""
    gminy = web_gminy(result.gminy, cache_dir=cache_dir)
    powiaty = web_powiaty(gminy, cache_dir=cache_dir)
    m = build_map(
        gminy,
        result.entities,
        powiaty,
        MapOptions(
            note=f"Stan na {result.as_of:%d.%m.%Y}",
            attribution="Źródło: GUS (granice, ludność, TERYT), PRG GUGiK",
        ),
    )
    return use_topojson(m)


def bench_documents(home: Path) -> dict[str, int]:
    gminas: dict[str, int] = {}
    for region in ("06", "PL"):
        s = settings_for(region, home / f"doc-{region}")
        result = pipeline.run(s, AS_OF)
        gminas[region] = len(result.gminy)
        cache = home / f"webgeom-{region}"
        cold_ms, _ = timed(lambda: web_gminy(result.gminy, cache_dir=cache))  # noqa: B023
        warm_ms, _ = timed(lambda: web_gminy(result.gminy, cache_dir=cache), 3)  # noqa: B023
        ours_build, m = timed(lambda: our_map(result, cache), 3)  # noqa: B023
        naive_build, nm = timed(lambda: naive_map(result), 3)  # noqa: B023
        ours_bytes = document_bytes(m, OUR_RETURNED)
        naive_bytes = document_bytes(nm, None)
        label = "Lubelskie" if region == "06" else "Polska"
        add(
            f"[{label}] map document sent to the browser",
            kb(ours_bytes),
            kb(naive_bytes),
            f"{ours_bytes / naive_bytes:.0%}",
        )
        if region == "06":
            check("<= 40 % of naive", ours_bytes <= 0.4 * naive_bytes)
        else:
            check("<= 2.5 MB", ours_bytes <= 2.5 * 1024 * 1024)
        ours_ser, _ = timed(lambda: document_bytes(our_map(result, cache), OUR_RETURNED), 3)  # noqa: B023
        naive_ser, _ = timed(lambda: document_bytes(naive_map(result), None), 3)  # noqa: B023
        add(
            f"[{label}] map build (ms)",
            f"{ours_build:.0f}",
            f"{naive_build:.0f}",
            f"{ours_build / naive_build:.2f}",
        )
        add(
            f"[{label}] map build + serialise for st_folium (ms)",
            f"{ours_ser:.0f}",
            f"{naive_ser:.0f}",
            f"{ours_ser / naive_ser:.2f}",
        )
        add(
            f"[{label}] web geometry: first / cached (ms)",
            f"{cold_ms:.0f} / {warm_ms:.0f}",
        )
    return gminas


# --------------------------------------------------------------------------- reruns


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    os.environ.pop("PES_DATABASE_URL", None)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _median_ms(fn: Callable[[], Any], n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def rerun_times(script: Path) -> tuple[float, float, float]:
    """(first run, warm rerun, warm filter change) in ms, AppTest, one session."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    # Both pages start from empty caches (they share this process).
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(script), default_timeout=180)
    start = time.perf_counter()
    at.run()
    first = (time.perf_counter() - start) * 1000
    if at.exception:
        raise RuntimeError(f"{script.name}: {[e.value for e in at.exception]}")
    rerun = _median_ms(at.run, 7)
    days = [dt.date(2020, 1, 1), dt.date(2024, 6, 30)]
    for day in days:  # compute both once: the caches are warm afterwards
        at.date_input[0].set_value(day).run()
    flips = []
    for i in range(6):
        start = time.perf_counter()
        at.date_input[0].set_value(days[i % 2]).run()
        flips.append((time.perf_counter() - start) * 1000)
    if at.exception:
        raise RuntimeError(f"{script.name}: {[e.value for e in at.exception]}")
    return first, rerun, statistics.median(flips)


def bench_reruns(home: Path) -> None:
    env = {"PES_HOME": str(home / "apptest"), "PES_REGION": "06", "PES_DATA_DIR": str(SHARED)}
    with environment(env):
        ours = rerun_times(PROJECT_ROOT / "app.py")
        naive = rerun_times(naive_launcher(home))
    names = ("first run, cold caches", "rerun (a click), warm caches", "filter change, warm")
    for name, a, b in zip(names, ours, naive, strict=True):
        add(f"[Lubelskie] page {name} (ms, AppTest)", f"{a:.0f}", f"{b:.0f}", f"{a / b:.2f}")
        if "warm" in name:
            check("<= 50 ms", a <= 50)
    add("[Lubelskie] pan/zoom reruns the page", "no", "yes", "", "no rerun")
    ROWS[-1].met = "yes"


# --------------------------------------------------------------------------- scale


def _scale_run(path: Path, db: Path, region: RegionData) -> tuple[dict[str, float], Any, Any]:
    """One import + coverage: the time of each step (ms), the located entities and coverage."""
    store = Store(f"sqlite:///{db}")
    gc.collect()
    steps: dict[str, float] = {}
    steps["read"], parsed = timed(lambda: read_registry(path))
    steps["store"], _ = timed(lambda: store.import_version("bench", parsed.frame))
    steps["read back"], frame = timed(store.current_entities)
    steps["locate"], located = timed(
        lambda: locate_entities(frame, region.gminy, region.terc, "PL")
    )
    steps["coverage"], coverage = timed(lambda: gmina_coverage(region.gminy, located, AS_OF))
    store.close()
    return steps, located, coverage


def bench_scale(home: Path, sizes: list[int], runs: int = 3) -> None:
    """Each size ``runs`` times, each into a new database; medians of the steps and of the
    totals (a busy moment of a shared machine moves one run, not the figure)."""
    region_settings = settings_for("PL", home / "scale")
    load_ms, region = timed(lambda: pipeline.load_region(region_settings))
    add(f"[Polska] load region ({len(region.gminy)} gmin, fixed cost)", f"{load_ms:.0f} ms")
    base: dict[str, float] = {}
    for n in sizes:
        registry = synthetic_registry(region.gminy, n, seed=n)
        path = home / f"rejestr-{n}.csv"
        registry.to_csv(path, index=False, sep=";")
        times: list[dict[str, float]] = []
        for i in range(runs):
            run, located, coverage = _scale_run(path, home / f"scale-{n}-{i}.sqlite", region)
            times.append(run)
        steps = {step: statistics.median(t[step] for t in times) for step in times[0]}
        total = statistics.median(sum(t.values()) for t in times)
        with_load = total + load_ms
        if not base:
            base = {"total": total, "with_load": with_load}
        located_share = located["teryt_gminy"].notna().mean() * 100
        add(
            f"[Polska] {n:>7,} entities: read / store / read back / locate / coverage "
            f"(ms, median of {runs})",
            " / ".join(f"{v:.0f}" for v in steps.values()),
            "",
            "",
            f"located {located_share:.0f} %, covered gminas "
            f"{int(coverage['has_social_employment'].sum())}",
        )
        add(
            f"[Polska] {n:>7,} entities: import + coverage (ms)",
            f"{total:.0f}",
            f"{base['total']:.0f}",
            f"{total / base['total']:.2f}x",
        )
        add(
            f"[Polska] {n:>7,} entities: import + coverage incl. region load (ms)",
            f"{with_load:.0f}",
            f"{base['with_load']:.0f}",
            f"{with_load / base['with_load']:.2f}x",
        )
        if n == max(sizes) and n >= 100 * min(sizes):
            check("<= 3x of 1k", with_load <= 3 * base["with_load"])


# --------------------------------------------------------------------------- browser


def _time_to_map(script: Path, env: dict[str, str], min_paths: int, log: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from benchmarks.browser import (
        CHROMIUM,
        CHROMIUM_ARGS,
        guard_requests,
        streamlit_server,
        wait_for_map,
    )

    out: dict[str, float] = {}
    outside: list[str] = []
    with streamlit_server(script, env, log) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            loads = []
            for i in range(6):
                context = browser.new_context(viewport={"width": 1600, "height": 1000})
                guard_requests(context, outside)
                page = context.new_page()
                start = time.perf_counter()
                page.goto(server.url)
                try:
                    drawn = wait_for_map(page, min_paths)
                except TimeoutError:
                    page.screenshot(path=str(log.with_suffix(".png")))
                    raise TimeoutError(f"no map; see {log.with_suffix('.png')}") from None
                if i == 0:
                    out["cold start"] = (drawn - server.started) * 1000
                    out["first page"] = (drawn - start) * 1000
                else:
                    loads.append((drawn - start) * 1000)
                context.close()
            out["warm page"] = statistics.median(loads)
        finally:
            browser.close()
    out["outside"] = float(len([u for u in outside if "openstreetmap" not in u]))
    return out


_NAIVE_LAUNCHER = """
# The real app with the naive map in place of ours (generated by benchmarks/bench.py).
import runpy
import sys

sys.path.insert(0, {root!r})
import streamlit_folium

from benchmarks.naive import naive_map, offline

_real = streamlit_folium.st_folium


def _naive(fig=None, **options):
    from pages import _common as c

    result = c.coverage(c.chosen_date())
    # Default st_folium: every pan and zoom returns the view and reruns the page.
    return _real(
        offline(naive_map(result)),
        key=options.get("key"),
        height=options.get("height", 700),
        use_container_width=True,
    )


streamlit_folium.st_folium = _naive
import pages._mapview as _mapview

# The pages draw maps through show_map (rendered once per view): naive is plain st_folium.
_mapview.show_map = lambda build, **options: _naive(**options)
runpy.run_path({app!r}, run_name="__main__")
"""


def naive_launcher(home: Path) -> Path:
    """The real app with the naive map: same page, same data, only the map differs.

    The launcher lives in a work folder beside links to ``pages/`` and ``static/`` (Streamlit
    resolves both next to the main script) and swaps st_folium for the naive map.
    """
    folder = home / "naive"
    folder.mkdir(exist_ok=True)
    for name in ("pages", "static"):
        (folder / name).unlink(missing_ok=True)
        (folder / name).symlink_to(PROJECT_ROOT / name, target_is_directory=True)
    launcher = folder / "naive_app.py"
    launcher.write_text(
        _NAIVE_LAUNCHER.format(root=str(PROJECT_ROOT), app=str(PROJECT_ROOT / "app.py"))
    )
    return launcher


def bench_browser(home: Path, gminas: dict[str, int]) -> None:
    from benchmarks.browser import CHROMIUM

    if not CHROMIUM.exists():
        add("browser measures", "skipped: /usr/bin/chromium missing")
        return
    for region in ("06", "PL"):
        label = "Lubelskie" if region == "06" else "Polska"
        results = {}
        for name, script in (
            ("ours", PROJECT_ROOT / "app.py"),
            ("naive", naive_launcher(home)),
        ):
            env = {
                "PES_HOME": str(home / f"browser-{region}-{name}"),
                "PES_REGION": region,
                "PES_DATA_DIR": str(SHARED),
            }
            log = home / f"streamlit-{region}-{name}.log"
            try:
                results[name] = _time_to_map(script, env, gminas[region], log)
            except Exception as exc:  # noqa: BLE001 - reported as a row, the run goes on
                add(f"[{label}] browser measure of the {name} page", f"failed: {exc}"[:120])
        if len(results) < 2:
            continue
        ours, naive = results["ours"], results["naive"]
        add(
            f"[{label}] cold start: server spawn to map drawn (ms, Chromium)",
            f"{ours['cold start']:.0f}",
            f"{naive['cold start']:.0f}",
            f"{ours['cold start'] / naive['cold start']:.2f}",
            "measured",
        )
        add(
            f"[{label}] time to map, first page on a new server (ms)",
            f"{ours['first page']:.0f}",
            f"{naive['first page']:.0f}",
            f"{ours['first page'] / naive['first page']:.2f}",
        )
        add(
            f"[{label}] time to map, warm server, new session (ms, median of 5)",
            f"{ours['warm page']:.0f}",
            f"{naive['warm page']:.0f}",
            f"{ours['warm page'] / naive['warm page']:.2f}",
        )
        if region == "06":
            check("<= naive", ours["warm page"] <= naive["warm page"])
            ratio = ours["warm page"] / naive["warm page"]
            add(f"[{label}] time to map, warm server, new session: ours / naive", f"{ratio:.2f}")
            check("<= 0.8 (issue 15)", ratio <= 0.8)
        if ours["outside"]:
            add(f"[{label}] requests off this machine (ours)", f"{ours['outside']:.0f}")


# --------------------------------------------------------------------------- report


def machine() -> str:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        first = Path("/proc/meminfo").read_text().splitlines()[0]
        mem = f", {int(first.split()[1]) / 1024 / 1024:.0f} GB RAM"
    import geopandas
    import pandas
    import shapely
    import streamlit

    return (
        f"{platform.platform()}, {cpu}, {os.cpu_count()} CPU{mem}; Python "
        f"{platform.python_version()}, pandas {pandas.__version__}, geopandas "
        f"{geopandas.__version__}, shapely {shapely.__version__}, folium {folium.__version__}, "
        f"streamlit {streamlit.__version__}"
    )


def print_table() -> None:
    headers = Row("measure", "ours", "baseline", "ratio", "target", "met")
    rows = [headers, *ROWS]
    widths = [max(len(getattr(r, f.name)) for r in rows) for f in dataclasses.fields(Row)]
    for i, r in enumerate(rows):
        cells = [getattr(r, f.name) for f in dataclasses.fields(Row)]
        print(" | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        if i == 0:
            print("-+-".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3, help="runs of each scale size (median)")
    parser.add_argument(
        "--skip", default="", help="sections to skip: documents,reruns,scale,scenarios,browser"
    )
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    if not (SHARED / "boundaries").is_dir():
        print(f"reference data not found at {SHARED}", file=sys.stderr)
        return 2
    home = Path(tempfile.mkdtemp(prefix="pes-bench-"))
    started = time.perf_counter()
    gminas = {"06": 213, "PL": 2475}
    if "documents" not in skip:
        gminas = bench_documents(home)
    if "reruns" not in skip:
        bench_reruns(home)
    if "scale" not in skip:
        bench_scale(home, [int(s) for s in args.sizes.split(",")], max(1, args.runs))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    add("peak memory (RSS) of this process", f"{peak:.0f} MB")
    if "scenarios" not in skip:
        bench_scenarios(add, check, SHARED)
    if "browser" not in skip:
        bench_browser(home, gminas)
    print(f"mapa-es benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(machine())
    print()
    print_table()
    print(f"\n({time.perf_counter() - started:.0f} s; work files in {home})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
