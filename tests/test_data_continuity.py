"""Issue 22: history that does not join up, said rather than passed over.

An account whose arr_start this quarter is not last quarter's arr_end (ARR that appeared or vanished
between two exports), and payroll lines for quarters accounts.csv does not hold (in no total). Neither
changes a number: each is one warning, on stderr, in the output's warnings and in validate. The plan is
one NRR curve (target 1.0, [0.9, 0] → [1.0, 1.0] → [1.1, 1.5]); TV = 20,000 / 4 = 5,000 a quarter.
"""

from __future__ import annotations

import json
import shutil

import pytest

from .conftest import NRR_ONLY_YAML, REPO, SHARED_VECTORS, VECTORS, run

ROSTER = "csm_id,name,segment,annual_base,annual_variable\nC1,Ana,Enterprise,100000,20000\n"
HEADER = "quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"


def folder(data_dir, accounts_csv: str, payouts_csv: str):
    return data_dir(accounts=accounts_csv, roster=ROSTER, payouts=payouts_csv, plan=NRR_ONLY_YAML)


def stress_json(path, *extra) -> tuple[dict, str]:
    result = run("stress-test", path / "plan.yaml", "--data", path, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def validate_warnings(path) -> list[dict]:
    result = run("validate", path / "plan.yaml", "--data", path, "--format", "json")
    return json.loads(result.stdout)["warnings"]


def about(warnings: list[str], fragment: str) -> list[str]:
    return [w for w in warnings if fragment in w]


# --- 4. arr_start against last quarter's arr_end ------------------------------------------------

BROKEN = HEADER + """\
2026Q1,A1,C1,100000,0,0,0
2026Q1,A2,C1,50000,0,0,0
2026Q2,A1,C1,200000,0,0,0
2026Q2,A2,C1,50000,0,0,0
"""


def test_arr_start_unlike_last_quarters_arr_end_is_warned_with_account_quarters_and_values(data_dir):
    path = folder(data_dir, BROKEN, "quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q2,C1,5000\n")
    document, stderr = stress_json(path, "--quarters", "1")
    # Numbers as read: 2026Q2's book starts at 200,000 + 50,000 and does not move, nrr 1.0 → 5,000.
    assert document["summary"]["proposed_total"] == 5000.0
    [warning] = about(document["warnings"], "arr_start")
    for fragment in ("accounts.csv", "1 account", "A1", "arr_start 200,000.00 in 2026Q2 (line 4)",
                     "arr_end 100,000.00 in 2026Q1 (line 2)", "numbers are computed as written"):
        assert fragment in warning, (fragment, warning)
    assert "A2" not in warning
    assert "A1" in stderr and "arr_start" in stderr
    [listed] = [w for w in validate_warnings(path) if "arr_start" in w["message"]]
    assert listed["file"].endswith("accounts.csv") and listed["location"] == "line 4, column arr_start"


def test_many_breaks_are_one_warning_naming_the_first_few_and_the_count(data_dir):
    # Twelve accounts, each 1,000 in 2026Q1 and 3,000 at the start of 2026Q2.
    rows = "".join(f"2026Q1,A{i:02d},C1,1000,0,0,0\n2026Q2,A{i:02d},C1,3000,0,0,0\n" for i in range(12))
    path = folder(data_dir, HEADER + rows, "quarter,csm_id,amount\n2026Q2,C1,5000\n")
    document, _ = stress_json(path, "--quarters", "1")
    [warning] = about(document["warnings"], "arr_start")
    assert "12 accounts" in warning and "A00" in warning and "A04" in warning
    assert "A05" not in warning and "and 7 more" in warning


@pytest.mark.parametrize(("end", "start", "warned"), [
    (100000, 100900, False),  # 900.00 apart, 0.9 %: export rounding, not a break
    (100000, 101500, True),  # 1,500.00 and 1.5 %
    (50, 50.9, False),  # 1.8 % but only 0.90: noise on a tiny account
    (50, 52, True),  # 2.00 and 4 %
    (0, 2, True),  # a churned account back with ARR and no new-logo start (0)
])
def test_the_tolerance_is_one_percent_and_one_unit(data_dir, end, start, warned):
    body = HEADER + f"2026Q1,A1,C1,{end},0,0,0\n2026Q2,A1,C1,{start},0,0,0\n"
    path = folder(data_dir, body, "quarter,csm_id,amount\n2026Q2,C1,5000\n")
    document, _ = stress_json(path, "--quarters", "1")
    assert bool(about(document["warnings"], "arr_start")) is warned


def test_movements_and_arr_end_are_what_the_next_quarter_starts_from(data_dir):
    # A1 ends 2026Q1 at 100,000 + 10,000 − 4,000 = 106,000 (arr_end derived), A2 churns 50,000 → 0 and is gone:
    # 2026Q2 starting at 106,000 is continuous; a quarter skipped (A3 in Q1 and Q3) is not compared.
    body = HEADER + """\
2026Q1,A1,C1,100000,10000,4000,0
2026Q1,A2,C1,50000,0,0,50000
2026Q1,A3,C1,70000,0,0,0
2026Q2,A1,C1,106000,0,0,0
2026Q3,A1,C1,106000,0,0,0
2026Q3,A3,C1,90000,0,0,0
"""
    path = folder(data_dir, body, "quarter,csm_id,amount\n2026Q3,C1,5000\n")
    document, _ = stress_json(path, "--quarters", "1")
    assert not about(document["warnings"], "arr_start")


def test_the_shipped_sample_and_the_vectors_join_up(tmp_path):
    plan = REPO / "plans" / "nrr_focus.yaml"
    for data in (REPO / "sample_data", *sorted(p for p in (SHARED_VECTORS if SHARED_VECTORS.is_dir() else VECTORS)
                                                  .iterdir() if p.is_dir())):
        messages = [w["message"] for w in validate_warnings_of(plan, data)]
        assert not [m for m in messages if "arr_start" in m or "does not cover" in m], (data, messages)


def validate_warnings_of(plan, data) -> list[dict]:
    result = run("validate", plan, "--data", data, "--format", "json")
    return json.loads(result.stdout)["warnings"]


# --- 5. payout lines for quarters accounts.csv does not hold ---------------------------------------


def test_payout_lines_outside_the_accounts_quarters_are_warned_with_quarters_lines_and_amount(data_dir):
    body = HEADER + "2025Q1,A1,C1,100000,0,0,0\n2025Q2,A1,C1,100000,0,0,0\n"
    paid = ("quarter,csm_id,amount\n2024Q3,C1,4000\n2024Q3,C1,1200.50\n2024Q4,C1,7199.50\n"
            "2025Q1,C1,5000\n2025Q2,C1,5000\n")
    path = folder(data_dir, body, paid)
    document, stderr = stress_json(path, "--quarters", "2")
    # Actual is 2025Q1 + 2025Q2 = 10,000: the 4,000 + 1,200.50 + 7,199.50 = 12,400.00 of 2024 in no total.
    assert document["summary"]["actual_total"] == 10000.0
    [warning] = about(document["warnings"], "does not cover")
    assert ("payouts.csv has 3 lines (12,400.00) in 2024Q3 and 2024Q4, which accounts.csv does not cover: "
            "they are left out of actual pay") in warning
    assert "12,400.00" in stderr
    [listed] = [w for w in validate_warnings(path) if "does not cover" in w["message"]]
    assert listed["location"] == "line 2, column quarter" and "3 lines (12,400.00)" in listed["message"]


def test_payout_lines_after_the_accounts_last_quarter_are_warned_too(data_dir):
    # Payroll a quarter ahead of the CRM export: 2026Q3's 5,000 pays a quarter with no books to replay.
    body = HEADER + "2026Q1,A1,C1,100000,0,0,0\n2026Q2,A1,C1,100000,0,0,0\n"
    paid = "quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q2,C1,5000\n2026Q3,C1,5000\n"
    document, _ = stress_json(folder(data_dir, body, paid), "--quarters", "2")
    assert document["summary"]["actual_total"] == 10000.0
    [warning] = about(document["warnings"], "does not cover")
    assert "1 line (5,000.00) in 2026Q3" in warning


def test_payouts_within_the_accounts_quarters_are_not_warned(data_dir, tmp_path):
    body = HEADER + "2026Q1,A1,C1,100000,0,0,0\n2026Q2,A1,C1,100000,0,0,0\n"
    document, _ = stress_json(folder(data_dir, body, "quarter,csm_id,amount\n2026Q1,C1,5000\n"), "--quarters", "1")
    assert not about(document["warnings"], "does not cover")


def test_the_sample_payouts_are_covered(tmp_path):
    data = shutil.copytree(REPO / "sample_data", tmp_path / "sample")
    document, _ = stress_json_of(REPO / "plans" / "nrr_focus.yaml", data)
    assert not about(document["warnings"], "does not cover") and not about(document["warnings"], "arr_start")


def stress_json_of(plan, data) -> tuple[dict, str]:
    result = run("stress-test", plan, "--data", data, "--format", "json", "--quarters", "4")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr
