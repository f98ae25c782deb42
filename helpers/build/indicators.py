"""Indicator values for the store: one long Fingertips-shaped table, filled as the compendium says.

Sources: police.uk (annual counts per area with population denominators), OHID Fingertips files,
and the ONS Health Index.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core import config
from helpers.sources import fingertips
from helpers.sources import health_index
from helpers import stats
from helpers.core.errors import DataError

# The Fingertips-shaped columns, then the comparisons and trend the build adds.
COLUMNS = [
    *fingertips.TIDY_COLUMNS,
    "county_outcome",
    "county_level",
    "trend_marker",
    "trend_label",
]


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
    partner: Path | None = None,
) -> pd.DataFrame:
    frames = []
    partner_dir = partner or raw.parent / "partner"
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
        elif kind == "recorded_crime":
            frames.append(recorded_crime_values(entry, raw, population, areas_cfg, build_cfg))
    from helpers.sources import partner as partner_data

    partner_rows = partner_data.read_partner_data(
        partner_dir, indicators=indicators, areas=areas, population=population
    )
    if len(partner_rows):
        frames.append(
            _complete(
                partner_rows.assign(
                    area_type=np.nan,
                    category_type=np.nan,
                    category=np.nan,
                    england_outcome="not compared",
                    england_level=np.nan,
                )
            )
        )
    values = pd.concat(frames, ignore_index=True)
    values["area_name"] = values["area_name"].fillna(values["area_code"].map(names))
    types = dict(zip(areas["area_code"], areas["area_type"], strict=True))
    values["area_type"] = values["area_code"].map(types).fillna(values["area_type"])
    values = values.sort_values(["indicator_id", "area_code", "period"], ignore_index=True)
    return add_statistics(values, indicators, areas_cfg)


def add_statistics(
    values: pd.DataFrame, indicators: list[dict], areas_cfg: config.Areas
) -> pd.DataFrame:
    """Confidence limits, comparisons with the county and England, and recent trends, all with
    helpers.stats (PHE/Fingertips methods), so that notebooks only read the results."""
    values = values.copy()
    by_id = {e["id"]: e for e in indicators}
    for ident, rows in values.groupby("indicator_id").groups.items():
        _add_limits(values, rows, by_id[ident])
    values["county_outcome"] = "not compared"
    values["county_level"] = np.nan
    for ident, rows in values.groupby("indicator_id").groups.items():
        polarity = by_id[ident]["polarity"]
        _compare_with(values, rows, areas_cfg.county, areas_cfg.districts, "county", polarity)
        # England: keep Fingertips' own judgement where the file gave one
        own = values.loc[rows, "england_outcome"].ne("not compared").to_numpy()
        _compare_with(values, rows, areas_cfg.england, None, "england", polarity, skip=own)
    # The recent trend belongs to each area's latest period. Without confidence limits (most
    # extracts) it cannot be calculated; only series with limits need the test itself.
    latest = values["period"].eq(
        values.groupby(["indicator_id", "area_code"])["period"].transform("max")
    )
    values["trend_marker"] = np.where(latest, "cannot be calculated", None)
    values["trend_label"] = np.where(latest, "Cannot be calculated", None)
    with_limits = (
        values["lower_95"]
        .notna()
        .groupby([values["indicator_id"], values["area_code"]])
        .transform("any")
    )
    for (ident, _area), group in values[with_limits].groupby(["indicator_id", "area_code"]):
        result = stats.recent_trend(
            group["value"], group["lower_95"], group["upper_95"], polarity=by_id[ident]["polarity"]
        )
        last = group.index[latest[group.index]]
        values.loc[last, ["trend_marker", "trend_label"]] = [result.marker, result.label]
    return values[COLUMNS]


def _add_limits(values: pd.DataFrame, rows: pd.Index, entry: dict) -> None:
    """95% and 99.8% limits for rows with a count and a denominator but no published limits."""
    part = values.loc[rows]
    todo = part.index[part["count"].notna() & part["denominator"].notna() & part["lower_95"].isna()]
    kind = entry["value_type"]
    if todo.empty or kind not in ("crude rate", "proportion"):
        return
    count, denominator = values.loc[todo, "count"], values.loc[todo, "denominator"]
    multiplier = float(entry.get("multiplier", 100 if kind == "proportion" else 100_000))
    method = stats.rate if kind == "crude rate" else stats.proportion
    for level, suffix in ((0.95, "95"), (0.998, "998")):
        result = method(count, denominator, multiplier=multiplier, confidence=level)
        values.loc[todo, "value"] = result["value"].to_numpy()
        values.loc[todo, f"lower_{suffix}"] = result["lower"].to_numpy()
        values.loc[todo, f"upper_{suffix}"] = result["upper"].to_numpy()


def _compare_with(
    values: pd.DataFrame,
    rows: pd.Index,
    benchmark_code: str,
    members: tuple[str, ...] | None,
    name: str,
    polarity: str,
    skip: np.ndarray | None = None,
) -> None:
    """Compare rows of `members` (or of every other area) with the benchmark, period by period.

    Only rows with confidence limits can be compared; the others stay "not compared"."""
    part = values.loc[rows]
    bench = part[part["area_code"] == benchmark_code].set_index("period")["value"]
    targets = part if skip is None else part[~skip]
    targets = targets[(targets["area_code"] != benchmark_code) & targets["lower_95"].notna()]
    if members is not None:
        targets = targets[targets["area_code"].isin(members)]
    if targets.empty or bench.empty:
        return
    result = stats.compare(
        targets["value"],
        targets["lower_95"],
        targets["upper_95"],
        targets["period"].map(bench).astype(float),
        polarity=polarity,
        lower998=targets["lower_998"],
        upper998=targets["upper_998"],
    )
    values.loc[targets.index, f"{name}_outcome"] = result["outcome"].to_numpy()
    values.loc[targets.index, f"{name}_level"] = result["level"].to_numpy()


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
    per = float(entry["multiplier"])
    pop_of, year_for = denominators(population, build_cfg)

    selected = crimes[crimes["crime_type"].isin(entry["source"]["crime_types"])]
    selected = selected.assign(year=selected["month"].str[:4].astype(int))
    by_lad = selected.groupby(["lad_code", "year"])["count"].sum()

    months = coverage.assign(year=coverage["month"].str[:4].astype(int))
    in_range = months.groupby("year")["month"].count()
    whole_years = in_range[in_range == 12].index  # years the snapshot spans in full
    missing_by_year = months[months["status"] == "missing"].groupby("year")["month"].apply(list)

    groups = areas_cfg.members()

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
    return _counted(
        rows, entry, "police.uk street-level crime (Home Office); ONS mid-year population estimates"
    )


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
    return _complete(frame)


def denominators(population: pd.DataFrame, build_cfg: dict) -> tuple[pd.Series, dict[int, int]]:
    """Crude-rate denominators: all-persons totals of the one release params/build.yaml names,
    by (area_code, year), and the stated year to use for years the release lacks."""
    pop_cfg = build_cfg.get("population") or {}
    year_for = {int(k): int(v) for k, v in (pop_cfg.get("year_for") or {}).items()}
    release = (pop_cfg.get("series") or {}).get("release", "")
    totals = population[
        (population["age"] == "all")
        & (population["sex"] == "Persons")
        & (population["release"] == release)
    ]
    return totals.set_index(["area_code", "year"])["population"], year_for


def _counted(rows: list[dict], entry: dict, source: str) -> pd.DataFrame:
    """Rows of counts and rates for all persons, all ages, as tidy indicator values."""
    frame = pd.DataFrame(rows).assign(
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
        source=source,
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
    return frame[fingertips.TIDY_COLUMNS]


def recorded_crime_values(
    entry: dict, raw: Path, population: pd.DataFrame, areas_cfg: config.Areas, build_cfg: dict
) -> pd.DataFrame:
    """Force-area and England counts of one ONS offence group, crude rate per `multiplier`.

    The file names areas, not codes: the force is named after its county, England in capitals."""
    from helpers.sources import recorded_crime

    source = entry["source"]
    path = raw / "recorded_crime" / "ons_pfa_recorded_crime_ye_sep_2015_2024.csv"
    counts = recorded_crime.read_recorded_crime(path, [source["offence"]])
    names = {
        source.get("force_name", "Leicestershire"): areas_cfg.force_area,
        "ENGLAND": areas_cfg.england,
    }
    counts = counts[counts["area_name"].isin(names)].assign(
        area_code=lambda f: f["area_name"].map(names)
    )
    pop_of, year_for = denominators(population, build_cfg)
    rows = []
    for row in counts.itertuples():
        pop_year = year_for.get(row.year, row.year)
        denominator = pop_of.get((row.area_code, pop_year), np.nan)
        note = (
            (
                f"Denominator: mid-{pop_year} population (no mid-{row.year} estimate in the "
                "series used)"
            )
            if pop_year != row.year
            else np.nan
        )
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
    return _counted(
        rows,
        entry,
        "ONS police recorded crime by police force area (secondary copy); ONS mid-year "
        "population estimates",
    )
