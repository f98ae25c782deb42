"""`needs run`: every (notebook, area) report, executed with papermill in a pool of worker
processes and exported to self-contained HTML in outputs/.

Speed comes from three things (see benchmarks/bench_run.py):
* each worker keeps one warm kernel, so the kernel start and the imports of pandas, matplotlib
  and the helpers are paid once per worker, not once per report; the kernel's namespace and
  execution counter are reset before every report, so a warm run gives the same page as a cold
  one (tests/test_run.py checks this byte for byte);
* HTML is exported in the worker, in-process, with nbconvert's HTMLExporter;
* a report whose notebook, parameters, store and code are unchanged is reused ("cached").

A failing report never stops the others: its executed notebook (with papermill's error banner)
is kept beside an error page, the previous good page stays, and the exit status is 1.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict
from datetime import UTC, datetime

from helpers.build import store
from helpers.core import config, files, paths
from helpers.core.errors import ParamsError
from helpers.report import editions
from helpers.site import index_page, worker

log = logging.getLogger(__name__)

# what run.json says of each edition (editions.json beside it holds the values too)
EDITION_FIELDS = ("id", "fingerprint", "data_snapshot", "built_at", "run_date")


def available_notebooks() -> list[str]:
    return sorted(p.stem for p in paths.NOTEBOOKS.glob("*.ipynb"))


ENGLAND = "england"  # --areas england (or `areas: england` in params/run.yaml): every area


def resolve(areas: list[str] | None, notebooks: list[str] | None) -> tuple[list[str], list[str]]:
    """The areas and notebooks to run: the flags if given, else params/; all validated first.

    An area outside params/areas.yaml's assessment (any English county, district or unitary
    authority, or all of them with `england`) is reported within its own county's or unitary
    authority's assessment."""
    cfg = store.selection()
    run_cfg = config.load_params("run")
    areas = areas or _listed(run_cfg.get("areas")) or list(cfg.report_areas)
    if ENGLAND in (a.lower() for a in areas):
        areas = store.england_areas()
    notebooks = notebooks or list(run_cfg.get("notebooks") or available_notebooks())
    national = set(store.england_areas())
    unknown = [a for a in areas if a not in cfg.report_areas and a not in national]
    if unknown:
        listing = "; ".join(f"{c} ({store.area_name(c)})" for c in cfg.report_areas)
        raise ParamsError(
            f"unknown area {', '.join(unknown)}",
            fix=f"use one of: {listing}; or any English county, district or unitary authority "
            "code (`needs areas` lists them); or 'england' for every one",
            path=paths.PARAMS / "areas.yaml",
        )
    valid_nbs = available_notebooks()
    unknown = [n for n in notebooks if n not in valid_nbs]
    if unknown:
        raise ParamsError(
            f"unknown notebook {', '.join(unknown)}",
            fix=f"use one of: {', '.join(valid_nbs)}",
            path=paths.PARAMS / "run.yaml",
        )
    return list(dict.fromkeys(areas)), notebooks


def _listed(value) -> list[str] | None:
    """params/run.yaml's `areas:`: 'england', a list of codes, or absent."""
    if value is None:
        return None
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise ParamsError(
        f"'areas' has {value!r}",
        path=paths.PARAMS / "run.yaml",
        fix="write 'areas: england', a list of area codes, or remove it for params/areas.yaml's",
    )


def run(
    *,
    areas: list[str] | None = None,
    notebooks: list[str] | None = None,
    force: bool = False,
    jobs: int | None = None,
    scheduler: str | None = None,
) -> int:
    """Run every requested report; returns the exit status (1 if any report failed).

    `scheduler`: None (or "local") runs a process pool here; "dask" a Dask LocalCluster;
    "tcp://HOST:PORT" an existing Dask cluster (default: params/run.yaml's `scheduler`)."""
    from tqdm import tqdm

    started = time.perf_counter()
    info = store.build_info()  # fails early and clearly if the store is missing
    areas, notebooks = resolve(areas, notebooks)
    if jobs is not None and jobs < 1:
        raise ParamsError(f"--jobs must be 1 or more, not {jobs}", fix="e.g. --jobs 2")
    out = paths.outputs_dir()
    out.mkdir(parents=True, exist_ok=True)
    if left := worker.remove_leftovers(out):  # a killed run's temporary files, never served
        log.info("Removed %d file(s) half-written by an interrupted run", len(left))
    os.environ.setdefault("NEEDS_RUN_TIME", datetime.now(UTC).isoformat(timespec="seconds"))
    run_cfg = config.load_params("run")
    timeout = int(run_cfg.get("cell_timeout", 300))
    scheduler = scheduler or run_cfg.get("scheduler") or "local"
    code = _code_fingerprint()
    static = _static_digest(notebooks)  # notebooks and params, hashed once for every report
    # the edition this run uses, and the last one its reports compare with (written first)
    owners = {area: store.report_assessment(area) for area in areas}
    # a batch beyond params/areas.yaml's assessment records every area's values
    everywhere = store.national_areas()["area_code"].tolist()
    record = editions.roll_for_run(out, everywhere if any(owners.values()) else None)
    edition = editions.cache_key(record)
    tasks = [
        worker.Task(
            nb,
            area,
            store.area_name(area),
            _report_key(static[nb], area, owners[area], info["fingerprint"], code, edition),
            str(out),
            timeout,
            owners[area],
        )
        for area in areas
        for nb in notebooks
    ]
    results: dict[tuple[str, str], worker.ReportResult] = {}
    todo = []
    for task in tasks:
        if not force and worker.is_cached(task):
            results[(task.notebook, task.area_code)] = worker.ReportResult(
                task.area_code, task.notebook, "cached", worker.rel_html(task), 0.0
            )
        else:
            todo.append(task)
    batch = _batch_key(tasks)
    last_audit = None if todo else _unchanged_audit(out, batch)
    if last_audit is not None:  # hashed once: the index, compendium and audit still hold
        ordered = [results[(t.notebook, t.area_code)] for t in tasks]
        _write_summary(out, ordered, record, last_audit, batch)
        log.info(
            "Nothing has changed since the last run: %d report(s) cached; the index, compendium "
            "and disclosure audit are as they were (%.1f s) -> %s",
            len(tasks),
            time.perf_counter() - started,
            out / "index.html",
        )
        return 0
    with tqdm(
        total=len(tasks), desc="Reports", unit="report", initial=len(results), disable=None
    ) as bar:

        def done(task: worker.Task, result: worker.ReportResult) -> None:
            results[(task.notebook, task.area_code)] = result
            bar.set_postfix_str(f"{result.status}: {task.notebook} {task.area_name}")
            bar.update()

        if todo and scheduler == "local":
            _run_pool(todo, jobs, done)
        elif todo:
            _run_dask(todo, scheduler, jobs, out, done)
    ordered = [results[(t.notebook, t.area_code)] for t in tasks]
    index_page.write_index(out, ordered, notebooks, areas)
    from helpers.site import compendium_page

    compendium_page.write(out)
    from helpers.site import audit

    checked = audit.audit(out)
    _write_summary(out, ordered, record, checked, batch)
    failed = [r for r in ordered if r.status == "failed"]
    for r in failed:
        log.error("FAILED %s for %s: %s (see %s)", r.notebook, r.area_code, r.error, r.html)
    if checked["passed"]:
        log.info(
            "Disclosure audit passed: %d published cells (%d hidden) in %d pages checked",
            checked["checked"]["published_cells"],
            checked["checked"]["hidden_cells"],
            checked["checked"]["pages"],
        )
    else:
        for f in checked["first_findings"][:10]:
            log.error("DISCLOSURE: %s in %s: %s", f["check"], f["where"], f["what"])
        log.error(
            "DISCLOSURE AUDIT FAILED: %d finding(s); do not publish %s (details in run.json)",
            checked["findings"],
            out,
        )
    cached = sum(r.status == "cached" for r in ordered)
    log.info(
        "%d report(s) in %.1f s (%d run, %d cached, %d failed) -> %s",
        len(ordered),
        time.perf_counter() - started,
        len(ordered) - cached - len(failed),
        cached,
        len(failed),
        out / "index.html",
    )
    return 1 if failed or not checked["passed"] else 0


def _write_summary(out, ordered, record: dict, checked: dict, batch: str) -> None:
    summary = {
        "reports": [asdict(r) for r in ordered],
        "editions": {
            name: {k: v for k, v in (record[name] or {}).items() if k in EDITION_FIELDS} or None
            for name in ("current", "last")
        },
        "audit": checked,
        "batch": batch,
    }
    files.write_text(out / "run.json", json.dumps(summary, indent=2))


def _run_pool(todo: list[worker.Task], jobs: int | None, done) -> None:
    """The local process pool: one worker a core. A worker and its kernel take turns (the
    kernel computes while the worker waits, then the worker exports), so each pair keeps about
    one core busy; a spare worker only adds a kernel's start-up (measured on 2 cores, 32
    reports: 51.1 s with 2 workers against 53.4 s with 3, means of four runs)."""
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    with ProcessPoolExecutor(max_workers=workers, initializer=worker.worker_start) as pool:
        futures = {pool.submit(worker.worker_run, task): task for task in todo}
        for future in as_completed(futures):
            task = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the worker process itself died
                result = worker.failed(task, exc, 0.0, prefix="worker failed: ")
            done(task, result)


def _run_dask(todo: list[worker.Task], scheduler: str, jobs: int | None, out, done) -> None:
    from helpers.site import dask_run

    client, cluster = dask_run.connect(scheduler, jobs)
    try:
        wanted = dask_run.settings(out)
        count = dask_run.check_workers(client, wanted)
        log.info("Dask: %d worker(s) at %s", count, client.scheduler.address)
        dask_run.run_tasks(client, todo, wanted, done)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ------------------------------------------------------------------------- caching


def _batch_key(tasks: list[worker.Task]) -> str:
    """The whole batch in one digest: its reports' keys, in order."""
    digest = hashlib.sha256()
    for task in tasks:
        digest.update(f"{task.notebook} {task.area_code} {task.key}\n".encode())
    return digest.hexdigest()


def _unchanged_audit(out, batch: str) -> dict | None:
    """The last run's passed audit when that run was this very batch, every report ok or
    cached, and its index and compendium are still there (so they are current); else None."""
    try:
        last = json.loads((out / "run.json").read_text())
    except (OSError, ValueError):
        return None
    audit = last.get("audit") or {}
    same = (
        last.get("batch") == batch
        and audit.get("passed") is True
        and all(r.get("status") in ("ok", "cached") for r in last.get("reports", []))
        and all((out / name).exists() for name in ("index.html", "compendium.html"))
    )
    return audit if same else None


def _code_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in paths.code_files():
        digest.update(path.relative_to(paths.PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _static_digest(notebooks: list[str]) -> dict[str, str]:
    """Each notebook's bytes with params/areas.yaml and run.yaml, digested once per run."""
    params = b"".join((paths.PARAMS / f"{name}.yaml").read_bytes() for name in ("areas", "run"))
    return {
        nb: hashlib.sha256((paths.NOTEBOOKS / f"{nb}.ipynb").read_bytes() + params).hexdigest()
        for nb in notebooks
    }


def _report_key(
    static: str,
    area: str,
    assessment: str | None,
    store_fingerprint: str,
    code: str,
    edition: str = "",
) -> str:
    """What a report depends on: its notebook and params (`static`), area and assessment,
    store, code, and the last edition its "since the last edition" section compares with."""
    digest = hashlib.sha256(static.encode())
    area_params = {"area_code": area} | ({"assessment": assessment} if assessment else {})
    digest.update(json.dumps(area_params, sort_keys=True).encode())
    digest.update(store_fingerprint.encode())
    digest.update(code.encode())
    digest.update(edition.encode())
    return digest.hexdigest()
