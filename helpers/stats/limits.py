"""Confidence limits: exact and Byar's Poisson limits for counts (the exact ones either as
chi-squared quantiles or root-searched as R's epitools::pois.exact does), Wilson score limits for
proportions (METHODS.md)."""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np
from scipy import special

from helpers.stats.checks import (
    EXACT_BELOW,
    UNIROOT_MAXITER,
    UNIROOT_TOL,
    z_value,
)

_EPS = sys.float_info.epsilon


def byars_limits(count: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to Poisson limits of a count; a negative lower limit becomes NaN."""
    x = np.asarray(count, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
        upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    lower = np.where(lower >= 0, lower, np.nan)
    return lower, upper


def _chi2_ppf(q: float, df: np.ndarray) -> np.ndarray:
    """scipy.stats.chi2.ppf(q, df) for 0 <= q <= 1 and df > 0, without its argument checks:
    the same expression, 2 * gammaincinv(df / 2, q) (0 at q = 0, infinity at q = 1)."""
    return 2 * special.gammaincinv(df / 2, q)


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
            lo = _chi2_ppf((1 - level) / 2, 2 * np.where(distinct > 0, distinct, 1)) / 2
            hi = _chi2_ppf((1 + level) / 2, 2 * distinct + 2) / 2
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


def zeroin_root(
    f: Callable[[float], float],
    lo: float,
    hi: float,
    f_lo: float,
    f_hi: float,
    tol: float = UNIROOT_TOL,
    maxiter: int = UNIROOT_MAXITER,
) -> float:
    """A zero of f in [lo, hi], step for step as R's uniroot() finds it (its C routine zeroin,
    the 1973 refinement of Dekker's method, Algorithm "zero" of Algorithms for Minimization
    without Derivatives).

    Keep a bracket [best, other] with the smaller |f| at best; try inverse quadratic
    interpolation (or the secant when only two points are known), fall back to bisection when
    that step leaves the bracket or shrinks too slowly, never step less than the tolerance, and
    stop when the half-bracket is within 2*eps*|best| + tol/2. The arithmetic is done in the same
    order, so a root agrees with R's to the last bit or nearly; it is only as close to the true
    zero as tol allows (R's default 2^-13), which is what makes it differ from the exact one.
    f(lo) and f(hi) must differ in sign.
    """
    prev, best, f_prev, f_best = lo, hi, f_lo, f_hi
    if f_prev == 0:
        return prev
    if f_best == 0:
        return best
    other, f_other = prev, f_prev
    for _ in range(maxiter + 1):
        last_step = best - prev
        if abs(f_other) < abs(f_best):  # best is the end nearer the root
            prev, best, other = best, other, best
            f_prev, f_best, f_other = f_best, f_other, f_best
        tol_act = 2 * _EPS * abs(best) + tol / 2
        step = (other - best) / 2
        if abs(step) <= tol_act or f_best == 0:
            return best
        if abs(last_step) >= tol_act and abs(f_prev) > abs(f_best):
            span = other - best
            if prev == other:  # two points: secant
                t1 = f_best / f_prev
                num, den = span * t1, 1.0 - t1
            else:  # three points: inverse quadratic interpolation
                q, t1, t2 = f_prev / f_other, f_best / f_other, f_best / f_prev
                num = t2 * (span * q * (q - t1) - (best - prev) * (t1 - 1.0))
                den = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if num > 0:
                den = -den
            else:
                num = -num
            if num < 0.75 * span * den - abs(tol_act * den) / 2 and num < abs(last_step * den / 2):
                step = num / den
        if abs(step) < tol_act:
            step = tol_act if step > 0 else -tol_act
        prev, f_prev = best, f_best
        best += step
        f_best = f(best)
        if (f_best > 0 and f_other > 0) or (f_best < 0 and f_other < 0):
            other, f_other = prev, f_prev
    return best


def _poisson_cdf(x: float, mean: float) -> float:
    return float(special.pdtr(x, mean))


def _poisson_pmf(x: float, mean: float) -> float:
    return float(np.exp(special.xlogy(x, mean) - special.gammaln(x + 1) - mean))


def exact_limits_uniroot(count: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits of whole counts, root-searched as R's epitools::pois.exact does.

    The upper limit U solves P(X <= x | U) = alpha/2 and the lower limit L solves
    1 - P(X <= x | L) + P(X = x | L) = alpha/2 (L = 0 when x = 0), each by zeroin_root() on
    [0, 5x + 4] with R's default tolerance 2^-13. That leaves each limit within about 3e-5 of
    the exact value (1e-7 relative near 100 events): this is how the crude rates of Fingertips
    indicator 93356 were published. Where that bracket holds no root (99.8% limits of counts
    below about 2, where R stops with an error) the exact chi-squared limit is given.
    """
    x = np.asarray(count, dtype=float)
    if level == 1:
        return exact_limits(x, level)
    half = (1 - level) / 2
    lower = np.full(x.shape, np.nan)
    upper = np.full(x.shape, np.nan)
    present = ~np.isnan(x)
    distinct, inverse = np.unique(x[present], return_inverse=True)
    lo_found = np.empty(distinct.shape)
    hi_found = np.empty(distinct.shape)
    for i, k in enumerate(distinct.tolist()):
        end = k * 5 + 4
        hi_found[i] = _search(lambda m, k=k: _poisson_cdf(k, m) - half, end, k, level, 1)
        if k == 0:
            lo_found[i] = 0.0
        else:
            lo_found[i] = _search(
                lambda m, k=k: 1 - _poisson_cdf(k, m) + _poisson_pmf(k, m) - half, end, k, level, 0
            )
    lower[present] = lo_found[inverse]
    upper[present] = hi_found[inverse]
    return lower, upper


def _search(f: Callable[[float], float], end: float, k: float, level: float, side: int) -> float:
    f_lo, f_hi = f(0.0), f(end)
    if f_lo * f_hi > 0:  # no root in R's bracket: fall back to the exact limit
        return float(exact_limits(np.array([k]), level)[side][0])
    return zeroin_root(f, 0.0, end, f_lo, f_hi)


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
