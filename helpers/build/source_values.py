"""Indicator rows from each kind of source, before the statistics are added: police.uk annual
counts per area with population denominators, OHID Fingertips files (one sex and age
breakdown), the ONS Health Index, and ONS recorded crime by police force area."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.build import populations
from helpers.core.errors import DataError
from helpers.sources import fingertips, places

# The Fingertips-shaped columns, then the comparisons and trend the build adds.
COLUMNS = [
    *fingertips.TIDY_COLUMNS,
    "county_outcome",
    "county_level",
    "trend_marker",
    "trend_label",
]


def police_values(
    entry: dict,
    crimes: pd.DataFrame,
    coverage: pd.DataFrame,
    type_gaps: pd.DataFrame,
    population: pd.DataFrame,
    groups: dict,
    build_cfg: dict,
) -> pd.DataFrame:
    """Annual counts and crude rates per 1,000 for every area of the forces with street files
    (helpers.build.police_summaries.police_groups). A year with a month (or, for this entry's
    crime types, a type in a month) that police.uk did not publish is a gap row: no count."""
    per = float(entry["multiplier"])
    denominators_ = denominators(population, build_cfg)
    types = entry["source"]["crime_types"]

    selected = crimes[crimes["crime_type"].isin(types)]
    selected = selected.assign(year=selected["month"].str[:4].astype(int))
    by_lad = selected.groupby(["pfa_code", "lad_code", "year"])["count"].sum()

    months = coverage.assign(year=coverage["month"].str[:4].astype(int))
    in_range = months.groupby(["pfa_code", "year"])["month"].nunique()
    whole = in_range[in_range == 12].index  # (force, year) the force's snapshot spans in full
    gaps = type_gaps[type_gaps["crime_type"].isin(types)]
    unpublished = pd.concat(
        [
            months.loc[months["status"] == "missing", ["pfa_code", "year", "month"]],
            gaps.assign(
                year=gaps["month"].str[:4].astype(int),
                month=gaps["month"] + " (" + gaps["crime_type"] + ")",
            )[["pfa_code", "year", "month"]],
        ]
    )
    missing_by = unpublished.groupby(["pfa_code", "year"])["month"].apply(sorted)

    rows = []
    for code, (force, members) in groups.items():
        for year in [y for f, y in whole if f == force]:
            missing = missing_by.get((force, year), [])
            row = {"area_code": code, "period": str(year)}
            if missing:
                row["value_note"] = (
                    f"Gap: police.uk did not publish {', '.join(missing)}; no annual figure"
                )
                rows.append(row)
                continue
            count = sum(int(by_lad.get((force, m, year), 0)) for m in members)
            denominator, note = denominators_.lookup(code, year)
            if np.isnan(denominator):
                raise DataError(
                    f"no population for {code} in mid-{year}",
                    fix="list a release for the year under population.age_sex, or map it "
                    "under population.year_for, in params/build.yaml",
                    path="params/build.yaml",
                )
            row |= {"count": count, "denominator": denominator, "value": count / denominator * per}
            row["value_note"] = note
            rows.append(row)
    return counted(
        rows, entry, "police.uk street-level crime (Home Office); ONS mid-year population estimates"
    )


def fingertips_values(entry: dict, folder: Path, build_cfg: dict) -> pd.DataFrame:
    frame = fingertips.read_indicator_file(folder / entry["source"]["file"])
    by = (build_cfg.get("fingertips") or {}).get("extracts_republished_by")
    if by:  # each figure's source names who re-published the extract
        extract = frame["source"] == fingertips.EXTRACT_SOURCE
        frame.loc[extract, "source"] = f"OHID Fingertips (extract re-published by {by})"
    ids = frame["indicator_id"].unique().tolist()
    if ids != [entry["id"]]:
        raise DataError(
            f"the file holds indicator {', '.join(ids)}, but the compendium entry "
            f"is '{entry['id']}'",
            path=folder / entry["source"]["file"],
            fix="point the compendium entry at the right file",
        )
    return select_breakdown(frame, entry).assign(indicator_name=entry["name"])


def select_breakdown(frame: pd.DataFrame, entry: dict) -> pd.DataFrame:
    """One row per area and period: the entry's sex and age (when it names them) and the
    overall figure rather than the category splits (e.g. deprivation deciles) that API
    downloads add. A file with one breakdown passes through unchanged."""
    source = entry["source"]
    keep = frame["category_type"].isna()
    for column in ("sex", "age"):
        wanted = source.get(column)
        if wanted is not None:
            keep &= frame[column].astype(str) == str(wanted)
    chosen = frame[keep]
    if chosen.empty:
        raise DataError(
            f"indicator '{entry['id']}' has no rows for "
            + ", ".join(f"{c} {source[c]!r}" for c in ("sex", "age") if c in source),
            path=source.get("file"),
            fix="set source.sex / source.age to values the file has: "
            + "; ".join(
                f"{c}: {', '.join(sorted(frame[c].dropna().astype(str).unique()))}"
                for c in ("sex", "age")
            ),
        )
    doubled = chosen.duplicated(["area_code", "period"])
    if doubled.any():
        raise DataError(
            f"indicator '{entry['id']}' has several rows per area and period (by sex or age)",
            path=source.get("file"),
            fix="name one breakdown in the compendium entry's source, e.g. "
            "{kind: fingertips, file: ..., sex: Persons, age: All ages}",
        )
    return chosen


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
    return complete(frame)


def denominators(population: pd.DataFrame, build_cfg: dict) -> Denominators:
    """Crude-rate denominators by (area_code, year), their releases, and the stated year to use
    for a year with no estimate at all (params/build.yaml population.year_for)."""
    pop_cfg = build_cfg.get("population") or {}
    year_for = {int(k): int(v) for k, v in (pop_cfg.get("year_for") or {}).items()}
    pop_of, release_of = populations.denominators(population)
    return Denominators(pop_of, release_of, year_for, (pop_cfg.get("series") or {})["release"])


@dataclass(frozen=True)
class Denominators:
    pop_of: pd.Series
    release_of: pd.Series
    year_for: dict[int, int]
    series_release: str

    def lookup(self, code: str, year: int) -> tuple[float, object]:
        """(denominator or NaN, the row's note or NaN) for an area's figure for `year`."""
        pop_year = self.year_for.get(year, year)
        if (code, pop_year) not in self.pop_of.index:
            return np.nan, np.nan
        if pop_year != year:
            return float(self.pop_of[(code, pop_year)]), (
                f"Denominator: mid-{pop_year} population (no mid-{year} estimate is published "
                "in the releases used)"
            )
        note = populations.mixing_note(year, self.release_of[(code, pop_year)], self.series_release)
        return float(self.pop_of[(code, pop_year)]), note


def counted(rows: list[dict], entry: dict, source: str) -> pd.DataFrame:
    """Rows of counts and rates for all persons, all ages, as tidy indicator values (a row may
    name its own area; the others are named from the areas table later)."""
    frame = pd.DataFrame(rows)
    for column in ("area_name", "area_type"):
        if column not in frame:
            frame[column] = np.nan
    frame = frame.assign(
        indicator_id=entry["id"],
        indicator_name=entry["name"],
        sex="Persons",
        age="All ages",
        category_type=np.nan,
        category=np.nan,
        england_outcome="not compared",
        england_level=np.nan,
        source=source,
    )
    return complete(frame)


def complete(frame: pd.DataFrame) -> pd.DataFrame:
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
    return frame[fingertips.TIDY_COLUMNS]


def recorded_crime_values(
    entry: dict, raw: Path, population: pd.DataFrame, areas: pd.DataFrame, build_cfg: dict
) -> pd.DataFrame:
    """Every force area's and England's counts of one ONS offence group, crude rate per
    `multiplier`.

    The file names areas, not codes: a force by its area's name (matched as police.uk force
    names are, helpers.sources.police_uk.force_key), England in capitals."""
    from helpers.sources import police_uk, recorded_crime

    source = entry["source"]
    path = raw / "recorded_crime" / "ons_pfa_recorded_crime_ye_sep_2015_2024.csv"
    counts = recorded_crime.read_recorded_crime(path, [source["offence"]])
    forces = areas[areas["tier"] == "force"]
    names = dict(
        zip(forces["area_name"].map(police_uk.force_key), forces["area_code"], strict=True)
    )
    names[police_uk.force_key("ENGLAND")] = places.ENGLAND
    counts = counts.assign(area_code=counts["area_name"].map(police_uk.force_key).map(names))
    counts = counts[counts["area_code"].notna()]
    denominators_ = denominators(population, build_cfg)
    rows = []
    for row in counts.itertuples():
        denominator, note = denominators_.lookup(row.area_code, row.year)
        rows.append(
            {
                "area_code": row.area_code,
                "period": f"Year ending Sep {row.year}",
                "count": row.count,
                "denominator": denominator,
                "value": row.count / denominator * float(entry["multiplier"]),
                "value_note": note,
            }
        )
    return counted(
        rows,
        entry,
        "ONS police recorded crime by police force area (secondary copy); ONS mid-year "
        "population estimates",
    )
