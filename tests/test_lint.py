"""Style is part of the build: ruff must pass on the package, tests and benchmarks."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import ROOT


def test_ruff_clean():
    ruff = shutil.which("ruff") or str(ROOT / ".venv" / "bin" / "ruff")
    result = subprocess.run(
        [ruff, "check", "helpers", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_build_path_has_no_plotting_imports():
    code = (
        "import sys, helpers.build, helpers.cli; "
        "print(any(m.split('.')[0] in {'matplotlib', 'seaborn'} for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
