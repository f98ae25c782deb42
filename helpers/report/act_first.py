"""What to act on first: the short ranked list that opens every report, as pure functions.

Each indicator's latest figure for the report's area (or the county's or force's, where only
that is published: content.figure_area) is judged by the same comparison the report uses for it
(content.benchmark: England, or the county for a district's locally compared figures) and by its
recent trend (the Fingertips test the build ran). The groups, in order:

1. significantly worse and getting worse;
2. significantly worse with no significant change;
3. similar but getting worse;
4. significantly worse where the trend cannot be calculated: said, with the reason, not guessed.

Worse but getting better is named in one line under the list, not ranked. A hidden (suppressed)
figure is never shown: its indicator is left out, and how many were left out is said. Within a
group, figures worse at 99.8% confidence come before those worse at 95%, then the report's order.

helpers.report.first_display fetches the frames (through views, so through disclosure control)
and shows what `page` returns; everything here is unit-tested on small frames."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from helpers.core import periods
from helpers.report import content, markup, narrative
from helpers.report.markup import Markup

TREND_POINTS = 5  # a Fingertips recent trend uses the five latest points

WORSE_WORSENING = "worse and getting worse"
WORSE_NO_CHANGE = "worse, no significant change"
SIMILAR_WORSENING = "similar, getting worse"
WORSE_NO_TREND = "worse, trend cannot be calculated"
WORSE_IMPROVING = "worse but getting better"
GROUPS = (WORSE_WORSENING, WORSE_NO_CHANGE, SIMILAR_WORSENING, WORSE_NO_TREND)
"""The groups of the list, in rank order (WORSE_IMPROVING is named under it, not ranked)."""

_TITLES = {
    WORSE_WORSENING: "Significantly worse and getting worse",
    WORSE_NO_CHANGE: "Significantly worse, with no significant change",
    SIMILAR_WORSENING: "Similar, but getting worse",
    WORSE_NO_TREND: "Significantly worse, but the recent trend cannot be calculated",
}
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass(frozen=True)
class Line:
    """One indicator on the list: its group and what its line says."""

    indicator_id: str
    name: str
    group: str
    sentence: str  # the figure and its comparison, as narrative.headline words it
    trend: str  # the recent trend in words ("increasing and getting worse"; or why none)
    level: float | None  # 99.8 or 95 for a significant difference, else None
    href: str


@dataclass(frozen=True)
class Ranking:
    """The ranked lines (GROUPS order), the worse-but-improving ones, how many indicators were
    left out because their figure is hidden, and how many had no computable trend."""

    lines: list[Line] = field(default_factory=list)
    improving: list[Line] = field(default_factory=list)
    hidden: int = 0
    no_trend: int = 0
    judged: int = 0


# ---------------------------------------------------------------------- links


def section_id(indicator_id: str) -> str:
    """The HTML id of an indicator's section: "indicator-<id>", with any character other than
    letters, digits, "-" and "_" replaced (and a short hash added, so two ids stay distinct)."""
    text = str(indicator_id)
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"
    if slug != text:
        slug += "-" + hashlib.sha1(text.encode()).hexdigest()[:6]
    return f"indicator-{slug}"


def link(indicator_id: str, entry: Mapping, priority: str) -> str:
    """Where the indicator's section is: on this page, or on the page of its own priority (the
    overview lists every priority; an area's pages share a folder, each named by its priority)."""
    own = entry["priority"] == priority
    return ("" if own else f"{entry['priority']}.html") + f"#{section_id(indicator_id)}"


# ---------------------------------------------------------------------- the frames


def trend_reason(history: pd.DataFrame, code: str) -> str:
    """Why the recent trend of `code` cannot be calculated, from its rows over time (as
    views.series gives them, a missing year as an empty row)."""
    mine = history[history["area_code"] == code]
    order = sorted(range(len(mine)), key=lambda i: periods.sort_key(mine["period"].iat[i]))
    mine = mine.iloc[order]
    last = content.latest_shown_period(mine)
    if last is not None:
        mine = mine[[periods.sort_key(p) <= periods.sort_key(last) for p in mine["period"]]]
    shown = (mine["value"].notna() & ~mine["suppressed"].astype(bool)).to_list()
    run = next((i for i, ok in enumerate(reversed(shown)) if not ok), len(shown))
    if run < TREND_POINTS:
        if run < len(shown) and any(shown[: len(shown) - run - 1]):
            gap = periods.phrase(mine["period"].iloc[len(shown) - run - 1])
            return f"fewer than five years in an unbroken series: no figure is shown for {gap}"
        return "fewer than five years of figures"
    recent = mine.iloc[-TREND_POINTS:]
    if recent["lower_95"].isna().any() or recent["upper_95"].isna().any():
        return "the source publishes no confidence intervals for it"
    return "its latest five figures do not meet the test's conditions"


def latest_row(
    history: pd.DataFrame, code: str, column: str, bench_code: str
) -> dict[str, object] | None:
    """The figure the list judges: `code`'s latest shown row (a value or a hidden figure), its
    outcome in `column`, the benchmark's value that period, the recent trend words and, where
    there is no trend, why. None when `code` has no figure. `history` holds `code` and the
    benchmark over time, after disclosure control."""
    mine = history[history["area_code"] == code]
    period = content.latest_shown_period(mine)
    if period is None:
        return None
    row = mine[mine["period"] == period].iloc[0]
    bench = history[(history["area_code"] == bench_code) & (history["period"] == period)]
    bench = bench[bench["value"].notna() & ~bench["suppressed"].astype(bool)]
    label = content.trend_label(mine, code)
    computed = label is not None and label.lower() != "cannot be calculated"
    return {
        "indicator_id": row["indicator_id"],
        "area_code": code,
        "period": period,
        "value": row["value"],
        "suppressed": bool(row["suppressed"]),
        "outcome": row[column],
        "level": row[column.replace("outcome", "level")],
        "bench_code": bench_code,
        "bench_value": bench["value"].iloc[0] if len(bench) else None,
        "trend_label": label if computed else None,
        "trend_reason": None if computed else trend_reason(history, code),
    }


# ---------------------------------------------------------------------- the ranking


def direction(trend_label: str | None) -> str | None:
    """'worse', 'better', 'no change' from Fingertips' trend words, or None (no trend, or a
    rise or fall that is neither better nor worse)."""
    words = str(trend_label or "").strip().lower()
    if words.endswith("getting worse"):
        return "worse"
    if words.endswith("getting better"):
        return "better"
    return "no change" if words == "no significant change" else None


def group_of(outcome: str, trend_label: str | None) -> str | None:
    """The group of an indicator with this outcome and trend (None: not on the list)."""
    trend = direction(trend_label)
    if outcome == "worse":
        return {
            "worse": WORSE_WORSENING,
            "no change": WORSE_NO_CHANGE,
            "better": WORSE_IMPROVING,
        }.get(trend, WORSE_NO_TREND if trend_label is None else None)
    if outcome == "similar" and trend == "worse":
        return SIMILAR_WORSENING
    return None


def _sentence(row: Mapping, entry: Mapping, names: Mapping[str, str]) -> str:
    counted = entry["source_kind"] in content.COUNTED_SOURCES
    level = row["level"]
    return narrative.headline(
        area=names.get(row["area_code"], row["area_code"]),
        period=row["period"],
        measure=entry["measure"],
        value_label=None if counted else entry["measure"],
        value=row["value"],
        unit=entry["unit"],
        outcome=row["outcome"],
        level=None if level is None or pd.isna(level) else level,
        benchmark_name=names.get(row["bench_code"], row["bench_code"]),
        benchmark_value=row["bench_value"],
        decimals=content.decimals(entry),
    )


def rank(
    rows: Sequence[Mapping],
    entries: Mapping[str, Mapping],
    names: Mapping[str, str],
    priority: str,
) -> Ranking:
    """The list from the indicators' latest rows (latest_row's dicts, in the report's order):
    rows with a hidden figure are counted and left out, whatever their outcome says."""
    found: dict[str, list[tuple[int, Line]]] = {g: [] for g in (*GROUPS, WORSE_IMPROVING)}
    hidden = no_trend = judged = 0
    for order, row in enumerate(rows):
        if row["suppressed"]:
            hidden += 1
            continue
        if row["value"] is None or pd.isna(row["value"]):
            continue
        judged += 1
        no_trend += row["trend_label"] is None
        group = group_of(str(row["outcome"]), row["trend_label"])
        if group is None:
            continue
        ident = row["indicator_id"]
        entry = entries[ident]
        trend = (
            f"recent trend: {str(row['trend_label']).lower()}"
            if row["trend_label"] is not None
            else f"the recent trend cannot be calculated ({row['trend_reason']})"
        )
        level = (
            row["level"] if group in (WORSE_WORSENING, WORSE_NO_CHANGE, WORSE_NO_TREND) else None
        )
        level = None if level is None or pd.isna(level) else float(level)
        line = Line(
            indicator_id=ident,
            name=entry["name"],
            group=group,
            sentence=_sentence(row, entry, names),
            trend=trend,
            level=level,
            href=link(ident, entry, priority),
        )
        found[group].append((order, line))
    ranked = [
        line
        for group in GROUPS
        for _, line in sorted(found[group], key=lambda o: (-(o[1].level or 0), o[0]))
    ]
    improving = [line for _, line in found[WORSE_IMPROVING]]
    return Ranking(ranked, improving, hidden, no_trend, judged)


# ---------------------------------------------------------------------- the words


def number(n: int) -> str:
    """Small numbers as words ("two"), as the audit reads digits before a noun as a count."""
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else f"{n:,}"


def line_words(line: Line) -> Markup:
    """One line: the indicator's name linked to its section, the figure with its comparison,
    and the trend in words."""
    sentence = line.sentence.rstrip(".")
    return Markup('<a href="{}">{}</a>: {}; {}.').format(
        line.href, line.name, sentence[:1].lower() + sentence[1:], line.trend
    )


def rule_words(area: str, county: str | None) -> str:
    """The rule of the list, in plain words (one paragraph)."""
    against = (
        f"England, or with {county} where the report compares the district with its county "
        "(such as police.uk street-level crime)"
        if county
        else "England"
    )
    return (
        f"How this list is made: each indicator's latest figure for {area} is compared with "
        f"{against}; worse means significantly worse, at 95% confidence or more, and the recent "
        "trend is the Fingertips test on the five latest figures. Worse and getting worse comes "
        "first, then worse with no significant change, then similar but getting worse; within "
        "a group, worse at 99.8% confidence comes before 95%, then the report's order. Where "
        "the trend cannot be calculated the list says why and does not guess. Worse but "
        "getting better is named under the list; indicators where neither a higher nor a lower "
        "figure is better (such as recorded drug crime) are not judged. A figure hidden to "
        "protect privacy is never shown: its indicator is left out and counted."
    )


def page(ranking: Ranking, area: str, county: str | None) -> Markup:
    """The whole part: the groups with their lines (or one sentence when nothing qualifies),
    the worse-but-improving line, what was left out, and the rule."""
    parts: list[Markup] = []
    ranked = [line for line in ranking.lines if line.group != WORSE_NO_TREND]
    if not ranked:
        parts.append(
            markup.paragraph(
                f"No indicator for {area} is significantly worse than its benchmark and getting "
                "worse, worse with no significant change in its recent trend, or similar but "
                "getting worse."
            )
        )
    start = 1
    for group in GROUPS:
        lines = [line for line in ranking.lines if line.group == group]
        if not lines:
            continue
        parts.append(markup.paragraph(markup.strong(_TITLES[group])))
        tag = "ul" if group == WORSE_NO_TREND else "ol"
        items = Markup("").join(Markup("<li>{}</li>").format(line_words(x)) for x in lines)
        opening = Markup(f'<ol start="{start}">') if tag == "ol" else Markup("<ul>")
        parts.append(opening + items + Markup(f"</{tag}>"))
        start += len(lines) if tag == "ol" else 0
    if ranking.improving:
        named = Markup(", ").join(
            Markup('<a href="{}">{}</a> ({})').format(x.href, x.name, x.trend)
            for x in ranking.improving
        )
        parts.append(
            markup.paragraph(Markup("Significantly worse, but getting better: {}.").format(named))
        )
    if ranking.judged and ranking.no_trend:
        which = (
            (
                "the one indicator"
                if ranking.judged == 1
                else f"all {number(ranking.judged)} indicators"
            )
            if ranking.no_trend == ranking.judged
            else f"{number(ranking.no_trend)} of the {number(ranking.judged)} indicators"
        )
        parts.append(
            markup.paragraph(
                f"The recent trend cannot be calculated for {which} with a figure here: such an "
                "indicator is listed only when it is significantly worse, in the last group."
            )
        )
    if ranking.hidden:
        which = "indicator is" if ranking.hidden == 1 else "indicators are"
        parts.append(
            markup.paragraph(
                f"{number(ranking.hidden).capitalize()} {which} left out because the latest "
                "figure is hidden to protect privacy."
            )
        )
    parts.append(markup.paragraph(markup.Markup("<em>{}</em>").format(rule_words(area, county))))
    return Markup("").join(parts)
