"""Clawbacks on commission (SPEC 6.5): an account that churns takes back the commission paid on its
expansion in the quarters before, from the CSM who was paid it. Expected figures are worked by hand."""

from __future__ import annotations

import pytest

from tests.conftest import run_json, write_files

ROSTER = ("csm_id,name,segment,annual_base,annual_variable\nC1,Ana,Enterprise,80000,20000\n"
          "C2,Bo,Enterprise,80000,20000\n")
HEADER = "quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"

# A curve that pays f = 1 whatever the book (accounts ≥ 0 is on or past the only point): round(TV) = 5,000.
FLAT_TERM = """\
  - id: presence
    metric: accounts
    measure: value
    weight: 1
    curve: [[0, 1.0]]
"""


def plan_yaml(clawback: str = "{within: 2}", *, metric: str = "expansion_arr", own_cap: str = "", head: str = "",
              flat: bool = False) -> str:
    commission = f"""\
  - id: upsell
    kind: commission
    metric: {metric}
    rate: 0.10
    clawback: {clawback}
{own_cap}"""
    return f"name: clawback plan\n{head}components:\n{FLAT_TERM if flat else ''}{commission}"


def replay(tmp_path, plan: str, accounts: str, payouts: str, *args: str, roster: str = ROSTER) -> dict:
    folder = write_files(tmp_path / "data", accounts=accounts, roster=roster, payouts=payouts)
    plan_file = write_files(tmp_path, **{"plan.yaml": plan}) / "plan.yaml"
    return run_json("stress-test", plan_file, "--data", folder, *args)


def by_row(document: dict) -> dict:
    return {(r["quarter"], r["csm_id"]): r for r in document["rows"]}


# A1 expands 10,000 in 2026Q1 (C1 paid 10 % = 1,000 on a metric of 10,000: effective rate 0.1) and churns
# in 2026Q2, when C1's other account A2 expands 2,000 (commission 200).
REACH_BACK = HEADER + """\
2026Q1,A1,C1,100000,10000,0,0
2026Q1,A2,C1,50000,0,0,0
2026Q2,A1,C1,110000,0,0,110000
2026Q2,A2,C1,50000,2000,0,0
"""
PAID = "quarter,csm_id,amount\n2026Q1,C1,1000\n2026Q2,C1,1000\n"


def test_a_clawback_reaches_back_before_the_replay_and_may_take_the_payout_below_0(tmp_path):
    # Only 2026Q2 is replayed; 2026Q1 is worked out for the clawback but not reported.
    # clawback = round(1 × 10,000 × 0.1) = 1,000, larger than Q2's commission 200: payout 200 − 1,000 = −800.
    document = replay(tmp_path, plan_yaml(), REACH_BACK, PAID, "--quarters", "1")
    assert document["quarters"] == ["2026Q2"]
    rows = by_row(document)
    assert set(rows) == {("2026Q2", "C1")}
    upsell = rows["2026Q2", "C1"]["components"]["upsell"]
    assert upsell["metric"] == 2000.0
    assert upsell["clawback"] == 1000.0
    assert upsell["payout"] == -800.0
    assert rows["2026Q2", "C1"]["proposed"] == -800.0
    assert document["summary"]["proposed_total"] == -800.0


def test_a_share_of_0_5_over_a_commission_its_own_cap_held_down(tmp_path):
    # own cap 600: Q1 pays min(1,000, 600) = 600 on a metric of 10,000 → effective rate 600 / 10,000 = 0.06;
    # clawback round(0.5 × 10,000 × 0.06) = 300; Q2 commission min(200, 600) = 200 → payout 200 − 300 = −100.
    document = replay(tmp_path, plan_yaml("{within: 2, share: 0.5}", own_cap="    cap: 600\n"), REACH_BACK, PAID,
                      "--quarters", "2")
    rows = by_row(document)
    assert rows["2026Q1", "C1"]["components"]["upsell"]["payout"] == 600.0
    assert rows["2026Q1", "C1"]["components"]["upsell"]["clawback"] == 0.0
    assert rows["2026Q2", "C1"]["components"]["upsell"]["clawback"] == 300.0
    assert rows["2026Q2", "C1"]["components"]["upsell"]["payout"] == -100.0


# A1's expansion in 2026Q1 was in C2's book (C2 paid 1,000); in 2026Q2 C1 owns A1 when it churns.
TRANSFERRED = HEADER + """\
2026Q1,A1,C2,100000,10000,0,0
2026Q1,A2,C1,50000,0,0,0
2026Q2,A1,C1,110000,0,0,110000
2026Q2,A2,C1,50000,0,0,0
"""


def test_a_churn_is_charged_to_the_csm_paid_for_the_expansion_when_replayed_in_the_churn_quarter(tmp_path):
    # C2 still owns A3 in 2026Q2 (+5,000 → commission 500): C2 is charged round(10,000 × 0.1) = 1,000 → −500.
    # C1, who owns A1 when it churns, was paid nothing on it: no clawback.
    accounts = TRANSFERRED + "2026Q2,A3,C2,80000,5000,0,0\n"
    payouts = "quarter,csm_id,amount\n2026Q1,C2,1000\n2026Q2,C1,0\n2026Q2,C2,1000\n"
    rows = by_row(replay(tmp_path, plan_yaml(), accounts, payouts, "--quarters", "1"))
    assert rows["2026Q2", "C2"]["components"]["upsell"]["clawback"] == 1000.0
    assert rows["2026Q2", "C2"]["components"]["upsell"]["payout"] == -500.0
    assert rows["2026Q2", "C1"]["components"]["upsell"]["clawback"] == 0.0
    assert rows["2026Q2", "C1"]["proposed"] == 0.0


def test_a_csm_not_replayed_in_the_churn_quarter_is_not_charged(tmp_path):
    # C2 has no account and no payout in 2026Q2: not replayed then, so nobody is charged for A1.
    payouts = "quarter,csm_id,amount\n2026Q1,C2,1000\n2026Q2,C1,0\n"
    document = replay(tmp_path, plan_yaml(), TRANSFERRED, payouts, "--quarters", "1")
    rows = by_row(document)
    assert set(rows) == {("2026Q2", "C1")}
    assert rows["2026Q2", "C1"]["components"]["upsell"]["clawback"] == 0.0
    assert document["summary"]["proposed_total"] == 0.0


@pytest.mark.parametrize("within, clawback", [(1, 0.0), (2, 1000.0)])
def test_within_counts_calendar_quarters_back(tmp_path, within, clawback):
    # A1 expands 10,000 in Q1 (commission 1,000, rate 0.1), sits in Q2, churns in Q3. within 1 looks at Q2
    # only (no expansion: nothing); within 2 reaches Q1: round(10,000 × 0.1) = 1,000.
    accounts = HEADER + ("2026Q1,A1,C1,100000,10000,0,0\n2026Q2,A1,C1,110000,0,0,0\n"
                         "2026Q3,A1,C1,110000,0,0,110000\n")
    payouts = "quarter,csm_id,amount\n2026Q1,C1,1000\n2026Q2,C1,0\n2026Q3,C1,0\n"
    document = replay(tmp_path, plan_yaml(f"{{within: {within}}}"), accounts, payouts, "--quarters", "1")
    upsell = by_row(document)["2026Q3", "C1"]["components"]["upsell"]
    assert upsell["clawback"] == clawback
    assert upsell["payout"] == -clawback


def test_the_plan_cap_applies_after_clawbacks(tmp_path):
    # presence round(5,000 × 1) = 5,000; cap 1.1 → round(1.1 × 5,000) = 5,500.
    #   Q1: commission 1,000 → 6,000 → cap_adjustment −500 → 5,500
    #   Q2: A2 +20,000 → 2,000, less round(10,000 × 0.1) = 1,000 (the rate before the plan's cap is still
    #       1,000 / 10,000) → 1,000; 5,000 + 1,000 = 6,000 → cap_adjustment −500 → 5,500.
    #       (Capping first would give min(7,000, 5,500) − 1,000 = 4,500.)
    accounts = HEADER + ("2026Q1,A1,C1,100000,10000,0,0\n2026Q2,A1,C1,110000,0,0,110000\n"
                         "2026Q2,A2,C1,50000,20000,0,0\n")
    document = replay(tmp_path, plan_yaml(head="cap: 1.1\n", flat=True), accounts, PAID, "--quarters", "2")
    q1, q2 = by_row(document)["2026Q1", "C1"], by_row(document)["2026Q2", "C1"]
    assert q1["cap_adjustment"] == -500.0 and q1["proposed"] == 5500.0
    assert q2["components"]["upsell"]["clawback"] == 1000.0
    assert q2["components"]["upsell"]["payout"] == 1000.0
    assert q2["components"]["presence"]["payout"] == 5000.0
    assert q2["cap_adjustment"] == -500.0
    assert q2["proposed"] == 5500.0


def test_a_clawback_on_cross_sell_counts_the_credited_share(tmp_path):
    # credit.cross_sell 0.25. Q1: A1 cross-sells 40,000, A3 8,000 → metric 0.25 × 48,000 = 12,000 → 10 % = 1,200,
    # own cap 600 → effective rate 600 / 12,000 = 0.05. Q2: A1 churns: contribution 0.25 × 40,000 = 10,000 →
    # clawback round(10,000 × 0.05) = 500 → payout 0 − 500 = −500.
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,cross_sell,contraction,churn\n"
                "2026Q1,A1,C1,100000,0,40000,0,0\n2026Q1,A3,C1,100000,0,8000,0,0\n"
                "2026Q2,A1,C1,140000,0,0,0,140000\n2026Q2,A3,C1,108000,0,0,0,0\n")
    plan = plan_yaml(metric="cross_sell_arr", own_cap="    cap: 600\n", head="credit: {cross_sell: 0.25}\n")
    rows = by_row(replay(tmp_path, plan, accounts, PAID, "--quarters", "2"))
    assert rows["2026Q1", "C1"]["components"]["upsell"]["metric"] == 12000.0
    assert rows["2026Q1", "C1"]["components"]["upsell"]["payout"] == 600.0
    assert rows["2026Q2", "C1"]["components"]["upsell"]["clawback"] == 500.0
    assert rows["2026Q2", "C1"]["components"]["upsell"]["payout"] == -500.0


def test_expansion_in_the_churn_quarter_itself_is_not_clawed_back(tmp_path):
    # A1 expands 5,000 and churns 115,000 in the same quarter, with nothing before it: the commission on the
    # quarter's own expansion (500) stands; only earlier quarters are looked at.
    accounts = HEADER + "2026Q1,A1,C1,110000,5000,0,115000\n"
    rows = by_row(replay(tmp_path, plan_yaml(), accounts, "quarter,csm_id,amount\n2026Q1,C1,0\n", "--quarters", "1"))
    upsell = rows["2026Q1", "C1"]["components"]["upsell"]
    assert (upsell["payout"], upsell["clawback"]) == (500.0, 0.0)



# A1 +10,000 in Q1 (commission 1,000); in Q2 A1 churns while A2 expands 10,000 (commission 1,000, less the
# clawback 1,000 → 0); in Q3 A2 churns.
TWICE = HEADER + """\
2026Q1,A1,C1,100000,10000,0,0
2026Q2,A1,C1,110000,0,0,110000
2026Q2,A2,C1,50000,10000,0,0
2026Q3,A2,C1,60000,0,0,60000
2026Q3,A3,C1,10000,0,0,0
"""
PAID_3 = "quarter,csm_id,amount\n2026Q1,C1,1\n2026Q2,C1,1\n2026Q3,C1,1\n"


def test_the_effective_rate_is_taken_before_any_clawback_charged_in_that_quarter(tmp_path):
    # Q3's clawback of A2 uses Q2's rate before Q2's own clawback: 1,000 / 10,000 = 0.1 → round(10,000 × 0.1)
    # = 1,000 (after it the rate would be 0 / 10,000 = 0 and nothing would come back).
    rows = by_row(replay(tmp_path, plan_yaml(), TWICE, PAID_3, "--quarters", "3"))
    assert [rows[f"2026Q{q}", "C1"]["components"]["upsell"]["clawback"] for q in (1, 2, 3)] == [0.0, 1000.0, 1000.0]
    assert [rows[f"2026Q{q}", "C1"]["components"]["upsell"]["payout"] for q in (1, 2, 3)] == [1000.0, 0.0, -1000.0]


def test_the_effective_rate_is_after_the_components_modifiers(tmp_path):
    # A modifier that always holds (accounts ≥ 0) halves the commission: Q1 pays 500 on 10,000 → rate 0.05;
    # Q2 1,000 × 0.5 = 500, less round(10,000 × 0.05) = 500 → 0; Q3 −round(10,000 × 500 / 10,000) = −500.
    plan = plan_yaml().replace("components:", "modifiers:\n  - id: half\n    when: {metric: accounts, at_least: 0}\n"
                                              "    multiply: 0.5\ncomponents:")
    rows = by_row(replay(tmp_path, plan, TWICE, PAID_3, "--quarters", "3"))
    assert [rows[f"2026Q{q}", "C1"]["components"]["upsell"]["payout"] for q in (1, 2, 3)] == [500.0, 0.0, -500.0]
    assert [rows[f"2026Q{q}", "C1"]["components"]["upsell"]["clawback"] for q in (1, 2, 3)] == [0.0, 500.0, 500.0]


def test_a_clawback_on_gross_expansion_counts_both_credited_parts(tmp_path):
    # credit.cross_sell 0.5: Q1 metric 4,000 + 0.5 × 8,000 = 8,000 → 800, rate 0.1; A1 churns in Q2:
    # contribution 8,000 → round(8,000 × 0.1) = 800 → payout −800.
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,cross_sell,contraction,churn\n"
                "2026Q1,A1,C1,100000,4000,8000,0,0\n2026Q2,A1,C1,112000,0,0,0,112000\n")
    plan = plan_yaml(metric="gross_expansion", head="credit: {cross_sell: 0.5}\n")
    rows = by_row(replay(tmp_path, plan, accounts, PAID, "--quarters", "1"))
    assert rows["2026Q2", "C1"]["components"]["upsell"]["clawback"] == 800.0
    assert rows["2026Q2", "C1"]["components"]["upsell"]["payout"] == -800.0


def test_the_replay_lists_one_clawback_line_per_account_and_earlier_quarter(tmp_path):
    # A1 expands in Q1 (C2's book, rate 0.1) and Q2 (C1's book, 2,000 of C1's 4,000 → 400, rate 0.1), churns in Q3
    # owned by C1: within 2 reaches both, charging C2 1,000 and C1 200.
    from cscomp_cli.engine.replay import replay as replay_plan
    from cscomp_cli.inputs.dataset import load_dataset
    from cscomp_cli.plan.loading import parse_plan

    accounts = HEADER + ("2026Q1,A1,C2,100000,10000,0,0\n2026Q2,A1,C1,110000,2000,0,0\n2026Q2,A2,C1,50000,2000,0,0\n"
                         "2026Q3,A1,C1,112000,0,0,112000\n2026Q3,A3,C2,10000,0,0,0\n")
    payouts = "quarter,csm_id,amount\n2026Q1,C2,1\n2026Q2,C1,1\n2026Q3,C1,1\n2026Q3,C2,1\n"
    folder = write_files(tmp_path / "data", accounts=accounts, roster=ROSTER, payouts=payouts)
    result = replay_plan(parse_plan(plan_yaml()), load_dataset(folder), 1)
    lines = result.clawbacks
    assert lines[["quarter", "csm_id", "account_id", "earlier_quarter", "clawback_cents"]].values.tolist() == [
        ["2026Q3", "C1", "A1", "2026Q2", 200_00], ["2026Q3", "C2", "A1", "2026Q1", 1000_00]]
    assert lines["contribution"].tolist() == [2000.0, 10000.0]
    assert lines["effective_rate"].tolist() == pytest.approx([0.1, 0.1])
    charged = result.rows.set_index("csm_id")["upsell_clawback_cents"]
    assert charged.to_dict() == {"C1": 200_00, "C2": 1000_00}


def test_only_the_clawback_component_reports_a_clawback_and_a_quarter_plan_no_period_figures(tmp_path):
    document = replay(tmp_path, plan_yaml(flat=True), REACH_BACK, PAID, "--quarters", "1")
    row = by_row(document)["2026Q2", "C1"]
    assert "clawback" in row["components"]["upsell"] and "clawback" not in row["components"]["presence"]
    for key in ("period", "earned_to_date", "advance_adjustment", "ramp_adjustment", "guarantee_adjustment"):
        assert key not in row
    assert "earned_to_date" not in row["components"]["upsell"]
    # presence 5,000 + upsell 200 − 1,000 = 4,200
    assert row["proposed"] == 4200.0
