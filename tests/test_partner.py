"""Partner data drop-in: good files become indicators in the right notebook; bad files are
rejected with every problem listed and nothing loaded."""

from __future__ import annotations

import shutil

import nbformat
import pandas as pd
import pytest
from conftest import FIXTURES, FULL_RAW, ROOT, SUBSET_RAW
from nbclient import NotebookClient

from helpers import stats
from helpers.build import pipeline as build
from helpers.build import store
from helpers.core.errors import DataError
from helpers.sources import partner

EXAMPLE = FIXTURES / "partner_example" / "example_domestic_abuse.csv"


def test_shipped_partner_folder_holds_no_data():
    # the example is for tests only: it must never reach the shipped reports
    assert partner.partner_files(ROOT / "data" / "partner") == []
    assert (ROOT / "data" / "partner" / "template.csv").exists()
    assert (ROOT / "data" / "partner" / "template.xlsx").exists()


def test_good_file_becomes_values_with_limits(raw_copy):
    (raw_copy.base / "partner").mkdir()
    shutil.copy(EXAMPLE, raw_copy.base / "partner")
    raw_copy.build(force=True)
    values = pd.read_parquet(raw_copy.processed / "indicator_values.parquet")
    rows = values[values.indicator_id == "partner_domestic_abuse_crimes"].set_index("area_code")
    assert len(rows) == 4
    charnwood = rows.loc["E07000130"]
    expected = stats.rate([1650], [charnwood["denominator"]], multiplier=1000).iloc[0]
    assert charnwood["value"] == pytest.approx(expected["value"])
    assert charnwood["lower_95"] == pytest.approx(expected["lower"])
    assert charnwood["county_outcome"] in {"higher", "similar", "lower"}
    assert "EXAMPLE FOR TESTS ONLY" in charnwood["source"]


def test_bad_rows_are_all_listed_and_nothing_changes(raw_copy):
    raw_copy.build()
    before = {p.name: p.read_bytes() for p in raw_copy.processed.iterdir()}
    (raw_copy.base / "partner").mkdir()
    (raw_copy.base / "partner" / "bad.csv").write_text(
        "indicator_id,area_code,period,count,denominator\n"
        "partner_domestic_abuse_crimes,E07000999,2024,10,population\n"
        "partner_domestic_abuse_crimes,E07000129,2024,-3,population\n"
        "partner_treatment_alcohol,E07000130,2024,10,5000\n"
        "partner_treatment_alcohol,E07000130,2024,10,5000\n"
        "partner_domestic_abuse_crimes,E07000131,2099,10,population\n"
        "no_such_indicator,E07000132,2024,10,100\n"
        "partner_domestic_abuse_crimes,E07000133,2023,10,20000\n"
    )
    with pytest.raises(DataError) as err:
        raw_copy.build()
    message = err.value.message
    for text in (
        "bad.csv line 2: unknown area code 'E07000999'",
        "line 3: negative count -3",
        "line 4: duplicate row",
        "line 5: duplicate row",
        "line 6: period '2099' is in the future",
        "line 7: indicator 'no_such_indicator' is not declared",
        "'partner_domestic_abuse_crimes' mixes units",
    ):
        assert text in message, message
    assert after_equals(raw_copy.processed, before)
    result = raw_copy.cli()
    assert result.returncode == 2 and "Traceback" not in result.stderr


def after_equals(processed, before) -> bool:
    return {p.name: p.read_bytes() for p in processed.iterdir()} == before


def test_proportion_count_above_denominator(tmp_path):
    (tmp_path / "p.csv").write_text(
        "indicator_id,area_code,period,count,denominator\nx,E07000130,2024,12,10\n"
    )
    entry = {"id": "x", "name": "X", "value_type": "proportion", "source": {"kind": "partner"}}
    areas = pd.DataFrame({"area_code": ["E07000130"], "area_name": ["Charnwood"]})
    with pytest.raises(DataError, match="count 12 is more than the denominator 10"):
        partner.read_partner_data(
            tmp_path, indicators=[entry], areas=areas, population=pd.DataFrame()
        )


def test_dsr_when_age_bands_are_given(tmp_path):
    bands = pd.read_csv(ROOT / "tests" / "reference" / "phe" / "dsr_isr_inputs_multiarea.csv")
    big = bands[bands.area == "testdata_big"].replace({"55-69": "55-59"})
    frame = pd.DataFrame(
        {
            "indicator_id": "x",
            "area_code": "E07000130",
            "period": "2024",
            "count": big["count"].fillna(0).astype(int),
            "denominator": big["pop"],
            "age_band": big["ageband"],
        }
    )
    frame.to_csv(tmp_path / "dsr.csv", index=False)
    entry = {
        "id": "x",
        "name": "X",
        "value_type": "directly standardised rate",
        "multiplier": 10000,
        "source": {"kind": "partner"},
    }
    areas = pd.DataFrame({"area_code": ["E07000130"], "area_name": ["Charnwood"]})
    rows = partner.read_partner_data(
        tmp_path, indicators=[entry], areas=areas, population=pd.DataFrame()
    )
    reference = pd.read_csv(ROOT / "tests" / "reference" / "phe" / "dsr_results.csv")
    expected = reference[reference.area == "testdata_big"].iloc[0]
    assert rows["value"].iloc[0] == pytest.approx(expected["value"], rel=1.5e-8)


def test_partner_rows_flow_into_the_notebook(tmp_path, monkeypatch):
    (tmp_path / "partner").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "partner")
    processed = tmp_path / "processed"
    build.build(FULL_RAW, processed, partner=tmp_path / "partner", force=True)
    monkeypatch.setenv("NEEDS_PROCESSED_DIR", str(processed))
    store.clear()
    nb = nbformat.read(ROOT / "notebooks" / "domestic_sexual_violence.ipynb", as_version=4)
    nb.cells[0].source = 'area_code = "E07000133"\nassessment = ""'
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute()
    text = "\n".join(str(o.get("data", {})) for c in nb.cells for o in c.get("outputs", []))
    assert "Domestic abuse-flagged crimes (partner data)" in text
    assert "EXAMPLE FOR TESTS ONLY - not real data" in text  # its source line, as supplied
    # Melton's example count is 3: never shown, and neither is its rate
    assert "are not shown, to protect privacy" in text
    store.clear()


def test_subset_has_no_partner_folder():
    assert not (SUBSET_RAW.parent / "partner").exists()


def test_the_disclosure_audit_passes_on_the_partner_example(tmp_path, monkeypatch):
    """Issue 12's acceptance: the example (Melton's 3 among them) built, run and audited."""
    import json

    from conftest import golden_snapshot

    from helpers.site import run

    (tmp_path / "partner").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "partner")
    build.build(FULL_RAW, tmp_path / "processed", force=True, partner=tmp_path / "partner")
    monkeypatch.setenv("NEEDS_PROCESSED_DIR", str(tmp_path / "processed"))
    monkeypatch.setenv("NEEDS_OUTPUTS_DIR", str(tmp_path / "outputs"))
    monkeypatch.setenv("NEEDS_RUN_TIME", golden_snapshot.RUN_TIME)
    store.clear()
    try:
        status = run.run(areas=["E07000133"], notebooks=["domestic_sexual_violence"], force=True)
        summary = json.loads((tmp_path / "outputs" / "run.json").read_text())
    finally:
        store.clear()
    assert summary["audit"]["passed"], summary["audit"]["first_findings"]
    assert status == 0
    figures = pd.read_csv(tmp_path / "outputs" / "melton" / "domestic_sexual_violence.figures.csv")
    melton = figures[(figures.indicator_id == "partner_domestic_abuse_crimes")
                     & (figures.area_code == "E07000133")]  # fmt: skip
    assert melton["hidden"].all() and melton["count"].isna().all()
