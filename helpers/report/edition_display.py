"""The "since the last edition" section of every report, mixed into
helpers.report.display.Report (the comparison itself is in helpers.report.since_last)."""

from __future__ import annotations


class EditionSections:
    """Report methods for what changed since the last edition (self: a Report)."""
