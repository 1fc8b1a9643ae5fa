"""Windowed books at every scope (SPEC 5.3 Windows): the book of a team, segment or the company over a
window is every account in that scope's book in any quarter of the window, each quarter by its own
owners and its own roster, so a CSM who left inside the window still brings the accounts they held.
Every expected number is worked by hand in the comments."""

from __future__ import annotations

import math

import pytest

from cscomp_cli.engine.replay import replay
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.plan.loading import plan_from_document

from .conftest import run_json, write_files

# The smallest case: C2 churns A2 in 2026Q1 and is gone by 2026Q2.
LEAVER_ROSTER = """\
csm_id,name,segment,annual_base,annual_variable
C1,Ana,SMB,100000,20000
C2,Bo,SMB,100000,20000
"""
LEAVER_ACCOUNTS = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn
2026Q1,A1,C1,100,0,0,0
2026Q1,A2,C2,100,0,0,100
2026Q2,A1,C1,100,0,0,0
"""
LEAVER_PAYOUTS = "quarter,csm_id,amount\n2026Q2,C1,5000\n"


def leaver_plan(scope: str) -> dict:
    return {"name": f"grr over two quarters, {scope}", "metrics": {"grr_w2": {"from": "grr", "window": 2}},
            "components": [{"id": "retention", "metric": "grr_w2", "scope": scope, "measure": "value",
                            "weight": 1, "curve": [[0, 0], [1, 1]]}]}


@pytest.mark.parametrize("scope", ["segment", "company"])
def test_a_leaver_brings_the_accounts_they_held_in_the_window(tmp_path, scope):
    import yaml
    folder = write_files(tmp_path / "data", accounts=LEAVER_ACCOUNTS, roster=LEAVER_ROSTER, payouts=LEAVER_PAYOUTS)
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump(leaver_plan(scope)))
    document = run_json("stress-test", str(plan), "--data", str(folder), "--quarters", "1", "--format", "json")
    (row,) = document["rows"]
    # 2026Q2's window is 2026Q1–2026Q2. The SMB book in 2026Q1 is C1's A1 and C2's A2 (C2 is SMB by the
    # roster); in 2026Q2, C1's A1. Folded: A1 starts 100 and keeps 100; A2 starts 100 and churns 100.
    # grr = (100 + 0) / (100 + 100) = 0.5; the curve pays 0.5 × TV = 0.5 × 20,000 / 4 = 2,500.00.
    assert (row["quarter"], row["csm_id"]) == ("2026Q2", "C1")
    assert row["components"]["retention"]["metric"] == 0.5
    assert row["proposed"] == 2500.00


ROSTER = """\
csm_id,name,segment,team,annual_base,annual_variable
C1,Ana,SMB,North,100000,20000
C2,Bo,SMB,North,100000,20000
C3,Cy,SMB,South,100000,20000
"""
ROSTER_BY_QUARTER = """\
csm_id,name,segment,team,annual_base,annual_variable,quarter
C1,Ana,SMB,North,100000,20000,
C2,Bo,SMB,South,100000,20000,2026Q1
C2,Bo,SMB,North,100000,20000,2026Q2
C3,Cy,SMB,South,100000,20000,
"""
# C3's A3 moves to C2 in 2026Q2; C2 moves from South to North in 2026Q2 (the per-quarter roster).
TRANSFERS = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn,reason
2026Q1,A1,C1,100,0,0,0,
2026Q1,A2,C2,200,0,50,0,
2026Q1,A3,C3,300,0,0,300,bankrupt
2026Q2,A1,C1,100,20,0,0,
2026Q2,A2,C2,150,0,0,0,
2026Q2,A4,C3,400,0,0,0,
"""


def replayed(tmp_path, roster: str, metrics: dict):
    folder = write_files(tmp_path / "data", accounts=TRANSFERS, roster=roster)
    plan = plan_from_document({"name": "w", "metrics": metrics, "components": [
        {"id": "pay", "metric": "accounts", "weight": 1.0, "target": 1.0, "curve": [[0, 0], [2, 2]]}]})
    dataset = load_dataset(folder, columns=plan.account_columns(), require_payouts=False)
    return replay(plan, dataset, 1)


def at(result, name: str, scope: str) -> dict:
    raw = result.books.value(name, scope, "test")
    return {c: (None if math.isnan(v) else v) for c, v in zip(result.rows["csm_id"], raw)}


def test_team_membership_is_decided_by_each_window_quarters_roster(tmp_path):
    metrics = {"nrr_w2": {"from": "nrr", "window": 2}, "books_w2": {"from": "accounts", "window": 2}}
    result = replayed(tmp_path, ROSTER_BY_QUARTER, metrics)
    # 2026Q2, window 2026Q1–Q2. North in 2026Q1 is C1 alone (C2 was South then): A1. North in 2026Q2 is
    # C1 and C2: A1, A2. North's window book: A1 (100 → 120) and A2 (its 2026Q1 start 200, −50 → 150).
    # nrr = (120 + 150) / (100 + 200) = 0.9; two accounts.
    # South in 2026Q2 is C3 (A4, a new logo in the window: no 2026Q1 row, outside the base); in 2026Q1
    # C2 (A2) and C3 (A3). South's window book: A2 (200 → 150), A3 (300 → 0), A4 (0 → 400, no base).
    # nrr = (150 + 0) / (200 + 300) = 0.3; three accounts.
    assert at(result, "nrr_w2", "team") == {"C1": 0.9, "C2": 0.9, "C3": 0.3}
    assert at(result, "books_w2", "team") == {"C1": 2, "C2": 2, "C3": 3}
    # The company is every row of each window quarter: A1..A4 once each.
    # nrr = (120 + 150 + 0) / (100 + 200 + 300) = 270 / 600 = 0.45.
    assert at(result, "nrr_w2", "company") == {"C1": 0.45, "C2": 0.45, "C3": 0.45}
    assert at(result, "books_w2", "company") == {"C1": 4, "C2": 4, "C3": 4}


def test_an_account_belongs_by_its_rows_before_the_filter(tmp_path):
    metrics = {"solvent_w2": {"from": "grr", "window": 2, "filter": [{"column": "reason", "not_in": ["bankrupt"]}]},
               "solvent_books": {"from": "accounts", "window": 2,
                                 "filter": [{"column": "reason", "not_in": ["bankrupt"]}]}}
    result = replayed(tmp_path, ROSTER, metrics)
    # C3's 2026Q2 window: A3 (held in 2026Q1; its only row is bankrupt, so no row of it is folded) and
    # A4 (new logo, outside the base). No start ARR survives the filter: grr undefined, and A3 is not
    # counted as an account (nothing of it is folded) — one account, A4.
    assert at(result, "solvent_w2", "csm")["C3"] is None
    assert at(result, "solvent_books", "csm")["C3"] == 1
    # South (C3 alone by this roster): the same. North: A1 and A2, grr (100 + 150) / (100 + 200).
    assert at(result, "solvent_w2", "team") == {"C1": 0.833333333, "C2": 0.833333333, "C3": None}
    # The bankrupt row left out is A3's, in South's book: counted there, not in North's.
    definition = result.plan.definition("solvent_w2")
    out = result.books.custom.filtered_out(definition, "team", "test")
    assert dict(zip(result.rows["csm_id"], out)) == {"C1": 0, "C2": 0, "C3": 1}


def test_a_windowed_team_book_counts_an_account_its_members_passed_around_once(tmp_path):
    accounts = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn
2026Q1,A1,C1,100,0,0,0
2026Q2,A1,C2,100,10,0,0
"""
    folder = write_files(tmp_path / "data", accounts=accounts, roster=ROSTER)
    plan = plan_from_document({"name": "w", "metrics": {"b": {"from": "accounts", "window": 2},
                                                          "n": {"from": "nrr", "window": 2}},
                               "components": [{"id": "pay", "metric": "b", "weight": 1.0, "target": 1.0,
                                               "curve": [[0, 0], [2, 2]]}]})
    result = replay(plan, load_dataset(folder, require_payouts=False), 1)
    # North over 2026Q1–Q2: A1 held by C1 then by C2 is one account, 100 → 110.
    # 2026Q2 replays only C2 (C1 owns nothing there and has no payout).
    assert at(result, "b", "team") == {"C2": 1}
    assert at(result, "n", "team") == {"C2": 1.1}
    assert at(result, "b", "csm") == {"C2": 1}


def test_a_row_the_filter_leaves_out_still_makes_its_owner_hold_the_account(tmp_path):
    accounts = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn,reason
2026Q1,A1,C1,100,0,0,0,acquired
2026Q2,A1,C2,100,30,0,0,
2026Q2,A2,C1,50,0,0,0,
"""
    folder = write_files(tmp_path / "data", accounts=accounts, roster=ROSTER)
    keep = [{"column": "reason", "not_in": ["acquired"]}]
    plan = plan_from_document({"name": "w", "metrics": {
        "growth": {"from": "gross_expansion", "window": 2, "filter": keep},
        "held": {"from": "accounts", "window": 2, "filter": keep}},
        "components": [{"id": "pay", "metric": "accounts", "weight": 1.0, "target": 1.0, "curve": [[0, 0], [2, 2]]}]})
    result = replay(plan, load_dataset(folder, columns=plan.account_columns(), require_payouts=False), 1)
    # C1 held A1 in 2026Q1 (a row the filter leaves out), so A1 is in C1's 2026Q2 window book; the filter
    # then folds only A1's 2026Q2 row (C2's, whoever owned it): expansion 30. With A2: 30 + 0 = 30, two accounts.
    assert at(result, "growth", "csm") == {"C1": 30, "C2": 30}
    assert at(result, "held", "csm") == {"C1": 2, "C2": 1}


def test_a_leaver_missing_from_the_roster_is_named_not_silently_dropped(tmp_path):
    # C2 owned A2 in 2026Q1 but the roster (an export of current employees) no longer lists them.
    roster = "csm_id,name,segment,annual_base,annual_variable\nC1,Ana,SMB,100000,20000\n"
    folder = write_files(tmp_path / "data", accounts=LEAVER_ACCOUNTS, roster=roster, payouts=LEAVER_PAYOUTS)
    plan = plan_from_document(leaver_plan("segment"))
    result = replay(plan, load_dataset(folder), 1)
    # Without C2's roster row, A2 is in no segment's book: grr = 100 / 100 = 1, and a warning says why.
    assert result.rows["retention_metric"].tolist() == [1.0]
    (warning,) = [w for w in result.warnings if "window book" in w]
    assert "C2 in 2026Q1: no row for that quarter" in warning and "no segment" in warning and "roster.csv" in warning
    # With the leaver on the roster there is nothing to say.
    folder = write_files(tmp_path / "data2", accounts=LEAVER_ACCOUNTS, roster=LEAVER_ROSTER, payouts=LEAVER_PAYOUTS)
    assert not [w for w in replay(plan, load_dataset(folder), 1).warnings if "window book" in w]


@pytest.mark.parametrize("form, shown", [("csv", "2500.00"), ("markdown", "2,500.00"), ("table", "2,500.00")])
def test_every_format_shows_the_leavers_accounts_counted(tmp_path, form, shown):
    import yaml

    from .conftest import run
    folder = write_files(tmp_path / "data", accounts=LEAVER_ACCOUNTS, roster=LEAVER_ROSTER, payouts=LEAVER_PAYOUTS)
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump(leaver_plan("company")))
    result = run("stress-test", plan, "--data", folder, "--quarters", "1", "--format", form)
    assert result.exit_code == 0, result.stderr
    # grr 0.5 × TV 5,000 = 2,500.00 proposed against 5,000.00 paid (with the leaver's churned A2 dropped, the
    # plan paid 5,000.00 and no 2,500 appeared anywhere).
    assert shown in result.stdout
    if form == "csv":
        header, row = result.stdout.strip().splitlines()
        values = dict(zip(header.split(","), row.split(",")))
        assert values["retention_metric"] == "0.5" and values["proposed"] == "2500.00"
