"""The landing page: every area and priority, any report that failed and why, and the county
overview's tartan rug."""

from __future__ import annotations

import html
from pathlib import Path

from helpers.build import store
from helpers.core import files
from helpers.core.provenance import PRIORITY_TITLES, code_version, run_time
from helpers.site.worker import ReportResult


def write_index(
    out: Path, results: list[ReportResult], notebooks: list[str], areas: list[str]
) -> None:
    """The landing page: the assessment's own page when every area belongs to one assessment,
    else the national page, grouped by region with a search box (helpers.site.national_index)."""
    owners = {store.report_assessment(a) for a in areas}
    store.use_assessment(next(iter(owners)) if len(owners) == 1 else None)
    try:
        if len(owners) > 1:
            _write_national(out, results, notebooks, areas)
        else:
            _write_assessment(out, results, notebooks, areas)
    finally:
        store.use_assessment(None)


def _write_assessment(
    out: Path, results: list[ReportResult], notebooks: list[str], areas: list[str]
) -> None:
    from helpers.report import html_tables
    from helpers.site import pages as site

    by_key = {(r.area_code, r.notebook): r for r in results}
    head = "".join(
        f'<th scope="col">{html.escape(PRIORITY_TITLES.get(n, n))}</th>' for n in notebooks
    )
    rows = []
    for area in areas:
        cells = []
        for nb in notebooks:
            r = by_key[(area, nb)]
            label = html.escape(PRIORITY_TITLES.get(nb, nb))
            if r.status == "failed":
                cells.append(
                    f'<td class="failed"><span class="status-failed">Failed</span>: '
                    f'<a href="{html.escape(r.html)}">{label}: what went wrong</a>'
                    f"<br><small>{html.escape(r.error or '')}</small></td>"
                )
            else:
                cells.append(f'<td><a href="{html.escape(r.html)}">{label}</a></td>')
        rows.append(
            f'<tr><th scope="row">{html.escape(store.area_name(area))}</th>{"".join(cells)}</tr>'
        )
    failed = [r for r in results if r.status == "failed"]
    summary = (
        f'<p class="status-failed">{len(failed)} report(s) failed; they are marked '
        "below. The other reports are complete.</p>"
        if failed
        else f"<p>All {len(results)} reports are up to date.</p>"
    )
    when = run_time()
    body = (
        "<h1>Community safety and health needs assessment</h1>"
        f"<p>{html.escape(_coverage())}: substance misuse (drugs and alcohol), mental "
        "health, domestic and sexual violence, and an overview. Choose an area and a priority."
        f"</p><p>Last run: {when:%d %B %Y, %H:%M} UTC.</p>{summary}"
        '<h2 id="reports">Reports</h2>'
        + html_tables.scrollable(
            '<table class="data text grid"><caption>Reports by area and priority</caption>'
            f'<thead><tr><th scope="col">Area</th>{head}</tr></thead><tbody>{"".join(rows)}'
            "</tbody></table>",
            "Reports by area and priority",
        )
        + since_last_section(out, areas)
        + rug_section()
        + '<h2 id="compendium">Data compendium</h2><p>Every indicator, with its definition, '
        'source, caveats and where it exists: <a href="compendium.html">the data compendium'
        "</a>.</p>"
    )
    toc = [
        {"id": "reports", "text": "Reports"},
        {"id": "since-last", "text": "Since the last edition"},
        {"id": "overview", "text": f"Across {across_words()}"},
        {"id": "compendium", "text": "Data compendium"},
    ]
    info = store.build_info()
    page = site.render_page(
        title=f"{store.assessment_title()}: reports",
        body=body,
        toc=toc,
        subtitle=f"Reports run {when:%d %B %Y}",
        provenance=[
            ("Code version", code_version()),
            ("Data snapshot", info["data_snapshot"]),
            ("Run time", f"{when:%Y-%m-%d %H:%M} UTC"),
        ],
        home="index.html",
    )
    _write(out, page)


def _write(out: Path, page: str) -> None:
    # the rug's cells, like a report's, for the audit (written first: the page links nothing)
    import pandas as pd

    from helpers.report import ledger

    figures = pd.DataFrame(ledger.drain(), columns=ledger.COLUMNS)
    files.write_text(out / "index.figures.csv", figures.to_csv(index=False))
    files.write_text(out / "index.html", page)


def _write_national(
    out: Path, results: list[ReportResult], notebooks: list[str], areas: list[str]
) -> None:
    from helpers.site import national_index
    from helpers.site import pages as site

    failed = [r for r in results if r.status == "failed"]
    summary = (
        f'<p class="status-failed">{len(failed)} report(s) failed; they are marked '
        "below. The other reports are complete.</p>"
        if failed
        else f"<p>All {len(results):,} reports are up to date.</p>"
    )
    when = run_time()
    england = store.area_name(store.selection().england)
    body = (
        "<h1>Community safety and health needs assessment</h1>"
        f"<p>{html.escape(national_index.coverage(areas))}. Each is reported within its own "
        "county's or unitary authority's assessment, on substance misuse (drugs and alcohol), "
        "mental health, domestic and sexual violence, and an overview. Find an area and choose a "
        f"priority.</p><p>Last run: {when:%d %B %Y, %H:%M} UTC.</p>{summary}"
        '<h2 id="reports">Reports by region</h2>'
        + national_index.reports_html(results, notebooks, areas)
        + since_last_section(out, areas)
        + '<h2 id="compendium">Data compendium</h2><p>Every indicator, with its definition, '
        'source, caveats and where it exists: <a href="compendium.html">the data compendium'
        "</a>.</p>"
    )
    toc = [
        {"id": "reports", "text": "Reports by region"},
        *national_index.region_toc(areas),
        {"id": "since-last", "text": "Since the last edition"},
        {"id": "compendium", "text": "Data compendium"},
    ]
    info = store.build_info()
    title = f"{england} community safety and health needs assessment"
    page = site.render_page(
        title=f"{title}: reports",
        body=body,
        toc=toc,
        subtitle=f"Reports run {when:%d %B %Y}",
        provenance=[
            ("Code version", code_version()),
            ("Data snapshot", info["data_snapshot"]),
            ("Run time", f"{when:%Y-%m-%d %H:%M} UTC"),
        ],
        home="index.html",
        site_title=title,
    )
    _write(out, page)


NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _coverage() -> str:
    """ "<county> and its seven districts", or "<unitary authority>, a unitary authority"."""
    chosen = store.selection()
    name = store.area_name(chosen.upper)
    if not chosen.districts:
        kind = store.national_areas().set_index("area_code").at[chosen.upper, "area_type"]
        return f"{name}, a {kind[0].lower() + kind[1:]}"
    n = len(chosen.districts)
    count = NUMBERS[n] if n < len(NUMBERS) else f"{n:,}"
    return f"{name} and its {count} district{'' if n == 1 else 's'}"


def across_words() -> str:
    return "the districts" if store.selection().districts else "similar areas"


def rug_section() -> str:
    """The upper-tier overview's tartan rug, so the landing page answers 'how do areas
    compare'."""
    from helpers.report import html_tables, views

    county = store.selection().upper
    across = across_words()
    ids = [
        "police_all_crime",
        "police_violence_sexual",
        "police_drugs",
        "police_asb",
        "848",
        "21001",
        "91414",
        "91382",
    ]
    table = views.rug(ids, county)
    return (
        f'<h2 id="overview">Across {across}</h2><p>The latest value of key indicators '
        "in each area; each cell says, in words and colour, how it compares.</p>"
        + html_tables.rug_html(table)
    )


def since_last_section(out: Path, areas: list[str]) -> str:
    """What changed since the last edition in each area, counted (each report lists its own),
    or that this is the first edition recorded."""
    from helpers.report import editions, html_tables, markup

    record = editions.for_reports(editions.read(editions.record_path(out)))
    heading = '<h2 id="since-last">Since the last edition</h2>'
    current = editions.label(record["current"])
    if not record.get("last"):
        return heading + str(
            markup.paragraph(
                f"This is the first edition recorded, {current}: there is no earlier edition to "
                "compare with. From the next edition on, each area's changes are counted here."
            )
        )
    found = {area: editions.changes(area, None, record) for area in areas}
    rows, first = [], []
    for area, changes in found.items():
        name = store.area_name(area)
        if changes.first:
            first.append(name)
            continue
        n = changes.counts()
        rows.append(
            f'<tr><th scope="row">{html.escape(name)}</th><td>{n["comparison changed"]}</td>'
            f"<td>{n['new period']}</td><td>{n['gap filled']}</td><td>{n['withdrawn']}</td></tr>"
        )
    caption = "Changes since the last edition, by area (all priorities)"
    text = str(
        markup.paragraph(
            f"Compared with the last edition, {editions.label(record['last'])}. This edition: "
            f"{current}. Each report lists its changes under “Since the last edition”."
        )
    )
    table = (
        html_tables.scrollable(
            f'<table class="data text grid"><caption>{html.escape(caption)}</caption><thead><tr>'
            '<th scope="col">Area</th><th scope="col">Comparison changed</th>'
            '<th scope="col">New periods or indicators</th><th scope="col">Gaps filled</th>'
            '<th scope="col">No longer published</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>",
            caption,
        )
        if rows
        else ""
    )
    if first:
        text += str(
            markup.paragraph(
                f"No earlier edition was recorded for {', '.join(first)}: this is the first "
                "edition for it."
                if len(first) == 1
                else f"No earlier edition was recorded for {', '.join(first)}: this is the "
                "first edition for them."
            )
        )
    return heading + text + table
