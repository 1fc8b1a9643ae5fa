"""Reading the files a data map names: globs matched, CSV in any delimiter and encoding, an Excel sheet or
Parquet, only the columns the map references, each header checked and a near miss named.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, DataWarning, MapError, note
from cscomp_cli.core.quarters import label_in_file_name
from cscomp_cli.core.text import folded
from cscomp_cli.inputs.csv_reading import parse_csv
from cscomp_cli.inputs.datamap import (
    MAP_FILE,
    Table,
)
from cscomp_cli.inputs.export_cells import ExportCells, as_text
from cscomp_cli.inputs.files import (
    DATA_DOC,
    MAX_FILE_BYTES,
    Origin,
    file_kind,
    read_file_bytes,
    refuse_controls,
    too_large,
    unreadable_error,
)
from cscomp_cli.inputs.formats import export_format
from cscomp_cli.inputs.map_files import map_files, refuse_repeated_rows


def matching_files(folder: Path, pattern: str) -> list[Path]:
    """The files one entry of a map's files: names, as the reader finds them (inputs/map_files.py);
    none when it names nothing the reader would read (the reader says why)."""
    from cscomp_cli.core.errors import CscompError
    from cscomp_cli.inputs.map_files import map_files

    try:
        # Which files, not whether they may be read together: the command's own load says that.
        return map_files(folder, "", Table(files=pattern, columns={}), MAP_FILE, copies=False)
    except CscompError:
        return []


def read_export(folder: Path, name: str, table: Table, label: str, skip: set[str] = frozenset(),
                 optional: list[str] = ()) -> ExportCells:
    """The table's export cells: the headers the map names (but those of ``skip``), and those of
    ``optional`` the export has (a plan's column read under its own name, csat or churn reason)."""
    files = map_files(folder, name, table, label)
    wanted = _referenced_headers(name, table, skip)
    optional = [spelling for column in optional for spelling in dict.fromkeys([column, column.replace("_", " ")])]
    frames, starts, lines, places, delimiter, header = [], [], [], [], ",", ()
    key = 1
    for path in files:
        kind = table.format if table.format != "auto" else export_format(path)
        if kind is None:
            raise MapError(f"cannot tell what kind of file {path.name} is from its name", file=label,
                           location=f"tables.{name}.format",
                           hint=f"set format: csv, tsv, xlsx or parquet; see {DATA_DOC}")
        if table.sheet is not None and kind != "xlsx":
            raise MapError(f"sheet applies to xlsx files, and {path.name} is read as {kind}", file=label,
                           location=f"tables.{name}.sheet", hint=f"remove sheet:, or name the workbook; see {DATA_DOC}")
        if kind in ("csv", "tsv"):
            cells, own_lines, used = _read_text(path, table, kind, wanted)
            delimiter = used if path == files[0] else delimiter
            places.append("line")
        elif kind == "xlsx":
            cells, own_lines, sheet = _read_sheet(path, table, name, label, wanted)
            places.append(f"sheet {sheet}, row")
        else:
            cells, own_lines = _read_parquet(path)
            places.append("row")
        header = header or tuple(str(c) for c in cells.columns)
        cells = _pick(cells, wanted, path, places[-1], name, label, table, optional)
        starts.append(key)
        lines.append(own_lines)
        cells.index = pd.RangeIndex(key, key + len(cells))
        key += len(cells)
        frames.append(cells)
    # A row every mapped cell of which is in two files (a copy, overlapping exports) would count twice.
    named = any(table.source(c).file_name for c in table.columns)
    frames = refuse_repeated_rows(frames, files, lambda i, key: f"{files[i].name} {places[i]} "
                                  f"{int(lines[i][int(key) - starts[i]])}", Path(folder), name,
                                  labels=[label_in_file_name(p.name) for p in files] if named else None)
    table_cells = pd.concat(frames) if len(frames) > 1 else frames[0]
    for column in optional:  # a plan's column some of the files lack: blank (no value) in their rows
        if column in table_cells:
            table_cells[column] = table_cells[column].fillna("")
    line_numbers = np.concatenate(lines) if lines else np.array([], dtype="int64")
    table_cells["line"] = table_cells.index.to_numpy()
    shown = files[0] if len(files) == 1 else (Path(folder) / table.file_list[0] if len(table.file_list) == 1
                                             else Path(folder))
    origin = Origin(shown, files=tuple(files), starts=tuple(starts), lines=line_numbers, places=tuple(places))
    export = ExportCells(table_cells, origin, delimiter, header)
    headers = [c for c in table_cells.columns if c != "line"]
    refuse_controls(origin, table_cells, headers)
    # A row whose every referenced cell is blank is a spacer (or the sheet's empty tail): skipped.
    blank = (table_cells[headers] == "").all(axis=1) if headers else pd.Series(False, index=table_cells.index)
    export.cells = table_cells.loc[~blank]
    return export


def _referenced_headers(name: str, table: Table, skip: set[str] = frozenset()) -> list[str]:
    wanted = [s.column for c in table.columns if c not in skip and (s := table.source(c)).column is not None]
    if table.rows is not None:
        wanted += [r.column for r in (table.rows.keep, table.rows.drop) if r is not None]
    return list(dict.fromkeys(wanted))


def _pick(cells: pd.DataFrame, wanted: list[str], path: Path, place: str, name: str, label: str,
          table: Table, optional: list[str] = ()) -> pd.DataFrame:
    """The columns the map names, under the map's spelling of each header (and those of ``optional``
    the export has)."""
    spelled: dict[str, list[str]] = {}
    for header in cells.columns:
        spelled.setdefault(folded(header), []).append(header)
    picked = {}
    wanted_folded = {folded(w) for w in wanted}
    for want in [*wanted, *(o for o in optional if folded(o) not in wanted_folded and folded(o) in spelled)]:
        found = spelled.get(folded(want), [])
        if not found:
            close = _closest_header(want, list(cells.columns))
            raise DataError(
                f"has no column '{want}', which the data map names ({_where_named(name, table, want)})"
                + (f"; did you mean '{_cut(close)}'?" if close else ""),
                file=path, location="line 1" if place == "line" else "header",
                hint=f"the header has {', '.join(_cut(c) for c in cells.columns[:_SHOWN_HEADERS])}"
                + (" …" if len(cells.columns) > _SHOWN_HEADERS else "") + f"; correct the name in {MAP_FILE}; "
                f"see {DATA_DOC}")
        if len(found) > 1:
            raise DataError(f"has two columns named '{found[0]}'", file=path,
                            location="line 1" if place == "line" else "header",
                            hint="rename one of them in the export, so the map can say which it means")
        picked[want] = cells[found[0]]
    return pd.DataFrame(picked, index=cells.index)


# A few header names, each cut short: a file that is not an export (an environment dump, one long
# line) must not end up whole in a message.
_SHOWN_HEADERS = 8
_HEADER_CHARS = 30


def _cut(header) -> str:
    text = str(header)
    return text if len(text) <= _HEADER_CHARS else text[:_HEADER_CHARS] + "…"


def _where_named(name: str, table: Table, header: str) -> str:
    for column in table.columns:
        source = table.source(column)
        if source.column is not None and folded(source.column) == folded(header):
            return f"tables.{name}.columns.{column}"
    return f"tables.{name}.rows"


def _closest_header(want: str, headers: list[str]) -> str | None:
    import difflib

    spelled = {folded(h): h for h in headers}
    close = difflib.get_close_matches(folded(want), list(spelled), n=1, cutoff=0.6)
    return spelled[close[0]] if close else None


def _read_text(path: Path, table: Table, kind: str, wanted: list[str]) -> tuple[pd.DataFrame, np.ndarray, str]:
    raw = read_file_bytes(path)
    text = _decode(raw, path, table.encoding)
    skipped = table.header_row - 1
    if skipped:
        text = "".join(text.splitlines(keepends=True)[skipped:])
    delimiter = "\t" if kind == "tsv" and table.delimiter == "auto" else (
        None if table.delimiter == "auto" else table.delimiter)
    cells, lines, head, used = parse_csv(text.encode("utf-8"), path, known={w.strip().lower() for w in wanted},
                                         delimiter=delimiter)
    # pandas renames a repeated header (Segment, Segment.1): say so from the header as written.
    import csv

    written = next(csv.reader(head.splitlines()[:1], delimiter=used), [])
    _refuse_repeated([h.lstrip("\ufeff") for h in written], wanted, path, "line 1")
    cells.columns = [str(c).strip() for c in cells.columns]
    for column in cells.columns:
        cells[column] = as_text(cells[column])
    return cells, lines + skipped, used


def _decode(raw: bytes, path: Path, encoding: str) -> str:
    if encoding == "auto":
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            return raw.decode("utf-16")
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            text = raw.decode("cp1252", errors="replace")
            line = raw.count(b"\n", 0, exc.start) + 1
            start = raw.rfind(b"\n", 0, exc.start) + 1
            end = raw.find(b"\n", exc.start)
            sample = raw[start: end if end >= 0 else len(raw)][:80].decode("cp1252", errors="replace").strip()
            note(DataWarning(f"is not UTF-8: read as Windows-1252, the encoding of Excel on Windows (line {line} "
                             f"reads '{sample}')", file=path,
                             hint=f"if the accented names look right, write encoding: cp1252 for this table in "
                             f"{MAP_FILE}; see {DATA_DOC}"))
            return text
    try:
        return raw.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        raise DataError(f"is not {encoding} text (byte {exc.object[exc.start]:#04x} at offset {exc.start})", file=path,
                        hint=f"set this table's encoding in {MAP_FILE} (auto, utf-8, cp1252); see {DATA_DOC}") from None


def _refuse_repeated(headers: list[str], wanted: list[str], path: Path, where: str) -> None:
    """Two export columns under a header the map names: reading either could be the wrong one."""
    wanted_folded = {folded(w) for w in wanted}
    seen: dict[str, str] = {}
    for header in headers:
        key = folded(header)
        if key in seen and key in wanted_folded:
            first, second = seen[key], str(header).strip()
            raise DataError(f"has two columns named '{first}'" + (f" ('{first}' and '{second}')" if first != second
                                                                   else ""), file=path, location=where,
                            hint="rename one of them in the export, so the map can say which it means; "
                            f"see {DATA_DOC}")
        seen.setdefault(key, str(header).strip())


def _read_sheet(path: Path, table: Table, name: str, label: str, wanted: list[str]
                ) -> tuple[pd.DataFrame, np.ndarray, str]:
    # python-calamine (Rust) reads a 100,000-row sheet in about 2 s where openpyxl takes about 30.
    from python_calamine import CalamineError, CalamineWorkbook

    content = _binary(path)  # a FIFO or /dev/zero named crm.xlsx is refused before it is opened
    try:
        # From the bytes, not the name: a workbook saved as crm.dat reads under format: xlsx.
        with CalamineWorkbook.from_filelike(content) as book:
            sheets = list(book.sheet_names)
            sheet_name = table.sheet or (sheets[0] if sheets else "")
            if sheet_name not in sheets:
                raise MapError(f"{path.name} has no sheet '{sheet_name}'", file=label, location=f"tables.{name}.sheet",
                               hint=f"its sheets are {', '.join(sheets) or '(none)'}; see {DATA_DOC}")
            # Empty leading rows and columns kept, so row numbers are the ones the spreadsheet shows.
            rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except (CalamineError, OSError, ValueError) as exc:
        raise DataError(f"cannot be read as an Excel workbook ({exc})", file=path,
                        hint="open it in Excel and save it again as .xlsx, or export the sheet as CSV UTF-8") from None
    rows = rows[table.header_row - 1:]
    if not rows:
        raise DataError(f"sheet {sheet_name} is empty", file=path, hint="check the sheet and header_row in the map")
    width = max(len(r) for r in rows)
    header = [_cell_text(c, table.decimal) for c in rows[0]] + [""] * (width - len(rows[0]))
    _refuse_repeated(header, wanted, path, f"sheet {sheet_name}, row {table.header_row}")
    body = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows[1:]], columns=range(width), dtype=object)
    cells = pd.DataFrame({h or f"(column {i + 1})": as_text(body[i].map(lambda c: _cell_text(c, table.decimal)))
                          for i, h in enumerate(header)}, index=body.index)
    lines = np.arange(len(cells), dtype="int64") + table.header_row + 1
    return cells, lines, sheet_name


def _cell_text(value, decimal: str | None) -> str:
    """A spreadsheet cell as the text an export would hold (numbers in the table's own decimal style)."""
    import datetime as dt

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


def _read_parquet(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        arrow = pq.read_table(_binary(path))
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"cannot be read as Parquet ({exc})", file=path, hint="export the table again") from None
    columns = {}
    for field, column in zip(arrow.schema, arrow.columns):
        kind = field.type
        if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
            text = pc.strftime(column, format="%Y-%m-%d")
        elif pa.types.is_boolean(kind):
            text = pc.if_else(column, "true", "false")
        else:
            text = _parquet_text(column, kind)
        columns[str(field.name).strip()] = as_text(pc.fill_null(text, "").to_pandas())
    cells = pd.DataFrame(columns)
    return cells, np.arange(len(cells), dtype="int64") + 1


def _parquet_text(column, kind):
    """A Parquet column as text: lists, structs and bytes (which Arrow cannot cast) as Python writes them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return pc.cast(column, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        def text(value):
            if isinstance(value, bytes):
                return value.decode("utf-8", errors="replace")
            return value if value is None else str(value)

        return pa.array([text(v) for v in column.to_pylist()], pa.string())


def _binary(path: Path):
    """A workbook's or Parquet file's bytes, once it is known to be a regular file of a sane size
    (openpyxl and pyarrow open what they are given: a FIFO waits for a writer, /dev/zero never ends)."""
    import io
    import stat

    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise DataError("is a folder, not an export file", file=path)
        if not stat.S_ISREG(info.st_mode):
            raise DataError(f"is not a regular file: it is {file_kind(info.st_mode)}", file=path,
                            hint=f"put the exported file itself in the data folder; see {DATA_DOC}")
        if info.st_size > MAX_FILE_BYTES:
            raise too_large(path, info.st_size)
        with path.open("rb") as handle:
            return io.BytesIO(handle.read())
    except FileNotFoundError:
        raise DataError("file not found" + (" (a symlink to a file that does not exist)" if path.is_symlink() else ""),
                        file=path) from None
    except OSError as exc:
        raise unreadable_error(path, exc) from None
