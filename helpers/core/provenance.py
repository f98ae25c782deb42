"""Report metadata that light-weight code (the runner, the index page) needs without importing
the charting stack: priority titles, the run time and the code version."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime

from helpers.core import paths

PRIORITY_TITLES = {
    "overview": "Overview",
    "substance_misuse": "Substance misuse (drugs and alcohol)",
    "mental_health": "Mental health",
    "domestic_sexual_violence": "Domestic and sexual violence",
}


def run_time() -> datetime:
    """When the report was run: NEEDS_RUN_TIME (ISO 8601, set by `needs run` for the whole batch,
    so that every page of a run carries the same time and reruns can be compared), else now."""
    stamp = os.environ.get("NEEDS_RUN_TIME")
    return datetime.fromisoformat(stamp) if stamp else datetime.now(UTC)


def code_version() -> str:
    """The git commit of the code (with -dirty for uncommitted changes), or "unknown"."""
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=paths.ROOT,
            capture_output=True,
            text=True,
            timeout=5,
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"
