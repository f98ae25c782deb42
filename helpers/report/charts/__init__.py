"""Charts for the reports, in the style of OHID Fingertips.

One theme (theme), shared parts (parts), and one module per kind of chart: compare-areas bars
and the spine chart (bars), trends (trends), police.uk months (monthly), the map (maps),
deprivation (deprivation) and the national crime-health links (links). Every chart has a
title, labelled axes with units, a source line, and words beside colours (outcomes, "no
data", "suppressed (privacy)"), so colour is never the only cue. Missing values are never
drawn as zero. Each function returns a matplotlib Figure; `show` (embed) turns it into an
inline PNG with alt text."""

from helpers.report.charts.bars import compare_bars, spine
from helpers.report.charts.deprivation import deprivation_deciles
from helpers.report.charts.embed import show, to_png
from helpers.report.charts.links import national_scatter
from helpers.report.charts.maps import choropleth
from helpers.report.charts.monthly import monthly, seasonality
from helpers.report.charts.parts import new_figure
from helpers.report.charts.theme import (
    BENCHMARK,
    HIGHLIGHT,
    NO_DATA,
    NOT_PUBLISHED,
    OS_COPYRIGHT,
    OTHER,
    SUPPRESSED,
    apply_theme,
)
from helpers.report.charts.trends import trend

__all__ = [
    "BENCHMARK",
    "HIGHLIGHT",
    "NO_DATA",
    "NOT_PUBLISHED",
    "OS_COPYRIGHT",
    "OTHER",
    "SUPPRESSED",
    "apply_theme",
    "choropleth",
    "compare_bars",
    "deprivation_deciles",
    "monthly",
    "national_scatter",
    "new_figure",
    "seasonality",
    "show",
    "spine",
    "to_png",
    "trend",
]
