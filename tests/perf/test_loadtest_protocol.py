"""The protocol load test (``make loadtest-protocol``) runs end to end, so the tool cannot rot.

Two virtual sessions against ``make serve`` with one worker and against the naive page; the
test reads the figures the tool reports (never judges their timings: those are for
BENCHMARKS.md). Needs Debian's nginx, like tests/serve: skipped outside CI when it is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit import config as st_config

from deploy.serve import PRODUCTION_OPTIONS, find_nginx
from geo.config import PROJECT_ROOT

pytestmark = pytest.mark.serve

FIELDS = {
    "first_p50_s",
    "first_p95_s",
    "rerun_p50_s",
    "rerun_p95_s",
    "cpu_ms_per_session",
    "cpu_ms_per_rerun",
    "kb_per_session",
    "kb_per_rerun",
}


def test_protocol_load_test_reports_every_field(tmp_path: Path, shared_data: Path) -> None:
    if not find_nginx():
        if os.environ.get("CI"):
            pytest.fail("nginx must be installed in CI (.ci/run installs it)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    out = tmp_path / "figures.json"
    env = {k: v for k, v in os.environ.items() if k != "PES_DATABASE_URL"}
    env["PES_TEST_DATA_DIR"] = str(shared_data)
    done = subprocess.run(
        [sys.executable, "benchmarks/loadtest_protocol.py", "--sessions", "2", "--workers", "1",
         "--json", str(out), "--no-fail", "--timeout", "180"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    levels = {lv["server"]: lv for lv in figures["levels"]}
    assert set(levels) == {"ours", "naive"}
    for level in levels.values():
        assert level["sessions"] == 2 and level["ok"] == 2, level["errors"]
        assert FIELDS <= set(level)
        assert all(level[name] is not None and level[name] > 0 for name in FIELDS), level
    assert levels["ours"]["workers"] == {"w1": 2}  # through nginx, to the one worker
    # The naive page sends its whole map on every run; ours a loader of a published script.
    assert levels["naive"]["kb_per_session"] > 5 * levels["ours"]["kb_per_session"]
    assert figures["first_visit"]["first_s"] > 0 and figures["first_visit"]["warm_s"] > 0
    measures = " ".join(c["measure"] for c in figures["targets"])
    for expected in ("errors", "CPU per new session", "KB per new session", "first visit"):
        assert expected in measures
    assert "first p50" in done.stdout  # the table is printed


def test_workers_skip_the_full_collection_after_each_run() -> None:
    """Streamlit's gc.collect() after every script run was half a new session's server CPU."""
    assert PRODUCTION_OPTIONS["runner.postScriptGC"] == "false"
    # the option still exists (an unknown option would stop the workers from starting)
    assert "runner.postScriptGC" in st_config.get_config_options()
