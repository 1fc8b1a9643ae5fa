"""Floors under the proposed pay (SPEC 6.6): a new hire's ramp and a transition guarantee, applied after
the plan's cap (and a period's pay), never recovered. Expected figures are worked by hand."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cscomp_cli.engine.replay import replay as replay_plan
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.plan.loading import parse_plan
from tests.conftest import VECTORS, run_json, write_files

HEADER = "quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
# C1 and C2: TV 20,000 / 4 = 5,000. C3 hired 2026-02-15: 2026Q1 has 90 days, C3 is employed 15 February –
# 31 March = 14 + 31 = 45 of them → TV 30,000 / 4 × 45/90 = 3,750; from 2026Q2 TV 7,500.
ROSTER = ("csm_id,name,segment,annual_base,annual_variable,start_date\n"
          "C1,Ana,Enterprise,80000,20000,\nC2,Bo,Enterprise,80000,20000,\nC3,Cy,Enterprise,90000,30000,2026-02-15\n")
# A curve that pays f = 1 whatever the book (accounts ≥ 0 is on or past the only point): round(TV).
FLAT = """\
  - id: presence
    metric: accounts
    measure: value
    weight: 1
    curve: [[0, 1.0]]
"""
COMMISSION = """\
  - id: upsell
    kind: commission
    metric: expansion_arr
    rate: 0.10
"""


def plan_yaml(floors: str, components: str = COMMISSION, head: str = "") -> str:
    return f"name: floors\n{head}{floors}components:\n{components}"


def replay(tmp_path, plan: str, accounts: str, payouts: str, *args: str) -> dict:
    folder = write_files(tmp_path / "data", accounts=accounts, roster=ROSTER, payouts=payouts)
    plan_file = write_files(tmp_path, **{"plan.yaml": plan}) / "plan.yaml"
    return run_json("stress-test", plan_file, "--data", folder, *args)


def by_row(document: dict) -> dict:
    return {(r["quarter"], r["csm_id"]): r for r in document["rows"]}


def test_a_guarantee_compares_with_proposed_plus_the_ramp(tmp_path):
    # C3 in 2026Q1: A6 lands 12,000 of expansion → commission 1,200.
    # ramp: round(1.0 × 3,750) − 1,200 = 2,550; guarantee: round(1.0 × 5,000) − (1,200 + 2,550) = 1,250
    # (against proposed alone it would have been 3,800) → proposed 1,200 + 2,550 + 1,250 = 5,000.
    accounts = HEADER + "2026Q1,A6,C3,0,12000,0,0\n"
    document = replay(tmp_path, plan_yaml("ramp: {quarters: 2, floor: 1.0}\nguarantee: {floor: 1.0, quarters: 1}\n"),
                      accounts, "quarter,csm_id,amount\n2026Q1,C3,5000\n", "--quarters", "1")
    row = by_row(document)["2026Q1", "C3"]
    assert row["target_variable"] == 3750.0
    assert row["components"]["upsell"]["payout"] == 1200.0
    assert row["ramp_adjustment"] == 2550.0
    assert row["guarantee_adjustment"] == 1250.0
    assert row["proposed"] == 5000.0
    assert document["summary"]["ramp_total"] == 2550.0
    assert document["summary"]["guarantee_total"] == 1250.0


# Every CSM earns 10 % × 1,000 = 100 a quarter; each is paid 5,000 a quarter.
# (each account carries its ARR over: 50,000, 51,000, 52,000)
THREE_QUARTERS = HEADER + "".join(f"2026Q{q},A{c},C{c},{49_000 + 1000 * q},1000,0,0\n" for q in (1, 2, 3) for c in (1, 3))
PAID = "quarter,csm_id,amount\n" + "".join(f"2026Q{q},C{c},5000\n" for q in (1, 2, 3) for c in (1, 3))


def test_a_start_date_mid_quarter_makes_that_quarter_ramp_quarter_1(tmp_path):
    # ramp 2 quarters from 2026Q1 (which holds 2026-02-15): Q1 round(3,750) − 100 = 3,650; Q2 7,500 − 100 = 7,400;
    # Q3 is past the ramp: 0, proposed 100. C1 has no start_date: never ramped.
    document = replay(tmp_path, plan_yaml("ramp: {quarters: 2, floor: 1.0}\n"), THREE_QUARTERS, PAID, "-n", "3")
    rows = by_row(document)
    assert [rows[f"2026Q{q}", "C3"]["ramp_adjustment"] for q in (1, 2, 3)] == [3650.0, 7400.0, 0.0]
    assert [rows[f"2026Q{q}", "C3"]["proposed"] for q in (1, 2, 3)] == [3750.0, 7500.0, 100.0]
    assert [rows[f"2026Q{q}", "C1"]["ramp_adjustment"] for q in (1, 2, 3)] == [0.0, 0.0, 0.0]
    assert all("guarantee_adjustment" not in r for r in document["rows"])  # the plan has no guarantee
    assert document["summary"]["ramp_total"] == 11050.0  # 3,650 + 7,400
    assert "guarantee_total" not in document["summary"]
    assert document["warnings"] == []


def test_a_ramp_floor_below_1_pays_its_share_of_tv(tmp_path):
    # floor 0.5, 1 quarter: C3 Q1 round(0.5 × 3,750) − 100 = 1,775; Q2 not a ramp quarter.
    document = replay(tmp_path, plan_yaml("ramp: {quarters: 1, floor: 0.5}\n"), THREE_QUARTERS, PAID, "-n", "3")
    rows = by_row(document)
    assert [rows[f"2026Q{q}", "C3"]["ramp_adjustment"] for q in (1, 2, 3)] == [1775.0, 0.0, 0.0]


def test_guarantee_quarters_as_a_list_of_labels(tmp_path):
    # Only 2026Q2 is guaranteed: round(0.9 × 5,000) − 100 = 4,400 for both CSMs; Q1 and Q3 get nothing.
    document = replay(tmp_path, plan_yaml('guarantee: {floor: 0.9, quarters: ["2026Q2"]}\n'), THREE_QUARTERS, PAID,
                      "-n", "3")
    rows = by_row(document)
    for csm in ("C1", "C3"):
        assert [rows[f"2026Q{q}", csm]["guarantee_adjustment"] for q in (1, 2, 3)] == [0.0, 4400.0, 0.0]
        assert [rows[f"2026Q{q}", csm]["proposed"] for q in (1, 2, 3)] == [100.0, 4500.0, 100.0]
    assert document["summary"]["guarantee_total"] == 8800.0
    assert all("ramp_adjustment" not in r for r in document["rows"])
    assert document["warnings"] == []


def test_guarantee_quarters_as_a_number_are_the_replays_first(tmp_path):
    # quarters: 2 → 2026Q1 and 2026Q2 of the replay: 4,400 each, Q3 0.
    document = replay(tmp_path, plan_yaml("guarantee: {floor: 0.9, quarters: 2}\n"), THREE_QUARTERS, PAID, "-n", "3")
    rows = by_row(document)
    assert [rows[f"2026Q{q}", "C1"]["guarantee_adjustment"] for q in (1, 2, 3)] == [4400.0, 4400.0, 0.0]


def test_a_guarantee_when_nothing_was_actually_paid_lifts_nothing(tmp_path):
    # C1 has no payouts row in 2026Q1 (paid 0): round(0.9 × 0) − 100 < 0 → 0; proposed stays 100.
    payouts = "quarter,csm_id,amount\n2026Q1,C3,5000\n"
    document = replay(tmp_path, plan_yaml("guarantee: {floor: 0.9, quarters: 1}\n"), THREE_QUARTERS.split("2026Q2")[0],
                      payouts, "-n", "1")
    row = by_row(document)["2026Q1", "C1"]
    assert row["actual"] == 0.0
    assert row["guarantee_adjustment"] == 0.0 and row["proposed"] == 100.0


def test_a_guarantee_when_the_actual_pay_was_negative(tmp_path):
    # A clawback of all expansion commission (within 1). Q1: C1's A1 expands 20,000 (2,000), C2's A2 5,000 (500);
    # both churn in Q2 → proposed −2,000 and −500. Both were actually paid −1,000 in Q2 (a payroll clawback).
    # Guarantee 0.9 in 2026Q2: floor round(0.9 × −1,000) = −900.
    #   C1: max(0, −900 − (−2,000)) = 1,100 → proposed −900;   C2: max(0, −900 − (−500)) = 0 → proposed −500.
    accounts = HEADER + ("2026Q1,A1,C1,100000,20000,0,0\n2026Q1,A2,C2,100000,5000,0,0\n"
                         "2026Q2,A1,C1,120000,0,0,120000\n2026Q2,A2,C2,105000,0,0,105000\n")
    payouts = "quarter,csm_id,amount\n2026Q1,C1,2000\n2026Q1,C2,500\n2026Q2,C1,-1000\n2026Q2,C2,\"(1,000.00)\"\n"
    clawing = COMMISSION + "    clawback: {within: 1}\n"
    document = replay(tmp_path, plan_yaml('guarantee: {floor: 0.9, quarters: ["2026Q2"]}\n', clawing), accounts,
                      payouts, "-n", "1")
    rows = by_row(document)
    c1, c2 = rows["2026Q2", "C1"], rows["2026Q2", "C2"]
    assert (c1["actual"], c2["actual"]) == (-1000.0, -1000.0)
    assert (c1["components"]["upsell"]["payout"], c2["components"]["upsell"]["payout"]) == (-2000.0, -500.0)
    assert (c1["guarantee_adjustment"], c2["guarantee_adjustment"]) == (1100.0, 0.0)
    assert (c1["proposed"], c2["proposed"]) == (-900.0, -500.0)


def test_floors_come_after_the_plan_cap(tmp_path):
    # cap 0.01 → round(0.01 × 5,000) = 50: C1's 100 is capped to 50 (cap_adjustment −50); the guarantee
    # then lifts from 50: round(0.9 × 5,000) − 50 = 4,450 → proposed 4,500.
    document = replay(tmp_path, plan_yaml("guarantee: {floor: 0.9, quarters: 1}\n", head="cap: 0.01\n"),
                      THREE_QUARTERS, PAID, "-n", "3")
    row = by_row(document)["2026Q1", "C1"]
    assert row["cap_adjustment"] == -50.0
    assert row["guarantee_adjustment"] == 4450.0
    assert row["proposed"] == 4500.0


def test_a_floor_in_a_period_plan_is_never_recovered(tmp_path):
    # period year, advance 0.5; C1's commission to date 100 × |D|: E = 100, 200.
    # Q1: pay round(0.5 × 100) = 50; guarantee (floor 1.0, first quarter) round(5,000) − 50 = 4,950 → proposed 5,000.
    # Q2: pay round(0.5 × 200) − 50 = 50 — paid_before is the 50 of pay, not the 4,950 of guarantee.
    document = replay(tmp_path, plan_yaml("guarantee: {floor: 1.0, quarters: 1}\n",
                                          head="period: year\nadvance: 0.5\n"),
                      THREE_QUARTERS.split("2026Q3")[0], PAID.split("2026Q3")[0], "-n", "2")
    rows = by_row(document)
    q1, q2 = rows["2026Q1", "C1"], rows["2026Q2", "C1"]
    assert (q1["earned_to_date"], q2["earned_to_date"]) == (100.0, 200.0)
    assert q1["guarantee_adjustment"] == 4950.0 and q1["proposed"] == 5000.0
    assert q2["guarantee_adjustment"] == 0.0 and q2["proposed"] == 50.0
    for row in (q1, q2):
        total = (row["components"]["upsell"]["payout"] + row["cap_adjustment"] + row["advance_adjustment"]
                 + row["guarantee_adjustment"])
        assert abs(total - row["proposed"]) < 0.005


# --- floors never lower pay ---------------------------------------------------------------------------------------

amount = st.integers(min_value=0, max_value=40_000)


@st.composite
def org(draw):
    """Three quarters of two books (C1's A1 and C3's A3), any expansion and churn, any actual pay (negative too)."""
    lines, arr = [], {"A1": 50_000, "A3": 50_000}
    for q in (1, 2, 3):
        for account, csm in (("A1", "C1"), ("A3", "C3")):
            up = draw(amount)
            churn = draw(st.sampled_from([0, arr[account] + up]))
            lines.append(f"2026Q{q},{account},{csm},{arr[account]},{up},0,{churn}")
            arr[account] = arr[account] + up - churn
    paid = [f"2026Q{q},{c},{draw(st.integers(-8_000, 12_000))}" for q in (1, 2, 3) for c in ("C1", "C3")]
    start = draw(st.sampled_from(["2025-11-20", "2026-01-01", "2026-02-15", "2026-05-31", "2026-09-30"]))
    return HEADER + "\n".join(lines) + "\n", "quarter,csm_id,amount\n" + "\n".join(paid) + "\n", start


@given(data=org(), ramp=st.sampled_from(["", "ramp: {quarters: 1, floor: 0.5}\n", "ramp: {quarters: 3, floor: 1.5}\n"]),
       guarantee=st.sampled_from(["", "guarantee: {floor: 0.9, quarters: 2}\n",
                                  'guarantee: {floor: 2.0, quarters: ["2026Q3"]}\n']),
       period=st.sampled_from(["", "period: year\nadvance: 0.6\n"]))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_floors_never_lower_pay_and_reach_their_floor(data, ramp, guarantee, period):
    accounts, payouts, start = data
    clawing = "" if period else "    clawback: {within: 2}\n"  # a clawback can take pay below 0 (not in a period)
    components = FLAT + COMMISSION + clawing
    with tempfile.TemporaryDirectory(prefix="cscomp-floors-") as name:
        folder = Path(name)
        (folder / "accounts.csv").write_text(accounts)
        (folder / "roster.csv").write_text(ROSTER.replace("2026-02-15", start))
        (folder / "payouts.csv").write_text(payouts)
        dataset = load_dataset(folder)
    bare = replay_plan(parse_plan(plan_yaml("", components, head=period)), dataset, 3).rows
    floored = replay_plan(parse_plan(plan_yaml(ramp + guarantee, components, head=period)), dataset, 3).rows
    lift = floored["proposed_cents"].to_numpy() - bare["proposed_cents"].to_numpy()
    assert (lift >= 0).all()
    extra = sum(floored.get(c, pd.Series(0, index=floored.index)).to_numpy()
                for c in ("ramp_adjustment_cents", "guarantee_adjustment_cents"))
    assert (lift == extra).all()  # what the floors add is all that changed
    if guarantee:
        floor = 0.9 if "0.9" in guarantee else 2.0
        chosen = floored["quarter"].isin(["2026Q1", "2026Q2"] if "0.9" in guarantee else ["2026Q3"]).to_numpy()
        wanted = np.floor(floor * floored["actual_cents"].to_numpy() + 0.5)
        assert (floored["proposed_cents"].to_numpy()[chosen] >= wanted[chosen] - 1).all()


def test_a_guarantee_listing_a_quarter_outside_the_replay_says_so(tmp_path):
    # Vector 14 replays 2026Q1-2026Q2; a guarantee on "2027Q1" (a slip for 2026Q1) would pay nothing: C1's
    # 2026Q1 is then proposed -375.00 (no guarantee lift), and one warning names the label.
    plan = (VECTORS / "14_clawback_and_floors" / "plan.yaml").read_text().replace("guarantee: {floor: 0.9, quarters: 1}",
                                                        "guarantee: {floor: 0.9, quarters: [2027Q1]}")
    (tmp_path / "plan.yaml").write_text(plan)
    document = run_json("stress-test", tmp_path / "plan.yaml", "--quarters", "2", "--data", VECTORS / "14_clawback_and_floors")
    rows = {(r["quarter"], r["csm_id"]): r for r in document["rows"]}
    assert rows[("2026Q1", "C1")]["guarantee_adjustment"] == 0.0
    assert any("guarantee.quarters lists 2027Q1" in w and "2026Q1–2026Q2" in w for w in document["warnings"])
