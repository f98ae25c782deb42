"""One report in a worker process: a warm kernel per worker (reset before every report), the
notebook executed with papermill, and the page exported in-process with nbconvert. A failed
report keeps its executed notebook, an error page and its full traceback; the previous good
page stays."""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from helpers.build import store
from helpers.core import files, paths
from helpers.core.errors import RunError
from helpers.core.provenance import PRIORITY_TITLES, code_version, run_time
from helpers.report import ledger
from helpers.site import pages

CACHE = ".cache"
RESET_KERNEL = (
    "%reset -f\n"
    "import matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt\n"
    "get_ipython().execution_count = 1\n"
    # what survives a reset (modules, the loaded store) is left out of later collections:
    # %reset's own full collection walked half a million objects, a third of a second a report
    "import gc as _gc\n_gc.freeze()\ndel _gc\n"
)
UNFREEZE_EVERY = 25
"""Reports between full collections of the frozen objects too, so that cyclic garbage made
frozen (a store table dropped for another assessment's) is freed in a long batch."""
UNFREEZE = "import gc as _gc\n_gc.unfreeze()\ndel _gc\n"


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
    assessment: str | None = None  # the area's county or unitary authority, outside params'


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def task_paths(task: Task) -> tuple[Path, Path, Path, Path]:
    folder = Path(task.outputs) / slug(task.area_name)
    key_file = Path(task.outputs) / CACHE / slug(task.area_name) / f"{task.notebook}.key"
    return (folder, folder / f"{task.notebook}.html", folder / f"{task.notebook}.ipynb", key_file)


def rel_html(task: Task) -> str:
    return f"{slug(task.area_name)}/{task.notebook}.html"


# files.atomic_path's temporary files (.<name>.<random>.tmp<suffix>) and the notebook papermill
# writes as it executes (.<notebook>.<pid>.ipynb)
LEFTOVER = re.compile(r"\..+(\.tmp(\.\w+)?|\.\d+\.ipynb)")


def remove_leftovers(out: Path) -> list[Path]:
    """Delete what a killed run left half-written in outputs/. Hidden on Linux, but not on a
    Windows network drive or in a zip of outputs/. Call it while no report is being written."""
    left = [p for p in Path(out).rglob(".*") if p.is_file() and LEFTOVER.fullmatch(p.name)]
    for path in left:
        path.unlink(missing_ok=True)
    return left


def is_cached(task: Task) -> bool:
    _, page, executed, key_file = task_paths(task)
    return (
        page.exists()
        and executed.exists()
        and key_file.exists()
        and key_file.read_text() == task.key
    )


# ------------------------------------------------------------------------- workers

_KERNEL = None  # this worker's warm kernel manager
_RESETS = 0  # reports run in it


def worker_start() -> None:
    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)


def _kernel():
    """This worker's kernel, started once (in notebooks/, as JupyterLab would) and restarted if
    it died."""
    global _KERNEL, _RESETS
    from jupyter_client.manager import KernelManager

    if _KERNEL is None or not _KERNEL.is_alive():
        _RESETS = 0
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
        # then remove its socket folder (lower priority runs later); a killed run leaves one
        util.Finalize(
            _KERNEL, shutil.rmtree, args=(sockets,), kwargs={"ignore_errors": True}, exitpriority=5
        )
    return _KERNEL


def _reset(km) -> None:
    """Clear the warm kernel's namespace and figures before the next report. Through the shell
    channel only: its reply arrives when the reset is done, whereas a full client waits 0.2 s
    for its broadcast channel to settle (twice a report, with papermill's own)."""
    global _RESETS
    _RESETS += 1
    code = (UNFREEZE if _RESETS % UNFREEZE_EVERY == 0 else "") + RESET_KERNEL
    client = km.client()
    client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
    try:
        msg_id = client.execute(code, silent=True, store_history=False)
        while True:
            reply = client.get_shell_msg(timeout=60)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            raise RunError(
                "could not reset the kernel between reports",
                fix="rerun `needs run`; if it happens again, run with --jobs 1",
            )
    finally:
        client.stop_channels()


def worker_run(task: Task) -> ReportResult:
    import papermill as pm

    started = time.perf_counter()
    store.use_assessment(task.assessment)  # the page's header names the report's assessment
    folder, page, executed, key_file = task_paths(task)
    folder.mkdir(parents=True, exist_ok=True)
    tmp_nb = folder / f".{task.notebook}.{os.getpid()}.ipynb"
    try:
        km = _kernel()
        _reset(km)
        nb = pm.execute_notebook(
            paths.NOTEBOOKS / f"{task.notebook}.ipynb",
            tmp_nb,
            parameters={"area_code": task.area_code}
            | ({"assessment": task.assessment} if task.assessment else {}),
            kernel_name="python3",
            km=km,
            progress_bar=False,
            log_output=False,
            # written once at the end (or with its error banner), not at every cell's start
            # and end: re-serialising a notebook that grows to 1 MB of charts 40 times a report
            request_save_on_cell_execute=False,
            execution_timeout=task.timeout,
        )
    except Exception as exc:  # PapermillExecutionError, a timeout, a dead kernel: any of them
        if tmp_nb.exists():
            tmp_nb.replace(executed)  # papermill wrote it with its error banner
        return failed(task, exc, time.perf_counter() - started)
    tmp_nb.replace(executed)  # papermill returns what it wrote: no need to read it back
    # what the page publishes, cell by cell, for the audit that follows every run
    figures = ledger.from_notebook(nb)
    files.write_text(folder / f"{task.notebook}.figures.csv", figures.to_csv(index=False))
    files.write_text(page, _report_html(task, nb))
    (folder / f"{task.notebook}.error.html").unlink(missing_ok=True)
    (folder / f"{task.notebook}.error.log").unlink(missing_ok=True)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    files.write_text(key_file, task.key)
    return ReportResult(
        task.area_code,
        task.notebook,
        "ok",
        rel_html(task),
        round(time.perf_counter() - started, 2),
    )


def _report_html(task: Task, nb) -> str:
    title = f"{PRIORITY_TITLES.get(task.notebook, task.notebook)}: {task.area_name}"
    info = store.build_info()
    when = run_time()
    return pages.report_page(
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


def failed(task: Task, exc: BaseException, seconds: float, prefix: str = "") -> ReportResult:
    """Record a failed report: its full traceback (with every chained cause) in
    <notebook>.error.log, an error page that links it and the executed notebook, and no cache
    key, so the next run tries again. The previous good page is left as it was."""
    store.use_assessment(task.assessment)
    folder, _page, _executed, key_file = task_paths(task)
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


def stop_kernel() -> None:
    """Shut this worker's kernel down; the next report starts a fresh one (a Dask worker
    whose settings changed, or the end of a batch on a shared cluster)."""
    global _KERNEL
    if _KERNEL is not None and _KERNEL.has_kernel:
        _KERNEL.shutdown_kernel(now=True)
    _KERNEL = None
