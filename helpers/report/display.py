"""What the notebooks display: each call renders one part of a report (title, summary, an
indicator section, the rug, gaps, sources) from the store.

Report only fetches (through views, which read the store), arranges and displays. Every
decision (which area's figure, which benchmark, which areas a chart shows, the sentences and
table frames) is a pure function in helpers.report.content or helpers.report.wording.

Notebooks stay thin: `r = Report("mental_health", area_code)`, then `r.section("848")`."""

from __future__ import annotations

from IPython.display import HTML

from helpers.build import benchmarks, store
from helpers.core import periods, provenance
from helpers.core.errors import ReportError
from helpers.report import (
    act_first,
    charts,
    content,
    html_tables,
    inequality_words,
    ledger,
    markup,
    police_trend,
    views,
    wording,
)
from helpers.report.edition_display import EditionSections
from helpers.report.first_display import FirstSections
from helpers.report.markup import Markup
from helpers.report.overview_display import OverviewSections

PRIORITY_TITLES = provenance.PRIORITY_TITLES
run_time = provenance.run_time
code_version = provenance.code_version


_show = ledger.show


class Report(OverviewSections, FirstSections, EditionSections):
    """One report: a priority for an area. Remembers the indicators it showed, for the sources."""

    def __init__(self, priority: str, area_code: str, assessment: str | None = None):
        """`assessment`: the county or unitary authority whose assessment the report belongs
        to, when it is not params/areas.yaml's (a national batch); blank or None for that."""
        if priority not in PRIORITY_TITLES:
            raise ReportError(
                f"unknown priority {priority!r}",
                fix=f"use one of: {', '.join(PRIORITY_TITLES)}",
            )
        self.priority = priority
        store.use_assessment(assessment or None)  # always: a warm kernel may have another
        self.area_code = store.check_area(area_code)
        self.area = store.area_name(area_code)
        self.codes = views.area_codes(area_code)
        self.names = store.areas().set_index("area_code")["area_name"].to_dict()
        self.shown: list[str] = []
        self.sectioned: list[str] = []  # indicators with a section of their own (link targets)
        ledger.drain()  # a warm kernel keeps modules: start this report's ledger empty
        charts.apply_theme()

    # ------------------------------------------------------------------ header and summary

    def title(self) -> HTML:
        info = store.build_info()
        return HTML(
            markup.heading(f"{PRIORITY_TITLES[self.priority]}: {self.area}", 1)
            + markup.paragraph(
                Markup("{} · report date {} · data snapshot <code>{}</code>").format(
                    store.assessment_title(),
                    f"{run_time():%d %B %Y}",
                    info["data_snapshot"],
                )
            )
        )

    def summary(self, indicator_ids: list[str]) -> None:
        """Headline sentences and Better/Similar/Worse tiles, most important first."""
        self.shown.extend(indicator_ids)
        sentences, tiles = [], []
        for ident in indicator_ids:
            line = self._headline(ident)
            if line.sentence:
                sentences.append(line.sentence)
            if line.outcome is not None:
                tiles.append((line.label, line.outcome))
        _show(
            HTML(
                markup.items(sentences)
                if sentences
                else markup.paragraph("No indicator has a value here.")
            )
        )
        if tiles:
            _show(HTML(html_tables.tiles(tiles)))

    def _headline(self, ident: str) -> content.Headline:
        """The area's latest figure, or the county's, force's or districts' where only they
        are published (the choice is content.figure_area's)."""
        entry = store.compendium_entry(ident)
        avail = views.availability(ident, self.area_code)
        if avail == "district-only":
            latest = views.comparison_frame(ident, self.codes["districts"][0])
            sentence = content.districts_sentence(entry, latest, self.codes["districts"])
            return content.Headline(sentence, None, entry["name"])
        code = content.figure_area(avail, self.codes)
        if code is None:
            return content.Headline(None, None, entry["name"])
        history = views.series(ident, [code, self.codes["england"]])
        column, bench_code = views.benchmark(ident, code, self.codes)
        period = content.latest_shown_period(history)
        comparison = (
            views.comparison_frame(ident, code, period)
            if period is not None and bench_code != self.codes["england"]
            else None
        )
        return content.headline(
            entry,
            avail=avail,
            code=code,
            history=history,
            comparison=comparison,
            column=column,
            bench_code=bench_code,
            names=self.names,
        )

    # ------------------------------------------------------------------ indicator sections

    def section(self, ident: str) -> None:
        """An indicator: headline, compare-areas chart, trend, table and notes, or its gap."""
        entry = store.compendium_entry(ident)
        self.shown.append(ident)
        self.sectioned.append(ident)
        _show(HTML(Markup('<div id="{}"></div>').format(act_first.section_id(ident))))
        avail = views.availability(ident, self.area_code)
        source = self._source_line(ident, entry)
        unit = entry["unit"]
        if avail == "none":
            _show(HTML(wording.missing_words(entry, self.area, store.police_gap())))
            return
        if avail == "area":
            sentence = self._headline(ident).sentence
            why = content.own_gap_note(views.series(ident, [self.area_code]), self.area_code)
            if sentence:
                _show(HTML(markup.paragraph(sentence)))
            elif why:
                _show(HTML(wording.data_gap(why)))
            position = views.england_position(ident, self.area_code)
            placed = wording.rank_sentence(self.area, position, benchmarks.SET_WORDS)
            if placed:
                _show(HTML(markup.paragraph(placed)))
        else:
            _show(
                HTML(wording.gap_words(avail, entry["name"], self.area, store.force_description()))
            )
        focus = content.focus_areas(avail, self.codes)
        if avail == "force-only":
            latest = views.series(ident, [self.codes["force"], self.codes["england"]])
            latest = latest[latest["period"] == views.latest_period(latest["period"])]
        else:
            latest = views.comparison_frame(ident, self.area_code)
        if not latest.empty:
            judged = content.perspective(avail, self.codes)
            column, bench_code = views.benchmark(ident, judged, self.codes)
            latest = views.one_benchmark(latest, ident, column, bench_code, self.codes)
            bars, bench = content.split_benchmark(latest, bench_code)
            period = latest["period"].iloc[0]
            fig = charts.compare_bars(
                bars,
                outcome=column,
                highlight=self.area if avail == "area" else None,
                benchmark=bench["value"].iloc[0] if len(bench) else None,
                benchmark_label=self.names.get(bench_code) if len(bench) else None,
                title=f"{entry['name']}, {period}",
                xlabel=content.axis_label(unit),
                source=source,
            )
            alt = wording.bars_alt(
                entry["name"], period, bars, unit, bench, self.names.get(bench_code, bench_code)
            )
            _show(charts.show(fig, alt=alt))
        trend_codes = content.trend_areas(focus, self.codes)
        history = views.series(ident, trend_codes)
        if history["period"].nunique() > 1:
            label = content.trend_label(history, focus[0]) if focus else None
            short, xlabel = content.short_periods(history)
            fig = charts.trend(
                short,
                xlabel=xlabel,
                series="area_name",
                highlight=self.names.get(focus[0]) if focus else None,
                title=f"{entry['name']} over time",
                ylabel=content.axis_label(unit),
                source=source,
                trend_label=label,
            )
            _show(charts.show(fig, alt=wording.trend_alt(entry["name"], history, unit, label)))
        table_codes = list(dict.fromkeys([*latest["area_code"], *trend_codes]))
        table = content.values_table(
            *content.short_periods(views.series(ident, table_codes, self.codes["neighbours"])),
            entry,
        )
        _show(HTML(html_tables.html_table(table[0], caption=table[1])) if table else HTML(""))
        notes = content.section_notes(history)
        if notes:
            _show(
                HTML(
                    Markup("").join(
                        markup.paragraph(Markup("<em>Note:</em> {}").format(n)) for n in notes
                    )
                )
            )

    def _with_data(self, *, partner: bool) -> list[str]:
        present = store.indicator_ids()
        return content.other_indicators(
            store.load("compendium"), present, self.priority, partner=partner
        )

    def more_sections(self) -> None:
        """Every other indicator of this priority in the compendium that has data here, such
        as one added by `needs fetch fingertips`: it reaches the report with no code change."""
        # the summary and rug name indicators without a section; the opening list links here
        extra = [i for i in self._with_data(partner=False) if i not in self.sectioned]
        if not extra:
            _show(
                HTML(
                    markup.paragraph(
                        "None at present: every indicator for this priority is shown above."
                    )
                )
            )
            return
        for ident in extra:
            _show(HTML(markup.heading(store.compendium_entry(ident)["name"])))
            self.section(ident)

    def partner_sections(self) -> None:
        """Every partner indicator of this priority that has data; otherwise the gap, plainly."""
        shown = self._with_data(partner=True)
        for ident in shown:
            _show(HTML(markup.heading(store.compendium_entry(ident)["name"])))
            self.section(ident)
        if not shown:
            _show(
                HTML(
                    wording.data_gap(
                        Markup(
                            "no partner data has been added for this priority yet. Partners "
                            "can add local counts (for example police domestic-abuse flags, "
                            "treatment numbers or MARAC cases) as a file in "
                            "<code>data/partner/</code>; see the README there."
                        )
                    )
                )
            )

    # ------------------------------------------------------------------ police.uk local views

    def police_local(self, crime_type: str, measure: str) -> None:
        """Month by month, season, deprivation gradient and neighbourhood hot spots."""
        if store.police_gap():
            _show(HTML(wording.police_missing(store.police_gap())))
            return
        source = wording.SHORT_SOURCE["police_uk"]
        months = views.monthly(self.area_code, crime_type)
        missing = periods.month_ranges(views.missing_months())
        fig = charts.monthly(
            months,
            title=f"{measure.capitalize()} by month, {self.area}",
            ylabel="Crimes per month",
            source=source,
        )
        _show(charts.show(fig, alt=wording.monthly_alt(measure, self.area, months, missing)))
        fig = charts.seasonality(
            months,
            title=f"{measure.capitalize()}: average by calendar month, {self.area}",
            ylabel="Average crimes per month",
            source=source,
        )
        _show(charts.show(fig, alt=wording.seasonality_alt(measure, self.area)))
        year = views.complete_years()[-1]
        gradient = views.deprivation(self.area_code, crime_type, year)
        fig = charts.deprivation_deciles(
            gradient,
            value="per_lsoa",
            title=f"{measure.capitalize()} by deprivation of the neighbourhood, {year}",
            ylabel="Crimes per neighbourhood (LSOA)",
            xlabel=wording.decile_axis(wording.edition_of(gradient)),
            source=f"{source}; {wording.edition_of(gradient)} (MHCLG)",
        )
        alt = wording.deprivation_alt(measure, self.area, year, gradient)
        _show(charts.show(fig, alt=alt))
        _show(HTML(markup.paragraph(wording.deprivation_note(self.area, gradient))))
        self._per_resident(crime_type, measure)
        spots = views.hot_spots(self.area_code, crime_type, year)
        if spots.empty:
            _show(
                HTML(
                    markup.paragraph(
                        f"No neighbourhood in {self.area} recorded 5 or more {measure} in {year}."
                    )
                )
            )
            return
        caption = (
            f"Neighbourhoods with most {measure} in {self.area}, "
            f"{year} (up to ten, each with 5 or more)"
        )
        table = wording.hot_spots_table(spots, measure, year)
        counts = [c for c in table.columns if c.startswith(measure.capitalize())]
        _show(HTML(html_tables.html_table(table, caption=caption, counts=counts)))

    def _per_resident(self, crime_type: str, measure: str) -> None:
        """The latest complete year with residents by decile (2011 LSOAs): crimes per 1,000
        residents with their limits, and the slope index of inequality in words."""
        years = views.resident_years()
        if not years:
            return
        year = years[-1]
        rates = views.deprivation_rates(self.area_code, crime_type, year)
        edition = wording.edition_of(rates)
        fig = charts.deprivation_deciles(
            rates,
            value="rate",
            lower="rate_lower",
            upper="rate_upper",
            title=f"{measure.capitalize()} per 1,000 residents by deprivation, {year}",
            ylabel="Crimes per 1,000 residents",
            xlabel=wording.decile_axis(edition),
            source=inequality_words.rate_source(edition),
        )
        alt = inequality_words.rate_alt(measure, self.area, year, rates, edition)
        _show(charts.show(fig, alt=alt))
        slope = views.inequality(self.area_code, crime_type, year)
        words = inequality_words.inequality_sentence(measure, self.area, year, rates, slope)
        _show(HTML(markup.paragraph(words)))
        _show(HTML(markup.paragraph(inequality_words.rate_note(self.area, year, rates))))

    # ------------------------------------------------------------------ gaps, sources

    def gaps(self, *priorities: str) -> None:
        """The declared data gaps of these priorities (default: the report's own)."""
        chosen = priorities or (self.priority,)
        police = wording.police_line(views.missing_months(), store.police_gap(), views.type_gaps())
        gaps = {priority: views.gaps(priority) for priority in chosen}
        _show(HTML(wording.gap_lines(gaps, PRIORITY_TITLES, police)))

    def sources(self) -> None:
        entries = []
        for ident in dict.fromkeys(self.shown):
            entry = store.compendium_entry(ident)
            entries.append((entry, self._source_line(ident, entry)))
        _show(HTML(wording.source_lines(entries)))
        if any(e["source_kind"] == "police_uk" for e, _ in entries):
            months = views.police_months()
            trend = police_trend.note(dict(zip(months["month"], months["status"], strict=True)))
            if trend:
                _show(HTML(markup.paragraph(trend)))
        similar = [store.area_name(c) for c in self.codes["neighbours"]]
        _show(HTML(wording.neighbours_note(self.area, similar, benchmarks.method_sentence())))

    def provenance(self) -> None:
        info = store.build_info()
        stamp = f"{run_time():%Y-%m-%d %H:%M}"
        _show(HTML(wording.provenance_line(code_version(), info, self.area_code, stamp)))

    def _source_line(self, ident: str, entry: dict) -> str:
        given = []
        if entry["source_kind"] == "partner":  # who supplied it, as given in the file
            given = list(store.indicator(ident)["source"].dropna().unique())
        return wording.source_line(entry, given)
