"""ONS police recorded crime by police force area (years ending September), as re-published.

A secondary source (assembled by hand from the ONS tables), so the reader checks it closely."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from helpers.core.errors import DataError
from helpers.sources.tabular import read_csv, validate

YEAR, AREA = "Year ending September", "Area name"
SCHEMA = pa.DataFrameSchema(
    {
        "area_name": pa.Column(str),
        "year": pa.Column(int, pa.Check.in_range(2000, 2100)),
        "offence": pa.Column(str),
        "count": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    unique=["area_name", "year", "offence"],
)


def read_recorded_crime(path: str | Path, offences: list[str]) -> pd.DataFrame:
    """Counts of the named offence groups by area and year: area_name, year, offence, count."""
    path = Path(path)
    frame = read_csv(path, required=[YEAR, AREA, *offences], what="recorded crime file")
    long = frame.melt(
        id_vars=[AREA, YEAR], value_vars=offences, var_name="offence", value_name="count"
    ).rename(columns={AREA: "area_name", YEAR: "year"})
    counts = pd.to_numeric(long["count"], errors="coerce")
    bad = counts.isna() & long["count"].notna()
    if bad.any():
        first = long[bad].iloc[0]
        raise DataError(
            f"'{first['offence']}' for {first['area_name']} ({first['year']}) is not "
            f"a number: {first['count']!r}",
            path=path,
            fix="correct the value from the ONS police force area tables",
        )
    long["count"] = counts.astype(float)
    return validate(long, SCHEMA, path=path)


# ONS Table C2: police recorded crime by Community Safety Partnership (one 12-month period).
CSP_KEYS = {
    "Police Force Area code": "pfa_code",
    "Police Force Area name": "pfa_name",
    "Community Safety Partnership code": "csp_code",
    "Community Safety Partnership name": "csp_name",
    "Local Authority code": "la_code",
    "Local Authority name": "la_name",
}
COMBINED = "Combined Local Authorities"
UNASSIGNED = "Unassigned"
CSP_SCHEMA = pa.DataFrameSchema(
    {
        "pfa_code": pa.Column(str, pa.Check.str_matches(r"^[EW]\d{8}$")),
        "pfa_name": pa.Column(str),
        "row_kind": pa.Column(str, pa.Check.isin(["force", "csp", "unassigned"])),
        "csp_code": pa.Column(str, pa.Check.str_matches(r"^([EW]\d{8})?$")),
        "csp_name": pa.Column(str),
        "la_code": pa.Column(str, pa.Check.str_matches(rf"^([EW]\d{{8}}|{COMBINED})?$")),
        "offence": pa.Column(str),
        "count": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    unique=["pfa_code", "row_kind", "csp_code", "csp_name", "offence"],
)


@dataclass(frozen=True)
class CspTable:
    rows: pd.DataFrame  # pfa_code, pfa_name, csp_code, csp_name, la_code, row_kind, offence, count
    period: str  # "Year ending June 2025"
    notes: list[str]  # what the reader had to interpret in the published table


def read_csp_table(path: str | Path) -> CspTable:
    """ONS Table C2 as published: one row per force total, CSP and 'Unassigned <force>' line
    and offence group (long), with the period from the title ('year ending June 2025').
    '[x]' (unavailable) and a blank cell are missing counts, never zero.

    A row is filed under the force its name gives (the published table once pairs a force's
    name with another force's code: said in `notes`). Each force's CSP rows and unassigned
    line must add up to its total, offence by offence, where all are published."""
    path = Path(path)
    grid = read_csv(
        path,
        required=[],
        header=None,
        dtype=str,
        keep_default_na=False,
        what="CSP recorded crime table",
    )
    title = " ".join(grid.iloc[0].tolist())
    period = re.search(r"year ending (\w+ \d{4})", title)
    at = grid.index[grid[0].map(_words) == "Police Force Area code"]
    if period is None or at.empty:
        raise DataError(
            "this is not ONS Table C2 (no 'year ending <month> <year>' title, or no "
            "'Police Force Area code' header row)",
            path=path,
            fix="restore the published table (7 title lines, then the header row)",
        )
    header = [_words(c) for c in grid.loc[at[0]]]
    missing = [k for k in CSP_KEYS if k not in header]
    offences = [c for c in header if c and c not in CSP_KEYS]
    if missing or not offences:
        raise DataError(
            f"the header lacks {', '.join(missing) or 'any offence column'}",
            path=path,
            fix="restore the published header row of Table C2",
        )
    body = grid.loc[at[0] + 1 :].set_axis(header, axis=1)
    body = body[body["Police Force Area code"].str.strip() != ""].rename(columns=CSP_KEYS)
    for key in CSP_KEYS.values():  # names lose the note markers ONS adds ("[note 4]")
        body[key] = body[key].str.replace(r"\s*\[note \d+\]", "", regex=True).str.strip()
    notes = _force_codes(body)
    body["row_kind"] = "csp"
    unassigned = body["csp_name"].str.casefold().str.startswith(UNASSIGNED.casefold())
    body.loc[unassigned, "row_kind"] = "unassigned"
    body.loc[unassigned, "la_name"] = ""
    body.loc[body["csp_name"] == "", "row_kind"] = "force"
    long = body.melt(
        id_vars=[*CSP_KEYS.values(), "row_kind"],
        value_vars=offences,
        var_name="offence",
        value_name="text",
    )
    cleaned = long["text"].str.replace(",", "", regex=False).str.strip()
    number = pd.to_numeric(cleaned.where(~cleaned.isin(["[x]", ""])), errors="coerce")
    bad = number.isna() & ~cleaned.isin(["[x]", ""])
    if bad.any():
        first = long[bad].iloc[0]
        raise DataError(
            f"column '{first['offence']}': {first['csp_name'] or first['pfa_name']} has "
            f"{first['text']!r}, not a count",
            path=path,
            fix="restore the value from the ONS workbook (counts, '[x]' where unavailable)",
        )
    long = validate(
        long.drop(columns="text").assign(count=number.astype(float)), CSP_SCHEMA, path=path
    )
    _check_totals(long, path)
    rows = long.drop(columns="la_name").reset_index(drop=True)
    return CspTable(rows, f"Year ending {period.group(1)}", notes)


def _force_codes(body: pd.DataFrame) -> list[str]:
    """File every row under its force's code, as the force's total row gives it."""
    totals = body[body["csp_name"] == ""]
    code_of = dict(zip(totals["pfa_name"], totals["pfa_code"], strict=True))
    wrong = body["pfa_name"].map(code_of).fillna(body["pfa_code"]) != body["pfa_code"]
    notes = [
        f"The '{r.csp_name}' line is published under code {r.pfa_code}; it is filed under "
        f"{r.pfa_name} ({code_of[r.pfa_name]}), whose name it carries"
        for r in body[wrong].itertuples()
    ]
    body.loc[wrong, "pfa_code"] = body.loc[wrong, "pfa_name"].map(code_of)
    return notes


def _check_totals(long: pd.DataFrame, path: Path) -> None:
    parts = long[long["row_kind"] != "force"].groupby(["pfa_code", "offence"])["count"].sum()
    total = long[long["row_kind"] == "force"].set_index(["pfa_code", "offence"])["count"]
    joined = pd.concat([parts.rename("parts"), total.rename("total")], axis=1).dropna()
    off = joined[(joined["parts"] - joined["total"]).abs() > 0]
    if len(off):
        (force, offence), row = next(iter(off.iterrows()))
        raise DataError(
            f"column '{offence}': the CSP and unassigned rows of force {force} add up to "
            f"{row['parts']:,.0f}, not its total {row['total']:,.0f}",
            path=path,
            fix="restore the published table; every force's rows add up to its total",
        )


def _words(text: str) -> str:
    """A header cell on one line (the published cells contain line breaks)."""
    return " ".join(str(text).split())
