"""Inequalities per resident (issue 15): the slope and relative indices of inequality
(helpers.stats.inequality) against an independent weighted regression and PHEindicatormethods'
test values (tests/reference/phe/sii.csv), the mid-2020 LSOA population reader on the real file,
the per-resident deprivation rates and SII table of the real store, and the report sentence."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import stats
from helpers.core.errors import StatsInputError

REFERENCE = Path(__file__).parent / "reference" / "phe" / "sii.csv"
VALUE_TYPES = {0: "other", 1: "rate", 2: "proportion"}


def reference_groups() -> list[tuple[str, pd.DataFrame]]:
    ref = pd.read_csv(REFERENCE)
    return [(f"{t} / {a}", g) for (t, a), g in ref.groupby(["test", "area"], sort=False)]


def weighted_line(b: np.ndarray, y: np.ndarray, a: np.ndarray) -> tuple[float, float]:
    """(intercept, slope) of the population-weighted least-squares line of y on b, in closed
    form: the sqrt(a) regression without intercept is this weighted regression."""
    bm, ym = np.average(b, weights=a), np.average(y, weights=a)
    slope = np.sum(a * (b - bm) * (y - ym)) / np.sum(a * (b - bm) ** 2)
    return ym - slope * bm, slope


def ridits(population: np.ndarray) -> np.ndarray:
    """Mid-points of each group's slice of the cumulative population, by explicit summation."""
    share = population / population.sum()
    return np.array([share[:i].sum() + share[i] / 2 for i in range(len(share))])


# ------------------------------------------------------------------ the statistic


@pytest.mark.parametrize(("name", "group"), reference_groups(), ids=lambda x: str(x)[:60])
def test_the_point_values_match_an_independent_weighted_regression(name, group):
    first = group.iloc[0]
    found = stats.sii(
        group["quantile"],
        group["population"],
        group["value"],
        lower=group["lower_cl"],
        upper=group["upper_cl"],
        value_type=VALUE_TYPES[first["value_type"]],
        multiplier=first["multiplier"],
        repetitions=1000,
    )
    pop = group["population"].to_numpy(float)
    intercept, slope = weighted_line(ridits(pop), group["value"].to_numpy(float), pop)
    assert found.sii == pytest.approx(first["multiplier"] * slope, rel=1e-10)
    ratio = (intercept + slope) / intercept
    assert found.rii == pytest.approx(ratio if first["multiplier"] > 0 else 1 / ratio, rel=1e-10)
    assert found.intercept == pytest.approx(intercept, rel=1e-10)
    assert found.quantiles == len(group)


@pytest.mark.parametrize(("name", "group"), reference_groups(), ids=lambda x: str(x)[:60])
@pytest.mark.parametrize("by", ["limits", "se"])
def test_sii_rii_and_limits_match_phe_indicator_methods(name, group, by):
    """The SII, RII and intercept exactly; the simulated limits within 2.5% of the reference
    interval's width (both are Monte-Carlo: 100,000 draws here, the reference's own number)."""
    first = group.iloc[0]
    spread = (
        {"lower": group["lower_cl"], "upper": group["upper_cl"]}
        if by == "limits"
        else {"se": group["standard_error"]}
    )
    levels = [first["confidence_1"], first["confidence_2"]]
    for i, level in enumerate(levels, start=1):
        if pd.isna(level):
            continue
        found = stats.sii(
            group["quantile"],
            group["population"],
            group["value"],
            **spread,
            value_type=VALUE_TYPES[first["value_type"]],
            multiplier=first["multiplier"],
            confidence=level,
            seed=i,
        )
        assert found.sii == pytest.approx(first["sii"], rel=1e-7)
        assert found.rii == pytest.approx(first["rii"], rel=1e-7)
        if not pd.isna(first["intercept"]):
            assert found.intercept == pytest.approx(first["intercept"], rel=1e-7)
        for measure in ("sii", "rii"):
            low, high = first[f"{measure}_lower_{i}"], first[f"{measure}_upper_{i}"]
            if pd.isna(low):  # the quintile case: the reference has the SII only
                continue
            got = (getattr(found, f"{measure}_lower"), getattr(found, f"{measure}_upper"))
            assert got == pytest.approx((low, high), abs=0.025 * (high - low)), measure


def rate_case() -> pd.DataFrame:
    group = dict(reference_groups())["rate (e.g. infant mortality) - default parameters / area1"]
    return group.reset_index(drop=True)


def rate_sii(group: pd.DataFrame, **options) -> stats.Inequality:
    return stats.sii(
        group["quantile"],
        group["population"],
        group["value"],
        lower=group["lower_cl"],
        upper=group["upper_cl"],
        value_type="rate",
        **({"repetitions": 2000} | options),
    )


def test_the_limits_are_reproducible_with_the_seed():
    group = rate_case()
    assert rate_sii(group) == rate_sii(group)
    assert rate_sii(group, seed=7) == rate_sii(group, seed=np.random.default_rng(7))
    other = rate_sii(group, seed=8)
    assert other.sii == rate_sii(group).sii
    assert other.sii_lower != rate_sii(group, seed=7).sii_lower


def test_quantiles_are_taken_in_label_order_and_a_negative_multiplier_turns_the_sii_round():
    group = rate_case()
    shuffled = group.sample(frac=1, random_state=3)
    assert rate_sii(shuffled) == rate_sii(group)
    turned = rate_sii(group, multiplier=-1)
    plain = rate_sii(group)
    assert turned.sii == pytest.approx(-plain.sii)
    # the same draws, mirrored: each limit is the neighbouring order statistic of the other
    width = plain.sii_upper - plain.sii_lower
    mirrored = (-plain.sii_upper, -plain.sii_lower)
    assert (turned.sii_lower, turned.sii_upper) == pytest.approx(mirrored, abs=0.01 * width)
    assert turned.rii == pytest.approx(1 / plain.rii)
    assert turned.sii_lower < turned.sii < turned.sii_upper


def test_leaving_out_an_empty_quantile_is_the_same_fit_as_giving_it_no_weight():
    """A decile with nobody in it has no share of the population: the line through the others
    is the one a near-zero population gives it."""
    group = rate_case()
    without = rate_sii(group[group["quantile"] != 4])
    tiny = group.assign(population=group["population"].where(group["quantile"] != 4, 1e-9))
    assert without.sii == pytest.approx(rate_sii(tiny).sii, rel=1e-9)
    assert without.quantiles == 9


@pytest.mark.parametrize(
    ("change", "argument"),
    [
        ({"quantile": [1, 2, 3, 4]}, "quantile"),
        ({"quantile": [1, 1, 2, 3, 4]}, "quantile"),
        ({"population": [100, 0, 100, 100, 100]}, "population"),
        ({"population": [100, np.nan, 100, 100, 100]}, "population"),
        ({"value": [1, 2, np.nan, 4, 5]}, "value"),
        ({"value": [1, 2, 0, 4, 5]}, "value"),
        ({"lower": [0.5, 1, 2, 3, 0]}, "lower"),
        ({"upper": [0.5, 1, 2, 3, 4]}, "upper"),
        ({"se": [0.1] * 5}, "se"),
        ({"lower": None, "upper": None}, "lower"),
        ({"repetitions": 999}, "repetitions"),
        ({"repetitions": 1500.5}, "repetitions"),
        ({"multiplier": 0}, "multiplier"),
        ({"value_type": "ratio"}, "value_type"),
        ({"confidence": 0.5}, "confidence"),
        ({"value_type": "proportion"}, "value"),
    ],
)
def test_bad_input_names_the_argument(change, argument):
    given = {
        "quantile": [1, 2, 3, 4, 5],
        "population": [100, 200, 300, 400, 500],
        "value": [1.0, 2.0, 3.0, 4.0, 5.0],
        "lower": [0.5, 1.5, 2.5, 3.5, 4.5],
        "upper": [1.5, 2.5, 3.5, 4.5, 5.5],
        "value_type": "rate",
        "repetitions": 1000,
    } | change
    with pytest.raises(StatsInputError, match=argument):
        stats.sii(given.pop("quantile"), given.pop("population"), given.pop("value"), **given)


# ------------------------------------------------------------------ the population reader
