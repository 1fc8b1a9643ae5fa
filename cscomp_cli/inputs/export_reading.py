"""Reading the files a data map names: globs matched, CSV in any delimiter and encoding, an Excel sheet or
Parquet, only the columns the map references, each header checked and a near miss named.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import CscompError, DataError, DataWarning, MapError, note
from cscomp_cli.core.quarters import label_in_file_name
from cscomp_cli.core.text import folded
from cscomp_cli.inputs.csv_reading import parse_csv
from cscomp_cli.inputs.datamap import (
    MAP_FILE,
    Table,
)
from cscomp_cli.inputs.export_cells import ExportCells, FileCells, as_text
from cscomp_cli.inputs.export_headers import named_columns, refuse_repeated
from cscomp_cli.inputs.files import (
    DATA_DOC,
    Origin,
    read_file_bytes,
    refuse_controls,
)
from cscomp_cli.inputs.formats import export_format
from cscomp_cli.inputs.map_files import map_files, refuse_repeated_rows
from cscomp_cli.inputs.parquet_files import read_parquet
from cscomp_cli.inputs.workbooks import read_sheet


def matching_files(folder: Path, pattern: str) -> list[Path]:
    """The files one entry of a map's files: names, as the reader finds them (inputs/map_files.py);
    none when it names nothing the reader would read (the reader says why)."""
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
    frames, starts, lines, places, delimiter, header, marks = [], [], [], [], ",", (), []
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
            read, used = _read_text(path, table, kind, wanted, optional)
            delimiter = used if path == files[0] else delimiter
        elif kind == "xlsx":
            read = read_sheet(path, table, name, label, [*wanted, *optional])
        else:
            read = read_parquet(path, [*wanted, *optional])
        places.append(read.place)
        header = header or read.header
        cells, picked = _pick(read.cells, wanted, path, read.place, name, label, table, optional, read.header)
        starts.append(key)
        lines.append(read.lines)
        cells.index = pd.RangeIndex(key, key + len(cells))
        marks.append({want: read.dated[found] for want, found in picked.items() if found in read.dated})
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
    export = ExportCells(table_cells, origin, delimiter, header, _dated(marks, starts, key))
    headers = [c for c in table_cells.columns if c != "line"]
    refuse_controls(origin, table_cells, headers)
    # A row whose every referenced cell is blank is a spacer (or the sheet's empty tail): skipped.
    blank = (table_cells[headers] == "").all(axis=1) if headers else pd.Series(False, index=table_cells.index)
    export.cells = table_cells.loc[~blank]
    return export


def _referenced_headers(name: str, table: Table, skip: set[str] = frozenset()) -> list[str]:
    wanted = [header for c in table.columns if c not in skip for header in _source_headers(table.source(c))]
    if table.rows is not None:
        wanted += [r.column for r in (table.rows.keep, table.rows.drop) if r is not None]
    return list(dict.fromkeys(wanted))


def _source_headers(source) -> list[str]:
    """The export headers one column's source reads: its column (or those it joins), and the column
    whose text may name a pay line's quarter (named_in), and the one a `when` condition reads."""
    return (source.headers + ([source.named_in] if source.named_in is not None else [])
            + ([source.when.column] if source.when is not None else []))


def _pick(cells: pd.DataFrame, wanted: list[str], path: Path, place: str, name: str, label: str,
          table: Table, optional: list[str] = (), header: tuple[str, ...] = ()
          ) -> tuple[pd.DataFrame, dict[str, str]]:
    """The columns the map names, under the map's spelling of each header (and those of ``optional``
    the export has), and the export column each came from; ``header`` is the file's whole header (a
    reader may have read only the columns named)."""
    whole = list(header or cells.columns)
    spelled: dict[str, list[str]] = {}
    for column in cells.columns:
        spelled.setdefault(folded(column), []).append(column)
    picked = {}
    wanted_folded = {folded(w) for w in wanted}
    for want in [*wanted, *(o for o in optional if folded(o) not in wanted_folded and folded(o) in spelled)]:
        found = spelled.get(folded(want), [])
        if not found:
            close = _closest_header(want, whole)
            raise DataError(
                f"has no column '{want}', which the data map names ({_where_named(name, table, want)})"
                + (f"; did you mean '{_cut(close)}'?" if close else ""),
                file=path, location="line 1" if place == "line" else "header",
                hint=f"the header has {', '.join(_cut(c) for c in whole[:_SHOWN_HEADERS])}"
                + (" …" if len(whole) > _SHOWN_HEADERS else "") + f"; correct the name in {MAP_FILE}; "
                f"see {DATA_DOC}")
        if len(found) > 1:
            raise DataError(f"has two columns named '{found[0]}'", file=path,
                            location="line 1" if place == "line" else "header",
                            hint="rename one of them in the export, so the map can say which it means")
        picked[want] = cells[found[0]]
    return pd.DataFrame(picked, index=cells.index), {want: spelled[folded(want)][0] for want in picked}


def _dated(marks: list[dict[str, np.ndarray]], starts: list[int], end: int) -> dict[str, pd.Series]:
    """Which rows of the table (by row key) held a real date cell, for each column that had one."""
    found: dict[str, pd.Series] = {}
    for i, file_marks in enumerate(marks):
        for column, real in file_marks.items():
            if column not in found:
                found[column] = pd.Series(False, index=pd.RangeIndex(1, end))
            found[column].iloc[starts[i] - 1:starts[i] - 1 + len(real)] = real
    return found


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
        for key, headers in (("", [source.column]), (".join", source.join or []), (".named_in", [source.named_in]),
                             (".when.column", [source.when.column] if source.when is not None else [])):
            if any(h is not None and folded(h) == folded(header) for h in headers):
                return f"tables.{name}.columns.{column}{key}"
    return f"tables.{name}.rows"


def _closest_header(want: str, headers: list[str]) -> str | None:
    import difflib

    spelled = {folded(h): h for h in headers}
    close = difflib.get_close_matches(folded(want), list(spelled), n=1, cutoff=0.6)
    return spelled[close[0]] if close else None


def _read_text(path: Path, table: Table, kind: str, wanted: list[str], optional: list[str] = ()
               ) -> tuple[FileCells, str]:
    """The file's cells under the columns the map names (``wanted``) and those of ``optional`` it has, as
    the workbook and Parquet readers give theirs, and the delimiter read with; a column of either written
    twice is refused."""
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
    refuse_repeated([h.lstrip("\ufeff") for h in written], [*wanted, *optional], path, "line 1")
    header = [str(c).strip() for c in cells.columns]
    # Only the columns named: two others one space apart ('Notes', 'Notes ') are one name once trimmed.
    read = named_columns(header, [*wanted, *optional])
    named = pd.DataFrame({header[i]: as_text(cells.iloc[:, i]) for i in read}, index=cells.index,
                         columns=[header[i] for i in read])
    return FileCells(named, lines + skipped, "line", tuple(header)), used


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
