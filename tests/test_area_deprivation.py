"""The overview's district deprivation: IMD 2025 ranks and scores as MHCLG publishes them, and
the most deprived tenth counted in each edition (the data README's own checks)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.report import area_deprivation

CHARNWOOD, NWL, BLABY = "E07000130", "E07000134", "E07000129"


def test_rows_against_the_published_checks(full_store: Path):
    district = pd.read_parquet(full_store / "deprivation_district.parquet")
    lsoas = pd.read_parquet(full_store / "lsoas.parquet")
    frame = area_deprivation.rows(district, lsoas, [CHARNWOOD, NWL, BLABY, "E99999999"])
    frame = frame.set_index("area_code")
    assert list(frame.index) == [CHARNWOOD, NWL, BLABY]  # an unknown code has no row
    assert frame.at[CHARNWOOD, "rank"] == 232 and frame.at[CHARNWOOD, "of"] == 296
    assert frame.at[CHARNWOOD, "average_score"] == 13.272
    assert frame.at[CHARNWOOD, "deciles_2025"] == (2, 102)
    assert frame.at[NWL, "deciles_2025"] == (1, 60)
    assert frame.at[BLABY, "deciles_2025"] == (0, 60)
    # IMD 2019 counts 2011 neighbourhoods, a different set
    assert frame.at[CHARNWOOD, "deciles_2019"][1] != 102
    words = str(area_deprivation.sentence(frame.loc[CHARNWOOD].rename(None).copy()))
    assert "ranks 232nd of 296" in words and "2 of its 102" in words and "IMD 2019" in words


def test_the_table_names_both_editions_and_the_advice(full_store: Path):
    district = pd.read_parquet(full_store / "deprivation_district.parquet")
    lsoas = pd.read_parquet(full_store / "lsoas.parquet")
    page = area_deprivation.table(area_deprivation.rows(district, lsoas, [CHARNWOOD, BLABY]))
    assert "IMD 2025 rank (of 296)" in page and "IMD 2019" in page
    assert "comparing deciles, not ranks" in page
