"""Trends over time: one line per area with its confidence band, gaps where a period is not
published, and the recent-trend marker."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from helpers.core import periods as period_labels
from helpers.report.charts.parts import (
    finish,
    flags,
    gc_paused,
    guard,
    new_figure,
    numbers,
    require_columns,
    runs_of,
    thousands,
    wrap,
)
from helpers.report.charts.theme import (
    GAP_FILL,
    HIGHLIGHT,
    MARKERS,
    MUTED,
    OTHER,
    PALETTE,
    SUPPRESSED,
)

# ---------------------------------------------------------------- trends


@gc_paused
def trend(
    frame: pd.DataFrame,
    *,
    period: str = "period",
    value: str = "value",
    lower: str | None = "lower_95",
    upper: str | None = "upper_95",
    series: str | None = None,
    highlight: str | None = None,
    title: str,
    ylabel: str,
    source: str,
    trend_label: str | None = None,
    suppressed: str | None = "suppressed",
    xlabel: str | None = None,
) -> Figure:
    """Values over periods (strings such as "2020" or "2017/18", plotted in the given order).

    The highlighted (or only) series is drawn thick with its 95% CI as a shaded band; other series
    (a `series` column, e.g. area names) are thinner, each with its own marker. Missing values
    leave a gap in the line, marked "gap" on the chart and explained under it; suppressed values
    likewise. `trend_label` adds a subtitle such as "Recent trend: Cannot be calculated"."""
    require_columns(frame, [period, value, series], "trend")
    guard(frame, "trend", value, lower, upper)
    data = frame.reset_index(drop=True).copy()
    data[period] = data[period].astype(str)
    periods = list(pd.unique(data[period]))
    x = np.arange(len(periods))
    names = list(pd.unique(data[series].astype(str))) if series else [None]
    focus = highlight if highlight in names else (names[0] if len(names) == 1 else None)
    order = [n for n in names if n != focus] + ([focus] if focus in names else [])

    fig, ax = new_figure(4.6)
    others = iter([c for c in PALETTE if c != HIGHLIGHT])
    marker_cycle = iter(MARKERS[1:] * 3)
    styles = {}
    for name in names:
        if name == focus:
            styles[name] = {"color": HIGHLIGHT, "linewidth": 2.6, "marker": "o", "zorder": 4}
        else:
            styles[name] = {
                "color": next(others, OTHER),
                "linewidth": 1.3,
                "marker": next(marker_cycle),
                "zorder": 3,
            }

    missing_focus = np.zeros(len(periods), bool)
    hidden_focus = np.zeros(len(periods), bool)
    tops = [0.0]
    bottoms = [0.0]
    band = False
    for name in order:
        group = data if name is None else data[data[series].astype(str) == name]
        group = group.drop_duplicates(period, keep="last").set_index(period)
        hidden = flags(group, suppressed).reindex(periods, fill_value=False).to_numpy()
        y = numbers(group, value).reindex(periods).to_numpy(dtype=float, copy=True)
        y[hidden] = np.nan
        low = numbers(group, lower).reindex(periods).to_numpy(dtype=float, copy=True)
        high = numbers(group, upper).reindex(periods).to_numpy(dtype=float, copy=True)
        low[hidden] = high[hidden] = np.nan
        tops += [np.nanmax(y, initial=0), np.nanmax(high, initial=0)]
        bottoms += [np.nanmin(y, initial=0), np.nanmin(low, initial=0)]
        style = styles[name]
        ax.plot(x, y, markersize=6 if name == focus else 4.5, label=name or "Value", **style)
        if name == focus:
            ok = ~np.isnan(low) & ~np.isnan(high)
            if ok.any():
                band = True
                ax.fill_between(x, low, high, color=HIGHLIGHT, alpha=0.18, linewidth=0, zorder=1)
            present = group.index.intersection(periods)
            known = ~np.isnan(y)
            first, last = (np.flatnonzero(known)[[0, -1]]) if known.any() else (0, -1)
            inside = (x >= first) & (x <= last)
            listed = np.isin(periods, present)
            missing_focus = np.isnan(y) & (listed | inside)
            hidden_focus = hidden

    if focus is None and len(names) > 1:  # no focus: mark periods where every series is missing
        missing_focus = np.array(
            [data.loc[data[period] == p, value].isna().all() for p in periods], dtype=bool
        )

    top = max(tops) if max(tops) > 0 else 1.0
    ax.set_ylim(min(min(bottoms), 0), top * 1.22)  # headroom for the "gap" marks
    notes = []
    gap_periods = {"no data": [], "suppressed": []}
    for start, end in runs_of(missing_focus):
        ax.axvspan(start - 0.45, end + 0.45, color=GAP_FILL, zorder=0, linewidth=0)
        why = "suppressed" if hidden_focus[start : end + 1].all() else "no data"
        ax.text(
            (start + end) / 2,
            0.97,
            f"gap:\n{why}",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize=8.5,
            color=MUTED,
            linespacing=1.1,
        )
        gap_periods[why] += periods[start : end + 1]
    who = f" for {focus}" if focus and len(names) > 1 else ""
    if gap_periods["no data"]:
        notes.append(
            f"Gap in the line{who}: no data for {', '.join(gap_periods['no data'])} "
            "(the points either side are not joined)."
        )
    if gap_periods["suppressed"]:
        notes.append(f"Gap in the line{who}: {', '.join(gap_periods['suppressed'])} {SUPPRESSED}.")

    rotate = len(periods) > 8 and max(len(p) for p in periods) > 4 or len(periods) > 14
    ax.set_xticks(x, periods, rotation=45 if rotate else 0, ha="right" if rotate else "center")
    ax.set_xlim(-0.6, len(periods) - 0.4)
    ax.grid(axis="x", visible=False)
    ax.set_xlabel(xlabel or period_labels.axis_title(periods))
    ax.set_ylabel(ylabel)
    thousands(ax.yaxis)
    if trend_label is not None and str(trend_label).strip():
        whose = f" ({focus})" if focus and len(names) > 1 else ""
        ax.set_title(f"Recent trend{whose}: {trend_label}", loc="left", fontsize=10)

    handles = [
        Line2D(
            [],
            [],
            color=styles[n]["color"],
            marker=styles[n]["marker"],
            linewidth=styles[n]["linewidth"],
            label=wrap(n or "Value", 22),
        )
        for n in names
        if n is not None
    ]
    if band and handles:
        handles.append(
            Patch(color=HIGHLIGHT, alpha=0.18, label=wrap("95% confidence interval", 22))
        )
    elif band:  # one line needs no key; say what the band is
        notes.insert(0, "The shaded band is the 95% confidence interval.")
    if handles:
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            borderaxespad=0,
            labelspacing=0.8,
        )
    return finish(fig, title=title, source=source, notes=notes)
