"""`make test` on a machine without chromium: scripts/ensure-chromium installs it (root, apt-get)
or stops with one message, and plain pytest stops at collection rather than erroring at setup.
The machine's own browser is hidden behind a PATH of stand-ins, so nothing is installed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CHROMIUM_HELP, ROOT

SCRIPT = ROOT / "scripts" / "ensure-chromium"


def _tool(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


@pytest.fixture
def bare(tmp_path):
    """A PATH holding only a stand-in `id` of a normal user: no chromium, no apt-get."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    _tool(bin_, "id", "echo 1000")
    return bin_


def _ensure(bin_: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/bash", str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": str(bin_), "HOME": str(bin_.parent), **env},
    )


def _stops_with(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode != 0
    assert result.stderr == message + "\n"  # one line: no traceback, no shell noise
    assert result.stdout == ""


def test_no_chromium_and_no_apt_get_stops_with_one_message(bare):
    _stops_with(_ensure(bare), CHROMIUM_HELP)


def test_not_root_means_no_install(bare):
    _tool(bare, "apt-get", f'echo "$@" >> {bare.parent}/apt.log')
    _stops_with(_ensure(bare), CHROMIUM_HELP)
    assert not (bare.parent / "apt.log").exists()


def test_root_with_apt_get_installs_debian_chromium(bare):
    _tool(bare, "id", "echo 0")
    fake = bare / "chromium"
    install = f'[ "$1" = install ] && printf "#!/bin/sh\\n" > {fake} && /bin/chmod +x {fake}'
    _tool(bare, "apt-get", f'echo "$@" >> {bare.parent}/apt.log\n{install}\nexit 0')
    result = _ensure(bare)
    assert result.returncode == 0, result.stderr
    calls = (bare.parent / "apt.log").read_text().splitlines()
    assert calls == ["update -qq", "install -y -qq --no-install-recommends chromium"]


def test_a_failed_install_says_so_and_what_to_do(bare):
    _tool(bare, "id", "echo 0")
    _tool(bare, "apt-get", "exit 100")
    result = _ensure(bare)
    assert result.returncode != 0
    assert (
        result.stderr == f"Installing chromium with apt-get failed (see above). {CHROMIUM_HELP}\n"
    )


def test_needs_chromium_is_honoured(bare):
    _tool(bare, "my-chromium", "exit 0")
    assert _ensure(bare, NEEDS_CHROMIUM=str(bare / "my-chromium")).returncode == 0
    _tool(bare, "id", "echo 0")  # even as root, a wrong explicit path is not "fixed" by apt
    _stops_with(
        _ensure(bare, NEEDS_CHROMIUM="/nonexistent"),
        f"NEEDS_CHROMIUM=/nonexistent is not an executable file. {CHROMIUM_HELP}",
    )


def test_the_script_is_executable_and_make_test_runs_it_first():
    assert os.access(SCRIPT, os.X_OK)
    makefile = (ROOT / "Makefile").read_text()
    assert "test: chromium " in makefile and "scripts/ensure-chromium" in makefile
    assert "chromium" not in (ROOT / ".ci" / "run").read_text()  # make's job, not hidden in CI


def _pytest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | {"NEEDS_CHROMIUM": "/nonexistent"},
    )


def test_plain_pytest_stops_at_collection_when_browser_tests_are_selected():
    result = _pytest("tests/test_browser.py")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert (
        f"NEEDS_CHROMIUM=/nonexistent is not an executable file. {CHROMIUM_HELP}" in result.stdout
    )
    assert "ERROR" not in result.stdout  # no "ERROR at setup of ..."
    assert "Traceback" not in result.stdout + result.stderr


def test_every_browser_test_module_is_seen():
    result = _pytest("tests/test_hostile.py", "-k", "in_the_browser")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout
    assert CHROMIUM_HELP in result.stdout


def test_plain_pytest_without_browser_tests_needs_no_browser():
    result = _pytest("tests/test_browser.py", "tests/test_periods.py", "-k", "not browser", "-q")
    assert result.returncode == 0, result.stdout
    assert "deselected" in result.stdout
