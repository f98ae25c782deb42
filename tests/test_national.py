"""The national batch (issue 16): `--areas england` selects every English county, district and
unitary authority; each area is reported within its own county's or unitary authority's
assessment; the landing page groups them by region with a search box that works offline, at
the full national size, in a real browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import chromium

from helpers.build import store
from helpers.core.errors import ParamsError
from helpers.site import national_index, run, worker

DEVON, EAST_DEVON, HARTLEPOOL, CHARNWOOD = "E10000008", "E07000040", "E06000001", "E07000130"


@pytest.fixture
def national_store(full_store: Path, monkeypatch, tmp_path):
    monkeypatch.setenv("NEEDS_PROCESSED_DIR", str(full_store))
    monkeypatch.setenv("NEEDS_OUTPUTS_DIR", str(tmp_path / "outputs"))
    monkeypatch.setenv("NEEDS_RUN_TIME", "2026-12-01T09:00:00+00:00")
    store.clear()
    yield tmp_path / "outputs"
    store.clear()


def test_england_selects_every_current_area_county_before_its_districts(national_store):
    areas, notebooks = run.resolve(["england"], ["overview"])
    table = store.national_areas().set_index("area_code")
    reportable = table[table["tier"].isin(["upper", "lower", "single"])]
    assert sorted(areas) == sorted(reportable.index) and len(areas) > 300
    assert len(set(areas)) == len(areas)
    for i, code in enumerate(areas):
        if table.at[code, "tier"] == "lower":  # after its county, or after a sister district
            before = areas[i - 1]
            assert before == table.at[code, "county_code"] or (
                table.at[before, "county_code"] == table.at[code, "county_code"]
            )
    # region by region: a region's areas are contiguous
    regions = [table.at[c, "region_code"] for c in areas]
    runs = [r for i, r in enumerate(regions) if i == 0 or regions[i - 1] != r]
    assert len(runs) == len(set(regions)) == 9
    assert notebooks == ["overview"]


def test_another_countys_area_is_reported_within_its_own_assessment(national_store):
    assert store.report_assessment(CHARNWOOD) is None  # params/areas.yaml's own
    assert store.report_assessment(EAST_DEVON) == DEVON
    assert store.report_assessment(DEVON) == DEVON
    assert store.report_assessment(HARTLEPOOL) == HARTLEPOOL
    store.use_assessment(DEVON)
    assert store.selection().upper == DEVON
    assert EAST_DEVON in store.selection().districts
    assert store.check_area(EAST_DEVON) == EAST_DEVON
    with pytest.raises(ParamsError, match="unknown area_code 'E07000130'"):
        store.check_area(CHARNWOOD)  # not Devon's
    store.use_assessment(None)
    assert store.check_area(CHARNWOOD) == CHARNWOOD


@pytest.mark.parametrize("bad", [EAST_DEVON, "E12000004", "E99999999"])
def test_an_assessment_must_be_a_county_or_unitary(national_store, bad):
    with pytest.raises(ParamsError) as err:
        store.use_assessment(bad)
    assert "needs areas" in err.value.fix
    assert store.selection().upper == "E10000018"  # unchanged


def test_unknown_areas_and_bad_run_yaml_areas_say_what_to_write(national_store, tmp_path):
    with pytest.raises(ParamsError) as err:
        run.resolve(["E07000999"], None)
    assert "E07000999" in str(err.value) and "'england'" in err.value.fix
    with pytest.raises(ParamsError) as err:
        run.resolve(["E12000004"], None)  # a region: not a report area
    assert "E12000004" in str(err.value)
    with pytest.raises(ParamsError) as err:
        run._listed({"england": True})
    assert "run.yaml" in str(err.value.path) and "areas: england" in err.value.fix
    assert run._listed("england") == ["england"]


def test_a_batch_of_three_assessments_runs_and_indexes_by_region(national_store):
    outputs = national_store
    status = run.run(areas=[EAST_DEVON, HARTLEPOOL, CHARNWOOD], notebooks=["overview"])
    assert status == 0
    results = json.loads((outputs / "run.json").read_text())
    assert results["audit"]["passed"]
    east_devon = (outputs / "east-devon" / "overview.html").read_text()
    # the report and the site header name East Devon's assessment, not params/areas.yaml's
    assert "Devon community safety and health needs assessment" in east_devon
    assert "Leicestershire" not in re.sub(r"<img [^>]*>", "", east_devon)
    executed = json.loads((outputs / "east-devon" / "overview.ipynb").read_text())
    injected = [
        c for c in executed["cells"] if "injected-parameters" in c["metadata"].get("tags", [])
    ]
    assert f'assessment = "{DEVON}"' in "".join(injected[0]["source"])
    charnwood = (outputs / "charnwood" / "overview.html").read_text()
    assert "Leicestershire community safety and health needs assessment" in charnwood
    index = (outputs / "index.html").read_text()
    assert 'id="area-search"' in index
    assert index.index("North East") < index.index("East Midlands") < index.index("South West")
    assert "England community safety and health needs assessment" in index
    assert "district of Devon" in index
    # after the run the process is back on params/areas.yaml's assessment
    assert store.selection().upper == "E10000018"

    # nothing changed: every report cached, the index and audit kept, not redone
    written = (outputs / "index.html").stat().st_mtime_ns
    assert run.run(areas=[EAST_DEVON, HARTLEPOOL, CHARNWOOD], notebooks=["overview"]) == 0
    again = json.loads((outputs / "run.json").read_text())
    assert {r["status"] for r in again["reports"]} == {"cached"}
    assert again["audit"] == results["audit"] and again["batch"] == results["batch"]
    assert (outputs / "index.html").stat().st_mtime_ns == written
    # one report fewer is another batch: the index is written again
    assert run.run(areas=[EAST_DEVON, HARTLEPOOL], notebooks=["overview"]) == 0
    assert (outputs / "index.html").stat().st_mtime_ns != written
    assert "Charnwood" not in (outputs / "index.html").read_text()


def _all_england_results(notebooks: list[str]) -> tuple[list[str], list[worker.ReportResult]]:
    """Every English area's run results (statuses and page paths only, no figures), one
    failed, as the index would get them from a national batch."""
    areas = store.england_areas()
    results = [
        worker.ReportResult(a, nb, "ok", f"{worker.slug(store.area_name(a))}/{nb}.html", 1.0)
        for a in areas
        for nb in notebooks
    ]
    results[5] = worker.ReportResult(
        results[5].area_code,
        results[5].notebook,
        "failed",
        "x/overview.error.html",
        1.0,
        "<b>boom</b>",
    )
    return areas, results


def test_the_national_index_escapes_and_counts_every_area(national_store):
    notebooks = ["overview", "mental_health"]
    areas, results = _all_england_results(notebooks)
    body = national_index.reports_html(results, notebooks, areas)
    assert body.count("<tr data-search=") == len(areas)
    assert body.count('<section class="region"') == 9
    assert "&lt;b&gt;boom&lt;/b&gt;" in body and "<b>boom" not in body
    assert national_index.coverage(areas).startswith(f"{len(areas)} areas of England: ")


def _axe(page) -> list:
    """WCAG 2.1 AA violations on the page, by axe-core (as tests/test_browser.py checks)."""
    from axe_playwright_python.sync_playwright import Axe

    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    return (
        Axe().run(page, options={"runOnly": {"type": "tag", "values": tags}}).response["violations"]
    )


@pytest.mark.skipif(chromium() is None, reason="needs Debian's chromium")
def test_the_national_index_search_works_offline_in_a_browser(national_store):
    from playwright.sync_api import sync_playwright

    from helpers.site import index_page

    outputs = national_store
    outputs.mkdir(parents=True)
    notebooks = run.available_notebooks()
    areas, results = _all_england_results(notebooks)
    index_page.write_index(outputs, results, notebooks, areas)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        outside = []
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(("file://", "data:"))
                else (outside.append(route.request.url), route.abort())
            ),
        )
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((outputs / "index.html").as_uri())
        visible = "tr[data-search]:not([hidden])"
        assert page.locator(visible).count() == len(areas)
        page.fill("#area-search", "devon")
        shown = page.eval_on_selector_all(visible, "rows => rows.map(r => r.dataset.search)")
        names = {store.area_name(c) for c in areas}
        assert shown and all("devon" in s for s in shown)
        assert any(s.startswith("east devon ") for s in shown)
        assert "areas match" in page.inner_text("#search-count")
        assert page.locator("section.region:not([hidden])").count() == 1  # South West only
        page.fill("#area-search", EAST_DEVON.lower())
        assert page.locator(visible).count() == 1
        page.fill("#area-search", "no such place")
        assert page.locator(visible).count() == 0
        assert page.locator("section.region:not([hidden])").count() == 0
        page.fill("#area-search", "")
        assert page.locator(visible).count() == len(names)
        violations = _axe(page)
        browser.close()
    assert not violations, [v["id"] for v in violations]
    assert not errors and not outside
