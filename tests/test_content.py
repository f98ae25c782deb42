"""What a report decides (helpers.report.content and wording), tested as plain functions:
small frames for the edge cases, and the real store for what the reports actually say."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.build import store
from helpers.core.errors import DisclosureError
from helpers.report import content, html_tables, views, wording
from helpers.stats import disclosure

COUNTY, ENGLAND, FORCE = "E10000018", "E92000001", "E23000021"
CHARNWOOD, MELTON = "E07000130", "E07000133"
DISTRICTS = ["E07000129", CHARNWOOD, "E07000131", "E07000132", MELTON, "E07000134", "E07000135"]


def codes(area: str) -> content.AreaCodes:
    return {
        "area": area,
        "is_county": area == COUNTY,
        "county": COUNTY,
        "districts": DISTRICTS,
        "force": FORCE,
        "england": ENGLAND,
    }


def rows(*records: dict) -> pd.DataFrame:
    """Indicator rows as views give them (through disclosure control)."""
    base = {
        "indicator_id": "x",
        "area_name": "Somewhere",
        "period": "2024",
        "count": np.nan,
        "value": np.nan,
        "lower_95": np.nan,
        "upper_95": np.nan,
        "england_outcome": "not compared",
        "england_level": np.nan,
        "county_outcome": "not compared",
        "county_level": np.nan,
        "value_note": None,
        "trend_label": None,
    }
    return disclosure.suppress(pd.DataFrame([base | r for r in records]))


ENTRY = {
    "name": "Drug crimes (police.uk)",
    "measure": "drug crimes",
    "unit": "per 1,000 residents",
    "source_kind": "police_uk",
}


# ---------------------------------------------------------------------- pure decisions


@pytest.mark.parametrize(
    ("present", "area", "expected"),
    [
        ({CHARNWOOD, COUNTY}, CHARNWOOD, "area"),
        ({COUNTY, ENGLAND}, CHARNWOOD, "county-only"),
        ({FORCE, ENGLAND}, CHARNWOOD, "force-only"),
        ({FORCE, COUNTY}, MELTON, "force-only"),  # the force wins over a county-only figure
        ({CHARNWOOD, MELTON}, COUNTY, "district-only"),
        ({ENGLAND}, CHARNWOOD, "none"),
    ],
)
def test_availability(present, area, expected):
    assert content.availability(present, codes(area)) == expected


def test_figure_area_and_perspective():
    assert content.figure_area("area", codes(MELTON)) == MELTON
    assert content.figure_area("county-only", codes(MELTON)) == COUNTY
    assert content.figure_area("force-only", codes(MELTON)) == FORCE
    assert content.figure_area("district-only", codes(COUNTY)) is None
    # the county report's charts judge the districts, so they take a district's view
    assert content.perspective("area", codes(COUNTY)) == DISTRICTS[0]
    assert content.perspective("area", codes(MELTON)) == MELTON
    assert content.perspective("district-only", codes(COUNTY)) == COUNTY


def test_benchmark_is_the_county_only_where_the_build_compared_with_it():
    compared = rows({"area_code": MELTON, "county_outcome": "higher"})
    uncompared = rows({"area_code": MELTON})
    assert content.benchmark(compared, MELTON, codes(MELTON)) == ("county_outcome", COUNTY)
    assert content.benchmark(compared, MELTON, codes(COUNTY)) == ("county_outcome", COUNTY)
    assert content.benchmark(uncompared, MELTON, codes(MELTON)) == ("england_outcome", ENGLAND)
    county_rows = rows({"area_code": COUNTY, "county_outcome": "similar"})
    assert content.benchmark(county_rows, COUNTY, codes(COUNTY))[1] == ENGLAND


def test_headline_skips_gap_rows_and_quotes_the_benchmark():
    history = rows(
        {"area_code": MELTON, "period": "2023", "count": 120, "value": 2.07},
        {"area_code": MELTON, "period": "2024", "value_note": "Not published for this period"},
        {"area_code": ENGLAND, "period": "2023", "value": 1.9},
    )
    history.loc[1, "suppressed"] = False
    line = content.headline(
        ENTRY,
        avail="area",
        code=MELTON,
        history=history,
        comparison=None,
        column="england_outcome",
        bench_code=ENGLAND,
        names={MELTON: "Melton", ENGLAND: "England"},
    )
    assert line.sentence.startswith("In 2023 Melton recorded 120 drug crimes")
    assert "England" in line.sentence and line.outcome is None
    assert line.label == "Drug crimes (police.uk) (2023)"


def test_headline_of_a_small_count_says_fewer_than_5_and_no_rate():
    history = rows(
        {"area_code": MELTON, "count": 3, "value": 0.06, "county_outcome": "lower"},
        {"area_code": COUNTY, "count": 926, "value": 1.26},
    )
    line = content.headline(
        ENTRY,
        avail="area",
        code=MELTON,
        history=history,
        comparison=history,
        column="county_outcome",
        bench_code=COUNTY,
        names={MELTON: "Melton", COUNTY: "Leicestershire"},
    )
    assert "not shown, to protect privacy" in line.sentence and "0.06" not in line.sentence
    assert line.outcome is None  # a suppressed figure is not judged


def test_headline_for_a_figure_published_only_for_the_force():
    history = rows({"area_code": FORCE, "count": 2500, "value": 2.48})
    line = content.headline(
        {**ENTRY, "source_kind": "recorded_crime"},
        avail="force-only",
        code=FORCE,
        history=history,
        comparison=None,
        column="england_outcome",
        bench_code=ENGLAND,
        names={FORCE: "Leicestershire Police"},
    )
    assert line.sentence.startswith("Published only for the whole police force area: in 2024")
    assert line.label.endswith(", Leicestershire Police")


def test_districts_sentence_counts_and_ranges():
    judged = rows(
        {"area_code": CHARNWOOD, "area_name": "Charnwood", "value": 5.0},
        {"area_code": MELTON, "area_name": "Melton", "value": 7.0, "england_outcome": "higher"},
    )
    judged.loc[0, "england_outcome"] = "similar"
    text = content.districts_sentence({**ENTRY, "name": "Depression"}, judged, DISTRICTS)
    assert "significantly higher than England in 1 (Melton)" in text
    assert "similar to England in 1 (Charnwood) of the 2 districts" in text
    uncompared = rows(
        {"area_code": CHARNWOOD, "area_name": "Charnwood", "value": 5.0},
        {"area_code": MELTON, "area_name": "Melton", "value": 7.25},
    )
    text = content.districts_sentence({**ENTRY, "name": "X"}, uncompared, DISTRICTS)
    assert "ranged from 5.00 in Charnwood to 7.25 in Melton (per 1,000 residents)" in text
    assert content.districts_sentence(ENTRY, uncompared.iloc[0:0], DISTRICTS) is None


def test_section_areas():
    assert content.focus_areas("force-only", codes(MELTON)) == [FORCE]
    assert content.focus_areas("district-only", codes(COUNTY)) == []
    assert content.trend_areas([MELTON], codes(MELTON)) == [MELTON, COUNTY, ENGLAND]
    assert content.trend_areas([COUNTY], codes(COUNTY)) == [COUNTY, ENGLAND]
    assert content.trend_areas([], codes(COUNTY)) == [*DISTRICTS, ENGLAND]


def test_split_benchmark_keeps_every_bar_without_a_benchmark_row():
    latest = rows({"area_code": MELTON, "value": 1.0}, {"area_code": COUNTY, "value": 2.0})
    bars, bench = content.split_benchmark(latest, COUNTY)
    assert list(bars["area_code"]) == [MELTON] and list(bench["value"]) == [2.0]
    bars, bench = content.split_benchmark(latest, ENGLAND)
    assert len(bars) == 2 and bench.empty


def test_values_table_shows_gaps_and_suppression_in_words():
    history = rows(
        {"area_code": MELTON, "area_name": "Melton", "period": "2023", "count": 3, "value": 0.06},
        {"area_code": MELTON, "area_name": "Melton", "period": "2024", "count": 90, "value": 1.6},
        {"area_code": COUNTY, "area_name": "Leicestershire", "period": "2024", "value": 1.26},
    )
    table, caption = content.values_table(history, None, ENTRY)
    assert table.loc["Melton", "2023"] == disclosure.SUPPRESSED_VALUE
    assert table.loc["Melton", "2024"] == "1.60"
    assert table.loc["Leicestershire", "2023"] != table.loc["Leicestershire", "2023"]  # NaN: gap
    assert caption == "Drug crimes (police.uk) (per 1,000 residents) by period"
    assert content.section_notes(history) == [disclosure.NOTE]
    assert content.values_table(history.iloc[0:0], None, ENTRY) is None


def test_units_and_decimals():
    assert content.bracketed("(unit not stated by ONS)") == "(unit not stated by ONS)"
    assert content.bracketed("per 100,000") == "(per 100,000)"
    assert content.axis_label("(unit not stated by ONS)") == "Value (unit not stated by ONS)"
    assert content.axis_label("per 1,000 residents") == "Per 1,000 residents"
    assert content.decimals({"unit": "per 1,000 residents"}) == 2
    assert content.decimals({"unit": "%"}) == 1


def test_other_indicators_keeps_compendium_order_and_needs_data():
    compendium = pd.DataFrame(
        {
            "id": ["a", "b", "c", "p"],
            "priority": ["mental_health", "mental_health", "overview", "mental_health"],
            "source_kind": ["fingertips", "fingertips", "fingertips", "partner"],
        }
    )
    present = {"b", "a", "c", "p"}
    assert content.other_indicators(compendium, present, "mental_health", partner=False) == [
        "a",
        "b",
    ]
    assert content.other_indicators(compendium, {"a"}, "mental_health", partner=True) == []


def test_wording_of_sources_and_gaps():
    assert wording.source_line({"source_kind": "fingertips", "retrieved": "2026-11-30"}) == (
        "OHID Fingertips (API, retrieved 2026-11-30)"
    )
    assert wording.source_line({"source_kind": "partner"}, ["Leicestershire Police"]) == (
        "Leicestershire Police"
    )
    assert wording.source_line({"source_kind": "partner"}) == "Partner data"
    gaps = pd.DataFrame(
        {"name": ["Suicide"], "available_at": ["county"], "could_come_from": ["ONS"]}
    )
    police = wording.police_line(["2022-11", "2022-12"], None)
    block = wording.gap_lines({"mental_health": gaps}, {}, police)
    assert block.startswith(
        "<ul><li><strong>Suicide.</strong> Available: county. Could come from: ONS.</li>"
    )
    assert "<strong>police.uk months 2022-11, 2022-12</strong> are not in this snapshot" in block
    assert "2022 has no annual figure" in block
    months = [f"{y}-{m:02d}" for y in (2020, 2021) for m in range(1, 13)] + ["2023-05"]
    assert "2020-01 to 2021-12, 2023-05</strong>" in wording.police_line(months, None)
    assert "2020, 2021 and 2023 have no annual figure" in wording.police_line(months, None)
    assert wording.police_line([], None) is None
    types = wording.police_line([], None, [("2024-11", "Anti-social behaviour")])
    assert "<strong>police.uk has no Anti-social behaviour rows for 2024-11</strong>" in types
    assert "2024 has no annual figure for it" in types
    gap = wording.police_line([], ("Force <b>X</b>", "needs fetch police --force-area x"))
    assert gap.startswith("No police.uk data for Force &lt;b&gt;X&lt;/b&gt; in this snapshot")
    assert "<code>needs fetch police --force-area x</code>" in gap
    hostile = gaps.assign(name=["<script>x</script>"], could_come_from=['<img src=x onerror="y">'])
    block = wording.gap_lines({"mental_health": hostile}, {}, None)
    assert "<script>" not in block and "<img" not in block
    assert "&lt;script&gt;x&lt;/script&gt;" in block


def test_alt_texts_and_tables_refuse_a_small_count():
    """The disclosure guard is wired into the words and tables, not only the views."""
    leaky = pd.DataFrame(
        {"area_name": ["Melton"], "value": [0.06], "count": [3], "suppressed": [False]}
    )
    with pytest.raises(DisclosureError):
        wording.bars_alt("x", "2024", leaky, "per 1,000", leaky.iloc[0:0], "England")
    with pytest.raises(DisclosureError):
        wording.map_alt("x", "2024", leaky, "Leicestershire Police")
    spots = leaky.assign(lsoa_name="Melton 001A", lsoa_code="E01", imd_decile=3)
    with pytest.raises(DisclosureError):
        wording.hot_spots_table(spots, "drug crimes", "2024")
    table = pd.DataFrame({"Drug crimes in 2024": ["12", "3"]}, index=["A", "B"])
    with pytest.raises(DisclosureError, match="Drug crimes in 2024"):
        html_tables.html_table(table, caption="c", counts=["Drug crimes in 2024"])
    safe = pd.DataFrame({"Drug crimes in 2024": ["12", "suppressed"]}, index=["A", "B"])
    assert "<td>suppressed</td>" in html_tables.html_table(
        safe, caption="c", counts=["Drug crimes in 2024"]
    )


def test_compendium_files_refuse_a_small_count(tmp_path):
    from helpers.site import compendium_page

    with pytest.raises(DisclosureError):
        compendium_page.export_files(tmp_path, pd.DataFrame({"id": ["a"], "count": [2]}))
    assert not list(tmp_path.iterdir())  # nothing half-written
    compendium_page.export_files(tmp_path, pd.DataFrame({"id": ["a"], "count": [7]}))
    assert (tmp_path / "compendium.csv").read_text().splitlines() == ["id,count", "a,7"]


# ---------------------------------------------------------------------- on the real store


@pytest.fixture
def real_store(full_store, monkeypatch):
    monkeypatch.setenv("NEEDS_PROCESSED_DIR", str(full_store))
    store.clear()
    yield
    store.clear()


def test_melton_drug_crime_headline_from_the_store(real_store):
    here = views.area_codes(MELTON)
    history = views.series("police_drugs", [MELTON, ENGLAND])
    column, bench = views.benchmark("police_drugs", MELTON, here)
    period = content.latest_shown_period(history)
    line = content.headline(
        store.compendium_entry("police_drugs"),
        avail="area",
        code=MELTON,
        history=history,
        comparison=views.comparison_frame("police_drugs", MELTON, period),
        column=column,
        bench_code=bench,
        names=store.areas().set_index("area_code")["area_name"].to_dict(),
    )
    assert period == "2024" and (column, bench) == ("county_outcome", COUNTY)
    assert line.sentence.startswith("In 2024 Melton recorded")
    # 2024 is divided by the mid-2024 estimate (745,573), not mid-2023 as before
    assert "Leicestershire (1.24 per 1,000)" in line.sentence
    assert line.outcome in {"higher", "similar", "lower"}


def test_map_figures_and_ranking_from_the_store(real_store):
    period, latest = content.map_figures(store.indicator("police_drugs"))
    assert period == "2024" and latest["value"].notna().all()
    top = content.ranked(latest, DISTRICTS)
    assert list(top["value"]) == sorted(top["value"], reverse=True)
    assert set(top["area_code"]) <= set(DISTRICTS)


def test_a_similar_area_elsewhere_is_judged_against_the_charts_benchmark():
    """The build compared a neighbour in another county with its own county; on a chart of
    this county's districts it is compared with this county's value instead, by its limits."""
    frame = rows(
        {"area_code": COUNTY, "value": 2.6, "lower_95": 2.5, "upper_95": 2.7},
        {
            "area_code": MELTON,
            "value": 2.8,
            "lower_95": 2.4,
            "upper_95": 3.2,
            "county_outcome": "similar",
        },
        # elsewhere: higher than its own county, but its interval holds this county's value
        {
            "area_code": "E07000999",
            "value": 3.0,
            "lower_95": 2.5,
            "upper_95": 3.5,
            "lower_998": 2.3,
            "upper_998": 3.7,
            "county_outcome": "higher",
        },
        # elsewhere and clearly above this county: higher at 99.8%
        {
            "area_code": "E07000998",
            "value": 4.0,
            "lower_95": 3.6,
            "upper_95": 4.4,
            "lower_998": 3.4,
            "upper_998": 4.6,
            "county_outcome": "similar",
        },
        {"area_code": "E07000997", "value": 4.0, "county_outcome": "higher"},  # no limits
    )
    judged = content.judged_against(
        frame, "county_outcome", COUNTY, "no_judgement", {MELTON}
    ).set_index("area_code")["county_outcome"]
    assert judged[MELTON] == "similar"  # the build's own comparison stays
    assert judged["E07000999"] == "similar"
    assert judged["E07000998"] == "higher"
    assert judged["E07000997"] == "not compared"
