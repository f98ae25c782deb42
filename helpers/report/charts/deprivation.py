"""Inequalities: crimes by deprivation decile, and the association scatter of two indicators."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers.report.charts.parts import (
    finish,
    flags,
    guard,
    new_figure,
    number_format,
    numbers,
    require_columns,
    short_name,
    thousands,
)
from helpers.report.charts.theme import (
    EDGE,
    HIGHLIGHT,
    MUTED,
    NO_DATA,
    OTHER,
    SUPPRESSED,
)

# ---------------------------------------------------------------- inequalities


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


def scatter(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    label: str = "area_name",
    highlight: str | None = None,
    title: str,
    xlabel: str,
    ylabel: str,
    source: str,
    suppressed: str | None = "suppressed",
) -> Figure:
    """One point per area (two indicators against each other), each labelled with its name; the
    `highlight` area in blue. Areas missing either value or suppressed are not plotted and are
    named in a note under the chart. No fitted line: an association is not a cause."""
    require_columns(frame, [x, y, label], "scatter")
    data = frame.reset_index(drop=True)
    hidden = flags(data, suppressed)
    xs, ys = numbers(data, x).where(~hidden), numbers(data, y).where(~hidden)
    shown = (xs.notna() & ys.notna()).to_numpy()
    names = data[label].astype(str).tolist()

    fig, ax = new_figure(5.4)
    order = sorted(np.flatnonzero(shown), key=lambda i: names[i] == highlight)
    for i in order:
        mine = names[i] == highlight
        ax.scatter(
            xs[i],
            ys[i],
            s=80 if mine else 50,
            color=HIGHLIGHT if mine else OTHER,
            edgecolor=EDGE,
            linewidth=0.8,
            zorder=4 if mine else 3,
        )
    labels = [
        ax.annotate(
            short_name(names[i]).replace("\n", " "),
            (xs[i], ys[i]),
            xytext=(7, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=9,
            fontweight="bold" if names[i] == highlight else "normal",
            zorder=5,
        )
        for i in order
    ]
    ax.margins(x=0.15, y=0.12)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    thousands(ax.xaxis)
    thousands(ax.yaxis)

    notes = []
    missing = [names[i] for i in range(len(names)) if not shown[i] and not hidden[i]]
    withheld = [names[i] for i in range(len(names)) if hidden[i]]
    if missing:
        notes.append(f"Not shown, {NO_DATA}: {', '.join(missing)}.")
    if withheld:
        notes.append(f"Not shown, {SUPPRESSED}: {', '.join(withheld)}.")
    finish(fig, title=title, source=source, notes=notes)
    _dodge(ax, labels, points=[(xs[i], ys[i]) for i in order])  # once the layout is final
    return fig


def _dodge(ax: Axes, labels: list, points: Sequence[tuple[float, float]]) -> None:
    """Move point labels that overlap another label or a point, or run out of the axes, to the
    first clear side of their point (right, left, above, below, diagonals)."""
    from matplotlib.transforms import Bbox

    if len(labels) < 1:
        return
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    dots = [
        Bbox.from_extents(px - 6, py - 6, px + 6, py + 6)
        for px, py in ax.transData.transform(np.asarray(points, float))
    ]
    sides = [
        ((7, 0), "left", "center"),
        ((-7, 0), "right", "center"),
        ((0, 8), "center", "bottom"),
        ((0, -8), "center", "top"),
        ((6, 6), "left", "bottom"),
        ((-6, 6), "right", "bottom"),
        ((6, -6), "left", "top"),
        ((-6, -6), "right", "top"),
    ]
    boxes = [t.get_window_extent(renderer) for t in labels]
    for i, text in enumerate(labels):
        others = boxes[:i] + boxes[i + 1 :] + dots

        def clear(box, others=others) -> bool:
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            return inside and not any(box.overlaps(b) for b in others)

        if clear(boxes[i]):
            continue
        for offset, ha, va in sides:
            text.xyann = offset
            text.set_ha(ha)
            text.set_va(va)
            box = text.get_window_extent(renderer)
            if clear(box):
                boxes[i] = box
                break
        else:
            text.xyann, boxes[i] = (7, 0), boxes[i]
            text.set_ha("left")
            text.set_va("center")
