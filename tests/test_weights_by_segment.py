"""Weights by segment (one plan, different mixes for high- and low-touch teams): what each CSM is
paid, the weight-sum rule per quarter and roster segment, and the errors a leader can act on."""

from __future__ import annotations

import json

from .conftest import (
    DEFAULT_ROSTER,
    MOVING_ACCOUNTS,
    PAID_AT_TARGET,
    assert_user_error,
    run,
    write_files,
)

CURVE = "[[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]"
# C3 (Mid-Market) has a flat book: nrr 1.0, grr 1.0.
ROSTER3 = DEFAULT_ROSTER + "C3,Cy,Mid-Market,100000,20000\n"
ACCOUNTS3 = MOVING_ACCOUNTS + "2026Q1,A3,C3,100000,0,0,0\n"
PAID3 = PAID_AT_TARGET + "2026Q1,C3,5000\n"


def plan(retention: str, gross: str, extra: str = "") -> str:
    """An nrr and a grr curve component (target 1.0 each) with the weights given."""
    return f"""\
name: mix by segment
components:
  - id: retention
    metric: nrr
    weight: {retention}
    target: 1.0
    curve: {CURVE}
  - id: gross
    metric: grr
    weight: {gross}
    target: 1.0
    curve: {CURVE}
{extra}"""


def folder(tmp_path, plan_text: str, **files: str):
    files = {"roster": ROSTER3, "accounts": ACCOUNTS3, "payouts": PAID3, **files}
    return write_files(tmp_path / "org", **files, **{"plan.yaml": plan_text})


def stress_json(org, *args: str) -> dict:
    result = run("stress-test", org / "plan.yaml", "--data", org, "--quarters", "1", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def paid(document: dict, quarter: str = "2026Q1") -> dict:
    return {row["csm_id"]: {cid: detail["payout"] for cid, detail in row["components"].items()}
            for row in document["rows"] if row["quarter"] == quarter}


def test_enterprise_and_smb_mixes_and_the_default_pay_each_csm_their_own_weights(tmp_path):
    org = folder(tmp_path, plan("{by: segment, values: {Enterprise: 0.5, SMB: 0.8}, default: 0.6}",
                                "{by: segment, values: {Enterprise: 0.5, SMB: 0.2}, default: 0.4}"))
    pay = paid(stress_json(org))
    # C1 Enterprise: nrr (100,000 + 10,000 − 5,000) / 100,000 = 1.05 → f 1 + 0.05 × 5 = 1.25
    #   retention 5,000 × 0.5 × 1.25 = 3,125; grr (100,000 − 5,000) / 100,000 = 0.95 → f 0.05 × 10 = 0.5
    #   gross 5,000 × 0.5 × 0.5 = 1,250
    assert pay["C1"] == {"retention": 3125.0, "gross": 1250.0}
    # C2 SMB: nrr = grr = (100,000 − 4,000) / 100,000 = 0.96 → f 0.06 × 10 = 0.6
    #   retention 5,000 × 0.8 × 0.6 = 2,400; gross 5,000 × 0.2 × 0.6 = 600
    assert pay["C2"] == {"retention": 2400.0, "gross": 600.0}
    # C3 Mid-Market (no entry: the defaults 0.6 / 0.4): flat book, f 1 → 5,000 × 0.6 = 3,000 and 5,000 × 0.4 = 2,000
    assert pay["C3"] == {"retention": 3000.0, "gross": 2000.0}


def test_a_weight_of_0_pays_0_and_warns_about_nothing_it_does_not_pay(tmp_path):
    # SMB is retention-only: gross weighs 0 for C2; gross pays on_missing: target when grr is undefined.
    org = folder(tmp_path, plan("{by: segment, values: {SMB: 1.0}, default: 0.5}",
                                "{by: segment, values: {SMB: 0}, default: 0.5}\n    on_missing: target"),
                 accounts=MOVING_ACCOUNTS.replace("2026Q1,A2,C2,100000,0,0,4000", "2026Q1,A2,C2,0,5000,0,0")
                 + "2026Q1,A3,C3,100000,0,0,0\n")
    document = stress_json(org)
    pay = paid(document)
    # C2's book is a new logo only (start 0): nrr and grr undefined → f 1.0 (on_missing: target for gross;
    #   retention's default on_missing: zero → f 0): retention 5,000 × 1.0 × 0 = 0; gross 5,000 × 0 × 1 = 0
    assert pay["C2"] == {"retention": 0.0, "gross": 0.0}
    # C3 (default 0.5 / 0.5), flat: 5,000 × 0.5 × 1 = 2,500 each
    assert pay["C3"] == {"retention": 2500.0, "gross": 2500.0}
    # retention's undefined nrr for C2 is warned about (it weighs 1.0); gross's is not (it weighs 0 for C2)
    assert any("component retention" in w and "C2" in w for w in document["warnings"])
    assert not any("component gross" in w for w in document["warnings"])


def test_the_sum_rule_failing_for_one_segment_names_only_that_segment(tmp_path):
    # Enterprise 0.5 + 0.5 = 1; SMB 0.8 + 0.3 = 1.1; Mid-Market has no replayed CSM with 0.9 + 0.9: not checked
    org = folder(tmp_path, plan("{by: segment, values: {Enterprise: 0.5, SMB: 0.8, Mid-Market: 0.9}}",
                                "{by: segment, values: {Enterprise: 0.5, SMB: 0.3, Mid-Market: 0.9}}"),
                 roster=DEFAULT_ROSTER, accounts=MOVING_ACCOUNTS, payouts=PAID_AT_TARGET)
    result = run("stress-test", org / "plan.yaml", "--data", org, "--quarters", "1")
    assert_user_error(result, "components: in 2026Q1 for segment SMB the active curve components' weights sum to "
                              "1.1 (retention 0.8 + gross 0.3), not 1", "for every segment")
    assert "Enterprise" not in result.stderr and "Mid-Market" not in result.stderr


def test_segments_failing_with_the_same_weights_are_one_error(tmp_path):
    # C2 (SMB) and C3 (Mid-Market) both fall to the default 0.6 + 0.6 = 1.2: one error naming both
    org = folder(tmp_path, plan("{by: segment, values: {Enterprise: 0.5}, default: 0.6}",
                                "{by: segment, values: {Enterprise: 0.5}, default: 0.6}"))
    result = run("validate", org / "plan.yaml", "--data", org)
    assert result.exit_code == 2
    assert result.stdout.count("weights sum to 1.2") == 1, result.stdout
    assert "in 2026Q1 for segments Mid-Market and SMB the active" in result.stdout


def test_a_replayed_segment_without_a_weight_or_default_is_an_error(tmp_path):
    org = folder(tmp_path, plan("{by: segment, values: {Enterprise: 0.5, SMB: 0.8, Mid-Market: 0.6}}",
                                "{by: segment, values: {Enterprise: 0.5, Mid-Market: 0.4}}"))
    result = run("stress-test", org / "plan.yaml", "--data", org, "--quarters", "1")
    assert_user_error(result, "plan.yaml, components[1].weight.values: component 'gross' has no weight for segment "
                              "'SMB' (CSM C2 in 2026Q1) and no default", "add 'SMB: <weight>' to the values",
                      "default")
    assert "unexpected" not in result.stderr


def test_validate_lists_the_missing_segment_and_carries_on(tmp_path):
    org = folder(tmp_path, plan("{by: segment, values: {Enterprise: 0.5}}", "{by: segment, values: {Enterprise: 0.5}}"))
    result = run("validate", org / "plan.yaml", "--data", org)
    assert result.exit_code == 2 and "Traceback" not in result.stdout + result.stderr
    assert "unexpected" not in result.stdout + result.stderr
    # one error per component, each naming its first CSM-quarter and the other segment it lacks; then
    # Enterprise's 0.5 + 0.5 = 1 passes, and no sum is reported for the segments without weights
    assert "components[0].weight.values: component 'retention' has no weight for segment 'Mid-Market' " \
           "(CSM C3 in 2026Q1) and no default (nor for 'SMB')" in result.stdout
    assert "components[1].weight.values: component 'gross'" in result.stdout
    assert "2 errors" in result.stdout and "sum to" not in result.stdout


def test_weights_by_segment_with_floating_quarters(tmp_path):
    # Two quarters, the same books in each. pillar pays always; push only in 2026Q1, for Enterprise only.
    accounts = MOVING_ACCOUNTS + MOVING_ACCOUNTS.split("\n", 1)[1].replace("2026Q1", "2025Q4")
    payouts = PAID_AT_TARGET + PAID_AT_TARGET.split("\n", 1)[1].replace("2026Q1", "2025Q4")
    floating = """\
name: floating by segment
components:
  - id: pillar
    metric: nrr
    weight: {by: segment, values: {Enterprise: 0.7, SMB: 1.0}}
    target: 1.0
    curve: [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]
  - id: q4_push
    metric: nrr
    weight: {by: segment, values: {Enterprise: 0.3}, default: 0}
    target: 1.0
    curve: [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]
    quarters: [2025Q4]
  - id: q1_push
    metric: grr
    weight: {by: segment, values: {Enterprise: 0.3}, default: 0}
    target: 1.0
    curve: [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]
    quarters: [2026Q1]
"""
    org = folder(tmp_path, floating, roster=DEFAULT_ROSTER, accounts=accounts, payouts=payouts)
    result = run("stress-test", org / "plan.yaml", "--data", org, "--quarters", "2", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    q4, q1 = paid(document, "2025Q4"), paid(document, "2026Q1")
    # C1 (Enterprise) nrr 1.05 → f 1.25, grr 0.95 → f 0.5. 2025Q4: pillar 5,000 × 0.7 × 1.25 = 4,375;
    #   q4_push 5,000 × 0.3 × 1.25 = 1,875. 2026Q1: pillar 4,375; q1_push 5,000 × 0.3 × 0.5 = 750
    assert q4["C1"] == {"pillar": 4375.0, "q4_push": 1875.0, "q1_push": 0.0}
    assert q1["C1"] == {"pillar": 4375.0, "q4_push": 0.0, "q1_push": 750.0}
    # C2 (SMB) nrr 0.96 → f 0.6: pillar 5,000 × 1.0 × 0.6 = 3,000 in each quarter; the pushes weigh 0
    assert q4["C2"] == q1["C2"] == {"pillar": 3000.0, "q4_push": 0.0, "q1_push": 0.0}

    # Without the Q4 push, Enterprise's 2025Q4 weights are 0.7 alone; SMB (1.0) and 2026Q1 (0.7 + 0.3) are fine.
    without = floating.split("  - id: q4_push")[0] + "  - id: q1_push" + floating.split("  - id: q1_push")[1]
    (org / "plan.yaml").write_text(without, encoding="utf-8")
    result = run("stress-test", org / "plan.yaml", "--data", org, "--quarters", "2")
    assert_user_error(result, "in 2025Q4 for segment Enterprise the active curve components' weights sum to 0.7 "
                              "(pillar 0.7), not 1")
    assert "2026Q1" not in result.stderr and "SMB" not in result.stderr


def test_weights_by_segment_written_as_100_get_the_fractions_suggested(tmp_path):
    org = folder(tmp_path, plan("{by: segment, values: {Enterprise: 50, SMB: 80}}",
                                "{by: segment, values: {Enterprise: 50, SMB: 20}}"),
                 roster=DEFAULT_ROSTER, accounts=MOVING_ACCOUNTS, payouts=PAID_AT_TARGET)
    result = run("stress-test", org / "plan.yaml", "--data", org, "--quarters", "1")
    # Enterprise 50 + 50 = 100 and SMB 80 + 20 = 100: one error, each segment's fractions suggested
    assert_user_error(result, "the curve components' weights sum to 100, not 1",
                      "in 2026Q1 for segment Enterprise: retention 50 + gross 50",
                      "in 2026Q1 for segment SMB: retention 80 + gross 20",
                      "did you mean 0.5 / 0.5; 0.8 / 0.2?",
                      "retention: weight: {by: segment, values: {Enterprise: 0.5, SMB: 0.8}}")
    assert result.stderr.count("sum to") == 1


def test_a_plain_weight_beside_weights_by_segment_counts_for_every_segment(tmp_path):
    # retention 0.6 for everybody; gross Enterprise 0.4 (sum 1), SMB 0.5 (sum 1.1)
    org = folder(tmp_path, plan("0.6", "{by: segment, values: {Enterprise: 0.4, SMB: 0.5}}"),
                 roster=DEFAULT_ROSTER, accounts=MOVING_ACCOUNTS, payouts=PAID_AT_TARGET)
    result = run("stress-test", org / "plan.yaml", "--data", org, "--quarters", "1")
    assert_user_error(result, "for segment SMB the active curve components' weights sum to 1.1 "
                              "(retention 0.6 + gross 0.5), not 1")


def test_explain_shows_the_csms_own_weight_and_that_it_is_by_segment(tmp_path):
    org = folder(tmp_path, plan("{by: segment, values: {Enterprise: 0.5, SMB: 0.8}, default: 0.6}",
                                "{by: segment, values: {Enterprise: 0.5, SMB: 0.2}, default: 0.4}"))
    result = run("explain", org / "plan.yaml", "--data", org, "--csm", "C3", "--quarter", "2026Q1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    retention, gross = json.loads(result.stdout)["components"]
    # C3 is Mid-Market: no entry, so the defaults 0.6 and 0.4
    assert (retention["weight"], gross["weight"]) == (0.6, 0.4)
    assert retention["weight_by_segment"]["segment"] == "Mid-Market"
    assert retention["weight_by_segment"]["from"] == "the default (no entry for Mid-Market)"
    tree = run("explain", org / "plan.yaml", "--data", org, "--csm", "C2", "--quarter", "2026Q1")
    assert tree.exit_code == 0, tree.stderr
    assert "weight 0.8 (by segment: SMB's entry)" in tree.stdout and "weight 0.2 (by segment: SMB's entry)" in tree.stdout
