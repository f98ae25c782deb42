"""The data compendium for partners: outputs/compendium.html (searchable, sortable, with an
availability matrix), compendium.csv and compendium.xlsx. Built from the compendium and the
store, so it always says what the reports actually hold."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from helpers.build import store
from helpers.core import files
from helpers.report import html_tables
from helpers.stats import disclosure, secondary

LEVELS = {
    "District": "District",
    "County": "County",
    "Police force area": "Police force area",
    "Country": "England",
}
TICK, GAP = "✓ available", "✗ gap"
SORT_SCRIPT = """
<script>
// Small inline search and sort for the compendium table; no external code.
(function () {
  var table = document.getElementById('compendium');
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  document.getElementById('search').addEventListener('input', function (e) {
    var q = e.target.value.toLowerCase();
    rows.forEach(function (r) { r.hidden = r.textContent.toLowerCase().indexOf(q) < 0; });
  });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    var button = th.querySelector('button');
    button.addEventListener('click', function () {
      var up = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) {
        c.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', up ? 'ascending' : 'descending');
      rows.sort(function (a, b) {
        var x = a.cells[i].textContent, y = b.cells[i].textContent;
        return (up ? 1 : -1) * x.localeCompare(y, undefined, {numeric: true});
      });
      rows.forEach(function (r) { table.tBodies[0].appendChild(r); });
    });
  });
})();
</script>
"""


def compendium_table() -> pd.DataFrame:
    """One row per indicator: metadata, where it exists, and its latest period."""
    entries = store.load("compendium")
    values = store.load("indicator_values")
    with_values = values[values["value"].notna()]
    rows = []
    for e in entries.itertuples():
        data = with_values[with_values["indicator_id"] == e.id]
        types = set(data["area_type"].dropna())
        row = {
            "id": e.id,
            "name": e.name,
            "priority": e.priority.replace("_", " "),
            "definition": e.definition,
            "unit": e.unit,
            "value_type": e.value_type,
            "polarity": e.polarity.replace("_", " "),
            "source": e.source_kind.replace("_", " "),
            "source_detail": e.source_detail,
            "periods": (f"{min(data['period'])} to {max(data['period'])}" if len(data) else "none"),
            "latest_period": max(data["period"]) if len(data) else "none",
            "caveats": e.caveats,
            "publisher": e.publisher,
            "dataset": e.dataset,
            "link": e.link,
            "frequency": e.frequency,
            "benchmark": e.benchmark,
            "confidence_limits": e.ci_method_words,
            "disclosure": f"{e.disclosure}. {secondary.RULE}" if e.disclosure else "",
        }
        for area_type, level in LEVELS.items():
            row[level] = TICK if area_type in types else GAP
        rows.append(row)
    for g in store.load("gaps").itertuples():
        row = {
            "id": g.id,
            "name": g.name,
            "priority": g.priority.replace("_", " "),
            "definition": "Not in this snapshot: a data gap.",
            "unit": "",
            "value_type": "gap",
            "polarity": "",
            "source": "gap",
            "source_detail": g.could_come_from,
            "periods": "none",
            "latest_period": "none",
            "caveats": f"Available: {g.available_at}. 2017 item(s): {g.baseline_2017 or '-'}.",
            "disclosure": "",
        }
        for level in LEVELS.values():
            row[level] = GAP
        rows.append(row)
    return pd.DataFrame(rows)


def export_files(out: Path, table: pd.DataFrame) -> None:
    """compendium.csv and .xlsx, after disclosure control's last check: a table that would
    publish a count of 1 to 4, or a figure on a suppressed row, is refused."""
    disclosure.check_no_small_counts(table)
    _replace(out / "compendium.csv", lambda p: table.to_csv(p, index=False))
    _replace(
        out / "compendium.xlsx", lambda p: table.to_excel(p, index=False, sheet_name="compendium")
    )


def write(out: Path) -> None:
    """compendium.html, .csv and .xlsx in `out` (written to temporary names, then renamed)."""
    from helpers.site import pages as site

    table = compendium_table()
    export_files(out, table)
    columns = ["name", "priority", "definition", "unit", "publisher", "latest_period", "caveats"]
    head = "".join(
        f'<th scope="col"><button type="button">{html.escape(c.replace("_", " ").capitalize())}'
        "</button></th>"
        for c in columns
    )
    body_rows = "".join(
        "<tr>"
        + "".join(
            (
                f'<th scope="row">{html.escape(str(r[c]))}<br><small>{html.escape(r["id"])}</small>'
                "</th>"
            )
            if c == "name"
            else f"<td>{html.escape(str(r[c]))}</td>"
            for c in columns
        )
        + "</tr>"
        for _, r in table.iterrows()
    )
    matrix = table.set_index("name")[list(LEVELS.values())]
    matrix.index.name = "Indicator"
    body = (
        "<h1>Data compendium</h1><p>Every indicator in the needs assessment: what it measures, "
        "where it comes from, its caveats, and the geographies at which it exists. Gaps (data the "
        "2017 assessment or partners need that is not openly available) are listed too, with "
        "where the data could come from. Download: "
        '<a href="compendium.csv">compendium.csv</a> · '
        '<a href="compendium.xlsx">compendium.xlsx</a>.</p>'
        '<h2 id="indicators">Indicators</h2>'
        '<p><label for="search">Search the compendium: </label>'
        '<input id="search" type="search" placeholder="e.g. alcohol, district, police"></p>'
        + html_tables.scrollable(
            f'<table class="data text" id="compendium"><caption>Indicators and gaps (select a '
            f"column heading to sort)</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body_rows}</tbody></table>",
            "Indicators and gaps",
        )
        + '<h2 id="availability">Where each indicator exists</h2>'
        + html_tables.html_table(matrix, caption="Availability by geography: available or gap")
        + '<h2 id="disclosure">Disclosure control</h2>'
        + f"<p>{html.escape(disclosure.NOTE)}</p><p>{html.escape(secondary.RULE)}</p>"
        + SORT_SCRIPT
    )
    toc = [
        {"id": "indicators", "text": "Indicators"},
        {"id": "availability", "text": "Where each indicator exists"},
        {"id": "disclosure", "text": "Disclosure control"},
    ]
    page = site.render_page(
        title="Data compendium",
        body=body,
        toc=toc,
        home="index.html",
        subtitle="Indicators, sources, caveats and availability",
    )
    _replace(out / "compendium.html", lambda p: p.write_text(page, encoding="utf-8"))


def _replace(target: Path, writer) -> None:
    with files.atomic_path(target) as tmp:
        writer(tmp)
