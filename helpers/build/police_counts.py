"""police.uk street-level crime for the store: every monthly file read and checked, counted by
month, LSOA and crime type, each LSOA mapped to its district through the lookup of its
vintage, and every month of the configured range recorded as published or missing."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataError
from helpers.sources import police_uk

log = logging.getLogger(__name__)


def count_crimes(
    folder: Path,
    cfg: dict,
    lsoa11: pd.DataFrame,
    lsoa21: pd.DataFrame,
    *,
    force: str | None = None,
):
    """(crimes by month, LSOA and type; month coverage; what was read) from the street files.

    With `force` (the force area's name, as the areas table has it), a file of another force's
    crime in the folder stops the build, naming the file and the force it holds."""
    police_cfg = cfg.get("police", {})
    files = police_uk.street_files(folder) if folder.exists() else []
    if not files:
        raise DataError(
            "no police.uk street-level files found",
            path=folder,
            fix="restore data/raw/police_uk/street or run `needs fetch police`",
        )
    rows_read = 0
    parts = []
    rows_by_month: dict[str, int] = {}
    for path in files:
        frame = police_uk.read_street_crime(path, force=force)
        rows_read += len(frame)
        counts = (
            frame.groupby(["month", "lsoa_code", "crime_type"], dropna=False, observed=True)
            .size()
            .rename("count")
            .reset_index()
        )
        parts.append(counts)
        for month, n in frame["month"].value_counts().items():
            rows_by_month[month] = rows_by_month.get(month, 0) + int(n)
    crimes = pd.concat(parts, ignore_index=True)
    crimes = crimes.groupby(["month", "lsoa_code", "crime_type"], dropna=False, as_index=False)[
        "count"
    ].sum()

    # Map each LSOA through the lookup of its vintage: 2011 LSOAs up to 2022, 2021 LSOAs from
    # 2023 (Jan-May 2023 mix both, so a 2023 code not in the 2021 lookup is tried as 2011).
    to11 = dict(zip(lsoa11["lsoa_code"], lsoa11["lad_code"], strict=True))
    to21 = dict(zip(lsoa21["lsoa_code"], lsoa21["lad_code"], strict=True))
    codes = crimes["lsoa_code"]
    recent = crimes["month"] >= "2023-01"
    lad21 = codes.map(to21).where(recent)
    lad11 = codes.map(to11)
    crimes["lsoa_vintage"] = np.select(
        [recent & lad21.notna(), lad11.notna()], ["2021", "2011"], default=None
    )
    crimes["lad_code"] = lad21.fillna(lad11)
    crimes = crimes[["month", "lsoa_code", "lsoa_vintage", "lad_code", "crime_type", "count"]]
    crimes["count"] = crimes["count"].astype("int64")
    total = int(crimes["count"].sum())
    if total != rows_read:  # a guard on our own aggregation, never expected to fire
        raise AssertionError(f"police counts add up to {total}, not the {rows_read} rows read")

    no_location = int(crimes.loc[crimes["lsoa_code"].isna(), "count"].sum())
    unmatched = crimes[crimes["lsoa_code"].notna() & crimes["lad_code"].isna()]
    if no_location:
        log.warning(
            "%d police.uk rows have no location (blank LSOA); kept with a blank district",
            no_location,
        )
    if len(unmatched):
        log.warning(
            "%d police.uk rows have an LSOA code in no lookup (%s); kept with a blank district",
            int(unmatched["count"].sum()),
            ", ".join(sorted(unmatched["lsoa_code"].unique())[:5]),
        )

    first = police_cfg.get("first_month") or min(rows_by_month)
    last = police_cfg.get("last_month") or max(rows_by_month)
    months = police_uk.expected_months(str(first), str(last))
    coverage = pd.DataFrame({"month": months})
    coverage["rows"] = coverage["month"].map(rows_by_month).astype("Int64")
    coverage["status"] = np.where(coverage["rows"].notna(), "published", "missing")
    missing = coverage.loc[coverage["status"] == "missing", "month"].tolist()
    if missing:
        log.warning(
            "police.uk months missing from the snapshot (shown as gaps): %s", ", ".join(missing)
        )
    info = {
        "files": len(files),
        "rows_read": rows_read,
        "rows_without_location": no_location,
        "rows_with_unknown_lsoa": int(unmatched["count"].sum()),
        "unknown_lsoa_codes": sorted(unmatched["lsoa_code"].unique().tolist()),
        "months_missing": missing,
        "first_month": months[0],
        "last_month": months[-1],
    }
    return crimes.reset_index(drop=True), coverage, info
