"""English Indices of Deprivation (MHCLG), two editions: IoD2019 by LSOA 2011 and by district,
and IoD2025 by LSOA 2021 (an R data file) and by district (2024 codes).

The store uses IoD2019 for data on 2011 LSOAs and IoD2025 for data on 2021 LSOAs and for
districts; every decile is named with its edition (EDITION_2019, EDITION_2025)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import rdata

from helpers.core.errors import DataError
from helpers.sources.tabular import RESTORE_FIX, read_csv, require_columns, validate

CODE = r"^E\d{8}$"
DOMAINS = {
    "Index of Multiple Deprivation (IMD)": "imd",
    "Income": "income",
    "Employment": "employment",
    "Education, Skills and Training": "education",
    "Health Deprivation and Disability": "health",
    "Crime": "crime",
    "Barriers to Housing and Services": "housing",
    "Living Environment": "environment",
}


def read_imd_lsoa(path: str | Path) -> pd.DataFrame:
    """IoD2019 File 2: rank and decile (1 = most deprived 10%) of the IMD and its 7 domains by LSOA.

    Columns: lsoa11_code, lsoa11_name, lad19_code, <domain>_rank, <domain>_decile."""
    path = Path(path)
    columns = {
        "LSOA code (2011)": "lsoa11_code",
        "LSOA name (2011)": "lsoa11_name",
        "Local Authority District code (2019)": "lad19_code",
    }
    for name, short in DOMAINS.items():
        columns[f"{name} Rank (where 1 is most deprived)"] = f"{short}_rank"
        columns[f"{name} Decile (where 1 is most deprived 10% of LSOAs)"] = f"{short}_decile"
    frame = read_csv(
        path, required=list(columns), usecols=list(columns), what="IMD 2019 LSOA file"
    ).rename(columns=columns)
    schema = pa.DataFrameSchema(
        {
            "lsoa11_code": pa.Column(str, pa.Check.str_matches(CODE)),
            "lsoa11_name": pa.Column(str),
            "lad19_code": pa.Column(str, pa.Check.str_matches(CODE)),
        }
        | {f"{d}_rank": pa.Column(int, pa.Check.in_range(1, 32844)) for d in DOMAINS.values()}
        | {f"{d}_decile": pa.Column(int, pa.Check.in_range(1, 10)) for d in DOMAINS.values()},
        unique=["lsoa11_code"],
    )
    return validate(frame[list(columns.values())], schema, path=path)


def read_imd_district(path: str | Path) -> pd.DataFrame:
    """IMD 2019 district summaries: average score, proportion of LSOAs in the most deprived 10%,
    extent, and the same by domain. Columns in snake_case, keyed by lad19_code."""
    path = Path(path)
    frame = read_csv(
        path,
        required=["ltla19_code", "Score", "Proportion", "Extent"],
        what="IMD 2019 district summary",
    )
    frame.columns = ["lad19_code"] + [c.lower() for c in frame.columns[1:]]
    schema = pa.DataFrameSchema(
        {
            "lad19_code": pa.Column(str, pa.Check.str_matches(CODE)),
            "score": pa.Column(float, pa.Check.ge(0)),
            "proportion": pa.Column(float, pa.Check.in_range(0, 1)),
            "extent": pa.Column(float, pa.Check.in_range(0, 1)),
        },
        unique=["lad19_code"],
    )
    return validate(frame, schema, path=path)


# --------------------------------------------------------------------------- IoD2025

EDITION_2019 = "IMD 2019"
EDITION_2025 = "IMD 2025"
"""The edition named beside every decile the store holds (MHCLG: compare deciles, not ranks,
between editions, and say which edition was used)."""

LSOAS_2025 = 33755  # IoD2025 ranks England's LSOA 2021s
RDA_DOMAINS = {
    "IMD": "imd",
    "Income": "income",
    "Employment": "employment",
    "Education": "education",
    "Health": "health",
    "Crime": "crime",
    "Housing_and_Services": "housing",
    "Environment": "environment",
}
DISTRICT_DOMAINS_2025 = {
    "Index of Multiple Deprivation": "imd",
    "Income Deprivation": "income",
    "Employment Deprivation": "employment",
    "Education, Skills and Training Deprivation": "education",
    "Health Deprivation and Disability": "health",
    "Crime": "crime",
    "Barriers to Housing and Services": "housing",
    "Living Environment Deprivation": "environment",
    "Income Deprivation Affecting Children": "idaci",
    "Income Deprivation Affecting Older People": "idaopi",
}
# R data frames saved from tibbles carry the classes tbl_df and tbl: read them as data frames
_FRAME = rdata.conversion.DEFAULT_CLASS_MAP["data.frame"]
R_CLASSES = {**rdata.conversion.DEFAULT_CLASS_MAP, "tbl_df": _FRAME, "tbl": _FRAME}
_WHOLE = pa.Check(lambda s: s % 1 == 0, error="whole_number")


def read_r_frame(path: str | Path, name: str, *, what: str) -> pd.DataFrame:
    """The data frame `name` of an R data file (.rda), with a 0-based index, or a DataError
    naming the file, what it holds instead and the fix."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"the {what} is missing", path=path, fix=RESTORE_FIX)
    try:
        with warnings.catch_warnings():  # rdata warns, then guesses, on a file it cannot place
            warnings.simplefilter("error", UserWarning)
            held = rdata.read_rda(path, constructor_dict=R_CLASSES)
    except Exception as exc:  # rdata raises many kinds for a file that is not R data
        raise DataError(
            f"the {what} is not a readable R data file ({type(exc).__name__}: {exc})",
            path=path,
            fix=RESTORE_FIX,
        ) from exc
    frame = held.get(name)
    if not isinstance(frame, pd.DataFrame):
        found = ", ".join(repr(k) for k in held) or "nothing"
        raise DataError(
            f"the {what} holds no data frame {name!r} (it holds {found})",
            path=path,
            fix=f"use the file data/sources.yaml names for {what}s (a data frame {name!r}); "
            + RESTORE_FIX,
        )
    return frame.reset_index(drop=True)


def read_imd2025_lsoa(path: str | Path) -> pd.DataFrame:
    """IoD2025 (MHCLG File 7, as an R data file): the decile (1 = most deprived 10% of England's
    LSOA 2021s), rank (1 = most deprived) and score of the IMD and its 7 domains by LSOA 2021.

    Columns: lsoa21_code, <domain>_decile, <domain>_rank (integers), <domain>_score, with the
    domains named as in IoD2019 (imd, income, employment, education, health, crime, housing,
    environment)."""
    path = Path(path)
    what = "IMD 2025 LSOA file"
    frame = read_r_frame(path, "imd2025_england_lsoa21", what=what)
    columns = {"lsoa21_code": "lsoa21_code"}
    for name, short in RDA_DOMAINS.items():
        for measure in ("decile", "rank", "score"):
            columns[f"{name}_{measure}"] = f"{short}_{measure}"
    require_columns(frame.columns, list(columns), path=path, what=what)
    frame = frame[list(columns)].rename(columns=columns)
    frame["lsoa21_code"] = frame["lsoa21_code"].astype(object)
    domains = RDA_DOMAINS.values()
    schema = pa.DataFrameSchema(
        {"lsoa21_code": pa.Column(str, pa.Check.str_matches(r"^E01\d{6}$"), unique=True)}
        | {f"{d}_decile": pa.Column(float, [pa.Check.in_range(1, 10), _WHOLE]) for d in domains}
        | {
            f"{d}_rank": pa.Column(float, [pa.Check.in_range(1, LSOAS_2025), _WHOLE])
            for d in domains
        }
        | {f"{d}_score": pa.Column(float) for d in domains},
        coerce=True,
        unique=["imd_rank"],  # every IMD rank once (a domain's equal scores share a rank)
    )
    frame = validate(frame, schema, path=path)
    whole = [c for c in frame.columns if c.endswith(("_decile", "_rank"))]
    return frame.astype(dict.fromkeys(whole, "int64"))


def read_imd2025_district(path: str | Path) -> pd.DataFrame:
    """IoD2025 district summaries (MHCLG File 10, long CSV): for each district (2024 codes) and
    index, the average rank, average score and proportion of its LSOAs in England's most
    deprived 10%, each with its rank among England's districts (1 = most deprived).

    Columns: lad_code, lad_name, domain (imd, the 7 domains, idaci, idaopi), average_rank,
    rank_average_rank, average_score, rank_average_score, proportion_bottom_decile,
    rank_proportion_bottom_decile."""
    path = Path(path)
    what = "IMD 2025 district summary"
    measures = [
        "average_rank",
        "rank_average_rank",
        "average_score",
        "rank_average_score",
        "proportion_bottom_decile",
        "rank_proportion_bottom_decile",
    ]
    frame = read_csv(
        path, required=["area_code", "area_name", "index_domain", *measures], what=what
    )
    frame = frame.rename(columns={"area_code": "lad_code", "area_name": "lad_name"})
    unknown = sorted(set(frame["index_domain"].dropna()) - set(DISTRICT_DOMAINS_2025))
    if unknown:
        raise DataError(
            f"the {what} names an index it should not: {', '.join(map(repr, unknown))}",
            path=path,
            fix=f"index_domain must be one of {', '.join(DISTRICT_DOMAINS_2025)}; {RESTORE_FIX}",
        )
    frame["domain"] = frame["index_domain"].map(DISTRICT_DOMAINS_2025)
    if not (frame["domain"] == "imd").any():
        raise DataError(
            f"the {what} has no 'Index of Multiple Deprivation' rows",
            path=path,
            fix=RESTORE_FIX,
        )
    frame = frame[["lad_code", "lad_name", "domain", *measures]]
    ranks = [m for m in measures if m.startswith("rank_")]
    schema = pa.DataFrameSchema(
        {
            "lad_code": pa.Column(str, pa.Check.str_matches(CODE)),
            "lad_name": pa.Column(str),
            "domain": pa.Column(str),
            "average_rank": pa.Column(float, pa.Check.in_range(1, LSOAS_2025)),
            "average_score": pa.Column(float),
            "proportion_bottom_decile": pa.Column(float, pa.Check.in_range(0, 1)),
        }
        | {r: pa.Column(int, pa.Check.ge(1)) for r in ranks},
        unique=["lad_code", "domain"],
    )
    return validate(frame, schema, path=path)
