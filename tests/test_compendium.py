"""The compendium is the single source of truth: complete, and covering what reports use."""

from __future__ import annotations

import re

import pandas as pd
from conftest import ROOT

from helpers.sources import compendium


def test_every_entry_is_complete():
    entries = compendium.load()
    for entry in entries:
        for key in compendium.REQUIRED:
            assert str(entry[key]).strip(), (entry["id"], key)


def test_all_19_headline_items_of_2017_are_covered():
    baseline = pd.read_csv(ROOT / "data/raw/seed_2017/leicestershire_2017_headline_figures.csv")
    items = set(baseline["item"].dropna())
    assert len(items) == 19
    covered = {i for e in compendium.load() for i in e.get("baseline_2017", [])}
    covered |= {i for g in compendium.load_gaps() for i in g["baseline_2017"]}
    assert items <= covered, sorted(items - covered)


def test_every_notebook_indicator_has_an_entry():
    ids = {e["id"] for e in compendium.load()}
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        text = notebook.read_text()
        used = set(re.findall(r'r\.(?:section|map)\(\\"([^\\"]+)\\"', text))
        used |= {
            i
            for group in re.findall(r"\[([^\]]*)\]", text)
            for i in re.findall(r'\\"([a-z0-9_]+)\\"', group)
        }
        used -= {"substance_misuse", "mental_health", "domestic_sexual_violence", "overview"}
        used = {i for i in used if not re.fullmatch(r"\d{4}", i)}  # years given to r.links
        assert used, notebook
        assert used <= ids, (notebook.name, sorted(used - ids))


HEALTH_INDEX_METHODOLOGY = (
    "https://www.ons.gov.uk/peoplepopulationandcommunity/healthandsocialcare/healthandwellbeing/"
    "methodologies/healthindexindicatorsanddefinitions"
)


def test_health_index_entries_state_the_ons_unit_and_cite_the_methodology():
    """Every Health Index input has the unit ONS gives it (data/health_index_units.md), none is
    left "not stated", and each definition cites ONS's indicators-and-definitions page."""
    entries = [e for e in compendium.load() if e["source"]["kind"] == "health_index"]
    assert entries
    for entry in entries:
        for key in ("unit", "caveats"):
            assert "not stated" not in str(entry[key]).lower(), (entry["id"], key)
        assert HEALTH_INDEX_METHODOLOGY in str(entry["definition"]), entry["id"]


def _fetched(tmp_path, *entries: dict):
    path = tmp_path / compendium.FETCHED_NAME
    compendium.write_fetched(path, list(entries))
    return path


def _fingertips_entry(ident: str, **changes) -> dict:
    entry = {
        "id": ident,
        "name": f"Fetched {ident}",
        "measure": f"fetched {ident}",
        "priority": "mental_health",
        "definition": "From the API",
        "value_type": "Directly standardised rate",
        "unit": "per 100,000",
        "polarity": "low_is_good",
        "publisher": "Office for Health Improvement and Disparities",
        "dataset": "Fingertips public health profiles (API)",
        "link": "https://fingertips.phe.org.uk/api/",
        "frequency": "Annual",
        "benchmark": "Fingertips' own comparison with England",
        "disclosure": "as applied by Fingertips",
        "caveats": "API caveats",
        "retrieved": "2026-11-26",
        "source": {"kind": "fingertips", "file": f"api/fingertips_{ident}.csv", "sex": "Persons"},
    }
    return entry | changes


def test_a_fetch_refreshes_published_metadata_but_keeps_the_hand_written_name(tmp_path):
    path = _fetched(tmp_path, _fingertips_entry("91414", name="API name", priority="overview"))
    merged = {e["id"]: e for e in compendium.load(fetched=path)}
    listed = {e["id"]: e for e in compendium.load()}
    hand = listed["91414"]
    assert merged["91414"]["definition"] == "From the API"
    assert merged["91414"]["source"]["file"] == "api/fingertips_91414.csv"
    assert merged["91414"]["name"] == hand["name"]
    assert merged["91414"]["priority"] == hand["priority"] == "substance_misuse"
    assert merged.keys() == listed.keys()


def test_a_fetched_indicator_closes_its_gap_and_takes_its_2017_item(tmp_path):
    path = _fetched(tmp_path, _fingertips_entry("41001"))
    merged = {e["id"]: e for e in compendium.load(fetched=path)}
    assert merged["41001"]["baseline_2017"] == ["xiii"]
    gaps = {g["id"] for g in compendium.load_gaps(fetched=path)}
    assert "gap_suicide_rate" not in gaps
    assert "gap_suicide_rate" in {g["id"] for g in compendium.load_gaps()}


def test_write_fetched_replaces_by_id(tmp_path):
    path = _fetched(tmp_path, _fingertips_entry("41001"), _fingertips_entry("90812"))
    compendium.write_fetched(path, [_fingertips_entry("41001", definition="Newer")])
    entries = {e["id"]: e for e in compendium._entries(path)}
    assert set(entries) == {"41001", "90812"} and entries["41001"]["definition"] == "Newer"


def test_every_computed_statistic_names_its_confidence_limit_method():
    from helpers import stats

    entries = {e["id"]: e for e in compendium.load()}
    assert entries["csp_sexual_offences"]["ci_method"] == "phe"  # crude rate: the PHE rule
    assert entries["21001"]["ci_method"] == "dobson"  # a DSR
    assert entries["hi_suicides"]["ci_method"] is None  # published values: none computed
    frame = compendium.to_frame(list(entries.values())).set_index("id")
    assert frame.loc["csp_sexual_offences", "ci_method_words"] == stats.CI_METHODS["phe"]
    assert frame.loc["hi_suicides", "ci_method_words"] == compendium.NO_LIMITS


def test_a_ci_method_that_does_not_fit_the_statistic_is_refused(tmp_path):
    import pytest

    from helpers.core.errors import ParamsError

    text = (ROOT / "data" / "compendium.yaml").read_text()
    bad = tmp_path / "compendium.yaml"
    bad.write_text(
        text.replace(
            "  - id: csp_sexual_offences\n",
            "  - id: csp_sexual_offences\n    ci_method: wilson\n",
            1,
        )
    )
    with pytest.raises(ParamsError, match="ci_method 'wilson'") as err:
        compendium.load(bad)
    assert "exact_uniroot" in str(err.value) and "compendium.yaml" in str(err.value)
