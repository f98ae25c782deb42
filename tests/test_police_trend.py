"""Why police.uk figures have no recent trend: the 12-month periods the Fingertips test would
use (non-overlapping, ending in the latest month, never across a missing month) and the note
that says so, from the snapshot's real months and from months with no gap."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.core import periods
from helpers.report import police_trend


def months(first: str, last: str, missing: tuple[str, ...] = ()) -> dict[str, str]:
    span = pd.period_range(first, last, freq="M").astype(str)
    return {m: "missing" if m in missing else "published" for m in span}


@pytest.fixture(scope="module")
def shipped(full_store: Path) -> dict[str, dict[str, str]]:
    table = pd.read_parquet(full_store / "police_months.parquet")
    return {
        f: dict(zip(g["month"], g["status"], strict=True)) for f, g in table.groupby("pfa_code")
    }


def test_the_shipped_gap_leaves_two_periods(shipped):
    status = shipped["E23000021"]
    assert periods.year_windows(status) == [("2024-01", "2024-12"), ("2023-01", "2023-12")]
    assert periods.first_trend_month(status) == "2027-12"
    text = police_trend.note(status)
    assert "No recent trend can be calculated" in text
    assert "police.uk did not publish November 2022 and December 2022" in text
    assert "December 2019 to October 2022 (35 months)" in text
    assert "January 2023 to December 2024 (24 months)" in text
    assert "only two complete 12-month periods ending in December 2024 avoid the gap" in text
    assert "12 months ending December 2027" in text
    assert "Overlapping rolling 12-month totals are not used" in text


def test_a_short_snapshot_without_a_gap_says_it_is_short(shipped):
    text = police_trend.note(shipped["E23000018"])
    assert "the snapshot holds January 2023 to December 2024 (24 months)" in text
    assert "did not publish" not in text and "ending December 2027" not in text


def test_periods_end_in_the_latest_month_and_do_not_overlap():
    status = months("2019-07", "2025-06")  # six years ending June, no gap
    windows = periods.year_windows(status)
    assert windows[0] == ("2024-07", "2025-06") and windows[-1] == ("2020-07", "2021-06")
    assert len(windows) == 5
    ends = [pd.Period(b, "M") for _, b in windows]
    assert all((a - b).n == 12 for a, b in zip(ends, ends[1:], strict=False))
    assert "Five unbroken periods exist" in police_trend.note(status)


def test_a_missing_month_stops_the_periods_where_it_falls():
    status = months("2019-01", "2024-12", missing=("2021-03",))
    assert periods.year_windows(status) == [
        ("2024-01", "2024-12"),
        ("2023-01", "2023-12"),
        ("2022-01", "2022-12"),
    ]
    assert "only three complete 12-month periods" in police_trend.note(status)
    # an unpublished latest month: the periods end at the latest published one
    status = months("2019-01", "2025-01", missing=("2025-01",))
    assert periods.year_windows(status)[0] == ("2024-01", "2024-12")


def test_no_months_no_note():
    assert police_trend.note({}) is None
    assert periods.year_windows({}) == []
