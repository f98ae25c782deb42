"""Group labels for the grouped (many areas in one call) form of each statistic.

``groups=`` takes one label per row: an array-like, a pandas Series (its name becomes the key
column) or a DataFrame (one key column each, e.g. area and period). Groups are numbered in the
order they first appear, and every grouped result lists them in that order, with the key columns
first. Sums within groups are numpy bincounts, so a call costs the same for 1 or 10,000 groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from helpers.stats.checks import ArrayLike, fail, to_float

GroupLabels = ArrayLike | pd.DataFrame | None
"""What ``groups=`` takes: one label per row (array-like or Series) or key columns (DataFrame)."""


@dataclass(frozen=True)
class Groups:
    """Each row's group number (``codes``) and one row of key columns per group (``keys``)."""

    codes: np.ndarray
    keys: pd.DataFrame

    @property
    def size(self) -> int:
        return len(self.keys)

    def sum(self, values: np.ndarray) -> np.ndarray:
        """The sum of ``values`` within each group (NaN in a group makes its sum NaN)."""
        return np.bincount(self.codes, weights=values, minlength=self.size)

    def count(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.codes[mask], minlength=self.size)

    def rows(self) -> np.ndarray:
        """The number of rows of each group (read-only, worked out once)."""
        return self._rows

    def position(self) -> np.ndarray:
        """Each row's position within its group (0, 1, ...), in input order (read-only, worked
        out once: every band-level input of a call reuses it)."""
        return self._position

    @cached_property
    def _rows(self) -> np.ndarray:
        return _read_only(np.bincount(self.codes, minlength=self.size))

    @cached_property
    def _position(self) -> np.ndarray:
        order = np.argsort(self.codes, kind="stable")
        starts = np.concatenate(([0], np.cumsum(self.rows())[:-1]))
        position = np.empty(self.codes.size, dtype=np.int64)
        position[order] = np.arange(self.codes.size) - starts[self.codes[order]]
        return _read_only(position)

    def name(self, group: int) -> str:
        """A group's key for an error message: 'A1', or ('A1', 2021) for two keys."""
        values = tuple(self.keys.iloc[group])
        return repr(values[0]) if len(values) == 1 else repr(values)

    def at(self, group: int) -> str:
        """' in group X' for an error message, or '' for the single-area form (no keys)."""
        return f" in group {self.name(group)}" if self.keys.shape[1] else ""

    def frame(self, columns: dict[str, np.ndarray]) -> pd.DataFrame:
        """The grouped result: the key columns, then ``columns``, one row per group."""
        # the key columns as Series keep their dtypes (no astype back from object arrays)
        keys = {name: self.keys[name] for name in self.keys.columns}
        return pd.DataFrame({**keys, **columns}, index=self.keys.index)

    def result(
        self, columns: dict[str, np.ndarray], dtype: object = None
    ) -> pd.Series | pd.DataFrame:
        """The single-area Series (plain Python values) when there are no keys, else the frame."""
        if self.keys.shape[1]:
            return self.frame(columns)
        return pd.Series(
            {name: values.tolist()[0] for name, values in columns.items()}, dtype=dtype
        )


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


_NO_KEYS = pd.DataFrame(index=pd.RangeIndex(1))


def one_group(rows: int) -> Groups:
    """Every row in one group: the single-area form of a statistic."""
    return Groups(np.zeros(rows, dtype=np.int64), _NO_KEYS)


_INFERRED_STR = pd.Series(["a"]).dtype
# dtypes that a list of a Series' own values is inferred back to, unchanged
_KEPT_DTYPES = {np.dtype("int64"), np.dtype("float64"), np.dtype("bool")} | (
    {_INFERRED_STR} if _INFERRED_STR != np.dtype(object) else set()
)


def make_groups(groups: GroupLabels, rows: int) -> Groups:
    """Number the groups of ``groups`` (one label per row) in the order they first appear."""
    if isinstance(groups, pd.Series | pd.Index) and groups.dtype in _KEPT_DTYPES:
        return _factorized(groups, rows)
    if isinstance(groups, pd.DataFrame):
        keys = groups.reset_index(drop=True)
        if keys.shape[1] == 0:
            raise fail("groups must have at least one key column")
    elif isinstance(groups, pd.Series | pd.Index):
        keys = pd.DataFrame({groups.name if groups.name is not None else "group": list(groups)})
    else:
        array = np.asarray(groups, dtype=object)
        if array.ndim != 1:
            raise fail(f"groups must be one label per row, got shape {array.shape}")
        keys = pd.DataFrame({"group": array})
    _check_rows(len(keys), rows, keys.isna().any(axis=1).to_numpy())
    codes = _first_seen_codes(keys)
    _, first = np.unique(codes, return_index=True)
    return Groups(codes, keys.iloc[first].reset_index(drop=True))


def _factorized(groups: pd.Series | pd.Index, rows: int) -> Groups:
    """The usual case, one Series of labels (str, int64, float64 or bool: dtypes that the general
    path's ``list(groups)`` keeps): the same codes and keys, from one factorize."""
    codes, uniques = pd.factorize(groups, sort=False)  # missing labels get code -1
    _check_rows(len(groups), rows, codes < 0)
    name = groups.name if groups.name is not None else "group"
    return Groups(codes.astype(np.int64, copy=False), pd.DataFrame({name: uniques}))


def _check_rows(labels: int, rows: int, missing: np.ndarray) -> None:
    if labels != rows:
        raise fail(
            f"groups has {labels} labels but the data have {rows} rows",
            fix="give one group label per row",
        )
    if missing.any():
        raise fail(f"groups must not be missing (row {int(np.flatnonzero(missing)[0])})")
    if rows == 0:
        raise fail("the data have no rows")


def _first_seen_codes(keys: pd.DataFrame) -> np.ndarray:
    """Each row's group number, groups numbered in the order they first appear: what
    ``keys.groupby(columns, sort=False).ngroup()`` gives, by factorizing column by column."""
    codes = None
    for name in keys.columns:
        column, uniques = pd.factorize(keys[name], sort=False)
        codes = column if codes is None else pd.factorize(codes * len(uniques) + column)[0]
    return np.asarray(codes, dtype=np.int64)


def per_row(name: str, values: ArrayLike, groups: Groups) -> np.ndarray:
    """A band-level input (a standard or reference population) as one value per row.

    Either one value per row, one value for all rows, or one value per age band: then every group
    must have that many rows, and the values are matched to each group's rows in order.
    """
    array = to_float(name, values)
    rows = groups.codes.size
    if array.ndim == 0:
        return np.full(rows, array.item())
    if array.size == rows:
        return array
    counts = groups.rows()
    wrong = np.flatnonzero(counts != array.size)
    if wrong.size:
        group = int(wrong[0])
        raise fail(
            f"{name} has {array.size} values (one per age band) but group {groups.name(group)} "
            f"has {counts[group]} rows",
            fix=f"give every group one row per age band, or give {name} one value per row",
        )
    return array[groups.position()]


def require(
    groups: Groups,
    name: str,
    values: np.ndarray,
    bad: np.ndarray,
    what: str,
    fix: str | None = None,
) -> None:
    """Raise '<name> <what> (found v in group X)' for the first row flagged in ``bad``."""
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        found = "NaN" if np.isnan(values[row]) else f"{values[row]:g}"
        raise fail(f"{name} {what} (found {found}{groups.at(int(groups.codes[row]))})", fix=fix)


def nonnegative(groups: Groups, name: str, values: np.ndarray) -> None:
    require(groups, name, values, values < 0, "must not be negative")


def positive(groups: Groups, name: str, values: np.ndarray) -> None:
    fix = f"correct or remove the rows with a zero or negative {name}"
    require(groups, name, values, values <= 0, "must be greater than zero", fix)


def not_missing(groups: Groups, name: str, values: np.ndarray) -> None:
    require(groups, name, values, np.isnan(values), "must not be missing")
