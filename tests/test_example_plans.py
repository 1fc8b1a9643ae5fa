"""The plan language of version 2 end to end: the examples of the plan docs for metrics of your own,
weights by segment and a combined score, and the example plans built on them, through every output
format and every command that replays, on the shipped sample org."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import pytest
import yaml
from openpyxl import load_workbook

from .conftest import REPO, run

SAMPLE = REPO / "sample_data"

# The metrics of the docs' example, every form at once, paid on and ranked by.
EXAMPLE = {
    "name": "Version 2 example",
    "performance": {"nrr": 0.7, "csat": 0.3},
    "metrics": {
        "csat": {"column": "csat", "aggregate": "mean"},
        "happy_share": {"column": "csat", "aggregate": "share", "where": {"at_least": 4}},
        "controllable_grr": {"from": "grr", "filter": [
            {"column": "churn_reason", "not_in": ["product_gap", "acquired", "bankrupt"]}]},
        "nrr_ttm": {"from": "nrr", "window": 4},
    },
    "components": [
        {"id": "nrr_ttm", "metric": "nrr_ttm", "target": 1.0, "curve": [[0.9, 0], [1.0, 1.0], [1.1, 1.5]],
         "weight": {"by": "segment", "values": {"Enterprise": 0.5, "SMB": 0.2}, "default": 0.4}},
        {"id": "retention", "metric": "controllable_grr", "target": 0.95, "curve": [[0.9, 0], [1.0, 1.0]],
         "weight": {"by": "segment", "values": {"Enterprise": 0.3, "SMB": 0.6}, "default": 0.4}},
        {"id": "happy", "metric": "happy_share", "measure": "value", "on_missing": "target",
         "curve": [[0.5, 0.5], [0.8, 1.0]], "weight": 0.2},
    ],
    "modifiers": [{"id": "csat_gate", "when": {"metric": "csat", "below": 3}, "multiply": 0.8}],
}
PLANS = {"example": None, "ttm_nrr": REPO / "plans" / "ttm_nrr.yaml",
         "balanced_scorecard": REPO / "plans" / "balanced_scorecard.yaml",
         # issue 24's plans that the language already states: a filter on term_months, scope: team
         "multi_year_renewals": REPO / "plans" / "multi_year_renewals.yaml",
         "cs_manager": REPO / "plans" / "cs_manager.yaml"}


@pytest.fixture(params=list(PLANS))
def plan(request, tmp_path):
    if PLANS[request.param] is not None:
        return PLANS[request.param]
    path = tmp_path / "example.yaml"
    path.write_text(yaml.safe_dump(EXAMPLE, sort_keys=False), encoding="utf-8")
    return path


def replayed(plan, *options):
    result = run("stress-test", plan, "--quarters", "4", "--data", SAMPLE, *options)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    return result


def test_every_format_gives_the_same_payouts(plan, tmp_path):
    document = json.loads(replayed(plan, "--format", "json").stdout)
    proposed = {(r["quarter"], r["csm_id"]): r["proposed"] for r in document["rows"]}
    assert len(proposed) >= 100 and any(value > 0 for value in proposed.values())

    rows = list(csv.DictReader(io.StringIO(replayed(plan, "--format", "csv").stdout)))
    assert {(r["quarter"], r["csm_id"]): float(r["proposed"]) for r in rows} == proposed
    ids = [c["id"] for c in document["components"]]
    assert all(f"{cid}_metric" in rows[0] for cid in ids)

    total = f"{document['summary']['proposed_total']:,.2f}"
    assert total in replayed(plan, "--format", "markdown").stdout
    assert total in replayed(plan, "--format", "table").stdout

    html = tmp_path / "report.html"
    replayed(plan, "--format", "html", "--output", html, "-q")
    parser = HTMLParser()
    parser.feed(html.read_text(encoding="utf-8"))  # well-formed enough to parse, and holds the total
    assert total in html.read_text(encoding="utf-8")

    workbook = tmp_path / "result.xlsx"
    replayed(plan, "--format", "xlsx", "--output", workbook, "-q")
    sheets = load_workbook(workbook, read_only=True)
    assert len(sheets.sheetnames) >= 3
    sheets.close()


def test_explain_compare_sweep_and_validate_run_the_plan(plan):
    document = json.loads(replayed(plan, "--format", "json").stdout)
    first = document["rows"][0]
    explained = run("explain", plan, "--data", SAMPLE, "--csm", first["csm_id"], "--quarter", first["quarter"],
                    "--format", "json")
    assert explained.exit_code == 0, explained.stderr
    explanation = json.loads(explained.stdout)
    assert explanation["total"]["proposed"] == first["proposed"]
    used = {c["metric"] for c in explanation.get("custom_metrics") or []}
    defined = set(yaml.safe_load(plan.read_text(encoding="utf-8")).get("metrics") or {})
    assert used <= defined and bool(used) == bool(defined)  # cs_manager uses built-in metrics only

    compared = run("compare", REPO / "plans" / "current.yaml", plan, "--data", SAMPLE, "--quarters", "4",
                   "--format", "json")
    assert compared.exit_code == 0, compared.stderr

    validated = run("validate", plan, "--data", SAMPLE)
    assert validated.exit_code == 0, validated.stderr

    swept = run("sweep", plan, "--data", SAMPLE, "--quarters", "4", "--set", "cap=1.5,2.0", "--format", "json")
    assert swept.exit_code == 0, swept.stderr
    values = json.loads(swept.stdout)
    rows = values["rows"] if isinstance(values, dict) else values
    assert len(rows) == 2


def test_the_example_ranks_on_the_combined_score():
    path = REPO / "plans" / "balanced_scorecard.yaml"
    document = json.loads(replayed(path, "--format", "json").stdout)
    assert document["performance_measure"]["combined"] is True
    scores = [c["performance"] for c in document["csms"] if c["performance"] is not None]
    # A score is a weighted mean of percentiles: between 0 and 1, the best CSM on every metric at 1.
    assert all(0 <= score <= 1 for score in scores)
    top = document["summary"]["top_performers"]
    assert len(top) == -(-len(document["csms"]) // 4)


# --- issue 24's example plans on the sample org, checked against accounts.csv by hand -------------


def _accounts():
    import pandas as pd

    return pd.read_csv(SAMPLE / "accounts.csv", keep_default_na=False, na_values=[""])


def test_multi_year_renewals_pays_each_rate_on_the_arr_renewed_for_that_term():
    document = json.loads(replayed(REPO / "plans" / "multi_year_renewals.yaml", "--format", "json").stdout)
    row = next(r for r in document["rows"] if (r["quarter"], r["csm_id"]) == ("2026Q2", "C04"))
    a = _accounts()
    signed = a[(a["quarter"] == "2026Q2") & (a["csm_id"] == "C04") & (a["renewed"] == "yes")]
    renewed = signed["arr_start"] - signed["contraction"] - signed["churn"]  # renewed_arr, row by row
    long, short = renewed[signed["term_months"] >= 24].sum(), renewed[signed["term_months"] < 24].sum()
    assert long > 0 and short > 0
    paid = row["components"]
    # 0.5 % of the ARR renewed for 24 months or more, 0.25 % of the rest, each rounded to the cent
    assert paid["multi_year"]["payout"] == round(long * 0.005, 2)
    assert paid["annual"]["payout"] == round(short * 0.0025, 2)


def test_cs_manager_pays_on_the_whole_team_book_the_managers_own_accounts_included():
    document = json.loads(replayed(REPO / "plans" / "cs_manager.yaml", "--format", "json").stdout)
    row = next(r for r in document["rows"] if (r["quarter"], r["csm_id"]) == ("2026Q1", "M02"))
    a = _accounts()
    # Ent-West in 2026Q1: C02, C04, C06 and their manager M02 (C36 joins in 2026Q3); the base is the
    # rows with arr_start > 0, and NRR is their ARR at the end over their ARR at the start
    team = a[(a["quarter"] == "2026Q1") & a["csm_id"].isin(["C02", "C04", "C06", "M02"]) & (a["arr_start"] > 0)]
    nrr = (team["arr_start"] + team["expansion"] + team["cross_sell"] - team["contraction"]
           - team["churn"]).sum() / team["arr_start"].sum()
    grr = (team["arr_start"] - team["contraction"] - team["churn"]).sum() / team["arr_start"].sum()
    paid = row["components"]
    assert round(paid["team_nrr"]["metric"], 9) == round(nrr, 9)
    assert round(paid["team_grr"]["metric"], 9) == round(grr, 9)
    # C06's whale went to a competitor that quarter: team NRR 0.936 < 0.969 (95 % of the 1.02 target)
    # and team GRR 0.895 < 0.912 (95 % of 0.96) pay nothing; only the manager's own renewal pays
    assert paid["team_nrr"]["payout"] == 0 and paid["team_grr"]["payout"] == 0
    assert row["proposed"] == paid["own_renewals"]["payout"] > 0
    members = {r["csm_id"] for r in document["rows"] if r["quarter"] == "2026Q1"}
    assert {"M01", "M02", "M03", "M04", "M05", "M06", "C35"} <= members and "C36" not in members
