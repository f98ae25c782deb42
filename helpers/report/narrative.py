"""Plain-English headline sentences for the report summaries, built from values and comparisons.

Every function returns one sentence: it starts with a capital, ends with a single full stop and
never contains "nan" or "None". The wording follows Fingertips ("significantly higher than",
"similar to") but always says the direction, so a reader of a better/worse judgement also
learns which way the figure goes: "significantly lower (better) than the county (2.9 per
1,000)". A comparison at 95% and one at 99.8% confidence are both "significantly".

Disclosure control comes first: a count of 1 to 4 (see :mod:`helpers.disclosure`) is never
printed, nor the rate built on it, whether or not the caller marked it suppressed.

Example::

    headline(area="District A", period="2023", measure="drug crimes", count=336,
             value=1.787, unit="per 1,000 residents", outcome="higher", level=95,
             benchmark_name="County B", benchmark_value=1.560)
    # 'In 2023 District A recorded 336 drug crimes, 1.8 per 1,000 residents, significantly
    #  higher than County B (1.6 per 1,000).'
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from helpers.core import periods
from helpers.core.errors import DisclosureError, NarrativeError
from helpers.stats import disclosure

__all__ = [
    "OUTCOMES",
    "format_count",
    "format_value",
    "headline",
    "short_unit",
]

OUTCOMES = ("better", "similar", "worse", "higher", "lower", "not compared")
"""Comparison words, as in helpers.stats.compare and helpers.palette."""

_SIGNIFICANT = ("better", "worse", "higher", "lower")
_LEVELS = (95.0, 99.8)
"""A Fingertips recent trend uses the five most recent periods."""

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
            fix="pass suppressed=True; helpers.narrative then says the figure is not shown",
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


def _humanise_months(text: str) -> str:
    """Month codes in notes become words: "2022-11" -> "November 2022"."""
    return re.sub(
        r"\b(\d{4})-(0[1-9]|1[0-2])\b",
        lambda m: f"{periods.MONTH_NAMES[int(m.group(2)) - 1]} {m.group(1)}",
        text,
    )


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
    sentence reads "In 2024 District A recorded 412 drug crimes, 2.2 per 1,000 residents, ...";
    without one it reads "In 2023/24 depression prevalence in District A was 14.2%, ...", using
    ``value_label`` (default: "the rate of <measure>" for "per ..." units, else ``measure``).
    ``outcome`` and ``level`` are as helpers.stats.compare gives them; better/worse also need
    ``benchmark_value`` to say the direction. A suppressed row, or a count of 1 to 4, gives
    "not shown, to protect privacy" and no number or rate; a missing value gives "No figure
    ... is available", with ``gap_note`` in brackets. ``unit_short`` (default from
    :func:`short_unit`) is used in brackets.
    """
    _require_text(area=area, measure=measure, verb=verb)
    if _missing(period) or not str(period).strip():
        raise NarrativeError(f"period must be given, got {period!r}")
    if not isinstance(unit, str):
        raise NarrativeError(f"unit must be text, got {unit!r}")
    word = _outcome(outcome, level)
    when = periods.phrase(period)
    unit_short = short_unit(unit) if unit_short is None else unit_short
    has_count, has_value = not _missing(count), not _missing(value)

    if suppressed or (has_count and disclosure.is_small(count)):
        figure = "percentage" if unit.strip().startswith("%") else "rate"
        return _finish(
            f"In {when} the number of {measure} in {area}, and its {figure}, are not shown, "
            "to protect privacy"
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
