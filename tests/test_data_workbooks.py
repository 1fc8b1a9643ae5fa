"""Reading workbooks and Parquet files as their author sees them (issue 22): formulas saved without
their values refused by cell, a sheet's far-away cell or a Parquet file's metadata checked against a
stated budget before anything is allocated, only the columns the map names read, near-duplicate
headers refused naming both spellings, the first visible sheet read, real date cells read whatever
the map's text date style, and a very large quoted CSV cell read like any other.

Every folder is test_datamap_sources' US export (two CSMs); read right, it replays to
C1 (5,000 target, 7,500 proposed, 6,250 paid) and C2 (2,500, 1,500, 1,300): the arithmetic is in that
module's docstring. C1's 10,000 expansion is what lifts its nrr to 1.1 and its payout to 7,500: read as
0 it would be nrr 1.0 and 5,000 (the silent −33 % a formula without its value gave).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import textwrap
import zipfile

import pytest

from .conftest import NRR_ONLY_YAML, REPO, assert_user_error, run, write_files
from .test_datamap_sources import CRM, PAYROLL, US_MAP, _payouts, _replay, _us_folder

RIGHT = {"C1": (5000.0, 7500.0, 6250.0), "C2": (2500.0, 1500.0, 1300.0)}
CRM_HEADER = ["Account Name", "Account ID", "CSM Owner", "Fiscal Period", "Beginning ARR", "Upsell ARR", "Downsell",
              "Churned ARR", "Renewal Status", "Health Score"]  # columns A to J
CRM_ROWS = [["Acme", "A1", "Ana Pérez", "Q1 2026", 100000, 10000, 0, 0, "Renewed", "Green"],
            ["Bolt", "A2", "Bo Chen", "Q1 2026", 100000, 0, 4000, 0, "Downgraded", "Red"]]


def _crm_book(folder, rows=CRM_ROWS, *, title="Accounts", sheet_line=""):
    """crm.xlsx in place of crm.csv, its sheet ``title`` holding the CRM header and ``rows``."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(CRM_HEADER)
    for row in rows:
        sheet.append(row)
    book.save(folder / "crm.xlsx")
    (folder / "crm.csv").unlink(missing_ok=True)
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("files: crm.csv", "files: crm.xlsx" + sheet_line))
    return book


def edit_part(path, part, edit):
    """The workbook rewritten with one of its XML parts passed through ``edit`` (bytes -> bytes)."""
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    parts[part] = edit(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def _plan(tmp_path):
    return write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"


def _stress(tmp_path, folder):
    return run("stress-test", _plan(tmp_path), "--data", folder, "--quarters", "1")


def _limited(*args, memory=2 * 1024**3):
    """The CLI in a child process allowed ``memory`` bytes of address space: an allocation of hundreds of
    GB fails there at once (it used to abort the process, or have the system kill it) instead of
    taking the machine's memory."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run([sys.executable, "-m", "cscomp_cli", *map(str, args)], cwd=REPO, preexec_fn=limit,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=300)


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the address-space limit is Linux's")


# --- 1. formulas saved without their values -----------------------------------------------------


def test_formulas_without_saved_values_in_a_mapped_column_are_refused_by_cell(tmp_path):
    # openpyxl (and many scripts) write a formula but not its value: calamine reads such a cell as
    # blank, so C1's expansion was 0 and its payout 5,000 instead of 7,500, without a word.
    folder = _us_folder(tmp_path)
    rows = [row.copy() for row in CRM_ROWS]
    rows[0][5], rows[1][5] = "=E2*0.1", "=E3*0"  # Upsell ARR, column F
    _crm_book(folder, rows)
    result = _stress(tmp_path, folder)
    assert_user_error(result, "crm.xlsx", "sheet Accounts", "formulas without saved values", "F2 and F3",
                      "open and save the file in Excel, or export CSV")


def test_many_formulas_without_values_name_the_first_cells_and_count_the_rest(tmp_path):
    folder = _us_folder(tmp_path)
    rows = [row.copy() for row in CRM_ROWS]
    rows[1][4] = "=100000"  # E3
    # 44 spacer rows below the data, each with a formula in Downsell (G) and nothing else
    rows += [[None] * 6 + [f"=E{r}*0"] for r in range(4, 48)]
    _crm_book(folder, rows)
    result = _stress(tmp_path, folder)
    # 1 in E + 44 in G = 45 cells: the first three in sheet order, then the 42 others
    assert_user_error(result, "crm.xlsx", "E3, G4, G5 and 42 more")


def test_formulas_with_saved_values_or_outside_the_mapped_columns_read(tmp_path):
    folder = _us_folder(tmp_path)
    rows = [row.copy() for row in CRM_ROWS]
    rows[0][5] = "=E2*0.1"  # F2: given its saved value 10000 below, as Excel writes it
    rows[0][0] = '=CONCAT("Ac","me")'  # Account Name, which the map does not read: no value needed
    rows[1][0] = '=IF(TRUE,"","")'  # a formula whose saved value is the empty text
    _crm_book(folder, rows)
    edit_part(folder / "crm.xlsx", "xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        b"<f>E2*0.1</f><v />", b"<f>E2*0.1</f><v>10000</v>").replace(
        b'<c r="A3"><f>IF(TRUE,"","")</f><v />', b'<c r="A3" t="str"><f>IF(TRUE,"","")</f><v></v>'))
    assert b"<v>10000</v>" in zipfile.ZipFile(folder / "crm.xlsx").read("xl/worksheets/sheet1.xml")
    assert _payouts(_replay(folder, tmp_path)) == RIGHT


# --- 2. near-duplicate headers ------------------------------------------------------------------


@pytest.mark.parametrize("twin", [" Amount", "amount", "AMOUNT "])
def test_two_parquet_columns_one_space_or_case_apart_are_refused_naming_both(tmp_path, twin):
    # The reader kept one of them, silently: which one paid the CSMs depended on the column order.
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = _us_folder(tmp_path)
    pq.write_table(pa.table({
        "Pay Date": ["04/15/2026"] * 3 + ["04/30/2026"], "Employee ID": ["C1", "C2", "C2", "C2"],
        "Earnings Code": ["QBON", "QBON", "REG", "CLAW"], "Amount": [6250.0, 1500.0, 8333.33, -200.0],
        twin: [0.0, 0.0, 0.0, 0.0]}), folder / "payroll.parquet")
    (folder / "payroll.csv").unlink()
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("files: payroll.csv", "files: payroll.parquet"))
    result = _stress(tmp_path, folder)
    assert_user_error(result, "payroll.parquet", "two columns", "'Amount'", f"'{twin}'")


def test_two_csv_columns_one_space_apart_are_refused_naming_both_spellings(tmp_path):
    folder = _us_folder(tmp_path, **{"payroll.csv": PAYROLL.replace("Amount\n", 'Amount, Amount\n').replace(
        '"\n', '",0\n')})
    result = _stress(tmp_path, folder)
    assert_user_error(result, "payroll.csv", "'Amount' and ' Amount'")


# --- 3. budgets: a sheet's far cell, Parquet metadata -------------------------------------------


@linux_only
def test_a_sheet_whose_cells_reach_the_last_excel_cell_is_refused_within_the_budget(tmp_path):
    # One value at XFD1048576 in a 5 KB workbook: calamine allocated 16,384 × 1,048,576 cells (512 GB)
    # and the process died of signal 6.
    folder = _us_folder(tmp_path)
    _crm_book(folder)
    edit_part(folder / "crm.xlsx", "xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'))
    result = _limited("stress-test", _plan(tmp_path), "--data", folder, "--quarters", "1")
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr, result.stderr[-2000:]
    for fragment in ("crm.xlsx", "sheet Accounts", "XFD1048576", "1,048,576 rows × 16,384 columns",
                     "delete the rows and columns past the data"):
        assert fragment in result.stderr, (fragment, result.stderr)


def test_a_used_range_far_past_the_real_cells_reads_the_real_cells(tmp_path):
    folder = _us_folder(tmp_path)
    _crm_book(folder)
    edit_part(folder / "crm.xlsx", "xl/worksheets/sheet1.xml",
               lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml))
    assert _payouts(_replay(folder, tmp_path)) == RIGHT


def test_a_sheet_within_the_budget_but_past_its_real_cells_in_one_column_reads(tmp_path):
    # A stray value far down an unmapped column: 200,000 rows × 10 columns is within the budget.
    folder = _us_folder(tmp_path)
    _crm_book(folder)
    edit_part(folder / "crm.xlsx", "xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        b"</sheetData>", b'<row r="200000"><c r="A200000" t="inlineStr"><is><t>end</t></is></c></row></sheetData>'))
    assert _payouts(_replay(folder, tmp_path)) == RIGHT



def _styles_past_the_budget(folder, monkeypatch):
    """crm.xlsx, whose styles part (2,631 bytes unpacked) is past a budget lowered to 1,000 bytes: a zip
    bomb's part (a few MB unpacking to many GB) as a test can write it."""
    from cscomp_cli.inputs import workbooks

    _crm_book(folder)
    with zipfile.ZipFile(folder / "crm.xlsx") as package:
        assert package.getinfo("xl/styles.xml").file_size > 1000
    monkeypatch.setattr(workbooks, "MAX_FILE_BYTES", 1000)


def test_a_workbook_part_that_unpacks_past_the_budget_is_refused_naming_it(tmp_path, monkeypatch):
    folder = _us_folder(tmp_path)
    _styles_past_the_budget(folder, monkeypatch)
    assert_user_error(_stress(tmp_path, folder), "crm.xlsx", "holds xl/styles.xml", "once unpacked",
                      "too large to be an export")


def test_init_says_which_workbook_part_unpacks_past_the_budget(tmp_path, monkeypatch):
    # init listed the workbook as 'cannot be read: xl/styles.xml', the bare name of the part.
    folder = _us_folder(tmp_path)
    _styles_past_the_budget(folder, monkeypatch)
    (folder / "cscomp-data.yaml").unlink()
    result = run("init", folder)
    assert result.exit_code == 0, result.stderr
    assert "crm.xlsx (cannot be read: holds xl/styles.xml" in result.stderr, result.stderr
    assert "once unpacked: too large to be an export" in result.stderr, result.stderr

def _payroll_parquet(folder, rows=4, write=None, **extra):
    """payroll.parquet in place of payroll.csv: PAYROLL's four rows (Pay Date a real date column), then
    rows − 4 salary lines (REG) the map's rows filter drops, and ``extra`` columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    times = rows // 4
    columns = {"Pay Date": pa.array(([dt.date(2026, 4, 15)] * 3 + [dt.date(2026, 4, 30)]) * times),
               "Employee ID": ["C1", "C2", "C2", "C2"] * times,
               "Employee Name": ["Ana Pérez", "Bo Chen", "Bo Chen", "Bo Chen"] * times,
               "Earnings Code": ["QBON", "QBON", "REG", "CLAW"] + ["REG"] * (rows - 4),
               "Amount": [6250.0, 1500.0, 8333.33, -200.0] * times}
    pq.write_table(pa.table(columns | extra), folder / "payroll.parquet", **(write or {}))
    (folder / "payroll.csv").unlink(missing_ok=True)
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("files: payroll.csv", "files: payroll.parquet"))


def _bomb(rows: int):
    """A dictionary column of one 1 MB value on every row: 50 KB on disk, rows MB once decoded."""
    import pyarrow as pa

    return pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["x" * (1 << 20)]))


@linux_only
def test_a_dictionary_bomb_in_a_column_the_map_does_not_name_is_never_decoded(tmp_path):
    # 8,000 rows × 1 MB = 8 GB once decoded: every column was read, so this ended in ArrowMemoryError.
    # The first four rows are PAYROLL's; the 7,996 others salary lines (REG) the map's rows filter drops.
    folder = _us_folder(tmp_path)
    _payroll_parquet(folder, rows=8000, Memo=_bomb(8000))
    assert (folder / "payroll.parquet").stat().st_size < 2_000_000
    plan = _plan(tmp_path)
    result = _limited("stress-test", plan, "--data", folder, "--quarters", "1", "--format", "json")
    assert result.returncode == 0, result.stderr[-2000:]
    import json

    assert _payouts(json.loads(result.stdout)) == RIGHT
    # The same bomb under a header the map reads: refused by the budget, before it is decoded.
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("files: payroll.csv", "files: payroll.parquet")
                                             .replace("amount: Amount", "amount: Amount\n      component: Memo")
                                             .replace("      component: {column: Earnings Code, values: {QBON: bonus, "
                                                      "SPIF: spiff, CLAW: clawback}}\n", ""))
    result = _limited("stress-test", plan, "--data", folder, "--quarters", "1")
    assert result.returncode == 2, result.stderr[-2000:]
    assert "payroll.parquet" in result.stderr and "column Memo" in result.stderr and "GB" in result.stderr, \
        result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr


@linux_only
def test_init_guesses_from_a_parquet_file_with_a_dictionary_bomb(tmp_path):
    # init read the first 5,000 rows of every column: 5 GB of the bomb's text.
    folder = _us_folder(tmp_path)
    _payroll_parquet(folder, rows=8000, Memo=_bomb(8000))
    (folder / "cscomp-data.yaml").unlink()
    result = _limited("init", folder)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert "payouts: payroll.parquet" in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_parquet_with_more_row_groups_times_columns_than_the_budget_is_refused_before_reading(tmp_path, monkeypatch):
    # 5,000 row groups × 2,000 columns ended in ArrowMemoryError or signal 6; the same check here on a
    # file small enough to write in a test, against a budget lowered to match (the real one is 1,000,000).
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cscomp_cli.inputs import parquet_files

    monkeypatch.setattr(parquet_files, "MAX_COLUMN_CHUNKS", 10_000)
    folder = _us_folder(tmp_path)
    _payroll_parquet(folder, rows=400, **{f"Extra {i}": pa.array([i] * 400) for i in range(40)},
                     write={"row_group_size": 2})
    assert pq.ParquetFile(folder / "payroll.parquet").metadata.num_row_groups == 200
    # 200 row groups × 45 columns = 9,000 column chunks: within 10,000
    assert _payouts(_replay(folder, tmp_path)) == RIGHT
    monkeypatch.setattr(parquet_files, "MAX_COLUMN_CHUNKS", 5_000)
    result = _stress(tmp_path, folder)
    assert_user_error(result, "payroll.parquet", "200 row groups × 45 columns", "9,000", "5,000")


def test_parquet_more_cells_to_read_than_the_budget_is_refused(tmp_path, monkeypatch):
    from cscomp_cli.inputs import parquet_files

    monkeypatch.setattr(parquet_files, "MAX_CELLS", 30)
    folder = _us_folder(tmp_path)
    _payroll_parquet(folder, rows=8)
    # The map reads Pay Date, Employee ID, Earnings Code, Amount: 8 rows × 4 columns = 32 cells
    assert_user_error(_stress(tmp_path, folder), "payroll.parquet",
                      "8 rows × 4 columns", "32", "30")


def test_an_arrow_memory_error_is_a_clear_message(tmp_path, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = _us_folder(tmp_path)
    _payroll_parquet(folder)

    def out_of_memory(*args, **kwargs):
        raise pa.ArrowMemoryError("malloc of size 137438953472 failed")

    monkeypatch.setattr(pq, "read_table", out_of_memory)
    assert_user_error(_stress(tmp_path, folder), "payroll.parquet", "memory",
                      "export only the columns")


# --- 4. a very large quoted cell ----------------------------------------------------------------


def _notes_crm(size: int) -> str:
    """CRM with a Notes column (which the map does not read) whose first cell is ``size`` characters, quoted."""
    lines = textwrap.dedent(CRM).splitlines()
    return "\n".join([lines[0] + ",Notes", lines[1] + ',"' + "note, " * (size // 6) + '"', lines[2] + ",short"]) + "\n"


@pytest.mark.parametrize("size", [200_000, 5_000_000])
def test_a_very_large_notes_cell_in_an_unmapped_column_reads(tmp_path, size):
    # A 200 KB quoted cell ended in "unexpected KeyError: None": the delimiter sniffer's csv reader
    # stops at 128 KB fields, and the message for that named no delimiter.
    folder = _us_folder(tmp_path, **{"crm.csv": _notes_crm(size)})
    assert _payouts(_replay(folder, tmp_path)) == RIGHT


def test_a_very_large_cell_in_a_canonical_csv_reads(tmp_path):
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn,notes\n"
                f'2026Q1,A1,C1,100000,10000,0,0,"{"x" * 300_000}"\n2026Q1,A2,C2,100000,0,4000,0,\n')
    folder = write_files(tmp_path / "canonical", roster="csm_id,name,segment,annual_base,annual_variable\n"
                         "C1,Ana,Enterprise,100000,20000\nC2,Bo,SMB,100000,20000\n", accounts=accounts,
                         payouts="quarter,csm_id,amount\n2026Q1,C1,6250\n2026Q1,C2,1300\n")
    document = _replay(folder, tmp_path)
    # C2 is not prorated here (no start date): 5,000 target, nrr 0.96 -> 0.6 -> 3,000
    assert _payouts(document) == {"C1": (5000.0, 7500.0, 6250.0), "C2": (5000.0, 3000.0, 1300.0)}


def test_init_reads_an_export_with_a_very_large_cell(tmp_path):
    folder = _us_folder(tmp_path, **{"crm.csv": _notes_crm(200_000)})
    (folder / "cscomp-data.yaml").unlink()
    result = run("init", folder)
    assert result.exit_code == 0, result.stderr
    assert "field larger than field limit" not in result.stdout + result.stderr
    assert "accounts: crm.csv" in result.stderr and "not used" not in result.stderr, result.stderr


# --- 5. hidden sheets ---------------------------------------------------------------------------


def _hidden_first(folder, sheet_line=""):
    """crm.xlsx whose first sheet, hidden, holds last year's rows (no expansion); the visible one this year's."""
    book = _crm_book(folder, [[*row[:5], 0, *row[6:]] for row in CRM_ROWS], title="Old", sheet_line=sheet_line)
    book.active.sheet_state = "hidden"
    current = book.create_sheet("Accounts")
    current.append(CRM_HEADER)
    for row in CRM_ROWS:
        current.append(row)
    book.active = 1
    book.save(folder / "crm.xlsx")


def test_without_a_sheet_the_first_visible_sheet_is_read(tmp_path):
    # The hidden first sheet was read: C1 without its expansion, paid 5,000 instead of 7,500.
    folder = _us_folder(tmp_path)
    _hidden_first(folder)
    assert _payouts(_replay(folder, tmp_path)) == RIGHT


def test_a_hidden_sheet_the_map_names_is_read(tmp_path):
    folder = _us_folder(tmp_path)
    _hidden_first(folder, "\n    sheet: Old")
    # Old has no expansion: C1 nrr 1.0 -> fraction 1.0 -> 5,000
    assert _payouts(_replay(folder, tmp_path))["C1"] == (5000.0, 5000.0, 6250.0)


def test_init_guesses_from_the_visible_sheet_not_a_hidden_one(tmp_path):
    folder = _us_folder(tmp_path)
    _hidden_first(folder)
    (folder / "cscomp-data.yaml").unlink()
    result = run("init", folder)
    assert result.exit_code == 0, result.stderr
    assert "sheet: Accounts" in (folder / "cscomp-data.yaml").read_text()


@linux_only
def test_init_passes_over_a_sheet_whose_cells_reach_past_the_budget(tmp_path):
    # init read every sheet with calamine: the far cell killed it (signal 6) as it did the loader.
    folder = _us_folder(tmp_path)
    _crm_book(folder)
    edit_part(folder / "crm.xlsx", "xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'))
    (folder / "cscomp-data.yaml").unlink()
    result = _limited("init", folder)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "crm.xlsx (cannot be read: sheet Accounts's cells reach XFD1048576" in result.stderr, result.stderr


# --- 6. real date cells -------------------------------------------------------------------------


def _payroll_book(folder, dates_line: str, pay_dates):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Earnings"
    sheet.append(["Pay Date", "Employee ID", "Employee Name", "Earnings Code", "Amount"])
    for pay, row in zip(pay_dates, [["C1", "Ana Pérez", "QBON", 6250], ["C2", "Bo Chen", "QBON", 1500],
                                    ["C2", "Bo Chen", "REG", 8333.33], ["C2", "Bo Chen", "CLAW", -200]]):
        sheet.append([pay, *row])
    for (cell,) in sheet.iter_rows(min_row=2, max_col=1):
        cell.number_format = "dd/mm/yyyy"
    book.save(folder / "payroll.xlsx")
    (folder / "payroll.csv").unlink()
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("files: payroll.csv", "files: payroll.xlsx").replace(
        "    dates: MM/DD/YYYY\n    rows:\n      keep: {column: Earnings Code", f"    dates: {dates_line}\n    rows:\n"
        "      keep: {column: Earnings Code"))


@pytest.mark.parametrize("style", ["DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY", "YYYY-MM-DD", "auto"])
def test_real_date_cells_are_dates_whatever_the_maps_text_style(tmp_path, style):
    # Under dates: DD/MM/YYYY a real date cell (shown 15/04/2026 by Excel) was refused as
    # "'2026-04-15' is not a date written DD/MM/YYYY".
    folder = _us_folder(tmp_path)
    _payroll_book(folder, style, [dt.datetime(2026, 4, 15)] * 3 + [dt.datetime(2026, 4, 30)])
    assert _payouts(_replay(folder, tmp_path)) == RIGHT


def test_a_column_of_real_date_cells_and_text_dates_reads_the_text_in_the_maps_style(tmp_path):
    folder = _us_folder(tmp_path)
    # 15/04/2026 as text in the map's style; 04/30/2026 would not be (no month 30): refused by cell
    _payroll_book(folder, "DD/MM/YYYY", [dt.datetime(2026, 4, 15), "15/04/2026", dt.date(2026, 4, 15), "30/04/2026"])
    assert _payouts(_replay(folder, tmp_path)) == RIGHT
    _payroll_book(folder := _us_folder(tmp_path, "again"), "DD/MM/YYYY",
                  [dt.datetime(2026, 4, 15), "15/04/2026", dt.date(2026, 4, 15), "04/30/2026"])
    assert_user_error(_stress(tmp_path, folder), "payroll.xlsx", "sheet Earnings, row 5",
                      "'04/30/2026' is not a date written DD/MM/YYYY")


def test_a_parquet_date_column_is_dates_whatever_the_maps_text_style(tmp_path):
    folder = _us_folder(tmp_path)
    _payroll_parquet(folder)
    (folder / "cscomp-data.yaml").write_text((folder / "cscomp-data.yaml").read_text().replace(
        "    dates: MM/DD/YYYY\n    rows:\n      keep: {column: Earnings Code",
        "    dates: DD.MM.YYYY\n    rows:\n      keep: {column: Earnings Code"))
    assert _payouts(_replay(folder, tmp_path)) == RIGHT
