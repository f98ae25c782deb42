"""A fetched Fingertips indicator's compendium entry: Fingertips' own metadata (definition,
unit, value type, polarity from "RAG - Low is good" and similar, caveats, data source), the
headline breakdown (sex and age) the reports use, and when it was retrieved."""

from __future__ import annotations

import pandas as pd

from helpers.fetch import downloads

NOT_STATED = "not stated by Fingertips"


def breakdown(rows: pd.DataFrame) -> dict:
    """The headline breakdown to report: Persons if published, and its commonest age, overall
    (not split by category)."""
    overall = rows[rows["Category Type"].fillna("") == ""]
    overall = overall if len(overall) else rows
    sexes = sorted(overall["Sex"].unique())
    sex = "Persons" if "Persons" in sexes else sexes[0]
    ages = overall.loc[overall["Sex"] == sex, "Age"].value_counts()
    return {"sex": sex, "age": str(ages.index[0])} if len(ages) else {"sex": sex}


POLARITY = {"low is good": "low_is_good", "high is good": "high_is_good"}
METADATA_COLUMNS = {
    "name": ("Indicator", "Indicator Name", "Simple Name"),
    "definition": ("Definition", "Simple Definition"),
    "caveats": ("Caveats",),
    "unit": ("Unit",),
    "value_type": ("Value type", "Value Type"),
    "polarity": ("Polarity",),
    "data_source": ("Data source", "Data Source"),
    "frequency": ("Frequency",),
    "disclosure": ("Disclosure control", "Disclosure Control"),
}


def metadata_row(frame: pd.DataFrame, ident: str) -> dict:
    """Fingertips' metadata for the indicator, by field; missing fields are said to be so."""
    if frame.empty:
        return {}
    ids = frame.get("Indicator ID", frame.iloc[:, 0]).astype(str).str.strip()
    row = frame[ids == ident]
    row = (row if len(row) else frame).iloc[0]
    found = {}
    for key, names in METADATA_COLUMNS.items():
        for name in names:
            value = row.get(name)
            if value is not None and pd.notna(value) and str(value).strip():
                found[key] = " ".join(str(value).split())
                break
    return found


def entry(ident: str, report: str, rel: str, info: dict) -> dict:
    meta = info.get("metadata") or {}
    name = meta.get("name") or info["name"]
    polarity_text = (meta.get("polarity") or "").lower()
    polarity = next((v for k, v in POLARITY.items() if k in polarity_text), "no_judgement")
    return {
        "id": ident,
        "name": name,
        "measure": name[0].lower() + name[1:],
        "priority": report,
        "definition": meta.get("definition", NOT_STATED),
        "value_type": meta.get("value_type", NOT_STATED),
        "unit": meta.get("unit", NOT_STATED),
        "polarity": polarity,
        "publisher": "Office for Health Improvement and Disparities",
        "dataset": "Fingertips public health profiles (API)",
        "link": info["meta_url"],
        "data_source": meta.get("data_source", NOT_STATED),
        "frequency": meta.get("frequency", "as published on Fingertips"),
        "benchmark": "Fingertips' own comparison with England",
        "disclosure": meta.get("disclosure", "as applied by Fingertips"),
        "caveats": meta.get("caveats", NOT_STATED),
        "retrieved": downloads.today(),
        "source": {
            "kind": "fingertips",
            "file": rel.removeprefix("fingertips/"),
            **info["breakdown"],
        },
    }
