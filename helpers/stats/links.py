"""Associations between two indicators across areas: Pearson's r with its Fisher-z interval,
and the same association after allowing for other variables (a partial correlation, e.g. with
deprivation), with its interval and the least-squares line for drawing.

The areas are the unit: an association between areas is not evidence about individuals (the
ecological fallacy), and neither figure shows cause. Only areas with every value present are
used, and their number is returned with the figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from helpers.stats.checks import ArrayLike, confidence_level, fail, to_float, z_value

MIN_AREAS = 10  # fewer complete areas than this give no figures: the interval is meaningless


@dataclass(frozen=True)
class Association:
    n: int  # areas with every value present
    r: float  # Pearson correlation of x and y
    lower: float  # its confidence interval (Fisher z)
    upper: float
    partial_r: float  # the correlation of x and y once the covariates are allowed for
    partial_lower: float  # its interval (Fisher z with n - 3 - k degrees of freedom)
    partial_upper: float
    slope: float  # least-squares line of y on x, for the chart
    intercept: float


def association(
    x: ArrayLike,
    y: ArrayLike,
    covariates: ArrayLike | None = None,
    *,
    confidence: float = 0.95,
) -> Association:
    """Pearson's r of x and y with a Fisher-z interval, and the partial correlation given the
    covariates (one column each; none gives NaN partial figures).

    The partial correlation is the correlation of the residuals of x and of y after a
    least-squares fit on the covariates (with an intercept). Its interval uses the standard
    error 1 / sqrt(n - 3 - k) for k covariates. Fewer than MIN_AREAS complete areas give NaN
    figures (and their count)."""
    level = confidence_level(confidence)
    xs = to_float("x", x).ravel()
    ys = to_float("y", y).ravel()
    if xs.shape != ys.shape:
        raise fail(f"x and y must be the same length, got {xs.size} and {ys.size}")
    if covariates is None:
        cov = np.empty((xs.size, 0))
    else:
        cov = np.asarray(covariates, dtype=float)
        cov = cov.reshape(-1, 1) if cov.ndim == 1 else cov
        if cov.ndim != 2 or cov.shape[0] != xs.size:
            raise fail(f"covariates must have one row per area ({xs.size}), got {cov.shape[0]}")
        if np.isinf(cov).any():
            raise fail("covariates must be finite numbers (missing is NaN)")
    complete = ~(np.isnan(xs) | np.isnan(ys) | np.isnan(cov).any(axis=1))
    xs, ys, cov = xs[complete], ys[complete], cov[complete]
    n, k = int(xs.size), cov.shape[1]
    nan = math.nan
    if n < max(MIN_AREAS, k + 4) or np.std(xs) == 0 or np.std(ys) == 0:
        return Association(n, nan, nan, nan, nan, nan, nan, nan, nan)
    z = z_value(level)
    r = _pearson(xs, ys)
    lower, upper = _fisher(r, n - 3, z)
    slope, intercept = np.polyfit(xs, ys, 1)
    partial = partial_lower = partial_upper = nan
    if k:
        design = np.column_stack([np.ones(n), cov])
        rx = xs - design @ np.linalg.lstsq(design, xs, rcond=None)[0]
        ry = ys - design @ np.linalg.lstsq(design, ys, rcond=None)[0]
        partial = _pearson(rx, ry)
        partial_lower, partial_upper = _fisher(partial, n - 3 - k, z)
    return Association(
        n, r, lower, upper, partial, partial_lower, partial_upper, float(slope), float(intercept)
    )


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    denominator = math.sqrt(float((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / denominator) if denominator > 0 else math.nan


def _fisher(r: float, dof: int, z: float) -> tuple[float, float]:
    """Fisher's z interval of a correlation; r of +-1 has no width."""
    if math.isnan(r) or dof <= 0:
        return math.nan, math.nan
    if abs(r) >= 1:
        return r, r
    centre, half = math.atanh(r), z / math.sqrt(dof)
    return math.tanh(centre - half), math.tanh(centre + half)


def fitted_band(
    x: ArrayLike, y: ArrayLike, at: ArrayLike, *, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The least-squares line of y on x at the points `at`, with the confidence band of the
    fitted mean (Student's t with n - 2 degrees of freedom): what a chart draws around the
    line. Areas missing either value are left out; fewer than MIN_AREAS give NaN."""
    from scipy.stats import t as student

    level = confidence_level(confidence)
    xs, ys = to_float("x", x).ravel(), to_float("y", y).ravel()
    if xs.shape != ys.shape:
        raise fail(f"x and y must be the same length, got {xs.size} and {ys.size}")
    grid = to_float("at", at).ravel()
    keep = ~(np.isnan(xs) | np.isnan(ys))
    xs, ys = xs[keep], ys[keep]
    n = xs.size
    if n < MIN_AREAS or np.std(xs) == 0:
        blank = np.full(grid.shape, math.nan)
        return blank, blank.copy(), blank.copy()
    slope, intercept = np.polyfit(xs, ys, 1)
    fit = intercept + slope * grid
    residual = ys - (intercept + slope * xs)
    s = math.sqrt(float((residual**2).sum()) / (n - 2))
    sxx = float(((xs - xs.mean()) ** 2).sum())
    half = student.ppf(0.5 + level / 2, n - 2) * s * np.sqrt(1 / n + (grid - xs.mean()) ** 2 / sxx)
    return fit, fit - half, fit + half
