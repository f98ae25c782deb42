"""Files the pipeline writes get the mode the user's umask gives (0644 under 022), not the 0600
of the temp files they start as, so colleagues and a web server can read the reports."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from helpers.build import writing
from helpers.core import files


@pytest.fixture
def umask():
    """Set the umask for one test, restoring the shell's afterwards."""
    old = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    ("mask", "file_mode", "dir_mode"),
    [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700), (0o002, 0o664, 0o775)],
)
def test_default_modes_follow_the_umask(umask, mask, file_mode, dir_mode):
    umask(mask)
    assert files.umask() == mask
    assert files.default_file_mode() == file_mode
    assert files.default_dir_mode() == dir_mode
    assert os.umask(mask) == mask  # reading it left it as it was


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600)])
def test_atomic_writes_get_the_umask_mode(tmp_path, umask, mask, expected):
    umask(mask)
    files.write_text(tmp_path / "page.html", "<p>hi</p>")
    with files.atomic_path(tmp_path / "table.csv") as tmp:
        pd.DataFrame({"a": [1]}).to_csv(tmp, index=False)
    assert _mode(tmp_path / "page.html") == expected
    assert _mode(tmp_path / "table.csv") == expected


def test_a_replaced_file_gets_the_umask_mode_too(tmp_path, umask):
    target = tmp_path / "index.html"
    target.write_text("old")
    target.chmod(0o600)
    files.write_text(target, "new")
    assert _mode(target) == 0o644


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o755), (0o077, 0o700)])
def test_the_store_folder_gets_the_umask_mode(tmp_path, umask, mask, expected):
    umask(mask)
    processed = tmp_path / "processed"
    writing.write_atomically(processed, {"t": pd.DataFrame({"a": [1]})}, {"built_at": "now"})
    assert _mode(processed) == expected
    assert {_mode(p) for p in processed.iterdir()} == {expected & 0o666}


def _unreadable(root: Path, mask: int) -> list[str]:
    """Paths under `root` that some user the umask lets read (or, for folders, enter) cannot."""
    readable = 0o444 & ~mask
    enterable = 0o111 & ~mask
    bad = []
    for path in [root, *root.rglob("*")]:
        mode = _mode(path)
        wanted = readable | enterable if path.is_dir() else readable
        if mode & wanted != wanted:
            bad.append(f"{path.relative_to(root)} {mode:o}")
    return bad


@pytest.mark.slow
def test_a_real_build_and_run_leave_everything_readable(full_store, site_run):
    outputs, _ = site_run
    mask = os.umask(0o077)  # the fixtures ran under the session's umask
    os.umask(mask)
    assert any(outputs.rglob("*.html")) and any(full_store.glob("*.parquet"))
    assert {"store": _unreadable(full_store, mask), "outputs": _unreadable(outputs, mask)} == {
        "store": [],
        "outputs": [],
    }
