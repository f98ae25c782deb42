"""The landing page of a batch that spans several assessments (`needs run --areas england`):
every area grouped by region, then by county with its districts beside the unitary
authorities, and a search box that filters the rows as you type, with no network needed."""

from __future__ import annotations

import html
import re
from collections import Counter

from helpers.build import store
from helpers.core.provenance import PRIORITY_TITLES
from helpers.site.worker import ReportResult

# Filters rows by the words typed (every word must appear in the area's name, code, county or
# region); hides a region with no row left, and says how many areas match. Inline: the page
# is opened from a folder or a file share as often as from a web server.
SEARCH_SCRIPT = """<script>
(function () {
  var box = document.getElementById("area-search");
  var count = document.getElementById("search-count");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-search]"));
  var regions = Array.prototype.slice.call(document.querySelectorAll("section.region"));
  function filter() {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search");
      var hit = words.every(function (w) { return text.indexOf(w) !== -1; });
      row.hidden = !hit;
      if (hit) { shown += 1; }
    });
    regions.forEach(function (region) {
      region.hidden = !region.querySelector("tr[data-search]:not([hidden])");
    });
    count.textContent = words.length
      ? shown + (shown === 1 ? " area matches." : " areas match.")
      : "";
  }
  box.addEventListener("input", filter);
  filter();
})();
</script>"""


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def groups(areas: list[str]) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """[(region code, [(area code, its county's code for a district, else None)])], regions
    and areas in store.england_areas() order, so a county comes just before its districts."""
    table = store.national_areas().set_index("area_code")
    wanted = set(areas)
    found: dict[str, list[tuple[str, str | None]]] = {}
    for code in [c for c in store.england_areas() if c in wanted]:
        row = table.loc[code]
        county = str(row["county_code"]) if row["tier"] == "lower" else None
        found.setdefault(str(row["region_code"]), []).append((code, county))
    return list(found.items())


KINDS = (  # area_type, one, many: in the order the page lists them
    ("County", "county", "counties"),
    ("District", "district", "districts"),
    ("Unitary authority", "unitary authority", "unitary authorities"),
    ("Metropolitan district", "metropolitan district", "metropolitan districts"),
    ("London borough", "London borough", "London boroughs"),
)


def coverage(areas: list[str]) -> str:
    """ "317 areas of England: 21 counties, 164 districts, 63 unitary authorities, ..." (the
    kinds present, counted)."""
    kinds = Counter(store.national_areas().set_index("area_code").loc[areas, "area_type"])
    parts = [
        f"{kinds[kind]:,} {one if kinds[kind] == 1 else many}"
        for kind, one, many in KINDS
        if kinds[kind]
    ]
    listed = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else parts[0]
    return f"{len(areas):,} area{'' if len(areas) == 1 else 's'} of England: {listed}"


def reports_html(results: list[ReportResult], notebooks: list[str], areas: list[str]) -> str:
    """The search box and one table per region: each area's reports, a failed one marked with
    its error."""
    by_key = {(r.area_code, r.notebook): r for r in results}
    names = store.national_areas().set_index("area_code")["area_name"].to_dict()
    head = "".join(
        f'<th scope="col">{html.escape(PRIORITY_TITLES.get(n, n))}</th>' for n in notebooks
    )
    sections = []
    for region, members in groups(areas):
        rows = []
        for code, county in members:
            name = names[code]
            within = f"district of {names[county]}" if county else ""
            words = " ".join([name, code, names.get(county, "") if county else "", names[region]])
            cells = "".join(_cell(by_key[(code, nb)], nb) for nb in notebooks)
            label = html.escape(name) + (
                f' <small class="district-of">{html.escape(within)}</small>' if within else ""
            )
            rows.append(
                f'<tr data-search="{html.escape(words.lower())}"'
                f"{' class=district' if county else ''}>"
                f'<th scope="row">{label}</th>{cells}</tr>'
            )
        caption = f"Reports in {names[region]}, by area and priority"
        sections.append(
            f'<section class="region" id="region-{slug(names[region])}">'
            f"<h3>{html.escape(names[region])}</h3>"
            f'<table class="data text grid national"><caption>{html.escape(caption)}'
            f'</caption><thead><tr><th scope="col">Area</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></section>"
        )
    search = (
        '<div class="area-search"><label for="area-search">Find an area</label> '
        '<input type="search" id="area-search" autocomplete="off" '
        'placeholder="Name, code, county or region">'
        '<p id="search-count" aria-live="polite"></p></div>'
    )
    return search + "".join(sections) + SEARCH_SCRIPT


def _cell(r: ReportResult, nb: str) -> str:
    label = html.escape(PRIORITY_TITLES.get(nb, nb))
    if r.status == "failed":
        return (
            f'<td class="failed"><span class="status-failed">Failed</span>: '
            f'<a href="{html.escape(r.html)}">{label}: what went wrong</a>'
            f"<br><small>{html.escape(r.error or '')}</small></td>"
        )
    return f'<td><a href="{html.escape(r.html)}">{label}</a></td>'


def region_toc(areas: list[str]) -> list[dict]:
    names = store.national_areas().set_index("area_code")["area_name"]
    return [
        {"id": f"region-{slug(names[region])}", "text": str(names[region])}
        for region, _ in groups(areas)
    ]
