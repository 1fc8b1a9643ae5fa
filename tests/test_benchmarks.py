"""The benchmark's reference implementations agree with cscomp to the cent on a small org, so the
benchmark's speed ratios compare equal work (the full-size check is in benchmarks/run.py)."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from cscomp_cli.data import load_dataset
from cscomp_cli.engine import replay
from cscomp_cli.plan import load_plan

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
    import yaml

    import reference_loop

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
