"""Period plans (SPEC 6.4): annual and half-year goals measured to date, paid quarterly as advances with a
true-up in the period's last quarter. Every expected figure is worked by hand in the comments beside it."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import assert_user_error, run, run_json, write_files

ROSTER = "csm_id,name,segment,annual_base,annual_variable\nC1,Ana,Enterprise,80000,20000\n"
NRR_CURVE = "[[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]"


def plan_yaml(*, period: str = "year", advance: float = 0.5, recover: bool = True, extra: str = "",
              components: str | None = None) -> str:
    components = components or f"""\
  - id: retention
    metric: nrr
    weight: 1
    target: 1.0
    curve: {NRR_CURVE}
"""
    return (f"name: period plan\nperiod: {period}\nadvance: {advance}\nrecover: {str(recover).lower()}\n{extra}"
            f"components:\n{components}")


def replay(tmp_path, plan: str, accounts: str, payouts: str, *args: str, roster: str = ROSTER, **files: str) -> dict:
    folder = write_files(tmp_path / "data", accounts=accounts, roster=roster, payouts=payouts, **files)
    plan_file = write_files(tmp_path, **{"plan.yaml": plan}) / "plan.yaml"
    return run_json("stress-test", plan_file, "--data", folder, *args)


def by_row(document: dict) -> dict:
    return {(r["quarter"], r["csm_id"]): r for r in document["rows"]}


def adds_up(row: dict) -> None:
    """proposed = Σ payouts + cap_adjustment + advance_adjustment (+ floors when the plan has them)."""
    total = sum(c["payout"] for c in row["components"].values()) + row["cap_adjustment"] + row["advance_adjustment"]
    total += row.get("ramp_adjustment", 0) + row.get("guarantee_adjustment", 0)
    assert total == pytest.approx(row["proposed"], abs=0.005), row


# --- a year of advances and a true-up ------------------------------------------------------------------------

# C1 holds A1, 100,000 at the start of 2026; TV 20,000 / 4 = 5,000 a quarter, so TV_D = 5,000 × |D|.
#   Q1: +10,000 expansion          → NRR_D 110,000 / 100,000 = 1.10 → f 1.5 → E = round(5,000 × 1.5) = 7,500
#   Q2: no movement                → NRR_D 1.10 → f 1.5 → E = 10,000 × 1.5 = 15,000
#   Q3: −20,000 contraction        → NRR_D (100,000 + 10,000 − 20,000) / 100,000 = 0.90 → f 0 → E = 0
#   Q4: +2,000 expansion           → NRR_D 92,000 / 100,000 = 0.92 → f (0.92 − 0.9) × 10 = 0.2 → E = 20,000 × 0.2 = 4,000
# With advance 0.5:
#   Q1 pay = round(0.5 × 7,500) − 0 = 3,750;  Q2 pay = round(0.5 × 15,000) − 3,750 = 3,750
#   Q3 pay = max(0, round(0.5 × 0) − 7,500) = 0 (an advance is never negative)
#   Q4 true-up = E(Q4) − paid_before = 4,000 − 7,500 = −3,500: recovered (recover: true) or 0 (recover: false).
YEAR_ACCOUNTS = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn
2026Q1,A1,C1,100000,10000,0,0
2026Q2,A1,C1,110000,0,0,0
2026Q3,A1,C1,110000,0,20000,0
2026Q4,A1,C1,90000,2000,0,0
"""
YEAR_PAYOUTS = "quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q2,C1,5000\n2026Q3,C1,5000\n2026Q4,C1,5000\n"


def test_a_year_of_advances_and_a_negative_true_up_that_is_recovered(tmp_path):
    document = replay(tmp_path, plan_yaml(recover=True), YEAR_ACCOUNTS, YEAR_PAYOUTS, "--quarters", "4")
    rows = by_row(document)
    q = [rows[f"2026Q{i}", "C1"] for i in range(1, 5)]
    assert [r["period"] for r in q] == ["2026"] * 4
    assert [r["earned_to_date"] for r in q] == [7500.0, 15000.0, 0.0, 4000.0]
    assert [r["components"]["retention"]["earned_to_date"] for r in q] == [7500.0, 15000.0, 0.0, 4000.0]
    # to-date metric and the TV_D-scaled term: NRR_D as above
    assert [r["components"]["retention"]["metric"] for r in q] == pytest.approx([1.10, 1.10, 0.90, 0.92])
    assert [r["proposed"] for r in q] == [3750.0, 3750.0, 0.0, -3500.0]
    # payout = increase of the term over the previous quarter: 7,500; 15,000 − 7,500; 0 − 15,000; 4,000 − 0
    assert [r["components"]["retention"]["payout"] for r in q] == [7500.0, 7500.0, -15000.0, 4000.0]
    # advance_adjustment = pay − (E(q) − E(prev)): 3,750 − 7,500; 3,750 − 7,500; 0 − (−15,000); −3,500 − 4,000
    assert [r["advance_adjustment"] for r in q] == [-3750.0, -3750.0, 15000.0, -7500.0]
    for row in q:
        adds_up(row)
    # Σ pay over the year = 3,750 + 3,750 + 0 − 3,500 = 4,000 = E(Q4)
    assert sum(r["proposed"] for r in q) == q[-1]["earned_to_date"] == 4000.0
    assert document["summary"]["proposed_total"] == 4000.0
    assert document["warnings"] == []  # the replay ends on the period's last quarter: nothing to warn of


def test_a_negative_true_up_is_forgiven_when_recover_is_false(tmp_path):
    document = replay(tmp_path, plan_yaml(recover=False), YEAR_ACCOUNTS, YEAR_PAYOUTS, "--quarters", "4")
    q = [by_row(document)[f"2026Q{i}", "C1"] for i in range(1, 5)]
    # Q4: max(0, 4,000 − 7,500) = 0; the advances already paid stay paid.
    assert [r["proposed"] for r in q] == [3750.0, 3750.0, 0.0, 0.0]
    # Q4 advance_adjustment = 0 − (4,000 − 0) = −4,000
    assert q[3]["advance_adjustment"] == -4000.0
    for row in q:
        adds_up(row)
    # Σ pay = 7,500: 3,500 more than E(Q4), the overpayment forgiven
    assert document["summary"]["proposed_total"] == 7500.0


def test_a_positive_true_up_pays_what_was_held_back(tmp_path):
    # Q4 instead +12,000 expansion: NRR_D (90,000 + 12,000) / 100,000 = 1.02 → f 1 + 0.02 × 5 = 1.1 →
    # E = 20,000 × 1.1 = 22,000; true-up 22,000 − 7,500 = 14,500; Σ pay = 3,750 + 3,750 + 0 + 14,500 = 22,000 = E(Q4).
    accounts = YEAR_ACCOUNTS.replace("2026Q4,A1,C1,90000,2000", "2026Q4,A1,C1,90000,12000")
    for recover in (True, False):
        document = replay(tmp_path / str(recover), plan_yaml(recover=recover), accounts, YEAR_PAYOUTS, "-n", "4")
        q = [by_row(document)[f"2026Q{i}", "C1"] for i in range(1, 5)]
        assert [r["proposed"] for r in q] == [3750.0, 3750.0, 0.0, 14500.0]
        assert document["summary"]["proposed_total"] == 22000.0


# --- a replay that starts, or ends, inside a period -------------------------------------------------------------


def test_a_replay_starting_mid_year_counts_the_earlier_quarters_in_paid_before(tmp_path):
    # --quarters 2 replays Q3 and Q4; Q1 and Q2 are computed (paid 3,750 + 3,750) but not reported.
    document = replay(tmp_path, plan_yaml(), YEAR_ACCOUNTS, YEAR_PAYOUTS, "--quarters", "2")
    assert document["quarters"] == ["2026Q3", "2026Q4"]
    rows = by_row(document)
    assert set(rows) == {("2026Q3", "C1"), ("2026Q4", "C1")}
    q3, q4 = rows["2026Q3", "C1"], rows["2026Q4", "C1"]
    assert q3["proposed"] == 0.0  # max(0, 0 − 7,500)
    assert q4["proposed"] == -3500.0  # 4,000 − 7,500: the unreported quarters' pay is in paid_before
    # Q3's payout is the increase over the unreported Q2: 0 − 15,000
    assert q3["components"]["retention"]["payout"] == -15000.0
    assert q3["advance_adjustment"] == 15000.0  # 0 − (0 − 15,000)
    for row in (q3, q4):
        adds_up(row)
    # the summary holds the replayed quarters only: 0 − 3,500
    assert document["summary"]["proposed_total"] == -3500.0
    assert document["warnings"] == []


def test_a_replay_ending_mid_year_warns_once_that_the_true_up_is_not_reached(tmp_path):
    document = replay(tmp_path, plan_yaml(), YEAR_ACCOUNTS, YEAR_PAYOUTS, "--quarters", "2", "--through", "2026Q2")
    assert document["quarters"] == ["2026Q1", "2026Q2"]
    rows = by_row(document)
    assert [rows[q, "C1"]["proposed"] for q in ("2026Q1", "2026Q2")] == [3750.0, 3750.0]
    assert len(document["warnings"]) == 1
    assert "true-up" in document["warnings"][0] and "2026Q4" in document["warnings"][0]


# --- halves and fiscal years ------------------------------------------------------------------------------------


def test_half_year_periods_are_q1_q2_and_q3_q4(tmp_path):
    # H1 = Q1, Q2: Q1 E 7,500, pay round(0.5 × 7,500) = 3,750; Q2 is H1's last quarter: true-up 15,000 − 3,750 = 11,250.
    # H2 = Q3, Q4, a new fold starting at Q3's arr_start 110,000:
    #   Q3: −20,000 → NRR_D 90,000 / 110,000 = 0.8181… → f 0 → E 0 → pay 0
    #   Q4: −20,000 + 2,000 → 92,000 / 110,000 = 0.8363… → f 0 → E 0 → true-up 0 − 0 = 0
    document = replay(tmp_path, plan_yaml(period="half"), YEAR_ACCOUNTS, YEAR_PAYOUTS, "--quarters", "4")
    q = [by_row(document)[f"2026Q{i}", "C1"] for i in range(1, 5)]
    assert [r["period"] for r in q] == ["2026H1", "2026H1", "2026H2", "2026H2"]
    assert [r["earned_to_date"] for r in q] == [7500.0, 15000.0, 0.0, 0.0]
    assert [r["proposed"] for r in q] == [3750.0, 11250.0, 0.0, 0.0]
    assert [r["components"]["retention"]["metric"] for r in q] == pytest.approx(
        [1.10, 1.10, 90000 / 110000, 92000 / 110000])
    # Q3 opens a new period: its payout is its whole term (0), not 0 − 15,000
    assert q[2]["components"]["retention"]["payout"] == 0.0
    for row in q:
        adds_up(row)
    assert document["warnings"] == []


FISCAL_MAP = """\
version: 1
fiscal_year: {first_month: 2}
tables:
  accounts:
    files: accounts.csv
    columns: {quarter: quarter, account_id: account_id, csm_id: csm_id, arr_start: arr_start, expansion: expansion,
              contraction: contraction, churn: churn}
  roster:
    files: roster.csv
    columns: {csm_id: csm_id, name: name, segment: segment, annual_base: annual_base,
              annual_variable: annual_variable}
  payouts:
    files: payouts.csv
    columns: {quarter: quarter, csm_id: csm_id, amount: amount}
"""


@pytest.mark.parametrize("period, labels", [("year", ["FY2027"] * 4),
                                            ("half", ["FY2027H1", "FY2027H1", "FY2027H2", "FY2027H2"])])
def test_a_fiscal_year_from_the_data_map_is_the_period(tmp_path, period, labels):
    # The same book in FY2027Q1 … FY2027Q4 (a year from February, declared by the data map): the same
    # arithmetic as the calendar year above, under fiscal labels.
    accounts = YEAR_ACCOUNTS.replace("2026Q", "FY2027Q")
    payouts = YEAR_PAYOUTS.replace("2026Q", "FY2027Q")
    document = replay(tmp_path, plan_yaml(period=period), accounts, payouts, "--quarters", "4",
                      **{"cscomp-data.yaml": FISCAL_MAP})
    q = [by_row(document)[f"FY2027Q{i}", "C1"] for i in range(1, 5)]
    assert [r["period"] for r in q] == labels
    expected = [3750.0, 3750.0, 0.0, -3500.0] if period == "year" else [3750.0, 11250.0, 0.0, 0.0]
    assert [r["proposed"] for r in q] == expected
    assert document["warnings"] == []


# --- targets to date ---------------------------------------------------------------------------------------------

EXPANSION_GOAL = """\
  - id: growth
    metric: expansion_arr
    weight: 1
    target: {pct_of_start_arr: 0.08}
    curve: [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]
"""


def test_a_pct_of_start_arr_target_is_earned_evenly_over_the_period(tmp_path):
    # start_arr of the folded book 100,000 (A1) + 50,000 (A2) = 150,000 in Q1; the year's target
    # 0.08 × 150,000 = 12,000, to date 12,000 × |D| / 4:
    #   Q1 target 3,000, expansion 1,500           → attainment 0.5 → f 0.5 → round(5,000 × 0.5) = 2,500
    #   Q2 target 6,000, expansion 1,500 + 4,500   → 1.0 → f 1 → 10,000
    #   Q3 target 9,000, expansion 6,000 + 7,500   → 1.5 → f 1.5 → 15,000 × 1.5 = 22,500
    # (A3, a new logo of Q2 with arr_start 0 there, has no row in Q1: the fold's start counts it at 0.)
    accounts = """\
    quarter,account_id,csm_id,arr_start,expansion,contraction,churn
    2026Q1,A1,C1,100000,1500,0,0
    2026Q1,A2,C1,50000,0,0,0
    2026Q2,A1,C1,101500,0,0,0
    2026Q2,A2,C1,50000,4000,0,0
    2026Q2,A3,C1,0,500,0,0
    2026Q3,A1,C1,101500,7500,0,0
    2026Q3,A2,C1,54000,0,0,0
    2026Q3,A3,C1,500,0,0,0
    """
    payouts = "quarter,csm_id,amount\n2026Q1,C1,1\n2026Q2,C1,1\n2026Q3,C1,1\n"
    document = replay(tmp_path, plan_yaml(advance=1.0, components=EXPANSION_GOAL), textwrap.dedent(accounts), payouts,
                      "--quarters", "3")
    q = [by_row(document)[f"2026Q{i}", "C1"]["components"]["growth"] for i in range(1, 4)]
    assert [c["target"] for c in q] == [3000.0, 6000.0, 9000.0]
    assert [c["metric"] for c in q] == [1500.0, 6000.0, 13500.0]
    assert [c["attainment"] for c in q] == pytest.approx([0.5, 1.0, 1.5])
    assert [c["earned_to_date"] for c in q] == [2500.0, 10000.0, 22500.0]


QUOTA_GOAL = """\
  - id: growth
    metric: expansion_arr
    weight: 1
    target: quotas
    curve: [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]
"""
QUOTA_ACCOUNTS = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn
2026Q1,A1,C1,100000,2000,0,0
2026Q2,A1,C1,102000,4000,0,0
2026Q3,A1,C1,106000,3000,0,0
"""
QUOTA_PAYOUTS = "quarter,csm_id,amount\n2026Q1,C1,1\n2026Q2,C1,1\n2026Q3,C1,1\n"


def test_a_quota_target_to_date_is_the_sum_of_the_quotas_so_far(tmp_path):
    # quotas 4,000, 2,000, 3,000 → to date 4,000, 6,000, 9,000; expansion to date 2,000, 6,000, 9,000
    #   Q1 attainment 0.5 → 2,500;  Q2 1.0 → 10,000;  Q3 1.0 → 15,000
    quotas = ("quarter,csm_id,component,target\n2026Q1,C1,growth,4000\n2026Q2,C1,growth,2000\n"
              "2026Q3,C1,growth,3000\n")
    document = replay(tmp_path, plan_yaml(advance=1.0, components=QUOTA_GOAL), QUOTA_ACCOUNTS, QUOTA_PAYOUTS,
                      "--quarters", "3", quotas=quotas)
    q = [by_row(document)[f"2026Q{i}", "C1"]["components"]["growth"] for i in range(1, 4)]
    assert [c["target"] for c in q] == [4000.0, 6000.0, 9000.0]
    assert [c["attainment"] for c in q] == pytest.approx([0.5, 1.0, 1.0])
    assert [c["earned_to_date"] for c in q] == [2500.0, 10000.0, 15000.0]


def test_a_missing_quota_in_a_quarter_of_the_period_names_the_row_to_add(tmp_path):
    # Q3's target is the sum over Q1–Q3, so the missing 2026Q2 row is needed even though Q2 has its own.
    quotas = "quarter,csm_id,component,target\n2026Q1,C1,growth,4000\n2026Q3,C1,growth,3000\n"
    folder = write_files(tmp_path / "data", accounts=QUOTA_ACCOUNTS, roster=ROSTER, payouts=QUOTA_PAYOUTS,
                         quotas=quotas)
    plan_file = write_files(tmp_path, **{"plan.yaml": plan_yaml(components=QUOTA_GOAL)}) / "plan.yaml"
    result = run("stress-test", plan_file, "--data", folder, "--quarters", "3", "--format", "json")
    assert_user_error(result, "quotas.csv", "2026Q2,C1,growth,")  # the row to add



def test_no_quota_is_needed_in_a_quarter_of_the_period_the_csm_is_not_replayed_in(tmp_path):
    # A1 is C2's in Q2, so C1 is not replayed then and needs no Q2 quota: C1's Q3 target is 4,000 + 3,000 = 7,000.
    # C1's to-date book at Q3 is A1 folded over Q1–Q3 whoever owned it: expansion 2,000 + 4,000 + 3,000 = 9,000 →
    # attainment 9,000 / 7,000 = 1.285714286 → f the same; TV_D 3 × 5,000 (Q2's roster row counts) = 15,000 →
    # round(15,000 × 1.285714286) = 19,285.71.
    accounts = QUOTA_ACCOUNTS.replace("2026Q2,A1,C1", "2026Q2,A1,C2")
    payouts = "quarter,csm_id,amount\n2026Q1,C1,1\n2026Q2,C2,1\n2026Q3,C1,1\n"
    quotas = ("quarter,csm_id,component,target\n2026Q1,C1,growth,4000\n2026Q3,C1,growth,3000\n"
              "2026Q2,C2,growth,1000\n")
    document = replay(tmp_path, plan_yaml(advance=1.0, components=QUOTA_GOAL), accounts, payouts, "--quarters", "3",
                      roster=ROSTER + "C2,Bo,Enterprise,80000,20000\n", quotas=quotas)
    q3 = by_row(document)["2026Q3", "C1"]["components"]["growth"]
    assert (q3["metric"], q3["target"]) == (9000.0, 7000.0)
    assert q3["earned_to_date"] == 19285.71


def test_tiers_and_modifiers_are_measured_to_date(tmp_path):
    # A commission with tiers on a pct_of_start_arr target: 0.04 × 100,000 × |D| / 4 = 1,000 × |D|; 5 % up to
    # the target, 10 % above it; halved while NRR to date is below 1.0. YEAR_ACCOUNTS' expansion to date:
    # 10,000, 10,000, 10,000, 12,000; NRR_D 1.10, 1.10, 0.90, 0.92.
    #   Q1: 5 % × 1,000 + 10 % × 9,000 = 950;   Q2: 5 % × 2,000 + 10 % × 8,000 = 900
    #   Q3: (150 + 700) × 0.5 = 425;             Q4: (200 + 800) × 0.5 = 500
    # With retention 7,500, 15,000, 0, 4,000: E = 8,450, 15,900, 425, 4,500; advance 1:
    # pay 8,450; 7,450; max(0, 425 − 15,900) = 0; true-up 4,500 − 15,900 = −11,400.
    components = f"""\
  - id: retention
    metric: nrr
    weight: 1
    target: 1.0
    curve: {NRR_CURVE}
  - id: upsell
    kind: commission
    metric: expansion_arr
    tiers: [{{up_to: 1.0, rate: 0.05}}, {{rate: 0.10}}]
    target: {{pct_of_start_arr: 0.04}}
"""
    gate = "modifiers:\n  - id: gate\n    when: {metric: nrr, below: 1.0}\n    multiply: 0.5\n    applies_to: [upsell]\n"
    document = replay(tmp_path, plan_yaml(advance=1.0, components=components, extra=gate), YEAR_ACCOUNTS,
                      YEAR_PAYOUTS, "-n", "4")
    q = [by_row(document)[f"2026Q{i}", "C1"] for i in range(1, 5)]
    assert [r["components"]["upsell"]["target"] for r in q] == [1000.0, 2000.0, 3000.0, 4000.0]
    assert [r["components"]["upsell"]["earned_to_date"] for r in q] == [950.0, 900.0, 425.0, 500.0]
    assert [r["earned_to_date"] for r in q] == [8450.0, 15900.0, 425.0, 4500.0]
    assert [r["proposed"] for r in q] == [8450.0, 7450.0, 0.0, -11400.0]
    for row in q:
        adds_up(row)


def test_a_period_starting_before_the_data_starts_at_its_first_quarter(tmp_path):
    # accounts.csv starts at 2026Q2: the year's to-date quarters start there (one warning), so Q2 has |D| = 1:
    # target 0.08 × 100,000 × 1/4 = 2,000, expansion 1,000 → 0.5 → round(5,000 × 0.5) = 2,500; Q3 |D| = 2:
    # target 4,000, expansion 2,000 → 0.5 → 10,000 × 0.5 = 5,000.
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                "2026Q2,A1,C1,100000,1000,0,0\n2026Q3,A1,C1,101000,1000,0,0\n")
    payouts = "quarter,csm_id,amount\n2026Q2,C1,1\n2026Q3,C1,1\n"
    document = replay(tmp_path, plan_yaml(advance=1.0, components=EXPANSION_GOAL), accounts, payouts, "-n", "2")
    q = [by_row(document)[f"2026Q{i}", "C1"] for i in (2, 3)]
    assert [r["components"]["growth"]["target"] for r in q] == [2000.0, 4000.0]
    assert [r["earned_to_date"] for r in q] == [2500.0, 5000.0]
    starts = [w for w in document["warnings"] if "starts at 2026Q1" in w]
    assert len(starts) == 1 and "2026Q2" in starts[0]


# --- caps to date -------------------------------------------------------------------------------------------------


def test_the_plan_cap_to_date_is_cap_times_tv_to_date_and_its_adjustment_may_be_positive(tmp_path):
    # cap 1.2, advance 1. The uncapped terms (YEAR_ACCOUNTS): 7,500, 15,000, 0, 4,000; the cap to date
    # round(1.2 × 5,000 × |D|) = 6,000, 12,000, 18,000, 24,000 → E = 6,000, 12,000, 0, 4,000; the to-date cap
    # adjustment −1,500, −3,000, 0, 0, reported as its increase: −1,500, −1,500, +3,000, 0.
    # pay: 6,000; 12,000 − 6,000 = 6,000; max(0, 0 − 12,000) = 0; true-up 4,000 − 12,000 = −8,000.
    document = replay(tmp_path, plan_yaml(advance=1.0, extra="cap: 1.2\n"), YEAR_ACCOUNTS, YEAR_PAYOUTS, "-n", "4")
    q = [by_row(document)[f"2026Q{i}", "C1"] for i in range(1, 5)]
    assert [r["earned_to_date"] for r in q] == [6000.0, 12000.0, 0.0, 4000.0]
    assert [r["components"]["retention"]["earned_to_date"] for r in q] == [7500.0, 15000.0, 0.0, 4000.0]
    assert [r["cap_adjustment"] for r in q] == [-1500.0, -1500.0, 3000.0, 0.0]
    assert [r["proposed"] for r in q] == [6000.0, 6000.0, 0.0, -8000.0]
    # advance_adjustment = pay − (E(q) − E(prev)): 6,000 − 6,000; 6,000 − 6,000; 0 − (0 − 12,000); −8,000 − 4,000
    assert [r["advance_adjustment"] for r in q] == [0.0, 0.0, 12000.0, -12000.0]
    for row in q:
        adds_up(row)
    assert sum(r["proposed"] for r in q) == q[-1]["earned_to_date"]


COMMISSION = """\
  - id: upsell
    kind: commission
    metric: expansion_arr
    rate: 0.10
    cap: 500
"""


def test_a_commissions_own_cap_grows_with_the_quarters_to_date(tmp_path):
    # 10 % of expansion to date, capped at 500 × |D|:
    #   Q1 10,000 → 1,000 vs cap 500 → 500;  Q2 10,000 → 1,000 vs 1,000 → 1,000;  Q3 10,000 → 1,000 vs 1,500 → 1,000
    #   Q4 12,000 → 1,200 vs 2,000 → 1,200 (payouts 500, 500, 0, 200)
    accounts = YEAR_ACCOUNTS.replace("2026Q3,A1,C1,110000,0,20000", "2026Q3,A1,C1,110000,0,0").replace(
        "2026Q4,A1,C1,90000,2000", "2026Q4,A1,C1,110000,2000")
    document = replay(tmp_path, plan_yaml(advance=1.0, components=COMMISSION), accounts, YEAR_PAYOUTS, "-n", "4")
    q = [by_row(document)[f"2026Q{i}", "C1"] for i in range(1, 5)]
    assert [r["components"]["upsell"]["earned_to_date"] for r in q] == [500.0, 1000.0, 1000.0, 1200.0]
    assert [r["components"]["upsell"]["payout"] for r in q] == [500.0, 500.0, 0.0, 200.0]
    assert [r["proposed"] for r in q] == [500.0, 500.0, 0.0, 200.0]  # advance 1: each quarter pays its increase


# --- TV to date ---------------------------------------------------------------------------------------------------

# A curve that pays f = 1 whatever the book (the number of accounts is ≥ 0, the curve's only point): E = round(TV_D).
FLAT_TERM = """\
  - id: presence
    metric: accounts
    measure: value
    weight: 1
    curve: [[0, 1.0]]
"""
FOUR_QUARTERS = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn
2026Q1,A1,C1,100000,0,0,0
2026Q2,A1,C1,100000,0,0,0
2026Q3,A1,C1,100000,0,0,0
2026Q4,A1,C1,100000,0,0,0
"""


@pytest.mark.parametrize("roster", [
    # pay history: 20,000 a year until 31 March, 40,000 from 1 April
    "csm_id,name,segment,annual_base,annual_variable,effective_date\n"
    "C1,Ana,Enterprise,80000,20000,\nC1,Ana,Enterprise,80000,40000,2026-04-01\n",
    # quarter rows
    "csm_id,name,segment,annual_base,annual_variable,quarter\n"
    "C1,Ana,Enterprise,80000,20000,2026Q1\nC1,Ana,Enterprise,80000,40000,2026Q2\n"
    "C1,Ana,Enterprise,80000,40000,2026Q3\nC1,Ana,Enterprise,80000,40000,2026Q4\n",
], ids=["effective_date", "quarter_rows"])
def test_tv_to_date_adds_each_quarters_own_tv_across_a_raise(tmp_path, roster):
    # TV: Q1 5,000, then 10,000 a quarter → TV_D 5,000, 15,000, 25,000, 35,000; f 1 → E = TV_D.
    # advance 0.5: 2,500; 7,500 − 2,500 = 5,000; 12,500 − 7,500 = 5,000; true-up 35,000 − 12,500 = 22,500.
    document = replay(tmp_path, plan_yaml(components=FLAT_TERM), FOUR_QUARTERS, YEAR_PAYOUTS, "-n", "4", roster=roster)
    q = [by_row(document)[f"2026Q{i}", "C1"] for i in range(1, 5)]
    assert [r["target_variable"] for r in q] == [5000.0, 10000.0, 10000.0, 10000.0]
    assert [r["earned_to_date"] for r in q] == [5000.0, 15000.0, 25000.0, 35000.0]
    assert [r["proposed"] for r in q] == [2500.0, 5000.0, 5000.0, 22500.0]


def test_a_mid_year_hire_has_tv_0_before_the_start_and_a_prorated_first_quarter(tmp_path):
    # Cy starts 2026-08-16: Q3 (92 days, 1 July – 30 September) employed 16 + 30 = 46 days → TV 5,000 × 46/92 = 2,500;
    # Q1 and Q2 have a roster row but no employed day → TV 0. TV_D: Q3 0 + 0 + 2,500 = 2,500; Q4 7,500.
    # advance 0.5: Q3 round(0.5 × 2,500) = 1,250; true-up 7,500 − 1,250 = 6,250; Σ 7,500 = E(Q4).
    roster = ("csm_id,name,segment,annual_base,annual_variable,start_date\nC1,Ana,Enterprise,80000,20000,\n"
              "C3,Cy,Enterprise,80000,20000,2026-08-16\n")
    accounts = FOUR_QUARTERS + "2026Q3,A3,C3,50000,0,0,0\n2026Q4,A3,C3,50000,0,0,0\n"
    payouts = YEAR_PAYOUTS + "2026Q3,C3,1000\n2026Q4,C3,1000\n"
    document = replay(tmp_path, plan_yaml(components=FLAT_TERM), accounts, payouts, "-n", "4", roster=roster)
    rows = by_row(document)
    assert ("2026Q1", "C3") not in rows and ("2026Q2", "C3") not in rows
    q3, q4 = rows["2026Q3", "C3"], rows["2026Q4", "C3"]
    assert q3["target_variable"] == 2500.0
    assert [q3["earned_to_date"], q4["earned_to_date"]] == [2500.0, 7500.0]
    assert [q3["proposed"], q4["proposed"]] == [1250.0, 6250.0]
    # C1 beside: TV_D 5,000 × |D|; pays 2,500, 2,500, 2,500, 20,000 − 7,500 = 12,500
    assert [rows[f"2026Q{i}", "C1"]["proposed"] for i in range(1, 5)] == [2500.0, 2500.0, 2500.0, 12500.0]


def test_a_quarter_with_a_roster_row_but_no_replay_still_counts_in_tv_to_date(tmp_path):
    # C1 owns nothing in Q2 and has no payout there: not replayed in Q2, but the roster row holds for
    # every quarter, so TV(Q2) = 5,000 counts: TV_D Q1 5,000, Q3 15,000, Q4 20,000.
    # advance 0.5: Q1 2,500; Q3 round(0.5 × 15,000) − 2,500 = 5,000 (Q2 has no pay); true-up 20,000 − 7,500 = 12,500.
    accounts = FOUR_QUARTERS.replace("2026Q2,A1,C1", "2026Q2,A1,C2")
    payouts = "quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q2,C2,5000\n2026Q3,C1,5000\n2026Q4,C1,5000\n"
    roster = ROSTER + "C2,Bo,Enterprise,80000,20000\n"
    document = replay(tmp_path, plan_yaml(components=FLAT_TERM), accounts, payouts, "-n", "4", roster=roster)
    rows = by_row(document)
    assert ("2026Q2", "C1") not in rows
    q = [rows[f"2026Q{i}", "C1"] for i in (1, 3, 4)]
    assert [r["earned_to_date"] for r in q] == [5000.0, 15000.0, 20000.0]
    assert [r["proposed"] for r in q] == [2500.0, 5000.0, 12500.0]
    # Q3's payout is the increase over C1's previous replayed quarter, Q1: 15,000 − 5,000
    assert q[1]["components"]["presence"]["payout"] == 10000.0
    for row in q:
        adds_up(row)


def test_a_quarter_without_a_roster_row_adds_no_tv(tmp_path):
    # Quarter rows for Q1, Q3 and Q4 only: C1 is not replayed in Q2 and has no row for it, so TV(Q2) = 0:
    # TV_D Q1 5,000, Q3 10,000, Q4 15,000; pays 2,500; 5,000 − 2,500 = 2,500; 15,000 − 5,000 = 10,000.
    accounts = FOUR_QUARTERS.replace("2026Q2,A1,C1", "2026Q2,A1,C2")
    payouts = "quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q2,C2,5000\n2026Q3,C1,5000\n2026Q4,C1,5000\n"
    roster = ("csm_id,name,segment,annual_base,annual_variable,quarter\n"
              "C1,Ana,Enterprise,80000,20000,2026Q1\nC1,Ana,Enterprise,80000,20000,2026Q3\n"
              "C1,Ana,Enterprise,80000,20000,2026Q4\nC2,Bo,Enterprise,80000,20000,2026Q2\n")
    document = replay(tmp_path, plan_yaml(components=FLAT_TERM), accounts, payouts, "-n", "4", roster=roster)
    q = [by_row(document)[f"2026Q{i}", "C1"] for i in (1, 3, 4)]
    assert [r["earned_to_date"] for r in q] == [5000.0, 10000.0, 15000.0]
    assert [r["proposed"] for r in q] == [2500.0, 2500.0, 10000.0]


# --- scope: team to date ---------------------------------------------------------------------------------------


def test_a_team_metric_to_date_folds_the_teams_book_over_the_period(tmp_path):
    # Team T: C1 (A1 100,000) and C2 (A2 100,000). Q1 A1 +10,000; Q2 A2 −10,000 contraction. Half-year, advance 1.
    #   Q1: team NRR_D 210,000 / 200,000 = 1.05 → f 1.25 → each round(5,000 × 1.25) = 6,250
    #   Q2: (200,000 + 10,000 − 10,000) / 200,000 = 1.0 → f 1 → each 10,000; true-up 10,000 − 6,250 = 3,750
    # (C1 alone would be 1.10 to date: f 1.5 → 15,000.)
    roster = ("csm_id,name,segment,annual_base,annual_variable,team\nC1,Ana,Enterprise,80000,20000,T\n"
              "C2,Bo,Enterprise,80000,20000,T\n")
    accounts = """\
    quarter,account_id,csm_id,arr_start,expansion,contraction,churn
    2026Q1,A1,C1,100000,10000,0,0
    2026Q1,A2,C2,100000,0,0,0
    2026Q2,A1,C1,110000,0,0,0
    2026Q2,A2,C2,100000,0,10000,0
    """
    payouts = "quarter,csm_id,amount\n2026Q1,C1,1\n2026Q1,C2,1\n2026Q2,C1,1\n2026Q2,C2,1\n"
    team = f"""\
  - id: retention
    metric: nrr
    scope: team
    weight: 1
    target: 1.0
    curve: {NRR_CURVE}
"""
    document = replay(tmp_path, plan_yaml(period="half", advance=1.0, components=team), textwrap.dedent(accounts),
                      payouts, "-n", "2", roster=roster)
    rows = by_row(document)
    for csm in ("C1", "C2"):
        q1, q2 = rows["2026Q1", csm], rows["2026Q2", csm]
        assert [q1["components"]["retention"]["metric"], q2["components"]["retention"]["metric"]] == pytest.approx(
            [1.05, 1.0])
        assert [q1["earned_to_date"], q2["earned_to_date"]] == [6250.0, 10000.0]
        assert [q1["proposed"], q2["proposed"]] == [6250.0, 3750.0]


# --- properties of the pay recursion ----------------------------------------------------------------------------


def _spec_pay(earned: list[int], advance: float, recover: bool) -> list[int]:
    """SPEC 6.4 written out, one quarter at a time (cents): before the last quarter
    pay = max(0, round(advance × E) − paid_before); in it, E − paid_before (0 when negative, unless recover)."""
    from cscomp_cli.core.rounding import to_cents

    pays, paid = [], 0
    for i, e in enumerate(earned):
        if i == len(earned) - 1:
            pay = e - paid if recover or e >= paid else 0
        else:
            pay = max(0, int(to_cents(np.array([advance * e / 100]))[0]) - paid)
        pays.append(pay)
        paid += pay
    return pays


earned_cents = st.lists(st.integers(min_value=-5_000_000, max_value=5_000_000), min_size=1, max_size=4)


@given(periods=st.lists(earned_cents, min_size=1, max_size=4), advance=st.floats(min_value=0, max_value=1),
       recover=st.booleans())
@settings(max_examples=300, deadline=None)
def test_the_vectorised_pay_is_the_recursion_and_telescopes(periods, advance, recover):
    from types import SimpleNamespace

    from cscomp_cli.engine.periods import pay_in_quarters

    length = 4
    span = pd.DataFrame({
        "csm_id": [f"C{p % 2}" for p, e in enumerate(periods) for _ in e],
        "period": [str(2020 + p) for p, e in enumerate(periods) for _ in e],
        "earned_to_date_cents": np.array([x for e in periods for x in e], dtype="int64"),
        # each period's quarters end on its last when it has all four, else the true-up is not reached
        "true_up": [i == len(e) - 1 and len(e) == length for e in periods for i in range(len(e))],
    })
    pay_in_quarters(SimpleNamespace(advance=advance, recover=recover), span)
    pay = span["pay_cents"].to_numpy()
    start = 0
    for e in periods:
        mine = pay[start:start + len(e)].tolist()
        if len(e) == length:
            assert mine == _spec_pay(e, advance, recover)
            if recover:
                assert sum(mine) == e[-1]  # Σ pay over the period = E(last quarter)
            else:
                assert sum(mine) >= e[-1] and mine[-1] >= 0
        else:  # no true-up reached: every quarter an advance
            assert mine == _spec_pay(e + [0], advance, recover)[:len(e)]
        advances = mine if len(e) < length else mine[:-1]
        assert all(p >= 0 for p in advances)  # an advance is never negative
        assert sum(advances) <= max(0, max(int(round(advance * x)) for x in e)) + 1  # never above the top advance
        start += len(e)


movement = st.integers(min_value=0, max_value=30_000)


@given(moves=st.lists(st.tuples(movement, movement), min_size=4, max_size=4),
       advance=st.sampled_from([0.0, 0.25, 0.5, 0.75, 0.9, 1.0]), cap=st.sampled_from([None, 1.1, 2.0]))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_a_replayed_year_pays_exactly_what_it_earns_when_recovered(tmp_path_factory, moves, advance, cap):
    # Through the whole engine: random expansion and contraction each quarter, a curve and a commission.
    rows, arr = [], 100_000
    for q, (up, down) in enumerate(moves, start=1):
        down = min(down, arr + up)
        rows.append(f"2026Q{q},A1,C1,{arr},{up},{down},0")
        arr += up - down
    accounts = "quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n" + "\n".join(rows) + "\n"
    components = f"""\
  - id: retention
    metric: nrr
    weight: 1
    target: 1.0
    curve: {NRR_CURVE}
  - id: upsell
    kind: commission
    metric: expansion_arr
    rate: 0.05
    cap: 400
"""
    plan = plan_yaml(advance=advance, extra=f"cap: {cap}\n" if cap else "", components=components)
    document = replay(tmp_path_factory.mktemp("year"), plan, accounts, YEAR_PAYOUTS, "--quarters", "4")
    q = [by_row(document)[f"2026Q{i}", "C1"] for i in range(1, 5)]
    assert sum(r["proposed"] for r in q) == pytest.approx(q[-1]["earned_to_date"], abs=0.005)
    assert all(r["proposed"] >= 0 for r in q[:3])
    for row in q:
        adds_up(row)


def test_a_team_to_date_keeps_the_accounts_of_a_teammate_no_longer_replayed(tmp_path):
    # Team T: C1 (A1 100,000, flat) and C2 (A2 100,000, +10,000 in Q1). In Q2 C2 is gone and A2 is C3's (team U).
    # T's book to date at Q2 is every account in T's book in Q1 or Q2 (by each quarter's owners): A1 and A2, A2 folded
    # from its Q1 start: (100,000 + 110,000) / 200,000 = 1.05 → f 1.25 → TV_D 10,000 × 1.25 = 12,500 for C1.
    # U's book to date at Q2: A3 (both quarters) and A2 (Q2), A2 also from its Q1 start → 1.05 → 12,500 for C3.
    # Half-year, advance 1: C1 pays 6,250 then the true-up 12,500 − 6,250 = 6,250; C3 5,000 (Q1: A3 flat, 1.0),
    # then 12,500 − 5,000 = 7,500.
    roster = ("csm_id,name,segment,annual_base,annual_variable,team\nC1,Ana,Enterprise,80000,20000,T\n"
              "C2,Bo,Enterprise,80000,20000,T\nC3,Cy,Enterprise,80000,20000,U\n")
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                "2026Q1,A1,C1,100000,0,0,0\n2026Q1,A2,C2,100000,10000,0,0\n2026Q1,A3,C3,100000,0,0,0\n"
                "2026Q2,A1,C1,100000,0,0,0\n2026Q2,A2,C3,110000,0,0,0\n2026Q2,A3,C3,100000,0,0,0\n")
    payouts = "quarter,csm_id,amount\n2026Q1,C1,1\n2026Q1,C2,1\n2026Q1,C3,1\n2026Q2,C1,1\n2026Q2,C3,1\n"
    team = f"""\
  - id: retention
    metric: nrr
    scope: team
    weight: 1
    target: 1.0
    curve: {NRR_CURVE}
"""
    rows = by_row(replay(tmp_path, plan_yaml(period="half", advance=1.0, components=team), accounts, payouts, "-n", "2",
                         roster=roster))
    assert ("2026Q2", "C2") not in rows
    assert rows["2026Q2", "C1"]["components"]["retention"]["metric"] == pytest.approx(1.05)
    assert rows["2026Q2", "C3"]["components"]["retention"]["metric"] == pytest.approx(1.05)
    assert [rows[q, "C1"]["proposed"] for q in ("2026Q1", "2026Q2")] == [6250.0, 6250.0]
    assert [rows[q, "C3"]["proposed"] for q in ("2026Q1", "2026Q2")] == [5000.0, 7500.0]


def test_compare_replays_a_year_and_a_half_year_plan_as_stress_test_does(tmp_path):
    # compare shares its caches between plans; a year plan and a half-year plan replayed from Q2 both need Q1
    # worked out before the replay, but to different ends. Over Q2–Q4 (YEAR_ACCOUNTS, advance 0.5):
    #   year: 3,750 + 0 − 3,500 = 250;   half: the H1 true-up 11,250 + 0 + 0 = 11,250.
    folder = write_files(tmp_path / "data", accounts=YEAR_ACCOUNTS, roster=ROSTER, payouts=YEAR_PAYOUTS)
    year = write_files(tmp_path, **{"year.yaml": plan_yaml(period="year")}) / "year.yaml"
    half = write_files(tmp_path, **{"half.yaml": plan_yaml(period="half")}) / "half.yaml"
    for plans in ((year, half), (half, year)):
        document = run_json("compare", *plans, "--data", folder, "-n", "3")
        totals = {column["label"]: column["proposed_total"] for column in document["plans"]}
        assert totals == {"year": 250.0, "half": 11250.0}


def test_risk_adjust_in_a_period_uses_the_quarters_own_book(tmp_path):
    # risk_adjust 0.5 on a target of 1.0; risk is the arr_start-weighted mean over the base.
    #   Q1: C1 0.2, company (0.2 × 100,000 + 0.6 × 100,000) / 200,000 = 0.4 → target 1 + 0.5 × (0.2 − 0.4) = 0.9
    #   Q2 (q's own books, not the folded ones): C1 0.6 on 110,000, C2 0.2 on 100,000 → company
    #       (66,000 + 20,000) / 210,000 = 0.409523810 → C1 1 + 0.5 × (0.6 − 0.409523810) = 1.095238095,
    #       C2 1 + 0.5 × (0.2 − 0.409523810) = 0.895238095.
    # C1's NRR to date at Q2 is 1.1: attainment 1.1 / 1.095238095 = 1.004347826 → f 1.021739130 →
    # round(10,000 × 1.021739130) = 10,217.39.
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn,risk\n"
                "2026Q1,A1,C1,100000,10000,0,0,0.2\n2026Q1,A2,C2,100000,0,0,0,0.6\n"
                "2026Q2,A1,C1,110000,0,0,0,0.6\n2026Q2,A2,C2,100000,0,0,0,0.2\n")
    payouts = "quarter,csm_id,amount\n2026Q1,C1,1\n2026Q1,C2,1\n2026Q2,C1,1\n2026Q2,C2,1\n"
    components = f"""\
  - id: retention
    metric: nrr
    weight: 1
    target: 1.0
    risk_adjust: 0.5
    curve: {NRR_CURVE}
"""
    rows = by_row(replay(tmp_path, plan_yaml(period="half", advance=1.0, components=components), accounts, payouts,
                         "-n", "2", roster=ROSTER + "C2,Bo,Enterprise,80000,20000\n"))
    targets = {key: row["components"]["retention"]["target"] for key, row in rows.items()}
    assert targets == pytest.approx({("2026Q1", "C1"): 0.9, ("2026Q1", "C2"): 1.1,
                                     ("2026Q2", "C1"): 1.095238095, ("2026Q2", "C2"): 0.895238095})
    assert rows["2026Q2", "C1"]["earned_to_date"] == 10217.39


def test_replay_periods_holds_the_unreported_quarters_and_what_was_paid_before(tmp_path):
    # The engine's view of the mid-year start above: Q1 and Q2 worked out but not reported.
    from cscomp_cli.engine.replay import replay as replay_plan
    from cscomp_cli.inputs.dataset import load_dataset
    from cscomp_cli.plan.loading import parse_plan

    folder = write_files(tmp_path / "data", accounts=YEAR_ACCOUNTS, roster=ROSTER, payouts=YEAR_PAYOUTS)
    result = replay_plan(parse_plan(plan_yaml()), load_dataset(folder), 2)
    span = result.periods.rows
    assert span["quarter"].tolist() == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert span["reported"].tolist() == [False, False, True, True]
    assert span["to_date_quarters"].tolist() == [1, 2, 3, 4]
    assert span["tv_to_date"].tolist() == pytest.approx([5000, 10000, 15000, 20000])
    assert span["earned_to_date_cents"].tolist() == [7500_00, 15000_00, 0, 4000_00]
    # round(0.5 × E): 3,750, 7,500, 0, 2,000 (the last is not used: Q4 is the true-up)
    assert span["advanced_cents"].tolist() == [3750_00, 7500_00, 0, 2000_00]
    assert span["paid_before_cents"].tolist() == [0, 3750_00, 7500_00, 7500_00]
    assert span["pay_cents"].tolist() == [3750_00, 3750_00, 0, -3500_00]
    assert span["true_up"].tolist() == [False, False, False, True]
    assert [result.periods.row_of(i) for i in range(len(result.rows))] == [2, 3]
    assert result.rows["proposed_cents"].tolist() == [0, -3500_00]


def test_a_quarter_missing_from_accounts_csv_still_counts_in_tv_to_date(tmp_path):
    # accounts.csv has no row at all in 2026Q2 (nobody is replayed then), but D(2026Q3) is still Q1–Q3 of the
    # year (|D| = 3) and C1's roster row holds in Q2: TV_D = 5,000 × 3 = 15,000 → E(Q3) = 15,000.
    # advance 1: Q1 pays 5,000; Q3 15,000 − 5,000 = 10,000.
    accounts = FOUR_QUARTERS.replace("2026Q2,A1,C1,100000,0,0,0\n", "").replace("2026Q4,A1,C1,100000,0,0,0\n", "")
    payouts = "quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q3,C1,5000\n"
    document = replay(tmp_path, plan_yaml(advance=1.0, components=FLAT_TERM), accounts, payouts, "-n", "2")
    rows = by_row(document)
    assert [rows[q, "C1"]["earned_to_date"] for q in ("2026Q1", "2026Q3")] == [5000.0, 15000.0]
    assert [rows[q, "C1"]["proposed"] for q in ("2026Q1", "2026Q3")] == [5000.0, 10000.0]
