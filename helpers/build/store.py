"""Read-only access to the tidy store for notebooks: small, fast, and with errors for people."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd

from helpers.core import config, paths
from helpers.core.errors import NeedsError, ParamsError
from helpers.sources import places, police_forces

BUILD_FIX = "run `make report` (or `needs build`) from the project folder first"


def folder() -> Path:
    """The store's folder. A build killed between the two renames of its swap
    (writing.write_atomically) leaves no store folder but the previous store whole beside it,
    as .<name>.old-<pid>, until the next build puts it back: until then, that is the store."""
    processed = paths.processed_dir()
    if not processed.exists():
        previous = sorted(processed.parent.glob(f".{processed.name}.old-*"))
        if previous:
            return previous[-1]
    return processed


@cache
def load(name: str) -> pd.DataFrame:
    """One table of the store, e.g. load("indicator_values")."""
    path = folder() / f"{name}.parquet"
    if not path.exists():
        raise NeedsError(f"the store has no '{name}' table", path=path, fix=BUILD_FIX)
    return pd.read_parquet(path)


@cache
def _values_by_indicator() -> dict[str, pd.DataFrame]:
    """indicator_values split by indicator once: each report asks for dozens of indicators, and
    filtering the whole table every time was a tenth of a report's run time."""
    values = load("indicator_values")
    return {str(key): rows for key, rows in values.groupby("indicator_id", sort=False)}


def clear() -> None:
    """Forget every cached table (after the store on disk has changed)."""
    for cached in (
        load,
        _values_by_indicator,
        _indicator,
        _selection,
        _areas_of,
        _names,
        _indexed_areas,
        _indexed_compendium,
        indicator_ids,
        neighbours_of,
    ):
        cached.cache_clear()
    _current[0] = None


def build_info() -> dict:
    path = folder() / "build.json"
    if not path.exists():
        raise NeedsError("the store has not been built", path=path, fix=BUILD_FIX)
    return json.loads(path.read_text())


def national_areas() -> pd.DataFrame:
    """Every English area of the store, with its parents (helpers.sources.places)."""
    return load("areas")


# The county or unitary authority whose assessment the reports in this process belong to; None
# is params/areas.yaml's. A national batch runs every area's reports within its own county's
# (or unitary authority's) assessment, so the same kernel serves many assessments in turn.
_current: list[str | None] = [None]


def use_assessment(upper: str | None) -> None:
    """Report within the assessment of the county or unitary authority `upper` (its districts,
    force area and region from the lookups) instead of params/areas.yaml's; None goes back."""
    if upper is not None and assessment_of(upper) != upper:
        raise ParamsError(
            f"assessment {upper!r} is not a county or unitary authority of England",
            fix="use a county or unitary authority code (`needs areas` lists them), or leave "
            "it blank for params/areas.yaml's",
        )
    _current[0] = upper


def assessment_of(area_code: str) -> str:
    """The county or unitary authority whose assessment reports on `area_code`: a district's
    county, else the area itself."""
    table = _indexed_areas()
    if area_code not in table.index or table.at[area_code, "tier"] not in REPORTABLE:
        raise ParamsError(
            f"unknown area_code {area_code!r}: not a current English county, district or "
            "unitary authority",
            fix="`needs areas` lists the counties and unitary authorities, and "
            "`needs areas --county <code>` a county's districts",
        )
    row = table.loc[area_code]
    return str(row["county_code"]) if row["tier"] == "lower" else area_code


REPORTABLE = ("upper", "lower", "single")


@cache
def _indexed_areas() -> pd.DataFrame:
    return national_areas().set_index("area_code")


def area_tier(area_code: str) -> str:
    """ "upper", "lower", "single", "force", "region" or "country" (the areas table's tier)."""
    return str(_indexed_areas().at[area_code, "tier"])


@cache
def neighbours_of(area_code: str, rank_set: str) -> tuple[str, ...]:
    """The area's statistical neighbours in `rank_set`, nearest first."""
    found = load("neighbours")
    found = found[(found["area_code"] == area_code) & (found["set"] == rank_set)]
    return tuple(found.sort_values("rank")["neighbour_code"])


@cache
def indicator_ids() -> frozenset[str]:
    """Every indicator the store has values for."""
    return frozenset(_values_by_indicator())


def report_assessment(area_code: str) -> str | None:
    """None for an area params/areas.yaml reports on; else the county or unitary authority
    whose assessment reports on it."""
    if area_code in _selection(None).report_areas:
        return None
    return assessment_of(area_code)


def england_areas() -> list[str]:
    """Every English area a report can be run for, region by region (in code order), each
    county followed by its districts, then the unitary authorities."""
    table = national_areas()
    table = table[table["tier"].isin(REPORTABLE)]
    order = {"upper": 0, "lower": 0, "single": 1}
    keyed = table.assign(
        _group=table["county_code"].where(table["tier"] == "lower", table["area_code"]),
        _kind=table["tier"].map(order),
        _own=(table["tier"] == "lower").astype(int),
    )
    keyed = keyed.sort_values(["region_code", "_kind", "_group", "_own", "area_code"])
    return keyed["area_code"].tolist()


def selection() -> config.Areas:
    """The assessment's areas: params/areas.yaml (or use_assessment's area) resolved against
    the store's areas."""
    return _selection(_current[0])


@cache
def _selection(upper: str | None) -> config.Areas:
    found = places.Places(national_areas(), load("area_changes"))
    if upper is None:
        return places.resolve(config.area_spec(paths.PARAMS), found)
    tier = national_areas().set_index("area_code").at[upper, "tier"]
    kind = "county" if tier == "upper" else "unitary"
    return places.resolve(config.AreaSpec(kind, upper, None, None), found)


def _assessment_areas() -> pd.DataFrame:
    return _areas_of(_current[0])


@cache
def _areas_of(upper: str | None) -> pd.DataFrame:
    chosen = _selection(upper)
    roles: dict[str, str] = {}
    for role, codes in (
        ("upper", [chosen.upper]),
        ("district", chosen.districts),
        ("force part", chosen.force_parts),
        ("force member", chosen.force_members),
        ("force", [chosen.force_area]),
        ("region", [chosen.region]),
        ("england", [chosen.england]),
    ):
        for code in codes:
            roles.setdefault(code, role)
    table = national_areas().set_index("area_code", drop=False)
    frame = table.loc[list(roles)].reset_index(drop=True)
    frame["role"] = frame["area_code"].map(roles)
    frame["is_report_area"] = frame["area_code"].isin(chosen.report_areas)
    return frame


def areas() -> pd.DataFrame:
    """The assessment's areas (the county or unitary authority, its districts, the rest of the
    police force area, the force area, the region and England), each with its `role`."""
    return _assessment_areas()


def check_area(area_code: str) -> str:
    """Validate a report area code at once; the error lists the valid codes and names."""
    table = areas()
    valid = table[table["is_report_area"]]
    if area_code not in set(valid["area_code"]):
        listing = "; ".join(
            f"{c} ({n})" for c, n in zip(valid["area_code"], valid["area_name"], strict=True)
        )
        raise ParamsError(f"unknown area_code {area_code!r}", fix=f"use one of: {listing}")
    return area_code


def assessment_title() -> str:
    """ "<area> community safety and health needs assessment", from the selection."""
    return f"{area_name(selection().upper)} community safety and health needs assessment"


def force_description() -> tuple[str, str]:
    """(force area name, what it covers in words: "<county>, <city> and <unitary>"), counties
    first."""
    chosen = selection()
    parts = sorted(chosen.force_parts, key=lambda c: (not c.startswith("E10"), c))
    names = [area_name(c) for c in parts]
    words = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
    return area_name(chosen.force_area), words


def police_gap() -> tuple[str, str] | None:
    """(force name, the command that fetches its files) when the snapshot has no police.uk
    street files for the assessment's force; None when it has them."""
    force = selection().force_area
    if (load("police_months")["pfa_code"] == force).any():
        return None
    row = national_areas().set_index("area_code").loc[force]
    return str(row["area_name"]), police_forces.fetch_command(str(row["police_uk_id"]))


def area_name(area_code: str) -> str:
    return str(_names().get(area_code, area_code))


@cache
def _names() -> dict[str, str]:
    table = national_areas()
    return dict(zip(table["area_code"], table["area_name"], strict=True))


def indicator(indicator_id: str, area_codes: list[str] | None = None) -> pd.DataFrame:
    """Values of one indicator, optionally for some areas (kept in the order given)."""
    codes = tuple(area_codes) if area_codes is not None else None
    # a shallow copy: with pandas' copy-on-write a caller's edits never reach the cache
    return _indicator(indicator_id, codes).copy(deep=False)


@cache
def _indicator(indicator_id: str, area_codes: tuple[str, ...] | None) -> pd.DataFrame:
    """indicator(), remembered: a report asks for the same rows many times over."""
    rows = _values_by_indicator().get(indicator_id)
    if rows is None or rows.empty:
        raise NeedsError(
            f"the store has no indicator '{indicator_id}'",
            fix="check the id in data/compendium.yaml, then rebuild",
        )
    if area_codes is not None:
        order = {code: i for i, code in enumerate(area_codes)}
        rows = rows[rows["area_code"].isin(order)]
        rows = rows.assign(_order=rows["area_code"].map(order)).sort_values(["_order", "period"])
        rows = rows.drop(columns="_order")
    return rows.reset_index(drop=True)


@cache
def _indexed_compendium() -> pd.DataFrame:
    return load("compendium").set_index("id")


def compendium_entry(indicator_id: str) -> dict:
    table = _indexed_compendium()
    if indicator_id not in table.index:
        raise NeedsError(
            f"no compendium entry for '{indicator_id}'", fix="add it to data/compendium.yaml"
        )
    return table.loc[indicator_id].to_dict()


def boundaries() -> dict:
    """The polygons of the force area's districts and unitary authorities (a GeoJSON
    FeatureCollection keyed by `area_code`)."""
    path = folder() / "boundaries.geojson"
    if not path.exists():
        raise NeedsError("the store has no boundaries", path=path, fix=BUILD_FIX)
    collection = json.loads(path.read_text())
    wanted = set(selection().force_members)
    features = [f for f in collection["features"] if f["properties"]["area_code"] in wanted]
    return {"type": "FeatureCollection", "features": features}
