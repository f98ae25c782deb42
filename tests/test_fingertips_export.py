"""A genuine Fingertips export reproduced row by row: value, 95% limits and the England label.

The file is the website's CSV for indicator 93356 (Campylobacter incidence per 100,000,
counties and unitary authorities, 2015-2017): 852 rows, 755 of which publish a count, a
denominator and 95% limits (no 99.8% limits). Every one of the 755 is reproduced from its count
and denominator with the CI method declared below for its breakdown (not from the row's own
numbers), and every one of the 852 comparison labels from those limits and England's value.

What the limits are (see helpers/stats/ci_methods.py for where this was looked for in the
Fingertips code, which publishes uploaded limits and computes none):

* "All ages" (453 rows, counts 37 to 53,395): exact Poisson limits at every count, found as R's
  epitools::pois.exact finds them: uniroot() on [0, 5x + 4] with its default tolerance 2^-13.
  They match to 5.6e-15 relative. The exact chi-squared quantiles miss them by up to 4.2e-7
  relative (3.04e-5 in events, within the tolerance), and the default "phe" rule (Byar's from
  10 events) by up to 1.3e-4.
* "0-9 yrs" (302 rows, counts 1 to about 2,000): Byar's at every count, the small ones too, with
  z = 1.96 rather than 1.959964. 2016 is printed to 15 significant figures and matches to
  4.5e-15 relative. 2015 was written as Excel writes a number in 11 characters (217.8841052,
  0.550590403), so it is matched to half a unit in the last printed place (7.1e-10 relative at
  most, which is the printing and not the method).

So each value, lower and upper limit is checked to half a unit in its last printed digit plus
1e-14 relative. England, the benchmark, is the Country row of the same Age and Time period
with no Category; the other "England" rows, with the value note "Aggregated from all known
lower geography values", are England by deprivation decile of its counties and UAs (or of its
districts and UAs), aggregated by Fingertips with no limits. A row is "Not compared" when it is
England itself or has no limits (regions, and the Isles of Scilly and City of London, whose
values are combined with Cornwall's and Hackney's).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from conftest import FIXTURES, SUBSET_RAW

from helpers import stats
from helpers.fetch import fingertips_entry
from helpers.sources.fingertips import read_indicator_file
from helpers.stats import CI_METHODS, RATE_CI_METHODS, StatsInputError

EXPORT = SUBSET_RAW / "fingertips" / "export_format_sample" / "indicators-CountyUA.data.csv"
METADATA = FIXTURES / "recorded" / "fingertips_metadata_93356.csv"

PUBLISHED_CI_METHOD = {"All ages": "exact_uniroot", "0-9 yrs": "byars_z196"}
"""How 93356 publishes each breakdown's limits: the indicator's method, chosen per breakdown."""

PRINTED = {"value": "Value", "lower_95": "Lower CI 95.0 limit", "upper_95": "Upper CI 95.0 limit"}
REL_SLACK = 1e-14


@pytest.fixture(scope="module")
def export() -> pd.DataFrame:
    tidy = read_indicator_file(EXPORT)
    raw = pd.read_csv(EXPORT, dtype=str, keep_default_na=False)
    assert len(raw) == len(tidy) == 852
    assert (raw["Area Code"].to_numpy() == tidy["area_code"].to_numpy()).all()
    for column, header in PRINTED.items():
        tidy[f"{column}_text"] = raw[header].to_numpy()
    return tidy


@pytest.fixture(scope="module")
def claimed(export) -> pd.DataFrame:
    rows = export.dropna(subset=["count", "denominator", "lower_95", "upper_95"])
    assert len(rows) == 755 and rows["lower_998"].isna().all()
    assert rows.groupby("age").size().to_dict() == {"All ages": 453, "0-9 yrs": 302}
    return rows


def _computed(rows: pd.DataFrame) -> pd.DataFrame:
    """Each row's rate and limits by its breakdown's published method."""
    parts = [
        stats.rate(group["count"], group["denominator"], ci_method=PUBLISHED_CI_METHOD[age])
        for age, group in rows.groupby("age")
    ]
    return (
        pd.concat(parts).loc[rows.index].rename(columns={"lower": "lower_95", "upper": "upper_95"})
    )


def _half_unit(text: str) -> float:
    """Half a unit in the last printed place of a number as written in the file."""
    return 0.5 * 10.0 ** Decimal(text).as_tuple().exponent


@pytest.mark.parametrize("column", list(PRINTED))
def test_every_value_and_limit_is_reproduced_by_its_published_method(claimed, column):
    got = _computed(claimed)[column].to_numpy()
    published = claimed[column].to_numpy()
    allowed = claimed[f"{column}_text"].map(_half_unit).to_numpy() + REL_SLACK * abs(published)
    off = np.abs(got - published)
    bad = claimed.loc[off > allowed, ["area_code", "age", "period", "count", column]]
    assert bad.empty, f"{len(bad)} rows not reproduced:\n{bad.head(10)}"


def test_full_precision_rows_match_to_1e_14(claimed):
    """Rows printed to 15 significant figures (all but 0-9 yrs 2015) match to 1e-14 relative."""
    rows = claimed[~((claimed["age"] == "0-9 yrs") & (claimed["period"] == "2015"))]
    assert len(rows) == 453 + 151
    got = _computed(rows)
    for column in PRINTED:
        rel = np.abs(got[column].to_numpy() / rows[column].to_numpy() - 1)
        assert rel.max() < 1e-14, (column, rel.max())


def test_all_ages_are_root_searched_not_chi_squared_quantiles(claimed):
    """The exact chi-squared quantiles miss the published limits by ~1e-7, within uniroot's
    tolerance: the published numbers carry the root search, and "exact" alone cannot explain
    them. (If the data were the plain quantiles, this would fail.)"""
    rows = claimed[claimed["age"] == "All ages"]
    exact = stats.rate(rows["count"], rows["denominator"], ci_method="exact")
    searched = stats.rate(rows["count"], rows["denominator"], ci_method="exact_uniroot")
    rel = np.abs(exact["lower"] / rows["lower_95"] - 1).combine(
        np.abs(exact["upper"] / rows["upper_95"] - 1), max
    )
    assert 1e-7 < rel.max() < 5e-7
    # in events, the searched limits are within R's tolerance 2^-13 of the exact ones
    scale = rows["denominator"] / 100_000
    for side in ("lower", "upper"):
        events = np.abs((searched[side] - exact[side]) * scale)
        assert events.max() < 2.0**-13, side
    assert set(searched["method"]) == {"Exact (uniroot)"}


def test_0_9_yrs_use_z_1_96_and_no_exact_limits_for_small_counts(claimed):
    rows = claimed[claimed["age"] == "0-9 yrs"]
    small = rows[rows["count"] < 10]
    assert len(small) >= 10
    for method in ("phe", "byars"):
        other = stats.rate(small["count"], small["denominator"], ci_method=method)
        rel = np.abs(other["lower"] / small["lower_95"] - 1)
        assert rel.max() > 1e-6, method


def _polarity() -> str:
    meta = fingertips_entry.metadata_row(pd.read_csv(METADATA, dtype=str), "93356")
    text = meta["polarity"].lower()
    assert text == "rag - low is good"
    return next(v for k, v in fingertips_entry.POLARITY.items() if k in text)


def test_england_comparison_labels_are_reproduced(export, claimed):
    computed = _computed(claimed)
    limits = pd.DataFrame(index=export.index, columns=["lower_95", "upper_95"], dtype=float)
    limits.loc[computed.index] = computed[["lower_95", "upper_95"]]
    value = pd.Series(np.nan, index=export.index)
    value.loc[computed.index] = computed["value"]

    is_england = (export["area_type"] == "Country") & export["category_type"].isna()
    england = export[is_england]
    assert not england.duplicated(["age", "period"]).any()
    bench_of = value[england.index].set_axis(pd.MultiIndex.from_frame(england[["age", "period"]]))
    keys = pd.MultiIndex.from_frame(export[["age", "period"]])
    bench = pd.Series(bench_of.reindex(keys).to_numpy(), index=export.index)
    outcome = stats.compare(
        value, limits["lower_95"], limits["upper_95"], bench, polarity=_polarity()
    )["outcome"]
    outcome[is_england] = "not compared"  # England is not compared with itself
    published = export["england_outcome"]
    assert published.value_counts().to_dict() == {
        "better": 283,
        "worse": 247,
        "similar": 220,
        "not compared": 102,
    }
    wrong = export.loc[outcome != published, ["area_code", "age", "period"]]
    assert wrong.empty, wrong.head()


def test_the_other_england_rows_are_fingertips_decile_aggregates(export):
    aggregated = export["value_note"] == "Aggregated from all known lower geography values"
    england = export[(export["area_type"] == "Country") & aggregated]
    assert len(england) == 60
    assert england["category_type"].str.contains("deprivation deciles in England").all()
    assert england[["lower_95", "upper_95"]].isna().all().all()
    # Fingertips' own average: the sum of counts over the sum of denominators, no limits
    ratio = england["count"] / england["denominator"] * 100_000
    assert np.allclose(ratio, england["value"], rtol=1e-13, atol=0)
    regions = export[export["area_type"] == "Region"]
    assert aggregated[regions.index].all() and regions["lower_95"].isna().all()


def test_default_rate_is_the_phe_rule_unchanged():
    """The default stays exact below 10 events and Byar's (exact z) from 10, bit for bit."""
    count = np.r_[np.arange(0.0, 400.0), [1000.0, 53395.0, np.nan]]
    pop = np.full(count.shape, 123_456.0)
    for confidence in (0.95, 0.998):
        default = stats.rate(count, pop, confidence=confidence)
        pd.testing.assert_frame_equal(
            default, stats.rate(count, pop, ci_method="phe", confidence=confidence)
        )
        exact = stats.rate(count, pop, ci_method="exact", confidence=confidence)
        byars = stats.rate(count, pop, ci_method="byars", confidence=confidence)
        small = count < 10
        big = count >= 10
        for side in ("lower", "upper"):
            assert np.array_equal(default[side][small], exact[side][small], equal_nan=True)
            assert np.array_equal(default[side][big], byars[side][big])
        assert list(default["method"][[0, 9, 10, 401]]) == ["Exact", "Exact", "Byars", "Byars"]
        assert default["method"].isna().tolist() == np.isnan(count).tolist()


def test_ci_method_names_are_checked():
    with pytest.raises(StatsInputError, match=r'ci_method must be one of "phe", "exact"'):
        stats.rate([5], [100], ci_method="poisson")
    with pytest.raises(StatsInputError, match='"wilson" is not a method for a rate'):
        stats.rate([5], [100], ci_method="wilson")
    with pytest.raises(StatsInputError, match='"exact" is not a method for a proportion'):
        stats.proportion([5], [100], ci_method="exact")
    with pytest.raises(StatsInputError, match="95% limits only"):
        stats.rate([5], [100], ci_method="byars_z196", confidence=0.998)
    with pytest.raises(StatsInputError, match="whole counts"):
        stats.rate([5.5], [100], ci_method="exact_uniroot")


def test_the_registry_describes_every_method_in_one_line():
    assert set(RATE_CI_METHODS) <= set(CI_METHODS)
    assert {"phe", "exact", "exact_uniroot", "byars_z196", "wilson", "dobson"} <= set(CI_METHODS)
    for name, text in CI_METHODS.items():
        assert text and "\n" not in text and len(text) < 120, name


def test_root_searched_limits_of_zero_and_at_99_8():
    """Zero events: lower 0. At 99.8%, R's bracket [0, 5x + 4] holds no root for counts 0 and 1
    (R stops there); the exact chi-squared limit is given instead. Elsewhere the search is
    within its absolute tolerance of the exact limit, which for a small limit is a large part
    of it (the lower limit of 1 event is 0.4% off at 99.8%)."""
    count = [0, 1, 2, 50]
    out = stats.rate(count, [100_000] * 4, ci_method="exact_uniroot", confidence=0.998)
    exact = stats.rate(count, [100_000] * 4, ci_method="exact", confidence=0.998)
    assert out["lower"][0] == 0
    assert out["upper"][0] == exact["upper"][0] and out["upper"][1] == exact["upper"][1]
    assert np.abs(out[["lower", "upper"]] - exact[["lower", "upper"]]).max().max() < 2.0**-13
    assert out["lower"][1] / exact["lower"][1] - 1 > 1e-3
