"""`cscomp sweep`: one row per value of one setting; the row at the plan's own value equals
stress-test; values that make the plan invalid say why instead of stopping the sweep.

Org (as in test_compare): C1 nrr 1.05, C2 nrr 0.96, TV 5,000 each, each paid 5,000.
"""

from __future__ import annotations

import json

import pytest
import yaml

from cscomp_cli.analyses.sweep import apply_setting, parse_setting
from cscomp_cli.core.errors import UsageError

from .conftest import DEFAULT_ROSTER, REPO, assert_user_error, run
from .conftest import MOVING_ACCOUNTS as ACCOUNTS
from .conftest import PAID_AT_TARGET as PAYOUTS

CURVE = [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]
PLAN = {"name": "two pillars", "cap": 2.0, "components": [
    {"id": "retention", "metric": "nrr", "weight": 0.6, "target": 1.0, "curve": CURVE},
    {"id": "renewals", "metric": "nrr", "weight": 0.4, "target": 1.0, "curve": CURVE},
    {"id": "upsell", "kind": "commission", "metric": "expansion_arr", "tiers": [{"up_to": 5000, "rate": 0.01},
                                                                                 {"rate": 0.02}]}]}


def sweep(data_dir, setting: str, *extra: str):
    folder = data_dir(accounts=ACCOUNTS, roster=DEFAULT_ROSTER, payouts=PAYOUTS, plan=yaml.safe_dump(PLAN))
    return folder, run("sweep", folder / "plan.yaml", "--set", setting, "--quarters", "1", "--data", folder, *extra)


def rows(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return {row["value"]: row for row in json.loads(result.stdout)["rows"]}


def test_parse_ranges_and_lists():
    assert parse_setting("components.retention.target=0.95:1.05:0.05").values == (0.95, 1.0, 1.05)
    assert parse_setting("cap = 1.5, 2 ,3").values == (1.5, 2.0, 3.0)
    # Decimal steps: the 4th value is exactly 0.98, not 0.9799999999999999.
    assert parse_setting("x=0.95:1.05:0.01").values[3] == 0.98
    assert len(parse_setting("x=0.95:1.05:0.01").values) == 11


@pytest.mark.parametrize("text, fragment", [
    ("cap", "is not PATH=VALUES"), ("cap=1:2", "start:stop:step"), ("cap=2:1:0.1", "stop ≥ start"),
    ("cap=a,b", "must be numbers"), ("cap=0:1000000:1", "at most 10,000"), ("cap=1:2:0", "step must be > 0"),
])
def test_bad_settings(text, fragment):
    with pytest.raises(UsageError) as caught:
        parse_setting(text)
    assert fragment in caught.value.message


def test_target_sweep_by_hand(data_dir):
    # target 1.0: C1 attainment 1.05 → f 1.25 → 3,000 × 1.25 + 2,000 × 1.25 = 6,250; upsell 10,000:
    #   5,000 × 1 % + 5,000 × 2 % = 150 → 6,400. C2: 0.96 → f 0.6 → 1,800 + 1,200 = 3,000. Total 9,400.
    # target 1.05 on retention only: C1 attainment 1.0 → f 1.0 → 3,000 + 2,500 (renewals) + 150 = 5,650;
    #   C2 0.96 / 1.05 = 0.914285714 → f 0.14285714 → 3,000 × f = 428.571… → 428.57; + 1,200 = 1,628.57.
    _, result = sweep(data_dir, "components.retention.target=1.0,1.05", "--format", "json")
    found = rows(result)
    assert found[1.0]["proposed_total"] == 9400.0 and found[1.0]["plan_value"] is True
    assert found[1.05]["proposed_total"] == 7278.57  # 5,650 + 1,628.57
    assert found[1.05]["plan_value"] is False
    assert found[1.05]["delta"] == -2721.43 and found[1.05]["delta_pct"] == -27.21


def test_the_row_at_the_plans_own_value_equals_stress_test(data_dir):
    folder, result = sweep(data_dir, "cap=1.5:2.5:0.5", "--format", "json")
    own = rows(result)[2.0]
    single = json.loads(run("stress-test", folder / "plan.yaml", "--quarters", "1", "--data", folder,
                            "--format", "json").stdout)["summary"]
    assert own["plan_value"] is True
    assert own["proposed_total"] == single["proposed_total"]
    assert own["top_performers_paid_less"] == single["top_performers_paid_less"]
    assert own["pay_performance_correlation"] == single["pay_performance_correlation"]["proposed"]


def test_sweeping_a_weight_rescales_the_other_curve_weights():
    changed = apply_setting(PLAN, ("components", "retention", "weight"), 0.8)
    weights = {c["id"]: c.get("weight") for c in changed["components"]}
    assert weights == {"retention": 0.8, "renewals": pytest.approx(0.2), "upsell": None}
    assert PLAN["components"][0]["weight"] == 0.6  # the original is not changed


def test_curve_points_tier_rates_and_new_keys():
    assert apply_setting(PLAN, ("components", "retention", "curve", "2", "1"), 2.0)["components"][0]["curve"][2] \
        == [1.1, 2.0]
    assert apply_setting(PLAN, ("components", "upsell", "tiers", "1", "rate"), 0.03)["components"][2]["tiers"][1] \
        == {"rate": 0.03}
    assert apply_setting(PLAN, ("pay_mix", "variable_pct"), 30.0)["pay_mix"] == {"variable_pct": 30.0}


@pytest.mark.parametrize("path, fragment", [
    (("components", "retension", "target"), "no component with id 'retension'"),
    (("components", "retention", "curve", "7", "0"), "position 7 is outside the list of 3"),
    (("capp",), "the plan has no capp"),
])
def test_paths_that_do_not_exist(path, fragment):
    with pytest.raises(UsageError) as caught:
        apply_setting(PLAN, path, 1.0)
    assert fragment in caught.value.message


def test_a_value_that_breaks_the_plan_is_a_row_with_its_reason(data_dir):
    # A second point at x 1.2 is fine; at 1.0 it is no longer above point 1 (x 1.0).
    _, result = sweep(data_dir, "components.retention.curve.2.0=1.0,1.2", "--format", "json")
    found = rows(result)
    assert "strictly increasing" in found[1.0]["error"]
    assert found[1.2]["error"] is None and found[1.2]["proposed_total"] > 0


def test_a_sweep_where_no_value_works_exits_2(data_dir):
    _, result = sweep(data_dir, "components.retention.curve.2.0=0.5,0.6", "--format", "csv")
    assert result.exit_code == 2 and "no value of components.retention.curve.2.0 gives a valid plan" in result.stderr


def test_csv_table_and_markdown(data_dir):
    _, result = sweep(data_dir, "components.retention.target=1.0,1.05", "--format", "csv")
    assert result.stdout.splitlines()[:3] == [
        "value,proposed_total,delta,delta_pct,paid_more,paid_less,top_performers_paid_less,"
        "pay_performance_correlation,error",
        "1,9400.00,-600.00,-6.00,1,1,,,",
        "1.05,7278.57,-2721.43,-27.21,1,1,,,"]
    _, table = sweep(data_dir, "components.retention.target=1.0,1.05")
    assert "★ 1" in table.stdout and "$7,278.57" in table.stdout
    _, markdown = sweep(data_dir, "components.retention.target=1.0,1.05", "--format", "markdown")
    assert "| ★ 1 | $9,400.00 |" in markdown.stdout


def test_a_bad_path_is_a_user_error(data_dir):
    _, result = sweep(data_dir, "components.nope.target=1")
    assert_user_error(result, "no component with id 'nope'")


def test_sweep_on_the_sample_org_matches_stress_test():
    result = run("sweep", REPO / "plans" / "nrr_focus.yaml", "--set", "components.nrr.weight=0.6,0.7,0.8",
                 "--data", REPO / "sample_data", "--format", "json")
    found = rows(result)
    assert found[0.7]["plan_value"] and found[0.7]["proposed_total"] == 1188922.19


def test_a_weight_sweep_with_a_peer_missing_its_weight_reports_the_plan_error():
    # Found by the fuzz test: rebalancing assumed every curve component had a weight.
    broken = {**PLAN, "components": [PLAN["components"][0], {k: v for k, v in PLAN["components"][1].items()
                                                              if k != "weight"}]}
    changed = apply_setting(broken, ("components", "retention", "weight"), 0.5)
    assert "weight" not in changed["components"][1]


# --- the keys of custom metrics, weights by segment and a combined score -----------------------------

CUSTOM = {"name": "custom", "performance": {"nrr": 0.7, "happy": 0.3},
          "metrics": {"happy": {"column": "csat", "aggregate": "share", "where": {"at_least": 4}},
                      "cgrr": {"from": "grr", "filter": [{"column": "arr_start", "at_least": 1000}]},
                      "nrr_ttm": {"from": "nrr", "window": 4}},
          "components": [
              {"id": "retention", "metric": "nrr", "weight": {"by": "segment", "values": {"Enterprise": 0.6, "SMB": 0.5}},
               "target": 1.0, "curve": CURVE},
              {"id": "logos", "metric": "logo_retention", "weight": {"by": "segment", "values": {"Enterprise": 0.4,
                                                                                             "SMB": 0.5}},
               "target": 1.0, "curve": CURVE}]}


@pytest.mark.parametrize("path, value, where, expected", [
    ("metrics.happy.where.at_least", 3.0, ("metrics", "happy", "where"), {"at_least": 3.0}),
    ("metrics.happy.where.below", 5.0, ("metrics", "happy", "where"), {"at_least": 4, "below": 5.0}),  # added
    ("metrics.nrr_ttm.window", 2.0, ("metrics", "nrr_ttm", "window"), 2),
    ("metrics.cgrr.window", 3.0, ("metrics", "cgrr", "window"), 3),  # a window may be added to a filtered metric
    ("metrics.cgrr.filter.0.at_least", 5000.0, ("metrics", "cgrr", "filter"), [{"column": "arr_start",
                                                                                 "at_least": 5000.0}]),
    ("performance.nrr", 0.5, ("performance",), {"nrr": 0.5, "happy": 0.3}),
])
def test_the_new_keys_can_be_swept(path, value, where, expected):
    node = apply_setting(CUSTOM, tuple(path.split(".")), value)
    for key in where:
        node = node[key]
    assert node == expected
    if path.endswith("window"):
        assert type(node) is int  # before: 2.0, which the plan refuses (a window counts whole quarters)


def test_sweeping_one_segments_weight_rescales_that_segment_only():
    changed = apply_setting(CUSTOM, ("components", "retention", "weight", "values", "SMB"), 0.2)
    weights = [c["weight"] for c in changed["components"]]
    # SMB: logos 0.5 × (1 − 0.2) ÷ 0.5 = 0.8, so 0.2 + 0.8 = 1; Enterprise keeps 0.6 + 0.4.
    assert weights == [{"by": "segment", "values": {"Enterprise": 0.6, "SMB": 0.2}},
                       {"by": "segment", "values": {"Enterprise": 0.4, "SMB": pytest.approx(0.8)}}]


def test_a_plain_peer_keeps_its_weight_for_the_other_segments():
    plain = {**PLAN, "components": PLAN["components"][:2]}  # retention 0.6, renewals 0.4
    changed = apply_setting(plain, ("components", "retention", "weight", "values", "SMB"), 0.9)
    retention, renewals = (c["weight"] for c in changed["components"])
    # The swept component becomes by segment too: SMB 0.9, everybody else its 0.6.
    assert retention == {"by": "segment", "values": {"SMB": 0.9}, "default": 0.6}
    # SMB: 0.4 × (1 − 0.9) ÷ 0.4 = 0.1; everybody else still 0.4.
    assert renewals == {"by": "segment", "values": {"SMB": pytest.approx(0.1)}, "default": 0.4}


def test_sweeping_a_plain_weight_rescales_peers_weighted_by_segment_segment_by_segment():
    document = {"components": [{"id": "a", "weight": 0.5},
                               {"id": "b", "weight": {"by": "segment", "values": {"SMB": 0.2}, "default": 0.3}},
                               {"id": "c", "weight": {"by": "segment", "values": {"SMB": 0.3}, "default": 0.2}}]}
    b, c = (x["weight"] for x in apply_setting(document, ("components", "a", "weight"), 0.6)["components"][1:])
    # SMB: 0.2 + 0.3 = 0.5 → × 0.4 ÷ 0.5: 0.16 and 0.24; the defaults 0.3 + 0.2 = 0.5 → 0.24 and 0.16.
    assert (b["values"]["SMB"], c["values"]["SMB"]) == (pytest.approx(0.16), pytest.approx(0.24))
    assert (b["default"], c["default"]) == (pytest.approx(0.24), pytest.approx(0.16))


@pytest.mark.parametrize("path, fragment, hint", [
    ("metrics.nope.window", "the plan has no metrics.nope", "keys there: happy, cgrr, nrr_ttm"),
    ("metrics.happy.column", "metrics.happy.column is 'csat', not a number a sweep can try values of", "sweep a number"),
    ("metrics.cgrr.filter.3.at_least", "position 3 is outside the list of 1", None),
    ("performance.grr", "the plan has no performance.grr", "keys there: nrr, happy"),
    ("components.retention.metric", "components.retention.metric is 'nrr', not a number", "sweep a number"),
])
def test_bad_paths_to_the_new_keys(path, fragment, hint):
    with pytest.raises(UsageError) as caught:
        apply_setting(CUSTOM, tuple(path.split(".")), 1.0)
    assert fragment in caught.value.message
    assert hint is None or hint in caught.value.hint


def test_a_single_performance_metric_has_no_weights_to_sweep():
    for plan, written in ((PLAN, "nrr, the default"), ({**PLAN, "performance": "grr"}, "grr")):
        with pytest.raises(UsageError) as caught:
            apply_setting(plan, ("performance", "nrr"), 0.5)
        assert caught.value.message == f"performance is one metric ({written}), not a map of metrics to weights"
        assert "performance: {nrr: 0.7, csat: 0.3}" in caught.value.hint


@pytest.mark.parametrize("setting", ["metrics.nrr_ttm.window=2.5", "metrics.nrr_ttm.window=0,4",
                                     "metrics.nrr_ttm.window=4:13:1"])
def test_a_window_sweeps_whole_numbers_of_quarters_only(setting):
    with pytest.raises(UsageError) as caught:
        parse_setting(setting)
    assert "a window is a whole number of quarters from 1 to 12" in caught.value.message
    assert parse_setting("metrics.nrr_ttm.window=2:8:2").values == (2, 4, 6, 8)


def test_a_segment_no_csm_is_in_is_refused_naming_the_roster_segments(data_dir):
    _, result = sweep(data_dir, "components.retention.weight.values.SMb=0.2,0.3")
    assert_user_error(result, "no CSM of the roster is in segment 'SMb'", "did you mean 'SMB'?",
                      "roster segments: Enterprise, SMB")


def segment_sweep(data_dir, setting: str):
    plan = {"name": "by segment", "components": [
        {"id": "retention", "metric": "nrr", "weight": {"by": "segment", "values": {"Enterprise": 0.6, "SMB": 0.5}},
         "target": 1.0, "curve": CURVE},
        {"id": "logos", "metric": "logo_retention", "weight": {"by": "segment", "values": {"Enterprise": 0.4,
                                                                                       "SMB": 0.5}},
         "target": 1.0, "curve": CURVE}]}
    folder = data_dir(accounts=ACCOUNTS, roster=DEFAULT_ROSTER, payouts=PAYOUTS, plan=yaml.safe_dump(plan))
    return run("sweep", folder / "plan.yaml", "--set", setting, "--quarters", "1", "--data", folder, "--format", "json")


def test_a_sweep_of_one_segments_weight_keeps_each_segments_weights_summing_to_one(data_dir):
    # C1 (Enterprise) nrr 1.05 → f 1.25, logo_retention 1.0 → f 1.0; C2 (SMB) nrr 0.96 → f 0.6, logos 1.0 → f 1.0.
    # C1 is not touched: 5,000 × (0.6 × 1.25 + 0.4 × 1.0) = 5,750.
    # SMB 0.2 → logos 0.5 × 0.8 ÷ 0.5 = 0.8: C2 5,000 × (0.2 × 0.6 + 0.8 × 1.0) = 4,600 → total 10,350.
    # SMB 0.8 → logos 0.2:                 C2 5,000 × (0.8 × 0.6 + 0.2 × 1.0) = 3,400 → total 9,150.
    # (A weight sum other than 1 in any segment would make the row an error instead.)
    found = rows(segment_sweep(data_dir, "components.retention.weight.values.SMB=0.2,0.5,0.8"))
    assert [found[v]["error"] for v in (0.2, 0.5, 0.8)] == [None, None, None]
    assert found[0.2]["proposed_total"] == 10350.0
    assert found[0.8]["proposed_total"] == 9150.0
    # the plan's own value: C2 5,000 × (0.5 × 0.6 + 0.5 × 1.0) = 4,000 → 9,750
    assert found[0.5]["plan_value"] is True and found[0.5]["proposed_total"] == 9750.0
