"""`needs fetch fingertips`: indicator data and metadata from the OHID Fingertips API.

The API is plain GET with CSV or JSON answers, so it is called directly through the project's
one HTTP session (helpers.fetch.web: timeouts, retries with backoff, the environment's proxy,
TLS always verified). The endpoints and their parameters are those the public clients use
(fingertips_py, fingertipsR, and fingertips-open's own API):

- `all_data/csv/by_indicator_id?indicator_ids=&child_area_type_id=&parent_area_type_id=15`:
  the indicator's values, in the layout of the website's export;
- `indicator_metadata/csv/by_indicator_id?indicator_ids=`: its definition, unit, polarity...;
- `available_data`: every (IndicatorId, AreaTypeId) pair published, for a helpful message
  when an indicator is not published at the area type asked for.

The raw bytes of each answer are kept, so the file written is the API's export as published
(only rows for other areas are dropped), not a re-serialisation of parsed numbers.

Each indicator becomes data/raw/fingertips/api/fingertips_<id>.csv (official export layout:
the areas in params/areas.yaml plus England, every requested area type), and an entry in
compendium.fetched.yaml with Fingertips' own definition, unit, polarity and caveats.
"""

from __future__ import annotations

import io
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import requests

from helpers.core import config, files, paths
from helpers.core.errors import DataError, FetchError, NeedsError, ParamsError
from helpers.fetch import downloads, fingertips_entry, web
from helpers.sources import compendium, fingertips

log = logging.getLogger("needs")

API = "https://fingertips.phe.org.uk/api/"
AREA_TYPES = {"district": 501, "county": 502, "england": 15}
AREA_TYPE_NAMES = {
    501: "districts and unitary authorities (lower tier, from April 2023)",
    502: "counties and unitary authorities (upper tier, from April 2023)",
    401: "districts and unitary authorities (lower tier, April 2021 to March 2023)",
    402: "counties and unitary authorities (upper tier, April 2021 to March 2023)",
    15: "England",
    6: "regions",
}
FOLDER = "fingertips/api"  # under data/raw
SOURCE = {
    "id": "fingertips_api",
    "title": "OHID Fingertips indicators, downloaded with `needs fetch fingertips`",
    "publisher": "Office for Health Improvement and Disparities (OHID)",
    "licence": "Open Government Licence v3.0",
    "period": "as published on the date each file was retrieved (see `retrieved`)",
    "origin": "Fingertips API (all_data/csv/by_indicator_id)",
}


def api_url() -> str:
    """The API root; NEEDS_FINGERTIPS_API points it elsewhere (a mirror, or the tests' server)."""
    url = os.environ.get("NEEDS_FINGERTIPS_API", API)
    return url if url.endswith("/") else url + "/"


@dataclass
class Plan:
    indicators: dict[str, str]  # id -> priority
    area_types: list[int]


def plan(
    indicators: list[str] | None,
    area_types: list[str] | None,
    priority: str | None,
    params: Path | None = None,
) -> Plan:
    """What to fetch: params/fetch.yaml, narrowed or extended by the command-line options."""
    folder = params or paths.PARAMS
    settings = config.load_params("fetch", folder).get("fingertips") or {}
    where = folder / "fetch.yaml"
    configured = {str(i["id"]): i["priority"] for i in settings.get("indicators") or []}
    if priority is not None and priority not in compendium.PRIORITIES:
        raise ParamsError(
            f"unknown priority {priority!r}", fix=f"use one of {', '.join(compendium.PRIORITIES)}"
        )
    if indicators:
        chosen = {}
        for ident in indicators:
            if not ident.isdigit():
                raise ParamsError(
                    f"{ident!r} is not a Fingertips indicator id (a number such as 41001)",
                    fix="give ids as numbers, comma-separated: --indicators 41001,90812",
                )
            if priority is None and ident not in configured:
                raise ParamsError(
                    f"indicator {ident} is not in {where.name}, so its report is not known",
                    path=where,
                    fix="add it to fingertips.indicators with its priority, or pass "
                    f"--priority ({', '.join(compendium.PRIORITIES)})",
                )
            chosen[ident] = priority or configured[ident]
    else:
        chosen = configured
    if not chosen:
        raise ParamsError(
            "no Fingertips indicators to fetch",
            path=where,
            fix="list some under fingertips.indicators",
        )
    types = [_area_type(t) for t in (area_types or settings.get("area_types") or ["district"])]
    return Plan(chosen, list(dict.fromkeys(types)))


def _area_type(value: object) -> int:
    text = str(value).strip().lower()
    if text in AREA_TYPES:
        return AREA_TYPES[text]
    if text.isdigit():
        return int(text)
    raise ParamsError(
        f"unknown Fingertips area type {value!r}",
        fix="use district (501), county (502), england (15) or a Fingertips area type id",
    )


# ------------------------------------------------------------------------------ the API


def data_url(base: str, ident: str, area_type: int) -> str:
    query = urlencode(
        {"indicator_ids": ident, "child_area_type_id": area_type, "parent_area_type_id": 15}
    )
    return f"{base}all_data/csv/by_indicator_id?{query}"


def metadata_url(base: str, ident: str) -> str:
    return f"{base}indicator_metadata/csv/by_indicator_id?{urlencode({'indicator_ids': ident})}"


def available_url(base: str) -> str:
    return f"{base}available_data"


def _get(session: requests.Session, url: str) -> bytes:
    return web.get(session, url, what="Fingertips API").content


def _metadata(body: bytes, url: str) -> pd.DataFrame:
    """The metadata CSV as a frame (an empty answer is an empty frame)."""
    try:
        return pd.read_csv(io.BytesIO(body))
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise FetchError(
            f"Fingertips API: the metadata at {url} is not a readable CSV ({exc})",
            fix="try again later; if it persists the API has changed: report it",
        ) from exc


# ------------------------------------------------------------------------------ fetching


def fetch(
    indicators: list[str] | None = None,
    area_types: list[str] | None = None,
    *,
    priority: str | None = None,
    force: bool = False,
    raw: Path | None = None,
    params: Path | None = None,
) -> downloads.Outcome:
    """Download, check, then commit every requested indicator (all or nothing)."""
    raw = Path(raw or paths.raw_dir())
    todo = plan(indicators, area_types, priority, params)
    with downloads.staging(raw, "fingertips") as staging:
        outcome = downloads.Outcome()
        staged: list[downloads.Staged] = []
        entries: list[dict] = []
        empty: list[str] = []
        session, base = web.session(), api_url()
        for ident, report in todo.indicators.items():
            rel = f"{FOLDER}/fingertips_{ident}.csv"
            record = downloads.verified(raw, rel)
            if not force and record and record.get("retrieved") == downloads.today():
                log.info("Indicator %s: already fetched today (use --force to fetch again)", ident)
                outcome.skipped.append(rel)
                continue
            file = staging / f"fingertips_{ident}.csv"
            meta_file = staging / f"fingertips_{ident}.json"
            if not force and downloads.written_today(file) and downloads.written_today(meta_file):
                log.info("Indicator %s: downloaded earlier today, kept from %s", ident, staging)
                info = json.loads(meta_file.read_text())
            else:
                info = _download(ident, todo.area_types, session, base, file)
                if info is None:
                    empty.append(_empty_message(ident, todo.area_types, session, base))
                    continue
                with files.atomic_path(meta_file) as tmp:
                    tmp.write_text(json.dumps(info, indent=1))
            staged.append(downloads.Staged(file, rel, info["url"]))
            entries.append(fingertips_entry.entry(ident, report, rel, info))
            outcome.written.append(rel)
        if empty and not staged:
            raise FetchError(
                " ".join(empty),
                fix="choose the area type Fingertips publishes it for with --area-type "
                "(e.g. --area-type county); nothing was changed",
            )
        outcome.failed.extend(empty)
        if staged:
            downloads.commit(raw, staged, SOURCE)
            compendium.write_fetched(compendium.fetched_path(raw), entries)
            for item in staged:
                (staging / Path(item.rel).with_suffix(".json").name).unlink(missing_ok=True)
        if not empty:
            downloads.clear_staging(staging)
        return outcome


LOCAL_AUTHORITY = r"^E(0[6-9]|10)\d{6}$"  # districts, unitaries, counties


def _download(
    ident: str,
    area_types: list[int],
    session: requests.Session,
    base: str,
    file: Path,
) -> dict | None:
    """Fetch one indicator at every area type into `file` (checked), and its metadata; None
    when no English local authority has data (the wrong area type)."""
    log.info("Indicator %s: downloading for area types %s", ident, area_types)
    frames, urls = [], []
    for area_type in area_types:
        url = data_url(base, ident, area_type)
        frames.append(_export(_get(session, url), url))
        urls.append(url)
    rows = pd.concat(frames, ignore_index=True).drop_duplicates()
    if not rows["Area Code"].str.match(LOCAL_AUTHORITY).any():  # England alone is no answer
        return None
    with files.atomic_path(file) as tmp:
        rows.to_csv(tmp, index=False)
    _check(file, ident, urls[0])
    meta_url = metadata_url(base, ident)
    described = _metadata(_get(session, meta_url), meta_url)
    return {
        "url": " ; ".join(urls),
        "meta_url": meta_url,
        "metadata": fingertips_entry.metadata_row(described, ident),
        "breakdown": fingertips_entry.breakdown(rows),
        "name": rows["Indicator Name"].iloc[0].strip(),
    }


def _export(body: bytes, url: str) -> pd.DataFrame:
    """The API's CSV as strings (so numbers are written back exactly as published), keeping
    every English area (the store is national: any area's report can use it)."""
    try:
        frame = pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise FetchError(
            f"Fingertips API: the answer to {url} is not a readable CSV ({exc})",
            fix="try again later; if it persists the API has changed: report it",
        ) from exc
    if frame.empty and not len(frame.columns):
        return pd.DataFrame(columns=list(fingertips.OFFICIAL))
    missing = [c for c in fingertips.OFFICIAL if c not in frame.columns]
    if missing:
        raise FetchError(
            f"Fingertips API: the answer to {url} is not a Fingertips export (it lacks "
            f"{', '.join(repr(c) for c in missing[:4])}); it starts {body[:80]!r}",
            fix="try again later (a proxy or an outage page may have answered); nothing was "
            "changed",
        )
    return frame[frame["Area Code"].str.startswith("E")]


def _check(file: Path, ident: str, url: str) -> None:
    """The build's own reader must accept the file as it is."""
    try:
        tidy = fingertips.read_indicator_file(file)
    except DataError as exc:
        raise FetchError(
            f"Fingertips API: indicator {ident} came back malformed: {exc.problem}",
            fix=f"try again later ({url}); nothing was changed",
        ) from exc
    if set(tidy["indicator_id"]) != {ident}:
        raise FetchError(
            f"Fingertips API: asked for indicator {ident}, got "
            f"{', '.join(sorted(set(tidy['indicator_id'])))}",
            fix="check the indicator id",
        )


def published_area_types(listing: list[dict], ident: str) -> list[int]:
    """The area types `available_data` lists for an indicator, in the order listed."""
    found = [
        int(item["AreaTypeId"])
        for item in listing
        if str(item.get("IndicatorId")) == ident and item.get("AreaTypeId") is not None
    ]
    return list(dict.fromkeys(found))


def _empty_message(ident: str, asked: list[int], session: requests.Session, base: str) -> str:
    names = ", ".join(f"{t} ({AREA_TYPE_NAMES.get(t, 'area type')})" for t in asked)
    url = available_url(base)
    try:
        available = published_area_types(json.loads(_get(session, url)), ident)
    except (NeedsError, ValueError, TypeError, KeyError) as exc:
        # only the hint is lost: the message still says what is missing, and the log says why
        log.warning("Could not list the area types Fingertips publishes (%s): %s", url, exc)
        available = []
    hint = (
        "Fingertips publishes it for area types "
        + ", ".join(f"{t} ({AREA_TYPE_NAMES.get(t, 'see Fingertips')})" for t in available)
        if available
        else "Fingertips lists no area types for it (check the id)"
    )
    return f"Indicator {ident} has no data for the configured areas at area type {names}; {hint}."
