"""Fingertips recent-trend markers for rates and proportions (the chi-squared trend test on the
last five points)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from helpers.stats.checks import (
    TREND_CHI2_THRESHOLD,
    TREND_CI_WIDTH,
    TREND_POINTS,
    ArrayLike,
    Polarity,
    check_count_within,
    check_nonnegative,
    check_polarity,
    check_positive,
    fail,
    prepare,
)


@dataclass(frozen=True)
class TrendResult:
    """A Fingertips recent-trend marker.

    ``marker`` is "increasing", "decreasing", "no significant change" or "cannot be calculated";
    ``chi2`` is the trend test statistic (NaN when it cannot be calculated); ``label`` is the
    marker as Fingertips words it, judged against the polarity.
    """

    marker: str
    chi2: float
    label: str


def _trend_label(marker: str, polarity: str) -> str:
    if marker in ("increasing", "decreasing") and polarity != "no_judgement":
        good = (marker == "increasing") == (polarity == "high_is_good")
        return f"{marker.capitalize()} and getting {'better' if good else 'worse'}"
    return marker.capitalize()


def _trend_result(chi2: float, slopes: np.ndarray, polarity: str) -> TrendResult:
    """Marker from chi2 and the full-fit slope followed by the 5 leave-one-out slopes."""
    signs = slopes >= 0  # a slope of exactly 0 counts as positive
    consistent = bool(signs.all() or not signs.any())
    if consistent and chi2 > TREND_CHI2_THRESHOLD:
        marker = "increasing" if signs[0] else "decreasing"
    else:
        marker = "no significant change"
    return TrendResult(marker, float(chi2), _trend_label(marker, polarity))


def _cannot_calculate(polarity: str) -> TrendResult:
    marker = "cannot be calculated"
    return TrendResult(marker, math.nan, _trend_label(marker, polarity))


def _trend_masks() -> np.ndarray:
    """Row 0 keeps all 5 points; row i drops point i (the outlier check)."""
    return np.vstack([np.ones(TREND_POINTS, bool), ~np.eye(TREND_POINTS, dtype=bool)])


def recent_trend(
    values: ArrayLike,
    lower95: ArrayLike,
    upper95: ArrayLike,
    *,
    polarity: Polarity = "no_judgement",
) -> TrendResult:
    """Fingertips recent-trend marker from values and 95% limits, oldest first.

    Uses the 5 most recent points, which must all be valid (a value and a 95% interval of
    positive width). A weighted regression on time, weights 1/SE^2 with SE = CI width / 3.92,
    gives chi2 = (slope/SE(slope))^2; the trend is significant when chi2 > 9.5495 and the slope
    keeps its sign when each point is left out in turn.
    """
    check_polarity(polarity)
    (y, lo, hi), _ = prepare(("values", values), ("lower95", lower95), ("upper95", upper95))
    if (lo > hi).any():
        raise fail("lower95 must not be above upper95")
    y, lo, hi = y[-TREND_POINTS:], lo[-TREND_POINTS:], hi[-TREND_POINTS:]
    valid = ~(np.isnan(y) | np.isnan(lo) | np.isnan(hi)) & (hi > lo)
    if y.size < TREND_POINTS or not valid.all():
        return _cannot_calculate(polarity)
    w = (TREND_CI_WIDTH / (hi - lo)) ** 2
    t = np.arange(1.0, TREND_POINTS + 1)
    keep = _trend_masks().astype(float)
    s1, s2, s3, s4, s5 = (
        keep @ w,
        keep @ (w * t * y),
        keep @ (w * t),
        keep @ (w * y),
        keep @ (w * t**2),
    )
    det = s1 * s5 - s3**2
    slopes = (s1 * s2 - s3 * s4) / det
    chi2 = slopes[0] ** 2 / (s1[0] / det[0])
    return _trend_result(chi2, slopes, polarity)


def recent_trend_proportion(
    counts: ArrayLike,
    denominators: ArrayLike,
    *,
    polarity: Polarity = "no_judgement",
) -> TrendResult:
    """Fingertips recent-trend marker for a proportion, oldest first (Cochran-Armitage test).

    Uses the 5 most recent points, which must all be present. The chi2 is the Cochran-Armitage
    test for trend; the direction and the leave-one-out check use an unweighted least-squares
    slope of logit(r/n) on time. When any of the 5 counts equals its denominator, or is 0, the
    logit is infinite and the trend cannot be calculated.
    """
    check_polarity(polarity)
    (r, n), _ = prepare(("counts", counts), ("denominators", denominators))
    check_nonnegative("counts", r)
    check_positive("denominators", n)
    check_count_within(r, n, ("counts", "denominators"))
    r, n = r[-TREND_POINTS:], n[-TREND_POINTS:]
    if r.size < TREND_POINTS or np.isnan(r).any() or np.isnan(n).any():
        return _cannot_calculate(polarity)
    if ((r == n) | (r == 0)).any():
        return _cannot_calculate(polarity)
    t = np.arange(1.0, TREND_POINTS + 1)
    total_n, total_r = n.sum(), r.sum()
    chi2 = (
        total_n
        * (total_n * (r * t).sum() - total_r * (n * t).sum()) ** 2
        / (total_r * (total_n - total_r) * (total_n * (n * t**2).sum() - (n * t).sum() ** 2))
    )
    logit = np.log(r / (n - r))
    keep = _trend_masks().astype(float)
    k, st, sy, sty, stt = keep.sum(1), keep @ t, keep @ logit, keep @ (t * logit), keep @ t**2
    slopes = (k * sty - st * sy) / (k * stt - st**2)
    return _trend_result(float(chi2), slopes, polarity)
