"""Benchmark `needs build` at national scale: time, peak memory, where the time goes, and the
police.uk attribution against the naive per-row loop.

Run from the repository root:  python benchmarks/bench_build.py [--repeat N]

1. The national build (every English area, from data/raw) runs as a user runs it, `needs build
   --force` in a fresh subprocess (imports and caches count) into a temp folder, N times: wall
   time (median, min), the subprocess's peak resident memory and the store's size on disk.
2. One build in-process with the functions pipeline._assemble calls wrapped in timers (the
   build's own code runs, nothing is copied), so the stages' shares are printed.
3. Attributing police.uk rows to forces and districts: police_counts.count_crimes (groupby +
   dict map) against a per-row Python loop doing the same lookups, side by side on the same
   Derbyshire street files read once, checked to give identical counts before the ratio.

Figures are printed, never asserted (the goal is under 30 s on a 2-core machine).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from helpers.build import (  # noqa: E402
    deprivation,
    pipeline,
    police_counts,
    police_summaries,
    populations,
    protection,
    writing,
)
from helpers.build import indicators as indicator_values  # noqa: E402
from helpers.core import config, paths  # noqa: E402
from helpers.sources import (  # noqa: E402
    boundaries,
    compendium,
    geography,
    imd,
    manifest,
    places,
    police_forces,
    police_uk,
)


def _optional(name: str):
    """A helpers module the build may call (None if this checkout has no such module)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        return None


area_benchmarks = _optional("helpers.build.benchmarks")  # England ranks, statistical neighbours
links_table = _optional("helpers.build.links_table")  # national crime-health links
police_inequality = _optional("helpers.build.police_inequality")  # SII across deciles
population = _optional("helpers.sources.population")

# The stages of pipeline.build: the functions it calls, as (module, attribute). A function this
# checkout lacks is skipped; whatever is not listed shows as "other".
STAGES = {
    "manifest check + fingerprint": [(manifest, "verify"), (writing, "fingerprint")],
    "params, compendium, baseline": [
        (config, "load_params"),
        (compendium, "load"),
        (compendium, "load_gaps"),
        (compendium, "to_frame"),
        (pipeline, "_baseline"),
    ],
    "lookups + places.build_places": [
        *((geography, n) for n in dir(geography) if n.startswith("read_")),
        (places, "build_places"),
        (places, "describe_changes"),
        (police_forces, "read_police_forces"),
        (pipeline, "_named_forces"),
        (pipeline, "_area_names"),
    ],
    "police_counts.count_crimes": [(police_counts, "count_crimes")],
    "population": [(populations, "assemble")],
    "deprivation (IMD 2019 + 2025) + LSOAs": [
        (imd, "read_imd_lsoa"),
        (imd, "read_imd2025_lsoa"),
        (imd, "read_imd2025_district"),
        (deprivation, "lsoa_deprivation"),
        (deprivation, "district_deprivation"),
    ],
    "indicator values": [(indicator_values, "build_values")],
    "police summaries": [
        (police_summaries, n) for n in ("police_groups", "monthly", "lsoa_year", "deprivation")
    ],
    "residents by decile + SII": [
        (population, "read_sape_lsoa11"),
        (police_inequality, "police_inequality"),
    ],
    "protection.mark": [(protection, "police_crime_types"), (protection, "mark")],
    "crime-health links": [
        (links_table, n) for n in ("read_pairs", "check_periods", "link_points", "link_figures")
    ],
    "boundaries": [(boundaries, "read_boundaries")],
    "ranks + statistical neighbours": [
        (area_benchmarks, n)
        for n in ("england_ranks", "neighbour_features", "statistical_neighbours")
    ],
    "writing (parquet + swap)": [(writing, "write_atomically")],
}


def store_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def national_build(out: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one `needs build --force` in a fresh subprocess."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [BIN / "needs", "-q", "build", "--force", "--processed", out],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own resource usage
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.stderr.write(stderr.decode())
        raise SystemExit(f"needs build failed with status {proc.returncode}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports kB


def timed_stages(out: Path) -> tuple[dict[str, float], float, dict]:
    """One in-process build with every stage's functions timed (outermost call only)."""
    spent = dict.fromkeys(STAGES, 0.0)
    depth = [0]
    captured: dict = {}
    present: set[str] = set()

    def wrap(stage, fn, name):
        def timed(*args, **kwargs):
            if name == "count_crimes":
                captured["args"] = args
            if depth[0]:
                return fn(*args, **kwargs)
            depth[0] += 1
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[stage] += time.perf_counter() - started
                depth[0] -= 1

        return timed

    with ExitStack() as stack:
        for stage, targets in STAGES.items():
            for module, name in targets:
                fn = getattr(module, name, None)
                if fn is None:
                    continue
                present.add(stage)
                stack.enter_context(mock.patch.object(module, name, wrap(stage, fn, name)))
        started = time.perf_counter()
        pipeline.build(paths.raw_dir(), out, force=True)
        total = time.perf_counter() - started
    return {k: v for k, v in spent.items() if k in present}, total, captured


def naive_attribution(frames, forces, lsoa11, lsoa21) -> Counter:
    """One row at a time: force name -> force code, LSOA -> district by its vintage, counted."""
    to11 = dict(zip(lsoa11["lsoa_code"], lsoa11["lad_code"], strict=True))
    to21 = dict(zip(lsoa21["lsoa_code"], lsoa21["lad_code"], strict=True))
    counts: Counter = Counter()
    for frame in frames:
        for month, lsoa, crime_type, falls_within in zip(
            frame["month"], frame["lsoa_code"], frame["crime_type"], frame["falls_within"],
            strict=True,
        ):  # fmt: skip
            pfa = forces.get(police_uk.force_key(falls_within))
            if pfa is None:
                raise ValueError(f"unknown force {falls_within!r}")
            lsoa = lsoa if isinstance(lsoa, str) else None
            vintage = lad = None
            if lsoa is not None:
                if month >= "2023-01" and lsoa in to21:
                    vintage, lad = "2021", to21[lsoa]
                elif lsoa in to11:
                    vintage, lad = "2011", to11[lsoa]
            counts[(pfa, month, lsoa, vintage, lad, crime_type)] += 1
    return counts


def as_counts(crimes: pd.DataFrame) -> Counter:
    keys = ["pfa_code", "month", "lsoa_code", "lsoa_vintage", "lad_code", "crime_type"]
    rows = crimes[keys].astype(object).where(crimes[keys].notna(), None)
    return Counter(
        dict(zip(map(tuple, rows.itertuples(index=False)), crimes["count"].tolist(), strict=True))
    )


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="national builds (default 3)")
    args = parser.parse_args()
    logging.getLogger("helpers").setLevel(logging.ERROR)  # the build's known-gap warnings
    raw = paths.raw_dir()
    load = os.getloadavg()[0]  # before we start: other processes slow every figure
    work = Path(tempfile.mkdtemp(prefix="needs-bench-build-"))
    try:
        # 1. national build, fresh subprocess each time
        runs = [national_build(work / f"store-{i}") for i in range(args.repeat)]
        seconds = [s for s, _ in runs]
        peak = max(m for _, m in runs)
        size = store_bytes(work / "store-0")
        info = writing.read_info(work / "store-0")
        police = info.get("police", {})
        areas = sum(info.get("areas", {}).values())
        print(f"{os.cpu_count()} cores, 1-min load average {load:.1f} before the runs; "
              f"{police.get('files')} police.uk files, "
              f"{police.get('rows_read', 0):,} rows; {areas:,} areas; "
              f"{info.get('indicator_rows', 0):,} indicator values")  # fmt: skip
        print(f"\nnational build (`needs build --force`, fresh subprocess, {args.repeat} runs)")
        print(f"  wall time   median {statistics.median(seconds):6.1f} s   "
              f"min {min(seconds):6.1f} s   (goal < 30 s)")  # fmt: skip
        print(f"  peak RSS    {peak:6.0f} MB (largest of the runs: "
              f"{', '.join(f'{m:.0f}' for _, m in runs)})")  # fmt: skip
        n_files = len(list((work / "store-0").iterdir()))
        print(f"  store size  {size / 1e6:6.1f} MB on disk ({n_files} files)")

        # 2. where the time goes, one in-process build
        spent, total, captured = timed_stages(work / "store-inproc")
        print("\nstages (one in-process build, imports already done)")
        for stage, s in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"  {stage:32s} {s:6.2f} s  {100 * s / total:4.0f}%")
        other = total - sum(spent.values())
        print(f"  {'other (glue in pipeline)':32s} {other:6.2f} s  {100 * other / total:4.0f}%")
        print(f"  {'total':32s} {total:6.2f} s")

        # 3. police.uk attribution: count_crimes vs a per-row loop, same frames read once
        _, cfg, lsoa11, lsoa21, forces = captured["args"]
        folder = raw / "police_uk" / "street"
        files = sorted(folder.glob("*-derbyshire-street.csv.gz"))
        frames = {p: police_uk.read_street_crime(p) for p in files}
        rows = sum(len(f) for f in frames.values())
        with (
            mock.patch.object(police_uk, "street_files", lambda _: files),
            mock.patch.object(police_uk, "read_street_crime", lambda p: frames[p].copy(deep=False)),
        ):
            t_fast, (crimes, *_) = best_of(
                lambda: police_counts.count_crimes(folder, cfg, lsoa11, lsoa21, forces)
            )
        t_slow, slow = best_of(lambda: naive_attribution(frames.values(), forces, lsoa11, lsoa21))
        fast = as_counts(crimes)
        same = fast == slow
        print(f"\npolice.uk attribution: {len(files)} Derbyshire months, {rows:,} rows, "
              f"{len(fast):,} count cells; identical counts: {same}")  # fmt: skip
        if not same:
            print(f"  counts differ in {len(set(fast.items()) ^ set(slow.items()))} cells; "
                  "no ratio printed")  # fmt: skip
            return 1
        print(f"  count_crimes (groupby + dict map) {t_fast * 1000:8.1f} ms  "
              "(also derives month coverage and type gaps)")  # fmt: skip
        print(f"  naive per-row loop               {t_slow * 1000:8.1f} ms   "
              f"ratio naive/vectorised {t_slow / t_fast:5.1f}x")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
