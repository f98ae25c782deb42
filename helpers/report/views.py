"""What each report view shows, selected from the store: pure data shaping, no drawing.

Notebooks call these (via helpers.reports) and never filter the store themselves. Every
frame that leaves here for display has passed disclosure control."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.build import benchmarks, store
from helpers.core import periods
from helpers.report import content, ledger
from helpers.stats import disclosure


def _suppressed(frame: pd.DataFrame, **options) -> pd.DataFrame:
    """Disclosure control, and a note in the ledger of what the report publishes."""
    return ledger.record(disclosure.suppress(frame, **options))


def area_codes(area_code: str) -> content.AreaCodes:
    """The codes a report needs: the area, the county (or unitary authority) of the
    assessment, its districts, the force, England."""
    chosen = store.selection()
    rank_set = benchmarks.set_of(store.area_tier(area_code))
    return {
        "area": area_code,
        "is_county": area_code == chosen.upper and bool(chosen.districts),
        "county": chosen.upper,
        "districts": list(chosen.districts),
        "force": chosen.force_area,
        "england": chosen.england,
        "neighbours": list(store.neighbours_of(area_code, rank_set)),
        "rank_set": rank_set,
    }


SIMILAR = " (similar area)"


def comparison_order(codes: content.AreaCodes) -> tuple[list[str], list[str]]:
    """(every area a comparison shows, in order: the area, the other districts, its
    statistical neighbours, the county, England; the neighbours among them)."""
    order = [codes["area"]] + [d for d in codes["districts"] if d != codes["area"]]
    similar = [c for c in codes["neighbours"] if c not in order]
    order += similar
    order += [c for c in (codes["county"], codes["england"]) if c not in order]
    return order, similar


def national(indicator_id: str, period: str) -> bool:
    """Whether the indicator covers England's areas in that period (it is ranked then)."""
    ranks = store.load("england_ranks")
    return bool(((ranks["indicator_id"] == indicator_id) & (ranks["period"] == period)).any())


def england_position(indicator_id: str, area_code: str, period: str | None = None) -> dict | None:
    """The area's rank, number ranked, quintile words and set in England in `period` (default:
    the area's latest period with a value), or None where it is not ranked."""
    ranks = store.load("england_ranks")
    codes = area_codes(area_code)
    if period is None:
        mine = store.indicator(indicator_id, [area_code])
        mine = mine[mine["value"].notna()]
        if mine.empty:
            return None
        period = latest_period(mine["period"])
    rows = ranks[
        (ranks["indicator_id"] == indicator_id)
        & (ranks["period"] == period)
        & (ranks["area_code"] == area_code)
        & ranks["rank"].notna()
    ]
    # its own set first; a unitary authority is also ranked among districts, where a
    # district-level source ranks it (no county has a value there)
    for name in dict.fromkeys([codes["rank_set"], *benchmarks.SETS]):
        row = rows[rows["set"] == name]
        if len(row):
            break
    if row.empty:
        return None
    return row.iloc[0][["period", "rank", "of", "quintile", "label", "set"]].to_dict()


def comparison_frame(indicator_id: str, area_code: str, period: str | None = None) -> pd.DataFrame:
    """One period of an indicator for the areas of comparison_order that have a value row, in
    that order; statistical neighbours (named "<name> (similar area)") only where the indicator
    covers England that period. Default: the latest period with any value."""
    codes = area_codes(area_code)
    order, similar = comparison_order(codes)
    # a CSP that several of the districts share stands beside them, as one bar
    shared = store.load("shared_csps")
    local = [codes["area"], *codes["districts"]]
    csps = list(dict.fromkeys(shared.loc[shared["lad_code"].isin(local), "csp_code"]))
    at = len([c for c in order if c in local])
    frame = store.indicator(indicator_id, order[:at] + csps + order[at:])
    if period is None:
        with_values = frame[frame["value"].notna()]
        if with_values.empty:
            return frame.iloc[0:0]
        period = latest_period(with_values["period"])
    frame = frame[frame["period"] == period].reset_index(drop=True)
    if not national(indicator_id, period):  # neighbours only where all of England is compared
        frame = frame[~frame["area_code"].isin(similar)].reset_index(drop=True)
    named = frame["area_code"].isin(similar)
    frame.loc[named, "area_name"] = frame.loc[named, "area_name"] + SIMILAR
    return _suppressed(frame)


def one_benchmark(
    latest: pd.DataFrame, ident: str, column: str, bench_code: str, codes: content.AreaCodes
) -> pd.DataFrame:
    """The rows compared with the report's benchmark (content.judged_against): the build
    compared the county's districts with it, and every area with England."""
    kept = set(latest["area_code"]) if column == "england_outcome" else set(codes["districts"])
    polarity = store.compendium_entry(ident)["polarity"]
    return content.judged_against(latest, column, bench_code, polarity, kept)


def latest_period(labels: pd.Series) -> str:
    return periods.latest(labels.unique())


def series(
    indicator_id: str, area_codes: list[str], similar: list[str] | tuple = ()
) -> pd.DataFrame:
    """All periods of an indicator for some areas (for trend charts), suppressed; the areas in
    `similar` named "<name> (similar area)". A period missing inside the run (e.g. 2023/24 for
    QOF depression) is added as an empty row, so that charts and tables show it as a gap
    instead of joining its neighbours."""
    frame = store.indicator(indicator_id, area_codes)
    named = frame["area_code"].isin(list(similar))
    frame.loc[named, "area_name"] = frame.loc[named, "area_name"] + SIMILAR
    frame = _suppressed(frame)
    every = periods.fill_gaps(frame["period"].unique().tolist())
    if frame.empty or len(every) == frame["period"].nunique():
        return frame
    areas = frame.drop_duplicates("area_code")[["area_code", "area_name", "area_type"]]
    grid = areas.merge(pd.DataFrame({"period": every}), how="cross")
    full = grid.merge(frame, how="left", on=["area_code", "area_name", "area_type", "period"])
    gap = full["indicator_id"].isna()
    full.loc[gap, "value_note"] = "Not published for this period"
    full.loc[gap, "suppressed"] = False
    full["indicator_id"] = indicator_id
    return full.reset_index(drop=True)


def availability(indicator_id: str, area_code: str) -> str:
    """Where the indicator exists for this report (content.availability decides)."""
    present = set(store.indicator(indicator_id)["area_code"].unique())
    return content.availability(present, area_codes(area_code))


def benchmark(indicator_id: str, code: str, codes: content.AreaCodes) -> tuple[str, str]:
    """(outcome column, benchmark area code) that judge `code` (content.benchmark decides)."""
    return content.benchmark(store.indicator(indicator_id, [code]), code, codes)


def spine_rows(indicator_ids: list[str], area_code: str) -> pd.DataFrame:
    """Area profile rows: the area's latest value against England and the spread of all
    English local authorities of its kind in the same period (Fingertips' spine chart)."""
    values = store.load("indicator_values")
    compendium = store.load("compendium").set_index("id")
    codes = area_codes(area_code)
    areas = store.national_areas()
    kind = set(areas.loc[areas["tier"].isin(benchmarks.SETS[codes["rank_set"]]), "area_code"])
    rows = []
    for ident in indicator_ids:
        data = values[values["indicator_id"] == ident]
        mine = data[(data["area_code"] == area_code) & data["value"].notna()]
        if mine.empty:
            continue
        period = latest_period(mine["period"])
        # the spread's ends are real areas' values: a suppressed one must not be one of them
        same = disclosure.suppress(data[data["period"] == period])
        england = same.loc[same["area_code"] == codes["england"], "value"]
        peers = same[same["area_code"].isin(kind)]["value"]
        mine = _suppressed(mine[mine["period"] == period]).iloc[0]
        rows.append(
            {
                "indicator_id": ident,
                "indicator_name": compendium.loc[ident, "name"],
                "period": period,
                "area_value": mine["value"],
                "benchmark_value": england.iloc[0] if len(england) else np.nan,
                "lowest": peers.min(),
                "q25": peers.quantile(0.25),
                "q75": peers.quantile(0.75),
                "highest": peers.max(),
                "outcome": mine["england_outcome"],
                "polarity": compendium.loc[ident, "polarity"],
            }
        )
    return pd.DataFrame(rows)


def rug(indicator_ids: list[str], area_code: str) -> pd.DataFrame:
    """Tartan rug: one row per indicator, one column per area (comparison_order), each cell
    the latest value with its comparison outcome (a neighbour's column only where the
    indicator covers England)."""
    codes = area_codes(area_code)
    order, similar = comparison_order(codes)
    names = {c: store.area_name(c) + (SIMILAR if c in similar else "") for c in order}
    compendium = store.load("compendium").set_index("id")
    rows = []
    for ident in indicator_ids:
        latest = comparison_frame(ident, area_code)
        if latest.empty:
            continue
        column, bench = benchmark(ident, content.perspective("area", codes), codes)
        latest = one_benchmark(latest, ident, column, bench, codes)
        cells = latest.set_index("area_code")
        compared = latest[column].ne("not compared").any()
        row = {
            "indicator": compendium.loc[ident, "name"],
            "period": latest["period"].iloc[0],
            "compared_with": (names[codes["county"]] if column == "county_outcome" else "England")
            if compared
            else None,
        }
        for code in order:
            if code in cells.index:
                cell = cells.loc[code]
                row[names.get(code, code)] = (
                    cell["value"],
                    cell[column],
                    bool(cell.get("suppressed", False)),
                )
            else:
                row[names.get(code, code)] = (np.nan, "not compared", False)
        rows.append(row)
    frame = pd.DataFrame(rows)
    # a similar area with no figure on any row (e.g. counties in district-level sources) is
    # only noise: its column goes
    empty = [
        names[c]
        for c in similar
        if names[c] in frame and all(pd.isna(v) and not hidden for v, _, hidden in frame[names[c]])
    ]
    return frame.drop(columns=empty)


def monthly(area_code: str, crime_type: str) -> pd.DataFrame:
    """Monthly police.uk counts for the area (unpublished months as gaps), suppressed."""
    frame = store.load("police_monthly")
    frame = frame[(frame["area_code"] == area_code) & (frame["crime_type"] == crime_type)]
    return _suppressed(frame.reset_index(drop=True))


def hot_spots(
    area_code: str, crime_type: str, year: str | None = None, n: int = 10
) -> pd.DataFrame:
    """The n neighbourhoods (LSOAs) with most crimes of a type in a year, with IMD decile."""
    codes = area_codes(area_code)
    members = codes["districts"] if codes["is_county"] else [area_code]
    frame = store.load("police_lsoa_year")
    frame = frame[frame["lad_code"].isin(members) & (frame["crime_type"] == crime_type)]
    year = year or complete_years()[-1]
    # a list of places with fewer than 5 crimes would disclose, and says little: leave them out
    frame = frame[(frame["year"] == year) & (frame["count"] > disclosure.SMALL_COUNT_MAX)]
    return _suppressed(frame.nlargest(n, "count").reset_index(drop=True))


RATE_COLUMNS = ("rate", "rate_lower", "rate_upper")
PER_RESIDENTS = 1000


def _deprivation_rows(area_code: str, crime_type: str, year: str) -> pd.DataFrame:
    frame = store.load("police_deprivation")
    return frame[
        (frame["area_code"] == area_code)
        & (frame["crime_type"] == crime_type)
        & (frame["year"] == year)
    ].reset_index(drop=True)


def deprivation(area_code: str, crime_type: str, year: str | None = None) -> pd.DataFrame:
    """Crimes per neighbourhood (LSOA) by IMD decile, and per 1,000 residents where the year's
    neighbourhoods have a population; a hidden count hides both."""
    frame = _deprivation_rows(area_code, crime_type, year or complete_years()[-1])
    return _suppressed(frame, dependent=("per_lsoa", *RATE_COLUMNS))


def resident_years() -> list[str]:
    """Complete police.uk years with crimes per resident by decile (years on 2011 LSOAs, for
    which the small-area population is shipped)."""
    frame = store.load("police_deprivation")
    with_people = set(frame.loc[frame["residents"].notna(), "year"])
    return [year for year in complete_years() if year in with_people]


def deprivation_rates(area_code: str, crime_type: str, year: str) -> pd.DataFrame:
    """Crimes per 1,000 residents by IMD decile, with limits, for a year on 2011 LSOAs."""
    frame = _deprivation_rows(area_code, crime_type, year).drop(columns=["per_lsoa"])
    # the ledger checks value x denominator against the count: for a rate per 1,000 the
    # denominator is the residents in thousands
    frame = frame.assign(value=frame["rate"], denominator=frame["residents"] / PER_RESIDENTS)
    return _suppressed(frame, dependent=(*RATE_COLUMNS, "value"))


def inequality(area_code: str, crime_type: str, year: str) -> dict | None:
    """The area's slope index of inequality across deciles in a year (police_inequality), or
    None where the store has no row for it."""
    frame = store.load("police_inequality")
    rows = frame[
        (frame["area_code"] == area_code)
        & (frame["crime_type"] == crime_type)
        & (frame["year"] == year)
    ]
    return rows.iloc[0].to_dict() if len(rows) else None


def map_values(indicator_id: str) -> tuple[str, pd.DataFrame]:
    """(period, values) for a map of every area: content.map_figures decides, after
    disclosure control."""
    members = list(store.selection().force_members)
    period, values = content.map_figures(store.indicator(indicator_id, members))
    return period, ledger.record(values)


def police_months() -> pd.DataFrame:
    """The assessment's force's police.uk months (none when the snapshot has no files for it)."""
    months = store.load("police_months")
    return months[months["pfa_code"] == store.selection().force_area]


def complete_years() -> list[str]:
    """Calendar years with all 12 police.uk months published for the assessment's force."""
    months = police_months()
    years = months.assign(year=months["month"].str[:4]).groupby("year")["status"]
    complete = years.apply(lambda s: (s == "published").sum() == 12)
    return sorted(complete[complete].index)


def type_gaps() -> list[tuple[str, str]]:
    """(month, crime type) the assessment's force published no rows of in a published month."""
    gaps = store.load("police_type_gaps")
    gaps = gaps[gaps["pfa_code"] == store.selection().force_area]
    return list(zip(gaps["month"], gaps["crime_type"], strict=True))


def missing_months() -> list[str]:
    months = police_months()
    return months.loc[months["status"] == "missing", "month"].tolist()


def gaps(priority: str) -> pd.DataFrame:
    frame = store.load("gaps")
    return frame[frame["priority"] == priority].reset_index(drop=True)
