"""The compendium is the single source of truth: complete, and covering what reports use."""

from __future__ import annotations

import re

import pandas as pd
from conftest import ROOT

from helpers import compendium


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
