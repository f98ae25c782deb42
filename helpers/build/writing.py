"""The store on disk: its fingerprint (what it was built from, code included), the data
snapshot id, and the atomic write: a sibling temp folder swapped in with two renames, so a kill
at any moment leaves the previous store, and an interrupted swap is finished next time."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

from helpers.core import files, paths

log = logging.getLogger(__name__)

STORE_VERSION = 4
BUILD_INFO = "build.json"


def fingerprint(
    manifest_file: Path, compendium_files: list[Path], params: Path, partner: Path
) -> str:
    from helpers.sources.partner import partner_files

    digest = hashlib.sha256(f"store v{STORE_VERSION}".encode())
    inputs = [manifest_file, *compendium_files, params / "build.yaml"]  # national: no areas
    inputs += partner_files(partner)  # analysts' files: not in the manifest, but they count
    # any change to the code the build runs rebuilds (seconds)
    inputs += paths.code_files("core", "stats", "sources", "build")
    for path in inputs:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def snapshot_id(sources: list[dict]) -> str:
    digest = hashlib.sha256()
    for source in sources:
        for entry in source["files"]:
            digest.update(f"{entry['path']}:{entry['sha256']}\n".encode())
    return digest.hexdigest()[:12]


def read_info(processed: Path) -> dict:
    try:
        return json.loads((processed / BUILD_INFO).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def write_atomically(processed: Path, tables: dict, info: dict) -> None:
    """Write everything into a sibling temp folder, then swap it in with two renames.

    If anything fails before the swap, the old store is untouched and the temp folder removed."""
    processed.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{processed.name}.tmp-", dir=processed.parent))
    try:
        tmp.chmod(files.default_dir_mode())  # mkdtemp's 0700 would hide the store from others
        for name, table in tables.items():
            if name.endswith(".geojson"):
                (tmp / name).write_text(json.dumps(table), encoding="utf-8")
            else:
                table.to_parquet(tmp / f"{name}.parquet", index=False)
        (tmp / BUILD_INFO).write_text(json.dumps(info, indent=2, default=str))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = processed.with_name(f".{processed.name}.old-{os.getpid()}")
    if processed.exists():
        processed.rename(old)
    tmp.rename(processed)
    shutil.rmtree(old, ignore_errors=True)


def recover(processed: Path) -> None:
    """Finish a swap that was interrupted between its two renames; drop stale temp folders."""
    parent = processed.parent
    if not parent.exists():
        return
    olds = sorted(parent.glob(f".{processed.name}.old-*"))
    if not processed.exists() and olds:
        olds[-1].rename(processed)
        log.warning("Restored the previous store after an interrupted build")
    for stale in [
        *parent.glob(f".{processed.name}.old-*"),
        *parent.glob(f".{processed.name}.tmp-*"),
    ]:
        shutil.rmtree(stale, ignore_errors=True)
