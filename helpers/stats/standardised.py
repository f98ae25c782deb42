"""Indirect standardisation: the indirectly standardised rate (ISR) and ratio (ISRatio)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helpers.stats.checks import (
    EXACT_BELOW,
    ArrayLike,
    check_nonnegative,
    check_positive,
    confidence_level,
    fail,
    positive_number,
    prepare,
    to_float,
)
from helpers.stats.limits import poisson_limits


def _indirect(
    count: ArrayLike | None,
    population: ArrayLike,
    ref_count: ArrayLike,
    ref_population: ArrayLike,
    observed_total: float | None,
    confidence: float,
) -> dict[str, float | str]:
    """Observed, expected, reference rate and Poisson limits of O for ISR and ISRatio."""
    level = confidence_level(confidence)
    named = [
        ("population", population),
        ("ref_count", ref_count),
        ("ref_population", ref_population),
    ]
    if count is not None:
        named.append(("count", count))
    elif observed_total is None:
        raise fail("give count (by age band) or observed_total")
    arrays, _ = prepare(*named)
    n, ref_x, ref_n = arrays[:3]
    for name, values in zip(("population", "ref_count"), (n, ref_x), strict=True):
        check_nonnegative(name, values)
    check_positive("ref_population", ref_n)
    if count is not None:
        check_nonnegative("count", arrays[3])
    if observed_total is not None:
        observed = to_float("observed_total", observed_total)
        if observed.ndim != 0 or np.isnan(observed) or observed < 0:
            raise fail(f"observed_total must be one non-negative number, got {observed_total!r}")
        observed = float(observed)
    else:
        observed = float(np.nansum(arrays[3]))
    expected = float(np.nansum(ref_x / ref_n * n))
    ref_rate = float(np.nansum(ref_x) / np.nansum(ref_n))
    o_lower, o_upper = poisson_limits(np.array([observed]), level)
    return {
        "observed": observed,
        "expected": expected,
        "ref_rate": ref_rate,
        "o_lower": float(o_lower[0]),
        "o_upper": float(o_upper[0]),
        "method": "Exact" if observed < EXACT_BELOW else "Byars",
    }


def _ratio(numerator: float, expected: float) -> float:
    return numerator / expected if expected > 0 else math.nan


def isr(
    count: ArrayLike | None,
    population: ArrayLike,
    ref_count: ArrayLike,
    ref_population: ArrayLike,
    *,
    multiplier: float = 100_000,
    confidence: float = 0.95,
    observed_total: float | None = None,
) -> pd.Series:
    """Indirectly standardised rate for one area: O/E x the reference rate.

    One row per age band. E sums the reference band rates times the local population, with
    missing values taken as 0. ``observed_total`` supplies O directly (``count`` may then be
    None). ``ref_rate`` is per ``multiplier``. Limits are Poisson limits of O (exact below 10).
    """
    multiplier = positive_number("multiplier", multiplier)
    parts = _indirect(count, population, ref_count, ref_population, observed_total, confidence)
    scale = parts["ref_rate"] * multiplier
    return pd.Series(
        {
            "observed": parts["observed"],
            "expected": parts["expected"],
            "ref_rate": scale,
            "value": _ratio(parts["observed"], parts["expected"]) * scale,
            "lower": _ratio(parts["o_lower"], parts["expected"]) * scale,
            "upper": _ratio(parts["o_upper"], parts["expected"]) * scale,
            "method": parts["method"],
        },
        dtype=object,
    )


def isratio(
    count: ArrayLike | None,
    population: ArrayLike,
    ref_count: ArrayLike,
    ref_population: ArrayLike,
    *,
    ref_value: float = 1,
    confidence: float = 0.95,
    observed_total: float | None = None,
) -> pd.Series:
    """Indirectly standardised ratio for one area: O/E x ref_value (use 100 for an SMR x 100).

    Inputs as for :func:`isr`; limits are Poisson limits of O divided by E.
    """
    ref_value = positive_number("ref_value", ref_value)
    parts = _indirect(count, population, ref_count, ref_population, observed_total, confidence)
    return pd.Series(
        {
            "observed": parts["observed"],
            "expected": parts["expected"],
            "value": _ratio(parts["observed"], parts["expected"]) * ref_value,
            "lower": _ratio(parts["o_lower"], parts["expected"]) * ref_value,
            "upper": _ratio(parts["o_upper"], parts["expected"]) * ref_value,
            "method": parts["method"],
        },
        dtype=object,
    )
