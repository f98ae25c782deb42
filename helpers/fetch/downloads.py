"""What every `needs fetch` shares: a staging folder, and committing a finished download.

A fetch never writes into data/raw while it downloads. Each file is downloaded and checked in
a staging folder (data/.fetch/), which survives a failure so that the next run resumes; only
when every requested file is there and valid are they moved into data/raw, and
data/sources.yaml (and compendium.fetched.yaml) updated. A failed fetch, including having no
network at all, therefore leaves the previous snapshot exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from helpers.core import paths
from helpers.core.errors import ManifestError
from helpers.sources import manifest

log = logging.getLogger("needs")


def today() -> str:
    return dt.date.today().isoformat()


def written_today(path: Path) -> bool:
    """A staged download from today can be reused by a rerun."""
    return path.exists() and dt.date.fromtimestamp(path.stat().st_mtime).isoformat() == today()


def staging_dir(raw: Path, kind: str) -> Path:
    """data/.fetch/<kind>/ beside data/raw (outside it, so the manifest check ignores it)."""
    return raw.parent / ".fetch" / kind


@dataclass
class Staged:
    """A checked download waiting in the staging folder for its place in data/raw."""

    staged: Path
    rel: str  # path under data/raw
    url: str


@dataclass
class Outcome:
    """What a fetch did, for the command line to report."""

    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # worth a warning, not a failure
    failed: list[str] = field(default_factory=list)  # asked for, not fetched: exit status 1


def commit(raw: Path, files: list[Staged], source: dict) -> None:
    """Move staged files into data/raw and record them (sha256, retrieval date, URL) under
    `source` in data/sources.yaml. The manifest is written last, atomically, so an interrupted
    commit is caught by the build's hash check rather than slipping through."""
    target = paths.manifest_path(raw)
    sources = manifest.load(target)
    entry = next((s for s in sources if s["id"] == source["id"]), None)
    if entry is None:
        entry = {**source, "files": []}
        sources.append(entry)
    else:
        entry.update({k: v for k, v in source.items() if k != "files"})
    records = {f["path"]: f for f in entry["files"]}
    for item in files:
        path = raw / item.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(item.staged), path)
        records[item.rel] = {
            "path": item.rel,
            "sha256": manifest.sha256(path),
            "retrieved": today(),
            "url": item.url,
        }
    entry["files"] = sorted(records.values(), key=lambda f: f["path"])
    manifest.write(target, sources)


def verified(raw: Path, rel: str) -> dict | None:
    """The manifest record of data/raw/<rel> if the file is there and matches its sha256."""
    path = raw / rel
    if not path.exists():
        return None
    try:
        sources = manifest.load(paths.manifest_path(raw))
    except ManifestError:
        return None
    for source in sources:
        for record in source["files"]:
            if record["path"] == rel:
                return record if manifest.sha256(path) == record["sha256"] else None
    return None


def clear_staging(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def staging(raw: Path, kind: str) -> Iterator[Path]:
    """The staging folder for one fetch; removed afterwards unless it holds finished downloads
    kept for the next run to resume from."""
    folder = staging_dir(raw, kind)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield folder
    finally:
        for empty in (folder, folder.parent):
            try:
                empty.rmdir()
            except OSError:
                pass  # not empty (or already gone)
