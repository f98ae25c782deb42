"""ONS geography lookups: LSOA (2011 and 2021) to district, and district to county, region, CSP
and police force area."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from helpers.sources.tabular import read_csv, validate

CODE = r"^[EWSNK]\d{8}$"


def _lookup(path: Path, columns: dict[str, str], what: str, unique: bool = True) -> pd.DataFrame:
    frame = read_csv(path, required=list(columns), usecols=list(columns), dtype=str, what=what)
    frame = frame.rename(columns=columns)[list(columns.values())]
    schema = pa.DataFrameSchema(
        {
            c: pa.Column(str, pa.Check.str_matches(CODE))
            for c in columns.values()
            if c.endswith("_code")
        }
        | {c: pa.Column(str) for c in columns.values() if not c.endswith("_code")},
        unique=[next(iter(columns.values()))] if unique else None,
    )
    return validate(frame, schema, path=path)


def read_lsoa11_lookup(path: str | Path) -> pd.DataFrame:
    """LSOA 2011 -> district (Dec 2017 lookup): lsoa_code, lsoa_name, lad_code, lad_name,
    region_code (Welsh LSOAs have a pseudo region code)."""
    return _lookup(
        Path(path),
        {
            "LSOA11CD": "lsoa_code",
            "LSOA11NM": "lsoa_name",
            "LAD17CD": "lad_code",
            "LAD17NM": "lad_name",
            "RGN11CD": "region_code",
        },
        "LSOA 2011 lookup",
    )


def read_lsoa21_lookup(path: str | Path) -> pd.DataFrame:
    """LSOA 2021 -> district (2024 lookup): lsoa_code, lsoa_name, lad_code, lad_name."""
    return _lookup(
        Path(path),
        {
            "lsoa21_code": "lsoa_code",
            "lsoa21_name": "lsoa_name",
            "ltla24_code": "lad_code",
            "ltla24_name": "lad_name",
        },
        "LSOA 2021 lookup",
    )


def read_lsoa11_to_lsoa21(path: str | Path) -> pd.DataFrame:
    """LSOA 2011 -> 2021 best fit with the ONS change code (U unchanged, S split, M merged, X)."""
    columns = {
        "lsoa11_code": "lsoa11_code",
        "lsoa21_code": "lsoa21_code",
        "change_code": "change_code",
    }
    path = Path(path)
    frame = read_csv(
        path,
        required=list(columns),
        usecols=list(columns),
        dtype=str,
        what="LSOA 2011 to 2021 lookup",
    )
    schema = pa.DataFrameSchema(
        {
            "lsoa11_code": pa.Column(str, pa.Check.str_matches(CODE)),
            "lsoa21_code": pa.Column(str, pa.Check.str_matches(CODE)),
            "change_code": pa.Column(str, pa.Check.isin(["U", "S", "M", "X"])),
        }
    )
    return validate(frame, schema, path=path)


def read_lad_county(path: str | Path) -> pd.DataFrame:
    """District -> county (April 2019): lad_code, lad_name, county_code, county_name."""
    return _lookup(
        Path(path),
        {
            "LAD19CD": "lad_code",
            "LAD19NM": "lad_name",
            "CTY19CD": "county_code",
            "CTY19NM": "county_name",
        },
        "district to county lookup",
    )


def read_lad_region(path: str | Path) -> pd.DataFrame:
    """District -> region (2018): lad_code, lad_name, region_code, region_name."""
    return _lookup(
        Path(path),
        {
            "LAD18CD": "lad_code",
            "LAD18NM": "lad_name",
            "RGN18CD": "region_code",
            "RGN18NM": "region_name",
        },
        "district to region lookup",
    )


def read_lad_csp_pfa(path: str | Path) -> pd.DataFrame:
    """District -> Community Safety Partnership -> police force area (2024)."""
    return _lookup(
        Path(path),
        {
            "ltla24_code": "lad_code",
            "ltla24_name": "lad_name",
            "csp24_code": "csp_code",
            "csp24_name": "csp_name",
            "pfa24_code": "pfa_code",
            "pfa24_name": "pfa_name",
        },
        "district to CSP and police force area lookup",
        unique=False,  # a few districts are split between two CSPs
    ).drop_duplicates()
