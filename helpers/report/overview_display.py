"""The overview report's own parts (area profile, rug, map, then and now, links), mixed into
helpers.report.display.Report, which holds the report's area, codes and names."""

from __future__ import annotations

from IPython.display import HTML

from helpers.build import store
from helpers.report import (
    area_deprivation,
    charts,
    content,
    html_tables,
    ledger,
    markup,
    narrative,
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
            source=f"{wording.SHORT_SOURCE[x_entry['source_kind']]}; "
            f"{wording.SHORT_SOURCE[y_entry['source_kind']]}",
        )
        rho = frame["x"].corr(frame["y"], method="spearman")
        alt = wording.links_alt(x_entry["name"], y_entry["name"], len(frame), rho)
        _show(charts.show(fig, alt=alt))
        _show(
            HTML(
                markup.paragraph(
                    narrative.association(
                        x_name=x_entry["name"], y_name=y_entry["name"], rho=rho, n=len(frame)
                    )
                )
            )
        )
