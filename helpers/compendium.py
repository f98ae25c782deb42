"""data/compendium.yaml: indicator metadata, the single source of truth for what the store holds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers import paths
from helpers.config import load_yaml
from helpers.errors import ParamsError

PRIORITIES = ("overview", "substance_misuse", "mental_health", "domestic_sexual_violence")
POLARITIES = ("low_is_good", "high_is_good", "no_judgement")
KINDS = ("police_uk", "fingertips", "health_index", "recorded_crime", "partner")
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


def default_path() -> Path:
    return paths.DATA / "compendium.yaml"


def load(path: Path | None = None) -> list[dict]:
    """The indicator entries, validated."""
    path = path or default_path()
    data = load_yaml(path)
    entries = data.get("indicators") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ParamsError(
            "expected a top-level 'indicators:' list",
            path=path,
            fix="see the comment at the top of data/compendium.yaml",
        )
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
    return entries


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
        row["source_detail"] = ", ".join(
            f"{k}: {', '.join(v) if isinstance(v, list) else v}"
            for k, v in e["source"].items()
            if k != "kind"
        )
        rows.append(row)
    return pd.DataFrame(rows).astype(object).fillna("").astype(str)


GAP_REQUIRED = ("id", "name", "priority", "baseline_2017", "available_at", "could_come_from")


def load_gaps(path: Path | None = None) -> list[dict]:
    """The declared data gaps (the `gaps:` list), validated."""
    path = path or default_path()
    data = load_yaml(path)
    gaps = data.get("gaps") or []
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
