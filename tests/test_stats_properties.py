"""Properties of helpers.stats that must hold for any valid input (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import stats

counts = st.integers(min_value=0, max_value=2_000_000)
positive_counts = st.integers(min_value=1, max_value=2_000_000)
denominators = st.integers(min_value=1, max_value=50_000_000)
confidences = st.sampled_from([0.95, 0.998])
polarities = st.sampled_from(["low_is_good", "high_is_good"])
SLACK = 1e-12  # relative rounding slack for bounds that meet the value exactly


@st.composite
def count_within(draw, minimum: int = 0):
    n = draw(denominators)
    return draw(st.integers(min_value=min(minimum, n), max_value=n)), n


def ordered(lower, value, upper) -> bool:
    return bool(
        np.all(lower <= value * (1 + SLACK) + SLACK) and np.all(value <= upper * (1 + SLACK))
    )


@given(counts, denominators, confidences)
def test_rate_interval_contains_value(x, n, confidence):
    out = stats.rate([x], [n], confidence=confidence).iloc[0]
    assert out.lower >= 0
    assert ordered(out.lower, out.value, out.upper)


@given(count_within(), confidences)
def test_proportion_interval_contains_value_within_zero_one(xn, confidence):
    x, n = xn
    out = stats.proportion([x], [n], confidence=confidence).iloc[0]
    assert ordered(out.lower, out.value, out.upper)
    assert -SLACK <= out.lower and out.upper <= 1 + SLACK


@given(counts, denominators)
def test_rate_998_interval_contains_95_interval(x, n):
    narrow = stats.rate([x], [n], confidence=0.95).iloc[0]
    wide = stats.rate([x], [n], confidence=0.998).iloc[0]
    assert wide.lower <= narrow.lower and narrow.upper <= wide.upper


@given(count_within())
def test_proportion_998_interval_contains_95_interval(xn):
    x, n = xn
    narrow = stats.proportion([x], [n], confidence=0.95).iloc[0]
    wide = stats.proportion([x], [n], confidence=0.998).iloc[0]
    assert wide.lower <= narrow.lower + SLACK and narrow.upper <= wide.upper + SLACK


@given(positive_counts, denominators, confidences)
def test_rate_interval_narrows_as_count_and_denominator_grow(x, n, confidence):
    small, big = stats.rate([x, 4 * x], [n, 4 * n], confidence=confidence).itertuples()
    assert (big.upper - big.lower) / big.value < (small.upper - small.lower) / small.value


@given(count_within(minimum=1), confidences)
def test_proportion_interval_narrows_as_count_and_denominator_grow(xn, confidence):
    x, n = xn
    small, big = stats.proportion([x, 4 * x], [n, 4 * n], confidence=confidence).itertuples()
    assert big.upper - big.lower < small.upper - small.lower
    assert (big.upper - big.lower) / big.value < (small.upper - small.lower) / small.value


@settings(max_examples=50)
@given(
    st.lists(st.integers(0, 500), min_size=3, max_size=19),
    st.integers(1, 20),
    confidences,
)
def test_dsr_interval_contains_value(band_counts, scale, confidence):
    k = len(band_counts)
    pop = [1000 * scale + 37 * i for i in range(k)]
    std = [5000 + 500 * (i % 4) for i in range(k)]
    out = stats.dsr(band_counts, pop, std, confidence=confidence)
    if out.total_count < 10:
        assert np.isnan(out.value)
    else:
        assert ordered(out.lower, out.value, out.upper)


@settings(max_examples=50)
@given(st.lists(st.integers(0, 300), min_size=3, max_size=19), confidences)
def test_isr_interval_contains_value(band_counts, confidence):
    k = len(band_counts)
    pop = [800 + 13 * i for i in range(k)]
    ref_count = [40 + 7 * i for i in range(k)]
    ref_pop = [50_000] * k
    out = stats.isr(band_counts, pop, ref_count, ref_pop, confidence=confidence)
    assert ordered(out.lower, out.value, out.upper)


finite = st.floats(-1e6, 1e6, allow_nan=False)
half_widths = st.floats(0, 1e4, allow_nan=False)


@given(finite, half_widths, half_widths, finite, polarities)
def test_flipping_polarity_swaps_better_and_worse(value, w95, extra, bench, polarity):
    kwargs = {"lower998": [value - w95 - extra], "upper998": [value + w95 + extra]}
    other = "high_is_good" if polarity == "low_is_good" else "low_is_good"
    a = stats.compare([value], [value - w95], [value + w95], bench, polarity=polarity, **kwargs)
    b = stats.compare([value], [value - w95], [value + w95], bench, polarity=other, **kwargs)
    swap = {"better": "worse", "worse": "better", "similar": "similar"}
    assert b.outcome.iloc[0] == swap[a.outcome.iloc[0]]
    assert a.level.equals(b.level)
    plain = stats.compare([value], [value - w95], [value + w95], bench, polarity="no_judgement")
    words = {"higher": "better", "lower": "worse", "similar": "similar"}
    high = stats.compare([value], [value - w95], [value + w95], bench, polarity="high_is_good")
    assert words[plain.outcome.iloc[0]] == high.outcome.iloc[0]


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=5, max_size=60), st.integers(1, 10))
def test_quantiles_are_in_range_and_ordered(values, n):
    out = stats.quantiles(values, n=n, invert=True)
    if len(values) < n:
        assert out.isna().all()
        return
    q = out.to_numpy(dtype=float)
    assert np.all((q >= 1) & (q <= n))
    order = np.argsort(values, kind="stable")
    assert np.all(np.diff(q[order]) <= 0)  # higher values never get a larger quantile
