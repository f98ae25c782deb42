"""data/sources.yaml: complete provenance, and every hash matches the shipped file."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, FULL_RAW, ROOT, SUBSET_RAW

from helpers.core.errors import ManifestError
from helpers.sources import manifest


@pytest.mark.parametrize(
    "raw,path",
    [(FULL_RAW, ROOT / "data" / "sources.yaml"), (SUBSET_RAW, FIXTURES / "sources.yaml")],
)
def test_every_hash_matches(raw, path):
    sources = manifest.verify(raw, path)
    for source in sources:
        assert source["licence"].startswith("Open Government Licence v3.0"), source["id"]
        assert all(len(e["sha256"]) == 64 for e in source["files"])


def test_every_used_source_is_listed():
    listed = {e["path"] for s in manifest.load(ROOT / "data" / "sources.yaml") for e in s["files"]}
    assert "police_uk/street/2024-12-leicestershire-street.csv.gz" in listed
    assert len([p for p in listed if p.startswith("police_uk/")]) == 59 + 24  # two forces


def test_mismatch_and_unlisted_files(raw_copy):
    path = raw_copy.raw / "seed_2017/leicestershire_2017_headline_figures.csv"
    path.write_text(path.read_text().replace("69.5", "96.5"))
    with pytest.raises(ManifestError, match="sha256 mismatch"):
        manifest.verify(raw_copy.raw, raw_copy.base / "sources.yaml")
    assert manifest.update(raw_copy.raw, raw_copy.base / "sources.yaml") == [
        "re-hashed seed_2017/leicestershire_2017_headline_figures.csv"
    ]
    (raw_copy.raw / "seed_2017/extra.csv").write_text("a\n1\n")
    with pytest.raises(ManifestError, match="not in the manifest: seed_2017/extra.csv"):
        manifest.verify(raw_copy.raw, raw_copy.base / "sources.yaml")
