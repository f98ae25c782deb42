"""data/sources.yaml: what each raw file is, where it came from, and its sha256.

The build refuses to run on a file whose hash differs from the manifest, so a silent edit of
raw data cannot slip into a report.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from helpers.core import files
from helpers.core.config import load_yaml
from helpers.core.errors import ManifestError

REQUIRED = ("id", "title", "publisher", "licence", "period", "origin", "files")
UNTRACKED_OK = {".md"}  # notes kept beside the data are not data


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load(manifest: Path) -> list[dict]:
    data = load_yaml(manifest)
    sources = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(sources, list):
        raise ManifestError(
            "expected a top-level 'sources:' list",
            path=manifest,
            fix="see the entries at the top of the file for the layout",
        )
    for i, source in enumerate(sources):
        missing = [k for k in REQUIRED if k not in (source or {})]
        if missing:
            raise ManifestError(
                f"source {i + 1} ({(source or {}).get('id', '?')}) lacks {', '.join(missing)}",
                path=manifest,
                fix="give every source " + ", ".join(REQUIRED),
            )
    return sources


def verify(raw: Path, manifest: Path) -> list[dict]:
    """Check every listed file's sha256, and that no data file is unlisted. Returns the sources."""
    sources = load(manifest)
    listed: set[str] = set()
    for source in sources:
        for entry in source["files"]:
            rel = entry["path"]
            listed.add(rel)
            path = raw / rel
            if not path.exists():
                raise ManifestError(
                    f"listed in {manifest.name} (source '{source['id']}') but missing",
                    path=path,
                    fix="restore it (git checkout -- data/raw) or fetch it again",
                )
            actual = sha256(path)
            if actual != entry["sha256"]:
                raise ManifestError(
                    f"sha256 mismatch: the manifest has {entry['sha256'][:12]}…, the file has "
                    f"{actual[:12]}…; it was changed after it was recorded",
                    path=path,
                    fix="restore the published file (git checkout -- data/raw), or if you replaced "
                    "it on purpose, run `needs sources --update` and commit data/sources.yaml",
                )
    unlisted = sorted(
        str(p.relative_to(raw))
        for p in raw.rglob("*")
        if p.is_file() and p.suffix not in UNTRACKED_OK and str(p.relative_to(raw)) not in listed
    )
    if unlisted:
        raise ManifestError(
            f"{len(unlisted)} raw file(s) are not in the manifest: {', '.join(unlisted[:5])}",
            path=manifest,
            fix="run `needs sources --update` to record them (then fill in their metadata)",
        )
    return sources


def update(raw: Path, manifest: Path) -> list[str]:
    """Re-hash listed files and add unlisted ones to the source that holds their folder."""
    sources = load(manifest)
    changes: list[str] = []
    folders = {}
    for source in sources:
        kept = []
        for entry in source["files"]:
            path = raw / entry["path"]
            folders.setdefault(str(Path(entry["path"]).parent), source)
            if not path.exists():
                changes.append(f"removed {entry['path']}")
                continue
            digest = sha256(path)
            if digest != entry["sha256"]:
                changes.append(f"re-hashed {entry['path']}")
                entry["sha256"] = digest
            kept.append(entry)
        source["files"] = kept
    listed = {e["path"] for s in sources for e in s["files"]}
    for path in sorted(p for p in raw.rglob("*") if p.is_file() and p.suffix not in UNTRACKED_OK):
        rel = str(path.relative_to(raw))
        if rel in listed:
            continue
        owner = folders.get(str(Path(rel).parent))
        if owner is None:
            raise ManifestError(
                f"no source covers the folder of {rel}",
                path=manifest,
                fix="add a source entry for it by hand (id, title, publisher, "
                "licence, period, origin, files)",
            )
        owner["files"].append({"path": rel, "sha256": sha256(path)})
        owner["files"].sort(key=lambda e: e["path"])
        changes.append(f"added {rel} to {owner['id']}")
    write(manifest, sources)
    return changes


def write(manifest: Path, sources: list[dict]) -> None:
    text = yaml.safe_dump({"sources": sources}, sort_keys=False, allow_unicode=True, width=100)
    files.write_text(manifest, HEADER + text)


HEADER = """\
# Sources manifest: every file under data/raw, with its provenance and sha256.
# `needs build` verifies each hash; `needs sources --update` re-hashes after a deliberate change.
"""
