"""The one period parser (helpers.core.periods), on the labels the shipped sources use."""

from __future__ import annotations

import pytest

from helpers.core import periods


@pytest.mark.parametrize(
    ("label", "kind", "year", "month"),
    [
        ("2024", "calendar", 2024, None),
        ("2019/20", "financial", 2019, None),
        ("Year ending Sep 2024", "year ending", 2024, "Sep"),
        ("year ending march 2021", "year ending", 2021, "march"),
        ("2017 - 19", "other", None, None),  # Fingertips' three-year ranges
        ("Q1", "other", None, None),
    ],
)
def test_parse(label, kind, year, month):
    parsed = periods.parse(label)
    assert (parsed.kind, parsed.year, parsed.month) == (kind, year, month)


def test_fill_gaps_puts_missing_years_back_in_order():
    assert periods.fill_gaps(["2022/23", "2020/21", "2024/25"]) == [
        "2020/21",
        "2021/22",
        "2022/23",
        "2023/24",
        "2024/25",
    ]
    assert periods.fill_gaps(["2021", "2019"]) == ["2019", "2020", "2021"]
    assert periods.fill_gaps(["Year ending Sep 2023", "Year ending Sep 2021"]) == [
        "Year ending Sep 2021",
        "Year ending Sep 2022",
        "Year ending Sep 2023",
    ]
    assert periods.fill_gaps(["2099/00", "2097/98"])[1] == "2098/99"  # the century turns


def test_fill_gaps_leaves_what_it_cannot_read():
    assert periods.fill_gaps(["Q3", "Q1"]) == ["Q1", "Q3"]
    assert periods.fill_gaps(["2019", "2021/22"]) == ["2019", "2021/22"]  # mixed kinds
    ending = ["Year ending Sep 2021", "Year ending Mar 2023"]
    assert periods.fill_gaps(ending) == sorted(ending)  # different months
    assert periods.fill_gaps([]) == []


def test_short_labels_for_rolling_years():
    labels = ["Year ending Sep 2023", "Year ending Sep 2024"]
    assert periods.short_labels(labels) == (["2023", "2024"], "Year ending September")
    assert periods.short_labels(["2023", "2024"]) == (["2023", "2024"], None)
    mixed = ["Year ending Sep 2023", "Year ending Mar 2024"]
    assert periods.short_labels(mixed) == (mixed, None)


def test_phrase_and_axis_title():
    assert periods.phrase("Year ending Sep 2024") == "the year ending September 2024"
    assert periods.phrase("2019/20") == "2019/20"
    assert periods.axis_title(["2019/20", "2020/21"]) == "Financial year (April to March)"
    assert periods.axis_title(["2019", "2020"]) == "Year"
    assert periods.axis_title(["2019", "2020/21"]) == "Period"


def test_latest_orders_rolling_years_by_year_not_by_month_name():
    assert periods.latest(["2019/20", "2021/22", "2020/21"]) == "2021/22"
    assert periods.latest(["Year ending Sep 2023", "Year ending Mar 2024"]) == (
        "Year ending Mar 2024"
    )
