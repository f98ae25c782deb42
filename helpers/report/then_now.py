"""Then and now: the earlier assessment's headline figures beside today's nearest open ones
(the overview's table), read from the store through disclosure control."""

from __future__ import annotations

import pandas as pd

from helpers.build import store
from helpers.report import ledger, views
from helpers.stats import disclosure


def then_and_now(area_code: str | None = None) -> pd.DataFrame:
    """One row per 2017 headline item: what was reported then, and today's nearest open figure
    for the county (or the force area, said so), or where the missing data could come from.
    Of several indicators for one item, the one with a county figure wins over a force-area
    one. For a district's report (`area_code`), `district_now` is the district's own figure."""
    baseline = store.load("baseline_2017")
    compendium = store.load("compendium")
    gap_table = store.load("gaps")
    chosen = store.selection()
    county, force = chosen.upper, chosen.force_area
    district = area_code if area_code not in (None, county) else None
    # only the area's own earlier figures (a row may name it with another: "<code>+<code>")
    baseline = baseline[baseline["area_code"].str.split("+").map(lambda codes: county in codes)]
    names = store.areas().set_index("area_code")["area_name"].to_dict()

    def listed(column: pd.Series, item: str) -> pd.Series:
        return column.str.split(", ").apply(lambda items: item in items)

    rows = []
    for item, group in baseline.groupby("item", sort=False):
        first = group.iloc[0]
        row = {
            "item": item,
            "priority": first["priority"],
            "indicator_2017": " / ".join(dict.fromkeys(group["indicator"])),
            "then": group[
                ["indicator", "period", "value", "unit", "england_value", "comparison_as_reported"]
            ].to_dict("records"),
            "indicator_now": None,
            "now": None,
            "geography_now": None,
            "district_now": None,
            "gap": None,
        }
        match = compendium[listed(compendium["baseline_2017"], item)]
        if match.empty:
            gap = gap_table[listed(gap_table["baseline_2017"], item)]
            row["gap"] = gap["could_come_from"].iloc[0] if len(gap) else "no open source found"
            rows.append(row)
            continue
        found = [(_now_figure(e, code), code, e) for code in (county, force) for e in _rows(match)]
        found = [f for f in found if f[0] is not None]
        entry = found[0][2] if found else match.iloc[0]
        row["indicator_now"] = entry["name"]
        if found:
            row["now"], code = found[0][0], found[0][1]
            row["geography_now"] = names.get(code, code)
            if district is not None:
                row["district_now"] = _now_figure(entry, district)
        else:
            row["geography_now"] = "districts only: no county figure in the source"
            if district is not None:
                row["district_now"] = _now_figure(entry, district)
        rows.append(row)
    return pd.DataFrame(rows)


def _rows(frame: pd.DataFrame) -> list[pd.Series]:
    return [row for _, row in frame.iterrows()]


def _now_figure(entry: pd.Series, code: str) -> dict | None:
    """An indicator's latest figure for one area (through disclosure control), or None."""
    data = store.indicator(entry["id"])
    here = data[(data["area_code"] == code) & data["value"].notna()]
    if here.empty:
        return None
    shown = here[here["period"] == views.latest_period(here["period"])]
    latest = ledger.record(disclosure.suppress(shown)).iloc[0]  # as views records its cells
    return {
        "period": latest["period"],
        "value": latest["value"],
        "count": latest["count"],
        "unit": entry["unit"],
        "suppressed": bool(latest["suppressed"]),
    }
