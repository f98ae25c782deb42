"""Benchmark: the naive batch (a shell loop of `papermill` then `jupyter nbconvert --to html
--no-input`, one report at a time) against `needs run --force`, on the same reports, side by
side in one run. Prints seconds per report, the ratio, peak memory, and the floor (the sum of
cell execution times divided by the cores).

    python benchmarks/bench_run.py               # all areas x all notebooks (takes minutes)
    python benchmarks/bench_run.py --sample 8    # the first 8 reports only
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def reports(sample: int | None) -> list[tuple[str, str]]:
    import yaml

    from helpers.build import store

    # the assessment's report areas as `needs run` resolves them (params/areas.yaml may not
    # list them: its default is the county and every district)
    areas = list(store.selection().report_areas)
    notebooks = yaml.safe_load((ROOT / "params" / "run.yaml").read_text())["notebooks"]
    pairs = [(nb, area) for area in areas for nb in notebooks]
    return pairs[:sample] if sample else pairs


def naive(pairs, out: Path) -> float:
    started = time.perf_counter()
    for nb, area in pairs:
        executed = out / f"{nb}-{area}.ipynb"
        subprocess.run(
            [
                BIN / "papermill",
                ROOT / "notebooks" / f"{nb}.ipynb",
                executed,
                "-p",
                "area_code",
                area,
                "--cwd",
                ROOT / "notebooks",
                "--log-level",
                "ERROR",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - started


def ours(pairs, out: Path) -> float:
    areas = ",".join(dict.fromkeys(a for _, a in pairs))
    notebooks = ",".join(dict.fromkeys(n for n, _ in pairs))
    env = {**os.environ, "NEEDS_OUTPUTS_DIR": str(out)}
    started = time.perf_counter()
    subprocess.run(
        [BIN / "needs", "-q", "run", "--force", "--areas", areas, "--notebooks", notebooks],
        check=True,
        env=env,
    )
    return time.perf_counter() - started


def cell_seconds(out: Path) -> float:
    total = 0.0
    for path in out.rglob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        total += sum(c.metadata.get("papermill", {}).get("duration") or 0 for c in nb.cells)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, help="only the first N reports")
    args = parser.parse_args()
    pairs = reports(args.sample)
    cores = os.cpu_count() or 1
    print(f"{len(pairs)} reports, {cores} cores")
    work = Path(tempfile.mkdtemp(prefix="needs-bench-"))
    try:
        (work / "naive").mkdir()
        t_naive = naive(pairs, work / "naive")
        t_ours = ours(pairs, work / "ours")
        floor = cell_seconds(work / "ours") / cores
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        n = len(pairs)
        print(
            json.dumps(
                {
                    "reports": n,
                    "naive_seconds": round(t_naive, 1),
                    "naive_per_report": round(t_naive / n, 2),
                    "needs_run_seconds": round(t_ours, 1),
                    "needs_run_per_report": round(t_ours / n, 2),
                    "ratio": round(t_naive / t_ours, 2),
                    "floor_seconds": round(floor, 1),
                    "peak_child_memory_mb": round(peak, 0),
                },
                indent=2,
            )
        )
        start = time.perf_counter()
        areas = ",".join(dict.fromkeys(a for _, a in pairs))
        subprocess.run(
            [BIN / "needs", "-q", "run", "--areas", areas],
            check=True,
            env={**os.environ, "NEEDS_OUTPUTS_DIR": str(work / "ours")},
        )
        print(f"rerun with nothing changed: {time.perf_counter() - start:.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
