"""What a report decides, as pure functions: which area's figure a headline quotes, which
benchmark judges it, how the districts of a county compare, which areas a chart and a table
show, and the table frames themselves.

Each takes frames as helpers.report.views selects them from the store (already through
disclosure control) and plain values, and returns values, sentences or frames. Nothing here
reads the store or displays anything, so each decision is unit-tested on its own
(tests/test_content.py); helpers.report.display only fetches, arranges and shows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

import pandas as pd

from helpers import stats
from helpers.core import periods
from helpers.report import narrative
from helpers.stats import disclosure

# sources whose counts are published
COUNTED_SOURCES = ("police_uk", "recorded_crime", "recorded_crime_csp")


class AreaCodes(TypedDict):
    """The codes a report needs (helpers.report.views.area_codes builds it from the store)."""

    area: str
    is_county: bool
    county: str
    districts: list[str]
    force: str
    england: str
    neighbours: list[str]  # the area's statistical neighbours (helpers.build.benchmarks)
    rank_set: str  # the set of English areas it is ranked in ("districts" or "upper tier")


@dataclass(frozen=True)
class Headline:
    """A summary line: the sentence (None when there is nothing to say), the outcome for a
    Better/Similar/Worse tile (None when not compared), and the tile's label."""

    sentence: str | None
    outcome: str | None
    label: str


# ---------------------------------------------------------------------- availability


def availability(present: set[str], codes: AreaCodes) -> str:
    """Where an indicator exists for this report, from the area codes that have rows:
    'area', 'county-only', 'district-only', 'force-only' or 'none'."""
    districts = set(codes["districts"])
    if codes["area"] in present:
        return "area"
    if codes["force"] in present and not present & districts:
        return "force-only"
    if codes["county"] in present and not present & districts:
        return "county-only"
    if present & districts:
        return "district-only"
    return "none"


def figure_area(avail: str, codes: AreaCodes) -> str | None:
    """The area whose figure a headline quotes: the report's own, else the county or the force
    area when only they are published; None when there is no single figure to quote."""
    return {
        "area": codes["area"],
        "county-only": codes["county"],
        "force-only": codes["force"],
    }.get(avail)


def benchmark(area_rows: pd.DataFrame, code: str, codes: AreaCodes) -> tuple[str, str]:
    """(outcome column, benchmark area code) that judge `code` on an indicator, given that
    area's rows. A district is judged against the county where the build compared them
    (police.uk); anything else against England."""
    compared = area_rows["county_outcome"].ne(disclosure.NOT_COMPARED).any()
    if code != codes["county"] and compared:
        return "county_outcome", codes["county"]
    return "england_outcome", codes["england"]


def perspective(avail: str, codes: AreaCodes) -> str:
    """Whose comparison a chart shows. In the county report the districts are judged (against
    the county for police.uk, against England otherwise), so the chart takes a district's view;
    elsewhere the area's own, or the county's or force's when only they are published."""
    if codes["is_county"] and avail == "area":
        return codes["districts"][0]
    return figure_area(avail, codes) or codes["area"]


# ---------------------------------------------------------------------- headlines


def _shown(history: pd.DataFrame) -> pd.DataFrame:
    """Rows with a value or a suppressed figure: a gap row ("not published") is not a figure."""
    return history[history["value"].notna() | history["suppressed"]]


def latest_shown_period(history: pd.DataFrame) -> str | None:
    """The latest period with a value or a suppressed figure (a gap row does not count)."""
    shown = _shown(history)
    return periods.latest(shown["period"]) if len(shown) else None


def own_gap_note(history: pd.DataFrame, code: str) -> str | None:
    """Why the area has no figure, when its latest row is a gap that says why (e.g. "Published
    only for the <CSP> Community Safety Partnership, which also covers ...")."""
    mine = history[history["area_code"] == code]
    if mine.empty or latest_shown_period(mine) is not None:
        return None
    last = mine[mine["period"] == periods.latest(mine["period"])]
    notes = last["value_note"].dropna()
    return str(notes.iloc[0]) if len(notes) else None


def headline(
    entry: Mapping,
    *,
    avail: str,
    code: str,
    history: pd.DataFrame,
    comparison: pd.DataFrame | None,
    column: str,
    bench_code: str,
    names: Mapping[str, str],
) -> Headline:
    """The headline for `code`'s latest figure. `history` holds `code` and England over time;
    `comparison` the latest period for the comparison areas, when the benchmark is not
    England."""
    shown = _shown(history)
    period = latest_shown_period(history)
    row = shown[(shown["period"] == period) & (shown["area_code"] == code)]
    if period is None or row.empty:
        return Headline(None, None, entry["name"])
    row = row.iloc[0]
    latest = shown[shown["period"] == period] if comparison is None else comparison
    bench = latest[latest["area_code"] == bench_code]
    counted = entry["source_kind"] in COUNTED_SOURCES
    sentence = narrative.headline(
        area=names.get(code, code),
        period=row["period"],
        measure=entry["measure"],
        value_label=None if counted else entry["measure"],
        value=row["value"],
        unit=entry["unit"],
        count=row["count"] if counted else None,
        outcome=row[column],
        level=row[column.replace("outcome", "level")],
        benchmark_name=names.get(bench_code, bench_code) if len(bench) else None,
        benchmark_value=bench["value"].iloc[0] if len(bench) else None,
        suppressed=bool(row["suppressed"]),
        decimals=decimals(entry),
    )
    label = f"{entry['name']} ({row['period']})"
    if avail != "area":
        where = "the county" if avail == "county-only" else "the whole police force area"
        sentence = f"Published only for {where}: {sentence[0].lower()}{sentence[1:]}"
        label += f", {names.get(code, code)}"
    outcome = row[column] if row[column] != disclosure.NOT_COMPARED else None
    return Headline(sentence, outcome, label)


def districts_sentence(
    entry: Mapping, latest: pd.DataFrame, districts: Sequence[str]
) -> str | None:
    """For an indicator published for districts only, in the county report: how many districts
    differ from England, or their range when none is compared. `latest` is one period."""
    rows = latest[latest["area_code"].isin(districts)]
    if rows.empty:
        return None
    period = rows["period"].iloc[0]
    judged = rows[rows["england_outcome"] != disclosure.NOT_COMPARED]
    if judged.empty:
        low, high = rows.nsmallest(1, "value").iloc[0], rows.nlargest(1, "value").iloc[0]
        fmt = f"{{:,.{decimals(entry)}f}}"
        return (
            f"{entry['name']} is published for districts, not for the county: in "
            f"{period} it ranged from {fmt.format(low['value'])} in {low['area_name']} to "
            f"{fmt.format(high['value'])} in {high['area_name']} {bracketed(entry['unit'])}."
        )
    parts = []
    for outcome, group in judged.groupby("england_outcome"):
        names = ", ".join(group["area_name"])
        word = "similar to" if outcome == "similar" else f"significantly {outcome} than"
        parts.append(f"{word} England in {len(group)} ({names})")
    return (
        f"{entry['name']} is published for districts, not for the county. In {period} "
        f"it was {'; '.join(parts)} of the {len(rows)} districts."
    )


# ---------------------------------------------------------------------- sections


def focus_areas(avail: str, codes: AreaCodes) -> list[str]:
    """The area a section is about: the report's own, the county's or force's figure where only
    that is published, none for a district-only indicator (every district is shown)."""
    return {
        "area": [codes["area"]],
        "county-only": [codes["county"]],
        "force-only": [codes["force"]],
        "district-only": [],
    }[avail]


def trend_areas(focus: Sequence[str], codes: AreaCodes) -> list[str]:
    """The lines of a trend chart: the focus area, its county and England; or, for a
    district-only indicator in the county report, every district and England."""
    if focus:
        return list(dict.fromkeys([*focus, codes["county"], codes["england"]]))
    return [*codes["districts"], codes["england"]]


def split_benchmark(latest: pd.DataFrame, bench_code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(bars, benchmark row) of a compare-areas chart: the benchmark is drawn as a line, not a
    bar; without a benchmark row every area is a bar."""
    bench = latest[latest["area_code"] == bench_code]
    bars = latest[latest["area_code"] != bench_code] if len(bench) else latest
    return bars, bench


def judged_against(
    latest: pd.DataFrame, column: str, bench_code: str, polarity: str, kept: set[str]
) -> pd.DataFrame:
    """Every row's outcome in `column` against one benchmark, so that one chart answers one
    question: rows of `kept` (the areas the build compared with `bench_code`) keep the
    build's outcome; any other row (a similar area elsewhere, compared with its own county)
    is compared with the benchmark's value by its own 95%/99.8% limits, or is not compared."""
    bench = latest.loc[latest["area_code"] == bench_code, "value"]
    others = latest.index[~latest["area_code"].isin(kept | {bench_code})]
    if others.empty:
        return latest
    out = latest.copy()
    out.loc[others, column] = "not compared"
    rows = out.loc[others]
    rows = rows[rows["lower_95"].notna() & rows["value"].notna()]
    if len(bench) and pd.notna(bench.iloc[0]) and len(rows):
        result = stats.compare(
            rows["value"],
            rows["lower_95"],
            rows["upper_95"],
            float(bench.iloc[0]),
            polarity=polarity,
            lower998=rows["lower_998"],
            upper998=rows["upper_998"],
        )
        out.loc[rows.index, column] = result["outcome"].to_numpy()
    return out


def trend_label(history: pd.DataFrame, code: str) -> str | None:
    """The recent-trend words of the area's latest period that has them."""
    labels = history.loc[
        (history["area_code"] == code) & history["trend_label"].notna(), "trend_label"
    ]
    return str(labels.iloc[-1]) if len(labels) else None


def short_periods(frame: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """'Year ending Sep 2024' -> '2024' for axes and table headers, with the axis saying what the
    year is; other period labels are kept as they are."""
    short, title = periods.short_labels(frame["period"].tolist())
    return (frame.assign(period=short), title) if title else (frame, None)


def values_table(
    history: pd.DataFrame, period_label: str | None, entry: Mapping
) -> tuple[pd.DataFrame, str] | None:
    """The values table of a section (areas down, periods across) and its caption; None when
    there are no rows. Suppressed values read as such; nothing missing reads as zero."""
    if history.empty:
        return None
    fmt = "{:,.2f}" if decimals(entry) == 2 else "{:,.1f}"
    table = pd.DataFrame(
        {
            "Area": history["area_name"].to_numpy(),
            "Period": history["period"].to_numpy(),
            "Value": [
                disclosure.display(value, suppressed=bool(hidden), fmt=fmt)
                for value, hidden in zip(history["value"], history["suppressed"], strict=True)
            ],
        }
    ).set_index(["Area", "Period"])
    order = list(dict.fromkeys(table.index.get_level_values("Area")))
    wide = table["Value"].unstack("Period").reindex(order)
    wide.index.name = "Area"
    caption = f"{entry['name']} {bracketed(entry['unit'])} by {_lowered(period_label or 'period')}"
    return wide, caption


def _lowered(label: str) -> str:
    """'Year ending September' -> 'year ending September' (a month keeps its capital)."""
    return label[:1].lower() + label[1:]


def section_notes(history: pd.DataFrame) -> list[str]:
    """The notes under a section: the source's value notes, and the disclosure note when a
    figure was suppressed."""
    notes = sorted(history["value_note"].dropna().unique())
    if history["suppressed"].any():
        notes.append(disclosure.NOTE)
    return notes


def other_indicators(
    compendium: pd.DataFrame, present: set[str], priority: str, *, partner: bool
) -> list[str]:
    """This priority's compendium indicators with data: the partner ones, or all the others."""
    mine = compendium[
        (compendium["priority"] == priority) & ((compendium["source_kind"] == "partner") == partner)
    ]
    return [i for i in mine["id"] if i in present]


# ---------------------------------------------------------------------- units and numbers


def axis_label(unit: str) -> str:
    return f"Value {unit}" if unit.startswith("(") else unit[0].upper() + unit[1:]


def bracketed(unit: str) -> str:
    """'(unit)' once: some units are already a bracketed note, e.g. '(unit not stated by ONS)'."""
    return unit if unit.startswith("(") and unit.endswith(")") else f"({unit})"


def decimals(entry: Mapping) -> int:
    return 2 if str(entry.get("unit", "")).startswith("per 1,000") else 1


# ---------------------------------------------------------------------- overview views


def map_figures(rows: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """(period, values) a map shows: every area's value in the latest period that has any,
    through disclosure control."""
    with_values = rows[rows["value"].notna()]
    period = periods.latest(with_values["period"])
    return period, disclosure.suppress(with_values[with_values["period"] == period])


def ranked(values: pd.DataFrame, mapped: Iterable[str]) -> pd.DataFrame:
    """The areas drawn on the map, highest value first."""
    return values[values["area_code"].isin(list(mapped))].sort_values("value", ascending=False)
