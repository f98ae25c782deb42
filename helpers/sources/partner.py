"""Partner data drop-in: local counts from partners (police domestic-abuse flags, treatment
services, schools, MARAC) turned into comparable indicators.

Files go in data/partner/ (CSV or XLSX, laid out as data/partner/template.csv). The build checks
every row, and if any is wrong it stops with ONE message that lists them all, loading nothing.
Values are computed with helpers.stats: a crude rate, a proportion, or a directly standardised
rate when age bands are given. Disclosure control is applied wherever the values are shown.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers import stats
from helpers.core.errors import DataError

REQUIRED = ["indicator_id", "area_code", "period", "count", "denominator"]
OPTIONAL = ["age_band", "sex", "source", "notes"]
TEMPLATE_NAMES = {"template.csv", "template.xlsx"}
KEY = ["indicator_id", "area_code", "period", "sex", "age_band"]


def partner_files(folder: Path) -> list[Path]:
    if not folder.exists():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in (".csv", ".xlsx")
        and p.name not in TEMPLATE_NAMES
        and not p.name.startswith((".", "~"))
    )


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
        frame, file_problems = _read(path)
        problems += file_problems
        if frame is not None:
            frames.append(frame)
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=REQUIRED)
    problems += _check(rows, declared, set(areas["area_code"]), today or pd.Timestamp.now())
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise DataError(
            f"{len(problems)} problem(s) in the partner data; nothing was loaded:\n{listing}",
            path=folder,
            fix="correct the rows listed (see data/partner/README.md), then run the build again",
        )
    return _values(rows, declared, areas, population)


def _read(path: Path) -> tuple[pd.DataFrame | None, list[str]]:
    try:
        if path.suffix == ".xlsx":
            frame = pd.read_excel(path, dtype=str)
        else:
            frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except Exception as exc:  # any unreadable file is one problem, named
        return None, [f"{path.name}: could not be read ({exc})"]
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame]
    if missing:
        return None, [f"{path.name}: missing column(s) {', '.join(missing)}"]
    for column in OPTIONAL:
        if column not in frame:
            frame[column] = ""
    frame = frame.fillna("")
    frame["file"] = path.name
    frame["line"] = np.arange(len(frame)) + 2  # the header is line 1
    return frame[[*REQUIRED, *OPTIONAL, "file", "line"]], []


def _check(rows: pd.DataFrame, declared: dict, area_codes: set, today: pd.Timestamp) -> list[str]:
    problems = []
    rows["sex"] = rows["sex"].replace("", "Persons")
    counts = pd.to_numeric(rows["count"], errors="coerce")
    uses_population = rows["denominator"].str.strip().str.lower() == "population"
    denominators = pd.to_numeric(rows["denominator"].where(~uses_population), errors="coerce")
    duplicated = rows.duplicated(KEY, keep=False)
    for i, row in rows.iterrows():
        where = f"{row['file']} line {row['line']}"
        entry = declared.get(row["indicator_id"])
        if entry is None:
            problems.append(
                f"{where}: indicator '{row['indicator_id']}' is not declared in "
                "data/compendium.yaml with source kind 'partner'"
            )
        if row["area_code"] not in area_codes:
            problems.append(f"{where}: unknown area code '{row['area_code']}'")
        if pd.isna(counts[i]):
            problems.append(f"{where}: count '{row['count']}' is not a number")
        elif counts[i] < 0:
            problems.append(f"{where}: negative count {row['count']}")
        if not uses_population[i] and pd.isna(denominators[i]):
            problems.append(
                f"{where}: denominator '{row['denominator']}' is neither a number nor 'population'"
            )
        elif not uses_population[i] and denominators[i] <= 0:
            problems.append(f"{where}: denominator {row['denominator']} must be above 0")
        elif (
            entry is not None
            and entry["value_type"] == "proportion"
            and not uses_population[i]
            and counts[i] > denominators[i]
        ):
            problems.append(
                f"{where}: count {row['count']} is more than the denominator "
                f"{row['denominator']} of a proportion"
            )
        year = pd.to_numeric(str(row["period"])[:4], errors="coerce")
        if pd.isna(year):
            problems.append(f"{where}: period '{row['period']}' does not start with a year")
        elif year > today.year:
            problems.append(f"{where}: period '{row['period']}' is in the future")
        if duplicated[i]:
            problems.append(
                f"{where}: duplicate row for {row['indicator_id']}, "
                f"{row['area_code']}, {row['period']}"
            )
    # one indicator, one kind of denominator: all numbers or all 'population'
    for ident, group in rows.groupby("indicator_id"):
        kinds = uses_population[group.index].unique()
        if len(kinds) > 1:
            lines = ", ".join(
                f"{f} line {n}" for f, n in zip(group["file"], group["line"], strict=True)
            )
            problems.append(
                f"indicator '{ident}' mixes units: some rows give a denominator, "
                f"others 'population' ({lines})"
            )
    return problems


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
