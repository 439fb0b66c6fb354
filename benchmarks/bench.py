"""``make bench``: speed and memory of the core computation, printed as a table.

Each row: what was measured, our figure, and where a naive baseline exists, the baseline and
the ratio. Run in one process; figures depend on the machine (see BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import synthetic_registry  # noqa: E402
from geo.config import get_settings  # noqa: E402
from geo.coverage import gmina_coverage  # noqa: E402
from geo.locate import locate_entities  # noqa: E402
from geo.region import load_region  # noqa: E402
from geo.store import Store  # noqa: E402

AS_OF = dt.date(2026, 1, 1)


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time in ms over ``repeat`` runs, and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, (time.perf_counter() - start) * 1000)
    return best, result


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_region(region_code: str, sizes: list[int], rows: list[tuple]) -> None:
    home = Path(tempfile.mkdtemp(prefix="pes-bench-"))
    settings = dataclasses.replace(
        get_settings({**os.environ, "PES_HOME": str(home), "PES_REGION": region_code})
    )
    load_ms, region = timed(lambda: load_region(settings))
    rows.append((f"[{region_code}] load region ({len(region.gminy)} gmin)", f"{load_ms:.0f} ms"))
    base = None
    for n in sizes:
        registry = synthetic_registry(region.gminy, n, seed=n)
        store = Store(f"sqlite:///{home / f'bench{n}.sqlite'}")
        import_ms, _ = timed(lambda: store.import_version("bench", registry))  # noqa: B023
        locate_ms, located = timed(
            lambda: locate_entities(registry, region.gminy, region.terc, region_code)  # noqa: B023
        )
        cover_ms, coverage = timed(lambda: gmina_coverage(region.gminy, located, AS_OF))  # noqa: B023
        total = import_ms + locate_ms + cover_ms
        base = base or total
        located_share = located["teryt_gminy"].notna().mean() * 100
        rows.append(
            (
                f"[{region_code}] {n:>7,} entities: import / locate / coverage",
                f"{import_ms:.0f} / {locate_ms:.0f} / {cover_ms:.0f} ms",
                f"total {total:.0f} ms = {total / base:.2f}x of {sizes[0]:,}",
                f"located {located_share:.1f}%, "
                f"covered gminas {int(coverage['has_social_employment'].sum())}",
            )
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--regions", default="06,PL")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[tuple] = []
    for region in args.regions.split(","):
        bench_region(region.strip(), sizes, rows)
    rows.append(("peak memory (RSS) of this process", f"{peak_rss_mb():.0f} MB"))
    print(
        f"mapa-es benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}, {platform.platform()}, "
        f"{os.cpu_count()} CPU, Python {platform.python_version()}"
    )
    width = max(len(r[0]) for r in rows)
    for row in rows:
        print(f"{row[0]:<{width}}  " + "  |  ".join(row[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
