"""Named confidence-interval methods, so that each indicator (and breakdown) gets its limits the
way its publisher made them.

What Fingertips does (read in ukhsa-collaboration/fingertips-open@67808972, MIT): it does not
compute the limits it publishes for uploaded indicators. FingertipsUploadService/Upload/
UploadRowParser.cs reads LowerCI95/UpperCI95/LowerCI99_8/UpperCI99_8 from the data provider's
upload file, and PholioVisualisationWS/Export/CoreDataSetExportFormatter.cs writes them out. The
CI method is indicator metadata (ConfidenceIntervalMethod, PholioObjects/Constants.cs has
ConfidenceIntervalMethodIds.Byars = 2). Its own averages (DataConstruction/
StandardAverageCalculator.cs, value note "Aggregated from all known lower geography values") are
sum(count)/sum(denominator) with no limits. Its only Poisson-limit routine,
Analysis/StatisticalMethods.cs PoisLow/PoisHigh (a bisection to 1e-7 on v, with the mean
(1 + x)v/(1 - v)), serves the SPC-for-DSR comparison (SpcForDsrComparer.cs,
ControlLimitsBuilderSpcForDsr.cs) and does not reproduce published limits. FingertipsNext
(dhsc-govuk) computes none either.

What the published numbers are (indicator 93356, tests/test_fingertips_export.py): the "All ages"
limits are exact Poisson limits found as R's epitools::pois.exact finds them, by uniroot() with
its default tolerance 2^-13 (limits.exact_limits_uniroot; they match to 5e-15, while the exact
chi-squared quantiles differ by up to 4.2e-7); the "0-9 yrs" limits are Byar's at every count
with z = 1.96 (Z_ROUNDED).
"""

from __future__ import annotations

import numpy as np

from helpers.stats.checks import EXACT_BELOW, Z_ROUNDED, fail, z_value
from helpers.stats.limits import byars_limits, exact_limits, exact_limits_uniroot, poisson_limits

CI_METHODS: dict[str, str] = {
    "phe": "exact Poisson below 10 events and Byar's from 10, z = 1.959964 (PHEindicatormethods)",
    "exact": "exact Poisson (chi-squared quantiles) at every count",
    "exact_uniroot": (
        "exact Poisson at every count, found by R's uniroot (epitools::pois.exact), "
        "as Fingertips publishes crude rates"
    ),
    "byars": "Byar's approximation at every count, z = 1.959964",
    "byars_z196": (
        "Byar's approximation at every count with z = 1.96, as Fingertips publishes "
        "some age-specific rates"
    ),
    "wilson": "Wilson score interval, z = 1.959964 (proportions)",
    "dobson": "Dobson's method with Byar's limits of the total count (directly standardised rates)",
}
"""Every named CI method with a one-line description (for the data compendium)."""

RATE_CI_METHODS = ("phe", "exact", "exact_uniroot", "byars", "byars_z196")
"""The methods rate() takes (limits of a Poisson count)."""
PROPORTION_CI_METHODS = ("wilson",)
DSR_CI_METHODS = ("dobson",)

_LABELS = {
    "exact": "Exact",
    "exact_uniroot": "Exact (uniroot)",
    "byars": "Byars",
    "byars_z196": "Byars (z=1.96)",
}
"""The ``method`` column of each rate method; "phe" says Exact or Byars row by row."""


def check_ci_method(ci_method: str, allowed: tuple[str, ...], statistic: str) -> str:
    """The name if ``statistic`` takes it, else a StatsInputError listing the valid names."""
    if isinstance(ci_method, str) and ci_method in allowed:
        return ci_method
    valid = ", ".join(f'"{name}"' for name in allowed)
    if isinstance(ci_method, str) and ci_method in CI_METHODS:
        problem = f'ci_method "{ci_method}" is not a method for a {statistic}; use one of {valid}'
    else:
        problem = f"ci_method must be one of {valid}; got {ci_method!r}"
    raise fail(problem, fix="; ".join(f"{name}: {CI_METHODS[name]}" for name in allowed))


def count_limits(
    count: np.ndarray, level: float, ci_method: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lower, upper, method label) of Poisson counts by a rate method; NaN counts give NaN."""
    x = np.asarray(count, dtype=float)
    if ci_method == "phe":
        lower, upper = poisson_limits(x, level)
        codes = np.where(np.isnan(x), 2, np.where(x < EXACT_BELOW, 0, 1))
        return lower, upper, np.array(["Exact", "Byars", None], dtype=object)[codes]
    if ci_method == "exact":
        lower, upper = exact_limits(x, level)
    elif ci_method == "exact_uniroot":
        whole = np.isnan(x) | (x == np.floor(x))
        if not whole.all():
            raise fail(
                f'ci_method "exact_uniroot" needs whole counts (found {x[~whole][0]:g})',
                fix='use ci_method="exact" for counts that are not whole numbers',
            )
        lower, upper = exact_limits_uniroot(x, level)
    elif ci_method == "byars":
        lower, upper = byars_limits(x, z_value(level))
    elif ci_method == "byars_z196":
        if level != 0.95:
            raise fail(
                f'ci_method "byars_z196" is for 95% limits only (got confidence {level:g})',
                fix='use ci_method="byars" for other levels',
            )
        lower, upper = byars_limits(x, Z_ROUNDED)
    else:
        check_ci_method(ci_method, RATE_CI_METHODS, "rate")
    label = np.where(np.isnan(x), None, _LABELS[ci_method]).astype(object)
    return lower, upper, label
