"""No English area name or GSS area code in the package, its templates, the notebooks, the scripts
or the Makefile: the areas live in params/ (and in test fixtures) only, so the tool runs for any
county or unitary authority. The one exception is the default `area_code` of each notebook's
papermill parameters cell.

The names are every English area in the shipped lookups (districts and unitaries, counties,
regions, police force areas), not a list typed by hand."""

from __future__ import annotations

import csv
import json
import re
from functools import cache
from pathlib import Path

import pytest
from conftest import ROOT

LOOKUPS = ROOT / "data" / "raw" / "lookups"
# (lookup file, code column, name column); a row counts when its code is English (starts "E")
NAME_COLUMNS = [
    ("LAD24_CSP24_PFA24_lookup_EW.csv", "ltla24_code", "ltla24_name"),
    ("LAD24_CSP24_PFA24_lookup_EW.csv", "pfa24_code", "pfa24_name"),
    ("LAD19_to_County19_lookup_England_Apr2019.csv", "CTY19CD", "CTY19NM"),
    ("LAD18_to_Region18_lookup_England.csv", "RGN18CD", "RGN18NM"),
    ("LAD18_to_Region18_lookup_England.csv", "LAD18CD", "LAD18NM"),
]
ENGLAND = "E92000001"  # the national comparator: always named, by name and by code
# GSS codes of English areas: E06 unitaries, E07 districts, E08 metropolitan districts, E09 London
# boroughs, E10 counties, E11 metropolitan counties, E12 regions, E23 police force areas, E92
# England
GSS_CODE = re.compile(r"\bE(?:0[6-9]|1[0-2]|23|92)\d{6}\b")

# Text that contains an area name but names no area: an area name that is also an ordinary English
# word, or the name of a kind of area. Matched in any case (and with a plural "s") before the names
# are looked for, so it hides nothing around it. As few as possible: add an entry only for a real
# false positive, with its reason; never one naming an area of params/areas.yaml (a test checks).
NOT_AREAS = {
    # the borough, and the verb: "Reading police.uk street-level files" in log lines, "Reading
    # sources" in docstrings (and "reading" in lower case, as names of six letters or more are
    # matched in any case: see _fragment)
    "Reading",
    # the ONS kind of area of the E09 codes, as "District" and "Unitary authority" are kinds; the
    # region alone ("London") is still an area name
    "London borough",
}


def scanned_files() -> list[Path]:
    files = [p for p in (ROOT / "helpers").rglob("*.py") if "__pycache__" not in p.parts]
    files += (ROOT / "helpers" / "site" / "templates").glob("*")
    files += (ROOT / "notebooks").glob("*.ipynb")
    files += (ROOT / "scripts").glob("*")
    files.append(ROOT / "Makefile")
    return sorted(p for p in files if p.is_file())


@cache
def lookup_names() -> dict[str, str]:
    """{area code: name} of every English area in the shipped lookups, England left out."""
    names = {}
    for file, code_column, name_column in NAME_COLUMNS:
        with open(LOOKUPS / file, newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                code, name = row[code_column].strip(), row[name_column].strip()
                if code.startswith("E") and code != ENGLAND and name:
                    names[code] = name
    return names


def area_names() -> set[str]:
    """The names to look for. "Bristol, City of" is written "Bristol" (the lookups' ONS style
    puts "City of" / "County of" last), so the part before the comma is a name too."""
    names = set()
    for name in lookup_names().values():
        names.add(name)
        base = re.match(r"(.+), (?:City|County) of$", name)
        if base:
            names.add(base.group(1))
    return names - NOT_AREAS - {"England"}


def _letters(name: str) -> int:
    return sum(ch.isalpha() for ch in name)


def _fragment(name: str) -> str:
    """A name as a regex. Spaces and hyphens match any run of spaces, hyphens or underscores, so
    the slug or identifier of a name ("north-west-leicestershire", "hinckley_and_bosworth") is
    caught; "St." and "King's" match without the stop or apostrophe.

    Case: a name of six letters or more is matched in any case, so file names and identifiers in
    lower case ("seed_2017/leicestershire_2017_headline_figures.csv", "leicester") count. Shorter
    names are matched only as written: in lower case several are ordinary words ("bury", "hart",
    "derby", "swale") and short strings turn up inside technical text, while capitalised a short
    name is much more likely to mean the place. From six letters on, the only
    lower-case ordinary word that occurs in the scanned text is "reading" (see NOT_AREAS)."""
    body = _body(name)
    return f"(?i:{body})" if _letters(name) >= 6 else body


def _body(name: str) -> str:
    parts = []
    for ch in name:
        if ch in " -":
            parts.append(r"[\s_-]+")
        elif ch in "'.":
            parts.append(re.escape(ch) + "?")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


@cache
def _pattern() -> re.Pattern[str]:
    # longest first, so "North West Leicestershire" is one finding, not "Leicestershire"; a name
    # ends at a letter or digit boundary (an underscore separates words, as in identifiers)
    names = sorted(area_names(), key=len, reverse=True)
    allowed = "|".join(f"(?i:{_body(w)}s?)" for w in sorted(NOT_AREAS, key=len, reverse=True))
    return re.compile(
        r"(?<![A-Za-z0-9])(?:(?P<allowed>"
        + allowed
        + r")|(?P<name>"
        + "|".join(_fragment(n) for n in names)
        + r"))(?![A-Za-z0-9])"
    )


def find_areas(text: str) -> list[tuple[int, str]]:
    """(line number, what was found) for each area name or English GSS area code in text."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        # allowed text is consumed as itself, so it is neither reported nor part of a name
        found += [(number, m["name"]) for m in _pattern().finditer(line) if m["name"]]
        found += [(number, m[0]) for m in GSS_CODE.finditer(line) if m[0] != ENGLAND]
    return found


PARAMETER = re.compile(r"""^\s*area_code\s*=\s*(["'])[^"']*\1""")


def _notebook_findings(path: Path) -> list[tuple[str, str]]:
    """Findings in a notebook's cell sources. In the cell tagged "parameters" the value assigned
    to area_code is the notebooks' default area and is skipped; the rest of that line (its
    comment) and of the cell is scanned."""
    found = []
    for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and "parameters" in cell["metadata"].get("tags", []):
            source = "\n".join(PARAMETER.sub("", line) for line in source.splitlines())
        found += [(f"cell {index} line {n}", what) for n, what in find_areas(source)]
    return found


def findings(path: Path) -> list[str]:
    """ "file:line: name" for each area name or code in one scanned file."""
    rel = path.relative_to(ROOT).as_posix()
    if path.suffix == ".ipynb":
        hits = _notebook_findings(path)
    else:
        hits = find_areas(path.read_text(encoding="utf-8"))
    return [f"{rel}:{where}: {what}" for where, what in hits]


# ---------------------------------------------------------------------- the scanner itself


def test_names_come_from_the_lookups():
    names = area_names()
    assert len(names) > 350
    # a district, a county, a region, a force area, a unitary, a London borough, a metropolitan
    # district, and a "City of" name's usual form
    assert {"Charnwood", "Leicestershire", "East Midlands", "Thames Valley", "Rutland"} <= names
    assert {"Camden", "Trafford", "Bristol", "Kingston upon Hull"} <= names
    assert "England" not in names and "Cardiff" not in names  # not Wales


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Charnwood is a district; its code is E07000130.", ["Charnwood", "E07000130"]),
        ("England (E92000001) is the comparator.", []),
        ("North West Leicestershire", ["North West Leicestershire"]),
        ("seed_2017/leicestershire_2017_headline_figures.csv", ["leicestershire"]),
        ("outputs/north-west-leicestershire/overview.html", ["north-west-leicestershire"]),
        (
            "LLR_Leicestershire_Leicester_Rutland.geojson",
            ["Leicestershire", "Leicester", "Rutland"],
        ),
        ("Bristol and Stoke-on-Trent, St Helens", ["Bristol", "Stoke-on-Trent", "St Helens"]),
        (
            "E06000016 E10000018 E12000004 E23000021",
            ["E06000016", "E10000018", "E12000004", "E23000021"],
        ),
        # short names only as written: the words, and the capitalised place
        ("they bury the hart by the swale", []),
        ("Derby and Kent", ["Derby", "Kent"]),
        # not a name: inside a longer word, or an ordinary word, or a code of another kind
        ("Leicestershires Charnwoodian", []),
        ("Reading files; reading lookups", []),
        ("London boroughs, a london_borough, the London region", ["London"]),
        ("LSOA E01000001, ward E05000001, E070001300", []),
    ],
)
def test_find_areas(text, expected):
    assert [what for _line, what in find_areas(text)] == expected


def test_find_areas_gives_line_numbers():
    assert find_areas("nothing\n\nin Melton") == [(3, "Melton")]


def test_parameters_cell_value_is_skipped_but_not_its_comment(tmp_path):
    cells = [
        {
            "cell_type": "code",
            "metadata": {"tags": ["parameters"]},
            "source": ['area_code = "E10000018"  # Leicestershire\n', 'other = "E07000130"'],
        },
        {"cell_type": "code", "metadata": {}, "source": ['area_code = "E10000018"']},
        {"cell_type": "markdown", "metadata": {}, "source": ["For Blaby."]},
    ]
    notebook = tmp_path / "n.ipynb"
    notebook.write_text(json.dumps({"cells": cells}))
    assert _notebook_findings(notebook) == [
        ("cell 0 line 1", "Leicestershire"),
        ("cell 0 line 2", "E07000130"),
        ("cell 1 line 1", "E10000018"),
        ("cell 2 line 1", "Blaby"),
    ]


def test_not_areas_contain_a_name_but_none_of_the_report_areas():
    codes = set(re.findall(r"\bE\d{8}\b", (ROOT / "params" / "areas.yaml").read_text()))
    ours = {lookup_names()[c] for c in codes if c in lookup_names()}
    assert "Leicestershire" in ours
    every = set(lookup_names().values())
    for allowed in NOT_AREAS:
        assert any(re.search(rf"\b{re.escape(n)}\b", allowed) for n in every), allowed
        assert not any(re.search(rf"\b{re.escape(n)}\b", allowed) for n in ours), allowed


# ---------------------------------------------------------------------- the repository


def test_no_area_names_or_codes():
    problems = [line for path in scanned_files() for line in findings(path)]
    assert not problems, (
        "area names or codes belong in params/ (or test fixtures), not here:\n"
        + "\n".join(problems)
    )
