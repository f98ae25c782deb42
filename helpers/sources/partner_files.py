"""Reading partner files (data/partner/*.csv, *.xlsx) into rows of text, one problem per
unreadable file.

CSV files are decoded by their byte-order mark (UTF-8, UTF-16 or UTF-32, either byte order);
without one they must be UTF-8, and any other encoding (Windows-1252 with a £ or é, say) is
refused with the byte and line, never guessed. An XLSX file must hold one sheet of plain
values: a formula, a merged range or a second sheet is refused, naming the sheet and cells,
because pandas would read a formula's cached value (or nothing) and a merged range as blanks.
Whitespace around every header and cell is stripped; blank rows are skipped but keep the
numbering, so a line number in a message is the line (or sheet row) the partner sees.
"""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

REQUIRED = ["indicator_id", "area_code", "period", "count", "denominator"]
OPTIONAL = ["age_band", "sex", "source", "notes"]
TEMPLATE_NAMES = {"template.csv", "template.xlsx"}
SHOWN_CELLS = 5  # cells named per problem; the rest are counted
# longest first: a UTF-32 LE mark begins with the UTF-16 LE one
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
SAVE_AS_UTF8 = "save it from Excel as 'CSV UTF-8 (Comma delimited) (*.csv)' and run the build again"


def partner_files(folder: Path) -> list[Path]:
    """The partner files in a folder, by name; the templates and hidden or lock files are not."""
    if not folder.exists():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in (".csv", ".xlsx")
        and p.name not in TEMPLATE_NAMES
        and not p.name.startswith((".", "~"))
    )


def read_file(path: Path) -> tuple[pd.DataFrame | None, list[str]]:
    """One partner file as text columns REQUIRED + OPTIONAL + file, line; or (None, problems)."""
    try:
        if path.suffix == ".xlsx":
            problems = _workbook_problems(path)
            if problems:
                return None, problems
            frame = pd.read_excel(path, dtype=str)
        else:
            text, problem = _decode(path)
            if problem:
                return None, [problem]
            frame = pd.read_csv(
                io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False
            )
    except Exception as exc:  # any unreadable file is one problem, named
        return None, [f"{path.name}: could not be read ({exc})"]
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame]
    if missing:
        return None, [
            f"{path.name}: missing column(s) {', '.join(missing)}; the header row must be the "
            "template's (data/partner/template.csv)"
        ]
    for column in OPTIONAL:
        if column not in frame:
            frame[column] = ""
    frame = frame[[*REQUIRED, *OPTIONAL]].fillna("").astype(str)
    frame = frame.apply(lambda column: column.str.strip())
    frame["file"] = path.name
    frame["line"] = np.arange(len(frame)) + 2  # the header is line (or sheet row) 1
    blank = frame[[*REQUIRED, *OPTIONAL]].eq("").all(axis=1)
    return frame[~blank].reset_index(drop=True), []


def _decode(path: Path) -> tuple[str, str | None]:
    """The file's text, decoded by its byte-order mark (UTF-8 without one); or a problem."""
    data = path.read_bytes()
    for bom, codec, label in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), None
            except UnicodeDecodeError as exc:
                return "", (
                    f"{path.name}: starts with a {label} byte-order mark but is not valid "
                    f"{label} (at byte {exc.start}); {SAVE_AS_UTF8}"
                )
    if b"\x00" in data[:4096]:
        return "", (
            f"{path.name}: looks like UTF-16 text without a byte-order mark, which cannot be "
            f"read reliably; {SAVE_AS_UTF8}"
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        byte = data[exc.start]
        line = data.count(b"\n", 0, exc.start) + 1
        as_cp1252 = bytes([byte]).decode("cp1252", errors="replace")
        return "", (
            f"{path.name}: is not UTF-8 text: byte 0x{byte:02X} on line {line} is not valid "
            f"UTF-8 (in Windows-1252, Excel's plain 'CSV' encoding, it is '{as_cp1252}'); "
            f"{SAVE_AS_UTF8}"
        )


def _workbook_problems(path: Path) -> list[str]:
    """What makes an XLSX unsafe to read as values: more than one sheet, formulas, merges."""
    book = openpyxl.load_workbook(path)  # not read-only: merged ranges need the full sheet
    try:
        if len(book.sheetnames) > 1:
            names = ", ".join(f"'{n}'" for n in book.sheetnames)
            return [
                f"{path.name}: holds {len(book.sheetnames)} sheets ({names}); a partner file "
                "holds one sheet laid out like data/partner/template.xlsx: save each sheet of "
                "rows as its own file and delete notes or working sheets"
            ]
        sheet = book.worksheets[0]
        problems = []
        formulas = [
            (cell.coordinate, _formula_text(cell.value))
            for row in sheet.iter_rows()
            for cell in row
            if cell.data_type == "f"
        ]
        if formulas:
            if len(formulas) == 1:
                which = "cell {} holds a formula ({})".format(*formulas[0])
            else:
                cells = _listed([f"{where} ({text})" for where, text in formulas])
                which = f"cells {cells} hold formulas"
            problems.append(
                f"{path.name}: sheet '{sheet.title}' {which}; paste values instead "
                "(copy the cells, then Paste Special > Values)"
            )
        merged = sorted(str(r) for r in sheet.merged_cells.ranges)
        if merged:
            problems.append(
                f"{path.name}: sheet '{sheet.title}' has merged cells "
                f"{_listed(merged)}; unmerge them and fill in every cell of every row"
            )
        return problems
    finally:
        book.close()


def _formula_text(value) -> str:
    text = getattr(value, "text", value)  # an array formula keeps its text in .text
    return str(text) if str(text).startswith("=") else f"={text}"


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:SHOWN_CELLS])
    more = len(items) - SHOWN_CELLS
    return f"{shown} and {more:,} more" if more > 0 else shown
