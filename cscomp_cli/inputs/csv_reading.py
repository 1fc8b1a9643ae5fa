"""Reading a CSV export into a table of text cells: the delimiter taken from the header line, one multi-threaded pyarrow pass where the file allows, quoted line breaks and unclosed quotes found, and blank rows dropped; what a cell means is cells.py's."""

from __future__ import annotations

import csv
import io
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, DataWarning, note
from cscomp_cli.inputs.cell_bytes import as_arrow, cell_lengths, trimmed_cells
from cscomp_cli.inputs.cells import (
    NumberColumns,
    number_convention,
)
from cscomp_cli.inputs.files import (
    DATA_DOC,
    DELIMITER_NAMES,
    Origin,
    Staged,
    check_header_width,
    head_text,
    may_hold_controls,
    physical_lines,
    read_as_note,
    read_file_bytes,
    refuse_binary,
    refuse_controls,
    refuse_controls_in_header,
    wide_csv_fields,
)


def _read_csv(path: Path, *, required: list[str], optional: list[str] = (), allow_empty: bool = False,
              numbers: list[str] = ()) -> tuple[pd.DataFrame, NumberColumns]:
    """Read a CSV as text cells with normalised column names and a ``line`` column.

    Also works out how the file writes numbers, from the cells of its ``numbers`` columns.
    """
    raw = read_file_bytes(path)
    refuse_binary(path, raw[:8])
    table, lines, head, delimiter = parse_csv(raw, path, known=set(required) | set(optional))
    controls = may_hold_controls(raw)
    del raw

    written = [str(c).strip().lstrip("\ufeff") for c in table.columns]
    names = [c.lower() for c in written]
    refuse_controls_in_header(path, names)
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DataError(f"column '{name}' appears twice in the header", file=path, location="line 1")
        seen.add(name)
    table.columns = names
    missing = [c for c in required if c not in seen]
    if missing:
        raise DataError(
            f"missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"
            + _header_looks(delimiter, head),
            file=path,
            location="line 1",
            hint=f"the header must contain {', '.join(required)} (any case, any order), separated by commas, "
            f"semicolons or tabs; see {DATA_DOC}",
        )
    keep = [c for c in names if c in set(required) | set(optional)]
    table = table[keep].copy()
    for column in keep:
        # Cells are compared trimmed everywhere ("  1,234.50 " is an amount), so trim them once here.
        table[column] = trimmed_cells(table[column])
    table["line"] = lines
    if controls:
        refuse_controls(Origin(path), table, keep)
    # Blank lines (every cell empty) are skipped; their line numbers stay counted.
    blank = _all_blank(table, keep)
    if blank.any():
        table = table.loc[~blank]
    if table.empty and not allow_empty:
        raise DataError("has a header but no rows", file=path, hint=f"export {path.name} with its data rows")
    convention = number_convention(table, Origin(path), [c for c in numbers if c in table], delimiter)
    if delimiter != "," and convention.decimal == ".":
        note(DataWarning(f"read as {DELIMITER_NAMES[delimiter]}-separated (not comma-separated)", file=path,
                         location="line 1"))
    table.attrs["written"] = tuple(written)
    return table, convention


def _all_blank(table: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The rows whose every cell is empty (from the cells' lengths where they are Arrow text)."""
    blank = np.ones(len(table), dtype=bool)
    for column in columns:
        chunks = as_arrow(table[column])
        blank &= (cell_lengths(chunks) == 0) if chunks is not None else (table[column] == "").to_numpy()
        if not blank.any():
            break
    return blank


def open_table(source: Path | Staged, *, required: list[str], optional: list[str] = (), allow_empty: bool = False,
                numbers: list[str] = ()) -> tuple[pd.DataFrame, NumberColumns, Origin]:
    """A canonical CSV read from disk, or a table the data map staged from an export, ready to validate."""
    if not isinstance(source, Staged):
        table, convention = _read_csv(source, required=required, optional=optional, allow_empty=allow_empty,
                                      numbers=numbers)
        return table, convention, Origin(source)
    table, origin = source.table, source.origin
    if table.empty and not allow_empty:
        raise DataError("has no rows left to read (after the data map's rows filter, if any)", file=origin.path,
                        hint=f"check the export and the map's rows: keep/drop; see {DATA_DOC}")
    if source.decimal is not None:
        return table, NumberColumns(decimal=source.decimal, settled=True, delimiter=source.delimiter), origin
    return table, number_convention(table, origin, [c for c in numbers if c in table], source.delimiter), origin


def parse_csv(raw: bytes, path: Path, *, known: set[str], delimiter: str | None = None
              ) -> tuple[pd.DataFrame, np.ndarray, str, str]:
    """UTF-8 CSV bytes as text cells under the header's names, each row's physical line, the header
    line and the delimiter (sniffed from the header unless given)."""
    wide_csv_fields()
    try:
        head = head_text(raw)
        if head == "":
            raise DataError("file is empty", file=path, hint=f"export {path.name} again with a header row")
        delimiter = delimiter or _sniff_delimiter(head, known)
        check_header_width(path, head, delimiter)
        table = _read_fast(raw, delimiter)
        if table is None:
            with warnings.catch_warnings():
                # pandas only warns, and drops the extra cells, when a row has more fields than the header.
                warnings.simplefilter("error", pd.errors.ParserWarning)
                table = pd.read_csv(
                    io.BytesIO(raw),
                    sep=delimiter,
                    dtype=str,
                    keep_default_na=False,
                    na_filter=False,
                    encoding="utf-8-sig",
                    skip_blank_lines=False,
                    # Never take the first column as the index when a row has one field too many:
                    # that would silently shift every column of the file by one.
                    index_col=False,
                    quoting=csv.QUOTE_MINIMAL,
                )
    except UnicodeDecodeError as exc:
        raise DataError(
            f"is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})",
            file=path,
            hint="re-export the file as 'CSV UTF-8', or convert it: iconv -f latin1 -t utf-8",
        ) from None
    except pd.errors.ParserWarning:
        line = _first_long_row(raw, delimiter)
        raise DataError("a row has more cells than the header has columns" + read_as_note(delimiter), file=path,
                        location=None if line is None else f"line {line}",
                        hint=_too_many_cells_hint(delimiter)) from None
    except pd.errors.EmptyDataError:
        raise DataError("file is empty", file=path, hint=f"export {path.name} again with a header row") from None
    except pd.errors.ParserError as exc:
        if "EOF inside string" in str(exc):  # pandas counts records, not the lines an editor shows
            raise DataError("a quote is opened and never closed: the rest of the file reads as one cell", file=path,
                            location=f"line {_unclosed_quote_line(raw)}",
                            hint='close the quoted text, or write a quote inside quoted text as two ("")') from None
        raise DataError(f"cannot be read as CSV{read_as_note(delimiter)}: {str(exc).strip()}", file=path,
                        hint=_too_many_cells_hint(delimiter)) from None
    except (ValueError, csv.Error) as exc:
        raise DataError(f"cannot be read as CSV{read_as_note(delimiter)}: {str(exc).strip()}", file=path,
                        hint=_too_many_cells_hint(delimiter)) from None
    return table, physical_lines(raw, table), head, delimiter


def _sniff_delimiter(head: str, known: set[str]) -> str:
    """Comma, semicolon or tab: the one whose header holds the most known column names.

    Ties go to the delimiter that splits the first data lines into as many cells as the header,
    then to the one giving the most columns, then to the comma.
    """
    lines = head.splitlines()[:6]
    best, best_score = ",", None
    for delimiter in DELIMITER_NAMES:
        rows = [row for row in csv.reader(lines, delimiter=delimiter) if row]
        if not rows:
            continue
        header = [cell.strip().lower() for cell in rows[0]]
        width = len(header)
        consistent = sum(len(row) == width for row in rows[1:]) if width > 1 else 0
        score = (len(known & set(header)), consistent, width)
        if best_score is None or score > best_score:
            best, best_score = delimiter, score
    return best


def _header_looks(delimiter: str, head: str) -> str:
    """Why the header may have been split wrongly, when it was not split by commas or looks otherwise."""
    header = head.splitlines()[0] if head else ""
    if delimiter != ",":
        return read_as_note(delimiter)
    for other in (";", "\t"):
        if header.count(other) >= 1:
            return (f" (the header line contains {DELIMITER_NAMES[other]}s, so the file may be "
                    f"{DELIMITER_NAMES[other]}-separated, but its column names do not match either way)")
    return ""


def _too_many_cells_hint(delimiter: str) -> str:
    if delimiter == ",":
        return "check for an extra comma, or quote text that contains commas"
    name = DELIMITER_NAMES[delimiter]
    return f"check for an extra {name}, or quote text that contains {name}s"


def _unclosed_quote_line(raw: bytes) -> int:
    """The line of the quote that opens the text left open at the end of the file."""
    # Quotes inside quoted text come in pairs (""), so with an odd count the last one opened it.
    at = raw.rfind(b'"')
    return raw.count(b"\n", 0, max(at, 0)) + 1


def _first_long_row(raw: bytes, delimiter: str = ",") -> int | None:
    """The line of the first row with more cells than the header (only read when one exists)."""
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter)
    width = len(next(reader, []))
    start = reader.line_num + 1
    for row in reader:
        if len(row) > width:
            return start  # where the row begins, though a quoted cell may carry it over several lines
        start = reader.line_num + 1
    return None


_POOL_CHOSEN = False


def _returning_memory_pool() -> None:
    """Have pyarrow allocate from jemalloc, which hands freed pages back to the system: the cells of a
    2 M-row export are let go of column by column as they are parsed, and with pyarrow's default
    (mimalloc) their pages stayed resident, so loading peaked at 1.12 GB instead of 0.89 GB. Left
    alone when ARROW_DEFAULT_MEMORY_POOL says otherwise, or where pyarrow has no jemalloc (Windows)."""
    global _POOL_CHOSEN
    if _POOL_CHOSEN:
        return
    _POOL_CHOSEN = True
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    import pyarrow as pa

    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except (NotImplementedError, pa.ArrowNotImplementedError, AttributeError):
        pass


def _read_fast(raw: bytes, delimiter: str = ",") -> pd.DataFrame | None:
    """The common case (well-formed UTF-8, no blank lines) read by pyarrow's multithreaded parser.

    None sends the file to pandas' parser instead, which keeps blank lines (so line numbers stay
    right) and words every problem precisely; a large, clean export never needs it.
    """
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    _returning_memory_pool()

    if b"\n\n" in raw or b"\n\r\n" in raw or raw.startswith((b"\n", b"\r\n")):
        return None
    parse = arrow_csv.ParseOptions(delimiter=delimiter)
    try:
        header = arrow_csv.read_csv(pa.py_buffer(raw[: raw.find(b"\n") + 1] or raw),
                                    read_options=arrow_csv.ReadOptions(encoding="utf8"),
                                    parse_options=parse).column_names
        names = [name.lstrip("\ufeff") for name in header]
        if len(set(names)) != len(names):
            return None  # a repeated column: let the careful path say which
        table = arrow_csv.read_csv(
            pa.py_buffer(raw),
            read_options=arrow_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=parse,
            # Large strings are what pandas holds Arrow text as: read so, no column is cast on the way.
            convert_options=arrow_csv.ConvertOptions(column_types={n: pa.large_string() for n in names},
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError, ValueError):
        return None
    return table.to_pandas(types_mapper={pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
