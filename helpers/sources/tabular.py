"""Reading and validating tabular files, with errors that name the file, the column and the fix.

Every source reader goes through `read_csv` and `validate`, so a bad file always fails the same
way: one `DataError` that says where and what, never a bare pandas traceback.
"""

from __future__ import annotations

import difflib
import gzip
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

import pandas as pd
import pandera.pandas as pa

from helpers.core.errors import DataError

RESTORE_FIX = (
    "restore the file from git (git checkout -- <file>) or download it again from its source "
    "(see data/sources.yaml)"
)


def read_csv(
    source: str | Path | IO[bytes],
    *,
    required: Sequence[str],
    path: str | Path | None = None,
    what: str = "file",
    **kwargs,
) -> pd.DataFrame:
    """Read a CSV (plain or gzipped) and check that the `required` columns are present.

    `path` names the file in messages when `source` is an open file (a zip member).
    """
    path = Path(path if path is not None else source)  # type: ignore[arg-type]
    if isinstance(source, str | Path) and not Path(source).exists():
        raise DataError(f"the {what} is missing", path=path, fix=RESTORE_FIX)
    kwargs.setdefault("encoding", "utf-8-sig")  # several publishers write a byte-order mark
    kwargs.setdefault("low_memory", False)
    if "usecols" in kwargs:
        # Check the full header first, so a renamed column can be recognised as one.
        header = _read(source, path, what, {**kwargs, "usecols": None, "nrows": 0})
        require_columns(header.columns, required, path=path, what=what)
        if hasattr(source, "seek"):
            source.seek(0)
    frame = _read(source, path, what, kwargs)
    require_columns(frame.columns, required, path=path, what=what)
    return frame


def _read(source, path: Path, what: str, kwargs: dict) -> pd.DataFrame:
    try:
        return pd.read_csv(source, **kwargs)
    except pd.errors.EmptyDataError as exc:
        raise DataError(
            f"the {what} is empty (no header, no rows)", path=path, fix=RESTORE_FIX
        ) from exc
    except (gzip.BadGzipFile, EOFError, zlib.error, OSError) as exc:
        raise DataError(
            f"the {what} could not be decompressed ({exc}); it is truncated or corrupt",
            path=path,
            fix=RESTORE_FIX,
        ) from exc
    except UnicodeDecodeError as exc:
        raise DataError(
            f"the {what} is not UTF-8 text ({exc.reason} at byte {exc.start})",
            path=path,
            fix="save it as UTF-8 CSV",
        ) from exc
    except pd.errors.ParserError as exc:
        raise DataError(f"the {what} is not valid CSV: {exc}", path=path, fix=RESTORE_FIX) from exc
    except ValueError as exc:  # e.g. usecols naming an absent column
        raise DataError(f"the {what} could not be read: {exc}", path=path, fix=RESTORE_FIX) from exc


def require_columns(
    columns: Iterable[str], required: Sequence[str], *, path: str | Path, what: str = "file"
) -> None:
    """Fail naming the missing columns and, where a present column looks like one, the rename."""
    present = [str(c) for c in columns]
    missing = [c for c in required if c not in present]
    if not missing:
        return
    unexpected = [c for c in present if c not in required]
    hints = []
    for col in missing:
        close = difflib.get_close_matches(col, unexpected, n=1, cutoff=0.6)
        if close:
            hints.append(f"'{close[0]}' looks like a renamed '{col}'")
    names = ", ".join(f"'{c}'" for c in missing)
    problem = f"the {what} lacks the column{'s' if len(missing) > 1 else ''} {names}"
    if hints:
        problem += " (" + "; ".join(hints) + ")"
    raise DataError(
        problem,
        path=path,
        fix=f"the {what} must have the columns {', '.join(required)}; {RESTORE_FIX}",
    )


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, *, path: str | Path) -> pd.DataFrame:
    """Validate with pandera and turn its report into one readable DataError.

    Row numbers in the message are file line numbers (header = line 1) when the frame still has
    its default index.
    """
    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise DataError(_describe_failures(exc.failure_cases), path=path, fix=RESTORE_FIX) from exc


def _describe_failures(cases: pd.DataFrame, limit: int = 5) -> str:
    lines = []
    for (column, check), group in cases.groupby(["column", "check"], sort=False, dropna=False):
        rows = group["index"].dropna()
        where = ""
        if len(rows):
            shown = ", ".join(str(int(i) + 2) for i in rows.head(limit))
            more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
            where = f" at line {shown}{more}"
        values = ", ".join(repr(v) for v in group["failure_case"].head(limit))
        lines.append(f"column '{column}' fails {check}{where} (values: {values})")
    return "invalid values: " + "; ".join(lines)
