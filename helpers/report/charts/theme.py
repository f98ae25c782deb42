"""The house style of every chart: one seaborn/matplotlib theme, Okabe-Ito colours, the shared
comparison palette, and the sizes, inks and fills the charts share."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # reports render off-screen; set before pyplot is imported
import seaborn as sns  # noqa: E402

from helpers.report import palette  # noqa: E402

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = list(palette.LINE_CYCLE)
HIGHLIGHT, OTHER, BENCHMARK = palette.HIGHLIGHT, palette.OTHER, palette.BENCHMARK

NO_DATA = "no data"
SUPPRESSED = "suppressed (privacy)"
NOT_PUBLISHED = "not published"
OS_COPYRIGHT = "Contains OS data © Crown copyright and database right 2019"

WIDTH = 8.0  # inches: 800 px at the 100 dpi used by `show`
INK = "#222222"
MUTED = "#505050"  # 8:1 on white, for notes and "no data"
GRID = "#E3E3E3"
GAP_FILL = "#EBEBEB"
RANGE_FILL = "#D9D9D9"  # spine chart: whole range of areas
IQR_FILL = "#A6A6A6"  # spine chart: middle 50% of areas
EDGE = "#333333"  # outline so white and light grey bars stay visible
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
OUTCOME_ORDER = list(palette.OUTCOME_COLOURS)
_THEME: dict | None = None


def apply_theme() -> None:
    """The house style: white grid, Okabe-Ito colours, text sized to read at 800 px wide.

    Set up once per process, then re-applied from a snapshot (seaborn's set_theme is slow and
    each chart calls this), so every chart starts from exactly the same settings."""
    global _THEME
    if _THEME is not None:
        matplotlib.rcParams.update(_THEME)
        return
    _set_theme()
    _THEME = {k: v for k, v in matplotlib.rcParams.items() if k != "backend"}


def _set_theme() -> None:
    sns.set_theme(
        style="whitegrid",
        palette=PALETTE,
        rc={
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "font.size": 10,
            "axes.titlesize": 10,
            "axes.titleweight": "normal",
            "axes.titlecolor": MUTED,
            "axes.labelsize": 10,
            "axes.labelcolor": INK,
            "axes.edgecolor": "#6E6E6E",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "grid.color": GRID,
            "xtick.labelsize": 9.5,
            "ytick.labelsize": 9.5,
            "xtick.color": INK,
            "ytick.color": INK,
            "legend.fontsize": 9,
            "legend.title_fontsize": 9,
            "legend.frameon": False,
            "text.color": INK,
            "figure.titlesize": 13,
            "figure.titleweight": "bold",
            "hatch.linewidth": 0.8,
            # names and titles come from data: a "$" must print as a dollar, never start
            # mathtext (which would render markup-like syntax or fail on a stray backslash)
            "text.parse_math": False,
        },
    )
