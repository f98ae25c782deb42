"""Bad input, again (issue 12): a partner file of 10,000 wrong rows, XLSX files with formulas,
merged cells or a second sheet, CSV files in other encodings, whitespace around cells, markup in
text fields, and another force's police.uk file in the street folder. Each gets one clear
error or correct handling, and a failed build leaves the previous store as it was."""

from __future__ import annotations

import codecs
import gzip
import shutil
import time

import openpyxl
import pandas as pd
import pytest
from conftest import FIXTURES, ROOT, SUBSET_RAW

from helpers.core.errors import DataError
from helpers.sources import manifest, partner, partner_files, police_uk

EXAMPLE = FIXTURES / "partner_example" / "example_domestic_abuse.csv"
TEMPLATE_XLSX = ROOT / "data" / "partner" / "template.xlsx"
DERBYSHIRE = FIXTURES / "other_force" / "2023-01-derbyshire-street.csv.gz"
LEICESTERSHIRE = SUBSET_RAW / "police_uk" / "street" / "2023-01-leicestershire-street.csv.gz"
INDICATOR = "partner_domestic_abuse_crimes"
# the force area's areas, as the store's areas table has them
SUBSET_CODES = ["E10000018", *[f"E07000{n}" for n in range(129, 136)], "E06000016", "E06000017"]
SUBSET_CODES += ["E23000021", "E12000004", "E92000001"]
ENTRY = {"id": INDICATOR, "name": "X", "value_type": "crude rate", "source": {"kind": "partner"}}
AREAS = pd.DataFrame({"area_code": SUBSET_CODES})
AREAS["area_name"] = AREAS["area_code"]


def _read(folder):
    return partner.read_partner_data(
        folder, indicators=[ENTRY], areas=AREAS, population=pd.DataFrame()
    )


def _example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def _store(processed) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(processed.iterdir())}


def _partner_rows(processed) -> pd.DataFrame:
    values = pd.read_parquet(processed / "indicator_values.parquet")
    return values[values.indicator_id == INDICATOR].sort_values("area_code").reset_index(drop=True)


# --------------------------------------------------------------------------- 10,000 wrong rows


def test_ten_thousand_wrong_rows_give_one_short_message(tmp_path):
    # every row names an area code that does not exist (one problem a row, no duplicates)
    lines = ["indicator_id,area_code,period,count,denominator,age_band,sex,source,notes"]
    lines += [f"{INDICATOR},E0{i:07d},2024,10,5000,,,," for i in range(10_000)]
    (tmp_path / "huge.csv").write_text("\n".join(lines) + "\n")
    started = time.perf_counter()
    with pytest.raises(DataError) as err:
        _read(tmp_path)
    assert time.perf_counter() - started < 5
    message = err.value.message
    assert "10,000 problems in 1 file (huge.csv); nothing was loaded. The first 20:" in message
    assert "huge.csv line 2: unknown area code 'E00000000'" in message
    assert "huge.csv line 21: unknown area code 'E00000019'" in message
    assert "line 22:" not in message
    assert "... and 9,980 more" in message
    assert "What to do: correct the problems listed" in message
    assert len(message.splitlines()) < 30


def test_few_problems_are_all_listed_with_no_count_of_more(tmp_path):
    (tmp_path / "two.csv").write_text(
        "indicator_id,area_code,period,count,denominator\n"
        f"{INDICATOR},E07000999,2024,10,5000\n"
        f"{INDICATOR},E07000130,2024,ten,5000\n"
    )
    with pytest.raises(DataError) as err:
        _read(tmp_path)
    message = err.value.message
    assert "2 problems in 1 file (two.csv); nothing was loaded:" in message
    assert "line 3: count 'ten' is not a number" in message and "more" not in message


# --------------------------------------------------------------------------- XLSX


def _workbook(rows: int = 3) -> openpyxl.Workbook:
    """The template workbook with the example's first rows, typed as a partner would."""
    book = openpyxl.load_workbook(TEMPLATE_XLSX)
    example = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)
    for values in example.head(rows).itertuples(index=False):
        row = list(values)
        row[2], row[3] = int(row[2]), int(row[3])  # period and count as numbers
        book.active.append(row)
    return book


def test_plain_xlsx_reads_as_the_csv_does(tmp_path):
    book = _workbook()
    book.active.insert_rows(3)  # a blank row: skipped, and later rows keep their sheet row
    book.save(tmp_path / "plain.xlsx")
    frame, problems = partner_files.read_file(tmp_path / "plain.xlsx")
    assert problems == []
    assert frame["count"].tolist() == ["812", "1650", "3"]
    assert frame["period"].tolist() == ["2024"] * 3
    assert frame["line"].tolist() == [2, 4, 5]


def test_xlsx_formula_is_refused_naming_sheet_and_cell(tmp_path):
    book = _workbook()
    book.active.append([INDICATOR, "E10000018", 2024, "=SUM(D2:D4)", "population"])
    book.save(tmp_path / "sums.xlsx")
    with pytest.raises(DataError) as err:
        _read(tmp_path)
    assert (
        "sums.xlsx: sheet 'Sheet1' cell D5 holds a formula (=SUM(D2:D4)); paste values instead"
        in err.value.message
    )


def test_many_formulas_are_counted(tmp_path):
    book = _workbook()
    for row in range(2, 12):
        book.active.cell(row=row, column=5, value=f"=D{row}*100")
    book.save(tmp_path / "sums.xlsx")
    with pytest.raises(DataError) as err:
        _read(tmp_path)
    assert "cells E2 (=D2*100), E3 (=D3*100)" in err.value.message
    assert "E6 (=D6*100) and 5 more hold formulas" in err.value.message


def test_xlsx_merged_cells_are_refused_naming_the_range(tmp_path):
    book = _workbook()
    book.active.merge_cells("A2:A4")  # one indicator_id typed once for three rows
    book.save(tmp_path / "merged.xlsx")
    with pytest.raises(DataError) as err:
        _read(tmp_path)
    assert "merged.xlsx: sheet 'Sheet1' has merged cells A2:A4; unmerge them" in err.value.message


def test_xlsx_second_sheet_is_refused_naming_the_sheets(tmp_path):
    book = _workbook()
    book.create_sheet("Notes").append(["Counts from the case system, as at 1 April"])
    book.save(tmp_path / "two_sheets.xlsx")
    with pytest.raises(DataError) as err:
        _read(tmp_path)
    message = err.value.message
    assert "two_sheets.xlsx: holds 2 sheets ('Sheet1', 'Notes')" in message
    assert "a partner file holds one sheet" in message


def test_a_file_that_is_not_really_xlsx_is_one_named_problem(tmp_path):
    (tmp_path / "renamed.xlsx").write_bytes(EXAMPLE.read_bytes())
    with pytest.raises(DataError, match=r"renamed.xlsx: could not be read"):
        _read(tmp_path)


# --------------------------------------------------------------------------- encodings


NOTE = "Café £ counts"  # non-ASCII text must come through exactly


def _with_note() -> str:
    return _example_text().replace("not real data,\n", f"not real data,{NOTE}\n", 1)


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
        lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
        lambda t: codecs.BOM_UTF32_LE + t.encode("utf-32-le"),
        lambda t: t.replace("\n", "\r\n").encode("utf-16"),  # Excel's "Unicode text" style
    ],
    ids=["utf-8-bom", "utf-16-le", "utf-16-be", "utf-32-le", "utf-16-crlf"],
)
def test_a_byte_order_mark_decides_the_encoding(tmp_path, encode):
    (tmp_path / "plain.csv").write_text(_with_note(), encoding="utf-8")
    (tmp_path / "marked.csv").write_bytes(encode(_with_note()))
    expected, _ = partner_files.read_file(tmp_path / "plain.csv")
    frame, problems = partner_files.read_file(tmp_path / "marked.csv")
    assert problems == []
    assert frame["notes"].iloc[0] == NOTE
    pd.testing.assert_frame_equal(frame.drop(columns="file"), expected.drop(columns="file"))


def test_windows_1252_is_refused_with_the_byte_and_line(tmp_path):
    (tmp_path / "excel.csv").write_bytes(_with_note().encode("cp1252"))
    with pytest.raises(DataError) as err:
        _read(tmp_path)
    message = err.value.message
    assert "excel.csv: is not UTF-8 text: byte 0xE9 on line 2" in message
    assert "it is 'é'" in message and "save it from Excel as 'CSV UTF-8" in message


def test_utf16_without_a_mark_is_refused(tmp_path):
    (tmp_path / "nobom.csv").write_bytes(_example_text().encode("utf-16-le"))
    with pytest.raises(DataError, match="nobom.csv: looks like UTF-16 text without a byte-order"):
        _read(tmp_path)


# --------------------------------------------------------------------------- whitespace


def test_whitespace_around_cells_and_headers_is_stripped(tmp_path):
    clean, _ = partner_files.read_file(EXAMPLE)
    lines = _example_text().splitlines()
    lines[0] = lines[0].replace("area_code", " area_code ").replace("count", "count\t")
    lines[1] = lines[1].replace("E07000129", "E07000129 ")  # trailing space
    lines[2] = lines[2].replace("E07000130", "  E07000130").replace("1650", " 1650 ")
    lines[3] = lines[3].replace(INDICATOR, f"{INDICATOR}\t").replace("population", "population\xa0")
    (tmp_path / "spaces.csv").write_text("\n".join(lines) + "\n")
    frame, problems = partner_files.read_file(tmp_path / "spaces.csv")
    assert problems == []
    pd.testing.assert_frame_equal(frame.drop(columns="file"), clean.drop(columns="file"))


def test_spaced_area_codes_build_the_same_values(raw_copy):
    (raw_copy.base / "partner").mkdir()
    shutil.copy(EXAMPLE, raw_copy.base / "partner")
    raw_copy.build(force=True)
    expected = _partner_rows(raw_copy.processed)
    spaced = _example_text().replace(",E0", ", E0").replace(",2024,", ",2024 ,")
    (raw_copy.base / "partner" / EXAMPLE.name).write_text(spaced)
    raw_copy.build(force=True)
    pd.testing.assert_frame_equal(_partner_rows(raw_copy.processed), expected)


def test_blank_lines_are_skipped_and_lines_keep_their_numbers(tmp_path):
    lines = _example_text().splitlines()
    lines[2] = lines[2].replace("E07000130", "E07000999")
    (tmp_path / "gaps.csv").write_text("\n".join([*lines[:2], "", ",,,,,,,,", *lines[2:]]) + "\n")
    with pytest.raises(DataError) as err:
        _read(tmp_path)
    assert "1 problem in 1 file" in err.value.message
    assert "gaps.csv line 5: unknown area code 'E07000999'" in err.value.message


# --------------------------------------------------------------------------- markup


MARKUP_SOURCE = "<script>alert('partner')</script> & Co"
MARKUP_NOTE = '<b>Provisional</b> <a href="javascript:alert(1)">see</a> {{ area }} **draft** 50%'


def test_markup_in_text_fields_is_kept_as_plain_text(raw_copy):
    frame = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)
    frame["source"] = MARKUP_SOURCE
    frame["notes"] = MARKUP_NOTE
    (raw_copy.base / "partner").mkdir()
    frame.to_csv(raw_copy.base / "partner" / "markup.csv", index=False)
    raw_copy.build(force=True)
    rows = _partner_rows(raw_copy.processed)
    assert len(rows) == 4
    assert set(rows["source"]) == {MARKUP_SOURCE}
    assert set(rows["value_note"]) == {MARKUP_NOTE}


# --------------------------------------------------------------------------- another force


def test_rows_are_attributed_to_the_force_they_fall_within():
    rows = police_uk.read_street_crime(DERBYSHIRE)
    assert len(rows) == 200 and set(rows["falls_within"]) == {"Derbyshire Constabulary"}
    assert set(police_uk.read_street_crime(LEICESTERSHIRE)["falls_within"]) == {
        "Leicestershire Police"
    }


def test_force_names_compare_without_police_or_constabulary():
    key = police_uk.force_key
    assert key("Leicestershire Police") == key("leicestershire") == key("Leicestershire ")
    assert key("Devon & Cornwall Police") == key("Devon and Cornwall")
    assert key("London, City of") == key("City of London Police")
    assert key("Derbyshire Constabulary") != key("Leicestershire Police")


def test_a_force_outside_the_lookups_is_refused_and_the_store_kept(raw_copy):
    """The subset's lookups hold one force: a second force's month cannot be placed (the full
    build, with every force in its lookups, counts it for its own force: test_build)."""
    raw_copy.build()
    before = _store(raw_copy.processed)
    shutil.copy(DERBYSHIRE, raw_copy.raw / "police_uk" / "street")
    manifest.update(raw_copy.raw, raw_copy.base / "sources.yaml")
    with pytest.raises(DataError) as err:
        raw_copy.build()
    assert DERBYSHIRE.name in err.value.message
    assert "'Derbyshire Constabulary'" in err.value.message
    assert _store(raw_copy.processed) == before


def test_a_row_of_no_english_force_fails_the_build_and_keeps_the_store(raw_copy):
    raw_copy.build()
    before = _store(raw_copy.processed)
    frame = pd.read_csv(LEICESTERSHIRE, dtype=str)
    frame.loc[:2, "Falls within"] = "Police Scotland"
    with gzip.open(raw_copy.raw / "police_uk" / "street" / LEICESTERSHIRE.name, "wt") as out:
        frame.to_csv(out, index=False)
    manifest.update(raw_copy.raw, raw_copy.base / "sources.yaml")
    with pytest.raises(DataError) as err:
        raw_copy.build()
    assert LEICESTERSHIRE.name in err.value.message and "'Police Scotland'" in err.value.message
    assert _store(raw_copy.processed) == before
    result = raw_copy.cli()
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Police Scotland" in result.stderr


def test_a_year_beside_its_quarters_is_refused(tmp_path):
    """2024 and 2024 Q1..Q4 together would let a hidden quarter be worked out by subtraction."""
    from conftest import FULL_RAW

    from helpers.build import pipeline

    folder = tmp_path / "partner"
    folder.mkdir()
    rows = ["indicator_id,area_code,period,count,denominator"]
    rows += [f"partner_domestic_abuse_crimes,E07000133,2024 Q{q},{n},population"
             for q, n in ((1, 3), (2, 40), (3, 41), (4, 44))]  # fmt: skip
    rows.append("partner_domestic_abuse_crimes,E07000133,2024,128,population")
    (folder / "quarters.csv").write_text("\n".join(rows) + "\n")
    with pytest.raises(DataError, match="mixes kinds of period \\('2024', '2024 Q1'\\)"):
        pipeline.build(FULL_RAW, tmp_path / "processed", force=True, partner=folder)
