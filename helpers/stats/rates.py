"""Crude rates, proportions, directly standardised rates and means, each with confidence limits."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as sps

from helpers.stats.checks import (
    DSR_MIN_COUNT,
    ArrayLike,
    check_count_within,
    check_nonnegative,
    check_not_missing,
    check_positive,
    confidence_level,
    fail,
    positive_number,
    prepare,
    to_float,
    z_value,
)
from helpers.stats.ci_methods import (
    DSR_CI_METHODS,
    PROPORTION_CI_METHODS,
    RATE_CI_METHODS,
    check_ci_method,
    count_limits,
)
from helpers.stats.limits import byars_limits, wilson_limits


def rate(
    count: ArrayLike,
    denominator: ArrayLike,
    *,
    multiplier: float = 100_000,
    confidence: float = 0.95,
    ci_method: str = "phe",
) -> pd.DataFrame:
    """Crude rate count/denominator x multiplier with Poisson limits.

    ``ci_method`` names the limits (ci_methods.CI_METHODS): by default ("phe") they are exact
    below 10 events and Byar's otherwise; "exact", "exact_uniroot", "byars" and "byars_z196"
    use one method at every count. Column ``method`` says which was used in each row. A
    negative Byar's lower limit is NaN. A count above its denominator is allowed (events, not
    people). Missing input gives missing output.
    """
    ci_method = check_ci_method(ci_method, RATE_CI_METHODS, "rate")
    level = confidence_level(confidence)
    multiplier = positive_number("multiplier", multiplier)
    (x, n), index = prepare(("count", count), ("denominator", denominator))
    check_nonnegative("count", x)
    check_positive("denominator", n)
    lower, upper, method = count_limits(x, level, ci_method)
    return pd.DataFrame(
        {
            "value": x / n * multiplier,
            "lower": lower / n * multiplier,
            "upper": upper / n * multiplier,
            "method": method,
        },
        index=index,
    )


def proportion(
    count: ArrayLike,
    denominator: ArrayLike,
    *,
    multiplier: float = 1,
    confidence: float = 0.95,
    ci_method: str = "wilson",
) -> pd.DataFrame:
    """Proportion count/denominator x multiplier with Wilson score limits (``ci_method`` "wilson").

    Use multiplier=100 for a percentage. Counts need not be whole numbers. Missing input gives
    missing output.
    """
    check_ci_method(ci_method, PROPORTION_CI_METHODS, "proportion")
    level = confidence_level(confidence)
    multiplier = positive_number("multiplier", multiplier)
    (x, n), index = prepare(("count", count), ("denominator", denominator))
    check_nonnegative("count", x)
    check_positive("denominator", n)
    check_count_within(x, n)
    lower, upper = wilson_limits(x, n, level)
    return pd.DataFrame(
        {"value": x / n * multiplier, "lower": lower * multiplier, "upper": upper * multiplier},
        index=index,
    )


def dsr(
    count: ArrayLike,
    population: ArrayLike,
    standard_population: ArrayLike,
    *,
    multiplier: float = 100_000,
    confidence: float = 0.95,
    ci_method: str = "dobson",
) -> pd.Series:
    """Directly standardised rate for one area, with Dobson limits (Byar's counts throughout;
    ``ci_method`` "dobson").

    One row per age band. A missing count is taken as 0. The value and limits are NaN when the
    total count is below 10, because a DSR is not published for fewer events. Every population
    must be present and positive, and the standard population must not be negative.
    """
    check_ci_method(ci_method, DSR_CI_METHODS, "DSR")
    level = confidence_level(confidence)
    multiplier = positive_number("multiplier", multiplier)
    (x, n, w), _ = prepare(
        ("count", count), ("population", population), ("standard_population", standard_population)
    )
    check_nonnegative("count", x)
    check_not_missing("population", n)
    check_positive("population", n)
    check_not_missing("standard_population", w)
    check_nonnegative("standard_population", w)
    x = np.nan_to_num(x, nan=0.0)
    total_weight = w.sum()
    if total_weight <= 0:
        raise fail("standard_population must not sum to zero")
    observed = float(x.sum())
    value = lower = upper = math.nan
    if observed >= DSR_MIN_COUNT:
        rate_ = float((x * w / n).sum() / total_weight)
        variance = float((x * (w / n) ** 2).sum() / total_weight**2)
        o_lower, o_upper = byars_limits(np.array([observed]), z_value(level))
        spread = math.sqrt(variance / observed)
        value = rate_ * multiplier
        lower = (rate_ + spread * (o_lower[0] - observed)) * multiplier
        upper = (rate_ + spread * (o_upper[0] - observed)) * multiplier
    return pd.Series(
        {
            "total_count": observed,
            "total_pop": float(n.sum()),
            "value": value,
            "lower": lower,
            "upper": upper,
        }
    )


def mean_ci(values: ArrayLike, *, confidence: float = 0.95) -> pd.Series:
    """Mean of the non-missing values with a Student's t interval (sample SD, k-1 df)."""
    level = confidence_level(confidence)
    v = to_float("values", values).ravel()
    v = v[~np.isnan(v)]
    k = v.size
    mean = float(v.mean()) if k else math.nan
    stdev = float(v.std(ddof=1)) if k > 1 else math.nan
    half = math.nan
    if k > 1:
        half = abs(float(sps.t.ppf((1 - level) / 2, k - 1))) * stdev / math.sqrt(k)
    return pd.Series(
        {"value": mean, "lower": mean - half, "upper": mean + half, "count": k, "stdev": stdev},
        dtype=object,
    )
