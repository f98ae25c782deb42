"""Charts for the reports: one seaborn/matplotlib theme, colour-blind-safe, each chart with a
title, labelled axes with units, a source line, and alt text when shown."""

from __future__ import annotations

import base64
import html
import io

import matplotlib

matplotlib.use("Agg")  # reports render off-screen; set before pyplot is imported
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from IPython.display import HTML  # noqa: E402

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
HIGHLIGHT, OTHER, BENCHMARK = "#0072B2", "#B8C4CE", "#000000"


def apply_theme() -> None:
    sns.set_theme(
        style="whitegrid",
        palette=PALETTE,
        font_scale=0.95,
        rc={
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.titleweight": "bold",
            "axes.titlesize": 12,
            "axes.spines.top": False,
            "axes.spines.right": False,
        },
    )


def _source(fig: plt.Figure, source: str) -> None:
    fig.text(0.01, 0.005, f"Source: {source}", fontsize=8, color="#444444", ha="left", va="bottom")


def compare_bar(
    frame: pd.DataFrame,
    *,
    value: str,
    label: str,
    highlight: str | None,
    title: str,
    xlabel: str,
    source: str,
    benchmark: float | None = None,
    benchmark_label: str | None = None,
) -> plt.Figure:
    """Horizontal bars, one per area, the highlighted area in colour, an optional benchmark line.

    Missing values are listed as "no data" rather than drawn as zero."""
    apply_theme()
    data = frame[[label, value]].copy()
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(data) + 1.4))
    colours = [HIGHLIGHT if name == highlight else OTHER for name in data[label]]
    ax.barh(data[label], data[value].fillna(0), color=colours)
    for i, v in enumerate(data[value]):
        text = "no data" if pd.isna(v) else f"{v:,.2f}"
        ax.text(0 if pd.isna(v) else v, i, f" {text}", va="center", fontsize=8)
    if benchmark is not None and pd.notna(benchmark):
        ax.axvline(
            benchmark,
            color=BENCHMARK,
            linestyle="--",
            linewidth=1.2,
            label=benchmark_label or "Benchmark",
        )
        ax.legend(loc="lower right", frameon=True, fontsize=8)
    ax.invert_yaxis()
    ax.set(title=title, xlabel=xlabel, ylabel="")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    _source(fig, source)
    return fig


def trend(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    hue: str,
    title: str,
    ylabel: str,
    source: str,
    highlight: str | None = None,
) -> plt.Figure:
    """Lines over time, one per area; gaps (missing values) stay gaps, never joined."""
    apply_theme()
    fig, ax = plt.subplots(figsize=(8, 4))
    for i, (name, group) in enumerate(frame.groupby(hue, sort=False)):
        style = (
            {"linewidth": 2.6, "color": HIGHLIGHT, "zorder": 3}
            if name == highlight
            else {"linewidth": 1.2, "color": PALETTE[(i + 1) % len(PALETTE)], "alpha": 0.8}
        )
        ax.plot(group[x], group[y], marker="o", markersize=4, label=name, **style)
    ax.set(title=title, xlabel="", ylabel=ylabel)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    _source(fig, source)
    return fig


def show(fig: plt.Figure, alt: str) -> HTML:
    """Embed a figure as an inline PNG with alt text (nbconvert keeps it in the HTML)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return HTML(
        f'<figure class="chart"><img src="data:image/png;base64,{data}" '
        f'alt="{html.escape(alt, quote=True)}" style="max-width:100%"></figure>'
    )
