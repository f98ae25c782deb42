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
from helpers.stats.groups import (
    GroupLabels,
    Groups,
    make_groups,
    nonnegative,
    not_missing,
    one_group,
    per_row,
    positive,
)
from helpers.stats.limits import byars_limits, wilson_limits


def _grouped_sums(
    groups: GroupLabels, x: np.ndarray, n: np.ndarray
) -> tuple[Groups | None, np.ndarray, np.ndarray]:
    """The counts and denominators summed within each group (a missing value makes a sum
    missing), or unchanged when no groups are given."""
    if groups is None:
        return None, x, n
    found = make_groups(groups, x.size)
    return found, found.sum(x), found.sum(n)


def rate(
    count: ArrayLike,
    denominator: ArrayLike,
    *,
    multiplier: float = 100_000,
    confidence: float = 0.95,
    ci_method: str = "phe",
    groups: GroupLabels = None,
) -> pd.DataFrame:
    """Crude rate count/denominator x multiplier with Poisson limits.

    ``ci_method`` names the limits (ci_methods.CI_METHODS): by default ("phe") they are exact
    below 10 events and Byar's otherwise; "exact", "exact_uniroot", "byars" and "byars_z196"
    use one method at every count. Column ``method`` says which was used in each row. A
    negative Byar's lower limit is NaN. A count above its denominator is allowed (events, not
    people). Missing input gives missing output.

    With ``groups`` (one label per row; see helpers.stats.groups) the counts and denominators
    are summed within each group first (a missing value makes the group missing) and the result
    has one row per group, in the order the groups first appear, with the key columns first.
    """
    ci_method = check_ci_method(ci_method, RATE_CI_METHODS, "rate")
    level = confidence_level(confidence)
    multiplier = positive_number("multiplier", multiplier)
    (x, n), index = prepare(("count", count), ("denominator", denominator))
    check_nonnegative("count", x)
    check_positive("denominator", n)
    found, x, n = _grouped_sums(groups, x, n)
    lower, upper, method = count_limits(x, level, ci_method)
    columns = {
        "value": x / n * multiplier,
        "lower": lower / n * multiplier,
        "upper": upper / n * multiplier,
        "method": method,
    }
    return pd.DataFrame(columns, index=index) if found is None else found.frame(columns)


def proportion(
    count: ArrayLike,
    denominator: ArrayLike,
    *,
    multiplier: float = 1,
    confidence: float = 0.95,
    ci_method: str = "wilson",
    groups: GroupLabels = None,
) -> pd.DataFrame:
    """Proportion count/denominator x multiplier with Wilson score limits (``ci_method`` "wilson").

    Use multiplier=100 for a percentage. Counts need not be whole numbers. Missing input gives
    missing output. ``groups`` sums counts and denominators within groups first, as in
    :func:`rate`.
    """
    check_ci_method(ci_method, PROPORTION_CI_METHODS, "proportion")
    level = confidence_level(confidence)
    multiplier = positive_number("multiplier", multiplier)
    (x, n), index = prepare(("count", count), ("denominator", denominator))
    check_nonnegative("count", x)
    check_positive("denominator", n)
    check_count_within(x, n)
    found, x, n = _grouped_sums(groups, x, n)
    lower, upper = wilson_limits(x, n, level)
    columns = {
        "value": x / n * multiplier,
        "lower": lower * multiplier,
        "upper": upper * multiplier,
    }
    return pd.DataFrame(columns, index=index) if found is None else found.frame(columns)


DSR_COLUMNS = ("total_count", "total_pop", "value", "lower", "upper")


def dsr(
    count: ArrayLike,
    population: ArrayLike,
    standard_population: ArrayLike,
    *,
    multiplier: float = 100_000,
    confidence: float = 0.95,
    ci_method: str = "dobson",
    groups: GroupLabels = None,
) -> pd.Series | pd.DataFrame:
    """Directly standardised rate with Dobson limits (Byar's counts throughout; ``ci_method``
    "dobson"): for one area (a Series), or for every group of ``groups`` (a DataFrame).

    One row per age band. A missing count is taken as 0. The value and limits are NaN when the
    total count is below 10, because a DSR is not published for fewer events. Every population
    must be present and positive, and the standard population must not be negative.

    ``groups`` gives each row's area (see helpers.stats.groups): the result then has one row
    per group, in the order the groups first appear, with the key columns and then
    total_count, total_pop, value, lower and upper. ``standard_population`` is then either one
    value per row or one per age band, matched to each group's rows in order (every group must
    then have one row per band).
    """
    check_ci_method(ci_method, DSR_CI_METHODS, "DSR")
    level = confidence_level(confidence)
    multiplier = positive_number("multiplier", multiplier)
    if groups is None:
        (x, n, w), _ = prepare(
            ("count", count),
            ("population", population),
            ("standard_population", standard_population),
        )
        found = one_group(x.size)
    else:
        (x, n), _ = prepare(("count", count), ("population", population))
        found = make_groups(groups, x.size)
        w = per_row("standard_population", standard_population, found)
    return found.result(_dsr_groups(x, n, w, found, level, multiplier), dtype=float)


def _dsr_groups(
    x: np.ndarray, n: np.ndarray, w: np.ndarray, found: Groups, level: float, multiplier: float
) -> dict[str, np.ndarray]:
    """Dobson's DSR of every group at once: band sums by bincount, Byar's limits vectorised."""
    nonnegative(found, "count", x)
    not_missing(found, "population", n)
    positive(found, "population", n)
    not_missing(found, "standard_population", w)
    nonnegative(found, "standard_population", w)
    x = np.nan_to_num(x, nan=0.0)
    total_weight = found.sum(w)
    empty = total_weight <= 0
    if empty.any():
        where = found.at(int(np.flatnonzero(empty)[0]))
        raise fail(f"standard_population must not sum to zero{where}")
    observed = found.sum(x)
    rate_ = found.sum(x * w / n) / total_weight
    variance = found.sum(x * (w / n) ** 2) / total_weight**2
    o_lower, o_upper = byars_limits(observed, z_value(level))
    published = observed >= DSR_MIN_COUNT
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(variance / observed)
        value = np.where(published, rate_ * multiplier, np.nan)
        lower = np.where(published, (rate_ + spread * (o_lower - observed)) * multiplier, np.nan)
        upper = np.where(published, (rate_ + spread * (o_upper - observed)) * multiplier, np.nan)
    return dict(zip(DSR_COLUMNS, (observed, found.sum(n), value, lower, upper), strict=True))


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
