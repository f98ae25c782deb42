"""Read-only access to the tidy store for notebooks: small, fast, and with errors for people."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd

from helpers.core import paths
from helpers.core.errors import NeedsError, ParamsError

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
    load.cache_clear()
    _values_by_indicator.cache_clear()
    _indicator.cache_clear()


def build_info() -> dict:
    path = folder() / "build.json"
    if not path.exists():
        raise NeedsError("the store has not been built", path=path, fix=BUILD_FIX)
    return json.loads(path.read_text())


def areas() -> pd.DataFrame:
    return load("areas")


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
    """ "<county> community safety and health needs assessment", from the store's areas."""
    table = areas()
    county = table.loc[table["area_type"] == "County", "area_name"]
    if county.empty:
        return "Community safety and health needs assessment"
    return f"{county.iloc[0]} community safety and health needs assessment"


def force_description() -> tuple[str, str]:
    """(force area name, what it covers in words: "<county>, <city> and <unitary>"), from the
    store's areas."""
    table = areas()
    force = table.loc[table["area_type"] == "Police force area", "area_name"].iloc[0]
    parts = table.loc[table["area_type"].isin(["County", "Unitary authority"]), "area_name"]
    names = list(parts)
    words = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
    return str(force), words


def area_name(area_code: str) -> str:
    table = areas().set_index("area_code")["area_name"]
    return str(table.get(area_code, area_code))


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


def compendium_entry(indicator_id: str) -> dict:
    table = load("compendium").set_index("id")
    if indicator_id not in table.index:
        raise NeedsError(
            f"no compendium entry for '{indicator_id}'", fix="add it to data/compendium.yaml"
        )
    return table.loc[indicator_id].to_dict()


def boundaries() -> dict:
    """The force area's district polygons (GeoJSON FeatureCollection)."""
    path = folder() / "boundaries.geojson"
    if not path.exists():
        raise NeedsError("the store has no boundaries", path=path, fix=BUILD_FIX)
    return json.loads(path.read_text())
