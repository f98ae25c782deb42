"""The words of the national crime-health links (helpers.report.crime_health): they claim a
link only where the interval supports it, describe the deprivation-adjusted figure honestly,
and always carry the ecological caveat; and the overview shows the charts for every area."""

from __future__ import annotations

import math
import re

import pytest

from helpers.report import crime_health

BASE = {
    "n": 262,
    "r": 0.558,
    "lower": 0.468,
    "upper": 0.636,
    "partial_r": 0.275,
    "partial_lower": 0.159,
    "partial_upper": 0.384,
    "x_indicator": "hi_alcohol_misuse",
    "x_more": "hospital admissions for alcohol-specific conditions",
    "y_more": "record more violence",
    "y_less": "record less violence",
}


def words(**change) -> str:
    return crime_health.sentence(BASE | change)


def test_a_clear_link_weakened_by_deprivation():
    text = words()
    assert text.startswith("Across 262 English local authorities")
    assert (
        "areas with more hospital admissions for alcohol-specific conditions record more "
        "violence (r = 0.56, 95% CI 0.47 to 0.64)" in text
    )
    assert (
        "after allowing for deprivation the link is weaker (partial r = 0.28, 0.16 to 0.38)" in text
    )
    assert text.endswith(crime_health.ECOLOGICAL)


def test_a_negative_link_uses_the_other_words_and_a_real_minus_sign():
    text = words(
        r=-0.4, lower=-0.5, upper=-0.3, partial_r=-0.38, partial_lower=-0.48, partial_upper=-0.27
    )
    assert "record less violence (r = \u22120.40" in text
    assert "about as strong" in text


def test_an_interval_through_zero_claims_no_link():
    text = words(
        r=0.05, lower=-0.07, upper=0.17, partial_r=0.02, partial_lower=-0.1, partial_upper=0.14
    )
    assert "there is no clear link" in text and "record more" not in text
    assert "does not change that" in text


def test_a_link_that_goes_once_deprivation_is_allowed_for():
    text = words(partial_r=0.05, partial_lower=-0.07, partial_upper=0.17)
    assert "after allowing for deprivation there is no clear link" in text
    assert "deprivation may account for much of it" in text


def test_deprivation_itself_has_no_adjusted_clause():
    text = words(
        x_indicator="deprivation",
        x_more="deprivation",
        partial_r=math.nan,
        partial_lower=math.nan,
        partial_upper=math.nan,
    )
    assert "partial" not in text and "areas with more deprivation record more violence" in text


def test_too_few_areas_say_so():
    text = words(n=4, r=math.nan, lower=math.nan, upper=math.nan)
    assert "Too few English local authorities have both figures (4)" in text
    assert "nan" not in text.lower()


def test_the_note_names_each_area_off_the_chart_and_what_it_lacks():
    import pandas as pd

    points = pd.DataFrame(
        {
            "area_code": ["a", "b", "c", "d"],
            "area_name": ["East <Devon>", "Mid Devon", "Exeter", "Torridge"],
            "x": [700.0, 650.0, 600.0, float("nan")],
            "y": [float("nan"), float("nan"), 36.0, 20.0],
            "deprivation": [15.0, 16.0, 18.0, 25.0],
        }
    )
    sides = {"x": "alcohol admissions, 2020", "y": "violence, year ending Jun 2025"}
    note = crime_health.missing_note(points, ["a", "b", "c", "d"], sides)
    assert note == (
        "Not on the chart: East <Devon>, Mid Devon (no published figure of their own for "
        "violence, year ending Jun 2025); Torridge (no published figure of its own for alcohol "
        "admissions, 2020)."
    )
    assert crime_health.missing_note(points, ["c"], sides) is None
    assert crime_health.complete(points)["area_code"].tolist() == ["c"]


@pytest.fixture(scope="module")
def overviews(site_run):
    outputs, _ = site_run
    return {p.parent.name: p.read_text() for p in outputs.glob("*/overview.html")}


def test_every_overview_shows_national_links_with_intervals_and_the_caveat(overviews):
    assert len(overviews) == 8
    for area, page in overviews.items():
        section = page.split('id="Links-between-the-priorities"')[1].split('id="More-indicators"')[
            0
        ]
        charts = re.findall(r'<img[^>]+alt="Scatter plot of [^"]+ for (\d+) English local', section)
        assert len(charts) >= 2, area
        assert all(int(n) >= 250 for n in charts), (area, charts)
        claims = re.findall(r"Across ([\d,]+) English local authorities", section)
        assert len(claims) == len(charts) and all(int(n) >= 250 for n in claims)
        assert section.count("95% CI") >= len(charts)
        assert "partial r = " in section
        assert section.count("the ecological fallacy") >= len(charts), area
        assert "Is drinking at home linked with domestic violence" in section
