"""Confidence limits: exact and Byar's Poisson limits for counts, Wilson score limits for
proportions (METHODS.md)."""

from __future__ import annotations

import numpy as np
from scipy import stats as sps

from helpers.stats.checks import (
    EXACT_BELOW,
    z_value,
)


def byars_limits(count: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to Poisson limits of a count; a negative lower limit becomes NaN."""
    x = np.asarray(count, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
        upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    lower = np.where(lower >= 0, lower, np.nan)
    return lower, upper


def exact_limits(count: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact (chi-squared) Poisson limits of a count; the lower limit is 0 when the count is 0.

    The quantile is evaluated once per distinct count, which keeps large inputs fast.
    """
    x = np.asarray(count, dtype=float)
    lower = np.full(x.shape, np.nan)
    upper = np.full(x.shape, np.nan)
    present = ~np.isnan(x)
    if present.any():
        distinct, inverse = np.unique(x[present], return_inverse=True)
        with np.errstate(invalid="ignore"):
            lo = sps.chi2.ppf((1 - level) / 2, 2 * np.where(distinct > 0, distinct, 1)) / 2
            hi = sps.chi2.ppf((1 + level) / 2, 2 * distinct + 2) / 2
        lo = np.where(distinct > 0, lo, 0.0)
        lower[present] = lo[inverse]
        upper[present] = hi[inverse]
    return lower, upper


def poisson_limits(count: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Poisson limits: exact below 10 events, Byar's from 10 up (PHEindicatormethods rule)."""
    x = np.asarray(count, dtype=float)
    lower, upper = byars_limits(x, z_value(level))
    small = x < EXACT_BELOW
    if small.any():
        lower[small], upper[small] = exact_limits(x[small], level)
    return lower, upper


def wilson_limits(
    count: np.ndarray, denominator: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits of a proportion (as a fraction); confidence 1 gives (0, 1)."""
    x = np.asarray(count, dtype=float)
    n = np.asarray(denominator, dtype=float)
    if level == 1:
        blank = np.isnan(x) | np.isnan(n)
        return np.where(blank, np.nan, 0.0), np.where(blank, np.nan, 1.0)
    z = z_value(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = 2 * x + z**2
        spread = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
        scale = 2 * (n + z**2)
        return (centre - spread) / scale, (centre + spread) / scale
