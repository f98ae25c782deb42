"""The Agg canvas every chart draws on: matplotlib's own, with text measured and rasterised once
per process rather than once per figure.

FreeType spends 25 to 50 microseconds on each glyph it lays out, and matplotlib measures and
draws every string of every figure afresh (its text-metrics cache belongs to one renderer, so
to one figure). A report's twenty charts repeat most of their strings (area names, tick labels,
source lines, legend words), and a warm kernel runs reports one after another, so the canvas
keeps each string's metrics and its grey-level bitmap, keyed by the text, the font properties,
the dpi and the font settings, and blends a kept bitmap where the text goes, as matplotlib did
up to 3.10 (a whole-string bitmap placed at whole pixels). Rotated text (turning a bitmap would
blur it), mathematical and non-antialiased text is drawn by matplotlib as usual. Nothing of
matplotlib is changed, and none of its private methods is called or overridden: only figures
made by `new_figure` use this canvas."""

from __future__ import annotations

from collections import OrderedDict

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import findfont, get_font

CACHE_SIZE = 8_000  # strings (about 2 KB each); eight reports draw about 800 distinct ones

_metrics: OrderedDict = OrderedDict()
_bitmaps: OrderedDict = OrderedDict()


FONT_SETTINGS = ("font.family", "font.sans-serif", "font.serif", "font.monospace", "text.hinting")


def _key(s: str, prop, dpi: float) -> tuple:
    """A string's cache key: the text, its font properties, the dpi, and the font settings that
    decide which file a family name means (FontProperties hashes the name, not the file)."""
    rc = matplotlib.rcParams
    return (s, prop.copy(), dpi, *(str(rc[k]) for k in FONT_SETTINGS))


def _remember(cache: OrderedDict, key, value):
    """Keep a value, dropping the oldest once the cache is full."""
    cache[key] = value
    if len(cache) > CACHE_SIZE:
        cache.popitem(last=False)
    return value


class TextCachingRenderer(RendererAgg):
    """RendererAgg whose plain-text metrics and bitmaps outlive the figure. Only the renderer's
    public methods are overridden, and only public calls are made: FT2Font's own layout and
    rasterising, and the renderer's draw_image to blend the kept bitmap in the text colour."""

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        key = _key(s, prop, self.dpi)
        found = _metrics.get(key)
        if found is None:
            found = _remember(_metrics, key, super().get_text_width_height_descent(s, prop, False))
        return found

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath or angle % 360 or not gc.get_antialiased():
            # turning a bitmap would blur it; FreeType turns the outlines
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        key = _key(s, prop, self.dpi)
        found = _bitmaps.get(key)
        if found is None:
            found = _remember(_bitmaps, key, _rasterise(s, prop, self.dpi))
        coverage, xo, yo, descent = found
        if not coverage.size:
            return None
        # x, y (downwards) is the baseline's start; the bitmap goes by its bottom edge, which
        # draw_image takes upwards from the canvas' foot, with the image's rows bottom first
        bottom = round(y + yo + descent) + 1
        r, g, b, *a = gc.get_rgb()
        # the text's own alpha if it has one (forced), else its colour's
        alpha = gc.get_alpha() if gc.get_forced_alpha() or not a else a[0]
        image = np.empty((*coverage.shape, 4), np.uint8)
        image[..., :3] = np.round(np.array([r, g, b]) * 255)
        image[..., 3] = np.round(coverage * alpha).astype(np.uint8)
        self.draw_image(gc, round(x + xo), int(self.height) - bottom, image[::-1])
        return None


def _rasterise(s: str, prop, dpi: float):
    """A string's grey-level bitmap, with its offsets and descent in pixels."""
    font = get_font(findfont(prop))
    font.clear()
    font.set_size(prop.get_size_in_points(), dpi)
    font.set_text(s, 0, flags=get_hinting_flag())
    font.draw_glyphs_to_bitmap(antialiased=True)
    xo, yo = font.get_bitmap_offset()
    image = np.array(font.get_image(), dtype=np.uint8)  # the font reuses its buffer
    return image, xo / 64.0, yo / 64.0, font.get_descent() / 64


class ChartCanvas(FigureCanvasAgg):
    """FigureCanvasAgg drawing with TextCachingRenderer."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = (w, h, self.figure.dpi)
        if getattr(self, "renderer", None) is None or self.renderer_key != key:
            self.renderer = TextCachingRenderer(w, h, self.figure.dpi)
            self.renderer_key = key
        return self.renderer


def clear_text_cache() -> None:
    _metrics.clear()
    _bitmaps.clear()
