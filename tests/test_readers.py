"""Each source reader on real (subset) data, and on the bad inputs the issue lists."""

from __future__ import annotations

import gzip
import zipfile

import pandas as pd
import pytest
from conftest import FULL_RAW, SUBSET_RAW

from helpers.core.errors import DataError
from helpers.sources import (
    baseline_2017,
    boundaries,
    fingertips,
    geography,
    health_index,
    imd,
    police_uk,
    population,
)

POLICE = SUBSET_RAW / "police_uk/street/2022-10-leicestershire-street.csv.gz"


def _police_text() -> str:
    return gzip.decompress(POLICE.read_bytes()).decode("utf-8")


def test_police_reads_gz_plain_and_zip(tmp_path):
    from_gz = police_uk.read_street_crime(POLICE)
    plain = tmp_path / "2022-10-leicestershire-street.csv"
    plain.write_text(_police_text())
    archive = tmp_path / "2022-10.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("2022-10/2022-10-leicestershire-street.csv", _police_text())
        zf.writestr("2022-10/2022-10-leicestershire-outcomes.csv", "not,read\n1,2\n")
    assert list(from_gz.columns) == [
        "month",
        "lsoa_code",
        "lsoa_name",
        "crime_type",
        "falls_within",
    ]
    pd.testing.assert_frame_equal(from_gz, police_uk.read_street_crime(plain))
    pd.testing.assert_frame_equal(from_gz, police_uk.read_street_crime(archive))
    assert from_gz["lsoa_code"].isna().sum() == 20  # rows without a location are kept


def test_police_missing_column_names_it(tmp_path):
    frame = pd.read_csv(POLICE, dtype=str).drop(columns="Crime type")
    path = tmp_path / "2022-10-leicestershire-street.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        police_uk.read_street_crime(path)
    assert "lacks the column 'Crime type'" in err.value.message
    assert str(path.name) in err.value.message and "What to do" in err.value.message


def test_police_renamed_column_is_spotted(tmp_path):
    frame = pd.read_csv(POLICE, dtype=str).rename(columns={"LSOA code": "LSOA Code 2011"})
    path = tmp_path / "2022-10-leicestershire-street.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError, match="'LSOA Code 2011' looks like a renamed 'LSOA code'"):
        police_uk.read_street_crime(path)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"Crime ID,Month,Reported by,Falls within,Longitude,"
        b"Latitude,Location,LSOA code,LSOA name,Crime type,"
        b"Last outcome category,Context\n",
    ],
)
def test_police_empty_file(tmp_path, content):
    path = tmp_path / "2022-10-leicestershire-street.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match="empty|no rows"):
        police_uk.read_street_crime(path)


def test_police_truncated_gzip(tmp_path):
    path = tmp_path / "2022-10-leicestershire-street.csv.gz"
    path.write_bytes(POLICE.read_bytes()[:-200])
    with pytest.raises(DataError, match="truncated or corrupt"):
        police_uk.read_street_crime(path)


def test_police_corrupt_zip(tmp_path):
    path = tmp_path / "2022-10.zip"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataError, match="zip archive is truncated or corrupt"):
        police_uk.read_street_crime(path)


def test_police_bad_values_give_line_numbers(tmp_path):
    lines = _police_text().splitlines()
    lines[3] = lines[3].replace("2022-10", "2022-13", 1)
    path = tmp_path / "2022-10-leicestershire-street.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"column 'month'.*line 4"):
        police_uk.read_street_crime(path)


def test_geography_lookups():
    lsoa11 = geography.read_lsoa11_lookup(
        SUBSET_RAW / "lookups/LSOA11_MSOA11_LAD17_RGN_lookup.csv.gz"
    )
    lsoa21 = geography.read_lsoa21_lookup(
        SUBSET_RAW / "lookups/LSOA21_Ward24_LAD24_lookup_EW.csv.gz"
    )
    pfa = geography.read_lad_csp_pfa(SUBSET_RAW / "lookups/LAD24_CSP24_PFA24_lookup_EW.csv")
    county = geography.read_lad_county(
        SUBSET_RAW / "lookups/LAD19_to_County19_lookup_England_Apr2019.csv"
    )
    region = geography.read_lad_region(SUBSET_RAW / "lookups/LAD18_to_Region18_lookup_England.csv")
    assert lsoa11.set_index("lsoa_name").loc["Charnwood 022A", "lad_code"] == "E07000130"
    assert set(lsoa21.columns) == {"lsoa_code", "lsoa_name", "lad_code", "lad_name"}
    assert set(pfa["pfa_code"]) == {"E23000021"}
    assert set(county["county_code"]) == {"E10000018"}
    assert set(region["region_code"]) == {"E12000004"}


def test_boundaries_subset_and_missing_code():
    path = SUBSET_RAW / "boundaries/Local_Authority_Districts_December_2019_UK_BUC.geojson"
    collection = boundaries.read_district_boundaries(path, ["E07000130", "E06000016"])
    assert [f["properties"]["lad19nm"] for f in collection["features"]] == [
        "Charnwood",
        "Leicester",
    ]
    with pytest.raises(DataError, match="no polygon for E07000001"):
        boundaries.read_district_boundaries(path, ["E07000001"])


def test_population_long_wide_and_series():
    long = population.read_mye_long(
        SUBSET_RAW / "population/mye2022_lad_sex_singleyear_age_long.csv.gz", year=2022, release="r"
    )
    wide = population.read_mye_wide(
        SUBSET_RAW / "population/mye2020_ltla21_single_year_age.csv.gz", year=2020, release="r"
    )
    series = population.read_mye_series_by_name(
        SUBSET_RAW / "population/ons_mye_la_population_mid2011_mid2023_by_name.csv", years=[2019]
    )
    blaby = long[(long.area_code == "E07000129") & (long.sex == "Persons")]
    assert blaby.loc[blaby.age == "all", "population"].item() == 104182
    # single years add up to the published total
    assert blaby.loc[blaby.age != "all", "population"].sum() == 104182
    assert set(wide["sex"]) == {"Persons"} and (wide["release"] == "r").all()
    # the revised series differs from the 2019 release: the reason releases are recorded
    charnwood = series[(series.name == "Charnwood") & (series.year == 2019)]
    assert charnwood["population"].item() == 180988


def test_population_lacking_a_year():
    path = SUBSET_RAW / "population/ons_mye_la_population_mid2011_mid2023_by_name.csv"
    with pytest.raises(DataError, match="no estimate for mid-2024"):
        population.read_mye_series_by_name(path, years=[2023, 2024])


def test_imd_readers():
    lsoa = imd.read_imd_lsoa(SUBSET_RAW / "imd/IoD2019_File2_domains_LSOA.csv.gz")
    district = imd.read_imd_district(SUBSET_RAW / "imd/IMD2019_LAD19_summary_scores.csv")
    assert lsoa["imd_decile"].between(1, 10).all() and "crime_decile" in lsoa
    assert set(district["lad19_code"]) >= {"E07000129", "E07000135"}


def test_fingertips_both_layouts():
    extract = fingertips.read_indicator_file(
        SUBSET_RAW / "fingertips/depression_qof_prevalence_848.csv"
    )
    official = fingertips.read_indicator_file(
        SUBSET_RAW / "fingertips/export_format_sample/indicators-CountyUA.data.csv"
    )
    assert list(extract.columns) == list(official.columns) == fingertips.TIDY_COLUMNS
    assert set(extract["indicator_id"]) == {"848"}
    row = extract[(extract.area_code == "E07000130") & (extract.period == "2014/15")].iloc[0]
    assert (row.value, row.england_outcome, row.england_level) == (8.1, "higher", 99.8)
    eng = official[(official.area_code == "E92000001") & official.category.isna()].iloc[0]
    assert eng["count"] == 51897 and eng["indicator_name"] == "Campylobacter incidence rate/100,000"
    assert eng["lower_95"] == pytest.approx(93.9129396546008)


def test_fingertips_official_layout_with_27th_column(tmp_path):
    source = SUBSET_RAW / "fingertips/export_format_sample/indicators-CountyUA.data.csv"
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    frame["Time period range"] = "1y"
    path = tmp_path / "api.csv"
    frame.to_csv(path, index=False)
    assert len(fingertips.read_indicator_file(path)) == len(frame)


def test_fingertips_unknown_layout(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="neither a Fingertips export"):
        fingertips.read_indicator_file(path)


def test_health_index_and_unknown_indicator():
    path = SUBSET_RAW / "ons_health_index/health_index_indicators_ltla21_2015_2021.csv.gz"
    frame = health_index.read_health_index(path, ["Drug misuse"])
    assert set(frame["year"]) == set(range(2015, 2022))
    with pytest.raises(DataError, match="no indicator 'Drugs misuse'"):
        health_index.read_health_index(path, ["Drugs misuse"])


def test_baseline_2017_has_19_items():
    frame = baseline_2017.read_baseline_2017(
        FULL_RAW / "seed_2017/leicestershire_2017_headline_figures.csv"
    )
    assert frame["item"].nunique() == 19
    assert frame["item"].notna().all()


IMD2025_LSOA = FULL_RAW / "imd/imd2025_england_lsoa21.rda"
IMD2025_LAD = FULL_RAW / "imd/indices_of_deprivation_2025_lad.csv"


def test_imd2025_lsoa_reader_on_the_real_file():
    lsoa = imd.read_imd2025_lsoa(IMD2025_LSOA)
    assert len(lsoa) == 33755 and lsoa["lsoa21_code"].is_unique
    assert sorted(lsoa["imd_rank"]) == list(range(1, 33756))  # every rank once
    assert lsoa["imd_decile"].value_counts().between(3375, 3376).all()
    assert str(lsoa["imd_decile"].dtype) == "int64" and str(lsoa["crime_rank"].dtype) == "int64"
    assert {"crime_decile", "housing_score", "environment_rank"} <= set(lsoa.columns)
    # Leicestershire, Leicester and Rutland: LSOA 2021s, and how many in the most deprived decile
    lookup = geography.read_lsoa21_lookup(FULL_RAW / "lookups/LSOA21_Ward24_LAD24_lookup_EW.csv.gz")
    joined = lsoa.merge(lookup, left_on="lsoa21_code", right_on="lsoa_code")
    assert len(joined) == 33755  # every code is in the lookup
    counts = joined.groupby("lad_code")["imd_decile"].agg(
        lsoas="size", bottom=lambda d: int((d == 1).sum())
    )
    expected = {
        "E07000129": (60, 0),
        "E07000130": (102, 2),
        "E07000131": (52, 0),
        "E07000132": (68, 0),
        "E07000133": (30, 0),
        "E07000134": (60, 1),
        "E07000135": (36, 0),
        "E06000016": (200, 40),
        "E06000017": (26, 0),
    }
    assert {c: tuple(counts.loc[c]) for c in expected} == expected


def test_imd2025_district_reader_charnwood():
    district = imd.read_imd2025_district(IMD2025_LAD)
    assert len(district) == 2960 and district["lad_code"].nunique() == 296
    assert set(district["domain"]) == set(imd.DISTRICT_DOMAINS_2025.values())
    row = district[(district["lad_code"] == "E07000130") & (district["domain"] == "imd")].iloc[0]
    assert row["average_rank"] == pytest.approx(11308.29)
    assert row["rank_average_rank"] == 232
    assert row["average_score"] == pytest.approx(13.272)
    assert row["proportion_bottom_decile"] == pytest.approx(2 / 102, abs=5e-5)
    assert row["lad_name"] == "Charnwood"
    # the subset's rows are the real file's rows
    subset = imd.read_imd2025_district(SUBSET_RAW / "imd/indices_of_deprivation_2025_lad.csv")
    assert set(subset["lad_code"]) == {
        "E07000129",
        "E07000130",
        "E07000131",
        "E07000132",
        "E07000133",
        "E07000134",
        "E07000135",
        "E06000016",
        "E06000017",
    }


def _r_frame(path, frame, name="imd2025_england_lsoa21"):
    import rdata

    frame = frame.reset_index(drop=True).astype({"lsoa21_code": object})
    rdata.write_rda(path, {name: frame}, compression="bzip2")
    return path


@pytest.fixture(scope="module")
def imd2025_rows():
    """A few rows of the subset's R data frame, as rdata reads it (columns as published)."""
    return imd.read_r_frame(
        SUBSET_RAW / "imd/imd2025_england_lsoa21.rda", "imd2025_england_lsoa21", what="file"
    ).head(20)


def test_imd2025_lsoa_wrong_r_file(tmp_path, imd2025_rows):
    """An R data file holding another data frame (say the district file) is named as such."""
    path = _r_frame(tmp_path / "imd2025_england_lsoa21.rda", imd2025_rows, name="districts")
    with pytest.raises(DataError) as err:
        imd.read_imd2025_lsoa(path)
    message = err.value.message
    assert "imd2025_england_lsoa21.rda" in message and "holds no data frame" in message
    assert "'districts'" in message and "What to do" in message


def test_imd2025_lsoa_missing_column(tmp_path, imd2025_rows):
    path = _r_frame(tmp_path / "imd.rda", imd2025_rows.drop(columns="Crime_decile"))
    with pytest.raises(DataError, match="lacks the column 'Crime_decile'"):
        imd.read_imd2025_lsoa(path)


def test_imd2025_lsoa_bad_values(tmp_path, imd2025_rows):
    rows = imd2025_rows.copy()
    rows.loc[2, "IMD_decile"] = 11
    rows.loc[3, "IMD_rank"] = 12.5
    rows.loc[4, "Crime_decile"] = float("nan")
    with pytest.raises(DataError) as err:
        imd.read_imd2025_lsoa(_r_frame(tmp_path / "imd.rda", rows))
    message = err.value.message
    assert "'imd_decile' fails in_range" in message and "'imd_rank' fails whole_number" in message
    assert "'crime_decile' fails not_nullable" in message


@pytest.mark.parametrize(
    "content", [b"", b"lsoa21_code,IMD_decile\nE01000001,3\n", b"BZh91AY&SY\x00\x01"]
)
def test_imd2025_lsoa_not_r_data(tmp_path, content):
    path = tmp_path / "imd2025_england_lsoa21.rda"
    path.write_bytes(content)
    with pytest.raises(DataError, match="is not a readable R data file"):
        imd.read_imd2025_lsoa(path)


def test_imd2025_district_missing_column_and_unknown_index(tmp_path):
    frame = pd.read_csv(SUBSET_RAW / "imd/indices_of_deprivation_2025_lad.csv", dtype=str)
    path = tmp_path / "lad.csv"
    frame.drop(columns="average_score").to_csv(path, index=False)
    with pytest.raises(DataError, match="lacks the column 'average_score'"):
        imd.read_imd2025_district(path)
    frame.assign(index_domain="Index of Happiness").to_csv(path, index=False)
    with pytest.raises(DataError, match="names an index it should not: 'Index of Happiness'"):
        imd.read_imd2025_district(path)
    frame[frame["index_domain"] == "Crime"].to_csv(path, index=False)
    with pytest.raises(DataError, match="no 'Index of Multiple Deprivation' rows"):
        imd.read_imd2025_district(path)
