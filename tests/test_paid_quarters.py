"""Which quarters are replayed (SPEC 6.1): payroll pays a quarter's bonus after the CRM has closed it, so
--quarters N ends at the last quarter payouts.csv has paid, a warning names the quarters left out, and
--through Q chooses the last quarter. Every expected number is worked by hand in the comments."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from .conftest import NRR_PLAN, VECTORS, assert_user_error, run, run_json

# Two CSMs, TV 20,000 / 4 = 5,000 a quarter, flat books (nrr 1.0 → the curve pays f(1.0) = 1.0 × TV).
# The CRM export holds 2026Q1–2026Q3; payroll has paid 2026Q1 and 2026Q2 only (it pays Q3 in October).
ACCOUNTS = "quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n" + "".join(
    f"2026Q{q},A{c},C{c},100000,0,0,0\n" for q in (1, 2, 3) for c in (1, 2))
PAYOUTS = ("quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q1,C2,5000\n"
           "2026Q2,C1,4000\n2026Q2,C2,5000\n")


@pytest.fixture
def behind(data_dir):
    return data_dir(accounts=ACCOUNTS, payouts=PAYOUTS, plan=yaml.safe_dump(NRR_PLAN))


def stress(folder, *extra):
    return run("stress-test", folder / "plan.yaml", "--data", folder, *extra)


def test_quarters_end_at_the_last_paid_quarter_and_a_warning_names_the_rest(behind):
    result = stress(behind, "--quarters", "2", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["quarters"] == ["2026Q1", "2026Q2"]
    assert document["through"] == "2026Q2" and document["not_replayed"] == ["2026Q3"]
    # Proposed 4 × 5,000 = 20,000; actual 5,000 + 5,000 + 4,000 + 5,000 = 19,000; delta +1,000 (+5.26 %).
    # Had 2026Q3 been replayed against nothing paid, the headline would read 30,000 vs 19,000 (+57.89 %).
    summary = document["summary"]
    assert (summary["proposed_total"], summary["actual_total"], summary["delta"]) == (20000.0, 19000.0, 1000.0)
    assert summary["delta_pct"] == 5.26
    warning = "2026Q3 has no payouts yet: not replayed; --through 2026Q3 replays it"
    assert any(warning in w for w in document["warnings"])
    assert warning in result.stderr  # said on the terminal too


def test_through_replays_an_unpaid_quarter_with_actual_zero_and_says_so(behind):
    document = run_json("stress-test", behind / "plan.yaml", "--data", behind, "--quarters", "2",
                        "--through", "2026-Q3")
    assert document["quarters"] == ["2026Q2", "2026Q3"] and document["through"] == "2026Q3"
    assert document["not_replayed"] == []
    q3 = [r for r in document["rows"] if r["quarter"] == "2026Q3"]
    assert [r["actual"] for r in q3] == [0.0, 0.0]
    assert any("2026Q3 has no payouts: every actual in it is 0" in w for w in document["warnings"])
    assert not any("not replayed" in w for w in document["warnings"])


def test_through_an_earlier_quarter_replays_up_to_it(behind):
    document = run_json("stress-test", behind / "plan.yaml", "--data", behind, "--quarters", "1",
                        "--through", "Q1 2026")
    # 2026Q1 alone: proposed 10,000, actual 10,000. 2026Q2 is paid, so nothing is "not replayed: no payouts".
    assert document["quarters"] == ["2026Q1"] and document["not_replayed"] == []
    assert document["summary"]["delta"] == 0.0
    assert not any("no payouts" in w for w in document["warnings"])


def test_asking_for_more_quarters_than_are_paid_says_how_many_and_names_through(behind):
    result = stress(behind, "--quarters", "3")
    assert_user_error(result, "asked for 3 quarters", "holds only 2 up to 2026Q2, its last quarter with payouts",
                      "--through 2026Q3")


@pytest.mark.parametrize("through, fragments", [
    ("2026Q4", ["--through 2026Q4 is not a quarter of accounts.csv", "2026Q1 to 2026Q3"]),
    ("next quarter", ["--through 'next quarter' is not a quarter label", "2026Q1"]),
])
def test_a_through_that_is_not_a_quarter_of_the_data_is_refused(behind, through, fragments):
    assert_user_error(stress(behind, "--through", through), *fragments)


def test_every_command_that_takes_quarters_takes_through(behind):
    other = behind / "other.yaml"
    other.write_text(yaml.safe_dump({**NRR_PLAN, "name": "other"}))
    common = ["--data", str(behind), "--quarters", "2"]
    compared = run_json("compare", behind / "plan.yaml", other, *common, "--through", "2026Q3")
    assert compared["quarters"] == ["2026Q2", "2026Q3"] and compared["through"] == "2026Q3"
    # The quarters' warning is about the data, said once, not once per plan.
    assert sum("2026Q3 has no payouts" in w for w in compared["warnings"]) == 1
    compared = run_json("compare", behind / "plan.yaml", other, *common)
    assert compared["through"] == "2026Q2" and compared["not_replayed"] == ["2026Q3"]
    swept = run_json("sweep", behind / "plan.yaml", "--set", "components.retention.target=0.9,1.0", *common)
    assert swept["quarters"] == ["2026Q1", "2026Q2"] and swept["not_replayed"] == ["2026Q3"]
    assert any("2026Q3 has no payouts yet" in w for w in swept["warnings"])
    reconciled = run_json("reconcile", behind / "plan.yaml", *common, "--through", "2026Q2")
    assert reconciled["quarters"] == ["2026Q1", "2026Q2"] and reconciled["through"] == "2026Q2"
    simulated = run_json("simulate", behind / "plan.yaml", *common, "--runs", "10")
    assert simulated["history"] == ["2026Q1", "2026Q2"] and simulated["through"] == "2026Q2"


@pytest.mark.parametrize("form", ["table", "markdown", "html"])
def test_every_human_format_says_which_quarters_were_replayed_and_why_not_the_rest(behind, form):
    result = stress(behind, "--quarters", "2", "--format", form)
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())  # the terminal table wraps long lines
    assert "2026Q1–2026Q2 (2 quarters); 2026Q3 not replayed: no payouts yet (--through 2026Q3 replays it)" in text


def test_the_workbook_says_which_quarters_were_replayed(behind, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "out.xlsx"
    result = stress(behind, "--quarters", "2", "--format", "xlsx", "--output", out)
    assert result.exit_code == 0, result.stderr
    cells = [c.value for row in load_workbook(out).worksheets[0].iter_rows() for c in row if c.value]
    assert any("2026Q3 not replayed: no payouts yet" in str(c) for c in cells)


def test_without_payouts_validate_checks_every_quarter(data_dir):
    folder = data_dir(accounts=ACCOUNTS, plan=yaml.safe_dump(NRR_PLAN))
    document = run_json("validate", folder / "plan.yaml", "--data", folder)
    assert document["checked"]["replay"]["quarters"] == 3


@pytest.mark.parametrize("form", ["table", "markdown"])
def test_simulate_says_which_quarters_it_drew_from_and_why_not_the_rest(behind, form):
    result = run("simulate", behind / "plan.yaml", "--data", behind, "--quarters", "2", "--runs", "10",
                 "--format", form)
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "2026Q1–2026Q2 (2 quarters); 2026Q3 not replayed: no payouts yet" in text


# --- A period plan (SPEC 6.4) replayed through a quarter inside its period ------------------------------------

PERIOD_CASE = VECTORS / "13_period_true_up"  # annual NRR, 75 % advances; figures from its WORKING.md


def test_through_a_quarter_inside_the_period_warns_that_the_true_up_is_not_reached(tmp_path):
    folder = tmp_path / "annual"
    shutil.copytree(PERIOD_CASE, folder)
    # Payroll has paid 2025Q1–2025Q3 only.
    paid = [line for line in (PERIOD_CASE / "payouts.csv").read_text().splitlines()
            if not line.startswith(("2025Q4", "2026Q1"))]
    (folder / "payouts.csv").write_text("\n".join(paid) + "\n")
    result = run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "2", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    # The last paid quarter 2025Q3 ends the replay (2025Q2, 2025Q3), inside 2025.
    assert (doc["quarters"], doc["through"], doc["not_replayed"]) == (["2025Q2", "2025Q3"], "2025Q3",
                                                                      ["2025Q4", "2026Q1"])
    true_up = [w for w in doc["warnings"] if "true-up" in w]
    assert true_up == [
        "period: the replay ends at 2025Q3, before 2025's last quarter 2025Q4: 2025's true-up is not reached, so "
        "its rows show advances only (75% of what is earned to date) — replay through 2025Q4 (--through) when its "
        "data is in, to see the true-up; see 'Annual goals, advances and a true-up' in docs/plans.md"]
    assert true_up[0] in result.stderr.replace("warning: ", "")
    # Advances only: C1 5,475 + 4,687.50, C2 4,800 + 7,050 (2025Q1's 4,275 and 5,400 paid before the replay).
    assert {(r["quarter"], r["csm_id"]): r["proposed"] for r in doc["rows"]} == {
        ("2025Q2", "C1"): 5475.0, ("2025Q2", "C2"): 4800.0, ("2025Q3", "C1"): 4687.5, ("2025Q3", "C2"): 7050.0}
    assert doc["summary"]["proposed_total"] == 5475.0 + 4687.5 + 4800.0 + 7050.0
    # --through 2025Q4, not yet paid: the true-up is reached (C1 16,562.50; C2 −15,250 recovered), its actual is
    # 0 and a warning says 2025Q4 has no payouts; none says a true-up is missing.
    reached = run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "3", "--through", "2025Q4",
                  "--format", "json")
    doc = json.loads(reached.stdout)
    assert doc["through"] == "2025Q4" and not [w for w in doc["warnings"] if "true-up" in w]
    assert any("2025Q4" in w and "no payouts" in w for w in doc["warnings"])
    last = {r["csm_id"]: (r["proposed"], r["actual"]) for r in doc["rows"] if r["quarter"] == "2025Q4"}
    assert last == {"C1": (16562.5, 0.0), "C2": (-15250.0, 0.0)}
