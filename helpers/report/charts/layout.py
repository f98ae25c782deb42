"""The layout of a one-axes chart: the title at the top, the notes and source line below a given
rectangle, and the axes as large as its decorations (tick labels, axis labels, legends and
value labels around it) allow, with the same paddings constrained layout would give.

Constrained layout measures every decoration twice per draw and solves a grid of constraints
for what is, here, always one box in a rectangle: two fifths of a chart's drawing time. This
engine measures once, and again only when the axes' new size changed its ticks (the one thing
about the decorations that depends on the size); figures with more than one axes (a map and
its colour bar) are laid out by constrained layout as before."""

from __future__ import annotations

import numpy as np
from matplotlib.layout_engine import ConstrainedLayoutEngine, LayoutEngine
from matplotlib.transforms import Bbox

PAD = 3 / 72  # inches: constrained layout's default w_pad and h_pad


class OneAxesLayout(LayoutEngine):
    """Places the suptitle and the single axes of a figure inside `rect` (figure fraction)."""

    _adjust_compatible = False
    _colorbar_gridspec = False

    def __init__(self, *, rect=(0, 0, 1, 1), title=None):
        super().__init__()
        self.rect = tuple(rect)
        self.title = title
        self.fallback = ConstrainedLayoutEngine()

    def set(self, *, rect=None, title=None):
        if rect is not None:
            self.rect = tuple(rect)
            self.fallback.set(rect=rect)
        if title is not None:
            self.title = title

    def execute(self, fig):
        axes = [ax for ax in fig.axes if ax.get_visible() and ax.get_in_layout()]
        if len(axes) != 1:
            return self.fallback.execute(fig)
        ax = axes[0]
        renderer = fig.canvas.get_renderer()
        width, height = fig.bbox.width, fig.bbox.height
        pad = PAD * fig.dpi
        left, bottom, w, h = self.rect
        top = (bottom + h) * height
        if self.title is not None and self.title.get_visible():
            self.title.set_y(1 - pad / height)
            top -= self.title.get_window_extent(renderer).height + 2 * pad
        area = Bbox.from_extents(
            left * width + pad, bottom * height + pad, (left + w) * width - pad, top - pad
        )
        ticks = _ticks(ax)
        for _ in range(2):
            box = ax.get_position(original=True).transformed(fig.transFigure)
            tight = ax.get_tightbbox(renderer, for_layout_only=True)
            inner = Bbox.from_extents(
                area.x0 + max(box.x0 - tight.x0, 0),
                area.y0 + max(box.y0 - tight.y0, 0),
                area.x1 - max(tight.x1 - box.x1, 0),
                area.y1 - max(tight.y1 - box.y1, 0),
            )
            if inner.width <= 0 or inner.height <= 0:
                return self.fallback.execute(fig)  # no room: let constrained layout warn
            ax.set_position(inner.transformed(fig.transFigure.inverted()), which="both")
            ax.set_in_layout(True)  # set_position takes it out; this engine is the layout
            before, ticks = ticks, _ticks(ax)
            if ticks == before:
                break
        return None


def _ticks(ax) -> tuple:
    """The axes' tick locations: the part of its decorations that may change with its size."""
    return tuple(
        tuple(np.round(axis.get_majorticklocs(), 12))
        + ("|",)
        + tuple(np.round(axis.get_minorticklocs(), 12))
        for axis in (ax.xaxis, ax.yaxis)
    )
