"""The compendium page and its partner exports."""

from __future__ import annotations

import pandas as pd


def test_compendium_outputs(site_run):
    outputs, _ = site_run
    page = (outputs / "compendium.html").read_text()
    csv = pd.read_csv(outputs / "compendium.csv")
    xlsx = pd.read_excel(outputs / "compendium.xlsx")
    assert len(csv) == len(xlsx) > 20
    assert {"police_drugs", "848", "gap_domestic_abuse"} <= set(csv["id"])
    drugs = csv.set_index("id").loc["police_drugs"]
    assert drugs["District"] == "✓ available" and drugs["England"] == "✗ gap"
    assert drugs["latest_period"] == 2024 or str(drugs["latest_period"]) == "2024"
    assert 'id="search"' in page and "<script>" in page and "<script src" not in page
    assert "Availability by geography" in page
