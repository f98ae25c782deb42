"""police.uk street-level crime for the store: every monthly file read and checked, each row
attributed to the force it falls within, counted by force, month, LSOA and crime type, each LSOA
mapped to its district through the lookup of its vintage, and every month of the configured
range recorded, per force, as published or missing. A crime type with no rows in a month where
the force always has many (e.g. no anti-social behaviour in one month) is recorded as missing for
that month too: police.uk did not publish it, so it is a gap, never a zero."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core import periods
from helpers.core.errors import DataError
from helpers.sources import police_uk

log = logging.getLogger(__name__)

# A type whose median month holds at least this many rows cannot truly have none in a month
UNPUBLISHED_TYPE_MEDIAN = 50


def count_crimes(
    folder: Path,
    cfg: dict,
    lsoa11: pd.DataFrame,
    lsoa21: pd.DataFrame,
    forces: dict[str, str],
):
    """(crimes by force, month, LSOA and type; month coverage by force; crime types missing in
    published months; what was read) from the street files.

    `forces` maps a force name, reduced by police_uk.force_key, to its police force area code.
    A row that falls within no known force stops the build."""
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
    for path in files:
        frame = police_uk.read_street_crime(path)
        names = frame["falls_within"].unique()
        codes = {n: forces.get(police_uk.force_key(n)) for n in names}
        unknown = sorted(n for n, c in codes.items() if c is None)
        if unknown:
            raise DataError(
                f"'Falls within' names a force that is not one of the lookups' English police "
                f"force areas: {', '.join(repr(n) for n in unknown)}",
                path=path,
                fix="keep only English forces' street files in the folder (a force's name is "
                "matched to data/police_forces.csv and the district to force area lookup)",
            )
        frame["pfa_code"] = frame["falls_within"].map(codes)
        rows_read += len(frame)
        parts.append(
            frame.groupby(
                ["pfa_code", "month", "lsoa_code", "crime_type"], dropna=False, observed=True
            )
            .size()
            .rename("count")
            .reset_index()
        )
    crimes = pd.concat(parts, ignore_index=True)
    keys = ["pfa_code", "month", "lsoa_code", "crime_type"]
    crimes = crimes.groupby(keys, dropna=False, as_index=False)["count"].sum()

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
    crimes = crimes[
        ["pfa_code", "month", "lsoa_code", "lsoa_vintage", "lad_code", "crime_type", "count"]
    ]
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
    coverage = _coverage(crimes, police_cfg)
    type_gaps = unpublished_types(crimes, coverage)
    info = {
        "files": len(files),
        "rows_read": rows_read,
        "rows_without_location": no_location,
        "rows_with_unknown_lsoa": int(unmatched["count"].sum()),
        "unknown_lsoa_codes": sorted(unmatched["lsoa_code"].unique().tolist()),
        "forces": {
            force: {
                "months_published": int((part["status"] == "published").sum()),
                "months_missing": part.loc[part["status"] == "missing", "month"].tolist(),
            }
            for force, part in coverage.groupby("pfa_code")
        },
        "types_missing": [f"{r.pfa_code} {r.month} {r.crime_type}" for r in type_gaps.itertuples()],
        "first_month": coverage["month"].min(),
        "last_month": coverage["month"].max(),
    }
    return crimes.reset_index(drop=True), coverage, type_gaps, info


def _coverage(crimes: pd.DataFrame, police_cfg: dict) -> pd.DataFrame:
    """pfa_code, month, rows, status: every month of the configured range, from the force's
    first file to its last, for every force with files."""
    rows_by = crimes.groupby(["pfa_code", "month"])["count"].sum()
    first = police_cfg.get("first_month") or crimes["month"].min()
    last = police_cfg.get("last_month") or crimes["month"].max()
    months = police_uk.expected_months(str(first), str(last))
    frames = []
    for force in sorted(crimes["pfa_code"].unique()):
        # a force's snapshot runs from its first file to its last: months outside it are not
        # gaps in its series, it simply starts (or stops) there
        held = [m for m in months if (force, m) in rows_by.index]
        span = [m for m in months if held and held[0] <= m <= held[-1]]
        part = pd.DataFrame({"pfa_code": force, "month": span})
        part["rows"] = [rows_by.get((force, m)) for m in span]
        part["rows"] = part["rows"].astype("Int64")
        part["status"] = np.where(part["rows"].notna(), "published", "missing")
        missing = part.loc[part["status"] == "missing", "month"].tolist()
        if missing:
            log.warning(
                "police.uk months missing for force %s (shown as gaps): %s",
                force,
                periods.month_ranges(missing),
            )
        frames.append(part)
    return pd.concat(frames, ignore_index=True)


def unpublished_types(crimes: pd.DataFrame, coverage: pd.DataFrame) -> pd.DataFrame:
    """pfa_code, month, crime_type of a published month with no rows of a type the force
    otherwise publishes in bulk (median month >= UNPUBLISHED_TYPE_MEDIAN rows)."""
    published = coverage[coverage["status"] == "published"][["pfa_code", "month"]]
    by_type = crimes.groupby(["pfa_code", "month", "crime_type"])["count"].sum()
    found = []
    for force, months in published.groupby("pfa_code")["month"]:
        for crime_type in sorted(crimes["crime_type"].unique()):
            counts = np.array([by_type.get((force, m, crime_type), 0) for m in months])
            if np.median(counts) < UNPUBLISHED_TYPE_MEDIAN:
                continue
            for month in np.asarray(months)[counts == 0]:
                log.warning(
                    "police.uk force %s published no '%s' rows for %s: a gap, not zero",
                    force,
                    crime_type,
                    month,
                )
                found.append({"pfa_code": force, "month": month, "crime_type": crime_type})
    return pd.DataFrame(found, columns=["pfa_code", "month", "crime_type"])
