"""Where a report's cell time goes: the notebooks' code cells executed in this process (as a warm
kernel runs them: imports paid once, by a first report that is not counted), timed cell by cell
and chart by chart, with the drawing split into phases (layout, text, rasterising, PNG
quantising and encoding) and, with --cprofile, the time by library and the slowest functions.

    python benchmarks/profile_cells.py                     # every report of params/, once
    python benchmarks/profile_cells.py --sample 8          # the first 8 reports
    python benchmarks/profile_cells.py --notebooks mental_health --cprofile

Needs the store (`needs build`). Phases are inclusive and counted once when nested (a text
drawn inside a legend counts once as "text draw"); a chart's "build" is its chart function
(which may draw to place labels), its "render" is `charts.show` (draw, quantise, encode).
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import functools
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHARTS = (
    "compare_bars",
    "trend",
    "spine",
    "monthly",
    "seasonality",
    "deprivation_deciles",
    "choropleth",
    "national_scatter",
)
# (module, owner attribute path, method, label): drawing phases, timed wherever they run
PHASES = [
    ("matplotlib.figure", "Figure", "draw", "figure draw (all)"),
    ("matplotlib.layout_engine", "ConstrainedLayoutEngine", "execute", "constrained layout"),
    ("helpers.report.charts.layout", "OnePassLayout", "execute", "one-pass layout"),
    ("matplotlib.figure", "Figure", "get_tightbbox", "tight bbox"),
    ("matplotlib.axis", "Axis", "_update_ticks", "tick update"),
    ("matplotlib.axis", "Axis", "get_tightbbox", "axis tight bbox"),
    ("matplotlib.text", "Text", "draw", "text draw"),
    ("matplotlib.text", "Text", "_get_layout", "text layout"),
    ("matplotlib.text", "Text", "get_window_extent", "text extent"),
    ("matplotlib.legend", "Legend", "__init__", "legend build"),
    ("matplotlib.backends.backend_agg", "RendererAgg", "draw_text", "agg text raster"),
    ("matplotlib.backends.backend_agg", "RendererAgg", "draw_path", "agg path raster"),
    ("matplotlib.backends.backend_agg", "RendererAgg", "draw_markers", "agg marker raster"),
    ("matplotlib.backends.backend_agg", "RendererAgg", "draw_path_collection", "agg collection"),
    ("matplotlib.backends.backend_agg", "FigureCanvasAgg", "print_png", "print_png"),
    ("matplotlib.backends.backend_svg", "FigureCanvasSVG", "print_svg", "print_svg"),
    ("PIL.Image", "Image", "quantize", "png quantize"),
    ("PIL.Image", "Image", "save", "png encode"),
    ("geopandas.plotting", None, "plot_dataframe", "geopandas plot"),
    ("geopandas.plotting", None, "plot_series", "geopandas plot"),
    ("geopandas.geodataframe", "GeoDataFrame", "to_crs", "reproject"),
    ("geopandas.geodataframe", "GeoDataFrame", "from_features", "geojson parse"),
]
PACKAGES = ["matplotlib", "pandas", "numpy", "PIL", "geopandas", "shapely", "pyproj", "seaborn"]


def reports(sample: int | None, notebooks: list[str] | None, areas: list[str] | None):
    from helpers.build import store
    from helpers.core import config

    areas = areas or list(store.selection().report_areas)
    notebooks = notebooks or list(config.load_params("run")["notebooks"])
    pairs = [(nb, area) for area in areas for nb in notebooks]
    return pairs[:sample] if sample else pairs


class Probe:
    """Inclusive timers on chart functions and drawing phases, keyed by (chart, stage, label)."""

    def __init__(self) -> None:
        self.seconds: dict[tuple, float] = defaultdict(float)
        self.calls: dict[tuple, int] = defaultdict(int)
        self.active: set[str] = set()
        self.chart = "-"
        self.stage = "other"
        self.kinds: dict[int, str] = {}
        self.restore: list = []
        self.on = False

    def _patch(self, owner, name: str, wrapper) -> None:
        original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        self.restore.append((owner, name, original))
        if isinstance(original, classmethod | staticmethod):
            inner = original.__func__
            setattr(owner, name, type(original)(functools.wraps(inner)(wrapper(inner))))
        else:
            setattr(owner, name, functools.wraps(original)(wrapper(original)))

    def _add(self, key: tuple, seconds: float) -> None:
        if self.on:
            self.seconds[key] += seconds
            self.calls[key] += 1

    def phase(self, owner, name: str, label: str) -> None:
        def wrapper(original):
            def timed(*args, **kwargs):
                if label in self.active:
                    return original(*args, **kwargs)
                self.active.add(label)
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    self.active.discard(label)
                    self._add((self.chart, self.stage, label), time.perf_counter() - started)

            return timed

        self._patch(owner, name, wrapper)

    def chart_function(self, module, name: str) -> None:
        def wrapper(original):
            def timed(*args, **kwargs):
                self.chart, self.stage = name, "build"
                started = time.perf_counter()
                try:
                    fig = original(*args, **kwargs)
                finally:
                    self._add((name, "build", "(chart)"), time.perf_counter() - started)
                    self.chart, self.stage = "-", "other"
                self.kinds[id(fig)] = name
                return fig

            return timed

        self._patch(module, name, wrapper)

    def show(self, module) -> None:
        def wrapper(original):
            def timed(fig, *args, **kwargs):
                name = self.kinds.pop(id(fig), "?")
                self.chart, self.stage = name, "render"
                started = time.perf_counter()
                try:
                    return original(fig, *args, **kwargs)
                finally:
                    self._add((name, "render", "(chart)"), time.perf_counter() - started)
                    self.chart, self.stage = "-", "other"

            return timed

        self._patch(module, "show", wrapper)

    def install(self) -> None:
        import importlib

        from helpers.report import charts

        for module, owner, method, label in PHASES:
            try:
                mod = importlib.import_module(module)
            except ImportError:
                continue
            target = getattr(mod, owner) if owner else mod
            if (target.__dict__ if isinstance(target, type) else vars(target)).get(method):
                self.phase(target, method, label)
        for name in CHARTS:
            self.chart_function(charts, name)
        self.show(charts)

    def uninstall(self) -> None:
        for owner, name, original in reversed(self.restore):
            setattr(owner, name, original)
        self.restore.clear()


def code_cells(notebook: str, area: str) -> list[str]:
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / f"{notebook}.ipynb", as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cells.append(cell.source)
        if "parameters" in cell.metadata.get("tags", []):  # papermill's injected cell
            cells.append(f"area_code = {area!r}")
    return cells


def run_cell(source: str, namespace: dict, shown: list) -> None:
    """Execute a cell as IPython would: its last expression, if any, is displayed."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)
    if last is not None:
        value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
        if value is not None:
            shown.append(value)


def run_report(notebook: str, area: str, cell_times: dict) -> int:
    import matplotlib.pyplot as plt
    from IPython import display as ipython_display

    shown: list = []

    def display(obj, metadata=None, **_kw):
        html = getattr(obj, "_repr_html_", None)
        shown.append(html() if html else repr(obj))  # the kernel formats what it displays

    ipython_display.display = display
    namespace: dict = {"__name__": "__main__"}
    for source in code_cells(notebook, area):
        started = time.perf_counter()
        run_cell(source, namespace, shown)
        label = source.strip().splitlines()[-1][:60] if source.strip() else ""
        cell_times[(notebook, label)].append(time.perf_counter() - started)
    plt.close("all")
    return len(shown)


def table(rows: list[list], header: list[str]) -> str:
    cells = [header, *[[str(c) for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [
        "  ".join(
            c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def package_of(filename: str) -> str:
    parts = Path(filename).parts
    if "helpers" in parts and "site-packages" not in parts:
        return "helpers (project)"
    for name in PACKAGES:
        if name in parts:
            return name
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins / C"
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, help="only the first N reports")
    parser.add_argument("--notebooks", help="comma-separated notebooks (default: params/)")
    parser.add_argument("--areas", help="comma-separated area codes (default: params/)")
    parser.add_argument("--cprofile", action="store_true", help="also profile by library")
    parser.add_argument("--top", type=int, default=25, help="functions to list with --cprofile")
    args = parser.parse_args()
    os.chdir(ROOT / "notebooks")  # where the kernel runs
    pairs = reports(
        args.sample,
        args.notebooks.split(",") if args.notebooks else None,
        args.areas.split(",") if args.areas else None,
    )
    probe = Probe()
    probe.install()
    cell_times: dict = defaultdict(list)
    started = time.perf_counter()
    run_report(*pairs[0], defaultdict(list))  # warm-up: imports, store reads, theme
    print(f"warm-up report: {time.perf_counter() - started:.2f} s (imports, first store reads)")
    profiler = cProfile.Profile() if args.cprofile else None
    probe.on = True
    total = 0.0
    per_report = []
    for nb, area in pairs:
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        run_report(nb, area, cell_times)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
        per_report.append((nb, area, seconds))
        total += seconds
    probe.on = False
    probe.uninstall()
    n = len(pairs)
    print(f"\n{n} reports, {total:.2f} s of cells, {total / n:.2f} s per report\n")

    by_nb: dict = defaultdict(list)
    for nb, _area, s in per_report:
        by_nb[nb].append(s)
    print(
        table(
            [[nb, len(v), f"{sum(v) / len(v):.2f}"] for nb, v in by_nb.items()],
            ["notebook", "reports", "s/report"],
        )
    )

    print("\nSlowest cells (mean over the reports that ran them)")
    cells = sorted(cell_times.items(), key=lambda kv: -sum(kv[1]))[:20]
    rows = [
        [f"{nb}: {label}", len(t), f"{1000 * sum(t) / len(t):.0f}", f"{sum(t):.2f}"]
        for (nb, label), t in cells
    ]
    print(table(rows, ["cell", "runs", "ms/run", "total s"]))

    charts_total = 0.0
    rows = []
    for name in CHARTS + ("?",):
        build = probe.seconds.get((name, "build", "(chart)"), 0.0)
        render = probe.seconds.get((name, "render", "(chart)"), 0.0)
        count = probe.calls.get((name, "render", "(chart)"), 0) or probe.calls.get(
            (name, "build", "(chart)"), 0
        )
        if not count:
            continue
        charts_total += build + render
        rows.append(
            [
                name,
                count,
                f"{1000 * build / count:.0f}",
                f"{1000 * render / count:.0f}",
                f"{build + render:.2f}",
                f"{100 * (build + render) / total:.0f}%",
            ]
        )
    rows.append(
        [
            "all charts",
            sum(int(r[1]) for r in rows),
            "",
            "",
            f"{charts_total:.2f}",
            f"{100 * charts_total / total:.0f}%",
        ]
    )
    print("\nCharts: build (the chart function) and render (charts.show)")
    print(table(rows, ["chart", "n", "build ms", "render ms", "total s", "of cells"]))

    labels = sorted(
        {k[2] for k in probe.seconds if k[2] != "(chart)"},
        key=lambda lab: -sum(v for k, v in probe.seconds.items() if k[2] == lab),
    )
    rows = []
    for lab in labels:
        build = sum(v for k, v in probe.seconds.items() if k[2] == lab and k[1] == "build")
        render = sum(v for k, v in probe.seconds.items() if k[2] == lab and k[1] == "render")
        other = sum(v for k, v in probe.seconds.items() if k[2] == lab and k[1] == "other")
        calls = sum(v for k, v in probe.calls.items() if k[2] == lab)
        rows.append(
            [
                lab,
                calls,
                f"{build:.2f}",
                f"{render:.2f}",
                f"{other:.2f}",
                f"{build + render + other:.2f}",
                f"{100 * (build + render + other) / total:.0f}%",
            ]
        )
    print("\nDrawing phases (inclusive seconds; nested phases overlap)")
    print(
        table(rows, ["phase", "calls", "in build", "in render", "elsewhere", "total s", "of cells"])
    )

    rows = []
    for name in CHARTS:
        keys = [k for k in probe.seconds if k[0] == name and k[2] != "(chart)"]
        if not keys:
            continue
        top = sorted(keys, key=lambda k: -probe.seconds[k])[:4]
        rows.append([name, "; ".join(f"{k[1]} {k[2]} {probe.seconds[k]:.2f}" for k in top)])
    print("\nBiggest phases per chart (seconds)")
    print(table(rows, ["chart", "phase"]))

    if profiler:
        stats = pstats.Stats(profiler)
        own: dict = defaultdict(float)
        for (filename, _line, _func), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():
            own[package_of(filename)] += tt
        profiled = sum(own.values())
        print("\nSelf time by library (cProfile, which slows pure-Python code more)")
        rows = [
            [k, f"{v:.2f}", f"{100 * v / profiled:.0f}%"]
            for k, v in sorted(own.items(), key=lambda kv: -kv[1])
        ]
        print(table(rows, ["library", "self s", "share"]))
        print(f"\nTop {args.top} functions by self time")
        rows = []
        ranked = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[: args.top]
        for (filename, line, func), (_cc, nc, tt, ct, _callers) in ranked:
            where = f"{Path(filename).name}:{line}" if line else filename
            rows.append([f"{func} ({where})", nc, f"{tt:.2f}", f"{ct:.2f}"])
        print(table(rows, ["function", "calls", "self s", "cumulative s"]))
        print(f"\nTop {args.top} project functions by cumulative time (nested calls overlap)")
        rows = []
        mine = [kv for kv in stats.stats.items() if package_of(kv[0][0]) == "helpers (project)"]
        for (filename, line, func), (_cc, nc, _tt, ct, _callers) in sorted(
            mine, key=lambda kv: -kv[1][3]
        )[: args.top]:
            where = (
                Path(filename).relative_to(ROOT).as_posix()
                if ROOT in Path(filename).parents
                else filename
            )
            rows.append([f"{func} ({where}:{line})", nc, f"{ct:.2f}"])
        print(table(rows, ["function", "calls", "cumulative s"]))


if __name__ == "__main__":
    main()
