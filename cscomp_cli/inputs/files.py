"""Reading an input file safely: only regular files, within the size and width limits, never a spreadsheet or a binary file named .csv, no control character in a header or a cell, and every message naming the file and the line as an editor counts them."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import stat
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, report
from cscomp_cli.core.text import escaped
from cscomp_cli.inputs.formats import export_format
from cscomp_cli.inputs.origins import Origin, Staged

__all__ = ["Origin", "Staged"]  # where rows came from: read from here too

ACCOUNTS = "accounts.csv"


ROSTER = "roster.csv"


PAYOUTS = "payouts.csv"


QUOTAS = "quotas.csv"


# Optional: the quarter's rate from each pay currency into the plan's (SPEC 6.3).
FX = "fx.csv"


# Where users read the rules of the data folder: every format hint ends by pointing there.
DATA_DOC = "docs/data.md"


# Real exports of 2 M account rows are about 150 MB; a file is read whole, so one far larger is
# refused before it is read rather than ending in a MemoryError.
MAX_FILE_BYTES = 2 * 1024**3


# A header is checked before the file is parsed: millions of columns would take minutes to parse.
MAX_COLUMNS = 1_000


MAX_HEADER_CHARS = 100_000


def relative_to(path: Path | str, folder: Path) -> str:
    """A file as named from its data folder (crm/accounts_*.csv), or whole when it lies outside."""
    try:
        return str(Path(path).relative_to(folder))
    except ValueError:
        return str(path)


def present(path: Path) -> bool:
    """Whether the folder has an entry of this name: a broken link or an unreadable file is present,
    so its loader says what is wrong with it rather than the file being taken as absent."""
    try:
        path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True
    return True


# The first bytes of the spreadsheet files most often renamed (or exported by mistake) to .csv.
_SPREADSHEETS = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zipped spreadsheet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97–2003 workbook (.xls)"),
)


# Never export files, whatever a link says: reading them puts the process's environment, the
# kernel's state or an endless stream into a table (/proc/self/environ is a "regular file" of size 0).
SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")


def system_file(resolved: str) -> bool:
    """Whether a resolved path lies under /proc, /sys or /dev (but /dev/shm, an ordinary folder in memory)."""
    if resolved.startswith("/dev/shm/"):
        return False
    return any(resolved == top or resolved.startswith(top + "/") for top in SYSTEM_FOLDERS)


def refuse_system_file(path: Path) -> None:
    """Refuse a data file that is, or links to, a file of /proc, /sys or /dev."""
    try:
        resolved = os.path.realpath(path)
    except (OSError, ValueError):
        return  # the stat that follows says what is wrong
    if system_file(resolved):
        raise DataError(f"is {'a link to ' if resolved != os.path.abspath(path) else ''}{resolved}, a file of the "
                        "operating system, not an export", file=path,
                        hint=f"put the exported file itself in the data folder as {path.name}; see {DATA_DOC}")


def regular_file(path: Path, kind: str | None = None) -> os.stat_result:
    """What ``path`` is, once it is known to be a regular file of a sane size and no file of the operating
    system: only then may it be opened (opening a FIFO waits for a writer, /dev/zero never ends).
    ``kind`` ('CSV') names the file it should have been, else 'an export file'."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise broken_link(path) from None
        raise DataError("file not found", file=path, hint=_missing_hint(path)) from None
    except OSError as exc:
        raise unreadable_error(path, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError(f"is a folder, not {f'a {kind} file' if kind else 'an export file'}", file=path)
    if not stat.S_ISREG(info.st_mode):
        raise not_regular(path, info.st_mode, kind)
    refuse_system_file(path)  # /proc/self/environ is a regular file of size 0
    if info.st_size > MAX_FILE_BYTES:
        raise too_large(path, info.st_size)
    return info


def broken_link(path: Path) -> DataError:
    return DataError(f"is a symlink to {os.readlink(path)}, which does not exist", file=path,
                     hint=f"point the link at the exported {path.name}, or put the file itself there; see {DATA_DOC}")


def not_regular(path: Path, mode: int, kind: str | None = None) -> DataError:
    """A FIFO, a device or a socket where an export (a ``kind`` file) should be."""
    return DataError(
        f"is not a regular file: it is {file_kind(mode)}" + (f" ({path.resolve()})" if path.is_symlink() else ""),
        file=path,
        hint=f"put the exported {f'{kind} ' if kind else ''}file itself in the data folder as {path.name}; see {DATA_DOC}",
    )


def read_file_bytes(path: Path) -> bytes:
    """The whole file, once it is known to be a regular file of a sane size, and its header line not too long."""
    regular_file(path, "CSV")
    try:
        with path.open("rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise unreadable_error(path, exc) from None
    if len(raw) > MAX_FILE_BYTES:  # it grew while being read
        raise too_large(path, len(raw))
    _check_header_length(path, raw)
    return raw


def file_kind(mode: int) -> str:
    for test, what in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return what
    return "not a file"


def _missing_hint(path: Path) -> str:
    """The data folder must hold the file, unless it holds the org's own exports: then init maps them."""
    try:
        exports = sorted(p.name for p in path.parent.iterdir()
                         if export_format(p) is not None
                         and p.name not in (ACCOUNTS, ROSTER, PAYOUTS, QUOTAS))
    except OSError:
        exports = []
    if not exports:
        return f"the data folder must contain {path.name}"
    shown = ", ".join(exports[:3]) + (" …" if len(exports) > 3 else "")
    return (f"the data folder must contain {path.name}, or, to read the exports it holds ({shown}) as they are, "
            f"run `cscomp init {path.parent}` to write their data map; see {DATA_DOC}")


def too_large(path: Path, size: int) -> DataError:
    return DataError(
        f"is larger than {MAX_FILE_BYTES / 1024**3:g} GB ({size / 1024**3:.1f} GB): too large to be an export",
        file=path,
        hint="check that this is the right file; to replay fewer quarters, export only those",
    )


def unreadable_error(path: Path, exc: OSError) -> DataError:
    reason = (exc.strerror or type(exc).__name__).lower()
    hint = ("give your user read permission on it (ls -l shows who may read it)" if isinstance(exc, PermissionError)
            else f"check that {path.name} is a readable CSV file")
    return DataError(f"cannot be read: {reason}", file=path, hint=hint)


def _check_header_length(path: Path, start: bytes) -> None:
    """Refuse a first line too long to be a header before the parsers spend minutes on it."""
    text = codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode(start[: 4 * (MAX_HEADER_CHARS + 1)])
    first = text[: MAX_HEADER_CHARS + 1]
    if len(first) > MAX_HEADER_CHARS and "\n" not in first and "\r" not in first:
        raise DataError(
            f"the header line is longer than {MAX_HEADER_CHARS:,} characters",
            file=path,
            location="line 1",
            hint=f"the first line must be the header (column names such as quarter, csm_id); see {DATA_DOC}",
        )


def head_text(raw: bytes) -> str:
    """The first lines of the file as text: the whole header and a few rows."""
    size = 1 << 20
    return codecs.getincrementaldecoder("utf-8-sig")().decode(raw[:size], final=len(raw) <= size)


def wide_csv_fields() -> None:
    """Let Python's csv module read a cell as large as a file cscomp reads: its default limit (128 KB) made a
    200 KB quoted notes cell stop the delimiter sniffer with 'field larger than field limit'."""
    csv.field_size_limit(min(MAX_FILE_BYTES, 2**31 - 1))


def check_header_width(path: Path, head: str, delimiter: str) -> None:
    wide_csv_fields()
    header = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), [])
    if len(header) > MAX_COLUMNS:
        raise DataError(
            f"the header has {len(header):,} columns{read_as_note(delimiter)}; cscomp reads files of up to "
            f"{MAX_COLUMNS:,} columns",
            file=path,
            location="line 1",
            hint=f"export only the columns cscomp reads (see {DATA_DOC}); other columns are ignored anyway",
        )


def physical_lines(raw: bytes, table: pd.DataFrame) -> np.ndarray:
    """The line each row starts on as an editor numbers them (the header is line 1).

    Row i is line i + 2 unless a quoted cell holds a line break: a row then takes one line more per
    break in its cells, so the lines are counted from the parsed cells, never by re-reading the file.
    """
    plain = np.arange(len(table), dtype="int64") + 2
    # Each row ends at one line break: as many breaks as rows means no cell holds one (the fast path).
    if b'"' not in raw or raw.count(b"\n") == len(table) + raw.endswith(b"\n"):
        return plain
    carried = np.zeros(len(table), dtype="int64")
    for column in table.columns:
        cells = table[column]
        if cells.dtype != object and not isinstance(cells.dtype, pd.StringDtype):
            continue
        held = cells.str.contains("\n", regex=False).fillna(False).astype(bool)
        if bool(held.any()):
            carried += cells.str.count("\n").fillna(0).to_numpy(dtype="int64")
    header = sum(str(name).count("\n") for name in table.columns)
    return plain + header + np.concatenate([[0], np.cumsum(carried)[:-1]]).astype("int64")[: len(table)]


# C0 controls but tab and line breaks, DEL, the C1 controls, and the bidirectional embeddings,
# overrides and isolates (which make a name display in a misleading order): none belongs in an
# export, and each breaks the workbook or the terminal. Written so RE2 (pyarrow) and re both read it.
_CONTROL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\u202a-\u202e\u2066-\u2069]"


_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES + b"\xc2\xe2")


_CONTROL_HINT = (f"delete the character from the cell (it usually comes from text pasted out of another program) "
                 f"and export again; see {DATA_DOC}")


def may_hold_controls(raw: bytes) -> bool:
    """Whether any cell may hold a control character: a scan of the bytes, so clean files cost no cell check."""
    left = raw.translate(None, _NOT_CONTROL)  # only control bytes and the lead bytes C2, E2
    if left.strip(b"\xc2\xe2") != b"":
        return True
    if not left:
        return False
    buffer = np.frombuffer(raw, dtype=np.uint8)
    c2 = np.flatnonzero(buffer[:-1] == 0xC2) + 1
    if ((buffer[c2] >= 0x80) & (buffer[c2] <= 0x9F)).any():  # U+0080–U+009F
        return True
    e2 = np.flatnonzero(buffer[:-2] == 0xE2) + 1
    second, third = buffer[e2], buffer[e2 + 1]
    return bool((((second == 0x80) & (third >= 0xAA) & (third <= 0xAE))  # U+202A–U+202E
                 | ((second == 0x81) & (third >= 0xA6) & (third <= 0xA9))).any())  # U+2066–U+2069


def _shown(char: str) -> str:
    """A control character as a reader can see it: \\x00, \\u202e (with its name where it has one)."""
    names = {0: "NUL", 0x1B: "ESC", 0x7F: "DEL"}
    name = names.get(ord(char)) or unicodedata.name(char, "")
    return f"{escaped(char)} ({name.lower()})" if name else escaped(char)


def refuse_controls_in_header(path: Path, names: list[str]) -> None:
    for name in names:
        found = re.search(_CONTROL, name)
        if found:
            raise DataError(
                f"a column name contains the control character {_shown(found.group())}: "
                f"'{re.sub(_CONTROL, lambda m: escaped(m.group()), name)}'",
                file=path,
                location="line 1",
                hint=_CONTROL_HINT,
            )


def refuse_controls(origin: Origin, table: pd.DataFrame, columns: list[str]) -> None:
    """Refuse a control character in any cell, naming its line and column; validate goes on without it."""
    for column in columns:
        bad = table[column].str.contains(_CONTROL, regex=True).fillna(False).astype(bool)
        if not bool(bad.any()):
            continue
        context = table.assign(char=table[column].where(bad, "").str.extract(f"({_CONTROL})", expand=False))
        _fail(origin, context, bad, column, lambda r: f"{column} contains the control character {_shown(r.char)}",
              _CONTROL_HINT)
        table[column] = table[column].str.replace(_CONTROL, "", regex=True)


def refuse_binary(path: Path, start: bytes) -> None:
    """A spreadsheet saved under a .csv name, or UTF-16 text, said plainly rather than as bad UTF-8."""
    for magic, what in _SPREADSHEETS:
        if start.startswith(magic):
            raise DataError(
                f"is {what}, not a CSV file",
                file=path,
                hint=f"open it in Excel (or Sheets, Numbers, LibreOffice) and save or export the sheet as "
                f"'CSV UTF-8 (comma delimited)' named {path.name}; see {DATA_DOC}",
            )
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(
            "is UTF-16 text (Excel's 'Unicode Text'), not UTF-8",
            file=path,
            hint=f"save the sheet as 'CSV UTF-8 (comma delimited)' instead; see {DATA_DOC}",
        )


DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def read_as_note(delimiter: str | None) -> str:
    return "" if delimiter in (",", None) else f" (read as {DELIMITER_NAMES[delimiter]}-separated, from its header line)"


def _fail(origin: Origin, table: pd.DataFrame, bad: pd.Series, column: str, message, hint: str | None) -> None:
    rows = table.loc[bad]
    first = rows.iloc[0]
    more = len(rows) - 1
    text = message(first) if callable(message) else message
    if more:
        text += f" (and {more} more row{'s' if more > 1 else ''} like it)"
    report(DataError(text, **origin.at(first['line'], column), hint=hint))


def fail_where(bad: pd.Series, table: pd.DataFrame, origin: Origin, column: str, message, hint: str | None) -> None:
    if bool(bad.any()):
        _fail(origin, table, bad, column, message, hint)


def read_binary(path: Path) -> io.BytesIO:
    """A workbook's or Parquet file's bytes, once it is known to be a regular file of a sane size
    (calamine and pyarrow open what they are given: a FIFO waits for a writer, /dev/zero never ends)."""
    regular_file(path)
    try:
        with path.open("rb") as handle:
            return io.BytesIO(handle.read())
    except OSError as exc:
        raise unreadable_error(path, exc) from None
