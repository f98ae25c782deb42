"""The slope index of inequality (SII) of police.uk crime across an area's deprivation deciles,
per 1,000 residents (helpers.stats.sii, the PHE method), computed once in the build from the
per-resident rates of ``police_deprivation``, after disclosure control has marked its cells.

Decile 1 is the most deprived, so the SII is taken with multiplier -1: a positive SII is how
many more crimes per 1,000 residents the fitted line gives the most deprived end of the area's
population than the least deprived end, and the RII is the ratio of the two ends. A decile with
no neighbourhood of the area has no share of its population and is left out (the fit is the
same). No SII is given where a decile is hidden, since the line (and its limits) would carry
information about the hidden count."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from helpers import stats
from helpers.build import police_summaries as summaries
from helpers.stats.inequality import MIN_QUANTILES

REPETITIONS = 10_000
"""Simulated draws per SII. The reference implementation's default is 100,000 and its own
tests use 10,000; the limits then vary between seeds by about 1% of the interval's width,
well below the rounding of a report sentence, and the national build stays within seconds."""

SEED = 2_011
COLUMNS = [
    "area_code",
    "year",
    "crime_type",
    "imd_edition",
    "deciles",
    "residents",
    "sii",
    "sii_lower",
    "sii_upper",
    "rii",
    "rii_lower",
    "rii_upper",
    "note",
]
HIDDEN = "no SII: a decile is hidden to protect privacy, and the SII would help work it out"
TOO_FEW = "no SII: fewer than 5 deciles have neighbourhoods of the area"
NO_CRIMES = (
    "no SII: {deciles} recorded none of these crimes, and the method's limits need a rate "
    "above zero"
)
LEFT_OUT = "{deciles} left out: no neighbourhood of the area is in them"


def decile_words(values) -> str:
    """'decile 3', 'deciles 1 and 2', 'deciles 1, 2 and 5'."""
    names = [str(int(d)) for d in values]
    if len(names) == 1:
        return f"decile {names[0]}"
    return f"deciles {', '.join(names[:-1])} and {names[-1]}"


def _seed(area: str, year: str, crime_type: str) -> int:
    """A seed of its own for each SII, so that a figure does not change when others are added."""
    return zlib.crc32(f"{SEED}|{area}|{year}|{crime_type}".encode())


def police_inequality(deprivation: pd.DataFrame) -> pd.DataFrame:
    """One row per area, year and crime type of ``police_deprivation`` (with its ``suppressed``
    flags): the SII per 1,000 residents with its 95% limits, the RII with its limits, the
    deciles and residents used, and a note (why there is no SII, or which deciles were left
    out). Years on 2021 LSOAs have no SII: their rows say there are no residents to count."""
    keys = ["area_code", "year", "crime_type"]
    frame = deprivation.sort_values([*keys, "imd_decile"], kind="stable")
    # plain arrays: a pandas selection per group would cost more than the SIIs themselves
    col = {c: frame[c].to_numpy() for c in frame.columns}
    numeric = ["imd_decile", "lsoas", "count", "residents", "rate", "rate_lower", "rate_upper"]
    for c in numeric:
        col[c] = frame[c].to_numpy(dtype="float64", na_value=np.nan)
    col["suppressed"] = frame["suppressed"].fillna(False).to_numpy(dtype=bool)
    first = np.zeros(len(frame), dtype=bool)
    first[:1] = True
    for k in keys:
        first[1:] |= col[k][1:] != col[k][:-1]
    bounds = np.r_[np.flatnonzero(first), len(frame)]
    rows = []
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        at = slice(start, stop)
        row = {k: col[k][start] for k in [*keys, "imd_edition"]}
        present = col["lsoas"][at] > 0
        part = {c: col[c][at][present] for c in [*numeric, "suppressed", "rate_note"]}
        empty = col["imd_decile"][at][~present]
        row["deciles"] = int(present.sum())
        row["residents"] = (
            part["residents"].sum() if np.isfinite(part["residents"]).any() else np.nan
        )
        notes = [LEFT_OUT.format(deciles=decile_words(empty))] if len(empty) else []
        reason = _no_sii(part)
        if reason:
            rows.append(row | {"note": "; ".join([reason, *notes])})
            continue
        found = stats.sii(
            part["imd_decile"],
            part["residents"],
            part["rate"],
            lower=part["rate_lower"],
            upper=part["rate_upper"],
            value_type="rate",
            multiplier=-1,
            repetitions=REPETITIONS,
            seed=_seed(*(row[k] for k in keys)),
        )
        rows.append(
            row
            | {
                "sii": found.sii,
                "sii_lower": found.sii_lower,
                "sii_upper": found.sii_upper,
                "rii": found.rii,
                "rii_lower": found.rii_lower,
                "rii_upper": found.rii_upper,
                "note": "; ".join(notes) or None,
            }
        )
    out = pd.DataFrame(rows, columns=COLUMNS)
    floats = ["residents", "sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper"]
    return out.astype(dict.fromkeys(floats, "float64") | {"deciles": "int64"})


def _no_sii(part: dict[str, np.ndarray]) -> str | None:
    """Why the deciles with neighbourhoods give no SII, or None."""
    notes = [n for n in part["rate_note"] if isinstance(n, str)]
    if np.isnan(part["residents"]).all() and notes:
        return f"no SII: {notes[0]}"
    if part["suppressed"].any():
        return HIDDEN
    if np.isnan(part["count"]).any():
        return f"no SII: {summaries.NO_COUNT}"
    if len(part["count"]) < MIN_QUANTILES:
        return TOO_FEW
    zero = part["imd_decile"][part["count"] == 0]
    if len(zero):
        return NO_CRIMES.format(deciles=decile_words(zero))
    return None
