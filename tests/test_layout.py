"""The package layout shows the data flow: imports go one way, down the stages (issue 11)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "helpers"
# what each stage may import, besides itself (helpers/__init__.py gives the picture)
ALLOWED = {
    "core": set(),
    "stats": {"core"},
    "sources": {"core", "stats"},
    "fetch": {"core", "sources"},
    "build": {"core", "stats", "sources"},
    "report": {"core", "stats", "build"},
    "site": {"core", "stats", "build", "report"},
}
TOP_LEVEL = {"__init__", "cli"}  # modules beside the stages
MAX_LINES = 400


def _stage(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imported_stages(path: Path) -> set[tuple[str, int]]:
    """(stage, line) of every helpers import in a module, including those inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "helpers":
                names = [f"helpers.{alias.name}" for alias in node.names]
            else:
                names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "helpers" and len(parts) > 1:
                found.add((parts[1], node.lineno))
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_known_stage():
    stages = {_stage(path) for path in MODULES}
    assert stages <= set(ALLOWED) | TOP_LEVEL, stages - set(ALLOWED) - TOP_LEVEL


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_imports_flow_down_the_stages(path):
    stage = _stage(path)
    if stage in TOP_LEVEL:
        return
    wrong = sorted(
        f"line {line}: helpers.{other}"
        for other, line in _imported_stages(path)
        if other != stage and other not in ALLOWED[stage]
    )
    assert not wrong, f"{path.relative_to(ROOT)} ({stage}) imports a higher stage: {wrong}"


def test_the_checker_sees_a_wrong_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from helpers.site import run\n    import helpers.report.views\n")
    assert _imported_stages(bad) == {("site", 2), ("report", 3)}


def test_few_top_level_modules_and_none_too_long():
    top = [p for p in PACKAGE.glob("*.py")]
    assert len(top) <= 8, [p.name for p in top]
    long = {
        p.relative_to(PACKAGE).as_posix(): n
        for p in MODULES
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_each_stage_says_what_it_owns_and_may_import():
    for stage in ALLOWED:
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text()))
        assert doc and "May import:" in doc, stage
        said = doc.split("May import:")[1]
        for other in ALLOWED:
            if other != stage:
                assert (f"helpers.{other}" in said) == (other in ALLOWED[stage]), (stage, other)


def _foreign_private_writes(path: Path) -> list[str]:
    """Assignments to another object's private attribute (`x._name = ...`, `setattr(x, "_n")`)
    other than self's: how a library's internals get patched."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        targets = []
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr.startswith("_")
                and not (isinstance(target.value, ast.Name) and target.value.id in {"self", "cls"})
            ):
                found.append(f"line {node.lineno}: .{target.attr} =")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and str(node.args[1].value).startswith("_")
        ):
            found.append(f"line {node.lineno}: setattr {node.args[1].value}")
    return found


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_no_patches_on_other_libraries():
    """No mock in production code, and no writes to another library's private attributes."""
    mocks = [
        p.relative_to(PACKAGE).as_posix()
        for p in MODULES
        if any(m.split(".")[0] == "unittest" for m in _imported_modules(p))
    ]
    assert not mocks, f"unittest.mock imported in {mocks}"
    writes = {}
    for path in MODULES:
        if found := _foreign_private_writes(path):
            writes[path.relative_to(PACKAGE).as_posix()] = found
    assert not writes, writes


def test_the_patch_checker_sees_a_patch(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import matplotlib.text as t\nt.Text._get_layout = None\nsetattr(t, '_x', 1)\n")
    assert _foreign_private_writes(bad) == ["line 2: ._get_layout =", "line 3: setattr _x"]
