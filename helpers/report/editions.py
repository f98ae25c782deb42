"""The editions record: outputs/editions.json, written by `needs run`, read by the reports.

It holds two editions (helpers.report.since_last): the one the latest run used ("current")
and the one before it ("last"), each with its id, the store's fingerprint, data snapshot and
build time, the date it was first run, its areas, its open data gaps and its indicator values
for the assessment's areas after disclosure control (values only: no counts, nothing of a
suppressed figure). It lives beside the reports it describes, never in git: the outputs are
what the last edition published, so they are the right place for what it showed. A notebook
run by hand in JupyterLab reads it from the same place (paths.outputs_dir()), and rolls it
over in memory if the store has changed since, exactly as the next run would."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from helpers.build import store
from helpers.core import files, paths, provenance
from helpers.report import since_last, views

log = logging.getLogger(__name__)

RECORD = "editions.json"


def record_path(out: Path | None = None) -> Path:
    return Path(out or paths.outputs_dir()) / RECORD


def read(path: Path | None = None) -> dict:
    """The record, or {} when there is none (or it is unreadable: then there is no last
    edition, said in the log, rather than a failed run)."""
    path = path or record_path()
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("Ignoring the editions record %s, which cannot be read (%s)", path, exc)
        return {}
    return record if isinstance(record, dict) else {}


def write(record: dict, path: Path | None = None) -> None:
    """Atomically: a kill leaves the previous record whole."""
    files.write_text(path or record_path(), json.dumps(record, separators=(",", ":")))


def _open_gaps() -> list[dict]:
    gaps = store.load("gaps")
    return [
        {"id": str(g["id"]), "name": str(g["name"]), "priority": str(g["priority"])}
        for g in gaps[["id", "name", "priority"]].to_dict(orient="records")
    ]


def store_edition_id() -> str:
    """The current store's edition id: a digest of all its (suppressed) values and open gaps."""
    rows = since_last.edition_rows(store.load("indicator_values"))
    return since_last.edition_id(rows, [g["id"] for g in _open_gaps()])


def current_edition(run_date: str | None = None, codes: list[str] | None = None) -> dict:
    """The current store as an edition (run_date default: this run's time), with the rows of
    `codes` (default: the assessment's areas)."""
    info = store.build_info()
    codes = codes if codes is not None else store.areas()["area_code"].tolist()
    rows = since_last.edition_rows(store.load("indicator_values"), codes)
    when = run_date or provenance.run_time().isoformat(timespec="seconds")
    return {
        "id": store_edition_id(),
        "fingerprint": info["fingerprint"],
        "data_snapshot": info.get("data_snapshot"),
        "built_at": info.get("built_at"),
        "run_date": when,
        "areas": codes,
        "open_gaps": _open_gaps(),
    } | since_last.to_record(rows)


def roll_for_run(out: Path, codes: list[str] | None = None) -> dict:
    """Record the edition this run uses (`needs run` calls it before any report runs), with the
    rows of `codes` (default: the assessment's areas; a national batch gives every area)."""
    previous = read(record_path(out))
    current = previous.get("current") or {}
    wanted = codes if codes is not None else store.areas()["area_code"].tolist()
    if (  # the same store, its rows already recorded for these areas: nothing to roll
        previous.get("format") == since_last.FORMAT
        and current.get("fingerprint") == store.build_info()["fingerprint"]
        and set(wanted) <= set(current.get("areas") or [])
    ):
        return previous
    record = since_last.roll(previous, current_edition(codes=wanted))
    write(record, record_path(out))
    return record


def for_reports(record: dict | None = None) -> dict:
    """The record as the reports of the current store see it: as written by the run that uses
    this store, or, when the store has been rebuilt since (an analyst in JupyterLab), rolled
    over in memory as the next run would."""
    record = read() if record is None else record
    current = record.get("current") or {}
    if (
        record.get("format") == since_last.FORMAT
        and current.get("fingerprint") == store.build_info()["fingerprint"]
        and set(store.areas()["area_code"]) <= set(current.get("areas") or [])
    ):
        return record
    return since_last.roll(record, current_edition())


def cache_key(record: dict) -> str:
    """What a report's comparison depends on besides the store: the last edition's id."""
    last = record.get("last") or {}
    return str(last.get("id", "no last edition"))


def label(edition: dict) -> str:
    """'first run on 13 May 2026 (data snapshot 1a2b3c4d5e6f)': the run date names an edition,
    as the snapshot alone does not (partner data is not in it). Not the store's build time,
    which a rebuild of the same data changes (and which would unsettle the golden pages)."""
    snapshot = f"data snapshot {edition.get('data_snapshot') or 'unknown'}"
    when = pd.to_datetime(edition.get("run_date"), errors="coerce", utc=True)
    return snapshot if pd.isna(when) else f"first run on {when.day} {when:%B %Y} ({snapshot})"


def changes(
    area_code: str, priority: str | None = None, record: dict | None = None
) -> since_last.Changes:
    """What changed for a report: its area, its priority's indicators and gaps (None: all, as
    in the overview)."""
    record = for_reports(record)
    last, current = record.get("last"), record["current"]
    indicators = None
    if priority is not None:
        compendium = store.load("compendium")
        indicators = set(compendium.loc[compendium["priority"] == priority, "id"].astype(str))
    return since_last.compare(
        since_last.from_record(last) if last else None,
        since_last.from_record(current),
        views.area_codes(area_code),
        last_gaps=(last or {}).get("open_gaps") or [],
        current_gaps=current.get("open_gaps") or [],
        indicators=indicators,
        priority=priority,
    )
