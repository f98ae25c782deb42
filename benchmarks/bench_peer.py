"""Benchmark the grouped statistics engine (helpers.stats, ``groups=``) against DHSC's
PHStatsMethods (PyPI, pinned in benchmarks/requirements-bench.txt), one grouped call each.

Run with the benchmark's own environment, which has PHStatsMethods and the project:
    make bench          (creates .venv-bench and runs this among the other benchmarks)
    .venv-bench/bin/python benchmarks/bench_peer.py [--repeats N]
PHStatsMethods is never a dependency of the project itself.

The cases are the national-scale ones of benchmarks/bench_stats.py, at 95% and 99.8%:
* DSR, ISR and ISRatio for 300 areas x 19 age bands. The populations are real: the store's
  mid-2022 single-year-of-age estimates (persons) of every district and unitary authority,
  then counties to make 300 areas, summed into the 19 ESP2013 bands; the reference population
  is England's. The counts are synthetic (seeded Poisson draws at band rates rising with age,
  varied by area), because the store holds no deaths or admissions by age band. The standard
  population is tests/reference/phe/esp2013.csv.
* Rates and proportions for 400 groups: real counts and denominators from the store's
  indicator_values (police recorded crime and populations), one group per indicator and area,
  pooled over its periods (the groups with several periods and the few with fewer than 10
  events first, then the rest in store order, 400 in all).
Without a built store (`needs build`) both fall back to seeded synthetic inputs of the same
shape, and the output says so.

First every result is checked against PHStatsMethods' (value, lower and upper limits, at both
levels) and the biggest difference printed; the run stops if any exceeds 1e-9 (relative, or
absolute below 1). Then each pair of calls is timed side by side, alternating, best of
``--repeats``. Times are printed, never asserted.

Where the two differ by definition, like is compared with like and the output says so:
PHStatsMethods' byars_upper refuses a count of 0 (ValueError), so areas and groups with no
events are left out of its inputs (ours gives them a lower limit of 0 and the exact upper one);
it has no grouped ISR/ISRatio other than Byar's with exact limits below 10 events, which is our
"phe" rule, and its proportions are Wilson's, as ours. Its ph_mean has no counterpart here: our
mean_ci takes no groups.
"""

from __future__ import annotations

import argparse
import gc
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers import stats  # noqa: E402

try:
    import PHStatsMethods as peer
    from PHStatsMethods.validation import ci_col
except ImportError:  # pragma: no cover - a message for people
    sys.exit(
        "PHStatsMethods is not installed: run `make bench`, or "
        ".venv-bench/bin/python benchmarks/bench_peer.py"
    )

LEVELS = (0.95, 0.998)
TOLERANCE = 1e-9
AREAS = 300
GROUPS = 400
ENGLAND = "E92000001"


def _peer_ci(level: float, side: str) -> str:
    """PHStatsMethods' name for a limit column: lower_95_ci, upper_99_8_ci."""
    return ci_col(level, side)


# ------------------------------------------------------------------------------------ inputs


def _store_table(name: str) -> pd.DataFrame | None:
    try:
        from helpers.build import store

        return store.load(name)
    except Exception:  # noqa: BLE001 - no store: synthetic inputs instead
        return None


def _band_populations(population: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame | None:
    """Mid-2022 persons by ESP2013 band: one row per area and band (the first AREAS areas of
    the lower tier, then counties) and England's as the reference."""
    rows = population[
        (population["year"] == 2022)
        & (population["sex"] == "Persons")
        & (population["age"] != "all")
    ]
    if rows.empty:
        return None
    age = rows["age"].str.rstrip("+").astype(int)
    band = np.minimum(age // 5, 18)
    table = rows.assign(band=band).groupby(["area_code", "band"], sort=False)["population"].sum()
    table = table.unstack("band").dropna()
    if ENGLAND not in table.index or table.shape[1] != 19:
        return None
    tiers = areas.set_index("area_code")["tier"]
    order = [c for t in ("lower", "single", "upper") for c in tiers.index[tiers == t]]
    chosen = [c for c in order if c in table.index][:AREAS]
    if len(chosen) < AREAS:
        return None
    return table.loc[[*chosen, ENGLAND]]


def standardised_inputs(seed: int = 16) -> tuple[pd.DataFrame, str]:
    """Band rows (area, band, count, pop, esp2013, refcount, refpop) for 300 areas x 19 bands."""
    rng = np.random.default_rng(seed)
    band_rate = np.exp(np.linspace(np.log(2e-4), np.log(8e-2), 19))
    population, areas = _store_table("population"), _store_table("areas")
    table = None if population is None or areas is None else _band_populations(population, areas)
    if table is not None:
        pop = table.iloc[:AREAS].to_numpy(dtype=float)
        ref_pop = table.iloc[AREAS].to_numpy(dtype=float)
        codes = list(table.index[:AREAS])
        where = "real populations (store, mid-2022) with synthetic counts"
    else:
        pop = np.round(np.exp(rng.uniform(np.log(200), np.log(60_000), (AREAS, 19))))
        ref_pop = np.round(pop.sum(axis=0) * 7.0)
        codes = [f"A{i:04d}" for i in rng.permutation(AREAS)]
        where = "synthetic populations and counts (no store: run `needs build`)"
    area_factor = np.exp(rng.normal(0, 0.4, AREAS))[:, None]
    count = rng.poisson(pop * band_rate * area_factor / 4).astype(float)
    count[rng.random(count.shape) < 0.02] = np.nan  # missing counts, taken as 0 by both
    standard = pd.read_csv(ROOT / "tests" / "reference" / "phe" / "esp2013.csv")["esp2013"]
    frame = pd.DataFrame(
        {
            "area": np.repeat(codes, 19),
            "band": np.tile(np.arange(19), AREAS),
            "count": count.ravel(),
            "pop": pop.ravel(),
            "esp2013": np.tile(standard.to_numpy(dtype=float), AREAS),
            "refcount": np.tile(np.round(ref_pop * band_rate), AREAS),
            "refpop": np.tile(ref_pop, AREAS),
        }
    )
    return frame, where


def count_inputs(seed: int = 400) -> tuple[pd.DataFrame, str]:
    """Rows (group, count, denominator) of 400 groups, for rates and proportions."""
    values = _store_table("indicator_values")
    if values is not None:
        rows = values[values["count"].notna() & values["denominator"].notna()]
        rows = rows[rows["count"] <= rows["denominator"]]
        key = rows["indicator_id"].astype(str) + "|" + rows["area_code"].astype(str)
        sums = rows.groupby(key, sort=False).agg(n=("count", "size"), total=("count", "sum"))
        first = (sums["n"] > 1) | (sums["total"] < 10)
        chosen = set([*sums.index[first], *sums.index[~first]][:GROUPS])
        if len(chosen) == GROUPS:
            keep = key.isin(chosen)
            frame = pd.DataFrame(
                {
                    "group": key[keep].to_numpy(),
                    "count": rows.loc[keep, "count"].to_numpy(dtype=float),
                    "denominator": rows.loc[keep, "denominator"].to_numpy(dtype=float),
                }
            )
            return frame, "real counts and denominators (store indicator_values)"
    rng = np.random.default_rng(seed)
    per_group = rng.integers(1, 11, GROUPS)
    group = np.repeat([f"G{i:04d}" for i in rng.permutation(GROUPS)], per_group)
    denominator = np.round(np.exp(rng.uniform(np.log(1_500), np.log(700_000), group.size)))
    count = rng.poisson(denominator * np.exp(rng.uniform(np.log(1e-5), np.log(2e-2), group.size)))
    frame = pd.DataFrame({"group": group, "count": count.astype(float), "denominator": denominator})
    return frame, "synthetic counts and denominators (no store: run `needs build`)"


# ------------------------------------------------------------------------------- the calls


def cases(standard: pd.DataFrame, counts: pd.DataFrame) -> tuple[list[dict], int, int]:
    """Each method and level: our call, PHStatsMethods' call, and how to line their results up."""
    totals = standard.groupby("area", sort=False)["count"].sum()
    no_events = set(totals.index[totals == 0])
    peer_standard = standard[~standard["area"].isin(no_events)].reset_index(drop=True)
    sums = counts.groupby("group", sort=False)["count"].sum()
    peer_counts = counts[~counts["group"].isin(set(sums.index[sums == 0]))].reset_index(drop=True)
    ref_count, ref_pop = standard["refcount"].iloc[:19], standard["refpop"].iloc[:19]
    found = []
    for level in LEVELS:
        s, c = peer_standard, peer_counts
        found += [
            dict(
                name="DSR",
                level=level,
                key="area",
                ours=lambda s=s, level=level: stats.dsr(
                    s["count"], s["pop"], s["esp2013"], groups=s["area"], confidence=level
                ),
                peer=lambda s=s, level=level: peer.ph_dsr(
                    s,
                    "count",
                    "pop",
                    "esp2013",
                    group_cols="area",
                    metadata=False,
                    confidence=level,
                    euro_standard_pops=False,
                ),
                pairs=[("total_count", "Total Count"), ("value", "Value")],
            ),
            dict(
                name="ISR",
                level=level,
                key="area",
                ours=lambda s=s, level=level: stats.isr(
                    s["count"], s["pop"], ref_count, ref_pop, groups=s["area"], confidence=level
                ),
                peer=lambda s=s, level=level: peer.ph_ISRate(
                    s,
                    "count",
                    "pop",
                    "refcount",
                    "refpop",
                    group_cols="area",
                    metadata=False,
                    confidence=level,
                ),
                pairs=[("observed", "Observed"), ("expected", "Expected"), ("value", "Value")],
            ),
            dict(
                name="ISRatio",
                level=level,
                key="area",
                ours=lambda s=s, level=level: stats.isratio(
                    s["count"], s["pop"], ref_count, ref_pop, groups=s["area"], confidence=level
                ),
                peer=lambda s=s, level=level: peer.ph_ISRatio(
                    s,
                    "count",
                    "pop",
                    "refcount",
                    "refpop",
                    group_cols="area",
                    metadata=False,
                    confidence=level,
                ),
                pairs=[("observed", "Observed"), ("expected", "Expected"), ("value", "Value")],
            ),
            dict(
                name="rate",
                level=level,
                key="group",
                ours=lambda c=c, level=level: stats.rate(
                    c["count"], c["denominator"], groups=c["group"], confidence=level
                ),
                peer=lambda c=c, level=level: peer.ph_rate(
                    c,
                    "count",
                    "denominator",
                    group_cols="group",
                    metadata=False,
                    confidence=level,
                ),
                pairs=[("value", "Value")],
            ),
            dict(
                name="proportion",
                level=level,
                key="group",
                ours=lambda c=c, level=level: stats.proportion(
                    c["count"], c["denominator"], groups=c["group"], confidence=level
                ),
                peer=lambda c=c, level=level: peer.ph_proportion(
                    c,
                    "count",
                    "denominator",
                    group_cols="group",
                    metadata=False,
                    confidence=level,
                ),
                pairs=[("value", "Value")],
            ),
        ]
    for case in found:
        level = case["level"]
        case["pairs"] += [("lower", _peer_ci(level, "lower")), ("upper", _peer_ci(level, "upper"))]
    return found, len(no_events), int((sums == 0).sum())


def difference(case: dict, ours: pd.DataFrame, theirs: pd.DataFrame) -> tuple[float, str]:
    """The biggest difference over the case's columns: |a - b| / max(|b|, 1), and where."""
    key = case["key"]
    joined = ours.merge(theirs, on=key, how="outer", suffixes=("", "_peer"), indicator=True)
    if not (joined["_merge"] == "both").all():
        raise SystemExit(f"{case['name']}: the two give different groups")
    worst, where = 0.0, ""
    for mine, their in case["pairs"]:
        a = joined[mine].to_numpy(dtype=float)
        b = joined[their if their != mine else f"{their}_peer"].to_numpy(dtype=float)
        if not np.array_equal(np.isnan(a), np.isnan(b)):
            raise SystemExit(f"{case['name']} {mine}: missing values differ")
        gap = np.abs(a - b) / np.maximum(np.abs(b), 1)
        gap = np.nan_to_num(gap, nan=0.0)
        if gap.max(initial=0.0) > worst:
            worst, where = float(gap.max()), mine
    return worst, where


def best_pair(repeats: int, ours, theirs) -> tuple[float, float]:
    """Best of ``repeats`` for each, run alternately so both see the same machine load, with
    the garbage collector off while a call is timed (as timeit does)."""
    best = [math.inf, math.inf]
    for _ in range(repeats):
        for i, call in enumerate((ours, theirs)):
            gc.disable()
            try:
                start = time.perf_counter()
                call()
                best[i] = min(best[i], time.perf_counter() - start)
            finally:
                gc.enable()
    return best[0], best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="best of N (default 10)")
    args = parser.parse_args()

    standard, standard_from = standardised_inputs()
    counts, counts_from = count_inputs()
    found, no_events, no_group_events = cases(standard, counts)
    print(f"PHStatsMethods {getattr(peer, '__version__', '0.1.16')} against helpers.stats")
    print(f"DSR, ISR, ISRatio: {AREAS} areas x 19 age bands; {standard_from}")
    print(f"rate, proportion: {GROUPS} groups of {len(counts):,} rows; {counts_from}")
    if no_events or no_group_events:
        print(
            f"left out of both calls: {no_events} areas and {no_group_events} groups with no "
            "events (PHStatsMethods' byars_upper refuses a count of 0)"
        )

    print("\nagreement (|ours - peer| / max(|peer|, 1), over value, lower and upper):")
    worst = 0.0
    for case in found:
        gap, where = difference(case, case["ours"](), case["peer"]())
        worst = max(worst, gap)
        print(f"  {case['name']:<11} {case['level']:g}: {gap:.2e}  ({where or 'all equal'})")
    print(f"  biggest difference: {worst:.2e} (limit {TOLERANCE:g})")
    if worst > TOLERANCE:
        raise SystemExit("the results differ by more than 1e-9: times not taken")

    print(f"\ntimes, one grouped call each (best of {args.repeats}):")
    print(f"  {'method':<18} {'ours s':>10} {'peer s':>10} {'ratio':>8}")
    for case in found:
        ours_s, peer_s = best_pair(args.repeats, case["ours"], case["peer"])
        label = f"{case['name']} {case['level']:g}"
        print(f"  {label:<18} {ours_s:10.5f} {peer_s:10.5f} {peer_s / ours_s:7.1f}x")
    print("  (ratio: PHStatsMethods' time over ours; above 1 means ours is faster)")


if __name__ == "__main__":
    main()
