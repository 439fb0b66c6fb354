"""Before/after harness: the CLI's outputs at a base revision and in this tree must be equal.

Used to prove that a refactoring changed no behaviour. The same registries (the sample, the
known entities of ``../shared``, synthetic ones for Lubelskie and all Poland, a messy one) go
through ``registry validate``, ``registry import``, ``coverage`` and ``gaps`` (JSON and CSV, on
two dates) in a checkout of ``--base`` (a temporary git worktree) and in this tree, each with
its own ``PES_HOME``; every output and exit code is compared byte for byte.

    python benchmarks/equivalence.py --base f8bae1a

Prints one line per comparison and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared" / "data"
DATES = ("2026-12-01", "2019-06-30")
#: the time of the import differs between the two runs by construction
_IMPORT_TIME = re.compile(r"ostatni import \d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def _registries(out: Path) -> dict[str, tuple[Path, str, list[str]]]:
    """name -> (file, region, extra import arguments). Synthetic files are written once."""
    import geopandas as gpd
    import numpy as np

    from benchmarks.synthetic import synthetic_registry

    regs: dict[str, tuple[Path, str, list[str]]] = {
        "sample": (ROOT / "data" / "rejestr_przykladowy.csv", "06", []),
    }
    known = SHARED / "reference" / "pes_known_entities_lubelskie.csv"
    if known.exists():
        regs["known"] = (known, "06", [])
    boundaries = {"06": SHARED / "boundaries" / "lubelskie_gminy.geojson"}
    if (SHARED / "boundaries" / "poland_gminy.geojson").exists():
        boundaries["PL"] = SHARED / "boundaries" / "poland_gminy.geojson"
    if not boundaries["06"].exists():
        boundaries["06"] = ROOT / "data" / "granice_gminy_06.geojson"
    for region, n in (("06", 2000), ("PL", 5000)):
        if region not in boundaries:
            continue
        gminy = gpd.read_file(boundaries[region]).rename(columns={"name": "nazwa"})
        frame = synthetic_registry(gminy, n, seed=n)
        path = out / f"synthetic_{region}_{n}.csv"
        frame.to_csv(path, index=False)
        regs[f"synthetic_{region}"] = (path, region, [])
        if region == "06":
            # messy cells: spaces, odd codes, swapped coordinates, duplicates
            messy = frame.head(400).copy()
            messy["nazwa"] = "  " + messy["nazwa"].astype(str) + " "
            messy.loc[::7, "teryt"] = messy.loc[::7, "teryt"].astype(str).str[:6]
            lat, lon = messy["szerokosc"].copy(), messy["dlugosc"].copy()
            messy.loc[::5, "szerokosc"], messy.loc[::5, "dlugosc"] = lon[::5], lat[::5]
            messy = messy.loc[np.r_[np.arange(len(messy)), np.arange(0, 40)]]
            messy.to_csv(out / "messy.csv", index=False, sep=";", encoding="cp1250")
            regs["messy"] = (out / "messy.csv", "06", [])
    return regs


def _run(tree: Path, home: Path, region: str, args: list[str]) -> tuple[int, bytes, bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PES_")}
    env.update(PES_HOME=str(home), PES_REGION=region, PYTHONPATH=str(tree))
    if SHARED.exists():
        env["PES_DATA_DIR"] = str(SHARED)
    proc = subprocess.run(
        [sys.executable, "-m", "geo", *args], cwd=tree, env=env, capture_output=True, timeout=600
    )
    # paths of the two trees and homes differ by construction
    clean = [(str(tree), "<tree>"), (str(home), "<home>")]
    outs = []
    for raw in (proc.stdout, proc.stderr):
        text = raw.decode("utf-8", "replace")
        for old, new in clean:
            text = text.replace(old, new)
        text = _IMPORT_TIME.sub("ostatni import <czas>", text)
        outs.append(text.encode())
    return proc.returncode, outs[0], outs[1]


def _outputs(tree: Path, work: Path, regs: dict[str, tuple[Path, str, list[str]]]) -> dict:
    results: dict[str, object] = {}
    for name, (path, region, extra) in regs.items():
        home = work / name
        home.mkdir(parents=True)
        results[f"{name}/validate"] = _run(
            tree, home, region, ["registry", "validate", str(path), *extra]
        )
        results[f"{name}/import"] = _run(
            tree, home, region, ["registry", "import", str(path), "--source", "test", *extra]
        )
        for date in DATES:
            for command in ("coverage", "gaps"):
                for fmt in ("json", "csv"):
                    out = home / f"{command}_{date}.{fmt}"
                    code, stdout, stderr = _run(
                        tree,
                        home,
                        region,
                        [command, "--as-of", date, "--format", fmt, "--out", str(out)],
                    )
                    body = out.read_bytes() if out.exists() else b""
                    results[f"{name}/{command}/{date}/{fmt}"] = (code, stdout, stderr, body)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="git revision to compare against")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mapa-es-eq-") as tmp:
        tmp_path = Path(tmp)
        base_tree = tmp_path / "base"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(base_tree), args.base],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            regs = _registries(tmp_path)
            before = _outputs(base_tree, tmp_path / "before", regs)
            after = _outputs(ROOT, tmp_path / "after", regs)
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(base_tree)], cwd=ROOT, check=False
            )
    differ = 0
    for key in before:
        same = before[key] == after.get(key)
        differ += not same
        print(f"{'same' if same else 'DIFFERENT'}  {key}")
        if not same:
            labels = ("exit", "stdout", "stderr", "file")
            for label, b, a in zip(labels, before[key], after[key], strict=False):
                if a != b:
                    print(f"    {label}: before {str(b)[:300]!r}")
                    print(f"    {label}: after  {str(a)[:300]!r}")
    print(f"{len(before)} comparisons, {differ} different")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
