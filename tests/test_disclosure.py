"""Disclosure control: no count of 1 to 4, nor a figure built on one, survives suppress()."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import stats
from helpers.core.errors import DisclosureError
from helpers.stats import disclosure

MELTON_POPULATION = 53237.0  # mid-2023, the denominator of the police.uk rates
# police.uk street crime in Melton (E07000133), March 2024, as published (real counts).
MELTON_MARCH_2024 = {
    "Anti-social behaviour": 37,
    "Bicycle theft": 0,
    "Burglary": 26,
    "Drugs": 7,
    "Other crime": 4,
    "Possession of weapons": 5,
    "Robbery": 2,
    "Theft from the person": 2,
    "Violence and sexual offences": 119,
}
HIDDEN = ["value", "lower_95", "upper_95", "lower_998", "upper_998"]


def melton_month() -> pd.DataFrame:
    """Store-shaped rows (count, rate per 1,000 with 95% and 99.8% limits) for real counts."""
    counts = pd.Series(MELTON_MARCH_2024, dtype=float)
    r95 = stats.rate(counts, MELTON_POPULATION, multiplier=1000, confidence=0.95)
    r998 = stats.rate(counts, MELTON_POPULATION, multiplier=1000, confidence=0.998)
    frame = pd.DataFrame(
        {
            "indicator_id": counts.index,
            "area_code": "E07000133",
            "area_name": "Melton",
            "period": "2024-03",
            "count": counts.to_numpy(),
            "denominator": MELTON_POPULATION,
            "value": r95["value"].to_numpy(),
            "lower_95": r95["lower"].to_numpy(),
            "upper_95": r95["upper"].to_numpy(),
            "lower_998": r998["lower"].to_numpy(),
            "upper_998": r998["upper"].to_numpy(),
            "value_note": None,
            "county_outcome": "similar",
            "county_level": np.nan,
            "england_outcome": "higher",
            "england_level": 95.0,
            "trend_marker": "no significant change",
            "trend_label": "No significant change",
        }
    )
    return frame


def drug_crimes() -> pd.DataFrame:
    """Real store rows: police.uk drug crimes per 1,000, 2022 (a gap) to 2024."""
    return pd.DataFrame(
        {
            "area_name": ["Charnwood", "Blaby", "Melton", "Melton", "Leicestershire"],
            "period": ["2023", "2024", "2023", "2022", "2023"],
            "count": [336.0, 100.0, 110.0, np.nan, 1145.0],
            "denominator": [188010.0, 105278.0, 53237.0, np.nan, 734015.0],
            "value": [1.787139, 0.949866, 2.066232, np.nan, 1.559914],
            "lower_95": [1.601131, 0.772831, 1.698158, np.nan, 1.470856],
            "upper_95": [1.988822, 1.155303, 2.490389, np.nan, 1.652953],
            "county_outcome": ["higher", "lower", "higher", "not compared", "not compared"],
            "county_level": [95.0, 95.0, 95.0, np.nan, np.nan],
            "value_note": [
                None,
                None,
                None,
                "Gap: police.uk did not publish 2022-11, 2022-12; no annual figure",
                None,
            ],
        }
    )


# --------------------------------------------------------------------------------------------
# is_small
# --------------------------------------------------------------------------------------------


def test_is_small_boundaries():
    counts = [0, 1, 2, 3, 4, 5, 6, 119, np.nan]
    expected = [False, True, True, True, True, False, False, False, False]
    assert disclosure.is_small(counts).tolist() == expected


def test_is_small_scalars_and_missing():
    assert disclosure.is_small(4) is True
    assert disclosure.is_small(5) is False
    assert disclosure.is_small(0) is False  # zero is not disclosive by convention
    for missing in (None, np.nan, pd.NA):
        assert disclosure.is_small(missing) is False


def test_is_small_keeps_series_index_and_reads_nullable_ints():
    counts = pd.Series([3, pd.NA, 12], index=[10, 11, 12], dtype="Int64")
    result = disclosure.is_small(counts)
    assert isinstance(result, pd.Series)
    assert result.index.tolist() == [10, 11, 12]
    assert result.tolist() == [True, False, False]


def test_is_small_catches_non_whole_counts_and_text():
    assert disclosure.is_small([0.4, 4.6, 5.0]).tolist() == [True, True, False]
    assert disclosure.is_small(pd.Series(["3", "<5", "1,234", None])).tolist() == [
        True,
        False,
        False,
        False,
    ]


# --------------------------------------------------------------------------------------------
# suppress
# --------------------------------------------------------------------------------------------


def test_suppress_hides_small_counts_and_everything_built_on_them():
    out = disclosure.suppress(melton_month())
    small = out["indicator_id"].isin(["Other crime", "Robbery", "Theft from the person"])
    assert out["suppressed"].tolist() == small.tolist()
    assert out.loc[small, ["count", *HIDDEN, "county_level", "england_level"]].isna().all().all()
    assert (out.loc[small, ["county_outcome", "england_outcome"]] == "not compared").all().all()
    assert (out.loc[small, "trend_marker"] == "cannot be calculated").all()
    assert (out.loc[small, "trend_label"] == "Cannot be calculated").all()
    # the denominator is a population, not a count: it stays
    assert (out.loc[small, "denominator"] == MELTON_POPULATION).all()


def test_suppress_leaves_other_rows_exactly_as_they_were():
    frame = melton_month()
    out = disclosure.suppress(frame)
    keep = ~out["suppressed"]
    pd.testing.assert_frame_equal(out.loc[keep, frame.columns], frame.loc[keep])


def test_suppress_keeps_zero_and_five():
    out = disclosure.suppress(melton_month()).set_index("indicator_id")
    assert out.loc["Bicycle theft", "count"] == 0
    assert out.loc["Bicycle theft", "value"] == 0
    assert out.loc["Possession of weapons", "count"] == 5
    assert out.loc["Possession of weapons", "value"] == pytest.approx(5 / MELTON_POPULATION * 1000)
    assert not out.loc[["Bicycle theft", "Possession of weapons"], "suppressed"].any()


def test_suppress_does_not_touch_gaps():
    frame = drug_crimes()
    out = disclosure.suppress(frame)
    assert not out["suppressed"].any()
    pd.testing.assert_frame_equal(out.drop(columns="suppressed"), frame)


def test_suppress_returns_a_copy():
    frame = melton_month()
    before = frame.copy()
    disclosure.suppress(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_suppress_is_idempotent():
    once = disclosure.suppress(melton_month())
    twice = disclosure.suppress(once)
    pd.testing.assert_frame_equal(once, twice)


def test_suppress_only_touches_columns_that_are_present():
    frame = pd.DataFrame({"lsoa_name": ["Melton 003C", "Melton 003B"], "count": [1, 8]})
    out = disclosure.suppress(frame)
    assert out.columns.tolist() == ["lsoa_name", "count", "suppressed"]
    assert out["count"].isna().tolist() == [True, False]
    assert out["lsoa_name"].tolist() == ["Melton 003C", "Melton 003B"]


def test_suppress_without_a_count_column_marks_nothing():
    frame = pd.DataFrame({"area_name": ["Blaby"], "value": [23.8]})
    out = disclosure.suppress(frame)
    assert out["suppressed"].tolist() == [False]
    assert out["value"].tolist() == [23.8]


def test_suppress_leaves_absent_trend_markers_absent():
    frame = melton_month()
    frame["trend_marker"] = None  # earlier periods carry no trend marker
    out = disclosure.suppress(frame)
    assert out["trend_marker"].isna().all()


def test_suppress_handles_a_duplicated_index():
    frame = pd.DataFrame({"count": [3.0, 30.0], "value": [0.1, 1.0]}, index=[0, 0])
    out = disclosure.suppress(frame)
    assert out["value"].isna().tolist() == [True, False]


@settings(max_examples=200)
@given(
    st.lists(
        st.one_of(st.integers(min_value=0, max_value=10_000), st.just(np.nan)),
        min_size=1,
        max_size=40,
    )
)
def test_property_nothing_small_survives(counts):
    frame = pd.DataFrame({"count": np.array(counts, dtype=float)})
    frame["value"] = frame["count"] / 1000
    frame["lower_95"] = frame["value"] * 0.9
    frame["upper_95"] = frame["value"] * 1.1
    frame["county_outcome"] = "higher"
    out = disclosure.suppress(frame)
    assert not disclosure.is_small(out["count"]).any()
    hidden = out["suppressed"]
    assert out.loc[hidden, ["value", "lower_95", "upper_95"]].isna().all().all()
    assert (out.loc[hidden, "county_outcome"] == "not compared").all()
    pd.testing.assert_frame_equal(out.loc[~hidden, frame.columns], frame.loc[~hidden])
    pd.testing.assert_frame_equal(disclosure.suppress(out), out)
    disclosure.check_no_small_counts(out)


# --------------------------------------------------------------------------------------------
# check_no_small_counts, check_no_small_text, display
# --------------------------------------------------------------------------------------------


def test_check_fails_on_a_small_count_and_names_the_row():
    with pytest.raises(DisclosureError, match="count of 1 to 4") as caught:
        disclosure.check_no_small_counts(melton_month())
    assert "Melton" in str(caught.value) and "suppress" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_check_fails_when_a_suppressed_row_still_carries_a_rate():
    out = disclosure.suppress(melton_month())
    out.loc[out["suppressed"].idxmax(), "value"] = 0.075
    with pytest.raises(DisclosureError, match="suppressed row"):
        disclosure.check_no_small_counts(out)


def test_check_passes_and_returns_a_safe_frame():
    out = disclosure.suppress(melton_month())
    assert disclosure.check_no_small_counts(out) is out
    disclosure.check_no_small_counts(drug_crimes())  # gaps and large counts are fine
    disclosure.check_no_small_counts(pd.DataFrame({"value": [0.5]}))  # no counts at all


@pytest.mark.parametrize(
    ("value", "options", "expected"),
    [
        (2, {"suppressed": True, "is_count": True}, "suppressed"),
        (0.0376, {"suppressed": True}, "suppressed"),
        (np.nan, {}, "no data"),
        (None, {"is_count": True}, "no data"),
        (pd.NA, {}, "no data"),
        (1.787139, {}, "1.8"),
        (37290.0, {"is_count": True}, "37,290"),
        (1234567.891, {"fmt": "{:,.2f}"}, "1,234,567.89"),
        (0, {"is_count": True}, "0"),
        (5, {"is_count": True}, "5"),
    ],
)
def test_display(value, options, expected):
    assert disclosure.display(value, **options) == expected


def test_display_refuses_an_unsuppressed_small_count():
    with pytest.raises(DisclosureError):
        disclosure.display(4, is_count=True)


def test_check_no_small_text_reads_formatted_counts():
    disclosure.check_no_small_text(["12", "1,204", "<5", "no data", "0", "5"], "Crimes")
    for cell in ("3", " 4 ", "1.0", "2.5"):
        with pytest.raises(DisclosureError, match="'Crimes' was about to show a count"):
            disclosure.check_no_small_text(["12", cell], "Crimes")


def test_note_states_both_rules_in_plain_words():
    assert disclosure.NOTE.startswith(
        "Counts of 1 to 4, and rates based on them, are not shown, to protect privacy."
    )
    assert "subtracting" in disclosure.NOTE and "every report" in disclosure.NOTE
    assert disclosure.SMALL_COUNT_MAX == 4
