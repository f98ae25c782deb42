"""ONS police recorded crime by Community Safety Partnership (Table C2, year ending June 2025):
the raw file read here independently (the csv module, not the project's reader), then checked
against the store for every CSP, every force's unassigned line and England."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from helpers.core.errors import DataError
from helpers.sources import recorded_crime

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw" / "recorded_crime" / "ons_csp_recorded_crime_table_C2_ye_jun2025.csv"
LOOKUP = ROOT / "data" / "raw" / "lookups" / "LAD24_CSP24_PFA24_lookup_EW.csv"
OFFENCES = {
    "csp_sexual_offences": "Sexual offences",
    "csp_stalking_harassment": "Stalking and harassment",
    "csp_drug_offences": "Drug offences",
    "csp_violence_with_injury": "Violence with injury",
    "csp_violence_against_person": "Violence against the person",
}


def published_rows() -> list[dict]:
    """The table's data rows as plain dicts, numbers as int (None where blank)."""
    with RAW.open(newline="", encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))
    header = [" ".join(c.split()) for c in lines[7]]
    rows = []
    for cells in lines[8:]:
        row = dict(zip(header, (c.strip() for c in cells), strict=True))
        for key in OFFENCES.values():
            text = row[key].replace(",", "")
            row[key] = int(text) if text else None
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def values(full_store: Path) -> pd.DataFrame:
    frame = pd.read_parquet(full_store / "indicator_values.parquet")
    return frame[frame["indicator_id"].isin(list(OFFENCES))]


@pytest.fixture(scope="module")
def population(full_store: Path) -> pd.Series:
    frame = pd.read_parquet(full_store / "population.parquet")
    crude = frame[frame["crude_denominator"] & (frame["year"] == 2024)]
    return crude.set_index("area_code")["population"]


def test_the_table_is_what_the_data_readme_describes():
    rows = published_rows()
    assert len(rows) == 399
    leics = [r for r in rows if r["Police Force Area code"] == "E23000021"]
    total = next(r for r in leics if not r["Community Safety Partnership name"])
    unassigned = next(r for r in leics if r["Community Safety Partnership name"].startswith("Un"))
    assert total["Total recorded crime (excluding fraud)"] == "94,194"
    assert unassigned["Total recorded crime (excluding fraud)"] == "4,481"


def test_every_single_district_csp_is_the_district_figure(values):
    """A CSP that covers one district (by the 2024 lookup), and is that district's only CSP,
    gives the district's count exactly; the rate is on the mid-2024 population."""
    lookup = pd.read_csv(LOOKUP, dtype=str)
    english = lookup[lookup["csp24_code"].str.startswith("E")]
    per_csp = english.groupby("csp24_code")["ltla24_code"].nunique()
    per_lad = english.groupby("ltla24_code")["csp24_code"].nunique()
    checked = 0
    for row in published_rows():
        csp = row["Community Safety Partnership code"]
        if not csp.startswith("E") or per_csp[csp] != 1:
            continue
        lad = english.loc[english["csp24_code"] == csp, "ltla24_code"].iloc[0]
        if per_lad[lad] != 1:
            continue
        for ident, offence in OFFENCES.items():
            store = values[(values["indicator_id"] == ident) & (values["area_code"] == lad)]
            assert len(store) == 1, (ident, lad)
            assert store["count"].iloc[0] == row[offence], (ident, lad)
            assert store["period"].iloc[0] == "Year ending Jun 2025"
        checked += 1
    assert checked > 250


def test_a_new_unitary_is_the_sum_of_the_old_districts_csps(values):
    """North Northamptonshire: four CSPs that follow the districts it replaced, none shared."""
    rows = [r for r in published_rows() if r["Local Authority code"] == "E06000061"]
    assert len(rows) == 4
    store = values[(values["indicator_id"] == "csp_sexual_offences")]
    assert store.set_index("area_code").loc["E06000061", "count"] == sum(
        r["Sexual offences"] for r in rows
    )


def test_a_shared_csp_is_shown_as_such_not_split(values):
    rows = [r for r in published_rows() if r["Community Safety Partnership name"] == "North Devon"]
    store = values[values["indicator_id"] == "csp_sexual_offences"].set_index("area_code")
    for lad in ("E07000043", "E07000046"):  # North Devon, Torridge
        assert pd.isna(store.loc[lad, "count"]) and pd.isna(store.loc[lad, "value"])
        note = store.loc[lad, "value_note"]
        assert "North Devon Community Safety Partnership" in note and "not split" in note
        assert f"{rows[0]['Sexual offences']:,} offences" in note


def test_england_is_the_sum_of_the_english_forces(values, population):
    rows = published_rows()
    for ident, offence in OFFENCES.items():
        forces = [
            r[offence]
            for r in rows
            if r["Police Force Area code"].startswith("E")
            and not r["Community Safety Partnership name"]
        ]
        # the City of London force publishes one CSP line and no force total
        city = [r[offence] for r in rows if r["Police Force Area code"] == "E23000034"]
        england = values[(values["indicator_id"] == ident) & (values["area_code"] == "E92000001")]
        assert england["count"].iloc[0] == sum(forces) + sum(city)
        expected = england["count"].iloc[0] / population["E92000001"] * 1000
        assert england["value"].iloc[0] == pytest.approx(expected, rel=1e-12)


def test_every_force_states_its_unassigned_crimes(values):
    rows = published_rows()
    store = values[values["indicator_id"] == "csp_sexual_offences"].set_index("area_code")
    for row in rows:
        name = row["Community Safety Partnership name"]
        english = row["Police Force Area code"].startswith("E")
        if not name.lower().startswith("unassigned") or row["Sexual offences"] is None:
            continue
        if not english:  # Wales is not in the English store
            continue
        force = next(  # by name: a total's name may carry a note marker ("[note 4]")
            r
            for r in rows
            if r["Police Force Area name"].split(" [note")[0] == row["Police Force Area name"]
            and not r["Community Safety Partnership name"]
        )
        note = store.loc[force["Police Force Area code"], "value_note"]
        count = row["Sexual offences"]
        said = "fewer than 5" if 1 <= count <= 4 else f"{count:,}"
        assert f"could not assign {said} of its {force['Sexual offences']:,}" in note


def test_district_rates_use_the_mid_2024_population(values, population):
    store = values[values["indicator_id"] == "csp_sexual_offences"].set_index("area_code")
    charnwood = store.loc["E07000130"]
    assert charnwood["count"] == 533 and charnwood["denominator"] == population["E07000130"]
    assert population["E07000130"] == 188_385  # the mid-2024 estimate the data README quotes
    assert charnwood["value"] == pytest.approx(533 / 188_385 * 1000, rel=1e-12)
    districts = [f"E070001{n}" for n in range(29, 36)]  # the county's seven, one CSP each
    assert store.loc["E10000018", "count"] == store.loc[districts, "count"].sum()


def test_a_published_row_that_does_not_add_up_is_refused(tmp_path):
    text = RAW.read_bytes().replace(b'"4,481 "', b'"4,482 "', 1)
    broken = tmp_path / RAW.name
    broken.write_bytes(text)
    with pytest.raises(DataError, match="add up to"):
        recorded_crime.read_csp_table(broken)


def test_a_count_that_is_not_a_number_names_the_column(tmp_path):
    text = RAW.read_bytes().replace(b'"6,558 "', b'"6,558x"', 1)
    broken = tmp_path / RAW.name
    broken.write_bytes(text)
    with pytest.raises(DataError, match="Total recorded crime") as err:
        recorded_crime.read_csp_table(broken)
    assert "Blaby" in str(err.value) and RAW.name in str(err.value)


def test_a_shared_csp_has_a_row_of_its_own(values, population):
    """East and Mid Devon CSP: its count as published, its rate on the two districts' residents;
    Dorset CSP also covers part of a unitary authority split between CSPs, so it has no rate."""
    rows = {r["Community Safety Partnership name"]: r for r in published_rows()}
    store = values[values["indicator_id"] == "csp_sexual_offences"].set_index("area_name")
    devon = store.loc["East and Mid Devon CSP"]
    assert devon["count"] == rows["East and Mid Devon"]["Sexual offences"]
    assert devon["denominator"] == population["E07000040"] + population["E07000042"]
    assert devon["area_type"] == "Community Safety Partnership"
    assert "East Devon and Mid Devon" in devon["value_note"]
    dorset = store.loc["Dorset CSP"]
    assert dorset["count"] == rows["Dorset"]["Sexual offences"]
    assert pd.isna(dorset["denominator"]) and pd.isna(dorset["value"])
    assert "no rate" in dorset["value_note"]
