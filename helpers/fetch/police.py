"""`needs fetch police`: street-level crime from the data.police.uk archive.

data.police.uk publishes one zip a month (https://data.police.uk/data/archive/YYYY-MM.zip) with
the last 36 months of every force, each month as YYYY-MM/YYYY-MM-<force>-street.csv. The zips
are large (well over a gigabyte), so only the force's members are read, with HTTP range
requests (remotezip); a server without range support gets a plain, resumable download of the
zip instead. Each month is checked with the build's own reader, gzipped, and committed to
data/raw/police_uk/street/ only when every requested month is in hand.

The force is a data.police.uk force id from data/police_forces.csv (--force-area; by default
params/fetch.yaml's police.force), and the files are recorded under its "Falls within" name.

A month missing from the archive (as 2022-11 and 2022-12 were) is reported as missing; it is
not an error and never becomes a zero.
"""

from __future__ import annotations

import difflib
import gzip
import io
import logging
import os
import re
import zipfile
from pathlib import Path

import requests
from tqdm.auto import tqdm

from helpers.core import config, files, paths
from helpers.core.errors import DataError, FetchError, ParamsError
from helpers.fetch import downloads, web
from helpers.sources import police_forces, police_uk

log = logging.getLogger("needs")

ARCHIVE = "https://data.police.uk/data/archive/"
MONTHS_PER_ARCHIVE = 36
FOLDER = "police_uk/street"
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SOURCE = {
    "id": "police_uk_street",
    "publisher": "Home Office (data.police.uk)",
    "licence": "Open Government Licence v3.0",
}


fetch_command = police_forces.fetch_command  # reports quote it through the store


def configured_force(params: Path | None = None) -> str:
    """The force id that params/fetch.yaml sets as `police: force:`."""
    path = (params or paths.PARAMS) / "fetch.yaml"
    police = config.load_params("fetch", params).get("police")
    value = police.get("force") if isinstance(police, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise ParamsError(
            "the setting 'police: force:' (the data.police.uk force to fetch) is missing",
            path=path,
            fix="add 'police:' with 'force: <id>' under it, the id being the force's police_uk_id "
            "in data/police_forces.csv; or give the id with --force-area",
        )
    return value.strip()


def find_force(
    police_uk_id: str,
    *,
    named_by: str = "--force-area",
    path: Path | None = None,
    table: Path | None = None,
) -> dict[str, str]:
    """The row of data/police_forces.csv (or `table`) for a data.police.uk force id. An unknown
    id fails naming the closest valid ones; `named_by` and `path` say where the id was given."""
    forces = police_forces.read_police_forces(table)
    ids = list(forces["police_uk_id"])
    if police_uk_id not in ids:
        given = police_uk_id.strip().lower()
        close = [i for i in ids if given and given in i] or difflib.get_close_matches(
            given, ids, n=3, cutoff=0.5
        )
        close = close[:3]
        named = " or ".join([", ".join(close[:-1]), close[-1]] if len(close) > 2 else close)
        lead = f"did you mean {named}? Use" if close else "use"
        raise ParamsError(
            f"{named_by} {police_uk_id!r} is not a data.police.uk force id",
            path=path,
            fix=f"{lead} a police_uk_id from data/police_forces.csv: one per force of England "
            "and Wales, as in its street files' names (YYYY-MM-<id>-street.csv)",
        )
    return forces.loc[forces["police_uk_id"] == police_uk_id].iloc[0].to_dict()


def archive_url() -> str:
    """The archive folder; NEEDS_POLICE_ARCHIVE points it elsewhere (a mirror, or tests)."""
    url = os.environ.get("NEEDS_POLICE_ARCHIVE", ARCHIVE)
    return url if url.endswith("/") else url + "/"


def months(first: str, last: str) -> list[str]:
    for name, value in (("--from", first), ("--to", last)):
        if not MONTH.match(str(value)):
            raise ParamsError(
                f"{name} {value!r} is not a month", fix=f"write it as YYYY-MM, e.g. {name} 2025-01"
            )
    if first > last:
        raise ParamsError(f"--from {first} is after --to {last}", fix="swap them")
    return police_uk.expected_months(first, last)


def archives_for(wanted: list[str]) -> dict[str, list[str]]:
    """The fewest archives that hold `wanted`: each holds the 36 months up to its own."""
    plan: dict[str, list[str]] = {}
    remaining = sorted(wanted, reverse=True)
    while remaining:
        newest = remaining[0]
        covered = set(police_uk.expected_months(_shift(newest, 1 - MONTHS_PER_ARCHIVE), newest))
        plan[newest] = sorted(m for m in remaining if m in covered)
        remaining = [m for m in remaining if m not in covered]
    return plan


def _shift(month: str, by: int) -> str:
    year, mon = map(int, month.split("-"))
    index = year * 12 + mon - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def fetch(
    first: str,
    last: str,
    *,
    force_name: str | None = None,
    force: bool = False,
    raw: Path | None = None,
    params: Path | None = None,
) -> downloads.Outcome:
    raw = Path(raw or paths.raw_dir())
    if force_name:
        row = find_force(force_name)
    else:
        force_name = configured_force(params)
        where = (params or paths.PARAMS) / "fetch.yaml"
        row = find_force(force_name, named_by="police: force:", path=where)
    title = f"Street-level crime, {row['falls_within']}"
    outcome = downloads.Outcome()
    wanted = []
    for month in months(first, last):
        rel = f"{FOLDER}/{month}-{force_name}-street.csv.gz"
        if not force and downloads.verified(raw, rel):
            outcome.skipped.append(rel)
        else:
            wanted.append(month)
    if not wanted:
        log.info("All %d months are present and verified; nothing to fetch.", len(outcome.skipped))
        return outcome
    with downloads.staging(raw, "police") as staging:
        session = web.session()
        staged: list[downloads.Staged] = []
        missing: list[str] = []
        bar = tqdm(total=len(wanted), unit="month", desc="police.uk", disable=None)
        for archive, group in archives_for(wanted).items():
            url = f"{archive_url()}{archive}.zip"
            with _Archive(session, url, staging / f"{archive}.zip") as zipped:
                names = set(zipped.namelist())
                for month in group:
                    member = f"{month}/{month}-{force_name}-street.csv"
                    rel = f"{FOLDER}/{month}-{force_name}-street.csv.gz"
                    target = staging / Path(rel).name
                    if member not in names:
                        missing.append(month)
                        bar.update()
                        continue
                    if force or not target.exists():
                        data = _read_member(zipped, member, url)
                        _check(data, month, force_name, url)
                        with files.atomic_path(target) as tmp:
                            tmp.write_bytes(gzip.compress(data, mtime=0))
                    staged.append(downloads.Staged(target, rel, f"{url}#{member}"))
                    bar.update()
        bar.close()
        if not staged:
            raise FetchError(
                f"data.police.uk has none of the months {wanted[0]} to {wanted[-1]} for "
                f"force '{force_name}'",
                fix="check the force id (--force-area) and that the months are published "
                "(the archive lags about two months); nothing was changed",
            )
        period = _period(raw, force_name, [Path(s.rel).name[:7] for s in staged])
        downloads.commit(raw, staged, SOURCE | {"title": title, "period": period})
        downloads.clear_staging(staging)
        outcome.written.extend(s.rel for s in staged)
        outcome.problems.extend(
            f"{m}: not in the data.police.uk archive (recorded as missing)" for m in missing
        )
        return outcome


class _Archive:
    """The archive as a ZipFile: remote (range requests) if the server allows, otherwise a
    resumable download into the staging folder."""

    def __init__(self, session: requests.Session, url: str, local: Path):
        self.session, self.url, self.local = session, url, local
        self.zip: zipfile.ZipFile | None = None

    def __enter__(self) -> zipfile.ZipFile:
        from remotezip import RangeNotSupported, RemoteIOError, RemoteZip, RemoteZipError

        try:
            self.zip = RemoteZip(self.url, session=self.session)
        except RangeNotSupported:
            log.info("%s does not serve byte ranges; downloading the whole zip", self.url)
            self.zip = _whole_zip(self.session, self.url, self.local)
        except RemoteIOError as exc:
            # remotezip keeps only the text; the request's own exception is its context
            cause = exc.__context__ if exc.__context__ is not None else exc
            raise web.failure(cause, self.url, "data.police.uk archive", self.session) from exc
        except (RemoteZipError, zipfile.BadZipFile) as exc:
            raise FetchError(
                f"data.police.uk archive: {self.url} is not a readable zip ({exc})",
                fix="try again later; nothing was changed",
            ) from exc
        return self.zip

    def __exit__(self, *exc) -> None:
        if self.zip is not None:
            self.zip.close()


def _whole_zip(session: requests.Session, url: str, local: Path) -> zipfile.ZipFile:
    """Download the zip, resuming a partial download with a Range request when possible."""
    part = local.with_suffix(".zip.part")
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    response = web.get(session, url, what="data.police.uk archive", stream=True, headers=headers)
    mode = "ab" if have and response.status_code == 206 else "wb"
    total = int(response.headers.get("Content-Length", 0)) + (have if mode == "ab" else 0)
    try:
        with (
            part.open(mode) as out,
            tqdm(
                total=total or None,
                initial=have if mode == "ab" else 0,
                unit="B",
                unit_scale=True,
                desc=url.rsplit("/", 1)[-1],
                disable=None,
            ) as bar,
        ):
            for block in response.iter_content(1 << 20):
                out.write(block)
                bar.update(len(block))
    except requests.exceptions.RequestException as exc:
        raise FetchError(
            f"data.police.uk archive: the download of {url} broke off ({web.reason(exc)})",
            fix="run the same command again: it resumes where it stopped",
        ) from exc
    part.replace(local)
    try:
        return zipfile.ZipFile(local)
    except zipfile.BadZipFile as exc:
        local.unlink(missing_ok=True)
        raise FetchError(
            f"data.police.uk archive: {url} is not a readable zip",
            fix="try again later; nothing was changed",
        ) from exc


def _read_member(zipped: zipfile.ZipFile, member: str, url: str) -> bytes:
    from remotezip import RemoteZipError

    try:
        return zipped.read(member)
    except (RemoteZipError, zipfile.BadZipFile, OSError) as exc:
        raise FetchError(
            f"data.police.uk archive: could not read {member} from {url} ({exc})",
            fix="run the same command again (finished months are kept); nothing was changed",
        ) from exc


def _check(data: bytes, month: str, force_name: str, url: str) -> None:
    """The build's reader must accept the month as it is, and it must be that month."""
    name = f"{url}#{month}-{force_name}-street.csv"
    try:
        frame = police_uk.read_one(io.BytesIO(data), name)
    except DataError as exc:
        raise FetchError(
            f"data.police.uk: {month} came back malformed: {exc.problem}",
            fix="try again later; nothing was changed",
        ) from exc
    months_in = set(frame["month"])
    if months_in != {month}:
        raise FetchError(
            f"data.police.uk: the file for {month} holds months {', '.join(sorted(months_in))}",
            fix="try again later; nothing was changed",
        )


def _period(raw: Path, force_name: str, adding: list[str]) -> str:
    """The months held once `adding` is committed, and the gaps between them."""
    present = sorted(
        {
            m.group(1)
            for p in (raw / FOLDER).glob(f"*-{force_name}-street.csv*")
            if (m := police_uk.STREET_FILE.search(p.name))
        }
        | set(adding)
    )
    return _describe(present) if present else "none yet"


def _describe(present: list[str]) -> str:
    gaps = sorted(set(police_uk.expected_months(present[0], present[-1])) - set(present))
    text = f"{present[0]} to {present[-1]}"
    return text + (f"; {', '.join(gaps)} not available" if gaps else "")


def hint_for_build(outcome: downloads.Outcome, params: Path | None = None) -> str | None:
    """Tell the analyst when params/build.yaml would leave fetched months out of the store."""
    fetched = sorted(Path(r).name[:7] for r in outcome.written)
    if not fetched:
        return None
    police = config.load_params("build", params).get("police") or {}
    first, last = str(police.get("first_month", "")), str(police.get("last_month", ""))
    outside = [m for m in fetched if (first and m < first) or (last and m > last)]
    if not outside:
        return None
    return (
        f"params/build.yaml covers police.uk months {first} to {last}, so {outside[0]}"
        + (f" to {outside[-1]}" if len(outside) > 1 else "")
        + " will not be in the store: widen police.first_month / last_month (and population"
        " year_for for years without an estimate), then run `needs build`."
    )
