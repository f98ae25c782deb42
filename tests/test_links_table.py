"""The national crime-health links the build makes from params/links.yaml: which areas are
used, that hidden values are left out, that the figures are the association of those points,
and that a mistyped pair fails with an error naming the file, the pair and the fix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats as sps

from helpers.build import links_table
from helpers.core import paths
from helpers.core.errors import ParamsError


@pytest.fixture(scope="module")
def tables(full_store: Path) -> dict[str, pd.DataFrame]:
    names = ("link_points", "link_figures", "link_questions", "areas", "indicator_values")
    return {n: pd.read_parquet(full_store / f"{n}.parquet") for n in names}


def test_every_pair_uses_at_least_250_english_areas(tables):
    figures = tables["link_figures"]
    configured = yaml.safe_load((paths.PARAMS / "links.yaml").read_text())["pairs"]
    assert list(figures["pair_id"]) == [p["id"] for p in configured]
    assert (figures["n"] >= 250).all(), figures[["pair_id", "n"]]
    points = tables["link_points"]
    areas = tables["areas"].set_index("area_code")
    assert points["area_code"].str.startswith("E").all()
    assert areas.loc[points["area_code"], "tier"].isin(["lower", "single"]).all()
    # every English local authority has a row; n counts those with all three figures
    local = areas[(areas["tier"].isin(["lower", "single"])) & areas.index.str.startswith("E")]
    complete = points.dropna(subset=["x", "y", "deprivation"]).groupby("pair_id").size()
    for row in figures.itertuples():
        assert (points["pair_id"] == row.pair_id).sum() == len(local)
        assert complete[row.pair_id] == row.n


def test_the_figures_are_the_association_of_the_points(tables):
    """Pearson's r against scipy; the adjusted figure against a regression of y on x and the
    IMD score (its t statistic gives the partial correlation); none for deprivation itself."""
    for row in tables["link_figures"].itertuples():
        pts = tables["link_points"][tables["link_points"]["pair_id"] == row.pair_id]
        pts = pts.dropna(subset=["x", "y", "deprivation"])
        assert row.n == len(pts)
        assert row.r == pytest.approx(sps.pearsonr(pts["x"], pts["y"])[0], rel=1e-9)
        if row.x_indicator == links_table.DEPRIVATION:
            assert np.isnan(row.partial_r)
            continue
        design = np.column_stack([np.ones(len(pts)), pts["x"], pts["deprivation"]])
        beta, *_ = np.linalg.lstsq(design, pts["y"], rcond=None)
        resid = pts["y"] - design @ beta
        dof = len(pts) - 3
        cov = resid @ resid / dof * np.linalg.inv(design.T @ design)
        t = beta[1] / np.sqrt(cov[1, 1])
        assert row.partial_r == pytest.approx(t / np.sqrt(t * t + dof), rel=1e-9)


def test_a_hidden_value_is_left_out(tables):
    values = tables["indicator_values"].copy()
    pair = {
        "id": "p",
        "question": "q",
        "x": {"indicator": "hi_alcohol_misuse", "period": "2020", "more": "m"},
        "y": {
            "indicator": "csp_violence_against_person",
            "period": "Year ending Jun 2025",
            "more": "m",
            "less": "l",
        },
    }
    dep = pd.DataFrame(
        {
            "lad_code": tables["link_points"]["area_code"].unique(),
            "domain": "imd",
            "average_score": 20.0,
        }
    )
    used = ["x", "y", "deprivation"]
    before = links_table.link_points(values, tables["areas"], dep, [pair]).dropna(subset=used)
    victim = before["area_code"].iloc[0]
    hide = (values["indicator_id"] == "hi_alcohol_misuse") & (values["area_code"] == victim)
    values.loc[hide, "suppressed"] = True
    after = links_table.link_points(values, tables["areas"], dep, [pair])
    assert after.loc[after["area_code"] == victim, "x"].isna().all()
    assert len(after.dropna(subset=used)) == len(before) - 1
    figures = links_table.link_figures(after, [pair])
    assert figures["n"].iloc[0] == len(before) - 1


def _write(folder: Path, pairs: list) -> Path:
    (folder / "links.yaml").write_text(yaml.safe_dump({"pairs": pairs}))
    return folder


GOOD = {
    "id": "a",
    "question": "q?",
    "x": {"indicator": "848", "period": "2024/25", "more": "depression"},
    "y": {"indicator": "hi_self_harm", "period": "2020", "more": "m", "less": "l"},
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"x": {**GOOD["x"], "indicator": "nope"}}, "x.indicator 'nope' is not in the compendium"),
        ({"y": {k: v for k, v in GOOD["y"].items() if k != "less"}}, "'less' is missing"),
        ({"id": "Bad id"}, "id 'Bad id'"),
        ({"y": {"indicator": "deprivation", "more": "m", "less": "l"}}, "deprivation can only"),
    ],
)
def test_a_mistyped_pair_names_the_file_and_the_fix(tmp_path, change, message):
    indicators = {"848": {}, "hi_self_harm": {}}
    folder = _write(tmp_path, [{**GOOD, **change}])
    with pytest.raises(ParamsError, match=message) as caught:
        links_table.read_pairs(folder, indicators)
    assert "links.yaml" in str(caught.value)


def test_a_period_with_no_values_lists_the_ones_there_are(tmp_path, tables):
    pairs, _ = links_table.read_pairs(
        _write(tmp_path, [{**GOOD, "x": {**GOOD["x"], "period": "2099"}}]),
        {"848": {}, "hi_self_harm": {}},
    )
    with pytest.raises(ParamsError, match=r"(?s)848 has no period '2099'.*2024/25"):
        links_table.check_periods(pairs, tables["indicator_values"], tmp_path / "links.yaml")


def test_no_file_means_no_pairs(tmp_path):
    assert links_table.read_pairs(tmp_path, {}) == ([], [])
