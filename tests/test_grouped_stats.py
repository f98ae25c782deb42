"""The grouped statistics engine (issue 16): many areas in one vectorised call.

Every grouped result is compared, to 1e-12, with a loop over the single-area code as it was
before the engine was grouped. That code is kept below as ``legacy_*`` (the library's
single-area calls now delegate to the grouped one, so a loop over them would prove nothing).
The grouped calls are also checked against the PHE reference tables in tests/reference/phe.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import stats
from helpers.stats.checks import (
    DSR_MIN_COUNT,
    EXACT_BELOW,
    FUNNEL_LABELS,
    check_nonnegative,
    check_not_missing,
    check_positive,
    confidence_level,
    prepare,
    z_value,
)
from helpers.stats.limits import byars_limits, poisson_limits, wilson_limits

REF = Path(__file__).parent / "reference" / "phe"
TIGHT = 1e-12
RTOL = 1.5e-8
LEVELS = (0.95, 0.998)


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / name)


def close(actual, expected, rtol: float = TIGHT) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float),
        np.asarray(expected, dtype=float),
        rtol=rtol,
        atol=0,
        equal_nan=True,
    )


# --------------------------------------------------------------------------------------------
# The single-area code as it was before the engine was grouped (helpers/stats at cdf431b)
# --------------------------------------------------------------------------------------------


def legacy_dsr(count, population, standard, *, multiplier=100_000, confidence=0.95):
    level = confidence_level(confidence)
    (x, n, w), _ = prepare(("count", count), ("population", population), ("standard", standard))
    check_nonnegative("count", x)
    check_not_missing("population", n)
    check_positive("population", n)
    x = np.nan_to_num(x, nan=0.0)
    total_weight = w.sum()
    observed = float(x.sum())
    value = lower = upper = math.nan
    if observed >= DSR_MIN_COUNT:
        rate_ = float((x * w / n).sum() / total_weight)
        variance = float((x * (w / n) ** 2).sum() / total_weight**2)
        o_lower, o_upper = byars_limits(np.array([observed]), z_value(level))
        spread = math.sqrt(variance / observed)
        value = rate_ * multiplier
        lower = (rate_ + spread * (o_lower[0] - observed)) * multiplier
        upper = (rate_ + spread * (o_upper[0] - observed)) * multiplier
    return [observed, float(n.sum()), value, lower, upper]


def legacy_indirect(count, population, ref_count, ref_population, observed_total, confidence):
    level = confidence_level(confidence)
    n, ref_x, ref_n = (np.asarray(a, dtype=float) for a in (population, ref_count, ref_population))
    if observed_total is not None:
        observed = float(observed_total)
    else:
        observed = float(np.nansum(np.asarray(count, dtype=float)))
    expected = float(np.nansum(ref_x / ref_n * n))
    ref_rate = float(np.nansum(ref_x) / np.nansum(ref_n))
    o_lower, o_upper = poisson_limits(np.array([observed]), level)
    method = "Exact" if observed < EXACT_BELOW else "Byars"
    return observed, expected, ref_rate, float(o_lower[0]), float(o_upper[0]), method


def _ratio(numerator, expected):
    return numerator / expected if expected > 0 else math.nan


def legacy_isr(count, population, ref_count, ref_population, *, multiplier=100_000,
               confidence=0.95, observed_total=None):  # fmt: skip
    o, e, r, lo, hi, method = legacy_indirect(
        count, population, ref_count, ref_population, observed_total, confidence
    )
    scale = r * multiplier
    values = [o, e, scale, _ratio(o, e) * scale, _ratio(lo, e) * scale, _ratio(hi, e) * scale]
    return values, method


def legacy_isratio(count, population, ref_count, ref_population, *, ref_value=1,
                   confidence=0.95, observed_total=None):  # fmt: skip
    o, e, _, lo, hi, method = legacy_indirect(
        count, population, ref_count, ref_population, observed_total, confidence
    )
    values = [o, e, _ratio(o, e) * ref_value, _ratio(lo, e) * ref_value, _ratio(hi, e) * ref_value]
    return values, method


def _legacy_labels(low998, low95, high998, high95, benchmark, missing):
    labels = np.select(
        [low998 > benchmark, low95 > benchmark, high998 < benchmark, high95 < benchmark],
        list(FUNNEL_LABELS),
        "Not significant",
    ).astype(object)
    labels[missing] = None
    return labels


def legacy_funnel_significance(numerator, denominator, *, statistic):
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    missing = np.isnan(x) | np.isnan(n)
    if statistic == "proportion":
        benchmark = x[~missing].sum() / n[~missing].sum()
        low95, high95 = wilson_limits(x, n, 0.95)
        low998, high998 = wilson_limits(x, n, 0.998)
        return _legacy_labels(low998, low95, high998, high95, benchmark, missing)
    expected = n
    if statistic == "rate":
        expected = n * x[~missing].sum() / n[~missing].sum()
    low95, high95 = poisson_limits(x, 0.95)
    low998, high998 = poisson_limits(x, 0.998)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _legacy_labels(
            low998 / expected, low95 / expected, high998 / expected, high95 / expected, 1.0, missing
        )


def legacy_quantiles(values, *, n=10, invert=True):
    v = np.asarray(values, dtype=float)
    ranks = pd.Series(-v if invert else v).rank(method="min", na_option="keep").to_numpy()
    count = int((~np.isnan(v)).sum())
    result = pd.Series(pd.NA, index=pd.RangeIndex(v.size), dtype="Int64")
    if count < n or count == 0:
        return result
    present = ~np.isnan(ranks)
    q = np.floor((n + 1) - np.ceil((count + 1 - ranks[present]) / (count / n)))
    q[q == 0] = 1
    result[present] = q.astype(np.int64)
    return result


# --------------------------------------------------------------------------------------------
# National-scale inputs: 300 areas x 19 age bands
# --------------------------------------------------------------------------------------------

BANDS = 19


def national(areas: int = 300, seed: int = 16) -> pd.DataFrame:
    """Tidy band rows, areas in an unsorted order, with the edge cases of METHODS.md: an area
    with fewer than 10 events (DSR NA), an area with no events, missing counts (taken as 0)."""
    rng = np.random.default_rng(seed)
    codes = [f"E{code:08d}" for code in rng.permutation(np.arange(6_000_000, 6_000_000 + areas))]
    population = np.round(np.exp(rng.uniform(np.log(200), np.log(60_000), (areas, BANDS))))
    band_rate = np.exp(np.linspace(np.log(2e-4), np.log(8e-2), BANDS))
    area_factor = np.exp(rng.normal(0, 0.4, areas))[:, None]
    count = rng.poisson(population * band_rate * area_factor).astype(float)
    count[1] = 0.0  # no events at all
    count[2] = 0.0
    count[2, [3, 12, 18]] = [2, 3, 4]  # 9 events: no DSR
    missing = rng.random((areas, BANDS)) < 0.02
    count[missing] = np.nan
    standard = read("esp2013.csv").esp2013.to_numpy(dtype=float)
    ref_pop = np.round(population.sum(axis=0) * 7.0)
    ref_count = np.round(ref_pop * band_rate)
    return pd.DataFrame(
        {
            "area": np.repeat(codes, BANDS),
            "band": np.tile(np.arange(BANDS), areas),
            "count": count.ravel(),
            "pop": population.ravel(),
            "esp2013": np.tile(standard, areas),
            "refcount": np.tile(ref_count, areas),
            "refpop": np.tile(ref_pop, areas),
        }
    )


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return national()


def by_area(frame: pd.DataFrame):
    return frame.groupby("area", sort=False)


# --------------------------------------------------------------------------------------------
# DSR
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("confidence", LEVELS)
@pytest.mark.parametrize("multiplier", [100_000, 10_000])
def test_dsr_grouped_equals_the_single_area_loop(frame, confidence, multiplier):
    out = stats.dsr(
        frame["count"],
        frame["pop"],
        frame["esp2013"],
        groups=frame["area"],
        multiplier=multiplier,
        confidence=confidence,
    )
    assert list(out.columns) == ["area", "total_count", "total_pop", "value", "lower", "upper"]
    assert out.area.tolist() == list(dict.fromkeys(frame.area))  # first-appearance order
    expected = [
        legacy_dsr(g["count"], g["pop"], g.esp2013, multiplier=multiplier, confidence=confidence)
        for _, g in by_area(frame)
    ]
    close(out[["total_count", "total_pop", "value", "lower", "upper"]], expected)
    assert out.set_index("area").loc[frame.area.iloc[2 * BANDS], ["value", "lower"]].isna().all()
    assert out.value.notna().sum() == len(out) - 2


def test_dsr_grouped_with_one_standard_per_band_and_shuffled_rows(frame):
    """The standard population once per band (matched to each group's rows in order), and the
    same with the band rows shuffled across groups and one value per row."""
    standard = frame.esp2013.iloc[:BANDS].to_numpy()
    per_band = stats.dsr(frame["count"], frame["pop"], standard, groups=frame.area)
    per_row = stats.dsr(frame["count"], frame["pop"], frame.esp2013, groups=frame.area)
    pd.testing.assert_frame_equal(per_band, per_row)
    shuffled = frame.sample(frac=1, random_state=3)
    out = stats.dsr(shuffled["count"], shuffled["pop"], shuffled.esp2013, groups=shuffled.area)
    assert out.area.tolist() == list(dict.fromkeys(shuffled.area))
    close(out.set_index("area").loc[per_row.area], per_row.set_index("area"))


def test_dsr_grouped_by_two_keys_and_a_single_group(frame):
    two = pd.concat([frame.assign(period=2021), frame.assign(period=2020)], ignore_index=True)
    out = stats.dsr(two["count"], two["pop"], two.esp2013, groups=two[["area", "period"]])
    assert list(out.columns[:2]) == ["area", "period"] and len(out) == 600
    first = frame[frame.area == frame.area.iloc[0]]
    single = stats.dsr(first["count"], first["pop"], first.esp2013)
    one = stats.dsr(first["count"], first["pop"], first.esp2013, groups=["x"] * BANDS)
    assert len(one) == 1 and one.group.tolist() == ["x"]
    close(one.iloc[0, 1:], single)
    close(out.iloc[0, 2:], single)
    close(out.iloc[300, 2:], single)


def test_dsr_grouped_reference_rows():
    inputs = read("dsr_isr_inputs_multiarea.csv")
    ref = read("dsr_results.csv").iloc[:3]
    for confidence, lower, upper in ((0.95, "lower95_0cl", "upper95_0cl"),
                                     (0.998, "lower99_8cl", "upper99_8cl")):  # fmt: skip
        out = stats.dsr(
            inputs["count"],
            inputs["pop"],
            inputs.esp2013,
            groups=inputs.area,
            multiplier=10_000,
            confidence=confidence,
        )
        assert out.area.tolist() == ref.area.tolist()
        close(
            out[["total_count", "total_pop", "value"]],
            ref[["total_count", "total_pop", "value"]],
            RTOL,
        )
        close(out[["lower", "upper"]], ref[[lower, upper]], RTOL)


def test_dsr_grouped_zero_population_band_names_the_group_but_isr_is_defined():
    data = read("dsr_isr_inputs_err2_zero_pop.csv")
    with pytest.raises(
        stats.StatsInputError, match="population must be greater than zero .*'Area1'"
    ):
        stats.dsr(data["count"], data["pop"], data.esp2013, groups=data.area)
    ref = read("isr_refdata.csv")
    out = stats.isr(data["count"], data["pop"], ref.refcount, ref.refpop, groups=data.area)
    assert np.isfinite(out[["value", "lower", "upper"]].to_numpy(dtype=float)).all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("esp2013", "standard_population must not be missing .*in group"),
        ("pop", "population must not be missing"),
        ("count", "^count must not be negative"),
        ("area", "groups must not be missing"),
    ],
)  # fmt: skip
def test_dsr_grouped_bad_input_names_the_argument_and_group(frame, change, message):
    bad = frame.head(3 * BANDS).copy()
    bad[change] = bad[change].mask(bad.index == 40, -1 if change == "count" else None)
    with pytest.raises(stats.StatsInputError, match=message):
        stats.dsr(bad["count"], bad["pop"], bad.esp2013, groups=bad.area)


def test_grouped_shapes_are_checked(frame):
    part = frame.head(3 * BANDS - 1)  # the last group lacks its 90+ band
    with pytest.raises(stats.StatsInputError, match="standard_population has 19 values .* 18 rows"):
        stats.dsr(part["count"], part["pop"], frame.esp2013.iloc[:BANDS], groups=part.area)
    with pytest.raises(stats.StatsInputError, match="groups has 3 labels but the data have"):
        stats.dsr(part["count"], part["pop"], part.esp2013, groups=["a", "b", "c"])
    with pytest.raises(stats.StatsInputError, match="must not sum to zero in group"):
        stats.dsr(part["count"], part["pop"], part.esp2013 * 0, groups=part.area)


# --------------------------------------------------------------------------------------------
# ISR and ISRatio
# --------------------------------------------------------------------------------------------

ISR_COLUMNS = ["observed", "expected", "ref_rate", "value", "lower", "upper"]


@pytest.mark.parametrize("confidence", LEVELS)
def test_isr_and_isratio_grouped_equal_the_single_area_loop(frame, confidence):
    ref_count, ref_pop = frame.refcount.iloc[:BANDS], frame.refpop.iloc[:BANDS]
    out = stats.isr(
        frame["count"], frame["pop"], ref_count, ref_pop, groups=frame.area, confidence=confidence
    )
    ratio = stats.isratio(
        frame["count"], frame["pop"], frame.refcount, frame.refpop, groups=frame.area,
        confidence=confidence, ref_value=100,
    )  # fmt: skip
    assert list(out.columns) == ["area", *ISR_COLUMNS, "method"]
    assert list(ratio.columns) == [
        "area",
        "observed",
        "expected",
        "value",
        "lower",
        "upper",
        "method",
    ]
    rates, ratios, methods = [], [], []
    for _, g in by_area(frame):
        values, method = legacy_isr(g["count"], g["pop"], ref_count, ref_pop, confidence=confidence)
        rates.append(values)
        methods.append(method)
        ratios.append(legacy_isratio(g["count"], g["pop"], g.refcount, g.refpop,
                                     confidence=confidence, ref_value=100)[0])  # fmt: skip
    close(out[ISR_COLUMNS], rates)
    close(ratio[["observed", "expected", "value", "lower", "upper"]], ratios)
    assert out.method.tolist() == methods == ratio.method.tolist()
    assert {"Exact", "Byars"} <= set(methods)


def test_isr_grouped_observed_totals_by_key_or_in_order(frame):
    totals = frame.groupby("area", sort=False)["count"].sum()
    ref = (frame.refcount.iloc[:BANDS], frame.refpop.iloc[:BANDS])
    by_bands = stats.isr(frame["count"], frame["pop"], *ref, groups=frame.area)
    shuffled = totals.sample(frac=1, random_state=1)
    by_key = stats.isr(None, frame["pop"], *ref, groups=frame.area, observed_total=shuffled)
    in_order = stats.isr(
        None, frame["pop"], *ref, groups=frame.area, observed_total=totals.to_numpy()
    )
    pd.testing.assert_frame_equal(by_key, by_bands)
    pd.testing.assert_frame_equal(in_order, by_bands)
    with pytest.raises(stats.StatsInputError, match="observed_total has no value for group"):
        stats.isr(None, frame["pop"], *ref, groups=frame.area, observed_total=totals.iloc[1:])
    with pytest.raises(
        stats.StatsInputError, match="observed_total has 2 values but there are 300"
    ):
        stats.isr(None, frame["pop"], *ref, groups=frame.area, observed_total=[1, 2])


def test_isr_grouped_reference_tables_own_reference_and_totals():
    own = read("isr_inputs_multiarea_ownref.csv")
    inputs = read("dsr_isr_inputs_multiarea.csv")
    ref = read("isr_refdata.csv")
    totals = read("isr_observed_totals.csv").set_index("area").total_count
    by_band = stats.isr(
        inputs["count"], inputs["pop"], ref.refcount, ref.refpop, groups=inputs.area
    )
    from_own = stats.isr(own["count"], own["pop"], own.refcount, own.refpop, groups=own.area)
    from_total = stats.isr(None, own["pop"], own.refcount, own.refpop, groups=own.area,
                           observed_total=totals)  # fmt: skip
    for other in (from_own, from_total):
        close(other[ISR_COLUMNS], by_band[ISR_COLUMNS], RTOL)
        assert other.method.tolist() == by_band.method.tolist()
    for _, row in by_band.iterrows():
        g = inputs[inputs.area == row.area]
        values, method = legacy_isr(g["count"], g["pop"], ref.refcount, ref.refpop)
        close(row[ISR_COLUMNS], values)
        assert row.method == method


# --------------------------------------------------------------------------------------------
# Rates and proportions: sums within groups
# --------------------------------------------------------------------------------------------


def test_rate_and_proportion_grouped_reference_rows():
    rates = read("rate.csv")
    ref = read("rate_grouped.csv")
    out = stats.rate(rates.Numerator, rates.Denominator, groups=rates.Area, confidence=95)
    assert out.Area.tolist() == ref.Area.tolist()
    close(out[["value", "lower", "upper"]], ref[["value", "lowercl", "uppercl"]], RTOL)
    assert list(out.method.fillna("")) == list(ref.method.fillna(""))
    props = read("proportion.csv")
    ref = read("proportion_grouped.csv")
    out = stats.proportion(props.Numerator, props.Denominator, groups=props.Area)
    assert out.Area.tolist() == ref.Area.tolist()
    close(out[["value", "lower", "upper"]], ref[["value", "lowercl", "uppercl"]], RTOL)


@pytest.mark.parametrize("confidence", LEVELS)
def test_rate_and_proportion_grouped_equal_rates_of_group_sums(frame, confidence):
    sums = by_area(frame)[["count", "pop"]].agg(lambda c: c.sum(skipna=False))
    out = stats.rate(frame["count"], frame["pop"], groups=frame.area, confidence=confidence)
    flat = stats.rate(sums["count"], sums["pop"], confidence=confidence)
    close(out[["value", "lower", "upper"]], flat[["value", "lower", "upper"]])
    assert out.method.tolist() == flat.method.tolist()
    out = stats.proportion(frame["count"], frame["pop"], groups=frame.area, confidence=confidence)
    flat = stats.proportion(sums["count"], sums["pop"], confidence=confidence)
    close(out[["value", "lower", "upper"]], flat[["value", "lower", "upper"]])


# --------------------------------------------------------------------------------------------
# Funnels and quantiles: each group against its own benchmark, its own quantile set
# --------------------------------------------------------------------------------------------


def indicators(groups: int = 40, areas: int = 300, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    denominator = np.round(np.exp(rng.uniform(np.log(50), np.log(50_000), groups * areas)))
    level = np.repeat(rng.uniform(0.001, 0.4, groups), areas)
    numerator = rng.binomial(
        denominator.astype(int), level * np.exp(rng.normal(0, 0.2, level.size)).clip(0, 2)
    ).astype(float)
    numerator[rng.random(numerator.size) < 0.01] = np.nan
    frame = pd.DataFrame(
        {
            "indicator": np.repeat(rng.permutation(groups), areas),
            "period": np.tile(np.repeat([2022, 2021], areas // 2), groups),
            "numerator": numerator,
            "denominator": denominator,
        }
    )
    return frame.sample(frac=1, random_state=seed)  # groups interleaved and unsorted


@pytest.mark.parametrize("statistic", ["proportion", "rate", "ratio"])
def test_funnel_significance_grouped_equals_a_loop_over_groups(statistic):
    data = indicators()
    keys = data[["indicator", "period"]]
    if statistic == "ratio":  # observed against an expected count near it
        pooled = data.groupby(["indicator", "period"]).numerator.transform("mean")
        share = data.groupby(["indicator", "period"]).denominator.transform("mean")
        data = data.assign(denominator=data.denominator * pooled / share)
    out = stats.funnel_significance(
        data.numerator, data.denominator, statistic=statistic, groups=keys
    )
    assert out.index.equals(data.index)
    expected = pd.Series(index=data.index, dtype=object)
    for _, g in data.groupby(["indicator", "period"]):
        expected[g.index] = legacy_funnel_significance(
            g.numerator, g.denominator, statistic=statistic
        )
    assert out.tolist() == expected.tolist()
    assert out.nunique() >= 3


def test_funnel_significance_grouped_reference_rows_twice():
    ref = read("funnel_prop_inputs_significance.csv")
    both = pd.concat([ref.assign(g="a"), ref.assign(g="b", numerator=ref.numerator / 2)])
    out = stats.funnel_significance(
        both.numerator, both.denominator, statistic="proportion", groups=both.g
    )
    assert out.iloc[: len(ref)].tolist() == ref.significance.tolist()
    half = legacy_funnel_significance(ref.numerator / 2, ref.denominator, statistic="proportion")
    assert out.iloc[len(ref) :].tolist() == list(half)  # against its own benchmark
    pooled = stats.funnel_significance(both.numerator, both.denominator, statistic="proportion")
    assert pooled.tolist() != out.tolist()


@pytest.mark.parametrize(("n", "invert"), [(10, True), (5, False), (4, True)])
def test_quantiles_grouped_equal_a_loop_over_groups(n, invert):
    data = indicators(groups=12, areas=30)
    data.loc[data.index[:3], "numerator"] = data.numerator.iloc[3]  # ties
    small = data.indicator == data.indicator.iloc[0]
    data.loc[small & (data.period == 2022), "numerator"] = np.nan  # a group with no values
    data.loc[data.index[small & (data.period == 2021)][:-3], "numerator"] = np.nan  # 3 values
    out = stats.quantiles(data.numerator, n=n, invert=invert, groups=data[["indicator", "period"]])
    assert out.dtype == "Int64" and out.index.equals(data.index)
    expected = pd.Series(pd.NA, index=data.index, dtype="Int64")
    for _, g in data.groupby(["indicator", "period"]):
        expected[g.index] = legacy_quantiles(g.numerator, n=n, invert=invert).to_numpy()
    pd.testing.assert_series_equal(out, expected)
    assert out[small].isna().all()


def test_single_area_calls_match_the_legacy_code(frame):
    g = frame.head(BANDS)
    close(stats.dsr(g["count"], g["pop"], g.esp2013), legacy_dsr(g["count"], g["pop"], g.esp2013))
    values, method = legacy_isr(g["count"], g["pop"], g.refcount, g.refpop, confidence=0.998)
    out = stats.isr(g["count"], g["pop"], g.refcount, g.refpop, confidence=0.998)
    close(out[ISR_COLUMNS].astype(float), values)
    assert out.method == method and isinstance(out.observed, float)
    data = indicators(groups=1)
    assert stats.quantiles(data.numerator).tolist() == legacy_quantiles(data.numerator).tolist()
    assert stats.funnel_significance(
        data.numerator, data.denominator, statistic="proportion"
    ).tolist() == list(
        legacy_funnel_significance(data.numerator, data.denominator, statistic="proportion")
    )
