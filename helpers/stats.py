"""Public-health indicator statistics, as used by PHE / OHID Fingertips.

Crude rates, proportions, directly and indirectly standardised rates, means, benchmark
comparisons, recent-trend markers, funnel plots and quantiles. Each function is written from the
formulas in ``tests/reference/phe/METHODS.md`` (PHEindicatormethods v2.1.0 and fingertips-open,
restated as mathematics) and is checked against the reference tables beside that file.

Conventions shared by every function:

* Inputs are array-likes (lists, numpy arrays, pandas Series); results keep the input order, and
  the index of the first pandas Series given. A scalar is broadcast against arrays.
* ``confidence`` is 0.9 to 1, or 90 to 100 (a value of 90 or more is divided by 100), so 0.95,
  95, 0.998 and 99.8 all work. z is the exact normal quantile, never 1.96.
* Poisson limits for a count are exact (chi-squared) below 10 events and Byar's from 10 up.
* The module does no I/O. Bad input raises :class:`StatsInputError`, a ``ValueError`` that names
  the argument and says what is wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as sps

from helpers.errors import NeedsError

__all__ = [
    "StatsInputError",
    "TrendResult",
    "compare",
    "dsr",
    "funnel_limits",
    "funnel_significance",
    "isr",
    "isratio",
    "mean_ci",
    "proportion",
    "quantiles",
    "rate",
    "recent_trend",
    "recent_trend_proportion",
]

ArrayLike = npt.ArrayLike
Polarity = Literal["low_is_good", "high_is_good", "no_judgement"]

EXACT_BELOW = 10
"""Counts below this get exact Poisson limits; counts at or above it get Byar's."""

DSR_MIN_COUNT = 10
"""A DSR is not published for fewer events than this."""

TREND_POINTS = 5
TREND_CHI2_THRESHOLD = 9.54953570608324
"""chi-squared with 1 df at 0.998, the Fingertips recent-trend significance threshold."""

_TREND_CI_WIDTH = 3.92
"""Fingertips turns a 95% CI width into a standard error by dividing by 3.92 (METHODS.md)."""

_POLARITIES = ("low_is_good", "high_is_good", "no_judgement")
_FUNNEL_LABELS = ("High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)")


class StatsInputError(NeedsError, ValueError):
    """Input a statistic cannot be computed from (negative counts, zero denominators, ...)."""


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


# --------------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------------


def _fail(problem: str, fix: str | None = None) -> StatsInputError:
    return StatsInputError(problem, fix=fix)


def _confidence(confidence: float) -> float:
    """Normalise a confidence level to a fraction; 95 and 99.8 mean 0.95 and 0.998."""
    if isinstance(confidence, bool):
        raise _fail(f"confidence must be a number, got {confidence!r}")
    try:
        level = float(confidence)
    except (TypeError, ValueError):
        raise _fail(f"confidence must be a number, got {confidence!r}") from None
    if level >= 90:
        level /= 100
    if not 0.9 <= level <= 1:
        raise _fail(
            f"confidence must be between 0.9 and 1 (or 90 and 100), got {confidence!r}",
            fix="use 0.95 (or 95) for 95% limits and 0.998 (or 99.8) for 99.8% limits",
        )
    return level


def _z(level: float) -> float:
    """Two-sided normal quantile for a confidence level: 1.959964 for 0.95."""
    return float(sps.norm.ppf(level + (1 - level) / 2))


def _positive_number(name: str, value: float) -> float:
    if isinstance(value, bool):
        raise _fail(f"{name} must be a positive number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _fail(f"{name} must be a positive number, got {value!r}") from None
    if not (math.isfinite(number) and number > 0):
        raise _fail(f"{name} must be a positive number, got {value!r}")
    return number


def _to_float(name: str, values: ArrayLike) -> np.ndarray:
    """A float64 array (0-d or 1-d) with NaN for missing; infinities are refused."""
    try:
        if isinstance(values, pd.Series | pd.Index):
            array = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise _fail(f"{name} must be numeric") from None
    if array.ndim > 1:
        raise _fail(f"{name} must be one-dimensional, got shape {array.shape}")
    if np.isinf(array).any():
        raise _fail(f"{name} must be finite; use NaN for a missing value")
    return array


def _prepare(*named: tuple[str, ArrayLike]) -> tuple[list[np.ndarray], pd.Index]:
    """Coerce named inputs to equal-length float arrays and pick the output index."""
    arrays = [_to_float(name, values) for name, values in named]
    lengths = {name: a.size for (name, _), a in zip(named, arrays, strict=True) if a.ndim == 1}
    if len(set(lengths.values())) > 1:
        sizes = ", ".join(f"{name}={size}" for name, size in lengths.items())
        raise _fail(f"inputs have mismatched lengths ({sizes})", fix="give one value per row")
    n = next(iter(lengths.values())) if lengths else 1
    arrays = [np.full(n, a.item()) if a.ndim == 0 else a for a in arrays]
    index = next(
        (v.index for _, v in named if isinstance(v, pd.Series) and len(v) == n),
        pd.RangeIndex(n),
    )
    return arrays, index


def _check_nonnegative(name: str, values: np.ndarray) -> None:
    bad = values < 0
    if bad.any():
        raise _fail(f"{name} must not be negative (found {values[bad][0]:g})")


def _check_positive(name: str, values: np.ndarray) -> None:
    bad = values <= 0
    if bad.any():
        raise _fail(
            f"{name} must be greater than zero (found {values[bad][0]:g})",
            fix=f"correct or remove the rows with a zero or negative {name}",
        )


def _check_not_missing(name: str, values: np.ndarray) -> None:
    if np.isnan(values).any():
        raise _fail(f"{name} must not be missing (found NaN)")


def _check_count_within(
    count: np.ndarray, denominator: np.ndarray, names: tuple[str, str] = ("count", "denominator")
) -> None:
    bad = count > denominator
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _fail(
            f"{names[0]} must not exceed {names[1]} for a proportion "
            f"(row {i}: {count[i]:g} > {denominator[i]:g})"
        )


def _check_polarity(polarity: str) -> None:
    if polarity not in _POLARITIES:
        raise _fail(f"polarity must be one of {', '.join(_POLARITIES)}; got {polarity!r}")


# --------------------------------------------------------------------------------------------
# Confidence-limit primitives
# --------------------------------------------------------------------------------------------


def _byars_limits(count: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to Poisson limits of a count; a negative lower limit becomes NaN."""
    x = np.asarray(count, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
        upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    lower = np.where(lower >= 0, lower, np.nan)
    return lower, upper


def _exact_limits(count: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
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


def _poisson_limits(count: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Poisson limits: exact below 10 events, Byar's from 10 up (PHEindicatormethods rule)."""
    x = np.asarray(count, dtype=float)
    lower, upper = _byars_limits(x, _z(level))
    small = x < EXACT_BELOW
    if small.any():
        lower[small], upper[small] = _exact_limits(x[small], level)
    return lower, upper


def _wilson_limits(
    count: np.ndarray, denominator: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits of a proportion (as a fraction); confidence 1 gives (0, 1)."""
    x = np.asarray(count, dtype=float)
    n = np.asarray(denominator, dtype=float)
    if level == 1:
        blank = np.isnan(x) | np.isnan(n)
        return np.where(blank, np.nan, 0.0), np.where(blank, np.nan, 1.0)
    z = _z(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = 2 * x + z**2
        spread = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
        scale = 2 * (n + z**2)
        return (centre - spread) / scale, (centre + spread) / scale


# --------------------------------------------------------------------------------------------
# Rates, proportions, standardisation, means
# --------------------------------------------------------------------------------------------


def rate(
    count: ArrayLike,
    denominator: ArrayLike,
    *,
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Crude rate count/denominator x multiplier with Poisson limits.

    Limits are exact below 10 events and Byar's otherwise (column ``method``); a negative
    Byar's lower limit is NaN. A count above its denominator is allowed (events, not people).
    Missing input gives missing output.
    """
    level = _confidence(confidence)
    multiplier = _positive_number("multiplier", multiplier)
    (x, n), index = _prepare(("count", count), ("denominator", denominator))
    _check_nonnegative("count", x)
    _check_positive("denominator", n)
    lower, upper = _poisson_limits(x, level)
    codes = np.where(np.isnan(x), 2, np.where(x < EXACT_BELOW, 0, 1))
    method = np.array(["Exact", "Byars", None], dtype=object)[codes]
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
) -> pd.DataFrame:
    """Proportion count/denominator x multiplier with Wilson score limits.

    Use multiplier=100 for a percentage. Counts need not be whole numbers. Missing input gives
    missing output.
    """
    level = _confidence(confidence)
    multiplier = _positive_number("multiplier", multiplier)
    (x, n), index = _prepare(("count", count), ("denominator", denominator))
    _check_nonnegative("count", x)
    _check_positive("denominator", n)
    _check_count_within(x, n)
    lower, upper = _wilson_limits(x, n, level)
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
) -> pd.Series:
    """Directly standardised rate for one area, with Dobson limits (Byar's counts throughout).

    One row per age band. A missing count is taken as 0. The value and limits are NaN when the
    total count is below 10, because a DSR is not published for fewer events. Every population
    must be present and positive, and the standard population must not be negative.
    """
    level = _confidence(confidence)
    multiplier = _positive_number("multiplier", multiplier)
    (x, n, w), _ = _prepare(
        ("count", count), ("population", population), ("standard_population", standard_population)
    )
    _check_nonnegative("count", x)
    _check_not_missing("population", n)
    _check_positive("population", n)
    _check_not_missing("standard_population", w)
    _check_nonnegative("standard_population", w)
    x = np.nan_to_num(x, nan=0.0)
    total_weight = w.sum()
    if total_weight <= 0:
        raise _fail("standard_population must not sum to zero")
    observed = float(x.sum())
    value = lower = upper = math.nan
    if observed >= DSR_MIN_COUNT:
        rate_ = float((x * w / n).sum() / total_weight)
        variance = float((x * (w / n) ** 2).sum() / total_weight**2)
        o_lower, o_upper = _byars_limits(np.array([observed]), _z(level))
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


def _indirect(
    count: ArrayLike | None,
    population: ArrayLike,
    ref_count: ArrayLike,
    ref_population: ArrayLike,
    observed_total: float | None,
    confidence: float,
) -> dict[str, float | str]:
    """Observed, expected, reference rate and Poisson limits of O for ISR and ISRatio."""
    level = _confidence(confidence)
    named = [
        ("population", population),
        ("ref_count", ref_count),
        ("ref_population", ref_population),
    ]
    if count is not None:
        named.append(("count", count))
    elif observed_total is None:
        raise _fail("give count (by age band) or observed_total")
    arrays, _ = _prepare(*named)
    n, ref_x, ref_n = arrays[:3]
    for name, values in zip(("population", "ref_count"), (n, ref_x), strict=True):
        _check_nonnegative(name, values)
    _check_positive("ref_population", ref_n)
    if count is not None:
        _check_nonnegative("count", arrays[3])
    if observed_total is not None:
        observed = _to_float("observed_total", observed_total)
        if observed.ndim != 0 or np.isnan(observed) or observed < 0:
            raise _fail(f"observed_total must be one non-negative number, got {observed_total!r}")
        observed = float(observed)
    else:
        observed = float(np.nansum(arrays[3]))
    expected = float(np.nansum(ref_x / ref_n * n))
    ref_rate = float(np.nansum(ref_x) / np.nansum(ref_n))
    o_lower, o_upper = _poisson_limits(np.array([observed]), level)
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
    multiplier = _positive_number("multiplier", multiplier)
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
    ref_value = _positive_number("ref_value", ref_value)
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


def mean_ci(values: ArrayLike, *, confidence: float = 0.95) -> pd.Series:
    """Mean of the non-missing values with a Student's t interval (sample SD, k-1 df)."""
    level = _confidence(confidence)
    v = _to_float("values", values).ravel()
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


# --------------------------------------------------------------------------------------------
# Benchmark comparison and recent trend
# --------------------------------------------------------------------------------------------


def _direction_words(polarity: str) -> tuple[str, str]:
    """Words for (area above benchmark, area below benchmark) under a polarity."""
    return {
        "high_is_good": ("better", "worse"),
        "low_is_good": ("worse", "better"),
        "no_judgement": ("higher", "lower"),
    }[polarity]


def compare(
    value: ArrayLike,
    lower95: ArrayLike,
    upper95: ArrayLike,
    benchmark: ArrayLike,
    *,
    polarity: Polarity,
    lower998: ArrayLike | None = None,
    upper998: ArrayLike | None = None,
    benchmark_lower95: ArrayLike | None = None,
    benchmark_upper95: ArrayLike | None = None,
    method: Literal["value", "overlap"] = "value",
) -> pd.DataFrame:
    """Compare areas with a benchmark the Fingertips way; returns ``outcome`` and ``level``.

    method="value" (Fingertips methods 1 and 17): similar when the benchmark value lies within
    the area's 95% interval, bounds inclusive; otherwise significant at 95, or at 99.8 when the
    benchmark is also outside the 99.8% interval (if given). method="overlap" (method 12):
    similar when the area's and the benchmark's 95% intervals overlap, otherwise level 95.
    Outcome is better/similar/worse under a RAG polarity, higher/similar/lower for
    "no_judgement", and "not compared" when anything needed is missing.
    """
    _check_polarity(polarity)
    named = [("value", value), ("lower95", lower95), ("upper95", upper95), ("benchmark", benchmark)]
    if method == "value":
        if (lower998 is None) != (upper998 is None):
            raise _fail("lower998 and upper998 must be given together")
        if lower998 is not None:
            named += [("lower998", lower998), ("upper998", upper998)]
    elif method == "overlap":
        if benchmark_lower95 is None or benchmark_upper95 is None:
            raise _fail('method="overlap" needs benchmark_lower95 and benchmark_upper95')
        named += [
            ("benchmark_lower95", benchmark_lower95),
            ("benchmark_upper95", benchmark_upper95),
        ]
    else:
        raise _fail(f'method must be "value" or "overlap", got {method!r}')
    arrays, index = _prepare(*named)
    v, lo, hi, bench = arrays[:4]
    if (lo > hi).any():
        raise _fail("lower95 must not be above upper95")
    missing = np.isnan(v) | np.isnan(lo) | np.isnan(hi) | np.isnan(bench)
    level = np.full(v.shape, np.nan)
    if method == "value":
        above, below = lo > bench, hi < bench
        level[above | below] = 95.0
        if lower998 is not None:
            lo998, hi998 = arrays[4:]
            level[(lo998 > bench) | (hi998 < bench)] = 99.8
            level[~(above | below)] = np.nan
    else:
        bench_lo, bench_hi = arrays[4:]
        missing |= np.isnan(bench_lo) | np.isnan(bench_hi)
        above, below = lo > bench_hi, hi < bench_lo
        level[above | below] = 95.0
    level[missing] = np.nan
    word_above, word_below = _direction_words(polarity)
    outcome = np.select(
        [missing, above, below], ["not compared", word_above, word_below], "similar"
    ).astype(object)
    return pd.DataFrame({"outcome": outcome, "level": level}, index=index)


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
    _check_polarity(polarity)
    (y, lo, hi), _ = _prepare(("values", values), ("lower95", lower95), ("upper95", upper95))
    if (lo > hi).any():
        raise _fail("lower95 must not be above upper95")
    y, lo, hi = y[-TREND_POINTS:], lo[-TREND_POINTS:], hi[-TREND_POINTS:]
    valid = ~(np.isnan(y) | np.isnan(lo) | np.isnan(hi)) & (hi > lo)
    if y.size < TREND_POINTS or not valid.all():
        return _cannot_calculate(polarity)
    w = (_TREND_CI_WIDTH / (hi - lo)) ** 2
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
    _check_polarity(polarity)
    (r, n), _ = _prepare(("counts", counts), ("denominators", denominators))
    _check_nonnegative("counts", r)
    _check_positive("denominators", n)
    _check_count_within(r, n, ("counts", "denominators"))
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


# --------------------------------------------------------------------------------------------
# Funnel plots and quantiles
# --------------------------------------------------------------------------------------------


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
        list(_FUNNEL_LABELS),
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
) -> pd.Series:
    """Funnel-plot significance of each area against the pooled benchmark.

    proportion: Wilson limits of each area at 95% and 99.8% against sum(x)/sum(n).
    ratio: numerator = observed, denominator = expected; Poisson limits of O divided by E,
    against 1. rate: denominator is the population and the benchmark is sum(O)/sum(pop);
    alternatively give ``rate`` (per ``multiplier``, e.g. a DSR) and the population is derived
    as multiplier x O / rate (the given denominator where O is 0). Poisson limits are exact below
    10 events. Rows with missing input get a missing label and are left out of the benchmark.
    """
    if statistic not in ("proportion", "ratio", "rate"):
        raise _fail(f'statistic must be "proportion", "ratio" or "rate", got {statistic!r}')
    multiplier = _positive_number("multiplier", multiplier)
    named = [("numerator", numerator), ("denominator", denominator)]
    if rate is not None:
        if statistic != "rate":
            raise _fail('rate can only be given with statistic="rate"')
        named.append(("rate", rate))
    arrays, index = _prepare(*named)
    x, n = arrays[:2]
    _check_nonnegative("numerator", x)
    _check_positive("denominator", n)
    if statistic == "proportion":
        _check_count_within(x, n, ("numerator", "denominator"))
    if rate is not None:
        _check_positive("rate", arrays[2])
        with np.errstate(divide="ignore", invalid="ignore"):
            n = np.where(x > 0, multiplier * x / arrays[2], n)
    missing = np.isnan(x) | np.isnan(n)
    if statistic == "proportion":
        benchmark = x[~missing].sum() / n[~missing].sum()
        low95, high95 = _wilson_limits(x, n, 0.95)
        low998, high998 = _wilson_limits(x, n, 0.998)
        labels = _funnel_labels(low998, low95, high998, high95, benchmark, missing)
    else:
        expected = n
        if statistic == "rate":
            expected = n * x[~missing].sum() / n[~missing].sum()
        low95, high95 = _poisson_limits(x, 0.95)
        low998, high998 = _poisson_limits(x, 0.998)
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
    multiplier = _positive_number("multiplier", multiplier)
    if isinstance(points, bool) or not isinstance(points, int | np.integer) or points < 2:
        raise _fail(f"points must be a whole number of at least 2, got {points!r}")
    (x, n), _ = _prepare(("numerator", numerator), ("denominator", denominator))
    _check_nonnegative("numerator", x)
    _check_positive("denominator", n)
    _check_count_within(x, n, ("numerator", "denominator"))
    present = ~(np.isnan(x) | np.isnan(n))
    if not present.any():
        raise _fail("numerator and denominator have no complete rows")
    p = x[present].sum() / n[present].sum()
    if axis_max is None:
        axis_max = _round_up_two_figures(float(n[present].max()))
    axis_max = _positive_number("axis_max", axis_max)
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


def quantiles(values: ArrayLike, *, n: int = 10, invert: bool = True) -> pd.Series:
    """Assign each value to one of ``n`` quantile groups (PHE method); Int64, NA if missing.

    Rank r takes the minimum for ties; A is the number of non-missing values;
    q = floor((n+1) - ceil((A+1-r)/(A/n))), with 0 read as 1. With invert=True (the default,
    for "low is good") the highest values fall in quantile 1; with invert=False the lowest do.
    Every value is NA when there are fewer values than quantiles.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise _fail(f"n must be a whole number of at least 1, got {n!r}")
    (v,), index = _prepare(("values", values))
    ranks = pd.Series(-v if invert else v).rank(method="min", na_option="keep").to_numpy()
    count = int((~np.isnan(v)).sum())
    result = pd.Series(pd.NA, index=index, dtype="Int64")
    if count < n or count == 0:
        return result
    present = ~np.isnan(ranks)
    q = np.floor((n + 1) - np.ceil((count + 1 - ranks[present]) / (count / n)))
    q[q == 0] = 1
    result[present] = q.astype(np.int64)
    return result
