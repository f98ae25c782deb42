"""Benchmark helpers.stats.rate on a million rows against a naive per-row loop.

Run from the repository root:  python benchmarks/bench_stats.py [--rows N] [--sample N]

The naive loop computes the same limits one row at a time in plain Python (scipy for the exact
chi-squared quantiles). It is timed on a sample and scaled up to the full row count, because
running it on a million rows would take minutes. Output is printed, not asserted: performance
is measured here and never asserted as a time in a test.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats as sps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers import stats


def realistic_inputs(rows: int, seed: int = 2017) -> tuple[np.ndarray, np.ndarray]:
    """Populations from small areas to counties and counts at rates of 1 to 2,000 per 100,000.

    Many counts fall below 10 and many do not, so both the exact and Byar's branches run.
    """
    rng = np.random.default_rng(seed)
    population = np.round(np.exp(rng.uniform(np.log(1_500), np.log(700_000), rows)))
    rate_per_person = np.exp(rng.uniform(np.log(1e-5), np.log(2e-2), rows))
    count = rng.poisson(population * rate_per_person).astype(float)
    return count, population


def naive_rate(count, denominator, multiplier=100_000, confidence=0.95):
    """One row at a time: the obvious loop that the vectorised version replaces."""
    z = sps.norm.ppf(confidence + (1 - confidence) / 2)
    rows = []
    for x, n in zip(count, denominator, strict=True):
        if x < 10:
            lower = 0.0 if x == 0 else sps.chi2.ppf((1 - confidence) / 2, 2 * x) / 2
            upper = sps.chi2.ppf((1 + confidence) / 2, 2 * x + 2) / 2
            method = "Exact"
        else:
            lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
            upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
            method = "Byars"
        rows.append((x / n * multiplier, lower / n * multiplier, upper / n * multiplier, method))
    return rows


def best_of(repeats: int, func, *args) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    args = parser.parse_args()

    count, population = realistic_inputs(args.rows)
    small = float(np.mean(count < 10))
    vector_s, frame = best_of(3, stats.rate, count, population)

    sample = slice(0, args.sample)
    loop_s, rows = best_of(1, naive_rate, count[sample], population[sample])
    loop_full_s = loop_s * args.rows / args.sample

    # the two must agree before their times mean anything
    check = np.array([r[1:3] for r in rows], dtype=float)
    np.testing.assert_allclose(frame[["lower", "upper"]].to_numpy()[sample], check, rtol=1e-12)

    print(f"rows: {args.rows:,} ({small:.0%} with counts below 10)")
    print(f"rate() vectorised: {vector_s:.3f} s")
    print(
        f"naive loop: {loop_s:.3f} s for {args.sample:,} rows, "
        f"so about {loop_full_s:.1f} s for {args.rows:,}"
    )
    print(f"speed-up: about {loop_full_s / vector_s:,.0f}x")


if __name__ == "__main__":
    main()
