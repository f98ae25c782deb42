"""What the notebooks display: each call renders one part of a report (title, summary, an
indicator section, the rug, gaps, sources) from the store, through views, charts and narrative.

Notebooks stay thin: `r = Report("mental_health", area_code)`, then `r.section("848")`."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown, display

from helpers.build import store
from helpers.core import periods, provenance
from helpers.core.errors import ReportError
from helpers.report import charts, html_tables, narrative, palette, views
from helpers.stats import disclosure

OGL = "Contains public sector information licensed under the Open Government Licence v3.0."
MAP_ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right 2019. Source: Office "
    "for National Statistics licensed under the Open Government Licence v3.0."
)
PRIORITY_TITLES = provenance.PRIORITY_TITLES
SHORT_SOURCE = {
    "police_uk": "police.uk street-level crime (Home Office); ONS mid-year estimates",
    "fingertips": "OHID Fingertips",
    "health_index": "ONS Health Index for England",
    "recorded_crime": "ONS police recorded crime by force area; ONS mid-year estimates",
    "partner": "Partner data",
}


class Report:
    """One report: a priority for an area. Remembers the indicators it showed, for the sources."""

    def __init__(self, priority: str, area_code: str):
        if priority not in PRIORITY_TITLES:
            raise ReportError(
                f"unknown priority {priority!r}",
                fix=f"use one of: {', '.join(PRIORITY_TITLES)}",
            )
        self.priority = priority
        self.area_code = store.check_area(area_code)
        self.area = store.area_name(area_code)
        self.codes = views.area_codes(area_code)
        self.county = store.area_name(self.codes["county"])
        self.shown: list[str] = []
        charts.apply_theme()

    # ------------------------------------------------------------------ header and summary

    def title(self) -> Markdown:
        info = store.build_info()
        return Markdown(
            f"# {PRIORITY_TITLES[self.priority]}: {self.area}\n\n"
            f"Leicestershire community safety and health needs assessment · report date "
            f"{run_time():%d %B %Y} · data snapshot `{info['data_snapshot']}`"
        )

    def summary(self, indicator_ids: list[str]) -> None:
        """Headline sentences and Better/Similar/Worse tiles, most important first."""
        self.shown.extend(indicator_ids)
        sentences, tiles = [], []
        for ident in indicator_ids:
            sentence, outcome, name = self._headline(ident)
            if sentence:
                sentences.append(f"- {sentence}")
            if outcome is not None:
                tiles.append((name, outcome))
        display(Markdown("\n".join(sentences) if sentences else "No indicator has a value here."))
        if tiles:
            display(HTML(html_tables.tiles(tiles)))

    def _headline(self, ident: str) -> tuple[str | None, str | None, str]:
        """(sentence, outcome for a tile, tile name) for the area's latest figure. Where the
        figure exists only for the county, the force area or the districts, say that instead."""
        entry = store.compendium_entry(ident)
        avail = views.availability(ident, self.area_code)
        if avail == "district-only":
            return self._districts_sentence(ident, entry), None, entry["name"]
        code = {
            "area": self.area_code,
            "county-only": self.codes["county"],
            "force-only": self.codes["force"],
        }.get(avail)
        if code is None:
            return None, None, entry["name"]
        history = views.series(ident, [code, self.codes["england"]])
        history = history[history["value"].notna() | history["suppressed"]]
        if history.empty:
            return None, None, entry["name"]
        latest = history[history["period"] == views.latest_period(history["period"])]
        row = latest[latest["area_code"] == code]
        if row.empty:
            return None, None, entry["name"]
        row = row.iloc[0]
        column, bench_code = views.benchmark(ident, code)
        if bench_code != self.codes["england"]:
            latest = views.comparison_frame(ident, code, row["period"])
        bench = latest[latest["area_code"] == bench_code]
        counted = entry["source_kind"] in ("police_uk", "recorded_crime")
        sentence = narrative.headline(
            area=store.area_name(code),
            period=row["period"],
            measure=entry["measure"],
            value_label=None if counted else entry["measure"],
            value=row["value"],
            unit=entry["unit"],
            count=row["count"] if counted else None,
            outcome=row[column],
            level=row[column.replace("outcome", "level")],
            benchmark_name=store.area_name(bench_code) if len(bench) else None,
            benchmark_value=bench["value"].iloc[0] if len(bench) else None,
            suppressed=bool(row["suppressed"]),
            decimals=_decimals(entry),
        )
        if avail != "area":
            where = "the county" if avail == "county-only" else "the whole police force area"
            sentence = f"Published only for {where}: {sentence[0].lower()}{sentence[1:]}"
        outcome = row[column] if row[column] != "not compared" else None
        label = f"{entry['name']} ({row['period']})"
        if avail != "area":
            label += f", {store.area_name(code)}"
        return sentence, outcome, label

    def _districts_sentence(self, ident: str, entry: dict) -> str | None:
        """For a district-only indicator in the county report: how many districts differ."""
        latest = views.comparison_frame(ident, self.codes["districts"][0])
        districts = latest[latest["area_code"].isin(self.codes["districts"])]
        if districts.empty:
            return None
        period = districts["period"].iloc[0]
        judged = districts[districts["england_outcome"] != "not compared"]
        if judged.empty:
            low, high = (
                districts.nsmallest(1, "value").iloc[0],
                districts.nlargest(1, "value").iloc[0],
            )
            fmt = f"{{:,.{_decimals(entry)}f}}"
            return (
                f"{entry['name']} is published for districts, not for the county: in "
                f"{period} it ranged from {fmt.format(low['value'])} in {low['area_name']} to "
                f"{fmt.format(high['value'])} in {high['area_name']} {_bracketed(entry['unit'])}."
            )
        parts = []
        for outcome, group in judged.groupby("england_outcome"):
            names = ", ".join(group["area_name"])
            word = "similar to" if outcome == "similar" else f"significantly {outcome} than"
            parts.append(f"{word} England in {len(group)} ({names})")
        return (
            f"{entry['name']} is published for districts, not for the county. In {period} "
            f"it was {'; '.join(parts)} of the {len(districts)} districts."
        )

    # ------------------------------------------------------------------ indicator sections

    def section(self, ident: str) -> None:
        """An indicator: headline, compare-areas chart, trend, table and notes, or its gap."""
        entry = store.compendium_entry(ident)
        self.shown.append(ident)
        avail = views.availability(ident, self.area_code)
        source = _source_line(ident, entry)
        unit = entry["unit"]
        if avail == "none":
            display(
                Markdown(
                    f"**Data gap:** {entry['name']} is not available for {self.area} or "
                    "its county in this snapshot."
                )
            )
            return
        if avail == "area":
            sentence, _, _ = self._headline(ident)
            if sentence:
                display(Markdown(sentence))
            focus = [self.area_code]
        else:
            display(Markdown(_gap_words(avail, entry["name"], self.area)))
            focus = {
                "county-only": [self.codes["county"]],
                "force-only": [self.codes["force"]],
                "district-only": [],
            }[avail]
        latest = views.comparison_frame(ident, self.area_code)
        if avail == "force-only":
            latest = views.series(ident, [self.codes["force"], self.codes["england"]])
            latest = latest[latest["period"] == views.latest_period(latest["period"])]
        if not latest.empty:
            # judge as a district would be judged: in the county report, the districts are
            # compared with the county (police.uk) or with England, the benchmark line
            perspective = focus[0] if focus else self.area_code
            if self.codes["is_county"] and avail == "area":
                perspective = self.codes["districts"][0]
            column, bench_code = views.benchmark(ident, perspective)
            bench = latest[latest["area_code"] == bench_code]
            bars = latest[latest["area_code"] != bench_code] if len(bench) else latest
            period = latest["period"].iloc[0]
            fig = charts.compare_bars(
                bars,
                outcome=column,
                highlight=self.area if avail == "area" else None,
                benchmark=bench["value"].iloc[0] if len(bench) else None,
                benchmark_label=store.area_name(bench_code) if len(bench) else None,
                title=f"{entry['name']}, {period}",
                xlabel=_axis_label(unit),
                source=source,
            )
            display(
                charts.show(
                    fig, alt=_bars_alt(entry["name"], period, bars, unit, bench, bench_code)
                )
            )
        if focus:
            trend_codes = list(dict.fromkeys([*focus, self.codes["county"], self.codes["england"]]))
        else:  # district-only figures in the county report: one line per district
            trend_codes = list(self.codes["districts"]) + [self.codes["england"]]
        history = views.series(ident, trend_codes)
        if history["period"].nunique() > 1:
            label = _trend_label(history, focus[0]) if focus else None
            short, xlabel = _short_periods(history)
            fig = charts.trend(
                short,
                xlabel=xlabel,
                series="area_name",
                highlight=store.area_name(focus[0]) if focus else None,
                title=f"{entry['name']} over time",
                ylabel=_axis_label(unit),
                source=source,
                trend_label=label,
            )
            display(charts.show(fig, alt=_trend_alt(entry["name"], history, unit, label)))
        table_codes = list(dict.fromkeys([*latest["area_code"], *trend_codes]))
        display(_values_table(*_short_periods(views.series(ident, table_codes)), entry))
        notes = sorted(history["value_note"].dropna().unique())
        if history["suppressed"].any():
            notes.append(disclosure.NOTE)
        if notes:
            display(Markdown("\n".join(f"*Note:* {n}  " for n in notes)))

    def _with_data(self, *, partner: bool) -> list[str]:
        """This priority's compendium indicators (partner ones, or all others) with data."""
        compendium = store.load("compendium")
        mine = compendium[
            (compendium["priority"] == self.priority)
            & ((compendium["source_kind"] == "partner") == partner)
        ]
        present = set(store.load("indicator_values")["indicator_id"].unique())
        return [i for i in mine["id"] if i in present]

    def more_sections(self) -> None:
        """Every other indicator of this priority in the compendium that has data here, such
        as one added by `needs fetch fingertips`: it reaches the report with no code change."""
        extra = [i for i in self._with_data(partner=False) if i not in self.shown]
        if not extra:
            display(Markdown("None at present: every indicator for this priority is shown above."))
            return
        for ident in extra:
            display(Markdown(f"### {store.compendium_entry(ident)['name']}"))
            self.section(ident)

    def partner_sections(self) -> None:
        """Every partner indicator of this priority that has data; otherwise the gap, plainly."""
        shown = self._with_data(partner=True)
        for ident in shown:
            display(Markdown(f"### {store.compendium_entry(ident)['name']}"))
            self.section(ident)
        if not shown:
            display(
                Markdown(
                    "**Data gap:** no partner data has been added for this priority yet. Partners "
                    "can add local counts (for example police domestic-abuse flags, treatment "
                    "numbers or MARAC cases) as a file in `data/partner/`; see the README there."
                )
            )

    # ------------------------------------------------------------------ police.uk local views

    def police_local(self, crime_type: str, measure: str) -> None:
        """Month by month, season, deprivation gradient and neighbourhood hot spots."""
        source = SHORT_SOURCE["police_uk"]
        months = views.monthly(self.area_code, crime_type)
        missing = ", ".join(views.missing_months())
        fig = charts.monthly(
            months,
            title=f"{measure.capitalize()} by month, {self.area}",
            ylabel="Crimes per month",
            source=source,
        )
        display(
            charts.show(
                fig,
                alt=f"Line chart of {measure} per month in {self.area} from "
                f"{months['month'].iloc[0]} to {months['month'].iloc[-1]}; months "
                f"not published ({missing}) are shown as gaps.",
            )
        )
        fig = charts.seasonality(
            months,
            title=f"{measure.capitalize()}: average by calendar month, {self.area}",
            ylabel="Average crimes per month",
            source=source,
        )
        display(
            charts.show(
                fig,
                alt=f"Bar chart of the average number of {measure} in each "
                f"calendar month in {self.area}.",
            )
        )
        year = views.complete_years()[-1]
        gradient = views.deprivation(self.area_code, crime_type, year)
        fig = charts.deprivation_deciles(
            gradient,
            value="per_lsoa",
            title=f"{measure.capitalize()} by deprivation of the neighbourhood, {year}",
            ylabel="Crimes per neighbourhood (LSOA)",
            source=f"{source}; IMD 2019 (MHCLG)",
        )
        shown = gradient[gradient["per_lsoa"].notna()]
        display(
            charts.show(
                fig,
                alt=f"Bar chart of {measure} per neighbourhood by IMD 2019 "
                f"decile in {self.area}, {year}: "
                + "; ".join(f"decile {r.imd_decile} {r.per_lsoa:.1f}" for r in shown.itertuples())
                + ".",
            )
        )
        empty = gradient.loc[gradient["lsoas"] == 0, "imd_decile"].astype(str).tolist()
        hidden = gradient.loc[gradient["suppressed"], "imd_decile"].astype(str).tolist()
        text = (
            "Neighbourhoods are 2011 or 2021 Lower layer Super Output Areas (about 1,000 to "
            "3,000 residents each); their populations are not in this snapshot, so the "
            "measure is crimes per neighbourhood, not per resident."
        )
        if empty:
            text += f" {self.area} has no neighbourhoods in decile {', '.join(empty)}."
        if hidden:
            text += (
                f" Decile {', '.join(hidden)}: fewer than 5 crimes, not shown to protect privacy."
            )
        display(Markdown(text))
        spots = views.hot_spots(self.area_code, crime_type, year)
        table = pd.DataFrame(
            {
                "Neighbourhood (LSOA)": spots["lsoa_name"].fillna(spots["lsoa_code"]),
                f"{measure.capitalize()} in {year}": [
                    disclosure.display(c, suppressed=s, is_count=True)
                    for c, s in zip(spots["count"], spots["suppressed"], strict=True)
                ],
                "IMD 2019 decile (1 = most deprived)": spots["imd_decile"]
                .astype("Int64")
                .astype(str),
            }
        ).set_index("Neighbourhood (LSOA)")
        if table.empty:
            display(
                Markdown(f"No neighbourhood in {self.area} recorded 5 or more {measure} in {year}.")
            )
            return
        display(
            _table(
                table,
                caption=f"Neighbourhoods with most {measure} in {self.area}, "
                f"{year} (up to ten, each with 5 or more)",
            )
        )

    # ------------------------------------------------------------------ overview views

    def spine(self, indicator_ids: list[str]) -> None:
        self.shown.extend(indicator_ids)
        rows = views.spine_rows(indicator_ids, self.area_code)
        if rows.empty:
            where = (
                "the OHID Fingertips extracts in this snapshot have no county figures; "
                "each district's report has its profile"
                if self.codes["is_county"]
                else "no OHID Fingertips indicator in this snapshot has a figure for this area"
            )
            display(Markdown(f"**Data gap:** no area profile for {self.area}: {where}."))
            return
        fig = charts.spine(
            rows,
            area_label=self.area,
            title=f"Area profile: {self.area} compared with England",
            source="OHID Fingertips; spread across English local authorities",
        )
        words = "; ".join(
            f"{r.indicator_name}: {palette.OUTCOME_WORDS[r.outcome].lower()}"
            for r in rows.itertuples()
        )
        display(
            charts.show(
                fig,
                alt=f"Spine chart of {len(rows)} indicators for {self.area} "
                f"against England. {words}.",
            )
        )

    def rug(self, indicator_ids: list[str]) -> None:
        self.shown.extend(indicator_ids)
        table = views.rug(indicator_ids, self.area_code)
        display(HTML(html_tables.rug_html(table)))

    def map(self, ident: str) -> None:
        entry = store.compendium_entry(ident)
        self.shown.append(ident)
        values = store.load("indicator_values")
        data = values[(values["indicator_id"] == ident) & values["value"].notna()]
        period = views.latest_period(data["period"])
        latest = disclosure.suppress(data[data["period"] == period])
        geojson = store.boundaries()
        fig = charts.choropleth(
            geojson,
            latest.set_index("area_code")["value"],
            title=f"{entry['name']}, {period}",
            legend_label=_axis_label(entry["unit"]),
            source=f"{SHORT_SOURCE[entry['source_kind']]}. {MAP_ATTRIBUTION}",
            highlight=None if self.codes["is_county"] else self.area_code,
        )
        ranked = latest[
            latest["area_code"].isin([f["properties"]["lad19cd"] for f in geojson["features"]])
        ].sort_values("value", ascending=False)
        top = ", ".join(f"{r.area_name} {r.value:.1f}" for r in ranked.head(3).itertuples())
        display(
            charts.show(
                fig,
                alt=f"Map of {entry['name']} by local authority in the "
                f"Leicestershire Police area, {period}. Highest: {top}.",
            )
        )

    def then_and_now(self) -> None:
        frame = views.then_and_now()
        display(HTML(html_tables.then_now_html(frame)))

    def links(self, x_id: str, y_id: str, period_x: str, period_y: str) -> None:
        x_entry, y_entry = store.compendium_entry(x_id), store.compendium_entry(y_id)
        self.shown += [x_id, y_id]
        frame = views.links(x_id, y_id, period_x, period_y)
        fig = charts.scatter(
            frame,
            x="x",
            y="y",
            label="area_name",
            highlight=None if self.codes["is_county"] else self.area,
            title=f"{y_entry['name']} and {x_entry['name']}",
            xlabel=f"{x_entry['name']}, {period_x} ({x_entry['unit']})",
            ylabel=f"{y_entry['name']}, {period_y} ({y_entry['unit']})",
            source=f"{SHORT_SOURCE[x_entry['source_kind']]}; "
            f"{SHORT_SOURCE[y_entry['source_kind']]}",
        )
        rho = frame["x"].corr(frame["y"], method="spearman")
        display(
            charts.show(
                fig,
                alt=f"Scatter plot of {y_entry['name']} against "
                f"{x_entry['name']} for {len(frame)} local authorities; Spearman "
                f"rank correlation {rho:.2f}.",
            )
        )
        display(
            Markdown(
                narrative.association(
                    x_name=x_entry["name"], y_name=y_entry["name"], rho=rho, n=len(frame)
                )
            )
        )

    # ------------------------------------------------------------------ gaps, sources

    def gaps(self, *priorities: str) -> None:
        """The declared data gaps of these priorities (default: the report's own)."""
        lines = []
        for priority in priorities or (self.priority,):
            frame = views.gaps(priority)
            if len(priorities) > 1:
                lines.append(f"\n**{PRIORITY_TITLES[priority]}**\n")
            lines += [
                f"- **{g.name}.** Available: {g.available_at}. Could come from: "
                f"{g.could_come_from}."
                for g in frame.itertuples()
            ]
        missing = ", ".join(views.missing_months())
        lines.append(
            f"- **police.uk months {missing}** were not published; they are gaps in "
            "every police.uk chart and the 2022 annual figures are not shown."
        )
        display(Markdown("\n".join(lines)))

    def sources(self) -> None:
        lines = []
        for ident in dict.fromkeys(self.shown):
            entry = store.compendium_entry(ident)
            lines.append(
                f"- **{entry['name']}** ({_source_line(ident, entry)}). "
                f"{entry['definition']} *Caveats:* {entry['caveats']}"
            )
        lines.append(f"\n{disclosure.NOTE}\n\n{OGL} {MAP_ATTRIBUTION}")
        display(Markdown("\n".join(lines)))

    def provenance(self) -> None:
        info = store.build_info()
        display(
            Markdown(
                f"Code version `{code_version()}` · data snapshot `{info['data_snapshot']}` · "
                f"store built {info['built_at']} · parameters: area_code = `{self.area_code}` · "
                f"run {run_time():%Y-%m-%d %H:%M} UTC"
            )
        )


# ---------------------------------------------------------------------- helpers for display


run_time = provenance.run_time
code_version = provenance.code_version


def _source_line(ident: str, entry: dict) -> str:
    """The chart source line; partner data names who supplied it, as given in the file."""
    if entry["source_kind"] != "partner":
        retrieved = str(entry.get("retrieved") or "").strip()  # set by `needs fetch`
        short = SHORT_SOURCE[entry["source_kind"]]
        return f"{short} (API, retrieved {retrieved})" if retrieved else short
    given = store.indicator(ident)["source"].dropna().unique()
    return "; ".join(given) if len(given) else SHORT_SOURCE["partner"]


def _short_periods(frame: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """'Year ending Sep 2024' -> '2024' for axes and table headers, with the axis saying what the
    year is; other period labels are kept as they are."""
    short, title = periods.short_labels(frame["period"].tolist())
    return (frame.assign(period=short), title) if title else (frame, None)


def _axis_label(unit: str) -> str:
    return f"Value {unit}" if unit.startswith("(") else unit[0].upper() + unit[1:]


def _bracketed(unit: str) -> str:
    """'(unit)' once: some units are already a bracketed note, e.g. '(unit not stated by ONS)'."""
    return unit if unit.startswith("(") and unit.endswith(")") else f"({unit})"


def _decimals(entry: dict) -> int:
    return 2 if entry.get("unit", "").startswith("per 1,000") else 1


def _gap_words(avail: str, name: str, area: str) -> str:
    return {
        "county-only": f"**Data gap:** {name} is not published for districts. The county value "
        "is shown instead.",
        "district-only": f"**Data gap:** {name} is not in this snapshot for the county as a "
        "whole. The districts' values are shown.",
        "force-only": f"**Data gap:** {name} is only available for the whole Leicestershire "
        "Police area (Leicestershire, Leicester and Rutland), not for "
        f"{area} on its own.",
    }[avail]


def _trend_label(history: pd.DataFrame, code: str) -> str | None:
    labels = history.loc[
        (history["area_code"] == code) & history["trend_label"].notna(), "trend_label"
    ]
    return str(labels.iloc[-1]) if len(labels) else None


def _bars_alt(name, period, bars, unit, bench, bench_code) -> str:
    parts = [
        f"{r.area_name} {disclosure.display(r.value, suppressed=bool(r.suppressed), fmt='{:,.2f}')}"
        for r in bars.itertuples()
    ]
    text = f"Bar chart of {name}, {period}, {unit}: " + "; ".join(parts) + "."
    if len(bench):
        text += f" {store.area_name(bench_code)}: {bench['value'].iloc[0]:,.2f}."
    return text


def _trend_alt(name, history, unit, label) -> str:
    periods = sorted(history["period"].unique())
    text = (
        f"Line chart of {name} ({unit}) from {periods[0]} to {periods[-1]} for "
        + ", ".join(history["area_name"].unique())
        + "."
    )
    return text + (f" Recent trend: {label}." if label else "")


def _values_table(history: pd.DataFrame, period_label: str | None, entry: dict) -> HTML:
    fmt = "{:,.2f}" if _decimals(entry) == 2 else "{:,.1f}"
    rows = []
    for r in history.itertuples():
        ci = "" if pd.isna(r.lower_95) else f"{fmt.format(r.lower_95)} to {fmt.format(r.upper_95)}"
        rows.append(
            {
                "Area": r.area_name,
                "Period": r.period,
                "Count": disclosure.display(r.count, suppressed=bool(r.suppressed), is_count=True)
                if entry["source_kind"] in ("police_uk", "recorded_crime")
                else "not published",
                "Value": disclosure.display(r.value, suppressed=bool(r.suppressed), fmt=fmt),
                "95% confidence interval": ci or "not published",
            }
        )
    if not rows:
        return HTML("")
    table = pd.DataFrame(rows).set_index(["Area", "Period"])
    order = list(dict.fromkeys(table.index.get_level_values("Area")))
    wide = table["Value"].unstack("Period").reindex(order)
    wide.index.name = "Area"
    return _table(
        wide,
        caption=f"{entry['name']} {_bracketed(entry['unit'])} by "
        f"{(period_label or 'period').lower()}",
    )


def _table(frame: pd.DataFrame, *, caption: str) -> HTML:
    return HTML(html_tables.html_table(frame, caption=caption))
