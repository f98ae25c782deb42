"""Small police.uk tables that notebooks chart directly, computed once in the build: monthly
counts by area, counts by LSOA and year (hot spots), and counts by deprivation decile."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.core import config


def _with_areas(crimes: pd.DataFrame, areas_cfg: config.Areas) -> pd.DataFrame:
    """Each crime row once per area it counts towards: its district, the county, the force."""
    located = crimes[crimes["lad_code"].isin(areas_cfg.force_districts)]
    parts = [located.assign(area_code=located["lad_code"])]
    county = located[located["lad_code"].isin(areas_cfg.districts)]
    parts.append(county.assign(area_code=areas_cfg.county))
    parts.append(located.assign(area_code=areas_cfg.force_area))
    return pd.concat(parts, ignore_index=True)


def monthly(crimes: pd.DataFrame, coverage: pd.DataFrame, areas_cfg: config.Areas) -> pd.DataFrame:
    """area_code, month, crime_type, count, status; unpublished months have no count (NaN)."""
    rows = _with_areas(crimes, areas_cfg)
    counts = rows.groupby(["area_code", "month", "crime_type"], as_index=False)["count"].sum()
    full = pd.MultiIndex.from_product(
        [counts["area_code"].unique(), coverage["month"], sorted(crimes["crime_type"].unique())],
        names=["area_code", "month", "crime_type"],
    ).to_frame(index=False)
    frame = full.merge(counts, how="left").merge(coverage[["month", "status"]], how="left")
    published = frame["status"] == "published"
    frame["count"] = np.where(published, frame["count"].fillna(0), np.nan)  # a true zero
    return frame


def lsoa_year(crimes: pd.DataFrame, lsoas: pd.DataFrame, areas_cfg: config.Areas) -> pd.DataFrame:
    """lsoa_code, lsoa_name, lad_code, year, crime_type, count, imd_decile for the force area."""
    located = crimes[crimes["lad_code"].isin(areas_cfg.force_districts)]
    located = located.assign(year=located["month"].str[:4])
    counts = located.groupby(
        ["lsoa_code", "lsoa_vintage", "lad_code", "year", "crime_type"], as_index=False
    )["count"].sum()
    names = lsoas.rename(columns={"vintage": "lsoa_vintage"})[
        ["lsoa_code", "lsoa_vintage", "lsoa_name", "imd_decile"]
    ]
    return counts.merge(names, how="left", on=["lsoa_code", "lsoa_vintage"])


def deprivation(
    lsoa_counts: pd.DataFrame, lsoas: pd.DataFrame, coverage: pd.DataFrame, areas_cfg: config.Areas
) -> pd.DataFrame:
    """Crimes per LSOA per year by IMD 2019 decile, for complete years.

    LSOA populations are not in the snapshot, so the measure is the average count per LSOA
    (LSOAs are built to hold similar populations, about 1,000 to 3,000 residents)."""
    months = coverage.assign(year=coverage["month"].str[:4])
    complete = months.groupby("year")["status"].apply(lambda s: (s == "published").sum() == 12)
    years = complete[complete].index
    data = lsoa_counts[lsoa_counts["year"].isin(years)]
    rows = []
    for area, members in areas_cfg.members().items():
        part = data[data["lad_code"].isin(members)]
        for year in years:
            vintage = "2011" if year <= "2022" else "2021"
            pool = lsoas[(lsoas["vintage"] == vintage) & lsoas["lad_code"].isin(members)]
            n_lsoas = pool.groupby("imd_decile").size()
            counts = part[part["year"] == year].groupby(["crime_type", "imd_decile"])["count"].sum()
            for crime_type in sorted(data["crime_type"].unique()):
                for decile in range(1, 11):
                    n = int(n_lsoas.get(decile, 0))
                    count = float(counts.get((crime_type, decile), 0)) if n else np.nan
                    rows.append(
                        {
                            "area_code": area,
                            "year": year,
                            "crime_type": crime_type,
                            "imd_decile": decile,
                            "lsoas": n,
                            "count": count,
                            "per_lsoa": count / n if n else np.nan,
                        }
                    )
    return pd.DataFrame(rows)
