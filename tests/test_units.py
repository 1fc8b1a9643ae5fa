"""SPEC 5.2: units a person writes — percent strings anywhere a number goes, warnings for values that
are almost certainly a unit mistake, and one error (with the fractions) for weights written as 60/40.

Data as in test_engine: four CSMs, TV 20,000 / 4 = 5,000.00 a quarter (base 100,000, so OTE
120,000), one account of start ARR 100,000 each in 2026Q1:
  C1 nrr 0.95 grr 0.95 (−5,000 contraction)   C2 nrr 1.00 grr 1.00
  C3 nrr 0.89 grr 0.89 (−11,000)              C4 nrr 1.20 grr 1.00 (+20,000 expansion)
"""

from __future__ import annotations

import json
import textwrap

import pytest
import yaml

from cscomp_cli.analyses.sweep import parse_setting
from cscomp_cli.core.units import percent_text
from cscomp_cli.plan.loading import parse_plan

from .conftest import assert_user_error, run, run_json
from .test_engine import ACCOUNTS, PAYOUTS, ROSTER, by_csm

# The same plan twice: once as a person writes it in percent, once in the fractions of SPEC section 3.
IN_PERCENT = """\
name: In percent — 100% readable
pay_mix: {variable_pct: "25%", hold: ote}
cap: 110%
components:
  - id: retention
    metric: nrr
    weight: 70%
    target: 100%
    curve: [["90%", 0], [100%, 100%], [110 %, 150%]]
  - id: logos
    metric: grr
    weight: "30%"
    target: {by: segment, values: {Enterprise: 95%, SMB: 95%}, default: 100%}
    curve: [[90%, 50%], [100%, 100%]]
modifiers:
  - id: shrink_gate
    when: {metric: nrr, below: 96%}
    multiply: 50%
    applies_to: [retention]
"""
IN_FRACTIONS = """\
name: In percent — 100% readable
pay_mix: {variable_pct: 25, hold: ote}
cap: 1.1
components:
  - id: retention
    metric: nrr
    weight: 0.7
    target: 1.0
    curve: [[0.9, 0], [1.0, 1.0], [1.1, 1.5]]
  - id: logos
    metric: grr
    weight: 0.3
    target: {by: segment, values: {Enterprise: 0.95, SMB: 0.95}, default: 1.0}
    curve: [[0.9, 0.5], [1.0, 1.0]]
modifiers:
  - id: shrink_gate
    when: {metric: nrr, below: 0.96}
    multiply: 0.5
    applies_to: [retention]
"""


def stress(data_dir, plan_text: str, *extra: str, **files) -> dict:
    files = {"accounts": ACCOUNTS, "roster": ROSTER, "payouts": PAYOUTS, **files}
    folder = data_dir(plan=textwrap.dedent(plan_text), **files)
    return run_json("stress-test", folder / "plan.yaml", "--quarters", "1", "--data", folder, *extra)


# --- percent strings --------------------------------------------------------------------------


def test_a_plan_in_percent_pays_the_same_cents_as_the_plan_in_fractions(data_dir):
    in_percent = stress(data_dir, IN_PERCENT)
    # TV: OTE 120,000 × 25 % = 30,000 a year → 7,500.00 a quarter.
    # retention (weight 0.7 → 5,250 at f = 1): nrr 0.95 → f 0.5, 1.00 → 1, 0.89 → 0, 1.20 → 1.5 (last point);
    #   the shrink gate (nrr < 0.96) halves C1 and C3: C1 5,250 × 0.5 × 0.5 = 1,312.50, C2 5,250, C3 0,
    #   C4 5,250 × 1.5 = 7,875.
    # logos (weight 0.3 → 2,250): grr ÷ 0.95: C1 1.0 → 1; C2 and C4 1.0526… → 1 (last point);
    #   C3 0.89 ÷ 0.95 = 0.936842105 → f 0.5 + 0.036842105 ÷ 0.1 × 0.5 = 0.684210525 → 1,539.47.
    # cap 110 % of 7,500 = 8,250: C4's 7,875 + 2,250 = 10,125 is lowered by 1,875.
    rows = by_csm(in_percent)
    assert {c: r["target_variable"] for c, r in rows.items()} == {"C1": 7500.0, "C2": 7500.0, "C3": 7500.0,
                                                                  "C4": 7500.0}
    assert {c: r["components"]["retention"]["payout"] for c, r in rows.items()} == {
        "C1": 1312.5, "C2": 5250.0, "C3": 0.0, "C4": 7875.0}
    assert {c: r["components"]["logos"]["payout"] for c, r in rows.items()} == {
        "C1": 2250.0, "C2": 2250.0, "C3": 1539.47, "C4": 2250.0}
    assert rows["C4"]["cap_adjustment"] == -1875.0
    assert {c: r["proposed"] for c, r in rows.items()} == {"C1": 3562.5, "C2": 7500.0, "C3": 1539.47, "C4": 8250.0}
    # … exactly what the same plan pays written in fractions: every row, every figure.
    assert in_percent == stress(data_dir, IN_FRACTIONS)


def test_a_plan_name_with_a_percent_sign_stays_text(data_dir):
    document = stress(data_dir, IN_PERCENT)
    assert document["plan"] == "In percent — 100% readable"
    plan = parse_plan("name: '50%'\ncurrency: '%'\ncomponents: [{id: r, metric: nrr, weight: 1, target: 1, "
                      "curve: [[1, 1]]}]\n")
    assert (plan.name, plan.currency) == ("50%", "%")


@pytest.mark.parametrize(("text", "value"), [
    ("92%", 0.92), ("92 %", 0.92), ("-30%", -0.3), ("−30%", -0.3), ("+2.5%", 0.025), (".5%", 0.005),
    ("7%", 0.07), ("110 %", 1.1), ("0.1%", 0.001), ("8.2%", 0.082), ("1.1%", 0.011), ("57%", 0.57),
])
def test_percent_strings_are_read_exactly(text, value):
    # Exactly the float a person writing the fraction gets: 7 / 100 in floats is 0.07000000000000001.
    assert percent_text(text) == value


def test_a_percentage_is_the_number_written_not_a_float_near_it():
    plan = parse_plan("name: x\ncomponents: [{id: up, kind: commission, metric: expansion_arr, rate: 8.2%}]\n")
    assert plan.components[0].rate == 0.082
    assert 8.2 / 100 != 0.082  # why the decimal text is parsed, not divided as a float (0.08199999999999999)


@pytest.mark.parametrize("text", ["92", "92%%", "%", "9O%", "1,5%", "1e2%", "abc"])
def test_texts_that_are_not_percentages(text):
    assert percent_text(text) is None


def test_variable_pct_in_percent_means_the_same_percent(data_dir):
    # "20%" of variable_pct is 20 (its unit is already percent): OTE 120,000 × 20 % = 24,000 → 6,000.00.
    plan = IN_FRACTIONS.replace('variable_pct: 25', 'variable_pct: {Enterprise: "20%", SMB: 20%}')
    rows = by_csm(stress(data_dir, plan))
    assert {c: r["target_variable"] for c, r in rows.items()} == {"C1": 6000.0, "C2": 6000.0, "C3": 6000.0,
                                                                  "C4": 6000.0}
    single = IN_FRACTIONS.replace('variable_pct: 25', 'variable_pct: 20%')
    assert by_csm(stress(data_dir, single))["C1"]["target_variable"] == 6000.0


def test_percent_strings_in_tiers_rate_credit_and_commission_cap():
    plan = parse_plan(textwrap.dedent("""\
        name: x
        credit: {cross_sell: 25%, expansion: 100%}
        components:
          - {id: r, metric: nrr, weight: 100%, target: 100%, risk_adjust: -10%, curve: [[100%, 100%]]}
          - id: up
            kind: commission
            metric: cross_sell_arr
            target: {pct_of_start_arr: 2%}
            tiers: [{up_to: 100%, rate: 4%}, {rate: 6%}]
            cap: 5000
    """))
    assert (plan.credit.cross_sell, plan.credit.expansion) == (0.25, 1.0)
    retention, upsell = plan.components
    assert (retention.weight, retention.target, retention.risk_adjust, retention.curve) == (1.0, 1.0, -0.1, [[1.0, 1.0]])
    assert upsell.target.pct_of_start_arr == 0.02
    assert [(t.up_to, t.rate) for t in upsell.tiers] == [(1.0, 0.04), (None, 0.06)]


def test_percent_strings_through_extends(tmp_path):
    (tmp_path / "parent.yaml").write_text(IN_FRACTIONS, encoding="utf-8")
    (tmp_path / "child.yaml").write_text(textwrap.dedent("""\
        extends: parent.yaml
        cap: 150%
        components:
          - {id: retention, target: 102%, curve: [[95%, 0], [100%, 100%], [105%, 175%]]}
          - {id: logos, target: {values: {SMB: 90%}}}
    """), encoding="utf-8")
    from cscomp_cli.plan.loading import load_plan

    plan = load_plan(tmp_path / "child.yaml")
    retention, logos = plan.components
    assert plan.cap == 1.5
    assert (retention.target, retention.curve) == (1.02, [[0.95, 0.0], [1.0, 1.0], [1.05, 1.75]])
    assert retention.weight == 0.7  # inherited
    assert logos.target.values == {"Enterprise": 0.95, "SMB": 0.9}


def test_a_malformed_percentage_is_an_error_naming_its_key(data_dir):
    folder = data_dir(accounts=ACCOUNTS, roster=ROSTER, payouts=PAYOUTS,
                      plan=IN_PERCENT.replace("weight: 70%", "weight: 7O%"))
    assert_user_error(run("stress-test", folder / "plan.yaml", "--quarters", "1", "--data", folder),
                      "components[0].weight", "'7O%' is not a percentage", 'e.g. "92%"')


def test_sweep_takes_percent_values():
    assert parse_setting("components.retention.target=95%:105%:5%").values == (0.95, 1.0, 1.05)
    assert parse_setting("cap=150%,2").values == (1.5, 2.0)
    assert parse_setting("pay_mix.variable_pct=20%,30%").values == (20.0, 30.0)  # already percent
    assert parse_setting("pay_mix.variable_pct.SMB=20%:30%:5%").values == (20.0, 25.0, 30.0)


# --- plausibility warnings --------------------------------------------------------------------

BASE = {"name": "units", "components": [
    {"id": "retention", "metric": "grr", "weight": 1.0, "target": 0.9, "curve": [[0.9, 0.5], [1.0, 1.0], [1.1, 1.5]]}]}


def variant(**changes) -> dict:
    plan = json.loads(json.dumps(BASE))
    component = plan["components"][0]
    for key, value in changes.items():
        (plan if key in ("cap", "pay_mix", "modifiers", "credit") else component)[key] = value
    plan["components"][0] = {key: value for key, value in component.items() if value is not None}
    return plan


# The four unit mistakes of issue 9 (each validated as "OK: no errors"), and the rest of SPEC 5.2's list.
MISTAKES = [
    (variant(pay_mix={"variable_pct": 0.2}), "pay_mix.variable_pct",
     "variable_pct 0.2 means 0.2 % of OTE; did you mean 20?"),
    (variant(pay_mix={"variable_pct": {"Enterprise": 30, "SMB": 1}}), "pay_mix.variable_pct.SMB",
     "variable_pct 1 means 1 % of OTE; it is a percentage (30 means 30 %)"),
    (variant(credit={"cross_sell": 25}), "credit.cross_sell", "did you mean 0.25?"),
    (variant(kind="commission", metric="cross_sell_arr", rate=5, weight=None, curve=None, target=None),
     "components[0].rate", "rate 5 pays 500 % of the amount; did you mean 0.05?"),
    (variant(kind="commission", metric="cross_sell_arr", tiers=[{"up_to": 100, "rate": 0.04}, {"rate": 0.06}],
             weight=None, curve=None, target={"pct_of_start_arr": 0.02}),
     "components[0].tiers[0].up_to", "up_to 100 on a fraction of the target"),
    (variant(target=90), "components[0].target", "target 90 on grr (a ratio: 1.0 is 100 %) means 9000 %; did you mean 0.9"),
    (variant(curve=[[90, 50], [100, 100], [110, 150]]), "components[0].curve",
     "did you mean [[0.9, 0.5], [1, 1], [1.1, 1.5]]?"),
    (variant(cap=150), "cap", "cap 150 allows 150 × the target variable (15000 %); did you mean 1.5?"),
    (variant(target={"by": "segment", "values": {"Enterprise": 95, "SMB": 0.9}}),
     "components[0].target.values.Enterprise", "target 95 on grr"),
    (variant(curve=[[0.9, 0], [1.0, 100]]), "components[0].curve",
     "the payout is a multiple of the target variable (1 is 100 %), so 100 pays 100 × it; did you mean "
     "[[0.9, 0], [1, 1]]?"),
    (variant(metric="nps", measure="value", target=None, curve=[[0, 0], [50, 1]]), None, None),  # nps is not a ratio
    (variant(modifiers=[{"id": "gate", "when": {"metric": "nrr", "below": 95}, "multiply": 0.5}]),
     "modifiers[0].when.below", "below 95 on nrr (a ratio: 1.0 is 100 %) means 9500 %; did you mean 0.95"),
    (variant(modifiers=[{"id": "gate", "when": {"metric": "nps", "below": 20}, "multiply": 0.5}]), None, None),
    (variant(metric="nrr", measure="value", target=None, curve=[[95, 0], [105, 1]]), "components[0].curve",
     "x is nrr (a ratio: 1 is 100 %), so 105 means 10500 %"),
]


def validate_json(data_dir, plan: dict) -> tuple[int, dict]:
    folder = data_dir(accounts=ACCOUNTS, roster=ROSTER, payouts=PAYOUTS, plan=yaml.safe_dump(plan, sort_keys=False))
    result = run("validate", folder / "plan.yaml", "--data", folder, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize(("plan", "location", "fragment"), MISTAKES)
def test_validate_warns_about_a_probable_unit_mistake(data_dir, plan, location, fragment):
    status, report = validate_json(data_dir, plan)
    assert status == 0 and report["errors"] == []
    found = [w for w in report["warnings"] if w["file"] and w["file"].endswith("plan.yaml")]
    if location is None:
        assert found == []
        return
    assert [(w["location"], fragment in w["message"]) for w in found] == [(location, True)], found


def test_a_sensible_plan_has_no_unit_warnings(data_dir):
    status, report = validate_json(data_dir, variant(pay_mix={"variable_pct": 30}, cap=2.0))
    assert status == 0 and report["warnings"] == []


def test_validate_shows_unit_warnings_even_when_the_data_cannot_be_read(tmp_path):
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(variant(cap=150)), encoding="utf-8")
    result = run("validate", tmp_path / "plan.yaml", "--data", tmp_path / "nowhere")
    assert result.exit_code == 2  # no data folder
    assert "cap 150 allows 150 × the target variable" in result.stdout + result.stderr


def test_every_replaying_command_reports_the_unit_warning(data_dir):
    plan = variant(cap=150)
    folder = data_dir(accounts=ACCOUNTS, roster=ROSTER, payouts=PAYOUTS, plan=yaml.safe_dump(plan),
                      **{"other.yaml": yaml.safe_dump(BASE)})
    path, data = folder / "plan.yaml", ("--data", folder)
    warning = "plan cap: cap 150 allows 150 × the target variable (15000 %); did you mean 1.5?"

    document = run_json("stress-test", path, "--quarters", "1", *data)
    assert warning in document["warnings"]
    table = run("stress-test", path, "--quarters", "1", *data)
    assert "cap 150 allows 150 × the target variable" in table.stdout + table.stderr
    compared = run_json("compare", folder / "other.yaml", path, "--quarters", "1", *data)
    assert f"plan: {warning}" in compared["warnings"]  # labelled with the plan file's name
    assert warning in run_json("explain", path, "--csm", "C1", "--quarter", "2026Q1", *data)["warnings"]
    assert warning in run_json("simulate", path, "--runs", "10", "--quarters", "1", *data)["warnings"]
    assert warning in run_json("reconcile", path, "--quarters", "1", *data)["warnings"]
    swept = run_json("sweep", path, "--set", "components.retention.target=0.9,0.95", "--quarters", "1", *data)
    assert swept["warnings"] == [warning]
    terminal = run("sweep", path, "--set", "components.retention.target=0.9,0.95", "--quarters", "1", *data)
    assert "cap 150 allows" in terminal.stdout


# --- weights ----------------------------------------------------------------------------------

FOUR_QUARTERS = "quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n" + "".join(
    f"{q},A{c},C{c},100000,0,0,0\n" for q in ("2025Q3", "2025Q4", "2026Q1", "2026Q2") for c in (1, 2))
TWO_CSMS = "csm_id,name,segment,annual_base,annual_variable\nC1,Ana,Enterprise,100000,20000\nC2,Bo,SMB,100000,20000\n"


def weights_plan(*weights, quarters=None) -> dict:
    components = [{"id": name, "metric": "nrr", "weight": weight, "target": 1.0, "curve": [[1.0, 1.0]]}
                  for name, weight in zip(("retention", "renewals", "extra"), weights)]
    for component, only in zip(components, quarters or []):
        if only:
            component["quarters"] = only
    return {"name": "weights", "components": components}


def weight_errors(data_dir, plan: dict) -> list[str]:
    folder = data_dir(accounts=FOUR_QUARTERS, roster=TWO_CSMS, plan=yaml.safe_dump(plan, sort_keys=False))
    result = run("validate", folder / "plan.yaml", "--data", folder, "--format", "json")
    assert result.exit_code == 2
    return [e["message"] + " | " + (e["hint"] or "") for e in json.loads(result.stdout)["errors"]]


def test_weights_in_percent_are_one_error_that_suggests_the_fractions(data_dir):
    errors = weight_errors(data_dir, weights_plan(60, 40))
    assert len(errors) == 1, errors  # not one per quarter (it was four here)
    assert "weights sum to 100, not 1" in errors[0]
    assert "in every replayed quarter (2025Q3–2026Q2): retention 60 + renewals 40" in errors[0]
    assert "did you mean 0.6 / 0.4?" in errors[0]
    assert 'retention: weight: 0.6, renewals: weight: 0.4' in errors[0]


def test_weights_in_percent_stop_a_stress_test_with_the_same_one_error(data_dir):
    folder = data_dir(accounts=FOUR_QUARTERS, roster=TWO_CSMS, payouts="quarter,csm_id,amount\n",
                      plan=yaml.safe_dump(weights_plan(60, 40)))
    result = run("stress-test", folder / "plan.yaml", "--data", folder)
    assert_user_error(result, "components: the curve components' weights sum to 100, not 1", "did you mean 0.6 / 0.4?")
    assert "(and" not in result.stderr


def test_a_wrong_weight_sum_is_named_once_with_its_quarters(data_dir):
    errors = weight_errors(data_dir, weights_plan(0.5, 0.3))
    assert len(errors) == 1, errors
    assert errors[0].startswith("in every replayed quarter (2025Q3–2026Q2) the active curve components' weights sum "
                                "to 0.8 (retention 0.5 + renewals 0.3), not 1")


def test_floating_components_group_the_quarters_that_share_a_problem(data_dir):
    # retention 0.6 always; renewals 0.3 in 2025Q3 and 2026Q1 (sum 0.9); extra 0.4 in 2025Q4 and 2026Q2 (sum 1.0);
    # with renewals 0.3 the odd quarters fail as one problem naming both quarters.
    plan = weights_plan(0.6, 0.3, 0.4, quarters=[None, ["2025Q3", "2026Q1"], ["2025Q4", "2026Q2"]])
    errors = weight_errors(data_dir, plan)
    assert errors == ["in 2025Q3, 2026Q1 the active curve components' weights sum to 0.9 (retention 0.6 + renewals "
                      "0.3), not 1 | adjust the weights (or the floating components' quarters lists) so that the "
                      "active weights sum to 1 in every quarter"]


def test_plan_diff_sees_no_difference_between_percent_and_fractions(tmp_path):
    (tmp_path / "percent.yaml").write_text(IN_PERCENT, encoding="utf-8")
    (tmp_path / "fractions.yaml").write_text(IN_FRACTIONS, encoding="utf-8")
    result = run("plan-diff", tmp_path / "percent.yaml", tmp_path / "fractions.yaml", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["changes"] == []


def test_sweep_finds_the_plans_own_value_when_written_in_percent(data_dir):
    folder = data_dir(accounts=ACCOUNTS, roster=ROSTER, payouts=PAYOUTS, plan=IN_PERCENT)
    swept = run_json("sweep", folder / "plan.yaml", "--set", "cap=100%:120%:10%", "--quarters", "1", "--data", folder)
    assert [(row["value"], row["plan_value"]) for row in swept["rows"]] == [(1.0, False), (1.1, True), (1.2, False)]


def test_text_where_a_number_goes_says_a_percentage_would_do(data_dir):
    folder = data_dir(accounts=ACCOUNTS, roster=ROSTER, payouts=PAYOUTS,
                      plan=IN_FRACTIONS.replace("weight: 0.7", "weight: seventy"))
    assert_user_error(run("stress-test", folder / "plan.yaml", "--quarters", "1", "--data", folder),
                      "components[0].weight: Input should be a valid number (got 'seventy'); write a number such as "
                      '0.92, or a percentage such as "92%"')
