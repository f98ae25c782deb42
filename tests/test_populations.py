"""Each year's rates use that year's own population estimate, and say so when the release
differs from the earlier years' (the mid-2023 and mid-2024 MYE2 files, read here with csv)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from helpers.core.errors import DataError
from helpers.sources import population

ROOT = Path(__file__).resolve().parents[1]
MYE = ROOT / "data" / "raw" / "population"


def published(year: int) -> dict[str, int]:
    """{code: all ages} from the raw MYE2 - Persons file, thousands separators and all."""
    path = MYE / f"mye{year}_MYE2_persons_singleyear_age.csv"
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return {r["Code"]: int(r["All ages"].replace(",", "")) for r in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def values(full_store: Path) -> pd.DataFrame:
    return pd.read_parquet(full_store / "indicator_values.parquet")


def test_the_files_hold_what_the_data_readme_says():
    assert published(2023)["E10000018"] == 734_015 and published(2024)["E10000018"] == 745_573
    assert published(2023)["E07000130"] == 188_010 and published(2024)["E07000130"] == 188_385


def test_2024_police_rates_use_the_mid_2024_estimates(values):
    mid_2024 = published(2024)
    rows = values[values["indicator_id"].str.startswith("police_") & (values["period"] == "2024")]
    local = rows[rows["area_code"].str.startswith(("E06", "E07", "E10")) & rows["count"].notna()]
    assert len(local) > 50
    assert (local["denominator"] == local["area_code"].map(mid_2024)).all()
    notes = local["value_note"].dropna()
    assert len(notes) == len(local)  # every 2024 row says its release differs
    assert notes.str.contains("mid-2024 estimates").all()
    assert notes.str.contains("revised series").all()
    assert not values["value_note"].fillna("").str.contains("no mid-2024").any()


def test_earlier_years_keep_the_revised_series_with_no_note(values, full_store):
    pop = pd.read_parquet(full_store / "population.parquet")
    crude = pop[pop["crude_denominator"]]
    releases = crude.groupby("year")["release"].unique()
    assert all(len(r) == 1 for r in releases)
    assert "revised series" in releases[2023][0] and "mid-2024" in releases[2024][0]
    rows = values[(values["indicator_id"] == "police_all_crime") & (values["period"] == "2023")]
    charnwood = rows.set_index("area_code").loc["E07000130"]
    assert charnwood["denominator"] == published(2023)["E07000130"]  # the series agrees
    assert pd.isna(charnwood["value_note"])


def test_a_force_area_is_the_sum_of_its_parts_in_2024(full_store):
    pop = pd.read_parquet(full_store / "population.parquet")
    crude = pop[pop["crude_denominator"] & (pop["year"] == 2024)].set_index("area_code")
    mid_2024 = published(2024)
    parts = ("E10000018", "E06000016", "E06000017")  # the county, the city, the small unitary
    assert crude.loc["E23000021", "population"] == sum(mid_2024[c] for c in parts)


def test_a_figure_that_is_not_a_number_names_the_file_and_column(tmp_path):
    source = MYE / "mye2023_MYE2_persons_singleyear_age.csv"
    broken = tmp_path / source.name
    broken.write_bytes(source.read_bytes().replace(b'"188,010"', b'"188,01O"', 1))
    with pytest.raises(DataError, match="All ages") as err:
        population.read_mye2_persons(broken, year=2023, release="test")
    assert source.name in str(err.value) and "188,01O" in str(err.value)
