"""The "what to act on first" list (issue 15): which indicators it ranks, in what order, what
it says where no trend can be computed, and that a hidden figure never reaches the page."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from helpers.report import act_first
from helpers.stats import disclosure

AREA, ENGLAND = "E07000129", "E92000001"
NAMES = {AREA: "Blaby", ENGLAND: "England", "E10000018": "Leicestershire"}
YEARS = [str(y) for y in range(2019, 2025)]


def _entry(ident: str, priority: str = "mental_health") -> dict:
    return {
        "id": ident,
        "name": f"Indicator {ident}",
        "measure": f"measure {ident}",
        "unit": "per 100,000",
        "priority": priority,
        "source_kind": "fingertips",
        "polarity": "low_is_good",
    }


def _history(
    ident: str,
    values: list[float],
    *,
    outcome: str = "worse",
    level: float | None = 99.8,
    trend: str | None = "Increasing and getting worse",
    years: list[str] = YEARS,
    limits: bool = True,
    england: float = 100.0,
) -> pd.DataFrame:
    """An area's series and England's, shaped as views.series gives them: the outcome and the
    trend on the area's latest row only, as the build sets them."""
    rows = []
    for code, series in ((AREA, values), (ENGLAND, [england] * len(values))):
        for i, (period, value) in enumerate(zip(years, series, strict=True)):
            last = i == len(years) - 1
            rows.append(
                {
                    "indicator_id": ident,
                    "area_code": code,
                    "area_name": NAMES[code],
                    "period": period,
                    "count": 50.0,
                    "value": value,
                    "lower_95": value - 5 if limits and value == value else np.nan,
                    "upper_95": value + 5 if limits and value == value else np.nan,
                    "england_outcome": outcome if code == AREA else "not compared",
                    "england_level": level if code == AREA and outcome == "worse" else np.nan,
                    "trend_label": trend if last and code == AREA else None,
                    "suppressed": False,
                    "value_note": None,
                }
            )
    return pd.DataFrame(rows)


def _ranking(histories: dict[str, pd.DataFrame], priority: str = "mental_health"):
    rows = [act_first.latest_row(h, AREA, "england_outcome", ENGLAND) for h in histories.values()]
    entries = {ident: _entry(ident) for ident in histories}
    return act_first.rank([r for r in rows if r], entries, NAMES, priority)


def _text(markup) -> str:
    return re.sub(r"<[^>]+>", " ", str(markup))


def test_worse_and_worsening_comes_before_worse_and_no_change():
    ranking = _ranking(
        {
            "flat": _history("flat", [120.0] * 6, trend="No significant change"),
            "rising": _history("rising", [110, 115, 120, 125, 130, 135.5]),
        }
    )
    assert [(x.indicator_id, x.group) for x in ranking.lines] == [
        ("rising", act_first.WORSE_WORSENING),
        ("flat", act_first.WORSE_NO_CHANGE),
    ]
    page = act_first.page(ranking, "Blaby", None)
    rising = ranking.lines[0]
    # the figure, the comparison and the trend in words, linked to the section
    assert "135.5 per 100,000" in rising.sentence and "higher (worse) than England" in (
        rising.sentence
    )
    assert f'href="#{act_first.section_id("rising")}"' in page
    assert "recent trend: increasing and getting worse" in _text(page)
    assert "recent trend: no significant change" in _text(page)


def test_worse_but_improving_is_named_under_the_list_not_ranked():
    ranking = _ranking(
        {
            "falling": _history(
                "falling", [160, 150, 140, 130, 125, 121], trend="Decreasing and getting better"
            )
        }
    )
    assert ranking.lines == [] and [x.indicator_id for x in ranking.improving] == ["falling"]
    text = _text(act_first.page(ranking, "Blaby", None))
    assert "No indicator for Blaby is significantly worse" in text  # nothing in groups 1-3
    assert "Significantly worse, but getting better:" in text and "Indicator falling" in text


def test_similar_and_worsening_is_the_third_group():
    ranking = _ranking(
        {
            "similar": _history("similar", [90, 92, 95, 97, 99, 101], outcome="similar"),
            "worse": _history("worse", [120.0] * 6, trend="No significant change"),
            "better": _history("better", [60.0] * 6, outcome="better"),
        }
    )
    assert [(x.indicator_id, x.group) for x in ranking.lines] == [
        ("worse", act_first.WORSE_NO_CHANGE),
        ("similar", act_first.SIMILAR_WORSENING),
    ]
    page = act_first.page(ranking, "Blaby", None)
    assert 'start="2"' in page  # one numbering through the ranked groups


def test_no_trend_is_said_with_its_reason_not_guessed():
    gap = [110.0, 111, np.nan, 113, 114, 130]  # a year not published, as police.uk's 2022
    ranking = _ranking(
        {
            "gap": _history("gap", gap, trend="Cannot be calculated"),
            "short": _history("short", [120.0] * 3, years=YEARS[-3:], trend="Cannot be calculated"),
            "nolimits": _history(
                "nolimits", [120.0] * 6, trend="Cannot be calculated", limits=False
            ),
            "similar": _history(
                "similar", [99.0] * 6, outcome="similar", trend="Cannot be calculated"
            ),
        }
    )
    # worse with no trend is its own group; similar with no trend is not listed at all
    assert {x.group for x in ranking.lines} == {act_first.WORSE_NO_TREND}
    trends = {x.indicator_id: x.trend for x in ranking.lines}
    assert set(trends) == {"gap", "short", "nolimits"}
    assert trends["gap"] == (
        "the recent trend cannot be calculated (fewer than five years in an unbroken series: "
        "no figure is shown for 2021)"
    )
    assert "fewer than five years of figures" in trends["short"]
    assert "no confidence intervals" in trends["nolimits"]
    assert ranking.no_trend == 4 and ranking.judged == 4
    text = _text(act_first.page(ranking, "Blaby", None))
    assert "No indicator for Blaby is significantly worse" in text  # none in groups 1-3
    assert "cannot be calculated for all four indicators" in text
    assert "recent trend:" not in text  # no line claims a trend


def test_a_hidden_figure_is_never_shown_and_is_counted():
    # a count of 3 and the rate on it, with an outcome and a trend that would rank it first
    history = _history("hidden", [110, 115, 120, 125, 130, 47.913])
    history["count"] = [50, 50, 50, 50, 50, 3] + [50] * 6
    ranking = _ranking(
        {
            "hidden": disclosure.suppress(history),
            "flagged": _history("flagged", [120.0] * 5 + [58.246]).assign(suppressed=True),
            "shown": _history("shown", [120.0] * 6, trend="No significant change"),
        }
    )
    assert [x.indicator_id for x in ranking.lines] == ["shown"] and ranking.hidden == 2
    page = str(act_first.page(ranking, "Blaby", None))
    assert "Two indicators are left out because the latest figure is hidden" in page
    for figure in ("47.9", "47.91", "58.2", "58.25", ">3<", " 3 "):
        assert figure not in page


def test_within_a_group_the_stronger_evidence_comes_first_then_the_report_order():
    ranking = _ranking(
        {
            "a95": _history("a95", [120.0] * 6, level=95.0),
            "b998": _history("b998", [120.0] * 6, level=99.8),
            "c95": _history("c95", [120.0] * 6, level=95.0),
            "d998": _history("d998", [120.0] * 6, level=99.8),
        }
    )
    assert [x.indicator_id for x in ranking.lines] == ["b998", "d998", "a95", "c95"]


def test_data_text_is_escaped_and_the_overview_links_to_the_priority_page():
    history = _history("x", [110, 115, 120, 125, 130, 135])
    row = act_first.latest_row(history, AREA, "england_outcome", ENGLAND)
    entry = _entry("x", priority="substance_misuse") | {"name": "<script>alert(1)</script>"}
    ranking = act_first.rank([row], {"x": entry}, NAMES, "overview")
    page = str(act_first.page(ranking, "<b>Blaby</b>", None))
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>" not in page
    assert f'href="substance_misuse.html#{act_first.section_id("x")}"' in page


def test_section_ids_are_safe_and_distinct():
    assert act_first.section_id("848") == "indicator-848"
    assert act_first.section_id("police_drugs") == "indicator-police_drugs"
    odd = [act_first.section_id(i) for i in ("a b", "a-b", 'a"><script>', "a/b")]
    assert len(set(odd)) == 4
    assert all(re.fullmatch(r"indicator-[A-Za-z0-9_-]+", i) for i in odd)


# ---------------------------------------------------------------------- the real store


@pytest.mark.parametrize("area", ["E07000129", "E10000018", "E07000130"])
@pytest.mark.parametrize(
    "priority", ["overview", "substance_misuse", "mental_health", "domestic_sexual_violence"]
)
def test_the_list_renders_from_the_full_store(shown, area, priority):
    from helpers.build import store
    from helpers.report.display import Report

    Report(priority, area).act_on_first()
    assert len(shown) == 1
    page, metadata = shown[0][0].data, shown[0][1]
    assert "How this list is made" in page
    assert metadata and metadata["needs_published_cells"]  # the figures went to the ledger
    compendium = store.load("compendium")
    ids = {
        act_first.section_id(i): p
        for i, p in zip(compendium["id"], compendium["priority"], strict=True)
    }
    for href in re.findall(r'href="([^"]*)"', page):
        target, _, anchor = href.partition("#")
        assert anchor in ids, href  # every link goes to an indicator's section ...
        assert target in ("", f"{ids[anchor]}.html"), href  # ... on the page that has it
        if priority != "overview":
            assert target == "", href


def test_a_district_figure_compared_with_its_county_is_listed(shown):
    """Charnwood's police.uk violence is significantly higher than Leicestershire's in the
    shipped snapshot: it is listed, judged against the county as its section judges it."""
    from helpers.report.display import Report

    Report("domestic_sexual_violence", "E07000130").act_on_first()
    page = shown[0][0].data
    item = re.search(r"<li>(.*?)</li>", page)
    assert item and act_first.section_id("police_violence_sexual") in item.group(1)
    assert "(worse) than Leicestershire" in item.group(1)
