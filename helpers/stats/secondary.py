"""Secondary (complementary) suppression: no hidden count can be worked out by subtraction.

Primary suppression (:mod:`helpers.stats.disclosure`) hides counts of 1 to 4. A published
total then gives a hidden part back: the county minus its six shown districts is the seventh.
The rule here is the standard one for frequency tables, applied group by group until nothing
changes (the "hypercube" style of heuristic, not an optimisation):

* A *group* is a published total and the parts that add up to it (a county and its districts,
  a force and its areas, a year and its months, an area and its deprivation deciles).
* A group is *exposed* when a reader could subtract their way to a hidden figure: exactly one
  of its cells is hidden, or its hidden parts add up to 1 to 4 (so their sum is itself a small
  count).
* An exposed group hides one more cell: the smallest shown part above 0 (zeros protect
  nothing: a hidden 0 adds nothing to the sum a reader learns); if no such part is left, the
  total. Ties go to the earlier cell, so the same input always hides the same cells.

A gap (a missing count) is treated as known to the reader, as if it were 0: the safe
assumption, since a gap is often a true zero in disguise.

Everything is worked out from shown figures only, exactly as a reader would, so the same
:func:`exposures` serves the build (deciding what to hide) and the audit of what was published.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from helpers.stats.disclosure import SMALL_COUNT_MAX

__all__ = ["Exposure", "Group", "RULE", "exposures", "protect"]

RULE = (
    "Where a total is published with its parts (a county and its districts, a force area and "
    "its local authorities, a year and its months, an area and its deprivation deciles), a "
    "hidden figure could be worked out by subtraction. So when exactly one part is hidden, or "
    "the hidden parts add up to fewer than 5, the next smallest figure is hidden too (or the "
    "total, if no part is left). The same figures are hidden in every report."
)
"""The rule in words, for the reports' disclosure note and the compendium."""


@dataclass(frozen=True)
class Group:
    """A total and the parts that add up to it, as positions in one array of counts."""

    total: int
    parts: tuple[int, ...]
    name: str = ""

    @property
    def members(self) -> tuple[int, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Exposure:
    """A group in which a reader can recover a hidden figure (or a small sum of them)."""

    group: Group
    hidden: tuple[int, ...]
    derived: float
    """What subtraction gives: the hidden cell's value, or the sum of the hidden parts."""


def _shown_sum(counts: np.ndarray, hidden: np.ndarray, cells: Iterable[int]) -> float:
    """Sum of shown cells, a gap counted as 0."""
    return float(sum(0.0 if np.isnan(counts[i]) else counts[i] for i in cells if not hidden[i]))


def _exposure(counts: np.ndarray, hidden: np.ndarray, group: Group) -> Exposure | None:
    concealed = tuple(i for i in group.members if hidden[i])
    if not concealed:
        return None
    total_hidden = bool(hidden[group.total])
    if total_hidden:
        derived = _shown_sum(counts, hidden, group.parts)
    else:
        total = counts[group.total]
        derived = (0.0 if np.isnan(total) else float(total)) - _shown_sum(
            counts, hidden, group.parts
        )
    if len(concealed) == 1:
        return Exposure(group, concealed, derived)
    if not total_hidden and 0 < derived <= SMALL_COUNT_MAX:
        return Exposure(group, concealed, derived)
    return None


def exposures(
    counts: Sequence[float] | np.ndarray,
    hidden: Sequence[bool] | np.ndarray,
    groups: Iterable[Group],
) -> list[Exposure]:
    """Every group in which a hidden figure, or a small sum of hidden parts, can be recovered
    from the shown figures."""
    values = np.asarray(counts, dtype="float64")
    mask = np.asarray(hidden, dtype=bool)
    found = (_exposure(values, mask, g) for g in groups)
    return [e for e in found if e is not None]


def _complement(counts: np.ndarray, hidden: np.ndarray, group: Group) -> int | None:
    candidates = [
        i for i in group.parts if not hidden[i] and not np.isnan(counts[i]) and counts[i] > 0
    ]
    if candidates:
        return min(candidates, key=lambda i: (counts[i], i))
    return None if hidden[group.total] else group.total


def protect(
    counts: Sequence[float] | np.ndarray,
    hidden: Sequence[bool] | np.ndarray,
    groups: Sequence[Group],
) -> np.ndarray:
    """The hidden mask after secondary suppression: ``hidden`` (the primary cells) plus the
    complements needed until no group is exposed. Deterministic; never unhides a cell."""
    values = np.asarray(counts, dtype="float64")
    mask = np.array(hidden, dtype=bool, copy=True)
    by_cell: dict[int, list[Group]] = {}
    for group in groups:
        for i in group.members:
            by_cell.setdefault(i, []).append(group)
    # first in, first out: groups in their given order, then those a new cell reopened
    pending = deque(g for g in groups if mask[list(g.members)].any())
    while pending:
        group = pending.popleft()
        if _exposure(values, mask, group) is None:
            continue
        cell = _complement(values, mask, group)
        if cell is None:
            continue  # every cell already hidden: nothing more to hide
        mask[cell] = True
        pending.append(group)
        pending.extend(by_cell.get(cell, []))
    return mask
