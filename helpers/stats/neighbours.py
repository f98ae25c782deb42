"""Statistical nearest neighbours on open variables: an open stand-in for CIPFA's nearest
neighbours, which are not open data.

Each variable is turned into z-scores across the areas compared (population standard deviation,
ddof=0), and areas are compared by the Euclidean distance between their z-scores, so the distance
is in standard-deviation units and every variable weighs the same. A column that is the same for
every area contributes nothing. The k areas at the smallest distance are an area's neighbours;
an area is never its own neighbour, and areas at the same distance are taken in order of area
code, so the answer is the same on every run.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from helpers.stats.checks import fail, to_float

METHOD = (
    "Statistical neighbours are, for each area, the {k} areas most alike on {variables}: each "
    "measure is put on a common scale (standard deviations from the average of the areas "
    "compared) and areas are ranked by their straight-line (Euclidean) distance over all of them. "
    "They are an open-data stand-in for CIPFA's nearest neighbours, which are not open data."
)
"""A sentence for a report: ``METHOD.format(k=5, variables="deprivation, age and density")``."""

TIE_DECIMALS = 9
"""Distances equal to this many decimal places (in standard deviations) count as tied."""


def _check_k(k: object) -> int:
    if isinstance(k, bool | np.bool_) or not isinstance(k, numbers.Integral) or k < 1:
        raise fail(f"k must be a whole number of at least 1, got {k!r}")
    return int(k)


def _numeric_columns(features: pd.DataFrame) -> np.ndarray:
    """The columns as a float matrix (NaN for missing), refusing text, booleans and infinity."""
    if features.shape[1] == 0:
        raise fail("features must have at least one column (one numeric column per variable)")
    if features.columns.has_duplicates:
        repeated = sorted({str(c) for c in features.columns[features.columns.duplicated()]})
        raise fail(f"features has duplicate columns: {', '.join(repeated)}")
    columns = []
    for name in features.columns:
        column = features[name]
        dtype = column.dtype
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            raise fail(
                f"features column {name!r} must be numeric, got dtype {dtype}",
                fix="give one numeric column per variable (convert or drop text columns)",
            )
        columns.append(to_float(f"features column {name!r}", column))
    return np.column_stack(columns)


def _check_index(index: pd.Index) -> None:
    if index.hasnans:
        raise fail("features index has a missing area code", fix="index features by area code")
    if index.has_duplicates:
        repeated = sorted({str(c) for c in index[index.duplicated()]})
        shown = ", ".join(repeated[:5]) + (", ..." if len(repeated) > 5 else "")
        raise fail(
            f"features index has duplicate area codes: {shown}",
            fix="give one row per area",
        )


def _zscores(matrix: np.ndarray) -> np.ndarray:
    """Column z-scores with ddof=0; a constant column becomes all zeros."""
    constant = np.ptp(matrix, axis=0) == 0
    sd = matrix.std(axis=0, ddof=0)
    sd[constant] = 1.0
    z = (matrix - matrix.mean(axis=0)) / sd
    z[:, constant] = 0.0
    return z


def nearest_neighbours(features: pd.DataFrame, *, k: int = 5) -> pd.DataFrame:
    """The ``k`` statistical nearest neighbours of every area, closest first.

    ``features`` is indexed by area code with one numeric column per variable (for example a
    deprivation score, % aged 65 and over, % aged under 18, log population density). Each column
    is standardised to z-scores over the complete areas (population standard deviation, ddof=0;
    a constant column contributes 0) and the Euclidean distance is taken between every pair.

    Returns a long frame with columns ``area_code``, ``neighbour_code``, ``rank`` (1 to k) and
    ``distance`` (float, in standard-deviation units): k rows per area, areas in the input order,
    each area's neighbours from nearest to furthest. An area is never its own neighbour.
    Distances equal to ``TIE_DECIMALS`` decimal places are tied and taken in order of neighbour
    code (as text), so the result is the same on every run.

    An area with a missing value in any column gets no neighbours (no rows) and is never anyone's
    neighbour; it is also left out of the means and standard deviations. Fewer than k + 1
    complete areas, a non-numeric column, a duplicate or missing area code, an infinite value or
    k < 1 raise :class:`StatsInputError`.
    """
    if not isinstance(features, pd.DataFrame):
        raise fail(
            f"features must be a pandas DataFrame indexed by area code, "
            f"got {type(features).__name__}"
        )
    k = _check_k(k)
    _check_index(features.index)
    matrix = _numeric_columns(features)
    complete = ~np.isnan(matrix).any(axis=1)
    found = int(complete.sum())
    if found < k + 1:
        raise fail(
            f"features has {found} complete area{'s' if found != 1 else ''} (no missing value "
            f"in any column), but k={k} neighbours need at least {k + 1}",
            fix="give more areas, fill the missing values, or ask for a smaller k",
        )
    codes = features.index[complete]
    z = _zscores(matrix[complete])
    diff = z[:, None, :] - z[None, :, :]
    distance = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
    np.fill_diagonal(distance, np.inf)

    code_order = np.empty(found, dtype=np.int64)
    code_order[np.argsort(np.array([str(c) for c in codes]), kind="stable")] = np.arange(found)
    tie_key = np.broadcast_to(code_order, distance.shape)
    order = np.lexsort((tie_key, np.round(distance, TIE_DECIMALS)), axis=-1)[:, :k]

    return pd.DataFrame(
        {
            "area_code": codes.repeat(k),
            "neighbour_code": codes.take(order.ravel()),
            "rank": np.tile(np.arange(1, k + 1, dtype=np.int64), found),
            "distance": np.take_along_axis(distance, order, axis=1).ravel(),
        }
    )
