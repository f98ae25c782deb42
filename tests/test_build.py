"""`needs build`: the store's contents, incremental and atomic behaviour, and every bad input of
the issue through the real command line (one message, exit 2, no traceback, store untouched)."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest
from conftest import ROOT, SUBSET_PARAMS, SUBSET_RAW, RawCopy, run_cli

from helpers.build import pipeline as build
from helpers.build import writing

POLICE_OCT = "police_uk/street/2022-10-leicestershire-street.csv.gz"
SERIES = "population/ons_mye_la_population_mid2011_mid2023_by_name.csv"


def _fingerprint_of_store(processed) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(processed.iterdir())}


def test_subset_store_tables(subset_store):
    names = {p.name for p in subset_store.iterdir()}
    for table in (
        "areas",
        "police_crimes",
        "police_months",
        "population",
        "indicator_values",
        "deprivation_lsoa",
        "deprivation_district",
        "lsoas",
        "compendium",
        "baseline_2017",
    ):
        assert f"{table}.parquet" in names
    assert {"boundaries.geojson", "build.json"} <= names


def test_police_counts_add_up_and_gaps_are_missing(subset_store):
    info = json.loads((subset_store / "build.json").read_text())["police"]
    crimes = pd.read_parquet(subset_store / "police_crimes.parquet")
    rows = sum(
        len(pd.read_csv(p, dtype=str)) for p in (SUBSET_RAW / "police_uk/street").glob("*.csv.gz")
    )
    assert crimes["count"].sum() == info["rows_read"] == rows
    assert list(crimes.columns) == [
        "pfa_code",
        "month",
        "lsoa_code",
        "lsoa_vintage",
        "lad_code",
        "crime_type",
        "count",
    ]
    months = pd.read_parquet(subset_store / "police_months.parquet")
    assert months.set_index("month")["status"].to_dict() == {
        "2022-10": "published",
        "2022-11": "missing",
        "2022-12": "missing",
        "2023-01": "published",
    }
    # never a zero for a month that was not published
    assert not crimes["month"].isin(["2022-11", "2022-12"]).any()
    # rows without a location stay, with a blank district
    blank = crimes[crimes["lsoa_code"].isna()]
    assert blank["count"].sum() == info["rows_without_location"] == 40
    assert blank["lad_code"].isna().all()


def test_lsoa_vintages(subset_store):
    crimes = pd.read_parquet(subset_store / "police_crimes.parquet")
    located = crimes[crimes["lsoa_code"].notna()]
    assert set(located.loc[located.month == "2022-10", "lsoa_vintage"]) == {"2011"}
    assert "2021" in set(located.loc[located.month == "2023-01", "lsoa_vintage"])
    assert located["lad_code"].notna().all()


def test_areas_cover_the_assessment(subset_store):
    areas = pd.read_parquet(subset_store / "areas.parquet").set_index("area_code")
    assert len(areas) == 13
    assert areas.loc["E07000132", "area_name"] == "Hinckley and Bosworth"
    assert areas.loc["E07000132", "county_code"] == "E10000018"
    assert areas.loc["E07000132", "pfa_code"] == "E23000021"
    assert areas.loc["E06000016", "region_code"] == "E12000004"
    assert areas.loc["E23000021", "area_type"] == "Police force area"
    assert areas.loc["E23000021", "area_name"] == "Leicestershire Police"  # data/police_forces.csv
    assert areas.loc["E10000018", "tier"] == "upper"
    assert "is_report_area" not in areas  # the store is national: params choose at run time


def test_population_records_its_release(subset_store):
    pop = pd.read_parquet(subset_store / "population.parquet")
    releases = pop.groupby("year")["release"].unique()
    assert any("revised series" in r for r in releases[2022])
    assert any("mid-2022" in r for r in releases[2022])
    assert pop["release"].notna().all()


def test_incremental_and_force(raw_copy):
    assert raw_copy.build().status == "built"
    before = _fingerprint_of_store(raw_copy.processed)
    assert raw_copy.build().status == "up to date"
    assert _fingerprint_of_store(raw_copy.processed) == before
    assert raw_copy.build(force=True).status == "built"
    (raw_copy.params / "build.yaml").write_text(
        (raw_copy.params / "build.yaml").read_text().replace("2022-10", "2022-09")
    )
    assert raw_copy.build().status == "built"  # a parameter change makes the store stale


def _assert_clean_failure(raw_copy: RawCopy, *expected: str) -> None:
    """Run the CLI on a broken input: exit 2, one message naming the problem, the old store kept."""
    before = _fingerprint_of_store(raw_copy.processed)
    result = raw_copy.cli("--force")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert "What to do:" in result.stderr
    assert _fingerprint_of_store(raw_copy.processed) == before
    assert not list(raw_copy.base.glob(".processed.*"))  # no half-written store left behind


@pytest.fixture
def built(raw_copy):
    raw_copy.build()
    return raw_copy


def test_bad_police_missing_column(built):
    frame = pd.read_csv(built.raw / POLICE_OCT, dtype=str).drop(columns="Month")
    built.replace(POLICE_OCT, gzip.compress(frame.to_csv(index=False).encode()))
    _assert_clean_failure(built, "2022-10-leicestershire-street.csv.gz", "lacks the column 'Month'")


def test_bad_police_renamed_column(built):
    frame = pd.read_csv(built.raw / POLICE_OCT, dtype=str).rename(
        columns={"Crime type": "Crime Type"}
    )
    built.replace(POLICE_OCT, gzip.compress(frame.to_csv(index=False).encode()))
    _assert_clean_failure(built, "'Crime Type' looks like a renamed 'Crime type'")


def test_bad_police_empty_file(built):
    built.replace(POLICE_OCT, gzip.compress(b""))
    _assert_clean_failure(built, "2022-10-leicestershire-street.csv.gz", "empty")


def test_bad_police_truncated_gzip(built):
    built.replace(POLICE_OCT, (built.raw / POLICE_OCT).read_bytes()[:500])
    _assert_clean_failure(built, "2022-10-leicestershire-street.csv.gz", "truncated or corrupt")


def test_bad_population_lacks_a_needed_year(built):
    frame = pd.read_csv(built.raw / SERIES, dtype=str, encoding="utf-8-sig").drop(
        columns="Mid-2022"
    )
    built.replace(SERIES, frame.to_csv(index=False).encode())
    _assert_clean_failure(built, SERIES.split("/")[1], "no estimate for mid-2022")


def test_bad_sha256_mismatch(built):
    path = built.replace(SERIES, (built.raw / SERIES).read_bytes() + b"\n", rehash=False)
    _assert_clean_failure(built, path.name, "sha256 mismatch", "needs sources --update")


def test_bad_params_yaml(built):
    (built.params / "build.yaml").write_text("police:\n  first_month: [2019-12\n  last: 1\n")
    _assert_clean_failure(built, "build.yaml", "malformed YAML at line")


def test_unknown_lsoa_is_reported_not_fatal(raw_copy):
    text = gzip.decompress((raw_copy.raw / POLICE_OCT).read_bytes()).decode()
    first_code = pd.read_csv(raw_copy.raw / POLICE_OCT, dtype=str)["LSOA code"].dropna().iloc[0]
    raw_copy.replace(POLICE_OCT, gzip.compress(text.replace(first_code, "E01999999").encode()))
    result = raw_copy.cli()
    assert result.returncode == 0, result.stderr
    assert "LSOA code in no lookup (E01999999)" in result.stderr
    info = json.loads((raw_copy.processed / "build.json").read_text())["police"]
    crimes = pd.read_parquet(raw_copy.processed / "police_crimes.parquet")
    assert info["unknown_lsoa_codes"] == ["E01999999"]
    unknown = crimes[crimes["lsoa_code"] == "E01999999"]
    assert unknown["count"].sum() == info["rows_with_unknown_lsoa"] > 0
    assert unknown["lad_code"].isna().all()
    assert crimes["count"].sum() == info["rows_read"]


def test_interrupted_swap_is_recovered(raw_copy):
    raw_copy.build()
    before = _fingerprint_of_store(raw_copy.processed)
    # simulate a crash between the two renames of the swap
    raw_copy.processed.rename(raw_copy.base / ".processed.old-12345")
    writing.recover(raw_copy.processed)
    assert _fingerprint_of_store(raw_copy.processed) == before


# ----------------------------------------------------------------------------- full data


def test_full_build_counts_and_gap(full_store):
    info = json.loads((full_store / "build.json").read_text())
    crimes = pd.read_parquet(full_store / "police_crimes.parquet")
    assert info["police"]["files"] == 59 + 24  # two forces
    ours = crimes[crimes["pfa_code"] == "E23000021"]
    assert ours["count"].sum() == 519_782
    assert crimes["count"].sum() == info["police"]["rows_read"] == 519_782 + 219_339
    forces = info["police"]["forces"]
    assert forces["E23000021"]["months_missing"] == ["2022-11", "2022-12"]
    # a force's snapshot starts at its first file: Derbyshire's 2023-01 to 2024-12 has no gap
    assert forces["E23000018"] == {"months_published": 24, "months_missing": []}
    assert info["police"]["types_missing"] == ["E23000018 2024-11 Anti-social behaviour"]
    months = pd.read_parquet(full_store / "police_months.parquet")
    months = months[months["pfa_code"] == "E23000021"]
    assert len(months) == 61 and (months["status"] == "missing").sum() == 2
    by_district = ours.groupby("lad_code")["count"].sum()
    assert by_district[["E07000129", "E07000130", "E06000016"]].gt(10_000).all()


def test_full_build_police_rates(full_store):
    values = pd.read_parquet(full_store / "indicator_values.parquet")
    drugs = values[values.indicator_id == "police_drugs"].set_index(["area_code", "period"])
    county = drugs.loc[("E10000018", "2023")]
    districts = drugs.loc[
        [
            (c, "2023")
            for c in [
                "E07000129",
                "E07000130",
                "E07000131",
                "E07000132",
                "E07000133",
                "E07000134",
                "E07000135",
            ]
        ]
    ]
    assert county["count"] == districts["count"].sum()
    assert county["value"] == pytest.approx(county["count"] / county["denominator"] * 1000)
    gap = drugs.loc[("E10000018", "2022")]
    assert pd.isna(gap["count"]) and pd.isna(gap["value"]) and "2022-11" in gap["value_note"]
    assert "mid-2023" in drugs.loc[("E10000018", "2024"), "value_note"]


def test_full_build_holds_only_compendium_indicators(full_store):
    values = pd.read_parquet(full_store / "indicator_values.parquet")
    compendium = pd.read_parquet(full_store / "compendium.parquet")
    # nothing undocumented; every open-data indicator filled (partner ones wait for a file)
    assert set(values["indicator_id"]) <= set(compendium["id"])
    open_data = compendium.loc[compendium["source_kind"] != "partner", "id"]
    assert set(open_data) <= set(values["indicator_id"])


def test_full_build_police_limits_and_comparisons_use_stats(full_store):
    from helpers import stats

    values = pd.read_parquet(full_store / "indicator_values.parquet")
    rows = values[(values.indicator_id == "police_violence_sexual") & values["count"].notna()]
    areas = pd.read_parquet(full_store / "areas.parquet")
    county = areas.loc[areas["county_code"] == "E10000018", "area_code"].tolist() + ["E10000018"]
    rows = rows[rows["area_code"].isin(county)]  # each county's districts are judged against it
    expected = stats.rate(rows["count"], rows["denominator"], multiplier=1000, confidence=0.998)
    assert rows["upper_998"].to_numpy() == pytest.approx(expected["upper"].to_numpy(), rel=1e-12)
    districts = rows[rows.area_type == "District"]
    county = rows[rows.area_type == "County"].set_index("period")["value"]
    judged = stats.compare(
        districts["value"],
        districts["lower_95"],
        districts["upper_95"],
        districts["period"].map(county),
        polarity="low_is_good",
        lower998=districts["lower_998"],
        upper998=districts["upper_998"],
    )
    assert districts["county_outcome"].tolist() == judged["outcome"].tolist()
    assert set(districts["county_outcome"]) <= {"better", "similar", "worse"}
    # the county is the benchmark, never compared with itself
    assert (rows.loc[rows.area_type == "County", "county_outcome"] == "not compared").all()
    # a series with a gap year has no recent trend
    latest = rows[rows.trend_marker.notna()]
    assert set(latest["trend_marker"]) == {"cannot be calculated"}


def test_a_file_with_several_breakdowns_needs_one_named():
    """API downloads carry sexes, ages and categories; the entry must pick one per area."""
    from helpers.build import source_values
    from helpers.core.errors import DataError
    from helpers.sources import fingertips

    sample = SUBSET_RAW / "fingertips" / "export_format_sample" / "indicators-CountyUA.data.csv"
    frame = fingertips.read_indicator_file(sample)
    entry = {"id": "93356", "source": {"kind": "fingertips", "file": str(sample)}}
    with pytest.raises(DataError, match="several rows per area and period"):
        source_values.select_breakdown(frame, entry)
    entry["source"] |= {"sex": "Persons", "age": "All ages"}
    chosen = source_values.select_breakdown(frame, entry)
    assert not chosen.duplicated(["area_code", "period"]).any()
    assert set(chosen["age"]) == {"All ages"}
    entry["source"]["age"] = "90+ yrs"
    with pytest.raises(DataError, match="0-9 yrs"):  # the fix lists the ages it has
        source_values.select_breakdown(frame, entry)


def test_debug_shows_the_chained_cause(built):
    """`needs --debug` keeps the one message, and adds the traceback with what caused it."""
    (built.params / "build.yaml").write_text("police:\n  first_month: [2019-12\n  last: 1\n")
    plain = built.cli("--force")
    debug = run_cli("--debug", *plain.args[3:])
    assert debug.returncode == plain.returncode == 2
    assert "Traceback" not in plain.stderr
    assert "Traceback" in debug.stderr and "yaml" in debug.stderr.lower()
    assert "The above exception was the direct cause" in debug.stderr  # the YAML parser's error
    assert [line for line in debug.stderr.splitlines() if line.startswith("Error:")] == [
        line for line in plain.stderr.splitlines() if line.startswith("Error:")
    ]


def test_the_build_uses_each_indicators_ci_method(tmp_path):
    """An entry that names ci_method gets its limits that way (here Fingertips' exact limits),
    the others keep the PHE rule."""
    from helpers import stats

    text = (ROOT / "data" / "compendium.yaml").read_text()
    chosen = tmp_path / "compendium.yaml"
    chosen.write_text(
        text.replace(
            "  - id: csp_sexual_offences\n",
            "  - id: csp_sexual_offences\n    ci_method: exact_uniroot\n",
            1,
        )
    )
    out = tmp_path / "processed"
    build.build(SUBSET_RAW, out, params=SUBSET_PARAMS, force=True, compendium_file=chosen)
    values = pd.read_parquet(out / "indicator_values.parquet")
    for ident, method in (("csp_sexual_offences", "exact_uniroot"), ("csp_drug_offences", "phe")):
        rows = values[(values["indicator_id"] == ident) & values["count"].notna()]
        expected = stats.rate(rows["count"], rows["denominator"], multiplier=1000, ci_method=method)
        assert (rows["lower_95"].to_numpy() == expected["lower"].to_numpy()).all(), ident
        assert (rows["upper_95"].to_numpy() == expected["upper"].to_numpy()).all(), ident
    other = stats.rate(
        rows["count"], rows["denominator"], multiplier=1000, ci_method="exact_uniroot"
    )
    assert (rows["lower_95"].to_numpy() != other["lower"].to_numpy()).any()
