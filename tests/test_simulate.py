"""`cscomp simulate`: Monte Carlo of the plan's cost by bootstrapping each CSM's own outcomes."""

from __future__ import annotations

import json

import pytest
import yaml

from .conftest import DEFAULT_ROSTER, REPO, assert_user_error, run

NRR = {"name": "nrr", "components": [{"id": "retention", "metric": "nrr", "weight": 1.0, "target": 1.0,
                                      "curve": [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]}]}
# C1 (TV 5,000): 2026Q1 nrr 0.95 → f 0.5 → 2,500 (share 0.5); 2026Q2 nrr 1.10 → f 1.5 → 7,500 (share 1.5).
# C2 (TV 5,000): nrr 1.0 both quarters → 5,000 (share 1.0) twice.
ACCOUNTS = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn
2026Q1,A1,C1,100000,0,5000,0
2026Q2,A1,C1,100000,10000,0,0
2026Q1,A2,C2,100000,0,0,0
2026Q2,A2,C2,100000,0,0,0
"""
PAYOUTS = "quarter,csm_id,amount\n"


def simulate(data_dir, *extra: str):
    folder = data_dir(accounts=ACCOUNTS, roster=DEFAULT_ROSTER, payouts=PAYOUTS, plan=yaml.safe_dump(NRR))
    return run("simulate", folder / "plan.yaml", "--data", folder, "--quarters", "2", *extra)


def document(result) -> dict:
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_outcomes_are_drawn_from_each_csms_own_history(data_dir):
    doc = document(simulate(data_dir, "--runs", "20000", "--format", "json", "--budget", "11000"))
    # Each run: C2 always 5,000; C1 2,500 or 7,500 with equal chance → total 7,500 or 12,500.
    assert doc["total"]["p5"] == 7500.0 and doc["total"]["p95"] == 12500.0
    assert 0.48 < doc["probability_over_budget"] < 0.52  # total > 11,000 half the time
    c1, c2 = doc["csms"]
    assert (c1["outcomes"], c1["target_variable"], c1["p10"], c1["p90"]) == (2, 5000.0, 2500.0, 7500.0)
    assert (c2["p10"], c2["p50"], c2["p90"]) == (5000.0, 5000.0, 5000.0)
    assert doc["by_segment"]["SMB"] == {"p5": 5000.0, "p50": 5000.0, "p95": 5000.0}


def test_a_year_ahead_sums_independent_quarters(data_dir):
    doc = document(simulate(data_dir, "--runs", "20000", "--quarters-ahead", "4", "--format", "json",
                            "--budget", "40000"))
    # C1 over 4 quarters with k draws of 7,500: 10,000 + 5,000 k; C2 always 20,000. The total
    # 30,000 + 5,000 k exceeds 40,000 when k ≥ 3: P = (C(4,3) + C(4,4)) / 2^4 = 5 / 16 = 0.3125.
    assert doc["total"]["p5"] >= 30000.0 and doc["total"]["p95"] <= 50000.0
    assert 0.29 < doc["probability_over_budget"] < 0.335


def test_one_outcome_per_csm_has_no_spread_and_equals_the_replay():
    args = ["--data", REPO / "sample_data", "--quarters", "1", "--format", "json"]
    doc = document(run("simulate", REPO / "plans" / "nrr_focus.yaml", "--runs", "500", *args))
    replayed = document(run("stress-test", REPO / "plans" / "nrr_focus.yaml", *args))
    total = replayed["summary"]["proposed_total"]
    assert doc["total"]["p5"] == doc["total"]["p50"] == doc["total"]["p95"] == total
    by_csm = {r["csm_id"]: r["proposed"] for r in replayed["rows"]}
    assert {c["csm_id"]: c["p50"] for c in doc["csms"]} == by_csm


def test_the_same_seed_gives_the_same_result(data_dir):
    first = simulate(data_dir, "--runs", "1000", "--seed", "7", "--format", "json").stdout
    again = simulate(data_dir, "--runs", "1000", "--seed", "7", "--format", "json").stdout
    other = simulate(data_dir, "--runs", "1000", "--seed", "8", "--format", "json", "--budget", "11000").stdout
    assert first == again
    assert json.loads(other)["seed"] == 8


def test_overrun_guardrail(data_dir):
    breach = simulate(data_dir, "--runs", "2000", "--budget", "11000", "--max-overrun-probability", "0.1", "-q",
                      "--format", "csv")
    assert breach.exit_code == 1
    assert breach.stderr.startswith("breach: max-overrun-probability: in ")
    assert "of runs the proposed variable pay was above the budget 11,000.00" in breach.stderr
    held = simulate(data_dir, "--runs", "2000", "--budget", "13000", "--max-overrun-probability", "0.1")
    assert held.exit_code == 0


@pytest.mark.parametrize("options, fragment", [
    (["--max-overrun-probability", "0.1"], "--max-overrun-probability needs --budget"),
    (["--budget", "1", "--max-overrun-probability", "2"], "between 0 and 1"),
    (["--runs", "2000000"], "--runs must be between 1 and 1,000,000"),
])
def test_bad_options(data_dir, options, fragment):
    assert_user_error(simulate(data_dir, *options), fragment)


def test_table_csv_and_markdown(data_dir):
    table = simulate(data_dir, "--runs", "200", "--budget", "11000").stdout
    assert "200 runs of the next quarter (seed 2026)" in table and "Over budget" in table
    csv_lines = simulate(data_dir, "--runs", "200", "--format", "csv").stdout.splitlines()
    assert csv_lines[0] == "csm_id,name,segment,target_variable,outcomes,p10,p50,p90"
    assert csv_lines[2] == "C2,Bo,SMB,5000.00,2,5000.00,5000.00,5000.00"
    assert "Cost P5 / P50 / P95" in simulate(data_dir, "--runs", "200", "--format", "markdown").stdout
