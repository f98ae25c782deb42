"""OHID Fingertips indicator data, in both layouts found in the wild:

* the official export (website CSV download, 26 columns; the API adds "Time period range");
* the re-published extract layout (area_code, area_name, period, value, indicator, measure,
  unit, significance or compared_to_England), which has no counts and no confidence intervals.

Both come out in the store's tidy, Fingertips-shaped snake_case layout.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from helpers.core.errors import DataError
from helpers.sources.tabular import read_csv, require_columns, validate

TIDY_COLUMNS = [
    "indicator_id",
    "indicator_name",
    "area_code",
    "area_name",
    "area_type",
    "period",
    "sex",
    "age",
    "category_type",
    "category",
    "count",
    "denominator",
    "value",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "value_note",
    "england_outcome",
    "england_level",
    "source",
]
OFFICIAL = {
    "Indicator ID": "indicator_id",
    "Indicator Name": "indicator_name",
    "Area Code": "area_code",
    "Area Name": "area_name",
    "Area Type": "area_type",
    "Sex": "sex",
    "Age": "age",
    "Category Type": "category_type",
    "Category": "category",
    "Time period": "period",
    "Value": "value",
    "Lower CI 95.0 limit": "lower_95",
    "Upper CI 95.0 limit": "upper_95",
    "Lower CI 99.8 limit": "lower_998",
    "Upper CI 99.8 limit": "upper_998",
    "Count": "count",
    "Denominator": "denominator",
    "Value note": "value_note",
    "Compared to England value or percentiles": "england_compared",
}
EXTRACT = ["area_code", "area_name", "period", "value", "indicator", "measure", "unit"]
NUMERIC = ["count", "denominator", "value", "lower_95", "upper_95", "lower_998", "upper_998"]

SCHEMA = pa.DataFrameSchema(
    {
        "indicator_id": pa.Column(str),
        "area_code": pa.Column(str, pa.Check.str_matches(r"^[EWSNK]\d{8}$")),
        "period": pa.Column(str),
        **{c: pa.Column(float, nullable=True) for c in NUMERIC},
    }
)


EXTRACT_SOURCE = "OHID Fingertips (extract)"
"""The source of an extract's rows; the build names its re-publisher (params/build.yaml)."""


def read_indicator_file(path: str | Path) -> pd.DataFrame:
    """Read a Fingertips file of either layout into the tidy layout."""
    path = Path(path)
    header = read_csv(path, required=[], nrows=0, what="Fingertips file").columns
    if "Indicator ID" in header:
        tidy = _read_official(path)
    elif "area_code" in header:
        tidy = _read_extract(path)
    else:
        raise DataError(
            "the file is neither a Fingertips export ('Indicator ID', 'Area Code', ...) nor an "
            "extract ('area_code', 'period', 'value', ...)",
            path=path,
            fix="download it again with `needs fetch fingertips` or from fingertips.phe.org.uk",
        )
    return validate(tidy[TIDY_COLUMNS], SCHEMA, path=path)


def _read_official(path: Path) -> pd.DataFrame:
    frame = read_csv(
        path, required=list(OFFICIAL), dtype=str, keep_default_na=False, what="Fingertips export"
    )
    tidy = frame.rename(columns=OFFICIAL)
    # Names in exports sometimes carry a trailing newline.
    tidy["indicator_name"] = tidy["indicator_name"].str.strip()
    for col in NUMERIC:
        tidy[col] = _numeric(tidy[col], col, path)
    tidy["england_outcome"], tidy["england_level"] = _outcome(tidy["england_compared"])
    tidy["value_note"] = tidy["value_note"].replace("", np.nan)
    for col in ("category_type", "category"):
        tidy[col] = tidy[col].replace("", np.nan)
    tidy["source"] = "OHID Fingertips"
    return tidy


def _read_extract(path: Path) -> pd.DataFrame:
    frame = read_csv(
        path, required=EXTRACT, dtype=str, keep_default_na=False, what="Fingertips extract"
    )
    comparison = next((c for c in ("significance", "compared_to_England") if c in frame), None)
    if comparison is None:
        require_columns(
            frame.columns, [*EXTRACT, "significance"], path=path, what="Fingertips extract"
        )
    match = re.search(r"_(\d+)$", path.stem)
    tidy = pd.DataFrame(
        {
            "indicator_id": match.group(1) if match else path.stem,
            "indicator_name": frame["indicator"].str.strip(),
            "area_code": frame["area_code"],
            "area_name": frame["area_name"],
            "area_type": frame.get("area_type", pd.Series(np.nan, index=frame.index)),
            "period": frame["period"],
            "sex": frame["unit"],  # the extracts put the sex ("Persons") in `unit`
            "age": np.nan,
            "category_type": np.nan,
            "category": np.nan,
            "value": _numeric(frame["value"], "value", path),
            "value_note": np.nan,
            "source": EXTRACT_SOURCE,
        }
    )
    for col in NUMERIC:
        if col not in tidy:
            tidy[col] = np.nan
    tidy["england_outcome"], tidy["england_level"] = _outcome(frame[comparison])
    return tidy


def _numeric(column: pd.Series, name: str, path: Path) -> pd.Series:
    cleaned = column.replace({"": None, "NA": None, "NaN": None})
    values = pd.to_numeric(cleaned, errors="coerce")
    bad = values.isna() & cleaned.notna()
    if bad.any():
        rows = ", ".join(str(i + 2) for i in bad[bad].index[:5])
        raise DataError(
            f"column '{name}' has values that are not numbers at line {rows} "
            f"(e.g. {column[bad].iloc[0]!r})",
            path=path,
            fix="download the file again; Fingertips leaves missing values blank",
        )
    return values.astype(float)


def _outcome(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """'Higher 99.8' -> ('higher', 99.8); 'Better' -> ('better', NaN); blanks -> 'not compared'."""
    text = column.fillna("").str.strip().str.lower()
    level = pd.to_numeric(text.str.extract(r"(\d+(?:\.\d+)?)")[0], errors="coerce")
    word = text.str.replace(r"\s*\d+(\.\d+)?%?$", "", regex=True).str.strip()
    word = word.replace({"": "not compared", "same": "similar"})
    return word, level
