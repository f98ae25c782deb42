"""`needs run`: execute each (notebook, area) with papermill and export HTML reports to outputs/."""

from __future__ import annotations

import html
import json
import logging
import os
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from helpers import config, paths, store
from helpers.errors import ParamsError

log = logging.getLogger(__name__)


@dataclass
class ReportResult:
    area_code: str
    notebook: str
    status: str  # ok | failed | cached
    html: str
    seconds: float
    error: str | None = None


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
        raise ParamsError(f"unknown area {', '.join(unknown)}", fix=f"use one of: {listing}")
    valid_nbs = available_notebooks()
    unknown = [n for n in notebooks if n not in valid_nbs]
    if unknown:
        raise ParamsError(
            f"unknown notebook {', '.join(unknown)}", fix=f"use one of: {', '.join(valid_nbs)}"
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

    store.build_info()  # fail early and clearly if the store is missing
    areas, notebooks = resolve(areas, notebooks)
    out = paths.outputs_dir()
    out.mkdir(parents=True, exist_ok=True)
    results = []
    tasks = [(nb, area) for area in areas for nb in notebooks]
    with tqdm(tasks, desc="Reports", unit="report") as bar:
        for nb, area in bar:
            bar.set_postfix_str(f"{nb} {store.area_name(area)}")
            results.append(_run_one(nb, area, out))
    _write_index(out, results)
    _atomic_write(out / "run.json", json.dumps([asdict(r) for r in results], indent=2))
    failed = [r for r in results if r.status == "failed"]
    for r in failed:
        log.error("FAILED %s for %s: %s", r.notebook, r.area_code, r.error)
    log.info("%d report(s) written to %s; %d failed", len(results) - len(failed), out, len(failed))
    return 1 if failed else 0


def _run_one(notebook: str, area_code: str, out: Path) -> ReportResult:
    import papermill as pm

    started = time.perf_counter()
    folder = out / slug(store.area_name(area_code))
    folder.mkdir(parents=True, exist_ok=True)
    executed = folder / f"{notebook}.ipynb"
    target = folder / f"{notebook}.html"
    rel = str(target.relative_to(out))
    tmp_nb = folder / f".{notebook}.{os.getpid()}.ipynb"
    try:
        pm.execute_notebook(
            paths.NOTEBOOKS / f"{notebook}.ipynb",
            tmp_nb,
            parameters={"area_code": area_code},
            cwd=str(paths.NOTEBOOKS),
            progress_bar=False,
            kernel_name="python3",
            execution_timeout=config.load_params("run").get("cell_timeout", 300),
        )
    except Exception as exc:  # papermill raises PapermillExecutionError and friends
        if tmp_nb.exists():
            tmp_nb.replace(executed)
        return ReportResult(
            area_code, notebook, "failed", rel, time.perf_counter() - started, _first_line(exc)
        )
    tmp_nb.replace(executed)
    import nbformat

    from helpers import reports, site

    title = f"{reports.PRIORITY_TITLES.get(notebook, notebook)}: {store.area_name(area_code)}"
    info = store.build_info()
    page = site.report_page(
        nbformat.read(executed, as_version=4),
        title=title,
        subtitle=f"{title} · {reports.run_time():%d %B %Y}",
        provenance=[
            ("Code version", reports.code_version()),
            ("Data snapshot", info["data_snapshot"]),
            ("Parameters", f"area_code={area_code}"),
            ("Run time", f"{reports.run_time():%Y-%m-%d %H:%M} UTC"),
        ],
    )
    _atomic_write(target, page)
    return ReportResult(area_code, notebook, "ok", rel, round(time.perf_counter() - started, 2))


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    lines = [t for t in text if t.strip() and not set(t.strip()) <= set("-")]
    return lines[-1][:300] if lines else type(exc).__name__


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _write_index(out: Path, results: list[ReportResult]) -> None:
    rows = []
    for r in results:
        name = html.escape(store.area_name(r.area_code))
        link = (
            f'<a href="{html.escape(r.html)}">{html.escape(r.notebook.replace("_", " "))}</a>'
            if r.status != "failed"
            else f"{html.escape(r.notebook)}: <strong>failed</strong> "
            f"({html.escape(r.error or '')})"
        )
        rows.append(f"<li>{name}: {link}</li>")
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Leicestershire needs assessment: reports</title></head><body>"
        "<h1>Leicestershire community safety and health needs assessment</h1>"
        f"<ul>{''.join(rows)}</ul>"
        "<p>Contains public sector information licensed under the Open Government Licence v3.0.</p>"
        "</body></html>"
    )
    _atomic_write(out / "index.html", page)
