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

_recorded: list[tuple] = []


def cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A displayed frame as ledger rows (COLUMNS): its cell keys, the count and the figure built
    on it (a rate, or crimes per neighbourhood) with its denominator, as shown."""
    arrays = _arrays(frame)
    if arrays is None:
        return pd.DataFrame(columns=COLUMNS)
    return pd.DataFrame(arrays, index=range(len(frame)))[COLUMNS]


def _arrays(frame: pd.DataFrame) -> dict[str, np.ndarray] | None:
    """cells' columns as arrays (None: nothing to record)."""
    if frame.empty or not ({"count", "value", "per_lsoa"} & set(frame.columns)):
        return None
    if "count" not in frame:
        raise ValueError(f"not a table of counts: columns {list(frame.columns)}")
    arrays = protection.cell_arrays(frame)
    value = "value" if "value" in frame else "per_lsoa"
    denominator = "denominator" if "denominator" in frame else "lsoas"
    for col, source in (("value", value), ("denominator", denominator)):
        if source in frame:
            arrays[col] = pd.to_numeric(frame[source], errors="coerce").to_numpy(dtype="float64")
        else:
            arrays[col] = np.full(len(frame), np.nan)
    return arrays


def record(frame: pd.DataFrame) -> pd.DataFrame:
    """Note a frame that is about to be shown; returns it unchanged."""
    arrays = _arrays(frame)
    if arrays is not None:
        # as JSON-ready tuples (missing as None), so that draining is a dict, not a frame
        columns = [[None if v != v else v for v in arrays[c].tolist()] for c in COLUMNS]
        _recorded.extend(zip(*columns, strict=True))
    return frame


def drain() -> list[dict]:
    """The cells recorded since the last call, as JSON-ready records (missing as None), each
    once, in the order first recorded."""
    unique = list(dict.fromkeys(_recorded))
    _recorded.clear()
    return [dict(zip(COLUMNS, row, strict=True)) for row in unique]


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
