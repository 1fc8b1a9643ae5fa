"""Extreme option and plan values (issue 10, rows 6, 7 and 12): each is one clear user error, exit 2,
naming the option, or the plan's file and line, never the internal-error text."""

from __future__ import annotations

import pytest
import yaml

from cscomp_cli.analyses.guardrails import Guardrails
from cscomp_cli.analyses.shocks import parse_shocks
from cscomp_cli.analyses.simulate import MAX_DRAWS, MAX_PAYOUTS, check_size
from cscomp_cli.analyses.sweep import MAX_VALUES, parse_setting
from cscomp_cli.core.errors import UsageError

from .conftest import (
    FLAT_ACCOUNTS,
    NRR_ONLY_YAML,
    NRR_PLAN,
    PAID_AT_TARGET,
    assert_user_error,
    run,
)

NOT_FINITE = ["nan", "-nan", "inf", "-inf", "1e999"]


@pytest.fixture
def org(data_dir):
    return data_dir(accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET, plan=NRR_ONLY_YAML)


def clear_error(result, *fragments: str) -> None:
    assert_user_error(result, *fragments)
    assert "unexpected" not in result.stderr and "bug in cscomp" not in result.stderr


# --- row 6: NaN and infinities in guardrails ---------------------------------------------------------


@pytest.mark.parametrize("value", NOT_FINITE)
@pytest.mark.parametrize("option", ["--max-increase", "--max-decrease", "--budget", "--min-correlation"])
def test_guardrails_refuse_nan_and_infinities(option, value):
    # Before: NaN compared false with every cost, so the guardrail never breached (exit 0).
    name = option[2:].replace("-", "_")
    with pytest.raises(UsageError) as caught:
        Guardrails(**{name: float(value)})
    assert caught.value.message.startswith(option) and caught.value.hint


@pytest.mark.parametrize("option", ["--max-increase", "--max-decrease", "--budget"])
@pytest.mark.parametrize("value", ["nan", "inf", "1e999"])
def test_stress_test_refuses_a_guardrail_that_is_not_a_number(org, option, value):
    clear_error(run("stress-test", org / "plan.yaml", "--data", org, "--quarters", "1", option, value),
                f"{option} must be a finite number", "hint:")


@pytest.mark.parametrize("option", ["--max-increase", "--max-decrease", "--budget"])
def test_compare_refuses_nan_guardrails(org, option):
    clear_error(run("compare", org / "plan.yaml", org / "plan.yaml", "--data", org, "--quarters", "1", option,
                    "nan"), f"{option} must be a finite number")


@pytest.mark.parametrize("value", ["nan", "-inf", "1e999"])
def test_simulate_refuses_a_budget_that_is_not_a_number(org, value):
    clear_error(run("simulate", org / "plan.yaml", "--data", org, "--quarters", "1", "--runs", "10", "--budget",
                    value), "--budget must be a finite number")


@pytest.mark.parametrize("command", ["stress-test", "simulate"])
def test_a_negative_budget_is_refused(org, command):
    # Before: stress-test breached every plan, simulate reported a 100 % overrun.
    clear_error(run(command, org / "plan.yaml", "--data", org, "--quarters", "1", "--budget", "-5"),
                "--budget is an amount ≥ 0, got -5")


# --- row 7: simulate and sweep sizes ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["41", "100000", "10000000", "1000000000"])
def test_quarters_ahead_has_an_upper_limit(org, value):
    # Before: 100,000 ran for minutes, 10,000,000 took 7 GB, 1,000,000,000 ended in MemoryError.
    clear_error(run("simulate", org / "plan.yaml", "--data", org, "--quarters", "1", "--quarters-ahead", value),
                "--quarters-ahead must be between 1 and 40 (ten years)")


def test_forty_quarters_ahead_still_run(org):
    assert run("simulate", org / "plan.yaml", "--data", org, "--quarters", "1", "--quarters-ahead", "40",
               "--runs", "100", "--format", "json").exit_code == 0


def test_runs_are_bounded_by_what_the_team_makes_them_hold():
    # 1,000,000 runs of 2,000 CSMs would hold 2 billion payouts (16 GB): refused, saying how many fit.
    with pytest.raises(UsageError) as caught:
        check_size(1_000_000, 2_000, 1)
    assert "2,000 CSMs" in caught.value.message and caught.value.hint == f"use --runs {MAX_PAYOUTS // 2_000} or fewer"
    with pytest.raises(UsageError) as caught:
        check_size(1_000_000, 29, 40)
    assert caught.value.hint == f"use --runs {MAX_DRAWS // (29 * 40)} or fewer"
    check_size(MAX_PAYOUTS // 2_000, 2_000, 1)  # exactly at the limit: runs


def test_a_sweep_list_is_capped_like_a_range():
    # Before: the list form skipped the 10,000-value cap (20,000 replays, minutes).
    parse_setting("cap=" + ",".join(["1.5"] * MAX_VALUES))
    with pytest.raises(UsageError) as caught:
        parse_setting("cap=" + ",".join(["1.5"] * (MAX_VALUES + 1)))
    assert "10,001 values" in caught.value.message and "at most 10,000" in caught.value.message
    assert len(caught.value.message) < 200  # the list itself is not repeated
    assert len(parse_setting(f"cap=0:{MAX_VALUES - 1}:1").values) == MAX_VALUES
    with pytest.raises(UsageError):
        parse_setting(f"cap=0:{MAX_VALUES}:1")


def test_the_sweep_cap_holds_whatever_the_form(data_dir):
    folder = data_dir(accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET, plan=NRR_ONLY_YAML)
    long_list = "components.retention.target=" + ",".join(["1"] * (MAX_VALUES + 1))
    for sets in (["--set", long_list], ["--set", "components.retention.target=1", "--set", long_list],
                 ["--set", "components.retention.target=90%:190%:0.001%"]):
        clear_error(run("sweep", folder / "plan.yaml", "--data", folder, "--quarters", "1", *sets),
                    "at most 10,000")


# --- row 12: values Python itself cannot take ---------------------------------------------------------


@pytest.mark.parametrize("seed", ["-1", "4294967296", "99999999999999999999999999"])
def test_seed_outside_numpys_range_is_refused(org, seed):
    # Before: --seed -1 was "unexpected ValueError: expected non-negative integer".
    clear_error(run("simulate", org / "plan.yaml", "--data", org, "--quarters", "1", "--seed", seed),
                "--seed must be a whole number from 0 to 4,294,967,295")


def test_the_largest_seed_runs(org):
    assert run("simulate", org / "plan.yaml", "--data", org, "--quarters", "1", "--runs", "10", "--seed",
               "4294967295", "--format", "json").exit_code == 0


@pytest.mark.parametrize("setting, fragment", [
    # Before: "unexpected Overflow: [<class 'decimal.Overflow'>]" for both.
    ("cap=0.9:1:1e-999999999", "asks for more values than a sweep tries (at most 10,000)"),
    ("cap=0:1e999999999:1", "'1e999999999' is not a usable value"),
    ("cap=1:2:1e999999999", "'1e999999999' is not a usable value"),
    ("cap=nan:2:1", "'nan' is not a usable value"),
    ("cap=1,nan", "'nan' is not a usable value"),
    ("cap=" + "9" * 400 + "%,1", "is not a usable value"),
])
def test_sweep_values_that_overflow_or_are_not_numbers(data_dir, setting, fragment):
    folder = data_dir(accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET, plan=NRR_ONLY_YAML)
    clear_error(run("sweep", folder / "plan.yaml", "--data", folder, "--quarters", "1", "--set", setting),
                "--set ", fragment)


@pytest.mark.parametrize("shock, fragment", [
    # Before: 400 digits made the factor inf, every churn NaN, and the replay exited 0.
    ("churn=+1" + "0" * 400 + "%", "a movement can grow by at most 10,000 %"),
    ("expansion=+" + "9" * 5000, "a movement can grow by at most 10,000 %"),
    ("churn=+10000.01%", "a movement can grow by at most 10,000 %"),
    ("churn=-1" + "0" * 400 + "%", "cannot fall by more than 100 %"),
])
def test_a_shock_too_large_is_refused(org, shock, fragment):
    result = run("stress-test", org / "plan.yaml", "--data", org, "--quarters", "1", "--shock", shock)
    clear_error(result, "--shock", fragment)
    assert len(result.stderr) < 400  # a long shock is shortened, not repeated


def test_the_largest_shock_still_replays():
    assert parse_shocks(["expansion=+10000%"])[0].factor == 101.0


def plan_with(tmp_path, extra: str, cap: str = "2.0"):
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump({**NRR_PLAN, "cap": 2.0}).replace("cap: 2.0", f"cap: {cap}") + extra,
                    encoding="utf-8")
    return path


def replay(org, plan):
    return run("stress-test", plan, "--data", org, "--quarters", "1")


@pytest.mark.parametrize("extra, line", [
    ("notes: " + "[" * 1000 + "]" * 1000 + "\n", None),  # flow sequences
    ("notes: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n", None),  # flow mappings
    ("notes:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(1000)) + " " * 1001 + "v: 1\n", None),  # block
    # Aliases nesting one another: 40 anchors of 10 levels each, 400 deep once expanded.
    ("notes:\n  x0: &a0 1\n" + "".join(f"  x{i}: &a{i} " + "[" * 10 + f"*a{i - 1}" + "]" * 10 + "\n"
                                      for i in range(1, 40)), None),
])
def test_yaml_nested_too_deep_names_the_line(org, tmp_path, extra, line):
    # Before: "unexpected RecursionError: maximum recursion depth exceeded".
    plan = plan_with(tmp_path, extra)
    result = replay(org, plan)
    clear_error(result, str(plan), "nested more than 64 levels deep", "line ")


def test_a_plan_nested_as_deep_as_allowed_reads(org, tmp_path):
    # The top mapping and 63 lists: 64 levels; the unknown key is what is reported, not the depth.
    result = replay(org, plan_with(tmp_path, "notes: " + "[" * 63 + "]" * 63 + "\n"))
    clear_error(result, "unknown key 'notes'")


@pytest.mark.parametrize("cap", ["9" * 5000, "-" + "9" * 5000, "9" * 5000 + ".5", "0x" + "f" * 5000,
                                 "0b" + "1" * 20000, "1:" * 3000 + "1", "9_" * 3000 + "9"])
def test_a_number_thousands_of_digits_long_names_its_line(org, tmp_path, cap):
    # Before: "unexpected ValueError: Exceeds the limit (4300 digits) for integer string conversion".
    plan = plan_with(tmp_path, "", cap=cap)
    result = replay(org, plan)
    line = plan.read_text().splitlines().index(next(l for l in plan.read_text().splitlines() if l.startswith("cap:")))
    clear_error(result, str(plan), f"line {line + 1}, column 6", "characters is too large for a plan")
    assert len(result.stderr) < 400


def test_a_big_number_elsewhere_in_the_plan_names_its_line(org, tmp_path):
    clear_error(replay(org, plan_with(tmp_path, "notes: " + "9" * 5000 + "\n")), "characters is too large")


@pytest.mark.parametrize("cap", ['"' + "9" * 400 + '%"', '"' + "9" * 5000 + '%"'])
def test_a_percentage_hundreds_of_digits_long(org, tmp_path, cap):
    # Before: "cap: inf is not a usable number", naming a value the user never wrote.
    result = replay(org, plan_with(tmp_path, "", cap=cap))
    clear_error(result, "cap: '99999999999999999999…", "characters)' is too large a percentage")
    assert len(result.stderr) < 400
