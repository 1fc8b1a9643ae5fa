"""Reading an Excel sheet as its author sees it: the sheet the map names, else the first visible one; its
cells checked against a stated budget before calamine lays them out; formulas saved without their values
refused in the columns the map reads; and each cell as the text an export would hold, real dates marked.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, MapError
from cscomp_cli.inputs.datamap import Table
from cscomp_cli.inputs.export_cells import FileCells, as_text
from cscomp_cli.inputs.export_headers import named_columns, refuse_repeated
from cscomp_cli.inputs.files import (
    DATA_DOC,
    MAX_FILE_BYTES,
    read_binary,
)
from cscomp_cli.inputs.workbook_scan import (
    NotAWorkbookPackage,
    PartTooLarge,
    SheetExtent,
    book_parts,
    formulas_in,
    part_size,
    scan_sheet,
)

# calamine lays a sheet out from A1 to its farthest cell, each cell a Python object once read (about 100
# bytes): 20 million cells (200,000 rows × 100 columns, or all 1,048,576 rows × 19) is about 2 GB.
MAX_SHEET_CELLS = 20_000_000
_REREAD = "open it in Excel and save it again as .xlsx, or export the sheet as CSV UTF-8"


def read_sheet(path: Path, table: Table, name: str, label: str, wanted: list[str]) -> FileCells:
    """The sheet's cells under the columns of ``wanted`` (the header spellings the map names)."""
    # python-calamine (Rust) reads a 100,000-row sheet in about 2 s where openpyxl takes about 30.
    from python_calamine import CalamineError, CalamineWorkbook

    content = read_binary(path)  # a FIFO or /dev/zero named crm.xlsx is refused before it is opened
    try:
        package, parts = _package(content, path)
        content.seek(0)
        # From the bytes, not the name: a workbook saved as crm.dat reads under format: xlsx.
        with CalamineWorkbook.from_filelike(content) as book:
            sheets = list(book.sheet_names)
            sheet_name = table.sheet if table.sheet is not None else (_seen_worksheets(book) or sheets or [""])[0]
            if sheet_name not in sheets:
                raise MapError(f"{path.name} has no sheet '{sheet_name}'", file=label, location=f"tables.{name}.sheet",
                               hint=f"its sheets are {', '.join(sheets) or '(none)'}; see {DATA_DOC}")
            extent = None
            if package is not None and sheet_name in parts.sheets:
                extent = scan_sheet(package, parts.sheets[sheet_name], MAX_FILE_BYTES, table.header_row)
                _check_budget(extent, path, sheet_name)
            # Empty leading rows and columns kept, so row numbers are the ones the spreadsheet shows.
            rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except PartTooLarge as error:
        raise DataError(str(error), file=path, hint="check that this is the right file, or export the sheet as CSV "
                        f"UTF-8; see {DATA_DOC}") from None
    except (CalamineError, OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError,
            RuntimeError) as exc:
        raise DataError(f"cannot be read as an Excel workbook ({exc})", file=path, hint=_REREAD) from None
    rows = rows[table.header_row - 1:]
    if not rows:
        raise DataError(f"sheet {sheet_name} is empty", file=path, hint="check the sheet and header_row in the map")
    width = max(len(r) for r in rows)
    written = [_header_text(c, table.decimal) for c in rows[0]] + [""] * (width - len(rows[0]))
    refuse_repeated(written, wanted, path, f"sheet {sheet_name}, row {table.header_row}")
    header = [h.strip() or f"(column {i + 1})" for i, h in enumerate(written)]
    read = named_columns(header, wanted)
    if extent is not None:
        _refuse_formulas(extent, read, path, sheet_name)
    body = rows[1:]
    cells, dated = {}, {}
    for i in read:
        values = [r[i] if i < len(r) else None for r in body]
        cells[header[i]] = as_text(pd.Series([cell_text(v, table.decimal) for v in values], dtype=object))
        real = np.array([isinstance(v, dt.date) for v in values], dtype=bool)
        if real.any():
            dated[header[i]] = real
    lines = np.arange(len(body), dtype="int64") + table.header_row + 1
    frame = pd.DataFrame(cells, index=pd.RangeIndex(len(body)), columns=[header[i] for i in read])
    return FileCells(frame, lines, f"sheet {sheet_name}, row", tuple(header), dated)


def sheets_to_guess_from(path: Path) -> list[str]:
    """The sheets `cscomp init` may read a table from: the visible worksheets (all of them if none is), but
    those whose cells reach past the budget, which calamine could not lay out."""
    from python_calamine import CalamineWorkbook

    content = read_binary(path)
    package, parts = _package(content, path)
    content.seek(0)
    with CalamineWorkbook.from_filelike(content) as book:
        names = _seen_worksheets(book)
    if package is None:
        return names
    kept, too_far = [], []
    for name in names:
        extent = scan_sheet(package, parts.sheets[name], MAX_FILE_BYTES) if name in parts.sheets else None
        if extent is not None and extent.cells > MAX_SHEET_CELLS:
            too_far.append(f"sheet {name}'s cells reach {extent.corner}")
        else:
            kept.append(name)
    if not kept and too_far:
        # init lists the file with this reason: the message names no file of its own.
        raise DataError(f"{', '.join(too_far)}, past the {MAX_SHEET_CELLS:,} cells cscomp reads from a sheet")
    return kept


def _package(content: io.BytesIO, path: Path):
    """The workbook as a zip package, its parts' sizes checked, or (None, None) for a workbook that is
    not one (.xls, .ods), which calamine reads alone."""
    try:
        package = zipfile.ZipFile(content)
        parts = book_parts(package)
    except (zipfile.BadZipFile, NotAWorkbookPackage):
        return None, None
    for part in parts.opened:  # read whole by calamine as it opens the workbook: a zip bomb stops here
        part_size(package, part, MAX_FILE_BYTES)
    return package, parts


def _seen_worksheets(book) -> list[str]:
    """The worksheets a person sees, in the workbook's order (a hidden sheet, last year's data or a lookup,
    is passed over); all of them when none is visible. The loader reads the first without a sheet:, and
    init guesses from these, so both pass over the same sheets."""
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    worksheets = [m for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    return [m.name for m in worksheets if m.visible == SheetVisibleEnum.Visible] or [m.name for m in worksheets]


def _check_budget(extent: SheetExtent, path: Path, sheet: str) -> None:
    if extent.cells <= MAX_SHEET_CELLS:
        return
    raise DataError(
        f"sheet {sheet}'s cells reach {extent.corner}: {extent.rows:,} rows × {extent.columns:,} columns is "
        f"{extent.cells:,} cells, more than the {MAX_SHEET_CELLS:,} cscomp reads from a sheet", file=path,
        hint=f"delete the rows and columns past the data (a stray value far below or to the right of it), save, "
        f"and run again; or export the sheet as CSV UTF-8; see {DATA_DOC}")


def _refuse_formulas(extent: SheetExtent, read: list[int], path: Path, sheet: str) -> None:
    """Formulas saved without their values, in a column the map reads: each would read as a blank (0)."""
    shown, total = formulas_in(extent, [i + 1 for i in read])
    if not total:
        return
    cells = ", ".join(shown[:-1]) + f" and {shown[-1]}" if total == len(shown) and len(shown) > 1 else (
        ", ".join(shown) + (f" and {total - len(shown)} more" if total > len(shown) else ""))
    raise DataError(
        f"sheet {sheet} has formulas without saved values in cells {cells}: each would read as a blank cell",
        file=path, location=f"sheet {sheet}",
        hint="the program that wrote the file saved the formulas but not their results: open and save the file in "
        f"Excel, or export CSV; see {DATA_DOC}")


def _header_text(value, decimal: str | None) -> str:
    """A header cell as written (spaces kept, so two headers one space apart are shown apart)."""
    return value if isinstance(value, str) else cell_text(value, decimal)


def cell_text(value, decimal: str | None) -> str:
    """A spreadsheet cell as the text an export would hold (numbers in the table's own decimal style)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == "":
        return ""
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10] if not isinstance(value, dt.datetime) or value.time() == dt.time() \
            else value.isoformat(sep=" ")
    if isinstance(value, float):
        text = repr(value) if "e" not in repr(value) else f"{value:.10f}".rstrip("0").rstrip(".")
        text = text[:-2] if text.endswith(".0") else text
        return text.replace(".", ",") if decimal == "," else text
    if isinstance(value, int):
        return str(value)
    return str(value).strip()
