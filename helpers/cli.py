"""The `needs` command: build the store, run the reports, look after the sources manifest, and
refresh the raw data from live sources.

Expected problems (bad data, bad parameters) print one clear message and exit with status 2;
only bugs show a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from pathlib import Path

from helpers.core import paths
from helpers.core.errors import NeedsError

log = logging.getLogger("needs")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="needs",
        description="Community safety and health needs assessment (the areas are in params/).",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    parser.add_argument(
        "--debug", action="store_true", help="on an error, also show its traceback and causes"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p_build = sub.add_parser("build", help="build the tidy store (data/processed) from data/raw")
    p_build.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p_build.add_argument("--raw", type=Path, help="raw-data folder (default data/raw)")
    p_build.add_argument("--processed", type=Path, help="store folder (default data/processed)")
    p_build.add_argument("--params", type=Path, help="parameter folder (default params/)")

    p_run = sub.add_parser("run", help="run the notebooks for each area and export HTML reports")
    p_run.add_argument(
        "--areas",
        help="comma-separated area codes, or 'england' for every English county, district "
        "and unitary authority (default: params/run.yaml's areas, else params/areas.yaml's)",
    )
    p_run.add_argument(
        "--notebooks", help="comma-separated notebook names (default: params/run.yaml)"
    )
    p_run.add_argument("--force", action="store_true", help="rerun reports even if unchanged")
    p_run.add_argument("--jobs", type=int, help="parallel workers (default: the CPU count)")
    p_run.add_argument(
        "--scheduler",
        help="local (a process pool, the default), dask (a Dask LocalCluster) or "
        "tcp://HOST:PORT (an existing Dask cluster); default: params/run.yaml",
    )

    p_src = sub.add_parser("sources", help="check data/raw against data/sources.yaml")
    p_src.add_argument(
        "--update", action="store_true", help="re-hash changed files and record new ones"
    )

    p_areas = sub.add_parser(
        "areas", help="list the counties and unitary authorities, to find the code to write"
    )
    which = p_areas.add_mutually_exclusive_group()
    which.add_argument("--search", metavar="TEXT", help="only those whose name or code has TEXT")
    which.add_argument("--districts", metavar="CODE", help="list the districts of a county")

    p_fetch = sub.add_parser(
        "fetch", help="refresh data/raw from the Fingertips API or data.police.uk (needs internet)"
    )
    fetch_sub = p_fetch.add_subparsers(dest="source", required=True)
    p_ft = fetch_sub.add_parser("fingertips", help="OHID Fingertips indicators (params/fetch.yaml)")
    p_ft.add_argument("--indicators", help="comma-separated Fingertips indicator ids")
    p_ft.add_argument(
        "--area-type",
        help="comma-separated area types: district (501), county (502), england (15) or ids",
    )
    p_ft.add_argument("--priority", help="the report for ids not listed in params/fetch.yaml")
    p_ft.add_argument("--force", action="store_true", help="download again even if fetched today")
    p_po = fetch_sub.add_parser("police", help="data.police.uk street-level crime, by month")
    p_po.add_argument("--from", dest="first", required=True, help="first month, YYYY-MM")
    p_po.add_argument("--to", dest="last", required=True, help="last month, YYYY-MM")
    p_po.add_argument(
        "--force-area",
        metavar="ID",
        help="data.police.uk force id, as in data/police_forces.csv; default: params/fetch.yaml",
    )
    p_po.add_argument("--force", action="store_true", help="download months already present")
    for p in (p_ft, p_po):
        p.add_argument("--raw", type=Path, help="raw-data folder (default data/raw)")
        p.add_argument("--params", type=Path, help="parameter folder (default params/)")

    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(message)s",
        stream=sys.stderr,
    )
    try:
        return _dispatch(args)
    except NeedsError as exc:
        if args.debug:  # the whole chain: what went wrong underneath the message
            log.error("%s", "".join(traceback.format_exception(exc)).rstrip())
        log.error("Error: %s", exc.message)
        return 2
    except KeyboardInterrupt:
        log.error("Interrupted; nothing was half-written.")
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "build":
        from helpers.build import pipeline as build

        result = build.build(args.raw, args.processed, force=args.force, params=args.params)
        police = result.info.get("police", {})
        if result.status == "built":
            log.info(
                "%d police.uk rows read; %d without a location; %d with an unknown LSOA; "
                "forces: %s",
                police.get("rows_read", 0),
                police.get("rows_without_location", 0),
                police.get("rows_with_unknown_lsoa", 0),
                "; ".join(
                    f"{code} {f['months_published']} months"
                    + (f" ({len(f['months_missing'])} missing)" if f["months_missing"] else "")
                    for code, f in police.get("forces", {}).items()
                )
                or "none",
            )
        return 0
    if args.command == "run":
        from helpers.site import run

        return run.run(
            areas=_split(args.areas),
            notebooks=_split(args.notebooks),
            force=args.force,
            jobs=args.jobs,
            scheduler=args.scheduler,
        )
    if args.command == "sources":
        from helpers.sources import manifest

        raw = paths.raw_dir()
        target = paths.manifest_path(raw)
        if args.update:
            changes = manifest.update(raw, target)
            for change in changes:
                log.info("%s", change)
            log.info("%s: %d change(s) recorded", target, len(changes))
        else:
            sources = manifest.verify(raw, target)
            log.info(
                "All %d files of %d sources match %s",
                sum(len(s["files"]) for s in sources),
                len(sources),
                target,
            )
        return 0
    if args.command == "areas":
        from helpers.build import area_listing
        from helpers.sources import places

        found = places.read_places(paths.raw_dir() / "lookups")
        print("\n".join(area_listing.listing(found, search=args.search, county=args.districts)))
        return 0
    if args.command == "fetch":
        return _fetch(args)
    raise AssertionError(args.command)


def _fetch(args: argparse.Namespace) -> int:
    if args.source == "fingertips":
        from helpers.fetch import fingertips as fetch_fingertips

        outcome = fetch_fingertips.fetch(
            _split(args.indicators),
            _split(args.area_type),
            priority=args.priority,
            force=args.force,
            raw=args.raw,
            params=args.params,
        )
        hint = "Next: `needs build`, then `needs run`." if outcome.written else None
    else:
        from helpers.fetch import police as fetch_police

        outcome = fetch_police.fetch(
            args.first,
            args.last,
            force_name=args.force_area,
            force=args.force,
            raw=args.raw,
            params=args.params,
        )
        hint = fetch_police.hint_for_build(outcome, args.params) or (
            "Next: `needs build`, then `needs run`." if outcome.written else None
        )
    for rel in outcome.written:
        log.info("fetched %s", rel)
    if outcome.skipped:
        log.info("%d file(s) already present and verified, skipped", len(outcome.skipped))
    for problem in outcome.problems:
        log.warning("Warning: %s", problem)
    for failure in outcome.failed:
        log.error("Not fetched: %s", failure)
    if hint:
        log.info("%s", hint)
    return 1 if outcome.failed else 0


def _split(text: str | None) -> list[str] | None:
    return [part.strip() for part in text.split(",") if part.strip()] if text else None


if __name__ == "__main__":
    sys.exit(main())
