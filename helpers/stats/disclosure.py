"""Disclosure control: counts of 1 to 4, and anything built on them, are never shown.

UK public-health and police statistics hide small numbers so that no person can be recognised
from a published figure. Here a count is *small* when it is above 0 and below 5: 1, 2, 3 or 4
events, and any non-whole count in the same range (for example a three-year average of 2.3).
On a row with a small count the count is hidden, and so are the value and the confidence
limits (a rate or proportion with its denominator gives the count back), the comparisons and
the recent trend built on them. The denominator stays: it is a population, not an event count.

Choices, stated so that a reader can check them:

* **0 is shown.** By the usual convention a zero is not disclosive: it says nothing happened,
  names no one, and hiding it would also hide good news. (It can be disclosive when the
  denominator is tiny, e.g. "none of the 6 people"; the tables here are districts and LSOAs,
  so that case is not handled.)
* **A missing count is not suppressed.** It is a gap in the data (nothing published), not a
  small number, and is reported as "no data".
* **Secondary suppression is decided once, for the whole store.** A hidden district count
  could be worked out by subtracting the shown districts from the county total; the build
  (helpers.build.protection, with the rule in helpers.stats.secondary) marks the extra cells
  in a ``suppressed`` column, which :func:`suppress` keeps. A hidden cell is never labelled
  "fewer than 5": a complementary one is larger, and both must look the same.

The last guard is wired into every exporter, and refuses (DisclosureError) rather than
publish: every chart checks the frame it draws (so its labels) with
:func:`check_no_small_counts`, and so does every alt text built from a frame; every HTML table
checks its count columns' text with :func:`check_no_small_text`; the compendium's CSV and XLSX
are checked before they are written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from helpers.core.errors import DisclosureError

__all__ = [
    "DEPENDENT_COLUMNS",
    "DisclosureError",
    "LEVEL_COLUMNS",
    "NO_DATA",
    "NOTE",
    "OUTCOME_COLUMNS",
    "SMALL_COUNT_MAX",
    "SUPPRESSED_COUNT",
    "SUPPRESSED_VALUE",
    "TREND_COLUMNS",
    "check_no_small_counts",
    "check_no_small_text",
    "display",
    "is_small",
    "suppress",
]

SMALL_COUNT_MAX = 4
"""The largest count that is hidden; counts above 0 and up to this are small."""

NOTE = (
    "Counts of 1 to 4, and rates based on them, are not shown, to protect privacy. Where one "
    "could be worked out by subtracting other published figures from a total, one more figure "
    "is hidden too, in every report."
)
"""The sentence that explains hidden figures to a reader (footnotes, CSV notes)."""

SUPPRESSED_COUNT = "suppressed"
"""Shown in place of a hidden count. Not "<5": a count hidden so that a small one cannot be
worked out by subtraction (secondary suppression) is 5 or more, and must look the same."""

SUPPRESSED_VALUE = "suppressed"
"""Shown in place of a hidden rate, proportion or limit (the same word as for a count)."""

NO_DATA = "no data"
"""Shown in place of a missing figure (a gap, not a suppression)."""

DEPENDENT_COLUMNS: tuple[str, ...] = (
    "value",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
)
"""Figures computed from the count; the denominator is deliberately not among them."""

OUTCOME_COLUMNS: tuple[str, ...] = ("county_outcome", "england_outcome")
LEVEL_COLUMNS: tuple[str, ...] = ("county_level", "england_level")
TREND_COLUMNS: Mapping[str, str] = MappingProxyType(
    {"trend_marker": "cannot be calculated", "trend_label": "Cannot be calculated"}
)
"""Trend columns and what a suppressed row's trend (where it has one) becomes."""

NOT_COMPARED = "not compared"


def _as_float(values: Any) -> pd.Series:
    """Counts as a float64 Series (NaN for missing or non-numeric text), keeping its index.

    Text is read as a number where it is one, so that "3" in a formatted table still counts.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(np.atleast_1d(values))
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        series = pd.to_numeric(series.astype("object"), errors="coerce")
    return series.astype("float64")


def is_small(count: Any) -> bool | npt.NDArray[np.bool_] | pd.Series:
    """True where a count is above 0 and at most 4 (small enough to identify someone).

    NaN, None and pd.NA are not small (they are gaps). A scalar gives a bool, a Series gives a
    boolean Series with the same index, anything else a boolean array.
    """
    values = _as_float(count)
    small = ((values > 0) & (values < SMALL_COUNT_MAX + 1)).astype(bool)
    if isinstance(count, pd.Series):
        return small
    if np.ndim(count) == 0:
        return bool(small.iloc[0])
    return small.to_numpy(dtype=bool)


def suppress(
    frame: pd.DataFrame,
    *,
    count: str = "count",
    dependent: Sequence[str] = DEPENDENT_COLUMNS,
    outcome_cols: Sequence[str] = OUTCOME_COLUMNS,
    level_cols: Sequence[str] = LEVEL_COLUMNS,
    trend_cols: Mapping[str, str] = TREND_COLUMNS,
) -> pd.DataFrame:
    """A copy of ``frame`` with small counts, and the figures built on them, hidden.

    Adds a boolean column ``suppressed``. On a row with a small count the count and the
    ``dependent`` columns become NaN, outcomes become "not compared", significance levels NaN,
    and a trend marker that is present becomes "cannot be calculated". Other rows are left
    exactly as they were. Columns that are not in the frame are skipped. Calling it again on
    its own output changes nothing: rows already marked ``suppressed`` stay suppressed.
    """
    out = frame.copy()
    small = np.zeros(len(out), dtype=bool)
    if count in out.columns:
        small |= is_small(out[count]).to_numpy(dtype=bool)
    if "suppressed" in out.columns:
        small |= _flags(out["suppressed"])
    out["suppressed"] = small
    if not small.any():
        return out
    for col in (count, *dependent, *level_cols):
        if col in out.columns:
            out[col] = _to_float_column(out[col]).mask(small)
    for col in outcome_cols:
        if col in out.columns:
            out[col] = out[col].mask(small, NOT_COMPARED)
    for col, replacement in trend_cols.items():
        if col in out.columns:
            out[col] = out[col].mask(small & out[col].notna().to_numpy(), replacement)
    return out


def _flags(column: pd.Series) -> np.ndarray:
    """A boolean flag column as a numpy array, missing read as False."""
    return column.astype("object").where(column.notna(), False).astype(bool).to_numpy()


def _to_float_column(column: pd.Series) -> pd.Series:
    """Integer columns become float64 so that a hidden cell can be NaN."""
    if pd.api.types.is_integer_dtype(column) or pd.api.types.is_bool_dtype(column):
        return column.astype("float64")
    return column


def display(
    value: Any,
    *,
    suppressed: bool = False,
    fmt: str | None = None,
    is_count: bool = False,
) -> str:
    """A figure as text for a table or label: "suppressed", "no data", or the number.

    Any hidden figure, count or rate, shows "suppressed". ``fmt`` defaults to
    "{:,.0f}" for counts and "{:,.1f}" otherwise. A count of 1 to 4 that was not marked
    ``suppressed`` raises :class:`DisclosureError` rather than being printed.
    """
    if suppressed:
        return SUPPRESSED_COUNT if is_count else SUPPRESSED_VALUE
    if value is None or pd.isna(value):
        return NO_DATA
    if is_count and is_small(value):
        raise DisclosureError(
            f"a count of {value} was about to be shown",
            fix="pass suppressed=True, or run helpers.disclosure.suppress on the table first",
        )
    if fmt is None:
        fmt = "{:,.0f}" if is_count else "{:,.1f}"
    return fmt.format(value)


def check_no_small_counts(
    frame: pd.DataFrame,
    count: str = "count",
    *,
    dependent: Sequence[str] = DEPENDENT_COLUMNS,
) -> pd.DataFrame:
    """Raise :class:`DisclosureError` if ``frame`` could disclose a small number; else return it.

    Fails when a count of 1 to 4 remains in ``count``, or when a row marked ``suppressed`` still
    carries a value or limit. A frame without the count column has no counts to check.
    """
    if count in frame.columns:
        small = is_small(frame[count])
        if small.any():
            raise DisclosureError(
                f"{int(small.sum())} row(s) still show a count of 1 to 4 in '{count}' "
                f"({_describe(frame[small])})",
                fix="run helpers.disclosure.suppress on the table before showing or saving it",
            )
    present = [c for c in (count, *dependent) if c in frame.columns]
    if "suppressed" in frame.columns and present:
        leaks = _flags(frame["suppressed"]) & frame[present].notna().any(axis=1).to_numpy()
        if leaks.any():
            raise DisclosureError(
                f"{int(leaks.sum())} suppressed row(s) still carry a count, value or limit "
                f"({_describe(frame[leaks])})",
                fix="run helpers.disclosure.suppress again instead of editing its output",
            )
    return frame


def _describe(rows: pd.DataFrame, limit: int = 3) -> str:
    """A short pointer to offending rows: area and period when present, else the index."""
    keys = [c for c in ("indicator_id", "area_name", "area_code", "period") if c in rows.columns]
    if keys:
        labels = [" ".join(str(v) for v in row) for row in rows[keys].head(limit).to_numpy()]
    else:
        labels = [f"row {i}" for i in rows.index[:limit]]
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return "; ".join(labels) + more


def check_no_small_text(cells: Any, column: str) -> None:
    """Raise :class:`DisclosureError` if a formatted count column shows a count of 1 to 4.

    For tables of text ("12", "1,204", "suppressed", "no data"): a cell that reads as a number
    above 0 and below 5 is a small count about to be published."""
    for cell in cells:
        text = str(cell).strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            continue
        if is_small(number):
            raise DisclosureError(
                f"the column '{column}' was about to show a count of {text}",
                fix="format counts with helpers.stats.disclosure.display after suppress",
            )
