"""The site in a real browser (Debian's chromium driven by Playwright): pages open without
console errors, every index link resolves, nothing is requested from outside file://, and
axe-core finds no WCAG 2.1 AA violation. Screenshots go to build/screenshots/ for review."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, chromium

SHOTS = ROOT / "build" / "screenshots"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def browser():
    """Chromium as conftest found it; without one the session stopped at collection."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def _open(browser, path: Path):
    """Open a page; record console errors and every request that is not file://."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, outside = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def guard(route):
        if route.request.url.startswith("file://") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(path.as_uri(), wait_until="load")
    return page, errors, outside


def _axe(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return results.response["violations"]


def _pages(outputs: Path) -> list[Path]:
    notebooks = ["overview", "substance_misuse", "mental_health", "domestic_sexual_violence"]
    areas = ["leicestershire", "charnwood", "melton", "leicestershire", "oadby-and-wigston"]
    return [outputs / "index.html"] + [
        outputs / a / f"{n}.html" for a, n in zip(areas, notebooks, strict=False)
    ]


def test_pages_open_cleanly_offline_and_accessibly(site_run, browser):
    outputs, _ = site_run
    SHOTS.mkdir(parents=True, exist_ok=True)
    for path in _pages(outputs):
        page, errors, outside = _open(browser, path)
        assert not errors, (path, errors)
        assert not outside, (path, outside)
        violations = _axe(page)
        assert not violations, (path, [(v["id"], v["help"], len(v["nodes"])) for v in violations])
        name = f"{path.parent.name}-{path.stem}.png" if path.parent != outputs else "index.png"
        page.screenshot(path=str(SHOTS / name))
        page.close()


def test_every_index_link_resolves(site_run, browser):
    outputs, _ = site_run
    page, errors, outside = _open(browser, outputs / "index.html")
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    page.close()
    assert len(hrefs) >= 33
    for href in hrefs:
        target = href.split("#")[0]
        assert target.startswith("file://"), href
        assert Path(target[len("file://") :]).exists(), href
