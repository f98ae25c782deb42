"""Every exported report (area x notebook) carries what a stakeholder needs (issue 4)."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT

NOTEBOOKS = ["overview", "substance_misuse", "mental_health", "domestic_sexual_violence"]
TITLES = {
    "overview": "Overview",
    "substance_misuse": "Substance misuse (drugs and alcohol)",
    "mental_health": "Mental health",
    "domestic_sexual_violence": "Domestic and sexual violence",
}


def _pages(outputs):
    results = json.loads((outputs / "run.json").read_text())["reports"]
    return [(r, (outputs / r["html"]).read_text()) for r in results]


def test_every_report_ran(site_run):
    outputs, status = site_run
    results = json.loads((outputs / "run.json").read_text())["reports"]
    assert status == 0, [r for r in results if r["status"] != "ok"]
    assert len(results) == 32
    assert {r["notebook"] for r in results} == set(NOTEBOOKS)


def test_the_disclosure_audit_passed_on_the_shipped_batch(site_run):
    """Issue 12's acceptance: the audit read every report's figures and found nothing; each
    report has its figures file, and some cells were hidden (so the audit had work to do)."""
    outputs, _ = site_run
    summary = json.loads((outputs / "run.json").read_text())
    checked = summary["audit"]
    assert checked["passed"], checked["first_findings"]
    assert checked["checked"]["pages"] == 32 + 2  # the reports, the index, the compendium
    assert checked["checked"]["hidden_cells"] > 0
    for r in summary["reports"]:
        figures = (outputs / r["html"]).with_suffix(".figures.csv")
        assert figures.stat().st_size > 100, figures


def test_reports_have_the_required_parts(site_run):
    outputs, _ = site_run
    for result, page in _pages(outputs):
        title = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
        assert TITLES[result["notebook"]] in title, result
        assert "import " not in page and "Report(" not in page, result  # no code
        assert 'id="Summary"' in page, result
        assert 'id="Data-gaps"' in page, result
        assert "Open Government Licence v3.0" in page, result
        assert "Code version" in page and "Data snapshot" in page, result
        assert "Traceback" not in page and "Error" not in title, result


def test_every_indicator_section_has_a_chart(site_run):
    outputs, _ = site_run
    for result, page in _pages(outputs):
        sections = re.split(r"<h2 ", page)[1:]
        for section in sections:
            heading = re.search(r">(.*?)</h2>", section, re.S).group(1)
            if any(
                word in heading
                for word in (
                    "Summary",
                    "gaps",
                    "Sources",
                    "Then and now",
                    "Indicators across",
                    "Domestic abuse",
                    "Deprivation",  # a table of ranks and deciles
                    "act on first",  # a ranked list of the sections below
                    "Since the last edition",  # a list of changes
                )
            ):
                continue
            if "More indicators" in heading and "is shown above" in section:
                continue  # nothing beyond the sections above, said plainly
            assert "<img " in section or "Data gap" in section, (result["html"], heading)


def test_images_have_alt_text_and_no_small_counts_are_shown(site_run):
    outputs, _ = site_run
    for result, page in _pages(outputs):
        for img in re.findall(r"<img [^>]*>", page):
            assert re.search(r'alt="[^"]{20,}"', img), result
        # hot-spot tables never list a neighbourhood with 1 to 4 crimes
        for table in re.findall(r"<table.*?</table>", page, re.S):
            if "Neighbourhoods with most" in table:
                counts = re.findall(r"</th><td>([^<]*)</td>", table)  # first column: the count
                assert all(int(c.replace(",", "")) >= 5 for c in counts), result


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_county_reports_state_gaps(site_run, notebook):
    outputs, _ = site_run
    page = (outputs / "leicestershire" / f"{notebook}.html").read_text()
    assert "police.uk months 2022-11, 2022-12" in page


def test_domestic_report_spells_out_the_cse_gap(site_run):
    outputs, _ = site_run
    page = (outputs / "charnwood" / "domestic_sexual_violence.html").read_text()
    assert "child sexual exploitation" in page.lower()
    assert "Domestic abuse incidents and crimes" in page


def test_notebooks_are_in_run_params():
    text = (ROOT / "params" / "run.yaml").read_text()
    for notebook in NOTEBOOKS:
        assert f"- {notebook}" in text


def test_no_doubled_brackets_in_captions(site_run):
    """Units that are already a bracketed note must not be bracketed again."""
    outputs, _ = site_run
    for result, page in _pages(outputs):
        for caption in re.findall(r"<caption>(.*?)</caption>", page, re.S):
            assert "((" not in caption, (result["html"], caption)
