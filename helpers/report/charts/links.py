"""The national link chart: every English local authority as a light grey point, the
assessment's own areas in colour, the report's areas labelled, and the least-squares line with
the confidence band of its fitted mean."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from helpers.report.charts.parts import (
    dodge_labels,
    finish,
    gc_paused,
    new_figure,
    require_columns,
    short_name,
    thousands,
    wrap,
)
from helpers.report.charts.theme import EDGE, HIGHLIGHT, INK, OTHER

BAND = "#F0C987"  # a pale orange, apart from the blue areas and the grey points
LINE = "#B35806"


@gc_paused
def national_scatter(
    points: pd.DataFrame,
    band: pd.DataFrame,
    *,
    coloured: Sequence[str],
    labelled: Sequence[str],
    coloured_label: str,
    title: str,
    xlabel: str,
    ylabel: str,
    source: str,
    notes: Sequence[str] = (),
) -> Figure:
    """`points`: area_code, area_name, x, y (one row per area); `band`: x, fit, lower, upper
    (the fitted line and its band, ascending x). Areas in `coloured` are drawn in blue above
    the grey ones, and those in `labelled` named beside their point."""
    require_columns(points, ["area_code", "area_name", "x", "y"], "national_scatter")
    require_columns(band, ["x", "fit", "lower", "upper"], "national_scatter")
    fig, ax = new_figure(5.6)
    mine = points["area_code"].isin(list(coloured)).to_numpy()
    ax.scatter(points.loc[~mine, "x"], points.loc[~mine, "y"], s=16, color=OTHER, alpha=0.55, lw=0)
    if band["fit"].notna().any():
        ax.fill_between(band["x"], band["lower"], band["upper"], color=BAND, alpha=0.6, lw=0)
        ax.plot(band["x"], band["fit"], color=LINE, lw=1.6)
    ax.scatter(
        points.loc[mine, "x"],
        points.loc[mine, "y"],
        s=46,
        color=HIGHLIGHT,
        edgecolor=EDGE,
        linewidth=0.7,
        zorder=4,
    )
    named = points[points["area_code"].isin(list(labelled))]
    texts = [
        ax.annotate(
            short_name(str(row.area_name)).replace("\n", " "),
            (row.x, row.y),
            xytext=(7, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=9,
            fontweight="bold",
            color=INK,
            zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        )
        for row in named.itertuples()
    ]
    ax.set_xlabel(wrap(xlabel, 90))
    ax.set_ylabel(wrap(ylabel, 38))
    thousands(ax.xaxis)
    thousands(ax.yaxis)
    ax.margins(x=0.04, y=0.06)
    handles = [
        Line2D([], [], ls="", marker="o", ms=5, color=OTHER, label="Other English areas"),
        Line2D([], [], ls="", marker="o", ms=7, color=HIGHLIGHT, mec=EDGE, label=coloured_label),
    ]
    if band["fit"].notna().any():
        handles += [
            Line2D([], [], color=LINE, lw=1.6, label="Fitted line"),
            Patch(color=BAND, alpha=0.6, label="95% confidence band"),
        ]
    ax.legend(handles=handles, loc="upper left", fontsize=8.5, frameon=True, framealpha=0.9)
    finish(fig, title=title, source=source, notes=notes)
    if texts:
        dodge_labels(ax, texts, points=list(zip(named["x"], named["y"], strict=True)))
    return fig
