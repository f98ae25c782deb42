"""Funnel plots (significance and control limits) and quantiles."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats as sps

from helpers.stats.checks import (
    FUNNEL_LABELS,
    ArrayLike,
    check_count_within,
    check_nonnegative,
    check_positive,
    fail,
    positive_number,
    prepare,
)
from helpers.stats.groups import GroupLabels, make_groups, one_group
from helpers.stats.limits import poisson_limits, wilson_limits


def _funnel_labels(
    low998: np.ndarray,
    low95: np.ndarray,
    high998: np.ndarray,
    high95: np.ndarray,
    benchmark: np.ndarray | float,
    missing: np.ndarray,
) -> np.ndarray:
    """Label each area by which interval excludes the benchmark (99.8% before 95%)."""
    labels = np.select(
        [low998 > benchmark, low95 > benchmark, high998 < benchmark, high95 < benchmark],
        list(FUNNEL_LABELS),
        "Not significant",
    ).astype(object)
    labels[missing] = None
    return labels


def funnel_significance(
    numerator: ArrayLike,
    denominator: ArrayLike,
    *,
    statistic: Literal["proportion", "ratio", "rate"],
    multiplier: float = 100_000,
    rate: ArrayLike | None = None,
    groups: GroupLabels = None,
) -> pd.Series:
    """Funnel-plot significance of each area against the pooled benchmark.

    proportion: Wilson limits of each area at 95% and 99.8% against sum(x)/sum(n).
    ratio: numerator = observed, denominator = expected; Poisson limits of O divided by E,
    against 1. rate: denominator is the population and the benchmark is sum(O)/sum(pop);
    alternatively give ``rate`` (per ``multiplier``, e.g. a DSR) and the population is derived
    as multiplier x O / rate (the given denominator where O is 0). Poisson limits are exact below
    10 events. Rows with missing input get a missing label and are left out of the benchmark.

    ``groups`` (one label per row, e.g. indicator and period; see helpers.stats.groups) judges
    many funnels at once: each row against its own group's pooled benchmark. The result is
    still one label per row, in input order.
    """
    if statistic not in ("proportion", "ratio", "rate"):
        raise fail(f'statistic must be "proportion", "ratio" or "rate", got {statistic!r}')
    multiplier = positive_number("multiplier", multiplier)
    named = [("numerator", numerator), ("denominator", denominator)]
    if rate is not None:
        if statistic != "rate":
            raise fail('rate can only be given with statistic="rate"')
        named.append(("rate", rate))
    arrays, index = prepare(*named)
    x, n = arrays[:2]
    check_nonnegative("numerator", x)
    check_positive("denominator", n)
    if statistic == "proportion":
        check_count_within(x, n, ("numerator", "denominator"))
    if rate is not None:
        check_positive("rate", arrays[2])
        with np.errstate(divide="ignore", invalid="ignore"):
            n = np.where(x > 0, multiplier * x / arrays[2], n)
    missing = np.isnan(x) | np.isnan(n)
    found = one_group(x.size) if groups is None else make_groups(groups, x.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = found.sum(np.where(missing, 0.0, x)) / found.sum(np.where(missing, 0.0, n))
    pooled = pooled[found.codes]
    if statistic == "proportion":
        benchmark = pooled
        low95, high95 = wilson_limits(x, n, 0.95)
        low998, high998 = wilson_limits(x, n, 0.998)
        labels = _funnel_labels(low998, low95, high998, high95, benchmark, missing)
    else:
        expected = n
        if statistic == "rate":
            expected = n * pooled
        low95, high95 = poisson_limits(x, 0.95)
        low998, high998 = poisson_limits(x, 0.998)
        with np.errstate(divide="ignore", invalid="ignore"):
            labels = _funnel_labels(
                low998 / expected,
                low95 / expected,
                high998 / expected,
                high95 / expected,
                1.0,
                missing,
            )
    return pd.Series(labels, index=index, name="significance", dtype=object)


def _round_up_two_figures(value: float) -> float:
    """Round up to two significant figures (102950 -> 110000): the funnel's axis maximum."""
    step = 10.0 ** (math.floor(math.log10(value)) - 1)
    return math.ceil(round(value / step, 9)) * step


def _funnel_populations(axis_max: float, points: int) -> np.ndarray:
    """Denominators for a funnel table: whole numbers from 1 rising near-geometrically to max.

    Each step multiplies by the ratio that would reach ``axis_max`` evenly in the steps that
    remain, rounds, and always advances by at least 1, so small populations are all covered.
    """
    populations = [1.0]
    for i in range(1, points):
        current = populations[-1]
        step_ratio = (axis_max / current) ** (1 / (points - i))
        populations.append(max(current + 1, float(np.round(current * step_ratio))))
    return np.array(populations)


def funnel_limits(
    numerator: ArrayLike,
    denominator: ArrayLike,
    *,
    multiplier: float = 100,
    points: int = 100,
    axis_max: float | None = None,
) -> pd.DataFrame:
    """Funnel-plot control limits for proportions around the pooled proportion.

    Returns ``points`` rows: Population, the 95% (2s) and 99.8% (3s) lower and upper limits and
    the baseline, all per ``multiplier`` and clipped to [0, multiplier]. Populations run from 1
    to ``axis_max`` (default: the largest denominator rounded up to two significant figures).
    Each limit is the proportion whose Wilson bound at that population equals the baseline.
    """
    multiplier = positive_number("multiplier", multiplier)
    if isinstance(points, bool) or not isinstance(points, int | np.integer) or points < 2:
        raise fail(f"points must be a whole number of at least 2, got {points!r}")
    (x, n), _ = prepare(("numerator", numerator), ("denominator", denominator))
    check_nonnegative("numerator", x)
    check_positive("denominator", n)
    check_count_within(x, n, ("numerator", "denominator"))
    present = ~(np.isnan(x) | np.isnan(n))
    if not present.any():
        raise fail("numerator and denominator have no complete rows")
    p = x[present].sum() / n[present].sum()
    if axis_max is None:
        axis_max = _round_up_two_figures(float(n[present].max()))
    axis_max = positive_number("axis_max", axis_max)
    big_n = _funnel_populations(axis_max, int(points))
    table = {"Population": big_n.astype(np.int64)}
    for tag, tail in (("2s", 0.975), ("3s", 0.999)):
        z = float(sps.norm.ppf(tail))
        a = p * (big_n / z**2 + 1)
        b = 1 / z**2 + 1 / big_n
        c = p * (big_n * (p * (big_n / z**2 + 2) - 1) + z**2 * (p - 1))
        root = np.sqrt(np.maximum(a**2 - b * c, 0.0))
        table[f"lower_{tag}_limit"] = np.clip((a - root) / (b * big_n) * multiplier, 0, multiplier)
        table[f"upper_{tag}_limit"] = np.clip((a + root) / (b * big_n) * multiplier, 0, multiplier)
    columns = ["lower_2s_limit", "upper_2s_limit", "lower_3s_limit", "upper_3s_limit"]
    frame = pd.DataFrame(table)[["Population", *columns]]
    frame["baseline"] = p * multiplier
    return frame


def quantiles(
    values: ArrayLike, *, n: int = 10, invert: bool = True, groups: GroupLabels = None
) -> pd.Series:
    """Assign each value to one of ``n`` quantile groups (PHE method); Int64, NA if missing.

    Rank r takes the minimum for ties; A is the number of non-missing values;
    q = floor((n+1) - ceil((A+1-r)/(A/n))), with 0 read as 1. With invert=True (the default,
    for "low is good") the highest values fall in quantile 1; with invert=False the lowest do.
    Every value is NA when there are fewer values than quantiles.

    ``groups`` (one label per row; see helpers.stats.groups) ranks and counts within each group,
    so many indicators or periods get their own quantiles in one call; a group with fewer
    values than quantiles is all NA. The result is one quantile per row, in input order.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise fail(f"n must be a whole number of at least 1, got {n!r}")
    (v,), index = prepare(("values", values))
    found = one_group(v.size) if groups is None else make_groups(groups, v.size)
    keyed = pd.Series(-v if invert else v)
    ranks = keyed.groupby(found.codes).rank(method="min", na_option="keep").to_numpy()
    count = found.count(~np.isnan(v))[found.codes]
    result = pd.Series(pd.NA, index=index, dtype="Int64")
    present = ~np.isnan(ranks) & (count >= n) & (count > 0)
    if not present.any():
        return result
    a = count[present]
    q = np.floor((n + 1) - np.ceil((a + 1 - ranks[present]) / (a / n)))
    q[q == 0] = 1
    result[present] = q.astype(np.int64)
    return result
