"""Pieces every chart shares: wrapping, number formats, column checks, the figure with its title
and source line, legends stacked above the plot, and the outcome keys."""

from __future__ import annotations

import functools
import gc
import textwrap
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from helpers.core.errors import DataError, DisclosureError
from helpers.report import palette
from helpers.report.charts.canvas import ChartCanvas
from helpers.report.charts.layout import OnePassLayout
from helpers.report.charts.theme import (
    EDGE,
    INK,
    MUTED,
    NO_DATA,
    WIDTH,
    apply_theme,
)
from helpers.stats import disclosure

TEXT_LEFT = 0.012  # figure fraction where the title, the keys and the source line start


def gc_paused(chart):
    """Run a chart function with the cyclic garbage collector paused.

    A figure is thousands of objects in reference cycles, alive for the few tens of
    milliseconds it takes to draw: long enough for the young collections to promote them to
    the oldest generation, and every few charts that sets off a full collection, which in a
    report's kernel walks every object of the loaded store (about half a second each).
    Paused, a chart's objects are still young when it is closed, and the next young
    collection frees them (measured on eight reports: 3 full collections instead of 7, a
    tenth less cell time). The collector is switched back on even if the chart raises."""

    @functools.wraps(chart)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return chart(*args, **kwargs)
        gc.disable()
        try:
            return chart(*args, **kwargs)
        finally:
            gc.enable()

    return paused


def wrap(text: str, width: int) -> str:
    """Wrap each paragraph of `text` to `width` characters, keeping explicit line breaks."""
    return "\n".join(textwrap.fill(part, width) if part else "" for part in str(text).split("\n"))


def number_format(values: Iterable[float]):
    """One number format for a set of values, so a chart's labels line up: whole numbers
    (counts) stay whole; otherwise 2 decimals below 10, 1 below 1,000, none above, set by the
    largest value. NaN reads "no data"."""
    finite = [float(v) for v in values if pd.notna(v)]
    if finite and all(v.is_integer() for v in finite):
        return lambda v: NO_DATA if pd.isna(v) else f"{v:,.0f}"
    size = max((abs(v) for v in finite), default=0.0)
    decimals = 0 if size >= 1000 else 1 if size >= 10 else 2
    return lambda v: NO_DATA if pd.isna(v) else f"{v:,.{decimals}f}"


def thousands(axis) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.10g}"))


def require_columns(frame: pd.DataFrame, columns: Iterable[str | None], chart: str) -> None:
    missing = [c for c in columns if c is not None and c not in frame.columns]
    if missing:
        raise DataError(
            f"{chart}: the data has no column {', '.join(repr(c) for c in missing)} "
            f"(it has {', '.join(map(str, frame.columns))}).",
            fix="Pass the right column names as keyword arguments.",
        )


def guard(frame: pd.DataFrame, chart: str, *figures: str | None) -> None:
    """Disclosure control's last check on what a chart is about to draw: no count of 1 to 4 in
    `count`, and no figure (these columns, or a rate and its limits) left on a suppressed row.
    A frame that fails is refused, never drawn."""
    dependent = dict.fromkeys([*disclosure.DEPENDENT_COLUMNS, *(f for f in figures if f)])
    try:
        disclosure.check_no_small_counts(frame, dependent=tuple(dependent))
    except DisclosureError as exc:
        raise DisclosureError(f"{chart}: {exc.problem}", fix=exc.fix) from exc


def numbers(frame: pd.DataFrame, column: str | None) -> pd.Series:
    """A numeric column as floats (NaN where missing); all NaN if the column is not given."""
    if column is None or column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def flags(frame: pd.DataFrame, column: str | None) -> pd.Series:
    """A boolean column such as `suppressed`, False where missing or absent."""
    if column is None or column not in frame.columns:
        return pd.Series(False, index=frame.index, dtype=bool)
    return frame[column].astype("boolean").fillna(False).astype(bool)


def outcome_key(word: object) -> str:
    key = str(word).strip().lower() if pd.notna(word) else "not compared"
    return key if key in palette.OUTCOME_COLOURS else "not compared"


def new_figure(height: float, *, layout: str = "one pass") -> tuple[Figure, Axes]:
    """A chart-width figure with one axes, drawn on the chart canvas (charts.canvas) and laid
    out by charts.layout ("constrained" for matplotlib's constrained layout). Made with
    matplotlib's object API, not pyplot: no figure manager or window state, which a report of
    twenty charts never needs."""
    apply_theme()
    engine = OnePassLayout() if layout == "one pass" else layout
    fig = Figure(figsize=(WIDTH, height), layout=engine)
    ChartCanvas(fig)
    return fig, fig.add_subplot()


def finish(fig: Figure, *, title: str, source: str, notes: Sequence[str] = ()) -> Figure:
    """Title at the top left; notes and the source line at the bottom, outside the plot area."""
    heading = fig.suptitle(wrap(title, 68), x=TEXT_LEFT, ha="left")
    source = str(source).strip()
    source = source if source.lower().startswith("source") else f"Source: {source}"
    height = fig.get_figheight()
    y = 0.08 / height
    line = 8.5 * 1.25 / 72 / height  # one line of 8.5 pt text, in figure fraction
    for text, colour in [(wrap(source, 112), MUTED)] + [
        (wrap(note, 112), INK) for note in reversed(notes)
    ]:
        fig.text(TEXT_LEFT, y, text, fontsize=8.5, color=colour, ha="left", va="bottom")
        y += line * (text.count("\n") + 1) + 0.04 / height
    engine = fig.get_layout_engine()
    engine.set(rect=(0, y + 0.04 / height, 1, 1 - y - 0.04 / height))
    if isinstance(engine, OnePassLayout):
        engine.set(title=heading)
    return fig


def settle(fig: Figure) -> None:
    """Place the axes where drawing will (the layout engine, then each axes' limits and
    aspect) without drawing anything: what placing labels needs to know, at a fraction of a
    draw's cost."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    for ax in fig.axes:
        ax.get_xlim()  # brings autoscaled limits up to date
        ax.apply_aspect()


def legends_above(ax: Axes, groups: Sequence[tuple[list, str | None]]) -> None:
    """Several keys stacked between the title and the plot, the first on top. Offsets are in
    inches, measured once, so they hold whatever size the layout gives the axes. The keys
    start where the title does, not at the axes: long row names push the axes right, and a
    key anchored to them would run off the figure."""
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    fig = ax.figure
    anchor = blended_transform_factory(fig.transFigure, ax.transAxes)
    renderer = fig.canvas.get_renderer()
    lift = 0.04  # inches above the axes
    stacked = list(reversed([g for g in groups if g[0]]))
    for i, (handles, title) in enumerate(stacked):
        offset = ScaledTranslation(0, lift, fig.dpi_scale_trans)
        legend = ax.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(TEXT_LEFT, 1),
            bbox_transform=anchor + offset,
            ncols=min(len(handles), 4),
            borderaxespad=0,
            borderpad=0.2,
            handlelength=1.8,
            columnspacing=1.4,
            title=title,
            alignment="left",
        )
        keep_in_layout(ax, legend)
        if i < len(stacked) - 1:  # the top key needs no measuring: nothing goes above it
            lift += legend.get_window_extent(renderer).height / fig.dpi + 0.02


def keep_in_layout(ax: Axes, legend) -> None:
    """Add a second legend to the axes; unclipped, so the layout makes room for it."""
    ax.add_artist(legend)
    legend.set_clip_on(False)
    ax.legend_ = None  # now one of the axes' artists; don't draw it twice


def ci_handle(label: str = "95% confidence interval") -> Line2D:
    return Line2D([], [], color="black", marker="|", markersize=9, linewidth=1.1, label=label)


def outcome_patch(key: str, label: str | None = None) -> Patch:
    return Patch(
        facecolor=palette.OUTCOME_COLOURS[key],
        edgecolor=EDGE,
        linewidth=0.8,
        label=label or palette.OUTCOME_WORDS[key],
    )


WRAP_AT = 20
"""Labels longer than this many characters go on two lines."""


def short_name(name: str) -> str:
    """A map or scatter label: "&" for "and"; a long name on two lines, broken at the space
    nearest its middle."""
    short = str(name).replace(" and ", " & ")
    spaces = [i for i, c in enumerate(short) if c == " "]
    if len(short) <= WRAP_AT or not spaces:
        return short
    cut = min(spaces, key=lambda i: abs(i - len(short) / 2))
    return f"{short[:cut]}\n{short[cut + 1 :]}"


def runs_of(flags: Sequence[bool]) -> list[tuple[int, int]]:
    """(start, end) index pairs, end inclusive, of consecutive True values."""
    runs, start = [], None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i - 1))
            start = None
    return runs


def dodge_labels(ax: Axes, labels: list, points: Sequence[tuple[float, float]]) -> None:
    """Move point labels that overlap another label or a point, or run out of the axes, to the
    first clear side of their point (right, left, above, below, diagonals)."""
    from matplotlib.transforms import Bbox

    if len(labels) < 1:
        return
    fig = ax.figure
    settle(fig)
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
