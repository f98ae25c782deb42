"""Benchmark helpers.stats.rate on a million rows against a naive per-row loop, and the grouped
statistics engine against a loop over areas on the national-scale cases.

Run from the repository root:  python benchmarks/bench_stats.py [--rows N] [--sample N]

The naive loop computes the same limits one row at a time in plain Python (scipy for the exact
chi-squared quantiles). It is timed on a sample and scaled up to the full row count, because
running it on a million rows would take minutes. Output is printed, not asserted: performance
is measured here and never asserted as a time in a test.

The national-scale cases (issue 16) are 300 areas x 19 age bands (DSR, ISR, ISRatio), 400 rates
and proportions, and funnel significance and quantiles for 40 indicator-periods x 300 areas, each
at 95% and 99.8% where a level applies. Each grouped call is timed against two loops over the
areas: one over today's single-area calls (which are the grouped call with one group) and one
over the single-area code as it was before the engine was grouped (the ``legacy_*`` copies kept
in tests/test_grouped_stats.py). Results are checked to agree (1e-12) before times are printed.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers import stats  # noqa: E402


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


def legacy_module():
    """The pre-grouping single-area code, as kept in the grouped engine's tests."""
    path = ROOT / "tests" / "test_grouped_stats.py"
    spec = importlib.util.spec_from_file_location("grouped_legacy", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _agree(grouped, looped) -> None:
    np.testing.assert_allclose(
        np.asarray(grouped, dtype=float),
        np.asarray(looped, dtype=float),
        rtol=1e-12,
        equal_nan=True,
    )


def _line(name: str, grouped_s: float, api_s: float, legacy_s: float) -> None:
    print(
        f"  {name:<34} grouped {grouped_s * 1e3:8.2f} ms | loop {api_s * 1e3:8.1f} ms "
        f"({api_s / grouped_s:6.1f}x) | pre-grouping loop {legacy_s * 1e3:8.1f} ms "
        f"({legacy_s / grouped_s:6.1f}x)"
    )


def grouped_cases(repeats: int) -> None:
    """Grouped calls against loops over areas at national scale (issue 16)."""
    legacy = legacy_module()
    frame = legacy.national(300)
    areas = [g for _, g in frame.groupby("area", sort=False)]
    ref_count, ref_pop = frame.refcount.iloc[:19], frame.refpop.iloc[:19]
    cols = ["total_count", "total_pop", "value", "lower", "upper"]
    isr_cols = ["observed", "expected", "ref_rate", "value", "lower", "upper"]
    ratio_cols = ["observed", "expected", "value", "lower", "upper"]
    print(f"national scale: {len(areas)} areas x 19 age bands")
    for level in (0.95, 0.998):
        print(f" confidence {level:g}")
        args = (frame["count"], frame["pop"])

        def dsr_grouped(level=level, args=args):
            return stats.dsr(*args, frame.esp2013, groups=frame.area, confidence=level)

        def dsr_api(level=level):
            return [stats.dsr(g["count"], g["pop"], g.esp2013, confidence=level) for g in areas]

        def dsr_legacy(level=level):
            return [
                legacy.legacy_dsr(g["count"], g["pop"], g.esp2013, confidence=level) for g in areas
            ]

        g_s, out = best_of(repeats, dsr_grouped)
        a_s, api = best_of(repeats, dsr_api)
        l_s, old = best_of(repeats, dsr_legacy)
        _agree(out[cols], old)
        _agree(out[cols], [r[cols] for r in api])
        _line("DSR", g_s, a_s, l_s)

        for name, func, old_func, columns in (
            ("ISR", stats.isr, legacy.legacy_isr, isr_cols),
            ("ISRatio", stats.isratio, legacy.legacy_isratio, ratio_cols),
        ):

            def grouped(func=func, level=level, args=args):
                return func(*args, ref_count, ref_pop, groups=frame.area, confidence=level)

            def api(func=func, level=level):
                return [
                    func(g["count"], g["pop"], ref_count, ref_pop, confidence=level) for g in areas
                ]

            def old(old_func=old_func, level=level):
                return [
                    old_func(g["count"], g["pop"], ref_count, ref_pop, confidence=level)[0]
                    for g in areas
                ]

            g_s, out = best_of(repeats, grouped)
            a_s, api_out = best_of(repeats, api)
            l_s, old_out = best_of(repeats, old)
            _agree(out[columns], old_out)
            _agree(out[columns], [r[columns].astype(float) for r in api_out])
            _line(name, g_s, a_s, l_s)

        count, population = realistic_inputs(400, seed=400)
        for name, func in (
            ("rate (400 areas)", stats.rate),
            ("proportion (400 areas)", stats.proportion),
        ):
            x = np.minimum(count, population)

            def one_call(func=func, level=level, x=x, population=population):
                return func(x, population, confidence=level)

            def loop(func=func, level=level, x=x, population=population):
                return [
                    func([a], [b], confidence=level) for a, b in zip(x, population, strict=True)
                ]

            g_s, out = best_of(repeats, one_call)
            a_s, looped = best_of(repeats, loop)
            _agree(out[["value", "lower", "upper"]], pd.concat(looped)[["value", "lower", "upper"]])
            _line(name, g_s, a_s, a_s)

    data = legacy.indicators(40, 300)
    keys = data[["indicator", "period"]]
    parts = [g for _, g in data.groupby(["indicator", "period"])]
    print(f" funnels and quantiles: {len(parts)} indicator-periods x 300 areas")

    def funnel_grouped():
        return stats.funnel_significance(
            data.numerator, data.denominator, statistic="proportion", groups=keys
        )

    def funnel_api():
        return [
            stats.funnel_significance(g.numerator, g.denominator, statistic="proportion")
            for g in parts
        ]

    def funnel_legacy():
        return [
            legacy.legacy_funnel_significance(g.numerator, g.denominator, statistic="proportion")
            for g in parts
        ]

    g_s, out = best_of(repeats, funnel_grouped)
    a_s, _ = best_of(repeats, funnel_api)
    l_s, old = best_of(repeats, funnel_legacy)
    expected = pd.concat(
        [pd.Series(o, index=g.index, dtype=object) for o, g in zip(old, parts, strict=True)]
    )
    assert out.tolist() == expected.loc[data.index].tolist()
    _line("funnel significance (proportion)", g_s, a_s, l_s)
    out_rate = stats.funnel_significance(
        data.numerator, data.denominator, statistic="rate", groups=keys
    )
    g_s, _ = best_of(
        repeats,
        lambda: stats.funnel_significance(
            data.numerator, data.denominator, statistic="rate", groups=keys
        ),
    )
    l_s, old = best_of(
        repeats,
        lambda: [
            legacy.legacy_funnel_significance(g.numerator, g.denominator, statistic="rate")
            for g in parts
        ],
    )
    a_s, _ = best_of(
        repeats,
        lambda: [
            stats.funnel_significance(g.numerator, g.denominator, statistic="rate") for g in parts
        ],
    )
    expected = pd.concat(
        [pd.Series(o, index=g.index, dtype=object) for o, g in zip(old, parts, strict=True)]
    )
    assert out_rate.tolist() == expected.loc[data.index].tolist()
    _line("funnel significance (rate)", g_s, a_s, l_s)

    def quant_grouped():
        return stats.quantiles(data.numerator, groups=keys)

    def quant_api():
        return [stats.quantiles(g.numerator) for g in parts]

    def quant_legacy():
        return [legacy.legacy_quantiles(g.numerator) for g in parts]

    g_s, out = best_of(repeats, quant_grouped)
    a_s, _ = best_of(repeats, quant_api)
    l_s, old = best_of(repeats, quant_legacy)
    expected = pd.concat(
        [pd.Series(o.to_numpy(), index=g.index) for o, g in zip(old, parts, strict=True)]
    )
    pd.testing.assert_series_equal(
        out.reset_index(drop=True),
        expected.loc[data.index].astype("Int64").reset_index(drop=True),
        check_names=False,
    )
    _line("quantiles (deciles)", g_s, a_s, l_s)
    print(" (rates and proportions: the loop is 400 one-row calls; both loop columns are the same)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5, help="best of N for the grouped cases")
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
    print()
    grouped_cases(args.repeats)


if __name__ == "__main__":
    main()
