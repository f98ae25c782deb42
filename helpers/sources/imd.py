"""English Indices of Deprivation 2019 (MHCLG): by LSOA 2011 and by district."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from helpers.sources.tabular import read_csv, validate

CODE = r"^E\d{8}$"
DOMAINS = {
    "Index of Multiple Deprivation (IMD)": "imd",
    "Income": "income",
    "Employment": "employment",
    "Education, Skills and Training": "education",
    "Health Deprivation and Disability": "health",
    "Crime": "crime",
    "Barriers to Housing and Services": "housing",
    "Living Environment": "environment",
}


def read_imd_lsoa(path: str | Path) -> pd.DataFrame:
    """IoD2019 File 2: rank and decile (1 = most deprived 10%) of the IMD and its 7 domains by LSOA.

    Columns: lsoa11_code, lsoa11_name, lad19_code, <domain>_rank, <domain>_decile."""
    path = Path(path)
    columns = {
        "LSOA code (2011)": "lsoa11_code",
        "LSOA name (2011)": "lsoa11_name",
        "Local Authority District code (2019)": "lad19_code",
    }
    for name, short in DOMAINS.items():
        columns[f"{name} Rank (where 1 is most deprived)"] = f"{short}_rank"
        columns[f"{name} Decile (where 1 is most deprived 10% of LSOAs)"] = f"{short}_decile"
    frame = read_csv(
        path, required=list(columns), usecols=list(columns), what="IMD 2019 LSOA file"
    ).rename(columns=columns)
    schema = pa.DataFrameSchema(
        {
            "lsoa11_code": pa.Column(str, pa.Check.str_matches(CODE)),
            "lsoa11_name": pa.Column(str),
            "lad19_code": pa.Column(str, pa.Check.str_matches(CODE)),
        }
        | {f"{d}_rank": pa.Column(int, pa.Check.in_range(1, 32844)) for d in DOMAINS.values()}
        | {f"{d}_decile": pa.Column(int, pa.Check.in_range(1, 10)) for d in DOMAINS.values()},
        unique=["lsoa11_code"],
    )
    return validate(frame[list(columns.values())], schema, path=path)


def read_imd_district(path: str | Path) -> pd.DataFrame:
    """IMD 2019 district summaries: average score, proportion of LSOAs in the most deprived 10%,
    extent, and the same by domain. Columns in snake_case, keyed by lad19_code."""
    path = Path(path)
    frame = read_csv(
        path,
        required=["ltla19_code", "Score", "Proportion", "Extent"],
        what="IMD 2019 district summary",
    )
    frame.columns = ["lad19_code"] + [c.lower() for c in frame.columns[1:]]
    schema = pa.DataFrameSchema(
        {
            "lad19_code": pa.Column(str, pa.Check.str_matches(CODE)),
            "score": pa.Column(float, pa.Check.ge(0)),
            "proportion": pa.Column(float, pa.Check.in_range(0, 1)),
            "extent": pa.Column(float, pa.Check.in_range(0, 1)),
        },
        unique=["lad19_code"],
    )
    return validate(frame, schema, path=path)
