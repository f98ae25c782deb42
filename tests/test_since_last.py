"""What changed since the last edition: the pure comparison on small frames, the roll-over of
editions, the words, and `needs run` twice across a changed snapshot (a partner file added)."""

from __future__ import annotations

import json
import shutil

import nbformat
import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import FIXTURES, FULL_RAW

from helpers.report import edition_display, since_last

COUNTY, DISTRICT, OTHER, ENGLAND, FORCE = "E10000018", "E07000130", "E07000129", "E92000001", "F"
CODES = {
    "area": DISTRICT,
    "is_county": False,
    "county": COUNTY,
    "districts": [OTHER, DISTRICT],
    "force": FORCE,
    "england": ENGLAND,
    "neighbours": [],
    "rank_set": "districts",
}
EXAMPLE = FIXTURES / "partner_example" / "example_domestic_abuse.csv"


def values(*rows: tuple) -> pd.DataFrame:
    """Store-like rows: (indicator, area, period, count, value, england, county[, suppressed])."""
    frame = pd.DataFrame(
        [(*r, False) if len(r) == 7 else r for r in rows],
        columns=[
            "indicator_id",
            "area_code",
            "period",
            "count",
            "value",
            "england_outcome",
            "county_outcome",
            "suppressed",
        ],
    )
    frame["sex"], frame["age"] = "Persons", "All ages"
    frame["category_type"] = frame["category"] = np.nan
    return since_last.edition_rows(frame)


def compare(last, current, **kwargs) -> since_last.Changes:
    return since_last.compare(last, current, CODES, **kwargs)


BASE = [
    ("a", DISTRICT, "2022", 50, 10.0, "similar", "not compared"),
    ("a", ENGLAND, "2022", 5000, 9.0, "not compared", "not compared"),
    ("p", DISTRICT, "2022", 60, 1.0, "not compared", "similar"),  # judged against the county
]


def test_nothing_changed_is_not_a_first_edition():
    found = compare(values(*BASE), values(*BASE))
    assert not found.first
    assert found.rows.empty
    assert found.counts() == dict.fromkeys(since_last.GROUPS, 0)


def test_first_run_or_an_area_new_to_the_record_has_no_earlier_edition():
    assert compare(None, values(*BASE)).first
    # the last edition was recorded for other areas only (the choice of areas changed)
    assert compare(values(*BASE[1:2]), values(*BASE)).first


def test_category_change_on_the_comparison_the_report_uses():
    changed = [
        ("a", DISTRICT, "2022", 50, 10.0, "worse", "not compared"),
        BASE[1],
        ("p", DISTRICT, "2022", 60, 1.0, "better", "worse"),  # England's moved too: not used
    ]
    found = compare(values(*BASE), values(*changed))
    rows = found.of("comparison changed").set_index("indicator_id")
    assert found.counts()["comparison changed"] == 2
    assert rows.loc["a", ["column", "before", "after"]].tolist() == [
        "england_outcome",
        "similar",
        "worse",
    ]
    # a district judged against the county: the county comparison, not England's
    assert rows.loc["p", ["column", "before", "after"]].tolist() == [
        "county_outcome",
        "similar",
        "worse",
    ]


def test_suppression_is_not_a_category_change():
    hidden = [("a", DISTRICT, "2022", 3, 1.0, "worse", "not compared"), *BASE[1:]]
    assert compare(values(*BASE), values(*hidden)).rows.empty


def test_new_period_and_new_indicator():
    later = [*BASE, ("a", DISTRICT, "2023", 55, 11.0, "similar", "not compared")]
    later.append(("n", DISTRICT, "2024", 70, 7.0, "similar", "not compared"))
    found = compare(values(*BASE), values(*later))
    rows = found.of("new period").set_index("indicator_id")
    assert rows.loc["a", ["kind", "period_before", "period_after"]].tolist() == [
        "new period",
        "2022",
        "2023",
    ]
    assert rows.loc["n", "kind"] == "new indicator"
    assert found.counts() == {
        "comparison changed": 0,
        "new period": 2,
        "gap filled": 0,
        "withdrawn": 0,
    }


def test_gaps_filled_a_row_a_series_and_a_declared_gap():
    gap = [*BASE, ("a", DISTRICT, "2021", np.nan, np.nan, "not compared", "not compared")]
    gap.append(("g", DISTRICT, "2022", np.nan, np.nan, "not compared", "not compared"))
    filled = [*BASE, ("a", DISTRICT, "2021", 40, 8.0, "similar", "not compared")]
    filled.append(("g", DISTRICT, "2022", 20, 2.0, "better", "not compared"))
    declared = [{"id": "gap_x", "name": "X by district", "priority": "mh"}] * 2  # listed once
    found = compare(values(*gap), values(*filled), last_gaps=declared, current_gaps=[])
    rows = found.of("gap filled")
    assert len(rows) == 3
    assert set(zip(rows["kind"], rows["indicator_id"], rows["period_after"], strict=True)) == {
        ("gap filled", "a", "2021"),  # a period that was a gap row
        ("gap filled", "g", "2022"),  # an indicator with no figure before
        ("declared gap filled", "gap_x", None),
    }
    # in another priority's report the declared gap is not this report's
    other = compare(values(*gap), values(*filled), last_gaps=declared, priority="dsv")
    assert "declared gap filled" not in set(other.rows["kind"])


def test_a_priority_sees_only_its_indicators_and_withdrawn_ones_are_listed():
    found = compare(values(*BASE), values(*BASE[1:]), indicators={"a"})
    assert found.of("withdrawn")["indicator_id"].tolist() == ["a"]
    assert compare(values(*BASE), values(*BASE[1:]), indicators={"p"}).rows.empty


def test_edition_rows_keep_no_count_and_nothing_of_a_suppressed_figure():
    rows = values(("a", DISTRICT, "2022", 3, 0.6, "worse", "higher"), BASE[0])
    assert "count" not in rows
    hidden = rows[rows["period"].eq("2022") & rows["value"].isna()].iloc[0]
    assert hidden["suppressed"]
    assert hidden["england_outcome"] == hidden["county_outcome"] == "not compared"
    # and back from the record's JSON as it went in
    record = json.loads(json.dumps(since_last.to_record(rows)))
    pd.testing.assert_frame_equal(since_last.from_record(record), rows)


def test_editions_roll_over_only_when_the_content_changes():
    one, two = {"id": "1", "run_date": "d1"}, {"id": "2", "run_date": "d2"}
    first = since_last.roll({}, one)
    assert first["current"] == one and first["last"] is None
    again = since_last.roll(first, {"id": "1", "run_date": "d9"})
    assert again["last"] is None and again["current"]["run_date"] == "d1"  # not itself
    rolled = since_last.roll(again, two)
    assert rolled["current"] == two and rolled["last"]["id"] == "1"
    # running twice on the new one keeps the old one as the comparison
    assert since_last.roll(rolled, dict(two))["last"]["id"] == "1"


def test_edition_id_follows_values_and_gaps_only():
    rows = values(*BASE)
    assert since_last.edition_id(rows, ["g"]) == since_last.edition_id(rows.iloc[::-1], ["g"])
    assert since_last.edition_id(rows, ["g"]) != since_last.edition_id(rows, [])
    other = values(("a", DISTRICT, "2022", 50, 10.5, "similar", "not compared"), *BASE[1:])
    assert since_last.edition_id(rows, []) != since_last.edition_id(other, [])


def _html(found, last=True, **kwargs):
    record = {
        "current": {"data_snapshot": "new123", "built_at": "2026-02-01T00:00:00+00:00"},
        "last": {"data_snapshot": "old456", "run_date": "2025-12-01T00:00:00+00:00"}
        if last
        else None,
    }
    return str(
        edition_display.section_html(
            found,
            record,
            area="Somewhere",
            area_code=DISTRICT,
            topic="mental health",
            indicator_names={"a": "Admissions <script>", "p": "Crime"},
            area_names={COUNTY: "The County"},
            county="The County",
            **kwargs,
        )
    )


def test_section_words_escape_names_and_say_first_or_nothing():
    changed = [("a", DISTRICT, "2023", 50, 10.0, "worse", "not compared"), *BASE[1:]]
    changed.append(("p", DISTRICT, "2022", 60, 1.0, "not compared", "better"))
    text = _html(compare(values(*BASE), values(*changed[:2], changed[3])))
    assert "Admissions &lt;script&gt;: Similar to England in 2022, now Worse than England" in text
    # the same period compared again (a revision): said as such, against the county
    assert "Crime: now Better than The County in 2022; the last edition said Similar to" in text
    assert "last edition, first run on 1 December 2025 (data snapshot old456)" in text
    assert "This edition: data snapshot new123." in text
    assert "<script>" not in text
    assert "first edition recorded for Somewhere" in _html(compare(None, values(*BASE)), False)
    assert "Nothing has changed for Somewhere in mental health" in _html(
        compare(values(*BASE), values(*BASE))
    )


# ------------------------------------------------------------------ two builds, two runs


SECTION = "r.since_last_edition()"


@pytest.fixture
def notebooks(tmp_path, monkeypatch):
    """The notebooks, each with the section after its summary if the notebook lacks it (the
    worker processes are forked, so they see the patched folder)."""
    from helpers.core import paths

    folder = tmp_path / "notebooks"
    shutil.copytree(paths.NOTEBOOKS, folder)
    for path in folder.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        if not any(SECTION in c.source for c in nb.cells):
            at = next(i for i, c in enumerate(nb.cells) if "r.summary(" in c.source) + 1
            nb.cells[at:at] = [
                nbformat.v4.new_markdown_cell("## Since the last edition"),
                nbformat.v4.new_code_cell(SECTION),
            ]
            nbformat.write(nb, path)
    monkeypatch.setattr(paths, "NOTEBOOKS", folder)
    return folder


def _section(page: str) -> str:
    main = BeautifulSoup(page, "html.parser").find("main")
    found = [h for h in main.find_all("h2") if "Since the last edition" in h.get_text()]
    assert found, "the report has no 'Since the last edition' section"
    heading = found[0]
    words = []
    for tag in heading.find_all_next():
        if tag.name == "h2":
            break
        if tag.name in ("p", "li"):
            words.append(tag.get_text(" ", strip=True))
    return "\n".join(words)


def test_two_runs_across_a_changed_snapshot(full_store, notebooks, tmp_path, monkeypatch):
    """The full store (the index page draws indicators the subset lacks), then the same data
    with a partner file added, built beside it: to the run, the store changed."""
    from helpers.build import pipeline, store
    from helpers.report import editions
    from helpers.site import run

    outputs = tmp_path / "outputs"
    monkeypatch.setenv("NEEDS_PROCESSED_DIR", str(full_store))
    monkeypatch.setenv("NEEDS_OUTPUTS_DIR", str(outputs))
    page = outputs / "charnwood" / "domestic_sexual_violence.html"
    scope = {"areas": [DISTRICT], "notebooks": ["domestic_sexual_violence"], "jobs": 1}
    # the code is held still (others may be editing the tree): only the editions change keys
    monkeypatch.setattr(run, "_code_fingerprint", lambda: "code")

    monkeypatch.setenv("NEEDS_RUN_TIME", "2026-01-10T09:00:00+00:00")
    store.clear()
    assert run.run(**scope) == 0  # the audit passed too
    first = _section(page.read_text())
    assert "first edition recorded for Charnwood" in first
    index = BeautifulSoup((outputs / "index.html").read_text(), "html.parser")
    assert "This is the first edition recorded" in index.find(id="since-last").find_next("p").text
    record = json.loads((outputs / "editions.json").read_text())
    assert record["last"] is None

    # the same snapshot again: still the first edition, and the report is reused
    assert run.run(**scope) == 0
    summary = json.loads((outputs / "run.json").read_text())
    assert [r["status"] for r in summary["reports"]] == ["cached"]
    assert summary["editions"]["last"] is None

    # a partner delivers a file: the store changes, and the next run compares with the first
    (tmp_path / "partner").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "partner")
    rebuilt = tmp_path / "processed"
    pipeline.build(FULL_RAW, rebuilt, partner=tmp_path / "partner", force=True)
    monkeypatch.setenv("NEEDS_PROCESSED_DIR", str(rebuilt))
    store.clear()
    # an analyst's notebook before the next run sees what that run will compare with
    assert editions.for_reports()["last"]["id"] == record["current"]["id"]
    monkeypatch.setenv("NEEDS_RUN_TIME", "2026-02-10T09:00:00+00:00")
    assert run.run(**scope) == 0
    summary = json.loads((outputs / "run.json").read_text())
    assert [r["status"] for r in summary["reports"]] == ["ok"]  # not the cached first page
    # the record holds values only: no count, and no value of a suppressed figure (the
    # example's 3 crimes in one district)
    kept = json.loads((outputs / "editions.json").read_text())["current"]
    assert "count" not in kept["columns"]
    rows = [dict(zip(kept["columns"], row, strict=True)) for row in kept["rows"]]
    hidden = [r for r in rows if r["indicator_id"].startswith("partner_") and r["suppressed"]]
    assert hidden and all(r["value"] is None for r in hidden)
    assert summary["editions"]["last"]["id"] == record["current"]["id"]
    second = _section(page.read_text())
    assert "first edition" not in second
    assert "first run on 10 January 2026" in second  # the last edition, by its labels
    assert (
        "Domestic abuse-flagged crimes (partner data): new in this edition (latest figures 2024)"
        in second
    )
    # the index counts it for the area
    index = BeautifulSoup((outputs / "index.html").read_text(), "html.parser")
    table = index.find(id="since-last").find_next("table")
    rows = {
        tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
        for tr in table.find_all("tr")[1:]
    }
    assert rows == {"Charnwood": ["0", "1", "0", "0"]}

    # and the edition that was new is kept when the same store runs again
    assert run.run(**scope) == 0
    assert json.loads((outputs / "run.json").read_text())["reports"][0]["status"] == "cached"
    assert "new in this edition" in _section(page.read_text())
    store.clear()
