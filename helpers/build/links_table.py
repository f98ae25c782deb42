"""Links between crime and health across England, for the pairs of params/links.yaml: each
English district's and unitary authority's two values side by side with its IMD 2025 average
score (`link_points`), and each pair's association with and without allowing for deprivation
(`link_figures`, from helpers.stats.association).

Areas are the current lower- and single-tier local authorities. An area is used only where
both values and its IMD score are published and not hidden by disclosure control (the others
keep their row, with NaN, so a report can say which figure an area lacks); a value under
another vintage's code (a district merged since) has no current area and drops out, and the
count of areas used is kept with the figures."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core import config
from helpers.core.errors import ParamsError
from helpers.stats import association

DEPRIVATION = "deprivation"  # a pair's x may be the IMD 2025 average score itself
DEPRIVATION_NAME = "IMD 2025 average score"
_ID = re.compile(r"^[a-z0-9_]{1,40}$")
POINT_COLUMNS = ["pair_id", "area_code", "area_name", "county_code", "x", "y", "deprivation"]
FIGURE_COLUMNS = [
    "pair_id",
    "n",
    "r",
    "lower",
    "upper",
    "partial_r",
    "partial_lower",
    "partial_upper",
    "slope",
    "intercept",
    "question",
    "x_indicator",
    "x_period",
    "x_more",
    "y_indicator",
    "y_period",
    "y_more",
    "y_less",
]
QUESTION_COLUMNS = ["question", "why", "would_answer"]


def read_pairs(params: Path, indicators: dict[str, dict]) -> tuple[list[dict], list[dict]]:
    """The pairs and the questions open data cannot answer, from params/links.yaml (none when
    the file is absent), each checked against the compendium."""
    path = params / "links.yaml"
    if not path.exists():
        return [], []
    data = config.load_params("links", params)
    pairs = config.require(data, "pairs", path, list)
    seen: set[str] = set()
    checked = []
    for number, pair in enumerate(pairs, 1):
        where = f"pair {number}"
        if not isinstance(pair, dict):
            raise ParamsError(f"{where} should be a mapping", path=path, fix="see the comments")
        ident = str(config.require(pair, "id", path, str))
        if not _ID.match(ident) or ident in seen:
            raise ParamsError(
                f"{where}: id {ident!r} is repeated or not lower-case letters, digits and _",
                path=path,
                fix="give each pair its own id such as alcohol_violence",
            )
        seen.add(ident)
        config.require(pair, "question", path, str)
        sides = {side: _side(pair, side, path, ident, indicators) for side in ("x", "y")}
        if sides["y"]["indicator"] == DEPRIVATION:
            raise ParamsError(
                f"pair {ident}: deprivation can only be x",
                path=path,
                fix="put `indicator: deprivation` under x",
            )
        checked.append({"id": ident, "question": pair["question"], **sides})
    unanswered = data.get("cannot_answer") or []
    for item in unanswered:
        for key in ("question", "why", "would_answer"):
            config.require(item, key, path, str)
    return checked, unanswered


def _side(pair: dict, side: str, path: Path, ident: str, indicators: dict) -> dict:
    spec = config.require(pair, side, path, dict)
    indicator = str(config.require(spec, "indicator", path, (str, int)))
    if indicator != DEPRIVATION and indicator not in indicators:
        raise ParamsError(
            f"pair {ident}: {side}.indicator {indicator!r} is not in the compendium",
            path=path,
            fix="use an indicator id from data/compendium.yaml, or `deprivation`",
        )
    keys = ["more"] + (["period"] if indicator != DEPRIVATION else []) + (["less"] * (side == "y"))
    out = {"indicator": indicator}
    for key in keys:
        out[key] = str(config.require(spec, key, path, (str, int)))
    return out


def check_periods(pairs: list[dict], values: pd.DataFrame, path: Path) -> None:
    """A pair's period must exist for its indicator: a typo would otherwise give an empty chart."""
    periods = values.groupby("indicator_id")["period"].unique()
    for pair in pairs:
        for side in ("x", "y"):
            spec = pair[side]
            if spec["indicator"] == DEPRIVATION:
                continue
            known = list(periods.get(spec["indicator"], []))
            if spec["period"] not in known:
                raise ParamsError(
                    f"pair {pair['id']}: {spec['indicator']} has no period {spec['period']!r}",
                    path=path,
                    fix=f"use one of: {', '.join(sorted(map(str, known))) or 'none (no values)'}",
                )


def link_points(
    values: pd.DataFrame, areas: pd.DataFrame, dep_district: pd.DataFrame, pairs: list[dict]
) -> pd.DataFrame:
    """pair_id, area_code, area_name, county_code, x, y, deprivation for every English local
    authority; a value that is missing or suppressed is NaN (association leaves the area out)."""
    local = areas[areas["tier"].isin(["lower", "single"]) & areas["area_code"].str.startswith("E")][
        ["area_code", "area_name", "county_code"]
    ]
    imd = dep_district.loc[dep_district["domain"] == "imd", ["lad_code", "average_score"]]
    local = local.merge(
        imd.rename(columns={"lad_code": "area_code", "average_score": "deprivation"}), how="left"
    )
    shown = values[~values["suppressed"].astype(bool) & values["value"].notna()]
    shown = shown[(shown["sex"] == "Persons") & shown["category_type"].isna()]
    parts = []
    for pair in pairs:
        frame = local.assign(pair_id=pair["id"])
        for side in ("x", "y"):
            spec = pair[side]
            if spec["indicator"] == DEPRIVATION:
                frame[side] = frame["deprivation"]
                continue
            rows = shown[
                (shown["indicator_id"] == spec["indicator"]) & (shown["period"] == spec["period"])
            ]
            frame = frame.merge(
                rows[["area_code", "value"]].rename(columns={"value": side}),
                how="left",
                on="area_code",
                validate="one_to_one",
            )
        parts.append(frame)  # incomplete areas stay, so a report can say what it lacks
    if not parts:
        return pd.DataFrame(columns=POINT_COLUMNS)
    return pd.concat(parts, ignore_index=True)[POINT_COLUMNS]


def link_figures(points: pd.DataFrame, pairs: list[dict]) -> pd.DataFrame:
    """Each pair's association; the deprivation-adjusted figures are NaN when x is deprivation
    itself (allowing for x would leave nothing)."""
    rows = []
    for pair in pairs:
        frame = points[points["pair_id"] == pair["id"]]
        adjust = pair["x"]["indicator"] != DEPRIVATION
        found = association(
            frame["x"].to_numpy(float),
            frame["y"].to_numpy(float),
            frame["deprivation"].to_numpy(float) if adjust else None,
        )
        words = {
            f"{side}_{key}": pair[side].get(key)
            for side in ("x", "y")
            for key in ("indicator", "period", "more", "less")
            if f"{side}_{key}" in FIGURE_COLUMNS
        }
        rows.append({"pair_id": pair["id"], **vars(found), "question": pair["question"], **words})
    out = pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    out["n"] = out["n"].astype(np.int64)
    return out


def unanswered_frame(unanswered: list[dict]) -> pd.DataFrame:
    """The partners' questions open data cannot answer, with the data that would."""
    return pd.DataFrame(
        [{k: item[k] for k in QUESTION_COLUMNS} for item in unanswered], columns=QUESTION_COLUMNS
    )
