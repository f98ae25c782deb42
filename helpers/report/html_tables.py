"""Accessible HTML tables for the reports and the index page: captions, header cells with
scope, gaps and suppressed figures in words, comparison colours always with their word."""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

from helpers.report import palette
from helpers.stats import disclosure


def html_table(frame: pd.DataFrame, *, caption: str, counts: Sequence[str] = ()) -> str:
    """An accessible table: a caption, header cells with scope, text cells as given. The
    `counts` columns are checked last: a count of 1 to 4 in them is refused, not published."""
    for column in counts:
        disclosure.check_no_small_text(frame[column], column)
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    body = "".join(
        f'<tr><th scope="row">{html.escape(str(idx))}</th>'
        + "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
        + "</tr>"
        for idx, row in zip(frame.index, frame.itertuples(index=False), strict=True)
    )
    return scrollable(
        f'<table class="data"><caption>{html.escape(caption)}</caption><thead><tr>'
        f'<th scope="col">{html.escape(str(frame.index.name or ""))}</th>{head}</tr>'
        f"</thead><tbody>{body}</tbody></table>",
        caption,
    )


def tiles(tiles: list[tuple[str, str]]) -> str:
    cells = []
    for name, outcome in tiles:
        bg, fg = palette.OUTCOME_COLOURS[outcome], palette.OUTCOME_TEXT[outcome]
        cells.append(
            f'<li class="tile" style="background:{bg};color:{fg};border:1px solid '
            f'#555;padding:6px 10px;margin:4px;border-radius:4px;display:inline-block">'
            f"<strong>{palette.OUTCOME_WORDS[outcome]}</strong> · {html.escape(name)}"
            "</li>"
        )
    return (
        '<ul class="tiles" aria-label="How the latest figures compare">' + "".join(cells) + "</ul>"
    )


def rug_html(table: pd.DataFrame) -> str:
    areas = [c for c in table.columns if c not in ("indicator", "period", "compared_with")]
    head = "".join(f'<th scope="col">{html.escape(a)}</th>' for a in areas)
    body = []
    for _, row in table.iterrows():
        cells = []
        for a in areas:
            value, outcome, suppressed = row[a]
            bg, fg = palette.OUTCOME_COLOURS[outcome], palette.OUTCOME_TEXT[outcome]
            shown = disclosure.display(value, suppressed=suppressed, fmt="{:,.1f}")
            word = palette.OUTCOME_WORDS[outcome] if outcome != "not compared" else ""
            cells.append(
                f'<td style="background:{bg};color:{fg}">{shown}'
                f"{'<br><small>' + word + '</small>' if word else ''}</td>"
            )
        body.append(
            f'<tr><th scope="row">{html.escape(row["indicator"])}<br><small>'
            f"{html.escape(row['period'])}, " + _compared_words(row["compared_with"]) + "</small>"
            "</th>" + "".join(cells) + "</tr>"
        )
    return scrollable(
        f'<table class="data rug"><caption>Indicators across areas: each cell shows the '
        f"latest value and, in words and colour, how it compares</caption><thead><tr>"
        f'<th scope="col">Indicator</th>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
        "</table>",
        "Indicators across areas",
    )


def _compared_words(benchmark: object) -> str:
    # None becomes NaN inside a DataFrame, and NaN is truthy
    if isinstance(benchmark, str) and benchmark:
        return f"compared with {benchmark}"
    return "no statistical comparison"


def then_now_html(frame: pd.DataFrame, county: str, district: str | None = None) -> str:
    """The then-and-now table; in a district's report each figure today is followed by the
    district's own, where the source has one."""
    rows = []
    for r in frame.itertuples():
        then = []
        for t in r.then:
            when = "" if t["period"] == "as reported in 2017" else f"{t['period']}: "
            text = when + _figure(t["value"], t["unit"])
            if pd.notna(t["england_value"]):
                text += f" (England {_figure(t['england_value'], t['unit'])})"
            if isinstance(t["comparison_as_reported"], str):
                text += f", {t['comparison_as_reported']}"
            if len({x["indicator"] for x in r.then}) > 1:
                text = f"{t['indicator']}: {text}"
            then.append(html.escape(text))
        if isinstance(r.now, dict):
            counts = all(t["unit"] == "count" for t in r.then)
            now = f"{r.now['period']}: {_now_value(r.now, counts)} ({r.geography_now})"
            if district and isinstance(r.district_now, dict):
                now += f"; {district}: {_now_value(r.district_now, counts)}"
            elif district:
                now += f"; no figure for {district} on its own"
            what = r.indicator_now
        elif isinstance(r.indicator_now, str):
            now, what = f"not available: {r.geography_now}", r.indicator_now
            if district and isinstance(r.district_now, dict):
                counts = all(t["unit"] == "count" for t in r.then)
                now = (
                    f"{r.district_now['period']}: {district} {_now_value(r.district_now, counts)}"
                    " (no county figure in the source)"
                )
        else:
            now, what = "gap: no open figure", f"Could come from: {r.gap}"
        rows.append(
            f'<tr><th scope="row">{html.escape(r.item)}. '
            f"{html.escape(r.indicator_2017)}</th><td>{'<br>'.join(then)}</td>"
            f"<td>{html.escape(now)}</td><td>{html.escape(what.replace('`', ''))}</td>"
            "</tr>"
        )
    return scrollable(
        '<table class="data text"><caption>Then and now: the 2017 headline figures for '
        f"{html.escape(county)} beside the nearest open figure today</caption><thead><tr>"
        '<th scope="col">2017 item</th><th scope="col">Then (as reported in 2017)</th>'
        '<th scope="col">Now</th><th scope="col">Today\'s indicator, or where the data could '
        f"come from</th></tr></thead><tbody>{''.join(rows)}</tbody></table>",
        "Then and now",
    )


def _now_value(now: dict, counts: bool) -> str:
    """A figure today: a count where 2017 gave counts, else the rate with its unit."""
    if counts and pd.notna(now["count"]):
        return disclosure.display(now["count"], suppressed=now["suppressed"], is_count=True)
    shown = disclosure.display(now["value"], suppressed=now["suppressed"], fmt="{:,.2f}")
    return f"{shown} {now['unit']}"


def _figure(value: float, unit: str) -> str:
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "%":
        return f"{value:,.1f}%"
    return f"{value:,.1f} {unit.replace('per 100000', 'per 100,000')}"


def scrollable(table_html: str, label: str) -> str:
    """Wide tables scroll sideways inside a focusable region, so keyboard users can scroll too."""
    return (
        f'<div class="scroll" role="region" tabindex="0" aria-label="{html.escape(label)}">'
        f"{table_html}</div>"
    )
