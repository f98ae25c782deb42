"""Why police.uk figures have no recent trend (or which periods one would use), worded from
the snapshot's own months, so the note stays true when months are added.

Fingertips' recent-trend test (the chi-squared test for trend on the five latest points; see
helpers.stats.trends) needs five non-overlapping periods in an unbroken series. For monthly
counts the natural periods are 12-month totals ending in the latest month. Overlapping
rolling years are not a substitute: each shares eleven months with the next, so the test would
count the same crimes as independent evidence and find trends that are not there."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from helpers.core import periods

NEEDED = 5
_NUMBERS = {2: "two", 3: "three", 4: "four"}


def _month(label: str) -> str:
    return f"{pd.Period(label, 'M'):%B %Y}"


def _runs(status: Mapping[str, str]) -> list[tuple[str, str, int]]:
    """Unbroken runs of published months: (first, last, length)."""
    runs: list[list[pd.Period]] = []
    for label in sorted(status):
        month = pd.Period(label, "M")
        if status[label] != "published":
            continue
        if runs and month == runs[-1][-1] + 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    return [(str(r[0]), str(r[-1]), len(r)) for r in runs]


def note(status: Mapping[str, str]) -> str | None:
    """METHODS-level prose for the report's notes; None when the snapshot has no months."""
    if not any(s == "published" for s in status.values()):
        return None
    windows = periods.year_windows(status, NEEDED)
    latest = _month(windows[0][1]) if windows else _month(max(status))
    method = (
        "Recent trends for police.uk figures: the Fingertips recent-trend test (the "
        "chi-squared test for trend on the five latest points) needs five non-overlapping "
        "12-month periods in an unbroken series: for monthly counts, the 12-month totals ending "
        f"in the latest month, {latest}."
    )
    if len(windows) >= NEEDED:
        return (
            f"{method} Five unbroken periods exist, so the trend shown is the test on the five "
            "latest annual figures."
        )
    missing = sorted(m for m, s in status.items() if s != "published")
    count = len(windows)
    have = "no" if count == 0 else ("only one" if count == 1 else f"only {_NUMBERS.get(count)}")
    plural = "period" if count == 1 else "periods"
    runs = [f"{_month(a)} to {_month(b)} ({n} months)" for a, b, n in _runs(status)]
    if missing:
        named = ", ".join(_month(m) for m in missing[:-1])
        named = f"{named} and {_month(missing[-1])}" if named else _month(missing[-1])
        why = (
            f"police.uk did not publish {named}. The unbroken runs of months are "
            f"{' and '.join(runs)}, so {have} complete 12-month {plural} ending in {latest} "
            "avoid the gap."
        )
    else:
        why = f"the snapshot holds {runs[0]}, so {have} complete 12-month {plural} end in {latest}."
    when = periods.first_trend_month(status, NEEDED)
    later = (
        f" A trend can first be calculated for the 12 months ending {_month(when)}, unless "
        "police.uk publishes the missing months."
        if when
        else ""
    )
    return (
        f"{method} No recent trend can be calculated: {why} Overlapping rolling 12-month "
        "totals are not used instead: each shares eleven months with the next, so the test "
        f"would treat the same crimes as independent evidence.{later}"
    )
