"""Input handling shared by every statistic (confidence levels, z values, array preparation,
checks that raise StatsInputError naming the argument and the fix) and the methods' constants."""

from __future__ import annotations

import math
from functools import cache
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as sps

from helpers.core.errors import StatsInputError

ArrayLike = npt.ArrayLike
Polarity = Literal["low_is_good", "high_is_good", "no_judgement"]

EXACT_BELOW = 10
"""Counts below this get exact Poisson limits; counts at or above it get Byar's."""

DSR_MIN_COUNT = 10
"""A DSR is not published for fewer events than this."""

Z_ROUNDED = 1.96
"""The rounded 95% z some producers use in Byar's formula (ci_method "byars_z196")."""

UNIROOT_TOL = 2.0**-13
"""R's uniroot() default tolerance, .Machine$double.eps ** 0.25 (= 1.220703125e-4)."""

UNIROOT_MAXITER = 1000
"""R's uniroot() default iteration limit."""

TREND_POINTS = 5
TREND_CHI2_THRESHOLD = 9.54953570608324
"""chi-squared with 1 df at 0.998, the Fingertips recent-trend significance threshold."""

TREND_CI_WIDTH = 3.92
"""Fingertips turns a 95% CI width into a standard error by dividing by 3.92 (METHODS.md)."""

POLARITIES = ("low_is_good", "high_is_good", "no_judgement")
FUNNEL_LABELS = ("High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)")


def fail(problem: str, fix: str | None = None) -> StatsInputError:
    return StatsInputError(problem, fix=fix)


def confidence_level(confidence: float) -> float:
    """Normalise a confidence level to a fraction; 95 and 99.8 mean 0.95 and 0.998."""
    if isinstance(confidence, bool):
        raise fail(f"confidence must be a number, got {confidence!r}")
    try:
        level = float(confidence)
    except (TypeError, ValueError) as exc:
        raise fail(f"confidence must be a number, got {confidence!r}") from exc
    if level >= 90:
        level /= 100
    if not 0.9 <= level <= 1:
        raise fail(
            f"confidence must be between 0.9 and 1 (or 90 and 100), got {confidence!r}",
            fix="use 0.95 (or 95) for 95% limits and 0.998 (or 99.8) for 99.8% limits",
        )
    return level


@cache
def z_value(level: float) -> float:
    """Two-sided normal quantile for a confidence level: 1.959964 for 0.95 (computed once per
    level: scipy's ppf costs more than a grouped statistic's arithmetic)."""
    return float(sps.norm.ppf(level + (1 - level) / 2))


def positive_number(name: str, value: float) -> float:
    if isinstance(value, bool):
        raise fail(f"{name} must be a positive number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise fail(f"{name} must be a positive number, got {value!r}") from exc
    if not (math.isfinite(number) and number > 0):
        raise fail(f"{name} must be a positive number, got {value!r}")
    return number


def to_float(name: str, values: ArrayLike) -> np.ndarray:
    """A float64 array (0-d or 1-d) with NaN for missing; infinities are refused."""
    try:
        if isinstance(values, pd.Series | pd.Index):
            array = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise fail(f"{name} must be numeric") from exc
    if array.ndim > 1:
        raise fail(f"{name} must be one-dimensional, got shape {array.shape}")
    if np.isinf(array).any():
        raise fail(f"{name} must be finite; use NaN for a missing value")
    return array


def prepare(*named: tuple[str, ArrayLike]) -> tuple[list[np.ndarray], pd.Index]:
    """Coerce named inputs to equal-length float arrays and pick the output index."""
    arrays = [to_float(name, values) for name, values in named]
    lengths = {name: a.size for (name, _), a in zip(named, arrays, strict=True) if a.ndim == 1}
    if len(set(lengths.values())) > 1:
        sizes = ", ".join(f"{name}={size}" for name, size in lengths.items())
        raise fail(f"inputs have mismatched lengths ({sizes})", fix="give one value per row")
    n = next(iter(lengths.values())) if lengths else 1
    arrays = [np.full(n, a.item()) if a.ndim == 0 else a for a in arrays]
    index = next(
        (v.index for _, v in named if isinstance(v, pd.Series) and len(v) == n),
        pd.RangeIndex(n),
    )
    return arrays, index


def check_nonnegative(name: str, values: np.ndarray) -> None:
    bad = values < 0
    if bad.any():
        raise fail(f"{name} must not be negative (found {values[bad][0]:g})")


def check_positive(name: str, values: np.ndarray) -> None:
    bad = values <= 0
    if bad.any():
        raise fail(
            f"{name} must be greater than zero (found {values[bad][0]:g})",
            fix=f"correct or remove the rows with a zero or negative {name}",
        )


def check_not_missing(name: str, values: np.ndarray) -> None:
    if np.isnan(values).any():
        raise fail(f"{name} must not be missing (found NaN)")


def check_count_within(
    count: np.ndarray, denominator: np.ndarray, names: tuple[str, str] = ("count", "denominator")
) -> None:
    bad = count > denominator
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise fail(
            f"{names[0]} must not exceed {names[1]} for a proportion "
            f"(row {i}: {count[i]:g} > {denominator[i]:g})"
        )


def check_polarity(polarity: str) -> None:
    if polarity not in POLARITIES:
        raise fail(f"polarity must be one of {', '.join(POLARITIES)}; got {polarity!r}")
