"""Deprivation for the store: every LSOA's IMD rank and decile in the edition made for its
vintage, and the districts' summaries.

Two editions of the English Indices of Deprivation are in use, each for the geography it ranks:
IoD2019 ranks England's 2011 LSOAs (police.uk data up to 2022, and some of January to May 2023)
and IoD2025 ranks its 2021 LSOAs (police.uk data from 2023) and summarises the 2024 districts.
A decile is the national decile within its own edition, and every row names its edition
(``imd_edition``): MHCLG advises comparing deciles, not ranks, between editions, and saying
which edition was used.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from helpers.core.errors import DataError
from helpers.sources import imd

EDITION_2019 = imd.EDITION_2019
EDITION_2025 = imd.EDITION_2025
EDITION_OF_VINTAGE = {"2011": EDITION_2019, "2021": EDITION_2025}
LSOA_COLUMNS = [
    "lsoa_code",
    "lsoa_name",
    "vintage",
    "lad_code",
    "lad_name",
    "imd_edition",
    "imd_rank",
    "imd_decile",
]


def lsoa_deprivation(
    lsoa11: pd.DataFrame, lsoa21: pd.DataFrame, dep2019: pd.DataFrame, dep2025: pd.DataFrame
) -> pd.DataFrame:
    """Every English LSOA of both vintages with its district and its IMD rank and decile
    (1 = most deprived): a 2011 LSOA from IoD2019, a 2021 LSOA from IoD2025, as published.

    An English LSOA of a lookup that its edition does not rank stops the build: it would drop
    out of every decile unseen."""
    parts = []
    for vintage, lookup, dep, code in (
        ("2011", lsoa11, dep2019, "lsoa11_code"),
        ("2021", lsoa21, dep2025, "lsoa21_code"),
    ):
        english = lookup[lookup["lsoa_code"].str.startswith("E")]
        ranks = dep[[code, "imd_rank", "imd_decile"]].rename(columns={code: "lsoa_code"})
        part = english.merge(ranks, how="left", on="lsoa_code", validate="many_to_one")
        missing = sorted(part.loc[part["imd_decile"].isna(), "lsoa_code"])
        if missing:
            edition = EDITION_OF_VINTAGE[vintage]
            raise DataError(
                f"{len(missing)} English {vintage} LSOAs of the lookup have no {edition} decile "
                f"(e.g. {', '.join(missing[:3])})",
                fix=f"use the {edition} LSOA file and the {vintage} LSOA lookup that "
                "data/sources.yaml names (the edition ranks every English LSOA of its vintage)",
            )
        parts.append(part.assign(vintage=vintage, imd_edition=EDITION_OF_VINTAGE[vintage]))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.astype({"imd_rank": "Int64", "imd_decile": "Int64"})
    return frame[LSOA_COLUMNS]


def district_deprivation(dep2025: pd.DataFrame) -> pd.DataFrame:
    """The IoD2025 district summaries (helpers.sources.imd.read_imd2025_district) with their
    edition: one row per 2024 district and index; ranks are among England's districts
    (1 = most deprived)."""
    return dep2025.assign(imd_edition=EDITION_2025)


def editions(found: Iterable[str]) -> str:
    """The edition words for a figure built from rows of these editions: 'IMD 2025', or
    'IMD 2019 and IMD 2025' for a figure that mixes both."""
    order = list(EDITION_OF_VINTAGE.values())
    present = sorted(set(found), key=order.index)
    return " and ".join(present)


def is_mixed(edition: str) -> bool:
    """Whether edition words (from `editions`) name more than one edition."""
    return edition not in EDITION_OF_VINTAGE.values()
