"""helpers.stats.neighbours: statistical nearest neighbours on z-scored open variables.

The small cases are chosen so the neighbours can be seen by eye; distances are worked out from
the definition (raw distance divided by the population standard deviation, where every column
has the same spread).
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest

from helpers import stats
from helpers.core.errors import StatsInputError
from helpers.stats.neighbours import METHOD


def neighbours_of(result: pd.DataFrame, code: str) -> list[str]:
    return result.loc[result["area_code"] == code, "neighbour_code"].tolist()


def distances_of(result: pd.DataFrame, code: str) -> list[float]:
    return result.loc[result["area_code"] == code, "distance"].tolist()


# Five points on a line: 0, 1, 3, 7, 15. By eye, A's nearest are B (1 away) then C (3);
# B's are A (1) then C (2); C's are B (2) then A (3); D's are C (4) then B (6); E's are D (8)
# then C (12).
LINE = pd.DataFrame({"x": [0.0, 1.0, 3.0, 7.0, 15.0]}, index=list("ABCDE"))


def test_points_on_a_line():
    out = stats.nearest_neighbours(LINE, k=2)
    assert out.columns.tolist() == ["area_code", "neighbour_code", "rank", "distance"]
    assert out["area_code"].tolist() == list("AABBCCDDEE")
    assert out["rank"].tolist() == [1, 2] * 5
    expected = {"A": ["B", "C"], "B": ["A", "C"], "C": ["B", "A"], "D": ["C", "B"], "E": ["D", "C"]}
    assert {code: neighbours_of(out, code) for code in "ABCDE"} == expected
    sd = statistics.pstdev([0, 1, 3, 7, 15])
    raw = {"A": [1, 3], "B": [1, 2], "C": [2, 3], "D": [4, 6], "E": [8, 12]}
    for code, gaps in raw.items():
        np.testing.assert_allclose(distances_of(out, code), [g / sd for g in gaps], rtol=1e-12)
    assert out["distance"].dtype == float


# A plus sign: O in the middle, N/E/S/W one step away. x and y have the same spread, so the
# z-score distance is the raw distance divided by pstdev([0, 1, -1, 0, 0]).
PLUS = pd.DataFrame(
    {"x": [0.0, 1.0, -1.0, 0.0, 0.0], "y": [0.0, 0.0, 0.0, 1.0, -1.0]},
    index=["O", "E", "W", "N", "S"],
)
STEP = 1 / statistics.pstdev([0, 1, -1, 0, 0])


def test_plus_sign_ties_are_broken_by_code():
    out = stats.nearest_neighbours(PLUS, k=4)
    # O is one step from all four: tied, so taken in code order E, N, S, W
    assert neighbours_of(out, "O") == ["E", "N", "S", "W"]
    np.testing.assert_allclose(distances_of(out, "O"), [STEP] * 4, rtol=1e-12)
    # E: O one step, N and S a diagonal (tied, code order), W two steps
    assert neighbours_of(out, "E") == ["O", "N", "S", "W"]
    np.testing.assert_allclose(
        distances_of(out, "E"), [STEP, math.sqrt(2) * STEP, math.sqrt(2) * STEP, 2 * STEP]
    )
    assert neighbours_of(out, "W") == ["O", "N", "S", "E"]
    assert neighbours_of(out, "N") == ["O", "E", "W", "S"]


def test_columns_are_standardised_so_units_do_not_matter():
    # y in thousands and x shifted: after z-scores the plus sign is the same plus sign
    scaled = PLUS.assign(x=PLUS["x"] + 40, y=PLUS["y"] * 1000)
    pd.testing.assert_frame_equal(
        stats.nearest_neighbours(scaled, k=3), stats.nearest_neighbours(PLUS, k=3)
    )


def test_each_variable_counts_the_same_whatever_its_units():
    # x spread 0..3, y spread 0..3000. Raw distances would be dominated by y; in z-scores both
    # count the same. P (0, 0): Q (3, 0) and R (0, 3000) are each one full range away -> tied.
    frame = pd.DataFrame(
        {"x": [0.0, 3.0, 0.0, 3.0], "y": [0.0, 0.0, 3000.0, 3000.0]}, index=["P", "Q", "R", "S"]
    )
    out = stats.nearest_neighbours(frame, k=2)
    assert neighbours_of(out, "P") == ["Q", "R"]
    a, b = distances_of(out, "P")
    assert a == pytest.approx(b)
    assert neighbours_of(out, "S") == ["Q", "R"]


def test_constant_column_contributes_nothing():
    with_constant = LINE.assign(same=7.5)
    pd.testing.assert_frame_equal(
        stats.nearest_neighbours(with_constant, k=3), stats.nearest_neighbours(LINE, k=3)
    )
    # every column constant: every distance is 0, neighbours in code order
    flat = pd.DataFrame({"x": [0.1] * 4}, index=["D", "B", "C", "A"])
    out = stats.nearest_neighbours(flat, k=3)
    assert neighbours_of(out, "D") == ["A", "B", "C"]
    assert neighbours_of(out, "A") == ["B", "C", "D"]
    assert (out["distance"] == 0).all()


def test_float_rounding_does_not_break_a_tie():
    # X2 is equally far from X1 and X3, but in floating point X3 comes out 2e-16 nearer;
    # the tie must still go to the lower code, X1.
    frame = pd.DataFrame({"x": [0.1, 0.2, 0.3]}, index=["X1", "X2", "X3"])
    assert neighbours_of(stats.nearest_neighbours(frame, k=1), "X2") == ["X1"]


def test_same_answer_whatever_the_row_order():
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        rng.integers(0, 4, size=(40, 3)).astype(float),  # small integers: many exact ties
        index=[f"E07{i:06d}" for i in range(40)],
        columns=["imd", "old", "young"],
    )
    first = stats.nearest_neighbours(frame, k=5)
    shuffled = stats.nearest_neighbours(frame.sample(frac=1, random_state=3), k=5)
    key = ["area_code", "rank"]
    pd.testing.assert_frame_equal(
        first.sort_values(key).reset_index(drop=True),
        shuffled.sort_values(key).reset_index(drop=True),
    )
    assert first.equals(stats.nearest_neighbours(frame, k=5))


def test_result_shape_on_a_national_sized_case():
    rng = np.random.default_rng(11)
    codes = [f"E07{i:06d}" for i in range(296)]
    frame = pd.DataFrame(rng.normal(size=(296, 4)), index=codes, columns=list("abcd"))
    out = stats.nearest_neighbours(frame)
    assert len(out) == 296 * 5
    assert (out["area_code"] != out["neighbour_code"]).all()
    assert out.groupby("area_code")["neighbour_code"].nunique().eq(5).all()
    assert out["area_code"].drop_duplicates().tolist() == codes  # input order kept
    assert (out.groupby("area_code")["distance"].diff().dropna() >= 0).all()
    assert out["rank"].dtype == np.int64


def test_an_area_with_a_missing_value_is_left_out():
    with_gap = pd.concat(
        [LINE.assign(y=[1.0, 2.0, 3.0, 4.0, 5.0]), pd.DataFrame({"x": [0.5], "y": [np.nan]}, ["G"])]
    )
    out = stats.nearest_neighbours(with_gap, k=2)
    assert "G" not in set(out["area_code"]) | set(out["neighbour_code"])
    # and it does not move the means and standard deviations of the others
    pd.testing.assert_frame_equal(out, stats.nearest_neighbours(with_gap.drop(index="G"), k=2))


def test_too_few_complete_areas():
    frame = LINE.assign(y=[1.0, np.nan, 2.0, np.nan, np.nan])
    with pytest.raises(StatsInputError, match=r"features has 2 complete areas.*k=2.*at least 3"):
        stats.nearest_neighbours(frame, k=2)
    with pytest.raises(StatsInputError, match=r"5 complete areas.*k=5 .*at least 6"):
        stats.nearest_neighbours(LINE)


@pytest.mark.parametrize("k", [0, -1, 1.5, True, "3", None])
def test_k_must_be_a_whole_number_of_at_least_one(k):
    with pytest.raises(StatsInputError, match="k must be a whole number of at least 1"):
        stats.nearest_neighbours(LINE, k=k)


def test_k_one_and_numpy_integer_k():
    out = stats.nearest_neighbours(LINE, k=np.int64(1))
    assert out["neighbour_code"].tolist() == ["B", "A", "B", "C", "D"]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (LINE.assign(name=list("vwxyz")), r"features column 'name' must be numeric"),
        (LINE.assign(flag=[True, False, True, False, True]), r"column 'flag' must be numeric"),
        (LINE.assign(y=[1.0, np.inf, 2.0, 3.0, 4.0]), r"features column 'y' must be finite"),
        (LINE.set_axis(list("ABCAB")), r"duplicate area codes: A, B"),
        (LINE.set_axis(["A", "B", None, "D", "E"]), r"missing area code"),
        (LINE[[]], r"at least one column"),
        (pd.concat([LINE, LINE], axis=1), r"duplicate columns: x"),
    ],
)
def test_bad_features_name_the_problem(frame, message):
    with pytest.raises(StatsInputError, match=message):
        stats.nearest_neighbours(frame, k=2)


def test_features_must_be_a_frame():
    with pytest.raises(StatsInputError, match="features must be a pandas DataFrame"):
        stats.nearest_neighbours([[0, 1], [1, 2], [3, 4]], k=1)


def test_method_sentence_takes_k_and_variables():
    text = METHOD.format(k=5, variables="deprivation, age and population density")
    assert "the 5 areas most alike on deprivation, age and population density" in text
    assert "CIPFA" in text and "{" not in text
    with pytest.raises(KeyError):
        METHOD.format(k=5)
