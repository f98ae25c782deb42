"""The "what to act on first" list that opens every report, mixed into
helpers.report.display.Report (the decisions are in helpers.report.act_first)."""

from __future__ import annotations

from IPython.display import HTML

from helpers.build import store
from helpers.report import act_first, content, ledger, views


class FirstSections:
    """Report methods for the opening list (self: a helpers.report.display.Report)."""

    priority: str
    area: str
    area_code: str
    codes: content.AreaCodes
    names: dict[str, str]

    def act_on_first(self, indicator_ids: list[str] | None = None) -> None:
        """The ranked list of what is worse (and worsening) here, with the rule under it.
        Default: every compendium indicator of the report's priority (the overview: of every
        priority) that have data, in the compendium's order: each notebook shows all of its
        own, in its sections, its "More indicators" or its partner data."""
        compendium = store.load("compendium")
        if indicator_ids is None:
            present = store.indicator_ids()
            mine = compendium["priority"].eq(self.priority) | (self.priority == "overview")
            indicator_ids = [i for i in compendium.loc[mine, "id"] if i in present]
        entries = {ident: store.compendium_entry(ident) for ident in indicator_ids}
        rows, county = [], None
        for ident in indicator_ids:
            code = content.figure_area(views.availability(ident, self.area_code), self.codes)
            if code is None:  # none here, or published for each district but not the county
                continue
            column, bench_code = views.benchmark(ident, code, self.codes)
            if column == "county_outcome":
                county = self.names.get(bench_code, bench_code)
            # the figure's area and its benchmark over time, through disclosure control (and
            # so into the ledger that this display carries)
            history = views.series(ident, list(dict.fromkeys([code, bench_code])))
            row = act_first.latest_row(history, code, column, bench_code)
            if row is not None:
                rows.append(row)
        ranking = act_first.rank(rows, entries, self.names, self.priority)
        ledger.show(HTML(act_first.page(ranking, self.area, county)))
