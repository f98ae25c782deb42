"""What `needs areas` prints: every current county and unitary authority in the national areas
table (helpers.sources.places), so an analyst can find the code to write in params/areas.yaml;
or the districts of one county, for its `report_areas`.

A pure function of the table: `listing(places)` gives the lines, e.g.

    code       name       type               police force area  districts
    E06000xxx  Unitary A  Unitary authority  Force A                    0
    E10000xxx  County B   County             Force B                    7
"""

from __future__ import annotations

import pandas as pd

from helpers.core import config
from helpers.sources import places as national

COLUMNS = ("code", "name", "type", "police force area", "districts")
HOW_TO_WRITE = [
    "In params/areas.yaml write 'county: <code>' for a County, 'unitary: <code>' for any other",
    "type; `needs areas --districts <code>` lists a county's districts.",
]


def listing(places: national.Places, search: str | None = None, county: str | None = None):
    """The lines `needs areas` prints: the current counties and unitary authorities sorted by
    name, those whose name or code contains `search` (any case) when it is given; or, with
    `county`, that county's districts. A `county` that is not a current county code raises the
    ParamsError that params/areas.yaml would, saying which code to use instead."""
    if county is not None:
        code = county.strip()
        return _districts(places, code.upper() if config.GSS.match(code.upper()) else code)
    table = places.areas
    names = dict(zip(table["area_code"], table["area_name"], strict=True))
    upper = table[table["tier"].isin(["upper", "single"])]
    counts = table.loc[table["tier"] == "lower", "county_code"].value_counts()
    if search is not None and search.strip():
        text = search.strip().casefold()
        hit = upper["area_name"].str.casefold().str.contains(text, regex=False) | upper[
            "area_code"
        ].str.casefold().str.contains(text, regex=False)
        upper = upper[hit]
        if upper.empty:
            return _no_match(table, search.strip(), text)
    upper = upper.sort_values(["area_name", "area_code"], key=_casefold)
    rows = [
        (
            row.area_code,
            row.area_name,
            row.area_type,
            names.get(row.pfa_code, "-") if isinstance(row.pfa_code, str) else "-",
            str(counts.get(row.area_code, 0)),
        )
        for row in upper.itertuples()
    ]
    plural = "" if len(rows) == 1 else "s"
    return [
        *_table(COLUMNS, rows, right={"districts"}),
        "",
        f"{len(rows)} area{plural}.",
        *HOW_TO_WRITE,
    ]


def _districts(places: national.Places, code: str) -> list[str]:
    # the checks params/areas.yaml gets: a retired, split, misspelt or wrong-kind code is
    # refused with the code to use; no file is involved, so the error names none
    spec = config.AreaSpec("county", code, None, None)
    areas = national.resolve(spec, places)
    table = places.areas.set_index("area_code")
    name = table.at[areas.upper, "area_name"]
    force = table.at[areas.force_area, "area_name"]
    rows = [(d, table.at[d, "area_name"]) for d in areas.districts]
    return [
        f"Districts of {areas.upper} {name} (county; police force area {force}):",
        *_table(("code", "name"), rows),
        "",
        f"{len(rows)} districts. To report on some of them only, list their codes under "
        "report_areas in params/areas.yaml.",
    ]


def _no_match(table: pd.DataFrame, search: str, text: str) -> list[str]:
    """A search that matches no county or unitary authority: the districts it matches, with
    their counties, since a district is reported on through its county."""
    lines = [f"No current county or unitary authority has '{search}' in its name or code."]
    lower = table[table["tier"] == "lower"]
    hit = lower["area_name"].str.casefold().str.contains(text, regex=False) | lower[
        "area_code"
    ].str.casefold().str.contains(text, regex=False)
    names = dict(zip(table["area_code"], table["area_name"], strict=True))
    for row in lower[hit].sort_values(["area_name", "area_code"], key=_casefold).itertuples():
        lines.append(
            f"{row.area_code} {row.area_name} is a district of {row.county_code} "
            f"{names[row.county_code]}: write 'county: {row.county_code}'"
        )
    lines.append("`needs areas` lists every county and unitary authority.")
    return lines


def _casefold(column: pd.Series) -> pd.Series:
    return column.str.casefold()


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]], right=frozenset()) -> list[str]:
    """Plain-text columns, two spaces apart; the columns named in `right` aligned right."""
    widths = [max(len(str(v)) for v in column) for column in zip(header, *rows, strict=True)]

    def line(values) -> str:
        cells = [
            str(v).rjust(w) if h in right else str(v).ljust(w)
            for h, v, w in zip(header, values, widths, strict=True)
        ]
        return "  ".join(cells).rstrip()

    return [line(header), *(line(r) for r in rows)]
