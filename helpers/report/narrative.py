"""Plain-English headline sentences for the report summaries, built from values and comparisons.

Every function returns one sentence: it starts with a capital, ends with a single full stop and
never contains "nan" or "None". The wording follows Fingertips ("significantly higher than",
"similar to") but always says the direction, so a reader of a better/worse judgement also
learns which way the figure goes: "significantly lower (better) than Leicestershire (2.9 per
1,000)". A comparison at 95% and one at 99.8% confidence are both "significantly".

Disclosure control comes first: a count of 1 to 4 (see :mod:`helpers.disclosure`) is never
printed, nor the rate built on it, whether or not the caller marked it suppressed.

Example::

    headline(area="Charnwood", period="2023", measure="drug crimes", count=336,
             value=1.787, unit="per 1,000 residents", outcome="higher", level=95,
             benchmark_name="Leicestershire", benchmark_value=1.560)
    # 'In 2023 Charnwood recorded 336 drug crimes, 1.8 per 1,000 residents, significantly
    #  higher than Leicestershire (1.6 per 1,000).'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from helpers.core.errors import DisclosureError, NarrativeError
from helpers.stats import disclosure

__all__ = [
    "NarrativeError",
    "OUTCOMES",
    "format_count",
    "format_value",
    "gap_sentence",
    "headline",
    "headline_from_rows",
    "ranked_sentence",
    "short_unit",
    "trend_sentence",
]

OUTCOMES = ("better", "similar", "worse", "higher", "lower", "not compared")
"""Comparison words, as in helpers.stats.compare and helpers.palette."""

_SIGNIFICANT = ("better", "worse", "higher", "lower")
_LEVELS = (95.0, 99.8)
TREND_POINTS = 5
"""A Fingertips recent trend uses the five most recent periods."""

_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_ORDINALS = ("", "", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
_MONTHS = {
    f"{i:02d}": name
    for i, name in enumerate(
        (
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
        ),
        start=1,
    )
}
_MONTH_ABBREVIATIONS = {name[:3]: name for name in _MONTHS.values()}
_YEARLIKE = re.compile(r"^(\d{4}(/\d{2})?|year ending \w+ \d{4})$", re.IGNORECASE)
_LEAKS = re.compile(r"\b(nan|NaN|None|NaT)\b|<NA>")


# --------------------------------------------------------------------------------------------
# Numbers, units and periods as words
# --------------------------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    """True for None, NaN, pd.NA and NaT."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_count(count: float) -> str:
    """A count with thousands separators and no decimals ("12,345"); 1 to 4 is refused."""
    if disclosure.is_small(count):
        raise DisclosureError(
            f"a count of {count} was about to be written into a sentence",
            fix="pass suppressed=True; helpers.narrative then says 'fewer than 5'",
        )
    return f"{float(count):,.0f}"


def format_value(value: float, unit: str = "", decimals: int = 1) -> str:
    """A value with ``decimals`` places and its unit: "2.2 per 1,000 residents", "14.2%"."""
    text = f"{float(value):,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # no "-0.0"
    unit = unit.strip()
    if not unit:
        return text
    return f"{text}{unit}" if unit.startswith("%") else f"{text} {unit}"


def short_unit(unit: str) -> str:
    """The unit as it reads in brackets: "per 1,000 residents" -> "per 1,000"."""
    unit = unit.strip()
    if match := re.match(r"per\s+[\d,.]+(\s+(thousand|million))?", unit):
        return match.group(0)
    return re.sub(r"\s*\([^)]*\)$", "", unit)


def _period_phrase(period: Any) -> str:
    """A period as it reads after "In": "2024", "2019/20", "the year ending September 2024"."""
    text = str(period).strip()
    if match := re.match(r"^year ending (\w+) (\d{4})$", text, re.IGNORECASE):
        month = _MONTH_ABBREVIATIONS.get(match.group(1)[:3].title(), match.group(1))
        return f"the year ending {month} {match.group(2)}"
    return text


def _humanise_months(text: str) -> str:
    """Month codes in notes become words: "2022-11" -> "November 2022"."""
    return re.sub(
        r"\b(\d{4})-(0[1-9]|1[0-2])\b", lambda m: f"{_MONTHS[m.group(2)]} {m.group(1)}", text
    )


def _number_word(n: int) -> str:
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else f"{n:,}"


def _distinct_decimals(value: float, benchmark: float, decimals: int) -> int:
    """Enough decimals (up to 3 more) that two significantly different values do not print alike."""
    for places in range(decimals, decimals + 4):
        if f"{value:.{places}f}" != f"{benchmark:.{places}f}":
            return places
    return decimals + 3


def _finish(text: str) -> str:
    """One sentence: single spaces, a capital first letter, one full stop, no leaked NaN/None."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,;.)])", r"\1", text)
    text = text.rstrip(". ") + "."
    if _LEAKS.search(text):
        raise NarrativeError(
            f"a missing value reached the sentence: {text!r}",
            fix="pass None for a missing figure and give every name as text",
        )
    return text[0].upper() + text[1:]


def _require_text(**named: Any) -> None:
    for name, value in named.items():
        if not isinstance(value, str) or not value.strip():
            raise NarrativeError(f"{name} must be non-empty text, got {value!r}")


def _clean_note(note: str | None) -> str:
    """A gap note for brackets: no "Gap:" prefix, no trailing full stop, months as words."""
    if _missing(note) or not str(note).strip():
        return ""
    text = re.sub(r"^\s*gap:\s*", "", str(note), flags=re.IGNORECASE).strip().rstrip(".")
    return f" ({_humanise_months(text)})" if text else ""


# --------------------------------------------------------------------------------------------
# Headlines
# --------------------------------------------------------------------------------------------


def _outcome(outcome: Any, level: Any) -> str:
    word = "not compared" if _missing(outcome) else str(outcome).strip().lower()
    if word not in OUTCOMES:
        raise NarrativeError(f"outcome must be one of {', '.join(OUTCOMES)}; got {outcome!r}")
    if not _missing(level):
        if float(level) not in _LEVELS:
            raise NarrativeError(f"level must be 95, 99.8 or missing; got {level!r}")
        if word not in _SIGNIFICANT:
            raise NarrativeError(f'outcome "{word}" cannot have a significance level ({level})')
    return word


def _comparison(
    word: str,
    value: float,
    benchmark_name: str | None,
    benchmark_value: float | None,
    unit_short: str,
    decimals: int,
) -> str:
    """The clause after the value: ", significantly higher than X (v)" and the like."""
    has_bench = not _missing(benchmark_value)
    if word == "not compared":
        if benchmark_name and has_bench:
            bench = format_value(benchmark_value, unit_short, decimals)
            return (
                f"; the figure for {benchmark_name} was {bench} "
                "(no statistical comparison is available)"
            )
        return ""
    if not benchmark_name:
        raise NarrativeError(f'outcome "{word}" needs benchmark_name (what it was compared with)')
    bracket = f" ({format_value(benchmark_value, unit_short, decimals)})" if has_bench else ""
    if word == "similar":
        return f", similar to {benchmark_name}{bracket}"
    if has_bench and value == benchmark_value:
        raise NarrativeError(
            f'outcome "{word}" but the value equals the {benchmark_name} value ({value})'
        )
    direction = None if not has_bench else ("higher" if value > benchmark_value else "lower")
    if word in ("higher", "lower"):
        if direction is not None and direction != word:
            raise NarrativeError(
                f'outcome "{word}" but the value ({value}) is {direction} than the '
                f"{benchmark_name} value ({benchmark_value})",
                fix="check that the outcome and the benchmark belong to the same period",
            )
        return f", significantly {word} than {benchmark_name}{bracket}"
    if direction is None:
        return f", significantly {word} than {benchmark_name}"
    return f", significantly {direction} ({word}) than {benchmark_name}{bracket}"


def headline(
    *,
    area: str,
    period: str,
    measure: str,
    value: float | None,
    unit: str,
    count: float | None = None,
    outcome: str = "not compared",
    level: float | None = None,
    benchmark_name: str | None = None,
    benchmark_value: float | None = None,
    suppressed: bool = False,
    gap_note: str | None = None,
    decimals: int = 1,
    verb: str = "recorded",
    value_label: str | None = None,
    unit_short: str | None = None,
) -> str:
    """One headline sentence for an area's figure and its comparison with a benchmark.

    ``measure`` names what is counted, in the plural ("drug crimes"). With a ``count`` the
    sentence reads "In 2024 Charnwood recorded 412 drug crimes, 2.2 per 1,000 residents, ...";
    without one it reads "In 2023/24 depression prevalence in Charnwood was 14.2%, ...", using
    ``value_label`` (default: "the rate of <measure>" for "per ..." units, else ``measure``).
    ``outcome`` and ``level`` are as helpers.stats.compare gives them; better/worse also need
    ``benchmark_value`` to say the direction. A suppressed row, or a count of 1 to 4, gives
    "fewer than 5" and no rate; a missing value gives "No figure ... is available", with
    ``gap_note`` in brackets. ``unit_short`` (default from :func:`short_unit`) is used in
    brackets.
    """
    _require_text(area=area, measure=measure, verb=verb)
    if _missing(period) or not str(period).strip():
        raise NarrativeError(f"period must be given, got {period!r}")
    if not isinstance(unit, str):
        raise NarrativeError(f"unit must be text, got {unit!r}")
    word = _outcome(outcome, level)
    when = _period_phrase(period)
    unit_short = short_unit(unit) if unit_short is None else unit_short
    has_count, has_value = not _missing(count), not _missing(value)

    if suppressed or (has_count and disclosure.is_small(count)):
        figure = "percentage" if unit.strip().startswith("%") else "rate"
        return _finish(
            f"In {when} {area} {verb} fewer than 5 {measure}; the number and {figure} are not "
            "shown to protect privacy"
        )
    if not has_value:
        if has_count:
            return _finish(f"In {when} {area} {verb} {format_count(count)} {measure}")
        return _finish(
            f"No figure for {measure} in {area} is available for {when}{_clean_note(gap_note)}"
        )

    value = float(value)
    if word in _SIGNIFICANT and not _missing(benchmark_value):
        decimals = _distinct_decimals(value, float(benchmark_value), decimals)
    clause = _comparison(word, value, benchmark_name, benchmark_value, unit_short, decimals)
    shown = format_value(value, unit, decimals)
    if has_count:
        number = "no" if float(count) == 0 else format_count(count)
        return _finish(f"In {when} {area} {verb} {number} {measure}, {shown}{clause}")
    if value_label is None:
        value_label = f"the rate of {measure}" if unit.strip().startswith("per") else measure
    return _finish(f"In {when} {value_label} in {area} was {shown}{clause}")


def headline_from_rows(
    row: Mapping[str, Any],
    benchmark_row: Mapping[str, Any] | None = None,
    *,
    measure: str,
    unit: str,
    against: str = "county",
    **options: Any,
) -> str:
    """:func:`headline` from a row of the ``indicator_values`` store and its benchmark's row.

    Reads area_name, period, count, value, ``<against>_outcome``, ``<against>_level``,
    ``suppressed`` (if present) and value_note (as the gap note). A benchmark row with a small
    count is not quoted. ``options`` go to :func:`headline` (decimals, verb, value_label, ...).
    """

    def get(mapping: Mapping[str, Any] | None, key: str) -> Any:
        if mapping is None:
            return None
        found = mapping.get(key)
        return None if _missing(found) else found

    bench_value = get(benchmark_row, "value")
    if benchmark_row is not None and (
        disclosure.is_small(get(benchmark_row, "count")) or bool(get(benchmark_row, "suppressed"))
    ):
        bench_value = None
    return headline(
        area=get(row, "area_name") or get(row, "area_code"),
        period=get(row, "period"),
        measure=measure,
        value=get(row, "value"),
        unit=unit,
        count=get(row, "count"),
        outcome=get(row, f"{against}_outcome") or "not compared",
        level=get(row, f"{against}_level"),
        benchmark_name=get(benchmark_row, "area_name"),
        benchmark_value=bench_value,
        suppressed=bool(get(row, "suppressed")),
        gap_note=get(row, "value_note") if get(row, "value") is None else None,
        **options,
    )


# --------------------------------------------------------------------------------------------
# Gaps, trends and rankings
# --------------------------------------------------------------------------------------------


def gap_sentence(
    *,
    measure: str,
    county_name: str,
    county_value: float | None,
    unit: str,
    period: str,
    area: str | None = None,
    missing_level: str = "district",
    decimals: int = 1,
) -> str:
    """Say plainly that a figure is not published for the area, and give the county's instead.

    "Figures for X are not published at district level, so there is no figure for Charnwood;
    for Leicestershire as a whole it was 400.1 per 100,000 in 2017/18."
    """
    _require_text(measure=measure, county_name=county_name, missing_level=missing_level)
    when = _period_phrase(period)
    text = f"Figures for {measure} are not published at {missing_level} level"
    if area:
        text += f", so there is no figure for {area}"
    if _missing(county_value):
        return _finish(f"{text}, and no figure for {county_name} is available for {when}")
    value = format_value(county_value, unit, decimals)
    return _finish(f"{text}; for {county_name} as a whole it was {value} in {when}")


def _periods_word(periods: Sequence[str], n: int) -> str:
    """ "years" when every period is a year (2024, 2019/20, year ending ...), else "periods"."""
    noun = "year" if all(_YEARLIKE.match(str(p).strip()) for p in periods) else "period"
    return noun if n == 1 else f"{noun}s"


def trend_sentence(
    *,
    measure: str,
    area: str,
    trend_label: str | None,
    periods: Sequence[str] | None = None,
) -> str:
    """The Fingertips recent trend in words.

    ``measure`` is a singular noun phrase ("depression prevalence", "the drug crime rate");
    ``trend_label`` is a TrendResult marker or label ("Increasing and getting worse", ...);
    ``periods`` lists the periods with a figure, oldest first, and names the span.
    """
    _require_text(measure=measure, area=area)
    label = "cannot be calculated" if _missing(trend_label) else str(trend_label).strip().lower()
    kinds = ("increasing", "decreasing", "no significant change", "cannot be calculated")
    if not label.startswith(kinds):
        raise NarrativeError(
            f"trend_label must start with one of {', '.join(kinds)}; got {label!r}"
        )
    periods = [str(p) for p in periods] if periods else []
    n = len(periods)
    subject = f"{measure} in {area}"

    if n == 1:
        noun = _periods_word(periods, 1)
        return _finish(
            f"Only one {noun} ({_period_phrase(periods[0])}) is available for {subject}, so "
            "there is no trend"
        )
    if label.startswith("cannot be calculated"):
        if 1 < n < TREND_POINTS:
            noun = _periods_word(periods, n)
            return _finish(
                f"A recent trend for {subject} cannot be calculated: it needs five {noun} and "
                f"only {_number_word(n)} ({periods[0]} to {periods[-1]}) are available"
            )
        return _finish(
            f"A recent trend for {subject} cannot be calculated (it needs five consecutive "
            "periods with confidence intervals)"
        )
    if 0 < n < TREND_POINTS:
        raise NarrativeError(
            f"a recent trend needs {TREND_POINTS} periods, but only {n} were given",
            fix="pass every period the trend was calculated from, oldest first",
        )
    span = ""
    if n:
        recent = periods[-TREND_POINTS:]
        span = f" ({recent[0]} to {recent[-1]})"
    noun = _periods_word(periods, TREND_POINTS) if n else "periods"
    opening = f"Over the five most recent {noun}{span},"
    if label.startswith("no significant change"):
        return _finish(f"{opening} there has been no significant change in {subject}")
    return _finish(f"{opening} {subject} is {label}")


def ranked_sentence(
    *,
    area: str,
    measure: str,
    values: Mapping[str, float] | pd.Series,
    group: str = "districts",
) -> str:
    """Where an area's value ranks among a group: "Charnwood has the highest X of the 7 districts".

    ``values`` maps each area in the group (including ``area``) to its value; missing or
    suppressed values (NaN) are left out and the sentence says so. Ties rank jointly. A rank is
    an ordering of values, not a significance test.
    """
    _require_text(area=area, measure=measure, group=group)
    series = pd.Series(values, dtype="float64") if not isinstance(values, pd.Series) else values
    series = pd.to_numeric(series).astype("float64")
    if area not in series.index:
        raise NarrativeError(f"{area} is not among the areas ranked ({', '.join(series.index)})")
    known = series.dropna()
    total = len(series)
    whole = f"the {total} {group}"
    if len(known) < total:
        whole = f"the {len(known)} {group} with a figure"
    if _missing(series[area]):
        return _finish(f"{area} has no figure for {measure}, so it is not ranked among the {group}")
    if len(known) < 2:
        return _finish(f"{area} is the only one of the {group} with a figure for {measure}")
    mine = float(series[area])
    above = int((known > mine).sum())
    below = int((known < mine).sum())
    joint = "joint " if int((known == mine).sum()) > 1 else ""
    if above == 0 and below == 0:
        return _finish(f"All of {whole} have the same {measure}")
    if above <= below:
        position, end = above + 1, "highest"
    else:
        position, end = below + 1, "lowest"
    ordinal = "" if position == 1 else f"{_ordinal(position)} "
    return _finish(f"{area} has the {joint}{ordinal}{end} {measure} of {whole}")


def _ordinal(n: int) -> str:
    if n < len(_ORDINALS):
        return _ORDINALS[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def association(*, x_name: str, y_name: str, rho: float, n: int) -> str:
    """An honest sentence about a rank correlation across a few areas: association, not cause."""
    if n < 3 or rho != rho:  # NaN
        return _finish(
            f"There are too few areas ({n}) to describe an association between "
            f"{y_name.lower()} and {x_name.lower()}"
        )
    if abs(rho) < 0.4:
        return _finish(
            f"Across these {n} areas there is little or no association (Spearman "
            f"rank correlation {rho:.2f})"
        )
    strength = "strong" if abs(rho) >= 0.7 else "moderate"
    direction, tendency = ("positive", "more") if rho > 0 else ("negative", "less")
    return _finish(
        f"Across these {n} areas there is a {strength} {direction} association (Spearman rank "
        f"correlation {rho:.2f}): areas with more of one tend to have {tendency} of the other. "
        "This is an association between areas, not evidence that one causes the other, and with "
        "so few areas it could be chance"
    )
