"""Headline sentences: real Leicestershire figures, and the edge cases a report meets."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from helpers.core.errors import DisclosureError, NarrativeError
from helpers.report import narrative
from helpers.report.narrative import headline

PER_1000 = "per 1,000 residents"
COUNTY = "Leicestershire"
# police.uk drug crimes per 1,000 residents, Leicestershire county (real store values)
COUNTY_DRUGS = {"2023": 1.559914, "2024": 1.261555}
COUNTY_VIOLENCE_2024 = 25.371416


def assert_clean(sentence: str) -> None:
    """The house rules for every generated sentence."""
    assert sentence[0].isupper(), sentence
    assert sentence.endswith(".") and not sentence.endswith(".."), sentence
    assert "  " not in sentence and " ," not in sentence and " ." not in sentence, sentence
    assert not re.search(r"\b(nan|NaN|None)\b|<NA>", sentence), sentence
    assert not re.search(r"\b[1-4] (drug|crime|offence|violence)", sentence), sentence


def drugs(area: str, period: str, count, value, outcome="not compared", level=None, **kw) -> str:
    sentence = headline(
        area=area,
        period=period,
        measure="drug crimes",
        count=count,
        value=value,
        unit=PER_1000,
        outcome=outcome,
        level=level,
        benchmark_name=COUNTY,
        benchmark_value=COUNTY_DRUGS.get(period),
        **kw,
    )
    assert_clean(sentence)
    return sentence


# --------------------------------------------------------------------------------------------
# Headlines on real figures
# --------------------------------------------------------------------------------------------


def test_charnwood_2023_significantly_higher():
    assert drugs("Charnwood", "2023", 336, 1.787139, "higher", 95) == (
        "In 2023 Charnwood recorded 336 drug crimes, 1.8 per 1,000 residents, "
        "significantly higher than Leicestershire (1.6 per 1,000)."
    )


def test_blaby_2024_significantly_lower():
    assert drugs("Blaby", "2024", 100, 0.949866, "lower", 95) == (
        "In 2024 Blaby recorded 100 drug crimes, 0.9 per 1,000 residents, "
        "significantly lower than Leicestershire (1.3 per 1,000)."
    )


def test_melton_2023_higher():
    assert drugs("Melton", "2023", 110, 2.066232, "higher", 95) == (
        "In 2023 Melton recorded 110 drug crimes, 2.1 per 1,000 residents, "
        "significantly higher than Leicestershire (1.6 per 1,000)."
    )


def test_harborough_violence_2024_better_says_direction_too():
    sentence = headline(
        area="Harborough",
        period="2024",
        measure="violence and sexual offences",
        count=1893,
        value=18.453710,
        unit=PER_1000,
        outcome="better",
        level=99.8,
        benchmark_name=COUNTY,
        benchmark_value=COUNTY_VIOLENCE_2024,
    )
    assert sentence == (
        "In 2024 Harborough recorded 1,893 violence and sexual offences, 18.5 per 1,000 "
        "residents, significantly lower (better) than Leicestershire (25.4 per 1,000)."
    )
    assert_clean(sentence)


def test_charnwood_violence_2024_worse():
    sentence = headline(
        area="Charnwood",
        period="2024",
        measure="violence and sexual offences",
        count=5168,
        value=27.487900,
        unit=PER_1000,
        outcome="worse",
        level=99.8,
        benchmark_name=COUNTY,
        benchmark_value=COUNTY_VIOLENCE_2024,
    )
    assert sentence.endswith(
        "5,168 violence and sexual offences, 27.5 per 1,000 residents, "
        "significantly higher (worse) than Leicestershire (25.4 per 1,000)."
    )


def test_better_without_a_benchmark_value_uses_the_fingertips_words():
    sentence = headline(
        area="Blaby",
        period="2024",
        measure="violence and sexual offences",
        count=2505,
        value=23.794145,
        unit=PER_1000,
        outcome="better",
        level=99.8,
        benchmark_name=COUNTY,
    )
    assert sentence.endswith("23.8 per 1,000 residents, significantly better than Leicestershire.")


def test_similar():
    assert drugs("Charnwood", "2024", 261, 1.388224, "similar") == (
        "In 2024 Charnwood recorded 261 drug crimes, 1.4 per 1,000 residents, "
        "similar to Leicestershire (1.3 per 1,000)."
    )


def test_not_compared_quotes_the_benchmark_without_a_judgement():
    assert drugs("Leicester", "2024", 1782, 4.69219) == (
        "In 2024 Leicester recorded 1,782 drug crimes, 4.7 per 1,000 residents; the figure for "
        "Leicestershire was 1.3 per 1,000 (no statistical comparison is available)."
    )


def test_not_compared_without_a_benchmark_is_just_the_figure():
    sentence = headline(
        area="Leicestershire Police",
        period="Year ending Sep 2024",
        measure="sexual offences",
        count=37290,
        value=32.301432,
        unit=PER_1000,
    )
    assert sentence == (
        "In the year ending September 2024 Leicestershire Police recorded 37,290 sexual "
        "offences, 32.3 per 1,000 residents."
    )


def test_value_without_a_count_reads_as_a_level():
    sentence = headline(
        area="Charnwood",
        period="2024/25",
        measure="depression prevalence (18+)",
        value=14.23,
        unit="%",
        outcome="higher",
        level=99.8,
        benchmark_name="England",
        benchmark_value=13.1,
    )
    assert sentence == (
        "In 2024/25 depression prevalence (18+) in Charnwood was 14.2%, "
        "significantly higher than England (13.1%)."
    )
    assert_clean(sentence)


def test_rate_without_a_count_names_the_rate():
    sentence = headline(
        area="Blaby",
        period="2022/23",
        measure="admissions for alcohol-related conditions",
        value=412.63,
        unit="per 100,000 (age-standardised)",
        outcome="similar",
        benchmark_name="England",
        benchmark_value=475.0,
    )
    assert sentence == (
        "In 2022/23 the rate of admissions for alcohol-related conditions in Blaby was 412.6 "
        "per 100,000 (age-standardised), similar to England (475.0 per 100,000)."
    )


def test_large_numbers_get_thousands_separators():
    sentence = headline(
        area="England",
        period="2024",
        measure="crimes",
        count=5_123_456,
        value=89.04,
        unit=PER_1000,
    )
    assert "5,123,456 crimes, 89.0 per 1,000 residents" in sentence
    assert "1,234.5" in narrative.format_value(1234.5)


def test_significant_values_that_round_alike_get_more_decimals():
    sentence = drugs("Melton", "2024", 88, 1.652986, "higher", 95, decimals=1)
    assert "1.7 per 1,000 residents" in sentence  # differs from 1.3 at one decimal
    close = headline(
        area="Hinckley and Bosworth",
        period="2024",
        measure="drug crimes",
        count=190,
        value=1.652605,
        unit=PER_1000,
        outcome="higher",
        level=99.8,
        benchmark_name="an illustrative benchmark",
        benchmark_value=1.6502,  # both print as 1.7, and as 1.65, so three decimals are used
    )
    assert "1.653 per 1,000 residents" in close and "(1.650 per 1,000)" in close


# --------------------------------------------------------------------------------------------
# Disclosure, gaps and zeros
# --------------------------------------------------------------------------------------------


def test_suppressed_row_says_not_shown_and_no_rate():
    # not "fewer than 5": a figure hidden by secondary suppression is larger, and the two
    # kinds must read the same or the words would tell which is small
    sentence = drugs("Melton", "2023", None, None, suppressed=True)
    assert sentence == (
        "In 2023 the number of drug crimes in Melton, and its rate, are not shown, "
        "to protect privacy."
    )


@pytest.mark.parametrize("count", [1, 2, 3, 4, 4.0])
def test_small_counts_are_never_printed_even_if_not_marked(count):
    sentence = drugs("Melton", "2023", count, count / 53237 * 1000, "lower", 95)
    assert "not shown, to protect privacy" in sentence
    assert "per 1,000 residents" not in sentence
    assert f" {int(count)} drug" not in sentence


def test_exactly_five_is_shown():
    sentence = drugs("Melton", "2024", 5, 0.093920, "lower", 95)
    assert "recorded 5 drug crimes, 0.1 per 1,000 residents" in sentence


def test_zero_count_is_shown_as_no():
    sentence = drugs("Rutland", "2024", 0, 0.0, "lower", 95)
    assert sentence.startswith("In 2024 Rutland recorded no drug crimes, 0.0 per 1,000 residents")


def test_missing_value_with_the_police_uk_gap_note():
    sentence = drugs(
        "Blaby",
        "2022",
        np.nan,
        np.nan,
        gap_note="Gap: police.uk did not publish 2022-11, 2022-12; no annual figure",
    )
    assert sentence == (
        "No figure for drug crimes in Blaby is available for 2022 (police.uk did not publish "
        "November 2022, December 2022; no annual figure)."
    )


def test_missing_value_without_a_note():
    assert drugs("Blaby", "2022", None, None) == (
        "No figure for drug crimes in Blaby is available for 2022."
    )


def test_count_without_a_value():
    assert drugs("Blaby", "2024", 100.0, pd.NA) == "In 2024 Blaby recorded 100 drug crimes."


def test_nan_count_with_a_value_reads_as_a_level():
    sentence = drugs("Blaby", "2024", np.nan, 0.949866, "lower", 95)
    assert sentence.startswith("In 2024 the rate of drug crimes in Blaby was 0.9 per 1,000")


def test_format_count_refuses_small_numbers():
    assert narrative.format_count(5) == "5"
    assert narrative.format_count(0) == "0"
    with pytest.raises(DisclosureError):
        narrative.format_count(4)


# --------------------------------------------------------------------------------------------
# Inputs that cannot make an honest sentence
# --------------------------------------------------------------------------------------------


def test_outcome_against_the_values_is_refused():
    with pytest.raises(NarrativeError, match="higher"):
        drugs("Blaby", "2024", 100, 0.949866, "higher", 95)


def test_significant_outcome_needs_a_benchmark_name():
    with pytest.raises(NarrativeError, match="benchmark_name"):
        headline(
            area="Charnwood",
            period="2023",
            measure="drug crimes",
            count=336,
            value=1.787139,
            unit=PER_1000,
            outcome="higher",
        )


@pytest.mark.parametrize(
    ("outcome", "level"), [("significant", None), ("similar", 95), ("higher", 90)]
)
def test_bad_outcomes_and_levels_are_refused(outcome, level):
    with pytest.raises(NarrativeError):
        drugs("Charnwood", "2023", 336, 1.787139, outcome, level)


def test_outcome_words_are_read_loosely():
    assert "significantly higher" in drugs("Charnwood", "2023", 336, 1.787139, "Higher", 95)
    assert "no statistical comparison" in drugs("Charnwood", "2023", 336, 1.787, np.nan)
