"""Compare-areas bars with confidence intervals and outcome words, and the area profile (spine
chart) against England and the spread of English local authorities."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from helpers.report import palette
from helpers.report.charts.parts import (
    ci_handle,
    finish,
    flags,
    gc_paused,
    guard,
    keep_in_layout,
    legends_above,
    new_figure,
    number_format,
    numbers,
    outcome_key,
    outcome_patch,
    require_columns,
    thousands,
    wrap,
)
from helpers.report.charts.theme import (
    BENCHMARK,
    EDGE,
    GRID,
    HIGHLIGHT,
    IQR_FILL,
    MUTED,
    NO_DATA,
    OTHER,
    OUTCOME_ORDER,
    RANGE_FILL,
    SUPPRESSED,
)

# ---------------------------------------------------------------- compare areas


@gc_paused
def compare_bars(
    frame: pd.DataFrame,
    *,
    label: str = "area_name",
    value: str = "value",
    lower: str | None = "lower_95",
    upper: str | None = "upper_95",
    outcome: str | None = None,
    highlight: str | None = None,
    benchmark: float | None = None,
    benchmark_label: str | None = None,
    title: str,
    xlabel: str,
    source: str,
    suppressed: str | None = "suppressed",
) -> Figure:
    """Fingertips "compare areas": one horizontal bar per row (in the given order) with 95% CIs.

    Bars are coloured by the `outcome` column (better/similar/worse/higher/lower/not compared) and
    the value and outcome word are written at the right, e.g. "2.21 (Higher)". Without `outcome`
    the `highlight` area is blue and the others grey. Missing rows say "no data", suppressed rows
    "suppressed (privacy)"; neither gets a bar. `benchmark` draws a dashed line."""
    require_columns(frame, [label, value], "compare_bars")
    guard(frame, "compare_bars", value, lower, upper)
    data = frame.reset_index(drop=True)
    n = len(data)
    hidden = flags(data, suppressed)
    values = numbers(data, value).where(~hidden)
    low = numbers(data, lower).where(~hidden)
    high = numbers(data, upper).where(~hidden)
    outcomes = [outcome_key(o) for o in data[outcome]] if outcome else None
    names = data[label].astype(str).tolist()

    fig, ax = new_figure(0.42 * max(n, 1) + 2.4)
    rows = np.arange(n)
    shown = values.notna().to_numpy()
    if outcomes:
        colours = [palette.OUTCOME_COLOURS[o] for o in outcomes]
    else:
        colours = [HIGHLIGHT if name == highlight else OTHER for name in names]
    ax.barh(
        rows[shown],
        values[shown],
        height=0.62,
        color=[c for c, s in zip(colours, shown, strict=True) if s],
        edgecolor=EDGE if outcomes else "none",
        linewidth=0.8,
        zorder=2,
    )
    whiskers = shown & low.notna().to_numpy() & high.notna().to_numpy()
    if whiskers.any():
        v = values[whiskers].to_numpy()
        ax.errorbar(
            v,
            rows[whiskers],
            xerr=[v - low[whiskers].to_numpy(), high[whiskers].to_numpy() - v],
            fmt="none",
            ecolor="black",
            elinewidth=1.1,
            capsize=3,
            zorder=3,
        )

    right = np.nanmax(
        np.concatenate([values.to_numpy(), high.to_numpy(), [benchmark or np.nan, 0.0]])
    )
    right = right * 1.06 if right > 0 else 1.0
    ax.set_xlim(0, right)
    ax.set_ylim(n - 0.5, -0.5)  # first row at the top

    # Value (and outcome word) in a column at the right of the plot, one per row.
    column = ax.get_yaxis_transform()  # x in axes fraction, y in data
    fmt = number_format([*values, benchmark if benchmark is not None else np.nan])
    for i in range(n):
        if hidden[i] or not shown[i]:
            ax.text(
                right * 0.01,
                i,
                SUPPRESSED if hidden[i] else NO_DATA,
                va="center",
                ha="left",
                fontsize=9,
                fontstyle="italic",
                color=MUTED,
            )
            continue
        word = f" ({palette.OUTCOME_WORDS[outcomes[i]]})" if outcomes else ""
        ax.text(1.02, i, f"{fmt(values[i])}{word}", transform=column, va="center", fontsize=9.5)

    ax.set_yticks(rows, names)
    for tick, name in zip(ax.get_yticklabels(), names, strict=True):
        if name == highlight:
            tick.set_fontweight("bold")
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(xlabel)
    thousands(ax.xaxis)

    keys: list = []
    if outcomes:
        drawn = {o for o, s in zip(outcomes, shown, strict=True) if s}
        keys = [outcome_patch(k) for k in OUTCOME_ORDER if k in drawn]
    handles: list = []
    if benchmark is not None and pd.notna(benchmark):
        name = benchmark_label or "Benchmark"
        ax.axvline(benchmark, color=BENCHMARK, linestyle="--", linewidth=1.3, zorder=4)
        handles.append(
            Line2D([], [], color=BENCHMARK, linestyle="--", label=f"{name} ({fmt(benchmark)})")
        )
    if whiskers.any():
        handles.append(ci_handle())
    compared = f"Compared with {benchmark_label}:" if benchmark_label else "Compared:"
    legends_above(ax, [(keys, compared), (handles, None)])
    return finish(fig, title=title, source=source)


# ---------------------------------------------------------------- area profile (spine chart)


@gc_paused
def spine(
    frame: pd.DataFrame,
    *,
    title: str,
    source: str,
    area_label: str = "Area",
    benchmark_label: str = "England",
    suppressed: str | None = "suppressed",
) -> Figure:
    """Fingertips area profile: one row per indicator, the benchmark at the centre of each bar.

    Columns: indicator_name, period, area_value, benchmark_value, lowest, q25, q75, highest (the
    spread across comparison areas), outcome and polarity (low_is_good, high_is_good,
    no_judgement). Both sides of the centre use one scale, set by the value furthest from the
    benchmark, as Fingertips does; the better end is on the right (for no_judgement, the higher
    end). The light grey bar is the range of areas, the darker part the middle 50%, the circle the
    area, coloured by outcome and with the outcome word in the last column. A missing area value
    shows "no data" and no circle; a suppressed one "suppressed (privacy)"."""
    needed = ["indicator_name", "period", "area_value", "benchmark_value", "lowest", "q25"]
    needed += ["q75", "highest", "outcome", "polarity"]
    require_columns(frame, needed, "spine")
    guard(frame, "spine", "area_value")
    data = frame.reset_index(drop=True)
    n = len(data)
    hidden = flags(data, suppressed)
    labels = [
        wrap(f"{name} ({p})", 38)
        for name, p in zip(data["indicator_name"], data["period"], strict=True)
    ]
    row_h = [0.2 + 0.16 * (label.count("\n") + 1) for label in labels]
    fig, ax = new_figure(sum(row_h) + 3.3)

    # The axes span the figure; x is in spine widths, y in inches (rows differ in height).
    left_in, spine_in, right_in = 2.7, 2.5, 2.6
    left, right = -left_in / spine_in, 1 + right_in / spine_in
    col_area = 1 + 0.9 / spine_in  # right edge of the area value
    col_bench = 1 + 1.55 / spine_in  # right edge of the benchmark value
    col_word = 1 + 1.66 / spine_in  # left edge of the outcome word
    centres, y = [], 0.0
    for h in row_h:
        centres.append(y + h / 2)
        y += h
    ax.set_xlim(left, right)
    ax.set_ylim(y, -0.42)
    ax.set_axis_off()

    head = {"fontsize": 9, "fontweight": "bold", "va": "bottom", "linespacing": 1.1}
    ax.text(left, -0.06, "Indicator (period)", ha="left", **head)
    ax.text(col_area, -0.06, wrap(area_label, 14), ha="right", **head)
    ax.text(col_bench, -0.06, wrap(benchmark_label, 12), ha="right", **head)
    ax.text(col_word, -0.06, wrap(f"Compared with {benchmark_label}", 12), ha="left", **head)
    ends = {"fontsize": 8.5, "color": MUTED, "va": "bottom", "linespacing": 1.1}
    ax.text(0, -0.06, "\u2190 Worst/lowest", ha="left", **ends)
    ax.text(1, -0.06, "Best/highest \u2192", ha="right", **ends)
    ax.axhline(0, color="#8A8A8A", linewidth=0.8)

    present: list[str] = []
    for i, row in data.iterrows():
        yc, h = centres[i], row_h[i]
        if i < n - 1:
            ax.axhline(yc + h / 2, color=GRID, linewidth=0.8, zorder=0)
        ax.text(left, yc, labels[i], ha="left", va="center", fontsize=9, linespacing=1.15)
        bench = pd.to_numeric(row["benchmark_value"], errors="coerce")
        area = np.nan if hidden[i] else pd.to_numeric(row["area_value"], errors="coerce")
        spread = pd.to_numeric(row[["lowest", "q25", "q75", "highest"]], errors="coerce")
        sign = -1.0 if str(row["polarity"]) == "low_is_good" else 1.0
        key = outcome_key(row["outcome"])
        if pd.notna(bench):
            reach = np.nanmax(np.abs(np.append(spread.to_numpy(float), area) - bench), initial=0)
            reach = reach if reach > 0 else 1.0

            def place(v: float, bench=bench, reach=reach, sign=sign) -> float:
                return 0.5 + sign * (v - bench) / (2 * reach)

            for a, b, colour in [
                (spread["lowest"], spread["highest"], RANGE_FILL),
                (spread["q25"], spread["q75"], IQR_FILL),
            ]:
                if pd.notna(a) and pd.notna(b):
                    x0, x1 = sorted((place(a), place(b)))
                    ax.barh(yc, x1 - x0, left=x0, height=0.3, color=colour, zorder=1)
            ax.plot([0.5, 0.5], [yc - 0.2, yc + 0.2], color=BENCHMARK, linewidth=2, zorder=2)
            if pd.notna(area):
                ax.scatter(
                    place(area),
                    yc,
                    s=95,
                    color=palette.OUTCOME_COLOURS[key],
                    edgecolor="black",
                    linewidth=1,
                    zorder=3,
                )
                present.append(key)
        fmt = number_format([area, bench])
        if pd.isna(area):
            text = wrap(SUPPRESSED if hidden[i] else NO_DATA, 14)
            ax.text(
                col_area,
                yc,
                text,
                ha="right",
                va="center",
                fontsize=9,
                color=MUTED,
                fontstyle="italic",
                linespacing=1.1,
            )
        else:
            ax.text(col_area, yc, fmt(area), ha="right", va="center", fontsize=9)
            ax.text(
                col_word,
                yc,
                palette.OUTCOME_WORDS[key],
                ha="left",
                va="center",
                fontsize=9,
                color=palette.OUTCOME_TEXT[key],
                bbox={
                    "boxstyle": "round,pad=0.25",
                    "facecolor": palette.OUTCOME_COLOURS[key],
                    "edgecolor": EDGE,
                    "linewidth": 0.6,
                },
            )
        ax.text(
            col_bench,
            yc,
            fmt(bench),
            ha="right",
            va="center",
            fontsize=9,
            **({"color": MUTED, "fontstyle": "italic"} if pd.isna(bench) else {}),
        )

    def outcome_label(k: str) -> str:
        word = palette.OUTCOME_WORDS[k]
        if k in ("better", "worse", "higher", "lower"):
            return f"{word} than {benchmark_label}"
        return f"{word} to {benchmark_label}" if k == "similar" else word

    circles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=9,
            markerfacecolor=palette.OUTCOME_COLOURS[k],
            markeredgecolor="black",
            label=outcome_label(k),
        )
        for k in OUTCOME_ORDER
        if k in present
    ]
    marks = [
        Patch(color=RANGE_FILL, label="Range of comparison areas"),
        Patch(color=IQR_FILL, label="Middle 50% of areas"),
        Line2D(
            [],
            [],
            color=BENCHMARK,
            marker="|",
            linestyle="none",
            markersize=12,
            markeredgewidth=2,
            label=f"{benchmark_label} value",
        ),
    ]
    keys = {
        "bbox_transform": ax.transAxes,
        "borderaxespad": 0.3,
        "handlelength": 1.6,
        "alignment": "left",
        "columnspacing": 1.2,
    }
    if circles:
        circle_key = ax.legend(
            handles=circles,
            loc="lower left",
            bbox_to_anchor=(0, 1),
            ncols=2 if len(circles) > 2 else 1,
            title=f"{area_label} compared with {benchmark_label}:",
            **keys,
        )
        keep_in_layout(ax, circle_key)
    mark_key = ax.legend(
        handles=marks, loc="lower right", bbox_to_anchor=(1, 1), ncols=1, title="Bars:", **keys
    )
    keep_in_layout(ax, mark_key)
    notes = [
        f"Each bar runs from the lowest to the highest comparison area, with {benchmark_label} at "
        "the centre; both sides use the same scale, set by the value furthest from "
        f"{benchmark_label}. Better is on the right; where there is no judgement of better or "
        "worse, higher is on the right."
    ]
    return finish(fig, title=title, source=source, notes=notes)
