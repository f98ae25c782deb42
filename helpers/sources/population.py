"""ONS mid-year population estimates. Each year is tagged with the release it came from, because
vintages differ (one district's mid-2019 is about 5,000 lower in the revised series than in the
2019 release)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from helpers.core.errors import DataError
from helpers.sources.imd import read_r_frame
from helpers.sources.tabular import RESTORE_FIX, read_csv, require_columns, validate

OUT_COLUMNS = ["area_code", "year", "sex", "age", "population", "release"]
AGES = [str(a) for a in range(90)] + ["90+", "all"]

SCHEMA = pa.DataFrameSchema(
    {
        "area_code": pa.Column(str, pa.Check.str_matches(r"^[EWSNK]\d{8}$")),
        "year": pa.Column(int, pa.Check.in_range(1990, 2100)),
        "sex": pa.Column(str, pa.Check.isin(["Persons", "Males", "Females"])),
        "age": pa.Column(str, pa.Check.isin(AGES)),
        "population": pa.Column(float, pa.Check.ge(0)),
        "release": pa.Column(str),
    }
)


def read_mye_long(path: str | Path, *, year: int, release: str) -> pd.DataFrame:
    """A long MYE2 sheet (code, name, geography, sex, age, population) for one mid-year."""
    path = Path(path)
    frame = read_csv(
        path,
        required=["code", "name", "geography", "sex", "age", "population"],
        dtype={"code": str, "sex": str, "age": str},
        what="population file",
    )
    frame = frame.rename(columns={"code": "area_code"}).assign(year=year, release=release)
    frame["population"] = frame["population"].astype(float)
    return validate(frame[OUT_COLUMNS], SCHEMA, path=path)


def read_mye_wide(path: str | Path, *, year: int, release: str) -> pd.DataFrame:
    """The wide mid-2020 file: one row per district, one column per single year of age (persons)."""
    path = Path(path)
    ages = [str(a) for a in range(90)] + ["90+"]
    frame = read_csv(
        path, required=["ltla21_code", "total_population", *ages], what="population file"
    )
    long = frame.rename(columns={"ltla21_code": "area_code", "total_population": "all"}).melt(
        id_vars="area_code", value_vars=[*ages, "all"], var_name="age", value_name="population"
    )
    long = long.assign(year=year, sex="Persons", release=release)
    long["population"] = long["population"].astype(float)
    return validate(long[OUT_COLUMNS], SCHEMA, path=path)


def read_mye_series_by_name(path: str | Path, *, years: Sequence[int] = ()) -> pd.DataFrame:
    """The revised totals series (one 'Mid-YYYY' column per year, areas by NAME only).

    Returns name, geography, year, population for every year in the file; fails if any of
    `years` (years a caller needs from this file alone) is missing."""
    path = Path(path)
    frame = read_csv(path, required=["Name", "Geography"], what="population series")
    available = {
        int(m.group(1)): c for c in frame.columns if (m := re.fullmatch(r"Mid-(\d{4})", c))
    }
    missing = sorted(set(years) - set(available))
    if missing:
        raise DataError(
            f"the population series has no estimate for mid-{', mid-'.join(map(str, missing))} "
            f"(it covers mid-{min(available)} to mid-{max(available)})"
            if available
            else "the population series has no 'Mid-YYYY' columns",
            path=path,
            fix="use a release that covers these years, or map each missing year to a published "
            "one under population.year_for in params/build.yaml (the reports then say so)",
        )
    long = frame.melt(
        id_vars=["Name", "Geography"],
        value_vars=list(available.values()),
        var_name="column",
        value_name="population",
    )
    long["year"] = long["column"].str[4:].astype(int)
    long["population"] = pd.to_numeric(long["population"], errors="coerce")
    gaps = long["population"].isna()
    if (gaps & long["year"].isin(years)).any():
        first = long[gaps & long["year"].isin(years)].iloc[0]
        raise DataError(
            f"no population for {first['Name']} in mid-{first['year']}",
            path=path,
            fix="use a complete release of the series",
        )
    long = long[~gaps]
    return long.rename(columns={"Name": "name", "Geography": "geography"})[
        ["name", "geography", "year", "population"]
    ]


def read_mye2_persons(path: str | Path, *, year: int, release: str) -> pd.DataFrame:
    """An ONS 'MYE2 - Persons' sheet saved as CSV (Code, Name, Geography, All ages, 0..89, 90+):
    one row per area, persons by single year of age. Some releases write numbers as text with
    thousands separators ("188,010"); a figure that is not a whole number stops the read."""
    path = Path(path)
    ages = [str(a) for a in range(90)] + ["90+"]
    frame = read_csv(
        path,
        required=["Code", "Name", "Geography", "All ages", *ages],
        dtype=str,
        keep_default_na=False,
        what="population file (MYE2 - Persons)",
    )
    long = frame.rename(columns={"Code": "area_code", "All ages": "all"}).melt(
        id_vars="area_code", value_vars=[*ages, "all"], var_name="age", value_name="text"
    )
    cleaned = long["text"].str.replace(",", "", regex=False).str.strip()
    number = pd.to_numeric(cleaned.where(cleaned.str.fullmatch(r"\d+")), errors="coerce")
    if number.isna().any():
        bad = long[number.isna()].iloc[0]
        raise DataError(
            f"column '{'All ages' if bad['age'] == 'all' else bad['age']}': "
            f"{bad['area_code']} has {bad['text']!r}, not a whole number",
            path=path,
            fix="restore the file as ONS published it (numbers only, thousands separators allowed)",
        )
    long = long.assign(population=number.astype(float), year=year, sex="Persons", release=release)
    return validate(long[OUT_COLUMNS], SCHEMA, path=path)


# --------------------------------------------------------------------------- small areas

SAPE_FRAME = "population20_lsoa11"
SAPE_AGES = [str(a) for a in range(90)] + ["90+"]
SAPE_SCHEMA = pa.DataFrameSchema(
    {
        "lsoa11_code": pa.Column(str, pa.Check.str_matches(r"^[EW]01\d{6}$"), unique=True),
        "total_population": pa.Column(
            float, [pa.Check.ge(0), pa.Check(lambda s: s % 1 == 0, error="whole_number")]
        ),
    }
)


def read_sape_lsoa11(path: str | Path) -> pd.DataFrame:
    """ONS mid-2020 small-area estimates (SAPE23DT2, persons, as an R data file): one row per
    2011 LSOA of England and Wales, lsoa_code and population (all ages, mid-2020).

    The all-ages total must equal the sum of its single years of age, so a file whose columns
    were shifted or cut cannot pass as a population."""
    path = Path(path)
    what = "mid-2020 LSOA population file (SAPE)"
    frame = read_r_frame(path, SAPE_FRAME, what=what)
    require_columns(
        frame.columns, ["lsoa11_code", "total_population", *SAPE_AGES], path=path, what=what
    )
    ages = frame[SAPE_AGES].apply(pd.to_numeric, errors="coerce")
    total = pd.to_numeric(frame["total_population"], errors="coerce")
    bad = (ages.sum(axis=1) - total).abs().gt(0.5) | total.isna() | ages.isna().any(axis=1)
    if bad.any():
        row = int(frame.index[bad][0])
        raise DataError(
            f"column 'total_population': {frame.at[row, 'lsoa11_code']} (row {row + 1}) has "
            f"{frame.at[row, 'total_population']!r}, not the sum of its ages 0 to 90+",
            path=path,
            fix=RESTORE_FIX,
        )
    out = pd.DataFrame(
        {"lsoa11_code": frame["lsoa11_code"].astype(object), "total_population": total}
    )
    out = validate(out, SAPE_SCHEMA, path=path)  # the file's own column names in any message
    return out.rename(columns={"lsoa11_code": "lsoa_code", "total_population": "population"})
