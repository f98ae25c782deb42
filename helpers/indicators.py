"""Indicator values for the store: one long Fingertips-shaped table, filled as the compendium says.

Sources: police.uk (annual counts per area with population denominators), OHID Fingertips files,
and the ONS Health Index.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers import config, fingertips, health_index
from helpers.errors import DataError

COLUMNS = fingertips.TIDY_COLUMNS


def build_values(
    *,
    indicators: list[dict],
    raw: Path,
    crimes: pd.DataFrame,
    coverage: pd.DataFrame,
    population: pd.DataFrame,
    areas: pd.DataFrame,
    areas_cfg: config.Areas,
    build_cfg: dict,
    names: dict[str, str],
) -> pd.DataFrame:
    frames = []
    hi_wanted = {
        e["source"]["indicator"]: e for e in indicators if e["source"]["kind"] == "health_index"
    }
    if hi_wanted:
        hi = health_index.read_health_index(
            raw / "ons_health_index" / "health_index_indicators_ltla21_2015_2021.csv.gz",
            list(hi_wanted),
        )
    for entry in indicators:
        kind = entry["source"]["kind"]
        if kind == "police_uk":
            frames.append(
                police_values(entry, crimes, coverage, population, areas, areas_cfg, build_cfg)
            )
        elif kind == "fingertips":
            frames.append(fingertips_values(entry, raw / "fingertips"))
        elif kind == "health_index":
            frames.append(health_index_values(entry, hi))
    values = pd.concat(frames, ignore_index=True)
    values["area_name"] = values["area_name"].fillna(values["area_code"].map(names))
    types = dict(zip(areas["area_code"], areas["area_type"], strict=True))
    values["area_type"] = values["area_code"].map(types).fillna(values["area_type"])
    return values[COLUMNS].sort_values(["indicator_id", "area_code", "period"], ignore_index=True)


def police_values(
    entry: dict,
    crimes: pd.DataFrame,
    coverage: pd.DataFrame,
    population: pd.DataFrame,
    areas: pd.DataFrame,
    areas_cfg: config.Areas,
    build_cfg: dict,
) -> pd.DataFrame:
    """Annual counts and crude rates per 1,000 for the force's local authorities, the county
    and the force area. A year with a missing month is a gap row (no count, no value)."""
    police_cfg = build_cfg.get("police", {})
    per = float(police_cfg.get("rate_per", 1000))
    pop_cfg = build_cfg.get("population") or {}
    year_for = {int(k): int(v) for k, v in (pop_cfg.get("year_for") or {}).items()}
    release = (pop_cfg.get("series") or {}).get("release", "")

    selected = crimes[crimes["crime_type"].isin(entry["source"]["crime_types"])]
    selected = selected.assign(year=selected["month"].str[:4].astype(int))
    by_lad = selected.groupby(["lad_code", "year"])["count"].sum()

    months = coverage.assign(year=coverage["month"].str[:4].astype(int))
    in_range = months.groupby("year")["month"].count()
    whole_years = in_range[in_range == 12].index  # years the snapshot spans in full
    missing_by_year = months[months["status"] == "missing"].groupby("year")["month"].apply(list)

    groups = {code: [code] for code in areas_cfg.force_districts}
    groups[areas_cfg.county] = list(areas_cfg.districts)
    groups[areas_cfg.force_area] = list(areas_cfg.force_districts)
    totals = population[
        (population["age"] == "all")
        & (population["sex"] == "Persons")
        & (population["release"] == release)
    ]
    pop_of = totals.set_index(["area_code", "year"])["population"]

    rows = []
    for code, members in groups.items():
        for year in whole_years:
            missing = missing_by_year.get(year, [])
            row = {"area_code": code, "period": str(year)}
            if missing:
                row["value_note"] = (
                    f"Gap: police.uk did not publish {', '.join(missing)}; no annual figure"
                )
                rows.append(row)
                continue
            count = sum(int(by_lad.get((m, year), 0)) for m in members)
            pop_year = year_for.get(year, year)
            if (code, pop_year) not in pop_of.index:
                raise DataError(
                    f"no population for {code} in mid-{pop_year}",
                    fix="add the year to the population series or to "
                    "population.year_for in params/build.yaml",
                    path="params/build.yaml",
                )
            denominator = float(pop_of[(code, pop_year)])
            row |= {"count": count, "denominator": denominator, "value": count / denominator * per}
            if pop_year != year:
                row["value_note"] = (
                    f"Denominator: mid-{pop_year} population (no mid-{year} "
                    "estimate published in the series used)"
                )
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame = frame.assign(
        indicator_id=entry["id"],
        indicator_name=entry["name"],
        area_name=np.nan,
        area_type=np.nan,
        sex="Persons",
        age="All ages",
        category_type=np.nan,
        category=np.nan,
        england_outcome="not compared",
        england_level=np.nan,
        source="police.uk street-level crime (Home Office); ONS mid-year population estimates",
    )
    return _complete(frame)


def fingertips_values(entry: dict, folder: Path) -> pd.DataFrame:
    frame = fingertips.read_indicator_file(folder / entry["source"]["file"])
    ids = frame["indicator_id"].unique().tolist()
    if ids != [entry["id"]]:
        raise DataError(
            f"the file holds indicator {', '.join(ids)}, but the compendium entry "
            f"is '{entry['id']}'",
            path=folder / entry["source"]["file"],
            fix="point the compendium entry at the right file",
        )
    return frame.assign(indicator_name=entry["name"])


def health_index_values(entry: dict, hi: pd.DataFrame) -> pd.DataFrame:
    frame = hi[hi["indicator"] == entry["source"]["indicator"]]
    frame = pd.DataFrame(
        {
            "indicator_id": entry["id"],
            "indicator_name": entry["name"],
            "area_code": frame["area_code"],
            "area_name": np.nan,
            "area_type": "District",
            "period": frame["year"].astype(str),
            "sex": "Persons",
            "age": np.nan,
            "category_type": np.nan,
            "category": np.nan,
            "value": frame["value"],
            "england_outcome": "not compared",
            "england_level": np.nan,
            "source": "ONS Health Index for England",
        }
    )
    return _complete(frame)


def _complete(frame: pd.DataFrame) -> pd.DataFrame:
    for col in COLUMNS:
        if col not in frame:
            frame[col] = np.nan
    float_cols = [
        "count",
        "denominator",
        "value",
        "lower_95",
        "upper_95",
        "lower_998",
        "upper_998",
        "england_level",
    ]
    frame[float_cols] = frame[float_cols].astype(float)
    return frame[COLUMNS]
