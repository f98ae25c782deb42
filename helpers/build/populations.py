"""The population table: crude-rate denominators for every area and year, and single-year-of-age
estimates, each row tagged with the ONS release it came from.

A year's crude rates use that year's own estimate. The revised series (one consistent vintage,
by area name) gives every year it covers; a later year comes from its own release (by code),
and the rows say so, because vintages differ. A force area is the sum of its counties and
unitary authorities."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from helpers.core.errors import DataError
from helpers.sources import population

log = logging.getLogger(__name__)

COLUMNS = [*population.OUT_COLUMNS, "crude_denominator"]
READERS = {
    "long": population.read_mye_long,
    "wide_ltla21": population.read_mye_wide,
    "mye2_persons": population.read_mye2_persons,
}


def assemble(
    raw: Path, cfg: dict, areas: pd.DataFrame, *, needed: set[str]
) -> tuple[pd.DataFrame, dict]:
    """(population table, build info). An area in `needed` (the areas with police.uk counts)
    without a denominator in every year the police snapshot covers stops the build."""
    pop_cfg = cfg.get("population") or {}
    series_cfg = pop_cfg.get("series") or {}
    year_for = {int(k): int(v) for k, v in (pop_cfg.get("year_for") or {}).items()}
    police = cfg.get("police", {})
    first_year = int(str(police.get("first_month", "2019-12"))[:4])
    last_year = int(str(police.get("last_month", "2024-12"))[:4])

    releases = [_read_release(raw, item) for item in pop_cfg.get("age_sex") or []]
    by_code = pd.concat(releases, ignore_index=True) if releases else _empty()
    series = population.read_mye_series_by_name(raw / series_cfg["file"])
    series_years = set(series["year"])
    own = {int(i["year"]) for i in pop_cfg.get("age_sex") or []}
    wanted = range(first_year, last_year + 1)
    # a year after the series' last comes from its own release; a hole inside it is an error
    last = max(series_years, default=0)
    later = sorted(y for y in own if y > last)
    uncovered = [y for y in wanted if y not in series_years and y not in later]
    unmapped = [y for y in uncovered if year_for.get(y, y) not in series_years | set(later)]
    if unmapped:
        raise DataError(
            f"the population series has no estimate for mid-{', mid-'.join(map(str, unmapped))}",
            path=raw / series_cfg["file"],
            fix="list a release for the year under population.age_sex in params/build.yaml, "
            "or map it to a published year under population.year_for (the reports then say so)",
        )

    crude = _with_forces(_series_codes(series, areas), areas)
    crude = crude.assign(sex="Persons", age="all", release=series_cfg["release"])
    fills = by_code[
        by_code["year"].isin(later) & (by_code["age"] == "all") & (by_code["sex"] == "Persons")
    ]
    fills = _with_forces(fills[["area_code", "year", "population"]], areas).merge(
        fills[["year", "release"]].drop_duplicates(), on="year"
    )
    crude = pd.concat([crude, fills.assign(sex="Persons", age="all")], ignore_index=True)
    check_needed(crude, needed, [year_for.get(y, y) for y in wanted], raw / series_cfg["file"])
    unmatched = sorted(set(areas["area_code"]) - set(crude["area_code"]))
    if unmatched:
        log.info("No population series row (no crude rates) for %d areas", len(unmatched))

    table = pd.concat(
        [
            crude[population.OUT_COLUMNS].assign(crude_denominator=True),
            by_code[by_code["area_code"].str.startswith("E")].assign(crude_denominator=False),
        ],
        ignore_index=True,
    )
    info = {
        "denominator_release": series_cfg["release"],
        "denominator_years": sorted(set(wanted) - set(uncovered)),
        "later_years": {str(y): _release_of(pop_cfg, y) for y in later},
        "year_for": {str(k): v for k, v in year_for.items()},
        "age_sex_releases": {str(i["year"]): i["release"] for i in pop_cfg.get("age_sex") or []},
        "areas_without_denominator": unmatched,
    }
    return table[COLUMNS], info


def denominators(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """({(area_code, year): crude-rate denominator}, {(area_code, year): its release})."""
    crude = table[table["crude_denominator"].astype(bool)].set_index(["area_code", "year"])
    return crude["population"], crude["release"]


def mixing_note(year: int, release: str, series_release: str) -> str | float:
    """A row's caveat when its denominator comes from a different release from the series'."""
    if release == series_release:
        return float("nan")
    return (
        f"Mid-{year} denominators come from the {release}, earlier years' from the "
        f"{series_release}: releases differ slightly, so compare years with care"
    )


def check_needed(crude: pd.DataFrame, needed: set[str], years: list[int], path: Path) -> None:
    have = set(zip(crude["area_code"], crude["year"], strict=True))
    missing = sorted({a for a in needed for y in years if (a, y) not in have})
    if missing:
        raise DataError(
            f"the population estimates have no row for {', '.join(missing)}",
            path=path,
            fix="use estimates that name every area with police.uk data",
        )


def _read_release(raw: Path, item: dict) -> pd.DataFrame:
    layout = item.get("layout") or ("wide_ltla21" if "ltla21" in item["file"] else "long")
    if layout not in READERS:
        raise DataError(
            f"unknown population layout {layout!r} for {item['file']}",
            path="params/build.yaml",
            fix=f"use one of: {', '.join(READERS)}",
        )
    return READERS[layout](raw / item["file"], year=int(item["year"]), release=item["release"])


def _release_of(pop_cfg: dict, year: int) -> str:
    return next(i["release"] for i in pop_cfg["age_sex"] if int(i["year"]) == year)


def _series_codes(series: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """The by-name series matched to area codes (forces are summed, not named)."""
    named = areas[areas["tier"] != "force"]
    codes = {n.casefold(): c for c, n in zip(named["area_code"], named["area_name"], strict=True)}
    coded = series.assign(area_code=series["name"].str.casefold().map(codes))
    return coded.loc[coded["area_code"].notna(), ["area_code", "year", "population"]]


def _with_forces(rows: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """`rows` plus each force area whose counties and unitaries all have a row that year."""
    tops = areas[areas["tier"].isin(["upper", "single"])]
    rows = rows[~rows["area_code"].isin(areas.loc[areas["tier"] == "force", "area_code"])]
    forces = []
    for force, parts in tops.groupby("pfa_code"):
        mine = rows[rows["area_code"].isin(parts["area_code"])]
        complete = mine.groupby("year")["area_code"].nunique() == len(parts)
        total = mine[mine["year"].isin(complete[complete].index)]
        forces.append(
            total.groupby("year", as_index=False)["population"].sum().assign(area_code=force)
        )
    return pd.concat([rows, *forces], ignore_index=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in population.OUT_COLUMNS})
