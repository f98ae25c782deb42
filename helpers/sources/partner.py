"""Partner data drop-in: local counts from partners (police domestic-abuse flags, treatment
services, schools, MARAC) turned into comparable indicators.

Files go in data/partner/ (CSV or XLSX, laid out as data/partner/template.csv); partner_files
reads them. The build checks every row, and if any is wrong it stops with ONE message that
counts the problems and lists the first of them, loading nothing. Values are computed with
helpers.stats: a crude rate, a proportion, or a directly standardised rate when age bands are
given. Disclosure control is applied wherever the values are shown.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers import stats
from helpers.core.errors import DataError
from helpers.sources.partner_files import OPTIONAL, REQUIRED, partner_files, read_file

KEY = ["indicator_id", "area_code", "period", "sex", "age_band"]
SEXES = ("Persons", "Male", "Female")
SHOWN_PROBLEMS = 20  # listed in the message; the rest are counted
SHOWN_LINES = 5  # lines named in one problem about many rows


def read_partner_data(
    folder: Path,
    *,
    indicators: list[dict],
    areas: pd.DataFrame,
    population: pd.DataFrame,
    today: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """All partner files as tidy indicator values; any problem row anywhere fails them all."""
    files = partner_files(folder)
    if not files:
        return pd.DataFrame()
    declared = {e["id"]: e for e in indicators if e["source"]["kind"] == "partner"}
    frames, problems = [], []
    for path in files:
        frame, file_problems = read_file(path)
        problems += [((path.name,), p) for p in file_problems]
        if frame is not None:
            frames.append(frame)
    columns = [*REQUIRED, *OPTIONAL, "file", "line"]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    problems += _check(rows, declared, set(areas["area_code"]), today or pd.Timestamp.now())
    if problems:
        raise DataError(
            _summary(problems),
            path=folder,
            fix="correct the problems listed (see data/partner/README.md), then run the build "
            "again; the store was not changed",
        )
    return _values(rows, declared, areas, population)


def _summary(problems: list[tuple[tuple[str, ...], str]]) -> str:
    """'N problems in K files; nothing was loaded', then the first SHOWN_PROBLEMS of them."""
    files = sorted({f for names, _ in problems for f in names})
    n = len(problems)
    head = (
        f"{n:,} problem{'s' if n > 1 else ''} in {len(files)} file"
        f"{'s' if len(files) > 1 else ''} ({_listed(files, SHOWN_LINES)}); nothing was loaded"
    )
    listing = "\n".join(f"  - {text}" for _, text in problems[:SHOWN_PROBLEMS])
    if n <= SHOWN_PROBLEMS:
        return f"{head}:\n{listing}"
    return f"{head}. The first {SHOWN_PROBLEMS}:\n{listing}\n  ... and {n - SHOWN_PROBLEMS:,} more"


def _listed(items: list[str], limit: int) -> str:
    more = len(items) - limit
    return ", ".join(items[:limit]) + (f" and {more:,} more" if more > 0 else "")


def _check(
    rows: pd.DataFrame, declared: dict, area_codes: set, today: pd.Timestamp
) -> list[tuple[tuple[str, ...], str]]:
    """((file, ...), problem) for every wrong row, in file and line order, after the problems of
    whole indicators. Vectorised: 10,000 rows, all wrong, are checked in a fraction of a second."""
    rows["sex"] = rows["sex"].replace("", "Persons")
    counts = pd.to_numeric(rows["count"], errors="coerce")
    uses_population = rows["denominator"].str.lower() == "population"
    numeric = ~uses_population
    denominators = pd.to_numeric(rows["denominator"].where(numeric), errors="coerce")
    value_type = rows["indicator_id"].map({k: e["value_type"] for k, e in declared.items()})
    year = pd.to_numeric(rows["period"].str[:4], errors="coerce")

    def quoted(column: str) -> pd.Series:
        return "'" + rows[column] + "'"

    checks = [
        (
            value_type.isna(),
            "indicator "
            + quoted("indicator_id")
            + " is not declared in data/compendium.yaml with source kind 'partner'",
        ),
        (~rows["area_code"].isin(area_codes), "unknown area code " + quoted("area_code")),
        (counts.isna(), "count " + quoted("count") + " is not a number"),
        (counts < 0, "negative count " + rows["count"]),
        (
            numeric & denominators.isna(),
            "denominator " + quoted("denominator") + " is neither a number nor 'population'",
        ),
        (numeric & (denominators <= 0), "denominator " + rows["denominator"] + " must be above 0"),
        (
            numeric & (denominators > 0) & (value_type == "proportion") & (counts > denominators),
            "count "
            + rows["count"]
            + " is more than the denominator "
            + rows["denominator"]
            + " of a proportion",
        ),
        (
            ~rows["sex"].isin(SEXES),
            "sex " + quoted("sex") + f" is not one of {', '.join(SEXES)} (or blank)",
        ),
        (
            ~rows["age_band"].isin(["", *ESP2013]),
            "age_band "
            + quoted("age_band")
            + " is not blank or a 5-year ESP2013 band (0-4 .. 90+)",
        ),
        (year.isna(), "period " + quoted("period") + " does not start with a year"),
        (year > today.year, "period " + quoted("period") + " is in the future"),
        (
            rows.duplicated(KEY, keep=False),
            "duplicate row for "
            + rows["indicator_id"]
            + ", "
            + rows["area_code"]
            + ", "
            + rows["period"],
        ),
    ]
    where = rows["file"] + " line " + rows["line"].astype(str) + ": "
    found = pd.concat(
        [
            pd.DataFrame({"row": np.flatnonzero(mask), "check": k, "text": (where + text)[mask]})
            for k, (mask, text) in enumerate(checks)
        ],
        ignore_index=True,
    ).sort_values(["row", "check"], kind="stable")
    files = rows["file"].iloc[found["row"]].map(lambda f: (f,))
    problems = list(zip(files, found["text"], strict=True))

    # one indicator, one kind of denominator: all numbers or all 'population'
    whole = []
    for ident, group in rows.groupby("indicator_id"):
        if uses_population[group.index].nunique() > 1:
            lines = [f"{f} line {n}" for f, n in zip(group["file"], group["line"], strict=True)]
            whole.append(
                (
                    tuple(dict.fromkeys(group["file"])),
                    f"indicator '{ident}' mixes units: some rows give a denominator, "
                    f"others 'population' ({_listed(lines, SHOWN_LINES)})",
                )
            )
        # one kind of period: a year beside its quarters or months would let a hidden
        # quarter be worked out as the year minus the others (and a trend mix the two)
        shapes = group["period"].str.replace(r"\d", "9", regex=True)
        if shapes.nunique() > 1:
            kinds = ", ".join(
                f"'{p}'" for p in group["period"].groupby(shapes).first().sort_values()
            )
            whole.append(
                (
                    tuple(dict.fromkeys(group["file"])),
                    f"indicator '{ident}' mixes kinds of period ({kinds}): give one kind, e.g. "
                    "calendar years only, in separate indicators if you need both",
                )
            )
    return whole + problems


def _values(
    rows: pd.DataFrame, declared: dict, areas: pd.DataFrame, population: pd.DataFrame
) -> pd.DataFrame:
    rows = rows.assign(count=pd.to_numeric(rows["count"]))
    pop_of = pd.Series(dtype=float)
    if len(population):
        totals = population[(population["age"] == "all") & (population["sex"] == "Persons")]
        # one figure per area and year: the revised series where it exists (sorted last)
        latest = totals.sort_values("release").drop_duplicates(["area_code", "year"], keep="last")
        pop_of = latest.set_index(["area_code", "year"])["population"]
    names = dict(zip(areas["area_code"], areas["area_name"], strict=True))
    out = []
    for (ident, area, period, sex), group in rows.groupby(
        ["indicator_id", "area_code", "period", "sex"], sort=False
    ):
        entry = declared[ident]
        multiplier = float(
            entry.get("multiplier", 100 if entry["value_type"] == "proportion" else 100_000)
        )
        use_pop = (group["denominator"].str.lower() == "population").all()
        if use_pop:
            year = int(str(period)[:4])
            years = [y for (a, y) in pop_of.index if a == area and y <= year]
            if not years:
                raise DataError(
                    f"no population for {area} in or before {year}",
                    fix="give a denominator instead of 'population'",
                    path=group["file"].iloc[0],
                )
            denominator = float(pop_of[(area, max(years))])
        else:
            denominator = pd.to_numeric(group["denominator"]).sum()
        count = float(group["count"].sum())
        row = {
            "indicator_id": ident,
            "indicator_name": entry["name"],
            "area_code": area,
            "area_name": names.get(area, area),
            "period": str(period),
            "sex": sex,
            "age": "All ages",
            "count": count,
            "denominator": denominator,
            "source": "; ".join(dict.fromkeys(s for s in group["source"] if s)) or "Partner data",
            "value_note": "; ".join(dict.fromkeys(n for n in group["notes"] if n)) or np.nan,
        }
        has_bands = group["age_band"].str.strip().ne("").all() and len(group) > 1
        if has_bands and entry["value_type"] == "directly standardised rate":
            weights = _esp_weights(group["age_band"])
            result = stats.dsr(
                group["count"], pd.to_numeric(group["denominator"]), weights, multiplier=multiplier
            )
            row |= {
                "value": result["value"],
                "lower_95": result["lower"],
                "upper_95": result["upper"],
            }
            result = stats.dsr(
                group["count"],
                pd.to_numeric(group["denominator"]),
                weights,
                multiplier=multiplier,
                confidence=0.998,
            )
            row |= {"lower_998": result["lower"], "upper_998": result["upper"]}
        else:
            method = stats.proportion if entry["value_type"] == "proportion" else stats.rate
            for level, suffix in ((0.95, "95"), (0.998, "998")):
                result = method(
                    [count], [denominator], multiplier=multiplier, confidence=level
                ).iloc[0]
                row |= {
                    "value": result["value"],
                    f"lower_{suffix}": result["lower"],
                    f"upper_{suffix}": result["upper"],
                }
        out.append(row)
    return pd.DataFrame(out)


ESP2013 = {
    "0-4": 5000,
    "5-9": 5500,
    "10-14": 5500,
    "15-19": 5500,
    "20-24": 6000,
    "25-29": 6000,
    "30-34": 6500,
    "35-39": 7000,
    "40-44": 7000,
    "45-49": 7000,
    "50-54": 7000,
    "55-59": 6500,
    "60-64": 6000,
    "65-69": 5500,
    "70-74": 5000,
    "75-79": 4000,
    "80-84": 2500,
    "85-89": 1500,
    "90+": 1000,
}


def _esp_weights(bands: pd.Series) -> list[float]:
    """European Standard Population 2013 weights for the given 5-year age bands."""
    unknown = sorted(set(bands) - set(ESP2013))
    if unknown:
        raise DataError(
            f"age band(s) {', '.join(unknown)} are not ESP2013 bands",
            fix=f"use the bands {', '.join(ESP2013)}",
        )
    return [ESP2013[b] for b in bands]
