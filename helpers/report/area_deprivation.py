"""District deprivation for the overview: the English Indices of Deprivation 2025 district
summaries (rank among England's districts, average score), and the share of each district's
neighbourhoods in England's most deprived tenth in IMD 2025 beside IMD 2019. MHCLG advises
comparing deciles, not ranks, between editions, so only the decile shares are set side by side.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from helpers.build import deprivation, store
from helpers.report import html_tables, markup
from helpers.report.markup import Markup

NO_DISTRICTS = (
    "The English Indices of Deprivation 2025 district summaries do not cover this area's "
    "districts in the data."
)
NOTE = (
    "Ranks are among England's districts and unitary authorities (1 = most deprived) and "
    "only compare areas with each other within one edition. IMD 2019 ranked 2011 "
    "neighbourhoods and IMD 2025 ranks 2021 ones, and some indicators changed, so MHCLG advises "
    "comparing deciles, not ranks, between editions: the last two columns compare the share of "
    "neighbourhoods in England's most deprived tenth."
)


def rows(district_table: pd.DataFrame, lsoas: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    """One row per area code (in order) that the IMD 2025 summaries cover: its rank of average
    rank and of how many, its average score, and for each edition how many of its
    neighbourhoods are in national decile 1, of how many."""
    imd = district_table[district_table["domain"] == "imd"].set_index("lad_code")
    of = len(imd)
    out = []
    for code in codes:
        if code not in imd.index:
            continue
        row = {
            "area_code": code,
            "area_name": imd.at[code, "lad_name"],
            "rank": int(imd.at[code, "rank_average_rank"]),
            "of": of,
            "average_score": float(imd.at[code, "average_score"]),
        }
        for edition, key in (
            (deprivation.EDITION_2025, "2025"),
            (deprivation.EDITION_2019, "2019"),
        ):
            mine = lsoas[(lsoas["lad_code"] == code) & (lsoas["imd_edition"] == edition)]
            row[f"deciles_{key}"] = (int((mine["imd_decile"] == 1).sum()), len(mine))
        out.append(row)
    return pd.DataFrame(out)


def sentence(row: pd.Series) -> Markup:
    """'In the English Indices of Deprivation 2025, <district> ranks 100th of 296 ...'."""
    from helpers import stats

    now, then = row["deciles_2025"], row["deciles_2019"]
    return markup.paragraph(
        Markup(
            "In the English Indices of Deprivation 2025 (IMD 2025), {} ranks {} of {} English "
            "districts and unitary authorities (1st is the most deprived), with an average "
            "score of {}. {} of its {} neighbourhoods are in England's most deprived tenth "
            "({}), against {} of {} in IMD 2019 ({})."
        ).format(
            row["area_name"],
            stats.ordinal(int(row["rank"])),
            row["of"],
            f"{row['average_score']:.1f}",
            now[0],
            now[1],
            _share(now),
            then[0],
            then[1],
            _share(then),
        )
    )


def table(frame: pd.DataFrame) -> str:
    shown = pd.DataFrame(
        {
            "Area": frame["area_name"],
            f"IMD 2025 rank (of {frame['of'].iloc[0]})": frame["rank"],
            "IMD 2025 average score": frame["average_score"].map("{:.1f}".format),
            "Most deprived tenth, IMD 2025": frame["deciles_2025"].map(_count_share),
            "Most deprived tenth, IMD 2019": frame["deciles_2019"].map(_count_share),
        }
    ).set_index("Area")
    return html_tables.html_table(
        shown,
        caption="Deprivation by district: IMD 2025 rank and score, and neighbourhoods in "
        "England's most deprived tenth in each edition",
    ) + str(markup.paragraph(NOTE))


def view(area_code: str, codes: Sequence[str]) -> tuple[pd.Series | None, pd.DataFrame]:
    """(the report area's own row or None, the rows of `codes`) from the store."""
    frame = rows(store.load("deprivation_district"), store.load("lsoas"), codes)
    own = frame[frame["area_code"] == area_code]
    return (own.iloc[0] if len(own) else None), frame


def _share(pair: tuple[int, int]) -> str:
    count, total = pair
    return f"{count / total * 100:.1f}%" if total else "no neighbourhoods"


def _count_share(pair: tuple[int, int]) -> str:
    return f"{pair[0]} of {pair[1]} ({_share(pair)})" if pair[1] else "no data"
