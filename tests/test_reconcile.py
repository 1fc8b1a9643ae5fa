"""`cscomp reconcile`: the plan in force replayed against payroll, differences broken down by the
payouts.csv component column, a verdict line, and --strict for anything unexplained.

The org: three CSMs, TV 20,000 / 4 = 5,000 each, flat books (nrr 1.0). The plan pays two curve
components on nrr, weights 0.6 and 0.4, so at nrr 1.0 each CSM computes 3,000.00 + 2,000.00.
"""

from __future__ import annotations

import json

import yaml

from .conftest import REPO, run

ACCOUNTS = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn
2026Q1,A1,C1,100000,0,0,0
2026Q1,A2,C2,100000,0,0,0
2026Q1,A3,C3,100000,0,0,0
"""
ROSTER = """\
csm_id,name,segment,annual_base,annual_variable
C1,Ana,SMB,100000,20000
C2,Bo,SMB,100000,20000
C3,Cy,SMB,100000,20000
"""
CURVE = [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]
PLAN = {"name": "in force", "components": [
    {"id": "retention", "metric": "nrr", "weight": 0.6, "target": 1.0, "curve": CURVE},
    {"id": "renewals", "metric": "nrr", "weight": 0.4, "target": 1.0, "curve": CURVE}]}


def reconcile(data_dir, payouts: str, *extra: str, plan: dict = PLAN, accounts: str = ACCOUNTS):
    folder = data_dir(accounts=accounts, roster=ROSTER, payouts=payouts, plan=yaml.safe_dump(plan))
    return run("reconcile", folder / "plan.yaml", "--quarters", "1", "--data", folder, *extra)


def document(data_dir, payouts: str, **options) -> dict:
    result = reconcile(data_dir, payouts, "--format", "json", **options)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


ITEMISED = """\
quarter,csm_id,amount,component
2026Q1,C1,3000,retention
2026Q1,C1,2000,renewals
2026Q1,C1,500,spiff
2026Q1,C2,3000,retention
2026Q1,C2,1999.99,renewals
2026Q1,C3,5000,
"""


def test_differences_are_broken_down_by_component(data_dir):
    report = document(data_dir, ITEMISED)
    assert (report["csm_quarters"], report["reproduced"]) == (3, 1)  # C3's 5,000 = 3,000 + 2,000, unitemised
    c1, c2 = report["differing"]
    # C1: paid 5,500 against 5,000 computed; the 500 is a SPIFF, outside the plan.
    assert (c1["csm_id"], c1["computed"], c1["paid"], c1["difference"]) == ("C1", 5000.0, 5500.0, 500.0)
    assert (c1["explained"], c1["unexplained"]) == (500.0, 0.0)
    assert c1["lines"] == [{"component": "spiff", "outside_plan": True, "computed": 0.0, "paid": 500.0,
                            "difference": 500.0}]
    # C2: renewals paid 1,999.99 against 2,000.00 computed: one cent nobody can explain.
    assert (c2["difference"], c2["explained"], c2["unexplained"]) == (-0.01, 0.0, -0.01)
    assert c2["lines"] == [{"component": "renewals", "outside_plan": False, "computed": 2000.0, "paid": 1999.99,
                            "difference": -0.01}]
    assert report["outside_plan"] == {"spiff": 500.0}
    assert report["unexplained_total"] == 0.01
    assert report["verdict"] == ("reproduces 1 of 3 CSM-quarters to the cent; 2 differ by $500.01 in total: "
                                 "$0.01 unexplained; outside the plan: spiff +$500.00")


def test_strict_fails_only_on_the_unexplained(data_dir):
    strict = reconcile(data_dir, ITEMISED, "--strict")
    assert strict.exit_code == 1
    assert "breach: $0.01 of what was paid is not what the plan computes" in strict.stderr
    explained_only = ITEMISED.replace("1999.99", "2000")
    result = reconcile(data_dir, explained_only, "--strict")
    assert result.exit_code == 0, result.stderr
    assert ("reproduces 2 of 3 CSM-quarters to the cent; 1 differs by $500.00 in total, all in component "
            "outside the plan: spiff +$500.00") in result.stdout


def test_everything_reproduced(data_dir):
    payouts = "quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q1,C2,\"$5,000.00\"\n2026Q1,C3,3000\n2026Q1,C3,2000\n"
    report = document(data_dir, payouts)
    assert report["verdict"] == "reproduces 3 of 3 CSM-quarters to the cent"
    assert report["differing"] == [] and report["unexplained_total"] == 0.0
    assert reconcile(data_dir, payouts, "--strict").exit_code == 0


def test_unitemised_payroll_is_compared_in_total(data_dir):
    # No component column: C2 paid 4,800 against 5,000 is 200 unexplained, shown as one line.
    payouts = "quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q1,C2,4800\n2026Q1,C3,5000\n"
    report = document(data_dir, payouts)
    (c2,) = report["differing"]
    assert c2["lines"] == [{"component": "(no component)", "outside_plan": False, "computed": 5000.0,
                            "paid": 4800.0, "difference": -200.0}]
    assert report["verdict"].endswith("1 differs by $200.00 in total, none of it explained by a payment outside "
                                      "the plan")
    assert reconcile(data_dir, payouts, "--strict").exit_code == 1


def test_a_csm_quarter_with_no_payout_at_all(data_dir):
    payouts = "quarter,csm_id,amount,component\n2026Q1,C1,3000,retention\n2026Q1,C1,2000,renewals\n"
    report = document(data_dir, payouts)
    assert [(r["csm_id"], r["difference"], r["unexplained"]) for r in report["differing"]] == [
        ("C2", -5000.0, -5000.0), ("C3", -5000.0, -5000.0)]


def test_the_cap_adjustment_is_a_line_of_its_own(data_dir):
    # C1 at nrr 1.10: f = 1.5 on both components: 3,000 × 1.5 = 4,500 and 2,000 × 1.5 = 3,000, sum 7,500;
    # cap 1.2 × 5,000 = 6,000, so the plan computes a cap_adjustment of −1,500.
    accounts = ACCOUNTS.replace("2026Q1,A1,C1,100000,0,0,0", "2026Q1,A1,C1,100000,10000,0,0")
    plan = {**PLAN, "cap": 1.2}
    payouts = ("quarter,csm_id,amount,component\n2026Q1,C1,4500,retention\n2026Q1,C1,3000,renewals\n"
               "2026Q1,C1,-1500,cap_adjustment\n2026Q1,C2,5000,\n2026Q1,C3,5000,\n")
    folder = data_dir(accounts=accounts, roster=ROSTER, payouts=payouts, plan=yaml.safe_dump(plan))
    result = run("reconcile", folder / "plan.yaml", "--quarters", "1", "--data", folder, "--format", "json")
    assert json.loads(result.stdout)["verdict"] == "reproduces 3 of 3 CSM-quarters to the cent"
    # Payroll that forgot the cap: 1,500 unexplained, on the cap_adjustment line.
    (folder / "payouts.csv").write_text(payouts.replace("2026Q1,C1,-1500,cap_adjustment\n", ""))
    report = json.loads(run("reconcile", folder / "plan.yaml", "--quarters", "1", "--data", folder,
                            "--format", "json").stdout)
    assert report["differing"][0]["lines"] == [{"component": "cap_adjustment", "outside_plan": False,
                                                "computed": -1500.0, "paid": 0.0, "difference": 1500.0}]


def test_csv_has_one_row_per_line(data_dir):
    result = reconcile(data_dir, ITEMISED, "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "quarter,csm_id,name,component,outside_plan,computed,paid,difference",
        "2026Q1,C1,Ana,spiff,yes,0.00,500.00,500.00",
        "2026Q1,C2,Bo,renewals,no,2000.00,1999.99,-0.01",
    ]
    assert result.stderr.startswith("reproduces 1 of 3 CSM-quarters")  # the verdict goes to stderr


def test_a_proposal_is_not_the_plan_in_force(data_dir):
    proposal = {"name": "proposal", "components": [{"id": "nrr", "metric": "nrr", "weight": 1.0, "target": 1.0,
                                                    "curve": CURVE}]}
    payouts = "".join(f"2026Q1,{c},3000,retention\n2026Q1,{c},2000,renewals\n" for c in ("C1", "C2", "C3"))
    result = reconcile(data_dir, "quarter,csm_id,amount,component\n" + payouts, "--format", "json", plan=proposal)
    report = json.loads(result.stdout)
    assert report["reproduced"] == 3  # totals agree (5,000 each) even though the lines do not
    payouts = payouts.replace("3000,retention", "3100,retention")
    report = json.loads(reconcile(data_dir, "quarter,csm_id,amount,component\n" + payouts, "--format", "json",
                                  plan=proposal).stdout)
    assert report["warnings"] == ["payouts.csv components renewals, retention are paid in most CSM-quarters but "
                                  "not part of this plan: reconcile the plan in force (the one payroll ran), not a "
                                  "proposal"]


def test_the_sample_org_reproduces_all_but_the_three_manual_adjustments():
    result = run("reconcile", REPO / "plans" / "current.yaml", "--quarters", "8", "--data", REPO / "sample_data",
                 "--format", "json", "--strict")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == (
        "reproduces 233 of 236 CSM-quarters to the cent; 3 differ by $4,700.00 in total, all in components "
        "outside the plan: spiff +$2,500.00, clawback -$1,200.00, discretionary +$1,000.00")  # 2,500 + 1,200 + 1,000
    assert [(r["quarter"], r["csm_id"], r["difference"]) for r in report["differing"]] == [
        ("2025Q4", "C04", 2500.0), ("2026Q2", "C09", 1000.0), ("2026Q3", "C21", -1200.0)]
