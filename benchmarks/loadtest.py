"""``make loadtest``: concurrent browser sessions against one app server on this machine.

Starts ``streamlit run app.py`` on a loopback port (pinned to two cores when ``taskset`` is
available) and opens the start page in N concurrent headless Chromium sessions (isolated
browser contexts of Debian's /usr/bin/chromium: separate cookies, Streamlit sessions and
websockets). Each session waits for the map, then changes a filter (the "stan na" date)
and waits until the page shows the new date and the map is drawn again. Requests to any
other host are aborted and reported. Bounded: N sessions, a per-step timeout and an overall
deadline, after which the remaining sessions count as errors.

Prints p50/p95 of time to map and time to an updated map after the filter change, and every
error. Exit code 1 when a session failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    guard_requests_async,
    map_paths_async,
    mark_frames_async,
    new_map_paths_async,
    streamlit_server,
)
from geo.config import PROJECT_ROOT  # noqa: E402

SHARED = Path(os.environ.get("PES_TEST_DATA_DIR", PROJECT_ROOT.parent / "shared" / "data"))
GMINAS = {"06": 213, "PL": 2475}
_TODAY = dt.date.today()
#: The filter change: the same day and month in 2020 (28 February for a 29th).
NEW_DAY = _TODAY.replace(year=2020, day=min(_TODAY.day, 28 if _TODAY.month == 2 else 31))


@dataclass
class Session:
    number: int
    to_map: float | None = None  # ms from navigation to the map drawn
    to_filtered: float | None = None  # ms from the filter change to the updated map
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


async def _wait_map(page: Any, min_paths: int, timeout: float, *, new: bool = False) -> None:
    count = new_map_paths_async if new else map_paths_async
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await count(page) >= min_paths:
            return
        error = page.locator('[data-testid="stException"]')
        if await error.count():
            text = " ".join((await error.first.inner_text()).split())
            raise RuntimeError(f"wyjątek na stronie: {text[:200]}")
        await asyncio.sleep(0.05)
    raise TimeoutError(f"mapa nie pojawiła się w {timeout:.0f} s")


def _js_error(exc: Any) -> str:
    """The error and where it was thrown (the first frames of its stack)."""
    frames = [line.strip() for line in (getattr(exc, "stack", "") or "").splitlines()[1:3]]
    return f"błąd JavaScript: {exc}" + (f" ({' | '.join(frames)})" if frames else "")


async def run_session(
    browser: Any, url: str, session: Session, min_paths: int, step_timeout: float, shots: Path
) -> None:
    context = await browser.new_context(viewport={"width": 1600, "height": 1000}, locale="pl-PL")
    try:
        await guard_requests_async(context, session.outside)
        page = await context.new_page()
        page.set_default_timeout(step_timeout * 1000)
        page.on("pageerror", lambda exc: session.errors.append(_js_error(exc)))
        start = time.perf_counter()
        await page.goto(url, timeout=step_timeout * 1000)
        await _wait_map(page, min_paths, step_timeout)
        session.to_map = (time.perf_counter() - start) * 1000

        # The filter: the "stan na" date field (day . month . year segments); a new year is
        # typed into its year segment and committed when the field loses focus.
        year = page.locator('[data-testid="stDateInput"] [data-type="year"]').first
        await year.click()
        await page.keyboard.type(str(NEW_DAY.year))
        await mark_frames_async(page)
        start = time.perf_counter()
        await page.locator("h1").first.click()
        await page.get_by_text(f"stan na {NEW_DAY:%d.%m.%Y}").first.wait_for()
        await _wait_map(page, min_paths, step_timeout, new=True)
        session.to_filtered = (time.perf_counter() - start) * 1000
        if await page.locator('[data-testid="stException"]').count():
            session.errors.append("wyjątek na stronie")
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the test
        session.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        with contextlib.suppress(Exception):
            shot = shots / f"session-{session.number}.png"
            await page.screenshot(path=str(shot))
            session.errors.append(f"zrzut ekranu: {shot}")
    finally:
        await context.close()


async def run_all(
    url: str,
    sessions: list[Session],
    min_paths: int,
    step_timeout: float,
    deadline: float,
    shots: Path,
) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tasks = [
                asyncio.create_task(run_session(browser, url, s, min_paths, step_timeout, shots))
                for s in sessions
            ]
            done, pending = await asyncio.wait(tasks, timeout=deadline)
            for task in pending:
                task.cancel()
            for s, task in zip(sessions, tasks, strict=True):
                if task in pending:
                    s.errors.append(f"przerwano po {deadline:.0f} s (limit całego testu)")
        finally:
            await browser.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def report(sessions: list[Session], server_cpus: str, elapsed: float, cold: bool) -> int:
    print(f"mapa-es load test, {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPU")
    start = "cold server" if cold else "after one warm-up visit"
    print(
        f"{len(sessions)} concurrent sessions ({start}), server on CPUs {server_cpus}, "
        f"{elapsed:.0f} s"
    )
    for label, values in (
        ("time to map (ms)", [s.to_map for s in sessions if s.to_map is not None]),
        (
            "filter change to updated map (ms)",
            [s.to_filtered for s in sessions if s.to_filtered is not None],
        ),
    ):
        if values:
            print(
                f"{label:<36} p50 {statistics.median(values):7.0f}   "
                f"p95 {percentile(values, 0.95):7.0f}   max {max(values):7.0f}   n={len(values)}"
            )
        else:
            print(f"{label:<36} no completed session")
    failed = [s for s in sessions if s.errors]
    outside = sorted({u for s in sessions for u in s.outside if "openstreetmap" not in u})
    print(f"errors: {sum(len(s.errors) for s in sessions)} in {len(failed)} sessions")
    for s in failed:
        for error in s.errors:
            print(f"  session {s.number}: {error}")
    if outside:
        print(f"requests off this machine (blocked): {outside[:5]}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--region", default="06")
    parser.add_argument("--cpus", default="0,1", help="cores for the server (taskset -c)")
    parser.add_argument("--step-timeout", type=float, default=120.0)
    parser.add_argument("--deadline", type=float, default=300.0)
    parser.add_argument(
        "--cold",
        action="store_true",
        help="no warm-up session: all sessions hit the freshly started server at once",
    )
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print("/usr/bin/chromium is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    if not (SHARED / "boundaries").is_dir():
        print(f"reference data not found at {SHARED}", file=sys.stderr)
        return 2
    sessions = [Session(i + 1) for i in range(max(1, min(args.sessions, 50)))]
    home = Path(tempfile.mkdtemp(prefix="pes-load-"))
    env = {"PES_HOME": str(home / "home"), "PES_REGION": args.region, "PES_DATA_DIR": str(SHARED)}
    started = time.perf_counter()
    log = home / "streamlit.log"
    with streamlit_server(PROJECT_ROOT / "app.py", env, log, cpus=args.cpus) as server:
        if not args.cold:
            # One visit first: the server's import and cache warm-up is not what is measured.
            warm = [Session(0)]
            asyncio.run(run_all(server.url, warm, GMINAS.get(args.region, 1), 120, 180, home))
            if warm[0].errors:
                print(f"warm-up failed: {warm[0].errors}", file=sys.stderr)
        asyncio.run(
            run_all(
                server.url,
                sessions,
                GMINAS.get(args.region, 1),
                args.step_timeout,
                args.deadline,
                home,
            )
        )
    return report(sessions, args.cpus, time.perf_counter() - started, args.cold)


if __name__ == "__main__":
    sys.exit(main())
