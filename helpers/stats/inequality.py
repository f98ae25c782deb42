"""The slope index of inequality (SII) and relative index of inequality (RII) across ordered
quantiles (e.g. deprivation deciles), in the PHE method (METHODS.md, phe_sii; PHEindicatormethods
``phe_sii`` without the optional log/logit transform of the values).

Each quantile i gets its share of the population a_i and the mid-point b_i of its slice of the
cumulative population, the quantiles taken in ascending label order (label 1 first: give the
most deprived the lowest label). The fitted line is the least-squares regression of
sqrt(a_i)*y_i on sqrt(a_i) and b_i*sqrt(a_i), with no intercept term: the coefficients are the
line's value at b = 0 (alpha) and its slope (beta). SII = multiplier * beta, the difference
between the fitted values at the two ends of the population; RII = (alpha + beta) / alpha, the
ratio of the fitted values at the two ends, inverted when the multiplier is negative.

The confidence limits are simulated: each quantile's value is drawn ``repetitions`` times from a
normal distribution, on the log scale for a rate and the logit scale for a proportion (then
transformed back), with the standard error (U - L) / (2 * 1.959964) of its 95% limits on that
scale; the line is refitted to every draw and the limits are the draws' order statistics at
round(R * 0.025) and round(R * 0.975) (for 95%), as the reference implementation takes them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from helpers.stats.checks import (
    ArrayLike,
    check_not_missing,
    check_positive,
    confidence_level,
    fail,
    prepare,
    z_value,
)

ValueType = Literal["other", "rate", "proportion"]
VALUE_TYPES = ("other", "rate", "proportion")

MIN_QUANTILES = 5
MAX_QUANTILES = 100
MIN_REPETITIONS = 1000
REPETITIONS = 100_000
"""The reference implementation's default number of simulated draws (and its minimum, 1,000)."""

SEED = 20_240_601
"""The default seed: the same inputs always give the same simulated limits."""

SE_CONFIDENCE = 0.95
"""The quantiles' limits are taken as 95% limits whatever the SII's confidence level."""


@dataclass(frozen=True)
class Inequality:
    """An SII and RII with their simulated limits at ``confidence``; ``intercept`` is the fitted
    value at the start of the ranking (b = 0, the lowest quantile label), before the
    multiplier."""

    sii: float
    sii_lower: float
    sii_upper: float
    rii: float
    rii_lower: float
    rii_upper: float
    intercept: float
    quantiles: int
    confidence: float
    repetitions: int


def _scale(value_type: str):
    """(to the simulation scale, back) for a value type."""
    if value_type == "rate":
        return np.log, np.exp
    if value_type == "proportion":
        return (lambda p: np.log(p / (1 - p))), (lambda t: 1 / (1 + np.exp(-t)))
    return (lambda v: v), (lambda v: v)


def _check_scale(name: str, values: np.ndarray, value_type: str) -> None:
    if value_type == "rate" and (values <= 0).any():
        raise fail(
            f"{name} must be greater than zero for a rate (found {values[values <= 0][0]:g}): "
            "its standard error is taken on the log scale",
            fix="leave out the groups with a zero rate, or use value_type='other' with se given",
        )
    if value_type == "proportion" and ((values <= 0) | (values >= 1)).any():
        bad = values[(values <= 0) | (values >= 1)][0]
        raise fail(
            f"{name} must be between 0 and 1 (exclusive) for a proportion (found {bad:g}): "
            "its standard error is taken on the logit scale",
            fix="give proportions as fractions (not percentages) and leave out 0 and 1",
        )


def _standard_error(value_type: str, limits: dict[str, np.ndarray]) -> np.ndarray:
    """Each quantile's standard error on the simulation scale, given or from its 95% limits."""
    if "se" in limits:
        if {"lower", "upper"} & set(limits):
            raise fail("give either se or lower and upper, not both")
        s = limits["se"]
        check_not_missing("se", s)
        if (s < 0).any():
            raise fail(f"se must not be negative (found {s[s < 0][0]:g})")
        return s
    if set(limits) != {"lower", "upper"}:
        raise fail(
            "lower and upper (the quantiles' 95% limits) are needed when se is not given",
            fix="pass lower= and upper=, or se= (log scale for a rate, logit for a proportion)",
        )
    lo, hi = limits["lower"], limits["upper"]
    for name, limit in (("lower", lo), ("upper", hi)):
        check_not_missing(name, limit)
        _check_scale(name, limit, value_type)
    if (hi < lo).any():
        raise fail("upper must not be below lower")
    forward, _ = _scale(value_type)
    return (forward(hi) - forward(lo)) / (2 * z_value(SE_CONFIDENCE))


def sii(
    quantile: ArrayLike,
    population: ArrayLike,
    value: ArrayLike,
    *,
    lower: ArrayLike | None = None,
    upper: ArrayLike | None = None,
    se: ArrayLike | None = None,
    value_type: ValueType = "other",
    multiplier: float = 1,
    confidence: float = 0.95,
    repetitions: int = REPETITIONS,
    seed: int | np.random.Generator = SEED,
) -> Inequality:
    """SII and RII of one area's quantiles (one row each), with simulated limits.

    ``lower`` and ``upper`` are each quantile's 95% limits (or ``se`` its standard error, on the
    log scale for a rate and the logit scale for a proportion). A negative ``multiplier`` turns
    the SII round (e.g. -1: the most deprived minus the least deprived when decile 1 is the most
    deprived) and inverts the RII. Every quantile needs a population above zero, a value and
    limits: leave out a quantile with nobody in it (its share of the population is nil, so the
    fit is the same). ``seed`` (an int or a numpy Generator) makes the limits reproducible."""
    if value_type not in VALUE_TYPES:
        raise fail(f"value_type must be one of {', '.join(VALUE_TYPES)}; got {value_type!r}")
    level = confidence_level(confidence)
    try:
        factor = float(multiplier)
    except (TypeError, ValueError) as exc:
        raise fail(f"multiplier must be a non-zero number, got {multiplier!r}") from exc
    if isinstance(multiplier, bool) or not math.isfinite(factor) or factor == 0:
        raise fail(f"multiplier must be a non-zero number, got {multiplier!r}")
    if isinstance(repetitions, bool) or not isinstance(repetitions, int | np.integer):
        raise fail(f"repetitions must be a whole number, got {repetitions!r}")
    if repetitions < MIN_REPETITIONS:
        raise fail(
            f"repetitions must be {MIN_REPETITIONS:,} or more, got {repetitions:,}",
            fix=f"use the default {REPETITIONS:,}, or at least {MIN_REPETITIONS:,}",
        )
    given = {"lower": lower, "upper": upper, "se": se}
    named = [("quantile", quantile), ("population", population), ("value", value)]
    named += [(name, v) for name, v in given.items() if v is not None]
    arrays, _ = prepare(*named)
    q, pop, y = arrays[:3]
    limits = {name: a for (name, _), a in zip(named[3:], arrays[3:], strict=True)}
    for name, values in (("quantile", q), ("population", pop), ("value", y)):
        check_not_missing(name, values)
    if not MIN_QUANTILES <= q.size <= MAX_QUANTILES:
        raise fail(
            f"quantile must have between {MIN_QUANTILES} and {MAX_QUANTILES} quantiles, "
            f"got {q.size}",
            fix="an SII needs at least 5 groups with a population (e.g. deciles or quintiles)",
        )
    if np.unique(q).size != q.size:
        raise fail("quantile must not repeat a label: give one row per quantile")
    check_positive("population", pop)
    _check_scale("value", y, value_type)
    spread = _standard_error(value_type, limits)

    order = np.argsort(q, kind="stable")
    pop, y, spread = pop[order], y[order], spread[order]
    share = pop / pop.sum()
    rank = np.cumsum(share) - share / 2
    root = np.sqrt(share)
    design = np.column_stack([root, rank * root])
    # the least-squares solution as one matrix, reused for every simulated draw
    solve = np.linalg.solve(design.T @ design, design.T)
    alpha, beta = solve @ (root * y)

    forward, back = _scale(value_type)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    draws = back(rng.normal(forward(y), spread, size=(repetitions, q.size)))
    fitted = (draws * root) @ solve.T
    sim_alpha, sim_beta = fitted[:, 0], fitted[:, 1]
    sim_rii = (sim_alpha + sim_beta) / sim_alpha
    rii = (alpha + beta) / alpha
    if factor < 0:
        sim_rii, rii = 1 / sim_rii, 1 / rii
    upper_level = level + (1 - level) / 2
    # 1-based positions, rounded as R rounds (half to even), like the reference implementation
    picks = [round(repetitions * (1 - upper_level)) - 1, round(repetitions * upper_level) - 1]
    sii_limits = np.partition(sim_beta * factor, picks)[picks]
    rii_limits = np.partition(sim_rii, picks)[picks]
    return Inequality(
        sii=float(factor * beta),
        sii_lower=float(sii_limits[0]),
        sii_upper=float(sii_limits[1]),
        rii=float(rii),
        rii_lower=float(rii_limits[0]),
        rii_upper=float(rii_limits[1]),
        intercept=float(alpha),
        quantiles=int(q.size),
        confidence=level,
        repetitions=int(repetitions),
    )
