"""Benchmark comparison, as Fingertips judges it: by confidence interval overlap or by value."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from helpers.stats.checks import (
    ArrayLike,
    Polarity,
    check_polarity,
    fail,
    prepare,
)


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
    check_polarity(polarity)
    named = [("value", value), ("lower95", lower95), ("upper95", upper95), ("benchmark", benchmark)]
    if method == "value":
        if (lower998 is None) != (upper998 is None):
            raise fail("lower998 and upper998 must be given together")
        if lower998 is not None:
            named += [("lower998", lower998), ("upper998", upper998)]
    elif method == "overlap":
        if benchmark_lower95 is None or benchmark_upper95 is None:
            raise fail('method="overlap" needs benchmark_lower95 and benchmark_upper95')
        named += [
            ("benchmark_lower95", benchmark_lower95),
            ("benchmark_upper95", benchmark_upper95),
        ]
    else:
        raise fail(f'method must be "value" or "overlap", got {method!r}')
    arrays, index = prepare(*named)
    v, lo, hi, bench = arrays[:4]
    if (lo > hi).any():
        raise fail("lower95 must not be above upper95")
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
