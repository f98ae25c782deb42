"""The golden back-test's snapshot: what the shipped data makes, as small readable files.

Three things are frozen under tests/golden/ (the NHS RAP habit of back-testing against frozen
outputs):
- the store's indicator_values, one CSV per indicator (columns that are constant for an
  indicator go to indicators.json, area names and types to areas.csv, so review diffs stay small);
- the police.uk summaries the reports chart (police_monthly, police_deprivation,
  police_inequality) and the national crime-health links (link_figures);
- for every (area, notebook) report: its title and summary headline sentences, every paragraph and
  list item, the text of every table (caption and cells) and every chart's alt text.

`tests/test_golden.py` rebuilds these from the shipped data and compares. To record an intended
change, run this file and commit tests/golden/ on its own, saying why:

    .venv/bin/python tests/golden_snapshot.py
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
# reports show the run time: the test and the snapshot pin it
RUN_TIME = "2026-11-26T12:00:00+00:00"
TABLES = {  # table: the columns that identify a row
    "police_monthly": ["area_code", "month", "crime_type"],
    "police_deprivation": ["area_code", "year", "crime_type", "imd_decile"],
    "police_inequality": ["area_code", "year", "crime_type"],
    "link_figures": ["pair_id"],
}
FLOAT_FORMAT = "%.12g"


# ---------------------------------------------------------------------- the store


def _csv(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return buffer.getvalue()


def store_snapshot(processed: Path) -> dict[str, str]:
    """{relative path: file text} for the store's frozen tables."""
    files: dict[str, str] = {}
    values = pd.read_parquet(processed / "indicator_values.parquet")
    areas = (
        values[["area_code", "area_name", "area_type"]]
        .drop_duplicates()
        .sort_values(["area_code", "area_name"])
    )
    files["areas.csv"] = _csv(areas)
    per_indicator = values.drop(columns=["area_name", "area_type"])
    constants: dict[str, dict[str, object]] = {}
    for ident, rows in per_indicator.groupby("indicator_id", sort=True):
        rows = rows.drop(columns="indicator_id")
        same = [c for c in rows.columns if rows[c].nunique(dropna=False) == 1]
        constants[str(ident)] = {
            c: (None if pd.isna(rows[c].iloc[0]) else _plain(rows[c].iloc[0])) for c in same
        }
        keep = rows.drop(columns=same)  # a one-period indicator has no period column left
        keep = keep.sort_values([c for c in ("area_code", "period") if c in keep], kind="stable")
        files[f"indicator_values/{ident}.csv"] = _csv(keep)
    files["indicators.json"] = json.dumps(constants, indent=1, sort_keys=True) + "\n"
    for name, key in TABLES.items():
        table = pd.read_parquet(processed / f"{name}.parquet")
        files[f"{name}.csv"] = _csv(table.sort_values(key, kind="stable"))
    return files


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value


def read_csv(text: str) -> pd.DataFrame:
    """A frozen CSV as a frame: text stays text (area codes, '2019/20'), numbers are floats."""
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for column in frame.columns:
        numbers = pd.to_numeric(frame[column].replace("", None), errors="coerce")
        if numbers.notna().sum() == (frame[column] != "").sum() and column != "period":
            frame[column] = numbers.astype(float)
    return frame


# ---------------------------------------------------------------------- the reports


def _text(tag) -> str:
    return " ".join(tag.get_text(" ", strip=True).split())


def page_snapshot(page: str) -> dict[str, object]:
    """What a stakeholder reads on one report page, without the provenance (code version,
    build time), which changes with every commit."""
    soup = BeautifulSoup(page, "html.parser")
    main = soup.find("main")
    headlines: list[str] = []
    summary = main.find(id="Summary")
    if summary is not None:
        for tag in summary.find_all_next(["h2", "li"]):
            if tag.name == "h2":
                break
            headlines.append(_text(tag))
    tables = []
    for table in main.find_all("table"):
        caption = table.find("caption")
        rows = [
            [_text(cell) for cell in row.find_all(["th", "td"])] for row in table.find_all("tr")
        ]
        tables.append({"caption": _text(caption) if caption else None, "rows": rows})
    for table in main.find_all("table"):
        table.decompose()
    text = [
        _text(tag)
        for tag in main.find_all(["h1", "h2", "h3", "p", "li"])
        if _text(tag) and "Code version" not in _text(tag)
    ]
    return {
        "title": _text(main.find("h1")),
        "headlines": headlines,
        "text": text,
        "tables": tables,
        "alt": [img.get("alt") for img in main.find_all("img")],
    }


def reports_snapshot(outputs: Path) -> dict[str, str]:
    files = {}
    for result in json.loads((outputs / "run.json").read_text())["reports"]:
        page = (outputs / result["html"]).read_text()
        key = f"reports/{Path(result['html']).with_suffix('.json').as_posix()}"
        files[key] = json.dumps(page_snapshot(page), indent=1, ensure_ascii=False) + "\n"
    return files


# ---------------------------------------------------------------------- freezing


def read_golden() -> dict[str, str]:
    return {
        path.relative_to(GOLDEN).as_posix(): path.read_text()
        for path in sorted(GOLDEN.rglob("*"))
        if path.is_file() and path.name != "README.md"
    }


def write_golden(files: dict[str, str]) -> None:
    """Replace tests/golden/ (except its README) with these files."""
    for path in GOLDEN.iterdir() if GOLDEN.exists() else []:
        if path.name != "README.md":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for rel, text in files.items():
        target = GOLDEN / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def main() -> int:
    from helpers.build import pipeline as build
    from helpers.site import run

    with tempfile.TemporaryDirectory() as tmp:
        processed, outputs = Path(tmp) / "processed", Path(tmp) / "outputs"
        build.build(ROOT / "data" / "raw", processed, force=True)
        os.environ.update(
            NEEDS_PROCESSED_DIR=str(processed),
            NEEDS_OUTPUTS_DIR=str(outputs),
            NEEDS_RUN_TIME=RUN_TIME,
        )
        if run.run(force=True) != 0:
            print("some reports failed: nothing frozen", file=sys.stderr)
            return 1
        files = store_snapshot(processed) | reports_snapshot(outputs)
    write_golden(files)
    print(f"froze {len(files)} files in {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
