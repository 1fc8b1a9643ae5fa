"""The shipped sample org: deterministic, realistic, and reproduced by the plan in force."""

from __future__ import annotations

import importlib.util
import json

import pandas as pd
import pytest

from cscomp_cli.versus_actual import compare_with_actual
from cscomp_cli.data import load_dataset
from cscomp_cli.engine import replay
from cscomp_cli.plan import load_plan

from .conftest import REPO, run

SAMPLE = REPO / "sample_data"
PLANS = sorted((REPO / "plans").glob("*.yaml"))


def _generator():
    spec = importlib.util.spec_from_file_location("generate", SAMPLE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_rewrites_the_shipped_files_byte_for_byte(tmp_path):
    _generator().write_org(tmp_path)
    for name in ("accounts.csv", "roster.csv", "quotas.csv", "payouts.csv", "SAMPLE_ORG.txt"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_replaying_the_plan_in_force_reproduces_every_payout_but_the_manual_adjustments():
    dataset = load_dataset(SAMPLE)
    rows = replay(load_plan(REPO / "plans" / "current.yaml"), dataset).rows
    differs = rows[rows["proposed_cents"] != rows["actual_cents"]]
    found = {(q, c): (a - p) / 100 for q, c, a, p in
             zip(differs["quarter"], differs["csm_id"], differs["actual_cents"], differs["proposed_cents"])}
    expected = {(q, c): amount for q, c, _component, amount, _why in _generator().MANUAL_ADJUSTMENTS}
    assert found == expected  # e.g. (2025Q4, C04): +2,500.00 SPIFF paid on top of the plan
    assert len(rows) - len(found) >= 230  # every other CSM-quarter matches to the cent


def test_sample_org_looks_like_a_real_cs_org():
    dataset = load_dataset(SAMPLE)
    accounts, roster = dataset.accounts, dataset.roster
    assert set(roster["segment"]) == {"Enterprise", "Mid-Market", "SMB"}
    assert 28 <= roster["csm_id"].nunique() <= 32
    assert accounts["quarter"].nunique() == 8
    # skewed ARR: the largest account is worth hundreds of the median one
    start = accounts.loc[accounts["arr_start"] > 0, "arr_start"]
    assert start.max() > 50 * start.median()
    # renewals cluster: the busiest quarter-of-year has at least twice the quietest
    due = accounts[accounts["renewal_due"]].groupby(accounts["quarter"].str[-1]).size()
    assert due.max() >= 2 * due.min()
    # whales churn outright, new logos land every quarter
    assert (accounts["churn"] >= 500_000).sum() >= 2
    assert (accounts.groupby("quarter").apply(lambda q: (q["arr_start"] == 0).sum()) > 0).all()
    # a minority answers NPS; a mid-quarter hire, a leaver, a raise
    assert 0.15 < accounts["nps"].notna().mean() < 0.45
    assert roster["start_date"].notna().any() and roster["end_date"].notna().any()
    assert roster["quarter"].notna().any()


@pytest.mark.parametrize("plan", PLANS, ids=[p.stem for p in PLANS])
def test_every_example_plan_opens_with_its_question_and_runs(plan):
    assert plan.read_text().startswith("# ")
    assert "Question it answers" in plan.read_text()
    result = run("stress-test", plan, "--quarters", "4", "--data", SAMPLE, "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["quarters"] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert document["summary"]["csms"] >= 28


def test_expansion_quota_plan_uses_the_quotas_file():
    dataset = load_dataset(SAMPLE)
    comparison = compare_with_actual(replay(load_plan(REPO / "plans" / "expansion_quota.yaml"), dataset, 1))
    rows = comparison.rows
    quotas = dataset.quotas.set_index(["quarter", "csm_id"])["target"]
    for row in rows.head(5).itertuples():
        assert getattr(row, "expansion_target") == quotas[(row.quarter, row.csm_id)]
    assert isinstance(quotas, pd.Series)
