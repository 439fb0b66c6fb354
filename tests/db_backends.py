"""Database backends for the store tests: SQLite files and a throwaway PostgreSQL server.

``db_url`` (import it into a test module) is parametrised over ``sqlite`` and ``postgresql``:
each test gets an empty database. The PostgreSQL server is started once per test run from
Debian's packages (``initdb`` + ``postgres`` of ``/usr/lib/postgresql/<version>/bin``) on
127.0.0.1 with a fresh data directory in /tmp, as the ``postgres`` user when the tests run
as root (CI does), and stopped at exit. Outside CI a missing server or driver skips the
PostgreSQL cases; in CI (``CI`` set) it fails them.

``db_snapshot(url)`` reads every table of the store straight from the database, to check
that a refused operation left it exactly as before.
"""

from __future__ import annotations

import atexit
import ctypes
import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

_PG_USER = "postgres"
_counter = itertools.count()


def _pg_bin() -> Path | None:
    """Directory with initdb and postgres (newest Debian version first, then PATH)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    which = shutil.which("postgres")
    if which and shutil.which("initdb"):
        return Path(os.path.realpath(which)).parent
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    # PR_SET_PDEATHSIG: the server goes away even if pytest is killed.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:
        pass


class _Server:
    def __init__(self) -> None:
        bindir = _pg_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL binaries not found (apt-get install postgresql)")
        self.root = Path(tempfile.mkdtemp(prefix="mapa-es-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        run_as: dict[str, object] = {}
        if os.geteuid() == 0:
            # initdb refuses to run as root: use Debian's postgres account.
            account = pwd.getpwnam(_PG_USER)
            os.chown(self.root, account.pw_uid, account.pw_gid)
            run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        self.log = self.root / "server.log"
        subprocess.run(
            [str(bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            check=True, capture_output=True, cwd=self.root, **run_as,  # type: ignore[arg-type]
        )  # fmt: skip
        self.log.touch()
        if run_as:
            os.chown(self.log, int(run_as["user"]), int(run_as["group"]))  # type: ignore[call-overload]
        with open(self.log, "wb") as log:  # the server keeps its own descriptor
            self.proc = subprocess.Popen(
                [str(bindir / "postgres"), "-D", str(self.data), "-p", str(self.port),
                 "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.root}",
                 "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                 "-c", "max_connections=60"],
                stdout=log, stderr=subprocess.STDOUT, cwd=self.root,
                preexec_fn=_die_with_parent, **run_as,  # type: ignore[arg-type]
            )  # fmt: skip
        self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._wait()
        atexit.register(self.stop)

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        engine = sa.create_engine(self.admin_url)
        try:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"postgres exited: {self.log.read_text()[-2000:]}")
                try:
                    with engine.connect() as conn:
                        conn.execute(sa.text("SELECT 1"))
                    return
                except sa.exc.OperationalError:
                    time.sleep(0.2)
        finally:
            engine.dispose()
        raise RuntimeError(f"postgres did not start: {self.log.read_text()[-2000:]}")

    def new_database(self) -> str:
        name = f"t{os.getpid()}_{next(_counter)}"
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


_server: _Server | None = None
_server_error: str | None = None


def postgres_server() -> _Server:
    """The shared throwaway server (started on first use); skip or fail when unavailable."""
    global _server, _server_error
    if _server is None and _server_error is None:
        try:
            import psycopg  # noqa: F401

            _server = _Server()
        except ImportError:
            _server_error = "the psycopg driver is missing (pip install -e .[postgres])"
        except (RuntimeError, OSError, KeyError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            _server_error = f"cannot start PostgreSQL: {exc} {detail.decode(errors='replace')}"
    if _server is None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests must run in CI; {_server_error}")
        pytest.skip(f"outside CI and {_server_error}")
    return _server


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'stan' / 'rejestr.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty store database, on each backend in turn."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
    else:
        yield postgres_server().new_database()


@pytest.fixture()
def pg_url() -> str:
    """URL of an empty PostgreSQL database (PostgreSQL only)."""
    return postgres_server().new_database()


def db_snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table of the store, read directly (sorted, for comparison)."""
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        out: dict[str, list[tuple]] = {}
        with engine.connect() as conn:
            for table in sorted(inspector.get_table_names()):
                rows = conn.execute(sa.text(f'SELECT * FROM "{table}"')).all()
                out[table] = sorted((tuple(r) for r in rows), key=repr)
        return out
    finally:
        engine.dispose()
