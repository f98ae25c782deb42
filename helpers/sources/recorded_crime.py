"""ONS police recorded crime by police force area (years ending September), as re-published.

A secondary source (assembled by hand from the ONS tables), so the reader checks it closely."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from helpers.core.errors import DataError
from helpers.sources.tabular import read_csv, validate

YEAR, AREA = "Year ending September", "Area name"
SCHEMA = pa.DataFrameSchema(
    {
        "area_name": pa.Column(str),
        "year": pa.Column(int, pa.Check.in_range(2000, 2100)),
        "offence": pa.Column(str),
        "count": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    unique=["area_name", "year", "offence"],
)


def read_recorded_crime(path: str | Path, offences: list[str]) -> pd.DataFrame:
    """Counts of the named offence groups by area and year: area_name, year, offence, count."""
    path = Path(path)
    frame = read_csv(path, required=[YEAR, AREA, *offences], what="recorded crime file")
    long = frame.melt(
        id_vars=[AREA, YEAR], value_vars=offences, var_name="offence", value_name="count"
    ).rename(columns={AREA: "area_name", YEAR: "year"})
    counts = pd.to_numeric(long["count"], errors="coerce")
    bad = counts.isna() & long["count"].notna()
    if bad.any():
        first = long[bad].iloc[0]
        raise DataError(
            f"'{first['offence']}' for {first['area_name']} ({first['year']}) is not "
            f"a number: {first['count']!r}",
            path=path,
            fix="correct the value from the ONS police force area tables",
        )
    long["count"] = counts.astype(float)
    return validate(long, SCHEMA, path=path)
