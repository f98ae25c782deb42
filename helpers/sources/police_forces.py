"""The territorial police forces of England and Wales (data/police_forces.csv): each force's ONS
police force area, its data.police.uk id (as in its API and street file names) and the name its
street files give in "Falls within" and "Reported by". data/police_forces.md says where each
column came from.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from helpers.core import paths
from helpers.core.errors import DataError
from helpers.sources.tabular import read_csv, validate

FILE = "police_forces.csv"
COLUMNS = ["pfa_code", "pfa_name", "police_uk_id", "falls_within"]
ID = r"^[a-z0-9-]+$"
FIX = (
    f"the table needs the columns {', '.join(COLUMNS)}, every value filled in, each force once, "
    "and ids in lower case with hyphens (e.g. two-word-force): correct the file, or restore "
    f"it from git (git checkout -- data/{FILE}); data/police_forces.md says where each column "
    "comes from"
)

SCHEMA = pa.DataFrameSchema(
    {
        "pfa_code": pa.Column(str, pa.Check.str_matches(r"^(E23|W15)\d{6}$"), unique=True),
        "pfa_name": pa.Column(str),
        "police_uk_id": pa.Column(str, pa.Check.str_matches(ID), unique=True),
        "falls_within": pa.Column(str, unique=True),
    },
    strict=True,
)


def default_path() -> Path:
    """The shipped table, data/police_forces.csv."""
    return paths.DATA / FILE


def read_police_forces(path: str | Path | None = None) -> pd.DataFrame:
    """One row per force, in file order: pfa_code, pfa_name, police_uk_id, falls_within, with
    surrounding whitespace stripped. A missing column, a blank value, a malformed code or id, or
    a force listed twice fails with a DataError naming the file, the column and the line."""
    path = Path(path) if path is not None else default_path()
    try:
        frame = read_csv(path, required=COLUMNS, what="police force table", dtype=str)
        frame = frame[COLUMNS].apply(lambda col: col.str.strip().replace("", pd.NA))
        return validate(frame, SCHEMA, path=path)
    except DataError as exc:
        raise DataError(exc.problem, path=path, fix=FIX) from exc


def fetch_command(police_uk_id: str) -> str:
    """The command an analyst runs to download a force's street-level crime, for reports to
    quote (add --from and --to for the months)."""
    return f"needs fetch police --force-area {police_uk_id}"
