"""Fuzz the data map: take one of the realistic raw-export folders (tests/raw_exports.py), break its
cscomp-data.yaml (keys dropped, renamed or given wrong types, odd conventions, a map that is a list
or a YAML bomb) or its exports (nasty cells in mapped columns, renamed or repeated headers, empty,
header-only or binary files, odd sheets, Parquet with odd types, other encodings, symlinks, globs
that match the map or a folder), and run validate, stress-test and explain on the result.

Whatever the input: exit 0, 1 or 2; no traceback; no internal error ("unexpected …: this is a bug in
cscomp"); and a refusal names the map or the export it is about. Each case is a seed: a failure
names the exact input, which `_case(seed, folder)` writes again.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
from pathlib import Path

import pytest
import yaml

from .conftest import REPO, assert_survived, run
from .raw_exports import MAP_FILE, VARIANTS, write_canonical, write_raw
from .test_fuzz_commands import NASTY_CELLS

# More cases on demand: CSCOMP_FUZZ_MAP_CASES=3000 [CSCOMP_FUZZ_MAP_FIRST=10000] python -m pytest tests/test_fuzz_datamap.py
CASES = int(os.environ.get("CSCOMP_FUZZ_MAP_CASES", "80"))
FIRST = int(os.environ.get("CSCOMP_FUZZ_MAP_FIRST", "0"))
PLAN = REPO / "plans" / "current.yaml"
TABLE_KEYS = ("files", "format", "sheet", "header_row", "delimiter", "encoding", "numbers", "dates", "zero", "rows",
              "columns")
HEADERS = ["Account ID", "CSM Owner", "Fiscal Period", "Segment", "Beginning ARR", "Renewal Status", "Health Score",
           "Employee ID", "Worker", "Job Profile", "Pay Date", "Earnings Code", "Amount", "Hire Date", "Nope", "", " "]
# Odd values for each key of a table (and a few right values of another variant's).
TABLE_VALUES = {
    "files": [3, 2.5, True, None, {"a": 1}, [], [""], "", " ", "/etc/passwd", "../outside.csv", "*", "**", "**/*",
              "crm", ".", MAP_FILE, "*.yaml", "nothing*.csv", [None], [1, 2], ["Workers.csv", "Workers.csv"],
              "~/x.csv", "A" * 3000, "[", "[a-", "Workers.csv", "Account Report.csv", "*.csv", ["*", "*"],
              "crm/", "Workers.csv/x", "\x00"],
    "format": ["xlsx", "parquet", "csv", "tsv", "json", 1, None, "", "CSV"],
    "sheet": ["Sheet1", "", 0, None, ["a"], "Account Report", "Earnings", "nope", "Notes", 1.5],
    "header_row": [0, -1, 10**9, 1000, 2, 3, 50, "2", "x", 1.5, True, None, 10**30],
    "delimiter": ["", ";;", "\\t", "tab", "|", "x", 0, None, "\n", '"', ",", ";", " ", "\t", [","]],
    "encoding": ["utf-16", "utf-32", "ebcdic", "", 5, None, "latin-1", "utf-8", "cp1252", "ascii", "UTF_8", "utf-16-le"],
    "numbers": ["1 234,56", "1.234,56", "1,234.56", "1234", "", 1234.56, None, "auto", "1'234.56", ["1,234.56"]],
    "dates": ["DD/MM/YYYY", "MM/DD/YYYY", "YYYY-MM-DD", "DD.MM.YYYY", "%Y", "", 1, None, "dd/mm/yyyy", "auto"],
    "zero": ["-", 0, {"a": 1}, [None], [[1]], [], ["", "-", "n/a"], None, ["0"], ["abc", "$", "Green"], [1.5, True]],
    "rows": [None, {}, [], "keep", {"keep": {"column": "Nope", "in": ["x"]}}, {"keep": {"column": "Segment", "in": []}},
             {"drop": {"column": "Segment", "in": ["SMB"]}}, {"keep": "x"}, {"keep": {"column": 1, "in": [None, 1, True]}},
             {"keep": {"column": "Employee ID", "in": ["E1002"]}, "drop": {"column": "Employee ID", "in": ["E1002"]}},
             {"drop": {"column": "Amount", "in": [""]}}, {"keep": {"column": "Fiscal Period", "in": "Q1 2026"}},
             {"keep": {"column": ["a"], "in": [["x"], {"y": 1}]}}, {"keep": None}, {"skip": {}}],
    "columns": [None, {}, [], "x", 1, {"quarter": None}, {"csm_id": "Employee ID"}],
}
# Odd sources for one column of a table.
COLUMN_VALUES = [None, 1, True, [], {}, ["Account ID"], "", " ", "Nope", "Account ID", "Employee ID", "Amount",
                 "Pay Date", "Segment", "Health Score", "Renewal Status", {"column": None}, {"column": 5},
                 {"column": "Segment", "values": {1: 2, None: None, False: True}},
                 {"column": "Segment", "values": {"x": {"a": 1}}}, {"column": "Segment", "values": []},
                 {"column": "Segment", "values": {}}, {"column": "Segment", "values": {"SMB": None, "": 1e308}},
                 {"column": "Health Score", "values": {"Green": "nan", "Yellow": "inf", "Red": "-1"}},
                 {"column": "Renewal Status", "values": {"Renewed": "maybe", "": "yes"}},
                 {"column": "Segment", "match": "name"}, {"column": "Employee ID", "match": "id"},
                 {"column": "Worker", "match": "name"}, {"column": "CSM Owner", "match": "name"},
                 {"column": "CSM Owner", "match": "name", "aliases": {"Kate O'Neill": "E9999", "x": None}},
                 {"column": "CSM Owner", "match": "name", "aliases": {1: 2, None: "E1002"}},
                 {"column": "CSM Owner", "match": "name", "aliases": []},
                 {"column": "Employee ID", "aliases": {"a": "b"}}, {"column": "Pay Date", "from": "date"},
                 {"column": "Pay Date", "from": "date", "paid_months_after": -1},
                 {"column": "Pay Date", "from": "date", "paid_months_after": 13},
                 {"column": "Pay Date", "from": "date", "paid_months_after": "x"},
                 {"column": "Pay Date", "from": "date", "paid_months_after": 1.5},
                 {"column": "Pay Date", "from": "date", "paid_months_after": 12},
                 {"column": "Fiscal Period", "from": "date"}, {"column": "Hire Date", "from": "date"},
                 {"column": "Amount", "from": "label"}, {"column": "Segment", "from": "calendar"},
                 {"file_name": "quarter"}, {"file_name": "segment"}, {"file_name": None},
                 {"value": None}, {"value": []}, {"value": {}}, {"value": "x"}, {"value": 1e308}, {"value": "2026Q1"},
                 {"value": "FY2027Q1"}, {"value": ""}, {"value": "-5"}, {"value": "E1002"},
                 {"column": "Segment", "value": "x"}, {"column": "Segment", "file_name": "quarter"},
                 {"column": "Segment", "colour": "red"}]
FISCAL_VALUES = [None, [], "February", 2, {"first_month": 0}, {"first_month": 13}, {"first_month": "Febuary"},
                 {"first_month": None}, {"first_month": []}, {"first_month": "feb"}, {"first_month": 2.5},
                 {"first_month": True}, {"first_month": "  march "}, {"first_month": 12, "named_for": "start"},
                 {"first_month": 2, "named_for": "middle"}, {"first_month": 2, "named_for": None},
                 {"first_month": 2, "named_for": 1}, {"named_for": "end"}, {"first_month": 7, "start": 1},
                 {"first_month": -1}, {"first_month": 10**20}, {"first_month": "2"}]
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9))
WHOLE_MAPS = ["", "\n", "# only a comment\n", "[]\n", "- tables\n- accounts\n", "42\n", "null\n", "tables\n",
              "'tables: {}'\n", "tables: []\n", "tables: {}\n", "tables: null\n", "version: 2\ntables: {}\n", BOMB,
              "tables: !!python/object/apply:os.system ['true']\n", "tables: {accounts: &x {files: a}, roster: *x}\n",
              "tables:\n\taccounts: x\n", "{{{{\n", "tables: {accounts: 1, accounts: 2}\n", "\x00\x01\x02",
              "version: 1\n" + "#" * (1024 * 1024 + 10) + "\n"]


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> dict[str, Path]:
    """Each variant's raw folder, written once: every case starts from a copy."""
    root = tmp_path_factory.mktemp("raw")
    canonical = write_canonical(root / "canonical")
    return {v: write_raw(canonical, root / v, v) for v in VARIANTS}


# --- the map ------------------------------------------------------------------------------------


def _mutate_map(folder: Path, rng: random.Random) -> None:
    path = folder / MAP_FILE
    text = path.read_text(encoding="utf-8")
    roll = rng.random()
    if roll < 0.08:
        path.write_bytes(rng.choice(WHOLE_MAPS).encode("utf-8"))
        return
    if roll < 0.12:
        raw = bytearray(text.encode("utf-8"))
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(raw))
            raw[at:at + rng.randint(0, 3)] = bytes([rng.choice(b":{}[]-'\"\t\n #&*!|>\xff\x00")])
        path.write_bytes(raw)
        return
    document = yaml.safe_load(text)
    for _ in range(rng.randint(1, 3)):
        _mutate_document(document, rng)
    out = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    if rng.random() < 0.1:
        out = "\ufeff" + out
    path.write_text(out, encoding="utf-8")


def _mutate_document(document: dict, rng: random.Random) -> None:
    tables = document.get("tables")
    if not isinstance(tables, dict):
        return
    name = rng.choice([t for t in tables if isinstance(tables.get(t), dict)] or ["accounts"])
    table = tables.get(name)
    if not isinstance(table, dict):
        tables[name] = table = {}
    action = rng.choice(("key", "key", "key", "column", "column", "column", "drop", "rename", "fiscal", "top",
                         "anchor", "table"))
    if action == "key":
        key = rng.choice(TABLE_KEYS)
        table[key] = rng.choice(TABLE_VALUES[key])
    elif action == "column":
        columns = table.get("columns")
        if not isinstance(columns, dict):
            table["columns"] = columns = {}
        column = rng.choice([*columns, "quarter", "csm_id", "health", "nps", "team", "risk", "quarterz", "Quarter"])
        columns[column] = rng.choice(COLUMN_VALUES)
    elif action == "drop":
        node = rng.choice([document, tables, table, table.get("columns") if isinstance(table.get("columns"), dict)
                           else table])
        if node:
            node.pop(rng.choice(list(node)))
    elif action == "rename":
        node = rng.choice([tables, table, table.get("columns") if isinstance(table.get("columns"), dict) else table])
        if node:
            key = rng.choice(list(node))
            node[rng.choice((str(key)[:-1], str(key).upper(), f"{key}s", f" {key}", str(key).replace("_", " ")))] = \
                node.pop(key)
    elif action == "fiscal":
        document["fiscal_year"] = rng.choice(FISCAL_VALUES)
    elif action == "top":
        document[rng.choice(("version", "Tables", "extra"))] = rng.choice((2, "1", None, 1.0, [], "x"))
    elif action == "anchor":
        # One mapping used twice: safe_dump writes it as a YAML anchor and alias.
        other = rng.choice([t for t in ("accounts", "roster", "payouts", "quotas") if t != name])
        tables[other] = table
    else:
        tables[rng.choice(("quotas", "forecast", "payouts", "roster"))] = rng.choice(
            (None, [], "x", {"files": "Workers.csv", "columns": {"quarter": {"value": "2026Q1"}, "csm_id": "Employee ID",
                                                                 "component": {"value": "bonus"},
                                                                 "target": "Annual Base Salary"}}))


# --- the exports -------------------------------------------------------------------------------


def _exports(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MAP_FILE)


def _read_text_export(path: Path) -> tuple[list[list[str]], str, str]:
    raw = path.read_bytes()
    try:
        text, encoding = raw.decode("utf-8-sig"), "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("cp1252"), "cp1252"
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), delimiter, encoding


def _write_text_export(path: Path, rows: list[list[str]], delimiter: str, encoding: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding, errors="replace"))


def _mutate_rows(rows: list[list[str]], rng: random.Random) -> list[list]:
    action = rng.choice(("cell", "cell", "cell", "column", "header", "header", "duplicate", "blank_header", "empty",
                         "title", "short_rows", "shuffle"))
    width = len(rows[0]) if rows and rows[0] else 1
    if action == "cell" and len(rows) > 1:
        column = rng.randrange(width)
        for _ in range(rng.randint(1, 6)):
            row = rng.choice(rows[1:])
            if column < len(row):
                row[column] = rng.choice(NASTY_CELLS)
    elif action == "column" and len(rows) > 1:
        column, cell = rng.randrange(width), rng.choice(NASTY_CELLS)
        for row in rows[1:]:
            if column < len(row):
                row[column] = cell
    elif action == "header" and rows and rows[0]:
        rows[0][rng.randrange(width)] = rng.choice(HEADERS + NASTY_CELLS[:12])
    elif action == "duplicate" and rows and rows[0]:
        rows[0][rng.randrange(width)] = rng.choice(rows[0])
    elif action == "blank_header" and rows:
        rows[0] = ["" if rng.random() < 0.5 else h for h in rows[0]]
    elif action == "empty":
        rows = rows[:rng.choice((0, 1))]
    elif action == "title":
        rows = [[rng.choice(("Account Report", "", "Generated 2026-04-01"))] for _ in range(rng.randint(1, 3))] + rows
    elif action == "short_rows":
        rows = [r[:rng.randrange(len(r) + 1)] if rng.random() < 0.3 else r + ["extra"] * rng.randint(0, 2)
                for r in rows]
    elif action == "shuffle" and len(rows) > 1:
        body = rows[1:]
        rng.shuffle(body)
        rows = [rows[0], *body]
    return rows


def _mutate_text_export(path: Path, rng: random.Random) -> None:
    roll = rng.random()
    if roll < 0.06:
        path.write_bytes(b"")
    elif roll < 0.12:
        path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.choice((1, 50, 4000)))))
    elif roll < 0.18:
        # The same text in another encoding than the map (or auto) expects.
        rows, delimiter, _ = _read_text_export(path)
        _write_text_export(path, rows, delimiter, rng.choice(("utf-16", "cp1252", "utf-8-sig", "utf-16-le", "latin-1")))
    else:
        rows, delimiter, encoding = _read_text_export(path)
        _write_text_export(path, _mutate_rows(rows, rng), delimiter, encoding)


def _mutate_workbook(path: Path, rng: random.Random) -> None:
    import datetime as dt

    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = rng.choice(book.worksheets)
    action = rng.choice(("cells", "cells", "header_none", "merge", "empty", "drop_sheet", "rename_sheet", "title",
                         "garbage"))
    top = next((r for r in range(1, 6) if sheet.cell(r, 1).value is not None and sheet.cell(r, 2).value is not None), 1)
    odd = [*NASTY_CELLS, dt.datetime(1900, 1, 1), dt.date(9999, 12, 31), True,
           10**20, -1e308, 1e-300, float("nan"), "=1/0", "#DIV/0!", "=A1", 0.1 + 0.2]
    if action == "cells":
        column = rng.randint(1, max(sheet.max_column, 1))
        for _ in range(rng.randint(1, 6)):
            value = rng.choice(odd)
            try:
                sheet.cell(rng.randint(top + 1, max(sheet.max_row, top + 1)), column).value = value
            except Exception:  # noqa: BLE001
                pass  # openpyxl refuses some values (control characters): a real workbook cannot hold them
    elif action == "header_none":
        for c in range(1, sheet.max_column + 1):
            if rng.random() < 0.4:
                sheet.cell(top, c).value = None
    elif action == "merge":
        c = rng.randint(1, max(sheet.max_column - 1, 1))
        sheet.merge_cells(start_row=top, start_column=c, end_row=top + rng.randint(0, 2), end_column=c + 1)
    elif action == "empty":
        sheet.delete_rows(1, sheet.max_row)
    elif action == "drop_sheet" and len(book.worksheets) > 1:
        book.remove(sheet)
    elif action == "rename_sheet":
        sheet.title = rng.choice(("Sheet9", "account report", "Earnings ", "x"))
    elif action == "title":
        sheet.insert_rows(1, rng.randint(1, 3))
        sheet.cell(1, 1).value = "Report"
    elif action == "garbage":
        path.write_bytes(b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(300)))
        return
    try:
        book.save(path)
    except Exception:  # noqa: BLE001 - openpyxl cannot write some odd cells it accepted: leave the workbook as it was
        pass


def _to_parquet(folder: Path, path: Path, rng: random.Random) -> None:
    """An export rewritten as Parquet with odd column types, and the map pointed at it."""
    import datetime as dt
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.suffix == ".xlsx":
        import pandas as pd

        frame = pd.read_excel(path, dtype=object, header=None, engine="openpyxl").astype(str)
        rows = [list(frame.columns.astype(str)), *frame.values.tolist()]
    else:
        rows = _read_text_export(path)[0]
    if not rows:
        rows = [["x"]]
    header, body = rows[0], rows[1:]
    columns = {}
    for i, name in enumerate(header):
        cells = [r[i] if i < len(r) else None for r in body]
        kind = rng.choice(("text", "text", "text", "date", "decimal", "null", "list", "int", "float", "bool", "ts",
                           "binary", "struct", "dict"))
        n = len(cells)
        array = {
            "text": lambda: pa.array(cells, pa.string()),
            "date": lambda: pa.array([dt.date(2026, 1 + k % 12, 1 + k % 28) if k % 5 else None for k in range(n)]),
            "decimal": lambda: pa.array([decimal.Decimal(f"{k * 1234.5:.2f}") for k in range(n)], pa.decimal128(12, 2)),
            "null": lambda: pa.nulls(n),
            "list": lambda: pa.array([[k, k + 1] for k in range(n)]),
            "int": lambda: pa.array([k if k % 3 else None for k in range(n)], pa.int64()),
            "float": lambda: pa.array([float("nan") if k % 4 == 0 else (float("inf") if k % 4 == 1 else k * 1.5)
                                       for k in range(n)]),
            "bool": lambda: pa.array([k % 2 == 0 for k in range(n)]),
            "ts": lambda: pa.array([dt.datetime(2026, 4, 15, k % 24) for k in range(n)], pa.timestamp("us", tz="UTC")),
            "binary": lambda: pa.array([b"\x00\xff" for _ in range(n)]),
            "struct": lambda: pa.array([{"a": k} for k in range(n)]),
            "dict": lambda: pa.array(cells, pa.string()).dictionary_encode(),
        }[kind]()
        columns[name if name not in columns else f"{name}{i}"] = array
    target = path.with_suffix(".parquet")
    pq.write_table(pa.table(columns), target)
    path.unlink()
    text = (folder / MAP_FILE).read_text(encoding="utf-8", errors="surrogateescape").replace(path.name, target.name)
    (folder / MAP_FILE).write_text(text, encoding="utf-8", errors="surrogateescape")


def _mutate_link(folder: Path, path: Path, rng: random.Random) -> None:
    """Replace an export with a symlink: to another export, a folder, nothing, itself, or /dev/null."""
    others = [p for p in _exports(folder) if p != path]
    target = rng.choice([*(others[:1] or [folder]), folder, folder / "missing.csv", path, Path("/dev/null"),
                         folder / MAP_FILE])
    path.unlink()
    path.symlink_to(target)


def _mutate_exports(folder: Path, rng: random.Random) -> None:
    path = rng.choice(_exports(folder))
    roll = rng.random()
    if roll < 0.1:
        _to_parquet(folder, path, rng)
    elif roll < 0.17:
        _mutate_link(folder, path, rng)
    elif roll < 0.22:
        # A glob that matches the map itself, a folder or everything.
        (folder / "sub" / "deeper").mkdir(parents=True, exist_ok=True)
        text = (folder / MAP_FILE).read_text(encoding="utf-8", errors="surrogateescape")
        wrong = rng.choice(("'*'", "'**'", "'**/*'", "'*.yaml'", "sub", "'sub/*'", "crm", f"'{MAP_FILE}'", "'*.csv'"))
        (folder / MAP_FILE).write_text(text.replace(f"files: {path.name}", f"files: {wrong}", 1), encoding="utf-8",
                                        errors="surrogateescape")
    elif path.suffix == ".xlsx":
        _mutate_workbook(path, rng)
    else:
        _mutate_text_export(path, rng)


# --- the cases ---------------------------------------------------------------------------------


def _case(seed: int, folder: Path, variants: dict[str, Path]) -> list[str]:
    rng = random.Random(seed)
    variant = rng.choice(VARIANTS)
    shutil.copytree(variants[variant], folder, symlinks=True)
    target = rng.random()
    if target < 0.45:
        _mutate_map(folder, rng)
    elif target < 0.9:
        _mutate_exports(folder, rng)
    else:
        _mutate_map(folder, rng)
        _mutate_exports(folder, rng)
    quarter = "FY2027Q4" if variant == "fiscal" else "2026Q4"
    command = rng.choice((
        ["validate", PLAN, "--format", rng.choice(("json", "table"))],
        ["stress-test", PLAN, "--format", "json"],
        ["stress-test", PLAN, "--format", "json"],
        ["explain", PLAN, "--csm", rng.choice(("E1002", "E1019", "E1014")), "--quarter", quarter],
    ))
    return [str(part) for part in [command[0], command[1], "--data", folder, *command[2:]]]


@pytest.mark.parametrize("seed", range(FIRST, FIRST + CASES))
def test_a_mutated_map_or_export_never_crashes(tmp_path, variants, seed):
    folder = tmp_path / "data"
    args = _case(seed, folder, variants)
    assert_survived(run(*args), args, folder, seed)
