"""Charts: every one has a title, labelled axes, a source line, words beside colours, no text on
top of other text, and gaps where data are missing or suppressed, never zeros.

The frames are small real extracts (police.uk drug crimes for the Leicestershire districts, OHID
Fingertips values for Charnwood and England), typed in so the tests need no built store."""

from __future__ import annotations

import base64
import json
import struct
import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import FIXTURES, ROOT
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.legend import Legend
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from helpers.core.errors import DataError, DisclosureError
from helpers.report import charts, palette
from helpers.stats import disclosure

SOURCE = "police.uk street-level crime (Home Office); ONS mid-year population estimates"
BOUNDARIES = (
    FIXTURES / "raw" / "boundaries" / "Local_Authority_Districts_December_2019_UK_BUC.geojson"
)
CODES = {
    "Blaby": "E07000129",
    "Charnwood": "E07000130",
    "Harborough": "E07000131",
    "Hinckley and Bosworth": "E07000132",
    "Melton": "E07000133",
    "North West Leicestershire": "E07000134",
    "Oadby and Wigston": "E07000135",
}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------- inspection helpers


def texts(fig) -> list[str]:
    """Every piece of text in the figure, line breaks as spaces."""
    unique = {id(t): t for t in fig.findobj(Text)}.values()
    return [t.get_text().replace("\n", " ") for t in unique if t.get_text().strip()]


def joined(fig) -> str:
    return " | ".join(texts(fig))


def legend_texts(ax) -> list[str]:
    legends = {id(leg): leg for leg in ax.findobj(Legend)}.values()
    return [t.get_text().replace("\n", " ") for leg in legends for t in leg.get_texts()]


def bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def overlapping_texts(fig) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose boxes overlap (by more than a pixel)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    hidden = set()  # tick labels that are not drawn: axis off, or outside the view limits
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not ax.axison or not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    hidden |= {id(tick.label1), id(tick.label2)}
    boxes = []
    for t in {id(t): t for t in fig.findobj(Text)}.values():
        if id(t) in hidden or not t.get_visible() or not t.get_text().strip():
            continue
        box = t.get_window_extent(renderer)
        if box.width > 0 and box.height > 0:
            boxes.append((t.get_text(), box.padded(-1)))
    return [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if box_a.overlaps(box_b)
    ]


def check_common(fig, *, title: str, xlabel: str | None = None, ylabel: str | None = None):
    """What every chart owes its reader."""
    assert isinstance(fig, plt.Figure)
    assert fig.get_suptitle().replace("\n", " ") == title
    sources = [t.get_text() for t in fig.texts if t.get_text().startswith("Source: ")]
    assert len(sources) == 1
    assert fig.get_figwidth() == pytest.approx(8.0)
    ax = fig.axes[0]
    if xlabel is not None:
        assert ax.get_xlabel() == xlabel
    if ylabel is not None:
        assert ax.get_ylabel() == ylabel
    assert overlapping_texts(fig) == []
    return sources[0]


# ---------------------------------------------------------------- real extracts


def drug_crimes_2023() -> pd.DataFrame:
    """police.uk drug crimes per 1,000 residents, 2023, with 95% CIs and the county comparison.
    Melton is blanked (no data) and Oadby and Wigston suppressed, as disclosure control would."""
    rows = [
        ("Blaby", 146, 1.387, 1.171, 1.631, "similar", False),
        ("Charnwood", 336, 1.787, 1.601, 1.989, "higher", False),
        ("Harborough", 109, 1.063, 0.872, 1.282, "lower", False),
        ("Melton", np.nan, np.nan, np.nan, np.nan, "not compared", False),
        ("Oadby and Wigston", np.nan, np.nan, np.nan, np.nan, "not compared", True),
        ("Leicestershire", 1145, 1.560, 1.471, 1.653, "not compared", False),
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "area_name",
            "count",
            "value",
            "lower_95",
            "upper_95",
            "county_outcome",
            "suppressed",
        ],
    )


def drug_crimes_trend() -> pd.DataFrame:
    """Drug crimes per 1,000, Charnwood and Leicestershire, 2020-2024; 2022 is a gap because
    police.uk did not publish November and December 2022."""
    rows = [
        ("Charnwood", "2020", 1.538, 1.363, 1.729),
        ("Charnwood", "2021", 1.755, 1.568, 1.958),
        ("Charnwood", "2022", np.nan, np.nan, np.nan),
        ("Charnwood", "2023", 1.787, 1.601, 1.989),
        ("Charnwood", "2024", 1.388, 1.225, 1.567),
        ("Leicestershire", "2020", 1.702, 1.607, 1.801),
        ("Leicestershire", "2021", 1.744, 1.649, 1.844),
        ("Leicestershire", "2022", np.nan, np.nan, np.nan),
        ("Leicestershire", "2023", 1.560, 1.471, 1.653),
        ("Leicestershire", "2024", 1.262, 1.182, 1.345),
    ]
    frame = pd.DataFrame(rows, columns=["area_name", "period", "value", "lower_95", "upper_95"])
    frame["trend_label"] = "Cannot be calculated"
    return frame


def charnwood_profile() -> pd.DataFrame:
    """OHID Fingertips, Charnwood against England, spread across English lower-tier areas."""
    rows = [
        ("Emergency hospital admissions for intentional self-harm", "2017/18",
         136.7, 185.5, 50.6, 140.4, 230.9, 466.5, "better", "low_is_good"),
        ("Admissions for alcohol-related conditions (narrow measure)", "2017/18",
         546.0, 632.0, 394.0, 531.5, 690.2, 1097.0, "better", "low_is_good"),
        ("Alcohol-related mortality", "2017",
         39.2, 46.2, 26.2, 38.7, 51.5, 84.6, "similar", "low_is_good"),
        ("Depression: QOF prevalence (18+)", "2024/25",
         14.5, 14.3, 7.1, 12.8, 16.8, 23.5, "similar", "no_judgement"),
        ("Hospital admissions as a result of self-harm (10-24 years)", "2017/18",
         np.nan, 421.2, 116.9, 264.6, 537.6, 1009.6, "not compared", "low_is_good"),
    ]  # fmt: skip
    return pd.DataFrame(
        rows,
        columns=[
            "indicator_name",
            "period",
            "area_value",
            "benchmark_value",
            "lowest",
            "q25",
            "q75",
            "highest",
            "outcome",
            "polarity",
        ],
    )


# Leicestershire districts, drug crimes per month (police.uk); 2022-11 and 2022-12 not published.
MONTHLY_COUNTS = {
    "2019-12": 85, "2020-01": 84, "2020-02": 77, "2020-03": 88, "2020-04": 99, "2020-05": 137,
    "2020-06": 95, "2020-07": 99, "2020-08": 90, "2020-09": 100, "2020-10": 94, "2020-11": 128,
    "2020-12": 110, "2021-01": 92, "2021-02": 106, "2021-03": 104, "2021-04": 108,
    "2021-05": 138, "2021-06": 134, "2021-07": 100, "2021-08": 102, "2021-09": 90,
    "2021-10": 91, "2021-11": 95, "2021-12": 83, "2022-01": 98, "2022-02": 103, "2022-03": 111,
    "2022-04": 121, "2022-05": 103, "2022-06": 107, "2022-07": 88, "2022-08": 95, "2022-09": 92,
    "2022-10": 90, "2022-11": None, "2022-12": None, "2023-01": 116, "2023-02": 110,
    "2023-03": 99, "2023-04": 117, "2023-05": 90, "2023-06": 104, "2023-07": 92, "2023-08": 92,
    "2023-09": 92, "2023-10": 85, "2023-11": 75, "2023-12": 73, "2024-01": 92, "2024-02": 80,
    "2024-03": 93, "2024-04": 64, "2024-05": 80, "2024-06": 79, "2024-07": 55, "2024-08": 66,
    "2024-09": 74, "2024-10": 77, "2024-11": 97, "2024-12": 69,
}  # fmt: skip


def monthly_counts() -> pd.DataFrame:
    frame = pd.DataFrame({"month": list(MONTHLY_COUNTS), "count": list(MONTHLY_COUNTS.values())})
    frame["count"] = frame["count"].astype(float)
    frame["status"] = np.where(frame["count"].isna(), "missing", "published")
    return frame


# ---------------------------------------------------------------- compare areas


def test_compare_bars_by_outcome_with_gaps_and_words():
    frame = drug_crimes_2023()
    fig = charts.compare_bars(
        frame,
        outcome="county_outcome",
        highlight="Charnwood",
        benchmark=1.560,
        benchmark_label="Leicestershire",
        title="Drug crimes per 1,000 residents, 2023",
        xlabel="Crimes per 1,000 residents",
        source=SOURCE,
    )
    source = check_common(
        fig, title="Drug crimes per 1,000 residents, 2023", xlabel="Crimes per 1,000 residents"
    )
    assert source.startswith(f"Source: {SOURCE}")
    ax = fig.axes[0]
    drawn = bars(ax)
    assert len(drawn) == 4  # Melton (no data) and Oadby and Wigston (suppressed) get no bar
    assert [b.get_width() for b in drawn] == pytest.approx([1.387, 1.787, 1.063, 1.560])
    expected = ["similar", "higher", "lower", "not compared"]
    for bar, outcome in zip(drawn, expected, strict=True):
        assert bar.get_facecolor()[:3] == pytest.approx(
            plt.matplotlib.colors.to_rgb(palette.OUTCOME_COLOURS[outcome])
        )
        assert bar.get_linewidth() > 0  # outlined: white and light grey bars stay visible
    words = joined(fig)
    for phrase in ["1.39 (Similar)", "1.79 (Higher)", "1.06 (Lower)", "1.56 (Not compared)"]:
        assert phrase in words
    assert texts(fig).count(charts.NO_DATA) == 1
    assert texts(fig).count(charts.SUPPRESSED) == 1
    assert "Leicestershire (1.56)" in words  # the benchmark line's key
    assert "Compared with Leicestershire:" in words
    assert [t.get_text() for t in ax.get_yticklabels()] == frame["area_name"].tolist()
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == 1 and dashed[0].get_xdata()[0] == pytest.approx(1.560)
    whiskers = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert sum(len(c.get_segments()) for c in whiskers) == 4
    for c in whiskers:
        assert c.get_colors()[0][:3] == pytest.approx((0, 0, 0))


def test_compare_bars_without_outcome_highlights_one_area():
    fig = charts.compare_bars(
        drug_crimes_2023(),
        highlight="Charnwood",
        title="Drug crimes per 1,000 residents, 2023",
        xlabel="Crimes per 1,000 residents",
        source=SOURCE,
    )
    check_common(fig, title="Drug crimes per 1,000 residents, 2023")
    ax = fig.axes[0]
    colours = [plt.matplotlib.colors.to_hex(b.get_facecolor()) for b in bars(ax)]
    assert colours == [charts.OTHER.lower(), charts.HIGHLIGHT.lower()] + [charts.OTHER.lower()] * 2
    bold = [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["Charnwood"]
    assert "1.79" in texts(fig)


def test_compare_bars_refuses_a_suppressed_row_that_still_carries_its_numbers():
    frame = drug_crimes_2023()
    frame.loc[0, "suppressed"] = True  # Blaby flagged, but its numbers left in by mistake
    with pytest.raises(DisclosureError, match="compare_bars: 1 suppressed row"):
        charts.compare_bars(frame, outcome="county_outcome", title="t", xlabel="x", source=SOURCE)
    hidden = disclosure.suppress(frame)  # as the views hand it over
    fig = charts.compare_bars(
        hidden, outcome="county_outcome", title="t", xlabel="x", source=SOURCE
    )
    assert len(bars(fig.axes[0])) == 3
    assert not any("1.39" in t for t in texts(fig))
    assert texts(fig).count(charts.SUPPRESSED) == 2


def test_every_chart_refuses_a_small_count():
    """The guard is wired into each chart, not only into the views that feed them."""
    months = pd.DataFrame({"month": ["2024-01", "2024-02"], "count": [8, 3], "status": "published"})
    for draw in (charts.monthly, charts.seasonality):
        with pytest.raises(DisclosureError, match=f"{draw.__name__}: 1 row"):
            draw(months, title="t", ylabel="y", source="s")
    periods = pd.DataFrame({"period": ["2023", "2024"], "value": [1.0, 2.0], "count": [40, 2]})
    with pytest.raises(DisclosureError, match="trend"):
        charts.trend(periods, lower=None, upper=None, title="t", ylabel="y", source="s")
    deciles = pd.DataFrame({"imd_decile": [1, 2], "value": [2.0, 9.0], "count": [2, 9]})
    with pytest.raises(DisclosureError, match="deprivation_deciles"):
        charts.deprivation_deciles(deciles, title="t", ylabel="y", source="s")


def test_compare_bars_names_a_missing_column():
    with pytest.raises(DataError, match="'rate'"):
        charts.compare_bars(drug_crimes_2023(), value="rate", title="t", xlabel="x", source="s")


# ---------------------------------------------------------------- trends


def test_trend_single_series_gap_band_and_recent_trend():
    frame = drug_crimes_trend().query("area_name == 'Charnwood'")
    fig = charts.trend(
        frame,
        title="Drug crimes per 1,000 residents, Charnwood",
        ylabel="Crimes per 1,000 residents",
        source=SOURCE,
        trend_label="Cannot be calculated",
    )
    check_common(
        fig,
        title="Drug crimes per 1,000 residents, Charnwood",
        ylabel="Crimes per 1,000 residents",
        xlabel="Year",
    )
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Recent trend: Cannot be calculated"
    (line,) = ax.get_lines()
    y = np.asarray(line.get_ydata(), float)
    assert np.isnan(y[2]) and not (y == 0).any()  # a gap, never a zero
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2020", "2021", "2022", "2023", "2024"]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1  # the 95% CI, split around the gap
    words = joined(fig)
    assert "gap: no data" in words
    assert "no data for 2022" in words
    assert "95% confidence interval" in words


def test_trend_several_areas_highlight_thicker():
    fig = charts.trend(
        drug_crimes_trend(),
        series="area_name",
        highlight="Charnwood",
        title="Drug crimes per 1,000 residents",
        ylabel="Crimes per 1,000 residents",
        source=SOURCE,
        trend_label="Cannot be calculated",
    )
    check_common(fig, title="Drug crimes per 1,000 residents")
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert set(lines) == {"Charnwood", "Leicestershire"}
    assert lines["Charnwood"].get_linewidth() > lines["Leicestershire"].get_linewidth()
    assert lines["Charnwood"].get_color() == charts.HIGHLIGHT
    assert legend_texts(ax) == ["Charnwood", "Leicestershire", "95% confidence interval"]
    assert ax.get_title(loc="left") == "Recent trend (Charnwood): Cannot be calculated"


def test_trend_financial_years_in_given_order_with_suppressed_point():
    frame = pd.DataFrame(
        {
            "period": ["2015/16", "2016/17", "2017/18"],
            "value": [124.4, np.nan, 120.9],  # Fingertips 21001, Blaby (191.9 hidden)
            "suppressed": [False, True, False],
        }
    )
    fig = charts.trend(
        frame,
        lower=None,
        upper=None,
        title="Self-harm admissions, Blaby",
        ylabel="Admissions per 100,000",
        source="OHID Fingertips",
    )
    check_common(fig, title="Self-harm admissions, Blaby", xlabel="Financial year (April to March)")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2015/16", "2016/17", "2017/18"]
    assert np.isnan(ax.get_lines()[0].get_ydata()[1])
    words = joined(fig)
    assert charts.SUPPRESSED in words and "191.9" not in words
    assert not [c for c in ax.collections if isinstance(c, PolyCollection)]  # no CI, no band


# ---------------------------------------------------------------- spine chart


def test_spine_marks_orientation_and_words():
    fig = charts.spine(
        charnwood_profile(),
        title="Charnwood: area profile",
        source="OHID Fingertips",
        area_label="Charnwood",
    )
    check_common(fig, title="Charnwood: area profile")
    ax = fig.axes[0]
    circles = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(circles) == 4  # the row with no Charnwood value has no circle
    x = [c.get_offsets()[0][0] for c in circles]
    assert x[0] > 0.5 and x[1] > 0.5  # lower than England and low is good: better, on the right
    assert x[2] > 0.5  # 39.2 against 46.2, low is good
    assert x[3] > 0.5  # no judgement: higher on the right
    colours = [plt.matplotlib.colors.to_hex(c.get_facecolor()[0]) for c in circles]
    assert colours == [
        palette.OUTCOME_COLOURS[k].lower() for k in ["better", "better", "similar", "similar"]
    ]
    # Row one: England at the centre, the furthest area (466.5) at the worse end (x = 0).
    ranges = [b for b in bars(ax) if plt.matplotlib.colors.to_hex(b.get_facecolor()) == "#d9d9d9"]
    assert ranges[0].get_x() == pytest.approx(0.0)
    assert ranges[0].get_x() + ranges[0].get_width() == pytest.approx(0.5 + 134.9 / 562)
    centre_lines = [ln for ln in ax.get_lines() if list(ln.get_xdata()) == [0.5, 0.5]]
    assert len(centre_lines) == 5
    words = texts(fig)
    assert words.count("Better") == 2 and words.count("Similar") == 2
    assert charts.NO_DATA in words
    for value in ["136.7", "185.5", "546", "632", "421.2"]:
        assert value in words
    assert "Better than England" in words and "Range of comparison areas" in words


def test_spine_high_is_good_puts_higher_values_right_and_hides_suppressed():
    frame = charnwood_profile().head(2)
    frame["polarity"] = ["high_is_good", "low_is_good"]
    frame["suppressed"] = [False, True]
    frame.loc[1, "area_value"] = np.nan  # hidden, as disclosure control leaves it
    fig = charts.spine(frame, title="t", source="s")
    ax = fig.axes[0]
    circles = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(circles) == 1 and circles[0].get_offsets()[0][0] < 0.5
    assert charts.SUPPRESSED in texts(fig)
    assert "546" not in texts(fig)
    assert overlapping_texts(fig) == []


# ---------------------------------------------------------------- map


def _as_stored(collection: dict) -> dict:
    """The published file's features keyed as the store keys them (area_code, area_name)."""
    for feature in collection["features"]:
        props = feature["properties"]
        feature["properties"] = {"area_code": props["lad19cd"], "area_name": props["lad19nm"]}
    return collection


def test_choropleth_districts_with_no_data_and_highlight():
    geojson = _as_stored(json.loads(BOUNDARIES.read_text()))
    values = pd.Series(
        {
            "Blaby": 1.387,
            "Charnwood": 1.787,
            "Harborough": 1.063,
            "Hinckley and Bosworth": 1.566,
            "Melton": np.nan,
            "North West Leicestershire": 1.541,
            "Oadby and Wigston": 1.577,
        }
    ).rename(index=CODES)
    fig = charts.choropleth(
        geojson,
        values,
        title="Drug crimes per 1,000 residents, 2023",
        legend_label="Crimes per 1,000 residents",
        source="police.uk; ONS",
        highlight="E07000130",
    )
    source = check_common(fig, title="Drug crimes per 1,000 residents, 2023")
    assert charts.OS_COPYRIGHT in source
    ax = fig.axes[0]
    assert not ax.axison
    colourbar = fig.axes[1]
    assert colourbar.get_xlabel() == "Crimes per 1,000 residents"
    words = joined(fig)
    assert "Melton no data" in words  # on the map
    assert charts.NO_DATA in texts(fig)  # in the key
    for name in ["Charnwood 1.79", "Hinckley & Bosworth 1.57", "Oadby & Wigston 1.58"]:
        assert name in words
    assert "Leicester" in texts(fig)  # context, not shaded
    assert "Charnwood (outlined)" in words
    hatched = [c for c in ax.collections if c.get_hatch()]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == 1  # only Melton


def test_choropleth_suppressed_area_and_unknown_codes():
    geojson = _as_stored(json.loads(BOUNDARIES.read_text()))
    values = pd.Series({"E07000129": 1.387, "E07000130": 1.787})
    fig = charts.choropleth(
        geojson, values, title="t", legend_label="rate", source="s", suppressed=["E07000129"]
    )
    words = joined(fig)
    assert charts.SUPPRESSED in words and "1.39" not in words
    with pytest.raises(DataError, match="none of the area codes"):
        charts.choropleth(geojson, pd.Series({"X": 1.0}), title="t", legend_label="l", source="s")


def test_module_import_is_light():
    code = "import sys, helpers.report.charts; print('geopandas' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


# ---------------------------------------------------------------- deprivation


def test_deprivation_deciles_blaby_counts_with_empty_and_suppressed_deciles():
    # Drug crimes in Blaby's LSOAs, 2023, by national IMD 2019 decile. Blaby has no LSOAs in
    # deciles 1-3; decile 4 has one crime, suppressed.
    frame = pd.DataFrame(
        {
            "imd_decile": [4, 5, 6, 7, 8, 9, 10],
            "value": [np.nan, 22, 22, 23, 32, 32, 14],
            "suppressed": [True, False, False, False, False, False, False],
        }
    )
    fig = charts.deprivation_deciles(
        frame,
        title="Drug crimes by deprivation, Blaby, 2023",
        ylabel="Drug crimes recorded",
        source=SOURCE,
    )
    check_common(
        fig, title="Drug crimes by deprivation, Blaby, 2023", ylabel="Drug crimes recorded"
    )
    ax = fig.axes[0]
    assert [b.get_height() for b in bars(ax)] == [22, 22, 23, 32, 32, 14]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == "1\nmost deprived" and ticks[-1] == "10\nleast deprived"
    words = texts(fig)
    assert words.count(charts.NO_DATA) == 3
    assert words.count(charts.SUPPRESSED) == 1
    assert "22" in words and "22.0" not in words  # counts stay whole


def test_deprivation_deciles_with_confidence_intervals():
    frame = pd.DataFrame(
        {"imd_decile": range(1, 11), "value": [5.1, 3.2, 2.5, 2.0, 1.8, 1.5, 1.3, 1.2, 1.0, 0.9]}
    )
    frame["lower"], frame["upper"] = frame["value"] * 0.8, frame["value"] * 1.25
    fig = charts.deprivation_deciles(
        frame,
        lower="lower",
        upper="upper",
        title="Rate by decile",
        ylabel="Rate per 1,000",
        source="s",
    )
    ax = fig.axes[0]
    assert len(bars(ax)) == 10
    whiskers = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert sum(len(c.get_segments()) for c in whiskers) == 10
    assert "95% confidence intervals" in joined(fig)


# ---------------------------------------------------------------- months


def test_monthly_marks_unpublished_months_and_never_draws_zero():
    frame = monthly_counts()
    fig = charts.monthly(
        frame,
        title="Drug crimes per month, Leicestershire",
        ylabel="Crimes per month",
        source=SOURCE,
    )
    check_common(
        fig,
        title="Drug crimes per month, Leicestershire",
        ylabel="Crimes per month",
        xlabel="Month",
    )
    ax = fig.axes[0]
    (line,) = ax.get_lines()
    y = np.asarray(line.get_ydata(), float)
    assert len(y) == 61 and np.isnan(y).sum() == 2 and not (y == 0).any()
    assert np.isnan(y[35]) and np.isnan(y[36])  # 2022-11 and 2022-12
    words = joined(fig)
    assert "not published" in words
    fig.canvas.draw()
    years = [t.get_text() for t in ax.get_xticklabels()]
    assert {"2020", "2021", "2022", "2023", "2024"} <= set(years)


def test_monthly_several_areas_and_a_month_absent_from_the_data():
    months = ["2022-08", "2022-09", "2022-10", "2023-01", "2023-02", "2023-03"]  # 11, 12 absent
    frame = pd.DataFrame(
        {
            "month": months * 2,
            "count": [13, 9, 9, 21, 19, 13, 26, 25, 23, 35, 32, 39],  # Blaby, Charnwood (police.uk)
            "area": ["Blaby"] * 6 + ["Charnwood"] * 6,
        }
    )
    fig = charts.monthly(
        frame,
        series="area",
        highlight="Charnwood",
        title="Drug crimes",
        ylabel="Crimes per month",
        source=SOURCE,
    )
    check_common(fig, title="Drug crimes")
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2
    for line in ax.get_lines():
        assert np.isnan(np.asarray(line.get_ydata(), float)).sum() == 2
    assert "not published" in joined(fig)
    assert legend_texts(ax)[:2] == ["Blaby", "Charnwood"]


def test_monthly_suppressed_months_are_gaps_with_a_key():
    # Melton, drug crimes per month (police.uk), 2024: May had 4 crimes, so it is suppressed.
    frame = pd.DataFrame(
        {
            "month": ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07"],
            "count": [8, 5, 7, 11, np.nan, 11, 0],
            "status": "published",
            "suppressed": [False, False, False, False, True, False, False],
        }
    )
    fig = charts.monthly(
        frame, title="Drug crimes per month, Melton", ylabel="Crimes per month", source=SOURCE
    )
    check_common(fig, title="Drug crimes per month, Melton")
    y = np.asarray(fig.axes[0].get_lines()[0].get_ydata(), float)
    assert np.isnan(y[4]) and y[6] == 0  # suppressed is a gap; a published zero stays zero
    assert "Suppressed (privacy): gap in the line" in legend_texts(fig.axes[0])
    season = charts.seasonality(frame, title="t", ylabel="y", source="s")
    subtitle = season.axes[0].get_title(loc="left").replace("\n", " ")
    assert f"1 month {charts.SUPPRESSED} left out" in subtitle


def test_seasonality_averages_complete_months_and_says_how_many_years():
    fig = charts.seasonality(
        monthly_counts(),
        title="Drug crimes by month of the year",
        ylabel="Average crimes per month",
        source=SOURCE,
    )
    check_common(
        fig,
        title="Drug crimes by month of the year",
        ylabel="Average crimes per month",
        xlabel="Calendar month",
    )
    ax = fig.axes[0]
    heights = [b.get_height() for b in bars(ax)]
    assert len(heights) == 12
    assert heights[10] == pytest.approx((128 + 95 + 75 + 97) / 4)  # Nov 2022 not published
    assert heights[11] == pytest.approx((85 + 110 + 83 + 73 + 69) / 5)
    subtitle = ax.get_title(loc="left").replace("\n", " ")
    assert "5 years" in subtitle and "Nov: 4 years" in subtitle
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "Jan"


def test_seasonality_month_without_data_says_so():
    frame = monthly_counts().query("month >= '2023-01' and month <= '2023-10'")
    fig = charts.seasonality(frame, title="t", ylabel="Average crimes per month", source="s")
    assert len(bars(fig.axes[0])) == 10
    assert texts(fig).count(charts.NO_DATA) == 2


# ---------------------------------------------------------------- show


def test_show_embeds_a_small_png_with_escaped_alt_text():
    open_before = plt.get_fignums()
    fig = charts.compare_bars(drug_crimes_2023(), title="t", xlabel="x", source="s")
    out = charts.show(fig, alt='Bars for "Blaby" & <Charnwood>')
    assert 'alt="Bars for &quot;Blaby&quot; &amp; &lt;Charnwood&gt;"' in out.data
    assert "data:image/png;base64," in out.data
    png = base64.b64decode(out.data.split("base64,")[1].split('"')[0])
    width, height = struct.unpack(">II", png[16:24])
    assert 600 <= width <= 820 and height > 200  # about 800 px wide at 100 dpi
    assert len(png) < 150_000
    assert plt.get_fignums() == open_before  # no figure left open in pyplot


def test_apply_theme_sets_house_style():
    charts.apply_theme()
    assert plt.rcParams["savefig.dpi"] == 100
    assert plt.rcParams["axes.spines.top"] is False


def test_importing_charts_patches_no_matplotlib_internals():
    """Charts must not change matplotlib for anyone who imports helpers in their own notebook."""
    import matplotlib.text as mtext

    assert mtext.Text._get_layout.__module__ == "matplotlib.text"
    assert mtext._get_text_metrics_function.__module__ == "matplotlib.text"


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("North West Leicestershire", "North West\nLeicestershire"),
        ("Hinckley and Bosworth", "Hinckley & Bosworth"),
        ("Bournemouth, Christchurch and Poole", "Bournemouth,\nChristchurch & Poole"),
        ("Rutland", "Rutland"),
    ],
)
def test_short_names_wrap_any_long_name_near_its_middle(name, label):
    from helpers.report.charts.parts import short_name

    assert short_name(name) == label
