"""SPEC section 3: payouts of every construct, with the arithmetic written out by hand.

Unless a test says otherwise: four CSMs, each with TV = 20,000 / 4 = 5,000.00 a quarter and one
account of start ARR 100,000 in 2026Q1, moved so that
  C1 nrr 0.95 (−5,000 contraction)   C2 nrr 1.00   C3 nrr 0.89 (−11,000)   C4 nrr 1.20 (+20,000)
and each was actually paid 5,000.
"""

from __future__ import annotations

import textwrap

import pytest
import yaml

from cscomp_cli.core.quarters import Calendar
from cscomp_cli.engine.replay import replay as engine_replay
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.plan.loading import parse_plan

from .conftest import NRR_ONLY_YAML, run, run_json, write_files

ACCOUNTS = """\
quarter,account_id,csm_id,arr_start,expansion,cross_sell,contraction,churn,nps,risk
2026Q1,A1,C1,100000,0,0,5000,0,,
2026Q1,A2,C2,100000,0,0,0,0,,
2026Q1,A3,C3,100000,0,0,11000,0,,
2026Q1,A4,C4,100000,20000,0,0,0,,
"""
ROSTER = """\
csm_id,name,segment,team,annual_base,annual_variable
C1,Ana,Enterprise,T1,100000,20000
C2,Bo,SMB,T1,100000,20000
C3,Cy,SMB,T2,100000,20000
C4,Di,Enterprise,T2,100000,20000
"""
PAYOUTS = """\
quarter,csm_id,amount
2026Q1,C1,5000
2026Q1,C2,5000
2026Q1,C3,5000
2026Q1,C4,5000
"""
NRR_CURVE = [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]


def replay(data_dir, plan: str | dict, *, quarters: int = 1, **files) -> dict:
    files = {"accounts": ACCOUNTS, "roster": ROSTER, "payouts": PAYOUTS, **files}
    text = yaml.safe_dump(plan, sort_keys=False) if isinstance(plan, dict) else textwrap.dedent(plan)
    folder = data_dir(plan=text, **files)
    return run_json("stress-test", folder / "plan.yaml", "--quarters", str(quarters), "--data", folder)


def by_csm(document: dict, quarter: str = "2026Q1") -> dict:
    return {r["csm_id"]: r for r in document["rows"] if r["quarter"] == quarter}


def payouts(document: dict, component: str, quarter: str = "2026Q1") -> dict:
    return {csm: r["components"][component]["payout"] for csm, r in by_csm(document, quarter).items()}


def nrr_plan(curve=NRR_CURVE, **options) -> dict:
    """One NRR curve component, weight 1, target 1.0, plus any component options."""
    component = {"id": "retention", "metric": "nrr", "weight": 1.0, "target": 1.0, "curve": curve, **options}
    return {"name": "nrr", "components": [component]}


# --- curves --------------------------------------------------------------------------------


def test_linear_curve_with_threshold_and_cap(data_dir):
    document = replay(data_dir, nrr_plan())
    # C1 x 0.95: 0 + (0.05 / 0.10) × 1.0 = 0.5 → 2,500; C2 on the target point → 1.0 → 5,000;
    # C3 x 0.89 below the first point → 0; C4 x 1.20 beyond the last point → 1.5 → 7,500
    assert payouts(document, "retention") == {"C1": 2500.0, "C2": 5000.0, "C3": 0.0, "C4": 7500.0}
    assert by_csm(document)["C1"]["components"]["retention"]["fraction"] == 0.5


def test_step_curve_pays_the_highest_point_at_or_below(data_dir):
    document = replay(data_dir, nrr_plan([[0.9, 0.5], [1.0, 1.0], [1.1, 1.5]], interpolate="step"))
    # C1 0.95 → point 0.9 → 0.5; C2 exactly on 1.0 → 1.0; C3 0.89 below → 0; C4 → 1.5
    assert payouts(document, "retention") == {"C1": 2500.0, "C2": 5000.0, "C3": 0.0, "C4": 7500.0}


def test_uncapped_curve_continues_the_last_slope(data_dir):
    document = replay(data_dir, nrr_plan(uncapped=True))
    # C4 x 1.20: 1.5 + (1.20 − 1.10) × (1.5 − 1.0) / 0.10 = 2.0 → 10,000
    assert payouts(document, "retention")["C4"] == 10000.0
    assert payouts(document, "retention")["C1"] == 2500.0


def test_value_measure_uses_the_metric_itself(data_dir):
    plan = """
        name: value
        components:
          - id: expansion
            metric: expansion_arr
            weight: 1.0
            measure: value
            curve: [[0, 0], [40000, 1.0]]
        """
    document = replay(data_dir, plan)
    # C4 expansion 20,000 → 20,000 / 40,000 × 1.0 = 0.5 → 2,500; attainment reported as null
    assert payouts(document, "expansion")["C4"] == 2500.0
    assert by_csm(document)["C4"]["components"]["expansion"]["attainment"] is None
    assert by_csm(document)["C4"]["components"]["expansion"]["target"] is None


def test_attainment_is_rounded_before_the_curve(data_dir):
    # grr 0.3 against target 0.1: in binary 0.3 / 0.1 = 2.9999999999999996, rounded to 9 places → 3.0,
    # which sits exactly on the step's point [3.0, 2.0] (unrounded it would pay 0.5).
    accounts = "quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n2026Q1,A1,C1,100000,0,70000,0\n"
    plan = """
        name: grr
        components:
          - id: retention
            metric: grr
            weight: 1.0
            target: 0.1
            interpolate: step
            curve: [[1.0, 0.5], [3.0, 2.0]]
        """
    document = replay(data_dir, plan, accounts=accounts, payouts="quarter,csm_id,amount\n")
    row = by_csm(document)["C1"]
    assert row["components"]["retention"]["attainment"] == 3.0
    assert row["components"]["retention"]["payout"] == 10000.0  # 5,000 × 2.0


def test_on_missing_zero_and_target_are_counted_as_warnings(data_dir):
    accounts = ACCOUNTS + "2026Q1,N1,C5,0,8000,0,0,0,,\n"  # a new-logo-only book: nrr undefined
    roster = ROSTER + "C5,Eve,SMB,T1,100000,20000\n"
    zero = replay(data_dir, nrr_plan(), accounts=accounts, roster=roster)
    assert payouts(zero, "retention")["C5"] == 0.0
    assert by_csm(zero)["C5"]["components"]["retention"]["metric"] is None
    assert any("retention" in w and "1 CSM-quarter" in w and "C5" in w for w in zero["warnings"])
    target = replay(data_dir, nrr_plan(on_missing="target"), accounts=accounts, roster=roster)
    assert payouts(target, "retention")["C5"] == 5000.0  # f = 1.0 → 5,000 × 1.0
    assert any("target" in w and "C5" in w for w in target["warnings"])


# --- pay mix -------------------------------------------------------------------------------


def test_pay_mix_hold_base_keeps_base_and_raises_variable(data_dir):
    document = replay(data_dir, {**nrr_plan(), "pay_mix": {"variable_pct": 25, "hold": "base"}})
    c2 = by_csm(document)["C2"]
    # variable = 100,000 × 0.25 / 0.75 = 33,333.33… → TV 8,333.333… (shown 8,333.33); base 25,000 kept
    assert c2["target_variable"] == 8333.33
    assert c2["base"] == 25000.0 and c2["actual_base"] == 25000.0
    assert c2["components"]["retention"]["payout"] == 8333.33  # 8,333.333… × 1.0, rounded to cents


def test_pay_mix_by_segment_holding_ote(data_dir):
    document = replay(data_dir, {**nrr_plan(), "pay_mix": {"variable_pct": {"Enterprise": 30, "SMB": 20}}})
    rows = by_csm(document)
    # OTE 120,000: Enterprise variable 36,000 → TV 9,000, base 84,000 → 21,000;
    #              SMB 24,000 → TV 6,000, base 96,000 → 24,000
    assert (rows["C1"]["target_variable"], rows["C1"]["base"]) == (9000.0, 21000.0)
    assert (rows["C2"]["target_variable"], rows["C2"]["base"]) == (6000.0, 24000.0)
    assert rows["C1"]["components"]["retention"]["payout"] == 4500.0  # 9,000 × 0.5


# --- commissions ---------------------------------------------------------------------------


def commission_plan(**commission) -> dict:
    """The NRR curve plus a commission component 'upsell' with the given keys."""
    plan = nrr_plan()
    plan["components"].append({"id": "upsell", "kind": "commission", **commission})
    return plan


def test_flat_rate_and_currency_tier_bounds(data_dir):
    flat = replay(data_dir, commission_plan(metric="expansion_arr", rate=0.1))
    assert payouts(flat, "upsell") == {"C1": 0.0, "C2": 0.0, "C3": 0.0, "C4": 2000.0}  # 20,000 × 10 %
    tiers = {"metric": "expansion_arr", "tiers": [{"up_to": 10000, "rate": 0.05}, {"rate": 0.10}]}
    marginal = replay(data_dir, commission_plan(**tiers))
    assert payouts(marginal, "upsell")["C4"] == 1500.0  # 10,000 × 5 % + 10,000 × 10 %
    retro = replay(data_dir, commission_plan(**tiers, tiering="retroactive"))
    assert payouts(retro, "upsell")["C4"] == 2000.0  # whole 20,000 × 10 %
    # proposed = curve + commission: C4 7,500 + 2,000
    assert by_csm(retro)["C4"]["proposed"] == 9500.0


def test_negative_amount_pays_zero_unless_allowed(data_dir):
    plain = replay(data_dir, commission_plan(metric="net_expansion", rate=0.1))
    assert payouts(plain, "upsell")["C3"] == 0.0
    netted = replay(data_dir, commission_plan(metric="net_expansion", rate=0.1, allow_negative=True))
    assert payouts(netted, "upsell")["C3"] == -1100.0  # −11,000 × 10 %: a deduction
    assert payouts(netted, "upsell")["C4"] == 2000.0
    assert by_csm(netted)["C3"]["proposed"] == -1100.0  # curve 0 + deduction


def test_commission_cap_applies_before_modifiers(data_dir):
    plan = commission_plan(metric="expansion_arr", rate=0.1, cap=1500)
    plan["modifiers"] = [{"id": "halve", "when": {"metric": "nrr", "at_least": 1.1}, "multiply": 0.5,
                          "applies_to": ["upsell"]}]
    document = replay(data_dir, plan)
    # C4: min(2,000, 1,500) × 0.5 = 750; the curve component is not in applies_to
    assert payouts(document, "upsell")["C4"] == 750.0
    assert by_csm(document)["C4"]["components"]["upsell"]["multiplier"] == 0.5
    assert payouts(document, "retention")["C4"] == 7500.0


def test_computed_target_of_zero_puts_everything_in_the_last_tier(data_dir):
    accounts = ACCOUNTS + "2026Q1,N1,C5,0,8000,0,0,0,,\n"
    roster = ROSTER + "C5,Eve,SMB,T1,100000,20000\n"
    body = {"metric": "expansion_arr", "target": {"pct_of_start_arr": 0.05},
            "tiers": [{"up_to": 1.0, "rate": 0.05}, {"rate": 0.10}]}
    document = replay(data_dir, commission_plan(**body, tiering="retroactive"), accounts=accounts, roster=roster)
    # C5 start_arr 0 → target 0 → every bound 0 → 8,000 × 10 %
    assert payouts(document, "upsell")["C5"] == 800.0
    # C4 target 5 % × 100,000 = 5,000 → 20,000 is beyond 1.0 × 5,000 → 20,000 × 10 %
    assert payouts(document, "upsell")["C4"] == 2000.0
    marginal = replay(data_dir, commission_plan(**body), accounts=accounts, roster=roster)
    assert payouts(marginal, "upsell")["C5"] == 800.0
    assert payouts(marginal, "upsell")["C4"] == 1750.0  # 5,000 × 5 % + 15,000 × 10 %


def test_payout_halves_round_away_from_zero_after_six_places(data_dir):
    # 1.5 × 0.01 = 0.015, which binary holds as 0.01499999…; rounded to 6 places first it is 0.015000,
    # then to cents, half away from zero: 0.02 (a naive round(x, 2) would give 0.01).
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                "2026Q1,A1,C1,100,1.5,0,0\n2026Q1,A2,C2,100,0,1.5,0\n")
    plan = commission_plan(metric="net_expansion", rate=0.01, allow_negative=True)
    document = replay(data_dir, plan, accounts=accounts, payouts="quarter,csm_id,amount\n")
    assert payouts(document, "upsell") == {"C1": 0.02, "C2": -0.02}


# --- modifiers, cap, risk, floating quarters -----------------------------------------------


def test_modifiers_multiply_together_and_skip_undefined_metrics(data_dir):
    accounts = ACCOUNTS.replace("2026Q1,A1,C1,100000,0,0,5000,0,,", "2026Q1,A1,C1,100000,0,0,5000,0,3,") \
                       .replace("2026Q1,A2,C2,100000,0,0,0,0,,", "2026Q1,A2,C2,100000,0,0,0,0,8,")
    plan = nrr_plan()
    plan["modifiers"] = [
        {"id": "nps_gate", "when": {"metric": "nps", "below": 0}, "multiply": 0.5},
        {"id": "solid_band", "when": {"metric": "nrr", "at_least": 0.9, "below": 1.0}, "multiply": 1.2},
        {"id": "promoter_band", "when": {"metric": "nps", "at_least": 0, "below": 50}, "multiply": 0.9},
    ]
    document = replay(data_dir, plan, accounts=accounts)
    rows = by_csm(document)
    # C1: nps −100 (one detractor) → 0.5; nrr 0.95 in [0.9, 1.0) → 1.2; product 0.6 → 2,500 × 0.6 = 1,500
    assert rows["C1"]["components"]["retention"]["multiplier"] == 0.6
    assert rows["C1"]["components"]["retention"]["payout"] == 1500.0
    # C2: nps 0 (a passive) → not below 0, in [0, 50) → 0.9; nrr 1.0 is not below 1.0 → 5,000 × 0.9
    assert rows["C2"]["components"]["retention"]["payout"] == 4500.0
    # C3, C4: no answers → nps undefined → no nps modifier applies
    assert rows["C4"]["components"]["retention"]["multiplier"] == 1.0


def test_plan_cap_lowers_the_total_and_reports_the_adjustment(data_dir):
    plan = {**commission_plan(metric="expansion_arr", rate=0.1), "cap": 1.2}
    document = replay(data_dir, plan)
    c4 = by_csm(document)["C4"]
    # components 7,500 + 2,000 = 9,500 > round(1.2 × 5,000) = 6,000 → −3,500
    assert (c4["proposed"], c4["cap_adjustment"]) == (6000.0, -3500.0)
    assert sum(c["payout"] for c in c4["components"].values()) + c4["cap_adjustment"] == c4["proposed"]
    assert by_csm(document)["C2"]["cap_adjustment"] == 0.0  # 5,000 ≤ 6,000


def test_risk_adjust_moves_the_target_by_book_risk_against_company_risk(data_dir):
    accounts = ACCOUNTS.replace("0,5000,0,,\n", "0,5000,0,,0.5\n", 1) \
                       .replace("2026Q1,A2,C2,100000,0,0,0,0,,", "2026Q1,A2,C2,100000,0,0,0,0,,0.1")
    # C1 nrr 0.95 risk 0.5, C2 nrr 1.0 risk 0.1; company risk = (0.5 × 100k + 0.1 × 100k) / 200k = 0.3
    # (C3 and C4 have no scores, so no adjustment and they do not count in the company mean)
    document = replay(data_dir, nrr_plan(risk_adjust=-0.25), accounts=accounts)
    rows = by_csm(document)
    # C1 target 1.0 − 0.25 × (0.5 − 0.3) = 0.95 → attainment 1.0 → 5,000
    assert rows["C1"]["components"]["retention"]["target"] == 0.95
    assert rows["C1"]["components"]["retention"]["payout"] == 5000.0
    # C2 target 1.0 − 0.25 × (0.1 − 0.3) = 1.05 → attainment 1.0 / 1.05 = 0.952380952 → f 0.52380952 → 2,619.05
    assert rows["C2"]["components"]["retention"]["target"] == 1.05
    assert rows["C2"]["components"]["retention"]["payout"] == 2619.05
    assert rows["C3"]["components"]["retention"]["target"] == 1.0


def test_floating_components_pay_only_in_their_quarters(data_dir):
    accounts = ACCOUNTS + ACCOUNTS.split("\n", 1)[1].replace("2026Q1", "2025Q4")
    payouts_csv = PAYOUTS + PAYOUTS.split("\n", 1)[1].replace("2026Q1", "2025Q4")
    plan = """
        name: floating
        components:
          - id: pillar
            metric: nrr
            weight: 0.7
            target: 1.0
            curve: [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]
          - id: q4_push
            metric: expansion_arr
            weight: 0.3
            measure: value
            curve: [[0, 0], [20000, 1.0]]
            quarters: [2025-Q4]
          - id: q1_push
            metric: nrr
            weight: 0.3
            target: 1.0
            curve: [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]
            quarters: [Q1 2026]
        """
    document = replay(data_dir, plan, quarters=2, accounts=accounts, payouts=payouts_csv)
    q4 = by_csm(document, "2025Q4")["C4"]["components"]
    q1 = by_csm(document, "2026Q1")["C4"]["components"]
    # 2025Q4: pillar 5,000 × 0.7 × 1.5 = 5,250; q4_push 5,000 × 0.3 × 1.0 = 1,500; q1_push inactive → 0
    assert (q4["pillar"]["payout"], q4["q4_push"]["payout"], q4["q1_push"]["payout"]) == (5250.0, 1500.0, 0.0)
    assert q4["q1_push"]["active"] is False
    # 2026Q1: pillar 5,250; q1_push 5,000 × 0.3 × 1.5 = 2,250; q4_push listed, pays 0
    assert (q1["pillar"]["payout"], q1["q1_push"]["payout"], q1["q4_push"]["payout"]) == (5250.0, 2250.0, 0.0)


def test_weights_must_sum_to_one_in_every_replayed_quarter(data_dir):
    plan = nrr_plan(weight=0.9)
    folder = data_dir(plan=yaml.safe_dump(plan), accounts=ACCOUNTS, roster=ROSTER, payouts=PAYOUTS)
    result = run("stress-test", folder / "plan.yaml", "--quarters", "1", "--data", folder)
    assert result.exit_code == 2
    assert "2026Q1" in result.stderr and "0.9" in result.stderr and "components" in result.stderr


# --- comparison ----------------------------------------------------------------------------


def test_totals_deltas_and_paid_more_or_less(data_dir):
    payouts_csv = "quarter,csm_id,amount\n2026Q1,C1,2499.99\n2026Q1,C2,5000\n2026Q1,C3,0\n2026Q1,C4,7500.01\n"
    document = replay(data_dir, nrr_plan(), payouts=payouts_csv)
    rows = by_csm(document)
    # proposed 2,500 / 5,000 / 0 / 7,500 against actual 2,499.99 / 5,000 / 0 / 7,500.01
    assert [rows[c]["delta"] for c in ("C1", "C2", "C3", "C4")] == [0.01, 0.0, 0.0, -0.01]
    assert rows["C3"]["delta_pct"] is None  # actual 0
    assert rows["C1"]["delta_pct"] == 0.0   # 0.01 / 2,499.99 = 0.0004 % → 0.00
    summary = document["summary"]
    assert (summary["proposed_total"], summary["actual_total"], summary["delta"]) == (15000.0, 15000.0, 0.0)
    assert (summary["paid_more"], summary["paid_less"]) == (1, 1)  # a cent is above the 0.005 threshold


def test_top_performers_take_a_quarter_rounded_up_ties_to_smaller_id(data_dir):
    # Five CSMs → ⌈5/4⌉ = 2. nrr: C1 0.95, C2 1.0, C3 0.89, C4 1.2, C5 1.2 (tie with C4), C6 undefined.
    accounts = ACCOUNTS + "2026Q1,A5,C5,100000,20000,0,0,0,,\n2026Q1,N6,C6,0,5000,0,0,0,,\n"
    roster = ROSTER + "C5,Eve,SMB,T1,100000,20000\nC6,Fay,SMB,T1,100000,20000\n"
    document = replay(data_dir, nrr_plan(), accounts=accounts, roster=roster)
    # six CSMs replayed → ⌈6/4⌉ = 2: C4 and C5 tie at 1.2 and take both places; C6 (undefined) never counts
    assert document["summary"]["top_performers"] == ["C4", "C5"]
    flags = {c["csm_id"]: c["top_performer"] for c in document["csms"]}
    assert flags == {"C1": False, "C2": False, "C3": False, "C4": True, "C5": True, "C6": False}
    # C5 was paid 0 and would get 7,500: not paid less. C4 was paid 5,000, gets 7,500: not paid less.
    assert document["summary"]["top_performers_paid_less"] == []


def test_tie_at_the_cut_goes_to_the_smaller_csm_id(data_dir):
    # nrr: C1 0.95, C2 1.0, C3 0.89, C4 1.0 → ⌈4/4⌉ = 1; C2 and C4 tie at 1.0 once C4 grows by 0
    accounts = ACCOUNTS.replace("2026Q1,A4,C4,100000,20000", "2026Q1,A4,C4,100000,0")
    document = replay(data_dir, nrr_plan(), accounts=accounts)
    assert document["summary"]["top_performers"] == ["C2"]
    # C2 was paid 5,000 and would get 5,000: delta 0, not less
    assert document["summary"]["top_performers_paid_less"] == []


def test_top_performer_paid_less_is_reported(data_dir):
    payouts_csv = PAYOUTS.replace("2026Q1,C4,5000", "2026Q1,C4,9000")
    document = replay(data_dir, nrr_plan(), payouts=payouts_csv)
    assert document["summary"]["top_performers"] == ["C4"]
    assert document["summary"]["top_performers_paid_less"] == ["C4"]  # 7,500 < 9,000


def test_spearman_pay_performance_correlation(data_dir):
    # performance nrr: C3 0.89 < C1 0.95 < C2 1.0 < C4 1.2 → ranks 1, 2, 3, 4 for C3, C1, C2, C4
    # proposed share of TV: C3 0, C1 0.5, C2 1.0, C4 1.5 → same order → ρ = 1
    # actual: C1 6,000, C2 5,000, C3 5,000, C4 4,000 → shares 1.2, 1.0, 1.0, 0.8
    #   share ranks (average for ties): C4 1, C2 2.5, C3 2.5, C1 4
    #   in CSM order C1..C4: perf ranks (2, 3, 1, 4), share ranks (4, 2.5, 2.5, 1)
    #   Pearson on ranks: means 2.5 and 2.5; deviations (−0.5, 0.5, −1.5, 1.5) and (1.5, 0, 0, −1.5)
    #   covariance sum −0.75 + 0 + 0 − 2.25 = −3; variances 5 and 4.5 → ρ = −3 / √22.5 = −0.632456
    payouts_csv = "quarter,csm_id,amount\n2026Q1,C1,6000\n2026Q1,C2,5000\n2026Q1,C3,5000\n2026Q1,C4,4000\n"
    document = replay(data_dir, nrr_plan(), payouts=payouts_csv)
    correlation = document["summary"]["pay_performance_correlation"]
    assert correlation["proposed"] == 1.0
    assert correlation["actual"] == pytest.approx(-3 / 22.5 ** 0.5, abs=1e-6)


def test_correlation_is_null_with_fewer_than_three_csms(data_dir):
    accounts = "".join(ACCOUNTS.splitlines(keepends=True)[:3])  # C1 and C2 only
    document = replay(data_dir, nrr_plan(), accounts=accounts, payouts="quarter,csm_id,amount\n")
    assert document["summary"]["pay_performance_correlation"] == {"actual": None, "proposed": None}


def test_a_shared_cache_gives_the_same_replay_as_none(data_dir):
    # Sweeps share who is replayed and every book's statistics between plans; credit changes the
    # metric values, so plans with other credit must not reuse them.
    from cscomp_cli.engine.replay import replay as run_replay
    from cscomp_cli.inputs.dataset import load_dataset
    from cscomp_cli.plan.loading import parse_plan

    dataset = load_dataset(data_dir(accounts=ACCOUNTS, roster=ROSTER, payouts=PAYOUTS))
    plans = [parse_plan(yaml.safe_dump(nrr_plan())),
             parse_plan(yaml.safe_dump({**nrr_plan(), "credit": {"expansion": 0.5}})),
             parse_plan(yaml.safe_dump({**nrr_plan(), "components": [
                 {"id": "upsell", "kind": "commission", "metric": "expansion_arr", "rate": 0.1}]})),
             parse_plan(yaml.safe_dump({**nrr_plan(), "credit": {"expansion": 0.5}, "components": [
                 {"id": "upsell", "kind": "commission", "metric": "expansion_arr", "rate": 0.1}]}))]
    cache: dict = {}
    for plan in plans:
        shared = run_replay(plan, dataset, 1, cache=cache).rows
        alone = run_replay(plan, dataset, 1).rows
        assert shared["proposed_cents"].tolist() == alone["proposed_cents"].tolist()
    # C4 expanded 20,000: at credit 0.5 the commission is 10 % × 10,000 = 1,000.00, at credit 1: 2,000.00
    last = run_replay(plans[3], dataset, 1, cache=cache).rows
    assert last.loc[last["csm_id"] == "C4", "upsell_payout_cents"].item() == 100_000


def test_currency_tier_bounds_are_rounded_to_nine_places(data_dir):
    # Found by the DuckDB reference: the bound 100.0000000006 is 100.000000001 at 9 places, and an
    # expansion of 100.0000000006 (also 100.000000001) sits exactly on it: the lower tier's 10 %.
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,cross_sell,contraction,churn,nps,risk\n"
                "2026Q1,A1,C1,1000,100.0000000006,0,0,0,,\n")
    plan = {"name": "t", "components": [{"id": "kicker", "kind": "commission", "metric": "expansion_arr",
                                         "tiering": "retroactive",
                                         "tiers": [{"up_to": 100.0000000006, "rate": 0.1}, {"rate": 0.2}]}]}
    document = replay(data_dir, plan, accounts=accounts, payouts="quarter,csm_id,amount\n")
    assert payouts(document, "kicker") == {"C1": 10.0}


def test_proration_counts_the_fiscal_quarters_real_days(tmp_path):
    # Fiscal year from February, named for its end: FY2025 = 2024-02-01..2025-01-31 (2024 is a leap year).
    # FY2025Q1 = 2024-02-01..2024-04-30: 29 + 31 + 30 = 90 days. FY2025Q4 = 2024-11-01..2025-01-31: 30 + 31 + 31 = 92.
    # Ana, hired 2024-03-15: 17 days of March + 30 of April = 47 of 90 → TV 5,000 × 47/90 = 2,611.11;
    #   all of Q4 → 5,000. (Under calendar quarters FY2025Q1 would be Jan–Mar 2025, all worked: 5,000.)
    # Bo leaves 2024-12-31: November 30 + December 31 = 61 of 92 days of Q4; his Q4 roster row (written
    #   Q4 FY25) has variable 40,000 → 10,000 × 61/92 = 6,630.434… → 6,630.43; Q1 in full → 5,000.
    # Flat books (nrr 1.0) pay 1 × TV.
    folder = write_files(tmp_path, accounts="""\
        quarter,account_id,csm_id,arr_start,expansion,contraction,churn
        FY25 Q1,A1,C1,100000,0,0,0
        FY25 Q1,A2,C2,100000,0,0,0
        Q4 FY2025,A1,C1,100000,0,0,0
        2025Q4,A2,C2,100000,0,0,0
        """, roster="""\
        csm_id,name,segment,annual_base,annual_variable,start_date,end_date,quarter
        C1,Ana,Enterprise,100000,20000,2024-03-15,,
        C2,Bo,SMB,100000,20000,,2024-12-31,
        C2,Bo,SMB,100000,40000,,2024-12-31,Q4 FY25
        """, payouts="quarter,csm_id,amount\nFY2025Q1,C1,1\n")
    result = engine_replay(parse_plan(NRR_ONLY_YAML), load_dataset(folder, calendar=Calendar(2)))
    assert result.quarters == ["FY2025Q1", "FY2025Q4"]
    rows = result.rows.set_index(["quarter", "csm_id"])
    assert rows["proration"].to_dict() == pytest.approx({("FY2025Q1", "C1"): 47 / 90, ("FY2025Q1", "C2"): 1.0,
                                                         ("FY2025Q4", "C1"): 1.0, ("FY2025Q4", "C2"): 61 / 92})
    assert rows["proposed_cents"].to_dict() == {("FY2025Q1", "C1"): 261_111, ("FY2025Q1", "C2"): 500_000,
                                                ("FY2025Q4", "C1"): 500_000, ("FY2025Q4", "C2"): 663_043}


def test_a_sweeps_cache_reuses_a_component_only_when_nothing_it_depends_on_moved():
    # A sweep reuses each component's payout from the previous value when the component, its metric's
    # definition, the credit, the target variable (pay_mix) and its modifiers' multipliers are unchanged.
    # Each of these plans moves one of them; every payout column and every warning must be what a replay
    # without the cache gives.
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    dataset = load_dataset(repo / "sample_data", columns={"csat": {"number"}})
    base = yaml.safe_load((repo / "plans" / "risk_adjusted.yaml").read_text(encoding="utf-8"))
    base["components"][1]["on_missing"] = "target"  # a component whose warning must be said every time

    def variant(change):
        document = yaml.safe_load(yaml.safe_dump(base))
        change(document)
        return parse_plan(yaml.safe_dump(document))

    plans = [
        variant(lambda d: None),
        variant(lambda d: d["components"][0].update(target=0.9)),          # the retention component only
        variant(lambda d: d.update(pay_mix={"variable_pct": 30})),          # every target variable
        variant(lambda d: d["modifiers"][0].update(multiply=0.25)),         # expansion's multiplier
        variant(lambda d: d.update(credit={"expansion": 0.5})),             # expansion's metric
        variant(lambda d: d.update(metrics={"csat": {"column": "csat", "aggregate": "mean"}},
                                   modifiers=[{"id": "csat_gate", "when": {"metric": "csat", "below": 4.0},
                                               "multiply": 0.5, "applies_to": ["expansion"]}])),
        variant(lambda d: d.update(metrics={"csat": {"column": "csat", "aggregate": "mean"}},
                                   modifiers=[{"id": "csat_gate", "when": {"metric": "csat", "below": 4.5},
                                               "multiply": 0.5, "applies_to": ["expansion"]}])),
        variant(lambda d: d.update(metrics={"csat": {"column": "csat", "aggregate": "mean"}}, components=[
            *d["components"], {"id": "csat_bonus", "metric": "csat", "weight": 0.0, "measure": "value",
                               "curve": [[3, 0.0], [5, 1.0]]}])),
        variant(lambda d: d.update(metrics={"csat": {"column": "csat", "aggregate": "max"}}, components=[
            *d["components"], {"id": "csat_bonus", "metric": "csat", "weight": 0.0, "measure": "value",
                               "curve": [[3, 0.0], [5, 1.0]]}])),                # the metric's definition
        variant(lambda d: None),
    ]
    cache: dict = {}
    for plan in plans:
        shared = engine_replay(plan, dataset, 4, cache=cache)
        alone = engine_replay(plan, dataset, 4)
        paid = [c for c in alone.rows.columns if c.endswith(("_payout_cents", "_cents", "_metric", "_target"))]
        for column in paid:
            assert shared.rows[column].tolist() == pytest.approx(alone.rows[column].tolist(), nan_ok=True), column
        assert shared.warnings == alone.warnings
    # The cache really was used: the unchanged plan's components were found, not recomputed.
    assert len(cache) == 1 and len(next(iter(cache.values()))["components"]) < 2 * len(plans)
