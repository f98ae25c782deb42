"""The one-pass chart layout (helpers.report.charts.layout) against matplotlib's constrained
layout, which it replaces: each chart, drawn with both, has its frame in the same place, except
a few pixels more white at the right; and nothing comes nearer the figure's edge than
constrained layout's padding."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from test_charts import (
    SOURCE,
    charnwood_profile,
    drug_crimes_2023,
    drug_crimes_trend,
    monthly_counts,
)

from helpers.report import charts
from helpers.report.charts import layout

LONG = "North West Leicestershire and Charnwood (similar area)"


def _compare_long_names():
    frame = drug_crimes_2023()
    frame.loc[0, "area_name"] = LONG
    return charts.compare_bars(
        frame, outcome="county_outcome", highlight=LONG, benchmark=1.56,
        benchmark_label="Leicestershire",
        title="Drug crimes per 1,000 residents, 2023", xlabel="Crimes per 1,000", source=SOURCE,
    )  # fmt: skip


def _trend_of_large_numbers():
    frame = drug_crimes_trend()
    frame[["value", "lower_95", "upper_95"]] *= 123_457
    return charts.trend(
        frame, title="Crimes", ylabel="Crimes", source=SOURCE, highlight="Charnwood"
    )


def _deciles():
    frame = pd.DataFrame(
        {"imd_decile": range(1, 11), "value": [9, 8, 7, 6, 5, 4, 3, 2, 1, np.nan], "count": 5}
    )
    return charts.deprivation_deciles(frame, title="By decile", ylabel="Crimes", source=SOURCE)


CHARTS = {
    "compare_bars": lambda: charts.compare_bars(
        drug_crimes_2023(),
        outcome="county_outcome",
        highlight="Charnwood",
        benchmark=1.56,
        benchmark_label="Leicestershire",
        title="Drug crimes per 1,000 residents, 2023",
        xlabel="Crimes per 1,000 residents",
        source=SOURCE,
    ),  # fmt: skip
    "compare_bars, long names and key": _compare_long_names,
    "trend": lambda: charts.trend(
        drug_crimes_trend(),
        title="Drug crimes per 1,000 residents",
        ylabel="Crimes per 1,000",
        source=SOURCE,
        highlight="Charnwood",
    ),  # fmt: skip
    "trend, large numbers": _trend_of_large_numbers,
    "spine": lambda: charts.spine(
        charnwood_profile(),
        title="Charnwood: area profile",
        source="OHID Fingertips",
        area_label="Charnwood",
    ),  # fmt: skip
    "monthly": lambda: charts.monthly(
        monthly_counts(), title="Drug crimes per month", ylabel="Crimes", source=SOURCE
    ),
    "seasonality": lambda: charts.seasonality(
        monthly_counts(), title="Drug crimes by month", ylabel="Crimes", source=SOURCE
    ),
    "deprivation_deciles": _deciles,
}


def _drawn(fig):
    """(frame extents in pixels, decorations' extents in pixels) once drawn at 100 dpi."""
    fig.set_dpi(100)
    fig.canvas.draw()
    ax = fig.axes[0]
    frame = ax.get_position().transformed(fig.transFigure)
    return frame.extents, ax.get_tightbbox(fig.canvas.get_renderer()).extents


@pytest.mark.parametrize("name", list(CHARTS))
def test_one_pass_layout_puts_the_frame_where_constrained_layout_does(name):
    fig = CHARTS[name]()
    engine = fig.get_layout_engine()
    assert isinstance(engine, layout.OnePassLayout)
    ours, our_reach = _drawn(fig)
    title_ours = fig.texts[0].get_window_extent().extents if fig.texts else None

    fig.axes[0].set_in_layout(True)
    fig.set_layout_engine("constrained", rect=engine.get()["rect"])
    theirs, _ = _drawn(fig)
    plt.close(fig)

    left, bottom, right, top = np.asarray(ours) - np.asarray(theirs)
    assert abs(left) < 0.5 and abs(bottom) < 0.5 and abs(top) < 0.5, (ours, theirs)
    assert -8 < right < 0.5, (ours, theirs)  # at most a few pixels more white at the right
    width, height = fig.bbox.width, fig.bbox.height
    pad = layout.PAD * 100
    x0, y0, x1, y1 = our_reach
    assert min(x0, y0, width - x1, height - y1) > pad - 0.5, our_reach
    assert title_ours is not None and title_ours[3] <= height - pad + 0.5


def test_a_tick_change_on_resizing_is_measured_again(monkeypatch):
    """Where the laid-out axis is long or short enough for its locator to choose other ticks
    than in the first frame, the margins are measured again at the final size: the layout is
    then settled (laying it out once more moves nothing)."""
    from helpers.report.charts.parts import finish, new_figure

    measured: list = []
    original = layout._margins
    monkeypatch.setattr(layout, "_margins", lambda *a: measured.append(1) or original(*a))
    again = 0
    for height in np.arange(1.6, 4.01, 0.1):
        fig, ax = new_figure(float(height))
        ax.plot([0, 1, 2, 3], [0, 97_000, 45_000, 12_345])
        finish(fig, title="A chart", source=SOURCE, notes=["A note that takes a line"])
        measured.clear()
        fig.get_layout_engine().execute(fig)
        again += len(measured) == 2
        settled = ax.get_position().extents
        fig.get_layout_engine().execute(fig)
        assert ax.get_position().extents == pytest.approx(settled, abs=1 / (100 * height))
        plt.close(fig)
    assert again  # the case arose at some of these heights
