"""`cscomp init`'s guessing: a folder of raw exports -> a data map (YAML text with a comment on
every guess) and the list of choices a person must still make.

Pure: it reads the exports (at most SAMPLE_ROWS rows of each) and returns text; the command writes
it. Guesses come from the headers (canonical names and the synonyms CRM, HR and payroll exports
use) and from the cells (delimiter, encoding, number and date conventions, status words, names).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import fnmatch
import functools
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cscomp_cli.core.errors import DataError
from cscomp_cli.core.quarters import label_in_file_name, parse_quarter
from cscomp_cli.core.text import escaped, folded
from cscomp_cli.inputs.datamap import MAP_FILE, REQUIRED
from cscomp_cli.inputs.formats import export_format

SAMPLE_ROWS = 5_000  # rows read from each export: enough to see its conventions, fast on any size
_HEAD_BYTES = 1 << 20  # bytes read to guess the encoding and the delimiter
_TITLE_ROWS = 15  # a report's header is looked for in its first rows (title and filter lines above it)
_SKIPPED = {MAP_FILE.lower(), "sample_org.txt"}
DOC = "docs/data.md"

# Canonical column -> the header names real exports use for it (the canonical name is added).
# Names starting with "_" are not canonical columns but feed one (a status, a pay date, a filter).
_SYNONYMS: dict[str, dict[str, list[str]]] = {
    "accounts": {
        "quarter": ["fiscal period", "period", "fiscal quarter", "quarter", "qtr", "fiscal qtr"],
        "account_id": ["account id", "account number", "customer id", "acct id", "account"],
        "csm_id": ["csm owner", "csm", "csm name", "account owner", "owner", "csm id",
                   "customer success manager", "success manager"],
        "arr_start": ["beginning arr", "starting arr", "opening arr", "start arr", "arr start", "bop arr",
                      "beginning of period arr"],
        "expansion": ["upsell arr", "upsell", "expansion arr", "expansion", "upgrade arr"],
        "cross_sell": ["cross sell arr", "cross sell", "crosssell"],
        "contraction": ["downsell", "downsell arr", "contraction arr", "contraction", "downgrade arr"],
        "churn": ["churned arr", "churn arr", "churn", "lost arr", "churned"],
        "arr_end": ["ending arr", "end arr", "closing arr", "arr end", "eop arr"],
        "renewal_due": ["renewal due"],
        "renewed": ["renewed"],
        "_status": ["renewal status", "renewal outcome", "renewal stage"],
        "segment": ["segment", "account segment", "customer segment", "tier"],
        "nps": ["nps score", "nps", "net promoter score"],
        "health": ["health score", "health", "health status", "rag status", "rag"],
        "risk": ["risk score", "risk"],
    },
    "roster": {
        "csm_id": ["employee id", "worker id", "employee number", "employee no", "csm id", "person id", "id"],
        "name": ["worker", "employee name", "name", "full name", "csm name", "employee", "legal name"],
        "segment": ["segment", "book segment", "coverage segment"],
        "team": ["team", "department", "supervisory organization"],
        "quarter": ["quarter", "fiscal period", "period"],
        "annual_base": ["annual base salary", "base salary", "annual base", "base pay", "salary"],
        "annual_variable": ["annual target incentive", "target incentive", "annual variable", "variable pay",
                            "target bonus", "annual incentive target", "target variable"],
        "start_date": ["hire date", "start date", "original hire date"],
        "end_date": ["termination date", "term date", "end date", "leave date"],
        "_profile": ["job profile", "job title", "business title", "title", "position", "role"],
    },
    "payouts": {
        "quarter": ["quarter", "performance quarter", "bonus quarter", "fiscal period", "period"],
        "_pay_date": ["pay date", "check date", "payment date", "paid date", "payroll date"],
        "csm_id": ["employee id", "worker id", "employee number", "csm id"],
        "amount": ["amount", "gross amount", "earnings amount", "pay amount", "paid amount", "payout"],
        "component": ["earnings code", "earning code", "pay code", "component", "earnings type"],
        "_description": ["earnings description", "earning description", "description"],
    },
    "quotas": {
        "quarter": ["quarter", "fiscal period", "period"],
        "csm_id": ["employee id", "csm id", "csm owner", "csm"],
        "component": ["component", "quota type", "metric"],
        "target": ["target", "quota", "quota amount", "target amount"],
    },
}
for _table, _columns in _SYNONYMS.items():
    for _canonical, _names in _columns.items():
        if not _canonical.startswith("_") and _canonical.replace("_", " ") not in _names:
            _names.append(_canonical.replace("_", " "))

# What makes an export that table: without these it is not one (quarter may come from elsewhere).
_CORE = {
    "accounts": ["account_id", "csm_id", "arr_start"],
    "roster": ["csm_id", "name"],
    "payouts": ["csm_id", "amount"],
    "quotas": ["csm_id", "component", "target"],
}
_ORDER = ["accounts", "roster", "payouts", "quotas"]
_AMOUNTS = {
    "accounts": ["arr_start", "expansion", "cross_sell", "contraction", "churn", "arr_end"],
    "roster": ["annual_base", "annual_variable"],
    "payouts": ["amount"],
    "quotas": ["target"],
}
_DATES = {"roster": ["start_date", "end_date"], "payouts": ["_pay_date"]}
_ZERO_TOKENS = ["-", "–", "—", ""]

# Renewal Status words -> (renewal_due, renewed); a renewal that was downgraded still renewed.
_STATUS = [
    (r"not renewed|non.?renew|churn|lost|cancel|terminat", ("yes", "no")),
    (r"downgrad|downsell|reduc|partial", ("yes", "yes")),
    (r"renew|won|signed|closed", ("yes", "yes")),
    (r"^$|n/?a|not due|none", ("no", "no")),
]
_RAG = {"green": 85, "amber": 60, "yellow": 60, "red": 30}
_BONUS = r"bon|incent|commis|spif|claw|variable|\bvar\b|\bic\b|kicker|accel|award|\bsip\b|\bvip\b"
_CSM_PROFILE = r"customer success|\bcsm\b|client success|success manager"
# Titles that name customer success but not a book of accounts (kept only if they own accounts).
_NOT_A_BOOK = r"\b(vp|svp|evp|vice president|director|head|chief|cco|operations|ops|analyst|enablement)\b"
_FISCAL_LABEL = r"(?i)\bfy\s*[0-9]{2}"


@dataclass
class Undecided:
    """A choice init could not make: the map key it concerns and what a person must decide."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


@dataclass
class Guess:
    """What init guessed: the map as YAML text, the choices left, and which export is which table."""

    text: str
    undecided: list[Undecided]
    tables: dict[str, list[str]]  # table -> the files (relative to the folder) it reads
    unused: list[str] = field(default_factory=list)  # files that looked like no table


@dataclass
class _Export:
    """One export (or a group of files with one header) as read for guessing."""

    files: list[str]
    format: str
    cells: pd.DataFrame  # text cells under the export's own header (first SAMPLE_ROWS rows)
    typed: set[str] = field(default_factory=set)  # spreadsheet columns holding real numbers or dates
    sheet: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    notes: dict[str, str] = field(default_factory=dict)  # map key -> the reason for its value
    name_labels: list[str | None] = field(default_factory=list)  # a quarter label in each file's name
    header_row: int = 1  # the file's (or sheet's) row holding the header; 1 unless title rows come first
    titles: list[str] = field(default_factory=list)  # the text of the rows above the header

    @property
    def headers(self) -> list[str]:
        return [str(h) for h in self.cells.columns]


# --- the folder ------------------------------------------------------------------------------


def guess_map(folder: Path) -> Guess:
    """Look at the exports in folder (and its subfolders, one level deep) and guess their map."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError("data folder not found", file=folder, hint="pass the folder holding your exports: cscomp init DIR")
    exports, unreadable = _scan(folder)
    chosen = _classify(exports)
    if "accounts" not in chosen and "roster" not in chosen:
        seen = "; ".join(f"{e.files[0]} ({', '.join(e.headers[:6])}{', …' if len(e.headers) > 6 else ''})"
                         for e in exports[:5]) or "no csv, tsv, txt, xlsx or parquet file"
        raise DataError("no export here looks like an account report or a roster", file=folder,
                        hint=f"found: {seen}; the columns cscomp needs are in {DOC}")
    writer = _MapWriter(folder, {f for e in exports for f in e.files})
    text = writer.write(chosen)
    used = {f for export in chosen.values() for f in export.files}
    unused = [f for e in exports for f in e.files if f not in used] + unreadable
    return Guess(text=text, undecided=writer.undecided, tables={t: e.files for t, e in chosen.items()},
                 unused=unused)


def _scan(folder: Path) -> tuple[list[_Export], list[str]]:
    """Every export in folder and its subfolders, files with one header in one folder grouped."""
    entries = _entries(folder)
    entries += [q for d in entries if d.is_dir() and not d.name.startswith(".") for q in _entries(d)]
    paths = sorted(p for p in entries if p.is_file() and export_format(p) is not None
                   and not p.name.startswith((".", "~$")) and p.name.lower() not in _SKIPPED)
    exports, unreadable = [], []
    for path in paths:
        relative = path.relative_to(folder).as_posix()
        try:
            export = _read(path, relative)
        except Exception as error:  # noqa: BLE001 - one unreadable export (a corrupt workbook) must not stop the rest
            unreadable.append(f"{relative} (cannot be read: {_comment_text(error) or type(error).__name__})")
            continue
        if export is not None and len(export.cells.columns) >= 2:
            exports.append(export)
        else:
            unreadable.append(f"{relative} (no table in it)")
    return _group(folder, exports), unreadable


def _entries(folder: Path) -> list[Path]:
    """A folder's entries; one init cannot list (no permission) is skipped, not fatal."""
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _read(path: Path, relative: str) -> _Export | None:
    kind = export_format(path)
    if kind == "xlsx":
        return _read_workbook(path, relative)
    if kind == "parquet":
        import pyarrow.parquet as pq

        table = pq.ParquetFile(path)
        frame = next(table.iter_batches(batch_size=SAMPLE_ROWS)).to_pandas() if table.metadata.num_rows else \
            table.schema_arrow.empty_table().to_pandas()
        return _typed_export([relative], "parquet", frame)
    return _read_text(path, relative, kind)


def _read_text(path: Path, relative: str, kind: str) -> _Export:
    with open(path, "rb") as handle:
        raw = handle.read(_HEAD_BYTES)
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
    return _Export([relative], kind, frame, delimiter=delimiter, encoding=shown,
                   notes={"encoding": why, "delimiter": how}, header_row=skipped + 1,
                   titles=[line.strip().lstrip("\ufeff") for line in lines[:skipped]])


@functools.cache
def _known_headers() -> frozenset[str]:
    """Every header name init knows (the canonical names and their synonyms), as compared."""
    return frozenset(_norm(name) for columns in _SYNONYMS.values() for names in columns.values() for name in names)


def _looks_like_header(cells: list, below: list | None) -> bool:
    """A header: at least two text cells that are known column names, none of them a number, and a
    row of data (two cells or more) under it unless it is the last row read."""
    texts = [c for c in cells if c is not None and str(c).strip() != ""]
    if len(texts) < 2 or not all(isinstance(c, str) for c in texts):
        return False
    known = _known_headers()
    if sum(_norm(c) in known for c in texts) < 2:
        return False
    return below is None or sum(c is not None and str(c).strip() != "" for c in below) >= 2


def _header_index(rows: list[list]) -> int:
    """The index of the first of a report's first rows that looks like its header; 0 when none does
    (the first row is then the header, as without title rows)."""
    rows = rows[:_TITLE_ROWS + 1]
    for i, cells in enumerate(rows[:_TITLE_ROWS]):
        if _looks_like_header(cells, rows[i + 1] if i + 1 < len(rows) else None):
            return i
    return 0


def _text_header_line(head: str, kind: str) -> int:
    """How many physical lines of a CSV come before its header (title rows of a report)."""
    lines = head.splitlines()[:_TITLE_ROWS + 1]
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


def _read_workbook(path: Path, relative: str) -> _Export | None:
    """The sheet of a workbook whose header looks most like one of cscomp's tables."""
    sheets = pd.read_excel(path, sheet_name=None, dtype=object, header=None, nrows=SAMPLE_ROWS + _TITLE_ROWS,
                           engine="calamine")
    best, best_score = None, -1
    for name, frame in sheets.items():
        export = _sheet_export(relative, frame)
        export.sheet = str(name)
        score = max(_table_score(export, table)[0] for table in _ORDER)
        if score > best_score:
            best, best_score = export, score
    if best is not None and len(sheets) > 1:
        best.notes["sheet"] = f"of the sheets {', '.join(map(str, sheets))}, this one's header fits best"
    elif best is not None:
        best.notes["sheet"] = "the workbook's only sheet"
    return best


def _sheet_export(relative: str, frame: pd.DataFrame) -> _Export:
    """A sheet read without a header: its header found below any title rows, the rows above kept as titles."""
    rows = [[None if (isinstance(v, float) and v != v) else v for v in row]
            for row in frame.head(_TITLE_ROWS + 1).itertuples(index=False)]
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


def _typed_export(files: list[str], kind: str, frame: pd.DataFrame) -> _Export:
    """A spreadsheet or Parquet table as text cells, remembering which columns held real values."""
    frame.columns = [str(c).strip() for c in frame.columns]
    typed, cells = set(), {}
    for column in frame.columns:
        values = frame[column]
        is_text = values.map(lambda v: isinstance(v, str) or v is None or (isinstance(v, float) and v != v))
        if not is_text.all():
            typed.add(column)
        cells[column] = values.map(_cell_text)
    return _Export(files, kind, pd.DataFrame(cells, columns=frame.columns), typed=typed)


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _group(folder: Path, exports: list[_Export]) -> list[_Export]:
    """Files of one folder with the same header become one export read through a glob."""
    groups: dict[tuple, list[_Export]] = {}
    for export in exports:
        directory = export.files[0].rpartition("/")[0]
        key = (directory, export.format, export.sheet, export.header_row, tuple(_norm(h) for h in export.headers))
        groups.setdefault(key, []).append(export)
    merged = []
    for members in groups.values():
        first = members[0]
        files = [m.files[0] for m in members]
        cells = pd.concat([m.cells for m in members], ignore_index=True) if len(members) > 1 else first.cells
        export = _Export(files, first.format, cells, typed=set().union(*(m.typed for m in members)),
                         sheet=first.sheet, delimiter=first.delimiter, encoding=first.encoding, notes=dict(first.notes),
                         header_row=first.header_row, titles=first.titles)
        export.name_labels = [label_in_file_name(f) for f in files]
        encodings = {m.encoding for m in members}
        if len(encodings) > 1:
            export.encoding = "cp1252" if "cp1252" in encodings else first.encoding
            export.notes["encoding"] = f"the files differ ({', '.join(sorted(map(str, encodings)))}): Windows-1252 reads both"
        merged.append(export)
    return merged


def _files_value(files: list[str], all_files: set[str]) -> str | list[str]:
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
    glob = f"{directory + '/' if directory else ''}{prefix}*{suffix}"
    siblings = {f for f in all_files if f.rpartition("/")[0] == directory}
    exact = {f for f in siblings if fnmatch.fnmatchcase(f, glob)} == set(files)
    return glob if (prefix or suffix) and exact else files


def _common_prefix(names: list[str]) -> str:
    import os

    return os.path.commonprefix(names)


# --- which export is which table -------------------------------------------------------------


def _norm(text: str) -> str:
    """A header or a name as compared: no accents, case or punctuation, single spaces."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def _match_columns(headers: list[str], table: str) -> dict[str, str]:
    """Canonical (or helper) column -> the export header feeding it: exact synonyms, then close ones."""
    normalised = {_norm(h): h for h in reversed(headers)}
    found: dict[str, str] = {}
    used: set[str] = set()
    for exact in (True, False):
        for canonical, names in _SYNONYMS[table].items():
            if canonical in found:
                continue
            for name in names:
                if exact:
                    header = normalised.get(name)
                else:
                    close = difflib.get_close_matches(name, [n for n in normalised if normalised[n] not in used],
                                                      n=1, cutoff=0.88)
                    header = normalised[close[0]] if close else None
                if header is not None and header not in used:
                    found[canonical] = header
                    used.add(header)
                    break
    return found


def _table_score(export: _Export, table: str) -> tuple[float, dict[str, str]]:
    columns = _match_columns(export.headers, table)
    if not all(c in columns for c in _CORE[table]):
        return 0.0, columns
    return len(columns) / len(_SYNONYMS[table]) + len(columns) * 0.01, columns


def _classify(exports: list[_Export]) -> dict[str, _Export]:
    """Each table gets the export whose header fits it best (an export feeds one table)."""
    pairs = sorted(((score, -i, table) for i, export in enumerate(exports) for table in _ORDER
                    for score in [_table_score(export, table)[0]] if score > 0), reverse=True)
    chosen: dict[str, _Export] = {}
    taken: set[int] = set()
    for _score, negative_index, table in pairs:
        if table not in chosen and -negative_index not in taken:
            chosen[table] = exports[-negative_index]
            taken.add(-negative_index)
    return {table: chosen[table] for table in _ORDER if table in chosen}


# --- the conventions of an export ------------------------------------------------------------


def _nonblank(cells: pd.Series) -> pd.Series:
    cells = cells.astype(str).str.strip()
    return cells[cells != ""]


def _numbers(cells: pd.Series) -> tuple[str | None, str]:
    """The number convention the amount cells show ("1,234.56", "1.234,56", "1 234,56"), and why;
    None when no cell settles it."""
    numbers = cells.str.replace(r"[^0-9.,\s\u00a0\u202f]", "", regex=True).str.strip()
    numbers = numbers[numbers != ""]
    dot = numbers.str.contains(r"[0-9]\.(?:[0-9]{1,2}|[0-9]{4,})$|,[0-9]{3}\.|,[0-9]{3},[0-9]{3}", regex=True)
    comma = numbers.str.contains(r"[0-9],(?:[0-9]{1,2}|[0-9]{4,})$|\.[0-9]{3},|\.[0-9]{3}\.[0-9]{3}", regex=True)
    spaced = numbers.str.contains(r"[0-9][\s\u00a0\u202f][0-9]{3}", regex=True)
    if dot.any() and comma.any():
        return None, (f"the cells mix conventions: {numbers[dot].iloc[0]!r} has a decimal point, "
                      f"{numbers[comma].iloc[0]!r} a decimal comma")
    if dot.any():
        return "1,234.56", f"{cells[dot[dot].index[0]]!r} has a decimal point"
    if comma.any():
        style = "1 234,56" if spaced.any() else "1.234,56"
        return style, f"{cells[comma[comma].index[0]]!r} has a decimal comma"
    return None, ""


def _ambiguous_number(cells: pd.Series) -> str | None:
    numbers = cells.str.replace(r"[^0-9.,]", "", regex=True)
    hits = cells[numbers.str.fullmatch(r"[0-9]{1,3}[.,][0-9]{3}")]
    return None if hits.empty else hits.iloc[0]


_DATE_FORMATS = [
    ("YYYY-MM-DD", r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"),
    ("DD.MM.YYYY", r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}"),
]


def _dates(cells: pd.Series) -> tuple[str | None, str, bool]:
    """(format, why, decided) for the date cells of a table."""
    if cells.empty:
        return None, "", True
    for name, pattern in _DATE_FORMATS:
        if cells.str.fullmatch(pattern).all():
            return name, f"every date looks like {cells.iloc[0]!r}", True
    parts = cells.str.extract(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$").astype(float)
    if parts[0].isna().any():
        odd = cells[parts[0].isna()].iloc[0]
        return None, f"{odd!r} is in no date format cscomp reads (YYYY-MM-DD, MM/DD/YYYY, DD/MM/YYYY, DD.MM.YYYY)", False
    day_first, month_first = (parts[0] > 12).any(), (parts[1] > 12).any()
    if day_first and month_first:
        return None, "some dates have a day first and some a day second", False
    if day_first:
        return "DD/MM/YYYY", f"{cells[parts[0] > 12].iloc[0]!r} can only be day/month", True
    if month_first:
        return "MM/DD/YYYY", f"{cells[parts[1] > 12].iloc[0]!r} can only be month/day", True
    return None, f"every date ({cells.iloc[0]!r}, ...) has day and month of 12 or less: they read both ways", False


def _quarter_labels(cells: pd.Series) -> tuple[list[str], bool]:
    """The distinct labels of a quarter column, and whether they are fiscal (FY) labels."""
    distinct = [label for label in pd.unique(_nonblank(cells))]
    return distinct, any(re.search(_FISCAL_LABEL, label) for label in distinct)


def _ordinal(label: str) -> int | None:
    """year * 4 + quarter - 1 for a calendar label (2026Q1, Q1 2026, ...), else None."""
    canonical = parse_quarter(label)
    if canonical is None or not re.fullmatch(r"[0-9]{4}Q[1-4]", canonical):  # a fiscal label: no calendar ordinal
        return None
    return int(canonical[:4]) * 4 + int(canonical[5]) - 1


def _whole_column(folder: Path, export: _Export, header: str) -> list[str]:
    """The distinct values of one column over every file of a CSV export ([] for other formats)."""
    if export.format not in ("csv", "tsv") or not export.delimiter:
        return []
    encoding = {"utf-8": "utf-8-sig"}.get(export.encoding or "utf-8", export.encoding or "utf-8")
    distinct: dict[str, None] = {}
    try:
        for relative in export.files:
            for path in sorted(folder.glob(relative)) if any(c in relative for c in "*?[") else [folder / relative]:
                frame = pd.read_csv(path, sep=export.delimiter, encoding=encoding, dtype=str, keep_default_na=False,
                                    skiprows=export.header_row - 1, usecols=lambda c: str(c).strip() == header,
                                    engine="python" if export.delimiter == "|" else "c", on_bad_lines="skip")
                for column in frame.columns:
                    distinct.update(dict.fromkeys(_nonblank(frame[column])))
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError):
        return []
    return list(distinct)


def _lag(dates: pd.Series, quarters: set[int]) -> tuple[int, str] | None:
    """The months between a quarter's close and its pay dates that put the pay dates in the quarters
    the accounts cover (the fewest months of those that fit best)."""
    months = dates.dt.year * 12 + dates.dt.month - 1
    best = None
    for lag in range(0, 4):
        shifted = months - lag
        ordinals = (shifted // 12) * 4 + (shifted % 12) // 3
        fit = ordinals.isin(quarters).mean()
        if best is None or fit > best[1] + 1e-9:
            best = (lag, fit)
    if best is None or best[1] == 0:
        return None
    return best[0], f"{best[1]:.0%} of the pay dates then fall in the quarters the accounts cover"


# --- writing the map -------------------------------------------------------------------------


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.()'-]*")
_YAML_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "none", "nan", "inf"}


def _yaml(value) -> str:
    """A value as YAML text: plain when it reads back as the same string, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if value is None:
        return "~"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_yaml(str(k))}: {_yaml(v)}" for k, v in value.items()) + "}"
    text = str(value)
    if not text.isprintable():  # a control character or a line separator from an export: escaped
        return json.dumps(text)
    if _PLAIN.fullmatch(text) and text == text.strip() and text.lower() not in _YAML_WORDS and "  " not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _comment_text(text: str) -> str:
    """Comment text on one line (no line breaks from a cell can end the comment early)."""
    text = " ".join(str(text).split())
    return text if text.isprintable() else "".join(c if c.isprintable() else escaped(c) for c in text)


class _MapWriter:
    """Builds the map's lines, each guess with its comment, collecting the undecided choices."""

    def __init__(self, folder: Path, all_files: set[str]):
        self.folder = folder
        self.all_files = all_files
        self.lines: list[str] = []
        self.undecided: list[Undecided] = []
        self.quarters: set[int] = set()  # the accounts' quarters (calendar ordinals) for the payroll lag
        self.fiscal = False
        self.numbers_seen: dict[str, str] = {}  # table -> the convention its cells settled
        self.owners: set[str] = set()  # the accounts' owners (names as compared, and ids): their profiles stay
        self.date_styles: dict[str, str] = {}  # table -> the date format written

    # lines

    def entry(self, indent: int, key: str, value=None, comment: str | None = None, *, undecided: str | None = None,
              path: str | None = None) -> None:
        """`key: value  # comment`; an undecided choice is marked and listed."""
        if undecided:
            self.undecided.append(Undecided(path or key, _comment_text(undecided)))
            comment = f"UNDECIDED: {undecided}" + (f" ({comment})" if comment else "")
        line = " " * indent + f"{_yaml(key) if key != '-' else '-'}:" + ("" if value is None else f" {_yaml(value)}")
        if comment:
            comment = _comment_text(comment)
            if len(line) + len(comment) + 4 <= 110:
                line += f"  # {comment}"
            else:
                self.lines.append(" " * indent + f"# {comment}")
        self.lines.append(line)

    def comment(self, indent: int, text: str) -> None:
        self.lines.append(" " * indent + f"# {_comment_text(text)}")

    # the whole map

    def write(self, chosen: dict[str, _Export]) -> str:
        self.lines += [
            f"# The data map cscomp reads from this folder (see {DOC}), written by `cscomp init`.",
            "# Every value below is a guess with its reason in a comment; search for UNDECIDED for the choices",
            "# a person must make. Edit this file freely; `cscomp init --force` writes a fresh one.",
            "version: 1",
        ]
        body: list[str] = []
        lines, self.lines = self.lines, body
        self.lines.append("tables:")
        roster_names = self._roster_people(chosen.get("roster"))
        for table in _ORDER:
            if table in chosen:
                self._table(table, chosen[table], chosen, roster_names)
            elif table in ("accounts", "roster"):
                self.comment(2, f"UNDECIDED: no export here looks like the {table} table (see {DOC})")
                self.undecided.append(Undecided(f"tables.{table}", f"no export here looks like the {table} table; "
                                                f"add it and declare it here"))
        self.lines = lines
        if self.fiscal:
            self.entry(0, "fiscal_year", None, "the quarter labels say FY: a fiscal year")
            self.entry(2, "first_month", None, "labels alone do not say which month the fiscal year starts",
                       undecided="write the month your fiscal year starts (e.g. February)",
                       path="fiscal_year.first_month")
            self.entry(2, "named_for", "end", "FY2027 ends in 2027 (Salesforce and Workday style); "
                       "write start if FY2027 starts in 2027")
        return "\n".join(self.lines + body) + "\n"

    def _table(self, table: str, export: _Export, chosen: dict[str, _Export], roster_names) -> None:
        columns = _table_score(export, table)[1]
        base = f"tables.{table}"
        self.entry(2, table, None, f"{len(columns)} of its columns match the {table} table's")
        files = _files_value(export.files, self.all_files)
        self.entry(4, "files", files, f"{len(export.files)} files with one header" if len(export.files) > 1 else None)
        if export.sheet is not None:
            self.entry(4, "sheet", export.sheet, export.notes.get("sheet"))
        if export.header_row > 1:
            titles = "; ".join(repr(t[:40]) for t in export.titles if t) or "blank"
            self.entry(4, "header_row", export.header_row, f"the header is row {export.header_row}: the rows above "
                       f"it are a report's title ({titles})")
        if export.delimiter is not None:
            self.entry(4, "delimiter", export.delimiter, export.notes.get("delimiter"))
            self.entry(4, "encoding", export.encoding, export.notes.get("encoding"))
        cells = export.cells
        self._numbers(table, export, columns, base)
        self._dates(table, export, columns, base)
        self._zero(table, export, columns)
        rows = self._rows(table, export, columns, chosen, base)
        self.entry(4, "columns")
        writer = getattr(self, f"_{table}_columns")
        writer(export, columns, cells if rows is None else cells[rows], roster_names, base + ".columns")
        unread = [h for h in export.headers if h not in columns.values()]
        # A required column no header was taken for is a choice for a person, not a gap for the
        # loader to find later. (A quarter missing is said by _quarter; a segment gets a constant.)
        for canonical in REQUIRED[table]:
            if canonical in columns or canonical == "quarter" or (table == "roster" and canonical == "segment"):
                continue
            problem = (f"no header of {', '.join(export.files)} was taken for {canonical}: write which column holds "
                       f"it" + (f" (not read: {', '.join(unread)})" if unread else ""))
            self.comment(6, f"UNDECIDED: {problem}")
            self.undecided.append(Undecided(f"{base}.columns.{canonical}", problem))
        if unread:
            self.comment(6, f"not read: {', '.join(unread)}")

    # conventions

    def _numbers(self, table: str, export: _Export, columns: dict[str, str], base: str) -> None:
        amounts = [columns[c] for c in _AMOUNTS[table] if c in columns and columns[c] not in export.typed]
        if not amounts:
            if export.format in ("xlsx", "parquet") and any(columns.get(c) for c in _AMOUNTS[table]):
                self.entry(4, "numbers", "auto", "the amounts are numbers in the file, not text")
            return
        cells = pd.concat([_nonblank(export.cells[h]) for h in amounts], ignore_index=True)
        style, why = _numbers(cells)
        if style is not None:
            self.numbers_seen[table] = style
            self.entry(4, "numbers", style, why)
            return
        if why:  # mixed
            self.entry(4, "numbers", "auto", why, undecided="which convention do the amounts use?",
                       path=f"{base}.numbers")
            return
        ambiguous = _ambiguous_number(cells)
        if ambiguous is None:
            self.entry(4, "numbers", "auto", "only whole numbers without separators: either convention reads them")
        elif export.delimiter == ",":
            self.numbers_seen[table] = "1,234.56"
            self.entry(4, "numbers", "1,234.56", f"a comma-separated file: {ambiguous!r} groups thousands")
        else:
            others = set(self.numbers_seen.values())
            if len(others) == 1:
                style = others.pop()
                self.entry(4, "numbers", style, f"{ambiguous!r} reads both ways; the other exports use {style}")
            else:
                self.entry(4, "numbers", "auto", f"{ambiguous!r} reads both ways and nothing here settles it",
                           undecided="write \"1,234.56\" or \"1.234,56\"", path=f"{base}.numbers")

    def _dates(self, table: str, export: _Export, columns: dict[str, str], base: str) -> None:
        headers = [columns[c] for c in _DATES.get(table, []) if c in columns and columns[c] not in export.typed]
        if not headers:
            return
        cells = pd.concat([_nonblank(export.cells[h]) for h in headers], ignore_index=True)
        style, why, decided = _dates(cells)
        if style is None and cells.empty:
            return
        if style is not None:
            self.date_styles[table] = style
        if decided:
            self.entry(4, "dates", style, why)
            return
        european = self.numbers_seen.get(table, next(iter(self.numbers_seen.values()), "1,234.56")) != "1,234.56"
        if style is None and "both ways" in why:
            style = self.date_styles[table] = "DD/MM/YYYY" if european else "MM/DD/YYYY"
            self.entry(4, "dates", style, f"{why}; {style} matches the amounts' convention",
                       undecided=f"confirm the date format ({'DD/MM/YYYY' if style[0] == 'M' else 'MM/DD/YYYY'} "
                       "is the other reading)", path=f"{base}.dates")
        else:
            self.entry(4, "dates", "auto", why, undecided="write the date format of "
                       + ", ".join(headers), path=f"{base}.dates")

    def _zero(self, table: str, export: _Export, columns: dict[str, str]) -> None:
        # Spreadsheet columns too: a report leaves a zero amount as an empty cell among the numbers.
        amounts = [columns[c] for c in _AMOUNTS[table] if c in columns]
        if table == "payouts" or not amounts:
            return
        cells = pd.concat([export.cells[h].astype(str).str.strip() for h in amounts], ignore_index=True)
        found = [token for token in _ZERO_TOKENS if (cells == token).any()]
        if found:
            shown = ", ".join("blank" if t == "" else repr(t) for t in found)
            self.entry(4, "zero", found, f"{shown} cells in {', '.join(amounts)} read as 0")

    def _rows(self, table: str, export: _Export, columns: dict[str, str], chosen, base: str) -> pd.Series | None:
        """A keep filter (roster Job Profile, payroll Earnings Code); the rows it keeps."""
        if table == "roster" and "_profile" in columns:
            header = columns["_profile"]
            profiles = export.cells[header].astype(str).str.strip()
            owners = self.owners
            names = export.cells[columns["name"]].map(folded) if "name" in columns else pd.Series(dtype=str)
            ids = export.cells[columns["csm_id"]].astype(str).str.strip()
            owning = set(profiles[names.isin(owners) | ids.isin(owners)])
            looks = {p for p in pd.unique(profiles) if re.search(_CSM_PROFILE, p, re.IGNORECASE)
                     and not re.search(_NOT_A_BOOK, p, re.IGNORECASE)}
            keep = [p for p in pd.unique(profiles) if p in owning or p in looks]
            left = [p for p in pd.unique(profiles) if p not in keep]
            if not left or not keep:
                return None
            self.entry(4, "rows")
            self.entry(6, "keep", {"column": header, "in": keep}, "profiles that own accounts or read like a "
                       f"CSM's; left out: {', '.join(p or '(blank)' for p in left)}")
            return profiles.isin(keep)
        if table == "payouts" and "component" in columns:
            header = columns["component"]
            codes = export.cells[header].astype(str).str.strip()
            described = codes + " " + (export.cells[columns["_description"]].astype(str)
                                       if "_description" in columns else "")
            bonus = described.str.contains(_BONUS, case=False, regex=True)
            keep = list(pd.unique(codes[bonus]))
            left = list(pd.unique(codes[~bonus]))
            if not left:
                return None
            self.entry(4, "rows")
            if not keep:
                self.entry(6, "keep", {"column": header, "in": []}, f"no code looks like a bonus: {', '.join(left)}",
                           undecided="list the earnings codes that pay the plan", path=f"{base}.rows.keep")
                return bonus
            self.entry(6, "keep", {"column": header, "in": keep},
                       f"codes that look like incentive pay; left out: {', '.join(left)}")
            return bonus
        return None

    # columns, table by table

    def _source(self, columns: dict[str, str], canonical: str, comment: str | None = None) -> None:
        if canonical in columns:
            self.entry(6, canonical, columns[canonical], comment)

    def _quarter(self, export: _Export, columns: dict[str, str], cells: pd.DataFrame, path: str) -> list[str]:
        """The quarter: a label column, else the file names; returns the labels seen."""
        if "quarter" in columns:
            labels, fiscal = _quarter_labels(cells[columns["quarter"]])
            self.fiscal |= fiscal
            shown = ", ".join(labels[:4]) + (", ..." if len(labels) > 4 else "")
            self.entry(6, "quarter", columns["quarter"], f"labels {shown}")
            return labels
        names = export.name_labels
        if names and all(names):
            self.fiscal |= any(n.startswith("FY") for n in names)
            self.entry(6, "quarter", {"file_name": "quarter"}, f"one file per quarter: {', '.join(names[:4])}"
                       + (", ..." if len(names) > 4 else ""))
            return names
        self.comment(6, "UNDECIDED: no quarter column and no quarter in the file names")
        self.undecided.append(Undecided(f"{path}.quarter", "no column holds the quarter; declare where it comes from"))
        return []

    def _accounts_columns(self, export, columns, cells, roster_names, path) -> None:
        labels = self._quarter(export, columns, cells, path)
        # The payroll lag is judged against every quarter the accounts cover, not only those of the
        # first rows read for guessing: read the whole quarter column once.
        source = columns.get("quarter")
        if isinstance(source, str):
            labels = _whole_column(self.folder, export, source) or labels
        self.quarters = {o for o in map(_ordinal, labels) if o is not None}
        self._source(columns, "account_id")
        self._owner(columns, cells, roster_names, path)
        for canonical in ("arr_start", "expansion", "cross_sell", "contraction", "churn", "arr_end"):
            self._source(columns, canonical)
        self._renewals(columns, cells, path)
        self._source(columns, "segment")
        self._source(columns, "nps")
        self._health(columns, cells, path)
        self._source(columns, "risk")

    def _owner(self, columns, cells, roster, path) -> None:
        if "csm_id" not in columns:
            return
        header = columns["csm_id"]
        owners = _nonblank(cells[header])
        distinct = list(pd.unique(owners))
        self.owners = {folded(o) for o in distinct} | set(distinct)
        if roster is None:
            self.entry(6, "csm_id", header, "no roster to match names against")
            return
        ids, names = roster
        if not distinct or owners.isin(set(ids)).mean() >= 0.5:
            self.entry(6, "csm_id", header, "the cells are the roster's ids")
            return
        by_name: dict[str, list[str]] = {}
        for person_id, name in zip(ids, names):
            # Names compared exactly as the loader's match: name compares them, so an exact match here is one there.
            people = by_name.setdefault(folded(name), [])
            if person_id not in people:  # a roster with a row per quarter repeats each person
                people.append(person_id)
        aliases, open_names = {}, []
        for owner in distinct:
            key = folded(owner)
            if len(by_name.get(key, [])) == 1:
                continue
            if len(by_name.get(key, [])) > 1:
                open_names.append(f"{owner!r} is the name of {len(by_name[key])} roster people "
                                  f"({', '.join(by_name[key])})")
                continue
            close = difflib.get_close_matches(key, list(by_name), n=2, cutoff=0.75)
            scores = [difflib.SequenceMatcher(None, key, c).ratio() for c in close]
            if close and len(by_name[close[0]]) == 1 and (len(close) == 1 or scores[0] - scores[1] >= 0.1):
                aliases[owner] = by_name[close[0]][0]
            else:
                near = ", ".join(names[ids.index(by_name[c][0])] for c in close)
                open_names.append(f"{owner!r} matches no roster name "
                                  + (f"(closest: {near})" if near else "and none is close"))
        source: dict = {"column": header, "match": "name"}
        if aliases:
            source["aliases"] = aliases
        matched = len(distinct) - len(aliases) - len(open_names)
        comment = f"the cells are names: {matched} of {len(distinct)} match the roster's exactly"
        if aliases:
            comment += "; aliases: the closest roster name, for " + ", ".join(
                f"{k!r} -> {names[ids.index(v)]}" for k, v in aliases.items())
        self.entry(6, "csm_id", source, comment)
        for problem in open_names:
            self.comment(6, f"UNDECIDED: {problem}: add it to aliases with the person's id")
            self.undecided.append(Undecided(f"{path}.csm_id.aliases", problem))

    def _renewals(self, columns, cells, path) -> None:
        for canonical in ("renewal_due", "renewed"):
            self._source(columns, canonical)
        if "_status" not in columns or ("renewal_due" in columns and "renewed" in columns):
            return
        header = columns["_status"]
        words = [""] + [w for w in pd.unique(cells[header].astype(str).str.strip()) if w != ""]
        due, renewed, unknown = {}, {}, []
        for word in words:
            for pattern, (is_due, is_renewed) in _STATUS:
                if re.search(pattern, word, re.IGNORECASE):
                    break
            else:
                is_due, is_renewed = "yes", "no"
                unknown.append(word)
            due[word], renewed[word] = is_due, is_renewed
        self.entry(6, "renewal_due", {"column": header, "values": due},
                   "a status means a renewal fell due; blank means none")
        self.entry(6, "renewed", {"column": header, "values": renewed},
                   "Renewed and Downgraded renewed (a downgrade is a smaller renewal); Churned did not")
        if unknown:
            problem = f"status {', '.join(map(repr, unknown))} written as due and not renewed"
            self.comment(6, f"UNDECIDED: {problem}: correct both maps if that is wrong")
            self.undecided.append(Undecided(f"{path}.renewed.values", problem))

    def _health(self, columns, cells, path) -> None:
        if "health" not in columns:
            return
        header = columns["health"]
        values = _nonblank(cells[header])
        numeric = pd.to_numeric(values.str.replace(r"[%\s]", "", regex=True), errors="coerce")
        if numeric.notna().all():
            self.entry(6, "health", header, "numbers" if not values.empty else "the column is blank")
            return
        words = list(pd.unique(values[numeric.isna()]))
        mapped = {w: _RAG[w.lower()] for w in words if w.lower() in _RAG}
        unknown = [w for w in words if w.lower() not in _RAG]
        self.entry(6, "health", {"column": header, "values": mapped},
                   undecided="the numbers for the RAG words are a choice (Green 85, Yellow/Amber 60, Red 30): "
                   "confirm or change them", path=f"{path}.health.values")
        if unknown:
            self.comment(6, f"UNDECIDED: {', '.join(map(repr, unknown))} has no number: add it to the values")
            self.undecided.append(Undecided(f"{path}.health.values", f"no number for {', '.join(map(repr, unknown))}"))

    def _roster_people(self, export: _Export | None):
        """The roster's (ids, names) of the rows a keep filter would keep; computed before the filter
        is written, so the owners' profiles are known: all rows here, narrowed in _roster_columns."""
        if export is None:
            return None
        columns = _match_columns(export.headers, "roster")
        if "csm_id" not in columns or "name" not in columns:
            return None
        ids = export.cells[columns["csm_id"]].astype(str).str.strip().tolist()
        names = export.cells[columns["name"]].astype(str).str.strip().tolist()
        return ids, names

    def _roster_columns(self, export, columns, cells, roster_names, path) -> None:
        self._source(columns, "csm_id")
        self._source(columns, "name")
        if "segment" in columns:
            self._source(columns, "segment")
        else:
            self.entry(6, "segment", {"value": "All"}, "the roster has no segment column: every CSM in one "
                       "segment, All; a plan with targets by segment needs a segment per CSM")
        for canonical in ("team", "quarter", "annual_base", "annual_variable", "start_date", "end_date"):
            self._source(columns, canonical)

    def _payouts_columns(self, export, columns, cells, roster_names, path) -> None:
        if "quarter" in columns or "_pay_date" not in columns:
            self._quarter(export, columns, cells, path)
        else:
            self._pay_quarter(export, columns, cells, path)
        self._source(columns, "csm_id")
        self._source(columns, "amount")
        if "component" in columns:
            self._components(columns, cells)

    def _pay_quarter(self, export, columns, cells, path) -> None:
        header = columns["_pay_date"]
        values = _nonblank(cells[header])
        style, _why, _decided = _dates(values)
        formats = {"YYYY-MM-DD": "%Y-%m-%d", "MM/DD/YYYY": "%m/%d/%Y", "DD/MM/YYYY": "%d/%m/%Y",
                   "DD.MM.YYYY": "%d.%m.%Y"}
        chosen = self.date_styles.get("payouts", style)
        dates = pd.to_datetime(values, format=formats.get(chosen or "", "%Y-%m-%d"), errors="coerce").dropna()
        months = list(pd.unique(dates.sort_values().dt.strftime("%b")))
        source = {"column": header, "from": "date", "paid_months_after": 1}
        if self.fiscal:
            self.entry(6, "quarter", source, f"pay dates in {', '.join(months)}",
                       undecided="months between a fiscal quarter's close and its pay date: 1 is a guess, "
                       "the fiscal year's first month decides it", path=f"{path}.quarter.paid_months_after")
            return
        lag = _lag(dates, self.quarters) if self.quarters and not dates.empty else None
        if lag is None:
            self.entry(6, "quarter", source, f"pay dates in {', '.join(months) or 'no readable date'}",
                       undecided="how many months after a quarter closes is its bonus paid? 1 is a guess",
                       path=f"{path}.quarter.paid_months_after")
            return
        source["paid_months_after"] = lag[0]
        self.entry(6, "quarter", source, f"pay dates in {', '.join(months)}; {lag[0]} month{'s' * (lag[0] != 1)} "
                   f"back, {lag[1]}")

    def _components(self, columns, cells) -> None:
        header = columns["component"]
        codes = cells[header].astype(str).str.strip()
        descriptions = cells[columns["_description"]].astype(str).str.strip() if "_description" in columns else codes
        values = {}
        for code in pd.unique(codes):
            text = f"{code} {descriptions[codes == code].mode().iloc[0]}".lower()
            values[code] = ("spiff" if "spif" in text else "clawback" if "claw" in text
                            else "discretionary" if "discretion" in text else "")
        self.entry(6, "component", {"column": header, "values": values},
                   "the plan's own bonus has no component (reconcile compares it with the plan's total); "
                   "SPIFs and clawbacks are payments outside the plan")

    def _quotas_columns(self, export, columns, cells, roster_names, path) -> None:
        self._quarter(export, columns, cells, path)
        for canonical in ("csm_id", "component", "target"):
            self._source(columns, canonical)
