"""ONS Health Index for England: the underlying indicators, long format, by district (LTLA 2021)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from helpers.sources.tabular import read_csv, validate

SCHEMA = pa.DataFrameSchema(
    {
        "area_code": pa.Column(str, pa.Check.str_matches(r"^E\d{8}$")),
        "year": pa.Column(int, pa.Check.in_range(2015, 2100)),
        "indicator": pa.Column(str),
        "value": pa.Column(float, nullable=True),
    },
    unique=["area_code", "year", "indicator"],
)


def read_health_index(path: str | Path, indicators: list[str] | None = None) -> pd.DataFrame:
    """Read the long file; optionally keep only the named indicators (all must be present)."""
    path = Path(path)
    frame = read_csv(
        path, required=["ltla21_code", "year", "indicator", "value"], what="ONS Health Index file"
    )
    frame = frame.rename(columns={"ltla21_code": "area_code"})
    # ONS writes the year as 2015.0
    frame["year"] = pd.to_numeric(frame["year"], errors="coerce").round().astype("Int64")
    frame = validate(
        frame.astype({"year": int}) if frame["year"].notna().all() else frame, SCHEMA, path=path
    )
    if indicators is not None:
        from helpers.core.errors import DataError

        missing = sorted(set(indicators) - set(frame["indicator"]))
        if missing:
            raise DataError(
                f"the Health Index file has no indicator {', '.join(map(repr, missing))}",
                path=path,
                fix="check the indicator names in data/compendium.yaml against the file",
            )
        frame = frame[frame["indicator"].isin(indicators)]
    return frame.reset_index(drop=True)
