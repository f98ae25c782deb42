"""helpers.stats against the PHE / Fingertips reference tables in tests/reference/phe.

The README.md beside the tables says which rows are usable; every usable row is checked at the
reference implementation's own tolerance (rtol 1.5e-8). ISR/ISRatio, recent trends, means and
quantiles have no table here, so their expected values are worked out in the tests with plain
arithmetic from the formulas in METHODS.md.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from helpers import stats
from helpers.stats import StatsInputError, TrendResult, checks, limits

REF = Path(__file__).parent / "reference" / "phe"
RTOL = 1.5e-8
Z95 = sps.norm.ppf(0.975)
Z998 = sps.norm.ppf(0.999)

LEVELS = {
    "95": (0.95, "lower95_0cl", "upper95_0cl"),
    "99.8": (0.998, "lower99_8cl", "upper99_8cl"),
}


def read(name: str, **kwargs) -> pd.DataFrame:
    return pd.read_csv(REF / name, **kwargs)


def assert_close(actual, expected) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float),
        np.asarray(expected, dtype=float),
        rtol=RTOL,
        atol=0,
        equal_nan=True,
    )


def sum_keep_na(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Group sums in which one missing value makes the sum missing (as R's sum does)."""
    return frame.groupby(by, sort=False)[["Numerator", "Denominator"]].agg(
        lambda column: column.sum(skipna=False)
    )


# --------------------------------------------------------------------------------------------
# Primitives
# --------------------------------------------------------------------------------------------


def test_z_is_the_exact_normal_quantile():
    assert checks.z_value(0.95) == pytest.approx(1.959963984540054, rel=1e-15)
    assert checks.z_value(0.998) == pytest.approx(3.090232306167813, rel=1e-15)


def test_trend_threshold_is_chi2_1df_at_998():
    assert checks.TREND_CHI2_THRESHOLD == pytest.approx(sps.chi2.ppf(0.998, 1), rel=1e-12)


def test_byars_and_wilson_primitives():
    ref = read("byars_wilson_primitives.csv")
    for _, row in ref.iterrows():
        level = 0.95 if row.confidence == "95%" else 0.998
        if row.method == "Byars":
            lower, upper = limits.byars_limits(np.array([row.x]), checks.z_value(level))
        else:
            lower, upper = limits.wilson_limits(np.array([row.x]), np.array([row.n]), level)
        assert_close([lower[0], upper[0]], [row.lowercl, row.uppercl])
    assert np.isnan(ref.lowercl.iloc[12])  # row 13: Byar's lower limit negative -> NA


def test_wilson_public_with_non_integer_count_and_confidence_one():
    ref = read("byars_wilson_primitives.csv").query("method == 'Wilson' and x < 1")
    for _, row in ref.iterrows():
        out = stats.proportion([row.x], [row.n], confidence=row.confidence.rstrip("%"))
        assert_close(out[["lower", "upper"]].iloc[0], [row.lowercl, row.uppercl])
    whole = stats.proportion([3, np.nan], [10, 10], confidence=1)
    assert_close(whole[["lower", "upper"]].iloc[0], [0, 1])
    assert whole[["lower", "upper"]].iloc[1].isna().all()


def test_exact_poisson_limits_use_chi_squared_and_zero_lower_at_zero():
    lower, upper = limits.exact_limits(np.array([0.0, 3.0]), 0.95)
    assert lower[0] == 0
    assert_close(upper[0], sps.chi2.ppf(0.975, 2) / 2)
    assert_close([lower[1], upper[1]], [sps.chi2.ppf(0.025, 6) / 2, sps.chi2.ppf(0.975, 8) / 2])


# --------------------------------------------------------------------------------------------
# Crude rates and proportions
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_rate_reference_rows(level):
    confidence, lower_col, upper_col = LEVELS[level]
    ref = read("rate.csv")
    assert len(ref) == 20
    for multiplier, rows in ref.groupby("multiplier"):
        out = stats.rate(
            rows.Numerator, rows.Denominator, multiplier=multiplier, confidence=confidence
        )
        assert list(out.index) == list(rows.index)
        assert_close(out.value, rows.value)
        assert_close(out.lower, rows[lower_col])
        assert_close(out.upper, rows[upper_col])
        assert list(out.method.fillna("")) == list(rows.method.fillna(""))


def test_rate_grouped_reference_rows():
    ref = read("rate_grouped.csv")
    sums = sum_keep_na(read("rate.csv"), "Area").loc[ref.Area]
    assert_close(sums.Numerator, ref.Numerator)
    assert_close(sums.Denominator, ref.Denominator)
    out = stats.rate(sums.Numerator, sums.Denominator, multiplier=100_000, confidence=95)
    assert_close(out.value, ref.value)
    assert_close(out.lower, ref.lowercl)
    assert_close(out.upper, ref.uppercl)
    assert list(out.method.fillna("")) == list(ref.method.fillna(""))


def test_rate_allows_numerator_above_denominator_and_keeps_series_index():
    out = stats.rate(pd.Series([250.0], index=["Area12"]), [220.0])
    assert out.index.tolist() == ["Area12"]
    assert out.value.iloc[0] == pytest.approx(113636.36363636365)


@pytest.mark.parametrize("level", LEVELS)
def test_proportion_reference_rows(level):
    confidence, lower_col, upper_col = LEVELS[level]
    ref = read("proportion.csv")
    assert len(ref) == 19
    for multiplier, rows in ref.groupby("multiplier"):
        out = stats.proportion(
            rows.Numerator, rows.Denominator, multiplier=multiplier, confidence=confidence
        )
        assert_close(out.value, rows.value)
        assert_close(out.lower, rows[lower_col])
        assert_close(out.upper, rows[upper_col])
    assert ref.iloc[16:][["value", lower_col, upper_col]].isna().all().all()


def test_proportion_grouped_reference_rows():
    ref = read("proportion_grouped.csv")
    sums = sum_keep_na(read("proportion.csv"), "Area").loc[ref.Area]
    out = stats.proportion(sums.Numerator, sums.Denominator)
    assert_close(out.value, ref.value)
    assert_close(out.lower, ref.lowercl)
    assert_close(out.upper, ref.uppercl)


# --------------------------------------------------------------------------------------------
# Directly standardised rates
# --------------------------------------------------------------------------------------------


def dsr_areas() -> dict[str, tuple[pd.Series, pd.Series, pd.Series]]:
    inputs = read("dsr_isr_inputs_multiarea.csv")
    areas = {a: (g["count"], g["pop"], g["esp2013"]) for a, g in inputs.groupby("area")}
    esp1976 = read("dsr_inputs_esp1976.csv")
    areas["testdata_1976"] = (esp1976["count"], esp1976["pop"], esp1976["esp1976"])
    return areas


@pytest.mark.parametrize("row", range(8))
def test_dsr_reference_rows(row):
    """Rows 1-8; rows 9-12 (non-independent events) are optional and not implemented."""
    ref = read("dsr_results.csv").iloc[row]
    multiplier = 10_000 if ref.statistic.endswith("10000") else 100_000
    count, pop, std = dsr_areas()[ref.area]
    out95 = stats.dsr(count, pop, std, multiplier=multiplier, confidence=0.95)
    out998 = stats.dsr(count, pop, std, multiplier=multiplier, confidence=99.8)
    assert list(out95.index) == ["total_count", "total_pop", "value", "lower", "upper"]
    assert_close(
        out95[["total_count", "total_pop", "value"]], ref[["total_count", "total_pop", "value"]]
    )
    if ref.area == "testdata_1976":
        return  # README: only value, total_count and total_pop are reliable for the 1976 rows
    assert_close(out95[["lower", "upper"]], ref[["lower95_0cl", "upper95_0cl"]])
    assert_close(out998[["lower", "upper"]], ref[["lower99_8cl", "upper99_8cl"]])


def test_dsr_below_ten_events_is_missing():
    count, pop, std = dsr_areas()["testdata_tiny"]
    out = stats.dsr(count, pop, std)
    assert out.total_count == 9
    assert out[["value", "lower", "upper"]].isna().all()


@pytest.mark.parametrize(
    ("name", "argument"),
    [
        ("dsr_inputs_err1.csv", "count"),
        ("dsr_inputs_err3.csv", "population"),
        ("dsr_inputs_err4.csv", "standard_population"),
    ],
)
def test_dsr_rejects_negative_inputs(name, argument):
    data = read(name)
    with pytest.raises(
        ValueError, match=f"^{argument} must (not be negative|be greater than zero)"
    ):
        stats.dsr(data["count"], data["pop"], data["stdpop"])


def test_dsr_rejects_zero_population_but_isr_is_defined():
    data = read("dsr_isr_inputs_err2_zero_pop.csv")
    area1 = data[data.area == "Area1"]
    with pytest.raises(ValueError, match="population must be greater than zero"):
        stats.dsr(area1["count"], area1["pop"], area1["esp2013"])
    ref = read("isr_refdata.csv")
    out = stats.isr(area1["count"], area1["pop"], ref.refcount, ref.refpop)
    assert np.isfinite(out[["value", "lower", "upper"]].astype(float)).all()


def test_dsr_rejects_missing_population():
    with pytest.raises(ValueError, match="population must not be missing"):
        stats.dsr([10, 20], [100, np.nan], [1, 1])


# --------------------------------------------------------------------------------------------
# Indirect standardisation, computed by hand from the formula
# --------------------------------------------------------------------------------------------


def hand_isr_parts(count, pop, refcount, refpop, confidence):
    """O, E, the reference rate and the Poisson limits of O, written out longhand."""
    observed = 0.0
    expected = 0.0
    for x, n, rx, rn in zip(count, pop, refcount, refpop, strict=True):
        observed += 0.0 if math.isnan(x) else x
        if not (math.isnan(n) or math.isnan(rx) or math.isnan(rn)):
            expected += rx / rn * n
    ref_rate = np.nansum(refcount) / np.nansum(refpop)
    z = sps.norm.ppf(confidence + (1 - confidence) / 2)
    o = observed
    if o < 10:
        o_lower = sps.chi2.ppf((1 - confidence) / 2, 2 * o) / 2 if o > 0 else 0.0
        o_upper = sps.chi2.ppf((1 + confidence) / 2, 2 * o + 2) / 2
    else:
        o_lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
        o_upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return observed, expected, ref_rate, o_lower, o_upper


ISR_AREAS = ["testdata_big", "testdata_small", "testdata_tiny"]


@pytest.mark.parametrize("area", ISR_AREAS)
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_isr_and_isratio_against_hand_computation(area, confidence):
    inputs = read("dsr_isr_inputs_multiarea.csv")
    g = inputs[inputs.area == area]
    ref = read("isr_refdata.csv")
    o, e, r, o_lo, o_hi = hand_isr_parts(
        g["count"].tolist(),
        g["pop"].tolist(),
        ref.refcount.tolist(),
        ref.refpop.tolist(),
        confidence,
    )
    out = stats.isr(g["count"], g["pop"], ref.refcount, ref.refpop, confidence=confidence)
    assert list(out.index) == [
        "observed",
        "expected",
        "ref_rate",
        "value",
        "lower",
        "upper",
        "method",
    ]
    assert_close(
        out[["observed", "expected", "ref_rate", "value", "lower", "upper"]].astype(float),
        [o, e, r * 1e5, o / e * r * 1e5, o_lo / e * r * 1e5, o_hi / e * r * 1e5],
    )
    assert out.method == ("Exact" if o < 10 else "Byars")
    ratio = stats.isratio(g["count"], g["pop"], ref.refcount, ref.refpop, confidence=confidence)
    assert list(ratio.index) == ["observed", "expected", "value", "lower", "upper", "method"]
    assert_close(
        ratio[["observed", "expected", "value", "lower", "upper"]].astype(float),
        [o, e, o / e, o_lo / e, o_hi / e],
    )
    per100 = stats.isratio(g["count"], g["pop"], ref.refcount, ref.refpop, ref_value=100)
    assert per100.value == pytest.approx(100 * o / e, rel=RTOL)


def test_isr_testdata_big_worked_by_hand():
    """A fully explicit check of one area: E = sum(refcount/refpop x pop)."""
    g = read("dsr_isr_inputs_multiarea.csv").query("area == 'testdata_big'")
    ref = read("isr_refdata.csv")
    expected = sum(
        rc / rp * p for rc, rp, p in zip(ref.refcount, ref.refpop, g["pop"], strict=True)
    )
    ref_rate = ref.refcount.sum() / ref.refpop.sum()
    o = 895
    lower = o * (1 - 1 / (9 * o) - Z95 / (3 * o**0.5)) ** 3
    out = stats.isr(g["count"], g["pop"], ref.refcount, ref.refpop, multiplier=100)
    assert out.expected == pytest.approx(expected, rel=RTOL)
    assert out.value == pytest.approx(o / expected * ref_rate * 100, rel=RTOL)
    assert out.lower == pytest.approx(lower / expected * ref_rate * 100, rel=RTOL)


@pytest.mark.parametrize("area", ISR_AREAS)
def test_isr_own_reference_table_and_observed_totals_agree(area):
    own = read("isr_inputs_multiarea_ownref.csv").query("area == @area")
    totals = read("isr_observed_totals.csv").set_index("area").total_count
    inputs = read("dsr_isr_inputs_multiarea.csv").query("area == @area")
    ref = read("isr_refdata.csv")
    by_band = stats.isr(inputs["count"], inputs["pop"], ref.refcount, ref.refpop)
    from_own = stats.isr(own["count"], own["pop"], own.refcount, own.refpop)
    from_total = stats.isr(None, own["pop"], own.refcount, own.refpop, observed_total=totals[area])
    # the own-reference table has NA pop for testdata_tiny's 10-14 band, whose refcount is 0
    for other in (from_own, from_total):
        assert_close(other.drop("method").astype(float), by_band.drop("method").astype(float))
        assert other.method == by_band.method
    ratio_bands = stats.isratio(own["count"], own["pop"], own.refcount, own.refpop)
    ratio_total = stats.isratio(
        own["count"], own["pop"], own.refcount, own.refpop, observed_total=totals[area]
    )
    assert_close(ratio_total.drop("method").astype(float), ratio_bands.drop("method").astype(float))


def test_isr_needs_counts_or_a_total():
    with pytest.raises(ValueError, match="observed_total"):
        stats.isr(None, [1, 2], [1, 1], [10, 10])
    with pytest.raises(ValueError, match="observed_total"):
        stats.isr(None, [1, 2], [1, 1], [10, 10], observed_total=-3)


# --------------------------------------------------------------------------------------------
# Means and quantiles
# --------------------------------------------------------------------------------------------


def test_mean_ci_matches_student_t():
    values = [4.2, 5.1, np.nan, 6.3, 5.9, 4.8, 7.0]
    clean = np.array([v for v in values if not np.isnan(v)])
    k = clean.size
    sd = math.sqrt(sum((v - clean.mean()) ** 2 for v in clean) / (k - 1))
    for confidence in (0.95, 0.998):
        low, high = sps.t.interval(confidence, k - 1, loc=clean.mean(), scale=sd / math.sqrt(k))
        out = stats.mean_ci(values, confidence=confidence)
        assert list(out.index) == ["value", "lower", "upper", "count", "stdev"]
        assert out["count"] == k
        assert_close(
            out[["value", "lower", "upper", "stdev"]].astype(float), [clean.mean(), low, high, sd]
        )


def test_mean_ci_of_one_value_has_no_interval():
    out = stats.mean_ci([3.0])
    assert out.value == 3.0
    assert math.isnan(out.lower) and math.isnan(out.stdev)


def test_quantiles_invert_puts_highest_values_in_quantile_one():
    values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert stats.quantiles(values, n=10).tolist() == [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    assert stats.quantiles(values, n=10, invert=False).tolist() == list(range(1, 11))
    assert stats.quantiles(values, n=5, invert=False).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_quantiles_hand_cases_with_ties_and_missing():
    # A = 6 non-missing, n = 3, A/n = 2. Ranks of the values ascending (invert=False) with
    # ties at the minimum: 1, 2, 2, 4, 5, 6 -> ceil((7 - r)/2) = 3, 3, 3, 2, 1, 1
    # -> q = 4 - that = 1, 1, 1, 2, 3, 3
    values = pd.Series([1.0, 2.0, 2.0, np.nan, 4.0, 5.0, 6.0], index=list("abcdefg"))
    out = stats.quantiles(values, n=3, invert=False)
    assert out.index.tolist() == list("abcdefg")
    assert str(out.dtype) == "Int64"
    assert out.tolist() == [1, 1, 1, pd.NA, 2, 3, 3]
    # invert=True ranks the negated values: 6 -> 1, 5 -> 2, 4 -> 3, 2 -> 4 (tie), 1 -> 6
    # -> ceil((7 - r)/2) = 3, 3, 2, 2, 1 for values 6, 5, 4, 2, 1 -> q = 1, 1, 2, 2, 3
    inverted = stats.quantiles(values, n=3, invert=True)
    assert inverted.tolist() == [3, 2, 2, pd.NA, 2, 1, 1]


def test_quantiles_need_at_least_n_values():
    out = stats.quantiles([1, 2, 3, np.nan], n=4)
    assert out.isna().all() and len(out) == 4


# --------------------------------------------------------------------------------------------
# Benchmark comparison
# --------------------------------------------------------------------------------------------

FINGERTIPS_OUTCOMES = {
    "Best": ("better", 99.8),
    "Better": ("better", 95.0),
    "Same": ("similar", math.nan),
    "Worse": ("worse", 95.0),
    "Worst": ("worse", 99.8),
    "None": ("not compared", math.nan),
}
POLARITY_NAMES = {"RagLowIsGood": "low_is_good", "RagHighIsGood": "high_is_good"}


def numbers(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column.mask(column == ""))


@pytest.mark.parametrize("case", read("fingertips_benchmark_comparisons.csv").case.tolist())
def test_fingertips_benchmark_comparisons(case):
    ref = read("fingertips_benchmark_comparisons.csv", keep_default_na=False)
    row = ref[ref.case == case]
    cols = {
        c: numbers(row[c])
        for c in row.columns
        if c.startswith(("value", "lower", "upper", "bench"))
    }
    kwargs = {"polarity": POLARITY_NAMES[row.polarity.iloc[0]]}
    if row.comparator_method.iloc[0].startswith("17"):
        kwargs |= {"lower998": cols["lower_ci99_8"], "upper998": cols["upper_ci99_8"]}
    else:
        kwargs |= {
            "method": "overlap",
            "benchmark_lower95": cols["benchmark_lower_ci95"],
            "benchmark_upper95": cols["benchmark_upper_ci95"],
        }
    out = stats.compare(
        cols["value"], cols["lower_ci95"], cols["upper_ci95"], cols["benchmark_value"], **kwargs
    )
    outcome, level = FINGERTIPS_OUTCOMES[row.expected_significance.iloc[0]]
    assert out.outcome.iloc[0] == outcome
    assert out.level.iloc[0] == level or (math.isnan(level) and math.isnan(out.level.iloc[0]))
    label = row.expected_label.iloc[0]
    assert label.split(" ")[0].lower() == {"not compared": "not"}.get(outcome, outcome)
    assert ("99.8%" in label) == (out.level.iloc[0] == 99.8)


def test_compare_no_judgement_and_missing_values():
    out = stats.compare(
        [5, 5, 5, np.nan, 5],
        [4, 4, 4, 4, np.nan],
        [6, 6, 6, 6, 6],
        [3, 6, 7, 5, 5],
        polarity="no_judgement",
    )
    assert out.outcome.tolist() == ["higher", "similar", "lower", "not compared", "not compared"]
    assert out.level.tolist()[0] == 95 and out.level.tolist()[2] == 95
    assert out.level.iloc[[1, 3, 4]].isna().all()


def test_compare_rejects_bad_arguments():
    with pytest.raises(ValueError, match="polarity"):
        stats.compare([1], [0], [2], 1, polarity="up")
    with pytest.raises(ValueError, match="benchmark_lower95"):
        stats.compare([1], [0], [2], 1, polarity="low_is_good", method="overlap")
    with pytest.raises(ValueError, match="lower998 and upper998"):
        stats.compare([1], [0], [2], 1, polarity="low_is_good", lower998=[0])


# --------------------------------------------------------------------------------------------
# Recent trend
# --------------------------------------------------------------------------------------------


def hand_trend_chi2(values, lower, upper) -> float:
    """chi2 = (slope / SE(slope))^2 from a weighted least-squares line by numpy.polyfit."""
    se = (np.asarray(upper) - np.asarray(lower)) / 3.92
    t = np.arange(1, 6)
    # polyfit weights multiply the residuals, so 1/SE gives weights 1/SE^2 in the squares
    coef, cov = np.polyfit(t, values, 1, w=1 / se, cov="unscaled")
    return coef[0] ** 2 / cov[0, 0]


def test_recent_trend_steady_increase_is_increasing():
    values = np.array([10.0, 11.0, 12.0, 13.0, 14.0])
    out = stats.recent_trend(values, values - 0.2, values + 0.2, polarity="low_is_good")
    assert out.marker == "increasing"
    assert out.label == "Increasing and getting worse"
    assert out.chi2 == pytest.approx(hand_trend_chi2(values, values - 0.2, values + 0.2), rel=1e-9)
    good = stats.recent_trend(values, values - 0.2, values + 0.2, polarity="high_is_good")
    assert good.label == "Increasing and getting better"
    plain = stats.recent_trend(values, values - 0.2, values + 0.2)
    assert plain.label == "Increasing"


def test_recent_trend_steady_decrease_uses_only_last_five_points():
    values = np.array([1.0, 50.0, 14.0, 13.0, 12.0, 11.0, 10.0])  # the early 50 is ignored
    out = stats.recent_trend(values, values - 0.3, values + 0.3, polarity="low_is_good")
    assert out.marker == "decreasing"
    assert out.label == "Decreasing and getting better"
    last = values[-5:]
    assert out.chi2 == pytest.approx(hand_trend_chi2(last, last - 0.3, last + 0.3), rel=1e-9)


def test_recent_trend_flat_noise_is_no_significant_change():
    values = np.array([10.0, 10.4, 9.7, 10.2, 9.9])
    out = stats.recent_trend(values, values - 1.5, values + 1.5, polarity="high_is_good")
    assert out.marker == "no significant change"
    assert out.label == "No significant change"
    assert out.chi2 == pytest.approx(hand_trend_chi2(values, values - 1.5, values + 1.5), rel=1e-9)
    assert out.chi2 < checks.TREND_CHI2_THRESHOLD


def test_recent_trend_outlier_breaking_the_sign_is_no_significant_change():
    # A single very precise jump at the end drives the full fit; leaving it out reverses the sign.
    values = np.array([10.0, 9.9, 9.8, 9.7, 20.0])
    lower = values - np.array([0.5, 0.5, 0.5, 0.5, 0.01])
    upper = values + np.array([0.5, 0.5, 0.5, 0.5, 0.01])
    out = stats.recent_trend(values, lower, upper)
    assert out.chi2 > checks.TREND_CHI2_THRESHOLD  # significant on chi2 alone
    assert out.marker == "no significant change"


def test_recent_trend_cannot_be_calculated():
    short = stats.recent_trend([1, 2, 3, 4], [0.9, 1.9, 2.9, 3.9], [1.1, 2.1, 3.1, 4.1])
    assert short.marker == "cannot be calculated"
    assert short.label == "Cannot be calculated"
    assert math.isnan(short.chi2)
    gap = stats.recent_trend(
        [1, 2, 3, 4, np.nan, 6], [0.9, 1.9, 2.9, 3.9, np.nan, 5.9], [1.1, 2.1, 3.1, 4.1, 5, 6.1]
    )
    assert gap.marker == "cannot be calculated"
    zero_width = stats.recent_trend([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5])
    assert zero_width.marker == "cannot be calculated"


def test_trend_result_is_frozen():
    out = stats.recent_trend([1, 2, 3, 4, 5], [0.9, 1.9, 2.9, 3.9, 4.9], [1.1, 2.1, 3.1, 4.1, 5.1])
    assert isinstance(out, TrendResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        out.marker = "x"  # type: ignore[misc]


def hand_cochran_armitage(r, n) -> float:
    """Cochran-Armitage chi2 in its textbook form: (sum t(r - n p))^2 / (p q sum n (t - tbar)^2)."""
    r, n = np.asarray(r, float), np.asarray(n, float)
    t = np.arange(1, 6)
    p = r.sum() / n.sum()
    tbar = (n * t).sum() / n.sum()
    return ((t * (r - n * p)).sum()) ** 2 / (p * (1 - p) * (n * (t - tbar) ** 2).sum())


def test_recent_trend_proportion_increase_and_flat():
    n = [1000, 1000, 1000, 1000, 1000]
    rising = [100, 130, 160, 190, 220]
    out = stats.recent_trend_proportion(rising, n, polarity="high_is_good")
    assert out.marker == "increasing"
    assert out.label == "Increasing and getting better"
    assert out.chi2 == pytest.approx(hand_cochran_armitage(rising, n), rel=1e-9)
    flat = [100, 104, 98, 101, 99]
    same = stats.recent_trend_proportion(flat, n, polarity="low_is_good")
    assert same.marker == "no significant change"
    assert same.chi2 == pytest.approx(hand_cochran_armitage(flat, n), rel=1e-9)
    falling = stats.recent_trend_proportion(rising[::-1], n, polarity="low_is_good")
    assert falling.marker == "decreasing"
    assert falling.label == "Decreasing and getting better"


def test_recent_trend_proportion_cannot_be_calculated_at_zero_or_full():
    n = [100] * 5
    assert stats.recent_trend_proportion([10, 20, 30, 40, 100], n).marker == "cannot be calculated"
    assert stats.recent_trend_proportion([0, 20, 30, 40, 50], n).marker == "cannot be calculated"
    assert stats.recent_trend_proportion([10, 20, 30], n[:3]).marker == "cannot be calculated"
    # a zero before the five most recent points does not matter
    assert stats.recent_trend_proportion([0, 10, 20, 30, 40, 50], [100] * 6).marker == "increasing"


# --------------------------------------------------------------------------------------------
# Funnel plots
# --------------------------------------------------------------------------------------------


def test_funnel_significance_proportion_all_rows():
    ref = read("funnel_prop_inputs_significance.csv")
    assert len(ref) == 303
    out = stats.funnel_significance(ref.numerator, ref.denominator, statistic="proportion")
    mismatched = ref.Area[out.to_numpy() != ref.significance.to_numpy()]
    assert mismatched.empty, mismatched.tolist()


def test_funnel_limits_proportion_reference_table():
    inputs = read("funnel_prop_inputs_significance.csv")
    ref = read("funnel_prop_limits.csv")
    out = stats.funnel_limits(inputs.numerator, inputs.denominator, multiplier=100)
    assert list(out.columns) == list(ref.columns)
    assert out.Population.tolist() == ref.Population.tolist()
    np.testing.assert_allclose(
        out.drop(columns="Population"), ref.drop(columns="Population"), atol=5e-7
    )


def test_funnel_limits_are_where_the_wilson_bound_meets_the_baseline():
    out = stats.funnel_limits([30, 50], [100, 100], multiplier=1).iloc[60]
    lower, _ = limits.wilson_limits(
        np.array([out.upper_2s_limit * out.Population]), np.array([out.Population]), 0.95
    )
    assert lower[0] == pytest.approx(out.baseline, rel=1e-9)


def test_funnel_significance_ratio_by_hand():
    observed = np.array([30.0, 130.0, 3.0, 100.0, 0.0])
    expected = np.array([60.0, 100.0, 1.0, 100.0, 8.0])
    out = stats.funnel_significance(observed, expected, statistic="ratio")
    # 30 of 60 expected: Byar's 99.8% upper limit of 30 is about 51.1 < 60 -> Low (0.001)
    # 130 of 100: Byar's 95% lower ~ 108.6 > 100 but 99.8% lower ~ 97.6 < 100 -> High (0.025)
    # 3 of 1: exact 95% lower 0.62 < 1 -> not significant; 100 of 100 -> not significant
    # 0 of 8: exact 99.8% upper = chi2(0.999, 2)/2 = 6.9 < 8 -> Low (0.001)
    assert out.tolist() == [
        "Low (0.001)",
        "High (0.025)",
        "Not significant",
        "Not significant",
        "Low (0.001)",
    ]


def test_funnel_significance_rate_compares_with_pooled_rate():
    observed = [50.0, 200.0, 100.0]
    population = [10_000.0, 10_000.0, 10_000.0]
    out = stats.funnel_significance(observed, population, statistic="rate")
    # pooled rate 350 / 30000; each area's expected count is 116.7
    ratio = stats.funnel_significance(observed, [350 / 3] * 3, statistic="ratio")
    assert out.tolist() == ratio.tolist() == ["Low (0.001)", "High (0.001)", "Not significant"]
    rates = np.array(observed) / np.array(population) * 1e5
    derived = stats.funnel_significance(observed, population, statistic="rate", rate=rates)
    assert derived.tolist() == out.tolist()


# --------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stats.rate([-1], [10]), "count must not be negative"),
        (lambda: stats.rate([1], [0]), "denominator must be greater than zero"),
        (lambda: stats.rate([1], [-5]), "denominator must be greater than zero"),
        (lambda: stats.proportion([11], [10]), "count must not exceed denominator"),
        (lambda: stats.proportion([1, 2], [10]), "mismatched lengths"),
        (lambda: stats.rate([1, 2, 3], [10, 20]), r"count=3, denominator=2"),
        (lambda: stats.rate([1], [10], confidence=0.5), "confidence must be between"),
        (lambda: stats.rate([1], [10], confidence=100.5), "confidence must be between"),
        (lambda: stats.proportion([1], [10], confidence=85), "confidence must be between"),
        (lambda: stats.rate(["a"], [10]), "count must be numeric"),
        (lambda: stats.rate([np.inf], [10]), "count must be finite"),
        (lambda: stats.funnel_significance([1], [2], statistic="odds"), "statistic must be"),
        (lambda: stats.quantiles([1, 2], n=0), "n must be a whole number"),
        (lambda: stats.recent_trend_proportion([5] * 5, [4] * 5), "counts must not exceed"),
        (
            lambda: stats.funnel_significance([5], [4], statistic="proportion"),
            "numerator must not exceed denominator",
        ),
        (lambda: stats.isr([1], [1], [1], [0]), "ref_population must be greater than zero"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_errors_belong_to_the_project_family():
    from helpers.core.errors import NeedsError

    with pytest.raises(NeedsError):
        stats.rate([-1], [1])
    assert issubclass(StatsInputError, ValueError)


@pytest.mark.parametrize(
    ("given", "level"), [(0.95, 0.95), (95, 0.95), (99.8, 0.998), (0.998, 0.998)]
)
def test_confidence_accepts_fraction_or_percentage(given, level):
    assert checks.confidence_level(given) == pytest.approx(level)
    a = stats.rate([20], [100], confidence=given)
    b = stats.rate([20], [100], confidence=level)
    pd.testing.assert_frame_equal(a, b)


def test_missing_input_gives_missing_output_for_rates_and_proportions():
    out = stats.rate([np.nan, 5, 5], [100, np.nan, 100])
    assert out.iloc[:2][["value", "lower", "upper"]].isna().all().all()
    assert out.method.tolist()[1:] == ["Exact", "Exact"] and pd.isna(out.method.iloc[0])
    prop = stats.proportion(pd.Series([np.nan, 5], dtype="Float64"), [100, 100])
    assert prop.iloc[0].isna().all() and prop.iloc[1].notna().all()
