"""Inequalities: crimes by deprivation decile, and the association scatter of two indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from helpers.report.charts.parts import (
    finish,
    flags,
    gc_paused,
    guard,
    new_figure,
    number_format,
    numbers,
    require_columns,
    thousands,
)
from helpers.report.charts.theme import (
    HIGHLIGHT,
    MUTED,
    NO_DATA,
    SUPPRESSED,
)

# ---------------------------------------------------------------- inequalities


@gc_paused
def deprivation_deciles(
    frame: pd.DataFrame,
    *,
    decile: str = "imd_decile",
    value: str = "value",
    title: str,
    ylabel: str,
    source: str,
    lower: str | None = None,
    upper: str | None = None,
    suppressed: str | None = "suppressed",
    xlabel: str = "Index of Multiple Deprivation decile (national)",
) -> Figure:
    """Bars for deprivation deciles 1 (most deprived) to 10 (least deprived), with optional CI
    whiskers. Deciles with no neighbourhoods (no row or NaN) say "no data"; suppressed ones say
    "suppressed (privacy)"."""
    require_columns(frame, [decile, value, lower, upper], "deprivation_deciles")
    guard(frame, "deprivation_deciles", value, lower, upper)
    data = frame.copy()
    data["_decile"] = pd.to_numeric(data[decile], errors="coerce")
    data = data.dropna(subset=["_decile"]).drop_duplicates("_decile", keep="last")
    data = data.set_index(data["_decile"].astype(int)).reindex(range(1, 11))
    hidden = flags(data, suppressed).to_numpy()
    values = numbers(data, value).to_numpy(dtype=float, copy=True)
    low = numbers(data, lower).to_numpy(dtype=float, copy=True)
    high = numbers(data, upper).to_numpy(dtype=float, copy=True)
    values[hidden] = low[hidden] = high[hidden] = np.nan
    x = np.arange(10)
    shown = ~np.isnan(values)

    fig, ax = new_figure(4.8)
    ax.bar(x[shown], values[shown], width=0.7, color=HIGHLIGHT, zorder=2)
    whiskers = shown & ~np.isnan(low) & ~np.isnan(high)
    if whiskers.any():
        ax.errorbar(
            x[whiskers],
            values[whiskers],
            yerr=[values[whiskers] - low[whiskers], high[whiskers] - values[whiskers]],
            fmt="none",
            ecolor="black",
            elinewidth=1.1,
            capsize=4,
            zorder=3,
        )
    top = np.nanmax(np.concatenate([values, high, [0.0]]))
    top = top if top > 0 else 1.0
    ax.set_ylim(0, top * 1.15)
    fmt = number_format(values)
    for i in x:
        if shown[i]:
            tip = high[i] if whiskers[i] else values[i]
            ax.text(i, tip + top * 0.015, fmt(values[i]), ha="center", va="bottom", fontsize=9)
        else:
            ax.text(
                i,
                top * 0.02,
                SUPPRESSED if hidden[i] else NO_DATA,
                rotation=90,
                ha="center",
                va="bottom",
                fontsize=9,
                fontstyle="italic",
                color=MUTED,
            )
    ticks = [str(d) for d in range(1, 11)]
    ticks[0], ticks[-1] = "1\nmost deprived", "10\nleast deprived"
    ax.set_xticks(x, ticks)
    ax.set_xlim(-0.6, 9.6)
    ax.grid(axis="x", visible=False)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    thousands(ax.yaxis)
    notes = ["Black lines show 95% confidence intervals."] if whiskers.any() else []
    return finish(fig, title=title, source=source, notes=notes)


# ---------------------------------------------------------------- association
