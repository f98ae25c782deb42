"""`needs run --scheduler dask`: the same reports as the local process pool, byte for byte, on
a real Dask LocalCluster; and a cluster that cannot run them is refused with what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import golden_snapshot

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
