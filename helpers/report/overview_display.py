"""The overview report's own parts (area profile, rug, map, then and now, crime-health links),
mixed into helpers.report.display.Report, which holds the report's area, codes and names."""

from __future__ import annotations

from IPython.display import HTML

from helpers.build import store
from helpers.report import (
    area_deprivation,
    charts,
    content,
    crime_health,
    html_tables,
    ledger,
    markup,
    then_now,
    views,
    wording,
)

_show = ledger.show


class OverviewSections:
    """Report methods for the overview notebook (self: a helpers.report.display.Report)."""

    area: str
    area_code: str
    codes: content.AreaCodes
    names: dict[str, str]
    shown: list[str]

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
            _show(HTML(wording.data_gap(f"no area profile for {self.area}: {where}.")))
            return
        fig = charts.spine(
            rows,
            area_label=self.area,
            title=f"Area profile: {self.area} compared with England",
            source="OHID Fingertips; spread across English local authorities",
        )
        _show(charts.show(fig, alt=wording.spine_alt(rows, self.area)))

    def rug(self, indicator_ids: list[str]) -> None:
        self.shown.extend(indicator_ids)
        table = views.rug(indicator_ids, self.area_code)
        _show(HTML(html_tables.rug_html(table)))

    def map(self, ident: str) -> None:
        entry = store.compendium_entry(ident)
        self.shown.append(ident)
        if store.police_gap() and entry["source_kind"] == "police_uk":
            _show(HTML(wording.police_missing(store.police_gap())))
            return
        period, latest = views.map_values(ident)
        geojson = store.boundaries()
        fig = charts.choropleth(
            geojson,
            latest.set_index("area_code")["value"],
            title=f"{entry['name']}, {period}",
            legend_label=content.axis_label(entry["unit"]),
            source=f"{wording.SHORT_SOURCE[entry['source_kind']]}. {wording.MAP_ATTRIBUTION}",
            highlight=None if self.codes["is_county"] else self.area_code,
        )
        mapped = [f["properties"]["area_code"] for f in geojson["features"]]
        force = store.force_description()[0]
        alt = wording.map_alt(entry["name"], period, content.ranked(latest, mapped), force)
        _show(charts.show(fig, alt=alt))

    def deprivation(self) -> None:
        """The area's deprivation (IMD 2025) in a sentence, and its county's districts in a
        table beside IMD 2019's most deprived tenth."""
        codes = [self.area_code] + [d for d in self.codes["districts"] if d != self.area_code]
        own, frame = area_deprivation.view(self.area_code, codes)
        if frame.empty:
            _show(HTML(markup.paragraph(area_deprivation.NO_DISTRICTS)))
            return
        if own is not None:
            _show(HTML(area_deprivation.sentence(own)))
        if len(frame) > 1 or own is None:
            _show(HTML(area_deprivation.table(frame)))
        else:
            _show(HTML(markup.paragraph(area_deprivation.NOTE)))

    def then_and_now(self) -> None:
        frame = then_now.then_and_now(self.area_code)
        county = self.names[self.codes["county"]]
        if frame.empty:
            _show(HTML(markup.paragraph(wording.NO_BASELINE.format(area=county))))
            return
        district = None if self.codes["is_county"] else self.area
        _show(HTML(html_tables.then_now_html(frame, county, district)))

    def links(self) -> None:
        """Every crime-health link of params/links.yaml across England: a national chart with
        the assessment's areas in colour, the sentence, and the questions open data cannot
        answer."""
        found_links = crime_health.links()
        if not found_links:
            _show(HTML(markup.paragraph(crime_health.NO_PAIRS)))
        coloured = list(dict.fromkeys([*self.codes["districts"], self.area_code]))
        labelled = self.codes["districts"] if self.codes["is_county"] else [self.area_code]
        county = self.names.get(self.codes["county"], "")
        for found in found_links:
            fig_row, points = found.figures, found.points
            sides = {s: self._link_side(fig_row, s) for s in ("x", "y")}
            names = [e["name"] if e else crime_health.DEPRIVATION_NAME for e, _ in sides.values()]
            self.shown += [
                fig_row[f"{s}_indicator"] for s, (e, _) in sides.items() if e is not None
            ]
            shown = crime_health.complete(points)
            marked = crime_health.coloured_label(county, self.area, self.codes)
            note = crime_health.missing_note(points, labelled, {s: sides[s][1] for s in ("x", "y")})
            fig = charts.national_scatter(
                shown,
                crime_health.band(points),
                coloured=coloured,
                labelled=labelled,
                coloured_label=marked,
                title=crime_health.chart_title(names),
                xlabel=sides["x"][1],
                ylabel=sides["y"][1],
                source=crime_health.source_line([e for e, _ in sides.values()]),
                notes=[note] if note else [],
            )
            _show(HTML(markup.heading(fig_row["question"], 3)))
            alt = crime_health.alt(fig_row, names[0], names[1], marked, note)
            _show(charts.show(fig, alt=alt))
            _show(HTML(markup.paragraph(crime_health.sentence(fig_row))))
        asked = crime_health.questions()
        if len(asked):
            _show(HTML(markup.heading("Questions open data cannot answer", 3)))
            _show(HTML(crime_health.questions_html(asked)))

    def _link_side(self, figures: dict, side: str) -> tuple[dict | None, str]:
        """The compendium entry of one side of a pair (None for deprivation) and its axis
        label."""
        ident = figures[f"{side}_indicator"]
        if ident == crime_health.DEPRIVATION:
            return None, crime_health.DEPRIVATION_AXIS
        entry = store.compendium_entry(ident)
        return entry, f"{entry['name']}, {figures[f'{side}_period']} ({entry['unit']})"
