"""Production launch (``make serve``): several Streamlit workers behind nginx, one store.

Why it exists: ``make run`` is the development server (file watcher, run on save, one
process on one core). For users the app runs as ``WORKERS`` Streamlit processes with the
development features off, each on its own loopback port, behind nginx (config rendered from
``deploy/nginx.conf.template``) with sticky sessions for the websocket. All workers share one
store: SQLite in WAL mode in ``PES_HOME`` on one machine, or PostgreSQL (``PES_DATABASE_URL``)
across machines. Before nginx accepts anyone, every worker is healthy and has run the start
page once, so the first visitor does not pay for cold caches. Ctrl-C, SIGTERM or
``python -m deploy.serve --stop`` (``make stop``) stops nginx and every worker; a worker that
dies is restarted.

Runtime files (rendered nginx.conf, pid files, logs) are in ``PES_HOME/serve``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from geo.config import PROJECT_ROOT, get_settings
from geo.web.assets import STATIC_DIR
from pages import _preload as preload

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/bin/nginx")
#: Streamlit options for users: no development features, nothing announced outside.
PRODUCTION_OPTIONS = {
    "server.headless": "true",
    "server.fileWatcherType": "none",
    "server.runOnSave": "false",
    "global.developmentMode": "false",
    "browser.gatherUsageStats": "false",
    "client.toolbarMode": "viewer",
    "client.showErrorDetails": "none",
    # No full garbage collection after every script run: with pandas/geopandas loaded it was
    # about half the server CPU of a new session (benchmarks/loadtest_protocol.py, BENCHMARKS.md).
    "runner.postScriptGC": "false",
}
MAX_UPLOAD_MB = 200
#: Seconds the workers and nginx get to finish before they are killed.
STOP_GRACE_S = 20.0


def _log(message: str) -> None:
    print(f"[serve] {message}", file=sys.stderr, flush=True)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def find_nginx() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return next((c for c in NGINX_CANDIDATES if Path(c).exists()), None)


@dataclass
class Worker:
    number: int
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, env: dict[str, str]) -> None:
        command = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py")]
        for name, value in PRODUCTION_OPTIONS.items():
            command += [f"--{name}", value]
        command += ["--server.address", "127.0.0.1", "--server.port", str(self.port)]
        command += ["--server.maxUploadSize", str(MAX_UPLOAD_MB)]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def wait_healthy(url: str, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited ({proc.returncode}) before {url} was healthy")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not healthy within {timeout:.0f} s")


def warm(worker: Worker, pages: Sequence[str]) -> float:
    """Run each page once in a throwaway session (fills the worker's caches); seconds taken."""
    from deploy.session_client import first_run

    started = time.perf_counter()
    for page in pages:
        result = asyncio.run(first_run(worker.url, page))
        if result.exceptions:
            _log(f"worker w{worker.number}: page '{page or '/'}' warmed with {result.exceptions}")
    return time.perf_counter() - started


def render_nginx(workers: Sequence[Worker], listen: str, prefix: Path) -> str:
    upstreams = "\n".join(
        f"        server 127.0.0.1:{w.port} max_fails=1 fail_timeout=5s;" for w in workers
    )
    names = "\n".join(f'        "127.0.0.1:{w.port}" w{w.number};' for w in workers)
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in {
        "@PREFIX@": str(prefix),
        "@LISTEN@": listen,
        "@UPSTREAMS@": upstreams,
        "@WORKER_NAMES@": names,
        "@MAX_BODY_MB@": str(MAX_UPLOAD_MB + 10),
        "@STATIC_DIR@": str(STATIC_DIR.resolve()),
        "@STREAMLIT_STATIC@": str(preload.STREAMLIT_ASSETS.resolve()),
        "@PRELOAD_LINKS@": preload.preload_links(),
    }.items():
        text = text.replace(name, value)
    return text


def _listen(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Service:
    """The workers and nginx of one ``make serve``."""

    def __init__(self, args: argparse.Namespace, run_dir: Path):
        self.args = args
        self.run_dir = run_dir
        self.workers = [
            Worker(i + 1, free_port(), run_dir / f"worker-{i + 1}.log") for i in range(args.workers)
        ]
        self.nginx: subprocess.Popen[bytes] | None = None
        self.stopping = False

    def env(self) -> dict[str, str]:
        # One store for all workers: PES_HOME / PES_DATABASE_URL are passed on unchanged.
        return dict(os.environ)

    def start(self, nginx_path: str) -> None:
        env = self.env()
        for worker in self.workers:
            worker.start(env)
        for worker in self.workers:
            wait_healthy(f"{worker.url}/_stcore/health", self.args.timeout, worker.proc)
        _log(f"{len(self.workers)} workers healthy; warming caches")
        # All at once: each worker is its own process, so the warm-ups run side by side.
        with ThreadPoolExecutor(len(self.workers)) as pool:
            times = list(pool.map(lambda w: warm(w, self.args.warm_pages), self.workers))
        for worker, seconds in zip(self.workers, times, strict=True):
            _log(f"worker w{worker.number} (127.0.0.1:{worker.port}) warmed in {seconds:.1f} s")
        conf = self.run_dir / "nginx.conf"
        (self.run_dir / "tmp").mkdir(exist_ok=True)
        conf.write_text(
            render_nginx(self.workers, _listen(self.args.host, self.args.port), self.run_dir),
            encoding="utf-8",
        )
        self.nginx = subprocess.Popen(
            [
                nginx_path,
                "-e",
                "stderr",
                "-p",
                str(self.run_dir),
                "-c",
                str(conf),
                "-g",
                "daemon off;",
            ],  # fmt: skip
            stderr=(self.run_dir / "nginx-stderr.log").open("ab"),
        )
        url = f"http://{_listen(self.args.host, self.args.port)}"
        wait_healthy(f"{url}/healthz", self.args.timeout, self.nginx)
        _log(f"mapa-es at {url} ({len(self.workers)} workers behind nginx); Ctrl-C stops")

    def supervise(self) -> None:
        """Restart a worker that died; end when nginx ends or a stop is asked for."""
        env = self.env()
        while not self.stopping:
            if self.nginx is not None and self.nginx.poll() is not None:
                _log(f"nginx ended ({self.nginx.returncode}); stopping")
                return
            for worker in self.workers:
                if not worker.alive() and not self.stopping:
                    _log(f"worker w{worker.number} ended; restarting (log: {worker.log})")
                    worker.start(env)
            time.sleep(1)

    def stop(self) -> None:
        self.stopping = True
        started = time.monotonic()
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: finish open requests
        # Every worker at once, so stopping takes one grace period, not one per worker.
        running = [w.proc for w in self.workers if w.proc is not None and w.proc.poll() is None]
        for proc in running:
            proc.terminate()
        for proc in [*running, self.nginx]:
            if proc is None:
                continue
            try:
                proc.wait(timeout=max(1.0, STOP_GRACE_S - (time.monotonic() - started)))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        _log(f"stopped in {time.monotonic() - started:.1f} s")


def _pid_file(run_dir: Path) -> Path:
    return run_dir / "serve.pid"


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (an exited process its parent has not reaped yet does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return True


def stop_running(run_dir: Path) -> int:
    """``make stop``: ask the running ``make serve`` (its pid file) to stop, wait for it."""
    pid_file = _pid_file(run_dir)
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        print("mapa-es (make serve) nie działa: brak pliku serve.pid.")
        return 0
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 90
    while _running(pid):
        if time.monotonic() > deadline:
            print(f"mapa-es (pid {pid}) nie zatrzymało się w 90 s.", file=sys.stderr)
            return 1
        time.sleep(0.2)
    print("Zatrzymano mapa-es.")
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m deploy.serve", description=__doc__)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS") or 0))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8501))
    parser.add_argument("--host", default=os.environ.get("HOST") or "127.0.0.1")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument(
        "--warm-pages", nargs="*", default=[""], help="pages run once per worker at start"
    )
    parser.add_argument("--stop", action="store_true", help="stop the running service")
    args = parser.parse_args(argv)
    if args.workers <= 0:
        args.workers = os.cpu_count() or 1
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    run_dir = get_settings().ensure_home() / "serve"
    run_dir.mkdir(parents=True, exist_ok=True)
    if args.stop:
        return stop_running(run_dir)
    nginx_path = find_nginx()
    if nginx_path is None:
        print(
            "błąd: nie znaleziono nginx (Debian/Ubuntu: apt-get install nginx). "
            "Bez nginx aplikację uruchamia `make run` (jeden proces).",
            file=sys.stderr,
        )
        return 1
    service = Service(args, run_dir)

    def on_signal(signum: int, _frame: object) -> None:
        service.stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    _pid_file(run_dir).write_text(str(os.getpid()))
    try:
        service.start(nginx_path)
        service.supervise()
        return 0
    except RuntimeError as exc:
        print(f"błąd: {exc} (logi: {run_dir})", file=sys.stderr)
        return 1
    finally:
        service.stop()
        with contextlib.suppress(FileNotFoundError):
            _pid_file(run_dir).unlink()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
