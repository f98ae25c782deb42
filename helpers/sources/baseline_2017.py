"""The county headline figures of the December 2017 needs-assessment update (the 'then')."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from helpers.sources.tabular import read_csv, validate

COLUMNS = [
    "item",
    "priority",
    "indicator",
    "area_code",
    "area_name",
    "period",
    "value",
    "unit",
    "england_value",
    "comparison_as_reported",
    "note",
]
PRIORITIES = ["substance_misuse", "mental_health", "domestic_sexual_violence"]

SCHEMA = pa.DataFrameSchema(
    {
        "item": pa.Column(str, pa.Check.str_matches(r"^[ivx]+$")),
        "priority": pa.Column(str, pa.Check.isin(PRIORITIES)),
        "indicator": pa.Column(str),
        "value": pa.Column(float),
        "england_value": pa.Column(float, nullable=True),
        "unit": pa.Column(str),
    }
)


def read_baseline_2017(path: str | Path | None) -> pd.DataFrame:
    """One row per figure quoted in 2017 (19 numbered items, some with two periods); no rows
    when there is no earlier assessment (`path` None). Each row names its area."""
    if path is None:
        return pd.DataFrame({c: pd.Series(dtype=float if "value" in c else str) for c in COLUMNS})
    path = Path(path)
    frame = read_csv(
        path,
        required=COLUMNS,
        dtype={"item": str, "period": str, "note": str},
        what="2017 headline figures",
    )
    frame["item"] = frame["item"].ffill()  # a second row of the same item leaves it blank
    return validate(frame[COLUMNS], SCHEMA, path=path)
