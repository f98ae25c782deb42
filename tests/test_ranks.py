"""helpers.stats.ranks: England rank, count and quintile with Fingertips' quintile words.

tests/reference/phe has no quantile table, so the quintiles are worked out by hand from the PHE
formula in METHODS.md: r = rank of the value from the highest (ties at the minimum), A = number
of values present, q = floor(6 - ceil((A + 1 - r) / (A / 5))), 0 read as 1.
The words are fingertips-open's (trend-table.component.ts, getTooltipText), typed here as text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import stats
from helpers.core.errors import StatsInputError
from helpers.stats import ranks


def test_ten_values_hand_worked():
    # Ten values in no order. From the highest: 10 -> r1, 9 -> r2, ..., 1 -> r10. A = 10, A/5 = 2.
    # ceil((11 - r)/2) for r = 1..10 is 5,5,4,4,3,3,2,2,1,1 -> q = 6 - that = 1,1,2,2,3,3,4,4,5,5.
    values = pd.Series(
        [3.0, 9.0, 1.0, 7.0, 5.0, 10.0, 2.0, 8.0, 6.0, 4.0],
        index=[f"E0700000{i}" for i in range(10)],
    )
    out = stats.england_rank(values, polarity="no_judgement")
    assert out.index.tolist() == values.index.tolist()
    assert out.columns.tolist() == ["rank", "of", "quintile", "label"]
    assert out["rank"].tolist() == [8, 2, 10, 4, 6, 1, 9, 3, 5, 7]
    assert out["of"].tolist() == [10] * 10
    assert out["quintile"].tolist() == [4, 1, 5, 2, 3, 1, 5, 2, 3, 4]
    for column in ("rank", "of", "quintile"):
        assert str(out[column].dtype) == "Int64", column


def test_labels_without_polarity_say_highest_and_lowest():
    values = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    out = stats.england_rank(values, polarity="no_judgement")
    assert out["label"].tolist() == [
        "Highest quintile",
        "Highest quintile",
        "2nd highest quintile",
        "2nd highest quintile",
        "Middle quintile",
        "Middle quintile",
        "2nd lowest quintile",
        "2nd lowest quintile",
        "Lowest quintile",
        "Lowest quintile",
    ]


def test_labels_high_is_good_call_the_highest_best():
    out = stats.england_rank([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], polarity="high_is_good")
    assert out["label"].tolist()[::2] == [
        "Best quintile",
        "2nd best quintile",
        "Middle quintile",
        "2nd worst quintile",
        "Worst quintile",
    ]


def test_labels_low_is_good_call_the_highest_worst():
    out = stats.england_rank([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], polarity="low_is_good")
    assert out["label"].tolist()[::2] == [
        "Worst quintile",
        "2nd worst quintile",
        "Middle quintile",
        "2nd best quintile",
        "Best quintile",
    ]
    # polarity changes only the words: rank and quintile are the same under every polarity
    other = stats.england_rank([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], polarity="high_is_good")
    pd.testing.assert_frame_equal(
        out[["rank", "of", "quintile"]], other[["rank", "of", "quintile"]]
    )


def test_ties_and_missing_values():
    # Present: 10, 20, 20, 30, 40, 50 -> A = 6, A/5 = 1.2. From the highest: 50 r1, 40 r2,
    # 30 r3, 20 r4 (both), 10 r6. ceil((7 - r)/1.2): r1 5, r2 ceil(4.17) 5, r3 ceil(3.33) 4,
    # r4 ceil(2.5) 3, r6 ceil(0.83) 1 -> q = 1, 1, 2, 3, 5.
    values = pd.Series([10, 20, 20, np.nan, 30, 40, 50], index=list("abcdefg"))
    out = stats.england_rank(values, polarity="low_is_good")
    assert out["rank"].tolist() == [6, 4, 4, pd.NA, 3, 2, 1]
    assert out["of"].tolist() == [6] * 7
    assert out["quintile"].tolist() == [5, 3, 3, pd.NA, 2, 1, 1]
    assert out.loc["d", "label"] is pd.NA
    assert out.loc["a", "label"] == "Best quintile"
    assert out.loc["b", "label"] == out.loc["c", "label"] == "Middle quintile"


def test_fewer_than_five_values_still_ranked_but_no_quintile():
    out = stats.england_rank([3.0, 1.0, np.nan, 2.0], polarity="high_is_good")
    assert out["rank"].tolist() == [1, 3, pd.NA, 2]
    assert out["of"].tolist() == [3] * 4
    assert out["quintile"].isna().all()
    assert out["label"].isna().all()


def test_exactly_five_values_one_per_quintile():
    out = stats.england_rank([1, 2, 3, 4, 5], polarity="no_judgement")
    assert out["quintile"].tolist() == [5, 4, 3, 2, 1]


def test_all_missing_and_empty():
    out = stats.england_rank([np.nan, np.nan], polarity="no_judgement")
    assert out["rank"].isna().all() and out["of"].tolist() == [0, 0]
    assert len(stats.england_rank([], polarity="no_judgement")) == 0


def test_quintiles_are_the_phe_quantiles_with_quintile_one_highest():
    rng = np.random.default_rng(20240601)
    values = pd.Series(rng.normal(50, 10, 296).round(1), index=[f"a{i}" for i in range(296)])
    values.iloc[::37] = np.nan
    out = stats.england_rank(values, polarity="no_judgement")
    expected = stats.quantiles(values, n=5, invert=True)
    pd.testing.assert_series_equal(out["quintile"], expected, check_names=False)
    # quintile 1 holds the highest values, and about a fifth of them
    present = values.dropna()
    top = out.index[(out["quintile"] == 1).fillna(False)]
    assert present[top].min() >= present.drop(top).max()
    assert abs(len(top) - len(present) / 5) <= 2


def test_list_input_gets_a_range_index():
    out = stats.england_rank([5, 1, 3], polarity="no_judgement")
    assert isinstance(out.index, pd.RangeIndex)
    assert out["rank"].tolist() == [1, 3, 2]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stats.england_rank([1, 2], polarity="bad"), "polarity must be one of"),
        (lambda: stats.england_rank(["a", "b"], polarity="no_judgement"), "values must be numeric"),
        (lambda: stats.england_rank([1, np.inf], polarity="no_judgement"), "values must be finite"),
        (
            lambda: stats.england_rank([[1, 2], [3, 4]], polarity="no_judgement"),
            "values must be one-dimensional",
        ),
    ],
)
def test_bad_input_names_the_argument(call, message):
    with pytest.raises(StatsInputError, match=message):
        call()


def test_polarity_is_required():
    with pytest.raises(TypeError):
        stats.england_rank([1, 2, 3])  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (101, "101st"),
        (111, "111th"),
        (112, "112th"),
        (113, "113th"),
        (122, "122nd"),
    ],
)
def test_ordinal_suffixes(number, words):
    assert stats.ordinal(number) == words


def test_rank_words():
    assert stats.rank_words(12, 296, "districts") == "12th of 296 districts"
    assert stats.rank_words(1, 1, "counties") == "1st of 1 counties"
    assert stats.rank_words(np.int64(21), 6856, "neighbourhoods") == "21st of 6,856 neighbourhoods"
    # an Int64 column's value and a whole float work too
    rank = stats.england_rank([5, 1, 3], polarity="no_judgement")["rank"].iloc[2]
    assert stats.rank_words(rank, 3.0, "areas") == "2nd of 3 areas"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 10, "districts"), "rank must be a whole number of at least 1"),
        ((pd.NA, 10, "districts"), "rank must be a whole number"),
        ((1.5, 10, "districts"), "rank must be a whole number"),
        ((True, 10, "districts"), "rank must be a whole number"),
        ((11, 10, "districts"), "rank must not exceed of"),
        ((1, 0, "districts"), "of must be a whole number of at least 1"),
        ((1, 10, ""), "tier must be the plural name"),
    ],
)
def test_rank_words_refuses_bad_input(args, message):
    with pytest.raises(StatsInputError, match=message):
        stats.rank_words(*args)


def test_every_polarity_has_five_labels():
    assert set(ranks.QUINTILE_LABELS) == {"low_is_good", "high_is_good", "no_judgement"}
    assert all(len(set(words)) == 5 for words in ranks.QUINTILE_LABELS.values())
