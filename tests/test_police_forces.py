"""data/police_forces.csv: the 43 territorial forces, agreeing with the ONS lookup and with the
force names the real street files carry; and its reader's refusals."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import FULL_RAW, ROOT

from helpers.core.errors import DataError
from helpers.sources import police_forces

LOOKUP = FULL_RAW / "lookups" / "LAD24_CSP24_PFA24_lookup_EW.csv"
STREET = FULL_RAW / "police_uk" / "street"
HEADER = "pfa_code,pfa_name,police_uk_id,falls_within\n"


@pytest.fixture(scope="module")
def forces() -> pd.DataFrame:
    return police_forces.read_police_forces(police_forces.default_path())


def test_the_shipped_table_has_the_43_territorial_forces(forces):
    assert len(forces) == 43
    assert police_forces.default_path().name == "police_forces.csv"
    # neither British Transport Police nor the Police Service of Northern Ireland
    assert not {"btp", "northern-ireland"} & set(forces["police_uk_id"])
    assert forces["police_uk_id"].str.fullmatch(r"[a-z0-9-]+").all()


def test_every_force_area_is_the_lookups_and_named_as_there(forces):
    lookup = pd.read_csv(LOOKUP, encoding="utf-8-sig", dtype=str)
    assert set(forces["pfa_code"]) == set(lookup["pfa24_code"])
    names = lookup.drop_duplicates("pfa24_code").set_index("pfa24_code")["pfa24_name"]
    assert forces.set_index("pfa_code")["pfa_name"].to_dict() == names.to_dict()


def test_the_ids_are_the_ones_data_police_uk_uses(forces):
    ids = forces.set_index("pfa_name")["police_uk_id"]
    assert ids["Leicestershire"] == "leicestershire"
    assert ids["Metropolitan Police"] == "metropolitan"
    assert ids["London, City of"] == "city-of-london"
    assert ids["Devon & Cornwall"] == "devon-and-cornwall"
    assert ids["Dyfed-Powys"] == "dyfed-powys"


def _falls_within(path) -> set[str]:
    frame = pd.read_csv(path, usecols=["Reported by", "Falls within"], dtype=str)
    return set(frame["Falls within"]) | set(frame["Reported by"])


@pytest.mark.parametrize("police_uk_id", ["leicestershire", "derbyshire"])
def test_falls_within_is_what_the_street_files_say(forces, police_uk_id):
    path = STREET / f"2024-01-{police_uk_id}-street.csv.gz"
    if police_uk_id != "leicestershire" and not path.exists():
        # another force's months are being added to data/raw; until then there is nothing to read
        pytest.skip(f"{path.relative_to(ROOT)} is not in the repository yet")
    row = forces.set_index("police_uk_id").loc[police_uk_id]
    assert _falls_within(path) == {row["falls_within"]}


def test_values_are_stripped(tmp_path):
    path = tmp_path / "forces.csv"
    path.write_text(
        HEADER + " E23000021 , Leicestershire ,leicestershire , Leicestershire Police\n"
    )
    row = police_forces.read_police_forces(path).iloc[0].to_dict()
    assert row == {
        "pfa_code": "E23000021",
        "pfa_name": "Leicestershire",
        "police_uk_id": "leicestershire",
        "falls_within": "Leicestershire Police",
    }


def test_a_missing_column_is_named_with_the_fix(tmp_path):
    path = tmp_path / "forces.csv"
    path.write_text("pfa_code,pfa_name,police_uk,falls_within\nE23000021,L,leicestershire,L P\n")
    with pytest.raises(DataError) as caught:
        police_forces.read_police_forces(path)
    message = caught.value.message
    assert "forces.csv" in message
    assert "lacks the column 'police_uk_id'" in message
    assert "'police_uk' looks like a renamed 'police_uk_id'" in message
    assert "What to do:" in message and "git checkout -- data/police_forces.csv" in message


def test_a_force_listed_twice_is_refused_with_its_lines(tmp_path):
    path = tmp_path / "forces.csv"
    path.write_text(
        HEADER + "E23000021,Leicestershire,leicestershire,Leicestershire Police\n"
        "E23000018,Derbyshire,leicestershire,Derbyshire Constabulary\n"
    )
    with pytest.raises(DataError) as caught:
        police_forces.read_police_forces(path)
    message = caught.value.message
    assert "column 'police_uk_id' fails field_uniqueness at line 2, 3" in message
    assert "'leicestershire'" in message
    assert "each force once" in message


@pytest.mark.parametrize(
    ("row", "phrase"),
    [
        ("E23000021,Leicestershire,Leicestershire Police,Leicestershire Police", "str_matches"),
        ("E23000021,Leicestershire,leicestershire,", "column 'falls_within' fails not_nullable"),
        ("E0700012,Leicestershire,leicestershire,Leicestershire Police", "'pfa_code' fails"),
    ],
)
def test_a_malformed_row_is_refused(tmp_path, row, phrase):
    path = tmp_path / "forces.csv"
    path.write_text(HEADER + row + "\n")
    with pytest.raises(DataError, match="line 2") as caught:
        police_forces.read_police_forces(path)
    assert phrase in caught.value.message


def test_duplicate_codes_and_names_are_refused_too(tmp_path):
    path = tmp_path / "forces.csv"
    path.write_text(
        HEADER + "E23000021,Leicestershire,leicestershire,Leicestershire Police\n"
        "E23000021,Leicestershire,leics,Leicestershire Police\n"
    )
    with pytest.raises(DataError) as caught:
        police_forces.read_police_forces(path)
    assert "column 'pfa_code' fails field_uniqueness" in caught.value.message
    assert "column 'falls_within' fails field_uniqueness" in caught.value.message
