"""police.uk street-level crime files: plain CSV, gzipped CSV, or the data.police.uk zip archive.

One folder holds the files of every force in the snapshot; each row is attributed to the force
named in its "Falls within" column (helpers.build.police_counts), never to the file's name.
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
# the force whose area the crime falls within: rows are attributed by it
FALLS_WITHIN = "Falls within"
STREET_FILE = re.compile(r"(\d{4}-\d{2})-(.+)-street\.csv(\.gz)?$")

SCHEMA = pa.DataFrameSchema(
    {
        "month": pa.Column(str, pa.Check.str_matches(r"^\d{4}-(0[1-9]|1[0-2])$")),
        "lsoa_code": pa.Column(str, pa.Check.str_matches(r"^[EW]0\d{7}$"), nullable=True),
        "lsoa_name": pa.Column(str, nullable=True),
        "crime_type": pa.Column(str, pa.Check.isin(CRIME_TYPES)),
        "falls_within": pa.Column(str),
    },
    strict=True,
)


def read_street_crime(path: str | Path) -> pd.DataFrame:
    """Read one street-level file (.csv or .csv.gz), or every street file inside a police.uk zip.

    Returns columns month, lsoa_code, lsoa_name, crime_type, falls_within; one row per
    published crime or ASB incident. A blank LSOA (no location) is kept as missing. Rows are
    attributed to the force they fall within, whatever the file is called."""
    path = Path(path)
    if path.suffix == ".zip":
        frames = [read_one(member, name) for name, member in _zip_members(path)]
        if not frames:
            raise DataError(
                "the zip holds no '*-street.csv' file",
                path=path,
                fix="download the street-level crime archive from data.police.uk",
            )
        return pd.concat(frames, ignore_index=True)
    return read_one(path, path)


def read_one(source, name) -> pd.DataFrame:
    """One street-level CSV (a path or a file object; `name` is used in messages)."""
    frame = read_csv(
        source,
        path=name,
        required=[*COLUMNS, FALLS_WITHIN],
        usecols=lambda c: c in COLUMNS or c == FALLS_WITHIN,
        dtype=str,
        what="police.uk street-level file",
    )
    if frame.empty:
        raise DataError(
            "the police.uk file has a header but no rows",
            path=name,
            fix="download the month again from data.police.uk",
        )
    frame = frame.rename(columns=COLUMNS | {FALLS_WITHIN: "falls_within"})
    frame["falls_within"] = frame["falls_within"].fillna("").str.strip()
    return validate(frame[[*COLUMNS.values(), "falls_within"]], SCHEMA, path=name)


def force_key(name: str) -> str:
    """A force's name reduced for comparison: '<Name> Police', '<Name>' and
    '<name> constabulary' are the same force ("&" and "and" alike, word order ignored, so
    'Town, City of' is 'City of Town')."""
    words = re.sub(r"[^a-z0-9]+", " ", name.casefold().replace("&", " and ")).split()
    return " ".join(sorted(w for w in words if w not in {"police", "constabulary", "service"}))


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
