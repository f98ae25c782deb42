"""The disclosure audit after every `needs run`: everything under outputs/ is read back as a
reader would get it, and the run fails loudly if a small number can be seen or worked out.

What it reads:
* every report's ``<report>.figures.csv``: the cells the page publishes (helpers.report.ledger),
  police.uk, partner and fetched data alike;
* every HTML page (reports, index, compendium): the count columns of its tables, its alt texts
  and its text, for a count of 1 to 4 next to what it counts;
* every CSV and XLSX export, for a count column holding 1 to 4.

What it re-derives, for every hidden cell, from the published figures only:
* the total minus the other parts of each group (county and districts, force area and its
  authorities, a year and its months, an area and its deprivation deciles), over the union of
  all reports of the batch, so a cell hidden in one report and shown in another is caught too;
* a shown rate (or crimes per neighbourhood) times its public denominator.

The result goes into outputs/run.json under "audit".
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.build import protection, store
from helpers.report import ledger
from helpers.stats import disclosure
from helpers.stats.secondary import exposures

KEY = ["kind", "indicator_id", "crime_type", "sex", "age", "area_code", "period", "breakdown"]
COUNT_WORDS = re.compile(
    r"\b(count|number|crimes|offences|incidents|cases|admissions|deaths)\b", re.I
)
SMALL_IN_TEXT = re.compile(
    r"(?<![\d.,])([1-4])\s+(?:[A-Za-z'-]+\s+){0,3}?"
    r"(crimes?|offences?|incidents?|cases?|admissions?|deaths?|people|persons|victims?)\b"
)
MAX_LISTED = 50


def _finding(kind: str, where: str, what: str) -> dict:
    return {"check": kind, "where": where, "what": what}


def _label(row: pd.Series) -> str:
    parts = [row.get(c) for c in ("indicator_id", "crime_type", "area_code", "period", "breakdown")]
    return " ".join(str(p) for p in parts if isinstance(p, str) and p)


def _published(out: Path, pattern: str) -> list[Path]:
    """Files under `out` a reader can open: not dot-files (a killed write's leftovers, which
    `needs run` removes first) nor anything in a dot-folder."""
    return sorted(
        p
        for p in out.rglob(pattern)
        if not any(part.startswith(".") for part in p.relative_to(out).parts)
    )


def read_ledgers(out: Path) -> pd.DataFrame:
    frames = []
    for path in _published(out, "*.figures.csv"):
        frame = pd.read_csv(
            path,
            dtype={c: str for c in KEY},
            keep_default_na=False,
            na_values={"count": [""], "value": [""], "denominator": [""]},
        )
        frame["file"] = str(path.relative_to(out))
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=[*ledger.COLUMNS, "file"])
    cells = pd.concat(frames, ignore_index=True)
    cells["hidden"] = cells["hidden"].astype(str).str.lower().eq("true")
    for col in ("count", "value", "denominator"):
        cells[col] = pd.to_numeric(cells[col], errors="coerce")
    return cells


def check_cells(
    cells: pd.DataFrame,
    areas: pd.DataFrame,
    crime_types: dict,
    multipliers: dict,
    shared: pd.DataFrame | None = None,
) -> list[dict]:
    """Findings in the published cells (pure: frames in, findings out)."""
    found = []
    small = cells[~cells["hidden"] & np.asarray(disclosure.is_small(cells["count"]), bool)]
    found += [
        _finding("small count shown", r.file, f"{_label(r)}: {r['count']:g}")
        for _, r in small.iterrows()
    ]
    leak = cells[cells["hidden"] & (cells["count"].notna() | cells["value"].notna())]
    found += [_finding("hidden cell shows a figure", r.file, _label(r)) for _, r in leak.iterrows()]

    # a rate (or a per-neighbourhood figure) with its denominator gives the count back
    multiplier = np.where(
        cells["kind"] == "indicator",
        pd.to_numeric(cells["indicator_id"].map(multipliers), errors="coerce"),
        1.0,
    )
    derived = cells["value"] * cells["denominator"] / multiplier
    rebuilt = cells[cells["count"].isna() & np.asarray(disclosure.is_small(derived.round(6)), bool)]
    found += [
        _finding("count recoverable from rate x denominator", r.file, f"{_label(r)}: {d:g}")
        for (_, r), d in zip(rebuilt.iterrows(), derived[rebuilt.index], strict=True)
    ]

    # one published state per cell across the batch: hidden anywhere means hidden
    state = (
        cells.groupby(KEY, sort=False)
        .agg(
            hidden=("hidden", "any"),
            shown=("hidden", lambda s: (~s).any()),
            count=("count", "max"),
            file=("file", "first"),
        )
        .reset_index()
    )
    mixed = state[state["hidden"] & state["shown"]]
    found += [
        _finding("hidden in one report, shown in another", r.file, _label(r))
        for _, r in mixed.iterrows()
    ]
    state.loc[state["hidden"], "count"] = np.nan
    groups = protection.groups(state[protection.CELL_COLUMNS], areas, crime_types, shared)
    for exposure in exposures(state["count"], state["hidden"], groups):
        cells_named = ", ".join(_label(state.iloc[i]) for i in exposure.hidden)
        found.append(
            _finding(
                "recoverable by subtraction",
                exposure.group.name,
                f"{cells_named} = {exposure.derived:g}",
            )
        )
    return found


class _Page(HTMLParser):
    """The tables (header and rows of cell text), alt texts and text of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.alts, self.text = [], [], []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "img":
            self.alts += [v for k, v in attrs if k == "alt" and v]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        self.text.append(data)


def check_page(text: str, where: str) -> list[dict]:
    page = _Page()
    page.feed(text)
    found = []
    for table in page.tables:
        if not table:
            continue
        header, rows = table[0], table[1:]
        for i, name in enumerate(header):
            if not COUNT_WORDS.search(name):
                continue
            column = [r[i] for r in rows if i < len(r)]
            try:
                disclosure.check_no_small_text(column, name)
            except disclosure.DisclosureError as exc:
                found.append(_finding("small count in a table", where, str(exc)))
    for source, texts in (("alt text", page.alts), ("text", ["".join(page.text)])):
        for chunk in texts:
            for match in SMALL_IN_TEXT.finditer(chunk):
                found.append(_finding(f"small count in {source}", where, match.group(0)))
    return found


def check_export(path: Path, where: str) -> list[dict]:
    frame = pd.read_excel(path) if path.suffix == ".xlsx" else pd.read_csv(path)
    found = []
    for column in frame.columns:
        if str(column).lower() in ("count", "counts") or COUNT_WORDS.fullmatch(str(column)):
            try:
                disclosure.check_no_small_text(frame[column].astype(str), str(column))
            except disclosure.DisclosureError as exc:
                found.append(_finding("small count in an export", where, str(exc)))
    return found


def audit(out: Path) -> dict:
    """Audit everything under `out`; returns the result written to run.json."""
    info = store.build_info()
    crime_types = (info.get("disclosure") or {}).get("police_crime_types", {})
    compendium = store.load("compendium")
    multipliers = dict(zip(compendium["id"], compendium["multiplier"], strict=True))
    cells = read_ledgers(out)
    findings = check_cells(
        cells, store.national_areas(), crime_types, multipliers, store.load("shared_csps")
    )
    pages = _published(out, "*.html")
    for path in pages:
        findings += check_page(path.read_text(encoding="utf-8"), str(path.relative_to(out)))
    exports = sorted([*_published(out, "*.csv"), *_published(out, "*.xlsx")])
    exports = [p for p in exports if not p.name.endswith(".figures.csv")]
    for path in exports:
        findings += check_export(path, str(path.relative_to(out)))
    return {
        "passed": not findings,
        "checked": {
            "published_cells": len(cells),
            "hidden_cells": int(cells["hidden"].sum()),
            "pages": len(pages),
            "exports": len(exports),
        },
        "findings": len(findings),
        "first_findings": findings[:MAX_LISTED],
    }
