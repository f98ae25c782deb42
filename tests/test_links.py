"""Links between indicators across England's districts (helpers.stats.links), checked on real
data against scipy and an independent regression, with and without deprivation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from helpers import stats
from helpers.core.errors import StatsInputError
from helpers.stats import links


@pytest.fixture(scope="module")
def districts(full_store: Path) -> pd.DataFrame:
    """Alcohol-specific admissions (Health Index, 2020) and violence (CSP table) of every English
    district and unitary authority, with its IMD 2025 average score."""
    values = pd.read_parquet(full_store / "indicator_values.parquet")
    areas = pd.read_parquet(full_store / "areas.parquet")
    local = areas.loc[areas["tier"].isin(["lower", "single"]), "area_code"]

    def latest(ident: str, period: str) -> pd.Series:
        rows = values[(values["indicator_id"] == ident) & (values["period"] == period)]
        return rows.set_index("area_code")["value"]

    imd = pd.read_parquet(full_store / "deprivation_district.parquet")
    imd = imd[imd["domain"] == "imd"].set_index("lad_code")["average_score"]
    frame = pd.DataFrame(
        {
            "alcohol": latest("hi_alcohol_misuse", "2020"),
            "violence": latest("csp_violence_against_person", "Year ending Jun 2025"),
            "imd": imd,
        }
    )
    return frame.reindex(local)


def test_the_correlation_is_pearsons_with_its_fisher_interval(districts):
    found = links.association(districts["alcohol"], districts["violence"])
    complete = districts[["alcohol", "violence"]].dropna()
    assert found.n == len(complete) >= 250
    reference = sps.pearsonr(complete["alcohol"], complete["violence"])
    interval = reference.confidence_interval(0.95)
    assert found.r == pytest.approx(reference.statistic, abs=1e-12)
    assert (found.lower, found.upper) == pytest.approx((interval.low, interval.high), abs=1e-12)
    line = sps.linregress(complete["alcohol"], complete["violence"])
    assert (found.slope, found.intercept) == pytest.approx((line.slope, line.intercept), rel=1e-9)
    assert math.isnan(found.partial_r)  # no covariate, no partial figure


def test_the_deprivation_adjusted_figure_matches_a_regression(districts):
    """The partial correlation given IMD equals t / sqrt(t^2 + df) for x's coefficient in the
    regression of y on x and IMD, and its interval is Fisher's with one more degree lost."""
    found = links.association(districts["alcohol"], districts["violence"], districts["imd"])
    complete = districts.dropna()
    n = len(complete)
    assert found.n == n
    design = np.column_stack([np.ones(n), complete["alcohol"], complete["imd"]])
    beta, residual, *_ = np.linalg.lstsq(design, complete["violence"], rcond=None)
    df = n - 3
    sigma2 = residual[0] / df
    se = math.sqrt(sigma2 * np.linalg.inv(design.T @ design)[1, 1])
    t = beta[1] / se
    assert found.partial_r == pytest.approx(t / math.sqrt(t * t + df), abs=1e-10)
    # the matrix formula, as a third check
    r = complete.corr()
    xy, xz, yz = r.at["alcohol", "violence"], r.at["alcohol", "imd"], r.at["violence", "imd"]
    assert found.partial_r == pytest.approx(
        (xy - xz * yz) / math.sqrt((1 - xz**2) * (1 - yz**2)), abs=1e-10
    )
    # Fisher's interval, on n - 4 degrees of freedom (one more lost to the covariate)
    half = 1.959963984540054 / math.sqrt(n - 4)
    assert math.atanh(found.partial_upper) - math.atanh(found.partial_r) == pytest.approx(half)
    assert found.partial_lower < found.partial_r < found.partial_upper


def test_too_few_areas_give_no_figures_but_their_count():
    found = links.association([1, 2, 3, np.nan], [2, 4, 5, 6])
    assert found.n == 3 and math.isnan(found.r) and math.isnan(found.lower)


def test_mismatched_lengths_are_refused():
    with pytest.raises(StatsInputError, match="same length"):
        links.association([1, 2, 3], [1, 2])
    with pytest.raises(StatsInputError, match="one row per area"):
        links.association(list(range(20)), list(range(20)), list(range(19)))


def test_it_is_public():
    assert stats.association is links.association


def test_the_band_around_the_line_is_the_fitted_means_interval(districts):
    """Against the matrix form: var(fit at g) = s^2 g (X'X)^-1 g' with X = [1, x], and the
    line against scipy's linregress."""
    data = districts.dropna(subset=["alcohol", "violence"])
    x, y = data["alcohol"].to_numpy(), data["violence"].to_numpy()
    grid = np.linspace(x.min(), x.max(), 7)
    fit, lower, upper = stats.fitted_band(data["alcohol"], data["violence"], grid)
    line = sps.linregress(x, y)
    assert fit == pytest.approx(line.intercept + line.slope * grid, rel=1e-10)
    design = np.column_stack([np.ones_like(x), x])
    residual = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    s2 = residual @ residual / (len(x) - 2)
    g = np.column_stack([np.ones_like(grid), grid])
    se = np.sqrt(s2 * np.einsum("ij,jk,ik->i", g, np.linalg.inv(design.T @ design), g))
    t = sps.t.ppf(0.975, len(x) - 2)
    assert lower == pytest.approx(fit - t * se, rel=1e-9)
    assert upper == pytest.approx(fit + t * se, rel=1e-9)
    # narrowest at the mean of x, where the line is best known
    widths = upper - lower
    assert widths.argmin() == np.abs(grid - x.mean()).argmin()


def test_a_band_with_too_few_areas_is_blank():
    fit, lower, upper = stats.fitted_band([1, 2, 3], [2, 4, 5], [1, 2])
    assert np.isnan(fit).all() and np.isnan(lower).all() and np.isnan(upper).all()
