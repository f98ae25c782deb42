"""`needs run`: parallel, warm, cached, robust to failures, and its pages self-contained."""

from __future__ import annotations

import json
import re
import shutil

import nbformat
import pytest
from conftest import ROOT, run_cli

from helpers.build import store
from helpers.core import paths
from helpers.core.errors import ParamsError
from helpers.site import run


@pytest.fixture
def env(full_store, monkeypatch, tmp_path):
    monkeypatch.setenv("NEEDS_PROCESSED_DIR", str(full_store))
    monkeypatch.setenv("NEEDS_OUTPUTS_DIR", str(tmp_path / "outputs"))
    monkeypatch.setenv("NEEDS_RUN_TIME", "2026-11-26T12:00:00+00:00")
    store.clear()
    yield tmp_path / "outputs"
    store.clear()


def test_warm_kernel_gives_the_same_page_as_a_cold_one(env):
    outputs = env
    assert run.run(areas=["E07000130"], notebooks=["mental_health"], jobs=1, force=True) == 0
    cold = (outputs / "charnwood" / "mental_health.html").read_bytes()
    # one worker: mental_health for Charnwood now runs second, in a kernel that ran Melton first
    assert (
        run.run(areas=["E07000133", "E07000130"], notebooks=["mental_health"], jobs=1, force=True)
        == 0
    )
    warm = (outputs / "charnwood" / "mental_health.html").read_bytes()
    assert warm == cold


PROBE_CELLS = [
    # a reference cycle that outlives the reset after it, so it is frozen...
    "import builtins, weakref\nclass Cycle: pass\nc = Cycle(); c.me = c\n"
    "builtins._probe = c\nbuiltins._probe_ref = weakref.ref(c)",
    # ...then dropped: cyclic garbage that no collection sees while it stays frozen
    "import builtins\ndel builtins._probe",
    "import builtins, gc\nprint(gc.get_freeze_count() > 0, builtins._probe_ref() is None)",
]


PROBE_RUN = """
import sys
import papermill as pm
from nbformat.v4 import new_code_cell, new_notebook
from helpers.site import worker

worker.UNFREEZE_EVERY = int(sys.argv[1])
km = worker._kernel()
for cell in {cells!r}:
    nb = new_notebook(cells=[new_code_cell(cell)])
    nb.metadata.kernelspec = {{"name": "python3", "display_name": "Python 3"}}
    worker._reset(km)  # the third reset thaws when UNFREEZE_EVERY is 3
    done = pm.execute_notebook(nb, None, kernel_name="python3", km=km, progress_bar=False)
print(done.cells[0].outputs[0]["text"].strip())
worker.stop_kernel()
"""


@pytest.mark.parametrize("thaw_every, freed", [(3, "True"), (100, "False")])
def test_kernel_reset_freezes_what_survives_and_thaws_it_every_so_often(thaw_every, freed):
    import subprocess
    import sys

    # in a process of its own: a kernel client's zmq state must not be forked into the
    # worker pools of the other tests
    script = PROBE_RUN.format(cells=PROBE_CELLS)
    done = subprocess.run(
        [sys.executable, "-c", script, str(thaw_every)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["True", freed]


def test_rerun_with_nothing_changed_is_cached(env):
    outputs = env
    assert run.run(areas=["E07000131"], notebooks=["overview"]) == 0
    assert run.run(areas=["E07000131"], notebooks=["overview"]) == 0
    results = json.loads((outputs / "run.json").read_text())["reports"]
    assert [r["status"] for r in results] == ["cached"]
    assert run.run(areas=["E07000131"], notebooks=["overview"], force=True) == 0
    assert json.loads((outputs / "run.json").read_text())["reports"][0]["status"] == "ok"


def test_a_failing_report_does_not_stop_the_others(env, monkeypatch, tmp_path):
    outputs = env
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(ROOT / "notebooks" / "overview.ipynb", notebooks / "overview.ipynb")
    broken = nbformat.read(ROOT / "notebooks" / "overview.ipynb", as_version=4)
    monkeypatch.setattr(paths, "NOTEBOOKS", notebooks)
    nbformat.write(broken, notebooks / "substance_misuse.ipynb")
    assert run.run(areas=["E07000129"], notebooks=["overview", "substance_misuse"]) == 0
    good = (outputs / "blaby" / "substance_misuse.html").read_text()

    broken.cells.insert(3, nbformat.v4.new_code_cell('raise ValueError("the data went missing")'))
    nbformat.write(broken, notebooks / "substance_misuse.ipynb")
    status = run.run(areas=["E07000129"], notebooks=["overview", "substance_misuse"], force=True)
    assert status == 1
    results = {r["notebook"]: r for r in json.loads((outputs / "run.json").read_text())["reports"]}
    assert results["overview"]["status"] == "ok"
    failed = results["substance_misuse"]
    assert failed["status"] == "failed" and "the data went missing" in failed["error"]
    error_page = (outputs / failed["html"]).read_text()
    assert 'href="substance_misuse.ipynb"' in error_page
    assert 'href="substance_misuse.error.log"' in error_page
    log = (outputs / "blaby" / "substance_misuse.error.log").read_text()
    assert "Traceback" in log and 'raise ValueError("the data went missing")' in log
    executed = nbformat.read(outputs / "blaby" / "substance_misuse.ipynb", as_version=4)
    assert "papermill-error-cell-tag" in json.dumps(executed.cells[0].metadata)  # the banner
    # the previous good page stays until a replacement succeeds
    assert (outputs / "blaby" / "substance_misuse.html").read_text() == good
    index = (outputs / "index.html").read_text()
    assert "1 report(s) failed" in index and "the data went missing" in index


def test_unknown_area_or_notebook_lists_the_valid_ones(env):
    with pytest.raises(ParamsError, match="E07000130 \\(Charnwood\\)"):
        run.run(areas=["E07000999"])
    with pytest.raises(ParamsError, match="domestic_sexual_violence, mental_health"):
        run.run(notebooks=["drugs"])
    result = run_cli("run", "--areas", "E07000999")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "unknown area E07000999" in result.stderr


def test_pages_are_self_contained_and_lean(site_run):
    outputs, _ = site_run
    pages = [outputs / "index.html", *outputs.glob("*/*.html")]
    assert len(pages) >= 33
    for page in pages:
        text = page.read_text()
        assert page.stat().st_size <= 1_000_000, page
        # nothing is fetched from anywhere: no external src/href, no scripts from elsewhere
        for url in re.findall(r'(?:src|href)="([^"]+)"', text):
            assert not re.match(r"(https?:)?//", url), (page, url)
        assert "<script src" not in text and "@import" not in text and "MathJax" not in text
        assert '<html lang="en-GB">' in text and '<nav class="toc"' in text, page
        assert "Open Government Licence v3.0" in text


def test_report_pages_have_header_contents_and_provenance(site_run):
    outputs, _ = site_run
    page = (outputs / "melton" / "domestic_sexual_violence.html").read_text()
    assert "<title>Domestic and sexual violence: Melton</title>" in page
    assert "Melton · 26 November 2026" in page
    assert re.search(r'<nav class="toc".*href="#Summary"', page, re.S)
    for key in ("Code version", "Data snapshot", "Parameters", "Run time"):
        assert f"<dt>{key}</dt>" in page
    # tables are accessible: captions and header cells with scope
    assert "<caption>" in page and 'scope="row"' in page and 'scope="col"' in page
