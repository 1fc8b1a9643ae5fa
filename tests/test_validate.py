"""`cscomp validate`: every problem of the plan, the data and their fit reported at once,
errors and warnings apart; exit 2 on any error, 0 otherwise; JSON for scripts."""

from __future__ import annotations

import json

import yaml

from .conftest import DEFAULT_ROSTER, FLAT_ACCOUNTS, PAID_AT_TARGET, REPO, run

PLAN = {"name": "nrr only", "components": [
    {"id": "retention", "metric": "nrr", "weight": 1.0, "target": 1.0, "curve": [[0.9, 0.0], [1.0, 1.0]]}]}


def check(folder, *extra: str):
    return run("validate", folder / "plan.yaml", "--data", folder, *extra)


def check_json(folder) -> tuple[int, dict]:
    result = check(folder, "--format", "json")
    assert "Traceback" not in result.stderr
    return result.exit_code, json.loads(result.stdout)


def where(problem: dict) -> str:
    return f"{problem['file'].rsplit('/', 1)[-1]} {problem['location']}: {problem['message']}"


def test_a_good_plan_and_folder_pass(data_dir):
    folder = data_dir(accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET, plan=yaml.safe_dump(PLAN))
    status, report = check_json(folder)
    assert status == 0 and report["ok"] is True
    assert report["errors"] == [] and report["warnings"] == []
    assert report["checked"]["accounts.csv"] == {"rows": 2, "quarters": "2026Q1", "count": 1, "csms": 2}
    assert report["checked"]["replay"] == {"quarters": 1, "csm_quarters": 2}
    text = check(folder)
    assert text.exit_code == 0 and "OK: no errors, 0 warnings." in text.stdout


def test_every_problem_is_reported_at_once(data_dir):
    accounts = """\
        quarter,account_id,csm_id,arr_start,expansion,contraction,churn,nps
        2026Q1,A1,C1,100000,0,0,0,11
        2026Q1,A1,C1,100000,0,0,0,
        2026Q1,A2,C2,lots,0,0,0,
        2026Q1,A3,C9,100,0,0,0,
        2026Q5,A4,C2,100,0,0,0,
        """
    roster = """\
        csm_id,name,segment,annual_base,annual_variable,start_date
        C1,Ana,Enterprise,100000,20000,2026-13-01
        C2,Bo,SMB,100000,x,
        C2,Bo,SMB,100000,1,
        """
    plan = {"name": "x", "pay_mix": {"variable_pct": {"Enterprize": 30}}, "components": [
        {"id": "r", "metric": "nrr", "weight": 0.6, "target": {"by": "segment", "values": {"Enterprise": 1.0}},
         "curve": [[0.9, 0], [1, 1]]}]}
    folder = data_dir(accounts=accounts, roster=roster, payouts="quarter,csm_id,amount\n2025Q1,C2,1\n",
                      plan=yaml.safe_dump(plan))
    status, report = check_json(folder)
    assert status == 2 and report["ok"] is False
    found = [where(p) for p in report["errors"]]
    expected = [
        "accounts.csv line 6, column quarter: '2026Q5' is not a quarter label",
        "accounts.csv line 4, column arr_start: 'lots' is not an amount",
        "accounts.csv line 2, column nps: nps 11 is outside 0–10",
        "accounts.csv line 3, column account_id: an account appears twice in one quarter",
        "roster.csv line 3, column annual_variable: 'x' is not an amount",
        "roster.csv line 2, column start_date: '2026-13-01' is not a date",
        "roster.csv line 4, column csm_id: the same CSM has two roster rows for one quarter",
        "accounts.csv line 5, column csm_id: CSM C9 appears in 2026Q1 but roster.csv has no row",
        "plan.yaml pay_mix.variable_pct: no variable_pct for segment 'Enterprise'",
        "plan.yaml components: in 2026Q1 the active curve components' weights sum to 0.6",
        "plan.yaml components[0].target.values: no target for segment 'SMB'",
    ]
    assert len(found) == len(expected), found
    for got, want in zip(found, expected):
        assert got.startswith(want), (got, want)
    warnings = [where(p) for p in report["warnings"]]
    assert any("segment 'Enterprize' is not in roster.csv" in w and "did you mean 'Enterprise'?" in w
               for w in warnings), warnings
    assert any("payouts.csv has 1 line (1.00) in 2025Q1, which accounts.csv does not cover" in w for w in warnings), warnings


def test_every_plan_problem_is_listed_not_only_the_first(data_dir):
    plan = {"name": "x", "componets": [], "cap": "double", "performance": "nrrr"}
    folder = data_dir(accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET, plan=yaml.safe_dump(plan))
    status, report = check_json(folder)
    assert status == 2
    messages = [f"{p['location']}: {p['message']}" for p in report["errors"]]
    assert any(m.startswith("(top level): unknown key 'componets' (did you mean 'components'?)") for m in messages)
    assert any(m.startswith("cap: Input should be a valid number") for m in messages)
    assert any(m.startswith("performance: unknown metric 'nrrr'") for m in messages)
    # The misspelt 'componets' is one problem: no second error that 'components' is missing.
    assert not any("missing required key" in m for m in messages), messages
    assert len(messages) == 3, messages


def test_a_missing_file_and_a_bad_plan_are_both_reported(data_dir):
    folder = data_dir(payouts=PAID_AT_TARGET, plan="name: [x\n")
    status, report = check_json(folder)
    assert status == 2
    messages = [where(p) for p in report["errors"]]
    assert messages[0].startswith("plan.yaml line 2, column 1: YAML syntax error")
    assert messages[1].startswith("accounts.csv None: file not found")


def test_quotas_and_floating_quarters_are_checked(data_dir):
    plan = {"name": "q", "components": [
        {"id": "expansion", "metric": "gross_expansion", "weight": 1.0, "target": "quotas",
         "curve": [[0.5, 0], [1, 1]]},
        {"id": "bonus", "kind": "commission", "metric": "expansion_arr", "rate": 0.01, "quarters": ["2027Q1"]}]}
    quotas = "quarter,csm_id,component,target\n2026Q1,C1,expansion,1000\n2026Q1,C1,expanison,5\n"
    folder = data_dir(accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET, quotas=quotas, plan=yaml.safe_dump(plan))
    status, report = check_json(folder)
    assert status == 2
    assert [where(p) for p in report["errors"]] == [
        "quotas.csv None: no quota for CSM C2, quarter 2026Q1, component expansion"]
    warnings = [where(p) for p in report["warnings"]]
    assert "plan.yaml components[1].quarters: component 'bonus' pays in 2027Q1, which accounts.csv does not cover" \
        in warnings
    assert any("quotas for expanison, which no component of this plan uses" in w for w in warnings)


def test_replay_warnings_are_warnings_not_errors(data_dir):
    plan = {"name": "r", "components": [
        {"id": "renewals", "metric": "renewal_rate", "weight": 1.0, "target": 0.9, "curve": [[0.9, 1.0]],
         "on_missing": "target", "risk_adjust": 0.1}]}
    folder = data_dir(accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET, plan=yaml.safe_dump(plan))
    status, report = check_json(folder)
    assert status == 0
    warnings = [p["message"] for p in report["warnings"]]
    assert any("attainment undefined for 2 CSM-quarter(s), paid as target" in w for w in warnings), warnings
    assert any("uses risk_adjust, but accounts.csv has no risk column" in w for w in warnings), warnings
    assert any("uses renewal_rate, but accounts.csv has no renewal_due or renewed column" in w for w in warnings)


def test_every_shipped_plan_validates_against_the_sample_org():
    for plan in sorted((REPO / "plans").glob("*.yaml")):
        result = run("validate", plan, "--data", REPO / "sample_data", "--format", "json")
        assert result.exit_code == 0, (plan.name, result.stdout)
        assert json.loads(result.stdout)["errors"] == []


def test_validate_output_file_and_inputs_untouched(data_dir, tmp_path):
    folder = data_dir(accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET, plan=yaml.safe_dump(PLAN))
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    target = tmp_path / "report.json"
    assert check(folder, "--format", "json", "--output", target).exit_code == 0
    assert json.loads(target.read_text())["ok"] is True
    assert check(folder, "--output", folder / "roster.csv").exit_code == 2
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_validate_with_the_default_roster_fixture(data_dir):
    # DEFAULT_ROSTER lacks teams: a team-scoped component is an error validate names.
    plan = {"name": "t", "components": [{**PLAN["components"][0], "scope": "team"}]}
    folder = data_dir(accounts=FLAT_ACCOUNTS, roster=DEFAULT_ROSTER, payouts=PAID_AT_TARGET, plan=yaml.safe_dump(plan))
    status, report = check_json(folder)
    assert status == 2
    assert where(report["errors"][0]).startswith("plan.yaml components[0].scope: scope: team needs every CSM's team")


def test_a_bad_quarter_on_a_duplicated_account_is_reported_once(data_dir):
    # Found by the fuzz test: validate carried on past the bad quarter and then crashed looking for
    # the first copy of a duplicate whose quarter was missing.
    accounts = FLAT_ACCOUNTS + "2026Q9,A1,C1,100000,0,0,0\n2026Q9,A1,C1,100000,0,0,0\n"
    folder = data_dir(accounts=accounts, payouts=PAID_AT_TARGET, plan=yaml.safe_dump(PLAN))
    status, report = check_json(folder)
    assert status == 2
    assert [where(p) for p in report["errors"]] == [
        "accounts.csv line 4, column quarter: '2026Q9' is not a quarter label (and 1 more row like it)"]


def test_an_infinite_risk_score_is_one_error_and_validate_carries_on(data_dir):
    # Found by the fuzz test: validate kept the out-of-range score and overflowed risk × ARR.
    accounts = FLAT_ACCOUNTS.replace("quarter,account_id,csm_id,arr_start,expansion,contraction,churn",
                                     "quarter,account_id,csm_id,arr_start,expansion,contraction,churn,risk")
    accounts = accounts.replace("2026Q1,A1,C1,100000,0,0,0", "2026Q1,A1,C1,100000,0,0,0,inf")
    accounts = accounts.replace("2026Q1,A2,C2,100000,0,0,0", "2026Q1,A2,C2,100000,0,0,0,0.5")
    folder = data_dir(accounts=accounts, payouts=PAID_AT_TARGET, plan=yaml.safe_dump(PLAN))
    status, report = check_json(folder)
    assert status == 2
    assert [where(p) for p in report["errors"]] == ["accounts.csv line 2, column risk: risk inf is outside 0–1"]
    assert report["checked"]["replay"]["csm_quarters"] == 2


def test_a_misspelt_segment_in_weights_by_segment_is_warned_about(data_dir):
    # 'Enterprize' matches no roster segment, so Ana (Enterprise) silently takes the default weight 1.0:
    # the plan replays (1.0 + 0 = 1 for everybody) but not as its author wrote it.
    plan = {"name": "w", "components": [
        {"id": "retention", "metric": "nrr", "target": 1.0, "curve": [[0.9, 0], [1.0, 1.0]],
         "weight": {"by": "segment", "values": {"Enterprize": 0.6}, "default": 1.0}},
        {"id": "logos", "metric": "logo_retention", "target": 1.0, "curve": [[0.9, 0], [1.0, 1.0]],
         "weight": {"by": "segment", "values": {"Enterprize": 0.4}, "default": 0}}]}
    folder = data_dir(accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET, plan=yaml.safe_dump(plan))
    status, report = check_json(folder)
    assert status == 0, report
    warnings = [f"{p['location']}: {p['message']}" for p in report["warnings"]]
    for index in (0, 1):
        assert any(w.startswith(f"components[{index}].weight.values: segment 'Enterprize' is not in roster.csv")
                   and "did you mean 'Enterprise'?" in w for w in warnings), warnings
