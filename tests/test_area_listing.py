"""`needs areas`: the counties and unitary authorities an analyst can write in params/areas.yaml
(helpers.build.area_listing), on a small made-up table, on the shipped lookups, and through the
real command line."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT, run_cli

from helpers.build import area_listing
from helpers.core.errors import ParamsError
from helpers.sources import places

ENGLAND = places.ENGLAND


def _row(code, name, area_type, tier, county=None, region=None, pfa=None):
    return {
        "area_code": code,
        "area_name": name,
        "area_type": area_type,
        "tier": tier,
        "county_code": county,
        "region_code": region,
        "pfa_code": pfa,
        "csp_code": None,
        "england_code": None if code == ENGLAND else ENGLAND,
    }


@pytest.fixture
def small() -> places.Places:
    """England, one region, two forces; County B with two districts, a unitary named in lower
    case (the sort ignores case), a London borough, and one retired county."""
    rows = [
        _row(ENGLAND, "England", "Country", "country"),
        _row("E12000001", "Region R", "Region", "region"),
        _row("E23000001", "Force One", "Police force area", "force"),
        _row("E23000002", "Force Two", "Police force area", "force"),
        _row("E10000001", "County B", "County", "upper", region="E12000001", pfa="E23000001"),
        _row("E07000001", "District Y", "District", "lower", "E10000001", "E12000001", "E23000001"),
        _row("E07000002", "District X", "District", "lower", "E10000001", "E12000001", "E23000001"),
        _row("E06000001", "alpha", "Unitary authority", "single", None, "E12000001", "E23000002"),
        _row("E09000001", "Borough C", "London borough", "single", None, "E12000001", "E23000002"),
    ]
    areas = pd.DataFrame(rows, columns=places.COLUMNS)
    changes = pd.DataFrame(
        [
            {
                "old_code": "E10000009",
                "old_name": "Old County",
                "old_type": "County",
                "vintage": "2019",
                "new_code": "E06000001",
                "share": 1.0,
            }
        ]
    )
    return places.Places(areas, changes)


@pytest.fixture(scope="module")
def shipped() -> places.Places:
    return places.read_places(ROOT / "data" / "raw" / "lookups")


def _codes(lines: list[str]) -> list[str]:
    """The area codes that start the table rows."""
    return [line.split()[0] for line in lines if line[:1] == "E" and line[1:3].isdigit()]


# ---------------------------------------------------------------------- a made-up table


def test_every_county_and_unitary_sorted_by_name(small):
    lines = area_listing.listing(small)
    assert lines[:4] == [
        "code       name       type               police force area  districts",
        "E06000001  alpha      Unitary authority  Force Two                  0",
        "E09000001  Borough C  London borough     Force Two                  0",
        "E10000001  County B   County             Force One                  2",
    ]
    assert lines[4] == ""
    assert lines[5] == "3 areas."
    assert "'county: <code>'" in lines[6] and "'unitary: <code>'" in lines[6]
    assert "--districts" in lines[7]
    assert len(lines) == 8


@pytest.mark.parametrize(
    ("search", "codes"),
    [
        ("county", ["E10000001"]),
        ("  ALPHA ", ["E06000001"]),
        ("e09", ["E09000001"]),
        ("0000", ["E06000001", "E09000001", "E10000001"]),
        ("", ["E06000001", "E09000001", "E10000001"]),
        ("o", ["E09000001", "E10000001"]),  # any part of the name
    ],
)
def test_search_by_name_or_code_in_any_case(small, search, codes):
    lines = area_listing.listing(small, search=search)
    assert _codes(lines) == codes
    assert f"{len(codes)} area{'' if len(codes) == 1 else 's'}." in lines


def test_a_search_that_finds_a_district_names_its_county(small):
    lines = area_listing.listing(small, search="district x")
    assert (
        lines[0] == "No current county or unitary authority has 'district x' in its name or code."
    )
    assert "E07000002 District X is a district of E10000001 County B" in lines[1]
    assert "write 'county: E10000001'" in lines[1]
    assert len(lines) == 3


def test_a_search_that_finds_nothing(small):
    lines = area_listing.listing(small, search="nowhere")
    assert "has 'nowhere'" in lines[0] and len(lines) == 2 and not _codes(lines)


def test_the_districts_of_a_county(small):
    lines = area_listing.listing(small, county=" e10000001 ")
    assert lines[0] == "Districts of E10000001 County B (county; police force area Force One):"
    assert lines[1:4] == ["code       name", "E07000001  District Y", "E07000002  District X"]
    assert lines[5].startswith("2 districts.") and "report_areas" in lines[5]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("E06000001", ["not a county", "write 'unitary: E06000001'"]),
        ("E07000001", ["is a district of E10000001", "write 'county: E10000001'"]),
        ("E10000009", ["retired", "write 'unitary: E06000001'"]),
        ("E10000002", ["did you mean", "E10000001 (County B)"]),
        ("County B", ["names the area", "write 'county: E10000001'"]),
    ],
)
def test_districts_of_something_else_says_what_to_use(small, code, words):
    with pytest.raises(ParamsError) as caught:
        area_listing.listing(small, county=code)
    assert caught.value.path is None  # no file is involved
    for word in words:
        assert word in caught.value.message


def test_listing_leaves_the_table_unchanged(small):
    before = small.areas.copy()
    area_listing.listing(small, search="b")
    area_listing.listing(small, county="E10000001")
    pd.testing.assert_frame_equal(small.areas, before)


# ---------------------------------------------------------------------- the shipped lookups


def test_the_shipped_list_has_every_county_and_unitary(shipped):
    lines = area_listing.listing(shipped)
    codes = _codes(lines)
    table = shipped.areas
    upper = table[table["tier"].isin(["upper", "single"])]
    assert sorted(codes) == sorted(upper["area_code"]) and len(codes) == 153
    names = dict(zip(table["area_code"], table["area_name"], strict=True))
    shown = [names[c].casefold() for c in codes]
    assert shown == sorted(shown)
    assert f"{len(codes)} areas." in lines
    (row,) = [line for line in lines if line.startswith("E10000007 ")]
    assert row.split()[-1] == "8" and "County" in row


def test_a_shipped_county_and_unitary_show_their_force(shipped):
    lines = area_listing.listing(shipped, search="E10000018")
    (row,) = [line for line in lines if line.startswith("E10000018")]
    assert row.split()[-1] == "7"
    lines = area_listing.listing(shipped, search="E06000018")
    (row,) = [line for line in lines if line.startswith("E06000018")]
    assert "Nottinghamshire" in row and row.split()[-1] == "0"


# ---------------------------------------------------------------------- the command


def test_needs_areas_search():
    result = run_cli("areas", "--search", "leic")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output
    codes = _codes(result.stdout.splitlines())
    assert "E10000018" in codes and "E06000016" in codes
    assert all("leic" in line.casefold() for line in result.stdout.splitlines()[1 : len(codes)])


def test_needs_areas_districts():
    result = run_cli("areas", "--districts", "E10000007")
    assert result.returncode == 0, result.stdout + result.stderr
    codes = _codes(result.stdout.splitlines())
    assert codes == [f"E0700{n:04d}" for n in range(32, 40)]
    assert "8 districts." in result.stdout


def test_needs_areas_refuses_a_unitary_for_districts():
    result = run_cli("areas", "--districts", "E06000016")
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert "Error: " in result.stderr and "write 'unitary: E06000016'" in result.stderr


def test_needs_areas_takes_search_or_districts_not_both():
    result = run_cli("areas", "--search", "x", "--districts", "E10000007")
    assert result.returncode == 2 and "not allowed with" in result.stderr
