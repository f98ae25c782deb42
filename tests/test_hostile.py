"""A hostile partner: markup in every text field of a partner file and of the compendium, and
the issue's differencing attack (Melton 3, the six other districts and the county all given).

The batch is built and run for real (build, papermill, nbconvert), then opened in chromium:
no element or attribute on any page may come from the hostile strings, no script from them
may run, and their text must still be there, shown as text. The audit must pass, and the
county and Melton reports must hide the same cells."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
import yaml
from conftest import FULL_RAW, ROOT, chromium, golden_snapshot

from helpers.build import pipeline as build
from helpers.build import store
from helpers.core.errors import DataError
from helpers.report import ledger
from helpers.site import run

MELTON, COUNTY = "E07000133", "E10000018"
IDENT = "partner_domestic_abuse_crimes"


def hostile(tag: str) -> str:
    """Markup of every kind a renderer might act on, marked with `tag` to trace it."""
    return (
        f"<script>window.__xss='{tag}'</script>"
        f'<img src="x" onerror="window.__xss=\'{tag}\'">'
        f"<b>bold-{tag}</b> **md-{tag}** [link-{tag}](javascript:window.__xss='{tag}') "
        f'https://{tag}.example/ & "quoted" {{{{ jinja-{tag} }}}} '
        r"$\frac{a}{$ 100% \n"
    )


# Example counts for tests only (never shipped): Melton's 3 is the small count, and the
# county is the sum of its seven districts, so county minus the other six gives it back.
COUNTS = {
    "E07000129": 812,
    "E07000130": 1650,
    "E07000131": 640,
    "E07000132": 901,
    MELTON: 3,
    "E07000134": 1020,
    "E07000135": 570,
}


def _partner_file(folder):
    rows = [(code, n) for code, n in COUNTS.items()] + [(COUNTY, sum(COUNTS.values()))]
    frame = pd.DataFrame(
        {
            "indicator_id": IDENT,
            "area_code": [c for c, _ in rows],
            "period": "2024",
            "count": [n for _, n in rows],
            "denominator": "population",
            "source": [f"EXAMPLE FOR TESTS ONLY {hostile('source')}"] * len(rows),
            "notes": [hostile("notes")] * len(rows),
        }
    )
    folder.mkdir()
    frame.to_csv(folder / "hostile.csv", index=False)


def _compendium(path):
    data = yaml.safe_load((ROOT / "data" / "compendium.yaml").read_text())
    for entry in data["indicators"]:
        if entry["id"] == IDENT:
            for field in ("name", "measure", "definition", "unit", "publisher", "dataset",
                          "link", "frequency", "benchmark", "disclosure", "caveats"):  # fmt: skip
                entry[field] = f"{field} {hostile(field)}"
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _links(params):
    """The crime-health links' words (params/links.yaml), every one hostile."""
    shutil.copytree(ROOT / "params", params)
    data = yaml.safe_load((params / "links.yaml").read_text())
    pair = data["pairs"][0]
    pair["question"] = f"question {hostile('question')}"
    pair["x"]["more"] = f"more {hostile('more')}"
    pair["y"]["more"] = pair["y"]["less"] = f"ymore {hostile('ymore')}"
    data["cannot_answer"][0] |= {"why": hostile("why"), "would_answer": hostile("would")}
    (params / "links.yaml").write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    _partner_file(base / "partner")
    _compendium(base / "compendium.yaml")
    _links(base / "params")
    processed, outputs = base / "processed", base / "outputs"
    build.build(
        FULL_RAW,
        processed,
        force=True,
        params=base / "params",
        compendium_file=base / "compendium.yaml",
        partner=base / "partner",
    )
    patch = pytest.MonkeyPatch()
    patch.setenv("NEEDS_PROCESSED_DIR", str(processed))
    patch.setenv("NEEDS_OUTPUTS_DIR", str(outputs))
    patch.setenv("NEEDS_RUN_TIME", golden_snapshot.RUN_TIME)
    store.clear()
    status = run.run(
        areas=[COUNTY, MELTON], notebooks=["domestic_sexual_violence", "overview"], force=True
    )
    yield outputs, status, processed
    patch.undo()
    store.clear()


def test_the_batch_runs_and_the_audit_passes(hostile_run):
    outputs, status, _ = hostile_run
    summary = json.loads((outputs / "run.json").read_text())
    assert [r["status"] for r in summary["reports"]] == ["ok"] * 4
    assert summary["audit"]["passed"], summary["audit"]["first_findings"]
    assert status == 0


def test_melton_is_hidden_with_a_complement_in_both_reports(hostile_run):
    outputs, _, processed = hostile_run
    values = pd.read_parquet(processed / "indicator_values.parquet")
    mine = values[values["indicator_id"] == IDENT].set_index("area_code")
    hidden = set(mine.index[mine["suppressed"]])
    assert MELTON in hidden and len(hidden) >= 2  # never Melton alone
    assert "E07000135" in hidden  # the next smallest district (570)
    for area in ("leicestershire", "melton"):
        cells = pd.read_csv(outputs / area / "domestic_sexual_violence.figures.csv", dtype=str)
        cells = cells[cells["indicator_id"] == IDENT]
        shown_hidden = set(cells.loc[cells["hidden"] == "True", "area_code"])
        assert shown_hidden == hidden & set(cells["area_code"]), area
        assert not cells.loc[cells["hidden"] == "True", "count"].notna().any()
    assert list(ledger.COLUMNS) == list(cells.columns)


def _pages(outputs):
    return [
        outputs / "index.html",
        outputs / "compendium.html",
        outputs / "melton" / "domestic_sexual_violence.html",
        outputs / "leicestershire" / "domestic_sexual_violence.html",
        outputs / "melton" / "overview.html",
    ]


INSPECT = """() => {
  const tags = ['source', 'notes', 'name', 'definition', 'caveats', 'unit', 'measure',
                'publisher', 'dataset', 'link', 'frequency', 'benchmark', 'disclosure',
                'question', 'more', 'ymore', 'why', 'would'];
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) found.push(el.tagName + ' ' + a.name);
      if (tags.some(t => a.value.includes(t + '.example') || a.value.includes('window.__xss')))
        // text attributes carry the words as text (the engine escaped them); others must not
        if (!['alt', 'aria-label', 'title'].includes(a.name)) found.push(el.tagName + ' ' + a.name);
    }
    if (['SCRIPT', 'B'].includes(el.tagName) && el.textContent.includes('__xss'))
      found.push(el.tagName);
    if (el.tagName === 'B' && /bold-/.test(el.textContent)) found.push('B');
    if (el.tagName === 'A' && /^javascript:/i.test(el.getAttribute('href') || ''))
      found.push('A javascript');
  }
  return {found: found, xss: window.__xss === undefined ? null : window.__xss,
          text: document.body.innerText};
}"""


def test_no_hostile_string_becomes_markup_in_the_browser(hostile_run):
    from playwright.sync_api import sync_playwright

    outputs, _, _ = hostile_run
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        dialogs = []
        for path in _pages(outputs):
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(path.as_uri(), wait_until="load")
            result = page.evaluate(INSPECT)
            assert result["found"] == [], (path.name, result["found"])
            assert result["xss"] is None, (path.name, result["xss"])
            page.close()
        browser.close()
    assert dialogs == []


def test_the_hostile_text_is_still_shown_as_text(hostile_run):
    from bs4 import BeautifulSoup

    outputs, _, _ = hostile_run
    for path in _pages(outputs):
        soup = BeautifulSoup(path.read_text(), "html.parser")
        assert not soup.find_all(attrs={"onerror": True}), path.name
        assert not [s for s in soup.find_all("script") if "__xss" in s.text], path.name
        assert not soup.find_all("b"), path.name
    page = BeautifulSoup(
        (outputs / "melton" / "domestic_sexual_violence.html").read_text(), "html.parser"
    )
    text = page.get_text()
    assert "<script>window.__xss='source'</script>" in text  # the partner's source, as text
    assert "<b>bold-notes</b>" in text  # and its note
    links = BeautifulSoup((outputs / "melton" / "overview.html").read_text(), "html.parser")
    text = links.get_text()
    for tag in ("question", "more", "ymore", "why", "would"):  # params/links.yaml's words
        assert f"<b>bold-{tag}</b>" in text, tag


@pytest.mark.parametrize("column", ["indicator_id", "area_code", "period", "sex", "age_band"])
def test_hostile_keys_are_refused_with_a_plain_message(tmp_path, column):
    folder = tmp_path / "partner"
    _partner_file(folder)
    frame = pd.read_csv(folder / "hostile.csv", dtype=str)
    frame.loc[0, column] = hostile(column)
    frame.to_csv(folder / "hostile.csv", index=False)
    with pytest.raises(DataError) as err:
        build.build(FULL_RAW, tmp_path / "processed", force=True, partner=folder)
    assert "hostile.csv line 2" in str(err.value) and column.split("_")[0] in str(err.value)
