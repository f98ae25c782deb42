"""The words around the figures, as pure functions: chart alt texts, the notes and captions of
the police.uk views, data-gap sentences, source lines and the sources list.

Alt text says in words what a chart shows, value by value where there are few, so a reader of
a screen reader gets the same figures. Every number here comes from a frame that passed
disclosure control; suppressed figures read as such."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from helpers import stats
from helpers.build import deprivation as imd
from helpers.build import police_summaries as police
from helpers.build.police_inequality import decile_words
from helpers.core import periods
from helpers.report import markup, palette
from helpers.report.markup import Markup
from helpers.stats import disclosure

SHORT_SOURCE = {
    "police_uk": "police.uk street-level crime (Home Office); ONS mid-year estimates",
    "fingertips": "OHID Fingertips",
    "health_index": "ONS Health Index for England",
    "recorded_crime": "ONS police recorded crime by force area; ONS mid-year estimates",
    "recorded_crime_csp": "ONS police recorded crime by Community Safety Partnership; ONS "
    "mid-2024 estimates",
    "partner": "Partner data",
}
OGL = "Contains public sector information licensed under the Open Government Licence v3.0."
MAP_ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right 2019. Source: Office "
    "for National Statistics licensed under the Open Government Licence v3.0."
)
LSOA_NOTE = (
    "Neighbourhoods are Lower layer Super Output Areas (LSOAs, about 1,000 to 3,000 residents "
    "each)."
)
PER_NEIGHBOURHOOD = {
    police.NO_POPULATION_2021: "For {year} police.uk places crimes in 2021 LSOAs, and no "
    "small-area population for 2021 LSOAs is shipped, so the measure is crimes per "
    "neighbourhood, not per resident.",
    police.NO_POPULATION_FILE: "This snapshot has no small-area population, so the measure "
    "is crimes per neighbourhood, not per resident.",
}


# ---------------------------------------------------------------------- sources and gaps


def source_line(entry: Mapping, partner_sources: Sequence[str] = ()) -> str:
    """A chart's source line. Fetched indicators say when they were retrieved; partner data
    names who supplied it, as given in the file."""
    if entry["source_kind"] == "partner":
        return "; ".join(partner_sources) if len(partner_sources) else SHORT_SOURCE["partner"]
    retrieved = str(entry.get("retrieved") or "").strip()  # set by `needs fetch`
    short = SHORT_SOURCE[entry["source_kind"]]
    return f"{short} (API, retrieved {retrieved})" if retrieved else short


DATA_GAP = markup.strong("Data gap:")
NO_BASELINE = (
    "There is no earlier needs assessment for {area} in the data, so there is nothing to compare "
    "today's figures with. An earlier assessment's headline figures can be added as a file that "
    "params/build.yaml names (baseline)."
)
NO_POLICE_DATA = (
    "no police.uk data for {force} in this snapshot; `{command}` brings it. Until then this is "
    "a gap, not a zero."
)


def rank_sentence(area: str, position: Mapping | None, set_words: Mapping[str, str]) -> str | None:
    """Where the area sits in England: "In 2021 <area> ranked 12th of 296 English districts and
    unitary authorities (1st has the highest value): 2nd worst quintile." None when unranked."""
    if not position:
        return None
    where = stats.rank_words(int(position["rank"]), int(position["of"]), set_words[position["set"]])
    label = position["label"] if isinstance(position["label"], str) else None
    when = periods.phrase(position["period"])
    return f"In {when} {area} ranked {where} (1st has the highest value)" + (
        f": {label[0].lower() + label[1:]}." if label else "."
    )


def neighbours_note(area: str, similar: Sequence[str], method: str) -> Markup:
    """How the "similar areas" in comparisons were chosen, and which they are for this area."""
    if not similar:
        return markup.paragraph(Markup("{} {}").format(markup.strong("Similar areas:"), method))
    listed = ", ".join(similar[:-1]) + f" and {similar[-1]}" if len(similar) > 1 else similar[0]
    return markup.paragraph(
        Markup("{} {} For {}: {}.").format(markup.strong("Similar areas:"), method, area, listed)
    )


def missing_words(entry: Mapping, area: str, police_gap: tuple[str, str] | None) -> Markup:
    """What a section says when the indicator has no figure for the report at all: for
    police.uk, when the snapshot lacks the force's files, which command brings them."""
    if police_gap and entry["source_kind"] == "police_uk":
        return police_missing(police_gap)
    return data_gap(f"{entry['name']} is not available for {area} or its county in this snapshot.")


def police_missing(police_gap: tuple[str, str]) -> Markup:
    force, command = police_gap
    return data_gap(markup.code_spans(NO_POLICE_DATA.format(force=force, command=command)))


def data_gap(text: str) -> Markup:
    """A paragraph that states a gap plainly; ``text`` (with names from data) is escaped."""
    return markup.paragraph(Markup("{} {}").format(DATA_GAP, text))


def gap_words(avail: str, name: str, area: str, force: tuple[str, str]) -> Markup:
    """What a section says when the indicator is not published for the report's area.
    `force`: the force area's name and what it covers (store.force_description)."""
    return data_gap(
        {
            "county-only": f"{name} is not published for districts. The county value is "
            "shown instead.",
            "district-only": f"{name} is not in this snapshot for the county as a whole. The "
            "districts' values are shown.",
            "force-only": f"{name} is only available for the whole {force[0]} area "
            f"({force[1]}), not for {area} on its own.",
        }[avail]
    )


def gap_lines(
    gaps: Mapping[str, pd.DataFrame], titles: Mapping[str, str], police: Markup | None
) -> Markup:
    """The data-gaps list: each priority's declared gaps (headed by the priority when there are
    several), then the police.uk line (police_line), if any."""
    blocks = []
    for number, (priority, frame) in enumerate(gaps.items()):
        lines = [
            Markup("{} Available: {}. Could come from: {}.").format(
                markup.strong(markup.code_spans(f"{g.name}.")),
                markup.code_spans(g.available_at),
                markup.code_spans(g.could_come_from),
            )
            for g in frame.itertuples()
        ]
        if number == len(gaps) - 1 and police:
            lines.append(police)
        if len(gaps) > 1:
            blocks.append(markup.paragraph(markup.strong(titles[priority])))
        blocks.append(markup.items(lines))
    return Markup("").join(blocks)


def police_line(
    missing: Sequence[str],
    police_gap: tuple[str, str] | None,
    types_missing: Sequence[tuple[str, str]] = (),
) -> Markup | None:
    """The police.uk gap: no files for the force at all; or the months it did not publish and
    the years that therefore have no annual figure, and any crime type (month, type) missing
    from a published month; None when nothing is missing."""
    if police_gap:
        force, command = police_gap
        text = NO_POLICE_DATA.format(force=force, command=command)
        return markup.code_spans(text[0].upper() + text[1:])
    parts = []
    if missing:
        years = sorted({m[:4] for m in missing})
        parts.append(
            Markup(
                "{} are not in this snapshot; they are gaps in every police.uk chart, and {} {} "
                "no annual figure."
            ).format(
                markup.strong(f"police.uk months {periods.month_ranges(missing)}"),
                _and(years),
                "have" if len(years) > 1 else "has",
            )
        )
    for month, crime_type in types_missing:
        parts.append(
            Markup(
                "{}: that month is a gap for it, not a zero, and {} has no annual figure for it."
            ).format(markup.strong(f"police.uk has no {crime_type} rows for {month}"), month[:4])
        )
    return Markup(" ").join(parts) if parts else None


def _and(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def source_lines(entries: Iterable[tuple[Mapping, str]]) -> Markup:
    """The sources list: each indicator shown, its source, definition and caveats; then the
    disclosure note and the licences."""
    lines = [
        Markup("{} ({}). {} <em>Caveats:</em> {}").format(
            markup.strong(entry["name"]), source, entry["definition"], entry["caveats"]
        )
        + (
            Markup(" <em>Confidence limits:</em> {}.").format(entry["ci_method_words"])
            if entry.get("ci_method")
            else ""
        )
        for entry, source in entries
    ]
    return (
        markup.items(lines)
        + markup.paragraph(disclosure.NOTE)
        + markup.paragraph(f"{OGL} {MAP_ATTRIBUTION}")
    )


def provenance_line(version: str, info: Mapping, area_code: str, run: str) -> Markup:
    """The report's last line: code version, data snapshot, store build, parameters, run."""
    return markup.paragraph(
        Markup(
            "Code version <code>{}</code> · data snapshot <code>{}</code> · store built {} · "
            "parameters: area_code = <code>{}</code> · run {} UTC"
        ).format(version, info["data_snapshot"], info["built_at"], area_code, run)
    )


# ---------------------------------------------------------------------- alt texts


def bars_alt(
    name: str, period: str, bars: pd.DataFrame, unit: str, bench: pd.DataFrame, bench_name: str
) -> str:
    disclosure.check_no_small_counts(bars)
    disclosure.check_no_small_counts(bench)
    parts = [
        f"{r.area_name} {disclosure.display(r.value, suppressed=bool(r.suppressed), fmt='{:,.2f}')}"
        for r in bars.itertuples()
    ]
    text = f"Bar chart of {name}, {period}, {unit}: " + "; ".join(parts) + "."
    if len(bench):
        text += f" {bench_name}: {bench['value'].iloc[0]:,.2f}."
    return text


def trend_alt(name: str, history: pd.DataFrame, unit: str, label: str | None) -> str:
    labels = sorted(history["period"].unique())
    text = (
        f"Line chart of {name} ({unit}) from {labels[0]} to {labels[-1]} for "
        + ", ".join(history["area_name"].unique())
        + "."
    )
    return text + (f" Recent trend: {label}." if label else "")


def monthly_alt(measure: str, area: str, months: pd.DataFrame, missing: str) -> str:
    return (
        f"Line chart of {measure} per month in {area} from {months['month'].iloc[0]} to "
        f"{months['month'].iloc[-1]}; months not published ({missing}) are shown as gaps."
    )


def seasonality_alt(measure: str, area: str) -> str:
    return f"Bar chart of the average number of {measure} in each calendar month in {area}."


MIXED_EDITIONS_NOTE = (
    "In {year} police.uk gave some crimes a 2011 neighbourhood and the rest a 2021 one: each "
    "crime is counted in the decile of its own neighbourhood ({old} for a 2011 neighbourhood, "
    "{new} for a 2021 one), and the neighbourhoods counted in each decile are the 2021 ones "
    "({new}). MHCLG advises comparing deciles, not ranks, between editions."
)


def edition_of(frame: pd.DataFrame) -> str:
    """The IMD edition words of a view's rows ('IMD 2025', or 'IMD 2019 and IMD 2025')."""
    found = frame["imd_edition"].dropna()
    words = [w for e in found.unique() for w in str(e).split(" and ")]
    return imd.editions(words) if words else "IMD"


def decile_axis(edition: str) -> str:
    """The deprivation chart's axis label, naming the edition of its deciles."""
    if imd.is_mixed(edition):
        return f"Index of Multiple Deprivation decile (national; {edition})"
    return f"Index of Multiple Deprivation {edition.removeprefix('IMD ')} decile (national)"


def deprivation_alt(measure: str, area: str, year: str, gradient: pd.DataFrame) -> str:
    disclosure.check_no_small_counts(gradient, dependent=("per_lsoa",))
    shown = gradient[gradient["per_lsoa"].notna()]
    edition = edition_of(gradient)
    deciles = f"IMD decile ({edition})" if imd.is_mixed(edition) else f"{edition} decile"
    return (
        f"Bar chart of {measure} per neighbourhood by {deciles} in {area}, {year}: "
        + "; ".join(f"decile {r.imd_decile} {r.per_lsoa:.1f}" for r in shown.itertuples())
        + "."
    )


def deprivation_note(area: str, gradient: pd.DataFrame) -> str:
    """Under the deprivation chart: what a neighbourhood is, why the measure is per
    neighbourhood (no population for the year's LSOAs), how a year that mixes IMD editions is
    counted, deciles the area has no neighbourhood in, and deciles hidden for privacy."""
    empty = gradient.loc[gradient["lsoas"] == 0, "imd_decile"].tolist()
    hidden = gradient.loc[gradient["suppressed"], "imd_decile"].tolist()
    text = LSOA_NOTE
    notes = set(gradient["rate_note"].dropna()) if "rate_note" in gradient else set()
    reasons = [words for note, words in PER_NEIGHBOURHOOD.items() if note in notes]
    if reasons:  # why these are crimes per neighbourhood, not per resident
        text += " " + reasons[0].format(year=", ".join(gradient["year"].astype(str).unique()))
    if imd.is_mixed(edition_of(gradient)):
        year = ", ".join(gradient["year"].astype(str).unique())
        text += " " + MIXED_EDITIONS_NOTE.format(
            year=year, old=imd.EDITION_2019, new=imd.EDITION_2025
        )
    if empty:
        text += f" {area} has no neighbourhoods in {decile_words(empty)}."
    if hidden:
        text += f" {decile_words(hidden).capitalize()}: not shown, to protect privacy."
    return text


def hot_spots_table(spots: pd.DataFrame, measure: str, year: str) -> pd.DataFrame:
    """The neighbourhoods with most crimes: name (or code), count and IMD decile, the header
    naming the edition (in a year of both, each decile names its own)."""
    disclosure.check_no_small_counts(spots)
    edition = edition_of(spots)
    deciles = spots["imd_decile"].astype("Int64").astype(str)
    header = f"{edition} decile (1 = most deprived)"
    if imd.is_mixed(edition):
        header = "IMD decile (1 = most deprived)"
        deciles = deciles + " (" + spots["imd_edition"].astype(str) + ")"
    return pd.DataFrame(
        {
            "Neighbourhood (LSOA)": spots["lsoa_name"].fillna(spots["lsoa_code"]),
            f"{measure.capitalize()} in {year}": [
                disclosure.display(c, suppressed=s, is_count=True)
                for c, s in zip(spots["count"], spots["suppressed"], strict=True)
            ],
            header: deciles,
        }
    ).set_index("Neighbourhood (LSOA)")


def spine_alt(rows: pd.DataFrame, area: str) -> str:
    words = "; ".join(
        f"{r.indicator_name}: {palette.OUTCOME_WORDS[r.outcome].lower()}" for r in rows.itertuples()
    )
    return f"Spine chart of {len(rows)} indicators for {area} against England. {words}."


def map_alt(name: str, period: str, ranked: pd.DataFrame, force: str) -> str:
    """`ranked`: the mapped areas, highest value first; `force`: the force area's name."""
    disclosure.check_no_small_counts(ranked)
    top = ", ".join(f"{r.area_name} {r.value:.1f}" for r in ranked.head(3).itertuples())
    return f"Map of {name} by local authority in the {force} area, {period}. Highest: {top}."
