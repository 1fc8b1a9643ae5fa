"""`cscomp compare`: plans side by side on the same history, worked by hand.

Org: C1 (Enterprise) start 100,000, +10,000 expansion, −5,000 contraction → nrr 1.05;
     C2 (SMB) start 100,000, −4,000 churn → nrr 0.96; TV 5,000 each; each paid 5,000.
Plan "nrr": curve [0.9, 0] → [1.0, 1.0] → [1.1, 1.5]: C1 f = 1.25 → 6,250; C2 f = 0.6 → 3,000. Total 9,250.
Plan "capped": the same with cap 1.0: C1 6,250 lowered to 5,000; C2 3,000. Total 8,000.
Retained ARR (one quarter): 95,000 + 96,000 = 191,000.
"""

from __future__ import annotations

import json

import yaml

from .conftest import DEFAULT_ROSTER, REPO, VECTORS, assert_user_error, run
from .conftest import MOVING_ACCOUNTS as ACCOUNTS
from .conftest import NRR_PLAN as NRR
from .conftest import PAID_AT_TARGET as PAYOUTS


def folder(data_dir):
    path = data_dir(accounts=ACCOUNTS, roster=DEFAULT_ROSTER, payouts=PAYOUTS)
    (path / "nrr.yaml").write_text(yaml.safe_dump(NRR))
    (path / "capped.yaml").write_text(yaml.safe_dump({**NRR, "name": "Capped", "cap": 1.0}))
    return path


def compare(path, *extra: str):
    return run("compare", path / "nrr.yaml", path / "capped.yaml", "--quarters", "1", "--data", path, *extra)


def test_side_by_side_by_hand(data_dir):
    result = compare(folder(data_dir), "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["retained_arr"] == 191000.0
    # base 100,000 / 4 = 25,000 each, so total cash 2 × 25,000 + 10,000 = 60,000
    assert doc["actual"] == {"total": 10000.0, "base_total": 50000.0, "cash_total": 60000.0,
                             "cost_by_segment": {"Enterprise": 5000.0, "SMB": 5000.0},
                             "pay_performance_correlation": None,
                             "cost_pct_of_retained_arr": 5.24}  # 10,000 / 191,000 = 5.2356 %
    assert doc["moves_base"] is False
    nrr, capped = doc["plans"]
    assert (nrr["label"], nrr["plan"], nrr["proposed_total"], nrr["delta"], nrr["delta_pct"]) == (
        "nrr", "NRR plan", 9250.0, -750.0, -7.5)
    assert nrr["cost_by_segment"] == {"Enterprise": 6250.0, "SMB": 3000.0}
    assert (nrr["paid_more"], nrr["paid_less"]) == (1, 1)
    assert nrr["cost_pct_of_retained_arr"] == 4.84  # 9,250 / 191,000 = 4.8429 %
    assert (capped["proposed_total"], capped["delta_pct"]) == (8000.0, -20.0)
    assert capped["cost_by_segment"] == {"Enterprise": 5000.0, "SMB": 3000.0}
    # C1 is the top performer (nrr 1.05) and the cap takes it to exactly 5,000: not paid less.
    assert capped["top_performers"] == ["C1"] and capped["top_performers_paid_less"] == []
    assert capped["cost_pct_of_retained_arr"] == 4.19  # 8,000 / 191,000 = 4.1885 %
    # total cash = 25,000 base + variable
    assert doc["csms"] == [
        {"csm_id": "C1", "name": "Ana", "segment": "Enterprise", "actual": 5000.0,
         "proposed": {"nrr": 6250.0, "capped": 5000.0}, "actual_cash": 30000.0,
         "proposed_cash": {"nrr": 31250.0, "capped": 30000.0}},
        {"csm_id": "C2", "name": "Bo", "segment": "SMB", "actual": 5000.0,
         "proposed": {"nrr": 3000.0, "capped": 3000.0}, "actual_cash": 30000.0,
         "proposed_cash": {"nrr": 28000.0, "capped": 28000.0}},
    ]


def test_each_plan_equals_its_own_stress_test(data_dir):
    path = folder(data_dir)
    doc = json.loads(compare(path, "--format", "json").stdout)
    for column in doc["plans"]:
        single = json.loads(run("stress-test", path / f"{column['label']}.yaml", "--quarters", "1", "--data", path,
                                "--format", "json").stdout)
        assert column["proposed_total"] == single["summary"]["proposed_total"]
        assert column["top_performers_paid_less"] == single["summary"]["top_performers_paid_less"]


def test_csv_is_the_per_csm_matrix(data_dir):
    result = compare(folder(data_dir), "--format", "csv")
    assert result.stdout.splitlines() == ["csm_id,name,segment,actual,nrr,capped",
                                          "C1,Ana,Enterprise,5000.00,6250.00,5000.00",
                                          "C2,Bo,SMB,5000.00,3000.00,3000.00"]


def test_table_and_markdown(data_dir):
    path = folder(data_dir)
    table = compare(path).stdout
    assert "$9,250.00" in table and "$8,000.00" in table and "4.84 %" in table
    markdown = compare(path, "--format", "markdown").stdout
    assert "| Total cost | $10,000.00 | $9,250.00 | $8,000.00 |" in markdown


def test_guardrails_name_the_plan(data_dir):
    result = compare(folder(data_dir), "--format", "csv", "--max-decrease", "10", "-q")
    assert result.exit_code == 1
    assert result.stderr.strip() == ("breach: capped: max-decrease: proposed variable pay 8,000.00 is 20.00 % below "
                                     "actual 10,000.00, more than the 10 % allowed")


def test_compare_needs_two_plans_and_names_a_bad_one(data_dir):
    path = folder(data_dir)
    assert_user_error(run("compare", path / "nrr.yaml", "--data", path), "needs two plans or more")
    (path / "bad.yaml").write_text("name: x\ncomponents: []\n")
    assert_user_error(run("compare", path / "nrr.yaml", path / "bad.yaml", "--data", path, "--quarters", "1"),
                      "bad.yaml", "components")


def test_compare_on_the_sample_org():
    result = run("compare", REPO / "plans" / "current.yaml", REPO / "plans" / "nrr_focus.yaml",
                 "--data", REPO / "sample_data", "--format", "json")
    doc = json.loads(result.stdout)
    current, nrr = doc["plans"]
    # The plan in force replays payroll except the manual adjustments in 2026: +1,000 bonus, −1,200 clawback.
    assert current["delta"] == 200.0
    assert nrr["proposed_total"] == 1188922.19
    assert nrr["top_performers_paid_less"] == ["C02", "C36", "C09", "M05", "C04"]


def test_compare_command_lives_in_the_module_named_after_it():
    """A newcomer looking for `cscomp compare` finds it in compare.py, and the replay-versus-actual
    comparison that every command uses in versus_actual.py (it used to be the other way round)."""
    import importlib.util

    from cscomp_cli.analyses import compare as compare_module
    from cscomp_cli.commands import replay as commands
    from cscomp_cli.engine import versus_actual

    assert hasattr(compare_module, "compare_plans")
    assert hasattr(versus_actual, "compare_with_actual")
    assert importlib.util.find_spec("cscomp_cli.sidebyside") is None
    assert "compare_plans" in commands.compare_command.__code__.co_names


def test_every_example_plan_in_one_compare_equals_its_own_stress_test():
    # compare shares one cache between its plans (who is replayed, every book's statistics); plans that
    # differ in credit, pay mix, windows and custom metrics must still each get their own numbers.
    plans = sorted((REPO / "plans").glob("*.yaml"))
    assert len(plans) >= 8
    result = run("compare", *plans, "--data", REPO / "sample_data", "--quarters", "4", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    for path, column in zip(plans, doc["plans"]):
        single = json.loads(run("stress-test", path, "--quarters", "4", "--data", REPO / "sample_data",
                                "--format", "json").stdout)
        assert column["proposed_total"] == single["summary"]["proposed_total"], path.name
        assert column["proposed_cash_total"] == single["summary"]["proposed_cash_total"], path.name
        assert column["top_performers_paid_less"] == single["summary"]["top_performers_paid_less"], path.name


# --- Period plans and floors (SPEC 6.4, 6.6) -------------------------------------------------------------

PERIOD_CASE = VECTORS / "13_period_true_up"
FLOORS_CASE = VECTORS / "14_clawback_and_floors"


def without_keys(plan_file, tmp_path, name: str, *keys: str):
    """The plan with its top-level ``keys`` removed, written beside the test."""
    plan = yaml.safe_load(plan_file.read_text())
    for key in keys:
        plan.pop(key, None)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({**plan, "name": name}))
    return path


def test_a_period_plan_beside_its_quarterly_version(tmp_path):
    quarterly = without_keys(PERIOD_CASE / "plan.yaml", tmp_path, "quarterly", "period", "advance", "recover")
    # Both orders: the plans share one replay cache, and neither may take the other's figures.
    for order in ([PERIOD_CASE / "plan.yaml", quarterly], [quarterly, PERIOD_CASE / "plan.yaml"]):
        result = run("compare", *order, "--quarters", "4", "--data", PERIOD_CASE, "--format", "json")
        assert result.exit_code == 0, result.stderr
        doc = json.loads(result.stdout)
        plans = {column["label"]: column for column in doc["plans"]}
        # The annual plan: vector 13's WORKING.md summary.
        annual = plans["plan"]
        assert (annual["proposed_total"], annual["delta"], annual["delta_pct"]) == (31447.5, -11552.5, -26.87)
        assert (annual["paid_more"], annual["paid_less"], annual["proposed_cash_total"]) == (1, 1, 191447.5)
        # The quarterly version, by hand (TV 5,000; f slope 10 to 1.0, then 5; commission 10 %, at most 1,000):
        # C1 2025Q2 105,000/102,000 = 1.029411765 → f 1.147058825 → 5,735.29 + 300 = 6,035.29
        #    2025Q3 no movement → 1.0 → 5,000 + 0 = 5,000
        #    2025Q4 110,000/105,000 = 1.047619048 → f 1.23809524 → 6,190.48 + 500 = 6,690.48
        #    2026Q1 111,100/110,000 = 1.01 → f 1.05 → 5,250 + 110 = 5,360      → C1 23,085.77
        # C2 2025Q2 262,000/262,000 = 1.0 → 5,000 + 0 = 5,000
        #    2025Q3 270,000/262,000 = 1.030534351 → f 1.152671755 → 5,763.36 + 800 = 6,563.36
        #    2025Q4 220,000/270,000 = 0.814814815 < 0.9 → 0 + 0 = 0
        #    2026Q1 222,200/220,000 = 1.01 → 5,250 + 220 = 5,470                → C2 17,033.36
        # Total 40,119.13; actual 43,000 → delta −2,880.87, −6.70 %; C1 +85.77 (more), C2 −2,966.64 (less).
        by_quarter = plans["quarterly"]
        assert (by_quarter["proposed_total"], by_quarter["delta"], by_quarter["delta_pct"]) == (40119.13, -2880.87,
                                                                                               -6.7)
        assert (by_quarter["paid_more"], by_quarter["paid_less"]) == (1, 1)
        assert by_quarter["proposed_cash_total"] == 160000.0 + 40119.13
        assert {c["csm_id"]: c["proposed"] for c in doc["csms"]} == {
            "C1": {"plan": 30745.0, "quarterly": 23085.77}, "C2": {"plan": 702.5, "quarterly": 17033.36}}
        assert "ramp_total" not in annual and "guarantee_total" not in by_quarter
        # The period plan's warning is labelled with it, and only it.
        assert [w.split(":")[0] for w in doc["warnings"] if "true-up" in w] == ["plan"]


def test_floors_cost_is_in_the_comparison(tmp_path):
    unprotected = without_keys(FLOORS_CASE / "plan.yaml", tmp_path, "unprotected", "ramp", "guarantee")
    result = run("compare", unprotected, FLOORS_CASE / "plan.yaml", "--quarters", "2", "--data", FLOORS_CASE,
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    bare, floored = doc["plans"]
    # Vector 14 without its floors: C1 −375 + 0, C2 5,800 + 7,500, C3 1,200 + 7,800 → 21,925.
    assert bare["proposed_total"] == 21925.0 and "ramp_total" not in bare
    # With them (WORKING.md): 28,950 = 21,925 + ramp 2,550 + guarantee 3,975 + 500.
    assert (floored["proposed_total"], floored["ramp_total"], floored["guarantee_total"]) == (28950.0, 2550.0,
                                                                                             4475.0)
    assert {c["csm_id"]: c["proposed"]["plan"] for c in doc["csms"]} == {"C1": 3600.0, "C2": 13800.0,
                                                                        "C3": 11550.0}
    assert {c["csm_id"]: c["proposed"]["unprotected"] for c in doc["csms"]} == {"C1": -375.0, "C2": 13300.0,
                                                                               "C3": 9000.0}


def test_the_table_shows_what_the_floors_cost(tmp_path):
    unprotected = without_keys(FLOORS_CASE / "plan.yaml", tmp_path, "unprotected", "ramp", "guarantee")
    result = run("compare", unprotected, FLOORS_CASE / "plan.yaml", "--quarters", "2", "--data", FLOORS_CASE,
                 "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    lines = [line.replace(" ", "") for line in result.stdout.splitlines()]
    # Vector 14: ramp 2,550 (C3's first quarter); guarantee 3,975 (C1) + 500 (C2) in 2026Q1.
    assert "|Rampfloorcost|—|—|$2,550.00|" in lines
    assert "|Guaranteecost|—|—|$4,475.00|" in lines
