"""Reading a folder of raw exports for guessing: each file's encoding, delimiter and header row (below any
report title), a workbook's best sheet, at most SAMPLE_ROWS rows, and files that share a header grouped.
"""

from __future__ import annotations

import codecs
import csv
import fnmatch
import io
import os
import re
import stat
from collections import Counter
from glob import escape
from pathlib import Path

import pandas as pd

from cscomp_cli.core.quarters import label_in_file_name
from cscomp_cli.core.text import escaped, folded
from cscomp_cli.inputs.datamap import MAP_FILE
from cscomp_cli.inputs.files import wide_csv_fields
from cscomp_cli.inputs.formats import export_format
from cscomp_cli.inputs.guessing.classify import (
    Export,
    header_key,
    known_headers,
    table_score,
)
from cscomp_cli.inputs.guessing.words import (
    TABLE_ORDER,
)
from cscomp_cli.inputs.map_files import content_digest, inside
from cscomp_cli.inputs.parquet_files import parquet_sample
from cscomp_cli.inputs.workbooks import sheets_to_guess_from

SAMPLE_ROWS = 5_000  # rows read from each export: enough to see its conventions, fast on any size
HEAD_BYTES = 1 << 20  # bytes read to guess the encoding and the delimiter
TITLE_ROWS = 15  # a report's header is looked for in its first rows (title and filter lines above it)
SKIPPED_FILES = {MAP_FILE.lower(), "sample_org.txt"}


def scan_folder(folder: Path) -> tuple[list[Export], list[str], list[str]]:
    """Every export in folder and its subfolders, files with one header in one folder grouped; the
    files init could not use, each with its reason; and every file it read (relative to folder).

    A file is taken only when the data map's reader would read it (inputs/map_files.py): a regular file
    inside the folder (links followed), each file once, and a copy of another (the same bytes) left out."""
    entries = _entries(folder)
    entries += [q for d in entries if d.is_dir() and not d.name.startswith(".") for q in _entries(d)]
    paths = sorted(p for p in entries if export_format(p) is not None
                   and not p.name.startswith((".", "~$")) and p.name.lower() not in SKIPPED_FILES)
    exports, unreadable, read = [], [], []
    for path, relative, why in _usable(folder, paths):
        if why is not None:
            if why:
                unreadable.append(f"{relative} ({why})")
            continue
        read.append(relative)
        try:
            export = _read(path, relative)
        except Exception as error:  # noqa: BLE001 - one unreadable export (a corrupt workbook) must not stop the rest
            unreadable.append(f"{relative} (cannot be read: {comment_text(error) or type(error).__name__})")
            continue
        if export is not None and len(export.cells.columns) >= 2:
            exports.append(export)
        else:
            unreadable.append(f"{relative} (no table in it)")
    return _group(folder, exports), unreadable, read


def _usable(folder: Path, paths: list[Path]) -> list[tuple[Path, str, str | None]]:
    """Each path, its name from the folder, and why init leaves it out (None when it is used; "" to
    leave it out unsaid: a second name of a file already taken)."""
    root = os.path.realpath(folder)
    seen: set[tuple[int, int]] = set()
    verdicts: list[tuple[Path, str, str | None, int]] = []
    for path in paths:
        relative = path.relative_to(folder).as_posix()
        try:
            resolved = os.path.realpath(path, strict=True)
            info = os.stat(resolved)
        except (OSError, ValueError):
            verdicts.append((path, relative, "cannot be read: a broken link, or no permission", -1))
            continue
        if resolved == root or not inside(resolved, root):
            why = "a link to a file outside the data folder: copy the file in to use it"
        elif not stat.S_ISREG(info.st_mode):
            why = "" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        else:
            why = "" if (info.st_dev, info.st_ino) in seen else None
            seen.add((info.st_dev, info.st_ino))
        verdicts.append((path, relative, why, info.st_size if why is None else -1))
    # A copy (payroll (1).csv, a backup in a subfolder) holds the same bytes: only files of one size compared.
    sizes = Counter(size for *_, size in verdicts if size > 0)
    contents: dict[tuple[int, bytes], str] = {}
    copies: dict[str, str] = {}
    # The original is the name nearest the top and shortest (payroll.csv, not backup/payroll.csv or payroll (1).csv).
    for path, relative, why, size in sorted(verdicts, key=lambda v: (v[1].count("/"), len(v[1]), v[1])):
        if why is None and sizes[size] > 1:
            # An unreadable file is compared with nothing else.
            first = contents.setdefault((size, content_digest(path) or str(path).encode()), relative)
            if first != relative:
                copies[relative] = f"the same content as {first}: a copy, which would count every row twice"
    return [(path, relative, copies.get(relative, why)) for path, relative, why, _ in verdicts]


def _entries(folder: Path) -> list[Path]:
    """A folder's entries; one init cannot list (no permission) is skipped, not fatal."""
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _read(path: Path, relative: str) -> Export | None:
    kind = export_format(path)
    if kind == "xlsx":
        return _read_workbook(path, relative)
    if kind == "parquet":
        frame = parquet_sample(path, SAMPLE_ROWS).to_pandas()
        return _typed_export([relative], "parquet", frame)
    return _read_text(path, relative, kind)


def _read_text(path: Path, relative: str, kind: str) -> Export:
    wide_csv_fields()  # a 200 KB notes cell is an export's cell like any other
    with open(path, "rb") as handle:
        raw = handle.read(HEAD_BYTES)
    encoding, why = _encoding(raw)
    head = codecs.getincrementaldecoder(encoding)(errors="replace").decode(raw, final=False)
    skipped = _text_header_line(head, kind)
    lines = head.splitlines(keepends=True)
    delimiter, how = _delimiter("".join(lines[skipped:]), kind)
    frame = pd.read_csv(path, sep=delimiter, encoding=encoding, dtype=str, keep_default_na=False, nrows=SAMPLE_ROWS,
                        skiprows=skipped, skipinitialspace=False, engine="python" if delimiter == "|" else "c",
                        on_bad_lines="skip")
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    shown = {"utf-8-sig": "utf-8"}.get(encoding, encoding)
    return Export([relative], kind, frame, delimiter=delimiter, encoding=shown,
                   notes={"encoding": why, "delimiter": how}, header_row=skipped + 1,
                   titles=[line.strip().lstrip("\ufeff") for line in lines[:skipped]])


def _looks_like_header(cells: list, below: list | None) -> bool:
    """A header: at least two text cells that are known column names, none of them a number, and a
    row of data (two cells or more) under it unless it is the last row read."""
    texts = [c for c in cells if c is not None and str(c).strip() != ""]
    if len(texts) < 2 or not all(isinstance(c, str) for c in texts):
        return False
    known = known_headers()
    if sum(header_key(c) in known for c in texts) < 2:
        return False
    return below is None or sum(c is not None and str(c).strip() != "" for c in below) >= 2


def _header_index(rows: list[list]) -> int:
    """The index of the first of a report's first rows that looks like its header; 0 when none does
    (the first row is then the header, as without title rows)."""
    rows = rows[:TITLE_ROWS + 1]
    for i, cells in enumerate(rows[:TITLE_ROWS]):
        if _looks_like_header(cells, rows[i + 1] if i + 1 < len(rows) else None):
            return i
    return 0


def _text_header_line(head: str, kind: str) -> int:
    """How many physical lines of a CSV come before its header (title rows of a report)."""
    lines = head.splitlines()[:TITLE_ROWS + 1]
    if not lines:
        return 0
    best = None
    for candidate in ("\t", ";", ",", "|") if kind == "tsv" else (",", ";", "\t", "|"):
        rows = [next(csv.reader([line], delimiter=candidate), []) for line in lines]
        if _looks_like_header(rows[0], rows[1] if len(rows) > 1 else None):
            return 0  # the first line is a header for some delimiter: no title rows
        index = _header_index(rows)
        if index and (best is None or index < best):
            best = index
    return best or 0


def _encoding(raw: bytes) -> tuple[str, str]:
    """The encoding of a file's first bytes, and why."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "starts with a UTF-16 byte-order mark (Excel's 'Unicode Text')"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw, final=False)
    except UnicodeDecodeError as error:
        byte = raw[error.start]
        try:
            raw.decode("cp1252")
        except UnicodeDecodeError:
            return "latin-1", f"not UTF-8 (byte 0x{byte:02X} at offset {error.start}) nor Windows-1252"
        char = bytes([byte]).decode("cp1252")
        return "cp1252", (f"not UTF-8: byte 0x{byte:02X} at offset {error.start} reads as Windows-1252 '{char}' "
                          "(Excel's default outside 'CSV UTF-8')")
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "UTF-8 with a byte-order mark (Excel's 'CSV UTF-8')"
    return "utf-8", "every byte read is valid UTF-8"


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def _delimiter(head: str, kind: str) -> tuple[str, str]:
    """The delimiter that splits the header into the most columns and the first rows alike."""
    lines = [line for line in head.splitlines()[:50] if line.strip()][:-1] or head.splitlines()[:1]
    best, best_width, consistent = ("\t" if kind == "tsv" else ","), 1, False
    for candidate in ("\t", ";", ",", "|") if kind == "tsv" else (",", ";", "\t", "|"):
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=candidate))
        if not rows:
            continue
        width = len(rows[0])
        alike = sum(len(row) == width for row in rows[1:]) >= 0.8 * (len(rows) - 1)
        if width > best_width and alike:
            best, best_width, consistent = candidate, width, True
    name = _DELIMITER_NAMES[best]
    if not consistent:
        return best, f"{name}: no delimiter splits the header into columns; check the file"
    return best, f"{name}: splits the header into {best_width} columns and the first rows alike"


def _read_workbook(path: Path, relative: str) -> Export | None:
    """The sheet of a workbook whose header looks most like one of cscomp's tables (of the sheets a person
    sees, whose cells calamine can lay out)."""
    sheets = pd.read_excel(path, sheet_name=sheets_to_guess_from(path), dtype=object, header=None,
                           nrows=SAMPLE_ROWS + TITLE_ROWS, engine="calamine")
    best, best_score = None, -1
    for name, frame in sheets.items():
        export = _sheet_export(relative, frame)
        export.sheet = str(name)
        score = max(table_score(export, table)[0] for table in TABLE_ORDER)
        if score > best_score:
            best, best_score = export, score
    if best is not None and len(sheets) > 1:
        best.notes["sheet"] = f"of the sheets {', '.join(map(str, sheets))}, this one's header fits best"
    elif best is not None:
        best.notes["sheet"] = "the workbook's only sheet"
    return best


def _sheet_export(relative: str, frame: pd.DataFrame) -> Export:
    """A sheet read without a header: its header found below any title rows, the rows above kept as titles."""
    rows = [[None if (isinstance(v, float) and v != v) else v for v in row]
            for row in frame.head(TITLE_ROWS + 1).itertuples(index=False)]
    index = _header_index(rows)
    header, seen = [], {}
    for i, value in enumerate(rows[index] if rows else []):
        name = "" if value is None else str(value).strip()
        name = name or f"Unnamed: {i}"
        seen[name] = seen.get(name, -1) + 1
        header.append(name if not seen[name] else f"{name}.{seen[name]}")  # as pandas names a repeated header
    body = frame.iloc[index + 1:index + 1 + SAMPLE_ROWS].reset_index(drop=True)
    body.columns = header
    export = _typed_export([relative], "xlsx", body)
    export.header_row = index + 1
    export.titles = [" ".join(_cell_text(v) for v in row if v is not None) for row in rows[:index]]
    return export


def _typed_export(files: list[str], kind: str, frame: pd.DataFrame) -> Export:
    """A spreadsheet or Parquet table as text cells, remembering which columns held real values."""
    frame.columns = [str(c).strip() for c in frame.columns]
    typed, cells = set(), {}
    for column in frame.columns:
        values = frame[column]
        is_text = values.map(lambda v: isinstance(v, str) or v is None or (isinstance(v, float) and v != v))
        if not is_text.all():
            typed.add(column)
        cells[column] = values.map(_cell_text)
    return Export(files, kind, pd.DataFrame(cells, columns=frame.columns), typed=typed)


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _group(folder: Path, exports: list[Export]) -> list[Export]:
    """Files of one folder with the same header become one export read through a glob."""
    groups: dict[tuple, list[Export]] = {}
    for export in exports:
        directory = export.files[0].rpartition("/")[0]
        # Headers the loader reads as one (any case, accents, spaces): it finds a column by either spelling.
        key = (directory, export.format, export.sheet, export.header_row, tuple(folded(h) for h in export.headers))
        groups.setdefault(key, []).append(export)
    merged = []
    for members in groups.values():
        first = members[0]
        files = [m.files[0] for m in members]
        # Under the first file's spelling: cells of 'Fiscal Period' and 'FISCAL PERIOD' in one column, not two
        # half-blank ones.
        cells = pd.concat([m.cells.set_axis(first.cells.columns, axis=1) for m in members], ignore_index=True) \
            if len(members) > 1 else first.cells
        export = Export(files, first.format, cells, typed=set().union(*(m.typed for m in members)),
                         sheet=first.sheet, delimiter=first.delimiter, encoding=first.encoding, notes=dict(first.notes),
                         header_row=first.header_row, titles=first.titles)
        export.name_labels = [label_in_file_name(f) for f in files]
        encodings = {m.encoding for m in members}
        if len(encodings) > 1:
            export.encoding = "cp1252" if "cp1252" in encodings else first.encoding
            export.notes["encoding"] = f"the files differ ({', '.join(sorted(map(str, encodings)))}): Windows-1252 reads both"
        merged.append(export)
    return merged


def files_value(files: list[str], all_files: set[str]) -> str | list[str]:
    """One file, a glob matching exactly the files of a group, or the list of them."""
    if len(files) == 1:
        return files[0]
    names = [f.rpartition("/")[2] for f in files]
    directory = files[0].rpartition("/")[0]
    prefix = _common_prefix(names)
    suffix = _common_prefix([n[len(prefix):][::-1] for n in names])[::-1]
    # The star stands for the whole quarter label, not its last digits (accounts_*.csv).
    prefix = re.sub(r"(?i)(fy)?[0-9]*q?[0-9]*$", "", prefix)
    suffix = re.sub(r"(?i)^[-_ ]?(fy)?[0-9]*(q[1-4])?", "", suffix)
    # A name's own [ ] * ? escaped: the loader reads "CRM [EU] *.csv" as a character class, not the brackets.
    glob = f"{escape(directory) + '/' if directory else ''}{escape(prefix)}*{escape(suffix)}"
    siblings = {f for f in all_files if f.rpartition("/")[0] == directory}
    exact = {f for f in siblings if fnmatch.fnmatchcase(f, glob)} == set(files)
    return glob if (prefix or suffix) and exact else files


def _common_prefix(names: list[str]) -> str:
    import os

    return os.path.commonprefix(names)


def comment_text(text: str) -> str:
    """Comment text on one line (no line breaks from a cell can end the comment early)."""
    text = " ".join(str(text).split())
    return text if text.isprintable() else "".join(c if c.isprintable() else escaped(c) for c in text)
