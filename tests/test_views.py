"""Report views select the right rows from the full store, and hide small counts."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.build import store
from helpers.core import periods
from helpers.report import then_now, views


@pytest.fixture(autouse=True)
def _store(full_store, monkeypatch):
    monkeypatch.setenv("NEEDS_PROCESSED_DIR", str(full_store))
    store.clear()
    yield
    store.clear()


def test_comparison_frame_order_and_latest_period():
    frame = views.comparison_frame("police_drugs", "E07000133")
    assert frame["area_name"].iloc[0] == "Melton"
    assert frame["area_name"].iloc[-1] == "Leicestershire"
    assert set(frame["period"]) == {"2024"} and len(frame) == 8
    assert "suppressed" in frame


def test_availability_says_where_data_exists():
    assert views.availability("police_drugs", "E07000130") == "area"
    assert views.availability("848", "E10000018") == "district-only"
    assert views.availability("self_harm_admissions_10_24_county", "E07000130") == "county-only"
    assert views.availability("pfa_sexual_offences", "E07000130") == "force-only"


def test_benchmarks():
    charnwood, county = views.area_codes("E07000130"), views.area_codes("E10000018")
    assert views.benchmark("police_drugs", "E07000130", charnwood) == (
        "county_outcome",
        "E10000018",
    )
    assert views.benchmark("848", "E07000130", charnwood) == ("england_outcome", "E92000001")
    assert views.benchmark("police_drugs", "E10000018", county) == (
        "england_outcome",
        "E92000001",
    )
    # in the county report a district is still judged against the county
    assert views.benchmark("police_drugs", "E07000130", county)[1] == "E10000018"


def test_monthly_keeps_the_gap():
    frame = views.monthly("E07000130", "Drugs").set_index("month")
    assert frame.loc["2022-11", "status"] == "missing" and pd.isna(frame.loc["2022-11", "count"])
    assert frame.loc["2022-10", "count"] > 0


def test_hot_spots_are_in_the_area_and_suppressed():
    frame = views.hot_spots("E07000133", "Drugs", "2024")
    # Melton has 9 neighbourhoods with 5 or more drug crimes in 2024; the rest are not listed
    assert len(frame) == 9 and (frame["count"] >= 5).all()
    assert frame["lsoa_name"].str.startswith("Melton").all()
    small = frame["count"].between(1, 4)
    assert not small.any()


def test_deprivation_gradient_covers_ten_deciles():
    frame = views.deprivation("E10000018", "Violence and sexual offences", "2024")
    assert list(frame["imd_decile"]) == list(range(1, 11))
    assert frame["count"].sum() > 10_000


def test_then_and_now_covers_every_2017_row():
    frame = then_now.then_and_now().set_index("item")
    assert len(frame) == 19 == store.load("baseline_2017")["item"].nunique()
    drugs = frame.loc["viii"]
    assert drugs["geography_now"] == "Leicestershire" and drugs["now"]["period"] == "2024"
    assert [t["period"] for t in drugs["then"]] == ["2013", "2017"]
    # sexual offences: the county's own figure (CSP table) wins over the force area's
    assert frame.loc["xviii", "geography_now"] == "Leicestershire"
    assert frame.loc["xviii", "indicator_now"].endswith("(by district)")
    assert frame.loc["xviii", "now"]["period"] == "Year ending Jun 2025"
    domestic = frame.loc["xiv"]
    assert domestic["now"] is None and "92863" in domestic["gap"]


def test_then_and_now_gives_a_districts_own_figure():
    frame = then_now.then_and_now("E07000130").set_index("item")
    sexual = frame.loc["xix"]
    assert sexual["district_now"]["value"] > 0
    assert sexual["district_now"]["value"] != sexual["now"]["value"]
    # depression prevalence has no county figure in the extract, but Charnwood has its own
    assert frame.loc["x", "now"] is None and frame.loc["x", "district_now"]["value"] > 0
    assert then_now.then_and_now()["district_now"].isna().all()


def test_spine_rows_use_england_and_all_authorities():
    rows = views.spine_rows(["848", "91414"], "E07000130").set_index("indicator_id")
    assert rows.loc["848", "lowest"] <= rows.loc["848", "q25"] <= rows.loc["848", "q75"]
    assert rows.loc["848", "benchmark_value"] > 0 and rows.loc["848", "period"] == "2024/25"


def test_rug_has_every_area_column():
    rug = views.rug(["police_drugs", "848"], "E07000130")
    assert list(rug.columns[3:5]) == ["Charnwood", "Blaby"]
    assert {"Leicestershire", "England"} <= set(rug.columns)
    value, outcome, suppressed = rug.iloc[0]["Charnwood"]
    assert value > 0 and outcome in {"higher", "similar", "lower"} and suppressed is False


def test_rug_says_plainly_when_nothing_was_compared():
    """The ONS Health Index inputs carry no comparison; the rug must say so, not "nan"."""
    from helpers.report import html_tables

    rug = views.rug(["police_drugs", "hi_suicides"], "E07000130")
    assert rug["compared_with"].iloc[0] == "Leicestershire"
    assert pd.isna(rug["compared_with"].iloc[1])
    page = html_tables.rug_html(rug)
    assert "compared with Leicestershire" in page
    assert "no statistical comparison" in page
    assert "nan" not in page


def test_complete_periods_fills_gaps():
    assert periods.fill_gaps(["2022/23", "2020/21", "2024/25"]) == [
        "2020/21",
        "2021/22",
        "2022/23",
        "2023/24",
        "2024/25",
    ]
    assert periods.fill_gaps(["2019", "2021"]) == ["2019", "2020", "2021"]
    assert periods.fill_gaps(["Year ending Sep 2023", "Year ending Sep 2021"])[1] == (
        "Year ending Sep 2022"
    )
    assert periods.fill_gaps(["Q1", "Q3"]) == ["Q1", "Q3"]


def test_series_shows_unpublished_period_as_gap():
    frame = views.series("848", ["E07000130", "E92000001"])
    gap = frame[frame["period"] == "2023/24"]
    assert len(gap) == 2 and gap["value"].isna().all()
    assert (gap["value_note"] == "Not published for this period").all()


def test_clearing_the_store_forgets_everything_it_remembered():
    """A kernel that outlives a rebuild must not answer from the old store: every cached
    function of the store module is emptied by store.clear()."""
    codes = views.area_codes("E07000130")
    assert codes["neighbours"], "the district should have statistical neighbours"
    assert "police_drugs" in store.indicator_ids()
    store.compendium_entry("police_drugs")
    views.comparison_frame("police_drugs", "E07000130")
    remembered = {
        name: function
        for name, function in vars(store).items()
        if hasattr(function, "cache_info") and function.cache_info().currsize
    }
    assert {"neighbours_of", "indicator_ids", "_indexed_areas", "_indexed_compendium"} <= set(
        remembered
    )
    store.clear()
    assert {name: f.cache_info().currsize for name, f in remembered.items()} == dict.fromkeys(
        remembered, 0
    )
