"""The words around the per-resident deprivation chart: its alt text, the note under it, and
the sentence that gives the slope index of inequality (SII) in plain words.

Every figure comes from a frame that passed disclosure control (helpers.report.views); a
hidden decile reads as hidden, and no SII is given where one is."""

from __future__ import annotations

import math

import pandas as pd

from helpers.build import police_inequality
from helpers.build.police_inequality import decile_words
from helpers.stats import disclosure

RATE_COLUMNS = ("rate", "rate_lower", "rate_upper", "value")
POPULATION_SOURCE = "ONS mid-2020 small-area population estimates"
SII_NOTE = (
    "The slope index of inequality is the difference between the two ends of a line fitted "
    "through the deciles' rates, each weighted by its residents, from the most to the least "
    "deprived resident (the PHE method; its 95% interval is simulated)."
)


def _digits(shown: pd.DataFrame) -> int:
    """Decimal places as the chart labels its bars (set by the largest rate)."""
    size = shown["rate"].max() if len(shown) else 0.0
    return 0 if size >= 1000 else 1 if size >= 10 else 2


def _number(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}"


def _shown(rates: pd.DataFrame) -> pd.DataFrame:
    disclosure.check_no_small_counts(rates, dependent=RATE_COLUMNS)
    return rates[rates["rate"].notna()].sort_values("imd_decile")


def rate_source(edition: str) -> str:
    return f"police.uk street-level crime (Home Office); {POPULATION_SOURCE}; {edition} (MHCLG)"


def rate_alt(measure: str, area: str, year: str, rates: pd.DataFrame, edition: str) -> str:
    shown = _shown(rates)
    d = _digits(shown)
    values = "; ".join(
        f"decile {int(r.imd_decile)} {_number(r.rate, d)} ({_number(r.rate_lower, d)} to "
        f"{_number(r.rate_upper, d)})"
        for r in shown.itertuples()
    )
    return (
        f"Bar chart of {measure} per 1,000 residents by {edition} decile in {area}, {year}, "
        f"with 95% confidence intervals: {values or 'no decile shown'}."
    )


def rate_note(area: str, year: str, rates: pd.DataFrame) -> str:
    """Under the per-resident chart: the population used, and the deciles left out."""
    empty = rates.loc[rates["lsoas"] == 0, "imd_decile"].tolist()
    hidden = rates.loc[rates["suppressed"], "imd_decile"].tolist()
    text = (
        f"Rates for {year} are crimes per 1,000 residents of each decile's 2011 neighbourhoods "
        f"(LSOAs), from the {POPULATION_SOURCE} (the latest shipped for 2011 LSOAs). {SII_NOTE}"
    )
    if empty:
        text += f" {area} has no neighbourhoods in {decile_words(empty)}."
    if hidden:
        text += f" {decile_words(hidden).capitalize()}: not shown, to protect privacy."
    return text


def inequality_sentence(
    measure: str, area: str, year: str, rates: pd.DataFrame, slope: dict | None
) -> str:
    """'Across the deprivation deciles of <area>, <measure> in <year> ran from ... ; the slope
    index of inequality is X more crimes per 1,000 residents in the most deprived than the least
    deprived (95% CI a to b).' Where there is no SII, the sentence says why."""
    shown = _shown(rates)
    d = _digits(shown)
    parts = []
    if len(shown) >= 2:
        first, last = shown.iloc[0], shown.iloc[-1]
        parts.append(
            f"Across the deprivation deciles of {area}, {measure} in {year} ran from "
            f"{_number(first['rate'], d)} crimes per 1,000 residents in its most deprived decile "
            f"({int(first['imd_decile'])}) to {_number(last['rate'], d)} in its least deprived "
            f"({int(last['imd_decile'])})"
        )
    sii = math.nan if slope is None else slope["sii"]
    if math.isnan(sii):
        reason = police_inequality.TOO_FEW if slope is None else slope["note"] or ""
        reason = reason.split("; ")[0].removeprefix("no SII: ")
        parts.append(f"no slope index of inequality is given: {reason}")
        return _sentence(parts)
    low, high = slope["sii_lower"], slope["sii_upper"]
    if sii >= 0:
        gap = f"{_number(sii, d)} more"
        interval = f"95% CI {_number(low, d)} to {_number(high, d)}"
    else:
        gap = f"{_number(-sii, d)} fewer"
        interval = f"95% CI {_number(-high, d)} to {_number(-low, d)} fewer"
    text = (
        f"the slope index of inequality is {gap} crimes per 1,000 residents in the most "
        f"deprived than the least deprived ({interval})"
    )
    if low <= 0 <= high:
        text += ", an interval that includes no difference"
    parts.append(text)
    return _sentence(parts)


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
