"""The project installs the same packages whichever way it is set up."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import ROOT

# conda-forge names that differ from PyPI names
CONDA_TO_PYPI = {}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _conda() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = [d for d in env["dependencies"] if isinstance(d, str)]
    for extra in (d for d in env["dependencies"] if isinstance(d, dict)):
        deps += [d for d in extra.get("pip", []) if not d.startswith("-")]
    return {
        CONDA_TO_PYPI.get(_name(d), _name(d)): d for d in deps if _name(d) not in {"python", "pip"}
    }


def test_environment_yml_matches_pyproject():
    project = _pyproject()["project"]
    wanted = {
        _name(r): r for r in project["dependencies"] + project["optional-dependencies"]["test"]
    }
    conda = _conda()
    assert sorted(conda) == sorted(wanted), (
        f"only in environment.yml: {sorted(set(conda) - set(wanted))}; "
        f"only in pyproject.toml: {sorted(set(wanted) - set(conda))}"
    )
    # the same version ranges too
    for name, req in wanted.items():
        spec = req[len(name) :].replace(" ", "")
        assert conda[name].replace(" ", "").endswith(spec), (name, conda[name], req)


def test_python_version_agrees():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert ">=3.11" in python and _pyproject()["project"]["requires-python"] == ">=3.11"


def test_lock_pins_every_dependency():
    locked = {
        _name(line)
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line and not line.startswith("#")
    }
    project = _pyproject()["project"]
    for req in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert _name(req) in locked, f"{_name(req)} is not pinned in requirements.lock (make lock)"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make report" in readme
