"""Disclosure control for the whole store at once, so every report hides the same cells.

The build marks each count cell of the published tables (indicator values, police.uk monthly
counts, counts by deprivation decile, neighbourhood counts) with a ``suppressed`` flag:
primary suppression (a count of 1 to 4) plus the secondary suppression of
:mod:`helpers.stats.secondary` over the groups that add up to a published total. Reports then
read the flag through :func:`helpers.stats.disclosure.suppress`, so the county report and the
district reports cannot disagree about what is hidden.

The same :func:`cell_keys` and :func:`groups` serve the audit of what a run published
(:mod:`helpers.site.audit`), which re-derives the hidden cells from the shown ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from helpers.stats import disclosure
from helpers.stats.secondary import Group, protect

CELL_COLUMNS = [
    "kind",
    "indicator_id",
    "crime_type",
    "sex",
    "age",
    "area_code",
    "period",
    "breakdown",
    "count",
    "hidden",
]
"""One published count: what it counts, where, when, in which breakdown, and whether hidden."""

TABLES = ("indicator_values", "police_monthly", "police_deprivation", "police_lsoa_year")
"""Store tables whose counts are published in reports."""

REPORT_AREAS_ONLY = ("monthly", "deprivation")
"""Kinds of cell that reports show for their own area only: monthly counts and deprivation
deciles are published for local authorities (any of which can be a report area), never for a
police force area, so a force's cells take part in no group. The audit (helpers.site.audit)
checks what was really published."""

REPORTABLE_TIERS = ("upper", "single", "lower")


def cell_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """The cells of a store table (or of a view taken from one), in CELL_COLUMNS, by position.

    The kind of table is read from its columns, so a view keeps the keys of its table."""
    if "count" not in frame:  # e.g. a table with no rows at all (a small test snapshot)
        if len(frame):
            raise ValueError(f"not a table of counts: columns {list(frame.columns)}")
        out = pd.DataFrame(index=range(0), columns=CELL_COLUMNS, dtype="object")
        return out.astype({"count": "float64", "hidden": bool})
    return pd.DataFrame(cell_arrays(frame), index=range(len(frame)))


def cell_arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """cell_keys' columns as arrays, unframed: a report keys about sixty small views, where
    pandas' cost per column outweighs the rows. ``frame`` has a count column."""
    n = len(frame)
    blank = np.full(n, "", dtype=object)

    def text(col: str) -> np.ndarray:
        """A column as plain text, missing (or absent) as ""."""
        if col not in frame:
            return blank
        values = frame[col].to_numpy(dtype=object)
        missing = pd.isna(values)
        values = values.astype(str).astype(object)
        values[missing] = ""
        return values

    columns = dict.fromkeys(CELL_COLUMNS, blank)
    if "indicator_id" in frame:
        kind = "indicator"
        columns["indicator_id"] = text("indicator_id")
        columns["sex"], columns["age"] = text("sex"), text("age")
        columns["period"] = text("period")
        columns["breakdown"] = text("category")
    elif "month" in frame:
        kind = "monthly"
        columns["period"] = text("month")
    elif "imd_decile" in frame and "lsoas" in frame:
        kind = "deprivation"
        columns["period"] = text("year")
        columns["breakdown"] = np.array(["imd_decile " + d for d in text("imd_decile")], object)
    elif "lsoa_code" in frame:
        kind = "lsoa"
        columns["period"] = text("year")
    else:
        raise ValueError(f"not a table of counts: columns {list(frame.columns)}")
    columns["kind"] = np.full(n, kind, dtype=object)
    columns["crime_type"] = text("crime_type")
    columns["area_code"] = text("lsoa_code" if kind == "lsoa" else "area_code")
    columns["count"] = pd.to_numeric(frame["count"], errors="coerce").to_numpy(dtype="float64")
    if "suppressed" in frame:
        flags = frame["suppressed"].to_numpy(dtype=object)
        columns["hidden"] = np.where(pd.isna(flags), False, flags).astype(bool)
    else:
        columns["hidden"] = np.zeros(n, dtype=bool)
    return columns


def groups(
    cells: pd.DataFrame,
    areas: pd.DataFrame,
    crime_types: Mapping[str, Sequence[str]],
    shared: pd.DataFrame | None = None,
) -> list[Group]:
    """Every total published with all its parts, as positions in ``cells``.

    ``areas`` is the store's areas table (parents by code); ``crime_types`` gives, for each
    police.uk indicator, the crime types its annual count adds up; ``shared`` the CSPs that
    several districts share (csp_code, lad_code), so that a county is also the sum of its
    other districts and those CSPs."""
    cells = cells.reset_index(drop=True)
    found: list[Group] = []
    found += _geography(cells, areas, shared)
    found += _annual(cells, crime_types)
    return found


def _area_families(
    areas: pd.DataFrame, shared: pd.DataFrame | None = None
) -> list[tuple[str, list[str]]]:
    """(total, parts) of the area hierarchy: county = its districts (or, with CSPs several of
    them share, = its other districts and those CSPs), force area = its county and unitaries,
    and force area = its districts and unitaries."""
    families = []
    tier = dict(zip(areas["area_code"], areas["tier"], strict=True))
    members = (
        shared.groupby("csp_code")["lad_code"].apply(set).to_dict() if shared is not None else {}
    )
    for county in [c for c, t in tier.items() if t == "upper"]:
        districts = areas.loc[areas["county_code"] == county, "area_code"].tolist()
        if districts:
            families.append((county, districts))
        inside = [c for c, lads in members.items() if lads <= set(districts)]
        if inside:
            covered = set().union(*(members[c] for c in inside))
            families.append((county, [d for d in districts if d not in covered] + inside))
    for force in [c for c, t in tier.items() if t == "force"]:
        inside = areas[areas["pfa_code"] == force]
        tiers = inside["tier"]
        tops = inside.loc[tiers.isin(["upper", "single"]), "area_code"]
        lowest = inside.loc[tiers.isin(["lower", "single"]), "area_code"]
        for parts in (tops.tolist(), lowest.tolist()):
            if parts and (force, parts) not in families:
                families.append((force, parts))
    return families


def _geography(
    cells: pd.DataFrame, areas: pd.DataFrame, shared: pd.DataFrame | None
) -> list[Group]:
    slice_cols = ["kind", "indicator_id", "crime_type", "sex", "age", "period", "breakdown"]
    families = _area_families(areas, shared)
    totals = {total for total, _ in families}
    # only a slice that holds a total can form a group (neighbourhood cells never do)
    with_total = cells.loc[cells["area_code"].isin(totals), slice_cols].drop_duplicates()
    keyed = cells.reset_index().set_index([*slice_cols, "area_code"])["index"]
    position = keyed[~keyed.index.duplicated()].to_dict()
    out = []
    for key in with_total.itertuples(index=False, name=None):
        for total, parts in families:
            members = [position.get((*key, code)) for code in (total, *parts)]
            if all(m is not None for m in members):
                out.append(Group(members[0], tuple(members[1:]), f"{'/'.join(key)} {total}"))
    return out


def _annual(cells: pd.DataFrame, crime_types: Mapping[str, Sequence[str]]) -> list[Group]:
    """A police.uk indicator's annual count = its crime types' months; and, for one crime
    type, = that type's deprivation deciles."""
    out = []
    annual = cells[(cells["kind"] == "indicator") & cells["indicator_id"].isin(list(crime_types))]
    monthly = cells[cells["kind"] == "monthly"]
    deciles = cells[cells["kind"] == "deprivation"]
    month_index = {
        key: group.index.tolist()
        for key, group in monthly.assign(year=monthly["period"].str[:4]).groupby(
            ["area_code", "year", "crime_type"]
        )
    }
    decile_index = {
        key: group.index.tolist()
        for key, group in deciles.groupby(["area_code", "period", "crime_type"])
    }
    for pos, row in annual.iterrows():
        types = list(crime_types[row["indicator_id"]])
        months = [month_index.get((row["area_code"], row["period"], t)) for t in types]
        if months and all(m is not None for m in months):
            parts = tuple(sorted(i for m in months for i in m))
            out.append(Group(pos, parts, f"{row['indicator_id']} {row['area_code']} months"))
        if len(types) == 1:
            parts = decile_index.get((row["area_code"], row["period"], types[0]))
            if parts:
                out.append(Group(pos, tuple(parts), f"{row['indicator_id']} deciles"))
    return out


def police_crime_types(indicators: Sequence[Mapping]) -> dict[str, list[str]]:
    """{indicator id: crime types} for the police.uk indicators of the compendium."""
    return {
        e["id"]: list(e["source"]["crime_types"])
        for e in indicators
        if e["source"]["kind"] == "police_uk"
    }


def mark(
    tables: dict[str, pd.DataFrame], crime_types: Mapping[str, Sequence[str]]
) -> dict[str, pd.DataFrame]:
    """The tables with a ``suppressed`` column: primary and secondary, decided together."""
    present = [name for name in TABLES if name in tables]
    parts = []
    for name in present:
        keys = cell_keys(tables[name].reset_index(drop=True))
        keys["table"], keys["row"] = name, np.arange(len(keys))
        parts.append(keys)
    cells = pd.concat(parts, ignore_index=True)
    primary = np.asarray(disclosure.is_small(cells["count"]), dtype=bool)
    areas = tables["areas"]
    reported = set(areas.loc[areas["tier"].isin(REPORTABLE_TIERS), "area_code"])
    scope = ~cells["kind"].isin(REPORT_AREAS_ONLY) | cells["area_code"].isin(reported)
    position = np.flatnonzero(scope.to_numpy())
    published = [
        Group(int(position[g.total]), tuple(int(position[i]) for i in g.parts), g.name)
        for g in groups(
            cells[scope].reset_index(drop=True), areas, crime_types, tables.get("shared_csps")
        )
    ]
    hidden = protect(
        cells["count"].to_numpy(dtype="float64"),
        primary | cells["hidden"].to_numpy(dtype=bool),
        published,
    )
    out = dict(tables)
    for name in present:
        mine = cells["table"].to_numpy() == name
        out[name] = tables[name].reset_index(drop=True).assign(suppressed=hidden[mine].astype(bool))
    return out
