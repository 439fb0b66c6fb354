"""benchmarks/frontend_weight.py runs end to end (make serve, Chromium), so the tool cannot
rot; its figures are for BENCHMARKS.md, the test reads only that it reports them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser_tools import require_browser

from deploy.serve import find_nginx
from geo.config import PROJECT_ROOT

pytestmark = [pytest.mark.serve, pytest.mark.browser]


def test_the_front_end_weight_of_the_profile_is_reported(shared_data: Path) -> None:
    require_browser()
    if not find_nginx():
        if os.environ.get("CI"):
            pytest.fail("nginx must be installed in CI (.ci/run installs it)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    env = {k: v for k, v in os.environ.items() if k != "PES_DATABASE_URL"}
    env["PES_TEST_DATA_DIR"] = str(shared_data)
    done = subprocess.run(
        [sys.executable, "benchmarks/frontend_weight.py", "--page", "profil?gmina=0618011",
         "--runs", "1"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    row = re.search(r"/profil\?gmina=0618011\s+(\d+)\s+(\d+)\s+([\d.]+)", done.stdout)
    assert row, done.stdout
    modules, kilobytes, seconds = int(row[1]), int(row[2]), float(row[3])
    assert modules > 10 and kilobytes > 500 and seconds > 0
