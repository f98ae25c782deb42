"""data/compendium.yaml: indicator metadata, the single source of truth for what the store holds.

`needs fetch fingertips` writes what it learns from the Fingertips API to a second file beside
the raw data, compendium.fetched.yaml, rather than rewriting the hand-written, commented one.
Loading merges the two: a fetched entry adds a new indicator, or refreshes the published
metadata (definition, caveats, polarity, unit, source file) of one already listed, keeping the
hand-written name, measure and priority."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from helpers import stats
from helpers.core import files, paths
from helpers.core.config import load_yaml
from helpers.core.errors import ParamsError

PRIORITIES = ("overview", "substance_misuse", "mental_health", "domestic_sexual_violence")
POLARITIES = ("low_is_good", "high_is_good", "no_judgement")
KINDS = (
    "police_uk",
    "fingertips",
    "health_index",
    "recorded_crime",
    "recorded_crime_csp",
    "partner",
)
REQUIRED = (
    "id",
    "name",
    "priority",
    "definition",
    "value_type",
    "unit",
    "polarity",
    "source",
    "caveats",
    "publisher",
    "dataset",
    "link",
    "frequency",
    "benchmark",
    "disclosure",
)


# The confidence-limit method of each kind of statistic, unless an entry names its own
# `ci_method` (one of helpers.stats.CI_METHODS): the PHE rule for crude rates, Wilson for
# proportions, Dobson for directly standardised rates. Other values get no computed limits.
CI_DEFAULTS = {"crude rate": "phe", "proportion": "wilson", "directly standardised rate": "dobson"}
CI_ALLOWED = {
    "crude rate": stats.RATE_CI_METHODS,
    "proportion": ("wilson",),
    "directly standardised rate": ("dobson",),
}
NO_LIMITS = "none computed (published values, or no counts)"

FETCHED_NAME = "compendium.fetched.yaml"
# What a fetch may refresh in an entry that is already in the hand-written compendium.
REFRESHED = (
    "definition",
    "value_type",
    "unit",
    "polarity",
    "caveats",
    "publisher",
    "dataset",
    "link",
    "data_source",
    "retrieved",
    "source",
)


def default_path() -> Path:
    return paths.DATA / "compendium.yaml"


def fetched_path(raw: Path | None = None) -> Path:
    """compendium.fetched.yaml, beside the raw-data folder (data/ for data/raw)."""
    return Path(raw or paths.raw_dir()).parent / FETCHED_NAME


def load(path: Path | None = None, fetched: Path | None = None) -> list[dict]:
    """The indicator entries, validated; merged with `fetched` when that file exists."""
    path = path or default_path()
    entries = _entries(path)
    if fetched is not None and fetched.exists():
        entries = _merge(entries, _entries(fetched), gaps=load_gaps(path))
        path = fetched
    return _validated(entries, path)


def _entries(path: Path) -> list[dict]:
    data = load_yaml(path)
    entries = data.get("indicators") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ParamsError(
            "expected a top-level 'indicators:' list",
            path=path,
            fix="see the comment at the top of data/compendium.yaml",
        )
    return entries


def _merge(entries: list[dict], fetched: list[dict], gaps: list[dict]) -> list[dict]:
    by_id = {str(e.get("id")): e for e in entries}
    for new in fetched:
        ident = str(new.get("id"))
        if ident in by_id:
            by_id[ident].update({k: new[k] for k in REFRESHED if k in new})
            continue
        # A fetched indicator that fills a declared gap takes over its 2017 baseline items,
        # so "then and now" shows today's figure beside the 2017 one.
        for gap in gaps:
            if ident in map(str, gap.get("filled_by", [])):
                new.setdefault("baseline_2017", gap.get("baseline_2017", []))
        entries.append(new)
    return entries


def _validated(entries: list[dict], path: Path) -> list[dict]:
    seen: set[str] = set()
    for i, entry in enumerate(entries, start=1):
        ident = str((entry or {}).get("id", f"entry {i}"))
        missing = [k for k in REQUIRED if k not in (entry or {})]
        if missing:
            raise ParamsError(
                f"indicator '{ident}' lacks {', '.join(missing)}",
                path=path,
                fix="every indicator needs " + ", ".join(REQUIRED),
            )
        entry["id"] = ident
        checks = (("priority", PRIORITIES), ("polarity", POLARITIES))
        for key, allowed in checks:
            if entry[key] not in allowed:
                raise ParamsError(
                    f"indicator '{ident}' has {key} {entry[key]!r}",
                    path=path,
                    fix=f"use one of {', '.join(allowed)}",
                )
        if entry["source"].get("kind") not in KINDS:
            raise ParamsError(
                f"indicator '{ident}' has source kind {entry['source'].get('kind')!r}",
                path=path,
                fix=f"use one of {', '.join(KINDS)}",
            )
        if ident in seen:
            raise ParamsError(
                f"indicator '{ident}' is declared twice", path=path, fix="keep one entry per id"
            )
        seen.add(ident)
        entry["ci_method"] = _ci_method(entry, path)
    return entries


def _ci_method(entry: dict, path: Path) -> str | None:
    """The entry's confidence-limit method: its own `ci_method`, else its value type's default."""
    kind, given = entry["value_type"], entry.get("ci_method")
    if given is None:
        return CI_DEFAULTS.get(kind)
    allowed = CI_ALLOWED.get(kind, ())
    if given not in allowed:
        raise ParamsError(
            f"indicator '{entry['id']}' has ci_method {given!r}, which does not apply to a {kind}",
            path=path,
            fix=(
                "use one of: "
                + "; ".join(f"{m} ({stats.CI_METHODS[m]})" for m in allowed)
                + ", or leave ci_method out for the default"
                if allowed
                else f"leave ci_method out: no limits are computed for a {kind}"
            ),
        )
    return given


def to_frame(entries: list[dict]) -> pd.DataFrame:
    """A flat table of the compendium (source details as text) for the store and exports."""
    rows = []
    for e in entries:
        row = {
            k: ", ".join(map(str, v)) if isinstance(v, list) else v
            for k, v in e.items()
            if k != "source"
        }
        row["source_kind"] = e["source"]["kind"]
        method = e.get("ci_method")
        row["ci_method_words"] = stats.CI_METHODS[method] if method else NO_LIMITS
        row["source_detail"] = ", ".join(
            f"{k}: {', '.join(v) if isinstance(v, list) else v}"
            for k, v in e["source"].items()
            if k != "kind"
        )
        rows.append(row)
    return pd.DataFrame(rows).astype(object).fillna("").astype(str)


GAP_REQUIRED = ("id", "name", "priority", "baseline_2017", "available_at", "could_come_from")


def load_gaps(path: Path | None = None, fetched: Path | None = None) -> list[dict]:
    """The declared data gaps (the `gaps:` list), validated. A gap whose `filled_by`
    indicators have all been fetched is no longer a gap."""
    path = path or default_path()
    data = load_yaml(path)
    gaps = data.get("gaps") or []
    if fetched is not None and fetched.exists():
        have = {str(e.get("id")) for e in _entries(fetched)}
        gaps = [
            g for g in gaps if not (g.get("filled_by") and set(map(str, g["filled_by"])) <= have)
        ]
    for gap in gaps:
        missing = [k for k in GAP_REQUIRED if k not in gap]
        if missing:
            raise ParamsError(
                f"gap '{gap.get('id', '?')}' lacks {', '.join(missing)}",
                path=path,
                fix="every gap needs " + ", ".join(GAP_REQUIRED),
            )
        if gap["priority"] not in PRIORITIES:
            raise ParamsError(
                f"gap '{gap['id']}' has priority {gap['priority']!r}",
                path=path,
                fix=f"use one of {', '.join(PRIORITIES)}",
            )
    return gaps


def write_fetched(path: Path, entries: list[dict]) -> None:
    """Add or replace `entries` (by id) in compendium.fetched.yaml, atomically."""
    kept = _entries(path) if path.exists() else []
    new_ids = {str(e["id"]) for e in entries}
    merged = [e for e in kept if str(e.get("id")) not in new_ids] + entries
    merged.sort(key=lambda e: (e["priority"], str(e["id"])))
    text = yaml.safe_dump({"indicators": merged}, sort_keys=False, allow_unicode=True, width=100)
    files.write_text(path, FETCHED_HEADER + text)


FETCHED_HEADER = """\
# Written by `needs fetch fingertips`: indicator metadata from the Fingertips API. Loaded together
# with data/compendium.yaml (entries here refresh or add to it). Edit that file, not this one;
# a fetch rewrites this one.
"""
