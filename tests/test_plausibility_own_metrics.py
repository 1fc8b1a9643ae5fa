"""SPEC 5.2's unit warnings extended to the plan's own metrics, filters and targets, judged against the
data: a threshold 100 times outside what the column actually holds (95 on a 0–1 column, 0.5 on a 0–100
one), a filter that keeps every row or none, a renewal marked with no renewal due. Each is said once,
naming the key, and changes no number.

Data: C1 and C2 (TV 5,000.00 a quarter each, paid 5,000.00 in 2026Q1), one quarter:
  C1: A1 health 80, seat_adoption 0.95, usage_pct 95; A2 health 60, 0.55, 55
  C2: A3 health 40, 0.40, 40
so seat_adoption holds 0.4 to 0.95, usage_pct and health 40 to 95 and 40 to 80.
"""

from __future__ import annotations

import json

import pytest
import yaml

from .conftest import DEFAULT_ROSTER, PAID_AT_TARGET, REPO, VECTORS, run, run_json

ACCOUNTS = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn,renewal_due,renewed,health,seat_adoption,usage_pct
2026Q1,A1,C1,100000,0,0,0,yes,yes,80,0.95,95
2026Q1,A2,C1,100000,0,0,0,no,no,60,0.55,55
2026Q1,A3,C2,100000,0,0,0,no,no,40,0.40,40
"""
# health exported as a fraction (0.8 for 80): within 0–100, so it reads without an error.
HEALTH_AS_FRACTION = ACCOUNTS.replace(",80,0.95", ",0.8,0.95").replace(",60,0.55", ",0.6,0.55").replace(
    ",40,0.40", ",0.4,0.40")
NRR = {"id": "retention", "metric": "nrr", "weight": 1.0, "target": 1.0, "curve": [[0.9, 0.0], [1.0, 1.0]]}
NEW = ("every value of", "keeps no row", "keeps every row", "renewal due", "renewal_due column",
       "paid_months_after")


def plan(component: dict | None = None, metrics: dict | None = None, **more) -> str:
    document = {"name": "units", **({"metrics": metrics} if metrics else {}), "components": [component or NRR],
                **more}
    return yaml.safe_dump(document, sort_keys=False)


def folder_with(data_dir, plan_text: str, accounts: str = ACCOUNTS):
    return data_dir(accounts=accounts, roster=DEFAULT_ROSTER, payouts=PAID_AT_TARGET, plan=plan_text)


def stress(folder, *extra) -> tuple[dict, str]:
    result = run("stress-test", folder / "plan.yaml", "--quarters", "1", "--data", folder, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def said_at(warnings: list[str], key: str) -> list[str]:
    """The warnings about one key path (a warning starts with where it is: 'components[0].target: …')."""
    return [w for w in warnings if w.startswith(f"{key}:") or f" {key}:" in w.split(" — ")[0]]


ADOPTION = {"adoption": {"column": "seat_adoption", "aggregate": "mean"}}


# --- a threshold 100 times outside the column -----------------------------------------------------


def test_a_target_of_95_on_the_mean_of_a_fraction_column_is_said_and_still_paid_as_written(data_dir):
    component = {"id": "adoption", "metric": "adoption", "weight": 1.0, "target": 95, "curve": [[0, 0], [1, 1]]}
    document, stderr = stress(folder_with(data_dir, plan(component, ADOPTION)))
    [warning] = said_at(document["warnings"], "components[0].target")
    assert "every value of seat_adoption in accounts.csv is between 0.4 and 0.95" in warning
    assert "did you mean 0.95?" in warning
    assert stderr.count("every value of seat_adoption") == 1  # once on stderr, not per CSM or quarter
    # As written: C1's mean (0.95 + 0.55) ÷ 2 = 0.75, attainment 0.75 ÷ 95 = 0.007894737, f = x on [0, 1],
    # 5,000 × 0.007894737 = 39.47; C2 0.4 ÷ 95 = 0.004210526 → 21.05.
    rows = {r["csm_id"]: r for r in document["rows"]}
    assert rows["C1"]["proposed"] == 39.47 and rows["C2"]["proposed"] == 21.05


@pytest.mark.parametrize("condition, effect, meant", [
    ({"at_least": 95}, "so it keeps no row", "did you mean 0.95?"),
    ({"below": 50}, "so it keeps every row", "did you mean 0.5?"),
])
def test_a_filter_bound_in_percent_on_a_fraction_column_names_its_key(data_dir, condition, effect, meant):
    key = next(iter(condition))
    metrics = {"adopted": {"from": "accounts", "filter": [{"column": "seat_adoption", **condition}]}}
    component = {"id": "adopted", "metric": "adopted", "weight": 1.0, "measure": "value", "curve": [[0, 0], [2, 1]]}
    document, _ = stress(folder_with(data_dir, plan(component, metrics)))
    [warning] = said_at(document["warnings"], f"metrics.adopted.filter[0].{key}")
    assert "every value of seat_adoption in accounts.csv is between 0.4 and 0.95" in warning
    assert effect in warning and meant in warning
    # The filter that keeps every row does nothing, but the slip is the one thing said about it.
    assert said_at(document["warnings"], "metrics.adopted.filter[0]") == []


def test_a_threshold_of_half_on_a_0_to_100_column_asks_for_50(data_dir):
    modifier = {"id": "gate", "when": {"metric": "health", "below": 0.5}, "multiply": 0.5}
    document, _ = stress(folder_with(data_dir, plan(modifiers=[modifier])))
    [warning] = said_at(document["warnings"], "modifiers[0].when.below")
    assert "every value of health in accounts.csv is between 40 and 80" in warning
    assert "it never applies" in warning and "did you mean 50?" in warning


def test_a_share_band_in_percent_on_a_fraction_column_names_where(data_dir):
    metrics = {"adopted_share": {"column": "seat_adoption", "aggregate": "share", "where": {"at_least": 90}}}
    document, _ = stress(folder_with(data_dir, plan(metrics=metrics, performance="adopted_share")))
    [warning] = said_at(document["warnings"], "metrics.adopted_share.where.at_least")
    assert "counts no row" in warning and "did you mean 0.9?" in warning


def test_health_exported_as_a_fraction_under_a_0_to_100_curve(data_dir):
    component = {"id": "health", "metric": "health", "weight": 1.0, "measure": "value",
                 "curve": [[60, 0], [100, 1]]}
    document, _ = stress(folder_with(data_dir, plan(component), accounts=HEALTH_AS_FRACTION))
    [warning] = said_at(document["warnings"], "components[0].curve")
    assert "every value of health in accounts.csv is between 0.4 and 0.8" in warning
    assert "below the curve's first point" in warning and "did you mean [[0.6, 0], [1, 1]]?" in warning
    assert "health is a score from 0 to 100" in warning  # the hint: the export may be what is wrong
    assert all(r["proposed"] == 0 for r in document["rows"])  # as written: every value below 60 pays 0


def test_adoption_exported_in_percent_under_a_0_to_1_curve(data_dir):
    metrics = {"usage": {"column": "usage_pct", "aggregate": "arr_weighted_mean"}}
    component = {"id": "usage", "metric": "usage", "weight": 1.0, "measure": "value",
                 "curve": [[0.5, 0], [0.9, 1]]}
    document, _ = stress(folder_with(data_dir, plan(component, metrics)))
    [warning] = said_at(document["warnings"], "components[0].curve")
    assert "every value of usage_pct in accounts.csv is between 40 and 95" in warning
    assert "at or beyond the curve's last point" in warning and "did you mean [[50, 0], [90, 1]]?" in warning


def test_thresholds_in_the_columns_own_unit_are_not_warned_about(data_dir):
    metrics = {**ADOPTION, "usage": {"column": "usage_pct", "aggregate": "mean"},
               "big_books": {"from": "nrr", "filter": [{"column": "seat_adoption", "at_least": 0.5},
                                                       {"column": "usage_pct", "below": 90}]},
               "adopted_share": {"column": "seat_adoption", "aggregate": "share", "where": {"at_least": 0.9}}}
    components = [dict(NRR, weight=0.5), {"id": "adoption", "metric": "adoption", "weight": 0.25, "target": 0.8,
                                          "curve": [[0.9, 0], [1, 1]]},
                  {"id": "usage", "metric": "usage", "weight": 0.25, "measure": "value", "curve": [[50, 0], [90, 1]]}]
    document = {"name": "fine", "metrics": metrics, "components": components, "performance": "big_books",
                "modifiers": [{"id": "gate", "when": {"metric": "health", "below": 50}, "multiply": 0.5}]}
    report, _ = stress(folder_with(data_dir, yaml.safe_dump(document, sort_keys=False)))
    assert [w for w in report["warnings"] if any(phrase in w for phrase in NEW)] == []


# --- a filter that keeps every row or none ------------------------------------------------------


@pytest.mark.parametrize("condition, fragment", [
    ({"column": "arr_start", "at_least": 500000}, "keeps no row of accounts.csv (every value of arr_start there "
                                                  "is 100,000)"),
    ({"column": "health", "at_least": 0}, "keeps every row of accounts.csv (every value of health there is "
                                          "between 40 and 80)"),
])
def test_a_filter_that_keeps_every_row_or_none_names_its_key_and_the_range(data_dir, condition, fragment):
    # renewed = yes keeps A1 alone: a filter that keeps some rows is not said.
    metrics = {"picked": {"from": "accounts", "filter": [{"column": "renewed", "equals": True}, condition]}}
    component = {"id": "picked", "metric": "picked", "weight": 1.0, "measure": "value", "curve": [[0, 0], [2, 1]]}
    document, _ = stress(folder_with(data_dir, plan(component, metrics)))
    assert said_at(document["warnings"], "metrics.picked.filter[0]") == []
    [warning] = said_at(document["warnings"], "metrics.picked.filter[1]")
    assert fragment in warning


def test_a_yes_no_filter_no_row_passes(data_dir):
    accounts = ACCOUNTS.replace("yes,yes", "no,no")
    metrics = {"renewed_books": {"from": "nrr", "filter": [{"column": "renewed", "equals": True}]}}
    document, _ = stress(folder_with(data_dir, plan(metrics=metrics, performance="renewed_books"), accounts))
    [warning] = said_at(document["warnings"], "metrics.renewed_books.filter[0]")
    assert "keeps no row of accounts.csv (renewed is no on every row)" in warning


# --- once per run, everywhere, and never on the shipped plans ------------------------------------


def test_said_once_in_validate_and_once_in_a_sweep_over_the_slipped_value(data_dir):
    metrics = {"adopted": {"from": "nrr", "filter": [{"column": "seat_adoption", "at_least": 95}]}}
    folder = folder_with(data_dir, plan(metrics=metrics, performance="adopted"))
    result = run("validate", folder / "plan.yaml", "--data", folder, "--format", "json")
    assert result.exit_code == 0, result.stdout
    messages = [w["message"] for w in json.loads(result.stdout)["warnings"]]
    assert len([m for m in messages if "metrics.adopted.filter[0].at_least" in m]) == 1, messages
    swept = run_json("sweep", folder / "plan.yaml", "--set", "metrics.adopted.filter.0.at_least=90,95,99",
                     "--quarters", "1", "--data", folder)
    assert len(said_at(swept["warnings"], "metrics.adopted.filter[0].at_least")) == 1, swept["warnings"]


SHIPPED = sorted(p.name for p in (REPO / "plans").glob("*.yaml"))


@pytest.mark.parametrize("name", SHIPPED)
def test_the_shipped_plans_on_the_sample_data_say_none_of_this(name):
    result = run("validate", REPO / "plans" / name, "--data", REPO / "sample_data", "--format", "json")
    assert result.exit_code == 0, result.stdout
    said = [w["message"] for w in json.loads(result.stdout)["warnings"]]
    assert [m for m in said if any(phrase in m for phrase in NEW)] == []


@pytest.mark.parametrize("case", sorted(p.name for p in VECTORS.iterdir() if p.is_dir()))
def test_the_worked_examples_say_none_of_this(case):
    folder = VECTORS / case
    result = run("validate", folder / "plan.yaml", "--data", folder, "--format", "json")
    said = [w["message"] for w in json.loads(result.stdout)["warnings"]]
    assert [m for m in said if any(phrase in m for phrase in NEW)] == []


# --- renewed with no renewal due -----------------------------------------------------------------


RENEWALS = {"id": "renewals", "metric": "renewal_rate", "weight": 1.0, "target": 0.9, "curve": [[0.9, 0], [1, 1]],
            "on_missing": "target"}


def test_rows_renewed_with_no_renewal_due_are_named_when_the_plan_counts_renewals(data_dir):
    # A2 (line 3) and A3 (line 4) renewed, renewal_due no: C1's renewal_rate counts A1 alone, 100,000 ÷ 100,000.
    accounts = ACCOUNTS.replace("A2,C1,100000,0,0,0,no,no", "A2,C1,100000,0,0,0,no,yes").replace(
        "A3,C2,100000,0,0,0,no,no", "A3,C2,100000,0,0,0,,yes")
    folder = folder_with(data_dir, plan(RENEWALS), accounts)
    document, stderr = stress(folder)
    [warning] = [w for w in document["warnings"] if "renewal due" in w]
    assert warning.startswith(f"{folder / 'accounts.csv'}, line 3, column renewed:")
    assert "2 rows are marked renewed with no renewal due (lines 3, 4)" in warning
    assert "renewal_rate and renewed_arr count a renewal only in a quarter where one was due" in warning
    assert stderr.count("with no renewal due") == 1
    rows = {r["csm_id"]: r for r in document["rows"]}
    assert rows["C1"]["components"]["renewals"]["metric"] == 1.0
    # A plan that counts no renewal is not told.
    quiet, _ = stress(folder_with(data_dir, plan(), accounts))
    assert [w for w in quiet["warnings"] if "renewal due" in w] == []


def test_a_metric_of_renewed_without_a_renewal_due_column_is_said(data_dir):
    accounts = "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != 7)
                         for line in ACCOUNTS.splitlines()) + "\n"  # no renewal_due column
    metrics = {"renewed_share": {"column": "renewed", "aggregate": "mean"}}
    document, _ = stress(folder_with(data_dir, plan(metrics=metrics, performance="renewed_share"), accounts))
    [warning] = said_at(document["warnings"], "metrics.renewed_share.column")
    assert "accounts.csv has no renewal_due column" in warning
