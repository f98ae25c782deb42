"""Shaping store tables for display in the notebooks: what a stakeholder reads, not raw data."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML, Markdown

from helpers import store

OGL = "Contains public sector information licensed under the Open Government Licence v3.0."
PRIORITY_TITLES = {
    "overview": "Overview",
    "substance_misuse": "Substance misuse (drugs and alcohol)",
    "mental_health": "Mental health",
    "domestic_sexual_violence": "Domestic and sexual violence",
}


def title(priority: str, area_code: str) -> Markdown:
    info = store.build_info()
    return Markdown(
        f"# {PRIORITY_TITLES[priority]}: {store.area_name(area_code)}\n\n"
        f"Community safety and health needs assessment. Data snapshot "
        f"`{info['data_snapshot']}`, store built {info['built_at'][:10]}."
    )


def yearly(indicator_id: str, area_code: str, column: str = "value") -> pd.DataFrame:
    """Areas (rows: the area, the other districts, the county) by period (columns)."""
    frame = store.indicator(indicator_id, store.comparison_areas(area_code))
    wide = frame.pivot_table(
        index="area_name",
        columns="period",
        values=column,
        aggfunc="first",
        dropna=False,
        sort=False,
    )
    order = frame.drop_duplicates("area_code")["area_name"].tolist()
    periods = sorted(frame["period"].unique())
    return wide.reindex(index=order, columns=periods)


def latest(indicator_id: str, area_code: str) -> tuple[str, pd.DataFrame]:
    """The latest period with values, and the rows for the comparison areas in it."""
    frame = store.indicator(indicator_id, store.comparison_areas(area_code))
    period = frame.loc[frame["value"].notna(), "period"].max()
    return period, frame[frame["period"] == period].reset_index(drop=True)


def table(frame: pd.DataFrame, *, caption: str, fmt: str = "{:,.2f}") -> HTML:
    """An accessible HTML table: a caption, header cells with scope, gaps written as words."""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    body = []
    for index, row in frame.iterrows():
        cells = "".join(f"<td>{_cell(v, fmt)}</td>" for v in row)
        body.append(f'<tr><th scope="row">{html.escape(str(index))}</th>{cells}</tr>')
    name = html.escape(str(frame.index.name or frame.columns.name or ""))
    return HTML(
        f'<table class="data"><caption>{html.escape(caption)}</caption>'
        f'<thead><tr><th scope="col">{name}</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _cell(value, fmt: str) -> str:
    if pd.isna(value):
        return "gap"
    return html.escape(fmt.format(value) if isinstance(value, float) else str(value))


def gaps_note(indicator_id: str) -> Markdown:
    """The value notes of an indicator (gaps, substituted denominators), said plainly."""
    frame = store.indicator(indicator_id)
    notes = sorted(frame["value_note"].dropna().unique())
    if not notes:
        return Markdown("")
    return Markdown("**Notes on the data:**\n\n" + "\n".join(f"- {n}" for n in notes))


def sources(indicator_ids: list[str]) -> Markdown:
    lines = []
    for ident in indicator_ids:
        entry = store.compendium_entry(ident)
        lines.append(f"- **{entry['name']}**: {entry['definition']} *Caveats:* {entry['caveats']}")
    return Markdown("\n".join(lines) + f"\n\n{OGL}")
