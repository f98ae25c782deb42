"""Period labels, read in one place: "2024" (calendar year), "2019/20" (financial year) and
"Year ending Sep 2024" (a rolling year, as ONS recorded crime publishes it). Every other label
is kept as it is and sorts as text.

`parse` reads one label; the other functions (filling a run of years, short axis labels,
the phrase a sentence uses, the axis title, ordering) are built on it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_BY_ABBREVIATION = {name[:3]: name for name in MONTH_NAMES}

_CALENDAR = re.compile(r"^(\d{4})$")
_FINANCIAL = re.compile(r"^(\d{4})/(\d{2})$")
_YEAR_ENDING = re.compile(r"^year ending (\w+) (\d{4})$", re.IGNORECASE)

Kind = Literal["calendar", "financial", "year ending", "other"]


@dataclass(frozen=True)
class Period:
    """One period label: its kind, its year (the first year of a financial year, the last
    year of a year ending), and for a year ending its month as written ("Sep")."""

    label: str
    kind: Kind
    year: int | None = None
    month: str | None = None

    @property
    def month_name(self) -> str | None:
        """ "Sep" -> "September"; a month already written out is kept."""
        if self.month is None:
            return None
        return _BY_ABBREVIATION.get(self.month[:3].title(), self.month)


def parse(label: object) -> Period:
    text = str(label).strip()
    if match := _CALENDAR.match(text):
        return Period(text, "calendar", int(match.group(1)))
    if match := _FINANCIAL.match(text):
        return Period(text, "financial", int(match.group(1)))
    if match := _YEAR_ENDING.match(text):
        return Period(text, "year ending", int(match.group(2)), match.group(1))
    return Period(text, "other")


def fill_gaps(labels: Iterable[str]) -> list[str]:
    """A run of yearly periods with the missing years put back, in order: ["2019", "2021"] ->
    ["2019", "2020", "2021"]. Labels of mixed kinds, of other kinds, or rolling years ending in
    different months are returned sorted, as they are."""
    ordered = sorted(labels)
    parsed = [parse(p) for p in ordered]
    if not parsed or len({(p.kind, p.month) for p in parsed}) != 1:
        return ordered
    first = parsed[0]
    if first.kind == "other":
        return ordered
    years = range(first.year, parsed[-1].year + 1)
    if first.kind == "calendar":
        return [str(y) for y in years]
    if first.kind == "financial":
        return [f"{y}/{(y + 1) % 100:02d}" for y in years]
    return [f"Year ending {first.month} {y}" for y in years]


def short_labels(labels: Sequence[str]) -> tuple[list[str], str | None]:
    """Rolling years ending in the same month read as their year, with the axis saying what
    the year is: (["2023", "2024"], "Year ending September"). Anything else is kept, with no
    axis title."""
    parsed = [parse(p) for p in labels]
    if not parsed or any(p.kind != "year ending" for p in parsed):
        return list(labels), None
    if len({p.month for p in parsed}) != 1:
        return list(labels), None
    return [str(p.year) for p in parsed], f"Year ending {parsed[0].month_name}"


def phrase(label: object) -> str:
    """A period as it reads after "In": "2024", "2019/20", "the year ending September 2024"."""
    period = parse(label)
    if period.kind == "year ending":
        return f"the year ending {period.month_name} {period.year}"
    return period.label


def axis_title(labels: Sequence[str]) -> str:
    """The time axis title for a set of periods."""
    kinds = {parse(p).kind for p in labels}
    if kinds == {"financial"}:
        return "Financial year (April to March)"
    if kinds == {"calendar"}:
        return "Year"
    return "Period"


def latest(labels: Iterable[str]) -> str:
    """The most recent period. Labels of one kind sort by their text ("2019/20" < "2020/21");
    rolling years sort by year."""
    unique = sorted(set(labels), key=sort_key)
    return str(unique[-1])


def sort_key(label: str) -> tuple:
    """By year, then by text: labels without a year sort as text, before those with one."""
    period = parse(label)
    return (period.year or 0, period.label)


def month_ranges(months: Sequence[str]) -> str:
    """'2019-12 to 2022-12, 2024-03' for months 'YYYY-MM': consecutive months as ranges (two
    in a row stay two)."""
    import pandas as pd

    out: list[str] = []
    run: list = []
    for period in sorted(pd.Period(m, "M") for m in months):
        if run and period != run[-1] + 1:
            out.append(_run_words(run))
            run = []
        run.append(period)
    if run:
        out.append(_run_words(run))
    return ", ".join(out)


def _run_words(run: list) -> str:
    return ", ".join(str(p) for p in run) if len(run) <= 2 else f"{run[0]} to {run[-1]}"


def year_windows(status: Mapping[str, str], n: int = 5) -> list[tuple[str, str]]:
    """The last `n` complete, non-overlapping 12-month periods ending in the latest published
    month, most recent first, as ('YYYY-MM', 'YYYY-MM') pairs; fewer when the months run out
    or a period would take in a month that was not published (`status` maps each month of the
    snapshot's range to 'published' or 'missing'). Overlapping rolling years are never used:
    the trend test treats its points as independent."""
    import pandas as pd

    months = {pd.Period(m, "M"): s for m, s in status.items()}
    published = [m for m, s in months.items() if s == "published"]
    if not published:
        return []
    end = max(published)
    out = []
    while len(out) < n:
        span = [end - k for k in range(12)]
        if any(months.get(m) != "published" for m in span):
            break
        out.append((str(span[-1]), str(end)))
        end -= 12
    return out


def first_trend_month(status: Mapping[str, str], n: int = 5) -> str | None:
    """The first month whose 12-month period would be the n-th unbroken one after the last
    missing month (None when nothing is missing)."""
    import pandas as pd

    missing = [pd.Period(m, "M") for m, s in status.items() if s != "published"]
    return str(max(missing) + 12 * n) if missing else None
