"""Statistics: the library's public API of PHE / Fingertips methods, and statistical disclosure
control (disclosure). Pure functions on numbers and frames; no I/O.

Crude rates, proportions, directly and indirectly standardised rates, means, benchmark
comparisons, recent-trend markers, funnel plots and quantiles. Each function is written from the
formulas in ``tests/reference/phe/METHODS.md`` (PHEindicatormethods v2.1.0 and fingertips-open,
restated as mathematics) and is checked against the reference tables beside that file.

Conventions shared by every function:

* Inputs are array-likes (lists, numpy arrays, pandas Series); results keep the input order, and
  the index of the first pandas Series given. A scalar is broadcast against arrays.
* ``confidence`` is 0.9 to 1, or 90 to 100 (a value of 90 or more is divided by 100), so 0.95,
  95, 0.998 and 99.8 all work. z is the exact normal quantile, never 1.96.
* Poisson limits for a count are exact (chi-squared) below 10 events and Byar's from 10 up,
  unless ``ci_method`` names another method (``CI_METHODS``: the way Fingertips publishes an
  indicator can differ, e.g. exact at every count, or Byar's with z = 1.96).
* Many areas in one call: ``groups=`` (one label per row, or a DataFrame of key columns such as
  area and period; module groups) makes rate, proportion, dsr, isr and isratio return one row
  per group, in the order the groups first appear, with the key columns and then the columns of
  the single-area result. rate and proportion sum counts and denominators within each group
  first; dsr's standard population and isr's reference data may be one value per row or one
  per age band. funnel_significance and quantiles keep one row per input row and judge each
  group on its own (its own benchmark, its own quantiles). Group sums are numpy bincounts and
  the limits are vectorised, never a loop over groups; the single-area calls are the grouped
  call with one group.
* The module does no I/O. Bad input raises :class:`StatsInputError`, a ``ValueError`` that names
  the argument and says what is wrong.


Modules: rates (crude rates, proportions, DSR, means), ci_methods (the named CI methods, chosen
per indicator and breakdown), standardised (ISR, ISRatio), compare (benchmark comparison),
trends (recent trend), funnels (funnel plots, quantiles), limits, checks and groups (shared by
them: limits, input checks, group labels),
disclosure (small-number suppression), secondary (the complementary
suppression that stops a hidden count being worked out by subtraction), ranks (an area's rank
and quintile in England, in Fingertips' words), neighbours (statistical nearest neighbours on
open variables, a stand-in for CIPFA's), links (the correlation of two indicators across
areas, with and without allowing for deprivation), inequality (the slope and relative indices
of inequality across deprivation quantiles, with simulated limits).

May import: helpers.core.
"""

from helpers.core.errors import StatsInputError
from helpers.stats.ci_methods import CI_METHODS, RATE_CI_METHODS
from helpers.stats.compare import compare
from helpers.stats.funnels import funnel_limits, funnel_significance, quantiles
from helpers.stats.inequality import Inequality, sii
from helpers.stats.links import Association, association, fitted_band
from helpers.stats.neighbours import nearest_neighbours
from helpers.stats.ranks import england_rank, ordinal, rank_words
from helpers.stats.rates import dsr, mean_ci, proportion, rate
from helpers.stats.standardised import isr, isratio
from helpers.stats.trends import TrendResult, recent_trend, recent_trend_proportion

__all__ = [
    "Association",
    "CI_METHODS",
    "Inequality",
    "RATE_CI_METHODS",
    "StatsInputError",
    "TrendResult",
    "association",
    "fitted_band",
    "compare",
    "dsr",
    "england_rank",
    "funnel_limits",
    "funnel_significance",
    "isr",
    "isratio",
    "mean_ci",
    "nearest_neighbours",
    "ordinal",
    "proportion",
    "quantiles",
    "rank_words",
    "rate",
    "recent_trend",
    "recent_trend_proportion",
    "sii",
]
