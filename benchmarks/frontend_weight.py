"""How much front-end code a new browser session of a page loads, under ``make serve``.

Streamlit loads the JavaScript of each kind of element on first use: a page with a table
(``st.table``/``st.dataframe``) makes the browser download and compile Streamlit's Arrow and
data-grid modules (~1.6 MB) before it is drawn. This reports, per page, the number of
Streamlit modules and their decoded size in a new Chromium context (phone-sized, 390x844),
with the time until the page's last element named by ``--until`` is on screen: a check that
a page meant for phones stays light. Loopback only (``make serve`` started here).

    python benchmarks/frontend_weight.py                       # the start page and a profile
    python benchmarks/frontend_weight.py --page "profil?gmina=0618011" --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from benchmarks.loadtest_protocol import _LOOPBACK_ONLY, SHARED, make_serve  # noqa: E402

#: Pages and a text that is on screen once each has been drawn to its end.
PAGES = {
    "": "Podmioty niezlokalizowane",
    "profil?gmina=0618011": "Porównanie z powiatem i regionem",
}
_MODULES = (
    "performance.getEntriesByType('resource').filter(e => e.name.includes('/static/js/'))"
    ".map(e => e.decodedBodySize)"
)


def visit(browser: Any, url: str, until: str) -> tuple[float, int, int]:
    """Seconds to ``until`` on screen, Streamlit modules loaded, their decoded bytes."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="pl-PL")
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.get_by_text(until).first.wait_for(timeout=120_000)
    seconds = time.perf_counter() - start
    page.wait_for_timeout(1500)  # modules asked for by the last elements
    sizes = page.evaluate(_MODULES)
    context.close()
    return seconds, len(sizes), int(sum(sizes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", action="append", help="URL path (repeatable); default: both")
    parser.add_argument("--until", default=None, help="text that ends the page (with --page)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium)")
        return 2
    pages = {p: args.until or PAGES.get(p, "") for p in args.page} if args.page else PAGES
    from playwright.sync_api import sync_playwright

    home = Path(tempfile.mkdtemp(prefix="pes-weight-"))
    env = {k: v for k, v in os.environ.items() if k != "PES_DATABASE_URL"}
    env |= {"PES_REGION": "06", "PES_DATA_DIR": str(SHARED), "PES_HOME": str(home)}
    with make_serve(env, 2, home / "serve.log") as ours, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, _LOOPBACK_ONLY]
        )
        print(f"{'page':<28} {'modules':>7} {'JS KB':>7} {'drawn s (median)':>17}")
        for path, until in pages.items():
            url = f"{ours.url}/{path}"
            visit(browser, url, until)  # the workers' caches for this page
            runs = [visit(browser, url, until) for _ in range(args.runs)]
            print(
                f"{'/' + path:<28} {runs[-1][1]:>7} {runs[-1][2] / 1024:>7.0f} "
                f"{statistics.median(r[0] for r in runs):>17.2f}"
            )
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
