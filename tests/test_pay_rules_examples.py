"""docs/pay_rules.md's worked examples, replayed: every number the page quotes beyond the two
contract vectors themselves (recover: false, a replay and data that start or end inside a year, a
leaver, a guarantee in a period plan, the cap to date, guaranteed quarters by label), worked by hand
in the comments as the page works them."""

from __future__ import annotations

import json
import shutil

from .conftest import VECTORS, run

YEAR = VECTORS / "13_period_true_up"      # the annual plan and its two CSMs, 2025Q1–2026Q1
FLOORS = VECTORS / "14_clawback_and_floors"  # the clawback, ramp and guarantee plan, 2025Q3–2026Q2


def replay(plan, data, *options):
    result = run("stress-test", plan, "--data", data, "--format", "json", *options)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def pay(document):
    return {(r["quarter"], r["csm_id"]): r["proposed"] for r in document["rows"]}


def plan_with(tmp_path, source, extra: str, old: str = "", new: str = ""):
    text = (source / "plan.yaml").read_text(encoding="utf-8")
    path = tmp_path / "plan.yaml"
    path.write_text(text.replace(old, new) + extra, encoding="utf-8")
    return path


def test_the_year_2025_advances_and_trues_up():
    document = replay(YEAR / "plan.yaml", YEAR, "--through", "2025Q4", "--quarters", "4")
    paid = pay(document)
    # Ana: 75 % of 5,700; 75 % of 13,000 − 4,275; 75 % of 19,250 − 9,750; 31,000 − 14,437.50
    assert [paid[(q, "C1")] for q in ("2025Q1", "2025Q2", "2025Q3", "2025Q4")] == [4275.0, 5475.0, 4687.5, 16562.5]
    # Bo: 75 % of 7,200; 10,200 − 5,400; 17,250 − 10,200; 2,000 − 17,250 (recovered)
    assert [paid[(q, "C2")] for q in ("2025Q1", "2025Q2", "2025Q3", "2025Q4")] == [5400.0, 4800.0, 7050.0, -15250.0]
    rows = {(r["quarter"], r["csm_id"]): r for r in document["rows"]}
    # Ana 2025Q2: retention 12,500 − 5,500, commission 500 − 200, advance 5,475 − 7,300
    assert rows[("2025Q2", "C1")]["components"]["retention"]["payout"] == 7000.0
    assert rows[("2025Q2", "C1")]["components"]["expansion_commission"]["payout"] == 300.0
    assert rows[("2025Q2", "C1")]["advance_adjustment"] == -1825.0
    # Bo 2025Q4: retention 0 − 21,000; advance −15,250 + 21,000
    assert rows[("2025Q4", "C2")]["components"]["retention"]["payout"] == -21000.0
    assert rows[("2025Q4", "C2")]["advance_adjustment"] == 5750.0
    assert {r["period"] for r in document["rows"]} == {"2025"} and document["warnings"] == []


def test_recover_false_forgives_the_overpayment(tmp_path):
    plan = plan_with(tmp_path, YEAR, "", "recover: true", "recover: false")
    document = replay(plan, YEAR, "--through", "2025Q4", "--quarters", "4")
    # Bo's true-up is 0 instead of −15,250: 33,000 + 15,250 = 48,250 in all
    assert pay(document)[("2025Q4", "C2")] == 0.0
    assert document["summary"]["proposed_total"] == 48250.0


def test_a_replay_that_starts_and_ends_inside_a_year():
    document = replay(YEAR / "plan.yaml", YEAR, "--quarters", "4")
    paid = pay(document)
    # 2025Q1 is not reported, but its 4,275 counts: 9,750 − 4,275
    assert ("2025Q1", "C1") not in paid and paid[("2025Q2", "C1")] == 5475.0
    # 2026Q1: Ana 75 % of 5,000 × 1.05 + 110 = 5,360; Bo 75 % of 5,250 + 220 = 5,470
    assert paid[("2026Q1", "C1")] == 4020.0 and paid[("2026Q1", "C2")] == 4102.5
    assert len(document["warnings"]) == 1 and "2026's true-up is not reached" in document["warnings"][0]


def test_data_that_starts_inside_a_year(tmp_path):
    data = tmp_path / "late"
    shutil.copytree(YEAR, data)
    for name in ("accounts.csv", "payouts.csv"):
        lines = (YEAR / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (data / name).write_text("".join(line for line in lines if not line.startswith("2025Q1")), encoding="utf-8")
    document = replay(YEAR / "plan.yaml", data, "--through", "2025Q4", "--quarters", "3")
    # 105,000 ÷ 102,000 = 1.029412 → curve 1 + 0.029412 × 5 = 1.147059 → 5,735.29 + 300 = 6,035.29;
    # 75 % = 4,526.4675 → 4,526.47
    assert pay(document)[("2025Q2", "C1")] == 4526.47
    assert [w for w in document["warnings"] if "starts at 2025Q1, before accounts.csv's first quarter 2025Q2" in w]


def test_a_leaver_gets_no_true_up(tmp_path):
    data = tmp_path / "leaver"
    shutil.copytree(YEAR, data)
    (data / "roster.csv").write_text(
        "csm_id,name,segment,annual_base,annual_variable,end_date\n"
        "C1,Ana,Enterprise,80000,20000,\nC2,Bo,Enterprise,80000,20000,2025-08-15\n", encoding="utf-8")
    for name, drop in (("accounts.csv", ("2025Q4,A2", "2025Q4,A3", "2026Q1,A2")),
                       ("payouts.csv", ("2025Q4,C2", "2026Q1,C2"))):
        lines = (YEAR / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (data / name).write_text("".join(line for line in lines if not line.startswith(drop)), encoding="utf-8")
    document = replay(YEAR / "plan.yaml", data, "--through", "2025Q4", "--quarters", "4")
    rows = {(r["quarter"], r["csm_id"]): r for r in document["rows"]}
    # 2025Q3: TV 5,000 × 46/92 = 2,500; to date 12,500 × 1.40 + 2,000 = 19,500; 14,625 − 10,200
    assert rows[("2025Q3", "C2")]["target_variable"] == 2500.0
    assert rows[("2025Q3", "C2")]["earned_to_date"] == 19500.0
    assert rows[("2025Q3", "C2")]["proposed"] == 4425.0
    assert ("2025Q4", "C2") not in rows and document["warnings"] == []


def test_floors_in_a_period_plan_are_not_recovered(tmp_path):
    plan = plan_with(tmp_path, YEAR, "guarantee: {floor: 1.0, quarters: 2}\n")
    document = replay(plan, YEAR, "--through", "2025Q4", "--quarters", "4")
    rows = {(r["quarter"], r["csm_id"]): r for r in document["rows"]}
    # Ana: 5,000 − 4,275 and 6,000 − 5,475; Bo 2025Q2: 5,000 − 4,800
    assert rows[("2025Q1", "C1")]["guarantee_adjustment"] == 725.0
    assert rows[("2025Q2", "C1")]["guarantee_adjustment"] == 525.0
    assert rows[("2025Q2", "C2")]["guarantee_adjustment"] == 200.0
    # the true-ups count the advances only: 31,000 − 14,437.50 and 2,000 − 17,250
    assert rows[("2025Q4", "C1")]["proposed"] == 16562.5 and rows[("2025Q4", "C2")]["proposed"] == -15250.0
    assert sum(r["proposed"] for r in document["rows"] if r["csm_id"] == "C1") == 32250.0
    assert document["summary"]["guarantee_total"] == 1450.0


def test_the_cap_of_a_period_plan_is_on_the_year_to_date(tmp_path):
    plan = plan_with(tmp_path, YEAR, "cap: 1.1\n")
    paid = pay(replay(plan, YEAR, "--through", "2025Q4", "--quarters", "4"))
    # to date held to 1.1 × 5,000 × quarters: 5,500, 11,000, 16,500, 22,000; 75 % advances 4,125 each,
    # then 22,000 − 12,375
    assert [paid[(q, "C1")] for q in ("2025Q1", "2025Q2", "2025Q3", "2025Q4")] == [4125.0, 4125.0, 4125.0, 9625.0]


def test_guaranteed_quarters_count_replayed_quarters_unless_listed(tmp_path):
    # quarters: 1 with --quarters 1 is the replay's only quarter, 2026Q2: Ana 90 % × 5,000 − 0
    rows = pay(replay(FLOORS / "plan.yaml", FLOORS, "--quarters", "1"))
    assert rows[("2026Q2", "C1")] == 4500.0
    plan = plan_with(tmp_path, FLOORS, "", "quarters: 1}", "quarters: [2026Q2]}")
    listed = {(r["quarter"], r["csm_id"]): r for r in replay(plan, FLOORS, "--quarters", "2")["rows"]}
    assert listed[("2026Q1", "C1")]["guarantee_adjustment"] == 0.0 and listed[("2026Q1", "C1")]["proposed"] == -375.0
    assert listed[("2026Q2", "C1")]["guarantee_adjustment"] == 4500.0


def test_a_clawback_in_a_period_plan_is_refused(tmp_path):
    plan = plan_with(tmp_path, YEAR, "    clawback: {within: 2}\n")
    result = run("validate", plan, "--data", YEAR)
    assert result.exit_code == 2
    assert "components[1].clawback: a clawback cannot be used in a plan with period: year" in result.stdout + result.stderr


def test_a_hire_and_an_account_handed_over_during_the_year(tmp_path):
    data = tmp_path / "hire"
    shutil.copytree(YEAR, data)
    (data / "roster.csv").write_text(
        "csm_id,name,segment,annual_base,annual_variable,start_date\nC1,Ana,Enterprise,80000,20000,\n"
        "C2,Bo,Enterprise,80000,20000,\nC3,Cy,Enterprise,80000,20000,2025-07-01\n", encoding="utf-8")
    with (data / "accounts.csv").open("a", encoding="utf-8") as accounts:
        accounts.write("2025Q1,A9,C2,100000,0,0,0\n2025Q2,A9,C2,100000,0,0,0\n"
                       "2025Q3,A9,C3,100000,30000,0,0\n2025Q4,A9,C3,130000,0,0,0\n")
    with (data / "payouts.csv").open("a", encoding="utf-8") as payouts:
        payouts.write("2025Q3,C3,5000\n2025Q4,C3,5000\n")
    rows = {(r["quarter"], r["csm_id"]): r for r in
            replay(YEAR / "plan.yaml", data, "--through", "2025Q4", "--quarters", "4")["rows"]}
    cy = rows[("2025Q3", "C3")]
    # NRR 130,000 / 100,000 = 1.3 → 1.5 × TV to date 5,000; 10 % × 30,000 within the cap 1,000 × 3
    assert cy["components"]["retention"]["metric"] == 1.3
    assert cy["components"]["expansion_commission"]["earned_to_date"] == 3000.0
    assert cy["earned_to_date"] == 10500.0 and cy["proposed"] == 7875.0
    # 10,000 × 1.5 + 3,000 = 18,000, less 7,875
    assert rows[("2025Q4", "C3")]["proposed"] == 10125.0
    bo = rows[("2025Q3", "C2")]
    # A9 stays in Bo's year: 350,000 start, 12,000 + 8,000 + 30,000 moved
    assert bo["components"]["retention"]["metric"] == 1.142857143
    assert bo["components"]["expansion_commission"]["metric"] == 50000.0
