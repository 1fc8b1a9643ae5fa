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
    result = replay(load_plan(PLAN), load_dataset(small_org), 8)
    rows = result.rows
    return result.quarters, {(q, c): int(v) for q, c, v in zip(rows["quarter"], rows["csm_id"], rows["proposed_cents"])}


def test_the_per_row_loop_agrees_to_the_cent(small_org, cscomp_cents):
    import reference_loop

    quarters, ours = cscomp_cents
    assert reference_loop.payouts_loop(small_org, PLAN, quarters) == ours
    assert len(ours) > 200


@pytest.mark.skipif(importlib.util.find_spec("duckdb") is None, reason="duckdb is in the bench extra")
def test_duckdb_sql_agrees_to_the_cent(small_org, cscomp_cents):
    import reference_duckdb

    quarters, ours = cscomp_cents
    assert reference_duckdb.payouts_duckdb(small_org, PLAN, quarters) == ours


def test_the_org_as_raw_exports_through_the_data_map_replays_to_the_cent(small_org, cscomp_cents, tmp_path):
    import exports

    raw = exports.write_exports(small_org, tmp_path / "exports")
    assert not (raw / "accounts.csv").exists()  # only the exports and the map
    quarters, ours = cscomp_cents
    result = replay(load_plan(PLAN), load_dataset(raw), 8)
    rows = result.rows
    assert result.quarters == quarters
    assert {(q, c): int(v) for q, c, v in zip(rows["quarter"], rows["csm_id"], rows["proposed_cents"])} == ours
