"""England ranks and statistical neighbours in the national store (helpers.build.benchmarks),
checked against the raw national files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import FULL_RAW

from helpers.build import benchmarks

CHARNWOOD, LEICESTERSHIRE, NOTTINGHAM = "E07000130", "E10000018", "E06000018"


@pytest.fixture(scope="module")
def tables(full_store) -> dict[str, pd.DataFrame]:
    names = ["england_ranks", "neighbours", "neighbour_features", "areas", "indicator_values"]
    return {n: pd.read_parquet(full_store / f"{n}.parquet") for n in names}


def test_a_rank_is_the_raw_files_rank_among_current_districts(tables):
    raw = pd.read_csv(FULL_RAW / "fingertips" / "depression_qof_prevalence_848.csv")
    areas = tables["areas"]
    current = set(areas.loc[areas["tier"].isin(["lower", "single"]), "area_code"])
    period = "2024/25"
    rows = raw[(raw["period"] == period) & raw["area_code"].isin(current)]
    rows = rows.dropna(subset=["value"]).drop_duplicates("area_code")
    expected = rows.set_index("area_code")["value"].rank(ascending=False, method="min")
    ranks = tables["england_ranks"]
    mine = ranks[
        (ranks["indicator_id"] == "848")
        & (ranks["period"] == period)
        & (ranks["set"] == "districts")
    ].set_index("area_code")
    assert mine.at[CHARNWOOD, "rank"] == expected[CHARNWOOD]
    assert mine.at[CHARNWOOD, "of"] == len(rows)
    assert (mine["rank"].sort_index() == expected.sort_index().astype(int)).all()
    # quintile 1 holds the highest values; QOF prevalence has no polarity: Fingertips' words
    top = mine.loc[mine["rank"] == 1].iloc[0]
    assert top["quintile"] == 1 and top["label"] == "Highest quintile"


def test_only_indicators_that_cover_england_are_ranked(tables):
    ranks = tables["england_ranks"]
    ranked = set(ranks["indicator_id"])
    assert not {i for i in ranked if i.startswith("police_")}  # two forces are not England
    # a district-level file has unitaries but no county: it ranks no upper tier
    upper = ranks[(ranks["indicator_id"] == "848") & (ranks["set"] == "upper tier")]
    assert upper.empty


def test_a_suppressed_value_takes_no_part(tables):
    values, areas = tables["indicator_values"], tables["areas"]
    one = values[(values["indicator_id"] == "848") & (values["period"] == "2024/25")].copy()
    before = benchmarks.england_ranks(one, areas, [{"id": "848", "polarity": "no_judgement"}])
    one.loc[one["area_code"] == CHARNWOOD, "suppressed"] = True
    after = benchmarks.england_ranks(one, areas, [{"id": "848", "polarity": "no_judgement"}])
    assert CHARNWOOD in set(before["area_code"]) and CHARNWOOD not in set(after["area_code"])
    assert after["of"].iloc[0] == before["of"].iloc[0] - 1


def test_each_area_has_five_neighbours_of_its_own_kind(tables):
    found, areas = tables["neighbours"], tables["areas"]
    tier = dict(zip(areas["area_code"], areas["tier"], strict=True))
    assert (found["area_code"] != found["neighbour_code"]).all()
    for name, tiers in benchmarks.SETS.items():
        part = found[found["set"] == name]
        assert set(part["area_code"].map(tier)) <= set(tiers)
        assert set(part["neighbour_code"].map(tier)) <= set(tiers)
        assert (part.groupby("area_code").size() == benchmarks.NEIGHBOURS_K).all()
    counties = found[(found["area_code"] == LEICESTERSHIRE) & (found["set"] == "upper tier")]
    assert len(counties) == 5 and counties["distance"].is_monotonic_increasing


def test_features_come_from_the_raw_files(tables):
    features = tables["neighbour_features"].set_index("area_code")
    # the mid-2024 MYE2 - Persons sheet: one row per area, one column per single year of age
    pop = pd.read_csv(FULL_RAW / "population" / "mye2024_MYE2_persons_singleyear_age.csv")
    mine = pop[pop["Code"] == CHARNWOOD].iloc[0]
    ages = mine[[str(a) for a in range(90)] + ["90+"]].astype(float)
    share = ages.iloc[65:].sum() / ages.sum()
    assert features.at[CHARNWOOD, "aged_65_plus"] == pytest.approx(share, rel=1e-12)
    # every current local authority and county has all four, and density is plausible
    assert not features.isna().any().any()
    assert 2.0 < features.at[CHARNWOOD, "log_density"] < 3.5  # hundreds of residents per km²
    assert np.isfinite(features.to_numpy()).all()
    assert NOTTINGHAM in features.index and LEICESTERSHIRE in features.index
