"""Guardrails: one definition per limit, the same in every command that offers it, said in --help,
and every breach line naming the figure it judged and that figure's value.

Org used throughout (one quarter, 2026Q1; the total-cash org of tests/test_total_cash.py):
  C1 Ana (Enterprise) and C2 Bo (SMB), each annual base 100,000 and annual variable 20,000 (OTE
  120,000); roster quarterly base 25,000, TV 5,000; each actually paid 5,000 (actual 10,000).
  C1: start 100,000, −2,000 contraction → nrr 0.98 → f 0.8. C2: −4,000 churn → nrr 0.96 → f 0.6.
Plan PLAIN (no pay_mix): C1 5,000 × 0.8 = 4,000, C2 5,000 × 0.6 = 3,000 → variable 7,000 (−30.00 %).
Plan OTE (pay_mix 25 %, hold: ote): TV 120,000 × 0.25 / 4 = 7,500, base 120,000 × 0.75 / 4 = 22,500.
  C1 7,500 × 0.8 = 6,000, C2 7,500 × 0.6 = 4,500 → variable 10,500 (+5.00 %);
  base 2 × 22,500 = 45,000 against 2 × 25,000 = 50,000 → −5,000;
  what --budget judges: 10,500 − 5,000 = 5,500;
  total cash 45,000 + 10,500 = 55,500 against 60,000 → −7.50 %.
  Top performer (⌈2/4⌉ = 1): C1, cash 28,500 against 30,000 → −1,500: paid less.
simulate --quarters 1: each CSM has one outcome (C1 6,000 ÷ 7,500 = 0.8, C2 0.6), so every run of
the next quarter pays exactly the replayed quarter again: no chance involved.
"""

from __future__ import annotations

import json

import pytest
import typer
import yaml

from cscomp_cli.cli import app

from .conftest import DEFAULT_ROSTER, NRR_PLAN, PAID_AT_TARGET, VECTORS, run

ACCOUNTS = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn
2026Q1,A1,C1,100000,0,2000,0
2026Q1,A2,C2,100000,0,0,4000
"""
OTE_PLAN = {**NRR_PLAN, "name": "OTE mix", "pay_mix": {"variable_pct": 25, "hold": "ote"}}


@pytest.fixture
def org(data_dir):
    folder = data_dir(accounts=ACCOUNTS, roster=DEFAULT_ROSTER, payouts=PAID_AT_TARGET)
    for name, plan in (("ote", OTE_PLAN), ("plain", NRR_PLAN)):
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(plan))
    return folder


def stress(folder, plan: str, *extra: str):
    return run("stress-test", folder / f"{plan}.yaml", "--quarters", "1", "--data", folder, "-q",
               "--format", "json", *extra)


def simulate(folder, plan: str, *extra: str):
    return run("simulate", folder / f"{plan}.yaml", "--quarters", "1", "--runs", "20", "--data", folder, "-q",
               "--format", "json", *extra)


def breaches(result) -> list[str]:
    return [line.removeprefix("breach: ") for line in result.stderr.splitlines() if line.startswith("breach: ")]


# --- --budget: one figure in stress-test, compare and simulate ---------------------------------------

@pytest.mark.parametrize("plan, budget, breached", [
    ("plain", "7000", False), ("plain", "6999.99", True),   # variable 7,000
    ("ote", "5500", False), ("ote", "5499.99", True),       # 10,500 − 5,000 of base = 5,500
    ("ote", "6000", False),  # above 5,500 but below the variable 10,500 alone: no command may judge that
])
def test_budget_gives_one_verdict_in_every_command(org, plan, budget, breached):
    expected = 1 if breached else 0
    assert stress(org, plan, "--budget", budget).exit_code == expected
    compared = run("compare", org / f"{plan}.yaml", org / f"{plan}.yaml", "--quarters", "1", "--data", org, "-q",
                   "--format", "json", "--budget", budget)
    assert compared.exit_code == expected
    # P = 0: a breach as soon as one run is over; every run pays the replayed quarter again.
    simulated = simulate(org, plan, "--budget", budget, "--max-overrun-probability", "0")
    assert simulated.exit_code == expected, simulated.stderr


def test_simulate_reports_the_share_of_runs_over_the_same_figure(org):
    doc = json.loads(simulate(org, "ote", "--budget", "6000").stdout)
    assert doc["total"]["p50"] == 10500.0  # the variable pay drawn
    assert doc["probability_over_budget"] == 0.0  # 5,500 judged, never above 6,000
    doc = json.loads(simulate(org, "ote", "--budget", "5499.99").stdout)
    assert doc["probability_over_budget"] == 1.0


def test_the_budget_breach_names_the_figure_and_its_value(org):
    assert breaches(stress(org, "plain", "--budget", "6500")) == [
        "budget: proposed variable pay 7,000.00 is above the budget 6,500.00 (by 500.00)"]
    assert breaches(stress(org, "ote", "--budget", "5000")) == [
        "budget: proposed variable pay net of the change in base 5,500.00 (variable 10,500.00, base -5,000.00) "
        "is above the budget 5,000.00 (by 500.00)"]


def test_compare_breaches_name_the_plan_and_the_figure(org):
    result = run("compare", org / "plain.yaml", org / "ote.yaml", "--quarters", "1", "--data", org, "-q",
                 "--format", "json", "--budget", "6000")
    # plain judges 7,000 (over by 1,000); ote judges 5,500 (within)
    assert breaches(result) == ["plain: budget: proposed variable pay 7,000.00 is above the budget 6,000.00 "
                                "(by 1,000.00)"]


def test_the_simulate_breach_names_the_figure_the_share_and_the_median(org):
    assert breaches(simulate(org, "plain", "--budget", "6500", "--max-overrun-probability", "0.1")) == [
        "max-overrun-probability: in 100.0 % of runs the proposed variable pay was above the budget 6,500.00 "
        "(median 7,000.00), more than the 10 % allowed"]
    assert breaches(simulate(org, "ote", "--budget", "5000", "--max-overrun-probability", "0.1")) == [
        "max-overrun-probability: in 100.0 % of runs the proposed variable pay net of the change in base was "
        "above the budget 5,000.00 (median 5,500.00: variable 10,500.00, base -5,000.00), more than the 10 % "
        "allowed"]


def test_the_simulate_table_says_what_it_judged(org):
    table = run("simulate", org / "plain.yaml", "--quarters", "1", "--runs", "20", "--data", org, "-q",
                "--budget", "6500").stdout
    assert "100.0% of runs: proposed variable pay above $6,500.00" in table
    markdown = run("simulate", org / "ote.yaml", "--quarters", "1", "--runs", "20", "--data", org, "-q",
                   "--budget", "6000", "--format", "markdown").stdout
    assert "- Over budget ($6,000.00): 0.0% of runs (proposed variable pay net of the change in base)" in markdown


# --- the other guardrails: the figure and its value in every breach line -----------------------------

def test_cost_change_breaches_name_the_figure(org):
    assert breaches(stress(org, "plain", "--max-decrease", "5")) == [
        "max-decrease: proposed variable pay 7,000.00 is 30.00 % below actual 10,000.00, more than the 5 % "
        "allowed"]
    assert breaches(stress(org, "ote", "--max-decrease", "5")) == [
        "max-decrease: proposed total cash (base + variable) 55,500.00 is 7.50 % below actual 60,000.00, "
        "more than the 5 % allowed"]
    # ote's variable pay rises 5 %, but its total cash falls: --max-increase judges the cash, and holds
    assert stress(org, "ote", "--max-increase", "4").exit_code == 0


def test_protect_top_names_each_top_performer_and_by_how_much(org):
    assert breaches(stress(org, "ote", "--protect-top")) == [
        "protect-top: 1 top performer paid less than actual in total cash (base + variable): C1 (-1,500.00)"]
    # plain: C1 4,000 against 5,000
    assert breaches(stress(org, "plain", "--protect-top")) == [
        "protect-top: 1 top performer paid less than actual in variable pay: C1 (-1,000.00)"]


def test_min_correlation_names_the_correlation(org):
    # Two CSMs: Spearman needs 3, so the correlation is undefined.
    assert breaches(stress(org, "plain", "--min-correlation", "0.5")) == [
        "min-correlation: proposed pay-performance correlation undefined (fewer than 3 CSMs to rank, or no "
        "spread in pay or performance), so not at least the minimum +0.50"]


# --- --help says each definition, the same words wherever an option is offered ------------------------

def _helps(command: str) -> dict[str, str]:
    click_command = typer.main.get_command(app).commands[command]
    return {param.opts[0]: param.help for param in click_command.params if getattr(param, "help", None)}


def test_help_defines_each_guardrail_once_for_every_command():
    stress_help, compare_help, simulate_help = _helps("stress-test"), _helps("compare"), _helps("simulate")
    for option in ("--budget", "--max-increase", "--max-decrease", "--protect-top", "--min-correlation"):
        assert stress_help[option] == compare_help[option], option
    assert "proposed variable pay" in stress_help["--budget"] and "base" in stress_help["--budget"]
    assert "total cash" in stress_help["--max-increase"] and "total cash" in stress_help["--max-decrease"]
    # simulate's --budget judges the same figure, per run: the definition is the same words
    definition = "the proposed variable pay plus the change in base a pay_mix makes"
    assert definition in stress_help["--budget"] and definition in simulate_help["--budget"]
    assert "--budget" in simulate_help["--max-overrun-probability"]


# --- Floors are costs (SPEC 6.6): every guardrail judges the proposed pay with them ----------------------------

FLOORS_CASE = VECTORS / "14_clawback_and_floors"  # ramp 2,550 and guarantee 4,475 inside proposed 28,950


def test_guardrails_judge_the_pay_with_its_floors(tmp_path):
    plan = yaml.safe_load((FLOORS_CASE / "plan.yaml").read_text())
    bare = tmp_path / "bare.yaml"
    bare.write_text(yaml.safe_dump({k: v for k, v in plan.items() if k not in ("ramp", "guarantee")}))
    args = ["--data", FLOORS_CASE, "--quarters", "2", "--format", "json"]
    # With the floors (vector 14): 28,950 against actual 31,000, −6.61 %. Without them 21,925, −29.27 %.
    floored = run("stress-test", FLOORS_CASE / "plan.yaml", *args, "--budget", "25000", "--max-decrease", "10")
    assert floored.exit_code == 1
    assert [line for line in floored.stderr.splitlines() if line.startswith("breach:")] == [
        "breach: budget: proposed variable pay 28,950.00 is above the budget 25,000.00 (by 3,950.00)"]
    unfloored = run("stress-test", bare, *args, "--budget", "25000", "--max-decrease", "10")
    assert [line for line in unfloored.stderr.splitlines() if line.startswith("breach:")] == [
        "breach: max-decrease: proposed variable pay 21,925.00 is 29.27 % below actual 31,000.00, more than the "
        "10 % allowed"]
    # compare judges each plan the same way, its floors included.
    both = run("compare", bare, FLOORS_CASE / "plan.yaml", *args, "--budget", "25000")
    assert [line for line in both.stderr.splitlines() if line.startswith("breach:")] == [
        "breach: plan: budget: proposed variable pay 28,950.00 is above the budget 25,000.00 (by 3,950.00)"]


def test_simulate_budget_counts_the_ramp_ahead():
    # History 2026Q1 (tests/test_simulate.py): 2026Q2 and 2026Q3 cost −750 + 11,600 + 9,900 = 20,750 in every run,
    # of which 7,500 − 2,400 = 5,100 is C3's ramp in 2026Q2; without it 15,650, under an 18,000 budget.
    result = run("simulate", FLOORS_CASE / "plan.yaml", "--data", FLOORS_CASE, "--quarters", "1", "--through",
                 "2026Q1", "--quarters-ahead", "2", "--runs", "20", "--format", "json", "--budget", "18000",
                 "--max-overrun-probability", "0.5")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["probability_over_budget"] == 1.0
    assert "in 100.0 % of runs the proposed variable pay was above the budget 18,000.00 (median 20,750.00)" in (
        result.stderr)
