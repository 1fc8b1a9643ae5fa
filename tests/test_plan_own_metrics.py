"""The plan language's own metrics, filters, windows, weights by segment and combined score (plan side):
every mistake a CS leader could make gets its key path and plain words, percentages read as everywhere
else, unit warnings see through custom metrics, the schema describes every new key, plan-diff reads
like the plan."""

from __future__ import annotations

import json

import pytest
import yaml

from cscomp_cli.core.errors import PlanError
from cscomp_cli.plan.loading import parse_plan
from cscomp_cli.plan.plausibility import plan_warnings

from .conftest import FLAT_ACCOUNTS, PAID_AT_TARGET, assert_user_error, run

COMPONENT = "components:\n  - {id: r, metric: nrr, weight: 1, target: 1, curve: [[0.9, 0], [1, 1]]}\n"


def plan_text(extra: str, component: str = COMPONENT) -> str:
    return "name: custom\n" + component + extra


def error_of(extra: str, component: str = COMPONENT) -> PlanError:
    with pytest.raises(PlanError) as caught:
        parse_plan(plan_text(extra, component), "plan.yaml")
    return caught.value


def metric(body: str) -> str:
    return f"metrics:\n  x: {body}\n"


# --- every mistake: where it is and what is wrong, in plain words --------------------------------

MISTAKES = [
    # windows
    (metric('{from: nrr, window: "4"}'), "metrics.x.window", "window is a whole number of quarters from 1 to 12 "
     "(got '4'); write it without quotes"),
    (metric("{from: nrr, window: 0}"), "metrics.x.window", "whole number of quarters from 1 to 12 (got 0)"),
    (metric("{from: nrr, window: 13}"), "metrics.x.window", "from 1 to 12 (got 13)"),
    (metric("{from: nrr, window: 2.5}"), "metrics.x.window", "whole number of quarters from 1 to 12 (got 2.5)"),
    (metric("{from: nrr, window: 2}\n  y: {from: x, window: 3}"), "metrics.y.window",
     "metric 'y' windows 'x', which already has window: 2"),
    # filters
    (metric("{from: grr, filter: {column: c, in: [a]}}"), "metrics.x.filter",
     "filter is a list of conditions, each a mapping"),
    (metric("{from: grr, filter: []}"), "metrics.x.filter", "filter: [] has no condition"),
    (metric("{from: grr, filter: [churn_reason]}"), "metrics.x.filter[0]", "a filter condition is a mapping"),
    (metric("{from: grr, filter: [{column: c, in: acquired}]}"), "metrics.x.filter[0].in",
     "in takes a list of values: write in: [acquired]"),
    (metric("{from: grr, filter: [{column: c, in: []}]}"), "metrics.x.filter[0].in",
     "in: [] lists no value, so no row would pass"),
    (metric("{from: grr, filter: [{column: c, not_in: []}]}"), "metrics.x.filter[0].not_in",
     "not_in: [] lists no value, so it excludes nothing"),
    (metric("{from: grr, filter: [{column: c, equals: [a, b]}]}"), "metrics.x.filter[0].equals",
     "equals takes one value (text, a number or yes/no); for several values write in: [a, b]"),
    (metric("{from: grr, filter: [{column: c, in: [a], equals: b}]}"), "metrics.x.filter[0]",
     "tests one thing, but this one has in and equals"),
    (metric("{from: grr, filter: [{column: '', in: [a]}]}"), "metrics.x.filter[0].column", "column: is empty"),
    (metric("{column: '', aggregate: mean}"), "metrics.x.column", "column: is empty"),
    (metric("{from: grr, filter: [{column: c}]}"), "metrics.x.filter[0]",
     "needs one of in, not_in, equals, at_least or below"),
    (metric("{from: grr, filter: [{in: [a]}]}"), "metrics.x.filter[0].column", "missing required key 'column'"),
    (metric("{from: grr, filter: [{column: c, not_inn: [a]}]}"), "metrics.x.filter[0]",
     "unknown key 'not_inn' (did you mean 'not_in'?)"),
    (metric("{from: grr, filter: [{column: c, at_least: 5, below: 3}]}"), "metrics.x.filter[0]",
     "at_least 5 must be below 3"),
    (metric("{from: grr, filter: [{column: c, in: [yes, maybe]}]}"), "metrics.x.filter[0]",
     'put text in quotes, e.g. ["yes", "maybe"]'),
    # column metrics
    (metric("{column: csat, aggregate: mean, where: {at_least: 4}}"), "metrics.x",
     "where: is only for aggregate: share"),
    (metric("{column: csat, aggregate: share}"), "metrics.x", "aggregate: share needs where:"),
    (metric("{column: csat, aggregate: share, where: {}}"), "metrics.x.where", "where needs at_least, below, or both"),
    (metric("{column: csat, aggregate: average}"), "metrics.x.aggregate", "(got 'average')"),
    (metric("{column: csat}"), "metrics.x", "column: needs aggregate:"),
    (metric("{from: nrr, column: csat, aggregate: mean}"), "metrics.x", "either column: (with aggregate:) or from:"),
    (metric("{from: nrr}"), "metrics.x", "from: nrr without filter: or window: is just nrr"),
    (metric("{from: nrr, aggregate: mean, window: 4}"), "metrics.x", "aggregate: goes with column:"),
    (metric("{column: csat, agregate: mean}"), "metrics.x", "unknown key 'agregate' (did you mean 'aggregate'?)"),
    (metric(""), "metrics.x", "metric 'x' has no definition: give column: and aggregate:"),
    ("metrics:\n  - {column: csat, aggregate: mean}\n", "metrics", "metrics: maps each metric's name to its definition"),
    # names and references
    (metric("{from: nnr, window: 4}"), "metrics.x.from", "from: 'nnr' is not a metric (did you mean 'nrr'?)"),
    ("metrics:\n  nrr: {from: grr, window: 4}\n", "metrics.nrr", "'nrr' is a built-in metric"),
    ("metrics:\n  Csat: {column: csat, aggregate: mean}\n", "metrics.Csat", "'Csat' is not a metric name"),
    ("metrics:\n  a: {from: b, window: 2}\n  b: {from: a, filter: [{column: c, in: [x]}]}\n", "metrics.b.from",
     "metrics go round in a circle: a → b → a"),
    # performance
    ("performance: {nrr: 0.5, csatt: 0.5}\n", "performance.csatt", "unknown metric 'csatt'"),
    ("performance: {nrr: 0, grr: 1}\n", "performance.nrr", "greater than 0 (got 0)"),
    ("performance: {}\n", "performance", "performance: {} names no metric"),
    ("performance: [nrr, grr]\n", "performance", "performance is one metric (performance: nrr) or a map of metrics "
     "to weights"),
]


@pytest.mark.parametrize("extra, where, fragment", MISTAKES, ids=[m[1] + ":" + m[2][:30] for m in MISTAKES])
def test_every_mistake_names_its_key_and_says_what_is_wrong(extra, where, fragment):
    error = error_of(extra)
    assert error.location == where, (error.location, error.message)
    assert fragment in error.message, error.message
    assert error.file == "plan.yaml"
    # pydantic's own words and class names never reach a CS leader
    for internal in ("instance of", "CustomMetric", "RowFilter", "Input should be a valid list",
                     "after validation", "valid boolean"):
        assert internal not in error.message
    assert "docs/plans.md" in (error.hint or "") or where.startswith("metrics.") and error.hint


@pytest.mark.parametrize("weight, where, fragment", [
    ("{by: segment, values: {SMB: -1}}", "components[0].weight.values.SMB", "greater than or equal to 0 (got -1)"),
    ("{by: team, values: {SMB: 1}}", "components[0].weight.by", "(got 'team')"),
    ("{values: {SMB: 1}}", "components[0].weight.by", "missing required key 'by'"),
    ("{by: segment, valuse: {SMB: 1}}", "components[0].weight", "unknown key 'valuse' (did you mean 'values'?)"),
    ("{by: segment, values: {}}", "components[0].weight", "values: {} names no segment and there is no default"),
])
def test_weights_by_segment_mistakes_name_the_key_and_only_that_problem(weight, where, fragment):
    error = error_of("", COMPONENT.replace("weight: 1", f"weight: {weight}"))
    assert (error.location, fragment in error.message) == (where, True), (error.location, error.message)
    # Before: "(and 1 more problem in the plan)" for "components[0].weight: Input should be a valid number",
    # the plain-number branch of the same value.
    assert "more problem" not in error.message and error.also == []
    assert "Weights by segment" in error.hint


def test_the_count_of_further_problems_counts_real_problems_only():
    error = error_of("metrics:\n  x: {from: nrr, window: 0}\n  y: {column: csat}\nperformance: {nrr: 0}\n")
    assert error.message.endswith("(and 2 more problems in the plan)")
    assert sorted(p.location for p in (error, *error.also)) == ["metrics.x.window", "metrics.y", "performance.nrr"]


def test_validate_lists_the_new_problems_at_once_with_file_and_key(data_dir):
    folder = data_dir(accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET, plan=plan_text(
        "metrics:\n  x: {from: nrr, window: \"4\"}\n  y: {from: grr, filter: [{column: c, in: []}]}\n"))
    result = run("validate", folder / "plan.yaml", "--data", folder)
    assert result.exit_code == 2 and "Traceback" not in result.output and "unexpected" not in result.output
    assert "2 errors" in result.stdout
    assert "plan.yaml, metrics.x.window: window is a whole number of quarters" in result.stdout
    assert "plan.yaml, metrics.y.filter[0].in: in: [] lists no value" in result.stdout


def test_yes_unquoted_is_yes_no_and_quoted_is_text_and_a_component_name_may_be_a_metric_name():
    plan = parse_plan(plan_text("metrics:\n  a: {from: grr, filter: [{column: onboarded, equals: yes}]}\n"
                                "  b: {from: grr, filter: [{column: onboarded, equals: \"yes\"}]}\n"
                                "  r: {from: nrr, window: 4}\n"), "plan.yaml")
    assert plan.metrics["a"].filter[0].reads == "flag" and plan.metrics["b"].filter[0].reads == "text"
    assert plan.account_columns() == {"onboarded": {"flag", "text"}}
    assert plan.definition("r").window == 4  # component r and metric r never meet


def test_performance_weights_need_not_sum_to_one():
    # 70/30 ranks exactly as 0.7/0.3: the score rescales the weights (docs/plans.md, a combined score).
    plan = parse_plan(plan_text("performance: {nrr: 70, grr: 30}\n"), "plan.yaml")
    assert plan.performance_weights == {"nrr": 70.0, "grr": 30.0}


# --- percentages in the new number places ---------------------------------------------------------


def test_percent_strings_in_where_filters_and_performance():
    plan = parse_plan(plan_text(
        "metrics:\n"
        "  happy: {column: csat, aggregate: share, where: {at_least: 80%, below: \"95 %\"}}\n"
        "  x: {from: grr, filter: [{column: d, at_least: 50%}, {column: e, below: 7.5%}, {column: f, equals: 5%},\n"
        "                          {column: g, in: [10%, 20%]}, {column: h, not_in: [100%_refund, abc]}]}\n"
        "performance: {nrr: 70%, happy: 30%}\n"), "plan.yaml")
    assert (plan.metrics["happy"].where.at_least, plan.metrics["happy"].where.below) == (0.8, 0.95)
    d, e, f, g, h = plan.metrics["x"].filter
    assert (d.at_least, e.below, f.equals, g.in_) == (0.5, 0.075, 0.05, [0.1, 0.2])
    assert h.not_in == ["100%_refund", "abc"]  # text that merely holds a % stays text
    assert plan.performance == {"nrr": 0.7, "happy": 0.3}


def test_a_bad_percentage_in_a_filter_bound_names_its_key():
    error = error_of(metric("{from: grr, filter: [{column: d, at_least: 5 0%}]}"))
    assert error.location == "metrics.x.filter[0].at_least" and "'5 0%' is not a percentage" in error.message


# --- unit warnings (values that are probably in the wrong unit) ---------------------------------------


def warnings_of(text: str) -> dict[str, str]:
    return {w.location: w.message for w in plan_warnings(parse_plan(text, "plan.yaml"))}


def test_unit_warnings_see_through_custom_ratio_metrics_and_shares():
    found = warnings_of("""
name: t
metrics:
  nrr_ttm: {from: nrr, window: 4}
  happy: {column: csat, aggregate: share, where: {at_least: 4}}
  csat: {column: csat, aggregate: mean}
components:
  - {id: a, metric: nrr_ttm, weight: 0.5, target: 90, curve: [[0.9, 0], [1, 1]]}
  - {id: b, metric: happy, weight: 0.3, measure: value, curve: [[60, 0], [80, 1]]}
  - {id: c, metric: csat, weight: 0.2, target: 4.5, curve: [[0.9, 0], [1, 1]]}
modifiers:
  - {id: m, when: {metric: nrr_ttm, below: 95}, multiply: 0.5}
""")
    # Before: none of these (the checks only knew nrr, grr, logo_retention and renewal_rate by name).
    assert found["components[0].target"] == ('target 90 on nrr_ttm (a ratio: 1.0 is 100 %) means 9000 %; did you '
                                             'mean 0.9 (or "90%")?')
    assert "x is happy (a share of the rows: 1 is 100 %), so 80 means 8000 %" in found["components[1].curve"]
    assert "below 95 on nrr_ttm" in found["modifiers[0].when.below"]
    assert not any(place.startswith("components[2]") for place in found)  # a CSAT of 4.5 is a CSAT


def test_a_weight_by_segment_written_in_percent_of_100_is_warned_about():
    found = warnings_of(plan_text("", COMPONENT.replace("weight: 1", "weight: {by: segment, values: "
                                                        "{SMB: 80, Enterprise: 0.5}, default: 60}")))
    assert found == {
        "components[0].weight.values.SMB": 'weight 80 pays 80 × the target variable through this component alone; '
                                           'weights are fractions, did you mean 0.8 (or "80%")?',
        "components[0].weight.default": 'weight 60 pays 60 × the target variable through this component alone; '
                                        'weights are fractions, did you mean 0.6 (or "60%")?'}


# --- the JSON Schema, read as a user would ------------------------------------------------------------


def test_the_schema_describes_every_new_key():
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    defs = schema["$defs"]
    assert set(defs["CustomMetric"]["properties"]) == {"column", "aggregate", "where", "from", "filter", "window"}
    assert set(defs["RowFilter"]["properties"]) == {"column", "in", "not_in", "equals", "at_least", "below"}
    assert set(defs["Band"]["properties"]) == {"at_least", "below"}
    assert set(defs["SegmentWeights"]["properties"]) == {"by", "values", "default"}
    window = defs["CustomMetric"]["properties"]["window"]["anyOf"][0]
    assert window == {"type": "integer", "minimum": 1, "maximum": 12}
    aggregates = defs["CustomMetric"]["properties"]["aggregate"]["anyOf"][0]["enum"]
    assert aggregates == ["mean", "sum", "min", "max", "count", "arr_weighted_mean", "share"]
    # metric names: the name rule and the built-ins taken, for the keys of metrics: and for from:
    names = schema["properties"]["metrics"]["propertyNames"]
    assert names["pattern"] == "^[a-z][a-z0-9_]*$" and "nrr" in names["not"]["enum"]
    assert "nrr" in defs["CustomMetric"]["properties"]["from"]["anyOf"][0]["enum"]
    # performance: a metric, or a map of weights (> 0, or percentages)
    performance = schema["properties"]["performance"]["anyOf"]
    weights = next(p for p in performance if p.get("type") == "object")["additionalProperties"]["anyOf"]
    assert {"type": "number", "exclusiveMinimum": 0} in weights and "pattern" in weights[1]
    assert "rescaled to sum to 1" in schema["properties"]["performance"]["description"]
    # percentages where numbers go
    assert "pattern" in defs["Band"]["properties"]["at_least"]["anyOf"][0]["anyOf"][1]
    for text in ("SPEC", "``", "instance of"):
        assert text not in result.stdout  # before: "(SPEC 5.4)" and "``where:``" reached editors


# --- plan-diff ---------------------------------------------------------------------------------------

BEFORE = """\
name: p
performance: nrr
metrics:
  csat: {column: csat, aggregate: mean}
  cgrr: {from: grr, filter: [{column: churn_reason, not_in: [acquired]}]}
  nrr_ttm: {from: nrr, window: 4}
components:
  - {id: r, metric: nrr_ttm, weight: 0.6, target: 1, curve: [[0.9, 0], [1, 1]]}
  - {id: g, metric: cgrr, weight: 0.4, target: 1, curve: [[0.9, 0], [1, 1]]}
"""
AFTER = """\
name: p
performance: {nrr: 70, csat: 30}
metrics:
  csat: {column: csat, aggregate: arr_weighted_mean}
  cgrr: {from: grr, filter: [{column: churn_reason, not_in: [acquired, bankrupt]}]}
  happy: {column: csat, aggregate: share, where: {at_least: 4}}
components:
  - {id: r, metric: nrr, weight: {by: segment, values: {Enterprise: 0.5, SMB: 0.8}, default: 0.6}, target: 1,
     curve: [[0.9, 0], [1, 1]]}
  - {id: g, metric: cgrr, weight: {by: segment, values: {Enterprise: 0.5, SMB: 0.2}, default: 0.4}, target: 1,
     curve: [[0.9, 0], [1, 1]]}
"""


def diff(tmp_path, before: str, after: str, *extra: str):
    (tmp_path / "a.yaml").write_text(before, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(after, encoding="utf-8")
    return run("plan-diff", tmp_path / "a.yaml", tmp_path / "b.yaml", *extra)


def test_plan_diff_shows_metrics_weights_by_segment_and_the_performance_map(tmp_path):
    result = diff(tmp_path, BEFORE, AFTER)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()[2:]
    assert lines == [
        '~ performance: "nrr" → {"nrr": 0.7, "csat": 0.3}',
        '~ metrics.csat.aggregate: "mean" → "arr_weighted_mean"',
        '~ metrics.cgrr.filter[0].not_in: ["acquired"] → ["acquired", "bankrupt"]',
        '- metrics.nrr_ttm: {"from": "nrr", "window": 4}',
        '+ metrics.happy: {"column": "csat", "aggregate": "share", "where": {"at_least": 4.0}}',
        '~ components[r].metric: "nrr_ttm" → "nrr"',
        '~ components[r].weight: 0.6 → {"by": "segment", "values": {"Enterprise": 0.5, "SMB": 0.8}, "default": 0.6}',
        '~ components[g].weight: 0.4 → {"by": "segment", "values": {"Enterprise": 0.5, "SMB": 0.2}, "default": 0.4}',
    ]  # before: "from_" and "in_", and every unset key of a definition as null


def test_plan_diff_of_one_segments_weight_and_a_score_weight(tmp_path):
    later = AFTER.replace("SMB: 0.8", "SMB: 0.7").replace("SMB: 0.2}", "SMB: 0.3}").replace("{nrr: 70, csat: 30}", "{nrr: 60, csat: 40}")
    changes = json.loads(diff(tmp_path, AFTER, later, "--format", "json").stdout)["changes"]
    assert [(c["change"], c["path"], c["before"], c["after"]) for c in changes] == [
        ("changed", "performance.nrr", 0.7, 0.6), ("changed", "performance.csat", 0.3, 0.4),
        ("changed", "components[r].weight.values.SMB", 0.8, 0.7),
        ("changed", "components[g].weight.values.SMB", 0.2, 0.3)]


def test_score_weights_of_70_30_and_0_7_0_3_and_70_30_percent_are_no_difference(tmp_path):
    for other in ("{nrr: 0.7, csat: 0.3}", "{nrr: 70%, csat: 30%}"):
        result = diff(tmp_path, AFTER, AFTER.replace("{nrr: 70, csat: 30}", other))
        assert result.stdout.splitlines()[2:] == ["(no differences: the plans pay the same way)"], result.stdout


def test_plan_diff_of_a_broken_custom_metric_is_a_user_error(tmp_path):
    result = diff(tmp_path, BEFORE, BEFORE.replace("window: 4", "window: 0"))
    assert_user_error(result, "b.yaml", "metrics.nrr_ttm.window", "whole number of quarters")
    assert yaml.safe_load(BEFORE)["metrics"]["nrr_ttm"]["window"] == 4


# --- extends ---------------------------------------------------------------------------------------


def test_a_child_plan_changes_a_metric_key_by_key_or_redefines_it_and_restates_its_score(tmp_path):
    (tmp_path / "parent.yaml").write_text(BEFORE.replace("performance: nrr", "performance: {nrr: 0.7, csat: 0.3}"),
                                          encoding="utf-8")
    child = ("extends: parent.yaml\nname: child\nperformance: {nrr: 1, grr: 1}\n"
             "metrics:\n  nrr_ttm: {window: 2}\n  csat: {from: nrr, window: 3}\n")
    plan = parse_plan(child, "child.yaml", base=tmp_path)
    assert plan.metrics["nrr_ttm"].from_ == "nrr" and plan.metrics["nrr_ttm"].window == 2  # merged
    # Before: csat kept the parent's column: and aggregate: beside from:, and was refused as both.
    assert plan.metrics["csat"].column is None and plan.metrics["csat"].window == 3
    assert plan.performance == {"nrr": 1.0, "grr": 1.0}  # before: csat 0.3 was silently kept
