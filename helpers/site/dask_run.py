"""`needs run --scheduler dask` (a LocalCluster sized to the machine) or `--scheduler
tcp://HOST:PORT` (an existing Dask distributed cluster): each (area, notebook) report is one
task, run by the same helpers.site.worker code as the local process pool, so the pages are the
same byte for byte.

Each Dask worker keeps one warm kernel, as a pool worker does. The run's settings (the store,
outputs and params folders, the run time) travel with every task and are applied on the worker
before its kernel starts; a worker whose settings change restarts its kernel. A task that
raises is retried once (Dask's `retries`), then reported as failed; a report whose notebook
fails is reported at once (a notebook error repeats). A task whose worker process dies (killed,
out of memory) is retried once on the LocalCluster (its scheduler's `allowed_failures`; an
existing cluster's scheduler keeps its own, Dask's default being 3), then reported as failed.
Only as many tasks are handed to the scheduler as the cluster has threads, so a worker holds
just the report it runs: one that dies takes no queued report down with it. Before any task,
every worker is asked whether it has the project, the store and the outputs folder: a cluster
that lacks one is refused with what is missing, worker by worker."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from helpers.core import paths
from helpers.core.errors import RunError
from helpers.site import worker

SETTINGS = ("NEEDS_PROCESSED_DIR", "NEEDS_OUTPUTS_DIR", "NEEDS_PARAMS_DIR", "NEEDS_RUN_TIME")
_APPLIED: dict[str, str] = {}  # this worker process's settings, as last applied
LOST_WORKER_RETRIES = 1  # a LocalCluster's report whose worker dies runs once more, no more


def settings(out: Path) -> dict[str, str]:
    """What a worker needs to run this batch as the client would: absolute folders and the
    run time (set by `needs run` before the tasks are made)."""
    found = {k: os.environ[k] for k in SETTINGS if k in os.environ}
    found["NEEDS_PROCESSED_DIR"] = str(paths.processed_dir().resolve())
    found["NEEDS_OUTPUTS_DIR"] = str(Path(out).resolve())
    found["NEEDS_PARAMS_DIR"] = str(paths.PARAMS.resolve())
    return found


def connect(scheduler: str, workers: int | None):
    """(client, cluster or None): `dask` starts a LocalCluster of one process per worker (one
    thread each: a report runs one kernel); an address connects to that scheduler."""
    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.WARNING)  # its INFO lines are noise here
    if scheduler == "dask":
        n = workers or (os.cpu_count() or 1)
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            # no web server on a shared machine; a report whose worker dies twice has failed
            scheduler_kwargs={"dashboard": False, "allowed_failures": LOST_WORKER_RETRIES},
        )
        return Client(cluster), cluster
    if not scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        raise RunError(
            f"unknown scheduler {scheduler!r}",
            fix="use --scheduler dask (a local cluster) or --scheduler tcp://HOST:PORT",
        )
    try:
        return Client(scheduler, timeout="20s"), None
    except OSError as exc:
        raise RunError(
            f"could not reach the Dask scheduler at {scheduler}: {exc}",
            fix="start it with `dask scheduler` (and workers with `dask worker ADDRESS`), "
            "or check the address",
        ) from exc


def worker_problems(settings_: dict[str, str]) -> list[str]:
    """Run on a worker: what it lacks to run the batch (empty when nothing)."""
    problems = []
    store = Path(settings_["NEEDS_PROCESSED_DIR"])
    if not (store / "build.json").exists():
        problems.append(f"no store at {store} (build.json missing): put it on a shared path")
    notebooks = paths.NOTEBOOKS
    if not notebooks.is_dir():
        problems.append(f"no notebooks at {notebooks}: install the project on the worker")
    out = Path(settings_["NEEDS_OUTPUTS_DIR"])
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".probe.{os.getpid()}.tmp"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        problems.append(f"cannot write the outputs folder {out}: {exc}")
    return problems


def check_workers(client, settings_: dict[str, str]) -> int:
    """Refuse a cluster whose workers cannot run the batch; returns how many workers it has."""
    client.wait_for_workers(1, timeout=60)
    try:
        found = client.run(worker_problems, settings_)
    except ModuleNotFoundError as exc:  # the task could not be unpickled there
        raise RunError(
            f"a Dask worker cannot import the project ({exc})",
            fix="install the project on every worker (`pip install -e .` in the same version)",
        ) from exc
    bad = {w: p for w, p in found.items() if p}
    if bad:
        lines = "; ".join(f"{w}: {', '.join(p)}" for w, p in sorted(bad.items()))
        raise RunError(
            f"{len(bad)} Dask worker(s) cannot run the reports: {lines}",
            fix="workers need the project installed and the store and outputs on shared paths",
        )
    return len(found)


def report_task(task: worker.Task, settings_: dict[str, str]) -> worker.ReportResult:
    """One report on a Dask worker: apply the batch's settings (restarting the kernel if they
    changed), then run it exactly as a pool worker does."""
    global _APPLIED
    if settings_ != _APPLIED:
        worker.stop_kernel()  # a kernel inherits its settings when it starts
        os.environ.update(settings_)
        _APPLIED = dict(settings_)
        worker.worker_start()
    return worker.worker_run(task)


def run_tasks(
    client,
    todo: Iterable[worker.Task],
    settings_: dict[str, str],
    done: Callable[[worker.Task, worker.ReportResult], None],
) -> None:
    """Run every task, calling `done` as each finishes (in completion order).

    A task is submitted only when a thread is free for it: the scheduler would otherwise place
    every task on a worker at once, and when a worker dies Dask counts the death against every
    task placed there (and reruns the results it held), so a report queued behind one that
    kills its worker would fail with it. Each result is released as soon as it is read."""
    from distributed import KilledWorker, as_completed

    pending = list(enumerate(todo))[::-1]  # popped from the end: in order
    futures: dict = {}
    finished = as_completed()

    def top_up() -> None:
        free = max(1, sum(client.nthreads().values())) - len(futures)
        for _ in range(min(free, len(pending))):
            i, t = pending.pop()
            future = client.submit(
                report_task, t, settings_, key=f"report-{t.notebook}-{t.area_code}-{i}",
                retries=1, pure=False,
            )  # fmt: skip
            futures[future] = t
            finished.add(future)

    top_up()
    for future in finished:
        task = futures.pop(future)
        try:
            result = future.result()
        except KilledWorker as exc:  # its worker died on every attempt
            result = worker.failed(task, _lost(exc), 0.0, prefix="dask worker lost: ")
        except Exception as exc:  # raised twice
            result = worker.failed(task, exc, 0.0, prefix="dask task failed: ")
        finally:
            future.release()  # its result leaves the worker's memory
        del future
        done(task, result)
        top_up()
    client.run(worker.stop_kernel)  # no kernel outlives the batch on a shared cluster


def _lost(exc) -> RuntimeError:
    """What a report whose worker died on every attempt says, with Dask's KilledWorker as its
    cause (in the error log)."""
    try:
        raise RuntimeError(
            f"the Dask worker running it died {exc.allowed_failures + 1} times (killed, "
            "or out of memory?); see the worker's log"
        ) from exc
    except RuntimeError as lost:
        return lost
