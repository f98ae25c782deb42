"""The "what to act on first" list that opens every report, mixed into
helpers.report.display.Report (the decisions are in helpers.report.act_first)."""

from __future__ import annotations


class FirstSections:
    """Report methods for the opening list (self: a helpers.report.display.Report)."""
