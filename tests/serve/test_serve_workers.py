"""The production launch with two real workers behind nginx (deploy/serve.py, `make serve`).

Sessions are opened over Streamlit's websocket protocol through nginx
(:mod:`deploy.session_client`), as a browser would after loading the page: the tests read
which worker answered (nginx's ``X-Mapa-Worker`` header) and what the new session shows.
Needs Debian's nginx: skipped outside CI when it is missing, a failure in CI.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.serve import Worker, find_nginx, free_port, render_nginx, wait_healthy
from deploy.session_client import RunResult, first_run
from geo.config import PROJECT_ROOT
from pages import _preload as preload

pytestmark = pytest.mark.serve


def _require_nginx() -> None:
    if find_nginx():
        return
    if os.environ.get("CI"):
        pytest.fail("nginx must be installed in CI (.ci/run installs it)")
    pytest.skip("nginx is not installed (apt-get install nginx)")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[dict]:
    _require_nginx()
    home = tmp_path_factory.mktemp("serve") / "home"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PES_DATABASE_URL"}
    env |= {"PES_HOME": str(home), "PES_DATA_DIR": str(shared_data), "PES_REGION": "06"}
    log = home.parent / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "deploy.serve", "--workers", "2", "--port", str(port)],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{url}/healthz", 240, proc)
        yield {"url": url, "env": env, "home": home, "proc": proc, "log": log}
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)


def _session(url: str, cookie: str) -> RunResult:
    return asyncio.run(first_run(url, "", cookie=f"mapaes_worker={cookie}"))


def _cookie_per_worker(url: str) -> dict[str, str]:
    """A routing cookie for each worker, found by asking nginx (the hash decides)."""
    found: dict[str, str] = {}
    for i in range(64):
        request = urllib.request.Request(url + "/", headers={"Cookie": f"mapaes_worker=k{i}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            found.setdefault(response.headers["X-Mapa-Worker"], f"k{i}")
        if len(found) == 2:
            break
    return found


def _covered(result: RunResult) -> str:
    """The "Gminy z CIS/KIS" figure of the start page ("12 / 213")."""
    figures = [t for t in result.texts if t.endswith("/ 213")]
    assert figures, result.text[:2000]
    return figures[0]


def test_sticky_sessions(service: dict) -> None:
    url = service["url"]
    cookies = _cookie_per_worker(url)
    assert set(cookies) == {"w1", "w2"}, "both workers take sessions"
    for worker, cookie in cookies.items():
        # the page, its websocket and later requests of one browser reach one worker
        runs = [_session(url, cookie) for _ in range(2)]
        assert {r.worker for r in runs} == {worker}
        assert all(not r.exceptions for r in runs)


def test_a_version_imported_once_is_seen_on_every_worker(service: dict, tmp_path: Path) -> None:
    url = service["url"]
    cookies = _cookie_per_worker(url)
    before = {w: _covered(_session(url, c)) for w, c in cookies.items()}
    assert len(set(before.values())) == 1
    registry = tmp_path / "rejestr.csv"
    registry.write_text(
        "nazwa,typ,teryt\n"
        "CIS pierwszy,CIS,0601011\nCIS drugi,CIS,0601021\nKIS trzeci,KIS,0602011\n",
        encoding="utf-8",
    )
    # A third process writes the shared store, as an import on any worker does.
    done = subprocess.run(
        [sys.executable, "-m", "geo", "registry", "import", str(registry), "--source", "test"],
        cwd=PROJECT_ROOT, env=service["env"], capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    after = {w: _covered(_session(url, c)) for w, c in cookies.items()}
    assert after == {"w1": "3 / 213", "w2": "3 / 213"}, (before, after)


def _worker_ports(log: Path) -> list[int]:
    return [
        int(line.split("(127.0.0.1:")[1].split(")")[0])
        for line in log.read_text().splitlines()
        if "warmed in" in line
    ]


def _refused(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_a_worker_that_dies_is_replaced(service: dict) -> None:
    url = service["url"]
    ports = _worker_ports(service["log"])
    assert len(ports) == 2
    port = ports[0]
    pid = subprocess.run(
        ["pgrep", "-f", "--", f"server.port {port}( |$)"], capture_output=True, text=True
    ).stdout.split()
    assert pid
    os.kill(int(pid[0]), signal.SIGKILL)
    # nginx keeps answering through the other worker meanwhile ...
    with urllib.request.urlopen(url + "/healthz", timeout=30) as response:
        assert response.status == 200
    # ... and the service starts a new process on the same port.
    wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", 120)
    assert "restarting" in service["log"].read_text()


def test_map_scripts_are_served_immutable(service: dict) -> None:
    """A new session's map comes from a published file that browsers may keep for ever."""
    result = _session(service["url"], "any")
    found = re.search(r"/app/static/maps/[0-9a-f]{64}\.js", result.text)
    assert found, "the map is loaded from a published file"
    path = found.group(0)
    with urllib.request.urlopen(service["url"] + path, timeout=30) as response:
        assert response.status == 200
        assert "immutable" in response.headers["Cache-Control"]
        assert b"L.map(" in response.read()
    assert result.bytes_received < 60_000


def _get(url: str, **headers: str) -> tuple[dict[str, str], bytes]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
        return {k.lower(): v for k, v in r.headers.items()}, r.read()


def test_the_page_preloads_its_first_screen_code_served_by_nginx(service: dict) -> None:
    """Streamlit's page names the first screen's modules at once (no chain of round trips
    before the map); nginx serves them, compressed and immutable; component pages are
    passed through unchanged."""
    url = service["url"]
    _, page = _get(url + "/")
    preloaded = re.findall(
        r'rel="modulepreload" crossorigin href="\./static/js/([^"]+)"', page.decode()
    )
    assert set(preload.module_closure()) <= set(preloaded)
    for name in preload.element_modules():
        headers, body = _get(f"{url}/static/js/{name}", **{"Accept-Encoding": "gzip"})
        assert headers["content-type"] == "application/javascript"
        assert "immutable" in headers["cache-control"]
        assert headers.get("content-encoding") == "gzip"
        assert "x-mapa-worker" not in headers  # from disk, not from a worker
        assert gzip.decompress(body) == (preload.STREAMLIT_ASSETS / "js" / name).read_bytes()
    headers, frame = _get(url + "/component/streamlit_folium.st_folium/index.html")
    assert headers["x-mapa-worker"] and b"<html" in frame.lower()
    assert b"modulepreload" not in frame


def test_nginx_config_is_rendered_for_every_worker(tmp_path: Path) -> None:
    workers = [Worker(1, 1111, tmp_path / "1.log"), Worker(2, 2222, tmp_path / "2.log")]
    conf = render_nginx(workers, "127.0.0.1:8080", tmp_path)
    assert "@" not in conf  # every placeholder filled
    assert "server 127.0.0.1:1111" in conf and "server 127.0.0.1:2222" in conf
    assert "listen 127.0.0.1:8080;" in conf
    assert "hash $route_key consistent" in conf


def test_stop_ends_nginx_and_every_worker(service: dict) -> None:
    """Last in this module: `make stop` (deploy.serve --stop) ends the whole service."""
    stopped = subprocess.run(
        [sys.executable, "-m", "deploy.serve", "--stop"],
        cwd=PROJECT_ROOT, env=service["env"], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert stopped.returncode == 0, stopped.stderr + service["log"].read_text()[-3000:]
    assert service["proc"].wait(timeout=60) == 0
    time.sleep(1)
    nginx_port = int(service["url"].rsplit(":", 1)[1])
    assert all(_refused(p) for p in [*_worker_ports(service["log"]), nginx_port])
    assert not (service["home"] / "serve" / "serve.pid").exists()
