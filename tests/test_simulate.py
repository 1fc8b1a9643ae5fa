"""`cscomp simulate`: Monte Carlo of the plan's cost by bootstrapping each CSM's own outcomes."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from .conftest import DEFAULT_ROSTER, REPO, VECTORS, assert_user_error, run

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


# --- Period plans and floors (SPEC 6.4, 6.6; docs/plans.md "Simulating a period plan") -----------------------

PERIOD_CASE = VECTORS / "13_period_true_up"  # annual NRR, 75 % advances, recover: true
FLOORS_CASE = VECTORS / "14_clawback_and_floors"  # ramp 2 quarters at 1.0 × TV, guarantee 0.9 × actual


def simulate_case(case, *extra: str) -> dict:
    return document(run("simulate", case / "plan.yaml", "--data", case, "--runs", "50", "--format", "json",
                        *extra))


def test_a_period_the_history_ends_inside_is_continued_to_its_true_up():
    doc = simulate_case(PERIOD_CASE, "--quarters", "1", "--quarters-ahead", "3")
    # History: 2026Q1 only, the first quarter of 2026 (vector 13's WORKING.md). C1 earned 5,360 in it and was
    # paid the advance round(0.75 × 5,360) = 4,020; C2 earned 5,470 and was paid 4,102.50. One outcome each:
    # C1 earns 5,360 in every quarter ahead, C2 5,470.
    # C1: 2026Q2 E = 10,720 → 0.75 × 10,720 = 8,040 − 4,020 = 4,020; 2026Q3 E = 16,080 → 12,060 − 8,040 = 4,020;
    #     2026Q4 (true-up) E = 21,440 − 12,060 = 9,380 → 4,020 + 4,020 + 9,380 = 17,420 (= 21,440 − 4,020).
    # C2: E(2026Q4) = 4 × 5,470 = 21,880, less the 4,102.50 paid in 2026Q1 → 17,777.50.
    c1, c2 = doc["csms"]
    assert (c1["p10"], c1["p90"]) == (17420.0, 17420.0)
    assert (c2["p10"], c2["p90"]) == (17777.5, 17777.5)
    assert doc["total"]["p50"] == 17420.0 + 17777.5
    # The replay's "true-up not reached" is not said: the simulation reaches it.
    assert not [w for w in doc["warnings"] if "true-up" in w]


def test_quarters_ahead_ending_mid_period_hold_back_the_true_up():
    doc = simulate_case(PERIOD_CASE, "--quarters", "1", "--quarters-ahead", "2")
    # C1: 2026Q2 4,020 + 2026Q3 4,020 = 8,040 (advances only: the 0.25 × 16,080 = 4,020 held back waits for 2026Q4).
    assert doc["csms"][0]["p50"] == 8040.0
    # C2: 0.75 × 10,940 − 4,102.50 = 4,102.50; 0.75 × 16,410 − 8,205 = 4,102.50 → 8,205.
    assert doc["csms"][1]["p50"] == 8205.0
    said = [w for w in doc["warnings"] if "true-up" in w]
    assert said == ["the simulated quarters end at 2026Q3, before 2026's last quarter 2026Q4: 2026's true-up is "
                    "not in the simulated cost, which holds its advances only (75% of what is earned to date); "
                    "--quarters-ahead 3 reaches it"]


def test_a_year_ahead_pays_three_advances_and_a_true_up():
    from cscomp_cli.analyses.simulate import Ahead, quarter_pay
    # An annual plan, 75 % advances, the history ending with 2025Q4 (a period's end): the next 4 quarters are
    # 2026Q1–Q4. One CSM (TV 1,000) draws earned amounts 1,000, 2,000, −400, 600 in them.
    earned = np.array([[[1000.0, 2000.0, -400.0, 600.0]]])
    tv = np.array([1000.0])
    zero = np.zeros(1)
    ahead = Ahead(last="2025Q4", period="year", advance=0.75, earned=zero, paid=zero, tv=zero,
                  ramp_left=np.zeros(1, dtype="int64"))
    # E to date: 1,000, 3,000, 2,600, 3,200. Advances: 750; 2,250 − 750 = 1,500; round(0.75 × 2,600) = 1,950 is
    # below the 2,250 paid → 0; true-up 3,200 − 2,250 = 950. Total 3,200 = E at the year's end.
    assert quarter_pay(ahead, earned, tv).tolist() == [[[750.0, 1500.0, 0.0, 950.0]]]
    # recover: false forgives a negative true-up: draws 4,000, 0, 0, −3,000 → E 4,000 … 1,000; paid 3,000 by Q3;
    # the true-up 1,000 − 3,000 = −2,000 is recovered, or 0 when forgiven.
    falling = np.array([[[4000.0, 0.0, 0.0, -3000.0]]])
    assert quarter_pay(ahead, falling, tv).tolist() == [[[3000.0, 0.0, 0.0, -2000.0]]]
    forgiven = Ahead(**{**ahead.__dict__, "recover": False})
    assert quarter_pay(forgiven, falling, tv).tolist() == [[[3000.0, 0.0, 0.0, 0.0]]]
    # The plan's cap to date (1.5 × TV_D): E 4,000 > 1.5 × 1,000 = 1,500 in Q1 → advance 1,125; Q2 E 4,000 is
    # capped at 3,000 → 2,250 − 1,125 = 1,125; Q3 4,000 (cap 4,500) → 3,000 − 2,250 = 750; Q4 E 1,000 → 1,000 −
    # 3,000 = −2,000.
    capped = Ahead(**{**ahead.__dict__, "cap": 1.5})
    assert quarter_pay(capped, falling, tv).tolist() == [[[1125.0, 1125.0, 750.0, -2000.0]]]


def test_a_half_year_plan_continued_then_a_new_half():
    from cscomp_cli.analyses.simulate import Ahead, quarter_pay
    # period: half, advance 0.5; the history ends at 2026Q1 (H1's first quarter) with E 800 earned and 400 paid,
    # TV to date 1,000. Three quarters ahead, 2026Q2 (H1's true-up), 2026Q3 and 2026Q4 (H2), each earning 1,000:
    # 2026Q2: E 1,800 − 400 = 1,400; 2026Q3 (new half): 0.5 × 1,000 = 500; 2026Q4: 2,000 − 500 = 1,500.
    ahead = Ahead(last="2026Q1", period="half", advance=0.5, earned=np.array([800.0]), paid=np.array([400.0]),
                  tv=np.array([1000.0]), ramp_left=np.zeros(1, dtype="int64"))
    pay = quarter_pay(ahead, np.full((1, 1, 3), 1000.0), np.array([1000.0]))
    assert pay.tolist() == [[[1400.0, 500.0, 1500.0]]]


def test_a_ramp_applies_ahead_by_start_date_and_a_guarantee_does_not():
    doc = simulate_case(FLOORS_CASE, "--quarters", "1", "--through", "2026Q1", "--quarters-ahead", "2")
    # History 2026Q1 (vector 14's WORKING.md), outcomes before floors: C1 −375 (the clawback) on TV 5,000
    # → −0.075; C2 5,800 / 5,000 = 1.16; C3 (hired 2026-02-15) 1,200 / 3,750 = 0.32 (the 2,550 ramp is not drawn).
    # Ahead (2026Q2, 2026Q3), at full-quarter TV: C1 −375 × 2 = −750 (the guarantee needs actual pay: not
    # applied); C2 5,800 × 2 = 11,600; C3 (TV 7,500): 2026Q2 is the ramp's second quarter → max(0.32 × 7,500 =
    # 2,400, 1.0 × 7,500) = 7,500; 2026Q3 2,400 → 9,900.
    by_csm = {c["csm_id"]: (c["target_variable"], c["p10"], c["p90"]) for c in doc["csms"]}
    assert by_csm == {"C1": (5000.0, -750.0, -750.0), "C2": (5000.0, 11600.0, 11600.0),
                      "C3": (7500.0, 9900.0, 9900.0)}
    assert doc["total"]["p50"] == -750.0 + 11600.0 + 9900.0
    assert any(w.startswith("the plan's guarantee does not apply to the simulated quarters") for w in doc["warnings"])


def test_a_ramp_ahead_in_a_period_plan_is_never_recovered():
    from cscomp_cli.analyses.simulate import Ahead, quarter_pay
    # An annual plan (75 % advances) from 2026Q1, a CSM (TV 1,000) with one ramp quarter left at floor 1.0,
    # earning 500 a quarter. 2026Q1: advance 0.75 × 500 = 375, lifted to 1,000 by the ramp (625 on top);
    # 2026Q2: 0.75 × 1,000 − 375 = 375 — the 625 ramp does not count as paid before.
    zero = np.zeros(1)
    ahead = Ahead(last="2025Q4", period="year", advance=0.75, earned=zero, paid=zero, tv=zero, ramp_floor=1.0,
                  ramp_left=np.array([1]))
    assert quarter_pay(ahead, np.full((1, 1, 2), 500.0), np.array([1000.0])).tolist() == [[[1000.0, 375.0]]]
