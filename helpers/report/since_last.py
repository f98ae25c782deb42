"""What changed since the last edition, as pure functions: the small record of an edition's
indicator values, how editions roll over from run to run, and the comparison of the last
edition with the current one for a report's area.

An edition is one content of the store: its indicator values after disclosure control (so a
suppressed figure is recorded as suppressed, with no value, and no count at all) and its open
data gaps. Its id is a digest of that content, so a rebuild that changes nothing (new code, the
same data) is the same edition, and running twice on one snapshot never compares it with
itself. helpers.report.editions reads and writes the record; helpers.report.edition_display
and the index page show what compare() finds."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from helpers.core import periods
from helpers.report import content
from helpers.stats import disclosure

FORMAT = 1
"""The record's layout version; a record of another version is treated as no record."""

KEY = ["indicator_id", "area_code", "period", "sex", "age", "category_type", "category"]
SERIES = [c for c in KEY if c != "period"]
COLUMNS = [*KEY, "value", "england_outcome", "county_outcome", "suppressed"]
"""What an edition keeps of each row: its key, the value and the comparisons. No count, no
limits, and nothing at all of a suppressed row but its key and the flag."""

KINDS = {
    "category": "comparison changed",
    "new period": "new period",
    "new indicator": "new period",
    "gap filled": "gap filled",
    "declared gap filled": "gap filled",
    "withdrawn": "withdrawn",
    "gap opened": "withdrawn",
}
"""Each kind of change and the group that counts it."""
GROUPS = ("comparison changed", "new period", "gap filled", "withdrawn")
CHANGE_COLUMNS = [
    "kind",
    "indicator_id",
    "area_code",
    "series",
    "name",
    "column",
    "before",
    "after",
    "period_before",
    "period_after",
]


def edition_rows(values: pd.DataFrame, area_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """An edition's rows (COLUMNS) from store indicator values, optionally of some areas only:
    disclosure control first, then a suppressed row loses its value and its comparisons."""
    frame = values if area_codes is None else values[values["area_code"].isin(set(area_codes))]
    frame = disclosure.suppress(frame.reset_index(drop=True))
    out = pd.DataFrame(
        {c: frame[c].astype("object").where(frame[c].notna(), "").astype(str) for c in KEY}
    )
    hidden = frame["suppressed"].to_numpy(dtype=bool)
    out["value"] = pd.to_numeric(frame["value"], errors="coerce").mask(hidden).to_numpy()
    for col in ("england_outcome", "county_outcome"):
        column = frame[col].astype("object").where(frame[col].notna(), disclosure.NOT_COMPARED)
        out[col] = column.mask(hidden, disclosure.NOT_COMPARED).astype(str).to_numpy()
    out["suppressed"] = hidden
    return out.sort_values(KEY, kind="stable").reset_index(drop=True)


def edition_id(rows: pd.DataFrame, gap_ids: Iterable[str]) -> str:
    """A digest of an edition's content: its rows (as edition_rows gives them) and open gaps."""
    digest = hashlib.sha256(f"edition v{FORMAT}\n".encode())
    ordered = rows[COLUMNS].sort_values(KEY, kind="stable")
    digest.update(ordered.to_csv(index=False, float_format="%.10g").encode())
    digest.update("\n".join(sorted(map(str, gap_ids))).encode())
    return digest.hexdigest()[:16]


def to_record(rows: pd.DataFrame) -> dict:
    """Rows as JSON-ready columns and lists (a missing value as None)."""
    frame = rows[COLUMNS].astype("object").where(rows[COLUMNS].notna(), None)
    return {"columns": COLUMNS, "rows": frame.to_numpy().tolist()}


def from_record(edition: Mapping) -> pd.DataFrame:
    """An edition's rows back as a frame (COLUMNS)."""
    frame = pd.DataFrame(edition.get("rows") or [], columns=edition.get("columns") or COLUMNS)
    frame = frame.reindex(columns=COLUMNS)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    frame["suppressed"] = (
        frame["suppressed"].astype("object").where(frame["suppressed"].notna(), False)
    )
    frame["suppressed"] = frame["suppressed"].astype(bool)
    for col in KEY:
        frame[col] = frame[col].astype("object").where(frame[col].notna(), "").astype(str)
    return frame


def roll(record: Mapping | None, new: dict) -> dict:
    """The record after a run on edition `new`. The first run records it with no last edition;
    a run on the same edition keeps the last edition as it was (its rows are refreshed, for a
    changed choice of areas, and its first run date is kept); a run on another edition makes the
    recorded one the last edition."""
    current = (record or {}).get("current") if (record or {}).get("format") == FORMAT else None
    if current is None:
        return {"format": FORMAT, "current": new, "last": None}
    if current.get("id") == new["id"]:
        kept = dict(new, run_date=current.get("run_date", new.get("run_date")))
        return {"format": FORMAT, "current": kept, "last": record.get("last")}
    return {"format": FORMAT, "current": new, "last": current}


@dataclass(frozen=True)
class Changes:
    """What changed for one report: `first` when there is no earlier edition to compare with;
    else one row per change (CHANGE_COLUMNS), ordered by group."""

    first: bool
    rows: pd.DataFrame

    def counts(self) -> dict[str, int]:
        """Changes in each group (GROUPS)."""
        groups = self.rows["kind"].map(KINDS)
        return {g: int((groups == g).sum()) for g in GROUPS}

    def of(self, group: str) -> pd.DataFrame:
        return self.rows[self.rows["kind"].map(KINDS) == group].reset_index(drop=True)


def _change(kind: str, ident: str, code: str = "", series: str = "", **parts) -> dict:
    row = dict.fromkeys(CHANGE_COLUMNS, None)
    return row | {"kind": kind, "indicator_id": ident, "area_code": code, "series": series} | parts


def _shown(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows with a figure (a value, or a suppressed one): not gaps."""
    return rows[rows["value"].notna() | rows["suppressed"]]


def _latest(rows: pd.DataFrame) -> str | None:
    shown = _shown(rows)
    return periods.latest(shown["period"]) if len(shown) else None


def _series_label(key: tuple, many: bool) -> str:
    """'Females, 65+' for an indicator with more than one series; '' otherwise."""
    return ", ".join(p for p in key if p) if many else ""


def compare(
    last: pd.DataFrame | None,
    current: pd.DataFrame,
    codes: content.AreaCodes,
    *,
    last_gaps: list[Mapping] = (),
    current_gaps: list[Mapping] = (),
    indicators: set[str] | None = None,
    priority: str | None = None,
) -> Changes:
    """The changes between the last edition's rows and the current ones (both as edition_rows
    gives them) for the report area of `codes`, each indicator judged where the report judges
    it: the area's own figure, else the county's or force's where only they are published,
    against the report's benchmark (the county where the build compared the area with it, else
    England). `indicators` and `priority` narrow it to a report's priority (None: all);
    `last_gaps` and `current_gaps` are the declared open gaps (id, name, priority).
    `last` None, or a last edition without this area, is a first edition."""
    if last is None or not (last["area_code"] == codes["area"]).any():
        return Changes(True, pd.DataFrame(columns=CHANGE_COLUMNS, dtype=object))
    found: list[dict] = []
    before, now = last.groupby("indicator_id"), current.groupby("indicator_id")
    idents = sorted(set(before.groups) | set(now.groups))
    for ident in idents:
        if indicators is not None and ident not in indicators:
            continue
        old = before.get_group(ident) if ident in before.groups else last.iloc[0:0]
        new = now.get_group(ident) if ident in now.groups else current.iloc[0:0]
        present = set(new["area_code"]) | set(old["area_code"])
        code = content.figure_area(content.availability(present, codes), codes)
        if code is None:
            continue
        found += _indicator_changes(ident, code, old, new, codes, absent=ident not in before.groups)
    found += _gap_changes(last_gaps, current_gaps, priority)
    rows = pd.DataFrame(found, columns=CHANGE_COLUMNS, dtype=object)
    order = {kind: i for i, kind in enumerate(KINDS)}
    rows = rows.sort_values("kind", key=lambda k: k.map(order), kind="stable")
    return Changes(False, rows.reset_index(drop=True))


def _indicator_changes(
    ident: str,
    code: str,
    old: pd.DataFrame,
    new: pd.DataFrame,
    codes: content.AreaCodes,
    *,
    absent: bool,
) -> list[dict]:
    old, new = old[old["area_code"] == code], new[new["area_code"] == code]
    column, _bench = content.benchmark(new if len(new) else old, code, codes)
    keys = sorted(
        set(map(tuple, old[SERIES[2:]].to_numpy())) | set(map(tuple, new[SERIES[2:]].to_numpy()))
    )
    found = []
    for key in keys:
        label = _series_label(key, len(keys) > 1)
        mine_old = old[(old[SERIES[2:]] == list(key)).all(axis=1)]
        mine_new = new[(new[SERIES[2:]] == list(key)).all(axis=1)]
        was, now = _latest(mine_old), _latest(mine_new)
        here = {"series": label, "period_before": was, "period_after": now}
        if now is None:
            if was is not None:
                found.append(_change("withdrawn", ident, code, **here))
            continue
        if absent or mine_old.empty:
            found.append(_change("new indicator", ident, code, **here))
            continue
        if was is None:
            found.append(_change("gap filled", ident, code, **here))
            continue
        if now != was and periods.latest([was, now]) == now:
            found.append(_change("new period", ident, code, **here))
        found += _filled_periods(ident, code, label, mine_old, mine_new)
        at_old = mine_old.loc[mine_old["period"] == was, column]
        at_new = mine_new.loc[mine_new["period"] == now, column]
        judged = (at_old.iloc[0], at_new.iloc[0]) if len(at_old) and len(at_new) else None
        if judged and disclosure.NOT_COMPARED not in judged and judged[0] != judged[1]:
            found.append(
                _change(
                    "category",
                    ident,
                    code,
                    **here,
                    column=column,
                    before=judged[0],
                    after=judged[1],
                )
            )
    return found


def _filled_periods(
    ident: str, code: str, label: str, old: pd.DataFrame, new: pd.DataFrame
) -> list[dict]:
    """Periods that were gap rows (no value, not suppressed) and now have a value."""
    gaps = old[old["value"].isna() & ~old["suppressed"]]["period"]
    filled = new[new["period"].isin(set(gaps)) & new["value"].notna()]["period"]
    return [
        _change("gap filled", ident, code, label, period_before=p, period_after=p)
        for p in sorted(set(filled), key=periods.sort_key)
    ]


def _gap_changes(
    last_gaps: list[Mapping], current_gaps: list[Mapping], priority: str | None
) -> list[dict]:
    """Declared gaps of the priority closed (in the last edition, not now) or opened."""
    # by id, once each (a gap is declared once, but a record could be edited by hand)
    mine = {g["id"]: g for g in last_gaps if priority is None or g.get("priority") == priority}
    theirs = {g["id"]: g for g in current_gaps if priority is None or g.get("priority") == priority}
    was, now = set(mine), set(theirs)
    mine, theirs = list(mine.values()), list(theirs.values())
    found = [
        _change("declared gap filled", g["id"], name=g.get("name"))
        for g in mine
        if g["id"] not in now
    ]
    found += [
        _change("gap opened", g["id"], name=g.get("name")) for g in theirs if g["id"] not in was
    ]
    return found
