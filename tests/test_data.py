"""SPEC section 1: the data folder — value formats, rules, who is replayed, proration, and every
bad input refused with exit 2 and a message naming the file, the line and the column.

Unless a test says otherwise the plan is one NRR curve (target 1.0, [0.9, 0] → [1.0, 1.0] →
[1.1, 1.5]) and a CSM with annual_variable 20,000 has TV = 20,000 / 4 = 5,000 a quarter.
"""

from __future__ import annotations

import pytest

from cscomp_cli.core.errors import DataError
from cscomp_cli.inputs.tables import load_accounts, load_payouts, load_roster

from .conftest import DEFAULT_ROSTER as ROSTER
from .conftest import FLAT_ACCOUNTS as ACCOUNTS
from .conftest import NRR_ONLY_YAML as PLAN
from .conftest import PAID_AT_TARGET as PAYOUTS
from .conftest import assert_user_error, run, run_json, write_files


def folder(data_dir, **files):
    files = {"accounts": ACCOUNTS, "roster": ROSTER, "payouts": PAYOUTS, "plan": PLAN, **files}
    return data_dir(**files)


def stress(path, quarters: int = 1, *extra: str):
    return run("stress-test", path / "plan.yaml", "--quarters", str(quarters), "--data", path, *extra)


def document(path, quarters: int = 1) -> dict:
    return run_json("stress-test", path / "plan.yaml", "--quarters", str(quarters), "--data", path)


def rows(doc: dict) -> dict:
    return {f"{r['quarter']} {r['csm_id']}": r for r in doc["rows"]}


# --- value formats ---------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["2026Q1", "2026-Q1", "2026 Q1", "Q1 2026", "Q1-2026", "2026q1", "q1 2026",
                                   " 2026Q1 "])
def test_every_quarter_label_form_reads_as_the_same_quarter(data_dir, label):
    path = folder(data_dir, accounts=f"quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                                     f"{label},A1,C1,100000,0,0,0\n",
                  payouts=f"quarter,csm_id,amount\n{label},C1,5000\n")
    assert document(path)["quarters"] == ["2026Q1"]


@pytest.mark.parametrize("cell, value", [
    ("1234.5", 1234.5), ('"1,234.50"', 1234.5), ('"$1,234.50"', 1234.5), ("€1234", 1234.0),
    ("  1234.50  ", 1234.5), ("£1234.5", 1234.5), ('"1,000,000"', 1_000_000.0), (".5", 0.5),
])
def test_amount_formats(tmp_path, cell, value):
    write_files(tmp_path, payouts=f"quarter,csm_id,amount\n2026Q1,C1,{cell}\n")
    assert load_payouts(tmp_path / "payouts.csv")["amount"].tolist() == [value]


@pytest.mark.parametrize("cell, value", [
    ("-1200", -1200.0), ('"-1,200.00"', -1200.0), ('"($1,200.00)"', -1200.0), ("(1200)", -1200.0),
    ("$-1200", -1200.0),
])
def test_payout_amounts_may_be_negative_clawbacks(tmp_path, cell, value):
    write_files(tmp_path, payouts=f"quarter,csm_id,amount\n2026Q1,C1,{cell}\n")
    assert load_payouts(tmp_path / "payouts.csv")["amount"].tolist() == [value]


@pytest.mark.parametrize("cell", ["12.3.4", "1,23", "ABC 100", "100 pcs", "100$", "1e5", "ten", "--5", "(-5)", "(5"])
def test_anything_else_in_an_amount_column_is_refused(data_dir, cell):
    path = folder(data_dir, payouts=f'quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q1,C2,"{cell}"\n')
    assert_user_error(stress(path), "payouts.csv", "line 3, column amount", "is not an amount")


def test_booleans_any_case_and_blank_means_false(tmp_path):
    write_files(tmp_path, accounts="""\
        quarter,account_id,csm_id,arr_start,expansion,contraction,churn,renewal_due,renewed
        2026Q1,A1,C1,1,0,0,0,TRUE,Yes
        2026Q1,A2,C1,1,0,0,0,y,1
        2026Q1,A3,C1,1,0,0,0,False,NO
        2026Q1,A4,C1,1,0,0,0,n,0
        2026Q1,A5,C1,1,0,0,0,,
        """)
    accounts = load_accounts(tmp_path / "accounts.csv")
    assert accounts["renewal_due"].tolist() == [True, True, False, False, False]
    assert accounts["renewed"].tolist() == [True, True, False, False, False]


def test_header_case_spaces_order_bom_and_extra_columns(data_dir):
    # Columns shuffled, shouted, padded, an extra column, and Excel's UTF-8 byte-order mark.
    path = folder(data_dir, accounts="\ufeff Churn ,CSM_ID,Notes,ARR_START, Quarter,Account_Id,EXPANSION,contraction\n"
                                     "0,C1,anything at all,100000,2026Q1,A1,5000,0\n",
                  payouts="quarter,csm_id,amount\n2026Q1,C1,5000\n")
    row = rows(document(path))["2026Q1 C1"]
    assert row["components"]["retention"]["metric"] == 1.05  # (100,000 + 5,000) / 100,000


def test_blank_cross_sell_is_zero_and_blank_arr_end_is_derived(tmp_path):
    write_files(tmp_path, accounts="""\
        quarter,account_id,csm_id,arr_start,expansion,cross_sell,contraction,churn,arr_end
        2026Q1,A1,C1,100,10,,5,0,
        2026Q1,A2,C1,100,10,2,5,0,107
        2026Q1,A3,C1,100,0,0,0,100,
        """)
    accounts = load_accounts(tmp_path / "accounts.csv")
    assert accounts["cross_sell"].tolist() == [0.0, 2.0, 0.0]
    assert accounts["arr_end"].tolist() == [105.0, 107.0, 0.0]  # 100+10−5; 100+10+2−5; 100−100


def test_arr_end_within_a_cent_is_accepted(tmp_path):
    write_files(tmp_path, accounts="""\
        quarter,account_id,csm_id,arr_start,expansion,contraction,churn,arr_end
        2026Q1,A1,C1,100,0,0,0,100.01
        2026Q1,A2,C1,100,0,0,0,99.99
        """)
    assert load_accounts(tmp_path / "accounts.csv")["arr_end"].tolist() == [100.01, 99.99]


def test_blank_scores_are_absent_not_zero(tmp_path):
    write_files(tmp_path, accounts="""\
        quarter,account_id,csm_id,arr_start,expansion,contraction,churn,nps,health,risk
        2026Q1,A1,C1,100,0,0,0,,,
        2026Q1,A2,C1,100,0,0,0,0,0,0
        2026Q1,A3,C1,100,0,0,0,10,100,1
        """)
    accounts = load_accounts(tmp_path / "accounts.csv")
    for column in ("nps", "health", "risk"):
        assert accounts[column].isna().tolist() == [True, False, False], column
    assert accounts["nps"].tolist()[1:] == [0.0, 10.0]


def test_blank_lines_are_skipped_and_line_numbers_still_count_them(data_dir):
    path = folder(data_dir, accounts="quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                                     "2026Q1,A1,C1,100000,0,0,0\n\n2026Q1,A2,C2,100000,0,0,oops\n")
    assert_user_error(stress(path), "accounts.csv", "line 4, column churn", "'oops' is not an amount")


# --- who is replayed, roster, proration, payouts ------------------------------------------------


def test_a_csm_with_only_a_payout_row_is_replayed_with_an_empty_book(data_dir):
    path = folder(data_dir, payouts=PAYOUTS + "2026Q1,C3,750\n",
                  roster=ROSTER + "C3,Cy,SMB,100000,20000\nC4,Di,SMB,100000,20000\n")
    doc = document(path)
    replayed = rows(doc)
    assert sorted(replayed) == ["2026Q1 C1", "2026Q1 C2", "2026Q1 C3"]  # C4: no book, no payout
    c3 = replayed["2026Q1 C3"]
    # Empty book: start_arr 0, so nrr is undefined; on_missing defaults to zero.
    assert c3["components"]["retention"]["metric"] is None
    assert (c3["proposed"], c3["actual"], c3["delta"]) == (0.0, 750.0, -750.0)
    assert c3["delta_pct"] == -100.0  # −750 / 750


def test_a_csm_quarter_without_a_payout_row_was_paid_zero(data_dir):
    path = folder(data_dir, payouts="quarter,csm_id,amount\n2026Q1,C1,5000\n")
    c2 = rows(document(path))["2026Q1 C2"]
    assert c2["actual"] == 0.0
    assert c2["proposed"] == 5000.0  # nrr 1.0 → f = 1.0 → 5,000 × 1 × 1
    assert c2["delta_pct"] is None


def test_several_payout_rows_for_one_csm_quarter_are_summed(data_dir):
    path = folder(data_dir, payouts="""\
        quarter,csm_id,amount,component
        2026Q1,C1,3000,retention
        2026Q1,C1,"1,500.50",spiff
        2026Q1,C1,($500.00),clawback
        2026Q1,C2,5000,
        """)
    c1 = rows(document(path))["2026Q1 C1"]
    assert c1["actual"] == 4000.5  # 3,000 + 1,500.50 − 500
    assert c1["delta"] == 999.5  # 5,000 − 4,000.50


def test_proration_counts_calendar_days_both_ends_included(data_dir):
    # 2026Q1 has 90 days (31 + 28 + 31). Start 15 Feb: 14 days of Feb (15–28) + 31 of March = 45.
    # proration 45/90 = 0.5; TV = 20,000 / 4 × 0.5 = 2,500; base = 100,000 / 4 × 0.5 = 12,500.
    # 2026Q2 has 91 days (30 + 31 + 30). C2 leaves 15 May: 30 days of April + 15 of May = 45.
    # proration 45/91; TV = 5,000 × 45/91 = 2,472.527472… → 2,472.53; base = 25,000 × 45/91 = 12,362.64.
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                "2026Q1,A1,C1,100000,0,0,0\n2026Q2,A1,C1,100000,0,0,0\n"
                "2026Q1,A2,C2,100000,0,0,0\n2026Q2,A2,C2,100000,0,0,0\n")
    roster = ("csm_id,name,segment,annual_base,annual_variable,start_date,end_date\n"
              "C1,Ana,Enterprise,100000,20000,2026-02-15,\n"
              "C2,Bo,SMB,100000,20000,2024-01-01,2026-05-15\n")
    # Both quarters paid, so --quarters 2 ends at 2026Q2 (the last paid quarter).
    paid = PAYOUTS + "2026Q2,C1,5000\n2026Q2,C2,2472.53\n"
    replayed = rows(document(folder(data_dir, accounts=accounts, roster=roster, payouts=paid), quarters=2))
    assert replayed["2026Q1 C1"]["target_variable"] == 2500.0
    assert replayed["2026Q1 C1"]["base"] == 12500.0
    assert replayed["2026Q2 C1"]["target_variable"] == 5000.0  # employed all of Q2
    assert replayed["2026Q1 C2"]["target_variable"] == 5000.0
    assert replayed["2026Q2 C2"]["target_variable"] == 2472.53
    assert replayed["2026Q2 C2"]["base"] == 12362.64
    # The payout uses the unrounded TV: nrr 1.0 → f = 1.0 → 5,000 × 45/91 = 2,472.527… → 2,472.53.
    assert replayed["2026Q2 C2"]["proposed"] == 2472.53


def test_a_start_and_end_on_one_day_is_one_day(data_dir):
    # 1 day of 90: TV = 5,000 / 90 = 55.555… → 55.56.
    roster = ("csm_id,name,segment,annual_base,annual_variable,start_date,end_date\n"
              "C1,Ana,Enterprise,100000,20000,2026-03-31,2026-03-31\nC2,Bo,SMB,100000,20000,,\n")
    c1 = rows(document(folder(data_dir, roster=roster)))["2026Q1 C1"]
    assert c1["target_variable"] == 55.56
    assert c1["proposed"] == 55.56


def test_a_quarter_row_in_the_roster_wins_over_the_every_quarter_row(data_dir):
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                "2026Q1,A1,C1,100000,0,0,0\n2026Q2,A1,C1,100000,0,0,0\n")
    roster = ("csm_id,name,segment,annual_base,annual_variable,quarter\n"
              "C1,Ana,Enterprise,100000,20000,\n"
              "C1,Ana,Mid-Market,120000,40000,2026Q2\n")
    payouts = "quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q2,C1,10000\n"
    doc = document(folder(data_dir, accounts=accounts, roster=roster, payouts=payouts), quarters=2)
    replayed = rows(doc)
    assert (replayed["2026Q1 C1"]["target_variable"], replayed["2026Q1 C1"]["segment"]) == (5000.0, "Enterprise")
    # The raise: 40,000 / 4 = 10,000 TV, 120,000 / 4 = 30,000 base, and a new segment.
    assert (replayed["2026Q2 C1"]["target_variable"], replayed["2026Q2 C1"]["segment"]) == (10000.0, "Mid-Market")
    assert replayed["2026Q2 C1"]["base"] == 30000.0
    assert doc["csms"][0]["segment"] == "Mid-Market"  # from the last replayed quarter


def test_quarters_replayed_are_the_last_n_in_calendar_order(data_dir):
    # Rows out of order and spanning a year end: the last two are 2025Q4 and 2026Q1.
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                "2026Q1,A1,C1,100000,0,0,0\n2025Q3,A1,C1,100000,0,0,0\n2025Q4,A1,C1,100000,0,0,0\n")
    doc = document(folder(data_dir, accounts=accounts), quarters=2)
    assert doc["quarters"] == ["2025Q4", "2026Q1"]


# --- bad input: each refused with exit 2 and the file, line and column --------------------------


def _accounts_with(row: str, header: str = "quarter,account_id,csm_id,arr_start,expansion,contraction,churn") -> str:
    return f"{header}\n2026Q1,A1,C1,100000,0,0,0\n{row}\n"


FULL_HEADER = "quarter,account_id,csm_id,arr_start,expansion,cross_sell,contraction,churn,arr_end,nps,health,risk"


@pytest.mark.parametrize("row, fragments", [
    ("2026Q1,A2,C2,100000,-5,0,0", ["line 3, column expansion", "expansion is negative"]),
    ("2026Q1,A2,C2,,0,0,0", ["line 3, column arr_start", "arr_start is blank"]),
    ("2026Q1,A2,C2,lots,0,0,0", ["line 3, column arr_start", "'lots' is not an amount"]),
    ("2026Q1,A1,C2,5,0,0,0", ["line 3, column account_id", "an account appears twice in one quarter",
                              "first seen on line 2"]),
    ("2026Q1,A2,C2,100,0,60,50", ["line 3, column contraction", "exceeds arr_start + expansion + cross_sell"]),
    ("2026Q5,A2,C2,100,0,0,0", ["line 3, column quarter", "'2026Q5' is not a quarter label"]),
    ("Spring 2026,A2,C2,100,0,0,0", ["line 3, column quarter", "is not a quarter label"]),
    (",A2,C2,100,0,0,0", ["line 3, column quarter", "quarter is blank"]),
    ("2026Q1,,C2,100,0,0,0", ["line 3, column account_id", "account_id is blank"]),
    ("2026Q1,A2,,100,0,0,0", ["line 3, column csm_id", "csm_id is blank"]),
])
def test_bad_account_rows(data_dir, row, fragments):
    assert_user_error(stress(folder(data_dir, accounts=_accounts_with(row))), "accounts.csv", *fragments)


@pytest.mark.parametrize("row, fragments", [
    ("2026Q1,A2,C2,100,0,0,0,0,95,,,", ["line 3, column arr_end", "does not equal", "100.00"]),
    ("2026Q1,A2,C2,100,0,0,0,0,,11,,", ["line 3, column nps", "nps 11 is outside 0–10"]),
    ("2026Q1,A2,C2,100,0,0,0,0,,7.5,,", ["line 3, column nps", "outside 0–10"]),
    ("2026Q1,A2,C2,100,0,0,0,0,,-1,,", ["line 3, column nps", "outside 0–10"]),
    ("2026Q1,A2,C2,100,0,0,0,0,,great,,", ["line 3, column nps", "'great' is not a whole number"]),
    ("2026Q1,A2,C2,100,0,0,0,0,,,101,", ["line 3, column health", "outside 0–100"]),
    ("2026Q1,A2,C2,100,0,0,0,0,,,,1.2", ["line 3, column risk", "risk 1.2 is outside 0–1"]),
    ("2026Q1,A2,C2,100,0,0,0,0,,,,-0.1", ["line 3, column risk", "outside 0–1"]),
    ("2026Q1,A2,C2,100,0,-3,0,0,,,,", ["line 3, column cross_sell", "cross_sell is negative"]),
    ("2026Q1,A2,C2,100,0,5,60,50,,,,", ["line 3, column contraction", "(110.00) exceeds"]),
])
def test_bad_optional_account_columns(data_dir, row, fragments):
    accounts = f"{FULL_HEADER}\n2026Q1,A1,C1,100000,0,0,0,0,,,,\n{row}\n"
    assert_user_error(stress(folder(data_dir, accounts=accounts)), "accounts.csv", *fragments)


def test_a_bad_boolean_is_refused(data_dir):
    accounts = _accounts_with("2026Q1,A2,C2,100,0,0,0,maybe",
                              header="quarter,account_id,csm_id,arr_start,expansion,contraction,churn,renewal_due")
    accounts = accounts.replace("0,0,0\n", "0,0,0,no\n", 1)
    assert_user_error(stress(folder(data_dir, accounts=accounts)), "accounts.csv", "line 3, column renewal_due",
                      "'maybe' is not a yes/no value")


def test_many_bad_rows_are_counted_in_one_message(data_dir):
    accounts = _accounts_with("2026Q1,A2,C2,x,0,0,0\n2026Q1,A3,C2,y,0,0,0\n2026Q1,A4,C2,z,0,0,0")
    assert_user_error(stress(folder(data_dir, accounts=accounts)), "line 3, column arr_start",
                      "(and 2 more rows like it)")


@pytest.mark.parametrize("name", ["accounts", "roster", "payouts"])
def test_a_missing_required_file(data_dir, name):
    path = folder(data_dir)
    (path / f"{name}.csv").unlink()
    assert_user_error(stress(path), f"{name}.csv", "file not found")


@pytest.mark.parametrize("name", ["accounts", "roster", "payouts", "quotas"])
def test_an_empty_file(data_dir, name):
    assert_user_error(stress(folder(data_dir, **{name: ""})), f"{name}.csv", "file is empty")


@pytest.mark.parametrize("name, header", [
    ("accounts", "quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"),
    ("roster", "csm_id,name,segment,annual_base,annual_variable\n"),
])
def test_a_header_only_file(data_dir, name, header):
    assert_user_error(stress(folder(data_dir, **{name: header})), f"{name}.csv", "has a header but no rows")


def test_a_header_only_payouts_file_means_nobody_was_paid(data_dir):
    doc = document(folder(data_dir, payouts="quarter,csm_id,amount\n"))
    assert doc["summary"]["actual_total"] == 0.0
    assert doc["summary"]["proposed_total"] == 10000.0  # two CSMs at nrr 1.0: 5,000 each


def test_missing_required_columns_are_all_listed(data_dir):
    path = folder(data_dir, accounts="quarter,account_id,arr_start,expansion\n2026Q1,A1,100,0\n")
    assert_user_error(stress(path), "accounts.csv", "line 1", "missing required columns: csm_id, contraction, churn")


def test_a_column_named_twice(data_dir):
    path = folder(data_dir, payouts="quarter,csm_id,Amount,amount\n2026Q1,C1,1,2\n")
    assert_user_error(stress(path), "payouts.csv", "line 1", "column 'amount' appears twice")


def test_a_latin1_file_is_refused_with_a_conversion_hint(data_dir):
    path = folder(data_dir)
    (path / "roster.csv").write_bytes("csm_id,name,segment,annual_base,annual_variable\n"
                                      "C1,Zoë,Enterprise,100000,20000\nC2,Bo,SMB,100000,20000\n".encode("latin-1"))
    assert_user_error(stress(path), "roster.csv", "is not UTF-8", "iconv")


def test_unbalanced_quotes_are_a_clear_error(data_dir):
    path = folder(data_dir, payouts='quarter,csm_id,amount\n2026Q1,C1,"5000\n2026Q1,C2,5000\n')
    result = stress(path)
    assert result.exit_code == 2 and "payouts.csv" in result.stderr and "Traceback" not in result.stderr


def test_a_data_folder_that_is_a_file(data_dir):
    path = folder(data_dir)
    assert_user_error(run("stress-test", path / "plan.yaml", "--data", path / "accounts.csv"), "--data", "is a file")


@pytest.mark.parametrize("roster, fragments", [
    ("csm_id,name,segment,annual_base,annual_variable\nC1,Ana,Enterprise,100000,20000\nC1,Ana,SMB,1,1\n"
     "C2,Bo,SMB,1,1\n", ["line 3, column csm_id", "two roster rows for one quarter", "first seen on line 2"]),
    ("csm_id,name,segment,annual_base,annual_variable,quarter\nC1,Ana,Enterprise,1,1,2026Q1\nC1,Ana,SMB,1,1,2026-Q1\n"
     "C2,Bo,SMB,1,1,\n", ["line 3, column csm_id", "quarter 2026Q1"]),
    ("csm_id,name,segment,annual_base,annual_variable\nC1,,Enterprise,1,1\nC2,Bo,SMB,1,1\n",
     ["line 2, column name", "name is blank"]),
    ("csm_id,name,segment,annual_base,annual_variable\nC1,Ana,,1,1\nC2,Bo,SMB,1,1\n",
     ["line 2, column segment", "segment is blank"]),
    ("csm_id,name,segment,annual_base,annual_variable\nC1,Ana,Enterprise,1,-1\nC2,Bo,SMB,1,1\n",
     ["line 2, column annual_variable", "annual_variable is negative"]),
    ("csm_id,name,segment,annual_base,annual_variable,start_date\nC1,Ana,Enterprise,1,1,15/02/2026\nC2,Bo,SMB,1,1,\n",
     ["line 2, column start_date", "'15/02/2026' is not a date", "YYYY-MM-DD"]),
    ("csm_id,name,segment,annual_base,annual_variable,start_date,end_date\n"
     "C1,Ana,Enterprise,1,1,2026-03-01,2026-02-01\nC2,Bo,SMB,1,1,,\n",
     ["line 2, column end_date", "end_date 2026-02-01 is before start_date 2026-03-01"]),
    ("csm_id,name,segment,annual_base,annual_variable,end_date\nC1,Ana,Enterprise,1,1,2026-02-30\nC2,Bo,SMB,1,1,\n",
     ["line 2, column end_date", "'2026-02-30' is not a date"]),
])
def test_bad_roster_rows(data_dir, roster, fragments):
    assert_user_error(stress(folder(data_dir, roster=roster)), "roster.csv", *fragments)


def test_a_csm_in_accounts_but_not_in_the_roster(data_dir):
    path = folder(data_dir, roster="csm_id,name,segment,annual_base,annual_variable\nC1,Ana,Enterprise,1,1\n")
    assert_user_error(stress(path), "accounts.csv", "line 3, column csm_id",
                      "CSM C2 appears in 2026Q1 but roster.csv has no row for them in that quarter")


def test_a_csm_whose_only_roster_row_is_for_another_quarter(data_dir):
    roster = ("csm_id,name,segment,annual_base,annual_variable,quarter\n"
              "C1,Ana,Enterprise,1,1,\nC2,Bo,SMB,1,1,2025Q4\n")
    assert_user_error(stress(folder(data_dir, roster=roster)), "accounts.csv", "CSM C2 appears in 2026Q1")


def test_a_payee_who_is_not_a_csm_is_named_in_payouts_and_left_out(data_dir):
    # No roster row in any quarter and no accounts: payroll's other staff, a warning (issue 9), not an error.
    path = folder(data_dir, payouts=PAYOUTS + "2026Q1,C9,100\n")
    doc = document(path)
    assert doc["summary"]["actual_total"] == 10000.0  # C1 5,000 + C2 5,000, without C9's 100
    assert any("payouts.csv, line 4, column csm_id" in w and "C9" in w for w in doc["warnings"])


def test_a_payee_with_a_roster_row_in_another_quarter_is_named_in_payouts(data_dir):
    roster = ("csm_id,name,segment,annual_base,annual_variable,quarter\n"
              "C1,Ana,Enterprise,100000,20000,\nC2,Bo,SMB,100000,20000,\nC9,Cy,SMB,100000,20000,2025Q4\n")
    path = folder(data_dir, roster=roster, payouts=PAYOUTS + "2026Q1,C9,100\n")
    assert_user_error(stress(path), "payouts.csv", "line 4, column csm_id", "CSM C9 appears in 2026Q1")


@pytest.mark.parametrize("payouts, fragments", [
    ("quarter,csm_id,amount\n2026Q1,C1,\n", ["line 2, column amount", "amount is blank"]),
    ("quarter,csm_id,amount\nlast quarter,C1,5\n", ["line 2, column quarter", "'last quarter' is not a quarter"]),
    ("quarter,csm_id,amount\n2026Q1,,5\n", ["line 2, column csm_id", "csm_id is blank"]),
])
def test_bad_payout_rows(data_dir, payouts, fragments):
    assert_user_error(stress(folder(data_dir, payouts=payouts)), "payouts.csv", *fragments)


def test_asking_for_more_quarters_than_exist_says_how_many_exist(data_dir):
    result = stress(folder(data_dir), 3)
    assert_user_error(result, "3 quarters", "1")
    assert "2026Q1" in result.stderr


def test_inputs_are_never_modified(data_dir):
    path = folder(data_dir)
    before = {p.name: p.read_bytes() for p in path.iterdir()}
    assert stress(path, 1, "--format", "csv").exit_code == 0
    assert stress(path, 5).exit_code == 2
    assert {p.name: p.read_bytes() for p in path.iterdir()} == before


# --- the library raises DataError; it never prints or exits ---------------------------------------


def test_loaders_raise_data_error_with_file_location_and_hint(tmp_path):
    write_files(tmp_path, roster="csm_id,name,segment,annual_base,annual_variable\nC1,Ana,SMB,abc,1\n")
    with pytest.raises(DataError) as caught:
        load_roster(tmp_path / "roster.csv")
    error = caught.value
    assert error.file == tmp_path / "roster.csv"
    assert error.location == "line 2, column annual_base"
    assert "1,234.50" in error.hint


@pytest.mark.parametrize("cell", ["9999999999999999999999", "1000000000000.01", '"2,000,000,000,000"'])
def test_an_amount_over_a_trillion_is_an_export_error(data_dir, cell):
    path = folder(data_dir, payouts=f"quarter,csm_id,amount\n2026Q1,C1,{cell}\n")
    assert_user_error(stress(path), "payouts.csv", "line 2, column amount", "is larger than 1,000,000,000,000")


@pytest.mark.parametrize("cell", ["１２３", "١٢٣", "2026Ｑ1"])
def test_only_ascii_digits_are_numbers(data_dir, cell):
    # Found by the fuzz test: \d matched full-width digits, which then parsed as a blank amount.
    path = folder(data_dir, payouts=f"quarter,csm_id,amount\n2026Q1,C1,{cell}\n")
    assert_user_error(stress(path), "payouts.csv", "line 2, column")


def test_a_short_row_leaves_its_optional_text_absent(tmp_path):
    # Found by the fuzz test: a row cut short had component NaN instead of absent (None).
    write_files(tmp_path, payouts="quarter,csm_id,amount,component\n2026Q1,C1,10,spiff\n2026Q1,C1,5\n")
    assert load_payouts(tmp_path / "payouts.csv")["component"].tolist() == ["spiff", None]


def test_a_row_with_one_field_too_many_is_refused_not_shifted(data_dir):
    # Found by the fuzz test: pandas took the first column as the row index when the first data
    # row had one more field than the header, shifting every value one column to the left.
    path = folder(data_dir, payouts="quarter,csm_id,amount,component\n2026Q1,C1,5000,expan,sion\n2026Q1,C2,5000,x\n")
    result = stress(path)
    assert_user_error(result, "payouts.csv", "line 2", "a row has more cells than the header has columns")
