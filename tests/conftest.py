"""Shared fixtures: the small real subset, a copy of it to break, and built stores."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import golden_snapshot
import pytest

from helpers.build import pipeline as build
from helpers.sources import manifest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SUBSET_RAW = FIXTURES / "raw"
SUBSET_PARAMS = FIXTURES / "params"
FULL_RAW = ROOT / "data" / "raw"
CHROMIUM_HELP = (
    "The browser tests need Debian's chromium: run `sudo apt-get install chromium`, "
    "or set NEEDS_CHROMIUM=/path/to/chromium"
)


def chromium() -> str | None:
    """Debian's chromium for the browser tests, found as scripts/ensure-chromium finds it."""
    chosen = os.environ.get("NEEDS_CHROMIUM")
    if chosen:
        return chosen if os.path.isfile(chosen) and os.access(chosen, os.X_OK) else None
    return shutil.which("chromium")


def chromium_problem() -> str | None:
    """Why the browser tests cannot run, in scripts/ensure-chromium's words; None if they can."""
    if chromium():
        return None
    chosen = os.environ.get("NEEDS_CHROMIUM")
    return (
        f"NEEDS_CHROMIUM={chosen} is not an executable file. {CHROMIUM_HELP}"
        if chosen
        else CHROMIUM_HELP
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    """Stop before any test runs, with one message, when selected browser tests have no browser:
    better than an error at setup after the slow tests have run (plain `pytest`, not make). A
    browser test is one in a module that imports `chromium` from here."""
    if session.config.option.collectonly:
        return
    if any(
        getattr(getattr(i, "module", None), "chromium", None) is chromium for i in session.items
    ):
        problem = chromium_problem()
        if problem:
            pytest.exit(problem, returncode=pytest.ExitCode.USAGE_ERROR)


class RawCopy:
    """A writable copy of the subset (raw/ + sources.yaml + params/) for tests that break things."""

    def __init__(self, base: Path):
        self.base = base
        self.raw = base / "raw"
        self.params = base / "params"
        self.processed = base / "processed"
        shutil.copytree(SUBSET_RAW, self.raw)
        shutil.copy(FIXTURES / "sources.yaml", base / "sources.yaml")
        shutil.copytree(SUBSET_PARAMS, self.params)

    def replace(self, rel: str, data: bytes, *, rehash: bool = True) -> Path:
        """Overwrite a raw file; by default record its new hash, as an analyst would."""
        path = self.raw / rel
        path.write_bytes(data)
        if rehash:
            manifest.update(self.raw, self.base / "sources.yaml")
        return path

    def build(self, **kwargs) -> build.BuildResult:
        return build.build(self.raw, self.processed, params=self.params, **kwargs)

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return run_cli(
            "build",
            "--raw",
            str(self.raw),
            "--processed",
            str(self.processed),
            "--params",
            str(self.params),
            *args,
        )


PROXY_VARS = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def run_cli(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run the real `needs` console entry point in a subprocess. The machine's proxy settings
    are dropped, so a test reaches only what it names in `env`."""
    clean = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARS}
    return subprocess.run(
        [sys.executable, "-m", "helpers.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env=clean | (env or {}),
    )


@pytest.fixture
def raw_copy(tmp_path: Path) -> RawCopy:
    return RawCopy(tmp_path)


@pytest.fixture(scope="session")
def subset_store(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("subset") / "processed"
    build.build(SUBSET_RAW, out, params=SUBSET_PARAMS, force=True)
    return out


@pytest.fixture(scope="session")
def full_store(tmp_path_factory) -> Path:
    """The store built from the full shipped data/raw (a few seconds)."""
    out = tmp_path_factory.mktemp("full") / "processed"
    build.build(FULL_RAW, out, force=True)
    return out


@pytest.fixture(scope="session")
def site_run(full_store, tmp_path_factory):
    """Every notebook for every report area, run once through `needs run` into a temporary
    outputs folder (the batch exactly as `make report` runs it)."""
    from helpers.build import store
    from helpers.site import run

    outputs = tmp_path_factory.mktemp("site") / "outputs"
    patch = pytest.MonkeyPatch()
    patch.setenv("NEEDS_PROCESSED_DIR", str(full_store))
    patch.setenv("NEEDS_OUTPUTS_DIR", str(outputs))
    patch.setenv("NEEDS_RUN_TIME", golden_snapshot.RUN_TIME)
    store.clear()
    status = run.run(force=True)
    yield outputs, status
    patch.undo()
    store.clear()


@pytest.fixture
def shown(full_store: Path, monkeypatch):
    """What a Report displays (object, metadata), from the full store."""
    from IPython import display as ipython_display

    from helpers.build import store

    monkeypatch.setenv("NEEDS_PROCESSED_DIR", str(full_store))
    store.clear()
    out: list[tuple[object, dict | None]] = []
    monkeypatch.setattr(
        ipython_display, "display", lambda o, metadata=None: out.append((o, metadata))
    )
    yield out
    store.clear()
