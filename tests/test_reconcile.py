"""`cscomp reconcile`: the plan in force replayed against payroll, differences broken down by the
payouts.csv component column, a verdict line, and --strict for anything unexplained.

The org: three CSMs, TV 20,000 / 4 = 5,000 each, flat books (nrr 1.0). The plan pays two curve
components on nrr, weights 0.6 and 0.4, so at nrr 1.0 each CSM computes 3,000.00 + 2,000.00.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import shutil

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


def reconcile(data_dir, payouts: str, *extra: str, plan: dict = PLAN, accounts: str = ACCOUNTS,
              roster: str = ROSTER):
    folder = data_dir(accounts=accounts, roster=roster, payouts=payouts, plan=yaml.safe_dump(plan))
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
    assert (c1["outside_plan"], c1["unexplained"]) == (500.0, 0.0)
    assert c1["lines"] == [{"component": "spiff", "category": "outside the plan", "computed": 0.0, "paid": 500.0,
                            "difference": 500.0}]
    # C2: renewals paid 1,999.99 against 2,000.00 computed: one cent nobody can explain.
    assert (c2["difference"], c2["outside_plan"], c2["unexplained"]) == (-0.01, 0.0, -0.01)
    assert c2["lines"] == [{"component": "renewals", "category": "unexplained", "computed": 2000.0,
                            "paid": 1999.99, "difference": -0.01}]
    # net 500.00 − 0.01 = 499.99 = 500.00 outside the plan + (−0.01) unexplained
    assert report["summary"] == {
        "net_difference": 499.99,
        "by_category": {"unexplained": {"lines": 1, "net": -0.01, "absolute": 0.01},
                        "outside the plan": {"lines": 1, "net": 500.0, "absolute": 500.0}},
        "outside_plan": {"spiff": 500.0}}
    assert report["explained"] is False
    assert report["verdict"] == ("reproduces 1 of 3 CSM-quarters to the cent; 2 differ by a net +$499.99 "
                                 "(paid − computed): +$500.00 in component outside the plan (spiff +$500.00) and "
                                 "-$0.01 unexplained on 1 line (absolute differences $0.01)")


def test_strict_fails_only_on_the_unexplained(data_dir):
    strict = reconcile(data_dir, ITEMISED, "--strict")
    assert strict.exit_code == 1
    assert ("breach: 1 payout line differs from what the plan computes and is not a payment outside the plan: "
            "absolute differences $0.01, net -$0.01 (--strict)") in strict.stderr
    explained_only = ITEMISED.replace("1999.99", "2000")
    result = reconcile(data_dir, explained_only, "--strict")
    assert result.exit_code == 0, result.stderr
    assert ("reproduces 2 of 3 CSM-quarters to the cent; 1 differs by a net +$500.00 (paid − computed), all of it "
            "in component outside the plan: spiff +$500.00") in result.stdout


def test_everything_reproduced(data_dir):
    payouts = "quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q1,C2,\"$5,000.00\"\n2026Q1,C3,3000\n2026Q1,C3,2000\n"
    report = document(data_dir, payouts)
    assert report["verdict"] == "reproduces 3 of 3 CSM-quarters to the cent"
    assert report["differing"] == [] and report["explained"] is True
    assert report["summary"]["net_difference"] == 0.0
    assert reconcile(data_dir, payouts, "--strict").exit_code == 0


def test_unitemised_payroll_is_compared_in_total(data_dir):
    # No component column: C2 paid 4,800 against 5,000 is 200 unexplained, shown as one line.
    payouts = "quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q1,C2,4800\n2026Q1,C3,5000\n"
    report = document(data_dir, payouts)
    (c2,) = report["differing"]
    assert c2["lines"] == [{"component": "(no component)", "category": "unexplained", "computed": 5000.0,
                            "paid": 4800.0, "difference": -200.0}]
    assert report["verdict"].endswith("1 differs by a net -$200.00 (paid − computed), none of it in a component "
                                      "outside the plan: -$200.00 unexplained on 1 line (absolute differences "
                                      "$200.00)")
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
    assert report["differing"][0]["lines"] == [{"component": "cap_adjustment", "category": "unexplained",
                                                "computed": -1500.0, "paid": 0.0, "difference": 1500.0}]


def test_csv_has_one_row_per_line(data_dir):
    result = reconcile(data_dir, ITEMISED, "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "quarter,csm_id,name,component,category,computed,paid,difference",
        "2026Q1,C1,Ana,spiff,outside the plan,0.00,500.00,500.00",
        "2026Q1,C2,Bo,renewals,unexplained,2000.00,1999.99,-0.01",
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
        "reproduces 287 of 290 CSM-quarters to the cent; 3 differ by a net +$2,300.00 (paid − computed), all of "
        "it in components outside the plan: spiff +$2,500.00, clawback -$1,200.00, discretionary +$1,000.00")
    # net 2,500 − 1,200 + 1,000 = 2,300; absolute 2,500 + 1,200 + 1,000 = 4,700
    assert report["summary"]["by_category"] == {"unexplained": {"lines": 0, "net": 0.0, "absolute": 0.0},
                                                "outside the plan": {"lines": 3, "net": 2300.0, "absolute": 4700.0}}
    assert [(r["quarter"], r["csm_id"], r["difference"]) for r in report["differing"]] == [
        ("2025Q4", "C04", 2500.0), ("2026Q2", "C09", 1000.0), ("2026Q3", "C21", -1200.0)]


# Four CSMs, each computing 3,000.00 retention + 2,000.00 renewals = 5,000.00 (flat books, nrr 1.0).
ROSTER4 = ROSTER + "C4,Di,SMB,100000,20000\n"
ACCOUNTS4 = ACCOUNTS + "2026Q1,A4,C4,100000,0,0,0\n"
# C1: payroll untagged (5,000.00, matches the plan in total) plus a tagged SPIFF of 500.
# C2: itemised; renewals paid 1,950 (50 short) and a clawback of −300.
# C3: retention tagged 3,100 (100 over), the rest untagged 1,900 (100 short of renewals' 2,000), SPIFF 250:
#     the two plan lines cancel in C3's net, but each is a difference nobody explains.
# C4: untagged 5,000.00: reproduced.
MIXED = """\
quarter,csm_id,amount,component
2026Q1,C1,5000,
2026Q1,C1,500,spiff
2026Q1,C2,3000,retention
2026Q1,C2,1950,renewals
2026Q1,C2,-300,clawback
2026Q1,C3,3100,retention
2026Q1,C3,1900,
2026Q1,C3,250,spiff
2026Q1,C4,5000,
"""
# Every differing line, in report order, with its category (the hand-worked expectation).
MIXED_LINES = [
    ("C1", "spiff", 0.0, 500.0, 500.0, "outside the plan"),
    ("C2", "renewals", 2000.0, 1950.0, -50.0, "unexplained"),
    ("C2", "clawback", 0.0, -300.0, -300.0, "outside the plan"),
    ("C3", "(no component)", 2000.0, 1900.0, -100.0, "unexplained"),  # renewals' 2,000 compared with 1,900
    ("C3", "retention", 3000.0, 3100.0, 100.0, "unexplained"),
    ("C3", "spiff", 0.0, 250.0, 250.0, "outside the plan"),
]
MIXED_VERDICT = (
    # net: C1 +500, C2 −350, C3 +250 → +400; outside: spiffs 500 + 250 = 750, clawback −300 → +450;
    # unexplained: −50 − 100 + 100 = −50 (and 450 + (−50) = 400); absolute: 50 + 100 + 100 = 250.
    "reproduces 1 of 4 CSM-quarters to the cent; 3 differ by a net +$400.00 (paid − computed): +$450.00 in "
    "components outside the plan (spiff +$750.00, clawback -$300.00) and -$50.00 unexplained on 3 lines "
    "(absolute differences $250.00)")


def mixed(data_dir, *extra: str):
    return reconcile(data_dir, MIXED, *extra, accounts=ACCOUNTS4, roster=ROSTER4)


def test_untagged_payroll_with_tagged_extras_agrees_in_every_output(data_dir):
    report = json.loads(mixed(data_dir, "--format", "json").stdout)
    assert report["verdict"] == MIXED_VERDICT
    assert (report["csm_quarters"], report["reproduced"], report["explained"]) == (4, 1, False)
    assert [(r["csm_id"], line["component"], line["computed"], line["paid"], line["difference"], line["category"])
            for r in report["differing"] for line in r["lines"]] == MIXED_LINES
    # Per CSM-quarter: difference = outside the plan + unexplained.
    assert [(r["csm_id"], r["computed"], r["paid"], r["difference"], r["outside_plan"], r["unexplained"])
            for r in report["differing"]] == [
        ("C1", 5000.0, 5500.0, 500.0, 500.0, 0.0),         # 5,000 + 500
        ("C2", 5000.0, 4650.0, -350.0, -300.0, -50.0),     # 3,000 + 1,950 − 300
        ("C3", 5000.0, 5250.0, 250.0, 250.0, 0.0)]         # 3,100 + 1,900 + 250; its plan lines cancel
    assert report["summary"] == {
        "net_difference": 400.0,
        "by_category": {"unexplained": {"lines": 3, "net": -50.0, "absolute": 250.0},
                        "outside the plan": {"lines": 3, "net": 450.0, "absolute": 1050.0}},  # 500 + 300 + 250
        "outside_plan": {"spiff": 750.0, "clawback": -300.0}}

    csv_result = mixed(data_dir, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(csv_result.stdout)))
    assert [(r["csm_id"], r["component"], float(r["computed"]), float(r["paid"]), float(r["difference"]),
             r["category"]) for r in rows] == MIXED_LINES
    assert csv_result.stderr.startswith(MIXED_VERDICT)

    table = mixed(data_dir).stdout
    assert f"Verdict: {MIXED_VERDICT}" in table
    listed = []
    for line in table.splitlines():
        cells = line.split()
        if cells[:1] == ["2026Q1"]:
            category = "outside the plan" if line.rstrip().endswith("outside the plan") else cells[-1]
            listed.append((cells[1], category))
    assert listed == [(csm, category) for csm, _, _, _, _, category in MIXED_LINES]
    # The by-category table: lines, net and absolute differences, adding up to the last row.
    assert re.search(r"unexplained\s+3\s+-\$50\.00\s+\$250\.00", table)
    assert re.search(r"outside the plan\s+3\s+\+\$450\.00\s+\$1,050\.00", table)
    assert re.search(r"all differences\s+6\s+\+\$400\.00\s+\$1,300\.00", table)  # 250 + 1,050


def test_strict_agrees_with_the_verdict(data_dir):
    result = mixed(data_dir, "--strict")
    assert result.exit_code == 1
    assert ("breach: 3 payout lines differ from what the plan computes and are not payments outside the plan: "
            "absolute differences $250.00, net -$50.00 (--strict)") in result.stderr
    # Offsetting differences still fail: C3 alone nets to 0 (+100 − 100) but has two unexplained lines.
    only_c3 = MIXED.replace("2026Q1,C2,1950,renewals", "2026Q1,C2,2000,renewals")
    result = reconcile(data_dir, only_c3, "--strict", "--format", "json", accounts=ACCOUNTS4, roster=ROSTER4)
    assert result.exit_code == 1
    unexplained = json.loads(result.stdout)["summary"]["by_category"]["unexplained"]
    assert unexplained == {"lines": 2, "net": 0.0, "absolute": 200.0}
    # The untagged lines match the plan in total and only payments outside the plan remain: exit 0.
    clean = only_c3.replace("2026Q1,C3,3100,retention", "2026Q1,C3,3000,retention").replace(
        "2026Q1,C3,1900,", "2026Q1,C3,2000,")
    result = reconcile(data_dir, clean, "--strict", accounts=ACCOUNTS4, roster=ROSTER4)
    assert result.exit_code == 0, result.stderr
    # net 500 − 300 + 250 = 450, all of it outside the plan
    assert ("reproduces 1 of 4 CSM-quarters to the cent; 3 differ by a net +$450.00 (paid − computed), all of it in "
            "components outside the plan: spiff +$750.00, clawback -$300.00") in result.stdout
    assert "unexplained " not in result.stdout.split("By category")[0]


def test_a_plan_line_left_out_of_itemised_payroll_is_a_missing_line(data_dir):
    # C1 itemises retention only and has no untagged line: renewals' 2,000 is missing, on its own line.
    payouts = "quarter,csm_id,amount,component\n2026Q1,C1,3000,retention\n2026Q1,C2,5000,\n2026Q1,C3,5000,\n"
    (c1,) = document(data_dir, payouts)["differing"]
    assert c1["lines"] == [{"component": "renewals", "category": "unexplained", "computed": 2000.0, "paid": 0.0,
                            "difference": -2000.0}]


def test_untagging_the_sample_payroll_changes_nothing(tmp_path):
    # The issue's reproduction: the sample's payroll with the plan components' tags stripped from every
    # line, then from a seeded random half of them, keeping the SPIFF, bonus and clawback tagged.
    # Amounts are untouched, so the answer must be the one for the fully tagged payroll.
    folder = tmp_path / "data"
    shutil.copytree(REPO / "sample_data", folder)
    payouts = (REPO / "sample_data" / "payouts.csv").read_text().splitlines()
    rng = random.Random(9)
    plan_line = re.compile(r",(retention|renewals|expansion)$")
    for share in (1.0, 0.5):
        lines = [plan_line.sub(",", line) if rng.random() < share else line for line in payouts]
        assert sum(line.endswith(",") for line in lines) > 300
        (folder / "payouts.csv").write_text("\n".join(lines) + "\n")
        result = run("reconcile", REPO / "plans" / "current.yaml", "--quarters", "8", "--data", folder,
                     "--format", "json", "--strict")
        assert result.exit_code == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["verdict"].startswith("reproduces 287 of 290 CSM-quarters to the cent; 3 differ by a net "
                                            "+$2,300.00 (paid − computed), all of it in components outside the plan")
        assert [(line["component"], line["category"]) for row in report["differing"] for line in row["lines"]] == [
            ("spiff", "outside the plan"), ("discretionary", "outside the plan"), ("clawback", "outside the plan")]
