"""A local Streamlit server and headless Chromium for the benchmark and the load test.

Loopback only: the server listens on 127.0.0.1 and every browser request to another host is
aborted (and counted), so nothing leaves the machine. The browser is Debian's Chromium.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from geo.config import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
#: Leaflet paths drawn in the map's overlay pane (gminas, powiat lines, markers).
OVERLAY_PATHS = ".leaflet-overlay-pane path"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    started: float  # time.perf_counter() when the process was spawned
    log: Path
    ready: float = 0.0  # when /_stcore/health first answered
    extra: dict[str, Any] = field(default_factory=dict)


def _wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"streamlit exited:\n{server.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    server.ready = time.perf_counter()
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"streamlit not healthy in {timeout} s:\n{server.log.read_text()[-3000:]}")


@contextlib.contextmanager
def streamlit_server(
    script: str | Path,
    env: Mapping[str, str],
    log: Path,
    *,
    cpus: str | None = None,
    timeout: float = 90,
) -> Iterator[Server]:
    """Run ``streamlit run script`` on a free loopback port until the block ends.

    ``cpus`` (e.g. ``"0,1"``) pins the server to those cores with ``taskset`` when available.
    """
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    if cpus and Path("/usr/bin/taskset").exists():
        command = ["/usr/bin/taskset", "-c", cpus, *command]
    full_env = {k: v for k, v in os.environ.items() if k != "PES_DATABASE_URL"} | dict(env)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(url=f"http://127.0.0.1:{port}", proc=proc, started=started, log=log)
    try:
        _wait_healthy(server, timeout)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def guard_requests(target: Any, outside: list[str]) -> None:
    """Abort (and record) every request of ``target`` (page or context) to another host."""

    def route(request_route: Any) -> None:
        if urlparse(request_route.request.url).hostname in LOCAL_HOSTS:
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    target.route("**/*", route)


async def guard_requests_async(target: Any, outside: list[str]) -> None:
    """:func:`guard_requests` for Playwright's async API."""

    async def route(request_route: Any) -> None:
        if urlparse(request_route.request.url).hostname in LOCAL_HOSTS:
            await request_route.continue_()
        else:
            outside.append(request_route.request.url)
            await request_route.abort()

    await target.route("**/*", route)


def map_paths(page: Any) -> int:
    """Leaflet overlay paths drawn in any frame of ``page`` (the map is in an iframe)."""
    best = 0
    for frame in page.frames:
        with contextlib.suppress(Exception):  # frames come and go while Streamlit renders
            best = max(best, frame.locator(OVERLAY_PATHS).count())
    return best


def wait_for_map(page: Any, min_paths: int, timeout: float = 120) -> float:
    """Poll until the map has at least ``min_paths`` paths; return perf_counter() then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if map_paths(page) >= min_paths:
            return time.perf_counter()
        page.wait_for_timeout(25)
    raise TimeoutError(f"the map did not draw {min_paths} paths in {timeout} s")


async def map_paths_async(page: Any) -> int:
    best = 0
    for frame in page.frames:
        with contextlib.suppress(Exception):
            best = max(best, await frame.locator(OVERLAY_PATHS).count())
    return best


async def mark_frames_async(page: Any) -> None:
    """Mark every current frame's window, so that a redrawn map (a new frame) can be told."""
    for frame in page.frames:
        with contextlib.suppress(Exception):
            await frame.evaluate("window.__pesOld = true")


async def new_map_paths_async(page: Any) -> int:
    """Like :func:`map_paths_async`, counting only frames not marked by mark_frames_async."""
    best = 0
    for frame in page.frames:
        with contextlib.suppress(Exception):
            if await frame.evaluate("window.__pesOld === true"):
                continue
            best = max(best, await frame.locator(OVERLAY_PATHS).count())
    return best
