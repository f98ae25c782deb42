"""`needs fetch`, with the network replaced by recorded responses on a local HTTP server.

Every failure must give one clear message, a non-zero exit, no traceback, and leave the
previous snapshot (data/raw, sources.yaml, the compendium) exactly as it was."""

from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import socket
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import FIXTURES, FULL_RAW, ROOT, SUBSET_RAW, RawCopy, run_cli
from werkzeug import Request, Response

from helpers.fetch import police as fetch_police
from helpers.sources import compendium

pytest.importorskip("pytest_httpserver")

RECORDED = FIXTURES / "recorded"
EXPORT = SUBSET_RAW / "fingertips" / "export_format_sample" / "indicators-CountyUA.data.csv"
DATA = "/api/all_data/csv/by_indicator_id"
META = "/api/indicator_metadata/csv/by_indicator_id"
QUICK = {"NEEDS_HTTP_RETRIES": "2", "NEEDS_HTTP_BACKOFF": "0", "NEEDS_HTTP_TIMEOUT": "1"}


# ----------------------------------------------------------------------------- helpers


def snapshot(base: Path) -> dict[str, str]:
    """sha256 of every file under a RawCopy's folder (raw/, sources.yaml, compendium files)."""
    return {
        str(p.relative_to(base)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(base.rglob("*"))
        if p.is_file() and ".fetch" not in p.parts
    }


def fingertips_cli(raw: RawCopy, server, *args: str, env: dict | None = None):
    return run_cli(
        "fetch",
        "fingertips",
        "--raw",
        str(raw.raw),
        "--params",
        str(raw.params),
        *args,
        env={"NEEDS_FINGERTIPS_API": server.url_for("/api/"), **QUICK, **(env or {})},
    )


def police_cli(raw: RawCopy, server, *args: str, env: dict | None = None):
    return run_cli(
        "fetch",
        "police",
        "--raw",
        str(raw.raw),
        "--params",
        str(raw.params),
        *args,
        env={"NEEDS_POLICE_ARCHIVE": server.url_for("/archive/"), **QUICK, **(env or {})},
    )


def assert_clean_failure(result, *phrases: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "What to do:" in result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


def serve_fingertips(server, *, area_type: int = 502) -> None:
    header = EXPORT.read_bytes().split(b"\n", 1)[0] + b"\n"
    for child, body in ((502, EXPORT.read_bytes()), (501, header)):
        server.expect_request(
            DATA,
            query_string={
                "indicator_ids": "93356",
                "child_area_type_id": str(child),
                "parent_area_type_id": "15",
            },
        ).respond_with_data(body, content_type="text/csv")
    server.expect_request(META, query_string={"indicator_ids": "93356"}).respond_with_data(
        (RECORDED / "fingertips_metadata_93356.csv").read_bytes(), content_type="text/csv"
    )
    server.expect_request("/api/available_data").respond_with_data(
        (RECORDED / "available_data_93356.json").read_bytes(), content_type="application/json"
    )


@pytest.fixture
def raw(tmp_path) -> RawCopy:
    return RawCopy(tmp_path)


# ----------------------------------------------------------------------------- Fingertips


def test_fingertips_success_writes_the_export_and_its_metadata(raw, httpserver):
    serve_fingertips(httpserver)
    result = fingertips_cli(
        raw, httpserver, "--indicators", "93356", "--priority", "overview", "--area-type", "county"
    )
    assert result.returncode == 0, result.stderr
    written = raw.raw / "fingertips" / "api" / "fingertips_93356.csv"
    rows = pd.read_csv(written, dtype=str, keep_default_na=False)
    # every English area (the store is national), every value exactly as published
    published = pd.read_csv(EXPORT, dtype=str, keep_default_na=False)
    english = published.loc[published["Area Code"].str.startswith("E"), "Area Code"]
    assert set(rows["Area Code"]) == set(english)
    assert {"E92000001", "E10000018", "E06000016"} <= set(rows["Area Code"])
    leics = published[published["Area Code"] == "E10000018"].reset_index(drop=True)
    mine = rows[rows["Area Code"] == "E10000018"].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, leics)

    sources = yaml.safe_load((raw.base / "sources.yaml").read_text())["sources"]
    record = next(s for s in sources if s["id"] == "fingertips_api")["files"][0]
    assert record["path"] == "fingertips/api/fingertips_93356.csv"
    assert record["sha256"] == hashlib.sha256(written.read_bytes()).hexdigest()
    assert record["retrieved"] and "child_area_type_id=502" in record["url"]

    entry = compendium.load(
        FIXTURES.parent.parent / "data" / "compendium.yaml", compendium.fetched_path(raw.raw)
    )[-1]
    assert entry["id"] == "93356" and entry["priority"] == "overview"
    assert entry["polarity"] == "low_is_good"  # "RAG - Low is good"
    assert entry["definition"].startswith("Test placeholder: the definition")
    assert entry["caveats"].startswith("Test placeholder: the caveats")
    assert entry["unit"] == "per 100,000"
    assert entry["source"] == {
        "kind": "fingertips",
        "file": "api/fingertips_93356.csv",
        "sex": "Persons",
        "age": "All ages",
    }
    assert not (raw.base / ".fetch" / "fingertips").exists()  # staging cleared

    asked = len(httpserver.log)
    again = fingertips_cli(
        raw, httpserver, "--indicators", "93356", "--priority", "overview", "--area-type", "county"
    )
    assert again.returncode == 0 and "already fetched today" in again.stderr  # resumable
    assert len(httpserver.log) == asked


def test_fingertips_http_500_retries_then_fails_cleanly(raw, httpserver):
    httpserver.expect_request(DATA).respond_with_data("Server Error", status=500)
    before = snapshot(raw.base)
    result = fingertips_cli(raw, httpserver, "--indicators", "93356", "--priority", "overview")
    assert_clean_failure(result, "HTTP 500")
    assert len(httpserver.log) == 3  # the first try and 2 retries (NEEDS_HTTP_RETRIES)
    assert snapshot(raw.base) == before


def test_fingertips_timeout_fails_cleanly(raw, httpserver):
    def slow(request: Request) -> Response:
        time.sleep(2.5)
        return Response("too late", content_type="text/csv")

    httpserver.expect_request(DATA).respond_with_handler(slow)
    before = snapshot(raw.base)
    result = fingertips_cli(
        raw,
        httpserver,
        "--indicators",
        "93356",
        "--priority",
        "overview",
        env={"NEEDS_HTTP_RETRIES": "0"},
    )
    assert_clean_failure(result, "did not answer within the time limit", "NEEDS_HTTP_TIMEOUT")
    assert snapshot(raw.base) == before


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        (b"<html><body>Service unavailable</body></html>", "is not a Fingertips export"),
        (
            EXPORT.read_bytes().replace(b",96.1041538021854,", b",ninety-six,"),
            "came back malformed",
        ),
    ],
    ids=["html-page", "value-not-a-number"],
)
def test_fingertips_malformed_csv_fails_cleanly(raw, httpserver, body, phrase):
    httpserver.expect_request(DATA).respond_with_data(body, content_type="text/csv")
    httpserver.expect_request(META).respond_with_data(
        (RECORDED / "fingertips_metadata_93356.csv").read_bytes()
    )
    before = snapshot(raw.base)
    result = fingertips_cli(
        raw, httpserver, "--indicators", "93356", "--priority", "overview", "--area-type", "502"
    )
    assert_clean_failure(result, phrase)
    assert snapshot(raw.base) == before


def test_fingertips_wrong_area_type_says_which_types_exist(raw, httpserver):
    """The commonest complaint: an empty answer because the indicator is not published for
    districts. Say so, and name the area types that do have it."""
    serve_fingertips(httpserver)
    before = snapshot(raw.base)
    result = fingertips_cli(
        raw,
        httpserver,
        "--indicators",
        "93356",
        "--priority",
        "overview",
        "--area-type",
        "district",
    )
    assert_clean_failure(result, "no data for the configured areas at area type 501", "502")
    assert "--area-type" in result.stderr
    assert snapshot(raw.base) == before


def test_no_network_fails_cleanly_and_changes_nothing(raw):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    before = snapshot(raw.base)
    offline = {
        "NEEDS_FINGERTIPS_API": f"http://127.0.0.1:{port}/api/",
        "NEEDS_POLICE_ARCHIVE": f"http://127.0.0.1:{port}/archive/",
        **QUICK,
    }
    for args in (
        ["fingertips", "--indicators", "93356", "--priority", "overview"],
        ["police", "--from", "2025-01", "--to", "2025-02"],
    ):
        result = run_cli(
            "fetch",
            *args[:1],
            "--raw",
            str(raw.raw),
            "--params",
            str(raw.params),
            *args[1:],
            env=offline,
        )
        assert_clean_failure(result, "HTTPS_PROXY")
    assert snapshot(raw.base) == before
    assert not (raw.base / ".fetch").exists()  # nothing was downloaded, nothing left behind


def test_proxy_settings_from_the_environment_are_used(raw, httpserver):
    """On a council network every request must go through HTTP(S)_PROXY: here the local server
    plays the proxy for a host that does not exist."""
    serve_fingertips(httpserver)
    result = fingertips_cli(
        raw,
        httpserver,
        "--indicators",
        "93356",
        "--priority",
        "overview",
        "--area-type",
        "502",
        env={
            "NEEDS_FINGERTIPS_API": "http://fingertips.invalid/api/",
            "HTTP_PROXY": httpserver.url_for("/").rstrip("/"),
        },
    )
    assert result.returncode == 0, result.stderr
    assert httpserver.log and all(
        req.headers.get("Host") == "fingertips.invalid" for req, _ in httpserver.log
    )


def test_unknown_indicator_without_priority_is_refused_before_any_request(raw, httpserver):
    result = fingertips_cli(raw, httpserver, "--indicators", "93356")
    assert_clean_failure(result, "indicator 93356 is not in fetch.yaml", "--priority")
    assert not httpserver.log


# ----------------------------------------------------------------------------- police.uk


def archive_bytes(months: dict[str, bytes], force: str = "leicestershire") -> bytes:
    """A data.police.uk archive: YYYY-MM/YYYY-MM-<force>-street.csv, plus another force."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for month, data in months.items():
            z.writestr(f"{month}/{month}-{force}-street.csv", data)
            z.writestr(f"{month}/{month}-rutland-street.csv", b"not ours")
    return out.getvalue()


def genuine(month: str) -> bytes:
    return gzip.decompress(
        (SUBSET_RAW / "police_uk" / "street" / f"{month}-leicestershire-street.csv.gz").read_bytes()
    )


def serve_archive(server, name: str, data: bytes, *, ranges: bool = True) -> None:
    """Serve a zip as S3 does: byte ranges, including suffix ranges longer than the file."""

    def handler(request: Request) -> Response:
        wanted = request.headers.get("Range", "")
        if not ranges or not wanted.startswith("bytes="):
            return Response(data, content_type="application/zip")
        first, _, last = wanted.removeprefix("bytes=").partition("-")
        if first == "":
            start, end = max(0, len(data) - int(last)), len(data) - 1
        else:
            start, end = int(first), min(int(last) if last else len(data) - 1, len(data) - 1)
        return Response(
            data[start : end + 1],
            status=206,
            content_type="application/zip",
            headers={"Content-Range": f"bytes {start}-{end}/{len(data)}", "Accept-Ranges": "bytes"},
        )

    server.expect_request(f"/archive/{name}").respond_with_handler(handler)


JANUARY = "police_uk/street/2023-01-leicestershire-street.csv.gz"


def test_police_archive_members_are_fetched_by_range_and_recorded(raw, httpserver):
    # the subset's 2023-01 month is removed, then fetched back from a genuine-content archive
    (raw.raw / JANUARY).unlink()
    serve_archive(httpserver, "2023-01.zip", archive_bytes({"2023-01": genuine("2023-01")}))
    result = police_cli(raw, httpserver, "--from", "2022-10", "--to", "2023-01")
    assert result.returncode == 0, result.stderr
    assert gzip.decompress((raw.raw / JANUARY).read_bytes()) == genuine("2023-01")
    # 2022-10 was present and verified, so skipped; 2022-11 and 2022-12 are not in the
    # archive (as on data.police.uk): reported as missing, never zero
    assert "already present and verified" in result.stderr
    assert "2022-11: not in the data.police.uk archive" in result.stderr
    assert all("Range" in req.headers for req, _ in httpserver.log)  # members only
    sources = yaml.safe_load((raw.base / "sources.yaml").read_text())["sources"]
    police = next(s for s in sources if s["id"] == "police_uk_street")
    record = next(f for f in police["files"] if f["path"] == JANUARY)
    assert record["url"].endswith("2023-01.zip#2023-01/2023-01-leicestershire-street.csv")
    assert record["retrieved"]
    assert police["period"] == "2022-10 to 2023-01; 2022-11, 2022-12 not available"
    assert police["title"] == "Street-level crime, Leicestershire Police"  # police_forces.csv
    assert raw.build(force=True).status == "built"  # the build takes the file as it is

    again = police_cli(raw, httpserver, "--from", "2023-01", "--to", "2023-01")
    assert again.returncode == 0 and "nothing to fetch" in again.stderr  # resumable


def test_police_without_range_support_downloads_the_whole_zip(raw, httpserver):
    (raw.raw / JANUARY).unlink()
    serve_archive(
        httpserver, "2023-01.zip", archive_bytes({"2023-01": genuine("2023-01")}), ranges=False
    )
    result = police_cli(raw, httpserver, "--from", "2023-01", "--to", "2023-01")
    assert result.returncode == 0, result.stderr
    assert gzip.decompress((raw.raw / JANUARY).read_bytes()) == genuine("2023-01")


def test_police_malformed_month_changes_nothing(raw, httpserver):
    bad = genuine("2023-01").replace(b"Crime type", b"Crime kind")
    serve_archive(httpserver, "2023-01.zip", archive_bytes({"2023-01": bad}))
    before = snapshot(raw.base)
    result = police_cli(raw, httpserver, "--from", "2023-01", "--to", "2023-01", "--force")
    assert_clean_failure(result, "2023-01 came back malformed", "Crime type")
    assert snapshot(raw.base) == before


def test_police_http_500_changes_nothing(raw, httpserver):
    httpserver.expect_request("/archive/2023-01.zip").respond_with_data("down", status=500)
    before = snapshot(raw.base)
    result = police_cli(raw, httpserver, "--from", "2023-01", "--to", "2023-01", "--force")
    assert_clean_failure(result, "2023-01.zip")
    assert snapshot(raw.base) == before


def test_police_another_force_is_fetched_under_its_own_id_and_name(raw, httpserver):
    # a force other than params/fetch.yaml's, named by --force-area: its members are read and
    # written as YYYY-MM-<id>-street.csv.gz, recorded under its Falls within name
    data = genuine("2023-01").replace(b"Leicestershire Police", b"Derbyshire Constabulary")
    serve_archive(httpserver, "2023-01.zip", archive_bytes({"2023-01": data}, force="derbyshire"))
    result = police_cli(
        raw, httpserver, "--from", "2023-01", "--to", "2023-01", "--force-area", "derbyshire"
    )
    assert result.returncode == 0, result.stderr
    rel = "police_uk/street/2023-01-derbyshire-street.csv.gz"
    assert gzip.decompress((raw.raw / rel).read_bytes()) == data
    assert (raw.raw / JANUARY).exists()  # the configured force's month is left alone
    sources = yaml.safe_load((raw.base / "sources.yaml").read_text())["sources"]
    police = next(s for s in sources if s["id"] == "police_uk_street")
    record = next(f for f in police["files"] if f["path"] == rel)
    assert record["url"].endswith("2023-01.zip#2023-01/2023-01-derbyshire-street.csv")
    assert police["title"] == "Street-level crime, Derbyshire Constabulary"
    assert police["period"] == "2023-01 to 2023-01"


@pytest.mark.parametrize(
    ("given", "suggested"),
    [("derbyshir", "derbyshire"), ("Leicestershire", "leicestershire"), ("btp", None)],
)
def test_police_unknown_force_id_is_refused_naming_the_closest(raw, httpserver, given, suggested):
    before = snapshot(raw.base)
    result = police_cli(
        raw, httpserver, "--from", "2023-01", "--to", "2023-01", "--force-area", given
    )
    assert_clean_failure(
        result, f"--force-area '{given}' is not a data.police.uk force id", "police_forces.csv"
    )
    if suggested:
        assert f"did you mean {suggested}" in result.stderr
    else:
        assert "did you mean" not in result.stderr
    assert not httpserver.log  # refused before any request
    assert snapshot(raw.base) == before


def test_police_force_from_params_is_checked_and_required(raw, httpserver):
    settings = raw.params / "fetch.yaml"
    text = settings.read_text()
    settings.write_text(text.replace("force: leicestershire", "force: leics"))
    result = police_cli(raw, httpserver, "--from", "2023-01", "--to", "2023-01")
    assert_clean_failure(result, "fetch.yaml: police: force: 'leics' is not a data.police.uk")
    assert "did you mean leicestershire" in result.stderr

    settings.write_text(text.split("police:")[0])
    result = police_cli(raw, httpserver, "--from", "2023-01", "--to", "2023-01")
    assert_clean_failure(result, "fetch.yaml: the setting 'police: force:'", "--force-area")
    assert not httpserver.log


def test_the_fetch_command_reports_quote():
    assert fetch_police.fetch_command("derbyshire") == "needs fetch police --force-area derbyshire"
    assert fetch_police.find_force("derbyshire")["falls_within"] == "Derbyshire Constabulary"


def test_months_beyond_the_build_settings_are_pointed_out(raw):
    from helpers.fetch.downloads import Outcome

    outcome = Outcome(written=["police_uk/street/2025-01-leicestershire-street.csv.gz"])
    hint = fetch_police.hint_for_build(outcome, raw.params)
    assert hint and "2025-01 will not be in the store" in hint and "last_month" in hint
    inside = Outcome(written=[JANUARY])
    assert fetch_police.hint_for_build(inside, raw.params) is None


def test_police_month_arguments_are_checked():
    # each archive holds the 36 months up to its own: 2023-01 reaches back to 2020-02
    assert fetch_police.archives_for(["2019-12", "2020-01", "2023-01"]) == {
        "2023-01": ["2023-01"],
        "2020-01": ["2019-12", "2020-01"],
    }
    with pytest.raises(Exception, match="YYYY-MM"):
        fetch_police.months("2025-13", "2025-12")


# ----------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_fetch_build_run_brings_a_new_indicator_into_reports_and_compendium(httpserver, tmp_path):
    """The acceptance test, on a copy of the full shipped data: fetch, then build, then run
    bring a newly fetched indicator into the reports and the compendium, with no code change."""
    base = tmp_path / "data"
    shutil.copytree(FULL_RAW, base / "raw")
    shutil.copy(ROOT / "data" / "sources.yaml", base / "sources.yaml")
    serve_fingertips(httpserver)
    common = ["--raw", str(base / "raw")]
    fetched = run_cli(
        "fetch",
        "fingertips",
        *common,
        "--indicators",
        "93356",
        "--priority",
        "overview",
        "--area-type",
        "county",
        env={"NEEDS_FINGERTIPS_API": httpserver.url_for("/api/"), **QUICK},
    )
    assert fetched.returncode == 0, fetched.stderr
    assert "Next: `needs build`, then `needs run`." in fetched.stderr
    built = run_cli("build", *common, "--processed", str(base / "processed"))
    assert built.returncode == 0, built.stderr
    outputs = tmp_path / "outputs"
    ran = run_cli(
        "run",
        "--areas",
        "E10000018,E07000130",
        "--notebooks",
        "overview",
        env={"NEEDS_PROCESSED_DIR": str(base / "processed"), "NEEDS_OUTPUTS_DIR": str(outputs)},
    )
    assert ran.returncode == 0, ran.stderr
    county = (outputs / "leicestershire" / "overview.html").read_text()
    assert "Campylobacter incidence rate/100,000" in county
    assert "77.6" in county  # Leicestershire in 2016, as published (77.6037144359015)
    assert "OHID Fingertips (API, retrieved " in county  # provenance in Sources
    district = (outputs / "charnwood" / "overview.html").read_text()
    assert "Campylobacter incidence rate/100,000 is not published for districts" in district
    listing = (outputs / "compendium.html").read_text()
    assert "Campylobacter incidence rate/100,000" in listing
    assert "Test placeholder: the definition" in listing
