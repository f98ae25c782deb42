"""Indicator values for the store: one long Fingertips-shaped table, filled as the compendium says.

Sources: police.uk (annual counts per area with population denominators), OHID Fingertips files,
and the ONS Health Index.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers import stats
from helpers.build import csp_values, source_values
from helpers.sources import health_index, places, recorded_crime

COLUMNS = source_values.COLUMNS
CSP = "recorded_crime_csp"


def build_values(
    *,
    indicators: list[dict],
    raw: Path,
    crimes: pd.DataFrame,
    coverage: pd.DataFrame,
    type_gaps: pd.DataFrame,
    police_groups: dict,
    population: pd.DataFrame,
    areas: pd.DataFrame,
    build_cfg: dict,
    names: dict[str, str],
    csp_lookup: pd.DataFrame | None = None,
    partner: Path | None = None,
) -> pd.DataFrame:
    frames = []
    csp_tables = {  # each published table read once
        f: recorded_crime.read_csp_table(raw / f)
        for f in {e["source"]["file"] for e in indicators if e["source"]["kind"] == CSP}
    }
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
                source_values.police_values(
                    entry, crimes, coverage, type_gaps, population, police_groups, build_cfg
                )
            )
        elif kind == "fingertips":
            frames.append(source_values.fingertips_values(entry, raw / "fingertips", build_cfg))
        elif kind == "health_index":
            frames.append(source_values.health_index_values(entry, hi))
        elif kind == "recorded_crime":
            frames.append(
                source_values.recorded_crime_values(entry, raw, population, areas, build_cfg)
            )
        elif kind == CSP:
            table = csp_tables[entry["source"]["file"]]
            rows = csp_values.csp_values(entry, table, areas, csp_lookup, population)
            frames.append(source_values.counted(rows, entry, csp_values.SOURCE))
    from helpers.sources import partner as partner_data

    partner_rows = partner_data.read_partner_data(
        partner_dir, indicators=indicators, areas=areas, population=population
    )
    if len(partner_rows):
        frames.append(
            source_values.complete(
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
    return add_statistics(values, indicators, areas)


def add_statistics(
    values: pd.DataFrame, indicators: list[dict], areas: pd.DataFrame
) -> pd.DataFrame:
    """Confidence limits, comparisons of each district with its county and of every area with
    England, and recent trends, all with helpers.stats (PHE/Fingertips methods), so that
    notebooks only read the results."""
    values = values.copy()
    by_id = {e["id"]: e for e in indicators}
    for ident, rows in values.groupby("indicator_id").groups.items():
        _add_limits(values, rows, by_id[ident])
    values["county_outcome"] = "not compared"
    values["county_level"] = np.nan
    districts = areas[areas["tier"] == "lower"].groupby("county_code")["area_code"].apply(tuple)
    for ident, rows in values.groupby("indicator_id").groups.items():
        polarity = by_id[ident]["polarity"]
        present = set(values.loc[rows, "area_code"])
        for county, members in districts.items():
            if county in present:
                _compare_with(values, rows, county, members, "county", polarity)
        # England: keep Fingertips' own judgement where the file gave one
        own = values.loc[rows, "england_outcome"].ne("not compared").to_numpy()
        _compare_with(values, rows, places.ENGLAND, None, "england", polarity, skip=own)
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
    where, markers, labels = [], [], []  # set once at the end: one .loc per group is slow
    for (ident, _area), group in values[with_limits].groupby(["indicator_id", "area_code"]):
        result = stats.recent_trend(
            group["value"], group["lower_95"], group["upper_95"], polarity=by_id[ident]["polarity"]
        )
        for row in group.index[latest[group.index]]:
            where.append(row)
            markers.append(result.marker)
            labels.append(result.label)
    values.loc[where, "trend_marker"] = markers
    values.loc[where, "trend_label"] = labels
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
    chosen = entry.get("ci_method") or ("phe" if kind == "crude rate" else "wilson")
    for level, suffix in ((0.95, "95"), (0.998, "998")):
        # z = 1.96 is a 95% constant; at 99.8% the same method keeps the unrounded z
        named = "byars" if chosen == "byars_z196" and level != 0.95 else chosen
        result = method(
            count, denominator, multiplier=multiplier, confidence=level, ci_method=named
        )
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


def open_gaps(gaps: list[dict], values: pd.DataFrame) -> pd.DataFrame:
    """The declared gaps the store does not fill, one row each: a gap whose `filled_by`
    indicators all have a figure in `values` is gone, whichever way they arrived (shipped,
    fetched or partner data)."""
    have = set(values.loc[values["value"].notna(), "indicator_id"].astype(str))
    left = [g for g in gaps if not (g.get("filled_by") and set(map(str, g["filled_by"])) <= have)]
    frame = pd.DataFrame(left, columns=list(dict.fromkeys(k for g in gaps for k in g)) or None)
    if "baseline_2017" in frame:
        frame["baseline_2017"] = frame["baseline_2017"].map(", ".join)
    return frame
