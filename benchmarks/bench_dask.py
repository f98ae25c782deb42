"""Benchmark `needs run --scheduler dask` against the local process pool, and a sample of the
national batch on Dask, in one run. Prints:

1. The county batch (params/areas.yaml's areas x every notebook), `needs run --force` three
   ways in the same run: the local process pool (its default size), a Dask LocalCluster of 1
   worker (`--scheduler dask --jobs 1`) and of 2 (`--jobs 2`). Wall seconds of the command,
   reports per second, reports per second per worker, each report's own seconds (run.json,
   in its worker) and peak worker memory.
2. A national-batch sample: N areas drawn evenly from helpers.build.store.england_areas()
   (every English county, district and unitary authority, region by region; `needs run
   --areas` reports each within its own county's assessment), on a LocalCluster of 2 workers:
   seconds, reports per second per worker and peak worker memory; then the same command again
   without --force (every report cached: the no-change rerun).
3. The national build, `needs build --force` into a temporary store (bench_build's
   national_build: a fresh subprocess, as a user runs it).

Peak worker memory: while each command runs, its process tree is sampled every 0.25 s; a worker
is a process whose child is a Jupyter kernel (a pool process or a Dask worker), and its memory
is its resident set plus its kernel's. The table gives the largest such sum over
workers and samples (a spike shorter than a sample can be missed), and, beside it, the largest
high-water marks (Linux VmHWM, exact) of a worker process and of a kernel on their own.

Every command runs on the store in data/processed (run `needs build` first) into a temporary
outputs folder (NEEDS_OUTPUTS_DIR). Figures are printed, never asserted.

    python benchmarks/bench_dask.py                          # county batch, 40-area sample
    python benchmarks/bench_dask.py --county 1 --national 8  # small: 1 area, 8 areas
    python benchmarks/bench_dask.py --national 0 --no-build  # the county batch only
    python benchmarks/bench_dask.py --county 0 --no-build    # the national sample only
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from helpers.build import store  # noqa: E402
from helpers.site import run as site_run  # noqa: E402

SAMPLE_EVERY = 0.25  # seconds between memory samples


# ------------------------------------------------------------------------- memory


def _high_water_mb(proc: psutil.Process) -> float:
    """The process's peak resident set so far (VmHWM), in MB; 0 where /proc has none."""
    try:
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class PeakMemory:
    """Samples a command's process tree until stopped (see the module docstring)."""

    root: int
    workers: set[int] = field(default_factory=set)
    peak_mb: float = 0.0  # worker + its children, the largest sample
    worker_hwm_mb: float = 0.0
    kernel_hwm_mb: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self):
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY):
            try:
                self._sample()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue  # a process ended mid-sample: the next sample sees the new tree

    def _sample(self) -> None:
        root = psutil.Process(self.root)
        kernels = [p for p in root.children(recursive=True) if _is_kernel(p)]
        for kernel in kernels:
            self.kernel_hwm_mb = max(self.kernel_hwm_mb, _high_water_mb(kernel))
        by_worker: dict[int, list[psutil.Process]] = {}
        for kernel in kernels:
            by_worker.setdefault(kernel.ppid(), []).append(kernel)
        for pid, own in by_worker.items():
            worker = psutil.Process(pid)
            self.workers.add(pid)
            # the worker and its kernel only: a child forked for a moment (git, before its exec)
            # would count the worker's pages twice
            rss = sum(p.memory_info().rss for p in (worker, *own)) / 2**20
            self.peak_mb = max(self.peak_mb, rss)
            self.worker_hwm_mb = max(self.worker_hwm_mb, _high_water_mb(worker))

    def stop(self) -> PeakMemory:
        self._stop.set()
        self._thread.join()
        return self


def _is_kernel(proc: psutil.Process) -> bool:
    try:
        return any("ipykernel" in part for part in proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


# ------------------------------------------------------------------------- runs


@dataclass
class Timed:
    label: str
    workers: int
    seconds: float
    status: int
    counts: dict[str, int]  # run.json's reports by status
    report_seconds: float  # mean of the reports' own seconds (those that ran)
    memory: PeakMemory

    @property
    def reports(self) -> int:
        return sum(self.counts.values())


def needs_run(label: str, workers: int, out: Path, areas: list[str], *options: str) -> Timed:
    """`needs -q run --areas ... OPTIONS` into `out`, timed, its process tree sampled."""
    command = [BIN / "needs", "-q", "run", "--areas", ",".join(areas), *options]
    env = {**os.environ, "NEEDS_OUTPUTS_DIR": str(out)}
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = PeakMemory(proc.pid)
    _, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    memory.stop()
    if proc.returncode:  # a failed report or audit: its figures are printed, marked
        sys.stderr.write(stderr.decode(errors="replace")[-2000:])
    if not (out / "run.json").exists():
        raise SystemExit(f"{label}: `needs run` stopped with status {proc.returncode}")
    reports = json.loads((out / "run.json").read_text())["reports"]
    counts: dict[str, int] = {}
    for r in reports:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    ran = [r["seconds"] for r in reports if r["status"] != "cached"]
    mean = sum(ran) / len(ran) if ran else 0.0
    return Timed(label, workers, seconds, proc.returncode, counts, mean, memory)


def even_sample(codes: list[str], n: int) -> list[str]:
    """n codes spread evenly over the list (its first included), in its order."""
    n = min(n, len(codes))
    return [codes[(i * len(codes)) // n] for i in range(n)]


# ------------------------------------------------------------------------- printing

HEADER = (
    f"  {'path':34s} {'workers':>7s} {'reports':>7s} {'seconds':>8s} {'reports/s':>9s} "
    f"{'/worker':>8s} {'s/report':>8s} {'peak MB':>8s} {'(HWM worker':>11s} {'kernel)':>8s}"
    "  status"
)


def row(t: Timed) -> str:
    rate = t.reports / t.seconds
    per_worker = f"{rate / t.workers:8.3f}" if t.workers else f"{'-':>8s}"
    status = ", ".join(f"{n} {s}" for s, n in sorted(t.counts.items()))
    if t.status:
        status += f"; EXIT STATUS {t.status}"
    m = t.memory
    memory = (
        f"{m.peak_mb:8.0f} {m.worker_hwm_mb:11.0f} {m.kernel_hwm_mb:8.0f}"
        if m.workers
        else f"{'-':>8s} {'-':>11s} {'-':>8s}"
    )
    return (
        f"  {t.label:34s} {t.workers or '-':>7} {t.reports:7d} {t.seconds:8.1f} {rate:9.2f} "
        f"{per_worker} {t.report_seconds:8.2f} {memory}  {status}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--county",
        type=int,
        help="only the first N areas of the county batch (default: all; 0: skip it)",
    )
    parser.add_argument(
        "--national", type=int, default=40, help="areas in the national sample (0: skip it)"
    )
    parser.add_argument(
        "--notebooks", help="comma-separated notebooks (default: params/run.yaml's, all)"
    )
    parser.add_argument("--no-build", action="store_true", help="skip the national build")
    args = parser.parse_args()

    store.build_info()  # fails early and clearly if data/processed is missing
    areas, notebooks = site_run.resolve(None, args.notebooks and args.notebooks.split(","))
    county = areas if args.county is None else areas[: args.county]
    nb_options = ["--notebooks", ",".join(notebooks)]
    cores = os.cpu_count() or 1
    print(
        f"{cores} cores, 1-min load average {os.getloadavg()[0]:.1f} before the runs; "
        f"{len(notebooks)} notebooks ({', '.join(notebooks)})"
    )
    work = Path(tempfile.mkdtemp(prefix="needs-bench-dask-"))
    try:
        # 1. the county batch, three ways (each row printed as it is measured)
        if county:
            n = len(county) * len(notebooks)
            pool = max(1, min(cores, n))  # helpers.site.run._run_pool's default size
            print(
                f"\n1. county batch: {len(county)} area(s) of params/areas.yaml's assessment x "
                f"{len(notebooks)} notebook(s) = {n} reports"
            )
            print(HEADER, flush=True)
            for label, workers, folder, options in [
                ("local pool (needs run --force)", pool, "local", ()),
                ("dask LocalCluster, --jobs 1", 1, "dask1", ("--scheduler", "dask", "--jobs", "1")),
                ("dask LocalCluster, --jobs 2", 2, "dask2", ("--scheduler", "dask", "--jobs", "2")),
            ]:  # fmt: skip
                t = needs_run(label, workers, work / folder, county, "--force", *options,
                              *nb_options)  # fmt: skip
                print(row(t), flush=True)

        # 2. the national sample on 2 Dask workers, then the no-change rerun
        if args.national:
            england = store.england_areas()
            sample = even_sample(england, args.national)
            print(
                f"\n2. national sample: {len(sample)} of {len(england)} English counties, "
                f"districts and unitary authorities (evenly spread, region by region) x "
                f"{len(notebooks)} notebook(s) = {len(sample) * len(notebooks)} reports"
            )
            print(HEADER, flush=True)
            dask2 = ("--scheduler", "dask", "--jobs", "2", *nb_options)
            first = needs_run("dask --jobs 2, --force", 2, work / "national", sample,
                              "--force", *dask2)  # fmt: skip
            print(row(first), flush=True)
            again = needs_run("dask --jobs 2, no change (cached)", 0, work / "national",
                              sample, *dask2)  # fmt: skip
            print(row(again))
            if again.counts.get("cached") == again.reports:
                print(
                    "  (the rerun finds every report cached, so it starts no cluster: its "
                    "seconds are the command's own, the last run's index and audit reused)"
                )
            else:  # the code, params or store changed under the benchmark
                print(
                    f"  NOT A NO-CHANGE RERUN: {again.reports - again.counts.get('cached', 0)} "
                    "report(s) ran again, as helpers/, notebooks/, params/ or the store changed "
                    "during the benchmark; rerun it on a quiet working tree"
                )
        print(
            "\n  peak MB: the largest sampled (every "
            f"{SAMPLE_EVERY} s) resident memory of one worker process plus its "
            "Jupyter kernel's;\n  HWM: the largest high-water mark (VmHWM) of a worker process "
            "alone and of a kernel alone. s/report: a report's own seconds in its worker."
        )

        # 3. the national build
        if not args.no_build:
            from bench_build import national_build

            seconds, peak = national_build(work / "store")
            print(
                f"\n3. national build (`needs build --force` in a fresh subprocess, into a "
                f"temporary store): {seconds:.1f} s, peak RSS {peak:.0f} MB"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
