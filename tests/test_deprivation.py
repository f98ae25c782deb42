"""Deprivation in the store: each LSOA's IMD decile in the edition made for its vintage (IMD 2019
for 2011 LSOAs, IMD 2025 for 2021 LSOAs), the IMD 2025 district summaries, the editions the
police.uk tables carry, and the words reports put around them."""

from __future__ import annotations

import pandas as pd
import pytest
import rdata
from conftest import FULL_RAW, SUBSET_RAW

from helpers.build import deprivation, police_summaries
from helpers.core.errors import DataError
from helpers.report import wording

FIXTURE_DISTRICTS = [
    "E07000129",
    "E07000130",
    "E07000131",
    "E07000132",
    "E07000133",
    "E07000134",
    "E07000135",
    "E06000016",
    "E06000017",
]
RDA_CLASSES = {
    **rdata.conversion.DEFAULT_CLASS_MAP,
    "tbl_df": rdata.conversion.DEFAULT_CLASS_MAP["data.frame"],
    "tbl": rdata.conversion.DEFAULT_CLASS_MAP["data.frame"],
}


def _raw_imd2025(raw) -> pd.DataFrame:
    """The IoD2025 LSOA file read with rdata alone, not through the project's reader."""
    frame = rdata.read_rda(raw / "imd/imd2025_england_lsoa21.rda", constructor_dict=RDA_CLASSES)
    return frame["imd2025_england_lsoa21"].set_index("lsoa21_code")


@pytest.fixture(scope="module")
def lsoas(subset_store) -> pd.DataFrame:
    return pd.read_parquet(subset_store / "lsoas.parquet")


def test_2021_lsoas_take_the_raw_imd2025_deciles(lsoas):
    new = lsoas[(lsoas["vintage"] == "2021") & lsoas["lad_code"].isin(FIXTURE_DISTRICTS)]
    assert len(new) >= 102 and set(new["imd_edition"]) == {"IMD 2025"}
    for raw in (SUBSET_RAW, FULL_RAW):  # the subset's rows are the real file's
        published = _raw_imd2025(raw)
        codes = new["lsoa_code"]
        assert new["imd_decile"].tolist() == published.loc[codes, "IMD_decile"].astype(int).tolist()
        assert new["imd_rank"].tolist() == published.loc[codes, "IMD_rank"].astype(int).tolist()
    charnwood = new[new["lad_code"] == "E07000130"]
    assert len(charnwood) == 102 and (charnwood["imd_decile"] == 1).sum() == 2


def test_2011_lsoas_keep_imd2019(lsoas):
    old = lsoas[lsoas["vintage"] == "2011"]
    assert len(old) and set(old["imd_edition"]) == {"IMD 2019"}
    file2 = pd.read_csv(SUBSET_RAW / "imd/IoD2019_File2_domains_LSOA.csv.gz").set_index(
        "LSOA code (2011)"
    )
    decile = "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"
    rank = "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"
    assert old["imd_decile"].tolist() == file2.loc[old["lsoa_code"], decile].tolist()
    assert old["imd_rank"].tolist() == file2.loc[old["lsoa_code"], rank].tolist()
    assert list(lsoas.columns) == deprivation.LSOA_COLUMNS


def test_charnwood_district_row(subset_store):
    district = pd.read_parquet(subset_store / "deprivation_district.parquet")
    row = district[(district["lad_code"] == "E07000130") & (district["domain"] == "imd")]
    assert len(row) == 1
    row = row.iloc[0]
    assert row["imd_edition"] == "IMD 2025" and row["lad_name"] == "Charnwood"
    assert row["average_rank"] == pytest.approx(11308.29) and row["rank_average_rank"] == 232
    assert row["average_score"] == pytest.approx(13.272)
    assert row["proportion_bottom_decile"] == pytest.approx(0.0196)


def test_an_lsoa_its_edition_does_not_rank_stops_the_build():
    lookup = pd.DataFrame(
        {
            "lsoa_code": ["E01000001", "E01000002", "W01000001"],
            "lsoa_name": ["Borsetshire 001A", "Borsetshire 001B", "Wales"],
            "lad_code": ["E07000901"] * 2 + ["W06000901"],
            "lad_name": ["Borsetshire"] * 2 + ["Wales"],
        }
    )
    ranked = pd.DataFrame({"imd_rank": [10, 20000], "imd_decile": [1, 7]})
    dep2019 = ranked.assign(lsoa11_code=["E01000001", "E01000002"])
    dep2025 = ranked.assign(lsoa21_code=["E01000001", "E01000002"])
    both = deprivation.lsoa_deprivation(lookup, lookup, dep2019, dep2025)
    assert both.groupby("vintage")["imd_edition"].unique().map(list).to_dict() == {
        "2011": ["IMD 2019"],
        "2021": ["IMD 2025"],
    }
    assert "W01000001" not in set(both["lsoa_code"])  # English LSOAs only
    with pytest.raises(DataError, match="1 English 2021 LSOAs of the lookup have no IMD 2025"):
        deprivation.lsoa_deprivation(lookup, lookup, dep2019, dep2025.head(1))


def _police(months: list[str]):
    """Drugs crimes of one force in one district, 10 a month in each of two LSOAs: 2011 LSOAs
    up to January 2023, 2021 LSOAs from February 2023."""
    lsoas = pd.DataFrame(
        {
            "lsoa_code": ["E01000001", "E01000002", "E01000001", "E01000003"],
            "lsoa_name": ["A", "B", "A", "C"],
            "vintage": ["2011", "2011", "2021", "2021"],
            "lad_code": "E07000901",
            "lad_name": "Borsetshire",
            "imd_edition": ["IMD 2019", "IMD 2019", "IMD 2025", "IMD 2025"],
            "imd_rank": [100, 7000, 4000, 9000],
            "imd_decile": [1, 3, 2, 3],
        }
    )
    rows = []
    for month in months:
        codes = [("E01000001", "2011"), ("E01000002", "2011")]
        if month >= "2023-02":
            codes = [("E01000001", "2021"), ("E01000003", "2021")]
        for code, vintage in codes:
            rows.append(
                {
                    "pfa_code": "E23000901",
                    "month": month,
                    "lsoa_code": code,
                    "lsoa_vintage": vintage,
                    "lad_code": "E07000901",
                    "crime_type": "Drugs",
                    "count": 10,
                }
            )
    crimes = pd.DataFrame(rows)
    coverage = pd.DataFrame({"pfa_code": "E23000901", "month": months, "status": "published"})
    gaps = pd.DataFrame(columns=["pfa_code", "month", "crime_type"])
    groups = {"E07000901": ("E23000901", ["E07000901"])}
    return crimes, lsoas, coverage, gaps, groups


def test_each_year_names_the_editions_of_its_deciles(caplog):
    months = [f"{y}-{m:02d}" for y in (2022, 2023, 2024) for m in range(1, 13)]
    crimes, lsoas, coverage, gaps, groups = _police(months)
    by_lsoa = police_summaries.lsoa_year(crimes, lsoas, gaps, groups)
    editions = by_lsoa.groupby("year")["imd_edition"].unique().map(sorted).to_dict()
    assert editions == {
        "2022": ["IMD 2019"],
        "2023": ["IMD 2019", "IMD 2025"],  # January's 2011 codes keep IMD 2019
        "2024": ["IMD 2025"],
    }
    frame = police_summaries.deprivation(by_lsoa, lsoas, coverage, gaps, groups)
    edition = frame.groupby("year")["imd_edition"].unique().map(list).to_dict()
    assert edition == {
        "2022": ["IMD 2019"],
        "2023": ["IMD 2019 and IMD 2025"],
        "2024": ["IMD 2025"],
    }
    mixed = frame[frame["year"] == "2023"].set_index("imd_decile")
    # each crime in its own LSOA's decile: January's 2011 codes in their IMD 2019 deciles
    assert mixed.loc[3, "count"] == 10 + 110 and mixed.loc[2, "count"] == 110
    # the LSOAs per decile are the 2021 ones (IMD 2025): IMD 2019 decile 1 has none, so
    # January's 10 crimes there have no figure, and the build says so
    assert mixed["lsoas"].to_dict() == {d: int(d in (2, 3)) for d in range(1, 11)}
    assert pd.isna(mixed.loc[1, "count"])
    assert "E07000901 2023: 10 crimes are in IMD 2019 deciles with no 2021 LSOA" in caplog.text
    latest = frame[frame["year"] == "2024"].set_index("imd_decile")
    assert latest.loc[2, "per_lsoa"] == 120 and latest.loc[1, "lsoas"] == 0


def _gradient(edition: str, year: str = "2023") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "imd_decile": range(1, 11),
            "imd_edition": edition,
            "year": year,
            "lsoas": [0] + [3] * 9,
            "count": [float("nan")] + [30.0] * 9,
            "per_lsoa": [float("nan")] + [10.0] * 9,
            "suppressed": False,
        }
    )


def test_report_words_name_the_edition():
    single = _gradient("IMD 2025", "2024")
    assert "by IMD 2025 decile in Borsetshire, 2024" in wording.deprivation_alt(
        "drug crimes", "Borsetshire", "2024", single
    )
    assert wording.decile_axis("IMD 2025") == "Index of Multiple Deprivation 2025 decile (national)"
    assert "MHCLG" not in wording.deprivation_note("Borsetshire", single)
    mixed = _gradient("IMD 2019 and IMD 2025")
    alt = wording.deprivation_alt("drug crimes", "Borsetshire", "2023", mixed)
    assert "by IMD decile (IMD 2019 and IMD 2025) in Borsetshire, 2023" in alt
    note = wording.deprivation_note("Borsetshire", mixed)
    assert "In 2023 police.uk gave some crimes a 2011 neighbourhood and the rest a 2021" in note
    assert "MHCLG advises comparing deciles, not ranks, between editions." in note
    assert "(national; IMD 2019 and IMD 2025)" in wording.decile_axis("IMD 2019 and IMD 2025")


def test_hot_spots_table_names_each_decile_edition():
    spots = pd.DataFrame(
        {
            "lsoa_code": ["E01000001", "E01000003"],
            "lsoa_name": ["Borsetshire 001A", "Borsetshire 001C"],
            "count": [40, 20],
            "suppressed": False,
            "imd_decile": [1, 3],
            "imd_edition": ["IMD 2025", "IMD 2025"],
        }
    )
    table = wording.hot_spots_table(spots, "drug crimes", "2024")
    assert list(table["IMD 2025 decile (1 = most deprived)"]) == ["1", "3"]
    table = wording.hot_spots_table(
        spots.assign(imd_edition=["IMD 2019", "IMD 2025"]), "drug crimes", "2023"
    )
    assert list(table["IMD decile (1 = most deprived)"]) == ["1 (IMD 2019)", "3 (IMD 2025)"]


def test_full_store_deciles_and_editions(full_store):
    lsoas = pd.read_parquet(full_store / "lsoas.parquet")
    new = lsoas[lsoas["vintage"] == "2021"]
    assert len(new) == 33755 and new["imd_decile"].notna().all()
    counts = new.groupby("lad_code")["imd_decile"].agg(
        lsoas="size", bottom=lambda d: int((d == 1).sum())
    )
    assert tuple(counts.loc["E07000130"]) == (102, 2)
    assert tuple(counts.loc["E06000016"]) == (200, 40)
    police = pd.read_parquet(full_store / "police_deprivation.parquet")
    editions = police.groupby("year")["imd_edition"].unique().map(list).to_dict()
    assert editions["2021"] == ["IMD 2019"] and editions["2024"] == ["IMD 2025"]
    county = police[(police["area_code"] == "E10000018") & (police["year"] == "2023")]
    assert set(county["imd_edition"]) == {"IMD 2019 and IMD 2025"}
    district = pd.read_parquet(full_store / "deprivation_district.parquet")
    assert district.loc[district["domain"] == "imd", "lad_code"].nunique() == 296
