"""The national areas table, the retired codes and params/areas.yaml resolved against them
(helpers.sources.places), all from the real shipped lookups in data/raw/lookups.

The expected parents are read from the lookup files here with pandas, not through the readers
the table is built with."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from helpers.core import config
from helpers.core.errors import ParamsError
from helpers.sources import places

LOOKUPS = ROOT / "data" / "raw" / "lookups"
LEICESTERSHIRE_DISTRICTS = (
    "E07000129",
    "E07000130",
    "E07000131",
    "E07000132",
    "E07000133",
    "E07000134",
    "E07000135",
)


@pytest.fixture(scope="module")
def found() -> places.Places:
    return places.read_places(LOOKUPS)


@pytest.fixture(scope="module")
def areas(found) -> pd.DataFrame:
    return found.areas.set_index("area_code", drop=False)


@pytest.fixture(scope="module")
def lookup_pfa() -> pd.DataFrame:
    """LAD 2024 -> police force area, English rows, straight from the file."""
    frame = pd.read_csv(LOOKUPS / "LAD24_CSP24_PFA24_lookup_EW.csv", dtype=str)
    return frame[frame["ltla24_code"].str.startswith("E")]


@pytest.fixture(scope="module")
def lookup_county() -> pd.DataFrame:
    frame = pd.read_csv(
        LOOKUPS / "LAD19_to_County19_lookup_England_Apr2019.csv", dtype=str, encoding="utf-8-sig"
    )
    return frame[frame["CTY19CD"].str.startswith("E10")]


@pytest.fixture(scope="module")
def lookup_region() -> pd.DataFrame:
    return pd.read_csv(
        LOOKUPS / "LAD18_to_Region18_lookup_England.csv", dtype=str, encoding="utf-8-sig"
    )


def _tier(areas: pd.DataFrame, *tiers: str) -> pd.DataFrame:
    return areas[areas["tier"].isin(tiers)]


# ---------------------------------------------------------------------- the national table


def test_counts_by_tier(areas):
    counts = areas["tier"].value_counts().to_dict()
    assert counts["lower"] + counts["single"] == 296
    assert counts["upper"] == 21
    assert counts["region"] == 9
    assert counts["force"] == 39
    assert counts["country"] == 1
    assert set(counts) == {"lower", "single", "upper", "region", "force", "country"}
    assert areas["area_code"].is_unique


def test_the_table_matches_the_lookups_local_authorities(areas, lookup_pfa):
    local = _tier(areas, "lower", "single")
    assert set(local.index) == set(lookup_pfa["ltla24_code"])
    assert set(_tier(areas, "force").index) == set(lookup_pfa["pfa24_code"])
    assert areas.loc[places.ENGLAND, "tier"] == "country"


def test_every_area_has_its_parents(areas):
    lower = _tier(areas, "lower")
    uppers = set(_tier(areas, "upper").index)
    assert lower["county_code"].notna().all()
    assert set(lower["county_code"]) <= uppers
    assert set(lower["county_code"]) == uppers  # and every county has districts
    assert _tier(areas, "single")["county_code"].isna().all()
    local = _tier(areas, "lower", "single")
    assert local["region_code"].notna().all()
    assert set(local["region_code"]) <= set(_tier(areas, "region").index)
    assert local["pfa_code"].notna().all()
    assert set(local["pfa_code"]) <= set(_tier(areas, "force").index)
    others = areas[areas["area_code"] != places.ENGLAND]
    assert (others["england_code"] == places.ENGLAND).all()


@pytest.mark.parametrize(
    "code",
    [
        "E07000130",  # a district of a county
        "E07000032",  # a district of another county, in another force
        "E06000016",  # a unitary authority
        "E08000003",  # a metropolitan district
        "E09000007",  # a London borough
    ],
)
def test_parents_agree_with_the_lookup_files(code, areas, lookup_pfa, lookup_county, lookup_region):
    row = areas.loc[code]
    pfa = lookup_pfa.loc[lookup_pfa["ltla24_code"] == code, "pfa24_code"].unique()
    assert list(pfa) == [row["pfa_code"]]
    region = lookup_region.loc[lookup_region["LAD18CD"] == code, "RGN18CD"]
    assert list(region) == [row["region_code"]]
    county = lookup_county.loc[lookup_county["LAD19CD"] == code, "CTY19CD"]
    if code.startswith("E07"):
        assert row["tier"] == "lower"
        assert list(county) == [row["county_code"]]
    else:
        assert row["tier"] == "single" and county.empty
        assert pd.isna(row["county_code"])


def test_every_parent_agrees_with_the_lookup_files(areas, lookup_pfa, lookup_county, lookup_region):
    lower = _tier(areas, "lower")
    county = dict(zip(lookup_county["LAD19CD"], lookup_county["CTY19CD"], strict=True))
    assert {c: county.get(c) for c in lower.index} == dict(lower["county_code"])
    pfa = dict(zip(lookup_pfa["ltla24_code"], lookup_pfa["pfa24_code"], strict=False))
    local = _tier(areas, "lower", "single")
    assert dict(local["pfa_code"]) == {c: pfa[c] for c in local.index}
    region = dict(zip(lookup_region["LAD18CD"], lookup_region["RGN18CD"], strict=True))
    still = [c for c in local.index if c in region]
    assert len(still) > 280  # only the newest unitaries are missing from the 2018 lookup
    assert {c: local.at[c, "region_code"] for c in still} == {c: region[c] for c in still}


def test_a_county_takes_its_districts_force_and_region(areas, lookup_pfa):
    row = areas.loc["E10000018"]
    assert (row["tier"], row["area_type"]) == ("upper", "County")
    assert row["region_code"] == "E12000004"
    forces = lookup_pfa.loc[lookup_pfa["ltla24_code"].isin(LEICESTERSHIRE_DISTRICTS), "pfa24_code"]
    assert set(forces) == {row["pfa_code"]} == {"E23000021"}


# ---------------------------------------------------------------------- retired codes


def _successors(found, code) -> dict[str, float]:
    rows = found.changes[found.changes["old_code"] == code]
    return dict(zip(rows["new_code"], rows["share"], strict=True))


def test_a_county_that_became_one_unitary(found):
    assert _successors(found, "E10000023") == {"E06000065": 1.0}


def test_a_county_split_in_two(found):
    shares = _successors(found, "E10000021")
    assert set(shares) == {"E06000061", "E06000062"}
    assert sum(shares.values()) == pytest.approx(1, abs=0.002)
    assert all(0.3 < s < 0.7 for s in shares.values())


def test_a_2019_only_district_takes_its_successor(found):
    assert _successors(found, "E07000246") == {"E06000066": 1.0}
    rows = found.changes[found.changes["old_code"] == "E07000246"]
    assert set(rows["vintage"]) == {"2019"}


def test_a_2017_unitary_merged_into_a_new_one(found):
    assert _successors(found, "E06000028") == {"E06000058": 1.0}


def test_retired_codes_are_not_current_and_lead_to_current_areas(found, areas):
    changes = found.changes
    assert len(changes) and not set(changes["old_code"]) & set(areas.index)
    assert set(changes["new_code"]) <= set(_tier(areas, "upper", "lower", "single").index)
    sums = changes.groupby("old_code")["share"].sum()
    assert ((sums - 1).abs() <= 0.002).all(), sums[(sums - 1).abs() > 0.002]


def test_describe_changes_has_one_line_per_retired_code(found):
    lines = places.describe_changes(found)
    retired = set(found.changes["old_code"])
    assert len(lines) == len(retired)
    assert {line.split()[0] for line in lines} == retired
    (split,) = [line for line in lines if line.startswith("E10000021 ")]
    assert "E06000061" in split and "E06000062" in split and "%" in split
    (merged,) = [line for line in lines if line.startswith("E06000028 ")]
    assert "-> E06000058" in merged and "%" not in merged


# ---------------------------------------------------------------------- params/areas.yaml


def _params(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "params"
    folder.mkdir()
    (folder / "areas.yaml").write_text(text, encoding="utf-8")
    return folder


def _spec(kind: str, code: str, report=None) -> config.AreaSpec:
    return config.AreaSpec(kind, code, report, Path("params/areas.yaml"))


def _refused(found, kind: str, code: str, report=None) -> ParamsError:
    with pytest.raises(ParamsError) as caught:
        places.resolve(_spec(kind, code, report), found)
    error = caught.value
    assert error.fix and error.message.count("What to do:") == 1, error.message
    assert error.path == Path("params/areas.yaml")
    return error


def test_the_default_county(tmp_path, found):
    spec = config.area_spec(_params(tmp_path, "county: E10000018\n"))
    assert (spec.kind, spec.code, spec.report_areas) == ("county", "E10000018", None)
    areas = places.resolve(spec, found)
    assert (areas.upper, areas.kind) == ("E10000018", "county")
    assert areas.districts == LEICESTERSHIRE_DISTRICTS
    assert areas.force_area == "E23000021"
    assert set(areas.force_parts) == {"E10000018", "E06000016", "E06000017"}
    assert len(areas.force_parts) == 3
    assert set(areas.force_members) == {"E06000016", "E06000017", *LEICESTERSHIRE_DISTRICTS}
    assert (areas.region, areas.england) == ("E12000004", "E92000001")
    assert areas.report_areas == ("E10000018", *LEICESTERSHIRE_DISTRICTS)


def test_a_unitary_authority(found, lookup_pfa):
    areas = places.resolve(_spec("unitary", "E06000018"), found)
    assert (areas.upper, areas.kind, areas.districts) == ("E06000018", "unitary", ())
    assert areas.force_area == "E23000019"
    members = lookup_pfa.loc[lookup_pfa["pfa24_code"] == "E23000019", "ltla24_code"]
    assert set(areas.force_members) == set(members) and len(members) == 8
    assert set(areas.force_parts) == {"E06000018", "E10000024"}
    assert areas.report_areas == ("E06000018",)


def test_report_areas_chosen_from_the_county(found):
    areas = places.resolve(_spec("county", "E10000018", ("E07000130", "E07000133")), found)
    assert areas.report_areas == ("E07000130", "E07000133")
    assert areas.districts == LEICESTERSHIRE_DISTRICTS


def test_a_retired_county_names_its_successor(found):
    error = _refused(found, "county", "E10000023")
    assert "E10000023" in error.problem and "retired" in error.problem
    assert "write 'unitary: E06000065'" in error.fix


def test_a_retired_district_names_its_successor(found):
    error = _refused(found, "unitary", "E07000246")
    assert "2019" in error.problem
    assert "write 'unitary: E06000066'" in error.fix


def test_a_split_county_is_ambiguous(found):
    error = _refused(found, "county", "E10000021")
    assert "ambiguous" in error.problem
    assert "choose one" in error.fix
    assert "'unitary: E06000061'" in error.fix and "'unitary: E06000062'" in error.fix


@pytest.mark.parametrize("kind", ["county", "unitary"])
def test_a_district_is_not_an_upper_tier_area(found, kind):
    error = _refused(found, kind, "E07000130")
    assert "is a district of E10000018" in error.problem
    assert "write 'county: E10000018'" in error.fix
    assert "report_areas: [E07000130]" in error.fix


def test_a_county_is_not_a_unitary_authority(found):
    error = _refused(found, "unitary", "E10000018")
    assert "is a county" in error.problem
    assert "write 'county: E10000018'" in error.fix


def test_a_unitary_authority_is_not_a_county(found):
    error = _refused(found, "county", "E06000016")
    assert "not a county" in error.problem
    assert "write 'unitary: E06000016'" in error.fix


def test_a_police_force_area_is_not_a_local_authority(found):
    error = _refused(found, "county", "E23000021")
    assert "police force area" in error.problem and "not a local authority" in error.problem
    assert "'county: <code>'" in error.fix and "'unitary: <code>'" in error.fix


@pytest.mark.parametrize(
    ("kind", "name", "fix"),
    [
        ("county", "Leicestershire", "write 'county: E10000018'"),
        ("unitary", "leicester", "write 'unitary: E06000016'"),
        ("county", "LEICESTER", "write 'unitary: E06000016'"),
    ],
)
def test_a_name_instead_of_a_code(found, kind, name, fix):
    error = _refused(found, kind, name)
    assert "names the area" in error.problem and "ONS code" in error.problem
    assert fix in error.fix


def test_a_district_name_says_it_is_not_upper_tier(found):
    error = _refused(found, "county", "Charnwood")
    assert "names the area" in error.problem
    assert "E07000130" in error.fix and "not an upper-tier area" in error.fix


@pytest.mark.parametrize("typo", ["E1000018", "E10000O18", "Leicestershir"])
def test_a_typo_suggests_the_nearest_codes(found, typo):
    error = _refused(found, "county", typo)
    assert "is not a current English county code" in error.problem
    assert error.fix.startswith("did you mean")
    assert "E10000018 (Leicestershire)" in error.fix
    assert "write 'county: <code>'" in error.fix


def test_an_unknown_code_with_nothing_close(found):
    error = _refused(found, "unitary", "X")
    assert "not a current English unitary authority code" in error.problem
    assert "did you mean" not in error.fix and "write 'unitary: <code>'" in error.fix


def test_report_areas_outside_the_county(found):
    error = _refused(found, "county", "E10000018", ("E07000130", "E06000016"))
    assert "report_areas has E06000016" in error.problem
    assert "E07000130" not in error.problem
    assert "list only" in error.fix
    for code in ("E10000018", *LEICESTERSHIRE_DISTRICTS):
        assert code in error.fix
    assert "E06000016" not in error.fix


def test_report_areas_of_a_unitary_authority_are_itself_only(found):
    error = _refused(found, "unitary", "E06000018", ("E07000170",))
    assert "list only E06000018" in error.fix and "districts" not in error.problem


# ---------------------------------------------------------------------- config.area_spec


def _spec_error(tmp_path: Path, text: str) -> ParamsError:
    folder = _params(tmp_path, text)
    with pytest.raises(ParamsError) as caught:
        config.area_spec(folder)
    assert caught.value.path == folder / "areas.yaml"
    assert caught.value.fix
    return caught.value


def test_area_spec_reads_the_file(tmp_path):
    folder = _params(tmp_path, "unitary: E06000018\nreport_areas: [E06000018]\n")
    assert config.area_spec(folder) == config.AreaSpec(
        "unitary", "E06000018", ("E06000018",), folder / "areas.yaml"
    )


def test_an_old_districts_list_is_refused(tmp_path):
    error = _spec_error(tmp_path, "county: E10000018\ndistricts: [E07000129, E07000130]\n")
    assert "unknown setting 'districts'" in error.problem
    assert "come from the lookups" in error.fix and "'county:'" in error.fix


def test_both_county_and_unitary(tmp_path):
    error = _spec_error(tmp_path, "county: E10000018\nunitary: E06000016\n")
    assert "exactly one of 'county:' or 'unitary:'" in error.problem
    assert "both are set" in error.problem


def test_neither_county_nor_unitary(tmp_path):
    error = _spec_error(tmp_path, "report_areas: [E10000018]\n")
    assert "exactly one of 'county:' or 'unitary:'" in error.problem
    assert "both" not in error.problem
    assert "'county: " in error.fix and "'unitary: <code>'" in error.fix


def test_empty_report_areas(tmp_path):
    error = _spec_error(tmp_path, "county: E10000018\nreport_areas: []\n")
    assert "report_areas is empty" in error.problem
    assert "remove it" in error.fix


def test_report_areas_that_are_not_codes(tmp_path):
    error = _spec_error(tmp_path, "county: E10000018\nreport_areas: [Charnwood]\n")
    assert "not a GSS code" in error.problem


def test_a_yaml_syntax_error_names_the_line_and_column(tmp_path):
    error = _spec_error(tmp_path, "county: E10000018\n  unitary: E06000016\n")
    assert "malformed YAML at line 2, column 10" in error.problem
    assert "YAML syntax" in error.fix
