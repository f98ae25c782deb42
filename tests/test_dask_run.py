"""`needs run --scheduler dask`: the same reports as the local process pool, byte for byte, on
a real Dask LocalCluster; a cluster that cannot run them is refused with what is missing; and a
report whose worker process dies is retried once, then reported, never stopping the batch."""

from __future__ import annotations

import html
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from conftest import golden_snapshot
from distributed.diagnostics.plugin import WorkerPlugin

from helpers.build import store
from helpers.core.errors import RunError
from helpers.site import dask_run, run

AREAS = ["E07000133", "E10000018"]  # Melton and its county
NOTEBOOKS = ["mental_health", "domestic_sexual_violence"]


def _batch(monkeypatch, full_store: Path, out: Path, **options) -> int:
    monkeypatch.setenv("NEEDS_PROCESSED_DIR", str(full_store))
    monkeypatch.setenv("NEEDS_OUTPUTS_DIR", str(out))
    monkeypatch.setenv("NEEDS_RUN_TIME", golden_snapshot.RUN_TIME)
    store.clear()
    try:
        return run.run(areas=AREAS, notebooks=NOTEBOOKS, force=True, **options)
    finally:
        store.clear()


def test_the_dask_path_makes_the_same_pages(monkeypatch, full_store, tmp_path):
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert _batch(monkeypatch, full_store, local) == 0
    assert _batch(monkeypatch, full_store, dask, scheduler="dask", jobs=2) == 0
    pages = sorted(p.relative_to(local) for p in local.glob("*/*.html"))
    assert len(pages) == len(AREAS) * len(NOTEBOOKS)
    for page in pages:  # the whole page, provenance included: the run time is pinned
        assert (dask / page).read_bytes() == (local / page).read_bytes(), page
    for name in ("index.html", "compendium.html"):
        assert (dask / name).read_bytes() == (local / name).read_bytes(), name


def test_an_unknown_scheduler_says_what_to_use():
    with pytest.raises(RunError, match="unknown scheduler 'dsak'") as caught:
        dask_run.connect("dsak", None)
    assert "--scheduler dask" in str(caught.value)


def test_an_unreachable_scheduler_says_how_to_start_one():
    with pytest.raises(RunError, match="could not reach the Dask scheduler") as caught:
        dask_run.connect("tcp://127.0.0.1:9", None)
    assert "dask scheduler" in str(caught.value)


class _Cluster:
    """Stands in for a Client: each worker runs the check itself, on its own settings."""

    def __init__(self, workers: dict[str, dict]):
        self.workers = workers

    def wait_for_workers(self, n, timeout):
        return None

    def run(self, fn, settings):
        return {w: fn(own) for w, own in self.workers.items()}


def test_a_worker_without_the_store_is_named(full_store, tmp_path):
    good = {"NEEDS_PROCESSED_DIR": str(full_store), "NEEDS_OUTPUTS_DIR": str(tmp_path / "o")}
    bad = good | {"NEEDS_PROCESSED_DIR": str(tmp_path / "nowhere")}
    assert dask_run.check_workers(_Cluster({"w1": good}), good) == 1
    with pytest.raises(RunError, match=r"1 Dask worker\(s\) cannot run the reports: w2: no store"):
        dask_run.check_workers(_Cluster({"w1": good, "w2": bad}), good)


# ------------------------------------------------------------------ a worker lost mid-report

DYING = ["E07000133", "E07000129", "E07000131"]  # Melton, Blaby, Harborough: one notebook each
DEATHS = {"E07000133": 99, "E07000129": 1}  # Melton's worker dies every time, Blaby's once


class _KillsItsWorker(WorkerPlugin):
    """Set up on every worker, and again on each worker that replaces a dead one: the report
    for an area of `deaths` ends its worker process (os._exit, as the out-of-memory killer would,
    with the report's kernel started) on its first `deaths[area]` attempts. Every attempt is
    recorded as a file in `folder`, since attempts span processes."""

    def __init__(self, folder: str, deaths: dict[str, int]):
        self.folder, self.deaths = folder, deaths

    def setup(self, worker):
        from helpers.site import worker as report_worker

        run_report = getattr(report_worker.worker_run, "unpatched", report_worker.worker_run)
        folder, deaths = Path(self.folder), self.deaths

        def worker_run(task):
            attempt = len(list(folder.glob(f"{task.area_code}.*"))) + 1
            (folder / f"{task.area_code}.{attempt}").write_text(str(os.getpid()))
            if attempt <= deaths.get(task.area_code, 0):
                report_worker._kernel()  # a warm kernel, left behind as the worker dies
                os._exit(9)
            return run_report(task)

        worker_run.unpatched = run_report
        report_worker.worker_run = worker_run


@pytest.fixture(scope="module")
def lost_worker_batch(full_store, tmp_path_factory):
    """One batch on a LocalCluster of one worker (so every report waits behind the dying
    ones): Melton's report kills its worker every time, Blaby's once, Harborough's never."""
    base = tmp_path_factory.mktemp("lost")
    attempts, out = base / "attempts", base / "outputs"
    attempts.mkdir()
    plugin = _KillsItsWorker(str(attempts), DEATHS)
    connect = dask_run.connect

    def connect_and_register(scheduler, workers):
        client, cluster = connect(scheduler, workers)
        client.register_plugin(plugin)  # on every worker, including those that replace one
        return client, cluster

    patch = pytest.MonkeyPatch()
    patch.setattr(dask_run, "connect", connect_and_register)
    patch.setenv("NEEDS_PROCESSED_DIR", str(full_store))
    patch.setenv("NEEDS_OUTPUTS_DIR", str(out))
    patch.setenv("NEEDS_RUN_TIME", golden_snapshot.RUN_TIME)
    store.clear()
    try:
        status = run.run(areas=DYING, notebooks=["overview"], force=True, scheduler="dask", jobs=1)
        tried = Counter(p.name.split(".")[0] for p in attempts.iterdir())
        reports = {r["area_code"]: r for r in json.loads((out / "run.json").read_text())["reports"]}
        yield status, tried, reports, out
    finally:
        patch.undo()
        store.clear()


def test_a_lost_worker_is_retried_once_then_reported(lost_worker_batch):
    status, tried, reports, out = lost_worker_batch
    assert status == 1
    assert tried["E07000133"] == 2  # the first attempt and one retry, no more
    melton = reports["E07000133"]
    assert melton["status"] == "failed"
    assert melton["error"].startswith("dask worker lost: ")
    assert "died 2 times" in melton["error"]
    error_page = out / melton["html"]
    assert error_page.name == "overview.error.html" and error_page.exists()
    assert "KilledWorker" in (error_page.parent / "overview.error.log").read_text()
    index = (out / "index.html").read_text()
    assert html.escape(melton["error"]) in index  # the index says what went wrong


def test_a_lost_worker_never_stops_the_batch(lost_worker_batch):
    status, tried, reports, out = lost_worker_batch
    assert reports["E07000131"]["status"] == "ok" and tried["E07000131"] == 1
    assert (out / "harborough" / "overview.html").exists()


def test_a_report_whose_worker_dies_once_is_ok_on_its_retry(lost_worker_batch):
    status, tried, reports, out = lost_worker_batch
    assert tried["E07000129"] == 2
    assert reports["E07000129"]["status"] == "ok"
    assert reports["E07000129"]["error"] is None
    assert (out / "blaby" / "overview.html").exists()
    assert not (out / "blaby" / "overview.error.html").exists()
