"""The chart canvas (helpers.report.charts.canvas) draws what matplotlib's own Agg canvas draws:
its kept text metrics are matplotlib's, and its kept bitmaps land where matplotlib puts the
text, in the text's colour and alpha."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

from helpers.report.charts import canvas
from helpers.report.charts.parts import finish, new_figure


def _figure():
    fig, ax = new_figure(3.2)
    ax.plot([0, 1, 2], [3, 1, 2])
    ax.set_xticks([0, 1, 2], ["2019/20", "2020/21", "2021/22"])
    ax.set_ylabel("Rate per 100,000")  # rotated: drawn by matplotlib itself
    ax.text(0.2, 2.6, "Blaby & Oadby", fontsize=11, fontweight="bold", color="#b03060")
    ax.text(1.1, 1.5, "half-seen", fontsize=12, color="black", alpha=0.5)
    ax.text(1.1, 1.1, "see-through colour", fontsize=12, color=(0, 0, 0.6, 0.4))
    return finish(fig, title="Hospital admissions: a title", source="OHID, Fingertips")


def _pixels(fig, canvas_class) -> np.ndarray:
    canvas_class(fig)
    fig.set_dpi(100)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(float)


def test_the_chart_canvas_draws_what_matplotlib_draws():
    canvas.clear_text_cache()
    ours = _pixels(_figure(), canvas.ChartCanvas)
    again = _pixels(_figure(), canvas.ChartCanvas)  # from the kept metrics and bitmaps
    theirs = _pixels(_figure(), FigureCanvasAgg)
    assert ours.shape == theirs.shape
    assert np.array_equal(ours, again)
    ink_ours, ink_theirs = 255 - ours.mean(axis=2), 255 - theirs.mean(axis=2)
    # the same ink in all (matplotlib places glyphs at sub-pixels, the canvas whole strings
    # at whole pixels: edges differ, amounts do not)
    assert abs(ink_ours.sum() / ink_theirs.sum() - 1) < 0.01
    # and in the same places: row and column profiles agree once blurred by a pixel or two
    # (text upside down, or a pixel too high, gives 0.13 or more for the rows)
    for axis, within in ((0, 0.12), (1, 0.06)):
        a = np.convolve(ink_ours.sum(axis=axis), np.ones(5) / 5, "same")
        b = np.convolve(ink_theirs.sum(axis=axis), np.ones(5) / 5, "same")
        assert np.abs(a - b).max() < within * b.max()
    assert np.abs(ours - theirs).mean() < 1.5


def test_alpha_text_is_as_faint_as_matplotlib_draws_it():
    canvas.clear_text_cache()
    for text_alpha in (0.5, 1.0):

        def ink(canvas_class, text_alpha=text_alpha):
            fig, ax = new_figure(1.0)
            ax.set_axis_off()
            ax.text(0.1, 0.5, "MMMM", fontsize=30, color="black", alpha=text_alpha)
            return (255 - _pixels(fig, canvas_class)).sum()

        assert abs(ink(canvas.ChartCanvas) / ink(FigureCanvasAgg) - 1) < 0.02


def test_kept_metrics_are_matplotlibs():
    from matplotlib.font_manager import FontProperties

    canvas.clear_text_cache()
    ours = canvas.TextCachingRenderer(200, 100, 100)
    theirs = RendererAgg(200, 100, 100)
    prop = FontProperties(size=9.5, weight="bold")
    for text in ["Leicester", "2,345.6 (Worse)", "", "gap: no data"]:
        expected = theirs.get_text_width_height_descent(text, prop, False)
        assert ours.get_text_width_height_descent(text, prop, False) == expected
        assert ours.get_text_width_height_descent(text, prop, False) == expected  # kept
