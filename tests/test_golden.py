"""The golden back-test: the shipped data must still make what was frozen in tests/golden/.

A refactor must not change what a stakeholder reads. A change that does is recorded on purpose,
in its own commit that says why, by running `.venv/bin/python tests/golden_snapshot.py`."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from golden_snapshot import (
    GOLDEN,
    read_csv,
    read_golden,
    reports_snapshot,
    store_snapshot,
)

pytestmark = pytest.mark.slow
FIX = "if the change is intended, run `.venv/bin/python tests/golden_snapshot.py` and commit it"


@pytest.fixture(scope="module")
def golden() -> dict[str, str]:
    files = read_golden()
    assert files, f"no golden files in {GOLDEN}"
    return files


def _same_files(fresh: dict[str, str], stored: dict[str, str]) -> None:
    have, want = set(fresh), set(stored)
    assert have == want, f"added {sorted(have - want)}, gone {sorted(want - have)}; {FIX}"


def test_store_matches_golden(full_store, golden):
    fresh = store_snapshot(full_store)
    stored = {k: v for k, v in golden.items() if not k.startswith("reports/")}
    _same_files(fresh, stored)
    for rel, text in fresh.items():
        if rel.endswith(".json"):
            assert json.loads(text) == json.loads(stored[rel]), f"{rel} differs; {FIX}"
            continue
        # numbers within 1e-9 relative: the CSV keeps 12 significant figures
        pd.testing.assert_frame_equal(
            read_csv(text), read_csv(stored[rel]), check_exact=False, rtol=1e-9, obj=rel
        )


def test_reports_match_golden(site_run, golden):
    outputs, _status = site_run
    fresh = reports_snapshot(outputs)
    stored = {k: v for k, v in golden.items() if k.startswith("reports/")}
    _same_files(fresh, stored)
    for rel, text in fresh.items():
        have, want = json.loads(text), json.loads(stored[rel])
        for part in want:
            assert have[part] == want[part], f"{rel}: the {part} differ; {FIX}"
