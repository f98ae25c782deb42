"""Every English area the assessment can be run for, with its parents, from the shipped lookups;
and the codes retired by reorganisations, each with the areas that replaced it.

Current areas are the 2024 local authorities (the lower-tier lookup that also gives each one's
Community Safety Partnership and police force area), the counties of the April 2019 lookup whose
districts all still exist, the regions and England. A code of an earlier vintage (2017 districts,
2018 and 2019 districts and counties) that is no longer current maps to its successors by
following its LSOAs: LSOA 2011 -> LSOA 2021 -> 2024 district. A 2019 district that did not exist
in 2017 (so has no LSOAs in the 2011 lookup) takes its county's successors.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.core import config
from helpers.core.errors import ParamsError
from helpers.sources import geography

log = logging.getLogger(__name__)

ENGLAND = "E92000001"
# Single-tier authorities by code prefix (unitaries, metropolitan districts, London boroughs)
SINGLE_TIER = {"E06": "Unitary authority", "E08": "Metropolitan district", "E09": "London borough"}
COLUMNS = [
    "area_code",
    "area_name",
    "area_type",
    "tier",
    "county_code",
    "region_code",
    "pfa_code",
    "csp_code",
    "england_code",
]
# A successor holding fewer of the old area's LSOAs than this is boundary noise, not a successor
MIN_SHARE = 0.05

FILES = {
    "lad_pfa": "LAD24_CSP24_PFA24_lookup_EW.csv",
    "lad_county": "LAD19_to_County19_lookup_England_Apr2019.csv",
    "lad_region": "LAD18_to_Region18_lookup_England.csv",
    "lsoa11": "LSOA11_MSOA11_LAD17_RGN_lookup.csv.gz",
    "lsoa11_21": "LSOA11_LSOA21_LAD22_lookup_EW.csv.gz",
    "lsoa21": "LSOA21_Ward24_LAD24_lookup_EW.csv.gz",
}


@dataclass(frozen=True)
class Places:
    """`areas`: one row per current area (COLUMNS). `changes`: one row per (retired code,
    successor): old_code, old_name, old_type, vintage, new_code, share (of the old area's LSOAs)."""

    areas: pd.DataFrame
    changes: pd.DataFrame


def read_places(lookups: Path) -> Places:
    """The national areas table and code changes from the lookups folder."""
    lookups = Path(lookups)
    tables = {
        "lad_pfa": geography.read_lad_csp_pfa(lookups / FILES["lad_pfa"]),
        "lad_county": geography.read_lad_county(lookups / FILES["lad_county"]),
        "lad_region": geography.read_lad_region(lookups / FILES["lad_region"]),
        "lsoa11": geography.read_lsoa11_lookup(lookups / FILES["lsoa11"]),
        "lsoa11_21": geography.read_lsoa11_to_lsoa21(lookups / FILES["lsoa11_21"]),
        "lsoa21": geography.read_lsoa21_lookup(lookups / FILES["lsoa21"]),
    }
    return build_places(**tables)


def build_places(*, lad_pfa, lad_county, lad_region, lsoa11, lsoa11_21, lsoa21) -> Places:
    """read_places on frames already read (the build reads the lookups once for everything)."""
    lad_pfa = lad_pfa[lad_pfa["lad_code"].str.startswith("E")]
    current = set(lad_pfa["lad_code"])
    # Districts -> 2024 districts, through their LSOAs
    chain = (
        lsoa11[["lsoa_code", "lad_code"]]
        .rename(columns={"lsoa_code": "lsoa11_code", "lad_code": "old_code"})
        .merge(lsoa11_21[["lsoa11_code", "lsoa21_code"]], on="lsoa11_code")
        .merge(
            lsoa21[["lsoa_code", "lad_code"]].rename(
                columns={"lsoa_code": "lsoa21_code", "lad_code": "new_code"}
            ),
            on="lsoa21_code",
        )
    )
    chain = chain[chain["old_code"].str.startswith("E")]
    counts = chain.groupby(["old_code", "new_code"]).size().rename("lsoas").reset_index()
    counts["share"] = counts["lsoas"] / counts.groupby("old_code")["lsoas"].transform("sum")
    successors = counts[counts["share"] >= MIN_SHARE]

    region_of = dict(zip(lad_region["lad_code"], lad_region["region_code"], strict=True))
    region_names = dict(zip(lad_region["region_code"], lad_region["region_name"], strict=False))
    lsoa_region = lsoa11.dropna(subset=["region_code"]).merge(
        chain[["lsoa11_code", "new_code"]], left_on="lsoa_code", right_on="lsoa11_code"
    )
    # a new code (e.g. a 2023 unitary) takes the region of the LSOAs it is made of
    new_region = lsoa_region.groupby("new_code")["region_code"].agg(lambda s: s.mode().iloc[0])

    counties = lad_county[lad_county["county_code"].str.startswith("E10")]
    alive = counties.groupby("county_code")["lad_code"].agg(lambda s: set(s) <= current)
    county_of = {
        lad: cty
        for lad, cty in zip(counties["lad_code"], counties["county_code"], strict=True)
        if alive[cty]
    }

    first = lad_pfa.sort_values(["lad_code", "csp_code"]).drop_duplicates("lad_code")
    rows = [
        {"area_code": ENGLAND, "area_name": "England", "area_type": "Country", "tier": "country"}
    ]
    for code in sorted({region_of.get(c) or new_region.get(c) for c in current} - {None}):
        rows.append(_row(code, region_names[code], "Region", "region"))
    for pfa, name in sorted(set(zip(first["pfa_code"], first["pfa_name"], strict=True))):
        rows.append(_row(pfa, name, "Police force area", "force"))
    for lad in first.itertuples():
        county = county_of.get(lad.lad_code)
        kind = "District" if county else SINGLE_TIER.get(lad.lad_code[:3], "Unitary authority")
        rows.append(
            _row(
                lad.lad_code,
                lad.lad_name,
                kind,
                "lower" if county else "single",
                county_code=county,
                region_code=region_of.get(lad.lad_code) or new_region.get(lad.lad_code),
                pfa_code=lad.pfa_code,
                csp_code=lad.csp_code,
            )
        )
    table = pd.DataFrame(rows)
    districts = table[table["tier"] == "lower"]
    names = dict(zip(counties["county_code"], counties["county_name"], strict=False))
    for county, members in districts.groupby("county_code"):
        forces = sorted(members["pfa_code"].unique())
        table.loc[len(table)] = _row(
            county,
            names[county],
            "County",
            "upper",
            region_code=members["region_code"].mode().iloc[0],
            pfa_code=forces[0] if len(forces) == 1 else None,  # every county has one force
        )
    table = table[COLUMNS].sort_values("area_code", ignore_index=True)
    return Places(table, _changes(successors, current, lsoa11, lad_county, lad_region, table))


def _row(code, name, area_type, tier, **parents) -> dict:
    england = None if code == ENGLAND else ENGLAND
    return (
        {"area_code": code, "area_name": name, "area_type": area_type, "tier": tier}
        | {"england_code": england}
        | parents
    )


def _changes(successors, current, lsoa11, lad_county, lad_region, table) -> pd.DataFrame:
    """Every retired district or county code with its successors."""
    now = set(table["area_code"])
    old_names = {}
    for frame, vintage in ((lsoa11, "2017"), (lad_region, "2018"), (lad_county, "2019")):
        for code, name in zip(frame["lad_code"], frame["lad_name"], strict=True):
            old_names.setdefault(code, (name, "District", vintage))
    for code, name in zip(lad_county["county_code"], lad_county["county_name"], strict=True):
        if code.startswith("E10"):
            old_names.setdefault(code, (name, "County", "2019"))
    by_old = successors.groupby("old_code")
    rows = []

    def add(code, new_codes_shares):
        name, kind, vintage = old_names[code]
        for new, share in new_codes_shares:
            rows.append(
                {
                    "old_code": code,
                    "old_name": name,
                    "old_type": kind,
                    "vintage": vintage,
                    "new_code": new,
                    "share": round(float(share), 3),
                }
            )

    def of_district(code):
        """(successor, LSOAs) pairs of a district code."""
        if code in current:
            return [(code, 1)]
        if code in by_old.groups:
            group = by_old.get_group(code)
            return list(zip(group["new_code"], group["lsoas"], strict=True))
        return []

    retired = sorted(c for c in old_names if c.startswith("E") and c not in now)
    county_members = lad_county.groupby("county_code")["lad_code"].apply(list)
    county_successors = {}
    for county in (c for c in retired if old_names[c][1] == "County"):
        found = {}
        for lad in county_members[county]:
            for new, lsoas in of_district(lad):
                found[new] = found.get(new, 0) + lsoas
        total = sum(found.values())
        county_successors[county] = [(n, k / total) for n, k in sorted(found.items())]
        add(county, county_successors[county])
    county_of = dict(zip(lad_county["lad_code"], lad_county["county_code"], strict=True))
    for code in (c for c in retired if old_names[c][1] == "District"):
        pairs = of_district(code)
        total = sum(n for _, n in pairs)
        shares = [(new, n / total) for new, n in pairs]
        add(code, shares or county_successors.get(county_of.get(code), []))
    return pd.DataFrame(
        rows, columns=["old_code", "old_name", "old_type", "vintage", "new_code", "share"]
    )


def describe_changes(places: Places) -> list[str]:
    """One line per retired code, for the build log: '<old code> <name> (county, 2019 codes)
    -> <new code> <name>', with each successor's share of the old area when it was split."""
    names = dict(zip(places.areas["area_code"], places.areas["area_name"], strict=True))
    lines = []
    for (code, name, kind, vintage), group in places.changes.groupby(
        ["old_code", "old_name", "old_type", "vintage"], sort=True
    ):
        targets = ", ".join(
            f"{new} {names.get(new, '?')}"
            + (f" ({share:.0%} of its LSOAs)" if len(group) > 1 else "")
            for new, share in zip(group["new_code"], group["share"], strict=True)
        )
        lines.append(f"{code} {name} ({kind.lower()}, {vintage} codes) -> {targets}")
    return lines


# --------------------------------------------------------------------------- params


def resolve(spec: config.AreaSpec, places: Places) -> config.Areas:
    """The assessment's areas for `county: <code>` or `unitary: <code>`: its districts, the
    police force area and what it covers, the region and England, all from the lookups. A code
    that is unknown, retired, ambiguous or of the wrong kind stops with one error that says what
    to write instead."""
    table = places.areas.set_index("area_code", drop=False)
    code = spec.code
    if code not in table.index:
        raise _not_current(spec, places)
    row = table.loc[code]
    wanted = {"county": "upper", "unitary": "single"}[spec.kind]
    if row["tier"] != wanted:
        raise _wrong_kind(spec, row, table)
    districts = tuple(sorted(table.index[table["county_code"] == code]))
    force = row["pfa_code"]
    if not isinstance(force, str):
        raise ParamsError(
            f"{code} ({row['area_name']}) spans several police force areas",
            path=spec.path,
            fix="choose a county or unitary authority inside one force area",
        )
    members = tuple(
        sorted(table.index[(table["pfa_code"] == force) & table["tier"].isin(["lower", "single"])])
    )
    parts = tuple(
        dict.fromkeys(
            table.at[m, "county_code"] if table.at[m, "tier"] == "lower" else m for m in members
        )
    )
    report = spec.report_areas or (code, *districts)
    stray = [c for c in report if c not in (code, *districts)]
    if stray:
        raise ParamsError(
            f"report_areas has {', '.join(stray)}, which is not {code} "
            f"({row['area_name']})" + (" or one of its districts" if districts else ""),
            path=spec.path,
            fix="list only "
            + ", ".join(f"{c} ({table.at[c, 'area_name']})" for c in (code, *districts))
            + ", or remove report_areas to report on all of them",
        )
    return config.Areas(
        upper=code,
        kind=spec.kind,
        districts=districts,
        force_area=force,
        force_parts=parts,
        force_members=members,
        region=row["region_code"],
        england=ENGLAND,
        report_areas=tuple(dict.fromkeys(report)),
    )


def _named(codes, table) -> str:
    return ", ".join(f"{c} ({table.at[c, 'area_name']})" for c in codes if c in table.index)


def _not_current(spec: config.AreaSpec, places: Places) -> ParamsError:
    table = places.areas.set_index("area_code", drop=False)
    kind = spec.kind
    tier = {"county": "upper", "unitary": "single"}[kind]
    choices = table[table["tier"] == tier]
    example = f"write '{kind}: <code>'"
    changed = places.changes[places.changes["old_code"] == spec.code]
    if len(changed):
        old = changed.iloc[0]
        new = list(changed["new_code"])
        was = (
            f"{spec.code} ({old['old_name']}) is a {old['vintage']} {old['old_type'].lower()} code"
        )
        if len(new) == 1:
            target = table.loc[new[0]]
            if target["tier"] == "lower":
                return ParamsError(
                    f"{was}; its area is now part of the district {_named(new, table)}",
                    path=spec.path,
                    fix=f"write 'county: {target['county_code']}' and list {new[0]} "
                    "under report_areas",
                )
            return ParamsError(
                f"{was}, retired in a reorganisation; its area is now {_named(new, table)}",
                path=spec.path,
                fix=f"write '{'county' if target['tier'] == 'upper' else 'unitary'}: {new[0]}'",
            )
        return ParamsError(
            f"{was}, retired in a reorganisation; its area is now split between "
            f"{_named(new, table)}, so the code is ambiguous",
            path=spec.path,
            fix="choose one: "
            + "; ".join(
                f"'{'unitary' if table.at[n, 'tier'] == 'single' else 'county'}: {n}'" for n in new
            ),
        )
    by_name = table[table["area_name"].str.casefold() == spec.code.casefold()]
    if len(by_name):
        return ParamsError(
            f"'{kind}: {spec.code}' names the area; the setting takes its ONS code",
            path=spec.path,
            fix="write "
            + " or ".join(
                f"'{'county' if r.tier == 'upper' else 'unitary'}: {r.area_code}' "
                f"({r.area_name}, {r.area_type.lower()})"
                for r in by_name.itertuples()
                if r.tier in ("upper", "single")
            )
            if by_name["tier"].isin(["upper", "single"]).any()
            else f"{example}; {_named(by_name.index, table)} is not an upper-tier area",
        )
    close = difflib.get_close_matches(spec.code, list(choices.index), n=5, cutoff=0.6)
    close += difflib.get_close_matches(
        spec.code.casefold(), [n.casefold() for n in choices["area_name"]], n=3, cutoff=0.6
    )
    names = {n.casefold(): c for c, n in zip(choices.index, choices["area_name"], strict=True)}
    close = list(dict.fromkeys(names.get(c, c) for c in close))
    return ParamsError(
        f"'{kind}: {spec.code}' is not a current English "
        f"{'county' if kind == 'county' else 'unitary authority'} code",
        path=spec.path,
        fix=(f"did you mean {_named(close, table)}? " if close else "")
        + f"{example}, with a code from the lookups (data/raw/lookups)",
    )


def _wrong_kind(spec: config.AreaSpec, row: pd.Series, table: pd.DataFrame) -> ParamsError:
    name = f"{row['area_code']} ({row['area_name']})"
    if row["tier"] == "lower":
        county = row["county_code"]
        return ParamsError(
            f"{name} is a district of {_named([county], table)}, not a "
            f"{'county' if spec.kind == 'county' else 'unitary authority'}",
            path=spec.path,
            fix=f"write 'county: {county}' and, to report on this district only, "
            f"'report_areas: [{row['area_code']}]'",
        )
    if row["tier"] == "upper":
        return ParamsError(
            f"{name} is a county, not a unitary authority",
            path=spec.path,
            fix=f"write 'county: {row['area_code']}'",
        )
    if row["tier"] == "single":
        return ParamsError(
            f"{name} is a {row['area_type'].lower()} (single tier), not a county",
            path=spec.path,
            fix=f"write 'unitary: {row['area_code']}'",
        )
    return ParamsError(
        f"{name} is a {row['area_type'].lower()}, not a local authority",
        path=spec.path,
        fix="name a county ('county: <code>') or a unitary authority ('unitary: <code>')",
    )
