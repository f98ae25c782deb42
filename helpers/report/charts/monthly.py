"""police.uk month by month (unpublished months as gaps) and the average by calendar month."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from helpers.report.charts.parts import (
    finish,
    flags,
    gc_paused,
    guard,
    legends_above,
    new_figure,
    number_format,
    numbers,
    require_columns,
    runs_of,
    thousands,
    wrap,
)
from helpers.report.charts.theme import (
    GAP_FILL,
    GRID,
    HIGHLIGHT,
    MONTHS,
    MUTED,
    NO_DATA,
    NOT_PUBLISHED,
    OTHER,
    PALETTE,
    SUPPRESSED,
)

# ---------------------------------------------------------------- months


def _month_table(
    frame: pd.DataFrame,
    month: str,
    value: str,
    status: str | None,
    missing_status: str,
    suppressed: str | None,
) -> pd.DataFrame:
    """Rows with a monthly Period, and flags: not published (`_gone`), suppressed (`_hidden`);
    `_value` is NaN for both, so neither can be drawn or averaged as a number."""
    data = frame.copy()
    data["_month"] = pd.PeriodIndex(data[month].astype(str), freq="M")
    gone = (
        data[status].astype(str).str.lower().eq(missing_status)
        if status and status in data.columns
        else pd.Series(False, index=data.index)
    )
    data["_gone"] = gone.to_numpy()
    data["_hidden"] = flags(data, suppressed).to_numpy() & ~data["_gone"].to_numpy()
    data["_value"] = numbers(data, value).where(~data["_gone"] & ~data["_hidden"])
    return data


@gc_paused
def monthly(
    frame: pd.DataFrame,
    *,
    month: str = "month",
    value: str = "count",
    status: str | None = "status",
    series: str | None = None,
    highlight: str | None = None,
    title: str,
    ylabel: str,
    source: str,
    missing_status: str = "missing",
    suppressed: str | None = "suppressed",
    xlabel: str = "Month",
) -> Figure:
    """Monthly counts ("YYYY-MM"). Months whose `status` is "missing" (or absent from the range)
    are a grey band labelled "not published", never zero; the line breaks there. Suppressed
    months (privacy) and months with no value are gaps too, banded and keyed. A `series`
    column draws several lines, the `highlight` one thick; bands follow the highlighted line (or
    all lines when none is highlighted)."""
    require_columns(frame, [month, value, series], "monthly")
    guard(frame, "monthly", value)
    data = _month_table(frame, month, value, status, missing_status, suppressed)
    full = pd.period_range(data["_month"].min(), data["_month"].max(), freq="M")
    starts = full.to_timestamp()
    centres = starts + pd.Timedelta(days=14)
    names = list(pd.unique(data[series].astype(str))) if series else [None]
    focus = highlight if highlight in names else (names[0] if len(names) == 1 else None)

    fig, ax = new_figure(4.6)
    others = iter([c for c in PALETTE if c != HIGHLIGHT])
    tops = [0.0]
    keys = {}
    for name in [n for n in names if n != focus] + ([focus] if focus in names else []):
        group = data if name is None else data[data[series].astype(str) == name]
        y = group.groupby("_month")["_value"].sum(min_count=1).reindex(full).to_numpy()
        is_focus = name == focus
        colour = HIGHLIGHT if is_focus else next(others, OTHER)
        width = 2.2 if is_focus else 1.2
        ax.plot(
            centres,
            y,
            color=colour,
            linewidth=width,
            marker="o",
            markersize=3 if is_focus else 2,
            zorder=4 if is_focus else 3,
        )
        tops.append(np.nanmax(y, initial=0))
        if name is not None:
            keys[name] = Line2D([], [], color=colour, linewidth=width, label=name)
    handles = [keys[n] for n in names if n in keys]

    # Why each month of the highlighted line (or of every line) has no point.
    watched = data if focus is None or series is None else data[data[series].astype(str) == focus]
    by_month = watched.groupby("_month").agg(
        gone=("_gone", "all"), hidden=("_hidden", "any"), n=("_value", "count")
    )
    by_month = by_month.reindex(full)
    unpublished = by_month["gone"].fillna(True).astype(bool).to_numpy()
    empty = (by_month["n"].fillna(0) == 0).to_numpy() & ~unpublished
    hidden = empty & by_month["hidden"].fillna(False).astype(bool).to_numpy()
    top = max(tops) if max(tops) > 0 else 1.0
    ax.set_ylim(0, top * 1.2)
    kinds = [
        (unpublished, NOT_PUBLISHED, "not\npublished", None),
        (hidden, SUPPRESSED, "privacy", "////"),
        (empty & ~hidden, NO_DATA, "no\ndata", "...."),
    ]
    for in_kind, word, short, hatch in kinds:
        runs = runs_of(in_kind)
        for start, end in runs:
            left, right = starts[start], (full[end] + 1).to_timestamp()
            ax.axvspan(
                left,
                right,
                facecolor=GAP_FILL if hatch else "#D4D4D4",
                hatch=hatch,
                edgecolor="#A0A0A0" if hatch else "none",
                linewidth=0,
                zorder=0,
            )
            if len(runs) <= 4:  # more would crowd the top of the chart: the key explains
                ax.text(
                    left + (right - left) / 2,
                    0.975,
                    short,
                    transform=ax.get_xaxis_transform(),
                    ha="center",
                    va="top",
                    fontsize=8.5,
                    color=MUTED,
                    linespacing=1.05,
                )
        if runs:
            handles.append(
                Patch(
                    facecolor=GAP_FILL if hatch else "#D4D4D4",
                    hatch=hatch,
                    edgecolor="#A0A0A0" if hatch else "none",
                    label=f"{word[0].upper()}{word[1:]}: gap in the line",
                )
            )

    ax.set_xlim(starts[0] - pd.Timedelta(days=10), (full[-1] + 1).to_timestamp())
    years = len(full) / 12
    ax.xaxis.set_major_locator(mdates.YearLocator(1 if years <= 8 else 2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=[4, 7, 10]))
    ax.tick_params(axis="x", which="minor", length=3, color="#9A9A9A")
    ax.tick_params(axis="x", which="major", length=5)
    ax.grid(axis="x", which="major", color=GRID)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    thousands(ax.yaxis)
    legends_above(ax, [(handles, None)])
    return finish(fig, title=title, source=source)


@gc_paused
def seasonality(
    frame: pd.DataFrame,
    *,
    month: str = "month",
    value: str = "count",
    title: str,
    ylabel: str,
    source: str,
    status: str | None = "status",
    missing_status: str = "missing",
    suppressed: str | None = "suppressed",
) -> Figure:
    """Average count for each calendar month (Jan to Dec) over the complete months available
    (missing or unpublished months are left out, not counted as zero). The subtitle says how many
    years each average is based on."""
    require_columns(frame, [month, value], "seasonality")
    guard(frame, "seasonality", value)
    data = _month_table(frame, month, value, status, missing_status, suppressed)
    totals = data.groupby("_month")["_value"].sum(min_count=1).dropna()
    withheld = data.loc[data["_hidden"], "_month"].nunique()
    table = pd.DataFrame({"value": totals.to_numpy(), "m": totals.index.month})
    stats = table.groupby("m")["value"].agg(["mean", "count"]).reindex(range(1, 13))
    counts = stats["count"].fillna(0).astype(int).to_numpy()
    means = stats["mean"].to_numpy()
    x = np.arange(12)
    shown = counts > 0

    fig, ax = new_figure(4.6)
    ax.bar(x[shown], means[shown], width=0.7, color=HIGHLIGHT, zorder=2)
    top = np.nanmax(np.append(means, 0.0))
    top = top if top > 0 else 1.0
    ax.set_ylim(0, top * 1.12)
    fmt = number_format(means)
    for i in x:
        if shown[i]:
            ax.text(i, means[i] + top * 0.015, fmt(means[i]), ha="center", va="bottom", fontsize=9)
        else:
            ax.text(
                i,
                top * 0.02,
                NO_DATA,
                rotation=90,
                ha="center",
                va="bottom",
                fontsize=9,
                fontstyle="italic",
                color=MUTED,
            )
    ax.set_xticks(x, MONTHS)
    ax.set_xlim(-0.6, 11.6)
    ax.grid(axis="x", visible=False)
    ax.set_xlabel("Calendar month")
    ax.set_ylabel(ylabel)
    thousands(ax.yaxis)

    if len(totals):
        span = f"{totals.index.min().strftime('%b %Y')} to {totals.index.max().strftime('%b %Y')}"
        groups: dict[int, list[str]] = {}
        for m, k in zip(MONTHS, counts, strict=True):
            groups.setdefault(int(k), []).append(m)
        usual = max(groups, key=lambda k: (len(groups[k]), k))
        others = [f"{', '.join(ms)}: {_years(k)}" for k, ms in sorted(groups.items()) if k != usual]
        subtitle = (
            f"Average of the complete months from {span}. Each bar averages {_years(usual)}"
            + (f" (except {'; '.join(others)})." if others else ".")
        )
        if withheld:
            subtitle += (
                f" {withheld} month{'s' if withheld != 1 else ''} {SUPPRESSED} left out,"
                " so averages may be slightly high."
            )
        ax.set_title(wrap(subtitle, 95), loc="left", fontsize=9.5)
    return finish(fig, title=title, source=source)


def _years(k: int) -> str:
    return "no years" if k == 0 else f"{k} year" + ("s" if k != 1 else "")
