"""The published-cells ledger: every count and figure a report shows, in machine-readable form.

Each frame that leaves helpers.report.views for display is recorded here, after disclosure
control (so a hidden cell is recorded as hidden, with no count or value). The Report attaches
what was recorded to the notebook output that shows it, as output metadata, which JupyterLab
and nbconvert ignore; `needs run` collects it into ``<report>.figures.csv`` beside the page,
and the audit (helpers.site.audit) checks those files: no small count shown, nothing hidden
that subtraction from the other published figures, or a rate times a population, gives back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.build import protection

METADATA_KEY = "needs_published_cells"
"""The output-metadata key under which a display carries its cells."""

COLUMNS = [*protection.CELL_COLUMNS, "value", "denominator"]

_recorded: list[pd.DataFrame] = []


def cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A displayed frame as ledger rows (COLUMNS): its cell keys, the count and the figure built
    on it (a rate, or crimes per neighbourhood) with its denominator, as shown."""
    if frame.empty or not ({"count", "value", "per_lsoa"} & set(frame.columns)):
        return pd.DataFrame(columns=COLUMNS)
    keys = protection.cell_keys(frame.reset_index(drop=True))
    value = "value" if "value" in frame else "per_lsoa"
    denominator = "denominator" if "denominator" in frame else "lsoas"
    for col, source in (("value", value), ("denominator", denominator)):
        column = frame[source] if source in frame else pd.Series(np.nan, index=frame.index)
        keys[col] = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64")
    return keys[COLUMNS]


def record(frame: pd.DataFrame) -> pd.DataFrame:
    """Note a frame that is about to be shown; returns it unchanged."""
    rows = cells(frame)
    if len(rows):
        _recorded.append(rows)
    return frame


def drain() -> list[dict]:
    """The cells recorded since the last call, as JSON-ready records (missing as None)."""
    if not _recorded:
        return []
    frame = pd.concat(_recorded, ignore_index=True).drop_duplicates()
    _recorded.clear()
    frame = frame.astype("object").where(frame.notna(), None)
    return frame.to_dict(orient="records")


def from_notebook(nb: dict) -> pd.DataFrame:
    """Every cell recorded in an executed notebook's outputs, one row each (COLUMNS)."""
    rows = [
        row
        for cell in nb.get("cells", [])
        for output in cell.get("outputs", [])
        for row in (output.get("metadata") or {}).get(METADATA_KEY, [])
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["hidden"] = frame["hidden"].astype(bool)
    for col in ("count", "value", "denominator"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    return frame.drop_duplicates().reset_index(drop=True)


def show(obj) -> None:
    """Display, carrying as metadata the cells the views handed out for it (drained)."""
    from IPython.display import display

    cells = drain()
    display(obj, metadata={METADATA_KEY: cells} if cells else None)
