"""Colours and words for comparisons, shared by charts and tables. Colour-blind-safe (Okabe-Ito
based), and never used alone: every coloured mark also carries its word."""

from __future__ import annotations

OUTCOME_COLOURS = {
    "better": "#0072B2",  # blue
    "similar": "#E6E6E6",  # light grey
    "worse": "#D55E00",  # vermillion
    "higher": "#CC79A7",  # reddish purple (no judgement)
    "lower": "#56B4E9",  # sky blue (no judgement)
    "not compared": "#FFFFFF",
}
# Text colour that keeps WCAG AA contrast on each background.
OUTCOME_TEXT = {
    "better": "#FFFFFF",
    "similar": "#000000",
    "worse": "#000000",
    "higher": "#000000",
    "lower": "#000000",
    "not compared": "#000000",
}
OUTCOME_WORDS = {
    "better": "Better",
    "similar": "Similar",
    "worse": "Worse",
    "higher": "Higher",
    "lower": "Lower",
    "not compared": "Not compared",
}
HIGHLIGHT = "#0072B2"
OTHER = "#9AA5B1"
BENCHMARK = "#000000"
LINE_CYCLE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
