"""SPEC 6.4–6.6 in the plan language: period, advance, recover, ramp, guarantee and a commission's clawback.
What a valid plan means, every error SPEC names and every bound of the model, each at its key path with a
hint into docs/plans.md, through the CLI too (exit 2, no traceback); the JSON Schema's new keys."""

from __future__ import annotations

import json

import pytest
import yaml

from cscomp_cli.analyses import sweep as sweep_module
from cscomp_cli.analyses.sweep import apply_setting, parse_setting
from cscomp_cli.core.errors import PlanError, UsageError
from cscomp_cli.plan.loading import load_plan, parse_plan, plan_from_document
from cscomp_cli.plan.plausibility import plan_warnings
from cscomp_cli.plan.schema import plan_json_schema

from .conftest import (
    DEFAULT_ROSTER,
    FLAT_ACCOUNTS,
    PAID_AT_TARGET,
    assert_user_error,
    run,
    run_json,
)

RETENTION = {"id": "retention", "metric": "nrr", "weight": 1.0, "target": 1.0,
             "curve": [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]}
UPSELL = {"id": "upsell", "kind": "commission", "metric": "expansion_arr", "rate": 0.08}

PERIODS = "Annual goals, advances and a true-up"
CLAWBACKS = "Clawbacks"
FLOORS = "Ramps and guarantees"


def plan_doc(upsell: dict | None = None, **top) -> dict:
    """The retention curve and an upsell commission (components[1]), with top-level keys and the upsell's changes."""
    commission = {**UPSELL, **(upsell or {})}
    return {"name": "periods", "components": [RETENTION, {k: v for k, v in commission.items() if v is not None}],
            **top}


def parsed(document: dict):
    return parse_plan(yaml.safe_dump(document, sort_keys=False), "plan.yaml")


def refused(document: dict) -> PlanError:
    with pytest.raises(PlanError) as caught:
        parsed(document)
    return caught.value


# --- what a valid plan means ----------------------------------------------------------------------


def test_defaults_pay_every_quarter_in_full_with_no_floor_and_no_clawback():
    plan = parsed(plan_doc())
    assert (plan.period, plan.advance, plan.recover, plan.ramp, plan.guarantee) == ("quarter", 1.0, True, None, None)
    assert plan.components[1].clawback is None


def test_every_new_key_as_written():
    plan = parsed(plan_doc(period="year", advance=0.75, recover=False, ramp={"quarters": 2},
                           guarantee={"floor": 0.9, "quarters": ["FY27 Q1", "2026Q2"]}))
    assert (plan.period, plan.advance, plan.recover) == ("year", 0.75, False)
    assert (plan.ramp.quarters, plan.ramp.floor) == (2, 1.0)  # floor defaults to 100 % of TV
    # Quarter labels are spelt one way (FY27 Q1 → FY2027Q1); which quarter it is the data's calendar says.
    assert (plan.guarantee.floor, plan.guarantee.quarters) == (0.9, ("FY2027Q1", "2026Q2"))
    clawed = parsed(plan_doc({"clawback": {"within": 2}}))
    assert (clawed.components[1].clawback.within, clawed.components[1].clawback.share) == (2, 1.0)


def test_percent_strings_in_the_new_places_are_the_numbers_they_say():
    # "75%" is 0.75 exactly as if 0.75 had been written; likewise every floor and a clawback's share.
    plan = parsed(plan_doc(period="half", advance="75%",
                           ramp={"quarters": 1, "floor": "80%"}, guarantee={"floor": "90 %", "quarters": 3}))
    assert (plan.advance, plan.ramp.floor, plan.guarantee.floor) == (0.75, 0.8, 0.9)
    quarterly = parsed(plan_doc({"clawback": {"within": 1, "share": "50%"}}))
    assert quarterly.components[1].clawback.share == 0.5


@pytest.mark.parametrize("metric", ["expansion_arr", "cross_sell_arr", "gross_expansion"])
def test_a_clawback_on_each_amount_it_can_follow_back(metric):
    assert parsed(plan_doc({"metric": metric, "clawback": {"within": 8, "share": 0}})).components[1].clawback.within == 8


def test_a_windowed_metric_is_allowed_in_a_quarter_plan_and_unused_in_a_period_plan():
    windowed = {"nrr_ttm": {"from": "nrr", "window": 4}}
    assert parsed(plan_doc(metrics=windowed, components=[{**RETENTION, "metric": "nrr_ttm"}]))
    assert parsed(plan_doc(metrics=windowed, period="year")).period == "year"  # defined, used nowhere


# --- errors: the model's bounds and SPEC's combinations, each at its key path --------------------

ERRORS = [
    # advance: a share from 0 to 1; 75 is the percentage slip.
    (plan_doc(advance=75), "advance", ["advance 75 looks like a percentage: write 0.75 or 75%", "from 0 to 1"],
     PERIODS),
    (plan_doc(advance=-0.1), "advance", ["from 0 to 1", "(got -0.1)"], PERIODS),
    (plan_doc(advance=1.5), "advance", ["from 0 to 1", "(got 1.5)"], PERIODS),
    (plan_doc(advance="75 percent"), "advance", ["valid number", '"92%"'], PERIODS),
    (plan_doc(recover="maybe"), "recover", ["recover is true", "or false", "'maybe'"], PERIODS),
    (plan_doc(period="month"), "period", ["period is quarter (the default), half or year (got 'month')",
                                          "a quarter at the shortest"], PERIODS),
    (plan_doc(period="Year"), "period", ["in lower case: write period: year"], PERIODS),
    (plan_doc(period="annual"), "period", ["write period: year (got 'annual')"], PERIODS),
    (plan_doc(period="semiannual"), "period", ["write period: half"], PERIODS),
    (plan_doc(period=None), "period", ["period: is empty"], PERIODS),
    # guarantee.floor: 0 to 2; 90 is the percentage slip.
    (plan_doc(guarantee={"floor": 90, "quarters": 2}), "guarantee.floor",
     ["floor 90 looks like a percentage: write 0.9 or 90%", "from 0 to 2"], FLOORS),
    (plan_doc(guarantee={"floor": -0.5, "quarters": 2}), "guarantee.floor", ["from 0 to 2", "(got -0.5)"], FLOORS),
    (plan_doc(guarantee={"floor": 2.5, "quarters": 2}), "guarantee.floor", ["from 0 to 2", "(got 2.5)"], FLOORS),
    (plan_doc(guarantee={"quarters": 2}), "guarantee.floor", ["missing required key 'floor'"], FLOORS),
    # guarantee.quarters: 1 to 40, or quarter labels.
    (plan_doc(guarantee={"floor": 0.9, "quarters": 0}), "guarantee.quarters",
     ["whole number of quarters from 1 to 40, or a list of quarter labels", "(got 0)"], FLOORS),
    (plan_doc(guarantee={"floor": 0.9, "quarters": 41}), "guarantee.quarters", ["from 1 to 40", "(got 41)"], FLOORS),
    (plan_doc(guarantee={"floor": 0.9, "quarters": []}), "guarantee.quarters", ["quarters: [] names no quarter"],
     FLOORS),
    (plan_doc(guarantee={"floor": 0.9, "quarters": ["2026Q5"]}), "guarantee.quarters",
     ["'2026Q5' is not a quarter label"], FLOORS),
    (plan_doc(guarantee={"floor": 0.9, "quarters": "2026Q1"}), "guarantee.quarters",
     ["write a list, quarters: [2026Q1], for one quarter"], FLOORS),
    (plan_doc(guarantee={"floor": 0.9, "quarters": "2"}), "guarantee.quarters", ["(got '2'); write it without quotes"],
     FLOORS),
    (plan_doc(guarantee={"floor": 0.9, "quarters": 2.5}), "guarantee.quarters", ["from 1 to 40", "(got 2.5)"], FLOORS),
    (plan_doc(guarantee={"floor": 0.9}), "guarantee.quarters", ["missing required key 'quarters'"], FLOORS),
    (plan_doc(guarantee=0.9), "guarantee", ["guarantee is a mapping such as guarantee: {floor: 0.9, quarters: 2}"],
     FLOORS),
    # ramp: quarters 1 to 8, floor above 0.
    (plan_doc(ramp={"quarters": 9}), "ramp.quarters", ["ramp.quarters is a whole number of quarters from 1 to 8",
                                                       "(got 9)"], FLOORS),
    (plan_doc(ramp={"quarters": 0}), "ramp.quarters", ["from 1 to 8", "(got 0)"], FLOORS),
    (plan_doc(ramp={"quarters": 1.5}), "ramp.quarters", ["from 1 to 8", "(got 1.5)"], FLOORS),
    (plan_doc(ramp={"quarters": 2, "floor": 0}), "ramp.floor", ["ramp.floor is a multiple of the target variable, "
                                                                "above 0", "(got 0)"], FLOORS),
    (plan_doc(ramp={"floor": 1.0}), "ramp.quarters", ["missing required key 'quarters'"], FLOORS),
    # clawback: within 1 to 8, share 0 to 1.
    (plan_doc({"clawback": {"within": 0}}), "components[1].clawback.within",
     ["clawback.within is a whole number of quarters from 1 to 8", "(got 0)"], CLAWBACKS),
    (plan_doc({"clawback": {"within": 9}}), "components[1].clawback.within", ["from 1 to 8", "(got 9)"], CLAWBACKS),
    (plan_doc({"clawback": {"share": 0.5}}), "components[1].clawback.within", ["missing required key 'within'"],
     CLAWBACKS),
    (plan_doc({"clawback": {"within": 2, "share": 1.5}}), "components[1].clawback.share",
     ["share is the part of the commission clawed back, from 0 to 1", "(got 1.5)"], CLAWBACKS),
    (plan_doc({"clawback": {"within": 2, "share": 50}}), "components[1].clawback.share",
     ["share 50 looks like a percentage: write 0.5 or 50%"], CLAWBACKS),
    (plan_doc({"clawback": 2}), "components[1].clawback", ["clawback is a mapping such as clawback: {within: 2"],
     CLAWBACKS),
    # SPEC 6.5: a clawback follows one CSM's own expansion.
    (plan_doc({"clawback": {"within": 2}, "scope": "team"}), "components[1].clawback",
     ["needs scope: csm, not team"], CLAWBACKS),
    (plan_doc({"clawback": {"within": 2}, "metric": "renewed_arr"}), "components[1].clawback",
     ["must be one of expansion_arr, cross_sell_arr, gross_expansion, not renewed_arr"], CLAWBACKS),
    (plan_doc({"clawback": {"within": 2}, "metric": "net_expansion"}), "components[1].clawback",
     ["not net_expansion"], CLAWBACKS),
    # nrr is no amount: the commission itself is refused first, at its metric.
    (plan_doc({"clawback": {"within": 2}, "metric": "nrr"}), "components[1].metric",
     ["a commission pays a rate on an amount, and 'nrr' is not one"], "docs/plans.md"),
    # SPEC 6.4: a period measures everything to date.
    (plan_doc({"clawback": {"within": 2}}, period="year"), "components[1].clawback",
     ["a clawback cannot be used in a plan with period: year"], PERIODS),
    (plan_doc({"quarters": ["2026Q1"]}, period="half"), "components[1].quarters",
     ["quarters: cannot be used in a plan with period: half"], PERIODS),
    (plan_doc(period="year", metrics={"nrr_ttm": {"from": "nrr", "window": 4}},
              components=[{**RETENTION, "metric": "nrr_ttm"}]), "metrics.nrr_ttm.window",
     ["metric nrr_ttm has a window of its own, which cannot be used in a plan with period: year"], PERIODS),
    # A custom metric built on a windowed one brings the window along: the window is named where it is written.
    (plan_doc(period="year", metrics={"nrr_ttm": {"from": "nrr", "window": 4},
                                      "big_ttm": {"from": "nrr_ttm", "filter": [{"column": "tier", "in": ["big"]}]}},
              components=[{**RETENTION, "metric": "big_ttm"}]), "metrics.nrr_ttm.window",
     ["metric nrr_ttm has a window of its own"], PERIODS),
    # Unknown keys: did you mean, in the place they are.
    (plan_doc(ramp={"quarters": 2, "floors": 1.0}), "ramp", ["unknown key 'floors' (did you mean 'floor'?)"], FLOORS),
    (plan_doc(guarantee={"floors": 0.9, "quarters": 2}), "guarantee",
     ["unknown key 'floors' (did you mean 'floor'?)"], FLOORS),
    (plan_doc({"clawback": {"within": 2, "shares": 1}}), "components[1].clawback",
     ["unknown key 'shares' (did you mean 'share'?)"], CLAWBACKS),
    (plan_doc({"clawback": {"wihtin": 2}}), "components[1].clawback", ["unknown key 'wihtin' (did you mean 'within'?)"],
     CLAWBACKS),
    (plan_doc(ramps={"quarters": 2}), "(top level)", ["unknown key 'ramps' (did you mean 'ramp'?)"], "docs/plans.md"),
    (plan_doc(gaurantee={"floor": 0.9, "quarters": 2}), "(top level)",
     ["unknown key 'gaurantee' (did you mean 'guarantee'?)"], "docs/plans.md"),
    (plan_doc(periods="year"), "(top level)", ["unknown key 'periods' (did you mean 'period'?)"], "docs/plans.md"),
    # A real key in the wrong place says where it goes (not "did you mean" the very same key).
    (plan_doc(clawback={"within": 2}), "(top level)",
     ["unknown key 'clawback' here: clawback goes on a commission component"], CLAWBACKS),
    (plan_doc(components=[{**RETENTION, "clawback": {"within": 2}}]), "components[0]",
     ["unknown key 'clawback' here: clawback goes on a commission component (kind: commission)"], CLAWBACKS),
    (plan_doc({"advance": 0.75}), "components[1]", ["unknown key 'advance' here: advance is a key of the plan itself"],
     PERIODS),
    (plan_doc(floor=0.9), "(top level)", ["unknown key 'floor' here: floor goes in ramp:", "or guarantee:"], FLOORS),
]


@pytest.mark.parametrize("document, location, fragments, section", ERRORS,
                         ids=[f"{i}-{e[1]}" for i, e in enumerate(ERRORS)])
def test_every_error_names_its_key_path_and_the_docs_section(document, location, fragments, section):
    error = refused(document)
    assert error.location == location, (error.location, error.message)
    for fragment in fragments:
        assert fragment in error.message, (fragment, error.message)
    assert section in error.hint and "docs/plans.md" in error.hint, error.hint
    assert "more problem" not in error.message  # one mistake is one problem (a typo is not also a missing key)


@pytest.mark.parametrize("document, location, fragments, section", ERRORS,
                         ids=[f"{i}-{e[1]}" for i, e in enumerate(ERRORS)])
def test_every_error_through_validate(tmp_path, document, location, fragments, section):
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    result = run("validate", tmp_path / "plan.yaml", "--plan-only")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    shown = result.stdout + result.stderr
    assert location in shown and fragments[0] in shown, shown


def test_a_stress_test_stops_on_a_plan_error_with_exit_2(data_dir):
    folder = data_dir(accounts="quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                               "2026Q1,A1,C1,100000,0,0,0\n",
                      payouts="quarter,csm_id,amount\n2026Q1,C1,5000\n",
                      plan=yaml.safe_dump(plan_doc(advance=75)))
    result = run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "1")
    assert_user_error(result, "plan.yaml", "advance", "looks like a percentage: write 0.75 or 75%", PERIODS)


def test_validate_json_lists_the_error_with_its_hint(tmp_path):
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(plan_doc(guarantee={"floor": 90, "quarters": 2})),
                                        encoding="utf-8")
    result = run("validate", tmp_path / "plan.yaml", "--plan-only", "--format", "json")
    assert result.exit_code == 2
    errors = json.loads(result.stdout)["errors"]
    assert [(e["location"], FLOORS in e["hint"]) for e in errors] == [("guarantee.floor", True)]


def test_a_malformed_percentage_in_a_new_place_names_its_key():
    error = refused(plan_doc({"clawback": {"within": 2, "share": "fifty%"}}))
    assert (error.location, error.message) == ("components[1].clawback.share", "'fifty%' is not a percentage")


# --- the JSON Schema ------------------------------------------------------------------------------


def test_the_schema_describes_every_new_key_with_an_example():
    schema = plan_json_schema()
    top = schema["properties"]
    for key in ("period", "advance", "recover", "ramp", "guarantee"):
        assert top[key].get("description") and top[key].get("examples"), key
    assert top["period"]["enum"] == ["quarter", "half", "year"] and top["period"]["default"] == "quarter"
    definitions = schema["$defs"]
    for model, keys in (("Ramp", ("quarters", "floor")), ("Guarantee", ("floor", "quarters")),
                        ("Clawback", ("within", "share"))):
        for key in keys:
            entry = definitions[model]["properties"][key]
            assert entry.get("description") and entry.get("examples"), (model, key)
        assert definitions[model].get("additionalProperties") is False  # editors flag floors: too
    assert "clawback" in definitions["CommissionComponent"]["properties"]
    assert "clawback" not in definitions["CurveComponent"]["properties"]


def test_the_schema_states_the_bounds_cscomp_enforces():
    definitions = plan_json_schema()["$defs"]
    within = definitions["Clawback"]["properties"]["within"]
    assert (within["minimum"], within["maximum"]) == (1, 8)
    ramp_quarters = definitions["Ramp"]["properties"]["quarters"]
    assert (ramp_quarters["minimum"], ramp_quarters["maximum"]) == (1, 8)
    # A number or a percentage string wherever cscomp reads one.
    advance = plan_json_schema()["properties"]["advance"]["anyOf"]
    assert advance[0] == {"type": "number", "minimum": 0, "maximum": 1} and "pattern" in advance[1]
    floor = definitions["Guarantee"]["properties"]["floor"]["anyOf"]
    assert floor[0] == {"type": "number", "minimum": 0, "maximum": 2}
    share = definitions["Clawback"]["properties"]["share"]["anyOf"]
    assert share[0] == {"type": "number", "minimum": 0, "maximum": 1}
    quarters = json.dumps(definitions["Guarantee"]["properties"]["quarters"])
    assert '"maximum": 40' in quarters and '"type": "array"' in quarters


def test_the_schema_examples_of_the_new_keys_are_accepted():
    schema = plan_json_schema()
    top = schema["properties"]
    for example in top["guarantee"]["examples"]:
        assert parsed(plan_doc(guarantee=example)).guarantee is not None
    for example in top["ramp"]["examples"]:
        assert parsed(plan_doc(ramp=example)).ramp is not None
    for example in top["advance"]["examples"]:
        assert parsed(plan_doc(period="year", advance=example)).advance == 0.75
    clawback = schema["$defs"]["CommissionComponent"]["properties"]["clawback"]
    for example in clawback["examples"]:
        assert parsed(plan_doc({"clawback": example})).components[1].clawback.within == 2
    for example in schema["$defs"]["Guarantee"]["properties"]["quarters"]["examples"]:
        assert parsed(plan_doc(guarantee={"floor": 0.9, "quarters": example})).guarantee.quarters


def test_cscomp_schema_prints_the_new_keys():
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert {"period", "advance", "recover", "ramp", "guarantee"} <= set(schema["properties"])
    assert "Clawback" in schema["$defs"]


# --- plausibility: values that replay but cannot mean what they say -------------------------------

WARNINGS = [
    (plan_doc(advance=0.75), "advance", "advance 0.75 has no effect with period: quarter (every quarter is its "
     "period's last, so what is earned is paid in it); add period: year (or half), or remove advance"),
    (plan_doc(recover=False), "recover", "recover false has no effect with period: quarter"),
    (plan_doc(advance=1, recover=True), "advance", "advance 1 has no effect"),  # the defaults, written: still none
    # 90 written for 90 %: at least 90 × TV for a new CSM.
    (plan_doc(ramp={"quarters": 2, "floor": 90}), "ramp.floor",
     'ramp.floor 90 pays a new CSM at least 90 × the target variable (9000 %); did you mean 0.9 (or "90%")?'),
    (plan_doc(ramp={"quarters": 2, "floor": 2.5}), "ramp.floor", "did you mean 0.025 (or \"2.5%\")?"),
    (plan_doc(guarantee={"floor": 0, "quarters": 2}), "guarantee.floor", "guarantee.floor 0 protects nothing"),
    (plan_doc(guarantee={"floor": 1.8, "quarters": 2}), "guarantee.floor",
     "guarantee.floor 1.8 pays everybody at least 180 % of what they were actually paid"),
    (plan_doc({"clawback": {"within": 2, "share": 0}}), "components[1].clawback.share", "share 0 claws back nothing"),
]


@pytest.mark.parametrize("document, location, fragment", WARNINGS, ids=[w[1] for w in WARNINGS])
def test_a_value_that_cannot_mean_what_it_says_is_warned_about(document, location, fragment):
    found = plan_warnings(parsed(document))
    also = ["recover"] if "recover" in document and location != "recover" else []
    assert [w.location for w in found] == [location, *also]
    assert fragment in found[0].message


@pytest.mark.parametrize("document", [
    plan_doc(period="year", advance=0.75, recover=False),  # advances in a period: what they are for
    plan_doc(period="half", advance=0),  # nothing paid before the true-up: unusual, but it means what it says
    plan_doc(ramp={"quarters": 2, "floor": 2}, guarantee={"floor": 1.5, "quarters": 40}),  # at the limits
    plan_doc(ramp={"quarters": 1, "floor": 0.5}, guarantee={"floor": 0.01, "quarters": ["2026Q1"]}),
    plan_doc({"clawback": {"within": 1, "share": 0.01}}),
])
def test_sensible_values_are_not_warned_about(document):
    assert plan_warnings(parsed(document)) == []


def test_validate_shows_the_warnings_and_exits_0(tmp_path):
    document = plan_doc({"clawback": {"within": 2, "share": 0}}, advance=0.75, guarantee={"floor": 0, "quarters": 2})
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    result = run("validate", tmp_path / "plan.yaml", "--plan-only", "--format", "json")
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["errors"] == []
    assert [w["location"] for w in report["warnings"]] == ["advance", "guarantee.floor",
                                                           "components[1].clawback.share"]
    table = run("validate", tmp_path / "plan.yaml", "--plan-only")
    assert table.exit_code == 0 and "advance 0.75 has no effect with period: quarter" in table.stdout


def test_a_replay_lists_the_plan_warning_first(data_dir):
    # A quarter plan with advance: the replay is a quarter plan's (nothing held back), and the warning leads.
    folder = data_dir(accounts=FLAT_ACCOUNTS, roster=DEFAULT_ROSTER, payouts=PAID_AT_TARGET,
                      plan=yaml.safe_dump({"name": "p", "components": [RETENTION], "advance": 0.75}))
    document = run_json("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "1")
    assert document["warnings"][0].startswith("plan advance: advance 0.75 has no effect with period: quarter")


# --- plan-diff: the new keys in words a leader reads ----------------------------------------------


def write_plans(folder, **plans: dict):
    folder.mkdir(parents=True, exist_ok=True)
    for name, document in plans.items():
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def diff_json(folder, first="before", second="after") -> dict:
    result = run("plan-diff", folder / f"{first}.yaml", folder / f"{second}.yaml", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {(c["change"], c["path"]): c for c in json.loads(result.stdout)["changes"]}


def test_plan_diff_says_what_a_period_an_advance_and_a_guarantee_change(tmp_path):
    write_plans(tmp_path, before=plan_doc(), after=plan_doc(
        period="year", advance="75%", recover=False, guarantee={"floor": 0.9, "quarters": 2},
        ramp={"quarters": 1, "floor": 0.8}))
    changes = diff_json(tmp_path)
    assert set(changes) == {("changed", "period"), ("changed", "advance"), ("changed", "recover"),
                            ("added", "ramp"), ("added", "guarantee")}
    period = changes[("changed", "period")]
    assert (period["before"], period["after"]) == ("quarter", "year")
    assert period["words"] == ("goals are measured over the year to date (paid quarterly as an advance, trued up "
                               "in the year's last quarter), instead of each quarter on its own")
    advance = changes[("changed", "advance")]
    assert (advance["before"], advance["after"]) == (1.0, 0.75)
    assert advance["words"].startswith("paid before the period's last quarter: 100 % → 75 % of the pay earned")
    assert changes[("changed", "recover")]["words"] == ("a true-up below what was advanced is now forgiven (it was "
                                                        "taken back)")
    guarantee = changes[("added", "guarantee")]
    assert guarantee["after"] == {"floor": 0.9, "quarters": 2}
    assert guarantee["words"] == ("a guarantee is added: nobody is paid less than 90 % of what they were actually "
                                  "paid, in the first 2 replayed quarters")
    assert changes[("added", "ramp")]["words"] == (
        "a ramp is added: new CSMs are paid at least 80 % of their target variable in their first quarter (from the "
        "one holding their start_date)")
    text = run("plan-diff", tmp_path / "before.yaml", tmp_path / "after.yaml").stdout
    assert '~ advance: 1.0 → 0.75\n    paid before the period\'s last quarter: 100 % → 75 %' in text
    assert '+ guarantee: {"floor": 0.9, "quarters": 2}\n    a guarantee is added: nobody is paid less than 90 %' in text


def test_plan_diff_of_a_clawback_added_changed_and_removed(tmp_path):
    write_plans(tmp_path, plain=plan_doc(), clawed=plan_doc({"clawback": {"within": 2}}),
                softer=plan_doc({"clawback": {"within": 3, "share": 0.5}}))
    added = diff_json(tmp_path, "plain", "clawed")
    assert list(added) == [("added", "components[upsell].clawback")]
    clawback = added[("added", "components[upsell].clawback")]
    assert clawback["after"] == {"within": 2, "share": 1.0}  # the default share, filled in
    assert clawback["words"] == ("a clawback is added on upsell: 100 % of the commission paid on an account in the 2 "
                                 "quarters before it churns is taken back")
    changed = diff_json(tmp_path, "clawed", "softer")
    assert changed[("changed", "components[upsell].clawback.within")]["words"] == (
        "quarters a churn reaches back for upsell's clawback: 2 → 3")
    assert changed[("changed", "components[upsell].clawback.share")]["words"] == (
        "the share of upsell's commission clawed back: 100 % → 50 %")
    removed = diff_json(tmp_path, "clawed", "plain")
    assert removed[("removed", "components[upsell].clawback")]["words"].startswith("the clawback on upsell is removed")


def test_plan_diff_of_floors_changed_and_removed(tmp_path):
    write_plans(tmp_path, before=plan_doc(ramp={"quarters": 2}, guarantee={"floor": 0.9, "quarters": 2}),
                after=plan_doc(ramp={"quarters": 3, "floor": 0.5},
                               guarantee={"floor": 0.8, "quarters": ["2026Q1", "2026Q2"]}),
                bare=plan_doc(ramp={"quarters": 2}))
    changes = diff_json(tmp_path)
    assert changes[("changed", "ramp.floor")]["words"] == "new CSMs' floor: 100 % → 50 % of their target variable"
    assert changes[("changed", "ramp.quarters")]["words"] == "quarters a new CSM's floor lasts: 2 → 3"
    assert changes[("changed", "guarantee.floor")]["words"] == "the share of actual pay guaranteed: 90 % → 80 %"
    assert changes[("changed", "guarantee.quarters")]["words"] == (
        "guaranteed quarters: the first 2 replayed quarters → 2026Q1, 2026Q2")
    removed = diff_json(tmp_path, "before", "bare")
    assert list(removed) == [("removed", "guarantee")]
    assert removed[("removed", "guarantee")]["words"].startswith("the guarantee is removed (it was: nobody is paid")


def test_plan_diff_of_plans_without_the_new_keys_is_unchanged(tmp_path):
    # No floor and no clawback: nothing about them in either plan's resolved form, so nothing to diff.
    write_plans(tmp_path, before=plan_doc(), after=plan_doc(cap=2.0))
    changes = diff_json(tmp_path)
    assert list(changes) == [("changed", "cap")] and changes[("changed", "cap")]["words"] is None


# --- sweep: the new numbers as paths, each swept plan built as written ------------------------------

GUARDED = plan_doc({"clawback": {"within": 2}}, ramp={"quarters": 2}, guarantee={"floor": 0.9, "quarters": 2})


def swept(document: dict, setting: str) -> list:
    """The plan each value of the setting builds (the plan objects a sweep replays)."""
    parsed_setting = parse_setting(setting)
    return [plan_from_document(apply_setting(document, parsed_setting.path, value), "plan.yaml")
            for value in parsed_setting.values]


def test_sweeping_advance_builds_a_plan_per_value():
    plans = swept(plan_doc(period="year"), "advance=50%:100%:25%")
    assert [p.advance for p in plans] == [0.5, 0.75, 1.0]
    assert {p.period for p in plans} == {"year"}  # the rest of the plan as written


def test_sweeping_the_floors():
    assert [p.guarantee.floor for p in swept(GUARDED, "guarantee.floor=0.8,0.9,1.0")] == [0.8, 0.9, 1.0]
    assert {p.guarantee.quarters for p in swept(GUARDED, "guarantee.floor=0.8,0.9")} == {2}
    quarters = swept(GUARDED, "guarantee.quarters=1:3:1")
    assert [p.guarantee.quarters for p in quarters] == [1, 2, 3]
    assert all(type(p.guarantee.quarters) is int for p in quarters)  # 2, not 2.0
    assert [p.ramp.floor for p in swept(GUARDED, "ramp.floor=50%,100%")] == [0.5, 1.0]  # added: its default was 1
    assert [p.ramp.quarters for p in swept(GUARDED, "ramp.quarters=1,4,8")] == [1, 4, 8]


def test_sweeping_a_clawback():
    within = swept(GUARDED, "components.upsell.clawback.within=1:3:1")
    assert [p.components[1].clawback.within for p in within] == [1, 2, 3]
    assert {p.components[1].clawback.share for p in within} == {1.0}
    share = swept(GUARDED, "components.upsell.clawback.share=0:1:0.5")
    assert [p.components[1].clawback.share for p in share] == [0.0, 0.5, 1.0]
    assert {p.components[1].clawback.within for p in share} == {2}


@pytest.mark.parametrize("path, current", [
    (("advance",), 1.0), (("ramp", "floor"), 1.0), (("components", "upsell", "clawback", "share"), 1.0),
    (("guarantee", "floor"), 0.9), (("components", "upsell", "clawback", "within"), 2.0),
])
def test_the_plans_own_value_includes_its_defaults(path, current):
    # The sweep row at the plan's own value is marked: a default is the plan's value as much as a written one.
    assert sweep_module._current_value(GUARDED, path) == current


@pytest.mark.parametrize("setting, fragment, hint", [
    ("guarantee.floor=0.9", "the plan has no guarantee, so guarantee has nothing to sweep",
     "add guarantee: {floor: 0.9, quarters: 2}"),
    ("ramp.quarters=2", "the plan has no ramp", "add ramp: {quarters: 2, floor: 1.0}"),
    ("components.upsell.clawback.within=2", "component upsell has no clawback",
     "add clawback: {within: 2, share: 1.0} to the commission"),
    ("components.upsell.clawback.share=0.5", "component upsell has no clawback", "add clawback:"),
])
def test_a_floor_or_clawback_the_plan_lacks_is_not_invented(setting, fragment, hint):
    parsed_setting = parse_setting(setting)
    with pytest.raises(UsageError) as caught:
        apply_setting(plan_doc(), parsed_setting.path, parsed_setting.values[0])
    assert fragment in caught.value.message and hint in caught.value.hint


@pytest.mark.parametrize("setting, fragment", [
    ("ramp.quarters=0,2", "ramp.quarters is a whole number of quarters from 1 to 8"),
    ("ramp.quarters=1.5", "from 1 to 8"),
    ("components.upsell.clawback.within=1:9:1", "clawback.within is a whole number of quarters from 1 to 8"),
    ("guarantee.quarters=41", "guarantee.quarters is a whole number of quarters from 1 to 40"),
    ("period=year", "period is quarter, half or year, not a number a sweep can try values of"),
    ("recover=0,1", "recover is true or false, not a number"),
])
def test_settings_a_sweep_cannot_try(setting, fragment):
    with pytest.raises(UsageError) as caught:
        parse_setting(setting)
    assert fragment in caught.value.message
    if setting.startswith("period"):
        assert "cscomp compare" in caught.value.hint


def test_guaranteed_quarter_labels_are_not_swept_as_a_number():
    labelled = plan_doc(guarantee={"floor": 0.9, "quarters": ["2026Q1"]})
    with pytest.raises(UsageError) as caught:
        apply_setting(labelled, ("guarantee", "quarters"), 2)
    assert "lists quarter labels (2026Q1)" in caught.value.message and "quarters: 2" in caught.value.hint


def test_a_swept_value_out_of_bounds_is_a_row_with_the_plan_error(data_dir):
    folder = data_dir(accounts=FLAT_ACCOUNTS, roster=DEFAULT_ROSTER, payouts=PAID_AT_TARGET,
                      plan=yaml.safe_dump(plan_doc(guarantee={"floor": 0.9, "quarters": 1})))
    document = run_json("sweep", folder / "plan.yaml", "--set", "guarantee.floor=0.9,90", "--quarters", "1",
                        "--data", folder)
    first, second = document["rows"]
    assert (first["value"], first["plan_value"], first["error"]) == (0.9, True, None)
    assert second["error"].startswith("guarantee.floor: floor 90 looks like a percentage: write 0.9 or 90%")


def test_sweep_through_the_cli_refuses_a_missing_block(data_dir):
    folder = data_dir(accounts=FLAT_ACCOUNTS, roster=DEFAULT_ROSTER, payouts=PAID_AT_TARGET,
                      plan=yaml.safe_dump(plan_doc()))
    result = run("sweep", folder / "plan.yaml", "--set", "guarantee.floor=0.8,0.9", "--quarters", "1",
                 "--data", folder)
    assert_user_error(result, "the plan has no guarantee", "add guarantee: {floor: 0.9, quarters: 2}")


# --- extends: a proposal adding or changing floors, a period, a clawback ---------------------------

IN_FORCE = """\
name: in force
guarantee: {floor: 0.9, quarters: [2026Q1, 2026Q2]}
ramp: {quarters: 2, floor: 0.8}
components:
  - {id: retention, metric: nrr, weight: 1.0, target: 1.0, curve: [[0.9, 0], [1.0, 1.0], [1.1, 1.5]]}
  - {id: upsell, kind: commission, metric: expansion_arr, rate: 0.08, clawback: {within: 2, share: 0.5}}
"""


def child_of(tmp_path, child: str, parent: str = IN_FORCE):
    (tmp_path / "parent.yaml").write_text(parent, encoding="utf-8")
    (tmp_path / "child.yaml").write_text("extends: parent.yaml\n" + child, encoding="utf-8")
    return load_plan(tmp_path / "child.yaml")


def test_a_childs_guarantee_replaces_the_parents_whole(tmp_path):
    # The proposal protects 2027's first quarter only: the parent's 2026 quarters are not kept beside it.
    plan = child_of(tmp_path, "guarantee: {floor: 0.8, quarters: [2027Q1]}\n")
    assert (plan.guarantee.floor, plan.guarantee.quarters) == (0.8, ("2027Q1",))
    assert (plan.ramp.quarters, plan.ramp.floor) == (2, 0.8)  # what the child does not name is inherited


def test_a_childs_ramp_replaces_the_parents_whole(tmp_path):
    # ramp: {quarters: 3} states a ramp of 3 quarters at the default floor (100 %), not at the parent's 80 %.
    plan = child_of(tmp_path, "ramp: {quarters: 3}\n")
    assert (plan.ramp.quarters, plan.ramp.floor) == (3, 1.0)


def test_a_guarantee_half_stated_is_an_error_not_half_inherited(tmp_path):
    with pytest.raises(PlanError) as caught:
        child_of(tmp_path, "guarantee: {floor: 0.8}\n")
    assert (caught.value.location, caught.value.message) == ("guarantee.quarters", "missing required key 'quarters'")


def test_a_child_drops_a_floor_with_null(tmp_path):
    plan = child_of(tmp_path, "guarantee: null\n")
    assert plan.guarantee is None and plan.ramp is not None


def test_a_proposal_adding_floors_and_a_period_to_a_plain_plan(tmp_path):
    plain = "name: plain\ncomponents:\n  - {id: retention, metric: nrr, weight: 1.0, target: 1.0, curve: [[1.0, 1.0]]}\n"
    plan = child_of(tmp_path, "period: year\nadvance: 75%\nramp: {quarters: 2}\nguarantee: {floor: 90%, quarters: 2}\n",
                    parent=plain)
    assert (plan.period, plan.advance, plan.ramp.quarters, plan.guarantee.floor) == ("year", 0.75, 2, 0.9)
    assert [c.id for c in plan.components] == ["retention"]


def test_a_childs_clawback_merges_into_its_component_by_id(tmp_path):
    # Only within is stated: the parent's share (50 %) stays, and so does the rest of the commission.
    plan = child_of(tmp_path, "components:\n  - {id: upsell, clawback: {within: 4}}\n")
    upsell = plan.components[1]
    assert (upsell.clawback.within, upsell.clawback.share, upsell.rate) == (4, 0.5, 0.08)
    added = child_of(tmp_path, "components:\n  - {id: upsell, clawback: {within: 1}}\n",
                     parent=IN_FORCE.replace(", clawback: {within: 2, share: 0.5}", ""))
    assert (added.components[1].clawback.within, added.components[1].clawback.share) == (1, 1.0)
    dropped = child_of(tmp_path, "components:\n  - {id: upsell, clawback: null}\n")
    assert dropped.components[1].clawback is None


def test_a_childs_period_meets_the_parents_clawback_at_its_key_path(tmp_path):
    # The merged plan is checked whole: a year plan cannot keep the parent's clawback.
    with pytest.raises(PlanError) as caught:
        child_of(tmp_path, "period: year\n")
    assert caught.value.location == "components[1].clawback" and "period: year" in caught.value.message


def test_plan_diff_of_a_proposal_that_extends_the_plan_in_force(tmp_path):
    child_of(tmp_path, "name: proposal\nguarantee: {floor: 0.8, quarters: 1}\n"
             "components:\n  - {id: upsell, clawback: {within: 3}}\n")
    changes = diff_json(tmp_path, "parent", "child")
    assert set(changes) == {("changed", "name"), ("changed", "guarantee.floor"), ("changed", "guarantee.quarters"),
                            ("changed", "components[upsell].clawback.within")}
    assert changes[("changed", "guarantee.quarters")]["words"] == (
        "guaranteed quarters: 2026Q1, 2026Q2 → the first replayed quarter")


# --- the docs the hints point to ------------------------------------------------------------------


def test_every_section_a_plan_hint_names_is_a_heading_of_docs_plans_md():
    import re

    from .conftest import REPO

    headings = {line.lstrip("#").strip() for line in (REPO / "docs" / "plans.md").read_text(encoding="utf-8")
                .splitlines() if line.startswith("#")}
    named = set()
    for path in (REPO / "cscomp_cli").rglob("*.py"):
        named.update(re.findall(r"see '([^']+)' in docs/plans\.md", path.read_text(encoding="utf-8")))
    assert {PERIODS, CLAWBACKS, FLOORS} <= named
    assert named - headings == set()
    # The new keys' reference: each section has its table of allowed values and defaults.
    text = (REPO / "docs" / "plans.md").read_text(encoding="utf-8")
    for key in ("`period`", "`advance`", "`recover`", "`within`", "`share`", "`ramp.quarters`", "`ramp.floor`",
                "`guarantee.floor`", "`guarantee.quarters`"):
        assert f"| {key} |" in text, key


def test_validate_lists_every_problem_of_the_new_keys_at_once(tmp_path):
    document = plan_doc(advance=75, guarantee={"floor": 90, "quarters": 2}, ramp={"quarters": 9})
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    result = run("validate", tmp_path / "plan.yaml", "--plan-only", "--format", "json")
    assert result.exit_code == 2
    found = {e["location"]: e for e in json.loads(result.stdout)["errors"]}
    assert set(found) == {"advance", "guarantee.floor", "ramp.quarters"}
    assert PERIODS in found["advance"]["hint"] and FLOORS in found["ramp.quarters"]["hint"]


# --- validate says what it read ----------------------------------------------------------------------


def test_validate_says_which_period_floors_and_clawbacks_it_read(tmp_path):
    document = plan_doc({"clawback": {"within": 1, "share": "50%"}}, ramp={"quarters": 2, "floor": "80%"},
                        guarantee={"floor": "90%", "quarters": ["2026Q1", "2026Q2"]})
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    report = json.loads(run("validate", tmp_path / "plan.yaml", "--plan-only", "--format", "json").stdout)
    assert report["checked"]["plan"] == {
        "name": "periods", "components": 2, "modifiers": 0, "ramp": {"quarters": 2, "floor": 0.8},
        "guarantee": {"floor": 0.9, "quarters": ["2026Q1", "2026Q2"]},
        "clawbacks": {"upsell": {"within": 1, "share": 0.5}}}
    text = run("validate", tmp_path / "plan.yaml", "--plan-only").stdout
    assert "ramp: new CSMs paid at least 80 % of their target variable in their first 2 quarters" in text
    assert "guarantee: at least 90 % of what was actually paid, in 2026Q1, 2026Q2" in text
    assert "clawback on upsell: 50 % of the commission paid on an account in the quarter before it churns" in text


def test_validate_of_a_period_plan_says_what_is_advanced(tmp_path):
    document = plan_doc(period="year", advance=0.75, recover=False, guarantee={"floor": 1, "quarters": 1})
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    report = json.loads(run("validate", tmp_path / "plan.yaml", "--plan-only", "--format", "json").stdout)
    assert {key: report["checked"]["plan"].get(key) for key in ("period", "advance", "recover", "guarantee")} == {
        "period": "year", "advance": 0.75, "recover": False, "guarantee": {"floor": 1.0, "quarters": 1}}
    text = run("validate", tmp_path / "plan.yaml", "--plan-only").stdout
    assert ("goals measured over the year to date, 75 % of the pay earned advanced before its last quarter, a "
            "true-up below the advances forgiven") in text
    assert "guarantee: at least 100 % of what was actually paid, in the first replayed quarter" in text


def test_validate_of_a_plan_without_them_reads_as_before(tmp_path):
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(plan_doc()), encoding="utf-8")
    report = json.loads(run("validate", tmp_path / "plan.yaml", "--plan-only", "--format", "json").stdout)
    assert report["checked"]["plan"] == {"name": "periods", "components": 2, "modifiers": 0}
