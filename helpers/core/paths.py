"""Where things live. Paths are anchored on the repository, so notebooks work from any folder."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "helpers"
DATA = ROOT / "data"
NOTEBOOKS = ROOT / "notebooks"
PARAMS = Path(os.environ.get("NEEDS_PARAMS_DIR", ROOT / "params"))  # tests run other areas


def raw_dir() -> Path:
    """The raw-data folder; NEEDS_RAW_DIR overrides it (tests build from a small subset)."""
    return Path(os.environ.get("NEEDS_RAW_DIR", DATA / "raw"))


def processed_dir() -> Path:
    """The tidy store; NEEDS_PROCESSED_DIR overrides it."""
    return Path(os.environ.get("NEEDS_PROCESSED_DIR", DATA / "processed"))


def outputs_dir() -> Path:
    """Built reports; NEEDS_OUTPUTS_DIR overrides it."""
    return Path(os.environ.get("NEEDS_OUTPUTS_DIR", ROOT / "outputs"))


def manifest_path(raw: Path | None = None) -> Path:
    """data/sources.yaml sits beside raw/ (tests keep one beside their subset)."""
    raw = raw or raw_dir()
    return raw.parent / "sources.yaml"


def code_files(*stages: str) -> list[Path]:
    """The package's source files (Python and page templates), sorted: of some stages
    (subpackages) or of all of it. A change to any of them invalidates what they made."""
    roots = [PACKAGE / stage for stage in stages] or [PACKAGE]
    found = {
        path
        for root in roots
        for path in root.rglob("*")
        if path.is_file() and (path.suffix == ".py" or path.parent.name == "templates")
    }
    return sorted(found)
