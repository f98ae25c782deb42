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
import html
import json
import logging
import os
import re
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from helpers.build import store
from helpers.core import config, files, paths
from helpers.core.errors import ParamsError, RunError
from helpers.core.provenance import PRIORITY_TITLES, code_version, run_time

log = logging.getLogger(__name__)
CACHE = ".cache"
RESET_KERNEL = (
    "%reset -f\n"
    "import matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt\n"
    "get_ipython().execution_count = 1\n"
)


@dataclass
class ReportResult:
    area_code: str
    notebook: str
    status: str  # ok | failed | cached
    html: str  # relative to outputs/: the report, or its error page when it failed
    seconds: float
    error: str | None = None


@dataclass(frozen=True)
class Task:
    notebook: str
    area_code: str
    area_name: str
    key: str  # what the report depends on; unchanged key + existing page = cached
    outputs: str
    timeout: int


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def available_notebooks() -> list[str]:
    return sorted(p.stem for p in paths.NOTEBOOKS.glob("*.ipynb"))


def resolve(areas: list[str] | None, notebooks: list[str] | None) -> tuple[list[str], list[str]]:
    """The areas and notebooks to run: the flags if given, else params/; all validated first."""
    cfg = config.areas()
    run_cfg = config.load_params("run")
    areas = areas or list(cfg.report_areas)
    notebooks = notebooks or list(run_cfg.get("notebooks") or available_notebooks())
    valid_areas = {c: store.area_name(c) for c in cfg.report_areas}
    unknown = [a for a in areas if a not in valid_areas]
    if unknown:
        listing = "; ".join(f"{c} ({n})" for c, n in valid_areas.items())
        raise ParamsError(
            f"unknown area {', '.join(unknown)}",
            fix=f"use one of: {listing}",
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
    return areas, notebooks


def run(
    *,
    areas: list[str] | None = None,
    notebooks: list[str] | None = None,
    force: bool = False,
    jobs: int | None = None,
) -> int:
    """Run every requested report; returns the exit status (1 if any report failed)."""
    from tqdm import tqdm

    started = time.perf_counter()
    info = store.build_info()  # fails early and clearly if the store is missing
    areas, notebooks = resolve(areas, notebooks)
    if jobs is not None and jobs < 1:
        raise ParamsError(f"--jobs must be 1 or more, not {jobs}", fix="e.g. --jobs 2")
    out = paths.outputs_dir()
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("NEEDS_RUN_TIME", datetime.now(UTC).isoformat(timespec="seconds"))
    timeout = int(config.load_params("run").get("cell_timeout", 300))
    code = _code_fingerprint()
    tasks = [
        Task(
            nb,
            area,
            store.area_name(area),
            _report_key(nb, area, info["fingerprint"], code),
            str(out),
            timeout,
        )
        for area in areas
        for nb in notebooks
    ]
    results: dict[tuple[str, str], ReportResult] = {}
    todo = []
    for task in tasks:
        if not force and _is_cached(task):
            results[(task.notebook, task.area_code)] = ReportResult(
                task.area_code, task.notebook, "cached", _rel_html(task), 0.0
            )
        else:
            todo.append(task)
    # one worker more than cores: while one exports or waits on its kernel, the others compute
    workers = max(1, min(jobs or (os.cpu_count() or 1) + 1, len(todo) or 1))
    with tqdm(
        total=len(tasks), desc="Reports", unit="report", initial=len(results), disable=None
    ) as bar:
        if todo:
            with ProcessPoolExecutor(max_workers=workers, initializer=_worker_start) as pool:
                futures = {pool.submit(_worker_run, task): task for task in todo}
                for future in as_completed(futures):
                    task = futures[future]
                    try:
                        result = future.result()
                    except Exception as exc:  # the worker process itself died
                        result = _failed(task, exc, 0.0, prefix="worker failed: ")
                    results[(task.notebook, task.area_code)] = result
                    bar.set_postfix_str(f"{result.status}: {task.notebook} {task.area_name}")
                    bar.update()
    ordered = [results[(t.notebook, t.area_code)] for t in tasks]
    _write_index(out, ordered, notebooks, areas)
    from helpers.site import compendium_page

    compendium_page.write(out)
    files.write_text(out / "run.json", json.dumps([asdict(r) for r in ordered], indent=2))
    failed = [r for r in ordered if r.status == "failed"]
    for r in failed:
        log.error("FAILED %s for %s: %s (see %s)", r.notebook, r.area_code, r.error, r.html)
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
    return 1 if failed else 0


# ------------------------------------------------------------------------- caching


def _code_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in paths.code_files():
        digest.update(path.relative_to(paths.PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _report_key(notebook: str, area: str, store_fingerprint: str, code: str) -> str:
    digest = hashlib.sha256()
    digest.update((paths.NOTEBOOKS / f"{notebook}.ipynb").read_bytes())
    digest.update(json.dumps({"area_code": area}, sort_keys=True).encode())
    for name in ("areas", "run"):
        digest.update((paths.PARAMS / f"{name}.yaml").read_bytes())
    digest.update(store_fingerprint.encode())
    digest.update(code.encode())
    return digest.hexdigest()


def _paths(task: Task) -> tuple[Path, Path, Path, Path]:
    folder = Path(task.outputs) / slug(task.area_name)
    key_file = Path(task.outputs) / CACHE / slug(task.area_name) / f"{task.notebook}.key"
    return (folder, folder / f"{task.notebook}.html", folder / f"{task.notebook}.ipynb", key_file)


def _rel_html(task: Task) -> str:
    return f"{slug(task.area_name)}/{task.notebook}.html"


def _is_cached(task: Task) -> bool:
    _, page, executed, key_file = _paths(task)
    return (
        page.exists()
        and executed.exists()
        and key_file.exists()
        and key_file.read_text() == task.key
    )


# ------------------------------------------------------------------------- workers

_KERNEL = None  # this worker's warm kernel manager


def _worker_start() -> None:
    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)


def _kernel():
    """This worker's kernel, started once (in notebooks/, as JupyterLab would) and restarted if
    it died."""
    global _KERNEL
    from jupyter_client.manager import KernelManager

    if _KERNEL is None or not _KERNEL.is_alive():
        import tempfile
        from multiprocessing import util

        # ipc (unix sockets) rather than tcp: local only, and no "unencrypted TCP" warning
        sockets = tempfile.mkdtemp(prefix="needs-kernel-")
        _KERNEL = KernelManager(
            kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "kernel")
        )
        # no history database: resetting the execution counter would clash with it
        _KERNEL.start_kernel(
            cwd=str(paths.NOTEBOOKS), extra_arguments=["--HistoryManager.enabled=False"]
        )
        # shut the kernel down when this worker exits (multiprocessing runs finalizers then)
        util.Finalize(_KERNEL, _KERNEL.shutdown_kernel, kwargs={"now": True}, exitpriority=10)
    return _KERNEL


def _reset(km) -> None:
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive(
            RESET_KERNEL, silent=True, store_history=False, timeout=60
        )
        if reply["content"]["status"] != "ok":
            raise RunError(
                "could not reset the kernel between reports",
                fix="rerun `needs run`; if it happens again, run with --jobs 1",
            )
    finally:
        client.stop_channels()


def _worker_run(task: Task) -> ReportResult:
    import nbformat
    import papermill as pm

    started = time.perf_counter()
    folder, page, executed, key_file = _paths(task)
    folder.mkdir(parents=True, exist_ok=True)
    tmp_nb = folder / f".{task.notebook}.{os.getpid()}.ipynb"
    try:
        km = _kernel()
        _reset(km)
        pm.execute_notebook(
            paths.NOTEBOOKS / f"{task.notebook}.ipynb",
            tmp_nb,
            parameters={"area_code": task.area_code},
            kernel_name="python3",
            km=km,
            progress_bar=False,
            log_output=False,
            execution_timeout=task.timeout,
        )
    except Exception as exc:  # PapermillExecutionError, a timeout, a dead kernel: any of them
        if tmp_nb.exists():
            tmp_nb.replace(executed)  # papermill wrote it with its error banner
        return _failed(task, exc, time.perf_counter() - started)
    tmp_nb.replace(executed)
    files.write_text(page, _report_html(task, nbformat.read(executed, as_version=4)))
    (folder / f"{task.notebook}.error.html").unlink(missing_ok=True)
    (folder / f"{task.notebook}.error.log").unlink(missing_ok=True)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    files.write_text(key_file, task.key)
    return ReportResult(
        task.area_code,
        task.notebook,
        "ok",
        _rel_html(task),
        round(time.perf_counter() - started, 2),
    )


def _report_html(task: Task, nb) -> str:
    from helpers.site import pages as site

    title = f"{PRIORITY_TITLES.get(task.notebook, task.notebook)}: {task.area_name}"
    info = store.build_info()
    when = run_time()
    return site.report_page(
        nb,
        title=title,
        subtitle=f"{task.area_name} · {when:%d %B %Y}",
        provenance=[
            ("Code version", code_version()),
            ("Data snapshot", info["data_snapshot"]),
            ("Store built", info["built_at"]),
            ("Parameters", f"area_code = {task.area_code}"),
            ("Run time", f"{when:%Y-%m-%d %H:%M} UTC"),
        ],
    )


def _failed(task: Task, exc: BaseException, seconds: float, prefix: str = "") -> ReportResult:
    """Record a failed report: its full traceback (with every chained cause) in
    <notebook>.error.log, an error page that links it and the executed notebook, and no cache
    key, so the next run tries again. The previous good page is left as it was."""
    from helpers.site import pages

    folder, _page, _executed, key_file = _paths(task)
    folder.mkdir(parents=True, exist_ok=True)
    error = prefix + _first_line(exc)
    log_file = folder / f"{task.notebook}.error.log"
    text = "".join(traceback.format_exception(exc))
    files.write_text(log_file, re.sub(r"\x1b\[[0-9;]*m", "", text))  # no terminal colours
    error_page = folder / f"{task.notebook}.error.html"
    files.write_text(
        error_page,
        pages.error_page(
            title=PRIORITY_TITLES.get(task.notebook, task.notebook),
            area=task.area_name,
            notebook=task.notebook,
            error=error,
            executed=f"{task.notebook}.ipynb",
            log=log_file.name,
        ),
    )
    key_file.unlink(missing_ok=True)
    return ReportResult(
        task.area_code,
        task.notebook,
        "failed",
        str(error_page.relative_to(task.outputs)),
        round(seconds, 2),
        error,
    )


def _first_line(exc: Exception) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip().splitlines()
    lines = [t for t in text if t.strip() and not set(t.strip()) <= set("-")]
    return lines[-1][:400] if lines else type(exc).__name__


# ------------------------------------------------------------------------- index page


def _write_index(
    out: Path, results: list[ReportResult], notebooks: list[str], areas: list[str]
) -> None:
    from helpers.report import html_tables
    from helpers.site import pages as site

    by_key = {(r.area_code, r.notebook): r for r in results}
    head = "".join(
        f'<th scope="col">{html.escape(PRIORITY_TITLES.get(n, n))}</th>' for n in notebooks
    )
    rows = []
    for area in areas:
        cells = []
        for nb in notebooks:
            r = by_key[(area, nb)]
            label = html.escape(PRIORITY_TITLES.get(nb, nb))
            if r.status == "failed":
                cells.append(
                    f'<td class="failed"><span class="status-failed">Failed</span>: '
                    f'<a href="{html.escape(r.html)}">{label}: what went wrong</a>'
                    f"<br><small>{html.escape(r.error or '')}</small></td>"
                )
            else:
                cells.append(f'<td><a href="{html.escape(r.html)}">{label}</a></td>')
        rows.append(
            f'<tr><th scope="row">{html.escape(store.area_name(area))}</th>{"".join(cells)}</tr>'
        )
    failed = [r for r in results if r.status == "failed"]
    summary = (
        f'<p class="status-failed">{len(failed)} report(s) failed; they are marked '
        "below. The other reports are complete.</p>"
        if failed
        else f"<p>All {len(results)} reports are up to date.</p>"
    )
    when = run_time()
    body = (
        "<h1>Community safety and health needs assessment</h1>"
        "<p>Leicestershire and its seven districts: substance misuse (drugs and alcohol), mental "
        "health, domestic and sexual violence, and an overview. Choose an area and a priority."
        f"</p><p>Last run: {when:%d %B %Y, %H:%M} UTC.</p>{summary}"
        '<h2 id="reports">Reports</h2>'
        + html_tables.scrollable(
            '<table class="data text grid"><caption>Reports by area and priority</caption>'
            f'<thead><tr><th scope="col">Area</th>{head}</tr></thead><tbody>{"".join(rows)}'
            "</tbody></table>",
            "Reports by area and priority",
        )
        + _rug_section()
        + '<h2 id="compendium">Data compendium</h2><p>Every indicator, with its definition, '
        'source, caveats and where it exists: <a href="compendium.html">the data compendium'
        "</a>.</p>"
    )
    toc = [
        {"id": "reports", "text": "Reports"},
        {"id": "overview", "text": "Across the districts"},
        {"id": "compendium", "text": "Data compendium"},
    ]
    info = store.build_info()
    page = site.render_page(
        title="Leicestershire needs assessment: reports",
        body=body,
        toc=toc,
        subtitle=f"Reports run {when:%d %B %Y}",
        provenance=[
            ("Code version", code_version()),
            ("Data snapshot", info["data_snapshot"]),
            ("Run time", f"{when:%Y-%m-%d %H:%M} UTC"),
        ],
        home="index.html",
    )
    files.write_text(out / "index.html", page)


def _rug_section() -> str:
    """The county overview's tartan rug, so the landing page answers 'how do areas compare'."""
    from helpers.report import html_tables, views

    county = store.areas().query("area_type == 'County'")["area_code"].iloc[0]
    ids = [
        "police_all_crime",
        "police_violence_sexual",
        "police_drugs",
        "police_asb",
        "848",
        "21001",
        "91414",
        "91382",
    ]
    table = views.rug(ids, county)
    return (
        '<h2 id="overview">Across the districts</h2><p>The latest value of key indicators '
        "in each district; each cell says, in words and colour, how it compares.</p>"
        + html_tables.rug_html(table)
    )
