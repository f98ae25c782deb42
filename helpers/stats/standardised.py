"""Indirect standardisation: the indirectly standardised rate (ISR) and ratio (ISRatio)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.stats.checks import (
    EXACT_BELOW,
    ArrayLike,
    confidence_level,
    fail,
    positive_number,
    prepare,
    to_float,
)
from helpers.stats.groups import (
    GroupLabels,
    Groups,
    make_groups,
    nonnegative,
    one_group,
    per_row,
    positive,
)
from helpers.stats.limits import poisson_limits


def _indirect(
    count: ArrayLike | None,
    population: ArrayLike,
    ref_count: ArrayLike,
    ref_population: ArrayLike,
    observed_total: ArrayLike | None,
    confidence: float,
    groups: GroupLabels,
) -> tuple[Groups, dict[str, np.ndarray]]:
    """Observed, expected, reference rate and Poisson limits of O for ISR and ISRatio, for
    every group at once (one group when ``groups`` is None)."""
    level = confidence_level(confidence)
    if count is None and observed_total is None:
        raise fail("give count (by age band) or observed_total")
    if groups is None:
        named = [
            ("population", population),
            ("ref_count", ref_count),
            ("ref_population", ref_population),
        ]
        if count is not None:
            named.append(("count", count))
        arrays, _ = prepare(*named)
        n, ref_x, ref_n = arrays[:3]
        x = arrays[3] if count is not None else None
        found = one_group(n.size)
    else:
        named = [("population", population)] + ([("count", count)] if count is not None else [])
        arrays, _ = prepare(*named)
        n = arrays[0]
        x = arrays[1] if count is not None else None
        found = make_groups(groups, n.size)
        ref_x = per_row("ref_count", ref_count, found)
        ref_n = per_row("ref_population", ref_population, found)
    nonnegative(found, "population", n)
    nonnegative(found, "ref_count", ref_x)
    positive(found, "ref_population", ref_n)
    if x is not None:
        nonnegative(found, "count", x)
    if observed_total is not None:
        observed = _observed_totals(observed_total, found)
    else:
        observed = found.sum(np.nan_to_num(x, nan=0.0))
    expected = found.sum(np.nan_to_num(ref_x / ref_n * n, nan=0.0))
    ref_rate = found.sum(np.nan_to_num(ref_x, nan=0.0)) / found.sum(np.nan_to_num(ref_n, nan=0.0))
    o_lower, o_upper = poisson_limits(observed, level)
    return found, {
        "observed": observed,
        "expected": expected,
        "ref_rate": ref_rate,
        "o_lower": o_lower,
        "o_upper": o_upper,
        "method": np.where(observed < EXACT_BELOW, "Exact", "Byars").astype(object),
    }


def _observed_totals(observed_total: ArrayLike, found: Groups) -> np.ndarray:
    """O for each group: one number (single area), a pandas Series indexed by the group keys,
    or one value per group in the order the groups first appear."""
    single = found.keys.shape[1] == 0
    if isinstance(observed_total, pd.Series) and not single:
        keys = found.keys
        wanted = pd.Index(keys.iloc[:, 0]) if keys.shape[1] == 1 else pd.MultiIndex.from_frame(keys)
        aligned = observed_total.reindex(wanted)
        observed = to_float("observed_total", aligned)
        where = "no value"
    else:
        observed = to_float("observed_total", observed_total)
        if single and observed.ndim != 0:
            raise fail(f"observed_total must be one non-negative number, got {observed_total!r}")
        observed = np.atleast_1d(observed)
        if observed.size != found.size:
            raise fail(
                f"observed_total has {observed.size} values but there are {found.size} groups",
                fix="give one total per group, in the order the groups first appear, "
                "or a Series indexed by the group keys",
            )
        where = "a missing or negative value"
    bad = np.isnan(observed) | (observed < 0)
    if bad.any():
        if single:
            raise fail(f"observed_total must be one non-negative number, got {observed_total!r}")
        group = int(np.flatnonzero(bad)[0])
        raise fail(f"observed_total has {where} for group {found.name(group)}")
    return observed


def _ratio(numerator: np.ndarray, expected: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, numerator / expected, np.nan)


def isr(
    count: ArrayLike | None,
    population: ArrayLike,
    ref_count: ArrayLike,
    ref_population: ArrayLike,
    *,
    multiplier: float = 100_000,
    confidence: float = 0.95,
    observed_total: ArrayLike | None = None,
    groups: GroupLabels = None,
) -> pd.Series | pd.DataFrame:
    """Indirectly standardised rate: O/E x the reference rate, for one area (a Series) or for
    every group of ``groups`` (a DataFrame).

    One row per age band. E sums the reference band rates times the local population, with
    missing values taken as 0. ``observed_total`` supplies O directly (``count`` may then be
    None). ``ref_rate`` is per ``multiplier``. Limits are Poisson limits of O (exact below 10).

    ``groups`` gives each row's area (see helpers.stats.groups): the result has one row per
    group, in the order the groups first appear, with the key columns first. ``ref_count`` and
    ``ref_population`` are then one value per row or one per age band (matched to each group's
    rows in order); ``observed_total`` is one value per group, or a Series indexed by the keys.
    """
    multiplier = positive_number("multiplier", multiplier)
    found, parts = _indirect(
        count, population, ref_count, ref_population, observed_total, confidence, groups
    )
    scale = parts["ref_rate"] * multiplier
    columns = {
        "observed": parts["observed"],
        "expected": parts["expected"],
        "ref_rate": scale,
        "value": _ratio(parts["observed"], parts["expected"]) * scale,
        "lower": _ratio(parts["o_lower"], parts["expected"]) * scale,
        "upper": _ratio(parts["o_upper"], parts["expected"]) * scale,
        "method": parts["method"],
    }
    return found.result(columns, dtype=object)


def isratio(
    count: ArrayLike | None,
    population: ArrayLike,
    ref_count: ArrayLike,
    ref_population: ArrayLike,
    *,
    ref_value: float = 1,
    confidence: float = 0.95,
    observed_total: ArrayLike | None = None,
    groups: GroupLabels = None,
) -> pd.Series | pd.DataFrame:
    """Indirectly standardised ratio: O/E x ref_value (use 100 for an SMR x 100), for one area
    or for every group of ``groups``.

    Inputs as for :func:`isr`; limits are Poisson limits of O divided by E.
    """
    ref_value = positive_number("ref_value", ref_value)
    found, parts = _indirect(
        count, population, ref_count, ref_population, observed_total, confidence, groups
    )
    columns = {
        "observed": parts["observed"],
        "expected": parts["expected"],
        "value": _ratio(parts["observed"], parts["expected"]) * ref_value,
        "lower": _ratio(parts["o_lower"], parts["expected"]) * ref_value,
        "upper": _ratio(parts["o_upper"], parts["expected"]) * ref_value,
        "method": parts["method"],
    }
    return found.result(columns, dtype=object)
