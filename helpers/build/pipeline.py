"""`needs build`: data/raw -> data/processed (the tidy store), validated, incremental and atomic.

Heavy work (reading raw files, joining lookups, computing rates) happens here, once. Notebooks
only read the store. Nothing here imports matplotlib or seaborn.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.build import police_counts, protection, writing
from helpers.core import config, paths
from helpers.core.errors import DataError
from helpers.sources import (
    baseline_2017,
    boundaries,
    compendium,
    geography,
    imd,
    manifest,
    population,
)

log = logging.getLogger(__name__)

IMD_LSOAS = 32844


@dataclass
class BuildResult:
    status: str  # "built" or "up to date"
    processed: Path
    info: dict = field(default_factory=dict)


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
    writing.recover(processed)
    started = time.perf_counter()
    manifest_file = paths.manifest_path(raw)
    sources = manifest.verify(raw, manifest_file)
    fingerprint = writing.fingerprint(
        manifest_file, [compendium_file, compendium.fetched_path(raw)], params, partner
    )
    previous = writing.read_info(processed)
    if not force and previous.get("fingerprint") == fingerprint:
        log.info("The store is up to date (%s); nothing to do. Use --force to rebuild.", processed)
        return BuildResult("up to date", processed, previous)

    tables, info = _assemble(raw, params, compendium_file, partner)
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


def _assemble(raw: Path, params: Path, compendium_file: Path, partner: Path) -> tuple[dict, dict]:
    areas_cfg = config.areas(params)
    build_cfg = config.load_params("build", params)
    fetched = compendium.fetched_path(raw)
    indicators = compendium.load(compendium_file, fetched)
    info: dict = {}

    log.info("Reading geography lookups")
    lookups = raw / "lookups"
    lsoa11 = geography.read_lsoa11_lookup(lookups / "LSOA11_MSOA11_LAD17_RGN_lookup.csv.gz")
    lsoa21 = geography.read_lsoa21_lookup(lookups / "LSOA21_Ward24_LAD24_lookup_EW.csv.gz")
    lsoa11_21 = geography.read_lsoa11_to_lsoa21(lookups / "LSOA11_LSOA21_LAD22_lookup_EW.csv.gz")
    lad_county = geography.read_lad_county(lookups / "LAD19_to_County19_lookup_England_Apr2019.csv")
    lad_region = geography.read_lad_region(lookups / "LAD18_to_Region18_lookup_England.csv")
    lad_pfa = geography.read_lad_csp_pfa(lookups / "LAD24_CSP24_PFA24_lookup_EW.csv")
    areas = _areas(areas_cfg, lad_county, lad_region, lad_pfa)

    log.info("Reading police.uk street-level files")
    force = areas.set_index("area_code").at[areas_cfg.force_area, "area_name"]
    crimes, coverage, police_info = police_counts.count_crimes(
        raw / "police_uk" / "street", build_cfg, lsoa11, lsoa21, force=force
    )
    info["police"] = police_info

    log.info("Reading population estimates")
    pop, pop_info = _population(raw, build_cfg, areas, areas_cfg)
    info["population"] = pop_info

    log.info("Reading deprivation (IMD 2019)")
    dep_lsoa = imd.read_imd_lsoa(raw / "imd" / "IoD2019_File2_domains_LSOA.csv.gz")
    dep_district = imd.read_imd_district(raw / "imd" / "IMD2019_LAD19_summary_scores.csv")
    lsoas = _lsoas(lsoa11, lsoa21, lsoa11_21, dep_lsoa)

    log.info("Computing indicator values")
    from helpers.build import indicators as indicator_values

    values = indicator_values.build_values(
        indicators=indicators,
        raw=raw,
        crimes=crimes,
        coverage=coverage,
        population=pop,
        areas=areas,
        areas_cfg=areas_cfg,
        build_cfg=build_cfg,
        partner=partner,
        names=_area_names(lsoa11, lsoa21, lad_pfa, lad_county, lad_region, areas),
    )

    from helpers.build import police_summaries

    lsoa_counts = police_summaries.lsoa_year(crimes, lsoas, areas_cfg)
    tables = {
        "areas": areas,
        "police_monthly": police_summaries.monthly(crimes, coverage, areas_cfg),
        "police_lsoa_year": lsoa_counts,
        "police_deprivation": police_summaries.deprivation(lsoa_counts, lsoas, coverage, areas_cfg),
        "police_crimes": crimes,
        "police_months": coverage,
        "population": pop,
        "indicator_values": values,
        "deprivation_lsoa": dep_lsoa,
        "deprivation_district": dep_district,
        "lsoas": lsoas,
        "compendium": compendium.to_frame(indicators),
        "gaps": pd.DataFrame(compendium.load_gaps(compendium_file, fetched)).assign(
            baseline_2017=lambda f: f["baseline_2017"].map(", ".join)
        ),
        "baseline_2017": baseline_2017.read_baseline_2017(
            raw / "seed_2017" / "leicestershire_2017_headline_figures.csv"
        ),
    }
    log.info("Disclosure control: primary and secondary suppression")
    crime_types = protection.police_crime_types(indicators)
    tables = protection.mark(tables, crime_types)
    info["disclosure"] = {  # the audit after `needs run` rebuilds the groups from these
        "police_crime_types": crime_types,
        "suppressed_cells": {n: int(tables[n]["suppressed"].sum()) for n in protection.TABLES},
    }
    district_codes = list(areas_cfg.force_districts)
    tables["boundaries.geojson"] = boundaries.read_district_boundaries(
        raw / "boundaries" / "LLR_Leicestershire_Leicester_Rutland_LAD_Dec2019_BUC.geojson",
        district_codes,
    )
    info["indicators"] = int(values["indicator_id"].nunique())
    info["indicator_rows"] = len(values)
    return tables, info


def _areas(cfg: config.Areas, lad_county, lad_region, lad_pfa) -> pd.DataFrame:
    """The assessment's areas with their parents (county, region, CSP, force area, England)."""
    names = dict(zip(lad_region["lad_code"], lad_region["lad_name"], strict=True))
    names |= dict(zip(lad_county["county_code"], lad_county["county_name"], strict=False))
    names |= dict(zip(lad_pfa["pfa_code"], lad_pfa["pfa_name"] + " Police", strict=False))
    names |= dict(zip(lad_region["region_code"], lad_region["region_name"], strict=False))
    names[cfg.england] = "England"
    county_of = dict(zip(lad_county["lad_code"], lad_county["county_code"], strict=True))
    region_of = dict(zip(lad_region["lad_code"], lad_region["region_code"], strict=True))
    pfa_of = dict(zip(lad_pfa["lad_code"], lad_pfa["pfa_code"], strict=False))
    csp_of = dict(zip(lad_pfa["lad_code"], lad_pfa["csp_code"], strict=False))
    rows = []

    def add(code, area_type, **parents):
        if code not in names:
            raise DataError(
                f"area {code} is in no lookup",
                path=paths.PARAMS / "areas.yaml",
                fix="check the code in params/areas.yaml",
            )
        rows.append({"area_code": code, "area_name": names[code], "area_type": area_type} | parents)

    add(cfg.england, "Country")
    add(cfg.region, "Region", england_code=cfg.england)
    add(cfg.force_area, "Police force area", england_code=cfg.england)
    add(
        cfg.county,
        "County",
        region_code=cfg.region,
        pfa_code=cfg.force_area,
        england_code=cfg.england,
    )
    for code in cfg.districts:
        add(
            code,
            "District",
            county_code=county_of.get(code),
            region_code=region_of.get(code),
            pfa_code=pfa_of.get(code),
            csp_code=csp_of.get(code),
            england_code=cfg.england,
        )
    for code in cfg.force_unitaries:
        add(
            code,
            "Unitary authority",
            region_code=region_of.get(code),
            pfa_code=pfa_of.get(code),
            csp_code=csp_of.get(code),
            england_code=cfg.england,
        )
    frame = pd.DataFrame(rows)
    for col in ("county_code", "region_code", "pfa_code", "csp_code", "england_code"):
        if col not in frame:
            frame[col] = None
    frame["is_report_area"] = frame["area_code"].isin(cfg.report_areas)
    return frame


def _area_names(lsoa11, lsoa21, lad_pfa, lad_county, lad_region, areas) -> dict[str, str]:
    names = dict(zip(lsoa11["lad_code"], lsoa11["lad_name"], strict=False))
    names |= dict(zip(lsoa21["lad_code"], lsoa21["lad_name"], strict=False))
    names |= dict(zip(lad_county["county_code"], lad_county["county_name"], strict=False))
    names |= dict(zip(lad_region["lad_code"], lad_region["lad_name"], strict=False))
    names |= dict(zip(areas["area_code"], areas["area_name"], strict=True))
    return names


# --------------------------------------------------------------------------- population


def _population(raw: Path, cfg: dict, areas: pd.DataFrame, areas_cfg: config.Areas):
    pop_cfg = cfg.get("population") or {}
    series_cfg = pop_cfg.get("series") or {}
    year_for = {int(k): int(v) for k, v in (pop_cfg.get("year_for") or {}).items()}
    police = cfg.get("police", {})
    first_year = int(str(police.get("first_month", "2019-12"))[:4])
    last_year = int(str(police.get("last_month", "2024-12"))[:4])
    needed = sorted({year_for.get(y, y) for y in range(first_year, last_year + 1)})
    series = population.read_mye_series_by_name(raw / series_cfg["file"], years=needed)

    # The series has names only: match on name and geography to the assessment's areas.
    key = series["name"].str.casefold()
    codes = {
        name.casefold(): code
        for code, name in zip(areas["area_code"], areas["area_name"], strict=True)
    }
    series["area_code"] = key.map(codes)
    ours = series[series["area_code"].notna()].copy()
    found = set(ours["area_code"])
    # The force area is not a row of its own: it is the sum of its local authorities.
    parts = ours[ours["area_code"].isin([areas_cfg.county, *areas_cfg.force_unitaries])]
    if len(set(parts["area_code"])) == 1 + len(areas_cfg.force_unitaries):
        force = parts.groupby("year", as_index=False)["population"].sum()
        force["area_code"] = areas_cfg.force_area
        ours = pd.concat([ours, force], ignore_index=True)
        found.add(areas_cfg.force_area)
    missing = sorted(set(areas["area_code"]) - found)
    if missing:
        raise DataError(
            f"the population series has no row for {', '.join(missing)}",
            path=raw / series_cfg["file"],
            fix="use a series that names every area in params/areas.yaml",
        )
    ours = ours.assign(sex="Persons", age="all", release=series_cfg["release"])
    frames = [ours[population.OUT_COLUMNS]]
    for item in pop_cfg.get("age_sex") or []:
        reader = population.read_mye_wide if "ltla21" in item["file"] else population.read_mye_long
        frame = reader(raw / item["file"], year=int(item["year"]), release=item["release"])
        frames.append(frame[frame["area_code"].str.startswith("E")])
    pop = pd.concat(frames, ignore_index=True)
    info = {
        "denominator_release": series_cfg["release"],
        "denominator_years": needed,
        "year_for": {str(k): v for k, v in year_for.items()},
        "age_sex_releases": {str(i["year"]): i["release"] for i in pop_cfg.get("age_sex") or []},
    }
    return pop, info


# --------------------------------------------------------------------------- LSOAs


def _lsoas(lsoa11, lsoa21, lsoa11_21, dep_lsoa) -> pd.DataFrame:
    """Every LSOA of both vintages with its district and IMD 2019 decile.

    IMD 2019 is published for 2011 LSOAs. A 2021 LSOA takes the mean IMD rank of its 2011
    parents (one parent for unchanged and split LSOAs), turned into a national decile."""
    rank11 = dict(zip(dep_lsoa["lsoa11_code"], dep_lsoa["imd_rank"], strict=True))
    old = lsoa11[lsoa11["lsoa_code"].str.startswith("E")].assign(vintage="2011")
    old["imd_rank"] = old["lsoa_code"].map(rank11)
    parents = lsoa11_21.assign(rank=lsoa11_21["lsoa11_code"].map(rank11))
    rank21 = parents.groupby("lsoa21_code")["rank"].mean()
    new = lsoa21[lsoa21["lsoa_code"].str.startswith("E")].assign(vintage="2021")
    new["imd_rank"] = new["lsoa_code"].map(rank21)
    frame = pd.concat([old, new], ignore_index=True)
    frame["imd_decile"] = np.ceil(frame["imd_rank"] / (IMD_LSOAS / 10)).clip(1, 10).astype("Int64")
    return frame[
        ["lsoa_code", "lsoa_name", "vintage", "lad_code", "lad_name", "imd_rank", "imd_decile"]
    ]
