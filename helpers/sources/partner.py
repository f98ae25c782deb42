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
GROUP = ["indicator_id", "area_code", "period", "sex"]  # one value each
LEVELS = ((0.95, "95"), (0.998, "998"))


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
    """One value per indicator, area, period and sex, its rows' counts summed: a DSR when the
    rows are a DSR indicator's age bands, else a rate or a proportion. The groups of a method
    are computed together: one helpers.stats call per method and confidence level."""
    if rows.empty:
        return pd.DataFrame()
    rows = rows.assign(count=pd.to_numeric(rows["count"])).reset_index(drop=True)
    code = rows.groupby(GROUP, sort=False).ngroup().to_numpy()  # groups numbered as first seen
    keys = rows.iloc[np.unique(code, return_index=True)[1]].reset_index(drop=True)
    entries = [declared[ident] for ident in keys["indicator_id"]]
    kind = np.array([e["value_type"] for e in entries], dtype=object)
    default = np.where(kind == "proportion", 100.0, 100_000.0)
    multiplier = np.array(
        [float(e.get("multiplier", d)) for e, d in zip(entries, default, strict=True)]
    )
    use_pop = _all(rows["denominator"].str.lower() == "population", code)
    banded = _all(rows["age_band"].str.strip().ne(""), code) & (np.bincount(code) > 1)
    is_dsr = banded & (kind == "directly standardised rate")
    count = rows["count"].groupby(code).sum().to_numpy(dtype=float)
    denominator = _denominators(rows, code, keys, use_pop, population)

    columns = {"value": np.full(len(keys), np.nan)}
    for _, suffix in LEVELS:
        columns |= {f"{s}_{suffix}": np.full(len(keys), np.nan) for s in ("lower", "upper")}
    bands = rows[is_dsr[code]]
    methods = {
        "proportion": ~is_dsr & (kind == "proportion"),
        "rate": ~is_dsr & (kind != "proportion"),
        "dsr": is_dsr,
    }
    for name, chosen in methods.items():
        if not chosen.any():
            continue
        for level, suffix in LEVELS:
            # computed per 1 and scaled by each group's multiplier: (x * 1.0) * m is x * m exactly
            if name == "dsr":
                result = stats.dsr(
                    bands["count"],
                    pd.to_numeric(bands["denominator"]),
                    _esp_weights(bands["age_band"]),
                    multiplier=1,
                    confidence=level,
                    groups=pd.Series(code[is_dsr[code]], name="group"),
                )
            else:
                method = stats.proportion if name == "proportion" else stats.rate
                result = method(count[chosen], denominator[chosen], multiplier=1, confidence=level)
            targets = {"value": "value", "lower": f"lower_{suffix}", "upper": f"upper_{suffix}"}
            for column, target in targets.items():
                columns[target][chosen] = result[column].to_numpy(dtype=float) * multiplier[chosen]
    names = dict(zip(areas["area_code"], areas["area_name"], strict=True))
    return pd.DataFrame(
        {
            "indicator_id": keys["indicator_id"].tolist(),
            "indicator_name": [e["name"] for e in entries],
            "area_code": keys["area_code"].tolist(),
            "area_name": [names.get(a, a) for a in keys["area_code"]],
            "period": keys["period"].astype(str).tolist(),
            "sex": keys["sex"].tolist(),
            "age": "All ages",
            "count": count,
            "denominator": denominator,
            "source": _joined(rows, code, "source", len(keys), "Partner data"),
            "value_note": _joined(rows, code, "notes", len(keys), np.nan),
            **columns,
        }
    )


def _all(flags: pd.Series, code: np.ndarray) -> np.ndarray:
    """Whether every row of each group is flagged."""
    return np.bincount(code, weights=~flags.to_numpy(dtype=bool)) == 0


def _denominators(
    rows: pd.DataFrame,
    code: np.ndarray,
    keys: pd.DataFrame,
    use_pop: np.ndarray,
    population: pd.DataFrame,
) -> np.ndarray:
    """Each group's denominator: its rows' denominators summed or, for 'population', the area's
    population in the period's year or the latest year before it."""
    numeric = ~use_pop[code]
    sums = pd.to_numeric(rows["denominator"][numeric]).groupby(code[numeric]).sum().to_numpy()
    if not use_pop.any():
        return sums
    denominator = np.full(len(keys), np.nan)
    denominator[~use_pop] = sums
    wanted = keys[use_pop].reset_index(drop=True)
    year = wanted["period"].str[:4].astype(int).to_numpy()
    found, matched = _population_at(population, wanted["area_code"].to_numpy(), year)
    missing = np.flatnonzero(~matched)
    if missing.size:
        first = wanted.iloc[missing[0]]
        raise DataError(
            f"no population for {first['area_code']} in or before {year[missing[0]]}",
            fix="give a denominator instead of 'population'",
            path=first["file"],
        )
    denominator[use_pop] = found
    return denominator


def _population_at(
    population: pd.DataFrame, area: np.ndarray, year: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each area's all-ages persons population in that year or the latest year before it (the
    revised series where a year has two releases, sorted last), and whether there is one."""
    if not len(population):
        return np.full(len(area), np.nan), np.zeros(len(area), dtype=bool)
    totals = population[(population["age"] == "all") & (population["sex"] == "Persons")]
    latest = totals.sort_values("release").drop_duplicates(["area_code", "year"], keep="last")
    table = pd.DataFrame(
        {
            "area_code": latest["area_code"].astype(str).to_numpy(),
            "year": latest["year"].astype("int64").to_numpy(),
            "population": latest["population"].to_numpy(dtype=float),
            "found": True,
        }
    ).sort_values("year", kind="stable")
    wanted = pd.DataFrame(
        {"area_code": area.astype(str), "year": year.astype("int64"), "at": np.arange(len(area))}
    ).sort_values("year", kind="stable")
    matched = pd.merge_asof(wanted, table, on="year", by="area_code", direction="backward")
    matched = matched.sort_values("at")
    return matched["population"].to_numpy(dtype=float), matched["found"].eq(True).to_numpy()


def _joined(
    rows: pd.DataFrame, code: np.ndarray, column: str, groups: int, blank: object
) -> list[object]:
    """Each group's distinct non-blank texts of ``column``, in row order, joined by '; ', or
    ``blank`` where it has none."""
    present = rows[column].ne("").to_numpy()
    distinct = pd.DataFrame(
        {"group": code[present], "text": rows[column].to_numpy(dtype=object)[present]}
    ).drop_duplicates()
    joined = distinct.groupby("group")["text"].agg("; ".join).to_dict()
    return [joined.get(group, blank) for group in range(groups)]


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
