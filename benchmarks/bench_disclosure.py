"""Benchmark secondary suppression on the real store against the naive way.

Run from the repository root, after `needs build`:  python benchmarks/bench_disclosure.py

helpers.stats.secondary.protect revisits only the groups that a newly hidden cell belongs to.
The naive way sweeps every group again until a whole sweep hides nothing. Both are timed
side by side in this run on the store's own cells and groups (police.uk monthly counts,
deprivation deciles and annual indicators), and the whole build step (protection.mark, which
also builds the groups) is timed too. Figures are printed, never asserted.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.build import protection, store  # noqa: E402
from helpers.stats import disclosure  # noqa: E402
from helpers.stats.secondary import _complement, _exposure, exposures, protect  # noqa: E402


def naive_protect(counts: np.ndarray, hidden: np.ndarray, groups) -> np.ndarray:
    """Sweep every group until a sweep changes nothing."""
    mask = hidden.copy()
    changed = True
    while changed:
        changed = False
        for group in groups:
            if _exposure(counts, mask, group) is not None:
                cell = _complement(counts, mask, group)
                if cell is not None:
                    mask[cell] = True
                    changed = True
    return mask


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    tables = {name: store.load(name) for name in (*protection.TABLES, "areas")}
    crime_types = store.build_info()["disclosure"]["police_crime_types"]
    cells = pd.concat(
        [protection.cell_keys(tables[n]) for n in protection.TABLES], ignore_index=True
    )
    areas = tables["areas"]
    reported = set(areas.loc[areas["is_report_area"], "area_code"])
    scope = ~cells["kind"].isin(protection.REPORT_AREAS_ONLY) | cells["area_code"].isin(reported)
    cells = cells[scope].reset_index(drop=True)
    groups = protection.groups(cells, areas, crime_types)
    counts = cells["count"].to_numpy(dtype="float64")
    primary = np.asarray(disclosure.is_small(cells["count"]), dtype=bool)

    fast = protect(counts, primary, groups)
    slow = naive_protect(counts, primary, groups)
    t_fast = best_of(lambda: protect(counts, primary, groups))
    t_slow = best_of(lambda: naive_protect(counts, primary, groups))
    t_mark = best_of(lambda: protection.mark(tables, crime_types), repeat=1)
    print(f"cells {len(cells):,}, groups {len(groups):,}, primary {int(primary.sum()):,}")
    print(f"hidden: protect {int(fast.sum()):,}, naive {int(slow.sum()):,}")
    print(f"exposed after: protect {len(exposures(counts, fast, groups))}, "
          f"naive {len(exposures(counts, slow, groups))}")  # fmt: skip
    print(f"protect {t_fast * 1000:8.1f} ms")
    print(f"naive   {t_slow * 1000:8.1f} ms   ratio naive/protect {t_slow / t_fast:5.1f}x")
    print(f"protection.mark (cells, groups and protect, the build step) {t_mark:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
