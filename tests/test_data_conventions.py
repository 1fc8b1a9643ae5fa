"""Issue 9, item 3: exports that used to be misread without a word.

Ambiguous thousands separators, semicolon/tab files and decimal commas, a spreadsheet saved as
.csv, a metric whose optional column the export lacks, payroll lines for people who are not CSMs,
and a boolean cell quoted as written. Everything runs through the CLI on inline fixtures.

Unless a test says otherwise the plan is one NRR curve (target 1.0, [0.9, 0] → [1.0, 1.0] →
[1.1, 1.5]), and each CSM has one flat account (nrr 1.0, f = 1.0), so a CSM is paid exactly their
quarterly target variable TV = annual_variable / 4.
"""

from __future__ import annotations

import json

from .conftest import (
    DEFAULT_ROSTER,
    FLAT_ACCOUNTS,
    PAID_AT_TARGET,
    assert_user_error,
    run,
)
from .conftest import NRR_ONLY_YAML as PLAN

RENEWAL_PLAN = """\
name: renewals
components:
  - id: renewals
    metric: renewal_rate
    weight: 1.0
    target: 0.9
    curve: [[0.5, 0.0], [1.0, 1.0]]
modifiers:
  - id: nps_gate
    when: {metric: nps, below: 0}
    multiply: 0.5
"""


def folder(data_dir, **files):
    return data_dir(**{"accounts": FLAT_ACCOUNTS, "roster": DEFAULT_ROSTER, "payouts": PAID_AT_TARGET,
                       "plan": PLAN, **files})


def stress(path, *extra):
    return run("stress-test", path / "plan.yaml", "--quarters", "1", "--data", path, *extra)


def stress_json(path) -> dict:
    result = stress(path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def validate_json(path, *extra):
    result = run("validate", path / "plan.yaml", "--data", path, "--format", "json", *extra)
    return result, json.loads(result.stdout)


def tv(doc: dict, csm: str) -> float:
    return next(r["target_variable"] for r in doc["rows"] if r["csm_id"] == csm)


def warnings_about(doc: dict, fragment: str) -> list[str]:
    return [w for w in doc["warnings"] if fragment in w]


# --- 1. ambiguous thousands separators -----------------------------------------------------


def test_a_lone_dot_before_three_digits_is_read_as_before_but_warned_with_file_line_and_column(data_dir):
    path = folder(data_dir, roster="""\
        csm_id,name,segment,annual_base,annual_variable
        C1,Ana,Enterprise,100000,35.500
        C2,Bo,SMB,100000,20000
        """)
    doc = stress_json(path)
    assert tv(doc, "C1") == 8.88  # read as SPEC says: 35.5 / 4 = 8.875 → 8.88 (it would be 8,875.00 as 35,500)
    [warning] = warnings_about(doc, "35.500")
    assert "roster.csv, line 2, column annual_variable" in warning
    assert "35.5" in warning and "35,500" in warning and "docs/data.md" in warning


def test_one_warning_per_column_with_the_count_and_the_first_line(data_dir):
    path = folder(data_dir, roster="""\
        csm_id,name,segment,annual_base,annual_variable
        C1,Ana,Enterprise,"100,000",20000
        C2,Bo,SMB,100000,35.500
        C3,Cy,SMB,100000,12.250
        """)
    doc = stress_json(path)
    variable = warnings_about(doc, "column annual_variable")
    base = warnings_about(doc, "column annual_base")
    assert len(variable) == 1 and len(base) == 1
    assert "line 3, column annual_variable" in variable[0] and "(1 more cell like it in this column)" in variable[0]
    assert "'100,000'" in base[0] and "line 2" in base[0]
    # "100,000" is still read with ',' separating thousands: C1's TV is 20,000 / 4 = 5,000.
    assert tv(doc, "C1") == 5000.0


def test_a_cell_that_can_only_be_read_one_way_settles_the_file(data_dir):
    # "1,234.50" shows '.' is the decimal point and ',' groups thousands: 35.500 is 35.5, 1,250 is 1,250.
    path = folder(data_dir, roster="""\
        csm_id,name,segment,annual_base,annual_variable
        C1,Ana,Enterprise,"1,234.50",35.500
        C2,Bo,SMB,"1,250",20000
        """)
    doc = stress_json(path)
    assert not warnings_about(doc, "could mean")
    assert tv(doc, "C1") == 8.88  # 35.5 / 4 = 8.875
    assert next(r["base"] for r in doc["rows"] if r["csm_id"] == "C2") == 312.5  # 1,250 / 4


def test_a_decimal_with_two_digits_in_another_column_settles_it_too(data_dir):
    path = folder(data_dir, roster="""\
        csm_id,name,segment,annual_base,annual_variable
        C1,Ana,Enterprise,100000.50,35.500
        C2,Bo,SMB,100000,20000
        """)
    assert not warnings_about(stress_json(path), "could mean")


def test_validate_lists_the_ambiguity_as_a_warning_and_still_passes(data_dir):
    path = folder(data_dir, payouts='quarter,csm_id,amount\n2026Q1,C1,"5,000"\n2026Q1,C2,5000\n')
    result, doc = validate_json(path)
    assert result.exit_code == 0 and doc["ok"]
    [warning] = [w for w in doc["warnings"] if "could mean" in w["message"]]
    assert warning["file"].endswith("payouts.csv") and warning["location"] == "line 2, column amount"
    assert "'5,000'" in warning["message"] and "docs/data.md" in warning["hint"]


# --- 2. delimiters and decimal commas ------------------------------------------------------


def test_a_semicolon_file_is_read_and_said_to_be(data_dir):
    path = folder(data_dir, accounts="""\
        quarter;account_id;csm_id;arr_start;expansion;contraction;churn
        2026Q1;A1;C1;100000;10000;0;0
        2026Q1;A2;C2;100000;0;0;0
        """)
    doc = stress_json(path)
    # C1: nrr (100,000 + 10,000) / 100,000 = 1.1 → f 1.5 → 5,000 × 1.5 = 7,500.00; C2 at target 5,000.00.
    assert {r["csm_id"]: r["proposed"] for r in doc["rows"]} == {"C1": 7500.0, "C2": 5000.0}
    [warning] = warnings_about(doc, "semicolon-separated")
    assert "accounts.csv" in warning


def test_decimal_commas_in_a_semicolon_file_are_read_the_european_way(data_dir):
    path = folder(data_dir, roster="""\
        csm_id;name;segment;annual_base;annual_variable
        C1;Ana;Enterprise;100.000,00;21.234,50
        C2;Bo;SMB;100000;35.500
        """)
    doc = stress_json(path)
    assert tv(doc, "C1") == 5308.63  # 21,234.50 / 4 = 5,308.625 → 5,308.63
    assert tv(doc, "C2") == 8875.0   # 35.500 is 35,500 in this file: 35,500 / 4
    [warning] = warnings_about(doc, "decimal commas")
    assert "roster.csv" in warning and "'100.000,00'" in warning and "100,000.00" in warning
    assert not warnings_about(doc, "could mean")  # the file's own cells settle it


def test_a_tab_separated_file_is_read(data_dir):
    path = folder(data_dir, payouts="quarter\tcsm_id\tamount\n2026Q1\tC1\t4000.50\n2026Q1\tC2\t5000\n")
    doc = stress_json(path)
    assert doc["summary"]["actual_total"] == 9000.5  # 4,000.50 + 5,000
    assert warnings_about(doc, "tab-separated")


def test_a_semicolon_header_with_a_wrong_column_says_how_it_was_read(data_dir):
    path = folder(data_dir, accounts="quarter;account;csm_id;arr_start;expansion;contraction;churn\n"
                                     "2026Q1;A1;C1;100000;0;0;0\n")
    assert_user_error(stress(path), "accounts.csv", "line 1", "missing required column: account_id",
                      "read as semicolon-separated")


def test_a_semicolon_row_with_an_extra_cell_names_the_line_and_the_delimiter(data_dir):
    path = folder(data_dir, accounts="quarter;account_id;csm_id;arr_start;expansion;contraction;churn\n"
                                     "2026Q1;A1;C1;100000;0;0;0\n2026Q1;A2;C2;100000;0;0;0;7\n")
    assert_user_error(stress(path), "accounts.csv", "line 3", "semicolon-separated", "extra semicolon")


# --- 3. a spreadsheet saved under a .csv name ----------------------------------------------


def test_an_xlsx_renamed_to_csv_is_recognised(data_dir):
    path = folder(data_dir)
    (path / "roster.csv").write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4)
    result = stress(path)
    assert_user_error(result, "roster.csv", "Excel workbook", "not a CSV", "CSV UTF-8")
    assert "iconv" not in result.stderr


def test_an_xls_renamed_to_csv_is_recognised(data_dir):
    path = folder(data_dir)
    (path / "payouts.csv").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00\xff" * 300)
    assert_user_error(stress(path), "payouts.csv", "Excel 97–2003 workbook", "CSV UTF-8")


# --- 4. a metric whose optional column is missing ------------------------------------------


def test_a_missing_renewal_column_is_said_once_naming_the_column_and_the_component(data_dir):
    path = folder(data_dir, plan=RENEWAL_PLAN)
    doc = stress_json(path)
    renewal = warnings_about(doc, "renewal_rate, but")
    assert len(renewal) == 1
    assert "component renewals uses renewal_rate" in renewal[0]
    assert "no renewal_due or renewed column" in renewal[0] and "every renewal_rate is undefined" in renewal[0]
    [nps] = warnings_about(doc, "uses nps, but")
    assert "modifier nps_gate" in nps and "no nps column" in nps


def test_the_performance_metric_and_risk_adjust_are_covered_too(data_dir):
    plan = PLAN.replace("name: nrr only", "name: nrr only\nperformance: health").replace(
        "    target: 1.0\n", "    target: 1.0\n    risk_adjust: 0.5\n")
    path = folder(data_dir, plan=plan)
    doc = stress_json(path)
    [health] = warnings_about(doc, "uses health")
    assert "performance" in health and "no health column" in health and "top performer" in health
    [risk] = warnings_about(doc, "risk_adjust")
    assert "component retention" in risk and "no risk column" in risk


def test_validate_says_it_once_too(data_dir):
    path = folder(data_dir, plan=RENEWAL_PLAN)
    result, doc = validate_json(path)
    assert result.exit_code == 0
    said = [w for w in doc["warnings"] if "renewal_rate, but" in w["message"]]
    assert len(said) == 1 and said[0]["file"].endswith("accounts.csv")


def test_a_present_but_blank_column_is_not_called_missing(data_dir):
    path = folder(data_dir, plan=RENEWAL_PLAN, accounts="""\
        quarter,account_id,csm_id,arr_start,expansion,contraction,churn,renewal_due,renewed,nps
        2026Q1,A1,C1,100000,0,0,0,yes,yes,9
        2026Q1,A2,C2,100000,0,0,0,,,
        """)
    assert not warnings_about(stress_json(path), ", but accounts.csv has no")


# --- 5. payroll lines for people who are not CSMs -----------------------------------------

NON_CSM_PAYOUTS = """\
quarter,csm_id,amount
2026Q1,C1,5000
2026Q1,C2,5000
2026Q1,OPS7,"1,200.00"
2026Q1,HR2,300.25
2026Q1,OPS7,99.75
"""


def test_payouts_to_people_who_are_not_csms_are_a_warning_and_stay_out_of_every_total(data_dir):
    path = folder(data_dir, payouts=NON_CSM_PAYOUTS)
    doc = stress_json(path)
    assert doc["summary"]["actual_total"] == 10000.0  # C1 5,000 + C2 5,000; not OPS7's or HR2's 1,600.00
    assert doc["summary"]["proposed_total"] == 10000.0
    assert {r["csm_id"] for r in doc["rows"]} == {"C1", "C2"}
    [warning] = warnings_about(doc, "not a CSM")
    # 1,200.00 + 300.25 + 99.75 = 1,600.00 over 3 lines, first on line 4.
    assert "2 people" in warning and "OPS7, HR2" in warning and "3 lines, 1,600.00 in all" in warning
    assert "payouts.csv, line 4, column csm_id" in warning


def test_reconcile_leaves_them_out_and_says_so(data_dir):
    path = folder(data_dir, payouts=NON_CSM_PAYOUTS)
    result = run("reconcile", path / "plan.yaml", "--quarters", "1", "--data", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    # Both CSMs reproduced to the cent; OPS7's and HR2's lines are neither differences nor unexplained.
    assert doc["reproduced"] == 2 and doc["csm_quarters"] == 2 and doc["differing"] == []
    assert [w for w in doc["warnings"] if "not a CSM" in w]


def test_validate_warns_and_strict_refuses(data_dir):
    path = folder(data_dir, payouts=NON_CSM_PAYOUTS)
    result, doc = validate_json(path)
    assert result.exit_code == 0 and doc["ok"]
    assert [w for w in doc["warnings"] if "not a CSM" in w["message"]]
    result, doc = validate_json(path, "--strict")
    assert result.exit_code == 2 and not doc["ok"]
    [error] = doc["errors"]
    assert "OPS7, HR2" in error["message"] and error["location"] == "line 4, column csm_id"
    assert not [w for w in doc["warnings"] if "not a CSM" in w["message"]]


def test_strict_is_in_validate_help():
    result = run("validate", "--help")
    assert "--strict" in result.stdout and "not CSMs" in result.stdout


def test_someone_who_owns_accounts_without_a_roster_row_is_still_an_error(data_dir):
    path = folder(data_dir, accounts=FLAT_ACCOUNTS + "2026Q1,A3,C3,100000,0,0,0\n")
    assert_user_error(stress(path), "accounts.csv", "line 4, column csm_id", "C3", "roster.csv has no row")


def test_a_csm_with_a_roster_row_in_another_quarter_only_is_still_an_error(data_dir):
    roster = DEFAULT_ROSTER.replace("csm_id,name,segment,annual_base,annual_variable",
                                    "csm_id,name,segment,annual_base,annual_variable,quarter").replace(
        "20000\n", "20000,\n") + "C3,Cy,SMB,100000,20000,2025Q4\n"
    path = folder(data_dir, roster=roster, payouts=PAID_AT_TARGET + "2026Q1,C3,100\n")
    assert_user_error(stress(path), "payouts.csv", "line 4, column csm_id", "C3", "roster.csv has no row")


# --- 6. a boolean cell quoted as written ---------------------------------------------------


def test_a_status_word_in_a_boolean_column_is_quoted_as_written(data_dir):
    path = folder(data_dir, accounts="""\
        quarter,account_id,csm_id,arr_start,expansion,contraction,churn,renewal_due,renewed
        2026Q1,A1,C1,100000,0,0,0,yes,Renewed
        2026Q1,A2,C2,100000,0,0,0,no,no
        """)
    result = stress(path)
    assert_user_error(result, "accounts.csv", "line 2, column renewed", "'Renewed' is not a yes/no value",
                      "docs/data.md")
    assert "'renewed'" not in result.stderr


def test_format_hints_point_at_the_data_docs(data_dir):
    path = folder(data_dir, accounts=FLAT_ACCOUNTS.replace("2026Q1,A2", "2026Q5,A2"))
    assert_user_error(stress(path), "'2026Q5' is not a quarter label", "docs/data.md")
    path = folder(data_dir, payouts="quarter,csm_id,amount\n2026Q1,C1,5000 dollars\n")
    assert_user_error(stress(path), "'5000 dollars' is not an amount", "docs/data.md")


# --- more of the same, at the edges ---------------------------------------------------------


def test_utf16_text_is_recognised(data_dir):
    path = folder(data_dir)
    (path / "payouts.csv").write_bytes(PAID_AT_TARGET.replace(",", "\t").encode("utf-16"))
    result = stress(path)
    assert_user_error(result, "payouts.csv", "UTF-16", "CSV UTF-8")
    assert "iconv" not in result.stderr


def test_scores_in_a_decimal_comma_file_use_the_comma_too(data_dir):
    # risk 0,25 is 0.25: with risk_adjust 0.4 the target moves by 0.4 × (book risk − company risk).
    # C1's risk 0.25, C2's 0.75: company risk (0.25 × 100,000 + 0.75 × 100,000) / 200,000 = 0.5, so C1's
    # target 1.0 + 0.4 × (0.25 − 0.5) = 0.9 and nrr 1.0 is attainment 1.0 / 0.9 = 1.111111111 → f 1.5.
    plan = PLAN.replace("    target: 1.0\n", "    target: 1.0\n    risk_adjust: 0.4\n").replace(
        "curve: [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]", "curve: [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]\n    "
        "measure: attainment")
    path = folder(data_dir, plan=plan, accounts="""\
        quarter;account_id;csm_id;arr_start;expansion;contraction;churn;risk
        2026Q1;A1;C1;100.000,00;0;0;0;0,25
        2026Q1;A2;C2;100.000,00;0;0;0;0,75
        """)
    doc = stress_json(path)
    c1 = next(r for r in doc["rows"] if r["csm_id"] == "C1")
    assert c1["components"]["retention"]["target"] == 0.9
    assert c1["proposed"] == 7500.0  # 5,000 × f 1.5 (attainment 1.111… above the curve's last point)


def test_simulate_and_explain_show_the_data_warnings(data_dir):
    path = folder(data_dir, roster="""\
        csm_id,name,segment,annual_base,annual_variable
        C1,Ana,Enterprise,100000,35.500
        C2,Bo,SMB,100000,20000
        """)
    result = run("explain", path / "plan.yaml", "--csm", "C2", "--quarter", "2026Q1", "--data", path,
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [w for w in json.loads(result.stdout)["warnings"] if "'35.500'" in w]
    result = run("simulate", path / "plan.yaml", "--quarters", "1", "--runs", "10", "--data", path,
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [w for w in json.loads(result.stdout)["warnings"] if "'35.500'" in w]


def test_compare_says_a_data_warning_once_not_once_per_plan(data_dir):
    path = folder(data_dir, roster="""\
        csm_id,name,segment,annual_base,annual_variable
        C1,Ana,Enterprise,100000,35.500
        C2,Bo,SMB,100000,20000
        """)
    (path / "other.yaml").write_text(PLAN.replace("nrr only", "nrr again"), encoding="utf-8")
    result = run("compare", path / "plan.yaml", path / "other.yaml", "--quarters", "1", "--data", path,
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert len([w for w in json.loads(result.stdout)["warnings"] if "'35.500'" in w]) == 1


def test_a_semicolon_file_mixing_decimal_points_and_commas_says_why_a_comma_is_refused(data_dir):
    path = folder(data_dir, payouts="quarter;csm_id;amount\n2026Q1;C1;4000.50\n2026Q1;C2;4999,50\n")
    assert_user_error(stress(path), "payouts.csv", "line 3, column amount", "'4999,50' is not an amount",
                      "semicolon-separated", "decimal point")


def test_sweep_says_data_warnings_on_stderr(data_dir):
    path = folder(data_dir, roster="""\
        csm_id,name,segment,annual_base,annual_variable
        C1,Ana,Enterprise,100000,35.500
        C2,Bo,SMB,100000,20000
        """)
    result = run("sweep", path / "plan.yaml", "--set", "components.retention.target=0.9,1.0", "--quarters", "1",
                 "--data", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "'35.500'" in result.stderr and "roster.csv, line 2, column annual_variable" in result.stderr


def test_a_semicolon_file_with_blank_lines_keeps_its_line_numbers(data_dir):
    # Blank lines send the file to the careful parser, which must use the detected delimiter too.
    path = folder(data_dir, accounts="quarter;account_id;csm_id;arr_start;expansion;contraction;churn\n\n"
                                     "2026Q1;A1;C1;100000;0;0;0\n\n2026Q1;A2;C2;100000;0;0;-5\n")
    assert_user_error(stress(path), "accounts.csv", "line 5, column churn", "churn is negative ('-5')")


def test_a_score_with_a_decimal_point_settles_the_accounts_file(data_dir):
    path = folder(data_dir, accounts="""\
        quarter,account_id,csm_id,arr_start,expansion,contraction,churn,health
        2026Q1,A1,C1,100000,1.500,0,0,72.5
        2026Q1,A2,C2,100000,0,0,0,
        """)
    doc = stress_json(path)
    assert not warnings_about(doc, "could mean")
    # expansion 1.5: C1's nrr (100,000 + 1.5) / 100,000 = 1.000015 → f = 1 + 0.000015 / 0.1 × 0.5 = 1.000075
    # → 5,000 × 1.000075 = 5,000.375 → 5,000.38.
    assert next(r["proposed"] for r in doc["rows"] if r["csm_id"] == "C1") == 5000.38
