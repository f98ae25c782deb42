"""Indicator rows from ONS police recorded crime by Community Safety Partnership (Table C2):
one 12-month period, for every English district, county, force area, region and England.

How a CSP becomes an area's figure, without splitting anything:
- a district or unitary authority whose CSPs cover it alone (one CSP, or the CSPs of the old
  districts a new unitary replaced) has their sum;
- a district that shares a CSP with others ("Combined Local Authorities") has no figure of its
  own: its row is a gap that gives the CSP's figure and names the districts it covers, and the
  CSP has a row of its own (rated on its districts' residents where they lie wholly inside it);
- a county is the sum of the CSPs of its districts, when none reaches outside it;
- a force area is the force's published total, which includes the crimes the force could not
  assign to a CSP; every area row of that force says how many those were;
- a region and England are sums of force totals (the table has no England row).
Rates are per `multiplier` residents on the mid-year population the compendium entry names."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.build import populations
from helpers.sources import places
from helpers.sources.recorded_crime import CspTable
from helpers.stats.disclosure import is_small

SOURCE = (
    "ONS police recorded crime by Community Safety Partnership (Table C2); "
    "ONS mid-year population estimates"
)


def csp_values(
    entry: dict,
    table: CspTable,
    areas: pd.DataFrame,
    csp_lookup: pd.DataFrame,
    population: pd.DataFrame,
) -> pd.DataFrame:
    """Rows (area_code, period, count, denominator, value, value_note) for one offence group."""
    source = entry["source"]
    rows = table.rows[
        (table.rows["offence"] == source["offence"]) & table.rows["pfa_code"].str.startswith("E")
    ]
    per = float(entry["multiplier"])
    year = int(source["population_year"])
    pop_of, _ = populations.denominators(population)
    counts = _area_counts(rows, areas, csp_lookup)
    notes = _unassigned_notes(rows, areas, entry["measure"])
    out = []
    for code, (count, note) in counts.items():
        said = [note] if isinstance(note, str) else []
        row = {"area_code": code, "period": _period(table.period)}
        if not np.isnan(count):
            denominator = pop_of.get((code, year), np.nan)
            row |= {"count": count, "denominator": denominator}
            if denominator > 0:  # the entry's caveats name the population used
                row["value"] = count / denominator * per
            said += [notes[code]] if code in notes else []
        row["value_note"] = ". ".join(said) if said else np.nan
        out.append(row)
    out += _shared_rows(rows, areas, csp_lookup, pop_of, year, per, _period(table.period))
    return pd.DataFrame(out)


def shared_csps(csp_lookup: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """The English CSPs that cover several current districts (csp_code, csp_name, lad_code),
    one row per district: reports show such a CSP as one bar beside the districts."""
    members = csp_members(csp_lookup)
    current = set(areas.loc[areas["tier"].isin(["lower", "single"]), "area_code"])
    shared = {c for c, lads in members.items() if len(lads & current) > 1}
    rows = csp_lookup[csp_lookup["csp_code"].isin(shared)]
    return rows[["csp_code", "csp_name", "lad_code"]].drop_duplicates().reset_index(drop=True)


def _shared_rows(rows, areas, csp_lookup, pop_of, year, per, period) -> list[dict]:
    """A row of its own for each CSP that several districts share, named as a CSP, with the
    districts it covers in its note; its rate uses the sum of their populations."""
    names = dict(zip(areas["area_code"], areas["area_name"], strict=True))
    csps = rows[rows["row_kind"] == "csp"].set_index("csp_code")
    english = csp_lookup[csp_lookup["csp_code"].str.startswith("E")]
    csps_of = english.groupby("lad_code")["csp_code"].nunique()
    out = []
    for code, group in shared_csps(csp_lookup, areas).groupby("csp_code"):
        if code not in csps.index:
            continue
        lads = sorted(group["lad_code"])
        count = float(csps.at[code, "count"])
        # residents are known only where every district lies wholly inside this one CSP
        whole = all(csps_of.get(lad) == 1 for lad in lads)
        people = [pop_of.get((lad, year), np.nan) for lad in lads]
        denominator = float(sum(people)) if whole and not any(pd.isna(people)) else np.nan
        row = {
            "area_code": code,
            "area_name": f"{csps.at[code, 'csp_name']} CSP",
            "area_type": "Community Safety Partnership",
            "period": period,
            "count": count,
            "denominator": denominator,
            "value_note": "One Community Safety Partnership covering "
            + _joined([names.get(lad, lad) for lad in lads])
            + ": published for them together, not split"
            + (
                ""
                if whole
                else "; no rate, as some of these districts' residents live in other CSPs"
            ),
        }
        if denominator > 0 and not pd.isna(count):
            row["value"] = count / denominator * per
        out.append(row)
    return out


def csp_members(csp_lookup: pd.DataFrame) -> dict[str, frozenset[str]]:
    """{CSP code: the districts it covers}, English CSPs only."""
    english = csp_lookup[csp_lookup["csp_code"].str.startswith("E")]
    return {c: frozenset(g["lad_code"]) for c, g in english.groupby("csp_code")}


def _area_counts(
    rows: pd.DataFrame, areas: pd.DataFrame, csp_lookup: pd.DataFrame
) -> dict[str, tuple[float, object]]:
    """{area code: (count or NaN, note or NaN)} for every area the table can speak for."""
    members = csp_members(csp_lookup)
    csps = rows[rows["row_kind"] == "csp"].set_index("csp_code")
    count_of = csps["count"].to_dict()  # dict lookups: .loc per district is slow
    names = dict(zip(areas["area_code"], areas["area_name"], strict=True))
    of_district: dict[str, list[str]] = {}
    for csp, lads in members.items():
        for lad in lads:
            of_district.setdefault(lad, []).append(csp)
    result: dict[str, tuple[float, object]] = {}
    local = areas[areas["tier"].isin(["lower", "single"])]
    for code in local["area_code"]:
        mine = sorted(of_district.get(code, []))
        shared = [c for c in mine if members[c] != {code}]
        if not mine or any(c not in count_of for c in mine):
            result[code] = (np.nan, "Not in the CSP table")
        elif shared:
            result[code] = (np.nan, _shared_note(shared[0], csps, members, code, names))
        else:
            result[code] = _summed([count_of[c] for c in mine])
    for county, group in areas[areas["tier"] == "lower"].groupby("county_code"):
        lads = set(group["area_code"])
        touching = {c for lad in lads for c in of_district.get(lad, [])}
        if touching and all(members[c] <= lads for c in touching) and touching <= set(count_of):
            result[county] = _summed([count_of[c] for c in sorted(touching)])
    totals = force_totals(rows)
    forces = areas[areas["tier"] == "force"]["area_code"]
    for force in forces:
        if force in totals.index:
            result[force] = _summed(totals.loc[[force]])
    region_of = _force_regions(areas)
    for region, group in pd.Series(region_of).groupby(lambda f: region_of[f]):
        if set(group.index) <= set(totals.index):
            result[region] = _summed(totals.loc[sorted(group.index)])
    result[places.ENGLAND] = _summed(totals)  # every English force in the table
    return result


def force_totals(rows: pd.DataFrame) -> pd.Series:
    """{force: its published total}; a force the table gives no total row (one whose only line
    is its one CSP) has the sum of its lines."""
    published = rows[rows["row_kind"] == "force"].set_index("pfa_code")["count"]
    lines = rows[~rows["pfa_code"].isin(published.index)]
    summed = lines.groupby("pfa_code")["count"].sum(min_count=1)
    return pd.concat([published, summed])


def _summed(counts) -> tuple[float, object]:
    counts = pd.Series(counts, dtype=float)
    if counts.isna().any():
        return np.nan, "Not published (a CSP's figure is unavailable)"
    return float(counts.sum()), np.nan


def _shared_note(csp: str, csps: pd.DataFrame, members: dict, code: str, names: dict) -> str:
    others = sorted(names.get(lad, lad) for lad in members[csp] if lad != code)
    figure = f"{_amount(csps.loc[csp, 'count'])} offences"
    return (
        f"Published only for the {csps.loc[csp, 'csp_name']} Community Safety Partnership, "
        f"which also covers {_joined(others)}: {figure} in the year, not split between districts"
    )


def _unassigned_notes(rows: pd.DataFrame, areas: pd.DataFrame, measure: str) -> dict[str, str]:
    """{area code: the note on its force's crimes that were not assigned to a CSP}."""
    totals = force_totals(rows)
    loose = rows[rows["row_kind"] == "unassigned"].set_index("pfa_code")["count"]
    names = dict(zip(areas["area_code"], areas["area_name"], strict=True))
    notes = {}
    for force in totals.index:
        total, left = totals.get(force), loose.get(force, np.nan)
        who = names.get(force, force)
        if pd.isna(left) and force not in set(rows.loc[rows["row_kind"] == "force", "pfa_code"]):
            continue  # a force that is one CSP has nothing unassigned
        if pd.isna(left):
            text = f"{who} published no count of crimes it could not assign to a CSP"
        else:
            share = f" ({left / total * 100:.1f}%)" if total and not is_small(left) else ""
            text = (
                f"{who} could not assign {_amount(left)} of its {total:,.0f} "
                f"{measure}{share} to a Community Safety Partnership: they are in its "
                "force-area figure but in no district's, so district figures are slightly low"
            )
        for code in areas.loc[areas["pfa_code"] == force, "area_code"]:
            notes[code] = text
        notes[force] = text
    return notes


def _amount(count: float) -> str:
    """A count for a sentence, kept back when it is 1 to 4 (disclosure control)."""
    if pd.isna(count):
        return "no figure"
    return "fewer than 5" if is_small(count) else f"{count:,.0f}"


def _force_regions(areas: pd.DataFrame) -> dict[str, str]:
    """{force code: its region}, from the counties and unitaries it covers."""
    tops = areas[areas["tier"].isin(["upper", "single"]) & areas["pfa_code"].notna()]
    regions = tops.groupby("pfa_code")["region_code"].agg(lambda r: set(r.dropna()))
    return {f: next(iter(r)) for f, r in regions.items() if len(r) == 1}


def _period(label: str) -> str:
    """'Year ending June 2025' -> 'Year ending Jun 2025', as ONS recorded crime labels read."""
    words = label.split()
    return " ".join([*words[:-2], words[-2][:3], words[-1]])


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
