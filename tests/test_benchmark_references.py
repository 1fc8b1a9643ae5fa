"""The benchmark's reference implementations agree with cscomp to the cent on a small org, so the
benchmark's speed ratios compare equal work (the full-size check is in benchmarks/run.py)."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from cscomp_cli.engine.replay import replay
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.plan.loading import load_plan

from .conftest import REPO

BENCH = REPO / "benchmarks"
PLAN = BENCH / "plan_all.yaml"


@pytest.fixture(scope="module")
def small_org(tmp_path_factory):
    sys.path.insert(0, str(BENCH))
    import generate

    return generate.main(["--csms", "40", "--accounts", "1500", "--out", str(tmp_path_factory.mktemp("org"))])


@pytest.fixture(scope="module")
def cscomp_cents(small_org):
    """cscomp's answer, computed on first use (so a failing replay fails the test that needs it)."""
    answer = []

    def compute():
        if not answer:
            plan = load_plan(PLAN)
            result = replay(plan, load_dataset(small_org, columns=plan.account_columns()), 8)
            rows = result.rows
            answer.append((result.quarters, {(q, c): int(v) for q, c, v in
                                             zip(rows["quarter"], rows["csm_id"], rows["proposed_cents"])}))
        return answer[0]
    return compute


def test_the_per_row_loop_agrees_to_the_cent(small_org, cscomp_cents):
    import reference_loop

    quarters, ours = cscomp_cents()
    assert reference_loop.payouts_loop(small_org, PLAN, quarters) == ours
    assert len(ours) > 200


@pytest.mark.skipif(importlib.util.find_spec("duckdb") is None, reason="duckdb is in the bench extra")
def test_duckdb_sql_agrees_to_the_cent(small_org, cscomp_cents):
    import reference_duckdb

    quarters, ours = cscomp_cents()
    assert reference_duckdb.payouts_duckdb(small_org, PLAN, quarters) == ours


def test_the_org_as_raw_exports_through_the_data_map_replays_to_the_cent(small_org, cscomp_cents, tmp_path):
    import exports

    raw = exports.write_exports(small_org, tmp_path / "exports")
    assert not (raw / "accounts.csv").exists()  # only the exports and the map
    quarters, ours = cscomp_cents()
    plan = load_plan(PLAN)
    result = replay(plan, load_dataset(raw, columns=plan.account_columns()), 8)
    rows = result.rows
    assert result.quarters == quarters
    assert {(q, c): int(v) for q, c, v in zip(rows["quarter"], rows["csm_id"], rows["proposed_cents"])} == ours


@pytest.mark.skipif(importlib.util.find_spec("duckdb") is None, reason="duckdb is in the bench extra")
def test_the_two_references_agree_with_each_other_on_the_custom_metrics(small_org):
    """The loop and the SQL are written independently from the contract: where both agree on the
    windowed, filtered and column metrics, cscomp has one answer to meet (checked above)."""
    import reference_duckdb
    import reference_loop

    quarters = reference_loop.last_quarters(small_org, 8)
    loop = reference_loop.payouts_loop(small_org, PLAN, quarters)
    assert reference_duckdb.payouts_duckdb(small_org, PLAN, quarters) == loop
    assert len(loop) > 200


def test_the_benchmark_plans_custom_metrics_change_pay(small_org, tmp_path):
    """The window, the filter and the column mean are not dead weight: each modifier on a custom
    metric fires for some CSM-quarters, so a reference getting one wrong would disagree."""
    import reference_loop
    import yaml

    quarters = reference_loop.last_quarters(small_org, 8)
    full = reference_loop.payouts_loop(small_org, PLAN, quarters)
    plan = yaml.safe_load(PLAN.read_text(encoding="utf-8"))
    for modifier in ("csat_gate", "controllable_churn"):
        without = dict(plan, modifiers=[m for m in plan["modifiers"] if m["id"] != modifier])
        path = tmp_path / f"without_{modifier}.yaml"
        path.write_text(yaml.safe_dump(without, allow_unicode=True), encoding="utf-8")
        changed = sum(1 for key, cents in reference_loop.payouts_loop(small_org, path, quarters).items()
                      if cents != full[key])
        assert changed >= 10, modifier
    assert {"nrr_ttm", "csat", "controllable_grr_ttm"} <= set(plan["metrics"])
    assert plan["metrics"]["controllable_grr_ttm"]["window"] == 4


@pytest.fixture(scope="module")
def real_org(small_org, tmp_path_factory):
    import real

    return real.write_real(small_org, tmp_path_factory.mktemp("real"))


def test_the_real_variant_is_deterministic_and_blank_where_real_exports_are(small_org, real_org, tmp_path):
    import pandas as pd
    import real

    again = real.write_real(small_org, tmp_path / "again")
    for name in ("accounts.csv", "payouts.csv", "roster.csv", "quotas.csv"):
        assert (again / name).read_bytes() == (real_org / name).read_bytes(), name
    accounts = pd.read_csv(real_org / "accounts.csv", dtype=str, keep_default_na=False)
    assert 0.65 <= (accounts["health"] == "").mean() <= 0.75  # health missing for most
    assert 0.25 <= (accounts["nps"] != "").mean() <= 0.40  # NPS answered by about a third
    assert 0.05 <= (accounts["risk"] == "").mean() <= 0.15  # risk missing for some
    assert set(accounts["renewal_due"]) | set(accounts["renewed"]) == {"yes", "no"}
    dressed = sum(accounts[c].str.startswith("$").sum() for c in real.ACCOUNT_AMOUNTS)
    cells = len(accounts) * len(real.ACCOUNT_AMOUNTS)
    assert 0.001 * cells <= dressed <= 0.006 * cells  # a few, not none
    assert accounts["arr_start"].str.fullmatch(r"\$\d{1,3}(,\d{3})+\.\d\d").any()  # thousands separated
    assert (pd.read_csv(real_org / "payouts.csv", dtype=str)["amount"].str.startswith("$")).any()


def test_cscomp_reads_the_real_variants_amounts_as_the_clean_ones(small_org, real_org):
    """Every $1,234.00 cell is an amount cscomp's canonical reader accepts, and the same number."""
    import numpy as np

    plan = load_plan(PLAN)
    clean = load_dataset(small_org, columns=plan.account_columns())
    dressed = load_dataset(real_org, columns=plan.account_columns())
    for column in ("arr_start", "expansion", "cross_sell", "contraction", "churn", "arr_end"):
        assert np.array_equal(clean.accounts[column].to_numpy(), dressed.accounts[column].to_numpy()), column
    assert np.array_equal(clean.payouts["amount"].to_numpy(), dressed.payouts["amount"].to_numpy())
    assert dressed.accounts["health"].isna().mean() > 0.6 > clean.accounts["health"].isna().mean()


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_the_agreement_check_catches_one_cent_and_a_missing_row(tmp_path):
    import agreement

    ours = _write(tmp_path / "cscomp.csv", "quarter,csm_id,name,proposed,actual,delta\n"
                  "2026Q1,C1,Ana,100.10,90.00,10.10\n2026Q1,C2,Ben,50.00,50.00,0.00\n")
    # The same numbers written differently (no trailing zeros) agree; a column only one side has is not compared.
    same = _write(tmp_path / "same.csv", "quarter,csm_id,proposed,actual,delta,extra\n"
                  "2026Q1,C2,50,50.0,0,x\n2026Q1,C1,100.1,90,10.1,y\n")
    assert agreement.disagreements(ours, same) == (2, ["proposed", "actual", "delta"], [])
    cent = _write(tmp_path / "cent.csv", "quarter,csm_id,proposed,actual,delta\n"
                  "2026Q1,C1,100.11,90.00,10.10\n2026Q1,C2,50.00,50.00,0.00\n")
    rows, _, problems = agreement.disagreements(ours, cent)
    assert (rows, problems) == (2, ["2026Q1 C1 proposed: '100.10' vs '100.11'"])
    missing = _write(tmp_path / "missing.csv", "quarter,csm_id,proposed\n2026Q1,C1,100.10\n")
    assert agreement.disagreements(ours, missing)[2] == ["2026Q1 C2: only in cscomp.csv"]
    text = _write(tmp_path / "text.csv", "quarter,csm_id,name\n2026Q1,C1,Ana\n2026Q1,C2,Bob\n")
    assert agreement.disagreements(ours, text)[2] == ["2026Q1 C2 name: 'Ben' vs 'Bob'"]


@pytest.mark.skipif(importlib.util.find_spec("duckdb") is None, reason="duckdb is in the bench extra")
def test_the_duckdb_script_writes_cscomps_csv_to_the_cent_on_the_real_variant(real_org, tmp_path):
    import agreement
    import duckdb_e2e

    from .conftest import run

    result = run("stress-test", PLAN, "--data", real_org, "-n", "8", "--format", "csv", "--output",
                 tmp_path / "cscomp.csv", "-q")
    assert result.exit_code == 0, result.stderr
    duckdb_e2e.run(real_org, tmp_path / "duckdb.csv", PLAN, 8, currency=True)
    rows, columns, problems = agreement.disagreements(tmp_path / "cscomp.csv", tmp_path / "duckdb.csv")
    assert problems == []
    assert rows > 200
    assert {"target_variable", "retention_payout", "net_commission_payout", "cap_adjustment", "proposed", "actual",
            "delta"} <= set(columns)
