"""Writing files so that a reader never sees half of one, and a failure keeps the old one."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def umask() -> int:
    """The process umask. Read from /proc on Linux, which changes nothing; elsewhere set and
    restored, probing with the strict 077 so a thread writing in that instant gets a private
    file rather than a world-writable one."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        status = ""
    found = re.search(r"^Umask:\s*([0-7]+)$", status, re.MULTILINE)
    if found:
        return int(found.group(1), 8)
    old = os.umask(0o077)
    os.umask(old)
    return old


def default_file_mode() -> int:
    """The mode open() would give a new file (0644 under umask 022): mkstemp's temp files are
    0600, and a report or store that only its writer can read is no use to the web server or
    colleagues who share the folder."""
    return 0o666 & ~umask()


def default_dir_mode() -> int:
    """The mode mkdir() would give a new folder (0755 under umask 022); mkdtemp's are 0700."""
    return 0o777 & ~umask()


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside `target` (same suffix, so writers that go by it still work)
    that replaces `target` only if the block succeeds. Unique per call, so parallel writers
    never share one. It gets the umask's usual mode just before the rename (the writer may
    have replaced the file mkstemp made)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=f".tmp{target.suffix}", dir=target.parent
    )
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        tmp.chmod(default_file_mode())
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(target: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
