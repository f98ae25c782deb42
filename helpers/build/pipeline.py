"""`needs build`: data/raw -> data/processed (the tidy store), validated, incremental and atomic.

Heavy work (reading raw files, joining lookups, computing rates) happens here, once. Notebooks
only read the store. Nothing here imports matplotlib or seaborn.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers.build import (
    benchmarks,
    csp_values,
    deprivation,
    links_table,
    police_counts,
    police_inequality,
    police_summaries,
    populations,
    protection,
    writing,
)
from helpers.build import indicators as indicator_values
from helpers.core import config, paths
from helpers.core.errors import DataError
from helpers.sources import (
    baseline_2017,
    boundaries,
    compendium,
    geography,
    imd,
    manifest,
    places,
    police_forces,
    police_uk,
    population,
)

log = logging.getLogger(__name__)


@dataclass
class BuildResult:
    status: str  # "built" or "up to date"
    processed: Path
    info: dict = field(default_factory=dict)


BOUNDARIES = "Local_Authority_Districts_December_2019_UK_BUC.geojson"
LSOA_POPULATION = "population/population20_lsoa11.rda"


def build(
    raw: Path | None = None,
    processed: Path | None = None,
    *,
    force: bool = False,
    params: Path | None = None,
    compendium_file: Path | None = None,
    partner: Path | None = None,
) -> BuildResult:
    """Build the store if anything it depends on changed (or `force`).

    Defaults: data/raw (with data/sources.yaml beside it), data/processed, params/,
    data/compendium.yaml and data/partner/. Tests point these at a small real subset."""
    raw = Path(raw or paths.raw_dir())
    partner = Path(partner or raw.parent / "partner")
    processed = Path(processed or paths.processed_dir())
    params = Path(params or paths.PARAMS)
    compendium_file = Path(compendium_file or compendium.default_path())
    forces_file = police_forces.default_path()
    writing.recover(processed)
    started = time.perf_counter()
    manifest_file = paths.manifest_path(raw)
    sources = manifest.verify(raw, manifest_file)
    fingerprint = writing.fingerprint(
        manifest_file, [compendium_file, compendium.fetched_path(raw), forces_file], params, partner
    )
    previous = writing.read_info(processed)
    if not force and previous.get("fingerprint") == fingerprint:
        log.info("The store is up to date (%s); nothing to do. Use --force to rebuild.", processed)
        return BuildResult("up to date", processed, previous)

    tables, info = _assemble(raw, params, compendium_file, partner, forces_file)
    info |= {
        "fingerprint": fingerprint,
        "store_version": writing.STORE_VERSION,
        "built_at": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
        "data_snapshot": writing.snapshot_id(sources),
        "seconds": round(time.perf_counter() - started, 2),
    }
    writing.write_atomically(processed, tables, info)
    log.info("Built the store in %.1f s: %s", info["seconds"], processed)
    return BuildResult("built", processed, info)


# --------------------------------------------------------------------------- assembling


def _assemble(
    raw: Path, params: Path, compendium_file: Path, partner: Path, forces_file: Path
) -> tuple[dict, dict]:
    build_cfg = config.load_params("build", params)
    fetched = compendium.fetched_path(raw)
    indicators = compendium.load(compendium_file, fetched)
    pairs, unanswered = links_table.read_pairs(params, {e["id"]: e for e in indicators})
    info: dict = {}

    log.info("Reading geography lookups")
    lookups = raw / "lookups"
    read = {
        "lsoa11": geography.read_lsoa11_lookup,
        "lsoa21": geography.read_lsoa21_lookup,
        "lsoa11_21": geography.read_lsoa11_to_lsoa21,
        "lad_county": geography.read_lad_county,
        "lad_region": geography.read_lad_region,
        "lad_pfa": geography.read_lad_csp_pfa,
    }
    lookup = {key: reader(lookups / places.FILES[key]) for key, reader in read.items()}
    national = places.build_places(**lookup)
    areas = _named_forces(national.areas, police_forces.read_police_forces(forces_file))
    changes = places.describe_changes(national)
    log.info(
        "%d current areas; %d retired codes mapped to their successors:", len(areas), len(changes)
    )
    for line in changes:
        log.info("  %s", line)
    info["areas"] = areas["area_type"].value_counts().sort_index().to_dict()
    info["code_changes"] = changes
    lsoa11, lsoa21 = lookup["lsoa11"], lookup["lsoa21"]

    log.info("Reading police.uk street-level files")
    forces = areas[areas["tier"] == "force"]
    force_codes = dict(
        zip(forces["area_name"].map(police_uk.force_key), forces["area_code"], strict=True)
    )
    crimes, coverage, type_gaps, police_info = police_counts.count_crimes(
        raw / "police_uk" / "street", build_cfg, lsoa11, lsoa21, force_codes
    )
    info["police"] = police_info
    groups = police_summaries.police_groups(areas, coverage["pfa_code"].unique())

    log.info("Reading population estimates")
    pop, pop_info = populations.assemble(raw, build_cfg, areas, needed=set(groups))
    info["population"] = pop_info

    log.info("Reading deprivation (IMD 2019 for 2011 LSOAs, IMD 2025 for 2021 LSOAs and districts)")
    dep_lsoa = imd.read_imd_lsoa(raw / "imd" / "IoD2019_File2_domains_LSOA.csv.gz")
    dep2025 = imd.read_imd2025_lsoa(raw / "imd" / "imd2025_england_lsoa21.rda")
    dep_district = imd.read_imd2025_district(raw / "imd" / "indices_of_deprivation_2025_lad.csv")
    lsoas = deprivation.lsoa_deprivation(lsoa11, lsoa21, dep_lsoa, dep2025)

    log.info("Computing indicator values")
    values = indicator_values.build_values(
        indicators=indicators,
        raw=raw,
        crimes=crimes,
        coverage=coverage,
        type_gaps=type_gaps,
        police_groups=groups,
        population=pop,
        areas=areas,
        build_cfg=build_cfg,
        partner=partner,
        names=_area_names(lsoa11, lsoa21, lookup["lad_county"], lookup["lad_region"], areas),
        csp_lookup=lookup["lad_pfa"],
    )

    lsoa_counts = police_summaries.lsoa_year(crimes, lsoas, type_gaps, groups)
    # the manifest check has verified the file if it is there; a snapshot without it has no
    # rates per resident by decile, and the tables say so
    sape = raw / LSOA_POPULATION
    residents = None
    if sape.exists():
        log.info("Reading the mid-2020 LSOA populations (rates per resident by decile)")
        residents = population.read_sape_lsoa11(sape)
    tables = {
        "areas": areas,
        "area_changes": national.changes,
        "police_monthly": police_summaries.monthly(crimes, coverage, type_gaps, groups),
        "police_lsoa_year": lsoa_counts,
        "police_deprivation": police_summaries.deprivation(
            lsoa_counts, lsoas, coverage, type_gaps, groups, residents
        ),
        "police_crimes": crimes,
        "police_months": coverage,
        "police_type_gaps": type_gaps,
        "shared_csps": csp_values.shared_csps(lookup["lad_pfa"], areas),
        "population": pop,
        "indicator_values": values,
        "deprivation_lsoa": dep_lsoa,
        "deprivation_district": deprivation.district_deprivation(dep_district),
        "lsoas": lsoas,
        "compendium": compendium.to_frame(indicators),
        "gaps": indicator_values.open_gaps(compendium.load_gaps(compendium_file, fetched), values),
        "baseline_2017": _baseline(raw, build_cfg),
    }
    log.info("Disclosure control: primary and secondary suppression")
    crime_types = protection.police_crime_types(indicators)
    tables = protection.mark(tables, crime_types)
    # after the marking: no rate where a count is hidden, and no SII where a decile is
    tables["police_deprivation"] = police_summaries.hide_rates(tables["police_deprivation"])
    tables["police_inequality"] = police_inequality.police_inequality(tables["police_deprivation"])
    info["disclosure"] = {  # the audit after `needs run` rebuilds the groups from these
        "police_crime_types": crime_types,
        "suppressed_cells": {n: int(tables[n]["suppressed"].sum()) for n in protection.TABLES},
    }
    tables["boundaries.geojson"] = boundaries.read_boundaries(
        raw / "boundaries" / BOUNDARIES, areas, national.changes
    )
    log.info("Links between crime and health across England (%d pairs)", len(pairs))
    links_table.check_periods(pairs, tables["indicator_values"], params / "links.yaml")
    points = links_table.link_points(
        tables["indicator_values"], areas, tables["deprivation_district"], pairs
    )
    tables["link_points"] = points
    tables["link_figures"] = links_table.link_figures(points, pairs)
    tables["link_questions"] = links_table.unanswered_frame(unanswered)
    log.info("England ranks and statistical neighbours")
    tables["england_ranks"] = benchmarks.england_ranks(
        tables["indicator_values"], areas, indicators
    )
    features = benchmarks.neighbour_features(areas, pop, lsoas, tables["boundaries.geojson"])
    tables["neighbour_features"] = features.reset_index()
    tables["neighbours"] = benchmarks.statistical_neighbours(features, areas)
    info["indicators"] = int(values["indicator_id"].nunique())
    info["indicator_rows"] = len(values)
    return tables, info


def _named_forces(areas: pd.DataFrame, forces: pd.DataFrame) -> pd.DataFrame:
    """Police force areas named as the force names itself on police.uk ('<area> Police',
    '<area> Constabulary'), as reports speak of them, with the force's police.uk id."""
    by_code = forces.set_index("pfa_code")
    areas = areas.copy()
    force = areas["tier"] == "force"
    codes = areas.loc[force, "area_code"]
    unknown = sorted(set(codes) - set(by_code.index))
    if unknown:
        raise DataError(
            f"no police force for {', '.join(unknown)} in the force table",
            path=police_forces.default_path(),
            fix="add the force's row (pfa_code, pfa_name, police_uk_id, falls_within)",
        )
    areas.loc[force, "area_name"] = codes.map(by_code["falls_within"])
    areas["police_uk_id"] = areas["area_code"].map(by_code["police_uk_id"])
    return areas


def _baseline(raw: Path, build_cfg: dict) -> pd.DataFrame:
    """The earlier assessment's headline figures (params/build.yaml names the file)."""
    rel = (build_cfg.get("baseline") or {}).get("file")
    if not rel:
        return baseline_2017.read_baseline_2017(None)
    return baseline_2017.read_baseline_2017(raw / rel)


def _area_names(lsoa11, lsoa21, lad_county, lad_region, areas) -> dict[str, str]:
    """Names for every code a source may use, current or retired (the areas table last)."""
    names = dict(zip(lsoa11["lad_code"], lsoa11["lad_name"], strict=False))
    names |= dict(zip(lsoa21["lad_code"], lsoa21["lad_name"], strict=False))
    names |= dict(zip(lad_county["county_code"], lad_county["county_name"], strict=False))
    names |= dict(zip(lad_region["lad_code"], lad_region["lad_name"], strict=False))
    names |= dict(zip(areas["area_code"], areas["area_name"], strict=True))
    return names
