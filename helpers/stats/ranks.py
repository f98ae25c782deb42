"""Where an area sits in England, as Fingertips shows it: its rank, the number of areas ranked
and its quintile with Fingertips' own words for that quintile.

Rank 1 is the highest value, ties take the minimum rank and a missing value has no rank.
Quintiles are the PHE quantile method (:func:`helpers.stats.funnels.quantiles`, n=5,
invert=True), so quintile 1 is always the highest 20% of values, whatever the polarity; the
polarity only chooses the words.

The words are those of fingertips-open (ukhsa-collaboration/fingertips-open, commit 6780897),
``IndicatorsUI/MainUI/angular-app/src/app/trend/trend-table/trend-table.component.ts``,
``TrendTableMarkerTooltopProvider.getTooltipText``, which describes a quintile as "Best /
2nd best / Middle / 2nd worst / Worst quintile" when the indicator has a RAG polarity ("RAG -
High is good" or "RAG - Low is good") and "Lowest / 2nd lowest / Middle / 2nd highest /
Highest quintile" when it has none (BOB or not applicable); the tooltip appends " in " and the
comparator's name. Fingertips numbers its quintiles from the lowest value (or, for "RAG - High
is good", from the highest: ``PholioVisualisationWS/Analysis/QuintilesComparer.cs``); here the
words follow the values, so under "low_is_good" quintile 1 (the highest values) is the worst.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from helpers.stats.checks import ArrayLike, Polarity, check_polarity, fail, prepare
from helpers.stats.funnels import quantiles

QUINTILES = 5

QUINTILE_LABELS: dict[str, tuple[str, str, str, str, str]] = {
    "no_judgement": (
        "Highest quintile",
        "2nd highest quintile",
        "Middle quintile",
        "2nd lowest quintile",
        "Lowest quintile",
    ),
    "high_is_good": (
        "Best quintile",
        "2nd best quintile",
        "Middle quintile",
        "2nd worst quintile",
        "Worst quintile",
    ),
    "low_is_good": (
        "Worst quintile",
        "2nd worst quintile",
        "Middle quintile",
        "2nd best quintile",
        "Best quintile",
    ),
}
"""Fingertips' words for quintiles 1 (highest values) to 5 (lowest values), by polarity."""


def england_rank(values: ArrayLike, *, polarity: Polarity) -> pd.DataFrame:
    """Rank, count, quintile and quintile label of each value among all the values given.

    Returns one row per value, keeping the input order (and index), with columns:

    * ``rank`` (Int64): 1 for the highest value; tied values share the lowest rank of the tie
      (10, 20, 20, 30 rank 4, 2, 2, 1); NA for a missing value.
    * ``of`` (Int64): how many values are not missing, the same on every row.
    * ``quintile`` (Int64): 1 to 5 by the PHE quantile method, 1 being the highest 20%; NA for a
      missing value, and on every row when fewer than 5 values are present.
    * ``label`` (string): the Fingertips words for the quintile under ``polarity``
      (:data:`QUINTILE_LABELS`), e.g. "Highest quintile" or "Worst quintile"; NA where the
      quintile is NA.

    ``polarity`` is one of "low_is_good", "high_is_good", "no_judgement".
    """
    check_polarity(polarity)
    (v,), index = prepare(("values", values))
    count = int((~np.isnan(v)).sum())
    rank = pd.Series(-v).rank(method="min", na_option="keep").to_numpy()
    quintile = quantiles(v, n=QUINTILES, invert=True).to_numpy(dtype=float, na_value=np.nan)
    words = QUINTILE_LABELS[polarity]
    label = [words[int(q) - 1] if not math.isnan(q) else pd.NA for q in quintile]
    return pd.DataFrame(
        {
            "rank": pd.array(rank, dtype="Int64"),
            "of": pd.array(np.full(v.size, count), dtype="Int64"),
            "quintile": pd.array(quintile, dtype="Int64"),
            "label": pd.array(label, dtype="string"),
        },
        index=index,
    )


def _whole_number(name: str, value: object, minimum: int) -> int:
    """A whole number of at least ``minimum`` (1.0 counts as 1); anything else is refused."""
    if value is None or value is pd.NA or isinstance(value, bool | np.bool_):
        raise fail(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    if isinstance(value, numbers.Integral):
        number = int(value)
    elif isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        number = int(value)
    else:
        raise fail(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    if number < minimum:
        raise fail(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    return number


def ordinal(number: int) -> str:
    """An ordinal in figures: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 22nd, 111th, 112th."""
    n = _whole_number("number", number, 0)
    if n % 100 in (11, 12, 13):
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_words(rank: int, of: int, tier: str) -> str:
    """A rank for a sentence: ``rank_words(12, 296, "districts")`` is "12th of 296 districts".

    ``tier`` is the plural name of the areas ranked, used as given; ``of`` is written with a
    thousands separator (1,250). A missing rank, a rank below 1 or above ``of`` is refused.
    """
    r = _whole_number("rank", rank, 1)
    total = _whole_number("of", of, 1)
    if r > total:
        raise fail(f"rank must not exceed of (rank {r} of {total})")
    if not isinstance(tier, str) or not tier.strip():
        raise fail(f"tier must be the plural name of the areas ranked, got {tier!r}")
    return f"{ordinal(r)} of {total:,} {tier.strip()}"
