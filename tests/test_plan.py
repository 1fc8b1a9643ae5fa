"""SPEC section 3: the plan language — defaults, every rule, and every bad plan refused with the
key path (or YAML line and column), a "did you mean" where one is close, exit 2, no traceback."""

from __future__ import annotations

import json

import pytest
import yaml

from cscomp_cli.core.errors import PlanError
from cscomp_cli.plan.components import CommissionComponent, CurveComponent
from cscomp_cli.plan.loading import load_plan, parse_plan
from cscomp_cli.plan.schema import plan_json_schema
from cscomp_cli.plan.vocabulary import METRICS

from .conftest import DEFAULT_ROSTER as ROSTER
from .conftest import FLAT_ACCOUNTS as ACCOUNTS
from .conftest import PAID_AT_TARGET as PAYOUTS
from .conftest import REPO, assert_user_error, run, run_json


def retention(**overrides) -> dict:
    component = {"id": "retention", "metric": "nrr", "weight": 1.0, "target": 1.0,
                 "curve": [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]}
    component.update(overrides)
    return {key: value for key, value in component.items() if value is not None}


def plan_with(*components: dict, **top) -> dict:
    return {"name": "test plan", "components": list(components) or [retention()], **top}


def plan_error(plan: dict | str) -> PlanError:
    text = plan if isinstance(plan, str) else yaml.safe_dump(plan, sort_keys=False)
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "plan.yaml")
    return caught.value


def stress(data_dir, plan: dict | str, **files):
    text = plan if isinstance(plan, str) else yaml.safe_dump(plan, sort_keys=False)
    folder = data_dir(accounts=ACCOUNTS, roster=ROSTER, payouts=PAYOUTS, plan=text, **files)
    return run("stress-test", folder / "plan.yaml", "--quarters", "1", "--data", folder)


# --- what a valid plan means ----------------------------------------------------------------------


def test_defaults_of_a_minimal_plan():
    plan = parse_plan(yaml.safe_dump(plan_with()))
    component = plan.components[0]
    assert isinstance(component, CurveComponent)
    assert plan.performance == "nrr"
    assert plan.cap is None and plan.pay_mix is None and plan.modifiers == []
    assert (component.scope, component.measure, component.interpolate, component.on_missing) == (
        "csm", "attainment", "linear", "zero")
    assert component.uncapped is False and component.quarters is None
    assert (plan.credit.expansion, plan.credit.cross_sell) == (1.0, 1.0)


def test_commission_defaults_and_flat_rate():
    plan = parse_plan(yaml.safe_dump(plan_with(
        retention(),
        {"id": "upsell", "kind": "commission", "metric": "expansion_arr", "rate": 0.05},
    )))
    commission = plan.components[1]
    assert isinstance(commission, CommissionComponent)
    assert commission.tiering == "marginal" and commission.allow_negative is False and commission.cap is None
    assert [(t.up_to, t.rate) for t in commission.schedule] == [(None, 0.05)]


def test_component_quarters_accept_every_label_form():
    plan = parse_plan(yaml.safe_dump(plan_with(retention(quarters=["Q1 2026", "2026-q2"]))))
    assert plan.components[0].quarters == ("2026Q1", "2026Q2")
    assert plan.components[0].active_in("2026Q2") and not plan.components[0].active_in("2026Q3")


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "plans").glob("*.yaml")))
def test_every_example_plan_is_valid(name):
    text = (REPO / "plans" / name).read_text(encoding="utf-8")
    assert text.startswith("#"), "each example plan opens with the question it answers"
    assert load_plan(REPO / "plans" / name).name


def test_a_plan_can_be_read_from_standard_input(data_dir):
    folder = data_dir(accounts=ACCOUNTS, roster=ROSTER, payouts=PAYOUTS)
    result = run("stress-test", "-", "--quarters", "1", "--data", folder, "--format", "json",
                 input=yaml.safe_dump(plan_with()))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["proposed_total"] == 10000.0  # 2 CSMs at nrr 1.0 × TV 5,000


# --- unknown keys and metrics, with the key path and a suggestion -----------------------------------


@pytest.mark.parametrize("plan, path, suggestion", [
    ({"name": "x", "componets": [retention()]}, "(top level)", "did you mean 'components'?"),
    (plan_with(retention(wieght=1.0, weight=None)), "components[0]", "did you mean 'weight'?"),
    (plan_with(retention(curv=[[1, 1]])), "components[0]", "did you mean 'curve'?"),
    (plan_with(pay_mix={"variable_pct": 30, "hold_": "ote"}), "pay_mix", "did you mean 'hold'?"),
    (plan_with(credit={"cross_sel": 0.25}), "credit", "did you mean 'cross_sell'?"),
    (plan_with(modifiers=[{"id": "gate", "when": {"metric": "nps", "bellow": 20}, "multiply": 0.5}]),
     "modifiers[0].when", "did you mean 'below'?"),
])
def test_unknown_keys_name_the_path_and_the_likely_key(plan, path, suggestion):
    error = plan_error(plan)
    assert error.location == path
    assert "unknown key" in error.message and suggestion in error.message


def test_an_unknown_key_through_the_cli(data_dir):
    result = stress(data_dir, plan_with(retention(intepolate="step")))
    assert_user_error(result, "plan.yaml", "components[0]", "unknown key 'intepolate'", "did you mean 'interpolate'?")


@pytest.mark.parametrize("plan, path, fragment", [
    (plan_with(retention(metric="nrrr")), "components[0].metric", "unknown metric 'nrrr' (did you mean 'nrr'?)"),
    (plan_with(retention(metric="net_revenue_retention")), "components[0].metric", "choose one of start_arr"),
    (plan_with(performance="grrr"), "performance", "did you mean 'grr'?"),
    (plan_with(modifiers=[{"id": "g", "when": {"metric": "npss", "below": 1}, "multiply": 0.5}]),
     "modifiers[0].when.metric", "did you mean 'nps'?"),
])
def test_unknown_metrics(plan, path, fragment):
    error = plan_error(plan)
    assert error.location == path and fragment in error.message


def test_a_commission_needs_an_amount_metric():
    error = plan_error(plan_with(retention(), {"id": "c", "kind": "commission", "metric": "nrr", "rate": 0.1}))
    assert error.location == "components[1].metric"
    assert "expansion_arr" in error.message  # the list of amount metrics it may use


def test_unknown_component_kind():
    error = plan_error(plan_with(retention(kind="bonus")))
    assert error.location == "components[0].kind"
    assert error.message.startswith("unknown kind 'bonus'") and "curve (the default) or commission" in error.message


# --- wrong types and missing keys -------------------------------------------------------------------


@pytest.mark.parametrize("plan, path, fragment", [
    (plan_with(retention(weight="one")), "components[0].weight", "valid number"),
    (plan_with(retention(curve="steep")), "components[0].curve", ""),
    (plan_with(retention(curve=[[0.9, 0.0, 1.0]])), "components[0].curve[0]", "at most 2 items"),
    (plan_with(retention(curve=[])), "components[0].curve", ""),
    (plan_with(cap="double"), "cap", "valid number"),
    (plan_with(cap=0), "cap", "greater than 0"),
    ({"components": [retention()]}, "name", "missing"),
    ({"name": "x"}, "components", "missing"),
    ({"name": "x", "components": []}, "components", ""),
    (plan_with(retention(id="Retention")), "components[0].id", ""),
    (plan_with(retention(id=None)), "components[0].id", "missing"),
    (plan_with(pay_mix={"variable_pct": 100}), "pay_mix.variable_pct", ""),
    (plan_with(pay_mix={"variable_pct": 30, "hold": "salary"}), "pay_mix.hold", ""),
    (plan_with(retention(scope="region")), "components[0].scope", ""),
    (plan_with(retention(interpolate="cubic")), "components[0].interpolate", ""),
    (plan_with(retention(on_missing="skip")), "components[0].on_missing", ""),
    (plan_with(retention(quarters=["spring"])), "components[0].quarters", "'spring' is not a quarter label"),
])
def test_wrong_types_and_values(plan, path, fragment):
    error = plan_error(plan)
    assert error.location == path, (error.location, error.message)
    assert fragment in error.message
    assert "more problem" not in error.message  # a value that fits no branch of a union is one problem


# --- curves, tiers, targets, modifiers --------------------------------------------------------------


@pytest.mark.parametrize("curve, fragment", [
    ([[1.0, 0.0], [0.9, 1.0]], "curve x must be strictly increasing: point 2 (0.9) is not above point 1 (1)"),
    ([[0.9, 0.0], [0.9, 1.0]], "curve x must be strictly increasing"),
    ([[0.9, 1.0], [1.0, 0.5]], "curve payout must never decrease: point 2 pays 0.5, less than point 1 (1)"),
    ([[0.9, -0.1], [1.0, 1.0]], "pay 0 or more"),
])
def test_curve_shape_rules(curve, fragment):
    error = plan_error(plan_with(retention(curve=curve)))
    assert error.location.startswith("components[0]") and fragment in error.message


@pytest.mark.parametrize("options", [
    {"uncapped": True, "interpolate": "step"},
    {"uncapped": True, "curve": [[1.0, 1.0]]},
])
def test_uncapped_needs_a_linear_curve_of_two_points(options):
    error = plan_error(plan_with(retention(**options)))
    assert error.location.startswith("components[0]") and "uncapped" in error.message


def test_attainment_needs_a_target_but_value_does_not():
    error = plan_error(plan_with(retention(target=None)))
    assert "needs a target" in error.message
    assert parse_plan(yaml.safe_dump(plan_with(retention(target=None, measure="value")))).components[0].target is None


@pytest.mark.parametrize("tiers, fragment", [
    ([{"up_to": 2, "rate": 0.1}, {"up_to": 1, "rate": 0.2}, {"rate": 0.3}],
     "tier bounds must increase: tier 2 up_to 1 is not above 2"),
    ([{"up_to": 1, "rate": 0.1}, {"up_to": 2, "rate": 0.2}], "the last tier has no up_to"),
    ([{"rate": 0.1}, {"rate": 0.2}], "tier 1 needs up_to"),
])
def test_tier_rules(tiers, fragment):
    error = plan_error(plan_with(retention(), {"id": "c", "kind": "commission", "metric": "cross_sell_arr",
                                               "tiers": tiers}))
    assert error.location.startswith("components[1]") and fragment in error.message


@pytest.mark.parametrize("pricing", [{"rate": 0.1, "tiers": [{"rate": 0.1}]}, {}])
def test_a_commission_has_rate_or_tiers_not_both(pricing):
    error = plan_error(plan_with(retention(), {"id": "c", "kind": "commission", "metric": "cross_sell_arr",
                                               **pricing}))
    assert "either rate or tiers" in error.message


@pytest.mark.parametrize("target, path", [
    (0, "components[0].target"),
    (-1.0, "components[0].target"),
    ({"pct_of_start_arr": 0}, "components[0].target"),
    ({"by": "segment", "values": {"Enterprise": 1.0, "SMB": 0}}, "components[0].target"),
    ({"by": "segment", "values": {"Enterprise": 1.0}, "default": -1}, "components[0].target"),
])
def test_a_configured_target_of_zero_or_less_is_refused(target, path):
    error = plan_error(plan_with(retention(target=target)))
    assert error.location.startswith(path), (error.location, error.message)


def test_an_unknown_target_form():
    error = plan_error(plan_with(retention(target={"by": "region", "values": {"EMEA": 1.0}})))
    assert error.location.startswith("components[0].target")


def test_duplicate_component_ids_and_unknown_applies_to():
    twice = plan_error(plan_with(retention(weight=0.5), retention(weight=0.5)))
    assert twice.location == "components[1].id" and "retention" in twice.message
    unknown = plan_error(plan_with(modifiers=[{"id": "g", "when": {"metric": "nps", "below": 1}, "multiply": 0.5,
                                               "applies_to": ["retension"]}]))
    assert unknown.location.startswith("modifiers[0].applies_to")
    assert "did you mean 'retention'?" in unknown.message


@pytest.mark.parametrize("when, fragment", [
    ({"metric": "nps"}, "needs below, at_least, or both"),
    ({"metric": "nps", "below": 10, "at_least": 20}, "band is empty"),
])
def test_modifier_conditions(when, fragment):
    error = plan_error(plan_with(modifiers=[{"id": "g", "when": when, "multiply": 0.5}]))
    assert error.location.startswith("modifiers[0].when") and fragment in error.message


def test_risk_adjust_needs_a_target():
    error = plan_error(plan_with(retention(target=None, measure="value", risk_adjust=-0.1)))
    assert "risk_adjust" in error.message


# --- YAML itself ------------------------------------------------------------------------------------


def test_yaml_syntax_error_names_line_and_column(data_dir):
    assert_user_error(stress(data_dir, "name: x\ncomponents:\n  - id: [r\n"), "plan.yaml", "line 4, column 1",
                      "YAML syntax error")


# Each with the line YAML stops at and the line the hint should send the reader to.
BADLY_INDENTED = [
    # a key indented less than its siblings: PyYAML says "expected <block end>, but found '?'"
    ("name: x\ncomponents:\n  - id: a\n    metric: nrr\n    weight: 1\n  target: 1\n    curve: [[1, 1]]\n",
     "line 6, column 3", "line 6 starts in column 3 but line 5 above it in column 5"),
    # a key indented one space too little
    ("name: x\ncomponents:\n  - id: a\n    metric: nrr\n   weight: 1\n",
     "line 5, column 4", "line 5 starts in column 4 but line 4 above it in column 5"),
    # a list item out of line with the one before
    ("name: x\ncomponents:\n - id: a\n   metric: nrr\n  - id: b\n",
     "line 5, column 3", "line 5 starts in column 3 but line 4 above it in column 4"),
    # indented further than its sibling: read as the rest of the line above's value
    ("name: x\ncomponents:\n  - id: a\n    metric: nrr\n      weight: 1\n",
     "line 5", "line 5 is indented further than line 4, so YAML reads it as the rest of line 4's value"),
    ("name: x\ncomponents:\n  - id: a\n\tmetric: nrr\n", "line 4, column 1", "line 4 is indented with a tab"),
    ("name: x\ncomponents:\n  - id: a\n    metric nrr\n    weight: 1\n", "line 5",
     "line 4 has no ':' after its key"),
]


@pytest.mark.parametrize(("text", "where", "hint"), BADLY_INDENTED)
def test_yaml_errors_get_a_hint_naming_the_line_to_fix(data_dir, text, where, hint):
    result = stress(data_dir, text)
    assert_user_error(result, "plan.yaml", where, "YAML syntax error", f"hint: {hint}")


def test_duplicate_keys_are_refused_at_any_depth(data_dir):
    assert_user_error(stress(data_dir, "name: a\nname: b\ncomponents: []\n"), "plan.yaml", "line 2, column 1",
                      "key 'name' appears twice in one mapping (first on line 1)")
    nested = ("name: x\ncomponents:\n  - id: r\n    metric: nrr\n    weight: 1\n    weight: 0.5\n"
              "    target: 1\n    curve: [[1, 1]]\n")
    assert_user_error(stress(data_dir, nested), "plan.yaml", "line 6, column 5", "key 'weight' appears twice")


def test_a_yaml_alias_bomb_is_refused_quickly(data_dir):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8))  # 10^9 values once expanded
    assert_user_error(stress(data_dir, "name: x\n" + bomb), "plan.yaml", "alias bomb")


def test_a_plan_over_one_megabyte_is_refused(data_dir):
    big = "name: x\n" + "# padding\n" * 110_000
    assert_user_error(stress(data_dir, big), "plan.yaml", "larger than 1,000,000 bytes")


def test_python_tags_are_never_executed(data_dir):
    result = stress(data_dir, "name: !!python/object/apply:os.system ['echo pwned']\ncomponents: []\n")
    assert_user_error(result, "plan.yaml")
    assert "pwned" not in result.stdout + result.stderr.replace("echo pwned", "")


@pytest.mark.parametrize("text, fragment", [
    ("", "plan is empty"),
    ("- name: x\n", "a plan is a YAML mapping"),
    ("just words\n", "a plan is a YAML mapping"),
])
def test_a_plan_that_is_not_a_mapping(data_dir, text, fragment):
    assert_user_error(stress(data_dir, text), "plan.yaml", fragment)


def test_a_plan_that_is_not_utf8(data_dir):
    folder = data_dir(accounts=ACCOUNTS, roster=ROSTER, payouts=PAYOUTS)
    (folder / "plan.yaml").write_bytes("name: Plan für Zoë\ncomponents: []\n".encode("latin-1"))
    assert_user_error(run("stress-test", folder / "plan.yaml", "--data", folder), "plan.yaml", "not UTF-8")


def test_a_missing_plan_file(tmp_path):
    assert_user_error(run("stress-test", tmp_path / "nope.yaml"), "nope.yaml", "plan file not found")


# --- the plan against the data ----------------------------------------------------------------------


def test_a_segment_missing_from_a_by_segment_target(data_dir):
    plan = plan_with(retention(target={"by": "segment", "values": {"Enterprise": 1.0}}))
    assert_user_error(stress(data_dir, plan), "plan.yaml", "components[0].target.values",
                      "no target for segment 'SMB' (CSM C2 in 2026Q1) and no default")


def test_a_by_segment_default_covers_the_rest(data_dir):
    plan = plan_with(retention(target={"by": "segment", "values": {"Enterprise": 1.0}, "default": 1.0}))
    assert stress(data_dir, plan).exit_code == 0


def test_a_segment_missing_from_a_pay_mix_map(data_dir):
    plan = plan_with(pay_mix={"variable_pct": {"Enterprise": 30}})
    assert_user_error(stress(data_dir, plan), "plan.yaml", "pay_mix.variable_pct", "no variable_pct for segment 'SMB'")


def test_weights_that_do_not_sum_to_one(data_dir):
    plan = plan_with(retention(weight=0.6))
    assert_user_error(stress(data_dir, plan), "plan.yaml", "components",
                      "in 2026Q1 the active curve components' weights sum to 0.6")


def test_weights_summing_to_one_within_a_billionth_are_accepted(data_dir):
    # 0.1 + 0.2 + 0.7 is 0.9999999999999999 in binary floating point.
    parts = [retention(id=f"r{i}", weight=w) for i, w in enumerate((0.1, 0.2, 0.7))]
    assert stress(data_dir, plan_with(*parts)).exit_code == 0


def test_team_scope_for_a_csm_without_a_team(data_dir):
    plan = plan_with(retention(scope="team"))
    assert_user_error(stress(data_dir, plan), "components[0].scope", "team")


def test_quotas_target_without_quotas_file_or_row(data_dir):
    plan = plan_with(retention(target="quotas", metric="gross_expansion"))
    assert_user_error(stress(data_dir, plan), "plan.yaml", "components[0].target", "no quotas.csv")
    quotas = "quarter,csm_id,component,target\n2026Q1,C1,retention,1000\n"
    assert_user_error(stress(data_dir, plan, quotas=quotas), "quotas.csv",
                      "no quota for CSM C2, quarter 2026Q1, component retention")


@pytest.mark.parametrize("quotas, fragment", [
    ("quarter,csm_id,component,target\n2026Q1,C1,retention,0\n", "line 2, column target"),
    ("quarter,csm_id,component,target\n2026Q1,C1,retention,5\n2026Q1,C1,retention,6\n", "line 3, column component"),
])
def test_bad_quota_rows(data_dir, quotas, fragment):
    assert_user_error(stress(data_dir, plan_with(), quotas=quotas), "quotas.csv", fragment)


# --- the JSON Schema --------------------------------------------------------------------------------


def test_schema_command_prints_the_plan_language():
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema == plan_json_schema()
    assert {"name", "components", "pay_mix", "credit", "cap", "modifiers", "performance"} <= set(schema["properties"])
    assert set(schema["required"]) == {"name", "components"}
    assert schema.get("additionalProperties") is False  # editors flag unknown keys too
    text = json.dumps(schema)
    for metric in METRICS:
        assert f'"{metric}"' in text


def properties_of(node, path=""):
    """Every (path, property schema) under any "properties" in the schema, however deep."""
    if isinstance(node, dict):
        for name, value in node.get("properties", {}).items():
            yield f"{path}.{name}", value
        for key, value in node.items():
            yield from properties_of(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from properties_of(value, f"{path}[{index}]")


def test_every_key_of_the_schema_has_a_description_and_an_example():
    found = list(properties_of(plan_json_schema()))
    assert len(found) >= 45  # every model's every key: a shrinking count means keys went unseen
    lacking = [path for path, value in found if not value.get("description") or not value.get("examples")]
    assert lacking == []


def test_the_schema_examples_are_plans_cscomp_accepts():
    # The top-level examples put together make a plan; percent-string examples are read like numbers.
    schema = plan_json_schema()
    example = {key: value["examples"][0] for key, value in schema["properties"].items() if key != "extends"}
    plan = parse_plan(yaml.safe_dump(example, allow_unicode=True))
    assert plan.name == "FY27 proposal — NRR focus" and plan.pay_mix.variable_pct == 30


def test_the_schema_takes_a_percent_string_wherever_it_takes_a_number():
    schema = plan_json_schema()
    text = json.dumps(schema)
    assert text.count('"type": "number"') == text.count('"pattern": "^\\\\s*[-+')
    weight = schema["$defs"]["CurveComponent"]["properties"]["weight"]
    # A number (or a percent string), or weights by segment.
    assert {"type": "number", "minimum": 0} in weight["anyOf"][0]["anyOf"]
    assert weight["anyOf"][1] == {"$ref": "#/$defs/SegmentWeights"}


def test_no_message_or_document_sends_users_to_spec():
    # Users do not have SPEC: hints, README and the docs point at docs/plans.md and `cscomp schema`.
    for path in [*(REPO / "cscomp_cli").rglob("*.py"), REPO / "README.md", *(REPO / "docs").glob("*.md")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            if path.suffix == ".py" and (stripped.startswith("#") or '"""' in stripped or not any(
                    q in stripped for q in ('"', "'"))):
                continue  # comments and docstrings are for developers
            assert "see SPEC" not in line and "SPEC section 3" not in line, f"{path.name}:{number}: {line}"
    assert "docs/plans.md" in plan_error(plan_with(colour="red")).hint


def test_a_misspelt_target_form_reports_only_that_key(data_dir):
    component = retention(metric="gross_expansion", target={"pct_of_start": 0.05})
    result = stress(data_dir, plan_with(component))
    assert_user_error(result, "components[0].target: unknown key 'pct_of_start' (did you mean 'pct_of_start_arr'?)")
    assert "by" not in result.stderr.split("hint:")[0].split("target:")[1]
    assert "values" not in result.stderr.split("hint:")[0] and "more problem" not in result.stderr
    by_segment = retention(target={"by": "segment", "vaules": {"SMB": 1.0}})
    error = plan_error(plan_with(by_segment))
    assert (error.location, error.message, error.also) == (
        "components[0].target", "unknown key 'vaules' (did you mean 'values'?)", [])


def test_a_misspelt_key_is_one_problem_not_also_a_missing_key():
    error = plan_error(plan_with(retention(metric=None) | {"metirc": "nrr"}))
    assert (error.location, error.message, error.also) == (
        "components[0]", "unknown key 'metirc' (did you mean 'metric'?)", [])


def test_stress_test_json_uses_the_plan_name_and_currency(data_dir):
    folder = data_dir(accounts=ACCOUNTS, roster=ROSTER, payouts=PAYOUTS,
                      plan=yaml.safe_dump(plan_with(currency="EUR") | {"name": "FY27 — NRR heavy"},
                                          allow_unicode=True))
    document = run_json("stress-test", folder / "plan.yaml", "--quarters", "1", "--data", folder)
    assert (document["plan"], document["currency"]) == ("FY27 — NRR heavy", "EUR")


@pytest.mark.parametrize("text, path", [
    ("cap: .inf", "cap"),
    ("cap: 1e308", "cap"),
    ("cap: .nan", "cap"),
    ("cap: 100000000000000000000000000000000000000000000000000", "cap"),
])
def test_plan_numbers_are_finite_and_at_most_a_trillion(data_dir, text, path):
    plan = yaml.safe_dump(plan_with()) + text + "\n"
    assert_user_error(stress(data_dir, plan), "plan.yaml", path, "is not a usable number")


def test_a_payout_no_plan_means_is_refused_not_overflowed(data_dir):
    # An uncapped curve of slope 1e11 per unit of attainment: C4-style growth of 0.2 above the last
    # point pays 5,000 × 1e11 × … far beyond a trillion, which integer cents could not even hold.
    plan = plan_with(retention(curve=[[0.0, 0.0], [1.0, 100_000_000_000.0]], uncapped=True, measure="value",
                               target=None, metric="start_arr"))
    assert_user_error(stress(data_dir, plan), "plan.yaml", "components[0]", "would pay",
                      "more than 1,000,000,000,000 in one quarter")


def test_a_pay_mix_near_100_percent_holding_base_is_refused(data_dir):
    plan = plan_with(pay_mix={"variable_pct": 99.99999999999, "hold": "base"})
    assert_user_error(stress(data_dir, plan), "plan.yaml", "pay_mix.variable_pct", "annual variable")


def test_exponent_numbers_are_numbers_as_in_yaml_1_2():
    # PyYAML alone would read 5e-2 as the text "5e-2" and the plan would fail as "not a number".
    text = yaml.safe_dump(plan_with()) + "cap: 15e-1\n"
    assert parse_plan(text).cap == 1.5


# The plan errors issue 3 lists, each through the CLI: exit 2, the file, the key path, no traceback.
@pytest.mark.parametrize("plan, fragments", [
    (plan_with(retention(wieght=1.0, weight=None)), ["components[0]", "unknown key 'wieght'", "did you mean"]),
    (plan_with(retention(metric="ndr")), ["components[0].metric", "unknown metric 'ndr'", "did you mean 'nrr'?"]),
    (plan_with(retention(weight=[1])), ["components[0].weight", "valid number"]),
    (plan_with(retention(weight=0.5)), ["components", "weights sum to 0.5"]),
    (plan_with(retention(curve=[[1.0, 0.0], [1.0, 1.0]])), ["components[0]", "strictly increasing"]),
    (plan_with(retention(curve=[[0.9, 1.0], [1.0, 0.0]])), ["components[0]", "never decrease"]),
    (plan_with(retention(), {"id": "c", "kind": "commission", "metric": "cross_sell_arr",
                             "tiers": [{"up_to": 2, "rate": 0.1}, {"up_to": 1, "rate": 0.1}, {"rate": 0.1}]}),
     ["components[1].tiers", "tier bounds must increase"]),
    (plan_with(retention(target={"by": "segment", "values": {"SMB": 1.0}})),
     ["components[0].target.values", "no target for segment 'Enterprise'"]),
    (plan_with(pay_mix={"variable_pct": {"SMB": 30}}), ["pay_mix.variable_pct", "segment 'Enterprise'"]),
])
def test_plan_errors_through_the_cli(data_dir, plan, fragments):
    assert_user_error(stress(data_dir, plan), "plan.yaml", *fragments)


def test_a_misspelt_quotas_target_says_so(data_dir):
    assert_user_error(stress(data_dir, plan_with(retention(target="quota"))),
                      "components[0].target: 'quota' is not a target (did you mean 'quotas'?)")
