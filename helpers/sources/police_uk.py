"""police.uk street-level crime files: plain CSV, gzipped CSV, or the data.police.uk zip archive.

Given the expected force, each file must hold that force's crime: a file whose rows mostly fall
within (or are reported by) another force, such as a comparator force's month dropped into the
same folder, is refused, naming the force it holds. A few stray rows are kept, with a warning.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from helpers.core.errors import DataError
from helpers.sources.tabular import read_csv, validate

log = logging.getLogger(__name__)

COLUMNS = {
    "Month": "month",
    "LSOA code": "lsoa_code",
    "LSOA name": "lsoa_name",
    "Crime type": "crime_type",
}
# The standard police.uk categories; a new one must be added here on purpose.
CRIME_TYPES = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)
# who published the rows: checked against the expected force, not kept
FORCE_COLUMNS = ("Falls within", "Reported by")
STREET_FILE = re.compile(r"(\d{4}-\d{2})-(.+)-street\.csv(\.gz)?$")

SCHEMA = pa.DataFrameSchema(
    {
        "month": pa.Column(str, pa.Check.str_matches(r"^\d{4}-(0[1-9]|1[0-2])$")),
        "lsoa_code": pa.Column(str, pa.Check.str_matches(r"^[EW]0\d{7}$"), nullable=True),
        "lsoa_name": pa.Column(str, nullable=True),
        "crime_type": pa.Column(str, pa.Check.isin(CRIME_TYPES)),
    },
    strict=True,
)


def read_street_crime(path: str | Path, *, force: str | None = None) -> pd.DataFrame:
    """Read one street-level file (.csv or .csv.gz), or every street file inside a police.uk zip.

    Returns columns month, lsoa_code, lsoa_name, crime_type; one row per published crime or ASB
    incident. A blank LSOA (no location) is kept as missing. With `force` (a police.uk force
    name such as "<County> Police"), a file of another force's crime is refused.
    """
    path = Path(path)
    if path.suffix == ".zip":
        frames = [read_one(member, name, force=force) for name, member in _zip_members(path)]
        if not frames:
            raise DataError(
                "the zip holds no '*-street.csv' file",
                path=path,
                fix="download the street-level crime archive from data.police.uk",
            )
        return pd.concat(frames, ignore_index=True)
    return read_one(path, path, force=force)


def read_one(source, name, *, force: str | None = None) -> pd.DataFrame:
    """One street-level CSV (a path or a file object; `name` is used in messages)."""
    frame = read_csv(
        source,
        path=name,
        required=[*COLUMNS, *FORCE_COLUMNS] if force else list(COLUMNS),
        usecols=lambda c: c in COLUMNS or c in FORCE_COLUMNS,
        dtype=str,
        what="police.uk street-level file",
    )
    if frame.empty:
        raise DataError(
            "the police.uk file has a header but no rows",
            path=name,
            fix="download the month again from data.police.uk",
        )
    if force:
        check_force(frame, force, name)
    frame = frame.rename(columns=COLUMNS)[list(COLUMNS.values())]
    return validate(frame, SCHEMA, path=name)


def check_force(frame: pd.DataFrame, force: str, name) -> None:
    """Refuse a file most of whose rows fall within, or were reported by, another force. The
    rule looks at the whole file: a few rows of a neighbouring force do not make it wrong."""
    want = force_key(force)
    held = {}
    for column in FORCE_COLUMNS:
        values = frame[column].fillna("").str.strip()
        ours = values.map({v: force_key(v) for v in values.unique()}) == want
        held[column] = (values, ours)
    wrong = [column for column, (_, ours) in held.items() if ours.sum() * 2 <= len(ours)]
    if wrong:
        found = "; ".join(_described(column, held[column][0]) for column in FORCE_COLUMNS)
        raise DataError(
            f"this file holds another force's street crime ({found}), not {force}'s, the force "
            "area in params/areas.yaml",
            path=name,
            fix=f"move the file out of the street-crime folder, which holds {force} files only "
            "(a comparator force's files belong in a folder of their own), then run "
            "`needs sources --update`",
        )
    for column, (values, ours) in held.items():
        if (~ours).any():
            log.warning(
                "%s: %d of %d rows have '%s' %s, not %s; kept",
                name,
                int((~ours).sum()),
                len(ours),
                column,
                ", ".join(sorted(values[~ours].unique())[:3]),
                force,
            )


def _described(column: str, values: pd.Series) -> str:
    counts = values.replace("", "(blank)").value_counts()
    top, n = counts.index[0], int(counts.iloc[0])
    share = "every row" if n == len(values) else f"{n:,} of its {len(values):,} rows"
    return f"'{column}' is '{top}' in {share}"


def force_key(name: str) -> str:
    """A force's name reduced for comparison: '<Name> Police', '<Name>' and
    '<name> constabulary' are the same force ("&" and "and" alike)."""
    words = re.sub(r"[^a-z0-9]+", " ", name.casefold().replace("&", " and ")).split()
    return " ".join(w for w in words if w not in {"police", "constabulary", "service"})


def _zip_members(path: Path) -> Iterator[tuple[str, object]]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise DataError(
            "the zip archive is truncated or corrupt",
            path=path,
            fix="download it again from data.police.uk",
        ) from exc
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if STREET_FILE.search(Path(info.filename).name):
                yield f"{path}!{info.filename}", io.BytesIO(archive.read(info))


def street_files(folder: Path) -> list[Path]:
    """The monthly street-level files in a folder, in month order."""
    files = [p for p in folder.iterdir() if STREET_FILE.search(p.name) or p.suffix == ".zip"]
    return sorted(files, key=lambda p: p.name)


def expected_months(first: str, last: str) -> list[str]:
    """Every month from first to last inclusive, as YYYY-MM."""
    return [p.strftime("%Y-%m") for p in pd.period_range(first, last, freq="M")]
