"""The interplay between crime and health across England: each link of params/links.yaml (the
build's link_figures and link_points), said in words the numbers support, and the questions
open data cannot answer.

The words follow the intervals, not the point estimates: a link is claimed only where the 95%
interval of r excludes zero, and the deprivation-adjusted figure is described as weaker,
about the same or stronger only where that is clear. Every sentence ends with the
ecological caveat: areas, not people; association, not cause."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.build import store
from helpers.report import markup
from helpers.report.wording import SHORT_SOURCE
from helpers.stats import fitted_band

ECOLOGICAL = (
    "This is an association between areas, not evidence about individuals (the ecological "
    "fallacy), and it does not show cause."
)
SAME = 0.05  # partial and crude r closer than this are "about the same"
DEPRIVATION = "deprivation"
NO_PAIRS = (
    "No crime-health links are set up: list pairs of indicators in params/links.yaml and run "
    "`needs build`."
)
DEPRIVATION_NAME = "deprivation (IMD 2025 average score)"
DEPRIVATION_AXIS = "IMD 2025 average score (higher is more deprived)"


@dataclass(frozen=True)
class Link:
    """One pair: its figures (a link_figures row) and its points (link_points rows)."""

    figures: dict
    points: pd.DataFrame


def links() -> list[Link]:
    """Every pair the store has, in params/links.yaml order (each table read once)."""
    figures = store.load("link_figures")
    points = store.load("link_points")
    names = store.areas().set_index("area_code")["area_name"]
    points = points.assign(area_name=points["area_code"].map(names).fillna(points["area_name"]))
    by_pair = {key: rows.reset_index(drop=True) for key, rows in points.groupby("pair_id")}
    return [
        Link(row, by_pair.get(row["pair_id"], points.iloc[:0]))
        for row in figures.to_dict(orient="records")
    ]


def questions() -> pd.DataFrame:
    return store.load("link_questions")


def band(points: pd.DataFrame, steps: int = 60) -> pd.DataFrame:
    """The fitted line and its 95% band across the range of x, for the chart."""
    points = complete(points)
    if points.empty:
        return pd.DataFrame(columns=["x", "fit", "lower", "upper"])
    grid = np.linspace(points["x"].min(), points["x"].max(), steps)
    fit, lower, upper = fitted_band(points["x"], points["y"], grid)
    return pd.DataFrame({"x": grid, "fit": fit, "lower": lower, "upper": upper})


def complete(points: pd.DataFrame) -> pd.DataFrame:
    """The areas the figures use: both values and the IMD score present."""
    return points.dropna(subset=["x", "y", "deprivation"])


def _r(value: float) -> str:
    return f"{value:.2f}".replace("-", "\u2212")


def _interval(lower: float, upper: float) -> str:
    return f"{_r(lower)} to {_r(upper)}"


def _clear(lower: float, upper: float) -> bool:
    return lower > 0 or upper < 0


def sentence(figures: dict) -> str:
    """What the numbers support, e.g. "Across 262 English local authorities, areas with more
    hospital admissions for alcohol-specific conditions record more violence against the
    person (r = 0.56, 95% CI 0.47 to 0.64); after allowing for deprivation the link is weaker
    (partial r = 0.27, 0.16 to 0.38). This is an association between areas, ..."""
    n, r = int(figures["n"]), float(figures["r"])
    across = f"Across {n:,} English local authorities (districts and unitary authorities)"
    x_words = figures["x_more"]
    if math.isnan(r):
        return (
            f"Too few English local authorities have both figures ({n}) to measure a link "
            f"between {x_words} and the other indicator."
        )
    crude = f"r = {_r(r)}, 95% CI {_interval(figures['lower'], figures['upper'])}"
    if not _clear(figures["lower"], figures["upper"]):
        first = f"{across}, there is no clear link with {x_words} ({crude})"
    else:
        y_words = figures["y_more"] if r > 0 else figures["y_less"]
        first = f"{across}, areas with more {x_words} {y_words} ({crude})"
    return f"{first}{_adjusted(figures, r)}. {ECOLOGICAL}"


def _adjusted(figures: dict, r: float) -> str:
    partial = float(figures["partial_r"])
    if math.isnan(partial):
        return ""
    lower, upper = float(figures["partial_lower"]), float(figures["partial_upper"])
    words = f"partial r = {_r(partial)}, {_interval(lower, upper)}"
    if not _clear(lower, upper):
        if _clear(figures["lower"], figures["upper"]):
            return (
                f"; after allowing for deprivation there is no clear link ({words}), so "
                "deprivation may account for much of it"
            )
        return f"; allowing for deprivation does not change that ({words})"
    if not _clear(figures["lower"], figures["upper"]):
        return f"; after allowing for deprivation a link appears ({words})"
    if (partial > 0) != (r > 0):
        return f"; after allowing for deprivation the link runs the other way ({words})"
    if abs(abs(partial) - abs(r)) < SAME:
        return f"; after allowing for deprivation the link is about as strong ({words})"
    change = "weaker" if abs(partial) < abs(r) else "stronger"
    return f"; after allowing for deprivation the link is {change} ({words})"


def alt(figures: dict, x_name: str, y_name: str, marked: str, note: str | None) -> str:
    """The chart's alt text: what is plotted, r, who is in blue and who is missing."""
    r = float(figures["r"])
    rest = "" if math.isnan(r) else f"; Pearson r {_r(r)} with a fitted line and its 95% band"
    return (
        f"Scatter plot of {y_name} against {x_name} for {int(figures['n'])} English local "
        f"authorities{rest}. In blue: {marked}." + (f" {note}" if note else "")
    )


def missing_note(points: pd.DataFrame, wanted: list[str], sides: dict[str, str]) -> str | None:
    """Which of the report's areas are not on the chart and which figure each lacks
    (`sides`: x and y, each the figure's words)."""
    rows = points[points["area_code"].isin(wanted)]
    lacking = {}
    for row in rows.itertuples():
        gone = [sides[s] for s in ("x", "y") if pd.isna(getattr(row, s))]
        if not gone and pd.isna(row.deprivation):
            gone = [DEPRIVATION_NAME]
        if gone:
            lacking.setdefault(" or ".join(gone), []).append(str(row.area_name))
    if not lacking:
        return None
    said = [
        f"{', '.join(names)} (no published figure of {'its' if len(names) == 1 else 'their'} "
        f"own for {what})"
        for what, names in lacking.items()
    ]
    return f"Not on the chart: {'; '.join(said)}."


def coloured_label(county: str, area: str, codes: dict) -> str:
    """The legend entry of the blue points."""
    if codes["is_county"]:
        return f"{county}'s districts"
    if area == county or not county:
        return area
    if codes["area"] in codes["districts"]:
        return f"{county}'s districts"
    return f"{area} and {county}'s districts"


def source_line(entries: list[dict | None]) -> str:
    parts = [SHORT_SOURCE[e["source_kind"]] if e else "IoD2025 (MHCLG)" for e in entries]
    return "; ".join(dict.fromkeys(parts)) + "; English local authorities"


def questions_html(asked: pd.DataFrame):
    """Each question with why open data cannot answer it and the data that would."""
    items = [
        markup.Markup("<strong>{}</strong> {} <em>Data that would answer it:</em> {}").format(
            row.question, row.why, row.would_answer
        )
        for row in asked.itertuples()
    ]
    return markup.items(items)


def chart_title(names: list[str]) -> str:
    """ "<y> against <x>, English local authorities"."""
    return f"{names[1]} against {names[0]}, English local authorities"
