"""Fuzz the structure of workbooks and Parquet files (issue 22): take the realistic raw-export folders
(tests/raw_exports.py: the xlsx variant's two workbooks, and the us variant's payroll rewritten as
Parquet with typed columns), break their structure — formulas saved without values, a used range or a
real cell far past the data, hidden and extra sheets, merged cells, near-duplicate headers, real and
text date cells, many row groups or columns, dictionary columns (some of large texts) — and run
validate, stress-test and explain on the result.

The invariants are test_fuzz_datamap's: exit 0, 1 or 2; no traceback; no internal error; a refusal
names the export (or the map) it is about; a JSON result parses. Each case is a seed, so a failure
names the exact input. More cases on demand:
CSCOMP_FUZZ_BOOK_CASES=500 [CSCOMP_FUZZ_BOOK_FIRST=1000] python -m pytest tests/test_fuzz_workbooks.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from .conftest import REPO, assert_survived, run
from .raw_exports import MAP_FILE, write_canonical, write_raw
from .test_data_workbooks import edit_part

CASES = int(os.environ.get("CSCOMP_FUZZ_BOOK_CASES", "30"))
FIRST = int(os.environ.get("CSCOMP_FUZZ_BOOK_FIRST", "0"))
PLAN = REPO / "plans" / "current.yaml"
CRM_BOOK, PAYROLL_BOOK = "Account Report.xlsx", "Payroll Earnings 2026.xlsx"
PAYROLL_CSV, PAYROLL_PARQUET = "Payroll Earnings 2026.csv", "Payroll Earnings 2026.parquet"
FAR_CELLS = ["XFD1048576", "XFD1", "A1048576", "AA200000", "Z1000", "CV2000"]
TWINS = [" {h}", "{h} ", "{H}", "{l}", "{h}  "]
_NUMBER = re.compile(rb'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?)(?: t="n")?><v>([^<]*)</v></c>')  # a number cell


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> dict[str, Path]:
    """The xlsx variant as written, and the us variant with its payroll as a typed Parquet file."""
    root = tmp_path_factory.mktemp("raw")
    canonical = write_canonical(root / "canonical")
    books = write_raw(canonical, root / "xlsx", "xlsx")
    parquet = write_raw(canonical, root / "parquet", "us")
    _payroll_to_parquet(parquet)
    return {"xlsx": books, "parquet": parquet}


def _payroll_to_parquet(folder: Path) -> None:
    import pandas as pd

    frame = pd.read_csv(folder / PAYROLL_CSV, dtype=str, keep_default_na=False, encoding="cp1252")
    frame["Pay Date"] = pd.to_datetime(frame["Pay Date"], format="%m/%d/%Y").dt.date
    frame["Amount"] = frame["Amount"].str.replace(",", "").str.replace("(", "-").str.replace(")", "").astype(float)
    frame.to_parquet(folder / PAYROLL_PARQUET, index=False)
    (folder / PAYROLL_CSV).unlink()
    text = (folder / MAP_FILE).read_text(encoding="utf-8").replace(PAYROLL_CSV, PAYROLL_PARQUET)
    (folder / MAP_FILE).write_text(text.replace("    encoding: cp1252\n    numbers: \"1,234.56\"\n    dates: MM/DD",
                                                "    numbers: \"1,234.56\"\n    dates: MM/DD"), encoding="utf-8")


# --- workbooks ----------------------------------------------------------------------------------


def _sheet_part(path: Path, rng: random.Random) -> str:
    with zipfile.ZipFile(path) as package:
        return rng.choice(sorted(n for n in package.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)))


def _mutate_book_xml(path: Path, rng: random.Random) -> None:
    """Structure only a workbook's XML can hold: a used range or a value far past the data, a formula's
    value dropped."""
    part = _sheet_part(path, rng)
    action = rng.choice(("dimension", "far_cell", "far_cell", "drop_values", "empty_far_cell"))
    far = rng.choice(FAR_CELLS)
    row = re.sub(r"[A-Z]", "", far)
    if action == "dimension":
        edit_part(path, part, lambda xml: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:{far}"'.encode(),
                                                  xml))
    elif action in ("far_cell", "empty_far_cell"):
        cell = f'<c r="{far}" s="0"/>' if action == "empty_far_cell" else f'<c r="{far}" t="n"><v>1</v></c>'
        # A row past the last one, or (for row 1) inside the header's row
        if row == "1":
            edit_part(path, part, lambda xml: re.sub(rb'(<row r="1"[^>]*>)', lambda m: m.group(1) + cell.encode(),
                                                      xml, count=1))
        else:
            edit_part(path, part, lambda xml: xml.replace(b"</sheetData>",
                                                           f'<row r="{row}">{cell}</row></sheetData>'.encode()))
    else:
        # Numbers turned into formulas without their values, as a script writing the workbook leaves them.
        def drop(xml: bytes) -> bytes:
            cells = list(_NUMBER.finditer(xml))
            chosen = {m.start() for m in rng.sample(cells, min(len(cells), rng.randint(1, 50)))} if cells else set()
            return _NUMBER.sub(lambda m: (b'<c r="' + m.group(1) + b'"' + m.group(2) + b"><f>" + m.group(3)
                                          + b"+0</f><v /></c>") if m.start() in chosen else m.group(0), xml)

        edit_part(path, part, drop)


def _mutate_book(folder: Path, path: Path, rng: random.Random) -> None:
    from openpyxl import load_workbook

    if rng.random() < 0.35:
        _mutate_book_xml(path, rng)
        return
    book = load_workbook(path)
    sheet = rng.choice(book.worksheets)
    top = next((r for r in range(1, 6) if sheet.cell(r, 1).value is not None and sheet.cell(r, 2).value is not None), 1)
    width = max(sheet.max_column, 1)
    action = rng.choice(("formulas", "hide", "hide", "extra_first", "merge", "twin", "dates", "text_dates",
                         "datetimes"))
    if action == "formulas":
        column = rng.randint(1, width)
        for r in range(top + 1, min(sheet.max_row, top + 60) + 1):
            if rng.random() < 0.5:
                sheet.cell(r, column).value = f"={sheet.cell(r, column).coordinate}0*0+{rng.randint(0, 9)}"
    elif action == "hide":
        sheet.sheet_state = rng.choice(("hidden", "veryHidden", "visible"))
        if all(s.sheet_state != "visible" for s in book.worksheets):
            book.worksheets[-1].sheet_state = "visible"  # Excel keeps one sheet visible
        if rng.random() < 0.5:  # and the map no longer names its sheet
            text = (folder / MAP_FILE).read_text(encoding="utf-8")
            (folder / MAP_FILE).write_text(re.sub(r"    sheet: [^\n]*\n", "", text, count=1), encoding="utf-8")
    elif action == "extra_first":
        extra = book.create_sheet(rng.choice(("Read me", "Lookup", "Old")), 0)
        extra.append(["Account ID", "Amount", "Pay Date"])
        extra.append(["x", 1, dt.datetime(2020, 1, 1)])
        extra.sheet_state = rng.choice(("hidden", "visible"))
        book.active = len(book.worksheets) - 1
    elif action == "merge":
        c = rng.randint(1, max(width - 1, 1))
        r = rng.randint(top, max(sheet.max_row - 1, top))
        sheet.merge_cells(start_row=r, start_column=c, end_row=r + rng.randint(0, 3), end_column=c + rng.randint(0, 2))
    elif action == "twin":
        header = [sheet.cell(top, c).value for c in range(1, width + 1)]
        names = [h for h in header if isinstance(h, str) and h.strip()]
        if names:
            name = rng.choice(names)
            twin = rng.choice(TWINS).format(h=name, H=name.upper(), l=name.lower())
            sheet.cell(top, width + 1).value = twin
            for r in range(top + 1, sheet.max_row + 1):
                sheet.cell(r, width + 1).value = sheet.cell(r, header.index(name) + 1).value
    else:
        # A column of the sheet as real dates, as text dates in another style, or both
        column = rng.randint(1, width)
        for r in range(top + 1, sheet.max_row + 1):
            if rng.random() < 0.6:
                day = dt.date(2026, rng.randint(1, 12), rng.randint(1, 28))
                sheet.cell(r, column).value = {"dates": day, "datetimes": dt.datetime.combine(day, dt.time(9, 30)),
                                               "text_dates": day.strftime(rng.choice(("%d/%m/%Y", "%m/%d/%Y",
                                                                                      "%Y-%m-%d")))}[action]
    book.save(path)


# --- Parquet ------------------------------------------------------------------------------------


def _mutate_parquet(path: Path, rng: random.Random) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    rows = table.num_rows
    write: dict = {}
    for _ in range(rng.randint(1, 3)):
        action = rng.choice(("row_groups", "columns", "dictionary", "dictionary_bomb", "twin", "text_dates",
                             "timestamps", "nulls"))
        if action == "row_groups":
            write["row_group_size"] = rng.choice((1, 2, 7))
        elif action == "columns":
            start = table.num_columns
            for i in range(start, start + rng.choice((50, 300, 1200))):
                table = table.append_column(f"Extra {i}", pa.array([i] * rows, pa.int32()))
        elif action in ("dictionary", "dictionary_bomb"):
            name = rng.choice(table.column_names) if action == "dictionary" else "Memo"
            values = pa.array([str(v) for v in table[name].to_pylist()] if name in table.column_names else
                              ["x" * (256 << 10)] * rows)
            encoded = values.dictionary_encode()
            table = table.set_column(table.column_names.index(name), name, encoded) if name in table.column_names \
                else table.append_column(name, encoded)
        elif action == "twin":
            name = rng.choice(table.column_names)
            twin = rng.choice(TWINS).format(h=name, H=name.upper(), l=name.lower())
            if twin not in table.column_names:
                table = table.append_column(twin, table[name])
        elif action == "text_dates" and pa.types.is_date(table["Pay Date"].type):
            days = table["Pay Date"].to_pylist()
            text = [d.strftime(rng.choice(("%m/%d/%Y", "%d/%m/%Y"))) if d is not None else None for d in days]
            table = table.set_column(table.column_names.index("Pay Date"), "Pay Date", pa.array(text))
        elif action == "timestamps" and pa.types.is_date(table["Pay Date"].type):
            stamps = table["Pay Date"].cast(pa.timestamp("ms"))
            table = table.set_column(table.column_names.index("Pay Date"), "Pay Date", stamps)
        elif action == "nulls":
            name = rng.choice(table.column_names)
            mask = pa.array([rng.random() < 0.2 for _ in range(rows)])
            nulled = pa.compute.if_else(mask, pa.nulls(rows, table[name].type), table[name])
            table = table.set_column(table.column_names.index(name), name, nulled)
    pq.write_table(table, path, **write)


# --- the cases ---------------------------------------------------------------------------------


def _case(seed: int, folder: Path, variants: dict[str, Path]) -> list[str]:
    rng = random.Random(seed)
    variant = rng.choice(("xlsx", "xlsx", "parquet"))
    shutil.copytree(variants[variant], folder)
    if variant == "xlsx":
        for _ in range(rng.randint(1, 2)):
            path = folder / rng.choice((CRM_BOOK, PAYROLL_BOOK))
            _mutate_book(folder, path, rng)
    else:
        _mutate_parquet(folder / PAYROLL_PARQUET, rng)
    command = rng.choice((
        ["validate", PLAN, "--format", rng.choice(("json", "table"))],
        ["stress-test", PLAN, "--format", "json"],
        ["explain", PLAN, "--csm", rng.choice(("E1002", "E1019")), "--quarter", "2026Q4"],
    ))
    return [str(part) for part in [command[0], command[1], "--data", folder, *command[2:]]]


@pytest.mark.parametrize("seed", range(FIRST, FIRST + CASES))
def test_a_workbook_or_parquet_file_of_odd_structure_never_crashes(tmp_path, variants, seed):
    folder = tmp_path / "data"
    args = _case(seed, folder, variants)
    assert_survived(run(*args), args, folder, seed)


def test_the_mutations_reach_what_they_aim_at(tmp_path, variants):
    """The fuzz is only worth its cases if the broken structure reaches the reader: a formula without its
    value and a far cell, written the fuzz's way, are refused as such."""
    folder = tmp_path / "data"
    shutil.copytree(variants["xlsx"], folder)
    part = "xl/worksheets/sheet2.xml"  # the CRM report's data sheet, Account Report
    edit_part(folder / CRM_BOOK, part, lambda xml: xml.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" '
                                                                 b't="n"><v>1</v></c></row></sheetData>'))
    result = run("validate", PLAN, "--data", folder)
    assert result.exit_code == 2 and "XFD1048576" in result.stdout + result.stderr, result.stdout + result.stderr
    shutil.rmtree(folder)
    shutil.copytree(variants["xlsx"], folder)
    edit_part(folder / PAYROLL_BOOK, "xl/worksheets/sheet1.xml", lambda xml: _NUMBER.sub(
        lambda m: b'<c r="F2"' + m.group(2) + b"><f>" + m.group(3) + b"+0</f><v /></c>" if m.group(1) == b"F2"
        else m.group(0), xml))
    result = run("validate", PLAN, "--data", folder)
    assert result.exit_code == 2 and "formulas without saved values in cells F2" in result.stdout + result.stderr, \
        result.stdout + result.stderr
