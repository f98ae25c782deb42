"""Benchmarks beyond the county: each area's rank and quintile among all of England's areas of
its kind, and its statistical neighbours, computed once for the national store.

Two sets of areas are compared, as Fingertips does: "districts" (lower-tier districts and
single-tier authorities: the 2024 districts and unitary authorities) and "upper tier" (counties
and single-tier authorities). A single-tier authority belongs to both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import stats
from helpers.build import deprivation
from helpers.stats import neighbours as nearest

SETS = {"districts": ("lower", "single"), "upper tier": ("upper", "single")}
SET_WORDS = {
    "districts": "English districts and unitary authorities",
    "upper tier": "English counties and unitary authorities",
}
# An indicator is ranked in a period only where it covers most of the set: a ranking among a
# few areas (e.g. two forces' police.uk data) would not be "where the area sits in England"
NATIONAL_COVERAGE = 0.75
RANK_COLUMNS = ["indicator_id", "period", "area_code", "set", "rank", "of", "quintile", "label"]
NEIGHBOURS_K = 5
FEATURES = {
    "deprived_share": "share of neighbourhoods in England's most deprived 20% (IMD 2025)",
    "aged_65_plus": "share of residents aged 65 and over (mid-2024)",
    "aged_under_18": "share of residents aged under 18 (mid-2024)",
    "log_density": "population density (residents per km², log scale)",
}
AGE_SEX_YEAR = 2024  # the single-year-of-age estimates the age structure comes from


def set_of(tier: str) -> str:
    """The set an area of this tier is ranked and matched in: a district among districts, a
    county or unitary authority among the upper tier (a unitary authority also appears among
    districts, where a district-level source ranks it: helpers.report.views.england_position)."""
    return "districts" if tier == "lower" else "upper tier"


def england_ranks(
    values: pd.DataFrame, areas: pd.DataFrame, indicators: list[dict]
) -> pd.DataFrame:
    """Rank, number ranked, quintile and Fingertips' quintile words of every current area, per
    indicator, period and set, where the indicator covers the set nationally. A suppressed value
    takes no part (its rank would say something about it)."""
    polarity = {e["id"]: e["polarity"] for e in indicators}
    tier = dict(zip(areas["area_code"], areas["tier"], strict=True))
    shown = values[values["value"].notna() & ~values["suppressed"].astype(bool)]
    shown = shown[shown["category_type"].isna()] if "category_type" in shown else shown
    frames = []
    for name, tiers in SETS.items():
        members = {c for c, t in tier.items() if t in tiers}
        part = shown[shown["area_code"].isin(members)]
        for (ident, period), rows in part.groupby(["indicator_id", "period"], sort=True):
            if not _covers(set(rows["area_code"]), members, tier):
                continue
            rows = rows.drop_duplicates("area_code")
            ranked = stats.england_rank(rows["value"].to_numpy(), polarity=polarity[ident])
            ranked.insert(0, "area_code", rows["area_code"].to_numpy())
            frames.append(ranked.assign(indicator_id=ident, period=period, set=name))
    if not frames:
        return pd.DataFrame(columns=RANK_COLUMNS)
    return pd.concat(frames, ignore_index=True)[RANK_COLUMNS]


def _covers(present: set[str], members: set[str], tier: dict[str, str]) -> bool:
    """Whether values exist for most areas of every tier in the set (a district-level file
    has every unitary authority but no county: it does not rank the upper tier)."""
    for kind in {tier[c] for c in members}:
        of_kind = {c for c in members if tier[c] == kind}
        if len(present & of_kind) < NATIONAL_COVERAGE * len(of_kind):
            return False
    return True


def neighbour_features(
    areas: pd.DataFrame, population: pd.DataFrame, lsoas: pd.DataFrame, boundaries: dict
) -> pd.DataFrame:
    """The open variables neighbours are chosen on, for every current local authority
    (districts, unitary authorities and counties), indexed by area code (FEATURES)."""
    local = areas[areas["tier"].isin(["lower", "single", "upper"])]
    county_of = dict(zip(local["area_code"], local["county_code"], strict=True))

    # deprivation: the share of the area's 2021 LSOAs in IMD 2025's national deciles 1-2
    recent = lsoas[(lsoas["imd_edition"] == deprivation.EDITION_2025) & lsoas["imd_decile"].notna()]
    recent = recent.assign(deprived=recent["imd_decile"] <= 2)
    by_lad = recent.groupby("lad_code")["deprived"].agg(["sum", "count"])
    by_county = by_lad.groupby(by_lad.index.map(county_of)).sum()
    deprived = pd.concat([by_lad, by_county[by_county.index.notna()]])
    # age structure and size: persons by single year of age, mid-AGE_SEX_YEAR
    ages = population[
        (population["year"] == AGE_SEX_YEAR)
        & (population["sex"] == "Persons")
        & (population["age"] != "all")  # single years of age: the age-and-sex release only
    ].copy()
    ages["age_n"] = pd.to_numeric(ages["age"].str.rstrip("+"), errors="coerce")
    people = ages.groupby("area_code")["population"].sum()
    old = ages[ages["age_n"] >= 65].groupby("area_code")["population"].sum()
    young = ages[ages["age_n"] < 18].groupby("area_code")["population"].sum()
    area_km2 = _areas_km2(boundaries)
    county_km2 = area_km2.groupby(area_km2.index.map(county_of)).sum()
    area_km2 = pd.concat([area_km2, county_km2[county_km2.index.notna()]])
    frame = pd.DataFrame(index=pd.Index(sorted(local["area_code"]), name="area_code"))
    frame["deprived_share"] = deprived["sum"] / deprived["count"]
    frame["aged_65_plus"] = old / people
    frame["aged_under_18"] = young / people
    frame["log_density"] = np.log10(people / area_km2)
    return frame.astype(float)


def _areas_km2(boundaries: dict) -> pd.Series:
    """Each polygon's area in km², on the British National Grid."""
    import geopandas as gpd

    frame = gpd.GeoDataFrame.from_features(boundaries["features"], crs="EPSG:4326")
    km2 = frame.to_crs("EPSG:27700").area / 1e6
    return pd.Series(km2.to_numpy(), index=frame["area_code"].to_numpy())


def statistical_neighbours(features: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """area_code, set, neighbour_code, rank, distance: the NEIGHBOURS_K nearest areas of each
    area within each set (helpers.stats.neighbours), on the standardised FEATURES."""
    tier = dict(zip(areas["area_code"], areas["tier"], strict=True))
    frames = []
    for name, tiers in SETS.items():
        members = [c for c in features.index if tier.get(c) in tiers]
        complete = features.loc[members].dropna()
        k = min(NEIGHBOURS_K, len(complete) - 1)  # a small snapshot has few areas to choose
        if k < 1:
            continue
        found = nearest.nearest_neighbours(complete, k=k)
        frames.append(found.assign(set=name))
    if not frames:
        return pd.DataFrame(columns=["area_code", "set", "neighbour_code", "rank", "distance"])
    out = pd.concat(frames, ignore_index=True)
    return out[["area_code", "set", "neighbour_code", "rank", "distance"]]


def method_sentence() -> str:
    """How the neighbours were chosen, for reports."""
    return nearest.METHOD.format(k=NEIGHBOURS_K, variables=_listed(list(FEATURES.values())))


def _listed(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)
