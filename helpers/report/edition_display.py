"""The "since the last edition" section of every report, mixed into
helpers.report.display.Report (the comparison itself is in helpers.report.since_last, the
record in helpers.report.editions).

The section publishes words and period labels only, never a figure: a value of the last
edition beside today's could be differenced, and a comparison word is what changed. So it
records no cells in the ledger, and nothing of a suppressed row (which the record does not
hold) can reach it."""

from __future__ import annotations

from collections.abc import Mapping

from IPython.display import HTML

from helpers.build import store
from helpers.core import periods, provenance
from helpers.report import content, editions, ledger, markup, palette, since_last
from helpers.report.markup import Markup

MAX_LINES = 15
"""Lines listed per group; the rest are counted ("and 7 more")."""

GROUP_TITLES = {
    "comparison changed": "Comparison changed",
    "new period": "New periods and indicators",
    "gap filled": "Gaps filled",
    "withdrawn": "No longer published, or newly a gap",
}


class EditionSections:
    """Report methods for what changed since the last edition (self: a Report)."""

    area: str
    area_code: str
    codes: content.AreaCodes
    names: dict[str, str]
    priority: str

    def since_last_edition(self) -> None:
        """What changed for this area (and this priority; everything in the overview) since the
        last edition: comparisons, new periods, gaps filled; or that this is the first."""
        record = editions.for_reports()
        priority = None if self.priority == "overview" else self.priority
        found = editions.changes(self.area_code, priority, record)
        compendium = store.load("compendium").set_index("id")["name"].astype(str).to_dict()
        topic = "any priority" if priority is None else provenance.PRIORITY_TITLES[priority].lower()
        ledger.show(
            HTML(
                section_html(
                    found,
                    record,
                    area=self.area,
                    area_code=self.area_code,
                    topic=topic,
                    indicator_names=compendium,
                    area_names=self.names,
                    county=self.names.get(self.codes["county"], "the county"),
                )
            )
        )


def section_html(
    found: since_last.Changes,
    record: Mapping,
    *,
    area: str,
    area_code: str,
    topic: str,
    indicator_names: Mapping[str, str],
    area_names: Mapping[str, str],
    county: str,
) -> Markup:
    """The section's HTML (every piece of text from data escaped)."""
    current = record.get("current") or {}
    if found.first:
        return markup.paragraph(
            Markup(
                "This is the first edition recorded for {}: there is no earlier edition to "
                "compare with. This edition: {}. The next edition will list here what "
                "changed: comparisons with the benchmark, new periods and gaps filled."
            ).format(area, editions.label(current))
        )
    last = record.get("last") or {}
    intro = markup.paragraph(
        Markup("Compared with the last edition, {}. This edition: {}.").format(
            editions.label(last), editions.label(current)
        )
    )
    if found.rows.empty:
        return intro + markup.paragraph(
            Markup(
                "Nothing has changed for {} in {}: the same comparisons, the same latest "
                "periods and the same gaps."
            ).format(area, topic)
        )
    parts = [intro]
    for group in since_last.GROUPS:
        rows = found.of(group)
        if rows.empty:
            continue
        lines = [
            change_line(row, area_code, indicator_names, area_names, county)
            for row in rows.head(MAX_LINES).to_dict(orient="records")
        ]
        if len(rows) > MAX_LINES:
            lines.append(f"and {len(rows) - MAX_LINES} more")
        parts.append(markup.paragraph(markup.strong(GROUP_TITLES[group])))
        parts.append(markup.items(lines))
    return Markup("").join(parts)


def _compared(outcome: str, bench: str) -> str:
    word = palette.OUTCOME_WORDS.get(outcome, outcome)
    return f"{word} {'to' if outcome == 'similar' else 'than'} {bench}"


def change_line(
    row: Mapping,
    area_code: str,
    indicator_names: Mapping[str, str],
    area_names: Mapping[str, str],
    county: str,
) -> Markup:
    """One change in words, e.g. "Violence against the person: Similar to England in
    2022/23, now Worse than England (2023/24)"."""
    kind = row["kind"]
    if kind in ("declared gap filled", "gap opened"):
        name = row.get("name") or row["indicator_id"]
        if kind == "gap opened":
            return Markup("{}: now a declared data gap").format(name)
        return Markup("{}: no longer a declared data gap; it now has data").format(name)
    name = indicator_names.get(row["indicator_id"], row["indicator_id"])
    where = []
    if row.get("series"):
        where.append(row["series"])
    if row["area_code"] and row["area_code"] != area_code:  # the county's or force's figure
        where.append(area_names.get(row["area_code"], row["area_code"]))
    if where:
        name = Markup("{} ({})").format(name, ", ".join(where))
    was, now = row.get("period_before"), row.get("period_after")
    said, says = (periods.phrase(p) if p else p for p in (was, now))
    if kind == "category":
        bench = county if row.get("column") == "county_outcome" else "England"
        if was == now:  # the same period, compared again (revised figures or benchmark)
            return Markup("{}: now {} in {}; the last edition said {}").format(
                name, _compared(row["after"], bench), says, _compared(row["before"], bench)
            )
        return Markup("{}: {} in {}, now {} in {}").format(
            name, _compared(row["before"], bench), said, _compared(row["after"], bench), says
        )
    if kind == "new period":
        return Markup("{}: figures for {} added (the last edition's latest was {})").format(
            name, says, said
        )
    if kind == "new indicator":
        return Markup("{}: new in this edition (latest figures {})").format(name, says)
    if kind == "gap filled" and was == now:
        return Markup("{}: {} now has a figure (a gap in the last edition)").format(name, says)
    if kind == "gap filled":
        return Markup("{}: now has a figure ({}); the last edition had none").format(name, says)
    return Markup("{}: no figure in this edition (the last edition's latest was {})").format(
        name, said
    )
