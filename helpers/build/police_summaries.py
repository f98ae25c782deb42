"""Small police.uk tables that notebooks chart directly, computed once in the build: monthly
counts by area, counts by LSOA and year (hot spots), and counts by deprivation decile.

Each crime takes the IMD decile of its own LSOA, in the edition made for that LSOA's vintage
(helpers.build.deprivation): IMD 2019 for 2011 LSOAs (police.uk up to 2022), IMD 2025 for 2021
LSOAs (from 2023). In 2023 police.uk used both vintages for some months (January to May), so a
2023 decile count can mix both editions: its rows say so ("IMD 2019 and IMD 2025").

Years on 2011 LSOAs also get the decile's residents (ONS mid-2020 small-area estimates) and
the crime rate per 1,000 of them; no small-area population for 2021 LSOAs is shipped, so years
on 2021 LSOAs keep crimes per neighbourhood only, and say why (``rate_note``)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from helpers import stats
from helpers.build import deprivation as editions
from helpers.core.errors import DataError

log = logging.getLogger(__name__)

PER_RESIDENTS = 1000
"""Rates by deprivation decile are crimes per 1,000 residents."""
POPULATION_VINTAGE = "2011"
"""The LSOA vintage the shipped small-area population (mid-2020) is for."""
NO_POPULATION_2021 = "no small-area population for 2021 LSOAs is shipped"
NO_POPULATION_FILE = "the snapshot has no LSOA population file"
NO_NEIGHBOURHOOD = "no neighbourhood of the area is in this decile"
NO_COUNT = "a month of this crime type is missing from the year"
HIDDEN = "hidden to protect privacy"
RATE_COLUMNS = ("rate", "rate_lower", "rate_upper")
DEPRIVATION_COLUMNS = [
    "area_code",
    "year",
    "crime_type",
    "imd_decile",
    "imd_edition",
    "lsoas",
    "count",
    "per_lsoa",
    "residents",
    "rate",
    "rate_lower",
    "rate_upper",
    "rate_note",
]


def police_groups(areas: pd.DataFrame, forces) -> dict[str, tuple[str, list[str]]]:
    """{area code: (its force, the local authorities its police.uk count adds up)} for every
    area of the forces with street files: each district and unitary authority, each county
    (its districts) and the force area (all of them)."""
    out: dict[str, tuple[str, list[str]]] = {}
    local = areas[areas["tier"].isin(["lower", "single"])]
    for force in sorted(forces):
        members = sorted(local.loc[local["pfa_code"] == force, "area_code"])
        for code in members:
            out[code] = (force, [code])
        counties = local.loc[local["pfa_code"] == force, "county_code"].dropna().unique()
        for county in sorted(counties):
            out[county] = (force, sorted(local.loc[local["county_code"] == county, "area_code"]))
        out[force] = (force, members)
    return out


def _with_areas(crimes: pd.DataFrame, groups: dict) -> pd.DataFrame:
    """Each crime row once per area it counts towards: its district, the county, the force.
    Only rows that fall within the area's own force count (a row snapped into a neighbouring
    force's district belongs to neither)."""
    parts = []
    for code, (force, members) in groups.items():
        rows = crimes[(crimes["pfa_code"] == force) & crimes["lad_code"].isin(members)]
        parts.append(rows.assign(area_code=code))
    return pd.concat(parts, ignore_index=True)


def monthly(crimes: pd.DataFrame, coverage: pd.DataFrame, type_gaps: pd.DataFrame, groups: dict):
    """area_code, month, crime_type, count, status; a month (or a crime type in a month) that
    police.uk did not publish has no count (NaN) and status 'missing'."""
    rows = _with_areas(crimes, groups)
    counts = rows.groupby(["area_code", "month", "crime_type"], as_index=False)["count"].sum()
    types = sorted(crimes["crime_type"].unique())
    force_of = pd.DataFrame(
        [(code, force) for code, (force, _) in groups.items()], columns=["area_code", "pfa_code"]
    )
    full = force_of.merge(coverage[["pfa_code", "month", "status"]], on="pfa_code").merge(
        pd.DataFrame({"crime_type": types}), how="cross"
    )
    frame = full.merge(counts, how="left", on=["area_code", "month", "crime_type"])
    gap = (
        frame.merge(
            type_gaps.assign(_gap=True), how="left", on=["pfa_code", "month", "crime_type"]
        )["_gap"]
        .fillna(False)
        .astype(bool)
        .to_numpy()
    )
    frame.loc[gap, "status"] = "missing"
    published = frame["status"] == "published"
    frame["count"] = np.where(published, frame["count"].fillna(0), np.nan)  # a true zero
    return frame[["area_code", "month", "crime_type", "count", "status"]]


def lsoa_year(
    crimes: pd.DataFrame, lsoas: pd.DataFrame, type_gaps: pd.DataFrame, groups: dict
) -> pd.DataFrame:
    """lsoa_code, lsoa_name, lad_code, year, crime_type, count, imd_decile, imd_edition for the
    LSOAs of the forces with street files (each force's own rows in its own local authorities);
    each LSOA's decile is of its vintage's edition. A year in which a crime type was not
    published for a month has no rows for that type."""
    located = _with_areas(crimes, {c: g for c, g in groups.items() if g[1] == [c]})
    gap_years = type_gaps.assign(year=type_gaps["month"].str[:4])[
        ["pfa_code", "year", "crime_type"]
    ].drop_duplicates()
    located = located.assign(year=located["month"].str[:4])
    located = located.merge(gap_years.assign(_gap=True), how="left")
    located = located[located["_gap"].isna()]
    counts = located.groupby(
        ["lsoa_code", "lsoa_vintage", "lad_code", "year", "crime_type"], as_index=False
    )["count"].sum()
    names = lsoas.rename(columns={"vintage": "lsoa_vintage"})[
        ["lsoa_code", "lsoa_vintage", "lsoa_name", "imd_decile", "imd_edition"]
    ]
    return counts.merge(names, how="left", on=["lsoa_code", "lsoa_vintage"])


def deprivation(
    lsoa_counts: pd.DataFrame,
    lsoas: pd.DataFrame,
    coverage: pd.DataFrame,
    type_gaps: pd.DataFrame,
    groups: dict,
    residents: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Crimes per LSOA per year by IMD decile, for complete years (a crime type missing from
    one of the year's months has no count that year), with the edition of the deciles used.

    LSOA populations are not in the snapshot, so the measure is the average count per LSOA
    (LSOAs are built to hold similar populations, about 1,000 to 3,000 residents): the year's
    crimes in a decile (each crime by its own LSOA's decile) over the LSOAs of the year's
    vintage in that decile (2011 LSOAs and IMD 2019 up to 2022, 2021 LSOAs and IMD 2025 from
    2023). ``imd_edition`` names every edition the area's figures of the year draw on: 2023,
    with 2011 codes in some months, reads "IMD 2019 and IMD 2025" (deciles are compared
    between editions, never ranks).

    ``residents`` (lsoa_code, population: mid-2020, 2011 LSOAs) adds, for years on 2011 LSOAs,
    the decile's ``residents`` and the rate per 1,000 with PHE limits (``rate``, ``rate_lower``,
    ``rate_upper``); elsewhere these are NaN and ``rate_note`` says why. Disclosure control
    comes later (helpers.build.protection): a view hides the rate wherever it hides the
    count."""
    months = coverage.assign(year=coverage["month"].str[:4])
    complete = months.groupby(["pfa_code", "year"])["status"].apply(
        lambda s: (s == "published").sum() == 12
    )
    data = lsoa_counts
    gaps = set(
        zip(type_gaps["pfa_code"], type_gaps["month"].str[:4], type_gaps["crime_type"], strict=True)
    )
    rows = []
    for area, (force, members) in groups.items():
        part = data[data["lad_code"].isin(members)]
        years = [y for (f, y), whole in complete.items() if f == force and whole]
        for year in years:
            vintage = "2011" if year <= "2022" else "2021"
            pool = lsoas[(lsoas["vintage"] == vintage) & lsoas["lad_code"].isin(members)]
            n_lsoas = pool.groupby("imd_decile").size()
            people = _residents(pool, residents, area) if vintage == POPULATION_VINTAGE else None
            of_year = part[part["year"] == year]
            edition = editions.editions(
                [editions.EDITION_OF_VINTAGE[vintage], *of_year["imd_edition"].dropna()]
            )
            counts = of_year.groupby(["crime_type", "imd_decile"])["count"].sum()
            unplaced = counts[~counts.index.get_level_values("imd_decile").isin(n_lsoas.index)]
            if unplaced.sum():  # only where a year mixes editions: a 2011 LSOA's decile
                log.warning(
                    "%s %s: %d crimes are in %s deciles with no %s LSOA of the area (no figure)",
                    area,
                    year,
                    int(unplaced.sum()),
                    editions.EDITION_2019,
                    vintage,
                )
            for crime_type in sorted(data["crime_type"].unique()):
                for decile in range(1, 11):
                    n = int(n_lsoas.get(decile, 0))
                    known = n and (force, year, crime_type) not in gaps
                    count = float(counts.get((crime_type, decile), 0)) if known else np.nan
                    rows.append(
                        {
                            "area_code": area,
                            "year": year,
                            "crime_type": crime_type,
                            "imd_decile": decile,
                            "imd_edition": edition,
                            "lsoas": n,
                            "count": count,
                            "per_lsoa": count / n if known else np.nan,
                            "residents": people.get(decile, np.nan)
                            if people is not None
                            else np.nan,
                            "rate_note": _rate_note(n, vintage, residents, known),
                        }
                    )
    return _with_rates(pd.DataFrame(rows, columns=DEPRIVATION_COLUMNS))


def _residents(pool: pd.DataFrame, residents: pd.DataFrame | None, area: str) -> pd.Series | None:
    """Residents of the area's 2011 LSOAs by decile; every LSOA must have a population."""
    if residents is None:
        return None
    people = pool[["lsoa_code", "imd_decile"]].merge(residents, how="left", on="lsoa_code")
    missing = people.loc[people["population"].isna(), "lsoa_code"]
    if len(missing):
        raise DataError(
            f"{len(missing)} 2011 LSOA(s) of {area} have no mid-2020 population "
            f"(first: {missing.iloc[0]})",
            fix="use the complete ONS file for every 2011 LSOA (data/sources.yaml, "
            "ons_sape_2020_lsoa11)",
        )
    return people.groupby("imd_decile")["population"].sum()


def _rate_note(n: int, vintage: str, residents: pd.DataFrame | None, known) -> str | None:
    """Why a decile has no rate per resident (None where it has one)."""
    if vintage != POPULATION_VINTAGE:
        return NO_POPULATION_2021
    if residents is None:
        return NO_POPULATION_FILE
    if not n:
        return NO_NEIGHBOURHOOD
    return None if known else NO_COUNT


def _with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Crimes per 1,000 residents with PHE limits (exact below 10 crimes, Byar's from 10)."""
    frame = frame.astype({c: float for c in ("residents", "rate", "rate_lower", "rate_upper")})
    ok = frame["count"].notna() & frame["residents"].gt(0)
    if ok.any():
        found = stats.rate(
            frame.loc[ok, "count"], frame.loc[ok, "residents"], multiplier=PER_RESIDENTS
        )
        frame.loc[ok, ["rate", "rate_lower", "rate_upper"]] = found[
            ["value", "lower", "upper"]
        ].to_numpy()
    return frame


def hide_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """The deprivation table after disclosure control, with no rate where the count is hidden:
    a rate times the residents beside it would give the count back. (Views hide the count and
    the per-neighbourhood figure; the store keeps counts for the audit's checks.)"""
    hidden = frame["suppressed"].to_numpy(dtype=bool)
    out = frame.copy()
    out.loc[hidden, list(RATE_COLUMNS)] = np.nan
    out.loc[hidden & out["residents"].notna().to_numpy(), "rate_note"] = HIDDEN
    return out
