"""A table read from a SQL database (tables.NAME.source) goes through the same column mapping as a file:
scale, join, match: email, rows filters, when, and the roster's pay history (tables.roster.history) read
from a query too. SQLite files made here with Python's sqlite3, never a mock.

The org is test_warehouse_sources' (QUOTA_PLAN, EXPECTED worked there by hand), written as a CRM that
keeps MRR and owner e-mails, an HR system with first and last names, and a payroll with its salary rows:
- MRR × 12 (scale): C1 arr_start 10,000 × 12 = 120,000, expansion 1,000 × 12 = 12,000 -> nrr 132,000 /
  120,000 = 1.1; C2 120,000 and contraction 400 × 12 = 4,800 -> (120,000 − 4,800) / 120,000 = 0.96:
  the fractions of test_warehouse_sources, so the same 7,500.00 and 3,750.00.
- a Test account (50,000 MRR on C1, all of it contracted) is left out by rows.drop; were it read, C1's nrr
  would be (120,000 + 600,000 + 12,000 − 600,000) / 720,000 = 132,000 / 720,000 ≈ 0.18, under 0.9: nothing.
- payroll's REG salary row counts 0 (amount's when: code in QBON, CLAW): C2 paid 1,500.10 − 200.05 = 1,300.05.
"""

from __future__ import annotations

from .conftest import assert_user_error, run
from .test_warehouse_sources import EXPECTED, payouts, plan_file, replay, sqlite_db

ROWS = {
    "crm_accounts": ("account_id TEXT, owner_email TEXT, period TEXT, stage TEXT, mrr_start {money}, "
                     "mrr_up {money}, mrr_down {money}, churned {money}",
                     [("A1", "ANA.PEREZ@Example.com", "2026Q1", "Renewal", "10000", "1000", "0", "0"),
                      ("A2", "bo.chen@example.com", "2026Q1", "Renewal", "10000", "0", "400", "0"),
                      ("A9", "ana.perez@example.com", "2026Q1", "Test", "50000", "0", "50000", "0")]),
    "hr_workers": ("employee_id TEXT, first_name TEXT, last_name TEXT, work_email TEXT, segment TEXT, "
                   "base_salary {money}, target_incentive {money}, hired {date}",
                   [("C1", "Ana", "Pérez", "ana.perez@example.com", "Enterprise", "100000", "20000", "2021-01-04"),
                    ("C2", "Bo", "Chen", "Bo.Chen@example.com", "SMB", "100000", "20000", "2026-02-15")]),
    "payroll": ("paid_on {date}, employee_id TEXT, code TEXT, amount_usd {money}",
                [("2026-04-15", "C1", "QBON", "6250.45"), ("2026-04-15", "C2", "QBON", "1500.10"),
                 ("2026-04-15", "C2", "REG", "8333.33"), ("2026-04-30", "C2", "CLAW", "-200.05")]),
    "quota_sheet": ("period TEXT, employee_id TEXT, component TEXT, quota {money}",
                    [("2026Q1", "C1", "retention", "1.0"), ("2026Q1", "C2", "retention", "0.8")]),
    # C1's pay as the compensation history has it; the worker list's 1 and 1 are placeholders it replaces.
    "comp_history": ("employee_id TEXT, effective {date}, base {money}, incentive {money}",
                     [("C1", "2021-01-04", "100000", "20000")]),
}

MAP = """\
version: 1
tables:
  accounts:
    source:
      url: sqlite:///revops.db
      query: SELECT * FROM crm_accounts
    rows:
      drop: {column: stage, in: [Test]}
    columns:
      quarter: period
      account_id: account_id
      csm_id: {column: owner_email, match: email}
      arr_start: {column: mrr_start, scale: 12}
      expansion: {column: mrr_up, scale: 12}
      contraction: {column: mrr_down, scale: 12}
      churn: churned
  roster:
    source:
      url: sqlite:///revops.db
      query: SELECT * FROM hr_workers
    columns:
      csm_id: employee_id
      name: {join: [first_name, last_name]}
      email: work_email
      segment: segment
      annual_base: base_salary
      annual_variable: target_incentive
      start_date: hired
  payouts:
    source:
      url: sqlite:///revops.db
      query: SELECT * FROM payroll ORDER BY paid_on, employee_id
    columns:
      quarter: {column: paid_on, from: date, paid_months_after: 1}
      csm_id: employee_id
      amount: {column: amount_usd, when: {column: code, in: [QBON, CLAW]}}
      component: {column: code, values: {QBON: bonus, CLAW: clawback, REG: salary}}
  quotas:
    source:
      url: sqlite:///revops.db
      query: SELECT * FROM quota_sheet
    columns:
      quarter: period
      csm_id: employee_id
      component: component
      target: quota
"""

HISTORY = """\
    history:
      source:
        url: sqlite:///revops.db
        query: SELECT * FROM comp_history ORDER BY employee_id, effective
      columns:
        csm_id: employee_id
        effective_date: effective
        annual_base: base
        annual_variable: incentive
"""


def _folder(tmp_path, map_text: str = MAP, rows: dict = ROWS):
    folder = tmp_path / "warehouse"
    folder.mkdir()
    sqlite_db(folder / "revops.db", rows)
    (folder / "cscomp-data.yaml").write_text(map_text)
    return folder


def _with_history(rows: dict | None = None) -> tuple[str, dict]:
    rows = dict(rows or ROWS)
    columns, workers = rows["hr_workers"]
    rows["hr_workers"] = (columns, [(*workers[0][:5], "1", "1", workers[0][7]), workers[1]])
    return MAP.replace("      start_date: hired\n", "      start_date: hired\n" + HISTORY), rows


def test_scale_join_email_rows_and_when_apply_to_a_query_as_to_a_file(tmp_path):
    assert payouts(replay(_folder(tmp_path), tmp_path)) == EXPECTED  # worked in the docstring


def test_without_the_rows_filter_the_test_account_would_count(tmp_path):
    # Guard for the test above: the filter is what keeps A9 out (C1 nrr ≈ 0.18, under the curve's 0.9: 0.00).
    document = replay(_folder(tmp_path, MAP.replace("    rows:\n      drop: {column: stage, in: [Test]}\n", "")),
                      tmp_path)
    assert payouts(document)["C1"] == (5000.0, 0.0, 6250.45)


def test_a_pay_history_read_from_a_query_gives_the_rosters_pay(tmp_path):
    map_text, rows = _with_history()
    assert payouts(replay(_folder(tmp_path, map_text, rows), tmp_path)) == EXPECTED


def test_a_bad_history_cell_names_the_history_query_row_and_column(tmp_path):
    rows = dict(ROWS)
    rows["comp_history"] = (ROWS["comp_history"][0], [("C1", "2021-01-04", "lots", "20000")])
    map_text, rows = _with_history(rows)
    assert_user_error(run("stress-test", plan_file(tmp_path), "--data", _folder(tmp_path, map_text, rows)),
                      "row 1 of the query in tables.roster.history.source", "column base", "'lots' is not an amount")


def test_a_history_row_for_no_worker_names_the_history_query_row(tmp_path):
    rows = dict(ROWS)
    rows["comp_history"] = (ROWS["comp_history"][0], [("C1", "2021-01-04", "100000", "20000"),
                                                      ("C7", "2026-01-01", "1", "1")])
    map_text, rows = _with_history(rows)
    assert_user_error(run("stress-test", plan_file(tmp_path), "--data", _folder(tmp_path, map_text, rows)),
                      "row 2 of the query in tables.roster.history.source", "csm_id 'C7'")


def test_a_quarter_from_the_file_name_is_refused_for_a_query(tmp_path):
    folder = _folder(tmp_path, MAP.replace("      quarter: period\n      csm_id: employee_id\n      component",
                                           "      quarter: {file_name: quarter}\n      csm_id: employee_id\n"
                                           "      component"))
    assert_user_error(run("stress-test", plan_file(tmp_path), "--data", folder),
                      "tables.quotas.columns.quarter.file_name", "read from a database")
