"""The shipped sample org: deterministic, realistic, and reproduced by the plan in force."""

from __future__ import annotations

import importlib.util
import json

import pandas as pd
import pytest

from cscomp_cli.engine.replay import replay
from cscomp_cli.engine.versus_actual import compare_with_actual
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.plan.loading import load_plan

from .conftest import REPO, run

SAMPLE = REPO / "sample_data"
PLANS = sorted((REPO / "plans").glob("*.yaml"))
ISSUE_12_PLANS = ("balanced_scorecard", "ttm_nrr")  # custom metrics, weights by segment, a combined score


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
    # 30 CSMs, a manager per team (6 teams: M01-M06) and two hires of 2026 (C35, C36)
    assert roster["csm_id"].nunique() == 30 + 6 + 2
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


# --- the columns a CS platform exports beside the revenue (issue 12) ---------------------------

ORIGINAL_COLUMNS = ["quarter", "account_id", "csm_id", "segment", "arr_start", "expansion", "cross_sell",
                    "contraction", "churn", "arr_end", "renewal_due", "renewed", "nps", "health", "risk"]


@pytest.fixture(scope="module")
def raw_accounts():
    return pd.read_csv(SAMPLE / "accounts.csv", keep_default_na=False, na_values=[""],
                       dtype={"onboarding_complete": str, "churn_reason": str})


def test_the_added_columns_leave_every_original_cell_as_it_was():
    # sha256 of accounts.csv as shipped before the columns were added (its 15 columns, byte for byte):
    # every number in the README and the tests was computed from it.
    import hashlib

    # The accounts issue 24 added (A01279 on: the managers' and the hires' books) are left out; every
    # original row keeps its place among the original rows.
    lines = (SAMPLE / "accounts.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",")[:15] == ORIGINAL_COLUMNS
    original = "".join(",".join(line.split(",")[:15]) + "\n" for line in lines
                       if line.split(",")[1] == "account_id" or line.split(",")[1] <= "A01278")
    assert hashlib.sha256(original.encode()).hexdigest() == \
        "f23750bc095ad7beedaab5cb604c9c3737c05c2ae6aa4724777c314db63234df"


def test_csat_is_sparse_and_low_where_risk_is_high(raw_accounts):
    a = raw_accounts
    answered = a["csat"].dropna()
    assert set(answered.unique()) <= {1, 2, 3, 4, 5}
    # most accounts do not answer in a quarter: about one in five does, every quarter
    rates = a["csat"].notna().groupby(a["quarter"]).mean()
    assert rates.between(0.1, 0.35).all(), rates
    calm, risky = a[a["risk"] < 0.2], a[a["risk"] >= 0.5]
    assert risky["csat"].mean() < calm["csat"].mean() - 1.0
    # detractors (1 or 2) are a risky book's: a few per cent of calm answers, a third of risky ones
    assert (calm["csat"].dropna() <= 2).mean() < 0.05 < 0.25 < (risky["csat"].dropna() <= 2).mean()


def test_seats_follow_arr_and_adoption_is_lower_where_risk_is_high(raw_accounts):
    a = raw_accounts
    assert (a["seats_purchased"] >= 1).all()
    tracked = a[a["seats_active"].notna()]
    assert 0.9 < len(tracked) / len(a) < 1.0  # telemetry misses a few accounts: blank, not 0
    assert (tracked["seats_active"] <= tracked["seats_purchased"]).all()
    assert ((tracked["seats_active"] / tracked["seats_purchased"]).round(2) == tracked["seat_adoption"]).all()
    assert a["seat_adoption"].isna().equals(a["seats_active"].isna())
    assert a.loc[a["risk"] >= 0.5, "seat_adoption"].mean() < a.loc[a["risk"] < 0.2, "seat_adoption"].mean() - 0.2
    # an account that only expanded in a quarter holds at least the seats it held the quarter before
    a = a.sort_values(["account_id", "quarter"])
    before = a.groupby("account_id")["seats_purchased"].shift()
    grew = (a["expansion"] > 0) & (a["contraction"] == 0) & (a["churn"] == 0) & before.notna()
    assert grew.sum() > 500
    assert (a.loc[grew, "seats_purchased"] >= before[grew]).all()
    # Enterprise accounts hold the most seats, SMB the fewest
    seats = a.groupby("segment")["seats_purchased"].median()
    assert seats["Enterprise"] > seats["Mid-Market"] > seats["SMB"]


def test_onboarding_is_recorded_for_new_logos_only(raw_accounts):
    a = raw_accounts
    new = a["arr_start"] == 0
    assert a.loc[~new, "onboarding_complete"].isna().all()
    assert set(a.loc[new, "onboarding_complete"]) == {"yes", "no"}
    assert 0.6 < (a.loc[new, "onboarding_complete"] == "yes").mean() < 0.95


def test_every_churn_has_a_reason_and_product_gaps_cluster_in_mid_market(raw_accounts):
    a = raw_accounts
    assert a["churn_reason"].isna().equals(a["churn"] == 0)  # blank exactly when nothing churned
    churned = a[a["churn"] > 0]
    assert set(churned["churn_reason"]) == {"product_gap", "price", "competitor", "acquired", "bankrupt",
                                            "relationship"}
    share = (churned["churn_reason"] == "product_gap").groupby(churned["segment"]).mean()
    assert share["Mid-Market"] > 0.35
    assert share["Mid-Market"] > 2 * max(share["Enterprise"], share["SMB"])
    # the two largest churns are the Enterprise whales: one acquired, one lost to a competitor
    whales = churned.nlargest(2, "churn")
    assert set(whales["segment"]) == {"Enterprise"}
    assert set(whales["churn_reason"]) == {"acquired", "competitor"}


@pytest.mark.parametrize("name", ISSUE_12_PLANS)
def test_the_issue_12_example_plans_validate_against_the_sample_org(name):
    result = run("validate", REPO / "plans" / f"{name}.yaml", "--data", SAMPLE, "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["errors"] == []


@pytest.mark.parametrize("name", ISSUE_12_PLANS)
def test_the_issue_12_example_plans_read_columns_the_sample_org_has(name, raw_accounts):
    plan = load_plan(REPO / "plans" / f"{name}.yaml")
    assert plan.metrics  # each defines metrics of its own
    assert set(plan.account_columns()) <= set(raw_accounts.columns)


def test_the_balanced_scorecard_weights_sum_to_one_in_every_segment():
    plan = load_plan(REPO / "plans" / "balanced_scorecard.yaml")
    for segment in ("Enterprise", "Mid-Market", "SMB"):
        weights = [c.weight_for(segment) for c in plan.components]
        assert round(sum(weights), 9) == 1.0, (segment, weights)
    assert plan.components[-1].weight_for("Enterprise") == 0  # onboarding pays Enterprise nothing
    assert plan.performance_weights == {"nrr": 0.5, "csat": 0.25, "adoption": 0.25}


@pytest.mark.parametrize("name", ["ttm_nrr", "balanced_scorecard", "multi_year_renewals", "cs_manager",
                                  "annual_nrr", "expansion_clawback", "rollout_protected"])
def test_the_readme_story_of_each_new_plan_is_its_actual_output(name, monkeypatch):
    # The README quotes each run (abridged with "…"): every line it quotes must be one the command prints.
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = f"$ cscomp stress-test plans/{name}.yaml --quarters 4"
    block = readme.split(command, 1)[1].split("```", 1)[0]
    # Rules (━━━) are as wide as the terminal the README was written on: the content lines must match.
    quoted = [line.rstrip() for line in block.splitlines() if line.strip() and line.strip() != "…"
              and set(line.strip()) != {"━"}]
    assert len(quoted) > 10
    monkeypatch.chdir(REPO)  # as the README runs it: from the repository, on the shipped sample org
    result = run("stress-test", f"plans/{name}.yaml", "--quarters", "4", env={"COLUMNS": "140", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.stderr
    printed = {line.rstrip() for line in result.stdout.splitlines()}
    for line in quoted:
        assert line in printed, line


# --- what issue 24's example plans need: contract terms, managers, new hires ---------------------

MANAGERS = ["M01", "M02", "M03", "M04", "M05", "M06"]


def test_every_renewal_due_row_has_the_term_signed_and_only_those(raw_accounts):
    a = raw_accounts
    due = a["renewal_due"] == "yes"
    assert a.loc[due, "term_months"].notna().all() and a.loc[~due, "term_months"].isna().all()
    assert set(a["term_months"].dropna()) == {12, 24, 36}
    # multi-year terms came with the 2026 price book: every 2025 renewal signed 12 months, so an
    # account renewing in 2025 is rightly due again in 2026
    assert set(a.loc[due & a["quarter"].str.startswith("2025"), "term_months"]) == {12}
    year = a[due & a["quarter"].str.startswith("2026")]
    multi = (year["term_months"] >= 24).groupby(year["segment"]).mean()
    assert (multi < 0.5).all()  # mostly 12 months everywhere …
    assert multi["Enterprise"] > multi["Mid-Market"] > multi["SMB"] > 0  # … and multi-year most in Enterprise


def test_each_team_has_a_player_coach_manager_with_a_few_accounts():
    dataset = load_dataset(SAMPLE)
    accounts, roster = dataset.accounts, dataset.roster
    people = roster.drop_duplicates("csm_id").set_index("csm_id")
    managers = people.loc[MANAGERS]
    assert sorted(managers["team"]) == sorted(set(people.loc[~people.index.isin(MANAGERS), "team"]))
    for manager in managers.itertuples():
        team = people[(people["team"] == manager.team) & ~people.index.isin(MANAGERS)]
        assert set(team["segment"]) == {manager.segment}  # a segment like their team's CSMs'
        assert manager.annual_base > team["annual_base"].max()  # paid above the CSMs they lead
    # a few strategic accounts each (more only while covering an open seat), every quarter: own NRR defined
    book = accounts[accounts["csm_id"].isin(MANAGERS)].groupby(["quarter", "csm_id"])
    sizes = book.size().unstack()
    assert sizes.notna().all().all() and (sizes >= 4).all().all() and (sizes <= 8).all().all()
    assert (book["arr_start"].sum() > 0).all()
    # one of their accounts renews each quarter: renewal_rate is defined too
    assert (book["renewal_due"].sum() >= 1).all()
    # paid every quarter payroll has paid
    paid = dataset.payouts[dataset.payouts["csm_id"].isin(MANAGERS)].groupby("csm_id")["quarter"].nunique()
    assert (paid.reindex(MANAGERS) == 8).all()


def test_the_two_new_hires_start_inside_a_replayed_quarter_with_a_thin_book():
    dataset = load_dataset(SAMPLE)
    accounts, roster = dataset.accounts, dataset.roster
    people = roster.drop_duplicates("csm_id").set_index("csm_id")
    # 2026-02-09 is day 40 of 2026Q1's 90 (prorated 51/90); 2026-08-03 is day 34 of 2026Q3's 92 (59/92)
    assert str(people.loc["C35", "start_date"].date()) == "2026-02-09"
    assert str(people.loc["C36", "start_date"].date()) == "2026-08-03"
    book_sizes = accounts.groupby(["quarter", "csm_id"], observed=True).size()
    for csm, first in (("C35", "2026Q1"), ("C36", "2026Q3")):
        book = accounts[accounts["csm_id"] == csm].astype({"quarter": str, "csm_id": str})
        assert book["quarter"].min() == first
        mine = book.groupby("quarter").size()
        peers = book_sizes[accounts.drop_duplicates(["quarter", "csm_id"]).set_index(["quarter", "csm_id"])
                           .loc[book_sizes.index, "segment"] == people.loc[csm, "segment"]]
        assert mine[first] <= 5 and mine[first] < peers.median() / 3  # a small forming book
        assert (book.loc[book["quarter"] == first, "arr_start"] == 0).any()  # a new logo lands in it
        paid = dataset.payouts[dataset.payouts["csm_id"] == csm].astype({"quarter": str})
        assert paid["quarter"].min() == first and paid["quarter"].nunique() == mine.size
