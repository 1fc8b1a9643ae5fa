"""The plan's own metrics in the engine (SPEC 5.3): column aggregates, filters, trailing windows, per scope,
pooled for performance, and explained. Every expected number is worked by hand in the comments."""

from __future__ import annotations

import json
import math

import pytest
import yaml

from cscomp_cli.analyses.explain import explain
from cscomp_cli.core.quarters import ordinal_label, quarter_ordinal
from cscomp_cli.engine.replay import replay
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.plan.loading import plan_from_document
from cscomp_cli.render.csv import explanation_csv
from cscomp_cli.render.markdown import explanation_markdown

from .conftest import assert_user_error, run, write_files

ROSTER = """\
csm_id,name,segment,team,annual_base,annual_variable
C1,Ana,Enterprise,T1,100000,20000
C2,Bo,SMB,T1,100000,20000
C3,Cy,SMB,T2,100000,20000
"""
# One quarter. C1: csat 5 (arr 100), 3 (300), blank (new logo A3), 2 (200, churned for a product gap).
# C2: no csat at all. C3: one csat 4 on a new logo (arr_start 0).
ONE_QUARTER = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn,csat,onboarded,churn_reason
2026Q1,A1,C1,100,0,0,0,5,yes,
2026Q1,A2,C1,300,0,0,0,3,no,
2026Q1,A3,C1,0,50,0,0,,yes,
2026Q1,A4,C1,200,0,0,200,2,,Product_Gap
2026Q1,A5,C2,400,0,0,100,,,price
2026Q1,A6,C2,100,0,0,0,,,
2026Q1,A7,C3,0,60,0,0,4,,
"""
PAID = "quarter,csm_id,amount\n2026Q1,C1,0\n"
CURVE = {"id": "pay", "metric": "accounts", "weight": 1.0, "target": 1.0, "curve": [[0, 0], [2, 2]]}


def replayed(tmp_path, accounts: str, metrics: dict, quarters=None, roster: str = ROSTER, metric: str | None = None):
    """Replay a plan defining ``metrics`` (paying on ``metric``) over the accounts; the replay and its plan."""
    folder = write_files(tmp_path / "data", accounts=accounts, roster=roster)
    component = dict(CURVE, metric=metric or "accounts")
    plan = plan_from_document({"name": "custom", "metrics": metrics, "components": [component]})
    dataset = load_dataset(folder, columns=plan.account_columns(), require_payouts=False)
    return replay(plan, dataset, quarters)


def values(result, name: str, scope: str = "csm") -> dict:
    """{(quarter, csm_id): value} of a metric, NaN as None."""
    raw = result.books.value(name, scope, "test")
    return {(q, c): (None if math.isnan(v) else v) for q, c, v in zip(result.rows["quarter"], result.rows["csm_id"], raw)}


def of(result, name: str, scope: str = "csm", quarter: str = "2026Q1") -> dict:
    return {c: v for (q, c), v in values(result, name, scope).items() if q == quarter}


# --- column aggregates -----------------------------------------------------------------------


def test_every_aggregate_with_values_and_without(tmp_path):
    metrics = {name: {"column": "csat", "aggregate": name} for name in
               ("mean", "sum", "min", "max", "count", "arr_weighted_mean")}
    metrics["share"] = {"column": "csat", "aggregate": "share", "where": {"at_least": 3}}
    metrics["middle"] = {"column": "csat", "aggregate": "share", "where": {"at_least": 3, "below": 5}}
    metrics["onboarding"] = {"column": "onboarded", "aggregate": "mean"}
    result = replayed(tmp_path, ONE_QUARTER, {f"c_{k}": v for k, v in metrics.items()})
    got = {name: of(result, f"c_{name}") for name in metrics}
    # C1 has csat 5, 3, 2 (A3 blank): n = 3.
    assert got["mean"]["C1"] == pytest.approx(3.333333333, abs=0)           # (5 + 3 + 2) / 3, 9 places
    assert got["sum"]["C1"] == 10 and got["count"]["C1"] == 3                # 5 + 3 + 2; three values
    assert got["min"]["C1"] == 2 and got["max"]["C1"] == 5
    assert got["arr_weighted_mean"]["C1"] == 3.0                              # (5·100 + 3·300 + 2·200) / 600 = 1800 / 600
    assert got["share"]["C1"] == 0.666666667                                  # 5 and 3 are ≥ 3: 2 / 3
    assert got["middle"]["C1"] == 0.333333333                                 # only 3 is in [3, 5): 1 / 3
    assert got["onboarding"]["C1"] == 0.666666667                             # yes, no, yes (A4 blank): 2 / 3
    # C2 has no value: undefined, except sum and count (0).
    assert {name: got[name]["C2"] for name in metrics} == {
        "mean": None, "sum": 0, "min": None, "max": None, "count": 0, "arr_weighted_mean": None, "share": None,
        "middle": None, "onboarding": None}
    # C3's only value sits on arr_start 0: mean 4, but no ARR to weigh it by.
    assert got["mean"]["C3"] == 4 and got["arr_weighted_mean"]["C3"] is None


def test_column_metrics_pool_over_team_and_company(tmp_path):
    metrics = {"csat": {"column": "csat", "aggregate": "mean"}, "low": {"column": "csat", "aggregate": "min"},
               "high": {"column": "csat", "aggregate": "max"}, "n": {"column": "csat", "aggregate": "count"},
               "happy": {"column": "csat", "aggregate": "share", "where": {"at_least": 4}}}
    result = replayed(tmp_path, ONE_QUARTER, metrics)
    # Team T1 = C1 + C2: C2 adds no value, so (5 + 3 + 2) / 3 for both.
    assert of(result, "csat", "team") == {"C1": 3.333333333, "C2": 3.333333333, "C3": 4.0}
    # Company: 5, 3, 2, 4 → mean 14 / 4 = 3.5; lowest 2, highest 5; 4 values; ≥ 4: 5 and 4 → 2 / 4.
    assert set(of(result, "csat", "company").values()) == {3.5}
    assert set(of(result, "low", "company").values()) == {2}
    assert set(of(result, "high", "company").values()) == {5}
    assert set(of(result, "n", "company").values()) == {4}
    assert set(of(result, "happy", "company").values()) == {0.5}
    # Segment SMB = C2 + C3: only C3's 4.
    assert of(result, "low", "segment") == {"C1": 2, "C2": 4, "C3": 4}


# --- filters ---------------------------------------------------------------------------------


def test_every_filter_condition(tmp_path):
    def grr(condition):
        return {"from": "grr", "filter": [condition]}

    def count(condition):
        return {"from": "accounts", "filter": [condition]}

    metrics = {
        "not_gap": grr({"column": "churn_reason", "not_in": ["product_gap"]}),
        "gap": grr({"column": "churn_reason", "in": [" PRODUCT_GAP "]}),   # trimmed, any case
        "price": grr({"column": "churn_reason", "equals": "Price"}),
        "big": grr({"column": "arr_start", "at_least": 200}),
        "small": grr({"column": "arr_start", "below": 200}),
        "band": grr({"column": "arr_start", "at_least": 100, "below": 300}),
        "csat3": count({"column": "csat", "equals": 3}),
        "csat25": count({"column": "csat", "in": [2, 5]}),
        "not5": count({"column": "csat", "not_in": [5]}),
        "happy": count({"column": "csat", "at_least": 3}),
        "unhappy": count({"column": "csat", "below": 3}),
        "onboarded": count({"column": "onboarded", "equals": True}),
        "not_onboarded": count({"column": "onboarded", "not_in": [True]}),
    }
    result = replayed(tmp_path, ONE_QUARTER, metrics)
    c1 = {name: of(result, name)["C1"] for name in metrics}
    # Unfiltered C1 grr: (100 + 300 + 0) / 600. The base is A1 100, A2 300, A4 200 (churned 200).
    assert c1["not_gap"] == 1.0          # A4 out, blank reasons pass not_in: 400 / 400
    assert c1["gap"] == 0.0              # A4 only: 0 / 200
    assert c1["price"] is None           # no C1 row has price: no base, grr undefined
    assert of(result, "price")["C2"] == 0.75   # A5: (400 − 100) / 400
    assert of(result, "not_gap")["C2"] == 0.8  # A5 and A6 (blank passes): (300 + 100) / 500
    assert c1["big"] == 0.6              # A2 300, A4 200: 300 / 500
    assert c1["small"] == 1.0            # A1 100 and A3 0 (not in the base): 100 / 100
    assert c1["band"] == 0.333333333     # A1 100, A4 200: 100 / 300
    assert c1["csat3"] == 1              # A2
    assert c1["csat25"] == 2             # A1 (5), A4 (2); blank A3 is in no list
    assert c1["not5"] == 3               # A2, A3 (blank is in every not_in), A4
    assert c1["happy"] == 2              # A1, A2; blank A3 fails a numeric test
    assert c1["unhappy"] == 1            # A4
    assert c1["onboarded"] == 2          # A1, A3
    assert c1["not_onboarded"] == 2      # A2 (no), A4 (blank)


def test_filter_on_a_custom_metric_and_a_filtered_column_metric(tmp_path):
    metrics = {
        "controllable": {"from": "grr", "filter": [{"column": "churn_reason", "not_in": ["product_gap"]}]},
        "controllable_big": {"from": "controllable", "filter": [{"column": "arr_start", "at_least": 200}]},
        "big_csat": {"column": "csat", "aggregate": "mean", "filter": [{"column": "arr_start", "at_least": 200}]},
    }
    result = replayed(tmp_path, ONE_QUARTER, metrics)
    assert of(result, "controllable_big")["C1"] == 1.0   # both filters: A2 only, 300 / 300
    assert of(result, "big_csat")["C1"] == 2.5           # A2 3 and A4 2: 5 / 2
    # Team T1 (C1 + C2) without product-gap churn: (400 + 400) / (400 + 500) = 800 / 900.
    assert of(result, "controllable", "team")["C2"] == 0.888888889
    # Company adds C3 (no base): the same 800 / 900.
    assert set(of(result, "controllable", "company").values()) == {0.888888889}


def test_a_filter_on_a_column_the_data_lacks_names_the_metric_and_the_column(tmp_path):
    folder = write_files(tmp_path / "data", accounts=ONE_QUARTER, roster=ROSTER, payouts=PAID)
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump({
        "name": "x", "metrics": {"east": {"from": "grr", "filter": [{"column": "region", "in": ["east"]}]}},
        "components": [dict(CURVE, metric="east")]}))
    result = run("stress-test", tmp_path / "plan.yaml", "--data", folder, "--quarters", "1")
    assert_user_error(result, "metrics.east.filter[0].column", "region", "east", "docs/data.md")
    assert "unexpected" not in result.stderr


def test_a_builtin_column_read_the_wrong_way_says_how_to_compare_it(tmp_path):
    folder = write_files(tmp_path / "data", accounts=ONE_QUARTER, roster=ROSTER, payouts=PAID)
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump({
        "name": "x", "metrics": {"big": {"from": "grr", "filter": [{"column": "segment", "at_least": 3}]}},
        "components": [dict(CURVE, metric="big")]}))
    result = run("stress-test", tmp_path / "plan.yaml", "--data", folder, "--quarters", "1")
    assert_user_error(result, "metrics.big.filter[0].column", "segment, which holds text", "compare it with text values")


# --- windows ---------------------------------------------------------------------------------

# Five quarters, 2025Q1–2026Q1. A1 (1000) is C1's until 2025Q3 (+100 expansion there), then C2's (−50
# contraction in 2026Q1). A2 (500) is C1's from 2025Q2 and churns whole in 2025Q3 ("bankrupt"), no rows after.
# A3 is C2's new logo in 2025Q4 (+300). A4 (200, C2) and A5 (100, C1) stay flat. C3 (team T2) holds A6
# (400, +40 in 2025Q2) and leaves after 2025Q2.
HISTORY = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn,csat,churn_reason
2025Q1,A1,C1,1000,0,0,0,,
2025Q1,A4,C2,200,0,0,0,,
2025Q1,A5,C1,100,0,0,0,,
2025Q1,A6,C3,400,0,0,0,,
2025Q2,A1,C1,1000,0,0,0,,
2025Q2,A2,C1,500,0,0,0,,
2025Q2,A4,C2,200,0,0,0,,
2025Q2,A5,C1,100,0,0,0,5,
2025Q2,A6,C3,400,40,0,0,,
2025Q3,A1,C1,1000,100,0,0,4,
2025Q3,A2,C1,500,0,0,500,,bankrupt
2025Q3,A4,C2,200,0,0,0,,
2025Q3,A5,C1,100,0,0,0,,
2025Q4,A1,C2,1100,0,0,0,,
2025Q4,A3,C2,0,300,0,0,,
2025Q4,A4,C2,200,0,0,0,,
2025Q4,A5,C1,100,0,0,0,,
2026Q1,A1,C2,1100,0,50,0,2,
2026Q1,A3,C2,300,0,0,0,,
2026Q1,A4,C2,200,0,0,0,,
2026Q1,A5,C1,100,0,0,0,,
"""
WINDOWED = {
    "nrr_ttm": {"from": "nrr", "window": 4},
    "grr_ttm": {"from": "grr", "window": 4},
    "logos_ttm": {"from": "logo_retention", "window": 4},
    "books_ttm": {"from": "accounts", "window": 4},
    "growth_ttm": {"from": "gross_expansion", "window": 4},
    "csat_ttm": {"column": "csat", "aggregate": "mean", "window": 4},
    "solvent_ttm": {"from": "nrr", "window": 4, "filter": [{"column": "churn_reason", "not_in": ["bankrupt"]}]},
}


def test_window_with_a_transferred_an_early_churned_and_a_new_account(tmp_path):
    result = replayed(tmp_path, HISTORY, WINDOWED, quarters=1)
    # 2026Q1 looks back over 2025Q2–2026Q1. C1 held A1 (2025Q2–Q3), A2 (2025Q2–Q3) and A5.
    #   A1: arr_start in 2025Q2 1000; +100 (C1's row) − 50 (C2's row, whoever owned it) → 1050.
    #   A2: 500 in 2025Q2, churned 500 in 2025Q3 → 0.   A5: 100 → 100.
    #   nrr (1050 + 0 + 100) / (1000 + 500 + 100) = 1150 / 1600; grr (950 + 0 + 100) / 1600 = 1050 / 1600.
    assert of(result, "nrr_ttm")["C1"] == 0.71875
    assert of(result, "grr_ttm")["C1"] == 0.65625
    assert of(result, "logos_ttm")["C1"] == 0.666666667   # A1 and A5 alive of 3: 2 / 3
    assert of(result, "books_ttm")["C1"] == 3
    # C2 held A1 (2025Q4–2026Q1), A3 (new logo in 2025Q4: no 2025Q2 row, arr_start 0, outside the base), A4.
    #   nrr (1050 + 200) / (1000 + 200) = 1250 / 1200; gross expansion 100 (A1, in C1's time) + 300 (A3).
    assert of(result, "nrr_ttm")["C2"] == 1.041666667
    assert of(result, "growth_ttm")["C2"] == 400
    assert of(result, "books_ttm")["C2"] == 3
    # csat over every value in the window of C1's accounts: A1 4 (2025Q3) and 2 (2026Q1, C2's row), A5 5.
    assert of(result, "csat_ttm")["C1"] == 3.666666667     # 11 / 3
    # Team T1 = C1 + C2 as they stand in 2026Q1: A1..A5, A1 once. Start 1000 + 500 + 200 + 100 = 1800
    # (A3 none); end 1050 + 0 + 200 + 100 = 1350 → 1350 / 1800. Five accounts, not six.
    assert of(result, "nrr_ttm", "team") == {"C1": 0.75, "C2": 0.75}
    assert of(result, "books_ttm", "team") == {"C1": 5, "C2": 5}
    # The company's window book is every row of every window quarter: C3 is not replayed in 2026Q1, but
    # held A6 in 2025Q2, inside the window, so A6 is the sixth account (SPEC 5.3: leavers bring their books).
    assert of(result, "books_ttm", "company") == {"C1": 6, "C2": 6}
    assert not any("window" in w for w in result.warnings)  # 2025Q2–2026Q1 is all held


def test_window_and_filter_filter_the_rows_before_folding(tmp_path):
    result = replayed(tmp_path, HISTORY, WINDOWED, quarters=1)
    # A2's bankrupt 2025Q3 row is left out: A2 folds to its 2025Q2 row alone, 500 → 500.
    # C1: (1050 + 500 + 100) / 1600 = 1650 / 1600.
    assert of(result, "solvent_ttm")["C1"] == 1.03125
    # C2's accounts never churned: 1250 / 1200 as without the filter.
    assert of(result, "solvent_ttm")["C2"] == 1.041666667
    # The one row left out (A2 in 2025Q3) was C1's, inside C1's window; none of C2's.
    out = result.books.custom.filtered_out(result.plan.definition("solvent_ttm"), "csm", "test")
    assert dict(zip(result.rows["csm_id"], out)) == {"C1": 1, "C2": 0}


def test_a_window_longer_than_the_history_starts_at_the_first_quarter_and_warns(tmp_path):
    result = replayed(tmp_path, HISTORY, {"nrr_ttm": {"from": "nrr", "window": 4}}, metric="nrr_ttm")
    # 2025Q3 looks back to 2024Q4 but the data starts 2025Q1: C1 held A1, A2, A5 in 2025Q1–Q3.
    #   A1: 1000 in 2025Q1, +100 → 1100. A2 has no 2025Q1 row: arr_start 0, outside the base (its churn is
    #   no retention loss here). A5 100. nrr (1100 + 100) / (1000 + 100) = 1200 / 1100.
    assert values(result, "nrr_ttm")[("2025Q3", "C1")] == 1.090909091
    warning = [w for w in result.warnings if "metrics.nrr_ttm.window" in w]
    assert len(warning) == 1
    assert "starts at 2025Q1" in warning[0] and "2025Q1–2025Q3" in warning[0] and "2024Q2–2025Q1" in warning[0]


def test_performance_of_a_windowed_metric_is_its_last_replayed_quarter(tmp_path):
    result = replayed(tmp_path, HISTORY, WINDOWED)
    pooled = result.books.pooled("nrr_ttm")
    # C1 and C2 are last replayed in 2026Q1 (above); C3 left after 2025Q2: window 2025Q1–Q2, A6 400 + 40.
    assert pooled.to_dict() == {"C1": 0.71875, "C2": 1.041666667, "C3": 1.1}
    # A column metric without a window pools over the union of the books: C1 csat 5 (2025Q2) and 4 (2025Q3).
    result = replayed(tmp_path, HISTORY, {"csat": {"column": "csat", "aggregate": "mean"}})
    # C2: 2 (2026Q1, A1); C3 never has a value: undefined.
    csat = result.books.pooled("csat")
    assert csat["C1"] == 4.5 and csat["C2"] == 2.0 and math.isnan(csat["C3"])


def test_a_shared_cache_across_plans_gives_the_numbers_of_separate_replays(tmp_path):
    folder = write_files(tmp_path / "data", accounts=HISTORY, roster=ROSTER)
    plans = [plan_from_document({"name": f"p{n}", "metrics": {"m": {"from": "nrr", "window": n}},
                                 "components": [dict(CURVE, metric="m")]}) for n in (4, 2, 4)]
    plans.append(plan_from_document({"name": "f", "metrics": {"m": {
        "from": "nrr", "window": 4, "filter": [{"column": "churn_reason", "not_in": ["bankrupt"]}]}},
        "components": [dict(CURVE, metric="m")]}))
    dataset = load_dataset(folder, columns={"churn_reason": {"text"}}, require_payouts=False)
    cache: dict = {}
    shared = [replay(plan, dataset, cache=cache).rows["pay_metric"].tolist() for plan in plans]
    alone = [replay(plan, dataset).rows["pay_metric"].tolist() for plan in plans]
    assert shared == alone
    assert shared[0] != shared[1] and shared[0] != shared[3]  # window 2 and the filter do change the numbers


# --- explain ---------------------------------------------------------------------------------

EXPLAINED = {
    "name": "explained",
    "metrics": {"nrr_ttm": {"from": "nrr", "window": 4},
                "controllable": {"from": "grr", "filter": [{"column": "churn_reason", "not_in": ["bankrupt"]}]}},
    "components": [
        {"id": "ttm", "metric": "nrr_ttm", "weight": 0.5, "target": 1.0, "curve": [[0, 0], [2, 2]]},
        {"id": "kept", "metric": "controllable", "scope": "team", "weight": 0.5, "target": 1.0,
         "curve": [[0, 0], [2, 2]]},
    ],
}


def test_explain_shows_a_custom_metric_its_figures_its_window_and_the_rows_filtered_out(tmp_path):
    folder = write_files(tmp_path / "data", accounts=HISTORY, roster=ROSTER)
    plan = plan_from_document(EXPLAINED)
    dataset = load_dataset(folder, columns=plan.account_columns(), require_payouts=False)
    doc = explain(plan, dataset, "C1", "2026Q1")
    ttm, kept = doc["custom_metrics"]
    assert ttm["metric"] == "nrr_ttm" and ttm["value"] == 0.71875
    assert "nrr over the last 4 quarters (2025Q2–2026Q1)" in ttm["definition"]
    assert ttm["figures"] == "1,150.00 ÷ 1,600.00"        # the fold above
    assert ttm["window"]["quarters"] == ["2025Q2", "2025Q3", "2025Q4", "2026Q1"]
    # Team T1 in 2025Q3... here 2026Q1: A1 (1100 − 50), A3 300, A4 200, A5 100; no bankrupt row this quarter.
    # grr (1050 + 300 + 200 + 100) / (1100 + 300 + 200 + 100) = 1650 / 1700.
    assert kept["scope"] == "team" and kept["value"] == 0.970588235
    assert kept["rows_filtered_out"] == 0
    assert kept["definition"] == "grr over rows passing churn_reason not in [bankrupt]"
    q3 = explain(plan, dataset, "C1", "2025Q3")
    kept_q3 = q3["custom_metrics"][1]
    # 2025Q3, team T1: A2's bankrupt row is left out; A1 1000 (+100), A4 200, A5 100 → 1300 / 1300.
    assert kept_q3["rows_filtered_out"] == 1 and kept_q3["value"] == 1.0
    markdown = explanation_markdown(q3)
    assert "controllable" in markdown and "1 row(s) of the book filtered out" in markdown
    csv = explanation_csv(doc)
    assert "custom metric,nrr_ttm (csm),window.quarters.1,2025Q2" in csv
    assert "custom metric,controllable (team),rows_filtered_out,0" in csv


def test_explain_of_a_windowed_metric_in_every_format_through_the_cli(tmp_path):
    # A window of a built-in metric needs no extra column, so the command line already reads it.
    folder = write_files(tmp_path / "data", accounts=HISTORY, roster=ROSTER)
    plan = {"name": "ttm", "metrics": {"nrr_ttm": {"from": "nrr", "window": 4}},
            "components": [{"id": "ttm", "metric": "nrr_ttm", "weight": 1.0, "target": 1.0,
                            "curve": [[0, 0], [2, 2]]}]}
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(plan))
    outputs = {}
    for fmt in ("table", "markdown", "csv", "json"):
        result = run("explain", tmp_path / "plan.yaml", "--csm", "C2", "--quarter", "2026Q1", "--data", folder,
                     "--format", fmt)
        assert result.exit_code == 0, result.stderr
        outputs[fmt] = result.stdout
    # C2 in 2026Q1 (above): 1250 / 1200 over 2025Q2–2026Q1.
    assert json.loads(outputs["json"])["custom_metrics"][0]["figures"] == "1,250.00 ÷ 1,200.00"
    for fmt in ("table", "markdown"):
        assert "nrr_ttm" in outputs[fmt] and "1,250.00 ÷ 1,200.00" in outputs[fmt]
        assert "2025Q2, 2025Q3, 2025Q4, 2026Q1" in outputs[fmt]
    assert "custom metric,nrr_ttm (csm),value,1.041666667" in outputs["csv"]


def test_quarter_ordinals_are_label_arithmetic_under_any_calendar():
    assert quarter_ordinal("2026Q1") == 2026 * 4
    assert quarter_ordinal("FY2027Q1") == 2027 * 4
    assert quarter_ordinal("2026Q1") - quarter_ordinal("2025Q2") == 3
    assert ordinal_label(quarter_ordinal("2026Q1") - 3, "2026Q1") == "2025Q2"
    assert ordinal_label(quarter_ordinal("FY2027Q1") - 1, "FY2027Q1") == "FY2026Q4"


def test_a_filter_value_no_row_holds_is_said_not_silently_matched_to_nothing(tmp_path):
    # The export writes 'Product_Gap' (any case matches); 'product gap' with a space matches no row, so
    # not_in would keep every row and C1's controllable grr would be (100 + 300 + 200 − 200) ÷ 600
    # = 0.666666667 as if nothing were filtered: the replay must say so, naming the key and the close value.
    slip = replayed(tmp_path / "slip", ONE_QUARTER, {"cgrr": {"from": "grr", "filter": [
        {"column": "churn_reason", "not_in": ["product gap"]}]}})
    assert of(slip, "cgrr")["C1"] == 0.666666667
    said = [w for w in slip.warnings if "metrics.cgrr.filter[0]" in w]
    assert len(said) == 1 and "no row of accounts.csv holds" in said[0] and "did you mean 'product_gap'" in said[0]
    # Spelt as the export spells it: A4 leaves the book, (100 + 300) ÷ 400 = 1.0, and nothing is said.
    right = replayed(tmp_path / "right", ONE_QUARTER, {"cgrr": {"from": "grr", "filter": [
        {"column": "churn_reason", "not_in": ["PRODUCT_GAP", "price"]}]}})
    assert of(right, "cgrr")["C1"] == 1.0
    assert not [w for w in right.warnings if "filter[0]" in w]
