"""--shock: movement columns scaled before the replay, losses clamped to what an account had,
recorded in the output; guardrails: one breach line each on stderr and exit 1."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from cscomp_cli.analyses.shocks import Shock, parse_shocks, shock_accounts

from .conftest import DEFAULT_ROSTER, REPO, run
from .conftest import MOVING_ACCOUNTS as ACCOUNTS
from .conftest import NRR_PLAN as NRR
from .conftest import PAID_AT_TARGET as PAYOUTS

# C1: start 100,000, +10,000 expansion, −5,000 contraction → nrr 1.05 → f = 1.25 → 5,000 × 1.25 = 6,250
# C2: start 100,000, −4,000 churn → nrr 0.96 → f = 0.6 → 3,000


def stress(data_dir, *extra: str, plan: dict = NRR):
    folder = data_dir(accounts=ACCOUNTS, roster=DEFAULT_ROSTER, payouts=PAYOUTS, plan=yaml.safe_dump(plan))
    return run("stress-test", folder / "plan.yaml", "--quarters", "1", "--data", folder, *extra)


def proposed(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return {r["csm_id"]: r["proposed"] for r in json.loads(result.stdout)["rows"]}


def test_parse_shocks():
    assert parse_shocks(["churn=+25%", "expansion=-30", " contraction = 10.5 % "]) == [
        Shock("expansion", -30.0), Shock("contraction", 10.5), Shock("churn", 25.0)]
    assert Shock("churn", 25.0).label() == "churn=+25%"


@pytest.mark.parametrize("text, fragment", [
    ("arr_start=+10%", "arr_start is not a movement column"),
    ("churn+25%", "is not COLUMN=±PCT%"),
    ("churn=-120%", "cannot fall by more than 100 %"),
])
def test_bad_shocks_are_usage_errors(data_dir, text, fragment):
    result = stress(data_dir, "--shock", text)
    assert result.exit_code == 2 and fragment in result.stderr and "Traceback" not in result.stderr


def test_a_column_shocked_twice_is_refused(data_dir):
    result = stress(data_dir, "--shock", "churn=+1%", "--shock", "churn=+2%")
    assert result.exit_code == 2 and "given twice" in result.stderr


def test_a_zero_shock_equals_the_plain_replay(data_dir):
    plain = json.loads(stress(data_dir, "--format", "json").stdout)
    shocked = json.loads(stress(data_dir, "--format", "json", "--shock", "churn=+0%", "--shock",
                                "expansion=-0%").stdout)
    assert shocked.pop("shocks") == {"expansion": 0.0, "churn": 0.0}
    assert shocked == plain
    assert "shocks" not in plain  # the plain document is exactly SPEC section 4


def test_shocks_move_the_payouts_by_hand(data_dir):
    # expansion −30 %: C1 expands 7,000 → nrr (100,000 + 7,000 − 5,000) / 100,000 = 1.02 → f = 1.1 → 5,500.
    # churn +50 %: C2 churns 6,000 → nrr 0.94 → f = 0.4 → 2,000.
    result = stress(data_dir, "--format", "json", "--shock", "expansion=-30%", "--shock", "churn=+50%")
    assert proposed(result) == {"C1": 5500.0, "C2": 2000.0}
    assert json.loads(result.stdout)["shocks"] == {"expansion": -30.0, "churn": 50.0}


def test_shocks_are_recorded_in_csv_table_and_markdown(data_dir):
    csv_text = stress(data_dir, "--format", "csv", "--shock", "churn=+25%").stdout.splitlines()
    assert csv_text[0].endswith(",delta_pct,base,actual_base,proposed_cash,actual_cash,cash_delta,shocks") and csv_text[1].endswith(",churn=+25%")
    assert "churn=+25%" in stress(data_dir, "--shock", "churn=+25%").stdout
    assert "- Shocks: churn=+25%" in stress(data_dir, "--format", "markdown", "--shock", "churn=+25%").stdout


def test_losses_are_clamped_to_what_the_account_had():
    accounts = pd.DataFrame({
        "arr_start": [100.0, 100.0, 100.0], "expansion": [0.0, 20.0, 0.0], "cross_sell": [0.0, 0.0, 0.0],
        "contraction": [10.0, 50.0, 0.0], "churn": [100.0, 0.0, 0.0], "arr_end": [0.0, 70.0, 100.0]})
    shocked = shock_accounts(accounts, [Shock("contraction", 200.0), Shock("churn", 25.0)])
    # A1: churn 125 → clamped to 100 (all it had); contraction 30 → 0 left to lose.
    # A2: contraction 150 → clamped to 100 + 20 = 120; arr_end 0.
    # A3: nothing to scale.
    assert shocked["churn"].tolist() == [100.0, 0.0, 0.0]
    assert shocked["contraction"].tolist() == [0.0, 120.0, 0.0]
    assert shocked["arr_end"].tolist() == [0.0, 0.0, 100.0]
    assert accounts["churn"].tolist() == [100.0, 0.0, 0.0]  # the input is not changed


# --- guardrails -------------------------------------------------------------------------------------
# Plain replay: proposed 6,250 + 3,000 = 9,250 against actual 10,000: −7.50 %.
# Top performer (⌈2/4⌉ = 1): C1 (nrr 1.05), paid 6,250 against 5,000: more.


@pytest.mark.parametrize("options, breach", [
    (["--max-decrease", "5"], "max-decrease: proposed variable pay 9,250.00 is 7.50 % below actual 10,000.00, "
                              "more than the 5 % allowed"),
    (["--budget", "9000"], "budget: proposed variable pay 9,250.00 is above the budget 9,000.00 (by 250.00)"),
    (["--min-correlation", "0.5"], "min-correlation: proposed pay-performance correlation undefined"),
])
def test_each_breach_is_one_line_and_exit_1(data_dir, options, breach):
    result = stress(data_dir, "--format", "json", *options)
    assert result.exit_code == 1
    assert f"breach: {breach}" in result.stderr
    assert json.loads(result.stdout)["summary"]["proposed_total"] == 9250.0  # the result is still written


@pytest.mark.parametrize("options", [["--max-decrease", "7.5"], ["--max-increase", "0"], ["--budget", "9250"],
                                     ["--protect-top"]])
def test_limits_that_hold_exit_0(data_dir, options):
    assert stress(data_dir, "--format", "json", *options).exit_code == 0


def test_protect_top_names_the_top_performers_paid_less(data_dir):
    # expansion −100 %: C1's nrr falls to 0.95, below C2's 0.96, so C2 is now the top performer,
    # and C2 is paid 3,000 against the 5,000 actually paid: 3,000 − 5,000 = −2,000.
    result = stress(data_dir, "--format", "csv", "--shock", "expansion=-100%", "--protect-top", "--quiet")
    assert result.exit_code == 1
    assert result.stderr.strip() == "breach: protect-top: 1 top performer paid less than actual in variable pay: C2 (-2,000.00)"


def test_several_breaches_each_get_a_line(data_dir):
    result = stress(data_dir, "--format", "json", "--max-decrease", "1", "--budget", "1", "-q")
    assert result.exit_code == 1
    assert len([line for line in result.stderr.splitlines() if line.startswith("breach:")]) == 2


@pytest.mark.parametrize("options, fragment", [
    (["--max-increase", "-5"], "--max-increase is a percentage ≥ 0"),
    (["--min-correlation", "2"], "--min-correlation is between -1 and 1"),
])
def test_impossible_limits_are_usage_errors(data_dir, options, fragment):
    result = stress(data_dir, *options)
    assert result.exit_code == 2 and fragment in result.stderr


def test_guardrails_on_the_sample_org():
    # nrr_focus pays 19.33 % less than actual on the sample org and 5 of 10 top performers less.
    result = run("stress-test", REPO / "plans" / "nrr_focus.yaml", "--data", REPO / "sample_data", "-q",
                 "--format", "csv", "--max-decrease", "15", "--protect-top")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "breach: max-decrease: proposed variable pay 1,188,922.19 is 19.33 % below actual 1,473,881.79, more than "
        "the 15 % allowed",
        "breach: protect-top: 5 top performers paid less than actual in variable pay: C02 (-9,161.14), "
        "C36 (-4,335.19), C09 (-6,375.73), M05 (-779.56), C04 (-10,252.54)"]
