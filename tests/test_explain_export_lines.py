"""Issue 22: explain's `line` is the line of the export a person opens (header line 1), not the row's
number inside cscomp, when the data is read through a data map."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import REPO, run
from tests.raw_exports import write_canonical, write_raw

PLAN = REPO / "plans" / "nrr_focus.yaml"


@pytest.mark.parametrize("variant", ["us", "glob"])
def test_explain_lines_are_the_exports_own_lines(tmp_path, variant):
    raw = write_raw(write_canonical(tmp_path / "canonical"), tmp_path / "raw", variant)
    result = run("explain", PLAN, "--data", raw, "--csm", "E1002", "--quarter", "2026Q2", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    entries = [*document["book"]["accounts"], *document["actual"]["payouts"]]
    assert document["book"]["accounts"] and document["actual"]["payouts"]
    for entry in entries:
        name, line = re.fullmatch(r"(.+) line (\d+)", entry["source"]).groups()
        assert entry["line"] == int(line), entry
        [path] = [p for p in raw.rglob("*") if p.name == name]
        encoding = "cp1252" if variant == "us" else "utf-8-sig"
        with open(path, encoding=encoding, newline="") as handle:
            lines = handle.read().splitlines()
        text = lines[entry["line"] - 1]  # an editor's line, header line 1
        assert "Q2" in text or "2026" in text, (entry, text)
        if "account_id" in entry:
            assert entry["account_id"] in text, (entry, text)
        else:  # a payroll line: its amount as the export writes it
            amount = abs(float(entry["amount"]))
            assert f"{amount:,.2f}" in text or f"{amount:.2f}" in text, (entry, text)


def test_explain_rows_of_a_workbook_are_its_sheet_rows(tmp_path):
    # The CRM workbook has two title rows above its header: the sheet row, not the data row's count.
    openpyxl = pytest.importorskip("openpyxl")
    raw = write_raw(write_canonical(tmp_path / "canonical"), tmp_path / "raw", "xlsx")
    result = run("explain", PLAN, "--data", raw, "--csm", "E1002", "--quarter", "2026Q2", "--format", "json")
    assert result.exit_code == 0, result.stderr
    accounts = json.loads(result.stdout)["book"]["accounts"]
    assert accounts
    book = openpyxl.load_workbook(raw / "Account Report.xlsx", read_only=True)
    for entry in accounts:
        name, sheet, row = re.fullmatch(r"(.+) sheet (.+), row (\d+)", entry["source"]).groups()
        assert entry["line"] == int(row), entry
        cells = next(book[sheet].iter_rows(min_row=entry["line"], max_row=entry["line"], values_only=True))
        assert entry["account_id"] in cells, (entry, cells)
