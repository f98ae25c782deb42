"""Inequalities per resident (issue 15): the slope and relative indices of inequality
(helpers.stats.inequality) against an independent weighted regression and PHEindicatormethods'
test values (tests/reference/phe/sii.csv), the mid-2020 LSOA population reader on the real file,
the per-resident deprivation rates and SII table of the real store, and the report sentence."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import stats
from helpers.core.errors import StatsInputError

REFERENCE = Path(__file__).parent / "reference" / "phe" / "sii.csv"
VALUE_TYPES = {0: "other", 1: "rate", 2: "proportion"}


def reference_groups() -> list[tuple[str, pd.DataFrame]]:
    ref = pd.read_csv(REFERENCE)
    return [(f"{t} / {a}", g) for (t, a), g in ref.groupby(["test", "area"], sort=False)]


def weighted_line(b: np.ndarray, y: np.ndarray, a: np.ndarray) -> tuple[float, float]:
    """(intercept, slope) of the population-weighted least-squares line of y on b, in closed
    form: the sqrt(a) regression without intercept is this weighted regression."""
    bm, ym = np.average(b, weights=a), np.average(y, weights=a)
    slope = np.sum(a * (b - bm) * (y - ym)) / np.sum(a * (b - bm) ** 2)
    return ym - slope * bm, slope


def ridits(population: np.ndarray) -> np.ndarray:
    """Mid-points of each group's slice of the cumulative population, by explicit summation."""
    share = population / population.sum()
    return np.array([share[:i].sum() + share[i] / 2 for i in range(len(share))])


# ------------------------------------------------------------------ the statistic


@pytest.mark.parametrize(("name", "group"), reference_groups(), ids=lambda x: str(x)[:60])
def test_the_point_values_match_an_independent_weighted_regression(name, group):
    first = group.iloc[0]
    found = stats.sii(
        group["quantile"],
        group["population"],
        group["value"],
        lower=group["lower_cl"],
        upper=group["upper_cl"],
        value_type=VALUE_TYPES[first["value_type"]],
        multiplier=first["multiplier"],
        repetitions=1000,
    )
    pop = group["population"].to_numpy(float)
    intercept, slope = weighted_line(ridits(pop), group["value"].to_numpy(float), pop)
    assert found.sii == pytest.approx(first["multiplier"] * slope, rel=1e-10)
    ratio = (intercept + slope) / intercept
    assert found.rii == pytest.approx(ratio if first["multiplier"] > 0 else 1 / ratio, rel=1e-10)
    assert found.intercept == pytest.approx(intercept, rel=1e-10)
    assert found.quantiles == len(group)


@pytest.mark.parametrize(("name", "group"), reference_groups(), ids=lambda x: str(x)[:60])
@pytest.mark.parametrize("by", ["limits", "se"])
def test_sii_rii_and_limits_match_phe_indicator_methods(name, group, by):
    """The SII, RII and intercept exactly; the simulated limits within 2.5% of the reference
    interval's width (both are Monte-Carlo: 100,000 draws here, the reference's own number)."""
    first = group.iloc[0]
    spread = (
        {"lower": group["lower_cl"], "upper": group["upper_cl"]}
        if by == "limits"
        else {"se": group["standard_error"]}
    )
    levels = [first["confidence_1"], first["confidence_2"]]
    for i, level in enumerate(levels, start=1):
        if pd.isna(level):
            continue
        found = stats.sii(
            group["quantile"],
            group["population"],
            group["value"],
            **spread,
            value_type=VALUE_TYPES[first["value_type"]],
            multiplier=first["multiplier"],
            confidence=level,
            seed=i,
        )
        assert found.sii == pytest.approx(first["sii"], rel=1e-7)
        assert found.rii == pytest.approx(first["rii"], rel=1e-7)
        if not pd.isna(first["intercept"]):
            assert found.intercept == pytest.approx(first["intercept"], rel=1e-7)
        for measure in ("sii", "rii"):
            low, high = first[f"{measure}_lower_{i}"], first[f"{measure}_upper_{i}"]
            if pd.isna(low):  # the quintile case: the reference has the SII only
                continue
            got = (getattr(found, f"{measure}_lower"), getattr(found, f"{measure}_upper"))
            assert got == pytest.approx((low, high), abs=0.025 * (high - low)), measure


def rate_case() -> pd.DataFrame:
    group = dict(reference_groups())["rate (e.g. infant mortality) - default parameters / area1"]
    return group.reset_index(drop=True)


def rate_sii(group: pd.DataFrame, **options) -> stats.Inequality:
    return stats.sii(
        group["quantile"],
        group["population"],
        group["value"],
        lower=group["lower_cl"],
        upper=group["upper_cl"],
        value_type="rate",
        **({"repetitions": 2000} | options),
    )


def test_the_limits_are_reproducible_with_the_seed():
    group = rate_case()
    assert rate_sii(group) == rate_sii(group)
    assert rate_sii(group, seed=7) == rate_sii(group, seed=np.random.default_rng(7))
    other = rate_sii(group, seed=8)
    assert other.sii == rate_sii(group).sii
    assert other.sii_lower != rate_sii(group, seed=7).sii_lower


def test_quantiles_are_taken_in_label_order_and_a_negative_multiplier_turns_the_sii_round():
    group = rate_case()
    shuffled = group.sample(frac=1, random_state=3)
    assert rate_sii(shuffled) == rate_sii(group)
    turned = rate_sii(group, multiplier=-1)
    plain = rate_sii(group)
    assert turned.sii == pytest.approx(-plain.sii)
    # the same draws, mirrored: each limit is the neighbouring order statistic of the other
    width = plain.sii_upper - plain.sii_lower
    mirrored = (-plain.sii_upper, -plain.sii_lower)
    assert (turned.sii_lower, turned.sii_upper) == pytest.approx(mirrored, abs=0.01 * width)
    assert turned.rii == pytest.approx(1 / plain.rii)
    assert turned.sii_lower < turned.sii < turned.sii_upper


def test_leaving_out_an_empty_quantile_is_the_same_fit_as_giving_it_no_weight():
    """A decile with nobody in it has no share of the population: the line through the others
    is the one a near-zero population gives it."""
    group = rate_case()
    without = rate_sii(group[group["quantile"] != 4])
    tiny = group.assign(population=group["population"].where(group["quantile"] != 4, 1e-9))
    assert without.sii == pytest.approx(rate_sii(tiny).sii, rel=1e-9)
    assert without.quantiles == 9


@pytest.mark.parametrize(
    ("change", "argument"),
    [
        ({"quantile": [1, 2, 3, 4]}, "quantile"),
        ({"quantile": [1, 1, 2, 3, 4]}, "quantile"),
        ({"population": [100, 0, 100, 100, 100]}, "population"),
        ({"population": [100, np.nan, 100, 100, 100]}, "population"),
        ({"value": [1, 2, np.nan, 4, 5]}, "value"),
        ({"value": [1, 2, 0, 4, 5]}, "value"),
        ({"lower": [0.5, 1, 2, 3, 0]}, "lower"),
        ({"upper": [0.5, 1, 2, 3, 4]}, "upper"),
        ({"se": [0.1] * 5}, "se"),
        ({"lower": None, "upper": None}, "lower"),
        ({"repetitions": 999}, "repetitions"),
        ({"repetitions": 1500.5}, "repetitions"),
        ({"multiplier": 0}, "multiplier"),
        ({"value_type": "ratio"}, "value_type"),
        ({"confidence": 0.5}, "confidence"),
        ({"value_type": "proportion"}, "value"),
    ],
)
def test_bad_input_names_the_argument(change, argument):
    given = {
        "quantile": [1, 2, 3, 4, 5],
        "population": [100, 200, 300, 400, 500],
        "value": [1.0, 2.0, 3.0, 4.0, 5.0],
        "lower": [0.5, 1.5, 2.5, 3.5, 4.5],
        "upper": [1.5, 2.5, 3.5, 4.5, 5.5],
        "value_type": "rate",
        "repetitions": 1000,
    } | change
    with pytest.raises(StatsInputError, match=argument):
        stats.sii(given.pop("quantile"), given.pop("population"), given.pop("value"), **given)


# ------------------------------------------------------------------ the population reader


SAPE = Path(__file__).parents[1] / "data" / "raw" / "population" / "population20_lsoa11.rda"


def test_the_mid_2020_lsoa_file_holds_every_2011_lsoa_of_england_and_wales():
    from helpers.sources import population

    frame = population.read_sape_lsoa11(SAPE)
    assert list(frame.columns) == ["lsoa_code", "population"]
    assert frame["lsoa_code"].is_unique
    england = frame[frame["lsoa_code"].str.startswith("E")]
    assert len(england) == 32844 and len(frame) - len(england) == 1909
    assert england["population"].sum() == 56_550_138  # ONS mid-2020 England
    assert frame["population"].between(500, 20_000).all()  # LSOAs hold about 1,000 to 3,000


def small_area_file(path: Path, **change) -> Path:
    """A two-LSOA file shaped like the ONS one (written with rdata), with `change` applied."""
    import rdata

    ages = {str(a): [1.0, 2.0] for a in range(90)} | {"90+": [3.0, 4.0]}
    frame = pd.DataFrame(
        {
            "lsoa11_name": pd.Series(["A 001A", "A 001B"], dtype=object),
            "lsoa11_code": pd.Series(["E01000001", "W01000002"], dtype=object),
            "total_population": [93.0, 184.0],
        }
        | ages
    )
    for col, value in change.items():
        frame = frame.rename(columns={col: value}) if isinstance(value, str) else frame
        if not isinstance(value, str):
            frame[col] = value
    rdata.write_rda(path, {"population20_lsoa11": frame}, compression="bzip2")
    return path


def test_a_bad_lsoa_population_file_names_the_file_the_column_and_the_fix(tmp_path):
    from helpers.core.errors import DataError
    from helpers.sources import population

    good = population.read_sape_lsoa11(small_area_file(tmp_path / "good.rda"))
    assert good["population"].tolist() == [93.0, 184.0]
    cases = {
        "renamed": ({"total_population": "total_pop"}, "'total_population'"),
        "total": ({"total_population": [93.0, 185.0]}, "W01000002"),
        "code": (
            {"lsoa11_code": pd.Series(["E01000001", "S01000002"], dtype=object)},
            "'lsoa11_code'",
        ),
        "fraction": ({"total_population": [93.5, 184.0], "0": [1.5, 2.0]}, "'total_population'"),
    }
    for name, (change, words) in cases.items():
        path = small_area_file(tmp_path / f"{name}.rda", **change)
        with pytest.raises(DataError) as error:
            population.read_sape_lsoa11(path)
        message = str(error.value)
        assert f"{name}.rda" in message and words in message and "What to do" in message, name
    broken = tmp_path / "population20_lsoa11.rda"
    broken.write_bytes(b"not R data")
    with pytest.raises(DataError, match="not a readable R data file"):
        population.read_sape_lsoa11(broken)
    with pytest.raises(DataError, match="is missing"):
        population.read_sape_lsoa11(tmp_path / "absent.rda")


# ------------------------------------------------------------------ the store


@pytest.fixture(scope="module")
def deciles(full_store: Path) -> pd.DataFrame:
    return pd.read_parquet(full_store / "police_deprivation.parquet")


@pytest.fixture(scope="module")
def slopes(full_store: Path) -> pd.DataFrame:
    return pd.read_parquet(full_store / "police_inequality.parquet")


def test_rates_per_resident_only_for_years_on_2011_lsoas(deciles):
    old = deciles[deciles["year"] <= "2022"]
    new = deciles[deciles["year"] >= "2023"]
    assert set(old["year"]) == {"2020", "2021"} and len(new)
    assert new[["residents", "rate", "rate_lower", "rate_upper"]].isna().all().all()
    assert set(new["rate_note"]) == {"no small-area population for 2021 LSOAs is shipped"}
    with_people = old[old["lsoas"] > 0]
    assert with_people["residents"].gt(0).all()
    assert old.loc[old["lsoas"] == 0, "residents"].isna().all()  # a gap, never zero
    # the README's checks of the file: Charnwood's 2011 LSOAs hold 188,416, Blaby's 101,950
    one_type = old[(old["year"] == "2021") & (old["crime_type"] == "Burglary")]
    people = one_type.groupby("area_code")["residents"].sum()
    assert people["E07000130"] == 188_416 and people["E07000129"] == 101_950
    assert people["E10000018"] == people[[f"E070001{i}" for i in range(29, 36)]].sum()


def test_a_rate_is_the_count_per_1000_residents_with_poisson_limits(deciles):
    shown = deciles[deciles["rate"].notna()]
    assert len(shown) > 1000
    assert np.allclose(shown["rate"] * shown["residents"] / 1000, shown["count"], rtol=1e-12)
    assert (shown["rate_lower"] <= shown["rate"]).all() and (
        shown["rate"] < shown["rate_upper"]
    ).all()
    # Byar's limits (counts of 10 and more), written out here from the textbook formula
    big = shown[shown["count"] >= 10]
    o, z = big["count"], 1.959963984540054
    low = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
    high = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
    assert np.allclose(big["rate_lower"], low / big["residents"] * 1000, rtol=1e-10)
    assert np.allclose(big["rate_upper"], high / big["residents"] * 1000, rtol=1e-10)


def test_no_rate_where_the_count_is_hidden_and_no_sii_where_a_decile_is(deciles, slopes):
    hidden = deciles[deciles["suppressed"]]
    assert len(hidden) and hidden[["rate", "rate_lower", "rate_upper"]].isna().all().all()
    assert set(hidden.loc[hidden["year"] <= "2022", "rate_note"]) == {"hidden to protect privacy"}
    keys = ["area_code", "year", "crime_type"]
    with_hidden = hidden.loc[hidden["year"] <= "2022", keys].drop_duplicates()
    rows = slopes.merge(with_hidden, on=keys)
    assert len(rows) and rows["sii"].isna().all() and rows["rii"].isna().all()
    assert rows["note"].str.contains("hidden to protect privacy").all()
    assert slopes.loc[slopes["year"] >= "2023", "sii"].isna().all()
    assert slopes.loc[slopes["year"] >= "2023", "note"].str.contains("2021 LSOAs").all()


def test_the_store_sii_is_the_weighted_slope_of_the_decile_rates(deciles, slopes):
    """Leicester's violent crime in 2021: the SII (most deprived minus least deprived, per 1,000
    residents) is the slope of the population-weighted line through the ten decile rates."""
    keys = ("E06000016", "2021", "Violence and sexual offences")
    rows = deciles.set_index(["area_code", "year", "crime_type"]).loc[keys]
    rows = rows.sort_values("imd_decile")
    found = slopes.set_index(["area_code", "year", "crime_type"]).loc[keys]
    pop = rows["residents"].to_numpy()
    intercept, slope = weighted_line(ridits(pop), rows["rate"].to_numpy(), pop)
    assert found["sii"] == pytest.approx(-slope, rel=1e-10)
    assert found["rii"] == pytest.approx(intercept / (intercept + slope), rel=1e-10)
    assert found["sii_lower"] < found["sii"] < found["sii_upper"]
    assert found["deciles"] == 10 and found["residents"] == pop.sum()
    assert found["sii"] > 0  # more violent crime per resident in the most deprived deciles
    # a district without neighbourhoods in every decile is fitted on the deciles it has
    some = slopes[slopes["note"].str.contains("left out", na=False) & slopes["sii"].notna()]
    assert len(some) and (some["deciles"] < 10).all() and (some["deciles"] >= 5).all()
    assert not math.isnan(some["sii_lower"].iloc[0])


# ------------------------------------------------------------------ the report


def page_of(shown) -> str:
    import html

    parts = [getattr(o, "data", "") for o, _ in shown]
    return html.unescape("\n".join(p for p in parts if isinstance(p, str)))


def test_the_police_section_gives_the_sii_in_words(shown, slopes, deciles):
    from helpers.report.display import Report

    Report("domestic_sexual_violence", "E07000130").police_local(
        "Violence and sexual offences", "violent and sexual offences"
    )
    page = page_of(shown)
    row = slopes.set_index(["area_code", "year", "crime_type"]).loc[
        ("E07000130", "2021", "Violence and sexual offences")
    ]
    rates = deciles[
        (deciles["area_code"] == "E07000130")
        & (deciles["year"] == "2021")
        & (deciles["crime_type"] == "Violence and sexual offences")
    ].set_index("imd_decile")["rate"]
    sentence = (
        f"Across the deprivation deciles of Charnwood, violent and sexual offences in 2021 ran "
        f"from {rates[1]:.1f} crimes per 1,000 residents in its most deprived decile (1) to "
        f"{rates[10]:.1f} in its least deprived (10); the slope index of inequality is "
        f"{row['sii']:.1f} more crimes per 1,000 residents in the most deprived than the least "
        f"deprived (95% CI {row['sii_lower']:.1f} to {row['sii_upper']:.1f})."
    )
    assert sentence in page
    # the latest year's chart stays per neighbourhood, and says why
    assert "For 2024 police.uk places crimes in 2021 LSOAs, and no small-area population" in page
    assert "Bar chart of violent and sexual offences per 1,000 residents by IMD 2019 decile" in page
    # the ledger gets the rates with residents in thousands: rate x denominator = count
    cells = pd.DataFrame([c for _, m in shown if m for c in m["needs_published_cells"]])
    rated = cells[(cells["kind"] == "deprivation") & (cells["period"] == "2021")]
    assert len(rated) == 10
    assert np.allclose(rated["value"] * rated["denominator"], rated["count"], rtol=1e-9)


def test_where_a_decile_is_hidden_the_section_says_why_there_is_no_sii(shown, slopes):
    from helpers.report.display import Report

    local = [f"E070001{i}" for i in range(29, 36)]
    hidden = slopes[
        slopes["area_code"].isin(local)
        & (slopes["year"] == "2021")
        & slopes["note"].str.contains("hidden to protect privacy", na=False)
    ]
    assert len(hidden)
    row = hidden.iloc[0]
    Report("domestic_sexual_violence", row["area_code"]).police_local(row["crime_type"], "crimes")
    page = page_of(shown)
    assert "no slope index of inequality is given: a decile is hidden to protect privacy" in page
    assert "not shown, to protect privacy" in page
    assert "the slope index of inequality is" not in page
