"""`cscomp explain`: every number behind one CSM–quarter, equal to the engine's own figures."""

from __future__ import annotations

import json

import pytest

from .conftest import VECTORS, assert_user_error, run, run_json

V03 = VECTORS / "03_tiered_commission_credit"


def explain_json(csm: str, quarter: str = "2026Q1") -> dict:
    result = run("explain", V03 / "plan.yaml", "--csm", csm, "--quarter", quarter, "--data", V03, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_explain_shows_the_worked_figures_of_vector_03():
    doc = explain_json("C2", "Q1 2026")
    assert doc["quarter"] == "2026Q1" and doc["name"] == "Oto"
    # book: A3 start 100,000, +6,000 expansion, +4,000 cross-sell (credited 25 % = 1,000), −5,000 contraction
    assert [a["account_id"] for a in doc["book"]["accounts"]] == ["A3"]
    assert doc["metrics"]["gross_expansion"] == {"value": 7000.0, "formula": "expansion_arr + cross_sell_arr",
                                                 "figures": "1 × 6,000.00 + 0.25 × 4,000.00"}
    assert doc["metrics"]["grr"] == {"value": 0.95, "formula": "retained_arr ÷ start_arr",
                                     "figures": "95,000.00 ÷ 100,000.00"}
    retention, marginal, retro = doc["components"]
    # grr 0.95 / 0.9 = 1.055555556 → f = 0.5 + (0.155555556 / 0.2) × 0.5 = 0.88888889 → 5,000 × f = 4,444.44445
    assert retention["attainment"] == 1.055555556
    assert retention["fraction"] == pytest.approx(0.88888889, abs=1e-9)
    assert retention["unrounded"] == pytest.approx(4444.44445, abs=1e-6)
    assert retention["payout"] == 4444.44
    assert retention["points_used"] == "between [0.9, 0.5] and [1.1, 1]: 0.5 + (x − 0.9) × 2.5"
    # target 5 % × 100,000 = 5,000 → bounds 1.0 × and 2.0 × 5,000
    assert marginal["bounds"] == [5000.0, 10000.0] and marginal["commission"] == 410.0
    assert retro["payout"] == 560.0
    assert doc["total"]["proposed"] == 5414.44
    assert doc["actual"]["total"] == 6000.0 and doc["actual"]["delta"] == -585.56
    assert doc["actual"]["payouts"] == [{"line": 3, "component": None, "amount": 6000.0}]


def test_explain_agrees_with_stress_test_for_every_csm():
    document = run_json("stress-test", V03 / "plan.yaml", "--quarters", "1", "--data", V03)
    for row in document["rows"]:
        doc = explain_json(row["csm_id"])
        assert doc["total"]["proposed"] == row["proposed"]
        assert {c["id"]: c["payout"] for c in doc["components"]} == {
            cid: c["payout"] for cid, c in row["components"].items()}


def test_explain_tree_on_the_terminal():
    result = run("explain", V03 / "plan.yaml", "--csm", "C4", "--quarter", "2026Q1", "--data", V03)
    assert result.exit_code == 0
    # C4: 5,000 is exactly the 2.0 × target bound → retroactive stays in tier 2 → 400.00
    assert "Proposed 5,725.00" in result.stdout and "400.00" in result.stdout


def test_explain_unknown_csm_or_quarter_is_a_usage_error():
    assert_user_error(run("explain", V03 / "plan.yaml", "--csm", "C9", "--quarter", "2026Q1", "--data", V03),
                      "C9", "2026Q1")
    assert_user_error(run("explain", V03 / "plan.yaml", "--csm", "C1", "--quarter", "2025Q1", "--data", V03),
                      "2025Q1", "quarters present: 2026Q1")
    assert_user_error(run("explain", V03 / "plan.yaml", "--csm", "C1", "--quarter", "spring", "--data", V03),
                      "'spring' is not a quarter")


def test_explain_shows_how_targets_were_derived(data_dir):
    # One CSM, book risk 0.5 on 100,000; the company also has C2 at risk 0.1 on 100,000, so company
    # risk = (0.5 × 100k + 0.1 × 100k) / 200k = 0.3 and the target moves by −0.2 × (0.5 − 0.3) = −0.04.
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn,risk\n"
                "2026Q1,A1,C1,100000,5000,0,0,0.5\n2026Q1,A2,C2,100000,0,0,0,0.1\n")
    quotas = "quarter,csm_id,component,target\n2026Q1,C2,upsell,2000\n2026Q1,C1,upsell,4000\n"
    plan = """\
name: t
components:
  - {id: retention, metric: nrr, weight: 0.5, target: {by: segment, values: {Enterprise: 1.0}, default: 0.9},
     risk_adjust: -0.2, curve: [[0.9, 0], [1.0, 1.0]], interpolate: step}
  - {id: upsell, metric: expansion_arr, weight: 0.5, target: quotas, curve: [[1.0, 1.0]]}
"""
    folder = data_dir(accounts=accounts, quotas=quotas, payouts="quarter,csm_id,amount\n", plan=plan)
    result = run("explain", folder / "plan.yaml", "--csm", "C1", "--quarter", "2026Q1", "--data", folder,
                 "--format", "json")
    retention, upsell = json.loads(result.stdout)["components"]
    assert retention["target"] == {"form": "by segment", "values": {"Enterprise": 1.0}, "default": 0.9,
                                   "segment": "Enterprise", "segment_value": 1.0, "risk_adjust": -0.2,
                                   "book_risk": 0.5, "company_risk": 0.3, "adjustment": -0.04, "computed": 0.96}
    # nrr 1.05 / 0.96 = 1.09375 ≥ the last point 1.0: step pays its 1.0
    assert retention["points_used"] == "at or beyond the last point (1): its payout"
    assert upsell["target"]["quota_line"] == 3 and upsell["target"]["computed"] == 4000.0
    tree = run("explain", folder / "plan.yaml", "--csm", "C1", "--quarter", "2026Q1", "--data", folder).stdout
    assert "by segment (Enterprise: 1.0); risk_adjust -0.2 × (book risk 0.5 − company risk 0.3) = -0.04" in tree
    assert "target: quotas.csv line 3 → 4,000.00" in tree
