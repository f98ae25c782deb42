"""Acceptance (issue 13): the tool works, and is right, for areas other than Leicestershire.

Two assessments, each run once per session through the real `needs run` into a temporary
outputs folder, from the store built from the full data/raw (the `full_store` fixture) and a
copy of params/ whose areas.yaml names another area:

- Derbyshire, a two-tier county (`county: E10000007`, eight districts). Derbyshire
  Constabulary has police.uk street files for 2023-01..2024-12 only, and its 2024-11 file has
  no anti-social behaviour rows.
- Nottingham, a unitary authority (`unitary: E06000018`). Nottinghamshire Police has no
  police.uk files in the snapshot at all.

Every expected figure is computed here from the raw files with pandas (never with the
project's helpers), and every check can fail.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import golden_snapshot
import pandas as pd
import pytest
from bs4 import BeautifulSoup, NavigableString, Tag
from conftest import FULL_RAW, ROOT, run_cli

pytestmark = pytest.mark.slow

NOTEBOOKS = ("overview", "substance_misuse", "mental_health", "domestic_sexual_violence")
LOOKUPS = FULL_RAW / "lookups"
STREET = FULL_RAW / "police_uk" / "street"
DERBYSHIRE = "E10000007"
CHESTERFIELD = "E07000034"
NOTTINGHAM = "E06000018"
DERBYSHIRE_FORCE = "Derbyshire Constabulary"
NOT_THEIRS = re.compile(r"leicester|rutland", re.IGNORECASE)  # "Leicester" covers the county
GAP = "no police.uk data for Nottinghamshire Police in this snapshot"
FETCH = "needs fetch police --force-area nottinghamshire"
NO_BASELINE = "There is no earlier needs assessment for Derbyshire in the data"
DRUGS_TABLE = "Drug crimes (police.uk) (per 1,000 residents) by period"
MORTALITY_TABLE = "Alcohol-related mortality (per 100,000 (age-standardised)) by period"
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _slug(name: str) -> str:
    """The report folder of an area: its name in lower case, runs of other characters as -."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class AreaRun:
    """One `needs run` of every report of an assessment, and what it wrote."""

    kind: str  # "county" or "unitary", as in areas.yaml
    code: str
    outputs: Path
    done: subprocess.CompletedProcess

    def html(self, rel: str) -> str:
        path = self.outputs / rel
        assert path.is_file(), (
            f"`needs run` for {self.kind}: {self.code} wrote no {rel} "
            f"(exit {self.done.returncode}):\n{self.done.stderr[-3000:]}"
        )
        return path.read_text(encoding="utf-8")

    def soup(self, rel: str) -> BeautifulSoup:
        return BeautifulSoup(self.html(rel), "html.parser")

    def text(self, rel: str) -> str:
        return _words(self.soup(rel).get_text(" "))

    def figures(self) -> pd.DataFrame:
        """Every published cell of every page (the ledgers beside the pages)."""
        found = sorted(self.outputs.rglob("*.figures.csv"))
        assert found, f"no figures ledgers in {self.outputs}"
        return pd.concat(
            [pd.read_csv(f, dtype={"indicator_id": str, "period": str}) for f in found],
            ignore_index=True,
        )

    @cached_property
    def run_json(self) -> dict:
        return json.loads(self.html("run.json"))


def _run(tmp_path_factory, store: Path, kind: str, code: str) -> AreaRun:
    base = tmp_path_factory.mktemp(f"{kind}-{code}")
    params = base / "params"
    params.mkdir()
    for path in (ROOT / "params").glob("*.yaml"):
        shutil.copy(path, params / path.name)
    (params / "areas.yaml").write_text(f"{kind}: {code}\n", encoding="utf-8")
    outputs = base / "outputs"
    done = run_cli(
        "run",
        env={
            "NEEDS_PARAMS_DIR": str(params),
            "NEEDS_PROCESSED_DIR": str(store),
            "NEEDS_OUTPUTS_DIR": str(outputs),
            "NEEDS_RUN_TIME": golden_snapshot.RUN_TIME,
        },
    )
    return AreaRun(kind, code, outputs, done)


@pytest.fixture(scope="session")
def derbyshire(full_store, tmp_path_factory) -> AreaRun:
    return _run(tmp_path_factory, full_store, "county", DERBYSHIRE)


@pytest.fixture(scope="session")
def nottingham(full_store, tmp_path_factory) -> AreaRun:
    return _run(tmp_path_factory, full_store, "unitary", NOTTINGHAM)


# --- expectations from the raw files -------------------------------------------------------


def _report_areas(kind: str, code: str) -> dict[str, str]:
    """{code: name} of the areas that get reports, the upper tier first, from the lookups."""
    if kind == "county":
        lookup = pd.read_csv(LOOKUPS / "LAD19_to_County19_lookup_England_Apr2019.csv", dtype=str)
        rows = lookup[lookup["CTY19CD"] == code]
        assert len(rows), code
        return {code: rows["CTY19NM"].iloc[0]} | dict(
            zip(rows["LAD19CD"], rows["LAD19NM"], strict=True)
        )
    lookup = pd.read_csv(LOOKUPS / "LAD24_CSP24_PFA24_lookup_EW.csv", dtype=str)
    return {code: lookup.loc[lookup["ltla24_code"] == code, "ltla24_name"].item()}


@pytest.fixture(scope="session")
def derbyshire_areas() -> dict[str, str]:
    areas = _report_areas("county", DERBYSHIRE)
    assert len(areas) == 9, areas  # the county and its eight districts
    return areas


@pytest.fixture(scope="session")
def raw_derbyshire_crimes() -> pd.DataFrame:
    """Derbyshire Constabulary's police.uk street rows of 2023 and 2024, each with the local
    authority of its LSOA: 2021 LSOAs through the 2021 lookup, the 2011 codes that the
    January-May 2023 files still use through the 2011 lookup."""
    lsoa21 = pd.read_csv(
        LOOKUPS / "LSOA21_Ward24_LAD24_lookup_EW.csv.gz",
        usecols=["lsoa21_code", "ltla24_code"],
        dtype=str,
    )
    lsoa11 = pd.read_csv(
        LOOKUPS / "LSOA11_MSOA11_LAD17_RGN_lookup.csv.gz",
        usecols=["LSOA11CD", "LAD17CD"],
        dtype=str,
    )
    # the 2021 lookup wins for a code in both
    to_lad = dict(zip(lsoa11["LSOA11CD"], lsoa11["LAD17CD"], strict=True)) | dict(
        zip(lsoa21["lsoa21_code"], lsoa21["ltla24_code"], strict=True)
    )
    files = sorted(p for year in ("2023", "2024") for p in STREET.glob(f"{year}-*-street.csv.gz"))
    rows = pd.concat(
        [
            pd.read_csv(p, usecols=["Month", "Falls within", "LSOA code", "Crime type"], dtype=str)
            for p in files
        ],
        ignore_index=True,
    )
    rows = rows[rows["Falls within"] == DERBYSHIRE_FORCE].copy()
    assert sorted(rows["Month"].unique()) == [
        f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13)
    ], "the snapshot should hold every Derbyshire month of 2023 and 2024"
    rows["lad"] = rows["LSOA code"].map(to_lad)
    rows["year"] = rows["Month"].str[:4]
    return rows


def _raw_count(rows: pd.DataFrame, lads: list[str], year: str, crime_type: str) -> int:
    return int(
        (rows["lad"].isin(lads) & (rows["year"] == year) & (rows["Crime type"] == crime_type)).sum()
    )


def _population(name: str, year: int) -> float:
    """The ONS mid-year estimate the store's denominators come from, by area name."""
    table = pd.read_csv(
        FULL_RAW / "population" / "ons_mye_la_population_mid2011_mid2023_by_name.csv",
        encoding="utf-8-sig",
    )
    return float(table.loc[table["Name"] == name, f"Mid-{year}"].item())


# --- reading pages ---------------------------------------------------------------------------


def _section(soup: BeautifulSoup, heading: str) -> str:
    """The text under the h2 `heading`, up to the next h2 (the pages are flat notebook HTML)."""
    h2 = next((h for h in soup.find_all("h2") if h.get_text(strip=True) == heading), None)
    assert h2 is not None, f"no section {heading!r}"
    parts = []
    for element in h2.next_elements:
        if isinstance(element, Tag) and element.name == "h2":
            break
        if isinstance(element, NavigableString):
            parts.append(str(element))
    return _words(" ".join(parts))


def _table(soup: BeautifulSoup, caption: str) -> list[list[str]]:
    tables = [
        t
        for t in soup.find_all("table")
        if t.caption is not None and t.caption.get_text(" ", strip=True) == caption
    ]
    assert len(tables) == 1, f"{len(tables)} tables captioned {caption!r}"
    return [
        [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
        for tr in tables[0].find_all("tr")
    ]


def _cell(rows: list[list[str]], row: str, column: str) -> str:
    header = rows[0]
    assert column in header, f"no column {column!r} in {header}"
    found = [r for r in rows[1:] if r[0] == row]
    assert len(found) == 1, f"{len(found)} rows for {row!r}"
    return found[0][header.index(column)]


def _numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in NUMBER.findall(text)]


# --- 1. both runs complete and write every report, and an index of them -----------------------


@pytest.mark.parametrize("which", ["derbyshire", "nottingham"])
def test_run_writes_every_report_and_an_index_of_them(which, request):
    run: AreaRun = request.getfixturevalue(which)
    assert run.done.returncode == 0, run.done.stderr[-5000:]
    areas = _report_areas(run.kind, run.code)
    folders = {name: _slug(name) for name in areas.values()}

    written = {p.name for p in run.outputs.iterdir() if p.is_dir() and not p.name.startswith(".")}
    assert written == set(folders.values())
    for folder in folders.values():
        for notebook in NOTEBOOKS:
            assert (run.outputs / folder / f"{notebook}.html").is_file(), f"{folder}/{notebook}"

    reports = run.run_json["reports"]
    assert {(r["area_code"], r["notebook"]) for r in reports} == {
        (code, nb) for code in areas for nb in NOTEBOOKS
    }
    assert [r for r in reports if r["status"] != "ok"] == []

    # the index: one row per report area, linking exactly that area's four pages
    listed = {}
    for tr in run.soup("index.html").find_all("tr"):
        links = {a["href"] for a in tr.find_all("a", href=True)}
        if links and tr.th is not None:
            listed[tr.th.get_text(" ", strip=True)] = links
    assert listed == {
        name: {f"{folder}/{nb}.html" for nb in NOTEBOOKS} for name, folder in folders.items()
    }


# --- 2. nothing of Leicestershire, Leicester or Rutland ---------------------------------------


@pytest.mark.parametrize("which", ["derbyshire", "nottingham"])
def test_no_page_names_leicestershire_leicester_or_rutland(which, request):
    run: AreaRun = request.getfixturevalue(which)
    pages = sorted(run.outputs.rglob("*.html"))
    assert len(pages) >= 2 + len(NOTEBOOKS), pages  # index, compendium and the reports
    found = {
        str(p.relative_to(run.outputs)): sorted({m.group(0) for m in NOT_THEIRS.finditer(text)})
        for p in pages
        if NOT_THEIRS.search(text := _without_similar_areas(p.read_text(encoding="utf-8")))
    }
    assert found == {}


def _without_similar_areas(page: str) -> str:
    """The page without its statistical neighbours, which may be anywhere in England (Leicester
    is one of Nottingham's): "<name> (similar area)" and the note that lists them."""
    page = re.sub(r"<strong>Similar areas:</strong>.*?</p>", "", page, flags=re.S)
    return page.replace("Leicester (similar area)", "")


# --- 3. Nottingham: police.uk is a stated gap, never a zero -----------------------------------


def test_nottingham_police_uk_sections_state_the_gap(nottingham):
    page = nottingham.text("nottingham/substance_misuse.html")
    assert GAP in page
    assert FETCH in page
    sections = {
        "substance_misuse": "Drug crime recorded by the police",
        "domestic_sexual_violence": "Violence and sexual offences recorded by the police",
        "overview": "Where crime is recorded",
    }
    for notebook, heading in sections.items():
        text = _section(nottingham.soup(f"nottingham/{notebook}.html"), heading)
        assert GAP in text, f"{notebook}: {heading}: {text[:500]}"
        assert FETCH in text, f"{notebook}: {heading}"
        assert 0 not in _numbers(text), f"{notebook}: {heading} shows a 0: {text[:1000]}"


def test_nottingham_police_uk_counts_are_never_zero(nottingham, full_store):
    figures = nottingham.figures()
    police = figures[
        (figures["area_code"] == NOTTINGHAM)
        & (
            figures["indicator_id"].fillna("").str.startswith("police_")
            | figures["crime_type"].notna()
        )
    ]
    shown_zero = police[(police["count"] == 0) | (police["value"] == 0)]
    assert shown_zero.empty, shown_zero.to_string()

    values = pd.read_parquet(full_store / "indicator_values.parquet")
    stored = values[
        (values["area_code"] == NOTTINGHAM) & values["indicator_id"].str.startswith("police_")
    ]
    assert stored[(stored["count"] == 0) | (stored["value"] == 0)].empty
    monthly = pd.read_parquet(full_store / "police_monthly.parquet")
    assert monthly[(monthly["area_code"] == NOTTINGHAM) & (monthly["count"] == 0)].empty


# --- 4. Derbyshire's police.uk drugs counts are the raw files' -------------------------------


def test_derbyshire_police_drugs_2023_equals_the_raw_street_files(
    derbyshire, full_store, derbyshire_areas, raw_derbyshire_crimes
):
    assert derbyshire.done.returncode == 0, derbyshire.done.stderr[-3000:]
    districts = [c for c in derbyshire_areas if c != DERBYSHIRE]
    values = pd.read_parquet(full_store / "indicator_values.parquet")
    drugs = values[(values["indicator_id"] == "police_drugs") & (values["period"] == "2023")]
    expected = {d: _raw_count(raw_derbyshire_crimes, [d], "2023", "Drugs") for d in districts}
    expected[DERBYSHIRE] = _raw_count(raw_derbyshire_crimes, districts, "2023", "Drugs")
    assert expected[DERBYSHIRE] == sum(expected[d] for d in districts)
    assert min(expected.values()) > 0
    stored = {
        code: drugs.loc[drugs["area_code"] == code, "count"].tolist() for code in derbyshire_areas
    }
    assert stored == {code: [float(n)] for code, n in expected.items()}


@pytest.mark.parametrize("code", [CHESTERFIELD, DERBYSHIRE])
def test_derbyshire_police_drugs_counts_appear_in_the_substance_misuse_page(
    code, derbyshire, derbyshire_areas, raw_derbyshire_crimes
):
    """The page gives the latest year's count in words (2024) and every year's rate in its
    table, so 2023's raw count shows as its rate per 1,000 residents."""
    name = derbyshire_areas[code]
    lads = [c for c in derbyshire_areas if c != DERBYSHIRE] if code == DERBYSHIRE else [code]
    soup = derbyshire.soup(f"{_slug(name)}/substance_misuse.html")
    text = _words(soup.get_text(" "))

    latest = _raw_count(raw_derbyshire_crimes, lads, "2024", "Drugs")
    assert f"In 2024 {name} recorded {latest:,} drug crimes" in text

    count_2023 = _raw_count(raw_derbyshire_crimes, lads, "2023", "Drugs")
    rate_2023 = count_2023 / _population(name, 2023) * 1000
    assert _cell(_table(soup, DRUGS_TABLE), name, "2023") == f"{rate_2023:.2f}"


# --- 5. Derbyshire's 2024 anti-social behaviour is a gap, never 0 -----------------------------


def test_derbyshire_2024_asb_is_a_gap_not_zero(
    derbyshire, full_store, derbyshire_areas, raw_derbyshire_crimes
):
    asb = raw_derbyshire_crimes[raw_derbyshire_crimes["Crime type"] == "Anti-social behaviour"]
    by_month = asb[asb["year"] == "2024"].groupby("Month").size()
    assert "2024-11" not in by_month.index  # the premise: police.uk published no ASB that month
    assert len(by_month) == 11

    values = pd.read_parquet(full_store / "indicator_values.parquet")
    rows = values[
        (values["indicator_id"] == "police_asb")
        & (values["period"] == "2024")
        & values["area_code"].isin(list(derbyshire_areas))
    ].set_index("area_code")
    assert sorted(rows.index) == sorted(derbyshire_areas)
    assert rows["count"].isna().all(), rows["count"].to_dict()
    assert rows["value"].isna().all(), rows["value"].to_dict()
    for code, note in rows["value_note"].items():
        assert "police.uk did not publish 2024-11" in str(note), (code, note)

    monthly = pd.read_parquet(full_store / "police_monthly.parquet")
    november = monthly[
        monthly["area_code"].isin(list(derbyshire_areas))
        & (monthly["month"] == "2024-11")
        & (monthly["crime_type"] == "Anti-social behaviour")
    ]
    assert november["count"].isna().all(), november.to_string()

    figures = derbyshire.figures()
    shown = figures[(figures["indicator_id"] == "police_asb") & (figures["period"] == "2024")]
    assert shown[(shown["count"] == 0) | (shown["value"] == 0)].empty, shown.to_string()
    monthly_shown = figures[
        (figures["period"] == "2024-11") & (figures["crime_type"] == "Anti-social behaviour")
    ]
    assert monthly_shown[monthly_shown["count"] == 0].empty, monthly_shown.to_string()


# --- 6. a Fingertips value, as the page formats it ------------------------------------------


def test_derbyshire_fingertips_value_appears_in_each_district_page(derbyshire, derbyshire_areas):
    raw = pd.read_csv(
        FULL_RAW / "fingertips" / "alcohol_related_mortality_91382.csv",
        dtype={"area_code": str, "period": str},
    )
    checked = 0
    for code, name in derbyshire_areas.items():
        if code == DERBYSHIRE:
            continue  # published for districts only
        rows = raw[(raw["area_code"] == code) & raw["value"].notna()]
        latest = rows.sort_values("period").iloc[-1]
        shown = f"{latest['value']:.1f}"
        soup = derbyshire.soup(f"{_slug(name)}/substance_misuse.html")
        assert _cell(_table(soup, MORTALITY_TABLE), name, latest["period"]) == shown, name
        text = _words(soup.get_text(" "))
        assert (
            f"In {latest['period']} the alcohol-related mortality rate in {name} was "
            f"{shown} per 100,000"
        ) in text, name
        checked += 1
    assert checked == 8
    assert CHESTERFIELD in derbyshire_areas


# --- 7. no earlier assessment for Derbyshire --------------------------------------------------


def test_derbyshire_has_no_earlier_assessment(derbyshire, derbyshire_areas):
    soup = derbyshire.soup("derbyshire/overview.html")
    section = _section(soup, "Then and now: the previous assessment")
    assert NO_BASELINE in section
    assert _numbers(section) == [], section  # no figures, 2017's or any
    for name in derbyshire_areas.values():
        for notebook in NOTEBOOKS:
            page = derbyshire.soup(f"{_slug(name)}/{notebook}.html")
            text = _words(page.get_text(" "))
            assert "as reported in 2017" not in text, f"{name} {notebook}"
            assert "2017 item" not in text, f"{name} {notebook}"
            captions = [c.get_text(" ", strip=True) for c in page.find_all("caption")]
            assert not [c for c in captions if c.startswith("Then and now")], f"{name} {notebook}"


# --- 8. the disclosure audit -------------------------------------------------------------------


@pytest.mark.parametrize("which", ["derbyshire", "nottingham"])
def test_disclosure_audit_passed(which, request):
    run: AreaRun = request.getfixturevalue(which)
    audit = run.run_json["audit"]
    assert audit["passed"] is True, audit
    assert audit["findings"] == 0, audit
    pages = len(list(run.outputs.rglob("*.html")))
    assert audit["checked"]["pages"] == pages, audit


# --- the index page describes the assessment's own area ---------------------------------------


@pytest.mark.parametrize(
    ("which", "area", "coverage"),
    [
        ("derbyshire", "Derbyshire", "Derbyshire and its eight districts"),
        # not the county that shares its police force ("Nottinghamshire and its seven districts")
        ("nottingham", "Nottingham", "Nottingham, a unitary authority"),
    ],
)
def test_index_describes_the_assessment_area(which, area, coverage, request):
    run: AreaRun = request.getfixturevalue(which)
    soup = run.soup("index.html")
    text = _words(soup.get_text(" "))
    assert coverage in text
    assert not re.search(r"\band its \w+ districts?\b", text.replace(coverage, "")), text[:2000]
    rug = soup.find("h2", id="overview").find_next("table")
    header = [th.get_text(" ", strip=True) for th in rug.find("tr").find_all("th")]
    assert header[1] == area, header
