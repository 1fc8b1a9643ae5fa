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

from .conftest import DEFAULT_ROSTER, REPO, assert_user_error, run
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
