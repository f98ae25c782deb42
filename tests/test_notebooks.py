"""The notebooks run as analysts run them (JupyterLab: nbclient, defaults) and as the batch runs
them (papermill, injected parameters), and export to HTML without code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient

from helpers.build import store
from helpers.site import run

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture
def use_store(full_store, monkeypatch, tmp_path):
    monkeypatch.setenv("NEEDS_PROCESSED_DIR", str(full_store))  # the kernel inherits it
    monkeypatch.setenv("NEEDS_OUTPUTS_DIR", str(tmp_path / "outputs"))
    store.clear()
    yield tmp_path / "outputs"
    store.clear()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_stripped_with_parameters_cell(notebook):
    nb = nbformat.read(notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert re.search(r'^area_code = "E10000018"', code[0].source, re.M)
    assert all(not c.outputs and c.execution_count is None for c in code)


@pytest.mark.parametrize("cwd", ["notebooks", "."])
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom_with_defaults(use_store, notebook, cwd):
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT / cwd)}}
    ).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors


def test_unknown_area_lists_the_valid_ones(use_store):
    nb = nbformat.read(ROOT / "notebooks" / "substance_misuse.ipynb", as_version=4)
    nb.cells[0].source = 'area_code = "E07000999"\nassessment = ""'
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    )
    with pytest.raises(Exception) as err:
        client.execute()
    assert "unknown area_code 'E07000999'" in str(err.value)
    assert "E07000130 (Charnwood)" in str(err.value)


def test_batch_run_exports_reports_and_index(use_store):
    outputs: Path = use_store
    status = run.run(areas=["E07000130", "E10000018"], notebooks=["substance_misuse"])
    assert status == 0
    results = json.loads((outputs / "run.json").read_text())["reports"]
    assert [(r["area_code"], r["status"]) for r in results] == [
        ("E07000130", "ok"),
        ("E10000018", "ok"),
    ]
    page = (outputs / "charnwood" / "substance_misuse.html").read_text()
    assert "Substance misuse (drugs and alcohol): Charnwood" in page
    assert "from helpers import" not in page and "store.check_area" not in page  # no code
    assert re.search(r'<img [^>]*alt="Bar chart of Drug crimes', page)
    assert "Open Government Licence v3.0" in page
    assert (outputs / "charnwood" / "substance_misuse.ipynb").exists()
    index = (outputs / "index.html").read_text()
    for href in re.findall(r'href="([^"#]+)', index):
        assert (outputs / href).exists(), href
