"""The choropleth map of local authorities, with names placed so they do not collide."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from helpers.core.errors import DataError
from helpers.report.charts.parts import (
    finish,
    gc_paused,
    legends_above,
    new_figure,
    number_format,
    settle,
    short_name,
    thousands,
)
from helpers.report.charts.theme import (
    MUTED,
    NO_DATA,
    OS_COPYRIGHT,
    SUPPRESSED,
)

# ---------------------------------------------------------------- map


@gc_paused
def choropleth(
    geojson: dict,
    values: pd.Series,
    *,
    title: str,
    legend_label: str,
    source: str,
    highlight: str | None = None,
    names: Mapping[str, str] | None = None,
    suppressed: Iterable[str] = (),
    code_property: str = "area_code",
    name_property: str = "area_name",
    cmap: str = "mako_r",
) -> Figure:
    """A map of `values` (a Series indexed by area code) over GeoJSON boundaries, reprojected to
    British National Grid when pyproj can. Areas in `values` are shaded on a colour-blind-safe
    scale and labelled with short name and value; NaN areas are hatched grey, "no data"; codes in
    `suppressed` say "suppressed (privacy)". Other boundaries in the file (e.g. a city
    unitary inside the county) are drawn unshaded, as context. `names` overrides labels by code. The
    source always carries the Ordnance Survey copyright line."""
    import geopandas as gpd  # heavy: only when a map is drawn
    import pyproj

    gdf = gpd.GeoDataFrame.from_features(geojson["features"], crs="EPSG:4326")
    if code_property not in gdf.columns:
        raise DataError(
            f"choropleth: the boundaries have no property {code_property!r}.",
            fix="Pass code_property= the property that holds the area codes.",
        )
    try:
        gdf = gdf.to_crs(27700)  # British National Grid: the same map on every machine
    except pyproj.exceptions.ProjError as exc:
        raise DataError(
            "choropleth: could not reproject the boundaries to British National Grid "
            f"(EPSG:27700): {exc}",
            fix="reinstall the environment (`make report` does it): pyproj ships the PROJ data",
        ) from exc
    codes = [str(c) for c in values.index]
    hidden = {str(c) for c in suppressed}
    gdf["_code"] = gdf[code_property].astype(str)
    numbers = dict(zip(codes, pd.to_numeric(values, errors="coerce"), strict=True))
    gdf["_value"] = [np.nan if c in hidden else numbers.get(c, np.nan) for c in gdf["_code"]]
    gdf["_in"] = gdf["_code"].isin(codes) | gdf["_code"].isin(hidden)
    gdf["_hidden"] = gdf["_code"].isin(hidden)
    inside, context = gdf[gdf["_in"]], gdf[~gdf["_in"]]
    if inside.empty:
        raise DataError(
            "choropleth: none of the area codes in the values are in the boundaries.",
            fix=f"Index the values by {code_property} codes, e.g. {gdf['_code'].iloc[0]}.",
        )
    shaded = inside[inside["_value"].notna()]
    empty = inside[inside["_value"].isna() & ~inside["_hidden"]]
    withheld = inside[inside["_hidden"]]

    geographic = gdf.crs is not None and gdf.crs.is_geographic
    minx, miny, maxx, maxy = inside.total_bounds
    stretch = 1 / np.cos(np.deg2rad((miny + maxy) / 2)) if geographic else 1.0
    aspect = (maxy - miny) * stretch / (maxx - minx) if maxx > minx else 1.0
    # a fixed aspect shrinks the axes inside its box: constrained layout iterates for that
    fig, ax = new_figure(min(max(6.6 * aspect + 2.4, 5.0), 9.5), layout="constrained")
    # Stop short of the darkest end so outlines and labels stay visible on every fill.
    colours = matplotlib.colors.ListedColormap(plt.get_cmap(cmap)(np.linspace(0.08, 0.75, 256)))
    vmin, vmax = (shaded["_value"].min(), shaded["_value"].max()) if len(shaded) else (0, 1)
    if vmin == vmax:
        vmin, vmax = vmin - 0.5, vmax + 0.5
    norm = matplotlib.colors.Normalize(vmin=vmin, vmax=vmax)
    blank, line = "#F2F2F2", "#7A7A7A"
    if len(context):
        context.plot(ax=ax, facecolor="#FCFCFC", edgecolor="#9A9A9A", linewidth=0.8)
    if len(shaded):
        shaded.plot(
            ax=ax,
            color=[colours(norm(v)) for v in shaded["_value"]],
            edgecolor="white",
            linewidth=1.2,
        )
    if len(empty):
        empty.plot(ax=ax, facecolor=blank, edgecolor=line, hatch="///", linewidth=0.8)
    if len(withheld):
        withheld.plot(ax=ax, facecolor=blank, edgecolor=line, hatch="\\\\\\", linewidth=0.8)
    chosen = gdf[gdf["_code"] == str(highlight)] if highlight is not None else gdf.iloc[0:0]
    if len(chosen):  # black outline with a white halo: visible on light and dark fills
        chosen.boundary.plot(ax=ax, color="white", linewidth=5, zorder=4)
        chosen.boundary.plot(ax=ax, color="black", linewidth=2.4, zorder=5)

    pad_x, pad_y = (maxx - minx) * 0.05, (maxy - miny) * 0.05
    ax.set_xlim(minx - pad_x, maxx + pad_x)
    ax.set_ylim(miny - pad_y, maxy + pad_y)
    ax.set_aspect(stretch)
    ax.set_axis_off()

    bar = fig.colorbar(
        matplotlib.cm.ScalarMappable(norm=norm, cmap=colours),
        ax=ax,
        location="bottom",
        shrink=0.6,
        aspect=30,
        pad=0.02,
    )
    bar.set_label(legend_label)
    bar.outline.set_visible(False)
    thousands(bar.ax.xaxis)

    labels = dict(names or {})
    fmt = number_format(shaded["_value"])
    placed = []  # (text, anchor point, polygon) for the labels of shaded/no-data areas
    for _, area in gdf.iterrows():
        point = area.geometry.representative_point()
        if not (minx <= point.x <= maxx and miny <= point.y <= maxy):
            continue
        name = labels.get(area["_code"]) or short_name(area.get(name_property, area["_code"]))
        if not area["_in"]:
            ax.text(
                point.x,
                point.y,
                name,
                ha="center",
                va="center",
                fontsize=8.5,
                fontstyle="italic",
                color=MUTED,
            )
            continue
        if area["_hidden"]:
            value_text = "suppressed\n(privacy)"
        else:
            value_text = fmt(area["_value"])
        text = ax.text(
            point.x,
            point.y,
            f"{name}\n{value_text}",
            ha="center",
            va="center",
            fontsize=9,
            fontweight="bold" if area["_code"] == str(highlight) else "normal",
            color="black",
            linespacing=1.15,
            path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
            zorder=6,
        )
        placed.append((text, point, area.geometry))

    handles: list = []
    if len(empty):
        handles.append(Patch(facecolor=blank, edgecolor=line, hatch="///", label=NO_DATA))
    if len(withheld):
        handles.append(Patch(facecolor=blank, edgecolor=line, hatch="\\\\\\", label=SUPPRESSED))
    if len(context):
        handles.append(
            Patch(facecolor="#FCFCFC", edgecolor="#9A9A9A", label="Other areas, not compared")
        )
    if len(chosen):
        name = chosen[name_property].iloc[0] if name_property in chosen else highlight
        handles.append(Line2D([], [], color="black", linewidth=2.4, label=f"{name} (outlined)"))
    legends_above(ax, [(handles, None)])

    source = str(source).strip()
    if "contains os data" not in source.lower():
        source = f"{source.rstrip('.')}. {OS_COPYRIGHT}"
    finish(fig, title=title, source=source)
    _move_crowded_labels(ax, placed, centre=((minx + maxx) / 2, (miny + maxy) / 2))
    return fig


def _move_crowded_labels(ax: Axes, placed: list, *, centre: tuple[float, float]) -> None:
    """Move labels that spill out of a small area, or overlap another label, to a clear spot
    nearby with a leader line, the smallest areas first."""
    if not placed:
        return
    fig = ax.figure
    settle(fig)  # the layout, so that display coordinates are final
    renderer = fig.canvas.get_renderer()
    to_px = ax.transData.transform
    frame = ax.get_window_extent(renderer)
    boxes = [text.get_window_extent(renderer).padded(2) for text, _, _ in placed]
    order = sorted(range(len(placed)), key=lambda i: placed[i][2].area)
    for i in order:
        text, point, shape = placed[i]
        x0, y0, x1, y1 = shape.bounds
        (px0, py0), (px1, py1) = to_px((x0, y0)), to_px((x1, y1))
        spills = boxes[i].width > (px1 - px0) * 1.05 or boxes[i].height > (py1 - py0) * 0.9
        others = [b for j, b in enumerate(boxes) if j != i]
        if not spills and not any(boxes[i].overlaps(b) for b in others):
            continue
        away = np.arctan2(point.y - centre[1], point.x - centre[0])
        angles = sorted(
            np.deg2rad(np.arange(0, 360, 30)), key=lambda a: abs(np.angle(np.exp(1j * (a - away))))
        )
        best = None
        for distance in (55, 75, 100):
            for angle in angles:
                dx, dy = distance * np.cos(angle), distance * np.sin(angle)
                box = boxes[i].translated(dx * fig.dpi / 72, dy * fig.dpi / 72)
                inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
                if inside and not any(box.overlaps(b) for b in others):
                    best = (dx, dy, box)
                    break
            if best:
                break
        if best is None:
            continue
        dx, dy, boxes[i] = best
        label = ax.annotate(
            text.get_text(),
            xy=(point.x, point.y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=text.get_fontsize(),
            fontweight=text.get_fontweight(),
            linespacing=1.15,
            color="black",
            path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
            arrowprops={
                "arrowstyle": "-",
                "color": "black",
                "linewidth": 0.9,
                "shrinkA": 2,
                "shrinkB": 0,
            },
            zorder=7,
        )
        label.arrow_patch.set_path_effects(
            [patheffects.withStroke(linewidth=2.5, foreground="white")]
        )
        ax.plot(point.x, point.y, "o", color="black", markersize=3, zorder=7)
        text.remove()
